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


def test_refine_key_takes_the_best_design_of_each_distinct_key_first():
    """``refine_key``: the best design of each key in rank order, then the rest in rank
    order; without the hook, plain rank order. Which designs were refined is read from
    the (deterministic) calls of ``refine_design``."""
    from gadesign.genomes import RealVector
    from gadesign.problem import Evaluation, Objective
    from gadesign.refine import refine_front

    class Keyed:
        objectives = (Objective("f"),)
        genome = RealVector(0.0, 10.0, n=1)

        def __init__(self, keyed):
            self.calls = []
            if keyed:
                self.refine_key = lambda x: int(x[0])         # the integer part: 3 keys below

        def refine_design(self, x, evaluation):
            self.calls.append(float(x[0]))
            return x, evaluation, 1

    # objective = x; violation 0 except 2.9 (violating, so last in rank order)
    xs = [0.1, 0.2, 0.3, 1.5, 1.6, 2.9]
    front = [(np.array([v]), Evaluation((v,), (1.0 if v == 2.9 else 0.0,), {})) for v in reversed(xs)]
    plain = Keyed(False)
    refine_front(plain, front, k=4)
    assert plain.calls == [0.1, 0.2, 0.3, 1.5]
    keyed = Keyed(True)
    out = refine_front(keyed, front, k=4)
    assert keyed.calls == [0.1, 1.5, 2.9, 0.2]                 # keys 0, 1, 2, then the rest by rank
    assert [float(r.x[0]) for r in out] == keyed.calls and not any(r.improved for r in out)
    keyed = Keyed(True)
    refine_front(keyed, front, k=2)
    assert keyed.calls == [0.1, 1.5]
