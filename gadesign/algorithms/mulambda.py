"""(mu + lambda) and (mu, lambda) evolution with DEAP's ``varOr`` variation.

DEAP's ``eaMuPlusLambda`` / ``eaMuCommaLambda`` (deap/algorithms.py), on the shared loop:
each of the lambda offspring is made by exactly one of

    crossover      (probability cxpb):  two distinct parents drawn uniformly, first child kept
    mutation       (probability mutpb): one parent drawn uniformly, mutated
    reproduction   (1 - cxpb - mutpb):  a copy of one parent (the engine drops copies and
                                        draws again, so only new designs are evaluated)

and then ``mu`` survivors are chosen from parents + offspring (plus) or from the
offspring alone (comma, lambda >= mu). Selection pressure is all in survival: one
objective ranks by constraint-domination (feasible by objective, then infeasible by
total violation) and keeps the best mu, as ``selBest``; several objectives use NSGA-II
survival (non-dominated rank, then crowding distance), as ``selNSGA2``.

mu is ``--pop``; lambda is mu for plus and 2 mu for comma. Draws come from the run's
``numpy.random.Generator``; the genome's own operators (native or bound DEAP ones)
make the children.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from gadesign.algorithms.base import Algorithm
from gadesign.algorithms.nsga2 import rank_and_crowding
from gadesign.algorithms.population import Population
from gadesign.algorithms.ranking import constrained_ranks
from gadesign.genomes.base import Genome


class MuPlusLambda(Algorithm):
    """(mu + lambda): survivors from parents and offspring."""

    name = "mu+lambda"
    comma = False
    cxpb, mutpb = 0.7, 0.3

    def n_offspring(self, pop_size: int) -> int:
        return pop_size

    def select(self, pop: Population, n: int, rng: np.random.Generator) -> np.ndarray:
        return rng.integers(0, len(pop), size=n)  # varOr draws parents uniformly

    def offspring(self, genome: Genome[Any], pop: Population, n: int, rng: np.random.Generator) -> list[Any]:
        """``n`` children by DEAP's varOr (see the module docstring), repaired."""
        children = []
        for _ in range(n):
            r = rng.random()
            if r < self.cxpb and len(pop) > 1:
                i, j = rng.choice(len(pop), size=2, replace=False)
                child, _ = genome.crossover(pop.genomes[i], pop.genomes[j], rng)
            elif r < self.cxpb + self.mutpb:
                child = genome.mutate(pop.genomes[int(rng.integers(len(pop)))], rng)
            else:
                child = pop.genomes[int(rng.integers(len(pop)))]
            children.append(genome.repair(child))
        return children

    def survive(self, pop: Population, n: int, rng: np.random.Generator) -> Population:
        if self.n_obj == 1:
            ranks = constrained_ranks(pop.F, pop.CV)
            return pop.take(np.argsort(ranks, kind="stable")[:n])
        ranks, crowding = rank_and_crowding(pop)
        return pop.take(np.lexsort((-crowding, ranks))[:n])

    def front_indices(self, pop: Population) -> np.ndarray:
        if self.n_obj == 1:
            ranks = constrained_ranks(pop.F, pop.CV)
            return np.flatnonzero(ranks == ranks.min())[:1]
        return super().front_indices(pop)


class MuCommaLambda(MuPlusLambda):
    """(mu, lambda): survivors from the lambda = 2 mu offspring only."""

    name = "mu,lambda"
    comma = True

    def n_offspring(self, pop_size: int) -> int:
        return 2 * pop_size
