"""A single-objective genetic algorithm: tournament selection, (mu + lambda) elitism.

Fitness order is constraint-domination on one objective: feasible designs by objective,
then infeasible ones by total violation. Parents win tournaments of ``tournament_size``
on that order; survival keeps the best N of parents plus offspring, so the best design
found is never lost.
"""

from __future__ import annotations

import numpy as np

from gadesign.algorithms.base import Algorithm
from gadesign.algorithms.population import Population
from gadesign.algorithms.ranking import constrained_ranks


class GA(Algorithm):
    """Tournament selection with (mu + lambda) elitist survival, one objective."""

    name = "ga"
    multi_objective = False

    def __init__(self, n_obj: int, pop_size: int, tournament_size: int = 2) -> None:
        if n_obj != 1:
            raise ValueError(f"the ga algorithm optimises one objective; this problem has {n_obj} "
                             "(use nsga2, nsga3 or spea2)")
        super().__init__(n_obj, pop_size)
        self.tournament_size = int(tournament_size)

    def select(self, pop: Population, n: int, rng: np.random.Generator) -> np.ndarray:
        ranks = constrained_ranks(pop.F, pop.CV)
        contestants = rng.integers(0, len(pop), size=(n, self.tournament_size))
        best = np.argmin(ranks[contestants], axis=1)
        return contestants[np.arange(n), best]

    def survive(self, pop: Population, n: int, rng: np.random.Generator) -> Population:
        ranks = constrained_ranks(pop.F, pop.CV)
        return pop.take(np.argsort(ranks, kind="stable")[:n])

    def front_indices(self, pop: Population) -> np.ndarray:
        ranks = constrained_ranks(pop.F, pop.CV)
        return np.flatnonzero(ranks == ranks.min())[:1]
