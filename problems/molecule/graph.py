"""A molecular-graph genome: GB-GA mutations and crossover on RDKit molecules.

The operators re-implement the graph-based GA of J. H. Jensen, "A graph-based genetic
algorithm and generative model/Monte Carlo tree search for the exploration of chemical
space", Chem. Sci. 10, 3567 (2019), https://github.com/jensengroup/GB_GA (``mutate.py``,
``crossover.py``): every move is a reaction SMARTS applied to the Kekulé form of the
molecule, and a child is kept only if RDKit sanitises it (valence, aromaticity, rings)
and no atom is left a radical.
Differences from the published code: every random choice draws from the run's
``numpy.random.Generator`` (never ``random`` or numpy's global state); the random target
size of GB-GA's ``mol_ok`` is a fixed window ``min_atoms..max_atoms`` of heavy atoms, so
acceptance draws nothing; a failed variation returns the parent (the engine drops it as a
duplicate and varies again) instead of ``None``.

An individual is the molecule's **canonical SMILES** (a ``str``): that is what the engine
stores, compares (duplicate key), checkpoints and ships to workers. Operators parse it to
an RDKit ``Mol`` whose atom order is fixed by the string, so the same string and the same
generator state always give the same child -- serially, on workers and after resume.
Only strings that are a fixed point of RDKit's canonicalisation are ever produced.

Mutations (probabilities as published): insert atom 0.15, change bond order 0.14, delete
ring bond 0.14, add ring 0.14, delete atom 0.14, change element 0.14, append atom 0.15.
Crossover: cut both parents at a non-ring single bond (or through a ring, at two ring
bonds) and join a fragment of each, with probability 1/2 each, as in GB-GA.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any, Sequence

import numpy as np
from rdkit import Chem, RDLogger
from rdkit.Chem import AllChem, RDConfig

from gadesign.errors import ConfigError
from gadesign.genomes.base import Genome

RDLogger.DisableLog("rdApp.*")  # sanitisation failures are expected and handled

# -- the published GB-GA move tables (Jensen 2019, mutate.py) ----------------------------
_DELETE_ATOM = (("[*:1]~[D1:2]>>[*:1]", 0.25),
                ("[*:1]~[D2:2]~[*:3]>>[*:1]-[*:3]", 0.25),
                ("[*:1]~[D3:2](~[*;!H0:3])~[*:4]>>[*:1]-[*:3]-[*:4]", 0.25),
                ("[*:1]~[D4:2](~[*;!H0:3])(~[*;!H0:4])~[*:5]>>[*:1]-[*:3]-[*:4]-[*:5]", 0.1875),
                ("[*:1]~[D4:2](~[*;!H0;!H1:3])(~[*:4])~[*:5]>>[*:1]-[*:3](-[*:4])-[*:5]", 0.0625))
#: (bond, elements, probability of the bond order)
_APPEND = (("single", ("C", "N", "O", "F", "S", "Cl", "Br"), 0.60),
           ("double", ("C", "N", "O"), 0.35),
           ("triple", ("C", "N"), 0.05))
_INSERT = (("single", ("C", "N", "O", "S"), 0.60),
           ("double", ("C", "N"), 0.35),
           ("triple", ("C",), 0.05))
_BOND_ORDER = (("[*:1]!-[*:2]>>[*:1]-[*:2]", 0.45),
               ("[*;!H0:1]-[*;!H0:2]>>[*:1]=[*:2]", 0.45),
               ("[*:1]#[*:2]>>[*:1]=[*:2]", 0.05),
               ("[*;!R;!H1;!H0:1]~[*:2]>>[*:1]#[*:2]", 0.05))
_DELETE_RING_BOND = "[*:1]@[*:2]>>([*:1].[*:2])"
_ADD_RING = (("[*;!r;!H0:1]~[*;!r:2]~[*;!r;!H0:3]>>[*:1]1~[*:2]~[*:3]1", 0.05),
             ("[*;!r;!H0:1]~[*!r:2]~[*!r:3]~[*;!r;!H0:4]>>[*:1]1~[*:2]~[*:3]~[*:4]1", 0.05),
             ("[*;!r;!H0:1]~[*!r:2]~[*:3]~[*:4]~[*;!r;!H0:5]>>[*:1]1~[*:2]~[*:3]~[*:4]~[*:5]1", 0.45),
             ("[*;!r;!H0:1]~[*!r:2]~[*:3]~[*:4]~[*!r:5]~[*;!r;!H0:6]>>[*:1]1~[*:2]~[*:3]~[*:4]~[*:5]~[*:6]1",
              0.45))
_ELEMENTS = (("#6", 0.15), ("#7", 0.15), ("#8", 0.14), ("#9", 0.14), ("#16", 0.14), ("#17", 0.14),
             ("#35", 0.14))
#: (name, probability) of the seven mutation kinds, in GB-GA's order
MUTATIONS = (("insert_atom", 0.15), ("change_bond_order", 0.14), ("delete_ring_bond", 0.14),
             ("add_ring", 0.14), ("delete_atom", 0.14), ("change_element", 0.14), ("append_atom", 0.15))

# -- crossover patterns (crossover.py) ----------------------------------------------------
_NON_RING_BOND = "[*]-;!@[*]"
_RING_PATH4 = "[R]@[R]@[R]@[R]"
_RING_BRANCH = "[R]@[R;!D2]@[R]"
_JOIN_NON_RING = "[*:1]-[1*].[1*]-[*:2]>>[*:1]-[*:2]"
_JOIN_RING_1 = ("[*:1]~[1*].[1*]~[*:2]>>[*:1]-[*:2]", "[*:1]~[1*].[1*]~[*:2]>>[*:1]=[*:2]")
_JOIN_RING_2 = ("([*:1]~[1*].[1*]~[*:2])>>[*:1]-[*:2]", "([*:1]~[1*].[1*]~[*:2])>>[*:1]=[*:2]")


def _pick(rng: np.random.Generator, table: Sequence[tuple[Any, float]]) -> Any:
    """One entry of ``(value, probability)`` pairs (probabilities normalised)."""
    p = np.array([w for _, w in table], dtype=float)
    return table[int(rng.choice(len(table), p=p / p.sum()))][0]


def canonical(smiles: str) -> str | None:
    """RDKit's canonical SMILES of ``smiles`` if it parses and is a fixed point of
    canonicalisation (parse -> write -> parse -> write gives the same string), else None."""
    mol = Chem.MolFromSmiles(smiles)
    if mol is None:
        return None
    first = Chem.MolToSmiles(mol)
    again = Chem.MolFromSmiles(first)
    if again is None or Chem.MolToSmiles(again) != first:
        return None
    return first


def has_radical(mol: Chem.Mol) -> bool:
    """True if RDKit gives any atom an unpaired electron. A reaction product keeps the
    explicit-hydrogen count of a bracket atom (``[N+]``, ``[nH]``, ``[13CH3]``): when a
    move takes a bond from such an atom, sanitising leaves it short of a bond as a radical
    (``[O-][N+](O)c1ccccc1`` from nitrobenzene) instead of failing."""
    return any(atom.GetNumRadicalElectrons() for atom in mol.GetAtoms())


def ring_ok(mol: Chem.Mol) -> bool:
    """GB-GA's ring filter: no ring allene, no ring larger than 6, no double bond inside a
    3- or 4-membered ring."""
    rings = mol.GetRingInfo().AtomRings()
    if not rings:
        return True
    if max(len(r) for r in rings) > 6:
        return False
    return not (mol.HasSubstructMatch(_smarts("[R]=[R]=[R]")) or mol.HasSubstructMatch(_smarts("[r3,r4]=[r3,r4]")))


@lru_cache(maxsize=512)
def _smarts(pattern: str) -> Chem.Mol:
    """A parsed SMARTS pattern (a pure function of the string, memoised)."""
    return Chem.MolFromSmarts(pattern)


@lru_cache(maxsize=512)
def _reaction(smarts: str) -> Any:
    """A compiled reaction (a pure function of the SMARTS, memoised)."""
    return AllChem.ReactionFromSmarts(smarts)


def kekule(smiles: str) -> Chem.Mol:
    """The molecule of ``smiles`` in Kekulé form with aromatic flags cleared (the form the
    GB-GA reaction SMARTS operate on)."""
    mol = Chem.MolFromSmiles(smiles)
    if mol is None:
        raise ValueError(f"not a valid SMILES: {smiles!r}")
    Chem.Kekulize(mol, clearAromaticFlags=True)
    return mol


def load_smiles(path: str | Path) -> list[str]:
    """The SMILES of a SMILES file (first column of each line; blank lines and ``#``
    comments skipped), in file order, as written: :class:`MolGraph` canonicalises and
    checks only the ones it draws."""
    out: list[str] = []
    for line in Path(path).read_text(encoding="utf-8-sig").splitlines():   # a BOM is not part of a SMILES
        line = line.strip()
        if line and not line.startswith("#"):
            out.append(line.split()[0])
    return out


def default_smiles_file() -> Path:
    """The 5,000 NCI structures that ship with RDKit (``Data/NCI/first_5K.smi``)."""
    return Path(RDConfig.RDDataDir) / "NCI" / "first_5K.smi"


class MolGraph(Genome[str]):
    """Molecules as graphs under GB-GA's operators; individuals are canonical SMILES.

    ``initial``: the pool that :meth:`sample` draws from (SMILES as written, e.g. by
    :func:`load_smiles`; each is canonicalised and checked when drawn). ``min_atoms``/``max_atoms``: heavy-atom window every child must
    fit. ``ring_filter``: apply GB-GA's :func:`ring_ok`. ``tries``: attempts per variation
    before the parent is returned unchanged. ``mutation_rate``: probability that a child is
    mutated at all (GB-GA's ``mutation_rate``).
    """

    def __init__(self, initial: Sequence[str], min_atoms: int = 6, max_atoms: int = 50,
                 ring_filter: bool = True, tries: int = 10, mutation_rate: float = 1.0,
                 crossover_prob: float = 0.9) -> None:
        if not initial:
            raise ValueError("the initial SMILES pool is empty")
        if not 1 <= min_atoms <= max_atoms:
            raise ValueError(f"need 1 <= min_atoms <= max_atoms, got {min_atoms}, {max_atoms}")
        self.initial = tuple(str(s) for s in initial)
        self.min_atoms, self.max_atoms = int(min_atoms), int(max_atoms)
        self.ring_filter = bool(ring_filter)
        self.tries = int(tries)
        self.crossover_tries = int(tries)
        self.mutation_rate = float(mutation_rate)
        self.crossover_prob = float(crossover_prob)

    # -- the contract --------------------------------------------------------------------
    def describe(self) -> dict[str, Any]:
        return {"type": "MolGraph", "individual": "canonical SMILES (RDKit)", "pool": len(self.initial),
                "min_atoms": self.min_atoms, "max_atoms": self.max_atoms, "ring_filter": self.ring_filter,
                "operators": "GB-GA (Jensen 2019)"}

    def admit(self, smiles: str) -> str | None:
        """The canonical SMILES of a pool entry if it parses and passes :meth:`accept`
        (one fragment, size window, no radical, ring filter), else None."""
        mol = Chem.MolFromSmiles(smiles)
        return None if mol is None else self.accept(mol)

    def sample(self, rng: np.random.Generator) -> str:
        return self.sample_many(1, rng)[0]

    def sample_many(self, n: int, rng: np.random.Generator) -> list[str]:
        """``n`` distinct admissible pool members, taken in a random order of the pool
        (entries that do not parse or fall outside the genome's window are skipped); when
        the pool has fewer, they repeat. Raises :class:`ConfigError` (bad input: a pool of
        unreadable or unfit SMILES) if none is admissible."""
        out: dict[str, None] = {}
        for i in rng.permutation(len(self.initial)):
            smi = self.admit(self.initial[int(i)])
            if smi is not None:
                out.setdefault(smi, None)
                if len(out) == n:
                    break
        if not out:
            raise ConfigError(self._refusals())
        found = list(out)
        return [found[i % len(found)] for i in range(n)]

    def _refusals(self) -> str:
        """Why no pool entry is admissible: how many fail each test, with a first example."""
        reasons: dict[str, list[str]] = {}
        for smi in self.initial:
            mol = Chem.MolFromSmiles(smi)
            if mol is None:
                why = "are not SMILES RDKit can read (each line's first whitespace-separated column is read)"
            else:
                why = self._refusal(mol) or "do not survive RDKit's canonicalisation"
            reasons.setdefault(why, []).append(smi)
        parts = [f"{len(v)} {why} (first: {v[0][:60]!r})" for why, v in reasons.items()]
        return f"no SMILES of the initial pool ({len(self.initial)}) is usable: " + "; ".join(parts)

    def to_json(self, x: str) -> str:
        return x

    def from_json(self, data: Any) -> str:
        if not isinstance(data, str):
            raise ValueError(f"a molecule genome is a SMILES string, got {type(data).__name__}")
        smi = canonical(data)
        if smi is None:
            raise ValueError(f"not a valid SMILES: {data!r}")
        return smi

    def key(self, x: str) -> str:
        return x

    # -- acceptance ------------------------------------------------------------------------
    def accept(self, mol: Chem.Mol) -> str | None:
        """The canonical SMILES of a reaction product if it sanitises and passes
        :meth:`_refusal`'s tests (one fragment, the size window, no radical, the ring
        filter); else None."""
        try:
            Chem.SanitizeMol(mol)
        except Exception:  # RDKit raises several types (valence, kekulisation, ...)
            return None
        if self._refusal(mol) is not None:
            return None
        return canonical(Chem.MolToSmiles(mol))

    def _refusal(self, mol: Chem.Mol) -> str | None:
        """Why a sanitised molecule is not admissible (as the pool's refusal message words
        it), or None: it is one fragment, has ``min_atoms..max_atoms`` heavy atoms, no
        radical (:func:`has_radical`) and (with ``ring_filter``) passes :func:`ring_ok`."""
        if len(Chem.GetMolFrags(mol)) != 1:
            return "have more than one fragment (salts, mixtures: keep the parent molecule)"
        if not self.min_atoms <= mol.GetNumAtoms() <= self.max_atoms:
            return f"have heavy atoms outside {self.min_atoms}..{self.max_atoms} (min_atoms, max_atoms)"
        if has_radical(mol):
            return "are radicals"
        if self.ring_filter and not ring_ok(mol):
            return "fail GB-GA's ring filter (a ring larger than 6, a ring allene, a double bond in a 3- or 4-ring)"
        return None

    def first_accepted(self, products: Sequence[Chem.Mol], rng: np.random.Generator,
                       exclude: Sequence[str] = ()) -> str | None:
        """A uniformly random acceptable product (GB-GA's ``random.choice`` over the
        products that pass ``mol_ok``), found lazily: the products are visited in a random
        order and the first acceptable one is taken, which is the same distribution
        without sanitising every product."""
        for i in rng.permutation(len(products)):
            child = self.accept(products[int(i)])
            if child is not None and child not in exclude:
                return child
        return None

    # -- mutation ------------------------------------------------------------------------
    def _mutation_smarts(self, kind: str, mol: Chem.Mol, rng: np.random.Generator) -> str | None:
        """The reaction SMARTS of one mutation of ``kind`` (its random details drawn)."""
        if kind == "delete_atom":
            return _pick(rng, _DELETE_ATOM)
        if kind == "change_bond_order":
            return _pick(rng, _BOND_ORDER)
        if kind == "delete_ring_bond":
            return _DELETE_RING_BOND
        if kind == "add_ring":
            return _pick(rng, _ADD_RING)
        if kind == "append_atom":
            bond, elements, _ = _APPEND[_pick(rng, [(i, t[2]) for i, t in enumerate(_APPEND)])]
            new = elements[int(rng.integers(len(elements)))]
            return {"single": f"[*;!H0:1]>>[*:1]-{new}", "double": f"[*;!H0;!H1:1]>>[*:1]={new}",
                    "triple": f"[*;H3:1]>>[*:1]#{new}"}[bond]
        if kind == "insert_atom":
            bond, elements, _ = _INSERT[_pick(rng, [(i, t[2]) for i, t in enumerate(_INSERT)])]
            new = elements[int(rng.integers(len(elements)))]
            return {"single": f"[*:1]~[*:2]>>[*:1]{new}[*:2]", "double": f"[*;!H0:1]~[*:2]>>[*:1]={new}-[*:2]",
                    "triple": f"[*;!R;!H1;!H0:1]~[*:2]>>[*:1]#{new}-[*:2]"}[bond]
        if kind == "change_element":
            present = [(e, w) for e, w in _ELEMENTS if mol.HasSubstructMatch(_smarts(f"[{e}]"))]
            if not present:
                return None
            old = _pick(rng, present)
            new = _pick(rng, [(e, w) for e, w in _ELEMENTS if e != old])
            return f"[{old}:1]>>[{new}:1]"
        raise ValueError(f"unknown mutation {kind!r}")

    def mutate_once(self, x: str, rng: np.random.Generator, kind: str | None = None) -> str | None:
        """One GB-GA mutation of ``x`` (up to ``tries`` attempts): the child's canonical
        SMILES, or None when no attempt gave an acceptable molecule."""
        mol = kekule(x)
        for _ in range(self.tries):
            k = kind or _pick(rng, MUTATIONS)
            smarts = self._mutation_smarts(k, mol, rng)
            if smarts is None:
                continue
            products = [p[0] for p in _reaction(smarts).RunReactants((mol,))]
            child = self.first_accepted(products, rng, exclude=(x,))
            if child is not None:
                return child
        return None

    def mutate(self, x: str, rng: np.random.Generator) -> str:
        if rng.random() >= self.mutation_rate:
            return x
        child = self.mutate_once(x, rng)
        return x if child is None else child

    # -- crossover -----------------------------------------------------------------------
    def _cut(self, mol: Chem.Mol, rng: np.random.Generator) -> tuple[Chem.Mol, ...] | None:
        """Two fragments with dummy atoms [1*]: a random non-ring single bond cut."""
        matches = mol.GetSubstructMatches(_smarts(_NON_RING_BOND))
        if not matches:
            return None
        a, b = matches[int(rng.integers(len(matches)))]
        bond = mol.GetBondBetweenAtoms(a, b).GetIdx()
        pieces = Chem.FragmentOnBonds(mol, [bond], addDummies=True, dummyLabels=[(1, 1)])
        try:
            return Chem.GetMolFrags(pieces, asMols=True, sanitizeFrags=True)
        except Exception:
            return None

    def _cut_ring(self, mol: Chem.Mol, rng: np.random.Generator) -> tuple[Chem.Mol, ...] | None:
        """Two fragments from cutting a ring at two bonds (a 4-atom ring path, or both ring
        bonds of a branching ring atom), each end marked [1*]."""
        for _ in range(self.crossover_tries):
            if rng.random() < 0.5:
                matches = mol.GetSubstructMatches(_smarts(_RING_PATH4))
                if not matches:
                    return None
                m = matches[int(rng.integers(len(matches)))]
                pairs = ((m[0], m[1]), (m[2], m[3]))
            else:
                matches = mol.GetSubstructMatches(_smarts(_RING_BRANCH))
                if not matches:
                    return None
                m = matches[int(rng.integers(len(matches)))]
                pairs = ((m[0], m[1]), (m[1], m[2]))
            bonds = [mol.GetBondBetweenAtoms(i, j).GetIdx() for i, j in pairs]
            pieces = Chem.FragmentOnBonds(mol, bonds, addDummies=True, dummyLabels=[(1, 1), (1, 1)])
            try:
                frags = Chem.GetMolFrags(pieces, asMols=True, sanitizeFrags=True)
            except Exception:
                return None
            if len(frags) == 2:
                return frags
        return None

    def _join_non_ring(self, a: Chem.Mol, b: Chem.Mol, rng: np.random.Generator) -> str | None:
        for _ in range(self.crossover_tries):
            fa, fb = self._cut(a, rng), self._cut(b, rng)
            if fa is None or fb is None:
                return None
            rxn = _reaction(_JOIN_NON_RING)
            products = [p[0][0] for p in (rxn.RunReactants((x, y)) for x in fa for y in fb) if p]
            child = self.first_accepted(products, rng)
            if child is not None:
                return child
        return None

    def _join_ring(self, a: Chem.Mol, b: Chem.Mol, rng: np.random.Generator) -> str | None:
        ring = _smarts("[R]")
        if not (a.HasSubstructMatch(ring) or b.HasSubstructMatch(ring)):
            return None
        for _ in range(self.crossover_tries):
            fa, fb = self._cut_ring(a, rng), self._cut_ring(b, rng)
            if fa is None or fb is None:
                return None
            joined: list[Chem.Mol] = []
            for smarts in _JOIN_RING_1:
                rxn = _reaction(smarts)
                for x in fa:
                    for y in fb:
                        products = rxn.RunReactants((x, y))
                        if products:
                            joined.append(products[0][0])
            closed: list[Chem.Mol] = []
            for m in joined:
                try:
                    Chem.SanitizeMol(m)
                except Exception:
                    continue
                for smarts in _JOIN_RING_2:
                    closed.extend(p[0] for p in _reaction(smarts).RunReactants((m,)))
            child = self.first_accepted(closed, rng)
            if child is not None:
                return child
        return None

    def crossover_once(self, a: str, b: str, rng: np.random.Generator) -> str | None:
        """One GB-GA child of ``a`` and ``b`` (ring or non-ring cut, 1/2 each, up to
        ``tries`` attempts), different from both parents; None if none was found."""
        ma, mb = kekule(a), kekule(b)
        for _ in range(self.crossover_tries):
            join = self._join_non_ring if rng.random() <= 0.5 else self._join_ring
            child = join(ma, mb, rng)
            if child is not None and child not in (a, b):
                return child
        return None

    def crossover(self, a: str, b: str, rng: np.random.Generator) -> tuple[str, str]:
        c1 = self.crossover_once(a, b, rng)
        c2 = self.crossover_once(b, a, rng)
        return (a if c1 is None else c1, b if c2 is None else c2)
