"""`gadesign truss analyze` and `gadesign truss ground` (typer app, in process)."""

from __future__ import annotations

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from gadesign_problems.truss.cli import app
from gadesign_problems.truss.errors import TrussError, UnstableTrussError
from gadesign_problems.truss.structure import Truss

from .conftest import DATA, load_reference
from .test_fem import DEGENERATE, make

runner = CliRunner()


def test_analyze_json_reads_the_shared_schema_unchanged():
    """Areas default to the file's first best_known design; the weight and ratios agree
    with the reference solver's re-evaluation stored in the file."""
    res = runner.invoke(app, ["analyze", str(DATA / "seventytwobar.json"), "--json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.output)
    ref = load_reference("seventytwobar.json")["best_known"][0]
    assert out["weight"] == pytest.approx(ref["weight"], rel=1e-10)
    assert [c["name"] for c in out["load_cases"]] == ["LC1", "LC2"]
    lc = out["load_cases"][0]
    assert np.shape(lc["displacements"]) == (20, 3) and len(lc["forces"]) == 72 and len(lc["stresses"]) == 72
    assert max(max(c["stress_ratios"]) for c in out["load_cases"]) == pytest.approx(ref["max_stress_ratio"], rel=1e-7)


def test_analyze_with_areas_and_plot(tmp_path):
    areas = ",".join(["2.0"] * 10)
    png = tmp_path / "ten.png"
    res = runner.invoke(app, ["analyze", str(DATA / "tenbar.json"), "--areas", areas, "--json", "--plot", str(png)])
    assert res.exit_code == 0, res.output
    out = json.loads(res.output)
    t = Truss.from_json(DATA / "tenbar.json")
    assert out["weight"] == pytest.approx(0.1 * 2.0 * t.lengths.sum())
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    text = runner.invoke(app, ["analyze", str(DATA / "tenbar.json"), "--areas", areas])
    assert text.exit_code == 0 and "weight" in text.output and "LC1" in text.output


@pytest.mark.parametrize("case", list(DEGENERATE))
def test_analyze_degenerate_truss_raises_truss_error(case, tmp_path):
    nodes, members, fixed, loads, exc, words = DEGENERATE[case]
    path = tmp_path / "bad.json"
    make(nodes, members, fixed, loads).to_json(path)
    res = runner.invoke(app, ["analyze", str(path), "--areas", ",".join(["1"] * len(members))])
    assert isinstance(res.exception, exc) and words in str(res.exception)


def test_analyze_bad_areas_is_truss_error():
    res = runner.invoke(app, ["analyze", str(DATA / "tenbar.json"), "--areas", "1,2,x"])
    assert isinstance(res.exception, TrussError)
    res = runner.invoke(app, ["analyze", str(DATA / "tenbar.json"), "--areas", "1,2"])
    assert isinstance(res.exception, TrussError) and "expected 10" in str(res.exception)


def test_ground_writes_an_analysable_truss(tmp_path):
    out = tmp_path / "g.json"
    res = runner.invoke(app, ["ground", "--nx", "7", "--ny", "4", "--width", "60", "--height", "30",
                              "--support", "0,0:xy", "--support", "0,3:xy", "--load", "6,0:0,-10", "-o", str(out)])
    assert res.exit_code == 0, res.output
    t = Truss.from_json(out)
    assert t.n_nodes == 28 and t.n_members == 6 * 4 + 7 * 3 + 2 * 6 * 3
    a = t.analyze(np.ones(t.n_members))
    total = a.cases[0].reactions.sum(axis=0)
    assert total == pytest.approx([0.0, 10.0], abs=1e-9)


def test_ground_rejects_bad_specs():
    res = runner.invoke(app, ["ground", "--nx", "3", "--ny", "3", "--support", "0,0:q", "--load", "2,2:0,-1"])
    assert isinstance(res.exception, TrussError) and "--support" in str(res.exception)
    res = runner.invoke(app, ["ground", "--nx", "3", "--ny", "3", "--support", "0,0:xy", "--load", "2,2:0"])
    assert isinstance(res.exception, TrussError) and "--load" in str(res.exception)


def test_unstable_ground_structure_is_reported(tmp_path):
    """A single pin cannot hold a ground structure against rotation: `truss ground`
    refuses it before writing (it used to write it, and `truss analyze` found the mechanism)."""
    out = tmp_path / "g.json"
    res = runner.invoke(app, ["ground", "--nx", "3", "--ny", "2", "--support", "0,0:xy", "--load", "2,1:0,-1",
                              "-o", str(out)])
    assert isinstance(res.exception, UnstableTrussError) and "mechanism" in str(res.exception)
    assert not out.exists()


@pytest.mark.parametrize("case", list(DEGENERATE))
def test_console_script_exit_2_with_one_line(case, tmp_path):
    """Through the installed `gadesign` script: one error line, exit code 2, no traceback."""
    import shutil
    import subprocess
    import sys
    from pathlib import Path

    exe = shutil.which("gadesign") or str(Path(sys.executable).with_name("gadesign"))
    nodes, members, fixed, loads, exc, words = DEGENERATE[case]
    path = tmp_path / "bad.json"
    make(nodes, members, fixed, loads).to_json(path)
    proc = subprocess.run([exe, "truss", "analyze", str(path), "--areas", ",".join(["1"] * len(members))],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert words in proc.stderr + proc.stdout and "Traceback" not in proc.stderr


def test_front_command_draws_a_run_front(tmp_path):
    """A run directory (config.json + front.json, as `gadesign evolve` writes them)."""
    from gadesign.api import evolve
    from gadesign_problems.truss.ground import ground_structure
    from gadesign_problems.truss.problems import truss_ground

    g = ground_structure((4, 3), (30.0, 20.0), 1.5, [((0, 0), (True, True)), ((0, 2), (True, True))],
                         [((3, 1), (0.0, -5.0))])
    gpath = tmp_path / "g.json"
    g.to_json(gpath)
    p = truss_ground(str(gpath))
    r = evolve(p, seed=1, pop=20, generations=5)
    run = tmp_path / "run"
    run.mkdir()
    (run / "config.json").write_text(json.dumps({"schema": 1, "problem": "truss-ground", "params": {"file": str(gpath)}}))
    (run / "front.json").write_text(json.dumps({
        "schema": 1, "problem": "truss-ground", "objectives": [o.to_json() for o in p.objectives],
        "constraints": list(p.constraints), "members": [
            {"genome": p.genome.to_json(x), "objectives": list(e.objectives), "violations": list(e.violations),
             "info": e.info} for x, e in r.front]}))
    res = runner.invoke(app, ["front", str(run), "--picks", "2"])
    assert res.exit_code == 0, res.output
    assert (run / "plots" / "truss-front.png").read_bytes()[:4] == b"\x89PNG"
    res = runner.invoke(app, ["front", str(tmp_path / "nope")])
    from gadesign.errors import RunStoreError  # the engine's run store reads the run
    assert isinstance(res.exception, RunStoreError) and "no such run directory" in str(res.exception)


def test_refine_command_polishes_a_run(tmp_path):
    """A short 25-bar run refined from the CLI reaches the published 545.16 lb (0.01%)."""
    from gadesign.api import evolve
    from gadesign.registry import make_problem

    p = make_problem("truss-25bar", {})
    r = evolve(p, seed=1, pop=30, generations=30)
    run = tmp_path / "run"
    run.mkdir()
    (run / "config.json").write_text(json.dumps({"schema": 1, "problem": "truss-25bar", "params": {}}))
    (run / "front.json").write_text(json.dumps({
        "schema": 1, "problem": "truss-25bar", "objectives": [o.to_json() for o in p.objectives],
        "constraints": list(p.constraints), "members": [
            {"genome": p.genome.to_json(x), "objectives": list(e.objectives), "violations": list(e.violations),
             "info": e.info} for x, e in r.front]}))
    res = runner.invoke(app, ["refine", str(run), "--best", "1"])
    assert res.exit_code == 0, res.output
    best = json.loads((run / "refined.json").read_text())["members"][0]
    t = Truss.from_json(DATA / "twentyfivebar.json")
    check = t.analyze(np.asarray(best["genome"]))
    assert max(check.max_stress_ratio, check.max_displacement_ratio) <= 1 + 1e-6
    assert check.weight == pytest.approx(545.16, rel=1e-4)
    assert (run / "designs" / "refined-000.png").exists()
