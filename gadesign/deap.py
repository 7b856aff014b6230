"""gadesign problems in DEAP scripts: a ready ``deap.base.Toolbox`` for any problem, no ``creator``.

``toolbox(problem, seed=1)`` registers what DEAP's algorithms call::

    individual()        one random design (the genome's own sampling)
    population(n)       n of them
    evaluate(ind)       the problem's objectives (a tuple, in the problem's units and directions)
    mate(a, b)          the genome's crossover (native or bound DEAP operator), in place
    mutate(ind)         the genome's mutation, in place, returns (ind,)
    select(pop, k)      survival: selNSGA2 for several objectives, selBest for one
    map(f, inds)        evaluate's batches go through the problem's evaluate_many (also
                        as ``tb.map(tb.evaluate, inds)``: Toolbox.register wraps evaluate
                        in a functools.partial, which map unwraps)

so that ``deap.algorithms.eaMuPlusLambda(pop, tb, mu, lambda_, cxpb, mutpb, ngen)`` (or
``eaMuCommaLambda``) runs on any registered problem. ``select`` is the survival selection
those algorithms need (an elitist truncation); ``eaSimple`` uses ``select`` to pick
parents, so register a mating selection for it, e.g.
``tb.register("select", tools.selTournament, tournsize=3)``. ``map`` evaluates a whole
batch at once (vectorised problems such as the trusses are much faster that way);
``tb.register("map", pool.map)`` replaces it as usual.

**Individuals** are :class:`VectorIndividual` (a ``list`` of the genes, Python floats or
ints) for fixed-length vector genomes (real, integer, binary, permutation) and
:class:`DesignIndividual` (the genome value in ``.value``) for any other genome (composite,
variable-length, a plugin's tree). Both carry ``.fitness``, a :class:`Fitness` whose
weights come from the objectives' directions (-1 for min, +1 for max). Nothing is
created in ``deap.creator``: these are ordinary module-level classes, picklable, so
``toolbox.register("map", pool.map)`` works.

**Constraints** are handled by feasibility rules (Deb 2000) inside the fitness, not by a
penalty: ``evaluate`` returns the objective tuple carrying the total violation, and
:class:`Fitness` compares a feasible individual above any infeasible one, two infeasible
ones by total violation (smaller wins), and two feasible ones by DEAP's usual weighted
lexicographic order; ``dominates`` is constraint-domination. So ``selNSGA2``,
``selSPEA2``, ``selTournament``, ``selBest``, ``HallOfFame`` and ``ParetoFront`` all prefer
feasible designs. ``.values`` holds only the objectives; the violation is
``fitness.violation`` (0 when feasible), so what reads ``values``/``wvalues`` as numbers
(``sortLogNondominated``, hence ``selNSGA3``'s default ``nd="log"`` and
``selNSGA2(nd="log")``; ``selRoulette``; the lexicase selections) sees the objectives
alone: use ``selNSGA3(..., nd="standard")`` on a constrained problem.

**Randomness**: the registered functions draw from a ``numpy.random.Generator`` seeded
with ``seed`` (bound DEAP operators from a private ``random.Random`` derived from it);
the DEAP algorithm's own choices (``varOr``, ``selTournament``) use the global
``random`` module, which the script seeds as usual (``random.seed(...)``).
"""

from __future__ import annotations

import copy
import functools
from typing import Any, Sequence

import numpy as np
from deap import base, tools

from gadesign.evaluation import safe_evaluate
from gadesign.genomes.base import Genome
from gadesign.genomes.vector import VectorGenome
from gadesign.problem import Problem, check_members

__all__ = ["toolbox", "Fitness", "FitnessValues", "VectorIndividual", "DesignIndividual", "to_genome", "weights"]


class FitnessValues(tuple):
    """An objective tuple that also carries the design's total constraint violation."""

    violation: float = 0.0

    def __new__(cls, values: Sequence[float], violation: float = 0.0) -> "FitnessValues":
        obj = super().__new__(cls, tuple(float(v) for v in values))
        obj.violation = float(violation)
        return obj

    def __reduce__(self) -> tuple[Any, ...]:
        return (FitnessValues, (tuple(self), self.violation))


class Fitness(base.Fitness):
    """A DEAP fitness with per-instance weights and feasibility-first comparison."""

    weights: tuple[float, ...] = ()
    violation: float = 0.0

    def __init__(self, weights: Sequence[float] = (), values: Sequence[float] = ()) -> None:
        self.weights = tuple(float(w) for w in weights)
        self.violation = 0.0
        super().__init__(values)

    def getValues(self) -> tuple[float, ...]:
        return base.Fitness.getValues(self)

    def setValues(self, values: Sequence[float]) -> None:
        base.Fitness.setValues(self, tuple(values))
        self.violation = float(getattr(values, "violation", 0.0))

    def delValues(self) -> None:
        base.Fitness.delValues(self)
        self.violation = 0.0

    values = property(getValues, setValues, delValues, "Objective values (violation in ``violation``).")

    def _key(self) -> tuple[float, tuple[float, ...]]:
        return (-self.violation, self.wvalues)

    def dominates(self, other: "Fitness", obj: slice = slice(None)) -> bool:
        """Constraint-domination: feasible beats infeasible, smaller violation beats
        larger, and between feasible designs DEAP's Pareto dominance on ``wvalues``."""
        if self.violation > 0 or other.violation > 0:
            return self.violation < other.violation
        return base.Fitness.dominates(self, other, obj)

    def __le__(self, other: "Fitness") -> bool:  # type: ignore[override]
        return self._key() <= other._key()

    def __lt__(self, other: "Fitness") -> bool:  # type: ignore[override]
        return self._key() < other._key()

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Fitness) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __deepcopy__(self, memo: dict[int, Any]) -> "Fitness":
        clone = Fitness(self.weights)
        clone.wvalues, clone.violation = self.wvalues, self.violation
        return clone

    def __repr__(self) -> str:
        return f"Fitness(values={self.values}, violation={self.violation})"


class VectorIndividual(list):
    """A fixed-length genome's genes as a list (what DEAP's operators expect)."""

    def __init__(self, genes: Sequence[Any] = (), weights: Sequence[float] = ()) -> None:
        super().__init__(genes)
        self.fitness = Fitness(weights)


class DesignIndividual:
    """Any other genome's value (``.value``) with a DEAP fitness."""

    def __init__(self, value: Any, weights: Sequence[float] = ()) -> None:
        self.value = value
        self.fitness = Fitness(weights)

    def __deepcopy__(self, memo: dict[int, Any]) -> "DesignIndividual":
        clone = DesignIndividual(copy.deepcopy(self.value, memo))
        clone.fitness = copy.deepcopy(self.fitness, memo)
        return clone

    def __repr__(self) -> str:
        return f"DesignIndividual({self.value!r})"


def weights(problem: Problem) -> tuple[float, ...]:
    """DEAP weights of ``problem``'s objectives: -1.0 for min, +1.0 for max."""
    return tuple(-o.sign for o in problem.objectives)


def to_genome(genome: Genome[Any], ind: Any) -> Any:
    """The genome value of an individual (a numpy array for vector genomes). Genes a
    script's own DEAP operator left fractional on an integer, binary or permutation
    genome (``cxBlend`` on integers) are rounded, as the genome's bound DEAP operators
    round them, not truncated."""
    if isinstance(ind, DesignIndividual):
        return ind.value
    if isinstance(genome, VectorGenome):
        values = list(ind)
        arr = np.asarray(values)
        if arr.dtype.kind == "f" and np.issubdtype(np.dtype(genome.dtype), np.integer):
            return genome._from_list(values)
        return genome.repair(arr.astype(genome.dtype))
    return ind


def _store(genome: Genome[Any], ind: Any, value: Any) -> Any:
    if isinstance(ind, DesignIndividual):
        ind.value = value
    else:
        ind[:] = np.asarray(value).tolist()
    return ind


def _make(genome: Genome[Any], w: tuple[float, ...], value: Any) -> Any:
    if isinstance(genome, VectorGenome):
        return VectorIndividual(np.asarray(value).tolist(), w)
    return DesignIndividual(value, w)


class _Evaluate:
    """``evaluate(ind)``: the problem's objectives with the violation attached; a design
    that fails to evaluate is infeasible (huge violation), as in the engine."""

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        self.reasons: set[str] = set()  # failure reasons already warned about

    def __call__(self, ind: Any) -> FitnessValues:
        (e,) = safe_evaluate(self.problem, [to_genome(self.problem.genome, ind)])
        return self.fitness(e)

    def fitness(self, e: Any) -> FitnessValues:
        """The fitness of evaluation ``e``; a failed evaluation (an exception, NaN, the
        wrong type or count: a bug in the plugin, usually) is one RuntimeWarning per
        distinct reason, since a DEAP script has no end-of-run report that would say why
        every design is infeasible. A design the plugin refused (a ``GadesignError``: a
        mechanism, crossing wires) is infeasible, not failed, as in a run: no warning."""
        info = e.info if isinstance(e.info, dict) else {}
        if info.get("failed") and not info.get("invalid_design") and str(info.get("reason")) not in self.reasons:
            import warnings

            reason = str(info.get("reason"))
            self.reasons.add(reason)
            warnings.warn(f"problem {getattr(self.problem, 'name', '?')!r}: an evaluation failed ({reason}); the "
                          "design is kept as infeasible (objectives and violation 1e30)", RuntimeWarning, stacklevel=3)
        return FitnessValues(e.objectives, e.total_violation)


class _BatchMap:
    """``map`` that hands ``evaluate``'s whole batch to the problem at once (its
    ``evaluate_many``), and behaves as the builtin ``map`` for anything else."""

    def __call__(self, function: Any, *iterables: Any) -> list[Any]:
        if isinstance(function, functools.partial) and not function.args and not function.keywords:
            function = function.func  # Toolbox.register wraps what it registers (tb.evaluate) in a partial
        if isinstance(function, _Evaluate) and len(iterables) == 1:
            problem = function.problem
            inds = list(iterables[0])
            evaluations = safe_evaluate(problem, [to_genome(problem.genome, i) for i in inds])
            return [function.fitness(e) for e in evaluations]
        return list(map(function, *iterables))


def toolbox(problem: Problem, seed: int = 1) -> base.Toolbox:
    """A DEAP toolbox for ``problem`` (see the module docstring for what it registers).

    ``seed`` seeds the toolbox's own generator (sampling and variation); two toolboxes
    with the same seed, driven by the same DEAP script and ``random.seed``, evolve the
    same designs.
    """
    from gadesign import options

    options.seed(seed, "toolbox(): seed")  # as gadesign.evolve: seed=-1 was numpy's ValueError
    check_members(problem)
    genome = problem.genome
    rng = np.random.default_rng(seed)
    w = weights(problem)
    tb = base.Toolbox()

    def individual() -> Any:
        return _make(genome, w, genome.sample(rng))

    def population(n: int) -> list[Any]:
        return [_make(genome, w, x) for x in genome.sample_many(n, rng)]

    def mate(a: Any, b: Any) -> tuple[Any, Any]:
        c1, c2 = genome.crossover(to_genome(genome, a), to_genome(genome, b), rng)
        return _store(genome, a, genome.repair(c1)), _store(genome, b, genome.repair(c2))

    def mutate(ind: Any) -> tuple[Any]:
        return (_store(genome, ind, genome.repair(genome.mutate(to_genome(genome, ind), rng))),)

    tb.register("individual", individual)
    tb.register("population", population)
    tb.register("evaluate", _Evaluate(problem))
    tb.register("mate", mate)
    tb.register("mutate", mutate)
    tb.register("map", _BatchMap())
    if len(problem.objectives) > 1:
        tb.register("select", tools.selNSGA2)
    else:
        tb.register("select", tools.selBest)
    tb.weights = w  # type: ignore[attr-defined]
    tb.rng = rng  # type: ignore[attr-defined]
    return tb

