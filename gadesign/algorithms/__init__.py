"""Search algorithms: each a mating selection plus a survival, run by the shared loop."""

from __future__ import annotations

from typing import Any

from gadesign.algorithms.base import Algorithm
from gadesign.algorithms.cmaes import CMAES
from gadesign.algorithms.ga import GA
from gadesign.algorithms.nsga2 import NSGA2
from gadesign.algorithms.nsga3 import NSGA3
from gadesign.algorithms.mulambda import MuCommaLambda, MuPlusLambda
from gadesign.algorithms.population import Population
from gadesign.algorithms.spea2 import SPEA2
from gadesign.errors import ConfigError

ALGORITHMS: dict[str, type[Algorithm]] = {"nsga2": NSGA2, "nsga3": NSGA3, "spea2": SPEA2, "ga": GA,
                                          "mu+lambda": MuPlusLambda, "mu,lambda": MuCommaLambda, "cmaes": CMAES}


def make_algorithm(name: str, n_obj: int, pop_size: int, genome: Any = None) -> Algorithm:
    """The algorithm ``name`` for ``n_obj`` objectives and population ``pop_size``
    (checked against ``genome`` when given: cmaes needs a real vector)."""
    if name not in ALGORITHMS:
        raise ConfigError(f"unknown algorithm {name!r} (choose from {', '.join(ALGORITHMS)})")
    if pop_size < 4:
        raise ConfigError(f"population size must be at least 4, got {pop_size}")
    try:
        algorithm = ALGORITHMS[name](n_obj, pop_size)
        check = getattr(algorithm, "check_genome", None)
        if genome is not None and check is not None:
            check(genome)
        return algorithm
    except ValueError as exc:
        raise ConfigError(str(exc)) from exc


__all__ = ["Algorithm", "ALGORITHMS", "GA", "NSGA2", "NSGA3", "SPEA2", "MuPlusLambda", "MuCommaLambda", "CMAES",
           "Population", "make_algorithm"]
