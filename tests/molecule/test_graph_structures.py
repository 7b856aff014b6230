"""`gadesign molecule structures`: from a measured mass and isotope pattern to candidate
structures that include the compound's true structure.

The compound: 2-butanone (methyl ethyl ketone, CCC(C)=O, C4H8O), monoisotopic mass
72.057515 Da (PubChem CID 6569). The "measured" [M+H]+ ion is that mass plus a proton
(1.007276 Da) with a +1.5 ppm error; its isotope pattern M+0..M+2 is molmass'
`Formula('C4H8O').spectrum()` (independent of the formula plugin's isotope code), rounded
to what an instrument reports (100, 4.46, 0.28).
"""

from __future__ import annotations

import pytest

Chem = pytest.importorskip("rdkit.Chem")

MZ = (72.057515 + 1.007276) * (1 + 1.5e-6)
ISOTOPES = "100,4.46,0.28"


@pytest.mark.slow
def test_pipeline_lists_the_true_structure_of_2_butanone(cli, tmp_path):
    out = tmp_path / "st"
    r = cli("molecule", "structures", f"{MZ:.6f}", "--isotopes", ISOTOPES, "--adduct", "[M+H]+",
            "--formulas", "2", "--top", "5", "--evaluations", "1000", "--out", str(out))
    assert r.returncode == 0, r.stderr
    assert "formula 1: C4H8O" in r.stdout
    rows = [line.split("\t") for line in (out / "structures.smi").read_text().splitlines()]
    smiles = [s for s, _ in rows]
    assert len(smiles) == len(set(smiles))
    true = Chem.MolToSmiles(Chem.MolFromSmiles("CCC(C)=O"))
    assert true in smiles
    # every C4H8O structure listed has that formula (RDKit's own count)
    from rdkit.Chem.rdMolDescriptors import CalcMolFormula
    c4 = [s for s, name in rows if name.startswith("C4H8O-")]
    assert c4 and all(CalcMolFormula(Chem.MolFromSmiles(s)) == "C4H8O" for s in c4)
    # the textbook isomers with a carbonyl or a simple ring are all there
    for known in ("CCCC=O", "CC(C)C=O", "C1CCOC1", "CC1CCO1", "OC1CCC1"):
        assert Chem.MolToSmiles(Chem.MolFromSmiles(known)) in smiles, known
    assert (out / "structures.sdf").read_text().count("$$$$") == len(smiles)


def test_bad_input_is_one_error_line(cli):
    r = cli("molecule", "structures", "-5", "--isotopes", ISOTOPES)
    assert r.returncode == 2 and r.stderr.startswith("error:") and "Traceback" not in r.stderr
    r = cli("molecule", "structures", f"{MZ:.6f}", "--formulas", "0")
    assert r.returncode == 2 and "--formulas" in r.stderr
