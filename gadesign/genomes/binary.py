"""Bit strings with bit-flip mutation and uniform or two-point crossover.

DEAP operators can replace either: ``BinaryVector(n, crossover=tools.cxTwoPoint,
mutation=tools.mutFlipBit, mutation_args={"indpb": 0.05})`` (or their names as strings).
"""

from __future__ import annotations

from typing import Any, Mapping

import numpy as np

from gadesign.genomes.vector import DiscreteVector


class BinaryVector(DiscreteVector):
    """``n`` bits stored as a uint8 array of 0/1; each bit flips with ``mutation_prob``
    (default 1/n); ``ones_prob`` is the chance of a 1 when sampling."""

    dtype = np.uint8
    own_operators = {"crossover": ("uniform", "two_point")}
    own_defaults = {"mutation": "bit flip"}

    def __init__(self, n: int, *, crossover: Any = "uniform", crossover_prob: float = 0.9,
                 mutation_prob: float | None = None, ones_prob: float = 0.5, mutation: Any = None,
                 crossover_args: Mapping[str, Any] | None = None,
                 mutation_args: Mapping[str, Any] | None = None) -> None:
        if n < 1:
            raise ValueError("BinaryVector needs n >= 1")
        native_cx = crossover in ("uniform", "two_point")
        self.n = int(n)
        self.crossover_kind = crossover if native_cx else "uniform"
        self.crossover_prob = float(crossover_prob)
        self.mutation_prob = 1.0 / n if mutation_prob is None else float(mutation_prob)
        self.ones_prob = float(ones_prob)
        self.bind_deap(None if native_cx else crossover, crossover_args, mutation, mutation_args)

    def sample(self, rng: np.random.Generator) -> np.ndarray:
        return (rng.random(self.n) < self.ones_prob).astype(np.uint8)

    def sample_many(self, n: int, rng: np.random.Generator) -> list[np.ndarray]:
        return list((rng.random((n, self.n)) < self.ones_prob).astype(np.uint8))

    def _mutate_rows(self, X: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        return X ^ (rng.random(X.shape) < self.mutation_prob).astype(np.uint8)

    def repair(self, x: np.ndarray) -> np.ndarray:
        """The nearest bit string: values from a plugin's own operator or a DEAP blend are
        rounded (>= 0.5 is 1) and clipped to 0/1, as IntegerVector rounds (0.3 was read as 1)."""
        arr = np.asarray(x)
        if arr.dtype == bool or np.issubdtype(arr.dtype, np.integer):
            return (arr > 0).astype(np.uint8)
        return (arr.astype(float) >= 0.5).astype(np.uint8)

    def to_json(self, x: np.ndarray) -> list[int]:
        return [int(v) for v in x]

    def from_json(self, data: Any) -> np.ndarray:
        x = np.asarray(data)
        if x.shape != (self.n,) or not np.isin(x, (0, 1)).all():
            raise ValueError(f"expected a list of {self.n} bits (0/1)")
        return x.astype(np.uint8)

    def describe(self) -> dict[str, Any]:
        return self._describe_operators({"type": "BinaryVector", "n": self.n, "crossover": self.crossover_kind,
                                         "mutation_prob": self.mutation_prob})
