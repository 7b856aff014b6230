"""Variable-length lists of genes: insert/delete/modify mutation, cut-and-splice crossover.

Each gene is a value of a ``gene`` genome (e.g. a ``RealVector`` of a wire's length and
angles). Mutation picks one of: insert a random gene at a random position, delete one,
or mutate one with the gene genome's own operator. Cut-and-splice crossover (Goldberg's
messy GA) cuts each parent at its own random point and joins head of one to tail of the
other, so lengths change; cut points are drawn among those that keep both children
within ``[min_len, max_len]``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from gadesign.genomes.base import Genome


class VarLength(Genome[list[Any]]):
    """A list of ``min_len`` to ``max_len`` genes of genome ``gene``."""

    def __init__(self, gene: Genome[Any], min_len: int = 1, max_len: int = 10, *,
                 insert_prob: float = 1 / 3, delete_prob: float = 1 / 3, crossover_prob: float = 0.9) -> None:
        if not 0 <= min_len <= max_len or max_len < 1:
            raise ValueError("VarLength needs 0 <= min_len <= max_len and max_len >= 1")
        if insert_prob < 0 or delete_prob < 0 or insert_prob + delete_prob > 1:
            raise ValueError("insert_prob and delete_prob must be >= 0 and sum to at most 1")
        self.gene = gene
        self.min_len, self.max_len = int(min_len), int(max_len)
        self.insert_prob, self.delete_prob = float(insert_prob), float(delete_prob)
        self.crossover_prob = float(crossover_prob)

    def sample(self, rng: np.random.Generator) -> list[Any]:
        length = int(rng.integers(max(self.min_len, 1), self.max_len, endpoint=True))
        return [self.gene.sample(rng) for _ in range(length)]

    def mutate(self, x: list[Any], rng: np.random.Generator) -> list[Any]:
        y = list(x)
        u = rng.random()
        if u < self.insert_prob and len(y) < self.max_len:
            y.insert(int(rng.integers(0, len(y), endpoint=True)), self.gene.sample(rng))
        elif u < self.insert_prob + self.delete_prob and len(y) > self.min_len:
            del y[int(rng.integers(0, len(y)))]
        elif y:
            i = int(rng.integers(0, len(y)))
            y[i] = self.gene.repair(self.gene.mutate(y[i], rng))
        return y

    def crossover(self, a: list[Any], b: list[Any], rng: np.random.Generator) -> tuple[list[Any], list[Any]]:
        la, lb = len(a), len(b)
        i = np.arange(la + 1)[:, None]
        j = np.arange(lb + 1)[None, :]
        len1, len2 = i + (lb - j), j + (la - i)
        ok = (len1 >= self.min_len) & (len1 <= self.max_len) & (len2 >= self.min_len) & (len2 <= self.max_len)
        choices = np.argwhere(ok)
        if len(choices) == 0:
            return list(a), list(b)
        ci, cj = choices[int(rng.integers(0, len(choices)))]
        return list(a[:ci]) + list(b[cj:]), list(b[:cj]) + list(a[ci:])

    def repair(self, x: list[Any]) -> list[Any]:
        return [self.gene.repair(g) for g in x[: self.max_len]]

    def to_json(self, x: list[Any]) -> list[Any]:
        return [self.gene.to_json(g) for g in x]

    def from_json(self, data: Any) -> list[Any]:
        if not isinstance(data, list) or not self.min_len <= len(data) <= self.max_len:
            raise ValueError(f"expected a list of {self.min_len}..{self.max_len} genes")
        return [self.gene.from_json(g) for g in data]

    def describe(self) -> dict[str, Any]:
        return {"type": "VarLength", "gene": self.gene.describe(), "min_len": self.min_len, "max_len": self.max_len}
