"""The engine as a Python function: evolve any Problem object in memory.

``gadesign.evolve(problem)`` runs the same loop as ``gadesign evolve`` without a run
directory, for notebooks, examples and tests of unregistered problems::

    from gadesign import evolve
    result = evolve(MyProblem(), algorithm="nsga2", pop=40, generations=30, seed=1)
    for design, evaluation in result.front:
        ...
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterator

import numpy as np

from gadesign.algorithms import Population, make_algorithm
from gadesign.engine import Evolution
from gadesign.evaluation import make_evaluator
from gadesign.indicators import hypervolume
from gadesign.problem import Evaluation, Problem, check_members


@dataclass
class EvolveResult:
    """The final front (genomes with evaluations), the full population and the logbook."""

    problem: Problem
    front_population: Population
    population: Population
    logbook: list[dict[str, Any]]
    hv_reference: np.ndarray | None

    @property
    def front(self) -> list[tuple[Any, Evaluation]]:
        return list(zip(self.front_population.genomes, self.front_population.evaluations))

    def objectives(self) -> np.ndarray:
        """Front objectives in the problem's own directions, shape (k, m)."""
        return np.array([e.objectives for e in self.front_population.evaluations], dtype=float)

    def hypervolume(self, reference: Any = None) -> float:
        """Hypervolume of the feasible front; ``reference`` in the objectives' own directions."""
        signs = np.array([o.sign for o in self.problem.objectives])
        ref = self.hv_reference if reference is None else np.asarray(reference, float) * signs
        pop = self.front_population
        return hypervolume(pop.F[pop.feasible], ref)

    def __iter__(self) -> Iterator[tuple[Any, Evaluation]]:
        return iter(self.front)


def evolve(problem: Problem, *, algorithm: str | None = None, pop: int | None = None,
           generations: int | None = None, seed: int = 1, workers: int = 1, dask: str | None = None,
           eval_timeout: float | None = None, refine: int | None = None) -> EvolveResult:
    """Evolve ``problem`` and return its front; defaults come from ``problem.defaults``.
    ``refine=K`` polishes the best K designs by SLSQP after the last generation (default:
    the problem's ``defaults["refine"]``, else 0)."""
    check_members(problem)
    defaults = getattr(problem, "defaults", None) or {}
    refine = refine if refine is not None else int(defaults.get("refine", 0))
    algorithm = algorithm or defaults.get("algorithm") or ("ga" if len(problem.objectives) == 1 else "nsga2")
    pop = pop if pop is not None else int(defaults.get("pop", 100))
    generations = generations if generations is not None else int(defaults.get("generations", 100))
    _check_options(pop=pop, generations=generations, seed=seed, workers=workers, refine=refine,
                   eval_timeout=eval_timeout)
    alg = make_algorithm(algorithm, len(problem.objectives), pop)
    with make_evaluator(problem, workers, dask, eval_timeout) as evaluator:
        evo = Evolution(problem, alg, pop, np.random.Generator(np.random.PCG64(seed)), evaluator)
        evo.initialise()
        logbook = [evo.statistics()]
        for _ in range(generations):
            evo.step()
            logbook.append(evo.statistics())
        if refine:
            from gadesign.refine import check_refinable
            check_refinable(problem)
            if evo.refine_best(refine):
                logbook[-1] = evo.statistics()  # the last row counts the refinement
    assert evo.pop is not None
    return EvolveResult(problem, evo.front(), evo.pop, logbook, evo.hv_reference)


def _check_options(*, pop: Any, generations: Any, seed: Any, workers: Any, refine: Any, eval_timeout: Any) -> None:
    """The same rules as ``gadesign evolve``'s options (:mod:`gadesign.options`), named as
    the keyword arguments: ``generations=-1`` ran generation 0 only, ``seed=-1`` was
    numpy's ValueError, ``workers=0`` ran serially, ``pop="10"`` a TypeError."""
    import numbers

    from gadesign import options
    from gadesign.errors import ConfigError

    for name, value in (("pop", pop), ("generations", generations), ("refine", refine),
                        ("workers", None if workers == "auto" else workers)):
        if value is not None and (not isinstance(value, numbers.Integral) or isinstance(value, bool)):
            raise ConfigError(f"evolve(): {name} must be an int, got {value!r}")
    options.population(pop, "evolve(): pop")
    options.generations(generations, "evolve(): generations")
    options.seed(seed, "evolve(): seed")
    options.at_least(refine, "evolve(): refine", 0)
    if workers != "auto":
        options.workers(workers, "evolve(): workers")
    if eval_timeout is not None:
        if not isinstance(eval_timeout, numbers.Real) or isinstance(eval_timeout, bool):
            raise ConfigError(f"evolve(): eval_timeout must be a number of seconds, got {eval_timeout!r}")
        options.positive(eval_timeout, "evolve(): eval_timeout", " seconds", maximum=1e7)
