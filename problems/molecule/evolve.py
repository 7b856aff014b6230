"""``--method evolve``: the engine's NSGA-II on the ``molecule-formula`` problem.

Each genome is evaluated as its best exact C/H/N/O completion (see
:mod:`gadesign_problems.molecule.problem`), so the GA searches the counts of the other
elements. The run keeps an archive of every feasible completion it met (in the window,
passing the applied rules) and reports them ranked by score, exactly as the exact search
ranks its enumeration, so the two methods' answers compare directly. Only feasible
candidates are reported, except that, as in the exact search, when none is feasible and
some fail rule 3 alone the search is run again without that filter
(:func:`~gadesign_problems.molecule.search.without_isotope_filter`, ``rule3_relaxed``).

Stopping: after ``generations`` generations, or earlier when the best score has not
improved for ``patience`` generations (default 25) since the first feasible candidate:
the population then holds the same decorations over and over.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Sequence

import numpy as np

from gadesign.algorithms import make_algorithm
from gadesign.engine import Evolution
from gadesign.evaluation import safe_evaluate
from gadesign.problem import Evaluation
from gadesign_problems.molecule.formula import hill_string
from gadesign_problems.molecule.problem import FormulaProblem
from gadesign_problems.molecule.query import Query
from gadesign_problems.molecule.search import Candidate, rank, without_isotope_filter


@dataclass
class EvolveReport:
    """Ranked candidates and run statistics of one evolutionary search."""

    candidates: list[Candidate]
    evaluations: int
    generations: int
    first_hit: dict[str, int] = field(default_factory=dict)  # formula -> evaluations when first seen
    best_chi2_trace: list[tuple[int, float]] = field(default_factory=list)
    rule3_relaxed: bool = False     # no composition met passed rule 3: ranked without it (see below)


class _ArchivingEvaluator:
    """Evaluates a batch and remembers every feasible genome (no state in the problem)."""

    def __init__(self, problem: FormulaProblem) -> None:
        self.problem = problem
        self.seen: dict[bytes, np.ndarray] = {}
        self.first_hit: dict[str, int] = {}
        self.count = 0
        self.best = np.inf
        self.trace: list[tuple[int, float]] = []
        applied = problem.query.rule_names
        # constraint index of rule 3 (after the window), None when it is no filter
        self.rule3 = 1 + applied.index("isotope_pattern") if "isotope_pattern" in applied else None
        self.rule3_only = False          # a genome met that fails rule 3 and nothing else

    def __call__(self, xs: Sequence[Any]) -> list[Evaluation]:
        results = safe_evaluate(self.problem, xs)
        for x, e in zip(xs, results):
            self.count += 1
            _, completions = self.problem.completions(np.asarray(x, np.int64)[self.problem.decoration])
            for y in completions:
                key = y.tobytes()
                if key not in self.seen:
                    self.seen[key] = y
                    self.first_hit[hill_string(self.problem.query.elements, y)] = self.count
            v = e.violations
            if self.rule3 is not None and not e.feasible and len(v) > self.rule3:
                self.rule3_only |= v[self.rule3] > 0 and all(x <= 0 for i, x in enumerate(v) if i != self.rule3)
            if e.feasible:
                chi2 = float(e.info["chi2"])
                if chi2 < self.best:
                    self.best = chi2
                    self.trace.append((self.count, chi2))
        return results


def evolve_formula(query: Query, *, pop: int | None = None, generations: int | None = None,
                   seed: int = 1, algorithm: str | None = None, top: int | None = 10,
                   patience: int | None = 25) -> EvolveReport:
    """Search ``query`` with the GA and rank every feasible composition it met
    (``patience=None``: always run all ``generations``). When none was feasible but some
    failed rule 3 alone, the search is run again without that filter, as the exact search
    ranks such a window (:func:`~gadesign_problems.molecule.search.without_isotope_filter`):
    the report then has ``rule3_relaxed`` set and its evaluations and generations are
    those of both runs."""
    from gadesign.options import at_least

    at_least(seed, "--seed", 0)  # numpy's PCG64 refuses a negative seed with a bare ValueError
    report, rule3_only = _evolve(query, pop, generations, seed, algorithm, top, patience)
    fallback = without_isotope_filter(query) if not report.candidates and rule3_only else None
    if fallback is None:
        return report
    again, _ = _evolve(fallback, pop, generations, seed, algorithm, top, patience)
    return EvolveReport(again.candidates, report.evaluations + again.evaluations,
                        report.generations + again.generations, again.first_hit, again.best_chi2_trace,
                        bool(again.candidates))


def _evolve(query: Query, pop: int | None, generations: int | None, seed: int, algorithm: str | None,
            top: int | None, patience: int | None) -> tuple[EvolveReport, bool]:
    """One GA run of :func:`evolve_formula` with the query's filters as they are; also
    whether a genome met failed rule 3 and no other filter."""
    problem = FormulaProblem(query)
    pop = pop or int(problem.defaults["pop"])
    generations = generations if generations is not None else int(problem.defaults["generations"])
    alg = make_algorithm(algorithm or str(problem.defaults["algorithm"]), len(problem.objectives), pop)
    evaluator = _ArchivingEvaluator(problem)
    evo = Evolution(problem, alg, pop, np.random.Generator(np.random.PCG64(seed)), evaluator)
    evo.initialise()
    done, last_best, since = 0, evaluator.best, 0
    for _ in range(generations):
        evo.step()
        done += 1
        since = 0 if evaluator.best < last_best or not np.isfinite(evaluator.best) else since + 1
        last_best = evaluator.best
        if patience is not None and since >= patience:
            break
    if evaluator.seen:
        counts = np.array(list(evaluator.seen.values()))
        candidates = rank(query, problem.score(list(counts)), top)
    else:
        candidates = []
    return (EvolveReport(candidates, evaluator.count, done, evaluator.first_hit, evaluator.trace),
            evaluator.rule3_only)
