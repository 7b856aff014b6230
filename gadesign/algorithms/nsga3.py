"""NSGA-III (Deb & Jain 2014, IEEE TEC 18(4):577–601), reference-direction survival.

Survival on the merged 2N population:

1. Sort into fronts by constraint-domination; keep whole fronts until the next one,
   the *last front* F_l, would overflow N.
2. Normalise: ideal point z* = running minimum of every objective; extreme points
   maximise the achievement scalarising function ``max_j (f_j - z*_j) / w_j`` with
   axis weights ``w = e_i`` (1e-6 elsewhere); the hyperplane through them gives the
   intercepts a_i and the nadir z* + a (falling back to the front's worst point when
   the plane is degenerate). ``f' = (f - z*) / (nadir - z*)``.
3. Associate each member with the reference direction (Das & Dennis points on the
   unit simplex, from DEAP's ``uniform_reference_points``) of least perpendicular
   distance.
4. Niching: repeatedly pick the direction with the fewest survivors (ties at random);
   if it has none, add the member of F_l closest to it, else a random one of F_l
   associated with it; directions with no candidates are skipped.

Mating: binary tournaments on total violation, otherwise random (as in the paper).
The ideal, worst and extreme points persist across generations and checkpoints.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from deap import tools

from gadesign.algorithms.base import Algorithm
from gadesign.algorithms.population import Population
from gadesign.algorithms.ranking import binary_tournament, constrained_ranks


def das_dennis(n_obj: int, n_partitions: int) -> np.ndarray:
    """Das & Dennis reference directions on the unit simplex: C(n_obj+p-1, p) points."""
    return np.asarray(tools.uniform_reference_points(n_obj, n_partitions), dtype=float)


def default_partitions(n_obj: int, pop_size: int) -> int:
    """Largest p whose Das–Dennis set does not exceed the population size."""
    from math import comb
    p = 1
    while comb(n_obj + p, p + 1) <= pop_size:
        p += 1
    return p


class NSGA3(Algorithm):
    """Reference-direction based many-objective survival."""

    name = "nsga3"

    def __init__(self, n_obj: int, pop_size: int, n_partitions: int | None = None) -> None:
        if n_obj < 2:  # one objective has no reference directions to spread over
            raise ValueError(f"nsga3 needs at least two objectives; this problem has {n_obj} "
                             "(use ga, mu+lambda, mu,lambda or cmaes)")
        super().__init__(n_obj, pop_size)
        p = n_partitions if n_partitions is not None else default_partitions(n_obj, pop_size)
        self.ref_dirs = das_dennis(n_obj, p)
        self.ideal = np.full(n_obj, np.inf)
        self.worst = np.full(n_obj, -np.inf)
        self.extremes: np.ndarray | None = None

    def select(self, pop: Population, n: int, rng: np.random.Generator) -> np.ndarray:
        return binary_tournament(pop.CV, None, n, rng)

    def survive(self, pop: Population, n: int, rng: np.random.Generator) -> Population:
        F = pop.F
        ranks = constrained_ranks(F, pop.CV)
        order = np.argsort(ranks, kind="stable")
        last_rank = ranks[order[min(n, len(pop)) - 1]]
        chosen = np.flatnonzero(ranks <= last_rank)
        feasible = pop.CV <= 0.0
        basis = F[feasible] if feasible.any() else F
        self.ideal = np.minimum(self.ideal, basis.min(axis=0))
        self.worst = np.maximum(self.worst, basis.max(axis=0))
        front0 = np.flatnonzero(ranks == 0)
        self.extremes = self._extreme_points(F[front0])
        nadir = self._nadir(F[front0], F[chosen])
        if len(chosen) <= n:  # whole fronts fill the population (or it has no more than n members)
            return pop.take(chosen)
        until_last = chosen[ranks[chosen] < last_rank]
        last = chosen[ranks[chosen] == last_rank]
        Fn = (F[chosen] - self.ideal) / np.maximum(nadir - self.ideal, 1e-12)
        niche, dist = self._associate(Fn)  # aligned with `chosen`
        is_last = ranks[chosen] == last_rank
        counts = np.bincount(niche[~is_last], minlength=len(self.ref_dirs))
        picked = self._niching(n - len(until_last), counts, niche[is_last], dist[is_last], rng)
        survivors = np.concatenate([until_last, last[picked]])
        return pop.take(survivors)

    # -- normalisation -------------------------------------------------------------------
    def _extreme_points(self, F: np.ndarray) -> np.ndarray:
        weights = np.eye(self.n_obj) + 1e-6 * (1 - np.eye(self.n_obj))
        candidates = F if self.extremes is None else np.vstack([self.extremes, F])
        shifted = candidates - self.ideal
        shifted[shifted < 1e-3] = 0.0
        asf = np.max(shifted[None, :, :] / weights[:, None, :], axis=2)  # (axes, points)
        return candidates[np.argmin(asf, axis=1)]

    def _nadir(self, front: np.ndarray, chosen: np.ndarray) -> np.ndarray:
        worst_front = front.max(axis=0)
        worst_pop = chosen.max(axis=0)
        try:
            M = self.extremes - self.ideal
            plane = np.linalg.solve(M, np.ones(self.n_obj))
            with np.errstate(divide="ignore"):  # a plane parallel to an axis: infinite intercept, capped below
                intercepts = 1.0 / plane
            if not np.allclose(M @ plane, 1.0) or np.any(intercepts <= 1e-6):
                raise np.linalg.LinAlgError("degenerate hyperplane")
            nadir = self.ideal + intercepts
            too_far = nadir > self.worst
            nadir[too_far] = self.worst[too_far]
        except np.linalg.LinAlgError:
            nadir = worst_front.copy()
        flat = nadir - self.ideal <= 1e-6
        nadir[flat] = worst_pop[flat]
        return nadir

    def _associate(self, Fn: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Nearest reference line (perpendicular distance) for every normalised point."""
        dirs = self.ref_dirs / np.linalg.norm(self.ref_dirs, axis=1, keepdims=True)
        proj = Fn @ dirs.T  # (points, dirs)
        sq = (Fn ** 2).sum(axis=1, keepdims=True) - proj ** 2
        perp = np.sqrt(np.maximum(sq, 0.0))
        niche = np.argmin(perp, axis=1)
        return niche, perp[np.arange(len(Fn)), niche]

    @staticmethod
    def _niching(k: int, counts: np.ndarray, niche: np.ndarray, dist: np.ndarray,
                 rng: np.random.Generator) -> np.ndarray:
        """Indices into the last front of the ``k`` members added by niche preservation."""
        counts = counts.copy()
        available = np.ones(len(niche), dtype=bool)
        open_dirs = np.ones(len(counts), dtype=bool)
        open_dirs[np.setdiff1d(np.arange(len(counts)), niche)] = False
        picked: list[int] = []
        while len(picked) < k:
            live = np.flatnonzero(open_dirs)
            least = live[counts[live] == counts[live].min()]
            j = int(least[rng.integers(0, len(least))])
            members = np.flatnonzero(available & (niche == j))
            if len(members) == 0:
                open_dirs[j] = False
                continue
            if counts[j] == 0:
                i = int(members[np.argmin(dist[members])])
            else:
                i = int(members[rng.integers(0, len(members))])
            picked.append(i)
            available[i] = False
            counts[j] += 1
        return np.asarray(picked, dtype=int)

    # -- checkpoint state ------------------------------------------------------------------
    def state(self) -> dict[str, Any]:
        return {"ideal": self.ideal.tolist(), "worst": self.worst.tolist(),
                "extremes": None if self.extremes is None else self.extremes.tolist(),
                "ref_dirs": self.ref_dirs.tolist()}

    def load_state(self, state: dict[str, Any]) -> None:
        self.ideal = np.asarray(state["ideal"], dtype=float)
        self.worst = np.asarray(state["worst"], dtype=float)
        self.extremes = None if state["extremes"] is None else np.asarray(state["extremes"], dtype=float)
        self.ref_dirs = np.asarray(state["ref_dirs"], dtype=float)
