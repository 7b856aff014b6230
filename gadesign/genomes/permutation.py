"""Permutations of 0..n-1 (tours, orders, assignments) with the classic order-based operators.

Crossovers (each child is again a permutation):

- ``"ox"`` order crossover (Davis 1985): child 1 keeps parent A's genes between two cuts
  and takes the others in parent B's order, starting after the second cut;
- ``"pmx"`` partially mapped crossover (Goldberg & Lingle 1985): child 1 keeps A's
  segment; each outside gene comes from B, followed through the segment's A->B mapping
  until it is no longer in the segment;
- ``"cx"`` cycle crossover (Oliver, Smith & Holland 1987): positions split into cycles
  of the parents' mapping; children take the cycles alternately from A and B, so every
  gene keeps a position it had in one parent.

Mutations (one move per child, with probability ``mutation_prob``): ``"swap"`` (two
genes exchanged), ``"inversion"`` (a segment reversed: a 2-opt move on a tour),
``"insertion"`` (one gene moved elsewhere). DEAP's ``cxOrdered``,
``cxPartialyMatched``, ``cxUniformPartialyMatched``, ``mutShuffleIndexes`` and
``mutInversion`` can be bound instead (``crossover="cxOrdered"``, see
:mod:`gadesign.genomes.deapops`).

An optional ``improve`` function (a pure, deterministic local search such as 2-opt on a
tour) is applied to every sampled and varied genome: that makes a memetic (Lamarckian)
algorithm of any engine algorithm.
"""

from __future__ import annotations

from typing import Any, Callable, Mapping, Sequence

import numpy as np

from gadesign.genomes.vector import VectorGenome

CROSSOVERS = ("ox", "pmx", "cx")
MUTATIONS = ("swap", "inversion", "insertion")


def _cuts(n: int, rng: np.random.Generator) -> tuple[int, int]:
    i, j = sorted(int(v) for v in rng.integers(0, n + 1, size=2))
    return i, j


def order_crossover(a: np.ndarray, b: np.ndarray, i: int, j: int) -> np.ndarray:
    """OX child of ``a`` (segment [i, j)) and ``b`` (the other genes, in b's order from j)."""
    n = len(a)
    child = np.empty(n, dtype=a.dtype)
    child[i:j] = a[i:j]
    inside = np.zeros(n, dtype=bool)
    inside[a[i:j]] = True
    order = np.roll(b, -j)
    fill = order[~inside[order]]
    positions = np.roll(np.arange(n), -j)
    positions = positions[(positions < i) | (positions >= j)]
    child[positions] = fill
    return child


def pmx_crossover(a: np.ndarray, b: np.ndarray, i: int, j: int) -> np.ndarray:
    """PMX child: a's segment [i, j), b's genes outside it mapped through the segment."""
    child = b.copy()
    child[i:j] = a[i:j]
    pos_a = np.empty(len(a), dtype=np.int64)
    pos_a[a] = np.arange(len(a))
    inside = np.zeros(len(a), dtype=bool)
    inside[a[i:j]] = True
    for k in list(range(0, i)) + list(range(j, len(a))):
        v = b[k]
        while inside[v]:
            v = b[pos_a[v]]
        child[k] = v
    return child


def cycle_crossover(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """CX children: cycles of positions taken alternately from a and b."""
    n = len(a)
    pos_a = np.empty(n, dtype=np.int64)
    pos_a[a] = np.arange(n)
    cycle = np.full(n, -1)
    c = 0
    for start in range(n):
        if cycle[start] >= 0:
            continue
        k = start
        while cycle[k] < 0:
            cycle[k] = c
            k = pos_a[b[k]]
        c += 1
    from_a = cycle % 2 == 0
    return np.where(from_a, a, b), np.where(from_a, b, a)


def is_permutation(x: Any, n: int) -> bool:
    arr = np.asarray(x)
    return arr.shape == (n,) and np.issubdtype(arr.dtype, np.integer) and \
        np.array_equal(np.sort(arr), np.arange(n))


class Permutation(VectorGenome):
    """A permutation of ``0..n-1`` as an int64 array."""

    dtype = np.int64
    own_operators = {"crossover": CROSSOVERS, "mutation": MUTATIONS}

    def __init__(self, n: int, *, crossover: Any = "ox", mutation: Any = "inversion", crossover_prob: float = 0.9,
                 mutation_prob: float = 1.0, crossover_args: Mapping[str, Any] | None = None,
                 mutation_args: Mapping[str, Any] | None = None,
                 improve: Callable[[np.ndarray], np.ndarray] | None = None) -> None:
        if n < 2:
            raise ValueError("Permutation needs n >= 2")
        if not 0.0 <= mutation_prob <= 1.0 or not 0.0 <= crossover_prob <= 1.0:
            raise ValueError("crossover_prob and mutation_prob must be in [0, 1]")
        self.n = int(n)
        native_cx, native_mut = crossover in CROSSOVERS, mutation in MUTATIONS
        self.crossover_kind = crossover if native_cx else "ox"
        self.mutation_kind = mutation if native_mut else "inversion"
        self.crossover_prob, self.mutation_prob = float(crossover_prob), float(mutation_prob)
        self.improve = improve
        self.bind_deap(None if native_cx else crossover, crossover_args,
                       None if native_mut else mutation, mutation_args)

    # -- sampling and repair ---------------------------------------------------------------
    def sample(self, rng: np.random.Generator) -> np.ndarray:
        return self.repair(rng.permutation(self.n))

    def sample_many(self, n: int, rng: np.random.Generator) -> list[np.ndarray]:
        return [self.sample(rng) for _ in range(n)]

    def repair(self, x: np.ndarray) -> np.ndarray:
        """A valid permutation (first occurrences kept, missing values appended in
        ascending order), then ``improve`` if given."""
        arr = np.asarray(x).astype(np.int64)
        if not is_permutation(arr, self.n):
            seen = np.zeros(self.n, dtype=bool)
            kept = []
            for v in arr.tolist():
                if 0 <= v < self.n and not seen[v]:
                    seen[v] = True
                    kept.append(v)
            arr = np.array(kept + np.flatnonzero(~seen).tolist(), dtype=np.int64)
        return self.improve(arr) if self.improve is not None else arr

    # -- native operators (rows of a matrix, one pair or child at a time) ---------------------
    def _cross_rows(self, A: np.ndarray, B: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        C1, C2 = A.copy(), B.copy()
        for r in range(len(A)):
            a, b = A[r], B[r]
            if self.crossover_kind == "cx":
                C1[r], C2[r] = cycle_crossover(a, b)
                continue
            i, j = _cuts(self.n, rng)
            op = order_crossover if self.crossover_kind == "ox" else pmx_crossover
            C1[r], C2[r] = op(a, b, i, j), op(b, a, i, j)
        return C1, C2

    def _mutate_rows(self, X: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        Y = X.copy()
        for r in range(len(X)):
            if rng.random() >= self.mutation_prob:
                continue
            i, j = (int(v) for v in rng.choice(self.n, size=2, replace=False))
            y = Y[r]
            if self.mutation_kind == "swap":
                y[i], y[j] = y[j], y[i]
            elif self.mutation_kind == "inversion":
                lo, hi = min(i, j), max(i, j)
                y[lo:hi + 1] = y[lo:hi + 1][::-1].copy()
            else:  # insertion: gene at i moves to position j
                Y[r] = np.insert(np.delete(y, i), j, y[i])
        return Y

    def vary(self, parents: Sequence[np.ndarray], rng: np.random.Generator) -> list[np.ndarray]:
        children = super().vary(parents, rng)
        if self.deap is not None:
            return children  # the DEAP path repairs already
        return [self.repair(c) for c in children]

    def mutate(self, x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        return self.repair(super().mutate(x, rng))

    def crossover(self, a: np.ndarray, b: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        c1, c2 = super().crossover(a, b, rng)
        return self.repair(c1), self.repair(c2)

    # -- JSON ---------------------------------------------------------------------------------
    def to_json(self, x: np.ndarray) -> list[int]:
        return [int(v) for v in x]

    def from_json(self, data: Any) -> np.ndarray:
        if not isinstance(data, list) or not all(isinstance(v, int) and not isinstance(v, bool) for v in data) \
                or not is_permutation(np.asarray(data, dtype=np.int64), self.n):
            raise ValueError(f"expected a permutation of 0..{self.n - 1} as a list of integers")
        return np.asarray(data, dtype=np.int64)

    def describe(self) -> dict[str, Any]:
        return self._describe_operators({"type": "Permutation", "n": self.n, "crossover": self.crossover_kind,
                                         "mutation": self.mutation_kind, "crossover_prob": self.crossover_prob,
                                         "mutation_prob": self.mutation_prob,
                                         "improve": getattr(self.improve, "__name__", None)})
