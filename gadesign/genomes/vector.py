"""Fixed-length numpy vectors: the per-design operators are the population operators on one row.

Subclasses implement ``_mutate_rows`` and ``_cross_rows`` on whole matrices (one row per
design, pairs matched row by row); :class:`DiscreteVector` adds the gene-exchanging
crossovers (uniform, two-point) shared by integer and bit vectors.
"""

from __future__ import annotations

from abc import abstractmethod
from typing import Sequence

import numpy as np

from gadesign.genomes.base import Genome
from gadesign.genomes.crossover import two_point_masks, uniform_masks, vary_rows


class VectorGenome(Genome[np.ndarray]):
    """A vector of ``n`` genes of one numpy ``dtype``."""

    dtype: type = float
    n: int

    @abstractmethod
    def _mutate_rows(self, X: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """Every row of ``X`` mutated (a new array)."""

    @abstractmethod
    def _cross_rows(self, A: np.ndarray, B: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        """Children of the row pairs (A[i], B[i])."""

    def mutate(self, x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        return self._mutate_rows(np.asarray(x, self.dtype)[None, :], rng)[0]

    def crossover(self, a: np.ndarray, b: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        c1, c2 = self._cross_rows(np.asarray(a, self.dtype)[None, :], np.asarray(b, self.dtype)[None, :], rng)
        return c1[0], c2[0]

    def vary(self, parents: Sequence[np.ndarray], rng: np.random.Generator) -> list[np.ndarray]:
        return list(vary_rows(np.asarray(parents, self.dtype), self.crossover_prob, self._cross_rows,
                              self._mutate_rows, rng))

    def key(self, x: np.ndarray) -> bytes:
        return np.asarray(x, self.dtype).tobytes()


class DiscreteVector(VectorGenome):
    """Vectors recombined by exchanging whole genes: ``crossover_kind`` is "uniform" (each
    gene swapped with probability 1/2) or "two_point" (the genes between two cuts)."""

    crossover_kind: str = "uniform"

    def _cross_rows(self, A: np.ndarray, B: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        masks = uniform_masks if self.crossover_kind == "uniform" else two_point_masks
        m = masks(A.shape, rng)
        return np.where(m, B, A), np.where(m, A, B)
