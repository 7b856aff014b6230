"""Constraint-domination ranking, crowding distance and tournaments, vectorised.

Constraint-domination (Deb 2000): a feasible design beats an infeasible one; two
infeasible designs compare by total violation; two feasible ones by Pareto dominance.
Feasible designs get the non-dominated ranks from moocore's ``pareto_rank`` (a compiled
O(n log n) sort for 2–3 objectives; DEAP's ``sortNondominated`` is O(M n^2) in Python);
infeasible ones follow, ranked by their violation.
"""

from __future__ import annotations

import moocore
import numpy as np


def constrained_ranks(F: np.ndarray, CV: np.ndarray) -> np.ndarray:
    """Front index (0 = best) of every row of ``F`` under constraint-domination."""
    n = len(F)
    ranks = np.empty(n, dtype=np.int64)
    feasible = CV <= 0.0
    next_rank = 0
    if feasible.any():
        Ff = F[feasible]
        if not np.isfinite(Ff).all():
            # moocore's 3-D sort misranks infinite values ([inf, 0, 2] behind points it does
            # not dominate); dominance is unchanged by an increasing map of each objective,
            # so sort the per-objective dense ranks instead
            Ff = np.column_stack([_scalar_ranks(col) for col in Ff.T]).astype(float)
        ranks[feasible] = moocore.pareto_rank(Ff) if F.shape[1] > 1 else _scalar_ranks(Ff[:, 0])
        next_rank = int(ranks[feasible].max()) + 1
    if (~feasible).any():
        ranks[~feasible] = next_rank + _scalar_ranks(CV[~feasible])
    return ranks


def _scalar_ranks(values: np.ndarray) -> np.ndarray:
    """Dense ranks of a vector (equal values share a rank)."""
    _, inverse = np.unique(values, return_inverse=True)
    return inverse.astype(np.int64)


def crowding_distance(F: np.ndarray, ranks: np.ndarray) -> np.ndarray:
    """Crowding distance of every point within its own front (Deb et al. 2002).

    For each objective the points of a front are sorted; an interior point gets the gap
    between its neighbours divided by the front's extent, the extremes get infinity.
    All fronts are processed together: sorting by (rank, f_j) puts each front in one
    contiguous run. Equal values of f_j keep the population's order (DEAP's
    ``assignCrowdingDist`` keeps the previous objective's order instead, so the two can
    differ where points tie in some objectives but not all; elsewhere they agree up to
    DEAP's extra factor 1/m, ``tests/engine/test_outside_engine.py``).
    """
    n, m = F.shape
    dist = np.zeros(n)
    if n == 0:
        return dist
    for j in range(m):
        order = np.lexsort((F[:, j], ranks))
        r, v = ranks[order], F[order, j]
        first = np.r_[True, r[1:] != r[:-1]]
        last = np.r_[r[1:] != r[:-1], True]
        starts = np.flatnonzero(first)
        run = np.cumsum(first) - 1
        lo = v[starts][run]
        hi = v[np.flatnonzero(last)][run]
        extent = hi - lo
        gap = np.zeros(n)
        interior = ~(first | last)
        gap[interior] = v[2:][interior[1:-1]] - v[:-2][interior[1:-1]]
        with np.errstate(divide="ignore", invalid="ignore"):
            contrib = np.where(extent > 0, gap / extent, 0.0)
        contrib[first | last] = np.inf
        dist[order] += contrib
    return dist


def binary_tournament(primary: np.ndarray, secondary: np.ndarray | None, n: int,
                      rng: np.random.Generator) -> np.ndarray:
    """Indices of ``n`` winners of binary tournaments: smaller ``primary`` wins, then larger
    ``secondary`` (e.g. crowding), then a fair coin. Contestants are drawn from random
    permutations, so every member enters about ``2n / size`` tournaments (less selection
    noise than drawing with replacement)."""
    size = len(primary)
    n_perms = -(-2 * n // size)
    contestants = np.concatenate([rng.permutation(size) for _ in range(n_perms)])[: 2 * n]
    a, b = contestants[0::2], contestants[1::2]
    coin = rng.random(n) < 0.5
    a_wins = primary[a] < primary[b]
    tie = primary[a] == primary[b]
    if secondary is not None:
        a_wins |= tie & (secondary[a] > secondary[b])
        tie &= secondary[a] == secondary[b]
    a_wins |= tie & coin
    return np.where(a_wins, a, b)


def constraint_dominates(F: np.ndarray, CV: np.ndarray) -> np.ndarray:
    """Boolean matrix D[i, j] = design i constraint-dominates design j (O(n^2 m) memory)."""
    feas = CV <= 0.0
    le = (F[:, None, :] <= F[None, :, :]).all(axis=2)
    lt = (F[:, None, :] < F[None, :, :]).any(axis=2)
    pareto = le & lt
    both_feasible = feas[:, None] & feas[None, :]
    D = np.where(both_feasible, pareto, False)
    D |= feas[:, None] & ~feas[None, :]
    D |= (~feas[:, None] & ~feas[None, :]) & (CV[:, None] < CV[None, :])
    return D


def dominance_tournament(F: np.ndarray, CV: np.ndarray, crowding: np.ndarray, n: int,
                         rng: np.random.Generator) -> np.ndarray:
    """Indices of ``n`` binary-tournament winners under constraint-domination: if either
    contestant is infeasible the smaller violation wins; two feasible ones compare by
    Pareto dominance, then by larger crowding distance, then by a fair coin (pymoo's
    ``comp_by_dom_and_crowding``). Contestants come from random permutations."""
    size = len(F)
    n_perms = -(-2 * n // size)
    contestants = np.concatenate([rng.permutation(size) for _ in range(n_perms)])[: 2 * n]
    a, b = contestants[0::2], contestants[1::2]
    coin = rng.random(n) < 0.5
    Fa, Fb = F[a], F[b]
    a_dom = (Fa <= Fb).all(axis=1) & (Fa < Fb).any(axis=1)
    b_dom = (Fb <= Fa).all(axis=1) & (Fb < Fa).any(axis=1)
    infeasible = (CV[a] > 0) | (CV[b] > 0)
    a_wins = np.where(infeasible, (CV[a] < CV[b]) | ((CV[a] == CV[b]) & coin),
                      a_dom | (~b_dom & ((crowding[a] > crowding[b]) | ((crowding[a] == crowding[b]) & coin))))
    return np.where(a_wins, a, b)
