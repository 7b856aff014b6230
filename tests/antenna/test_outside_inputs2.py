"""Bad (and unusual but correct) inputs to ``gadesign antenna ...`` written by an outside
user, second round: every bad one is one ``error:`` line, exit status 2, and no file
written; every correct one runs. The cases marked "was" failed before their fix (an
internal error, a NaN answer, or a wrong input read without a word)."""

from __future__ import annotations

import json

import pytest


GOOD = "CM ok\nCE\nGW 1 11 0 0 -0.25 0 0 0.25 0.001\nGE 0\nEX 0 1 6 0 1 0\nFR 0 1 0 0 300 0\nEN\n"
DOC = {"schema": "gadesign.antenna/1", "ground": False, "comments": ["dipole"],
       "wires": [{"tag": 1, "start": [0.0, 0.0, -0.25], "end": [0.0, 0.0, 0.25], "radius": 0.001, "segments": 11}],
       "sources": [{"tag": 1, "segment": 6, "voltage": [1.0, 0.0]}], "frequencies_hz": [3e8]}


def doc(**change) -> str:
    d = json.loads(json.dumps(DOC))
    for key, value in change.items():
        if key.startswith("wire_"):
            d["wires"][0][key[5:]] = value
        elif key.startswith("source_"):
            d["sources"][0][key[7:]] = value
        else:
            d[key] = value
    return json.dumps(d)



SIM = ["antenna", "simulate", "{d}/a.nec", "--json"]
SIMJ = ["antenna", "simulate", "{d}/a.json", "--json"]
CONV = ["antenna", "converge", "{d}/a.nec", "--levels", "1"]

# (file name, file text, command, words of the one error line)
BAD = {
    # fixed in this round
    "second GE card (was read, the first ground setting silently replaced)":
        ("a.nec", GOOD.replace("GE 0\n", "GE 0\nGE 1\n"), SIM, "line 5: a second GE card (the first is on line 4)"),
    "EX voltage 1e300 V (was an internal error: NaN impedance in the JSON writer)":
        ("a.nec", GOOD.replace("EX 0 1 6 0 1 0", "EX 0 1 6 0 1e300 1e300"), SIM, "line 5: EX: source voltage |V|"),
    "EX voltage 1e-300 V (was an internal error)":
        ("a.nec", GOOD.replace("EX 0 1 6 0 1 0", "EX 0 1 6 0 1e-300 0"), SIM, "outside 1e-100 .. 1e+100 V"),
    "GM copy moved 1e200 m (was scipy's 'floating point overflow', an error in plugin code)":
        ("a.nec", GOOD.replace("GE 0", "GM 1 1 0 0 0 1e200 0 0 0\nGE 0"), SIM, "from the origin is more than 1e+07"),
    "GM copy moved 1e20 m (was an internal OverflowError)":
        ("a.nec", GOOD.replace("GE 0", "GM 1 1 0 0 0 1e20 0 0 0\nGE 0"), SIM, "line 4: wire 2 (tag 2): an end point"),
    "radius 1e-30 m (was NaN impedance: an internal error with --json)":
        ("a.nec", GOOD.replace("0.25 0.001", "0.25 1e-30"), SIM, "the solution at 300 MHz is not finite"),
    "inductance 1e300 H (was an internal error)":
        ("a.nec", GOOD.replace("FR", "LD 0 1 3 3 0 1e300 0\nFR"), SIM, "is not finite"),
    "conductivity 1e300 S/m (was an internal error)":
        ("a.nec", GOOD.replace("FR", "LD 5 1 0 0 1e300\nFR"), SIM, "is not finite"),
    "converge: 20000 --freq values (was a run of minutes, past the deck's frequency limit)":
        ("a.nec", GOOD, CONV + ["--freq", ",".join(["300"] * 20000)], "--freq: frequencies requested: 20,000"),
    "converge: --theta 1e300 (was accepted: sin and cos of it are noise)":
        ("a.nec", GOOD, CONV + ["--theta", "1e300"], "angles must lie within -360 .. 360 degrees"),
    "converge: --phi 0:99999:1 (was an out-of-memory line)":
        ("a.nec", GOOD, CONV + ["--phi", "0:99999:1"], "angles must lie within -360 .. 360 degrees"),
    "RP theta from 1e300 degrees (was accepted: sin and cos of it are noise)":
        ("a.nec", GOOD.replace("EN", "RP 0 5 5 1000 1e300 0 1e300 5\nEN"), SIM,
         "line 7: RP: pattern request: theta runs from 1e+300"),
    "JSON: pattern phi to 1e6 degrees (was accepted)":
        ("a.json", doc(patterns=[{"n_theta": 3, "n_phi": 3, "theta0": 0, "phi0": 0, "dtheta": 5, "dphi": 5e5}]),
         SIMJ, "phi runs from 0 to 1e+06 degrees, beyond +-720"),
    "JSON: misspelt key 'groud' (was ignored: free space)":
        ("a.json", doc(groud=True), SIMJ, "'groud': unknown key; did you mean 'ground'?"),
    "JSON: misspelt wire key 'radious' (was an error naming only KeyError('radius'))":
        ("a.json", doc(wire_radious=0.001), SIMJ, "wires[0].'radious': unknown key"),
    "JSON: ground 'no' (was True)": ("a.json", doc(ground="no"), SIMJ, "ground must be true or false"),
    "JSON: comments a string (was one comment per character)":
        ("a.json", doc(comments="hello"), ["antenna", "convert", "{d}/a.json", "{d}/o.nec"],
         "comments must be a list of strings"),
    "JSON: comments numbers (was an internal error writing the deck)":
        ("a.json", doc(comments=[1, 2]), ["antenna", "convert", "{d}/a.json", "{d}/o.nec"],
         "comments must be a list of strings"),
    "JSON: radius as a string (was read as a number)": ("a.json", doc(wire_radius="0.001"), SIMJ, "expected a number"),
    "JSON: radius true (was 1 m)": ("a.json", doc(wire_radius=True), SIMJ, "expected a number, got True"),
    "JSON: source segment 6.7 (was truncated to 6)":
        ("a.json", doc(source_segment=6.7), SIMJ, "source segment must be a whole number, got 6.7"),
    "JSON: source tag true (was tag 1)": ("a.json", doc(source_tag=True), SIMJ, "source tag must be a whole number"),
    "JSON: coordinate 10**400 (was an internal OverflowError)":
        ("a.json", doc(wire_start=[10 ** 400, 0, 0]), SIMJ, "OverflowError"),
    "JSON: frequencies a string (was read character by character)":
        ("a.json", doc(frequencies_hz="300e6"), SIMJ, "frequencies_hz must be a list"),
    "JSON: wires an object": ("a.json", doc(wires={"a": 1}), SIMJ, "wires must be a list"),
    # held already (kept here so that they stay held)
    "EX on segment 0": ("a.nec", GOOD.replace("EX 0 1 6", "EX 0 1 0"), SIM, "no segment 0"),
    "EX on a negative tag": ("a.nec", GOOD.replace("EX 0 1 6", "EX 0 -1 6"), SIM, "no wire has tag -1"),
    "GW with a fractional segment count": ("a.nec", GOOD.replace("GW 1 11", "GW 1 11.5"), SIM, "must be an integer"),
    "GW radius larger than the wire": ("a.nec", GOOD.replace("0.25 0.001", "0.25 1.0"), SIM, "shorter than 0.5 x"),
    "GW with fields missing (radius 0)": ("a.nec", GOOD.replace("0 0 0.25 0.001", ""), SIM, "zero radius"),
    "GW coordinate 1e400": ("a.nec", GOOD.replace("0.25 0.001", "1e400 0.001"), SIM, "not a finite number"),
    "GW coordinate in hex": ("a.nec", GOOD.replace("0.25 0.001", "0x1 0.001"), SIM, "'0x1' is not a number"),
    "FR multiplicative with ratio 0": ("a.nec", GOOD.replace("FR 0 1 0 0 300 0", "FR 1 3 0 0 300 0"), SIM,
                                       "not positive"),
    "GE 200000 fields": ("a.nec", GOOD.replace("GE 0", "GE 0" + " 0" * 200000), SIM, "fields, at most 9"),
    "LD first segment after last": ("a.nec", GOOD.replace("FR", "LD 0 1 8 3 10 0 0\nFR"), SIM, "is empty"),
    "card after EN": ("a.nec", GOOD + "FR 0 1 0 0 300 0\n", SIM, "card after EN"),
    "NUL byte in a card": ("a.nec", GOOD.replace("GE 0", "GE\x00 0"), SIM, "is not a number"),
    "only comments": ("a.nec", "CM hi\nCE\n", SIM, "no GE card"),
    "UTF-16 deck": ("a.nec", None, SIM, "unknown card"),
    "converge: --levels 4,2": ("a.nec", GOOD, ["antenna", "converge", "{d}/a.nec", "--levels", "4,2"], "increasing"),
    "converge: --freq 1e9 MHz": ("a.nec", GOOD, CONV + ["--freq", "1e9"], "wavelengths long"),
    "JSON: pattern of 10**14 directions": ("a.json", doc(patterns=[{"n_theta": 10 ** 7, "n_phi": 10 ** 7, "theta0": 0,
                                           "phi0": 0, "dtheta": 5, "dphi": 5}]), SIMJ, "above the limit"),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_input_is_one_error_line_and_no_file(case, tmp_path, main_in):
    name, text, args, words = BAD[case]
    path = tmp_path / name
    if text is None:
        path.write_bytes(GOOD.encode("utf-16"))
    else:
        path.write_text(text)
    main_in.refused(args, words)
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]


# correct inputs, some unusual, that must run
GOOD_CASES = {
    "byte order mark before the first card (was 'unknown card')": ("a.nec", "\ufeff" + GOOD, SIM),
    "lower-case cards and tabs": ("a.nec", GOOD.lower().replace(" ", "\t"), SIM),
    "deck named .txt": ("a.txt", GOOD, ["antenna", "simulate", "{d}/a.txt", "--json"]),
    "a 2,000,000-character comment": ("a.nec", GOOD.replace("CM ok", "CM " + "x" * 2_000_000), SIM),
    "FR running downwards": ("a.nec", GOOD.replace("FR 0 1 0 0 300 0", "FR 0 3 0 0 300 -10"), SIM),
    "voltage 1e-30 V (the impedance does not depend on V)":
        ("a.nec", GOOD.replace("EX 0 1 6 0 1 0", "EX 0 1 6 0 1e-30 0"), SIM),
    "converge with --freq on a deck without FR, one direction":
        ("a.nec", GOOD.replace("FR 0 1 0 0 300 0\n", ""), CONV + ["--levels", "1, 2", "--freq", "300", "--theta", "90",
                                                                  "--phi", "-360:360:90"]),
}


@pytest.mark.parametrize("case", list(GOOD_CASES))
def test_unusual_but_correct_input_runs(case, tmp_path, main_in):
    name, text, args = GOOD_CASES[case]
    (tmp_path / name).write_text(text)
    rc, out, err = main_in(args)
    assert rc == 0, err
    assert "error" not in err and "warning" not in err, err


def test_bom_deck_reads_as_the_plain_deck(tmp_path):
    from gadesign_problems.antenna import Antenna
    from gadesign_problems.antenna.nec import parse_nec

    (tmp_path / "a.nec").write_text("\ufeff" + GOOD, encoding="utf-8")
    plain = parse_nec(GOOD).to_dict()
    assert Antenna.from_nec(tmp_path / "a.nec").to_dict() == plain == parse_nec("\ufeff" + GOOD).to_dict()


@pytest.mark.parametrize("name", ["plot", "plot.PNG"])
def test_plot_without_a_suffix_is_a_png(name, tmp_path, main_in):
    """--plot FILE with no suffix: the check says PNG, but the figure was saved under its
    temporary name's random suffix, an internal error ('Format ... is not supported')."""
    (tmp_path / "a.nec").write_text(GOOD)
    rc, _, err = main_in(["antenna", "simulate", "{d}/a.nec", "--plot", f"{{d}}/{name}"])
    assert rc == 0, err
    assert (tmp_path / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["a.nec", name])


SET = {
    # fixed in this round
    "st5 cylinder_diameter=0 (was an internal AssertionError: 'root wire has no room')":
        (["antenna-st5", "cylinder_diameter=0"], "the cylinder radius must be positive"),
    "st5 cylinder_diameter=0.001 (was an internal AssertionError)":
        (["antenna-st5", "cylinder_diameter=0.001"], "a root wire of min_length 0.0025 m does not fit"),
    "st5 cylinder_height=0.005 (was an internal AssertionError)":
        (["antenna-st5", "cylinder_height=0.005"], "does not fit in the cylinder"),
    "st5 cylinder_diameter=-1 (was run as +1)": (["antenna-st5", "cylinder_diameter=-1"], "must be positive, got -0.5"),
    "st5 end_split=0 (was taken as 1)": (["antenna-st5", "end_split=0"], "end_split must be 1..64"),
    # held already
    "st5 theta_min > theta_max": (["antenna-st5", "theta_min=80", "theta_max=40"], "theta_min < theta_max"),
    "st5 refinement=0": (["antenna-st5", "refinement=0"], "refinement and deck_segments must be 1..16"),
    "st5 polish_prob=2": (["antenna-st5", "polish_prob=2.0"], "polish_prob must be 0..1"),
    "yagi elements=7": (["antenna-yagi", "elements=7"], "elements must be 3..6"),
    "yagi segments=2": (["antenna-yagi", "segments=2"], "must be odd and >= 3"),
    "crooked-wire theta_max=200": (["antenna-crooked-wire", "theta_max=200"], "0 < theta_max <= 90"),
    "tdrs representation=spiral": (["antenna-tdrs", "representation='spiral'"], "representation must be one of"),
    "tdrs points_per_band=0": (["antenna-tdrs", "points_per_band=0"], "points_per_band 2..101"),
}


@pytest.mark.parametrize("case", list(SET))
def test_bad_problem_parameter_is_one_error_line_and_no_run(case, tmp_path, main_in):
    (problem, *sets), words = SET[case]
    args = ["evolve", problem, *[a for s in sets for a in ("--set", s)], "--pop", "4", "-g", "1", "--out", "{d}/r"]
    main_in.refused(args, words)
    assert not (tmp_path / "r").exists()


def test_st5_cylinder_just_wide_enough_for_the_root_wire_still_samples():
    """The root-wire check refuses no cylinder the sampler could use: a radius of exactly
    min_length leaves the horizontal root wire its room."""
    import numpy as np

    from gadesign_problems.antenna.st5 import antenna_st5

    problem = antenna_st5(cylinder_diameter=0.005)
    rng = np.random.default_rng(1)
    for _ in range(20):
        problem.genome.sample(rng)
