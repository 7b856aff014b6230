"""The genome of structures with one exact formula (see :mod:`.isomers` for the moves).

Individuals are canonical SMILES, as in :class:`~gadesign_problems.molecule.graph.MolGraph`;
every child is built on an ``RWMol`` in Kekulé form, sanitised by RDKit, and kept only if
RDKit's own formula of it equals the target (never a hand-written valence check alone).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from rdkit import Chem
from rdkit.Chem.rdMolDescriptors import CalcMolFormula

from gadesign.errors import ConfigError
from gadesign_problems.molecule.graph import MolGraph, canonical, ring_ok
from gadesign_problems.molecule.isomers import _valence, bond_units, element_counts, hill

_ORDER = {1: Chem.BondType.SINGLE, 2: Chem.BondType.DOUBLE, 3: Chem.BondType.TRIPLE}


class FormulaGraph(MolGraph):
    """Structures with exactly ``counts`` (element -> number, H included)."""

    def __init__(self, counts: dict[str, int], tries: int = 30, crossover_prob: float = 0.5,
                 ring_filter: bool = False) -> None:
        self.counts = dict(counts)
        self.formula = hill(self.counts)
        self.units = bond_units(self.counts)
        self.heavy = sorted((e for e, n in counts.items() if e != "H" for _ in range(n)),
                            key=lambda e: (e != "C", e))
        n = len(self.heavy)
        super().__init__([self.formula], min_atoms=n, max_atoms=n, ring_filter=ring_filter, tries=tries,
                         crossover_prob=crossover_prob)
        self.crossover_tries = 2   # GB-GA crossover rarely keeps a formula: a few tries, then the parents

    def describe(self) -> dict[str, Any]:
        return {"type": "FormulaGraph", "formula": self.formula, "individual": "canonical SMILES (RDKit)",
                "ring_filter": self.ring_filter,
                "moves": "regraft, bond-unit shift, element swap; GB-GA crossover"}

    # -- acceptance: RDKit's formula must be the target -----------------------------------
    def accept(self, mol: Chem.Mol) -> str | None:
        try:
            Chem.SanitizeMol(mol)
        except Exception:
            return None
        if len(Chem.GetMolFrags(mol)) != 1 or element_counts(CalcMolFormula(mol)) != self.counts:
            return None
        if any(a.GetFormalCharge() or a.GetNumRadicalElectrons() or a.GetTotalValence() != _valence(a.GetSymbol())
               for a in mol.GetAtoms()):
            return None   # every atom neutral at its lowest default valence: no [SH]=C, no P(=O), no IF3
        if self.ring_filter and not ring_ok(mol):
            return None
        return canonical(Chem.MolToSmiles(mol))

    # -- sampling: a random spanning tree, then the remaining bond units -------------------
    def _random_structure(self, rng: np.random.Generator) -> str | None:
        elements = [self.heavy[int(i)] for i in rng.permutation(len(self.heavy))]
        valence = [_valence(e) for e in elements]
        free = list(valence)
        mol = Chem.RWMol()
        # the spanning tree: atoms join in the drawn order, except that an atom which would
        # use up the tree's last free valence while atoms are still waiting lets the next
        # waiting one go first (F, F, ... closed C2F6 as F-F before; without monovalent
        # atoms the order is always the drawn one)
        pending = list(range(len(elements)))
        order = [pending.pop(0)]
        open_valence = free[order[0]]
        while pending:
            pick = next((k for k, i in enumerate(pending) if free[i] >= 2 or open_valence >= 2 or len(pending) == 1),
                        None)
            if pick is None or open_valence < 1:
                return None
            i = pending.pop(pick)
            order.append(i)
            open_valence += free[i] - 2
        elements = [elements[i] for i in order]
        free = [valence[i] for i in order]
        for e in elements:
            atom = Chem.Atom(e)
            mol.AddAtom(atom)
        for i in range(1, len(elements)):
            choices = [j for j in range(i) if free[j] >= 1]
            if not choices or free[i] < 1:
                return None
            j = choices[int(rng.integers(len(choices)))]
            mol.AddBond(i, j, Chem.BondType.SINGLE)
            free[i] -= 1
            free[j] -= 1
        for _ in range(self.units - (len(elements) - 1)):
            open_atoms = [i for i in range(len(elements)) if free[i] >= 1]
            if len(open_atoms) < 2:
                return None
            a, b = (open_atoms[int(k)] for k in rng.choice(len(open_atoms), size=2, replace=False))
            bond = mol.GetBondBetweenAtoms(a, b)
            if bond is None:
                mol.AddBond(a, b, Chem.BondType.SINGLE)
            elif bond.GetBondTypeAsDouble() < 3:
                bond.SetBondType(_ORDER[int(bond.GetBondTypeAsDouble()) + 1])
            else:
                return None
            free[a] -= 1
            free[b] -= 1
        return self.accept(mol.GetMol())

    def sample_many(self, n: int, rng: np.random.Generator) -> list[str]:
        """Up to ``n`` distinct random structures, repeated to ``n``: attempts stop after
        ``20 n`` or after ``2 n`` in a row found nothing new."""
        found: dict[str, None] = {}
        idle = 0
        for _ in range(20 * n):
            smi = self._random_structure(rng)
            if smi is not None and smi not in found:
                found[smi] = None
                idle = 0
                if len(found) == n:
                    break
            else:
                idle += 1
                if idle >= 2 * n:
                    break
        if not found:
            raise ConfigError(f"formula {self.formula}: no connected structure was found in {20 * n} random attempts "
                              "(every atom neutral at its lowest default valence: C 4, N 3, O 2, S 2, P 3, halogens 1)")
        out = list(found)
        return [out[i % len(out)] for i in range(n)]

    # -- mutation: formula-preserving moves -----------------------------------------------
    def _regraft(self, mol: Chem.RWMol, rng: np.random.Generator) -> bool:
        bonds = list(mol.GetBonds())
        if not bonds:
            return False
        bond = bonds[int(rng.integers(len(bonds)))]
        a, b = bond.GetBeginAtomIdx(), bond.GetEndAtomIdx()
        if rng.random() < 0.5:
            a, b = b, a
        order = int(bond.GetBondTypeAsDouble())
        mol.RemoveBond(a, b)
        side = _component(mol, b)
        ring_bond = a in side
        candidates = [c for c in (range(mol.GetNumAtoms()) if ring_bond else sorted(side))
                      if c not in (a, b) and mol.GetBondBetweenAtoms(a, c) is None and _free(mol, c) >= order]
        if not candidates:
            return False
        c = candidates[int(rng.integers(len(candidates)))]
        mol.AddBond(a, c, _ORDER[order])
        return True

    def _shift(self, mol: Chem.RWMol, rng: np.random.Generator) -> bool:
        bonds = list(mol.GetBonds())
        takers = [bd for bd in bonds if bd.GetBondTypeAsDouble() >= 2 or bd.IsInRing()]
        if not takers:
            return False
        bond = takers[int(rng.integers(len(takers)))]
        a, b = bond.GetBeginAtomIdx(), bond.GetEndAtomIdx()
        order = int(bond.GetBondTypeAsDouble())
        if order == 1:
            mol.RemoveBond(a, b)
        else:
            bond.SetBondType(_ORDER[order - 1])
        n = mol.GetNumAtoms()
        pairs = [(c, d) for c in range(n) for d in range(c + 1, n)
                 if (c, d) != (min(a, b), max(a, b)) and _free(mol, c) >= 1 and _free(mol, d) >= 1
                 and (mol.GetBondBetweenAtoms(c, d) is None or mol.GetBondBetweenAtoms(c, d).GetBondTypeAsDouble() < 3)]
        if not pairs:
            return False
        c, d = pairs[int(rng.integers(len(pairs)))]
        existing = mol.GetBondBetweenAtoms(c, d)
        if existing is None:
            mol.AddBond(c, d, Chem.BondType.SINGLE)
        else:
            existing.SetBondType(_ORDER[int(existing.GetBondTypeAsDouble()) + 1])
        return True

    def _exchange(self, mol: Chem.RWMol, rng: np.random.Generator) -> bool:
        """Two bonds of one order, a-b and c-d, become a-d and c-b: every atom keeps its
        bonds and hydrogens. The one move open to a saturated graph without hydrogens
        (perfluoro- and perchloroalkanes, where no atom has a free valence to regraft to)."""
        bonds = list(mol.GetBonds())
        if len(bonds) < 2:
            return False
        first = bonds[int(rng.integers(len(bonds)))]
        a, b = first.GetBeginAtomIdx(), first.GetEndAtomIdx()
        if rng.random() < 0.5:
            a, b = b, a
        kind = first.GetBondType()
        options = []
        for bond in bonds:
            c, d = bond.GetBeginAtomIdx(), bond.GetEndAtomIdx()
            if bond.GetBondType() != kind or len({a, b, c, d}) < 4:
                continue
            for c, d in ((c, d), (d, c)):
                if mol.GetBondBetweenAtoms(a, d) is None and mol.GetBondBetweenAtoms(c, b) is None:
                    options.append((c, d))
        if not options:
            return False
        c, d = options[int(rng.integers(len(options)))]
        mol.RemoveBond(a, b)
        mol.RemoveBond(c, d)
        mol.AddBond(a, d, kind)
        mol.AddBond(c, b, kind)
        return True

    def _swap(self, mol: Chem.RWMol, rng: np.random.Generator) -> bool:
        atoms = list(mol.GetAtoms())
        pairs = [(i, j) for i in range(len(atoms)) for j in range(i + 1, len(atoms))
                 if atoms[i].GetAtomicNum() != atoms[j].GetAtomicNum()]
        if not pairs:
            return False
        i, j = pairs[int(rng.integers(len(pairs)))]
        zi, zj = atoms[i].GetAtomicNum(), atoms[j].GetAtomicNum()
        atoms[i].SetAtomicNum(zj)
        atoms[j].SetAtomicNum(zi)
        return True

    def mutate_once(self, x: str, rng: np.random.Generator, kind: str | None = None) -> str | None:
        moves = {"regraft": self._regraft, "shift": self._shift, "swap": self._swap, "exchange": self._exchange}
        names = list(moves)
        for _ in range(self.tries):
            k = kind or names[int(rng.integers(len(names)))]
            mol = Chem.RWMol(Chem.MolFromSmiles(x))
            Chem.Kekulize(mol, clearAromaticFlags=True)
            for atom in mol.GetAtoms():   # hydrogens follow the bonds (recomputed on sanitising)
                atom.SetNoImplicit(False)
                atom.SetNumExplicitHs(0)
            if not moves[k](mol, rng):
                continue
            child = self.accept(mol.GetMol())
            if child is not None and child != x:
                return child
        return None


def _component(mol: Chem.Mol, start: int) -> set[int]:
    """Atoms connected to ``start``."""
    seen, stack = {start}, [start]
    while stack:
        i = stack.pop()
        for nb in mol.GetAtomWithIdx(i).GetNeighbors():
            j = nb.GetIdx()
            if j not in seen:
                seen.add(j)
                stack.append(j)
    return seen


def _free(mol: Chem.Mol, i: int) -> int:
    """Unused valence of atom ``i``: its default valence minus its bond orders."""
    atom = mol.GetAtomWithIdx(i)
    used = sum(int(b.GetBondTypeAsDouble()) for b in atom.GetBonds())
    return _valence(atom.GetSymbol()) - used
