"""Bounded integer vectors: uniform-reset or creep mutation, uniform or two-point crossover.

Creep mutation moves a gene by a signed step whose size is geometric with mean
``creep_mean`` (at least 1), so small moves are common and large ones possible; uniform
reset redraws the gene anywhere in its bounds. ``mutation="mixed"`` picks either per gene.
A DEAP operator (a callable or a ``deap.tools`` name such as ``"mutUniformInt"``, with
``mutation_args``) can replace either operator; children are rounded and clipped.
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

import numpy as np

from gadesign.genomes.vector import DiscreteVector


class IntegerVector(DiscreteVector):
    """A vector of integers, gene i in ``[lower[i], upper[i]]`` (inclusive)."""

    dtype = np.int64
    own_operators = {"crossover": ("uniform", "two_point"), "mutation": ("creep", "uniform", "mixed")}

    def __init__(self, lower: Sequence[int] | int, upper: Sequence[int] | int, n: int | None = None, *,
                 mutation: Any = "mixed", creep_mean: float = 1.5, crossover: Any = "uniform",
                 crossover_prob: float = 0.9, mutation_prob: float | None = None,
                 crossover_args: Mapping[str, Any] | None = None,
                 mutation_args: Mapping[str, Any] | None = None) -> None:
        lo = np.atleast_1d(np.asarray(lower, dtype=np.int64))
        hi = np.atleast_1d(np.asarray(upper, dtype=np.int64))
        size = n if n is not None else max(lo.size, hi.size)
        self.lower = np.broadcast_to(lo, (size,)).copy()
        self.upper = np.broadcast_to(hi, (size,)).copy()
        if np.any(self.upper < self.lower):
            raise ValueError("IntegerVector bounds need lower <= upper")
        native_mut = mutation in ("creep", "uniform", "mixed")
        native_cx = crossover in ("uniform", "two_point")
        self.n = size
        self.mutation = mutation if native_mut else "mixed"
        self.crossover_kind = crossover if native_cx else "uniform"
        self.creep_mean = max(float(creep_mean), 1.0)
        self.crossover_prob = float(crossover_prob)
        self.mutation_prob = 1.0 / size if mutation_prob is None else float(mutation_prob)
        self.bind_deap(None if native_cx else crossover, crossover_args,
                       None if native_mut else mutation, mutation_args)

    def sample(self, rng: np.random.Generator) -> np.ndarray:
        return rng.integers(self.lower, self.upper, endpoint=True)

    def sample_many(self, n: int, rng: np.random.Generator) -> list[np.ndarray]:
        return list(rng.integers(self.lower, self.upper, size=(n, self.n), endpoint=True))

    def _mutate_rows(self, X: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        Y = X.copy()
        mask = rng.random(X.shape) < self.mutation_prob
        steps = rng.geometric(1.0 / self.creep_mean, size=X.shape) * rng.choice([-1, 1], size=X.shape)
        crept = np.clip(X + steps, self.lower, self.upper)
        reset = rng.integers(self.lower, self.upper, size=X.shape, endpoint=True)
        if self.mutation == "creep":
            new = crept
        elif self.mutation == "uniform":
            new = reset
        else:
            new = np.where(rng.random(X.shape) < 0.5, crept, reset)
        Y[mask] = new[mask]
        return Y

    def repair(self, x: np.ndarray) -> np.ndarray:
        """``x`` clipped into the bounds; fractional values (a plugin's own operator or
        whole-design repair) are rounded to the nearest integer, not truncated toward 0."""
        arr = np.asarray(x)
        if not np.issubdtype(arr.dtype, np.integer):
            arr = np.clip(np.rint(arr.astype(float)), self.lower, self.upper)
        return np.clip(arr.astype(np.int64), self.lower, self.upper)

    def to_json(self, x: np.ndarray) -> list[int]:
        return [int(v) for v in x]

    def from_json(self, data: Any) -> np.ndarray:
        x = np.asarray(data)
        if x.shape != (self.n,) or not np.issubdtype(x.dtype, np.integer):
            raise ValueError(f"expected a list of {self.n} integers")
        return x.astype(np.int64)

    def describe(self) -> dict[str, Any]:
        return self._describe_operators(
            {"type": "IntegerVector", "n": self.n, "lower": self.lower.tolist(), "upper": self.upper.tolist(),
             "mutation": self.mutation, "crossover": self.crossover_kind})
