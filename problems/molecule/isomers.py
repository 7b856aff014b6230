"""Structures with a given formula: a formula-preserving graph genome and an archive GA.

Constitutional isomers of a neutral formula (e.g. C7H16) are connected molecular graphs
on its heavy atoms whose bond orders leave exactly the formula's hydrogens: with every
atom at its lowest default valence v (C 4, N 3, O 2, S 2, P 3, halogens 1) the graph
holds ``B = (sum v - H) / 2`` bond units (a double bond is two). Every move of
:class:`~gadesign_problems.molecule.formula_graph.FormulaGraph` keeps the heavy atoms and the number of bond units, so it keeps the
formula; RDKit then sanitises the child and recounts its formula, and a child that fails
either is dropped (the parent is returned and the engine varies again):

``regraft``   cut a bond and re-attach the cut-off end to another atom of the far side
              (subtree prune and regraft on a tree; any atom when the bond was in a ring);
``shift``     take one bond unit from a bond (lower its order, or break a ring bond) and
              give it elsewhere (raise a bond's order, or close a ring): moves double
              bonds and trades a ring for a double bond;
``swap``      exchange the elements of two different heavy atoms;
``exchange``  two bonds of one order, a-b and c-d, become a-d and c-b (every atom keeps
              its bonds and hydrogens): the move that reaches all isomers of a graph with
              no free valence, such as a perfluoroalkane.

Every atom of a structure is neutral, closed-shell and at its lowest default valence
(RDKit also accepts S with 4 or 6 bonds, P with 5: such children are dropped).

Crossover is GB-GA's (:class:`~gadesign_problems.molecule.graph.MolGraph`), with children
kept only when they have exactly the formula. :func:`evolve_isomers` grows an unbounded
archive of distinct structures with this genome (a steady-state GA whose population is
the archive); the ``molecule-isomers`` problem ranks isomers by a property in the engine.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np

from gadesign.errors import ConfigError
from gadesign.problem import Evaluation, Objective
from gadesign_problems.molecule.design import require_rdkit

_TOKEN = re.compile(r"([A-Z][a-z]?)(\d*)")
MAX_HEAVY_ATOMS = 150  #: larger molecules have far more isomers than any archive can hold


def parse_formula(text: str) -> dict[str, int]:
    """Element counts of a neutral molecular formula such as ``C7H16`` or ``C2H6O``."""
    from rdkit import Chem

    text = text.strip()
    if text.rstrip("0123456789").endswith(("+", "-")):
        raise ConfigError(f"formula {text!r}: ions are not searched; give the neutral molecule's formula, e.g. C2H7N "
                          "for [C2H8N]+")
    if not text or "".join(m.group(0) for m in _TOKEN.finditer(text)) != text:
        raise ConfigError(f"formula {text!r}: write it as element symbols and counts (no isotope labels, brackets or spaces), "
                          "e.g. C7H16")
    counts: dict[str, int] = {}
    table = Chem.GetPeriodicTable()
    for sym, n in _TOKEN.findall(text):
        try:
            table.GetAtomicNumber(sym)
        except Exception:
            raise ConfigError(f"formula {text!r}: unknown element {sym!r}") from None
        counts[sym] = counts.get(sym, 0) + (int(n) if n else 1)
    counts = {e: n for e, n in counts.items() if n}   # C2H6O0 is C2H6 (RDKit never writes O0)
    heavy = sum(n for e, n in counts.items() if e != "H")
    if heavy == 0:
        raise ConfigError(f"formula {text!r}: no heavy atom")
    if heavy > MAX_HEAVY_ATOMS:
        raise ConfigError(f"formula {text!r}: {heavy} heavy atoms; structures are searched for at most "
                          f"{MAX_HEAVY_ATOMS}")
    return counts


def element_counts(text: str) -> dict[str, int]:
    """Element counts of a formula as RDKit writes it (no validation; see :func:`parse_formula`)."""
    counts: dict[str, int] = {}
    for sym, n in _TOKEN.findall(text):
        counts[sym] = counts.get(sym, 0) + (int(n) if n else 1)
    return counts


def hill(counts: dict[str, int]) -> str:
    """Hill notation of element counts (C, H first when carbon is present)."""
    order = (["C", "H"] + sorted(e for e in counts if e not in ("C", "H"))) if "C" in counts else sorted(counts)
    return "".join(f"{e}{counts[e] if counts[e] > 1 else ''}" for e in order if counts.get(e))


@lru_cache(maxsize=None)
def _valence(symbol: str) -> int:
    from rdkit import Chem
    table = Chem.GetPeriodicTable()
    return int(table.GetDefaultValence(table.GetAtomicNumber(symbol)))


def bond_units(counts: dict[str, int]) -> int:
    """Bond units ``B = (sum v - H) / 2`` of a formula (single bonds count 1, double 2).
    Raises ConfigError when no connected neutral structure can have the formula."""
    heavy = {e: n for e, n in counts.items() if e != "H"}
    n_heavy = sum(heavy.values())
    total = sum(_valence(e) * n for e, n in heavy.items())
    if any(_valence(e) <= 0 for e in heavy):
        raise ConfigError(f"formula {hill(counts)}: an element without a default valence")
    excess = total - counts.get("H", 0)
    if excess % 2 or excess // 2 < n_heavy - 1 or excess < 0:
        raise ConfigError(f"formula {hill(counts)}: no connected neutral structure has it with every atom at its "
                          f"lowest default valence (ring plus double bond equivalents {(excess / 2 - n_heavy + 1):g})")
    return excess // 2


def isomer_genome(formula: str, tries: int = 30, ring_filter: bool = False) -> Any:
    """The genome of structures with exactly ``formula`` (RDKit needed); ``ring_filter``
    keeps only structures passing GB-GA's ring filter (no ring larger than 6, no ring
    allene, no double bond in a 3- or 4-membered ring)."""
    require_rdkit("molecule-isomers")
    from gadesign_problems.molecule.formula_graph import FormulaGraph
    return FormulaGraph(parse_formula(formula), tries=tries, ring_filter=ring_filter)


@dataclass
class Archive:
    """Distinct structures found by :func:`evolve_isomers`, in order of discovery, with the
    number of children made (``evaluations``) when each was found."""

    formula: str
    smiles: list[str] = field(default_factory=list)
    found_at: list[int] = field(default_factory=list)
    evaluations: int = 0


def evolve_isomers(formula: str, seed: int = 1, evaluations: int = 20_000, pop: int = 100,
                   patience: int = 50, ring_filter: bool = False) -> Archive:
    """Evolve an archive of distinct structures with exactly ``formula``.

    A steady-state GA whose population is the archive: ``pop`` random structures start
    it; each step draws ``pop`` parents uniformly from the archive, varies them
    (crossover, then a formula-preserving mutation) and adds every child not seen before.
    Stops after ``evaluations`` children or ``patience`` steps in a row without a new
    structure. Deterministic from ``seed``. ``ring_filter``: see :func:`isomer_genome`.
    """
    from gadesign.options import at_least

    at_least(seed, "--seed", 0)  # numpy's PCG64 refuses a negative seed with a bare ValueError
    genome = isomer_genome(formula, ring_filter=ring_filter)
    rng = np.random.Generator(np.random.PCG64(seed))
    archive = Archive(hill(genome.counts))
    seen: dict[str, None] = {}
    start = genome.sample_many(pop, rng)   # ConfigError naming the formula when none is found
    for smi in start:
        if smi not in seen:
            seen[smi] = None
            archive.smiles.append(smi)
            archive.found_at.append(0)
    idle = 0
    while archive.evaluations < evaluations and idle < patience:
        n = min(pop + pop % 2, evaluations - archive.evaluations)
        idx = rng.integers(len(archive.smiles), size=max(n, 2))
        kids = genome.vary([archive.smiles[int(i)] for i in idx], rng)[:n]
        archive.evaluations += len(kids)
        new = 0
        for kid in kids:
            if kid not in seen:
                seen[kid] = None
                archive.smiles.append(kid)
                archive.found_at.append(archive.evaluations)
                new += 1
        idle = 0 if new else idle + 1
    return archive


class MoleculeIsomers:
    """Structures with an exact formula, ranked by a property (QED or logP)."""

    name = "molecule-isomers"
    defaults = {"algorithm": "ga", "pop": 50, "generations": 30}

    def __init__(self, formula: str, rank: str = "qed") -> None:
        self.genome = isomer_genome(formula)
        self.formula = hill(self.genome.counts)
        if rank not in ("qed", "logp"):
            raise ConfigError(f"rank {rank!r}: choose qed or logp")
        self.rank = rank
        self.objectives = (Objective(rank, "max"),)
        self.constraints = ("formula",)
        self.description = f"Structures of {self.formula} ranked by {rank}"

    def decode(self, x: str) -> Any:
        from rdkit import Chem
        return Chem.MolFromSmiles(x)

    def evaluate(self, x: str) -> Evaluation:
        """The property, and the formula recounted by RDKit (violation: atoms off)."""
        from gadesign_problems.molecule import properties as P

        mol = self.decode(x)
        if mol is None:
            return Evaluation.failed(1, 1, f"unreadable SMILES {x!r}")
        value = P.qed(mol) if self.rank == "qed" else P.logp(mol)
        found = P.formula(mol)
        have, want = element_counts(found), self.genome.counts
        off = float(sum(abs(have.get(e, 0) - want.get(e, 0)) for e in set(have) | set(want)))
        return Evaluation((value,), (off,), {"smiles": x, "formula": found, self.rank: value})

    def summary(self, x: str, evaluation: Evaluation) -> dict[str, object]:
        return {"smiles": x, "formula": evaluation.info.get("formula", "")}

    def report_figures(self, x: str, evaluation: Evaluation) -> list[tuple[str, Any]]:
        """Pictures for ``gadesign report``: the structure drawn by RDKit."""
        from gadesign_problems.molecule.report import structure_figures

        return structure_figures(self, x, evaluation)

    def export(self, x: str, evaluation: Evaluation, directory: Any, stem: str) -> list[Any]:
        from gadesign_problems.molecule.drawing import write_png, write_sdf
        value = evaluation.objectives[0]
        return [write_sdf(directory / f"{stem}.sdf", [(x, {"name": stem, self.rank: value})]),
                write_png(directory / f"{stem}.png", x, f"{self.rank} {value:.3f}")]


def molecule_isomers(formula: str = "C7H16", rank: str = "qed") -> MoleculeIsomers:
    """Structures with an exact formula by a graph GA, ranked by QED or logP (max).

    Every structure keeps the formula (formula-preserving moves); the run finds the best
    by ``rank``. The whole archive of isomers is ``gadesign molecule isomers FORMULA``.

    ``formula``: a neutral molecular formula such as C7H16 or C9H8O4.
    ``rank``: the property to maximise, qed or logp.
    """
    return MoleculeIsomers(formula, rank)
