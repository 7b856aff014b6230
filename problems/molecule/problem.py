"""The ``molecule-formula`` problem: evolve elemental compositions that explain a spectrum.

Objectives (both minimised): the absolute mass error of the candidate's ion in ppm, and
the misfit: -2 ln L of the measured peaks under the intensity-error model (see
:func:`~gadesign_problems.molecule.isotopes.isotope_misfit`; 0 when no pattern was
measured) plus the formula prior and the costs of the graded golden rules failed (see
:mod:`gadesign_problems.molecule.query`). Constraints: ``ppm_window`` (violation
``(|ppm| - window) / window`` beyond the window) and one per golden rule applied as a
filter (its graded violation, see :mod:`gadesign_problems.molecule.rules`). The combined score that ranks
candidates (see :mod:`gadesign_problems.molecule.query`) increases monotonically with both
objectives, so the best-scoring feasible formula is on the Pareto front.

Exact completion. A genome is evaluated as its best completion: its counts of the
elements other than C, H, N and O (the "decoration": P, S, F, Cl, Br, I, ...) are kept,
and the C/H/N/O counts are replaced by the best-scoring feasible ones that put the
formula in the window, found by enumerating every CHNO completion of the residual mass
(a meet-in-the-middle search over four elements: milliseconds). The GA thus searches
only the decoration space, which is small and which the isotope pattern (S, Cl, Br in
M+2) and the mass defect (F, P, I) inform. A decoration whose completions all fail a
rule is evaluated as its least-violating completion, and one without any completion in
the window as the genome stands, so constraint violations still guide the search.
Evaluation stays a pure function of the genome; completions are cached per decoration.
The genome's repair applies the same completion, so children are stored completed and
genomes that stand for the same formula are one duplicate, not many.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterable, Sequence

import numpy as np

from gadesign.problem import Evaluation, Objective
from gadesign_problems.molecule.formula import Formula, FormulaError, hill_string
from gadesign_problems.molecule.genome import CompositionGenome
from gadesign_problems.molecule.isotopes import PatternTable
from gadesign_problems.molecule.query import Query, Scored, Scoring

#: Elements the exact completion enumerates; the GA searches the others.
CORE = ("C", "H", "N", "O")
#: Feasible completions kept per decoration (best first): enough for any top list shown.
KEEP = 20
#: Rows scored at once when completing a batch of genomes.
BATCH = 50_000
#: Most C/H/N/O completions one decoration may have (bounded work per evaluation).
MAX_COMPLETIONS = 200_000
#: Decorations cached before the cache is cleared (memory bound: KEEP rows each).
MAX_CACHED = 100_000


class FormulaProblem:
    """Infer the elemental formula of a measured ion from its m/z and isotope pattern."""

    name = "molecule-formula"
    objectives = (Objective("ppm_error", "min", "ppm"), Objective("misfit", "min", ""))
    defaults = {"algorithm": "nsga2", "pop": 100, "generations": 150}

    def __init__(self, query: Query) -> None:
        self.query = query
        self.constraints: tuple[str, ...] = ("ppm_window", *query.rule_names)
        self.genome = CompositionGenome(query.elements, query.lower, query.effective_upper, query.neutral_mass,
                                        carbon_estimate=carbon_estimate(query),
                                        tolerance=(query.window[1] - query.window[0]) / 2)
        self._table: PatternTable | None = None
        self.reference_point = (query.ppm, 100.0)
        self.core = np.array([i for i, e in enumerate(query.elements) if e in CORE], dtype=np.int64)
        self.decoration = np.array([i for i, e in enumerate(query.elements) if e not in CORE], dtype=np.int64)
        self._completions: dict[bytes, tuple[np.ndarray | None, np.ndarray]] = {}
        self._core_lists: list[tuple[list[int], np.ndarray, np.ndarray]] | None = None
        self.genome.completer = self.complete     # children are stored completed (Lamarckian)

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["_table"] = None   # rebuilt on demand in a worker; keeps pickles small
        state["_completions"] = {}
        state["_core_lists"] = None
        return state

    def completions(self, decoration: np.ndarray) -> tuple[np.ndarray | None, np.ndarray]:
        """For one decoration (counts of the non-CHNO elements): the completion that stands
        for it (the best feasible one, else the one in the window that violates the rules
        least, else None) and its :data:`KEEP` best feasible ones."""
        key = np.asarray(decoration, dtype=np.int64).tobytes()
        if key not in self._completions:
            self._fill(np.asarray(decoration, dtype=np.int64)[None, :])
        return self._completions[key]

    def _fill(self, decorations: np.ndarray) -> None:
        """Compute and cache the completions of many decorations, scored in batches of at
        most :data:`BATCH` rows; each keeps its :data:`KEEP` best feasible completions."""
        q = self.query
        upper, lower = q.effective_upper, np.array(q.lower, dtype=np.int64)
        k = len(q.elements)
        empty = np.zeros((0, k), dtype=np.int64)
        if len(self._completions) > MAX_CACHED:
            self._completions.clear()
        lo, hi = q.window
        blocks: list[np.ndarray] = []
        owners: list[np.ndarray] = []
        rows_held = 0
        for j, dec in enumerate(decorations):
            self._completions[dec.tobytes()] = (None, empty)
            if not ((dec >= lower[self.decoration]) & (dec <= upper[self.decoration])).all():
                continue
            shift = float(dec @ q.masses[self.decoration])
            core = self._core_in(lo - shift, hi - shift)
            if len(core) > MAX_COMPLETIONS:
                from gadesign_problems.molecule.search import SearchTooLarge

                raise SearchTooLarge(f"one GA evaluation would score {len(core):,} C/H/N/O completions (limit "
                                     f"{MAX_COMPLETIONS:,}): narrow the search with --max (e.g. --max H=200,N=20), "
                                     "the golden rules or a tighter --ppm")
            if len(core):
                full = np.zeros((len(core), k), dtype=np.int64)
                full[:, self.core] = core
                full[:, self.decoration] = dec
                blocks.append(full)
                owners.append(np.full(len(core), j))
                rows_held += len(core)
            if rows_held >= BATCH:
                self._score_batch(decorations, blocks, owners)
                blocks, owners, rows_held = [], [], 0
        if blocks:
            self._score_batch(decorations, blocks, owners)

    def _score_batch(self, decorations: np.ndarray, blocks: list[np.ndarray], owners: list[np.ndarray]) -> None:
        full = np.concatenate(blocks)
        owner = np.concatenate(owners)
        scored = self.query.score_counts(full, self.table())
        feasible = scored.feasible
        # per decoration: feasible rows first, best first (score, then |ppm|); a decoration
        # with no feasible completion is represented by its least-violating one in the window
        violation = np.where(scored.in_window, scored.rule_violation, np.inf)
        order = np.lexsort((np.abs(scored.ppm), scored.chi2, violation, ~feasible, owner))
        cuts = np.flatnonzero(np.diff(owner[order])) + 1
        for rows in np.split(order, cuts):
            dec = decorations[owner[rows[0]]]
            ok = rows[feasible[rows]][:KEEP]
            best = full[rows[0]].copy() if np.isfinite(violation[rows[0]]) else None   # no view of `full`
            self._completions[dec.tobytes()] = (best, full[ok].copy())

    def _core_in(self, lo: float, hi: float) -> np.ndarray:
        """Every C/H/N/O count vector (over :attr:`core`) of mass in [lo, hi] Da: the core
        split in two halves whose sub-compositions (up to the top of the window) are
        listed once per problem; each query is one binary search per row of the smaller."""
        if self._core_lists is None:
            from gadesign_problems.molecule.search import _sub_compositions

            q = self.query
            masses = q.masses[self.core]
            lower = np.array(q.lower, dtype=np.int64)[self.core]
            upper = q.effective_upper[self.core]
            half = (len(self.core) + 1) // 2
            groups = (list(range(half)), list(range(half, len(self.core))))
            lists = []
            for g in groups:
                counts, mass = _sub_compositions(masses[g], lower[g], upper[g], q.window[1])
                order = np.argsort(mass, kind="stable")
                lists.append((g, counts[order].astype(np.int64), mass[order]))
            lists.sort(key=lambda t: len(t[2]))              # (smaller, larger)
            self._core_lists = lists
        (ga, ca, ma), (gb, cb, mb) = self._core_lists
        start = np.searchsorted(mb, lo - ma, side="left")
        n = np.searchsorted(mb, hi - ma, side="right") - start
        total = int(n.sum())
        out = np.zeros((total, len(self.core)), dtype=np.int64)
        if total:
            rows_a = np.repeat(np.arange(len(ma)), n)
            rows_b = np.repeat(start, n) + np.arange(total) - np.repeat(np.cumsum(n) - n, n)
            out[:, ga] = ca[rows_a]
            out[:, gb] = cb[rows_b]
        return out

    def complete(self, xs: Sequence[np.ndarray]) -> np.ndarray:
        """Each genome with its C/H/N/O counts replaced by its decoration's best completion
        (unchanged when the decoration has none)."""
        X = np.array(np.asarray(xs, dtype=np.int64).reshape(len(xs), -1), copy=True)
        if not len(self.core):
            return X
        decorations = np.ascontiguousarray(X[:, self.decoration])
        new = {d.tobytes(): d for d in decorations if d.tobytes() not in self._completions}
        if new:
            self._fill(np.array(list(new.values()), dtype=np.int64).reshape(len(new), -1))
        for i, x in enumerate(X):
            best, _ = self.completions(x[self.decoration])
            if best is not None:
                X[i] = best
        return X

    @property
    def description(self) -> str:
        return "Elemental formula from a measured m/z and isotope pattern (|ppm|, isotope misfit + prior + graded rules)"

    def table(self) -> PatternTable:
        if self._table is None:
            self._table = self.query.pattern_table()
        return self._table

    def score(self, xs: Sequence[np.ndarray]) -> Scored:
        """The query's scores of a batch of genomes."""
        return self.query.score_counts(np.asarray(xs, dtype=np.int64).reshape(len(xs), -1), self.table())

    def evaluate_many(self, xs: Sequence[np.ndarray]) -> list[Evaluation]:
        s = self.score(list(self.complete(xs)))
        window = np.log1p(np.maximum(np.abs(s.ppm) - self.query.ppm, 0) / self.query.ppm)
        window = np.where(s.in_window | (window > 0), window, 1.0)   # out of reach of the adduct
        out = []
        for i in range(len(xs)):
            violations = (float(window[i]), *(float(s.rules[name][i]) for name in s.applied))
            info = {"formula": hill_string(self.query.elements, s.counts[i]),
                    "ppm": float(s.ppm[i]), "score": float(np.exp(-0.5 * s.chi2[i])), "chi2": float(s.chi2[i])}
            misfit = float(s.isotope_term[i] + s.prior_term[i] + s.rule_term[i])
            out.append(Evaluation((float(abs(s.ppm[i])), misfit), violations, info))
        return out

    def evaluate(self, x: np.ndarray) -> Evaluation:
        return self.evaluate_many([x])[0]

    def decode(self, x: np.ndarray) -> Formula:
        """The formula the genome stands for: its best completion."""
        return Formula.from_vector(self.query.elements, self.complete([x])[0], allow_odd_electron=True)

    def summary(self, x: np.ndarray, evaluation: Evaluation) -> dict[str, object]:
        f = self.decode(x)
        return {"formula": f.hill, "ppm": round(float(evaluation.info.get("ppm", 0.0)), 3),
                "score": float(evaluation.info.get("score", 0.0)), "rdbe": f.rdbe}

    def report_figures(self, x: np.ndarray, evaluation: Evaluation) -> list[tuple[str, Any]]:
        """Pictures for ``gadesign report``: the formula over its isotope pattern."""
        from gadesign_problems.molecule.report import formula_figures

        return formula_figures(self, x, evaluation)

    def export(self, x: np.ndarray, evaluation: Evaluation, directory: Path, stem: str) -> list[Path]:
        """The candidate's isotope pattern against the measured one (PNG), when measured."""
        if self.query.pattern is None:
            return []
        from gadesign_problems.molecule.plots import plot_patterns, save_figure

        s = self.score(list(self.complete([x])))
        fig = plot_patterns(self.query.pattern, {self.decode(x).hill: s.patterns[0]})
        path = Path(directory) / f"{stem}-isotopes.png"
        save_figure(fig, path)
        return [path]


def carbon_estimate(query: Query) -> float | None:
    """Carbon count suggested by the measured M+1/M+0 ratio of the ion: each carbon adds
    p(13C)/p(12C) = 1.08 % (other elements add a little, so this is an upper-side
    estimate). None without a pattern or carbon."""
    if query.pattern is None or "C" not in query.elements or query.pattern[0] <= 0:
        return None
    from gadesign_problems.molecule.formula import element

    c13 = {iso.shift: iso.abundance for iso in element("C").isotopes}
    return float(query.pattern[1] / query.pattern[0] / (c13[1] / c13[0]))


def _pattern(value: Any) -> list[float | None] | None:
    if value is None or value == "" or value == ():
        return None
    if isinstance(value, str):
        from gadesign_problems.molecule.isotopes import parse_intensities

        return parse_intensities(value.strip().strip("[]"))
    if isinstance(value, (int, float)):
        return [float(value)]
    return [None if v is None else float(v) for v in value]


def _elements(value: Any) -> str | Iterable[str]:
    return value if isinstance(value, str) else [str(v) for v in value]


def molecule_formula(mass: float | None = None, mz: float | None = None, adduct: str = "[M]",
                     isotopes: Any = None, ppm: float = 5.0, elements: Any = "CHNOPS",
                     rules: str = "extended", upper: dict[str, int] | None = None,
                     mass_accuracy: float = 3.0, mass_error: str = "flat") -> FormulaProblem:
    """Elemental formula from a measured mass (or m/z with an adduct) and isotope pattern.

    ``mass``: neutral monoisotopic mass (Da); or ``mz`` (Th) with ``adduct`` (``[M+H]+``,
    ``[M+Na]+``, ``[M+NH4]+``, ``[M-H]-``). ``isotopes``: intensities M+0, M+1, ...
    (list or comma-separated). ``ppm``: window half-width. ``elements``: alphabet such as
    ``CHNOPSClBr``. ``rules``: extended or common (rules 2-3 filter, 1 and 4-6 graded),
    extended-filter, common-filter or none. ``upper``: count bounds by element.
    ``mass_accuracy``: the instrument's stated accuracy, ppm. ``mass_error``: its error
    distribution, ``flat`` (no preference inside the accuracy) or ``gaussian`` (sigma =
    accuracy / 3), see :class:`~gadesign_problems.molecule.query.Scoring`.
    """
    scoring = Scoring(mass_error=str(mass_error)).validated()
    if (mass is None) == (mz is None):
        raise FormulaError("give either mass (neutral, Da) or mz with an adduct")
    if mass is not None:
        if adduct not in ("[M]", "M"):
            raise FormulaError("mass is the neutral mass; use mz=... for an ion with an adduct")
        query = Query.build(float(mass), "[M]", float(ppm), _pattern(isotopes), _elements(elements), rules,
                            upper=upper, mass_accuracy=mass_accuracy, scoring=scoring)
    else:
        if adduct in ("[M]", "M"):   # was read as a neutral mass without a word
            raise FormulaError("mz is an ion's m/z: give its adduct too (e.g. adduct='[M+H]+'), or give the "
                               "neutral mass as mass=...")
        query = Query.build(float(mz), adduct, float(ppm), _pattern(isotopes), _elements(elements), rules,
                            upper=upper, mass_accuracy=mass_accuracy, scoring=scoring)
    return FormulaProblem(query)
