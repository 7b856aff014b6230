"""The exact baseline: enumerate every composition in the mass window, score, rank.

Enumeration is meet-in-the-middle. The alphabet is split into two groups whose
sub-compositions (every count vector within the bounds and under the top of the
window) are listed with their masses; one list is sorted, and for each entry of the
other a binary search finds the partners whose summed mass lies in the window. The
work is about the size of the two lists (each near the square root of the full
space) plus the number of answers, so a 900 Da query over ten elements takes a
second or so instead of the hours a nested loop over 10^8 vectors would take.

Bounded memory. The two lists are sized before they are built (a dynamic programme
over nominal masses) and a search whose lists would exceed
:data:`MAX_SUB_COMPOSITIONS` rows (about 30 bytes each while built) is refused at once
with :class:`SearchTooLarge`; the answers are then streamed in chunks of at most
:data:`CHUNK` rows, each filtered, scored and reduced to its best candidates before the
next is made, and a window holding more than :data:`MAX_WINDOW` compositions is refused
before any is scored. Peak memory stays below 500 MB at any mass.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Iterator, Sequence

import numpy as np

from gadesign_problems.molecule.formula import Formula, FormulaError
from gadesign_problems.molecule.query import Query, Scored
from gadesign_problems.molecule.rules import RuleSet, evaluate_rules


#: Most rows the two sub-composition lists may hold together (~240 MB while built).
MAX_SUB_COMPOSITIONS = 8_000_000
#: Most compositions a window may hold for the exact search to score them.
MAX_WINDOW = 20_000_000
#: Rows per streamed chunk of answers.
CHUNK = 250_000
#: Largest nominal mass (Da) the planner sizes (its table has one entry per dalton).
MAX_NOMINAL = 100_000


class SearchTooLarge(FormulaError):
    """The exact search would not finish in bounded memory and time."""


def _too_large(what: str, n: float, limit: float) -> SearchTooLarge:
    return SearchTooLarge(f"the exact search would {what} ({n:.3g}, limit {limit:.3g}): narrow it with "
                          "--max (e.g. --max C=60,N=10), fewer --elements or a tighter --ppm, raise the limit "
                          "with --enumeration-limit, or search with --method evolve")


def _sub_compositions(masses: np.ndarray, lower: np.ndarray, upper: np.ndarray,
                      limit: float) -> tuple[np.ndarray, np.ndarray]:
    """All count vectors within [lower, upper] of mass <= ``limit`` and their masses."""
    counts = np.zeros((1, 0), dtype=np.int16)
    total = np.zeros(1)
    for m, lo, hi in zip(masses, lower, upper):
        blocks, block_mass = [], []
        for k in range(int(lo), int(hi) + 1):
            mk = total + k * m
            keep = mk <= limit
            if not keep.any():
                break
            sel = counts[keep]
            blocks.append(np.hstack([sel, np.full((len(sel), 1), k, dtype=np.int16)]))
            block_mass.append(mk[keep])
        if not blocks:
            return np.zeros((0, len(masses)), dtype=np.int16), np.zeros(0)
        counts, total = np.concatenate(blocks), np.concatenate(block_mass)
    return counts, total


def _size_estimate(nominal: Sequence[int], lower: Sequence[int], upper: Sequence[int],
                   limit: int) -> float:
    """Number of sub-compositions with nominal mass <= ``limit`` (a dynamic programme;
    each element's bounded sum ``new[s] = sum_{k=lo..hi} dp[s - k m]`` as a running sum
    along stride ``m``: O(limit) per element whatever its count range)."""
    dp = np.zeros(limit + 1)
    dp[0] = 1.0
    for m, lo, hi in zip(nominal, lower, upper):
        m, lo = int(m), int(lo)
        hi = min(int(hi), limit // m)
        new = np.zeros_like(dp)
        if lo <= hi:
            width = hi - lo + 1
            for r in range(m):
                col = dp[r::m]
                run = np.cumsum(col)
                run[width:] -= run[:-width].copy()
                # sum over k in [lo, hi] of dp[s - k m]: the window of `width` ending at s - lo m
                dst = new[r::m]
                dst[lo:] = run[:len(dst) - lo]
        dp = new
    return float(dp.sum())


def split_alphabet(masses: np.ndarray, lower: np.ndarray, upper: np.ndarray,
                   limit: float) -> tuple[list[int], list[int]]:
    """Two groups of element indices with balanced sub-composition counts (greedy:
    elements with the most choices first, each to the currently smaller group)."""
    nominal = np.maximum(np.rint(masses).astype(int), 1)
    lim = int(np.ceil(limit))
    choices = np.minimum(upper, lim // nominal) - lower + 1
    groups: tuple[list[int], list[int]] = ([], [])
    sizes = [1.0, 1.0]
    for i in np.argsort(-choices, kind="stable"):
        trial = [_size_estimate(nominal[g + [i]], lower[g + [i]], upper[g + [i]], lim) for g in groups]
        j = int(np.argmin([max(trial[0], sizes[1]), max(trial[1], sizes[0])]))
        groups[j].append(int(i))
        sizes[j] = trial[j]
    return groups[0], groups[1]


@dataclass(frozen=True)
class Plan:
    """How the enumerator splits an alphabet, and the estimated list sizes."""

    a_idx: list[int]
    b_idx: list[int]
    size_a: float
    size_b: float


def plan_enumeration(masses: np.ndarray, lower: Sequence[int], upper: Sequence[int], hi: float,
                     max_sub: float = MAX_SUB_COMPOSITIONS) -> Plan:
    """Split the alphabet and size the two lists; :class:`SearchTooLarge` when they would
    hold more than ``max_sub`` rows together."""
    masses = np.asarray(masses, dtype=float)
    lower = np.asarray(lower, dtype=np.int64)
    upper = np.asarray(upper, dtype=np.int64)
    if hi > MAX_NOMINAL:
        raise _too_large("size its lists up to a mass in Da", hi, MAX_NOMINAL)
    a_idx, b_idx = split_alphabet(masses, lower, upper, hi)
    nominal = np.maximum(np.rint(masses).astype(int), 1)
    lim = int(np.ceil(hi))
    sizes = [_size_estimate(nominal[g], lower[g], upper[g], lim) if g else 1.0 for g in (a_idx, b_idx)]
    if sizes[0] + sizes[1] > max_sub:
        raise _too_large("list sub-compositions", sizes[0] + sizes[1], max_sub)
    return Plan(a_idx, b_idx, sizes[0], sizes[1])


def stream_compositions(masses: np.ndarray, lower: Sequence[int], upper: Sequence[int], lo: float, hi: float,
                        chunk: int = CHUNK, max_sub: float = MAX_SUB_COMPOSITIONS,
                        max_window: float = MAX_WINDOW) -> Iterator[np.ndarray]:
    """Every integer vector ``n`` with ``lower <= n <= upper`` and ``lo <= n . masses <= hi``,
    as (rows, k) int64 chunks of at most about ``chunk`` rows, in no particular order.
    Raises :class:`SearchTooLarge` (before yielding anything) when the lists or the
    window would be too large."""
    masses = np.asarray(masses, dtype=float)
    lower = np.asarray(lower, dtype=np.int64)
    upper = np.asarray(upper, dtype=np.int64)
    k = len(masses)
    if k == 0 or hi < lo or hi < 0 or (lower > upper).any():
        return
    plan = plan_enumeration(masses, lower, upper, hi, max_sub)
    a_idx, b_idx = plan.a_idx, plan.b_idx
    base = float(lower @ masses)
    a_counts, a_mass = _sub_compositions(masses[a_idx], lower[a_idx], upper[a_idx],
                                         hi - base + float(lower[a_idx] @ masses[a_idx]))
    b_counts, b_mass = _sub_compositions(masses[b_idx], lower[b_idx], upper[b_idx],
                                         hi - base + float(lower[b_idx] @ masses[b_idx]))
    order = np.argsort(b_mass, kind="stable")
    b_counts, b_mass = b_counts[order], b_mass[order]
    del order
    start = np.searchsorted(b_mass, lo - a_mass, side="left").astype(np.int32)
    n = (np.searchsorted(b_mass, hi - a_mass, side="right") - start).astype(np.int32)
    total = int(n.sum(dtype=np.int64))
    if total > max_window:
        raise _too_large("score compositions in the window", total, max_window)
    if total == 0:
        return
    ends = np.cumsum(n, dtype=np.int64)
    first = 0
    while first < len(n):
        # rows of A whose answers fit in one chunk (at least one row)
        done = int(ends[first - 1]) if first else 0
        last = max(int(np.searchsorted(ends, done + chunk, side="right")), first + 1)
        m = n[first:last]
        size = int(m.sum())
        if size:
            out = np.zeros((size, k), dtype=np.int64)
            rows_a = np.repeat(np.arange(first, last), m)
            offsets = np.arange(size) - np.repeat(np.cumsum(m, dtype=np.int64) - m, m)
            rows_b = np.repeat(start[first:last].astype(np.int64), m) + offsets
            out[:, a_idx] = a_counts[rows_a]
            out[:, b_idx] = b_counts[rows_b]
            exact = out @ masses
            out = out[(exact >= lo) & (exact <= hi)]
            if len(out):
                yield out
        first = last


def enumerate_compositions(masses: np.ndarray, lower: Sequence[int], upper: Sequence[int],
                           lo: float, hi: float, **limits: float) -> np.ndarray:
    """Every integer vector ``n`` with ``lower <= n <= upper`` and ``lo <= n . masses <= hi``
    as one (N, k) int64 array (see :func:`stream_compositions` for bounded memory)."""
    chunks = list(stream_compositions(masses, lower, upper, lo, hi, **limits))  # type: ignore[arg-type]
    return np.concatenate(chunks) if chunks else np.zeros((0, len(masses)), dtype=np.int64)


@dataclass
class Candidate:
    """One ranked formula with its score components and rule verdicts.

    ``mass_term``, ``isotope_term``, ``prior_term`` and ``rule_term`` are the -2 ln parts of
    the score (``score = exp(-(mass_term + isotope_term + prior_term + rule_term) / 2)``);
    ``rules`` holds every rule's verdict (graded rules may fail: ``rule_term`` counts them);
    ``isotope_mismatch`` is the relative RMSE over the measured peaks (descriptive);
    ``at_limit`` names elements whose count sits at a count bound (``--max`` or rule 1)
    that cut the search: a larger count was not looked at.
    """

    formula: str
    counts: dict[str, int]
    mass: float
    ppm: float
    isotope_mismatch: float
    score: float
    rdbe: float
    rules: dict[str, bool]
    pattern: list[float] | None = None
    mass_term: float = 0.0
    isotope_term: float = 0.0
    prior_term: float = 0.0
    rule_term: float = 0.0
    at_limit: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, object]:
        out: dict[str, object] = {"formula": self.formula, "ppm": self.ppm, "score": self.score,
                                  "mass_term": self.mass_term, "isotope_term": self.isotope_term,
                                  "prior_term": self.prior_term, "rule_term": self.rule_term,
                                  "isotope_mismatch": self.isotope_mismatch,
                                  "mass": self.mass, "rdbe": self.rdbe, "rules": self.rules,
                                  "at_limit": self.at_limit}
        if self.pattern is not None:
            out["pattern"] = self.pattern
        return out


def _best_rows(scored: Scored, top: int | None) -> np.ndarray:
    """Indices of the feasible rows that can be among the ``top`` best (ties kept)."""
    idx = np.flatnonzero(scored.feasible)
    if top and len(idx) > top:
        chi2 = scored.chi2[idx]
        kth = np.partition(chi2, top - 1)[top - 1]
        idx = idx[chi2 <= kth]
    return idx


def rank(query: Query, scored: Scored, top: int | None = None, feasible_only: bool = True) -> list[Candidate]:
    """Candidates best first (highest score, then smallest |ppm|, then count vector),
    keeping only feasible ones (in window, passing the applied rules) by default."""
    idx = _best_rows(scored, top) if feasible_only else np.arange(len(scored.ppm))
    if len(idx) == 0:
        return []
    keys = [scored.counts[idx, j] for j in reversed(range(scored.counts.shape[1]))]
    order = np.lexsort((*keys, np.abs(scored.ppm[idx]), scored.chi2[idx]))
    idx = idx[order][:top] if top else idx[order]
    upper = query.effective_upper
    capped = upper < query.fit_cap
    out = []
    for i in idx:
        vec = scored.counts[i]
        f = Formula.from_vector(query.elements, vec, allow_odd_electron=True)
        out.append(Candidate(
            formula=f.hill, counts=f.counts, mass=float(scored.mass[i]), ppm=float(scored.ppm[i]),
            isotope_mismatch=float(scored.mismatch[i]), score=float(scored.score[i]),
            rdbe=float(f.rdbe), rules={name: bool(v[i] <= 0) for name, v in scored.rules.items()},
            pattern=None if scored.patterns is None else [float(x) for x in scored.patterns[i]],
            mass_term=float(scored.mass_term[i]), isotope_term=float(scored.isotope_term[i]),
            prior_term=float(scored.prior_term[i]), rule_term=float(scored.rule_term[i]),
            at_limit=[e for e, n, u, c in zip(query.elements, vec, upper, capped) if c and n >= u]))
    return out


#: Order in which the exact search applies the rules that need no pattern: cheapest and
#: most selective first, each on what the previous ones let through.
_FILTER_ORDER = ("hc_ratio", "heteroatom_ratios", "element_counts", "element_probability", "lewis_senior")


def without_isotope_filter(query: Query) -> Query | None:
    """``query`` with rule 3 no longer a filter (its verdict still reported, the isotope fit
    still in the score), or None when rule 3 is not a filter of ``query``.

    Used when no composition in the window passes rule 3. The rule rejects a candidate
    whose isotope chi-square a true formula reaches with probability below
    ``isotope_p_value`` (1e-4) under the intensity-error model, so if the truth is in the
    window, every candidate failing happens with probability at most that: the measurement
    is then outside the error model (one peak drawn several sigma off, or a noisier
    instrument than stated), and a filter built on that model no longer says which
    candidates are impossible. The candidates are ranked by score instead (the isotope
    likelihood still weighs them), each shown failing rule 3, with a warning. SIRIUS does the
    same with its isotope filter: it removes candidates only when at least one candidate's
    isotope score clears the filtering threshold, and otherwise keeps them all
    (``IsotopePatternInMs1Plugin.filterFormulasByIsotopeScore``, sirius-ms/sirius).
    """
    if "isotope_pattern" not in query.rule_names:
        return None
    rules = replace(query.rules, rules=tuple(r for r in query.rules.rules if r != "isotope_pattern"))
    return replace(query, rules=rules)


def exact_search(query: Query, top: int | None = 10, max_sub: float = MAX_SUB_COMPOSITIONS,
                 max_window: float = MAX_WINDOW) -> tuple[list[Candidate], dict[str, float]]:
    """All compositions in the query's window, scored and ranked; with statistics
    (``enumerated``: compositions in the window; ``feasible``: those in it passing the
    rules applied as filters that need no isotope pattern; ``scored``: those whose isotope
    pattern was computed). Streams the window in chunks, keeping only each chunk's best
    ``top`` (all with ``top=None``); a composition whose score without the isotope term
    (which is >= 0) is already worse than the ``top``-th best so far is not scored: the
    ranking is exact. When compositions pass every other filter but none passes rule 3,
    they are ranked without that filter (:func:`without_isotope_filter`) and the
    statistics hold ``rule3_relaxed`` = 1. Raises :class:`SearchTooLarge` for a search it
    cannot finish."""
    candidates, stats = _exact_search(query, top, max_sub, max_window)
    relaxed = without_isotope_filter(query) if not candidates and stats["feasible"] else None
    if relaxed is not None:
        candidates, again = _exact_search(relaxed, top, max_sub, max_window)
        if candidates:
            stats = {**again, "rule3_relaxed": 1.0}
    return candidates, stats


def _exact_search(query: Query, top: int | None, max_sub: float,
                  max_window: float) -> tuple[list[Candidate], dict[str, float]]:
    """:func:`exact_search` with the query's filters as they are."""
    lo, hi = query.window
    cheap = tuple(r for r in query.rule_names if r != "isotope_pattern")
    table = query.pattern_table() if query.pattern is not None else None
    n_window = 0
    n_feasible = 0
    n_scored = 0
    kept: list[np.ndarray] = []
    kept_chi2: list[np.ndarray] = []
    worst = np.inf                            # the top-th best -2 ln score so far
    for counts in stream_compositions(query.masses, query.lower, query.effective_upper, lo, hi,
                                      max_sub=max_sub, max_window=max_window):
        n_window += len(counts)
        for name in sorted(cheap, key=_FILTER_ORDER.index):   # each rule on the survivors only
            if not len(counts):
                break
            violation = evaluate_rules(counts, query.elements, RuleSet(name, (name,), query.rules.ranges))[name]
            counts = counts[violation <= 0]
        n_feasible += len(counts)
        if not len(counts):
            continue
        if top:       # most promising first (by the bound), then the rest that can still beat them
            bound = query.lower_bound(counts)
            order = np.argsort(bound, kind="stable")
            head = max(4 * top, 256)
            batches = [order[:head], order[head:]]
        else:
            bound, batches = None, [np.arange(len(counts))]
        for rows in batches:
            if bound is not None and np.isfinite(worst):
                rows = rows[bound[rows] <= worst]
            if not len(rows):
                continue
            n_scored += len(rows)
            scored = query.score_counts(counts[rows], table)
            best = _best_rows(scored, top)
            kept.append(counts[rows][best])
            kept_chi2.append(scored.chi2[best])
            if top:
                pooled = np.concatenate(kept_chi2)
                if len(pooled) >= top:
                    worst = float(np.partition(pooled, top - 1)[top - 1])
    pool = np.concatenate(kept) if kept else np.zeros((0, len(query.elements)), dtype=np.int64)
    scored = query.score_counts(pool, table)
    stats = {"enumerated": float(n_window), "feasible": float(n_feasible), "scored": float(n_scored)}
    return rank(query, scored, top), stats
