"""--refine on a composite genome polishes the real part with the discrete part held
fixed, and says so when it cannot improve anything (never a silent no-op)."""

from __future__ import annotations

import logging

import numpy as np

from gadesign.refine import refine



def test_refine_polishes_the_real_part_onto_the_active_constraint(load_example):
    problem = load_example("pressure_vessel_plugin").pressure_vessel()
    # plates 18/16 in and 9/16 in (a feasible design a GA left at that plate level)
    x0 = {"plates": np.array([18, 9]), "shape": np.array([57.8835, 46.4135])}
    start = problem.evaluate(x0)
    assert start.feasible
    r = refine(problem, x0)
    assert r.improved and r.evaluation.feasible
    assert np.array_equal(r.x["plates"], x0["plates"])  # the discrete part is kept
    # analytic optimum for fixed plates: the hoop-stress rule active (R = Ts / 0.0193) and
    # the volume exactly 1 296 000 in^3, which fixes L
    radius = 18 * 0.0625 / 0.0193
    length = (1_296_000 - 4 / 3 * np.pi * radius ** 3) / (np.pi * radius ** 2)
    np.testing.assert_allclose(r.x["shape"], [radius, length], rtol=1e-6)
    assert r.evaluation.objectives[0] < start.objectives[0]


def test_refine_that_changes_nothing_says_so(caplog):
    from gadesign.algorithms import Population, make_algorithm
    from gadesign.engine import Evolution
    from gadesign.evaluation import make_evaluator
    from gadesign.registry import make_problem
    problem = make_problem("sphere", {"n_var": 4})
    evo = Evolution(problem, make_algorithm("ga", 1, 4), 4, np.random.default_rng(1), make_evaluator(problem, 1))
    xs = [np.zeros(4), np.ones(4), -np.ones(4), np.full(4, 2.0)]  # the minimum itself is in the population
    evo.pop = Population.from_evaluations(xs, [problem.evaluate(x) for x in xs], evo.signs)
    with caplog.at_level(logging.WARNING, logger="gadesign"):
        spent = evo.refine_best(1)
    assert spent > 0
    assert any("found no better design than the best 1" in r.message and "the front is unchanged" in r.message
               for r in caplog.records)
    assert evo.front().evaluations[0].objectives == (0.0,)
