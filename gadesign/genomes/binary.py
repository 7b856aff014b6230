"""Bit strings with bit-flip mutation and uniform or two-point crossover."""

from __future__ import annotations

from typing import Any, Literal, Sequence

import numpy as np

from gadesign.genomes.base import Genome
from gadesign.genomes.crossover import two_point_masks, uniform_masks, vary_rows


class BinaryVector(Genome[np.ndarray]):
    """``n`` bits stored as a uint8 array of 0/1; each bit flips with ``mutation_prob``
    (default 1/n); ``ones_prob`` is the chance of a 1 when sampling."""

    def __init__(self, n: int, *, crossover: Literal["uniform", "two_point"] = "uniform",
                 crossover_prob: float = 0.9, mutation_prob: float | None = None, ones_prob: float = 0.5) -> None:
        if n < 1:
            raise ValueError("BinaryVector needs n >= 1")
        if crossover not in ("uniform", "two_point"):
            raise ValueError(f"unknown crossover {crossover!r}")
        self.n = int(n)
        self.crossover_kind = crossover
        self.crossover_prob = float(crossover_prob)
        self.mutation_prob = 1.0 / n if mutation_prob is None else float(mutation_prob)
        self.ones_prob = float(ones_prob)

    def sample(self, rng: np.random.Generator) -> np.ndarray:
        return (rng.random(self.n) < self.ones_prob).astype(np.uint8)

    def sample_many(self, n: int, rng: np.random.Generator) -> list[np.ndarray]:
        return list((rng.random((n, self.n)) < self.ones_prob).astype(np.uint8))

    def _mutate_rows(self, X: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        return X ^ (rng.random(X.shape) < self.mutation_prob).astype(np.uint8)

    def _cross_rows(self, A: np.ndarray, B: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        masks = uniform_masks if self.crossover_kind == "uniform" else two_point_masks
        m = masks(A.shape, rng)
        return np.where(m, B, A), np.where(m, A, B)

    def mutate(self, x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        return self._mutate_rows(np.asarray(x, np.uint8)[None, :], rng)[0]

    def crossover(self, a: np.ndarray, b: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        c1, c2 = self._cross_rows(np.asarray(a, np.uint8)[None, :], np.asarray(b, np.uint8)[None, :], rng)
        return c1[0], c2[0]

    def vary(self, parents: Sequence[np.ndarray], rng: np.random.Generator) -> list[np.ndarray]:
        return list(vary_rows(np.asarray(parents, np.uint8), self.crossover_prob, self._cross_rows,
                              self._mutate_rows, rng))

    def to_json(self, x: np.ndarray) -> list[int]:
        return [int(v) for v in x]

    def from_json(self, data: Any) -> np.ndarray:
        x = np.asarray(data)
        if x.shape != (self.n,) or not np.isin(x, (0, 1)).all():
            raise ValueError(f"expected a list of {self.n} bits (0/1)")
        return x.astype(np.uint8)

    def key(self, x: np.ndarray) -> bytes:
        return np.asarray(x, np.uint8).tobytes()

    def describe(self) -> dict[str, Any]:
        return {"type": "BinaryVector", "n": self.n, "crossover": self.crossover_kind,
                "mutation_prob": self.mutation_prob}
