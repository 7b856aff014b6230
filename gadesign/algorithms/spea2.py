"""SPEA2 (Zitzler, Laumanns & Thiele 2001, TIK report 103).

Fitness of member i in the merged population: strength ``S(i) = |{j : i dominates j}|``,
raw fitness ``R(i) = sum of S(j) over the j that dominate i`` (0 = non-dominated),
density ``D(i) = 1 / (sigma_i^k + 2)`` with sigma^k the distance to the k-th nearest
neighbour, k = sqrt(2N), in objectives normalised to the population's range; F = R + D.
Environmental selection keeps every non-dominated member (F < 1); if too few, the best
remaining by F; if too many, truncation removes, one at a time, the member whose sorted
neighbour distances are lexicographically smallest. Mating: binary tournaments on F.
Domination here is constraint-domination.
"""

from __future__ import annotations

import numpy as np

from gadesign.algorithms.base import Algorithm
from gadesign.algorithms.population import Population
from gadesign.algorithms.ranking import binary_tournament, constraint_dominates


def _normalised(F: np.ndarray) -> np.ndarray:
    lo, hi = F.min(axis=0), F.max(axis=0)
    return (F - lo) / np.where(hi > lo, hi - lo, 1.0)


def _distances(F: np.ndarray) -> np.ndarray:
    Z = _normalised(F)
    D = np.sqrt(((Z[:, None, :] - Z[None, :, :]) ** 2).sum(axis=2))
    np.fill_diagonal(D, np.inf)
    return D


def spea2_fitness(F: np.ndarray, CV: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """SPEA2 fitness (smaller is better) and the pairwise distance matrix used for it."""
    dom = constraint_dominates(F, CV)
    strength = dom.sum(axis=1)
    raw = (dom * strength[:, None]).sum(axis=0)
    D = _distances(F)
    k = min(int(np.sqrt(len(F))), len(F) - 1)
    sigma_k = np.sort(D, axis=1)[:, k - 1] if k >= 1 else np.zeros(len(F))
    sigma_k = np.where(np.isfinite(sigma_k), sigma_k, 0.0)
    return raw + 1.0 / (sigma_k + 2.0), D


def truncate(D: np.ndarray, keep: np.ndarray, n: int) -> np.ndarray:
    """Remove members of ``keep`` one by one until ``n`` remain, always the one whose
    ascending distance list to the others is lexicographically smallest."""
    keep = list(keep)
    sub = D[np.ix_(keep, keep)].copy()
    alive = np.ones(len(keep), dtype=bool)
    while alive.sum() > n:
        idx = np.flatnonzero(alive)
        rows = np.sort(sub[np.ix_(idx, idx)], axis=1)
        victim = idx[np.lexsort(rows.T[::-1])[0]]
        alive[victim] = False
    return np.asarray(keep)[alive]


class SPEA2(Algorithm):
    """Strength Pareto evolutionary algorithm 2, archive size = population size."""

    name = "spea2"

    def select(self, pop: Population, n: int, rng: np.random.Generator) -> np.ndarray:
        fitness, _ = spea2_fitness(pop.F, pop.CV)
        return binary_tournament(fitness, None, n, rng)

    def survive(self, pop: Population, n: int, rng: np.random.Generator) -> Population:
        fitness, D = spea2_fitness(pop.F, pop.CV)
        nondominated = np.flatnonzero(fitness < 1.0)
        if len(nondominated) > n:
            chosen = truncate(D, nondominated, n)
        else:
            chosen = np.argsort(fitness, kind="stable")[:n]
        return pop.take(np.sort(chosen))
