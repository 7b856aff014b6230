"""A genome of named parts, each a genome with its own operators.

A truss design, say, is ``Composite({"topology": BinaryVector(m), "areas": RealVector(lo, hi)})``:
bits are flipped and recombined as bits, areas by SBX and polynomial mutation. Variation
runs part by part on the whole mating pool (so each part keeps its vectorised
operators); an optional problem-level ``repair`` then sees the whole design, for rules
that tie parts together (e.g. drop sizes of absent members).
"""

from __future__ import annotations

from typing import Any, Callable, Mapping, Sequence

import numpy as np

from gadesign.genomes.base import Genome

Design = dict[str, Any]


class Composite(Genome[Design]):
    """Named parts; a genome value is a ``dict`` part name -> part value."""

    def __init__(self, parts: Mapping[str, Genome[Any]], repair: Callable[[Design], Design] | None = None) -> None:
        if not parts:
            raise ValueError("Composite needs at least one part")
        self.parts: dict[str, Genome[Any]] = dict(parts)
        self._repair = repair

    def sample(self, rng: np.random.Generator) -> Design:
        return self.repair({name: g.sample(rng) for name, g in self.parts.items()})

    def sample_many(self, n: int, rng: np.random.Generator) -> list[Design]:
        columns = {name: g.sample_many(n, rng) for name, g in self.parts.items()}
        return [self.repair({name: columns[name][i] for name in self.parts}) for i in range(n)]

    def mutate(self, x: Design, rng: np.random.Generator) -> Design:
        return {name: g.mutate(x[name], rng) for name, g in self.parts.items()}

    def crossover(self, a: Design, b: Design, rng: np.random.Generator) -> tuple[Design, Design]:
        c1: Design = {}
        c2: Design = {}
        for name, g in self.parts.items():
            c1[name], c2[name] = g.crossover(a[name], b[name], rng)
        return c1, c2

    def repair(self, x: Design) -> Design:
        fixed = {name: g.repair(x[name]) for name, g in self.parts.items()}
        return self._repair(fixed) if self._repair is not None else fixed

    def vary(self, parents: Sequence[Design], rng: np.random.Generator) -> list[Design]:
        columns = {name: g.vary([p[name] for p in parents], rng) for name, g in self.parts.items()}
        return [self.repair({name: columns[name][i] for name in self.parts}) for i in range(len(parents))]

    def to_json(self, x: Design) -> dict[str, Any]:
        return {name: g.to_json(x[name]) for name, g in self.parts.items()}

    def from_json(self, data: Any) -> Design:
        if not isinstance(data, dict) or set(data) != set(self.parts):
            raise ValueError(f"expected an object with parts {sorted(self.parts)}")
        return {name: g.from_json(data[name]) for name, g in self.parts.items()}

    def key(self, x: Design) -> tuple[Any, ...]:
        return tuple(g.key(x[name]) for name, g in self.parts.items())

    def describe(self) -> dict[str, Any]:
        return {"type": "Composite", "parts": {name: g.describe() for name, g in self.parts.items()}}
