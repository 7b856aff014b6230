"""The algorithm contract: parent selection and environmental selection.

The engine (:mod:`gadesign.engine`) runs the one loop every algorithm shares::

    P = survive(evaluate(sample(N)), N)
    repeat G times:
        parents   = P[select(P, N)]                  # mating selection
        offspring = genome.vary(parents)             # the genome's own operators
        P         = survive(P + evaluate(offspring), N)   # (mu + lambda) survival

so an algorithm is just its two selections, written on the minimisation matrices
``F`` and ``CV`` of a :class:`~gadesign.algorithms.population.Population`. Selections
are pure functions of the population and the generator, plus an optional JSON state
(NSGA-III's ideal and nadir memory) that checkpoints carry.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

import numpy as np

from gadesign.algorithms.population import Population


class Algorithm(ABC):
    """Mating selection plus survival; see the module docstring for the loop."""

    name: str = "algorithm"
    multi_objective: bool = True
    #: True when survivors come from the offspring alone ((mu, lambda)).
    comma: bool = False

    # Optional hooks the engine calls when an algorithm defines them:
    #   offspring(genome, pop, n, rng) -> list   its own variation instead of select + genome.vary
    #   tell(offspring_population, genome)        see the evaluated offspring (CMA-ES's update)
    #   check_genome(genome)                      ValueError if the representation does not fit

    def n_offspring(self, pop_size: int) -> int:
        """How many offspring a generation makes (lambda); the population size by default."""
        return pop_size

    def __init__(self, n_obj: int, pop_size: int) -> None:
        self.n_obj = n_obj
        self.pop_size = pop_size

    @abstractmethod
    def select(self, pop: Population, n: int, rng: np.random.Generator) -> np.ndarray:
        """Indices of ``n`` parents drawn from ``pop``."""

    @abstractmethod
    def survive(self, pop: Population, n: int, rng: np.random.Generator) -> Population:
        """The ``n`` members of ``pop`` that form the next generation."""

    def state(self) -> dict[str, Any]:
        """JSON-able internal state (empty for memoryless algorithms)."""
        return {}

    def load_state(self, state: dict[str, Any]) -> None:
        """Restore :meth:`state`."""

    def front_indices(self, pop: Population) -> np.ndarray:
        """Members of ``pop`` reported as the result: the feasible non-dominated ones,
        or, when none is feasible, those of least violation."""
        from gadesign.algorithms.ranking import constrained_ranks
        ranks = constrained_ranks(pop.F, pop.CV)
        return np.flatnonzero(ranks == 0)
