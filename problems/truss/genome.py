"""Truss design genomes: sizing alone, or topology (member present) plus sizing.

Sizing is a :class:`RealVector` of group areas within the allowed range, or an
:class:`IntegerVector` of indices into a discrete catalogue of sections. Topology adds a
:class:`BinaryVector` (one bit per member) in a :class:`Composite`; each part keeps its
own operators (bit flips and uniform crossover; SBX and polynomial mutation, or creep
mutation on catalogue indices) and the composite's repair removes what cannot carry
load:

A pin joint that no load or support acts on, reached by at most d members (d = 2 or 3
dimensions), carries nothing: its members are either zero-force members (when their
directions are independent, equilibrium of the joint forces them to zero) or form a
mechanism. Such joints and their members are removed repeatedly until none is left.
Loaded and supported ("basic") joints are never removed.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from gadesign.genomes import BinaryVector, Composite, IntegerVector, RealVector
from gadesign.genomes.base import Genome
from gadesign_problems.truss.structure import Truss


#: Operator settings of continuous sizing. At a minimum-weight design many stress and
#: displacement constraints are active together, so progress needs small coordinated
#: moves of many areas: SBX on every variable (eta_c 20) and polynomial mutation of ~30%
#: of the genes with a narrow spread (eta_m 100, typical step ~1% of the range). Over
#: seeds 1-3 at the default budget this took the GA from 0.08-0.73% above the published
#: 10/25/72-bar optima (engine defaults: 1/n genes, eta_m 20, eta_c 15) to 0.06-0.21%.
SIZING_OPERATORS = {"eta_c": 20.0, "eta_m": 100.0, "mutation_prob": 0.3, "var_crossover_prob": 1.0}


def sizing_genome(truss: Truss, catalogue: str, lower: float | None = None) -> Genome[Any]:
    """The sizing part: areas per group in [area.min, area.max] (or [lower, max]), or
    catalogue indices for ``catalogue='discrete'`` (the file's discrete ``area`` or its
    ``area_discrete_variant``)."""
    n = len(truss.groups)
    if catalogue == "discrete":
        values = discrete_values(truss)
        return IntegerVector(0, len(values) - 1, n, mutation="mixed", creep_mean=1.5)
    if truss.area is None or truss.area.kind != "continuous":
        raise ValueError(f"{truss.name}: no continuous area range in the definition")
    lo = truss.area.lower if lower is None else lower
    return RealVector(lo, truss.area.upper, n, **SIZING_OPERATORS)


def discrete_values(truss: Truss) -> np.ndarray:
    """The discrete catalogue of section areas of a truss definition (sorted)."""
    if truss.area is not None and truss.area.kind == "discrete":
        return np.asarray(truss.area.values)
    variant = truss.extra.get("area_discrete_variant")
    if isinstance(variant, dict) and variant.get("type") == "discrete":
        return np.sort(np.asarray(variant["values"], dtype=float))
    raise ValueError(f"{truss.name}: no discrete catalogue in the definition")


def prune_members(truss: Truss, present: np.ndarray) -> np.ndarray:
    """``present`` with the members removed that meet, at a non-basic joint with no load
    or support, at most ``dim`` present members (repeated until stable)."""
    keep = np.asarray(present, dtype=bool).copy()
    protected = np.zeros(truss.n_nodes, bool)
    protected[truss.essential_nodes()] = True
    ends = truss.members
    while True:
        degree = np.bincount(ends[keep].ravel(), minlength=truss.n_nodes)
        weak = (~protected) & (degree > 0) & (degree <= truss.dim)
        drop = keep & (weak[ends[:, 0]] | weak[ends[:, 1]])
        if not drop.any():
            return keep
        keep &= ~drop


class TopologyRepair:
    """The composite's repair: prune bits; sizes of absent members are kept (they are
    inherited if the member comes back), so that repair only touches the topology."""

    def __init__(self, truss: Truss) -> None:
        self.truss = truss

    def __call__(self, design: dict[str, Any]) -> dict[str, Any]:
        bits = np.asarray(design["present"], dtype=np.uint8)
        kept = prune_members(self.truss, bits.astype(bool))
        return {**design, "present": kept.astype(np.uint8)}


class SeededComposite(Composite):
    """A :class:`Composite` whose initial population starts with given designs (e.g. the
    linear-programming layout); the rest are random as usual. Variation is unchanged."""

    def __init__(self, parts: dict[str, Genome[Any]], repair: Any, seeds: list[dict[str, Any]]) -> None:
        super().__init__(parts, repair=repair)
        self.seeds = [dict(s) for s in seeds]

    def sample_many(self, n: int, rng: np.random.Generator) -> list[dict[str, Any]]:
        population = super().sample_many(n, rng)
        for i, seed in enumerate(self.seeds[:n]):
            population[i] = self.repair({k: np.array(v, copy=True) for k, v in seed.items()})
        return population


def topology_genome(truss: Truss, catalogue: str, min_area: float,
                    seeds: list[dict[str, Any]] | None = None) -> Composite:
    """Composite of ``present`` (one bit per member) and ``areas`` (per member) with the
    pruning repair, its initial population led by ``seeds`` if given. Needs one group
    per member."""
    if len(truss.groups) != truss.n_members or any(len(g.members) != 1 for g in truss.groups):
        raise ValueError("topology genomes need one design variable (group) per member")
    parts = {"present": BinaryVector(truss.n_members, ones_prob=0.8),
             "areas": sizing_genome(truss, catalogue, lower=min_area)}
    if seeds:
        return SeededComposite(parts, TopologyRepair(truss), seeds)
    return Composite(parts, repair=TopologyRepair(truss))
