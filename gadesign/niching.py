"""Clearing by a problem's key in NSGA-II survival (optional ``niche_capacity``).

Clearing (A. Pétrowski, "A clearing procedure as a niching method for genetic
algorithms", Proc. IEEE ICEC 1996, 798-803): within each niche only the ``kappa`` best
members keep their fitness, the rest are cleared. Here a niche is the set of designs with
equal ``refine_key(x)`` (a discrete key such as an arm tree's topology, i.e. clearing
with radius 0 in the key's own distance), the order is the algorithm's own survival
order (NSGA-II: constraint-domination rank, then crowding), and a cleared member is moved
behind every winner, keeping its relative order, so it survives only when the winners
leave room. ``kappa = max(1, floor(niche_capacity * N))`` for a population of ``N``.

Why clearing and not restricted tournaments or islands: while no design is feasible,
constraint-domination ranks by the violation alone and survival fills the population
with the least violating key; clearing caps exactly that, keeps the algorithm's order
otherwise, needs no distance, no extra generator draws and no state (the keys are a
function of the genomes, so a restored checkpoint survives exactly as the run would have).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable, Sequence
from typing import Any

import numpy as np


def clear(order: Sequence[int] | np.ndarray, keys: Sequence[Hashable], capacity: int) -> np.ndarray:
    """``order`` (indices, best first) with every member beyond the ``capacity`` best of its
    key moved to the end, winners and cleared members each in their original order."""
    if capacity < 1:
        raise ValueError(f"niche capacity must be at least 1, got {capacity}")
    count: dict[Hashable, int] = {}
    winners: list[int] = []
    cleared: list[int] = []
    for i in order:
        k = keys[int(i)]
        n = count.get(k, 0)
        (winners if n < capacity else cleared).append(int(i))
        count[k] = n + 1
    return np.array(winners + cleared, dtype=int)


class Clearing:
    """Clearing with capacity ``fraction`` of the population per key of ``key(genome)``."""

    def __init__(self, key: Callable[[Any], Hashable], fraction: float) -> None:
        if not 0.0 < fraction <= 1.0:
            raise ValueError(f"niche_capacity must be a fraction of the population in (0, 1], got {fraction}")
        self.key = key
        self.fraction = float(fraction)

    def capacity(self, n: int) -> int:
        """Survivors one key may hold among ``n`` (at least 1)."""
        return max(1, math.floor(self.fraction * n + 1e-9))

    def order(self, genomes: Sequence[Any], order: Sequence[int] | np.ndarray, n: int) -> np.ndarray:
        """The survival ``order`` over ``genomes`` after clearing, for ``n`` survivors."""
        return clear(order, [self.key(g) for g in genomes], self.capacity(n))


def clearing_for(problem: Any) -> Clearing | None:
    """The problem's clearing: ``niche_capacity`` (fraction of the population, 0 or absent =
    off) with its ``refine_key``; ValueError for a capacity outside (0, 1], TypeError
    without a key."""
    fraction = float(getattr(problem, "niche_capacity", 0.0) or 0.0)
    if fraction <= 0.0:
        return None
    key = getattr(problem, "refine_key", None)
    if not callable(key):
        raise TypeError("niche_capacity needs the problem's refine_key(x) (the niche of a design)")
    return Clearing(key, fraction)
