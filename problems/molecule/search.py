"""The exact baseline: enumerate every composition in the mass window, score, rank.

Enumeration is meet-in-the-middle. The alphabet is split into two groups whose
sub-compositions (every count vector within the bounds and under the top of the
window) are listed with their masses; one list is sorted, and for each entry of the
other a binary search finds the partners whose summed mass lies in the window. The
work is about the size of the two lists (each near the square root of the full
space) plus the number of answers, so a 900 Da query over ten elements takes a
second or so instead of the hours a nested loop over 10^8 vectors would take.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from gadesign_problems.molecule.formula import Formula
from gadesign_problems.molecule.query import Query, Scored
from gadesign_problems.molecule.rules import RuleSet, evaluate_rules


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
    """Number of sub-compositions with nominal mass <= ``limit`` (a dynamic programme)."""
    dp = np.zeros(limit + 1)
    dp[0] = 1.0
    for m, lo, hi in zip(nominal, lower, upper):
        new = np.zeros_like(dp)
        for k in range(int(lo), int(hi) + 1):
            shift = k * m
            if shift > limit:
                break
            new[shift:] += dp[:limit + 1 - shift]
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


def enumerate_compositions(masses: np.ndarray, lower: Sequence[int], upper: Sequence[int],
                           lo: float, hi: float) -> np.ndarray:
    """Every integer vector ``n`` with ``lower <= n <= upper`` and ``lo <= n . masses <= hi``.

    ``masses`` are per-element masses (Da); returns an (N, k) int64 array in no
    particular order.
    """
    masses = np.asarray(masses, dtype=float)
    lower = np.asarray(lower, dtype=np.int64)
    upper = np.asarray(upper, dtype=np.int64)
    k = len(masses)
    if k == 0 or hi < lo or (lower > upper).any():
        return np.zeros((0, k), dtype=np.int64)
    a_idx, b_idx = split_alphabet(masses, lower, upper, hi)
    base = float(lower @ masses)
    a_counts, a_mass = _sub_compositions(masses[a_idx], lower[a_idx], upper[a_idx],
                                         hi - base + float(lower[a_idx] @ masses[a_idx]))
    b_counts, b_mass = _sub_compositions(masses[b_idx], lower[b_idx], upper[b_idx],
                                         hi - base + float(lower[b_idx] @ masses[b_idx]))
    order = np.argsort(b_mass, kind="stable")
    b_counts, b_mass = b_counts[order], b_mass[order]
    start = np.searchsorted(b_mass, lo - a_mass, side="left")
    stop = np.searchsorted(b_mass, hi - a_mass, side="right")
    n = stop - start
    total = int(n.sum())
    out = np.zeros((total, k), dtype=np.int64)
    if total:
        rows_a = np.repeat(np.arange(len(a_mass)), n)
        offsets = np.arange(total) - np.repeat(np.cumsum(n) - n, n)
        rows_b = np.repeat(start, n) + offsets
        out[:, a_idx] = a_counts[rows_a]
        out[:, b_idx] = b_counts[rows_b]
        exact = out @ masses
        out = out[(exact >= lo) & (exact <= hi)]
    return out


@dataclass
class Candidate:
    """One ranked formula with its scores and rule verdicts."""

    formula: str
    counts: dict[str, int]
    mass: float
    ppm: float
    isotope_mismatch: float
    score: float
    rdbe: float
    rules: dict[str, bool]
    pattern: list[float] | None = None

    def to_json(self) -> dict[str, object]:
        out: dict[str, object] = {"formula": self.formula, "ppm": self.ppm,
                                  "isotope_mismatch": self.isotope_mismatch, "score": self.score,
                                  "mass": self.mass, "rdbe": self.rdbe, "rules": self.rules}
        if self.pattern is not None:
            out["pattern"] = self.pattern
        return out


def rank(query: Query, scored: Scored, top: int | None = None, feasible_only: bool = True) -> list[Candidate]:
    """Candidates best first (highest score, then smallest |ppm|, then count vector),
    keeping only feasible ones (in window, passing the applied rules) by default."""
    idx = np.flatnonzero(scored.feasible) if feasible_only else np.arange(len(scored.ppm))
    if len(idx) == 0:
        return []
    if top and len(idx) > top:  # only the best `top` (and their ties) need a full sort
        kth = np.partition(scored.chi2[idx], top - 1)[top - 1]
        idx = idx[scored.chi2[idx] <= kth]
    keys = [scored.counts[idx, j] for j in reversed(range(scored.counts.shape[1]))]
    order = np.lexsort((*keys, np.abs(scored.ppm[idx]), scored.chi2[idx]))
    idx = idx[order][:top] if top else idx[order]
    out = []
    for i in idx:
        vec = scored.counts[i]
        f = Formula.from_vector(query.elements, vec, allow_odd_electron=True)
        rdbe = f.rdbe
        out.append(Candidate(
            formula=f.hill, counts=f.counts, mass=float(scored.mass[i]), ppm=float(scored.ppm[i]),
            isotope_mismatch=float(scored.mismatch[i]), score=float(np.exp(-0.5 * scored.chi2[i])),
            rdbe=float(rdbe), rules={name: bool(v[i] <= 0) for name, v in scored.rules.items()},
            pattern=None if scored.patterns is None else [float(x) for x in scored.patterns[i]]))
    return out


def exact_search(query: Query, top: int | None = 10) -> tuple[list[Candidate], dict[str, float]]:
    """All compositions in the query's window, scored and ranked; with statistics
    (``enumerated``: compositions in the window, ``feasible``: those passing the rules)."""
    lo, hi = query.window
    counts = enumerate_compositions(query.masses, query.lower, query.effective_upper, lo, hi)
    n_window = len(counts)
    cheap = tuple(r for r in query.rule_names if r != "isotope_pattern")
    if cheap and len(counts):
        violations = evaluate_rules(counts, query.elements, RuleSet("cheap", cheap, query.rules.ranges))
        counts = counts[np.all([v <= 0 for v in violations.values()], axis=0)]
    scored = query.score_counts(counts)
    stats = {"enumerated": float(n_window), "feasible": float(scored.feasible.sum())}
    return rank(query, scored, top), stats

