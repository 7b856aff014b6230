"""The genome contract: a representation that owns its operators.

A problem declares its genome (``RealVector(lower, upper)``, ``Composite(...)``, a
plugin's own tree genome) and never wires operators by hand. The algorithms only call
:meth:`Genome.sample_many`, :meth:`Genome.vary` and :meth:`Genome.repair`, plus the
JSON pair for checkpoints and fronts.

Every random choice draws from the ``numpy.random.Generator`` passed in, so a run is a
pure function of its seed; no operator touches the ``random`` module or numpy's global
state.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
import json
from typing import Any, Generic, Hashable, Sequence, TypeVar

import numpy as np

G = TypeVar("G")


class Genome(ABC, Generic[G]):
    """A representation: sampling, variation, repair and JSON (de)serialisation.

    Subclasses implement the per-individual operators; the batch methods have generic
    defaults that fixed-length vector genomes override with vectorised versions.
    ``crossover_prob`` is the probability that a mating pair is recombined at all.
    """

    crossover_prob: float = 0.9
    #: True when :meth:`repair` costs enough (e.g. geometry) to be worth running on the
    #: evaluation workers: the engine then varies with :meth:`vary_unrepaired` and has
    #: the evaluator repair the children. Same children either way: ``repair`` must be a
    #: pure function of its argument (no random draws), and a genome that overrides
    #: :meth:`vary` overrides :meth:`vary_unrepaired` to match.
    parallel_repair: bool = False

    @abstractmethod
    def sample(self, rng: np.random.Generator) -> G:
        """One random genome (already repaired)."""

    @abstractmethod
    def mutate(self, x: G, rng: np.random.Generator) -> G:
        """A mutated copy of ``x``; ``x`` itself is not changed."""

    @abstractmethod
    def crossover(self, a: G, b: G, rng: np.random.Generator) -> tuple[G, G]:
        """Two children of ``a`` and ``b``; the parents are not changed."""

    def repair(self, x: G) -> G:
        """``x`` made valid (inside bounds, structurally sound). Identity by default."""
        return x

    def repair_cost(self, x: G) -> float:
        """How much more :meth:`repair` of ``x`` (with its evaluation) is expected to cost
        than an ordinary child's (1.0): a scheduling hint, never part of the result. A
        process pool sends children above 1 out first, one per task, so that a costly
        repair (a local search a mutation asked for, say) starts at once instead of
        holding up the end of the batch (longest-processing-time-first scheduling)."""
        return 1.0

    @abstractmethod
    def to_json(self, x: G) -> Any:
        """A JSON-able value from which :meth:`from_json` rebuilds ``x`` exactly."""

    @abstractmethod
    def from_json(self, data: Any) -> G:
        """The genome that :meth:`to_json` wrote; raises ``ValueError`` if malformed."""

    def describe(self) -> dict[str, Any]:
        """A JSON-able description of the representation (for config.json)."""
        return {"type": type(self).__name__}

    # -- batches: what the algorithms call ---------------------------------------------
    def sample_many(self, n: int, rng: np.random.Generator) -> list[G]:
        """``n`` random genomes."""
        return [self.sample(rng) for _ in range(n)]

    def vary(self, parents: Sequence[G], rng: np.random.Generator) -> list[G]:
        """Offspring of a mating pool: pairs (0,1), (2,3), ... are recombined with
        probability :attr:`crossover_prob`, then every child is mutated and repaired.
        Returns as many children as parents (an odd last parent is only mutated)."""
        return [self.repair(c) for c in self.vary_unrepaired(parents, rng)]

    def vary_unrepaired(self, parents: Sequence[G], rng: np.random.Generator) -> list[G]:
        """:meth:`vary` without the final repair (the same random draws)."""
        children: list[G] = []
        for i in range(0, len(parents) - 1, 2):
            a, b = parents[i], parents[i + 1]
            if rng.random() < self.crossover_prob:
                a, b = self.crossover(a, b, rng)
            children.extend((a, b))
        if len(parents) % 2:
            children.append(parents[-1])
        return [self.mutate(c, rng) for c in children]

    def key(self, x: G) -> Hashable:
        """A hashable identity of ``x``: equal keys mean identical genomes (used to drop
        duplicate offspring). Vector genomes override this with their raw bytes."""
        return json.dumps(self.to_json(x), sort_keys=True)
