"""NEC-2 deck reading and writing."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from gadesign_problems.antenna import Antenna, DeckError, GeometryError, Load
from gadesign_problems.antenna.nec import parse_nec

FREE = """CM dipole
CE
GW 1 21 0.0 0.0 -0.25 0.0 0.0 0.25 0.001
GE 0
EX 0 1 11 0 1.0 0.0
FR 0 1 0 0 299.792458 0.0
RP 0 37 73 1001 0.0 0.0 5.0 5.0
EN
"""
# the same deck in NEC's fixed columns (I: 3-5, 6-10, 11-15, 16-20; F: 10 wide from 21;
# GW: floats 10 wide from column 11) with blank fields meaning zero
FIXED = "\n".join([
    "CM dipole", "CE",
    f"GW{1:3d}{21:5d}" + "".join(f"{x:10.7f}" for x in (0, 0, -0.25, 0, 0, 0.25, 0.001)),
    "GE",
    f"EX{'':3}{1:5d}{11:5d}{'':5}{1.0:10.1f}",
    f"FR{'':3}{1:5d}{'':10}{299.792458:10.6f}",
    f"RP{'':3}{37:5d}{73:5d}{1001:5d}{'':20}{5.0:10.1f}{5.0:10.1f}",
    "EN"]) + "\n"
COMMAS = FREE.replace("GW 1 21 0.0 0.0 -0.25 0.0 0.0 0.25 0.001", "GW,1,21,0.0,0.0,-0.25,0.0,0.0,0.25,1E-3")


def test_free_fixed_and_comma_formats_agree():
    a, b, c = parse_nec(FREE), parse_nec(FIXED), parse_nec(COMMAS)
    for other in (b, c):
        assert other.wires == a.wires
        assert other.sources == a.sources
        assert other.frequencies == a.frequencies
        assert other.patterns == a.patterns


def test_reference_decks_read(data_dir):
    yagi = Antenna.from_nec(data_dir / "decks" / "yagi3_tn688.nec")
    assert np.allclose(np.array(yagi.frequencies) / 1e6, [294.0, 299.88, 305.8776])
    assert [w.tag for w in yagi.wires] == [1, 2, 3] and yagi.sources[0].tag == 2
    sweep = Antenna.from_nec(data_dir / "decks" / "dipole_fsweep_9.nec")
    assert np.allclose(np.array(sweep.frequencies) / 1e6, 250.0 + 12.5 * np.arange(9))
    mono = Antenna.from_nec(data_dir / "decks" / "monopole_qw_pec.nec")
    assert mono.ground and not yagi.ground


def test_gm_copies_and_gs_scaling(data_dir):
    ant = Antenna.from_nec(data_dir / "st5_like.nec")
    assert sorted({w.tag for w in ant.wires}) == [1, 2, 3, 4, 9]
    arm1 = [w for w in ant.wires if w.tag == 1]
    arm3 = [w for w in ant.wires if w.tag == 3]         # rotated 180 deg about z
    for w1, w3 in zip(arm1, arm3):
        assert np.allclose(w3.end, [-w1.end[0], -w1.end[1], w1.end[2]], atol=1e-15)
    scaled = parse_nec(FREE.replace("GE 0", "GS 0 0 2.0\nGE 0"))
    assert scaled.wires[0].end == (0.0, 0.0, 0.5) and scaled.wires[0].radius == 0.002


def test_write_read_round_trip(tmp_path, data_dir):
    for deck in ("yagi3_tn688.nec", "monopole_qw_pec.nec", "dipole_fsweep_9.nec"):
        ant = Antenna.from_nec(data_dir / "decks" / deck)
        back = Antenna.from_nec(ant.to_nec(tmp_path / deck))
        assert back.wires == ant.wires and back.sources == ant.sources and back.ground == ant.ground
        assert np.allclose(back.frequencies, ant.frequencies, rtol=1e-12)
        js = Antenna.from_json(ant.to_json(tmp_path / (deck + ".json")))
        assert js.wires == ant.wires and js.frequencies == ant.frequencies and js.patterns == ant.patterns
    loaded = parse_nec(FREE.replace("EX 0", "LD 0 1 11 11 10.0 1e-9 0.0\nLD 5 1 0 0 5.8e7\nEX 0"))
    assert loaded.loads == (Load("series", 1, 11, 11, r=10.0, l=1e-9), Load("conductivity", 1, sigma=5.8e7))
    assert parse_nec(loaded.nec_text()).loads == loaded.loads
    odd = Antenna(wires=loaded.wires, sources=loaded.sources, frequencies=(1e8, 2e8, 7e8))
    assert parse_nec(odd.nec_text()).frequencies == (1e8, 2e8, 7e8)


BAD = [
    (FREE.replace("GE 0", "GX 1 110\nGE 0"), "line 4", "GX"),
    (FREE.replace("GE 0", "ZZ 1 2 3\nGE 0"), "line 4", "unknown card"),
    (FREE.replace("GE 0\n", ""), "line 4", "before GE"),
    (FREE.replace("EX 0 1 11", "EX 0 1 22"), "line 5", "non-existent segment"),
    (FREE.replace("EX 0 1 11", "EX 0 7 1"), "line 5", "tag 7"),
    (FREE.replace("0.0 0.0 -0.25 0.0 0.0 0.25", "0.0 0.0 0.25 0.0 0.0 0.25"), "line 3", "zero-length"),
    (FREE.replace("0.25 0.001", "0.25 -0.001"), "line 3", "negative"),
    (FREE.replace("0.25 0.001", "0.25 nan"), "line 3", "not a finite number"),
    (FREE.replace("0.0 0.0 -0.25", "0.0 0.0 abc"), "line 3", "not a number"),
    (FREE.replace("0.0 0.0 -0.25", "0.0 0.0 abc"), "line 3", "GW field 5 'abc' is not a number"),
    (FREE.replace("0.0 0.0 -0.25", "0.0 0.0 \u22120.25"), "line 3", "GW field 5 '\u22120.25' is not a number"),
    (FREE.replace("EX 0 1 11 0 1.0 0.0", "EX 0 1 11 0 0.0 0.0"), "line 5", "every source has zero voltage"),
    (FREE.replace("EX 0 1 11", "EX 5 1 11"), "line 5", "voltage sources"),
    (FREE.replace("GE 0", "GW 2 5 0.0 -0.1 0.0 0.0 0.1 0.0 0.001\nGE 0"), "line 4", "crosses"),
    (FREE.replace("GE 0", "GE 1"), "line 3", "below the ground"),
    (FREE.replace("GE 0", "GE 0\nGN 2 0 0 0 13 0.005"), "line 5", "perfect ground"),
]


@pytest.mark.parametrize("text,where,what", BAD)
def test_bad_decks_name_line_and_problem(text, where, what):
    with pytest.raises(DeckError) as exc:
        parse_nec(text, "bad.nec")
    msg = str(exc.value)
    assert msg.startswith("bad.nec: " + where + ":"), msg
    assert what in msg and "\n" not in msg


def test_geometry_errors_from_the_api():
    from gadesign_problems.antenna import Source, Wire

    with pytest.raises(GeometryError, match=r"shorter than 0.5 x the radius"):
        Antenna(wires=(Wire((0, 0, 0), (0, 0, 0.01), 0.005, 5),), sources=(Source(0, 1),))
    ok = Antenna(wires=(Wire((0, 0, 0), (0, 0, 0.01), 0.002, 5),), sources=(Source(0, 1),))  # 1 radius: fine
    with pytest.raises(GeometryError, match=r"refined x4, segments of .* shorter than 0.5 x the radius"):
        ok.refined(4)
    with pytest.raises(GeometryError, match="lies in the ground plane"):
        Antenna(wires=(Wire((0, 0, 0), (0.1, 0, 0), 0.001, 5),), sources=(Source(0, 1),), ground=True)
    with pytest.raises(GeometryError, match="no source"):
        Antenna(wires=(Wire((0, 0, 0), (0.1, 0, 0), 0.001, 5),), sources=())


def test_print_control_cards_change_nothing():
    """4nec2 and xnec2c decks often carry PT/PQ (print control): same antenna without them."""
    from gadesign_problems.antenna.nec import parse_nec
    base = ("CM dipole\nCE\nGW 1 21 0 0 -0.25 0 0 0.25 0.001\nGE 0\n{extra}EX 0 1 11 0 1.0 0.0\n"
            "FR 0 1 0 0 299.792458 0\nEN\n")
    plain = parse_nec(base.format(extra=""))
    printed = parse_nec(base.format(extra="PT -1 0 0 0\nPQ -1 0 0 0\n"))
    assert printed.impedance(299.792458e6) == plain.impedance(299.792458e6)


def _long_deck() -> Antenna:
    """The ST5 showcase deck (coordinates with 17-19 significant digits) with a comment of
    several hundred characters, as the problem exports."""
    import dataclasses

    ant = Antenna.from_nec(Path(__file__).parents[1] / "data" / "antenna" / "st5_showcase.nec")
    note = " ".join(f"word{i} of a long design note, 3.5 x lambda/71 (see the README)" for i in range(12))
    return dataclasses.replace(ant, comments=(*ant.comments, note))


def test_written_cards_fit_the_line_lengths_nec_engines_read():
    """nec2c (1.3) rejects a deck with a line over 132 characters ('INCORRECT LABEL FOR A
    COMMENT CARD'): cards are written within 120 characters (numbers rounded only where
    the exact ones do not fit) and comments wrapped within 80, losing no word."""
    from gadesign_problems.antenna.nec import MAX_CARD_CHARS, MAX_COMMENT_CHARS

    ant = _long_deck()
    text = ant.nec_text()
    lines = text.splitlines()
    assert max(map(len, lines)) <= MAX_CARD_CHARS
    assert all(len(line) <= MAX_COMMENT_CHARS for line in lines if line.startswith("CM"))
    back = parse_nec(text)
    assert " ".join(back.comments).split() == " ".join(ant.comments).split()
    ends = np.array([(*w.start, *w.end, w.radius) for w in ant.wires])
    ends_back = np.array([(*w.start, *w.end, w.radius) for w in back.wires])
    assert np.allclose(ends_back, ends, rtol=1e-10, atol=1e-13)
    assert [w.segments for w in back.wires] == [w.segments for w in ant.wires] and back.sources == ant.sources


def test_nec2c_runs_a_written_deck_and_agrees_with_pynec(tmp_path):
    """A second NEC-2 engine on a deck we write, where installed (nec2c: Debian package
    nec2c, GPL, test-only like PyNEC): it reads the deck and its input impedance at each
    frequency equals PyNEC's within 0.1 %."""
    import shutil
    import subprocess

    exe = shutil.which("nec2c")
    if exe is None:
        pytest.skip("nec2c not installed")
    pytest.importorskip("PyNEC")
    from pynec_ref import gap_impedances, nec_context

    ant = _long_deck()
    deck = ant.to_nec(tmp_path / "st5.nec")
    run = subprocess.run([exe, "-i", str(deck), "-o", str(tmp_path / "st5.out")], capture_output=True, text=True,
                         timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr
    out = (tmp_path / "st5.out").read_text()
    z_nec2c = []
    for block in out.split("ANTENNA INPUT PARAMETERS")[1:]:
        row = next(line.split() for line in block.splitlines() if line.split()[:2] == ["1", "1"])
        z_nec2c.append(complex(float(row[6]), float(row[7])))
    assert len(z_nec2c) == len(ant.frequencies)
    for f, z in zip(ant.frequencies, z_nec2c):
        ctx = nec_context(ant)
        ctx.fr_card(0, 1, f / 1e6, 0)
        ctx.xq_card(0)
        z_ref = gap_impedances(ctx, ant)[0]
        assert abs(z - z_ref) / abs(z_ref) < 1e-3, (f, z, z_ref)


def test_a_word_in_a_free_format_card_is_named_as_written():
    """A word among free-format fields used to switch the card to NEC's fixed columns and
    name a column slice ("GW field 2 '21 ab'") instead of the field the user wrote."""
    with pytest.raises(DeckError, match=r"GW field 3 'abc' is not a number"):
        parse_nec("GW 1 21 abc 0.0 -0.25 0.0 0.0 0.25 0.001\nGE 0\nEX 0 1 11 0 1.0 0.0\nFR 0 1 0 0 300 0\nEN\n")


@pytest.mark.parametrize("edit, words", [
    (lambda d: d["patterns"][0].__setitem__("n_theta", -1), "numbers of theta and phi values must be at least 1"),
    (lambda d: d["patterns"][0].__setitem__("n_phi", 2.5), "n_phi must be an integer"),
    (lambda d: d["patterns"][0].__setitem__("dtheta", float("nan")), "dtheta must be a finite number"),
    (lambda d: d["wires"][0].__setitem__("segments", 2.5), "segments must be a whole number, got 2.5"),
    (lambda d: d["wires"][0].__setitem__("segments", True), "segments must be a whole number, got True"),
])
def test_a_bad_json_antenna_is_a_geometry_error(edit, words, data_dir):
    """JSON geometry gets the checks a deck gets: a pattern of -1 directions was an internal
    error in simulate and written to a .nec deck by convert; segments 2.5 became 2."""
    doc = Antenna.from_nec(data_dir / "decks" / "dipole_hw_s021.nec").to_dict()
    edit(doc)
    with pytest.raises(GeometryError, match=words):
        Antenna.from_dict(doc)
