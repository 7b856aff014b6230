"""Non-dominated ranks, crowding and NSGA-II survival against DEAP's own implementation."""

from __future__ import annotations

import numpy as np
import pytest
from deap import base, tools

from gadesign.algorithms import NSGA2, Population
from gadesign.algorithms.ranking import constrained_ranks, crowding_distance


class MinFitness(base.Fitness):
    weights = (-1.0, -1.0, -1.0)


class Ind(list):
    """A DEAP individual defined as a plain class (no creator)."""

    def __init__(self, values, index):
        super().__init__([index])
        self.fitness = MinFitness()
        self.fitness.values = tuple(values)
        self.index = index


def deap_ranks(F: np.ndarray) -> np.ndarray:
    MinFitness.weights = (-1.0,) * F.shape[1]
    inds = [Ind(f, i) for i, f in enumerate(F)]
    ranks = np.empty(len(F), dtype=int)
    for r, front in enumerate(tools.sortNondominated(inds, len(inds))):
        for ind in front:
            ranks[ind.index] = r
    return ranks


@pytest.mark.parametrize("m", [2, 3, 4])
@pytest.mark.parametrize("seed", [0, 1])
def test_ranks_equal_deap_sortNondominated(m, seed):
    rng = np.random.default_rng(seed)
    F = rng.random((300, m))
    F[:30] = np.round(F[:30] * 4) / 4  # ties and exact duplicates
    F[30:40] = F[40:50]
    np.testing.assert_array_equal(constrained_ranks(F, np.zeros(len(F))), deap_ranks(F))


def test_infeasible_ranked_after_feasible_by_violation():
    F = np.array([[0.0, 0.0], [5.0, 5.0], [1.0, 1.0], [9.0, 9.0]])
    CV = np.array([2.0, 0.0, 1.0, 0.0])
    ranks = constrained_ranks(F, CV)
    # feasible 1 and 3: 1 dominates 3; then infeasible by violation: 2 (1.0) before 0 (2.0)
    assert list(ranks) == [3, 0, 2, 1]


def test_crowding_equals_deap_assignCrowdingDist():
    rng = np.random.default_rng(5)
    theta = np.sort(rng.uniform(0, np.pi / 2, 40))
    F = np.column_stack([np.cos(theta), np.sin(theta)])  # one front, distinct values
    MinFitness.weights = (-1.0, -1.0)
    inds = [Ind(f, i) for i, f in enumerate(F)]
    tools.emo.assignCrowdingDist(inds)
    expected = np.array([ind.fitness.crowding_dist for ind in inds])
    ours = crowding_distance(F, np.zeros(len(F), dtype=int))
    finite = np.isfinite(expected)
    np.testing.assert_array_equal(np.isfinite(ours), finite)
    # DEAP divides each objective's gap by m * extent; Deb et al. (2002) by the extent alone
    np.testing.assert_allclose(ours[finite], F.shape[1] * expected[finite], rtol=1e-12)


def test_nsga2_survival_selects_the_same_set_as_deap_selNSGA2():
    rng = np.random.default_rng(11)
    F = rng.random((200, 2))
    MinFitness.weights = (-1.0, -1.0)
    inds = [Ind(f, i) for i, f in enumerate(F)]
    chosen_deap = {ind.index for ind in tools.selNSGA2(inds, 100)}
    pop = Population(list(range(200)), [None] * 200, F, np.zeros(200))
    chosen = set(NSGA2(2, 100).survive(pop, 100, rng).genomes)
    assert chosen == chosen_deap
