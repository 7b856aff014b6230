"""Local refinement offered by the engine (SLSQP on the real genome part)."""

from __future__ import annotations

import json

import numpy as np

from gadesign import evolve
from gadesign.registry import make_problem


def test_refine_reaches_the_analytic_optimum_of_a_smooth_problem():
    coarse = evolve(make_problem("sphere", {"n_var": 6}), pop=20, generations=5, seed=2)
    refined = evolve(make_problem("sphere", {"n_var": 6}), pop=20, generations=5, seed=2, refine=1)
    (_, before), = coarse.front
    (x, after), = refined.front
    assert before.objectives[0] > 1e-2  # the short GA alone is far from the optimum
    assert after.objectives[0] < 1e-10 and np.abs(x).max() < 1e-5  # minimum 0 at the origin
    assert after.info["refined"] == "SLSQP"


def test_refine_from_the_cli(cli, tmp_path):
    run = tmp_path / "run"
    res = cli("evolve", "sphere", "--pop", "20", "--generations", "5", "--refine", "1", "-q", "--out", str(run))
    assert res.returncode == 0, res.stderr
    (member,) = json.loads((run / "front.json").read_text())["members"]
    assert member["objectives"][0] < 1e-10 and member["info"]["refine_evaluations"] > 0
    bad = cli("evolve", "zdt1", "--refine", "1", "--out", str(tmp_path / "x"))
    assert bad.returncode == 2 and "single-objective" in bad.stderr
