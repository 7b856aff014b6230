"""molecule-isomers: the archive GA finds every constitutional isomer, and nothing else.

References: the numbers of alkane constitutional isomers C_nH_{2n+2} (OEIS A000602:
1, 1, 1, 2, 3, 5, 9, 18, 35, 75, 159 for n = 1..11) and an independent enumeration here
(every alkane grown atom by atom, deduplicated by RDKit's canonical SMILES); textbook
counts C4H8 = 5 (but-1-ene, but-2-ene, isobutene, cyclobutane, methylcyclopropane;
stereoisomers not counted), C4H10O = 7 (four butanols, three ethers), C5H10 = 10 (five
pentenes, five cycloalkanes) and C3H6O = 9 (acetone, propanal, three enols, methyl vinyl
ether, oxetane, methyloxirane, cyclopropanol).
"""

from __future__ import annotations

import pytest

Chem = pytest.importorskip("rdkit.Chem")

from rdkit.Chem.rdMolDescriptors import CalcMolFormula  # noqa: E402

from gadesign.errors import ConfigError  # noqa: E402
from gadesign_problems.molecule.isomers import evolve_isomers, parse_formula  # noqa: E402

A000602 = [1, 1, 1, 2, 3, 5, 9, 18, 35, 75, 159]


def enumerate_alkanes(n: int) -> set[str]:
    """Every alkane with n carbons: grow each (n-1)-carbon alkane by a methyl on every
    carbon with a hydrogen left; canonical SMILES removes the duplicates."""
    level = {"C"}
    for _ in range(n - 1):
        nxt = set()
        for smi in level:
            mol = Chem.MolFromSmiles(smi)
            for atom in mol.GetAtoms():
                if atom.GetTotalNumHs() == 0:
                    continue
                rw = Chem.RWMol(mol)
                new = rw.AddAtom(Chem.Atom(6))
                rw.AddBond(atom.GetIdx(), new, Chem.BondType.SINGLE)
                m = rw.GetMol()
                Chem.SanitizeMol(m)
                nxt.add(Chem.MolToSmiles(m))
        level = nxt
    return level


def test_independent_enumeration_reproduces_the_published_counts():
    assert [len(enumerate_alkanes(n)) for n in range(1, 10)] == A000602[:9]


@pytest.mark.parametrize("formula, count", [("C7H16", 9), ("C4H8", 5), ("C4H10O", 7), ("C5H10", 10), ("C3H6O", 9)])
def test_all_isomers_of_small_formulas(formula, count):
    # 500 children of varied structures: none may repeat one or leave the formula
    archive = evolve_isomers(formula, seed=1, evaluations=500)
    assert len(archive.smiles) == len(set(archive.smiles)) == count
    assert all(CalcMolFormula(Chem.MolFromSmiles(s)) == formula for s in archive.smiles)
    if formula == "C7H16":
        assert set(archive.smiles) == enumerate_alkanes(7)


@pytest.mark.slow
@pytest.mark.parametrize("seed", [1])
def test_c11h24_archive_holds_the_159_alkanes(seed):
    # stops after 10 steps (1,000 children) without a new structure
    archive = evolve_isomers("C11H24", seed=seed, evaluations=20_000, patience=10)
    found = set(archive.smiles)
    assert len(found) == len(archive.smiles)
    assert all(CalcMolFormula(Chem.MolFromSmiles(s)) == "C11H24" for s in found)
    reference = enumerate_alkanes(11)
    assert len(reference) == 159 and found <= reference
    assert len(found) >= 150


def test_bad_formulas_are_clear_errors():
    with pytest.raises(ConfigError, match="unknown element"):
        parse_formula("C7Xx16")
    with pytest.raises(ConfigError, match="element symbols"):
        parse_formula("c7h16")
    with pytest.raises(ConfigError, match="no connected neutral structure"):
        evolve_isomers("C7H17")
    with pytest.raises(ConfigError, match="no connected neutral structure"):
        evolve_isomers("C2H8")


@pytest.mark.slow
def test_isomers_and_draw_commands(cli, tmp_path):
    out = tmp_path / "iso"
    r = cli("molecule", "isomers", "C6H14", "--top", "3", "--evaluations", "1000", "--out", str(out))
    assert r.returncode == 0, r.stderr
    assert "C6H14: 5 distinct structures" in r.stdout   # hexanes: OEIS A000602 gives 5
    smiles = [line.split("\t")[0] for line in (out / "isomers.smi").read_text().splitlines()]
    assert set(smiles) == enumerate_alkanes(6)
    sdf = (out / "isomers.sdf").read_text()
    assert sdf.count("$$$$") == 5
    assert (out / "isomers.png").read_bytes()[:4] == b"\x89PNG"
    bad = cli("molecule", "isomers", "C6H15")
    assert bad.returncode == 2 and "error:" in bad.stderr and "Traceback" not in bad.stderr
    missing = cli("molecule", "draw", str(tmp_path / "nowhere"))
    assert missing.returncode == 2 and "error:" in missing.stderr


def test_isomers_problem_keeps_the_contract_and_every_child_keeps_the_formula(tmp_path):
    import numpy as np

    from gadesign.testing import check_problem
    from gadesign_problems.molecule.isomers import molecule_isomers

    problem = molecule_isomers("C6H12O", rank="logp")
    check_problem(problem, tmp_path=tmp_path)
    rng = np.random.default_rng(2)
    parents = problem.genome.sample_many(40, rng)
    for _ in range(5):
        kids = problem.genome.vary(parents, rng)
        for k in kids:
            assert CalcMolFormula(Chem.MolFromSmiles(k)) == "C6H12O"
            assert problem.evaluate(k).violations == (0.0,)
        parents = kids
