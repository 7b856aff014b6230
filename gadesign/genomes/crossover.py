"""Crossover masks and the pairing loop shared by the fixed-length discrete genomes."""

from __future__ import annotations

from typing import Callable

import numpy as np

RowOp = Callable[[np.ndarray, np.random.Generator], np.ndarray]
PairOp = Callable[[np.ndarray, np.ndarray, np.random.Generator], tuple[np.ndarray, np.ndarray]]


def uniform_masks(shape: tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
    """Each gene is exchanged with probability 1/2."""
    return rng.random(shape) < 0.5


def two_point_masks(shape: tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
    """Genes between two random cut points (per row) are exchanged."""
    k, n = shape
    cuts = np.sort(rng.integers(0, n + 1, size=(k, 2)), axis=1)
    idx = np.arange(n)[None, :]
    return (idx >= cuts[:, :1]) & (idx < cuts[:, 1:])


def vary_rows(P: np.ndarray, crossover_prob: float, cross: PairOp, mutate: RowOp,
              rng: np.random.Generator) -> np.ndarray:
    """Pairs (0,1), (2,3), ... of ``P`` recombined with probability ``crossover_prob``, then
    every row mutated; an odd last row is only mutated."""
    k = len(P) // 2
    a, b = P[0:2 * k:2], P[1:2 * k:2]
    do = rng.random(k) < crossover_prob
    c1, c2 = cross(a, b, rng)
    children = P.copy()
    children[0:2 * k:2] = np.where(do[:, None], c1, a)
    children[1:2 * k:2] = np.where(do[:, None], c2, b)
    return mutate(children, rng)
