"""Decks written from outside the project (``tests/data/antenna/outside/``, how they were made
in its README) against NEC-2 numbers computed once by two independent engines (nec2c 1.3 and
PyNEC 2.3.4, ``reference.json``, made by ``make_reference.py`` there), against analytic
geometry, and bad decks that must fail with one line naming the card.

The deck-level comparisons hold where NEC-2 is resolved at the deck's own segmentation;
elsewhere (helix, thick Yagis, the J-pole, the five-wire junction of the ground-plane
antenna, loads on a segment) our answer refined 4x is compared with NEC-2 refined with the
feed gap kept, or both engines re-segmented NEC's way, as the reference file records.
"""

from __future__ import annotations

import json
import math
import warnings
from pathlib import Path

import numpy as np
import pytest

from gadesign_problems.antenna import Antenna, DeckError
from gadesign_problems.antenna.nec import DeckWarning, parse_nec

OUT = Path(__file__).resolve().parents[1] / "data" / "antenna" / "outside"
REF = json.loads((OUT / "reference.json").read_text())["decks"]


def deck(name: str) -> Antenna:
    return Antenna.from_nec(OUT / f"{name}.nec")


def rel(a: complex, b: complex) -> float:
    return abs(a - b) / abs(b)


# ---- reading ---------------------------------------------------------------------------
#: deck -> (wires, segments, sources, loads, frequencies, ground)
SHAPES = {
    "dipole_hw_20m_commas": (1, 21, 1, 0, 5, False),
    "ocf_dipole_40m_fixed": (1, 30, 1, 0, 2, False),
    "ocf_dipole_40m_fixed_blanks": (1, 30, 1, 0, 2, False),
    "yagi3_10m_feet_fixed": (3, 33, 1, 0, 3, False),
    "yagi3_10m_feet_fixed_blanks": (3, 33, 1, 0, 3, False),
    "yagi6_2m_mm_lower": (6, 66, 1, 0, 3, False),
    "quad_loop_crlf": (4, 44, 1, 0, 3, False),
    "delta_loop_gm_ground": (3, 45, 1, 0, 2, True),
    "inverted_v_ground": (3, 21, 1, 0, 1, True),
    "folded_dipole_6m": (4, 44, 1, 0, 3, False),
    "jpole_2m": (6, 45, 1, 0, 3, False),
    "phased_verticals_gm": (2, 20, 2, 0, 1, True),
    "trap_dipole_ld": (5, 69, 1, 3, 2, False),
    "loaded_vertical_ld0_ld4": (1, 10, 1, 2, 3, True),
    "lossy_dipole_ld5": (1, 31, 1, 1, 1, False),
    "helix_gh": (48, 48, 1, 0, 1, False),
    "loop_ga_arc": (24, 24, 1, 0, 1, False),
    "w8jk_gx": (2, 42, 2, 0, 1, False),
    "ground_plane_gr": (5, 40, 1, 0, 3, False),
}


def test_every_outside_deck_is_listed():
    assert sorted(p.stem for p in OUT.glob("*.nec")) == sorted(SHAPES)


@pytest.mark.parametrize("name", sorted(SHAPES))
def test_outside_deck_reads(name):
    ant = deck(name)
    shape = (len(ant.wires), ant.n_segments, len(ant.sources), len(ant.loads), len(ant.frequencies), ant.ground)
    assert shape == SHAPES[name]


@pytest.mark.parametrize("name", ["yagi3_10m_feet", "ocf_dipole_40m"])
def test_fixed_columns_with_blank_fields_read_as_the_filled_deck(name):
    """Geometry cards (GW, GS, GM) in NEC's geometry columns (I3, I5, 7F10) with their zero
    fields left blank: before the fix a blank-field GM read its ZS in the YS column and
    moved the wire sideways, and a GS value in columns 11-20 was cut at column 15."""
    a, b = deck(f"{name}_fixed"), deck(f"{name}_fixed_blanks")
    assert a.wires == b.wires and a.sources == b.sources and a.frequencies == b.frequencies
    assert a.patterns == b.patterns


def test_gs_scales_feet_and_millimetres():
    yagi = deck("yagi3_10m_feet_fixed")
    assert yagi.wires[0].start == pytest.approx((0.0, -8.9 * 0.3048, 0.0), abs=1e-12)
    assert yagi.wires[0].radius == pytest.approx(0.0417 * 0.3048)
    six = deck("yagi6_2m_mm_lower")
    assert six.wires[5].end == pytest.approx((1.55, 0.435, 0.0)) and six.wires[5].radius == pytest.approx(0.004)


def test_gm_move_and_rotation():
    ocf = deck("ocf_dipole_40m_fixed")                  # GM lifts by ZS = 12 m
    assert ocf.wires[0].start == pytest.approx((-10.2, 0.0, 12.0))
    delta = deck("delta_loop_gm_ground")                # rotated 30 deg about z, lifted 8 m
    c, s = math.cos(math.radians(30)), math.sin(math.radians(30))
    assert delta.wires[0].start == pytest.approx((-3.7 * c, -3.7 * s, 8.0))
    assert delta.wires[1].end == pytest.approx((0.0, 0.0, 8.0 + 6.40859), abs=1e-12)
    pair = deck("phased_verticals_gm")                  # copy, tag + 1
    assert [w.tag for w in pair.wires] == [1, 2] and pair.wires[1].start == pytest.approx((10.55, 0, 0))


def test_gm_moves_from_the_first_wire_with_tag_its_to_the_end():
    """NEC-2's GM (nec2c ``move``): ITS names the first wire moved; every later wire moves
    too, whatever its tag (this reader used to take the tags >= ITS)."""
    text = ("CE\nGW 5 5 0 0 -0.25 0 0 0.25 0.001\nGW 1 5 0.5 0 -0.25 0.5 0 0.25 0.001\n"
            "GM 10 1 0 0 0 0 2 0 5\nGE 0\nEX 0 5 3 0 1 0\nFR 0 1 0 0 300 0\nEN\n")
    ant = parse_nec(text)
    assert [w.tag for w in ant.wires] == [5, 1, 15, 11]
    assert ant.wires[3].start == pytest.approx((0.5, 2.0, -0.25))
    with pytest.raises(DeckError, match=r"line 4: GM: no wire has tag 7"):
        parse_nec(text.replace("0 2 0 5\n", "0 2 0 7\n"))


def test_ga_arc_is_chords_of_a_circle_closed_at_360_degrees():
    loop = deck("loop_ga_arc")
    pts = np.array([w.start for w in loop.wires] + [loop.wires[-1].end])
    assert np.allclose(np.hypot(pts[:, 0], pts[:, 2]), 0.8) and np.all(pts[:, 1] == 0)
    ang = np.degrees(np.arctan2(pts[:, 2], pts[:, 0])) % 360
    assert np.allclose(ang[:-1], 15.0 * np.arange(24), atol=1e-9)
    assert loop.wires[-1].end == loop.wires[0].start           # closed exactly
    assert all(w.tag == 1 and w.segments == 1 for w in loop.wires)


def test_gh_helix_follows_nec2c_formula():
    helix = deck("helix_gh")
    pts = np.array([w.start for w in helix.wires] + [helix.wires[-1].end])
    z = np.linspace(0.0, 1.0, 49)
    assert np.allclose(pts[:, 2], z)
    assert np.allclose(pts[:, 0], 0.159 * np.cos(2 * np.pi * z / 0.25))
    assert np.allclose(pts[:, 1], 0.159 * np.sin(2 * np.pi * z / 0.25))
    for a, b in zip(helix.wires, helix.wires[1:]):
        assert a.end == b.start
    left = parse_nec((OUT / "helix_gh.nec").read_text().replace("GH 1 48 0.25 1.0", "GH 1 48 0.25 -1.0"))
    assert left.wires[3].start == pytest.approx(tuple(helix.wires[3].start[i] for i in (1, 0, 2)))


def test_gx_and_gr_copies():
    w8jk = deck("w8jk_gx")
    a, b = w8jk.wires
    assert (b.tag, b.start, b.end) == (2, (-0.75, -2.5, 0.0), (-0.75, 2.5, 0.0))
    gp = deck("ground_plane_gr")
    assert [w.tag for w in gp.wires] == [1, 2, 3, 4, 5]
    ends = np.array([w.end for w in gp.wires[:4]])
    assert np.allclose(ends, [[1.8, 0, -1.8], [0, 1.8, -1.8], [-1.8, 0, -1.8], [0, -1.8, -1.8]], atol=1e-12)
    # three planes: z first, then y, then x, the tag increment doubling after each plane
    text = "CE\nGW 1 3 0.1 0.2 0.3 0.2 0.3 0.4 0.001\nGX 10 111\nGE 0\nEX 0 1 2 0 1 0\nFR 0 1 0 0 300 0\nEN\n"
    cube = parse_nec(text)
    assert [w.tag for w in cube.wires] == [1, 11, 21, 31, 41, 51, 61, 71]
    assert cube.wires[1].start == (0.1, 0.2, -0.3) and cube.wires[2].start == (0.1, -0.2, 0.3)
    assert cube.wires[4].start == (-0.1, 0.2, 0.3) and cube.wires[7].start == (-0.1, -0.2, -0.3)


def test_cards_may_carry_every_field_of_their_format():
    text = ("CE\nGW 1 11 0 0 -0.25 0 0 0.25 0.001\nGE 0 0 0 0 0 0 0 0 0\nEX 0 1 6 0 1 0 0 0 0 0\n"
            "FR 0 1 0 0 300 0 0 0 0 0\nXQ 0 0 0 0 0 0 0 0 0 0\nEN 0 0 0 0 0 0 0 0 0 0\n")
    assert parse_nec(text).frequencies == (300e6,)
    with pytest.raises(DeckError, match=r"line 3: GE field 2 is not used by NEC-2 on this card"):
        parse_nec(text.replace("GE 0 0", "GE 0 5"))


def test_ge1_without_gn_warns_that_nec2_would_compute_free_space():
    text = "CE\nGW 1 10 0 0 0 0 0 0.25 0.001\nGE 1\nEX 0 1 1 0 1 0\nFR 0 1 0 0 300 0\nEN\n"
    with pytest.warns(DeckWarning, match=r"line 3: GE 1 without a GN card"):
        ant = parse_nec(text)
    assert ant.ground
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert parse_nec(text.replace("GE 1\n", "GE 1\nGN 1\n")).ground
        assert not parse_nec(text.replace("GE 1\n", "GE 1\nGN -1\n")).ground


# ---- against NEC-2 at the deck's own segmentation ----------------------------------------
#: decks on which NEC-2 is resolved as written: every port, every frequency within 3 %
#: (the README's tolerance on thin wires), maximum gain within 0.1 dB
RESOLVED = ["dipole_hw_20m_commas", "ocf_dipole_40m_fixed", "quad_loop_crlf", "delta_loop_gm_ground",
            "folded_dipole_6m", "phased_verticals_gm", "loop_ga_arc", "w8jk_gx"]


@pytest.mark.parametrize("name", RESOLVED)
def test_deck_impedance_and_gain_match_nec2c(name):
    from gadesign_problems.antenna.cli import _pattern_grid

    ant = deck(name)
    sol = ant.solve()
    gmax = sol.max_gain(*_pattern_grid(ant))[0]
    ref = REF[name]["nec2c"]
    assert len(ref) == len(sol.frequencies)
    for i, r in enumerate(ref):
        assert sol.frequencies[i] / 1e6 == pytest.approx(r["f_mhz"], rel=1e-4)
        for p, port in enumerate(r["ports"]):
            assert rel(sol.impedance[i, p], complex(*port["z_ohm"])) < 0.03, (name, r["f_mhz"], p)
        if r["max_gain_dbi"] is not None:
            assert abs(gmax[i] - r["max_gain_dbi"]) < 0.1 + 0.005        # nec2c prints 0.01 dB


# ---- converged against converged --------------------------------------------------------
#: deck -> (refinement of ours, NEC-2 kernel, NEC refinement, tolerance)
CONVERGED = {
    "helix_gh": (4, "thin", "4", 0.02),                 # deck level 28 %: both unresolved
    "yagi3_10m_feet_fixed": (4, "ek", "4", 0.02),       # deck level 11 %: thick, near resonance
    "yagi6_2m_mm_lower": (4, "ek", "4", 0.02),          # deck level 5.5 %
    "inverted_v_ground": (4, "thin", "4", 0.02),        # deck level 4 %
    "jpole_2m": (4, "thin", "12", 0.04),                # deck level 24 %; NEC x4 still 11 % away
    "ground_plane_gr": (4, "thin", "12", 0.05),         # five-wire junction: NEC creeps (6.9 -> 3.9 %)
}


@pytest.mark.parametrize("name", sorted(CONVERGED))
def test_converged_impedance_and_gain_match_refined_nec2(name):
    from gadesign_problems.antenna.cli import _pattern_grid

    k, kernel, kn, tol = CONVERGED[name]
    ant = deck(name)
    grid = _pattern_grid(ant)
    for ref in REF[name]["pynec_gap_kept"]:
        sol = ant.refined(k).solve(ref["f_mhz"] * 1e6)
        ours, gain = complex(sol.impedance[0, 0]), float(sol.max_gain(*grid)[0][0])
        series = [ref[kernel][key] for key in sorted(ref[kernel], key=int)]
        assert rel(ours, complex(*ref[kernel][kn]["z_ohm"][0])) < tol, ref["f_mhz"]
        # NEC-2 refined moves towards our answer, never away from it
        dist = [abs(complex(*r["z_ohm"][0]) - ours) for r in series]
        assert dist[-1] < dist[0]
        assert abs(gain - ref[kernel][kn]["max_gain_dbi"]) < GAIN_TOL.get(name, 0.05), ref["f_mhz"]


#: maximum-gain tolerance (dB) against NEC-2 at its finest level, where NEC's own power
#: balance is off (its average-gain test: inverted-V 2.088 of 2, GR 1.062 of 1, as written) or
#: still moving (J-pole: 1.58 dBi as written, 2.63 at x12, ours 2.70)
GAIN_TOL = {"inverted_v_ground": 0.1, "ground_plane_gr": 0.3, "jpole_2m": 0.1}


def test_ground_plane_gain_gap_is_nec2s_own_power_error():
    """Our maximum gain is 0.26 dB below nec2c's on the GR ground-plane antenna; nec2c's own
    average-gain test says it radiates 6.2 % more than it is fed at the five-wire junction
    (10 log10 1.062 = 0.26 dB), while ours conserves power."""
    from gadesign_problems.antenna.cli import _pattern_grid

    ant = deck("ground_plane_gr")
    sol = ant.solve()
    gmax = sol.max_gain(*_pattern_grid(ant))[0]
    for i, r in enumerate(REF["ground_plane_gr"]["nec2c"]):
        assert abs(sol.average_gain()[i] - 1.0) < 0.01
        assert abs(gmax[i] + 10 * math.log10(r["average_gain"]) - r["max_gain_dbi"]) < 0.05


# ---- loads ------------------------------------------------------------------------------
def test_wire_conductivity_matches_pynec():
    """LD 5 (thin steel wire, radius 2.2 skin depths): ours and PyNEC (nec2++) agree within
    0.5 %; nec2c 1.3 is 5 % lower because its ``zint`` always falls through to the
    high-frequency surface-impedance asymptote (missing returns), which at a/delta = 2.2
    undercounts the round wire's resistance (4.03 against 4.95 ohm/m)."""
    ant = deck("lossy_dipole_ld5")
    z = complex(ant.impedance(14.2e6))
    assert rel(z, complex(*REF["lossy_dipole_ld5"]["pynec_gap_kept"][0]["thin"]["1"]["z_ohm"][0])) < 0.005
    assert rel(z, complex(*REF["lossy_dipole_ld5"]["nec2c"][0]["ports"][0]["z_ohm"])) > 0.03


@pytest.mark.parametrize("name", ["trap_dipole_ld", "loaded_vertical_ld0_ld4"])
def test_lumped_loads_match_nec2c_resegmented(name):
    """A lumped load on one long segment is where NEC-2 is least resolved (the trap dipole
    differs 58 % at the deck's segmentation); both engines re-segmented NEC's way (x9,
    loads and source on the middle piece) agree, and NEC moves towards ours as it refines."""
    ref = REF[name]["nec2c_resegmented"]
    ant = deck(name)
    f = ref["f_mhz"] * 1e6
    ours = complex(ant.resegmented(9).impedance(f))
    nec = {int(k): complex(*v) for k, v in ref["z_ohm"].items()}
    load_x = max(abs(ld.lumped_impedance(np.array([f]))[0]) for ld in ant.loads if ld.kind != "conductivity")
    assert abs(ours - nec[9]) < 0.015 * max(abs(nec[9]), load_x)
    assert abs(nec[9] - ours) < abs(nec[1] - ours)


def test_load_on_the_source_segment_adds_in_series_and_ld4_equals_ld0():
    base = (OUT / "loaded_vertical_ld0_ld4.nec").read_text()
    f = 7.1e6
    z = complex(parse_nec(base).impedance(f))
    z_no_r = complex(parse_nec(base.replace("LD 4 1 1 1 12 0\n", "")).impedance(f))
    assert z - z_no_r == pytest.approx(12.0, abs=1e-6)
    w = 2 * math.pi * f
    z4 = complex(parse_nec(base.replace("LD 0 1 5 5 1.5 1.5e-5 0", f"LD 4 1 5 5 1.5 {w * 1.5e-5!r}")).impedance(f))
    assert z4 == pytest.approx(z, rel=1e-9)
    trap = (OUT / "trap_dipole_ld.nec").read_text()
    y = 1 / (1j * w * 8.2e-6) + 1j * w * 60e-12
    zt = 1 / y
    z1 = complex(parse_nec(trap).impedance(f))
    z4 = complex(parse_nec(trap.replace("LD 1 2 1 1 0 8.2e-6 60e-12", f"LD 4 2 1 1 0 {zt.imag!r}")
                           .replace("LD 1 4 1 1 0 8.2e-6 60e-12", f"LD 4 4 1 1 0 {zt.imag!r}")).impedance(f))
    assert z4 == pytest.approx(z1, rel=1e-9)


# ---- bad decks --------------------------------------------------------------------------
GOOD = "CM ok\nCE\nGW 1 11 0 0 -0.25 0 0 0.25 0.001\nGE 0\nEX 0 1 6 0 1 0\nFR 0 1 0 0 300 0\nEN\n"
BAD = [
    (GOOD.replace("EX 0 1 6 0 1 0", "EX 0 1 6 0 0 0"), "line 5", "EX: every source has zero voltage"),
    (GOOD.replace("EN\n", ""), "line 6", "no EN card"),
    (GOOD.replace("GE 0\n", ""), "line 4", "EX card before GE"),
    (GOOD.replace("EX 0 1 6", "EX 0 3 6"), "line 5", "no wire has tag 3"),
    (GOOD.replace("EX 0 1 6", "EX 0 1 12"), "line 5", "no segment 12"),
    (GOOD.replace("EX 0 1 6 0 1 0\n", "EX 0 1 6 0 1 0\nEX 0 0 6 0 1 0\n"), "line 6", "a second source on segment"),
    (GOOD.replace("-0.25 0 0 0.25", "0.25 0 0 0.25"), "line 3", "zero-length wire"),
    (GOOD.replace("0.25 0.001", "0.25 0"), "line 3", "zero radius"),
    (GOOD.replace("0.25 0.001", "0.25 0.1"), "line 3", "shorter than 0.5 x the radius"),
    (GOOD.replace("0.25 0.001", "0.25 NaN"), "line 3", "not a finite number"),
    (GOOD.replace("GE 0", "GW 2 5 0 0 -0.1 0 0 0.1 0.001\nGE 0"), "line 4", "crosses or touches"),
    (GOOD.replace("GE 0", "GW 2 11 0 0 -0.25 0 0 0.25 0.001\nGE 0"), "line 4", "overlaps"),
    (GOOD.replace("FR 0 1 0 0 300", "FR 0 1 0 0 0"), "line 6", "frequency must be positive"),
    (GOOD.replace("FR 0 1 0 0 300 0", "FR 0 3 0 0 300 -200"), "line 6", "not positive"),
    (GOOD.replace("FR 0 1 0 0 300", "FR 0 1 0 0 30000"), "line 6", "FR: segments of"),
    (GOOD.replace("GW 1 11", "GW 1 99999"), "line 3", "above the limit"),
    (GOOD.replace("GE 0", "GM 1 999 0 0 0 0.01 0 0 0\nGE 0"), "line 4", "above the limit"),
    (GOOD.replace("GE 0", "GX 1 001\nGE 0"), "line 4", "crosses the plane of reflection z = 0"),
    (GOOD.replace("GE 0", "GR 1 0\nGE 0"), "line 4", "at least 1"),
    (GOOD.replace("GW 1 11 0 0 -0.25 0 0 0.25 0.001", "GA 1 11 0.1 0 370 0.001"), "line 3", "more than 360"),
    (GOOD.replace("GW 1 11 0 0 -0.25 0 0 0.25 0.001", "GH 1 11 0 1 0.1 0.1 0.1 0.1 0.001"), "line 3", "nonzero"),
    (GOOD.replace("EX 0 1 6 0 1 0", "LD 1 1 3 3 0 0 0\nEX 0 1 6 0 1 0"), "line 5", "no element"),
    (GOOD.replace("EX 0 1 6 0 1 0", "LD 2 1 0 0 10 0 0\nEX 0 1 6 0 1 0"), "line 5", "LD type 2"),
    (GOOD.replace("EX 0 1 6 0 1 0", "EX 0 1 6 0 1 0\nTL 1 6 1 2 50 0.1"), "line 6", "TL card is not supported"),
    (GOOD.replace("GE 0", "GE 1\nGN 2 0 0 0 13 0.005"), "line 5", "GN 2"),
    (GOOD.replace("EX 0 1", "EX 1 1"), "line 5", "EX type 1"),
    (GOOD.replace("GE 0", "GE 0 1"), "line 4", "not used by NEC-2"),
    ("", None, "the deck is empty"),
]


@pytest.mark.parametrize("text,where,what", BAD)
def test_bad_deck_names_the_card(text, where, what):
    with pytest.raises(DeckError) as exc:
        parse_nec(text, "bad.nec")
    msg = str(exc.value)
    assert "\n" not in msg and what in msg, msg
    if where:
        assert msg.startswith(f"bad.nec: {where}: "), msg


def test_cli_bad_deck_is_one_line_exit_2_and_writes_nothing(tmp_path, capsys):
    from gadesign.cli import main

    bad = tmp_path / "zero.nec"
    bad.write_text(GOOD.replace("EX 0 1 6 0 1 0", "EX 0 1 6 0 0 0"))
    s1p = tmp_path / "out.s1p"
    assert main(["antenna", "simulate", str(bad), "--touchstone", str(s1p)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "line 5: EX: every source has zero voltage" in err
    assert "Traceback" not in err and not s1p.exists()


def test_cli_touchstone_port_count_is_checked_before_the_solve(tmp_path, capsys):
    from gadesign.cli import main

    s1p = tmp_path / "w8jk.s1p"
    assert main(["antenna", "simulate", str(OUT / "w8jk_gx.nec"), "--touchstone", str(s1p)]) == 2
    assert "2 sources (2 ports)" in capsys.readouterr().err and not s1p.exists()
    s2p = tmp_path / "w8jk.s2p"
    assert main(["antenna", "simulate", str(OUT / "w8jk_gx.nec"), "--touchstone", str(s2p), "--json"]) == 0
    capsys.readouterr()
    import skrf

    net = skrf.Network(str(s2p))
    # the deck's drive (V1 = 1, V2 = -1) through the exported S-parameters gives NEC's port impedances
    S = net.s[0]
    Y = (np.eye(2) - S) @ np.linalg.inv(np.eye(2) + S) / 50.0
    v = np.array([1.0, -1.0])
    z_active = v / (Y @ v)
    for p, port in enumerate(REF["w8jk_gx"]["nec2c"][0]["ports"]):
        assert rel(z_active[p], complex(*port["z_ohm"])) < 0.03
    assert np.allclose(S, S.T, atol=1e-9)                 # reciprocity


def test_touchstone_frequencies_increase_once_each(tmp_path):
    """FR cards running downwards, or an FR step of 0, used to give a Touchstone file with
    frequencies out of order or repeated (and scikit-rf's two-line warning)."""
    import skrf

    from gadesign_problems.antenna.network import write_touchstone

    text = GOOD.replace("FR 0 1 0 0 300 0\n", "FR 0 1 0 0 310 0\nFR 0 2 0 0 290 0\n")
    ant = parse_nec(text)
    assert ant.frequencies == (310e6, 290e6, 290e6)
    sol = ant.solve()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        path = write_touchstone(sol, tmp_path / "d.s1p")
    net = skrf.Network(str(path))
    assert list(net.f) == [290e6, 310e6]
    z = sol.impedance[:, 0]
    assert np.allclose(net.s[:, 0, 0], ((z - 50) / (z + 50))[[1, 0]])


def test_ek_card_is_accepted_and_changes_nothing():
    """4nec2 and NEC users add EK for thick wires; this solver always integrates the exact
    kernel along a straight wire, so the card is read and the answer is the same."""
    thick = GOOD.replace("0.25 0.001", "0.25 0.01")
    z = complex(parse_nec(thick).impedance(300e6))
    for card in ("EK", "EK 0", "EK -1"):
        assert complex(parse_nec(thick.replace("GE 0\n", f"GE 0\n{card}\n")).impedance(300e6)) == z
    with pytest.raises(DeckError, match="line 4: EK card before GE"):
        parse_nec(thick.replace("GE 0\n", "EK\nGE 0\n"))
    with pytest.raises(DeckError, match="line 5: EK 2"):
        parse_nec(thick.replace("GE 0\n", "GE 0\nEK 2\n"))
