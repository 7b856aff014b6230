"""Bad (and unusual but correct) inputs to ``gadesign truss ...`` and the truss problems'
``--set`` parameters written by an outside user, second round: every bad one is one
``error:`` line, exit status 2 and no file written; every correct one runs. Cases marked
"was" failed before their fix."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gadesign.cli import main

DATA = Path(__file__).resolve().parents[1] / "data" / "truss"
TRIANGLE = json.loads((DATA / "outside" / "triangle_si.json").read_text())
GROUND = ["truss", "ground", "--nx", "3", "--ny", "2", "--load", "1,1:0,-1"]


def triangle(edit) -> str:
    d = json.loads(json.dumps(TRIANGLE))
    edit(d)
    return json.dumps(d)



ANALYZE = ["truss", "analyze", "{d}/t.json"]

# (file text or None, command, words of the one error line)
BAD = {
    # fixed in this round
    "loads of 1e300 (was inf in the table and an internal error with --json)":
        (triangle(lambda d: d["load_cases"][0]["loads"][0].__setitem__("force", [1e300, 1e300])), ANALYZE + ["--json"],
         "load case 0 ('P'): the results are not finite numbers"),
    "misspelt unit key 'lenght' (was ignored: the length unit went unstated)":
        (triangle(lambda d: d["units"].__setitem__("lenght", d["units"].pop("length"))), ANALYZE,
         "units.lenght: unknown key; did you mean 'length'?"),
    "ground: one roller support (was written: a mechanism every later command refused)":
        (None, GROUND + ["--support", "0,0:y", "-o", "{d}/g.json"], "the ground structure is unstable with every member"),
    "ground: --reach 1, no diagonals (was written: a mechanism)":
        (None, GROUND + ["--reach", "1", "--support", "0,0:xy", "--support", "2,0:y", "-o", "{d}/g.json"],
         "a --reach of at least 1.5 for the diagonals"),
    "ground 3-D: supports that leave a rotation free (was written)":
        (None, ["truss", "ground", "--nx", "2", "--ny", "2", "--nz", "2", "--support", "0,0,0:xyz", "--load",
                "1,1,1:0,-1,0"], "unstable with every member present"),
    "best_known 5 and no areas (was an internal TypeError)":
        (triangle(lambda d: (d.pop("areas"), d.__setitem__("best_known", 5))), ANALYZE,
         "best_known: expected a list of designs"),
    # held already
    "one node, no member": (triangle(lambda d: d.update(nodes=[[0, 0]], members=[], areas=[], node_labels=["A"],
                                                           member_labels=[], supports=[{"node": 0, "fixed": [True, True]}],
                                                           load_cases=[{"name": "P", "loads": [{"node": 0,
                                                                                                "force": [1, 0]}]}])),
                            ANALYZE, "a truss needs at least one member"),
    "coincident nodes": (triangle(lambda d: d["nodes"].__setitem__(2, [4, 0])), ANALYZE, "has zero length"),
    "coordinate as a string": (triangle(lambda d: d["nodes"].__setitem__(2, ["1", 3])), ANALYZE,
                               "nodes[2][0]: expected a finite number, got '1'"),
    "E as a string": (triangle(lambda d: d.__setitem__("E", "210e9")), ANALYZE, "E: expected a finite number"),
    "negative density": (triangle(lambda d: d.__setitem__("density", -1)), ANALYZE, "density: values must be finite"),
    "zero tension limit": (triangle(lambda d: d["stress_limits"].__setitem__("tension", 0)), ANALYZE,
                           "stress_limits.tension: values must be finite and > 0"),
    "area range reversed": (triangle(lambda d: d.__setitem__("area", {"type": "continuous", "min": 1, "max": 0.1})),
                            ANALYZE, "need 0 <= min < max"),
    "empty discrete catalogue": (triangle(lambda d: d.__setitem__("area", {"type": "discrete", "values": []})),
                                 ANALYZE, "area.values: need a non-empty list"),
    "dim 4": (triangle(lambda d: d.__setitem__("dim", 4)), ANALYZE, "dim: expected the integer 2 or 3"),
    "fixed flags as 1, 1": (triangle(lambda d: d["supports"][0].__setitem__("fixed", [1, 1])), ANALYZE,
                            "supports[0].fixed: expected 2 booleans"),
    "support node as 0.0": (triangle(lambda d: d["supports"][0].__setitem__("node", 0.0)), ANALYZE,
                            "expected an integer index"),
    "member from a node to itself": (triangle(lambda d: d["members"].__setitem__(0, [1, 1])), ANALYZE,
                                     "has zero length"),
    "member with three nodes": (triangle(lambda d: d["members"].__setitem__(0, [1, 0, 2])), ANALYZE,
                                "expected a pair [i, j]"),
    "JSON NaN literal for E": (json.dumps(TRIANGLE).replace('"E": 210000000000.0', '"E": NaN'), ANALYZE,
                               "E: expected a finite number, got nan"),
    "trailing garbage after the JSON": (json.dumps(TRIANGLE) + "xx", ANALYZE, "not JSON: Extra data"),
    "YAML instead of JSON": ("nodes:\n - [0,0]\n", ANALYZE, "not JSON"),
    "--areas with NaN": (json.dumps(TRIANGLE), ANALYZE + ["--areas", "nan,1,1"], "areas must be finite and >= 0"),
    "--areas of commas only": (json.dumps(TRIANGLE), ANALYZE + ["--areas", ",,,"], "got 0 values, expected 3"),
    "ground: support DOF q": (None, GROUND + ["--support", "0,0:xq"], "with DOFS among xy"),
    "ground: a load with NaN": (None, ["truss", "ground", "--nx", "3", "--ny", "2", "--support", "0,0:xy",
                                       "--support", "2,0:y", "--load", "1,1:nan,-1"], "forces must be finite"),
    "ground: no support": (None, GROUND, "needs at least one support"),
    "layout: --case -1": (None, ["truss", "layout", str(DATA / "tenbar.json"), "--case", "-1"], "--case -1"),
    "truss-10bar: catalogue foo": (None, ["evolve", "truss-10bar", "--set", "catalogue=foo", "--out", "{d}/r"],
                                   "catalogue must be 'continuous' or 'discrete'"),
    "truss-10bar: tolerance -1": (None, ["evolve", "truss-10bar", "--set", "tolerance=-1", "--out", "{d}/r"],
                                  "tolerance must be >= 0"),
    "truss-ground: method=lp with mode=pareto": (None, ["evolve", "truss-ground", "--set", "file={d}/t.json",
                                                        "--set", "method=lp", "--set", "mode=pareto", "--out",
                                                        "{d}/r"], "method=lp needs mode=weight"),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_input_is_one_error_line_and_no_file(case, tmp_path, main_in):
    text, args, words = BAD[case]
    if text is not None:
        (tmp_path / "t.json").write_text(text)
    elif "file={d}/t.json" in args:
        (tmp_path / "t.json").write_text(json.dumps(TRIANGLE))
    before = sorted(p.name for p in tmp_path.iterdir())
    main_in.refused(args, words)
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def test_plot_without_a_suffix_is_a_png(tmp_path, main_in):
    """--plot FILE with no suffix was saved under the temporary name's random suffix: an
    internal error ('Format ... is not supported'), though the check promised PNG."""
    (tmp_path / "t.json").write_text(json.dumps(TRIANGLE))
    rc, _, err = main_in(ANALYZE + ["--plot", "{d}/drawing"])
    assert rc == 0, err
    assert (tmp_path / "drawing").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["drawing", "t.json"]


@pytest.mark.parametrize("edit", [
    lambda d: d.__setitem__("units", {}),                                           # units unstated
    lambda d: d["load_cases"][0]["loads"].append({"node": 0, "force": [1e4, 1e4]}),  # a load on a support
    lambda d: d["load_cases"][0]["loads"][0].__setitem__("force", [0, 0]),           # an all-zero load case
    lambda d: d.__setitem__("name", "[bold]x$y$" * 200),                             # markup in a long name
], ids=["no-units", "load-on-support", "zero-load", "markup-name"])
def test_unusual_but_correct_truss_is_analysed(edit, tmp_path, main_in):
    (tmp_path / "t.json").write_text(triangle(edit))
    rc, out, err = main_in(ANALYZE + ["--json"])
    assert rc == 0, err
    assert json.loads(out)["load_cases"]


def test_a_stable_ground_structure_is_still_written(tmp_path, main_in):
    rc, _, err = main_in(GROUND + ["--support", "0,0:xy", "--support", "2,0:y", "-o", "{d}/g.json"])
    assert rc == 0, err
    assert json.loads((tmp_path / "g.json").read_text())["members"]


@pytest.fixture(scope="module")
def tenbar_run(tmp_path_factory) -> Path:
    run_dir = tmp_path_factory.mktemp("tenbar") / "run"
    assert main(["evolve", "truss-10bar", "--pop", "8", "-g", "2", "--seed", "1", "-q", "--out", str(run_dir)]) == 0
    return run_dir


@pytest.mark.parametrize("option, words", [(["--best", "0"], "--best must be at least 1, got 0"),
                                           (["--best", "-3"], "--best must be at least 1, got -3"),
                                           (["--max-iter", "0"], "--max-iter must be at least 1, got 0")])
def test_refine_options_that_refine_nothing_are_refused(option, words, tenbar_run, capsys):
    """--best 0 or -3 used to refine nothing and still (over)write refined.json with no
    members, --max-iter 0 ran SLSQP anyway; all exited 0."""
    capsys.readouterr()
    before = sorted(str(p.relative_to(tenbar_run)) for p in tenbar_run.rglob("*"))
    assert main(["truss", "refine", str(tenbar_run), *option]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error:") and words in err and "\n" not in err
    assert sorted(str(p.relative_to(tenbar_run)) for p in tenbar_run.rglob("*")) == before
