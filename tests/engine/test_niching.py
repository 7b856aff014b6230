"""Clearing by a problem key in NSGA-II survival (gadesign.niching, ``niche_capacity``):
capacity enforced, nothing changed when off, same result resumed."""

from __future__ import annotations

import json

import numpy as np
import pytest

from gadesign.algorithms import NSGA2, Population, make_algorithm
from gadesign.engine import Evolution
from gadesign.errors import ConfigError
from gadesign.genomes import RealVector
from gadesign.niching import Clearing, clear
from gadesign.problem import Evaluation, Objective, evaluate_batch


class Funnel:
    """Two objectives (x0, 1 - x0 + x1) under a constraint no design meets, whose violation
    ``0.5 + x0`` is least for the key 0: ``refine_key`` = which tenth of [0, 1] x0 is in.
    Ranked by the violation alone, survival fills the population with key 0."""

    name = "funnel"
    objectives = (Objective("f1"), Objective("f2"))
    constraints = ("c",)

    def __init__(self, niche_capacity: float | None = None) -> None:
        self.genome = RealVector(0.0, 1.0, n=2)
        if niche_capacity is not None:
            self.niche_capacity = niche_capacity

    def evaluate(self, x) -> Evaluation:
        return Evaluation((float(x[0]), 1.0 - float(x[0]) + float(x[1])), (0.5 + float(x[0]),), {})

    def decode(self, x):
        return x

    def refine_key(self, x) -> int:
        return min(int(float(x[0]) * 10), 9)


def run(problem, generations, seed=5, state=None, pop=20):
    evo = Evolution(problem, make_algorithm("nsga2", 2, pop), pop, np.random.Generator(np.random.PCG64(seed)),
                    lambda xs: evaluate_batch(problem, xs))
    if state is None:
        evo.initialise()
    else:
        evo.load_state(json.loads(json.dumps(state)))
    while evo.generation < generations:
        evo.step()
    return evo


def keys(pop) -> list[int]:
    return [min(int(float(g[0]) * 10), 9) for g in pop.genomes]


def test_clear_moves_each_keys_excess_behind_every_winner_in_order():
    # order best first; keys a a b a c b a with capacity 2: the third and fourth a go last
    assert list(clear([0, 1, 2, 3, 4, 5, 6], ["a", "a", "b", "a", "c", "b", "a"], 2)) == [0, 1, 2, 4, 5, 3, 6]
    assert list(clear([3, 0, 1, 6, 2, 4, 5], ["a", "a", "b", "a", "c", "b", "a"], 2)) == [3, 0, 2, 4, 5, 1, 6]
    assert list(clear([0, 1, 2], ["x", "x", "x"], 1)) == [0, 1, 2]           # one key: order unchanged
    assert list(clear([2, 0, 1], ["x", "y", "z"], 1)) == [2, 0, 1]           # all distinct: unchanged
    assert Clearing(lambda g: g, 0.25).capacity(100) == 25 and Clearing(lambda g: g, 0.001).capacity(100) == 1
    with pytest.raises(ValueError):
        Clearing(lambda g: g, 1.5)


def test_nsga2_survival_keeps_at_most_capacity_per_key_ahead_of_the_rest():
    # 8 designs, violation = index (rank order 0..7), keys: 0-4 are "a", 5-7 "b", "c", "d"
    genomes = ["a0", "a1", "a2", "a3", "a4", "b", "c", "d"]
    pop = Population(genomes, [Evaluation((0.0,), (float(i),), {}) for i in range(8)],
                     np.zeros((8, 1)), np.arange(8, dtype=float))
    alg = NSGA2(1, 5)
    rng = np.random.Generator(np.random.PCG64(0))
    assert alg.survive(pop, 5, rng).genomes == ["a0", "a1", "a2", "a3", "a4"]
    alg.niche = Clearing(lambda g: g[0], 0.4)                             # 2 of 5 per key
    assert alg.survive(pop, 5, rng).genomes == ["a0", "a1", "b", "c", "d"]
    # fewer winners than places (capacity floor(0.4 * 4) = 1): the cleared fill up, best first
    assert alg.survive(pop.take([0, 1, 2, 3, 5]), 4, rng).genomes == ["a0", "b", "a1", "a2"]


def test_without_niching_the_funnel_collapses_onto_one_key_and_with_it_does_not():
    plain = run(Funnel(), 10)
    niched = run(Funnel(0.2), 10)                                            # at most 4 of 20 per key
    top = max(keys(plain.pop).count(k) for k in set(keys(plain.pop)))
    assert top > 10 and keys(plain.pop).count(0) == top
    assert max(keys(niched.pop).count(k) for k in set(keys(niched.pop))) <= 4
    assert len(set(keys(niched.pop))) >= 5
    # off (0) is exactly the search without the member
    off = run(Funnel(0.0), 10)
    assert [list(g) for g in off.pop.genomes] == [list(g) for g in plain.pop.genomes]


def test_a_resumed_niched_run_is_the_straight_run():
    straight = run(Funnel(0.2), 8)
    half = run(Funnel(0.2), 4)
    resumed = run(Funnel(0.2), 8, state=half.state())
    assert [list(g) for g in resumed.pop.genomes] == [list(g) for g in straight.pop.genomes]
    # the keys are computed in survival, in this process, from the genomes alone: a worker
    # pool only evaluates (its equality with serial runs is tested in test_parallel_*)


def test_a_capacity_without_a_key_is_a_config_error_and_antenna_st5_parses_its_setting():
    problem = Funnel(0.2)
    problem.refine_key = None
    with pytest.raises(ConfigError, match="refine_key"):
        run(problem, 0)
    from gadesign_problems.antenna.st5 import antenna_st5
    assert antenna_st5(niche_capacity=0.3).niche_capacity == 0.3
    assert antenna_st5(scalar=True, niche_capacity=0.3).niche_capacity == 0.0   # the GA has no clearing
    with pytest.raises(ConfigError, match="niche_capacity"):
        antenna_st5(niche_capacity=2.0)
