"""NSGA-II (Deb, Pratap, Agarwal & Meyarivan 2002, IEEE TEC 6(2):182–197).

Survival: merge parents and offspring (2N), sort into fronts F_1, F_2, ... by
constraint-domination, take whole fronts while they fit, and fill the rest from the
first front that does not fit by descending crowding distance
``d_i = sum_j (f_j[i+1] - f_j[i-1]) / (f_j^max - f_j^min)`` (extremes: infinity).
Mating: binary tournaments by constraint-domination, then crowding (larger wins).
Optional clearing by a problem key (``niche``, :mod:`gadesign.niching`): members beyond
a key's capacity go behind all others before the population is cut to ``n``.
"""

from __future__ import annotations

import numpy as np

from gadesign.algorithms.base import Algorithm
from gadesign.algorithms.population import Population
from gadesign.algorithms.ranking import constrained_ranks, crowding_distance, dominance_tournament
from gadesign.niching import Clearing


def rank_and_crowding(pop: Population) -> tuple[np.ndarray, np.ndarray]:
    ranks = constrained_ranks(pop.F, pop.CV)
    return ranks, crowding_distance(pop.F, ranks)


class NSGA2(Algorithm):
    """Non-dominated sorting with crowding distance."""

    name = "nsga2"
    #: clearing by the problem's key in survival (the engine sets it from ``niche_capacity``)
    niche: Clearing | None = None

    def select(self, pop: Population, n: int, rng: np.random.Generator) -> np.ndarray:
        # recomputed from F and CV (not carried over from survival) so that a population
        # restored from a checkpoint selects exactly as the original did
        _, crowding = rank_and_crowding(pop)
        return dominance_tournament(pop.F, pop.CV, crowding, n, rng)

    def survive(self, pop: Population, n: int, rng: np.random.Generator) -> Population:
        ranks, crowding = rank_and_crowding(pop)
        # sort by rank, then crowding descending; stable so equal keys keep their order
        order = np.lexsort((-crowding, ranks))
        if self.niche is not None:
            order = self.niche.order(pop.genomes, order, n)
        return pop.take(order[:n])
