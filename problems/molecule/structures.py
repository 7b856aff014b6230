"""From a measured mass to candidate structures: formula inference, then isomers.

1. The exact formula search of the formula plugin (:func:`~.search.exact_search` on a
   :class:`~.query.Query`: mass window, isotope pattern likelihood, golden rules) ranks the
   elemental formulas that explain the measured m/z and isotope pattern.
2. The best ``formulas`` of them that a neutral, closed-shell, connected molecule can
   have (integer, non-negative ring-plus-double-bond count) go to
   :func:`~.isomers.evolve_isomers`, which grows an archive of distinct structures of each;
   a formula of which no structure is found (CO: no neutral structure at the lowest
   valences) is passed over for the next one.
3. Structures are listed formula by formula in the order of the formula score, and within
   one formula by a property: by default the synthetic accessibility score (smallest
   first), whose fragment term rewards motifs common in PubChem, so stable, familiar
   structures come before strained or exotic ones; or QED / logP (largest first). The mass
   spectrum cannot tell constitutional isomers apart: the order is a prior, not evidence.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from gadesign.errors import ConfigError


@dataclass(frozen=True)
class StructureCandidate:
    """One structure: its formula's rank and score, and its own properties."""

    formula_rank: int
    formula: str
    formula_score: float
    ppm: float
    smiles: str
    qed: float
    logp: float
    sa_score: float


def candidate_structures(mass: float, adduct: str = "[M+H]+", isotopes: Sequence[float | None] | None = None,
                         ppm: float = 5.0, elements: str = "CHNOPS", formulas: int = 3, seed: int = 1,
                         evaluations: int = 20_000, pop: int = 100, rank: str = "sa",
                         ring_filter: bool = False) -> tuple[list[StructureCandidate], list[object]]:
    """Candidate structures for a measured ion (see the module docstring), and the formula
    candidates that were searched (the formula plugin's ``Candidate`` objects).
    ``ring_filter``: only structures passing GB-GA's ring filter (see :func:`.isomers.isomer_genome`)."""
    from rdkit import Chem

    from gadesign_problems.molecule import properties as P
    from gadesign_problems.molecule.isomers import bond_units, evolve_isomers, parse_formula
    from gadesign_problems.molecule.query import Query
    from gadesign_problems.molecule.search import exact_search

    from gadesign.options import at_least

    at_least(seed, "--seed", 0)   # checked here: a ConfigError in the loop below passes a formula over
    if formulas < 1:
        raise ConfigError(f"--formulas must be at least 1, got {formulas}")
    if rank not in ("qed", "logp", "sa"):
        raise ConfigError(f"--rank {rank!r}: choose sa, qed or logp")
    query = Query.build(mass, adduct, ppm, isotopes, elements, "extended")
    ranked, _ = exact_search(query, top=max(4 * formulas, 10))
    usable = []
    archives = []
    for cand in ranked:
        try:
            bond_units(parse_formula(cand.formula))
            archive = evolve_isomers(cand.formula, seed=seed, evaluations=evaluations, pop=pop,
                                     ring_filter=ring_filter)
        except ConfigError:
            continue   # odd-electron, over-saturated or (CO) no structure at the lowest valences
        usable.append(cand)
        archives.append(archive)
        if len(usable) == formulas:
            break
    rows: list[StructureCandidate] = []
    for i, (cand, archive) in enumerate(zip(usable, archives), start=1):
        block = []
        for smi in archive.smiles:
            mol = Chem.MolFromSmiles(smi)
            block.append(StructureCandidate(i, cand.formula, float(cand.score), float(cand.ppm), smi,
                                            P.qed(mol), P.logp(mol), P.sa_score(mol)))
        if rank == "sa":
            block.sort(key=lambda r: (r.sa_score, r.smiles))
        else:
            block.sort(key=lambda r: (-getattr(r, rank), r.smiles))
        rows.extend(block)
    return rows, usable
