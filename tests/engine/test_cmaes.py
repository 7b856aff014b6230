"""--algorithm cmaes (DEAP's cma.Strategy), mu+lambda and mu,lambda (DEAP's varOr): quality
against known optima, reproducibility, resume, and numpy's global RNG left alone."""

from __future__ import annotations

import json

import numpy as np
import pytest

from gadesign import evolve
from gadesign.errors import ConfigError
from gadesign.indicators import hypervolume
from gadesign.registry import make_problem


def test_cmaes_reaches_the_sphere_minimum_and_leaves_numpy_global_state_alone():
    np.random.seed(12345)
    state = np.random.get_state()
    result = evolve(make_problem("sphere", {"n_var": 10}), algorithm="cmaes", seed=1)  # default budget
    (x, e), = result.front
    assert e.objectives[0] < 1e-8 and np.abs(x).max() < 1e-4  # minimum 0 at the origin
    after = np.random.get_state()
    assert all(np.array_equal(a, b) if isinstance(a, np.ndarray) else a == b for a, b in zip(state, after))
    again = evolve(make_problem("sphere", {"n_var": 10}), algorithm="cmaes", seed=1, generations=20)
    np.random.seed(999)  # a different global state must not change the run
    third = evolve(make_problem("sphere", {"n_var": 10}), algorithm="cmaes", seed=1, generations=20)
    assert again.front[0][0].tobytes() == third.front[0][0].tobytes()


def test_cmaes_rejects_what_it_cannot_do():
    with pytest.raises(ConfigError, match="one objective"):
        evolve(make_problem("zdt1", {}), algorithm="cmaes", generations=1)
    with pytest.raises(ConfigError, match="real-vector genome"):
        evolve(make_problem("tsp", {}), algorithm="cmaes", generations=1)


@pytest.mark.parametrize("algorithm", ["cmaes", "mu,lambda"])
def test_resume_is_bit_identical(tmp_path, algorithm):
    from gadesign.run import RunConfig, resume_run, start_run

    def config(**kw):
        return RunConfig("rastrigin", {}, algorithm, 20, 12, 4, 4, **kw)

    start_run(config(), tmp_path / "full")
    start_run(config(workers=2), tmp_path / "two")
    partial = tmp_path / "partial"
    start_run(config(), partial)
    for p in (partial / "checkpoints").iterdir():  # as if the run had died right after generation 8
        if p.name != "gen-0008.json":
            p.unlink()
    (partial / "front.json").unlink()
    state = json.loads((partial / "checkpoints" / "gen-0008.json").read_text())["state"]["algorithm"]
    if algorithm == "cmaes":
        assert {"centroid", "sigma", "C", "B", "diagD"} <= set(state["state"])
    resume_run(partial)
    front = (tmp_path / "full" / "front.json").read_bytes()
    assert (partial / "front.json").read_bytes() == front
    assert (tmp_path / "two" / "front.json").read_bytes() == front


@pytest.mark.slow
def test_cmaes_on_truss_25bar_within_1_percent_of_the_published_optimum():
    result = evolve(make_problem("truss-25bar", {}), algorithm="cmaes", seed=1)  # default budget
    (_, e), = result.front
    assert e.feasible
    assert 545.16 * 0.999 < e.objectives[0] < 545.16 * 1.01  # best published feasible design 545.16 lb


@pytest.mark.slow
def test_mu_plus_lambda_on_zdt1():
    problem = make_problem("zdt1", {})
    result = evolve(problem, algorithm="mu+lambda", seed=1, generations=150)
    ref = np.array([1.1, 1.1])
    assert result.hypervolume(ref) >= 0.95 * hypervolume(problem.true_front(2000), ref)
