"""Formula parsing, Hill notation, masses, RDBE and adduct ions against molmass and RDKit."""

from __future__ import annotations

import molmass
import numpy as np
import pytest
from rdkit import Chem
from rdkit.Chem import Descriptors, rdMolDescriptors

from gadesign.errors import GadesignError
from gadesign_problems.molecule.formula import (ELECTRON_MASS, Formula, FormulaError, element, get_adduct,
                                       hill_string, parse_elements)

from .conftest import CASES


def test_parse_and_hill_order():
    assert Formula("C8H9NO2").counts == {"C": 8, "H": 9, "N": 1, "O": 2}
    assert Formula("OC2H6").hill == "C2H6O"                       # Hill: C, H, then alphabetical
    assert Formula("H2SO4").hill == "H2O4S"                       # no carbon: all alphabetical
    assert Formula("CH3CH2OH").hill == "C2H6O"                    # repeated symbols add up
    assert Formula("ClC6H4Br").hill == "C6H4BrCl"
    assert str(Formula("[C8H10NO2]+")) == "[C8H10NO2]+" and Formula("[C8H10NO2]+").charge == 1
    assert Formula("C2H3O2-").charge == -1
    assert Formula({"O": 2, "C": 1}) == Formula("CO2") == "CO2"
    assert hill_string(("H", "C", "N"), (5, 1, 0)) == "CH5"
    assert parse_elements("CHNOPSClBr") == ("C", "H", "N", "O", "P", "S", "Cl", "Br")


@pytest.mark.parametrize("bad", ["C2H", "Xx3", "C-2H6", "CH-1", "", "C8H9NO2)", "c6h6", "C2.5H4"])
def test_bad_formulas_raise_formula_error(bad):
    with pytest.raises(FormulaError) as info:
        Formula(bad)
    assert isinstance(info.value, GadesignError) and str(info.value)


def test_bad_counts_and_alphabets():
    with pytest.raises(FormulaError, match="negative"):
        Formula({"C": 2, "H": -6})
    with pytest.raises(FormulaError, match="unknown element"):
        element("Xx")
    with pytest.raises(FormulaError):
        parse_elements("CHNOPSx")
    assert Formula("C2H", allow_odd_electron=True).electrons == 13   # radicals on request


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_masses_agree_with_molmass_and_rdkit(case):
    f = Formula(case["formula"])
    ref = molmass.Formula(case["formula"])
    assert f.monoisotopic_mass == pytest.approx(ref.monoisotopic_mass, abs=1e-9)
    assert f.average_mass == pytest.approx(ref.mass, abs=1e-9)
    assert f.nominal_mass == ref.nominal_mass
    mol = Chem.MolFromSmiles(case["smiles"])
    assert rdMolDescriptors.CalcMolFormula(mol) == f.hill
    # RDKit's iodine (126.904473) is an older AME value than molmass' (126.9044719):
    # 1.1e-6 Da per atom; every other element agrees to better than 1e-6 Da per molecule.
    tolerance = 1e-6 + 1.2e-6 * f["I"]
    assert f.monoisotopic_mass == pytest.approx(Descriptors.ExactMolWt(mol), abs=tolerance)


def _rdkit_rdbe(smiles: str) -> float:
    """Rings plus pi bonds of a Kekulé structure: an RDBE computed from the structure."""
    mol = Chem.MolFromSmiles(smiles)
    Chem.Kekulize(mol, clearAromaticFlags=True)
    pi = sum(b.GetBondTypeAsDouble() - 1 for b in mol.GetBonds())
    return rdMolDescriptors.CalcNumRings(mol) + pi


@pytest.mark.parametrize("case", [c for c in CASES if c["id"] not in ("glyphosate", "sildenafil")],
                         ids=lambda c: c["id"])
def test_rdbe_matches_structure(case):
    # glyphosate (P=O) and sildenafil (SO2) use P and S above their lowest valence, which
    # the formula RDBE (lowest valences) does not count.
    assert Formula(case["formula"]).rdbe == pytest.approx(_rdkit_rdbe(case["smiles"]))


def test_rdbe_of_simple_molecules():
    assert Formula("C6H6").rdbe == 4
    assert Formula("CH4").rdbe == 0
    assert Formula("C2H3Cl").rdbe == 1
    assert Formula("C5H5N").rdbe == 4


@pytest.mark.parametrize("adduct,ion", [("[M+H]+", "[C8H10NO2]+"), ("[M+Na]+", "[C8H9NNaO2]+"),
                                        ("[M+NH4]+", "[C8H13N2O2]+"), ("[M-H]-", "[C8H8NO2]-"),
                                        ("[M]", "C8H9NO2")])
def test_adduct_mz_against_molmass(adduct, ion):
    f = Formula("C8H9NO2")
    # molmass subtracts (adds) the electron mass for a positive (negative) charge
    assert f.mz(adduct) == pytest.approx(molmass.Formula(ion).monoisotopic_mass, abs=1e-9)
    a = get_adduct(adduct)
    assert a.neutral_mass(a.mz(f.monoisotopic_mass)) == pytest.approx(f.monoisotopic_mass, abs=1e-12)


def test_mz_matches_reference_cases():
    for c in CASES:
        assert Formula(c["formula"]).mz("[M+H]+") == pytest.approx(c["mz_M_plus_H"], abs=1e-6)
    # [M+H]+ adds a proton: the hydrogen atom minus one electron
    assert get_adduct("M+H").mass_shift == pytest.approx(element("H").monoisotopic_mass - ELECTRON_MASS)
    assert get_adduct("[M\u2212H]\u2212").charge == -1
    for bad in ("[M+Qq]+", "[M+H]0+", "[M+H]11+", "M*H"):
        with pytest.raises(FormulaError):
            get_adduct(bad)
    with pytest.raises(FormulaError):
        Formula("C6").ion("[M-H]-")


def test_vector_round_trip():
    f = Formula("C22H30N6O4S")
    els = ("C", "H", "N", "O", "P", "S")
    assert np.array_equal(f.vector(els), [22, 30, 6, 4, 0, 1])
    assert Formula.from_vector(els, f.vector(els)) == f
    with pytest.raises(FormulaError):
        Formula("C2H5Cl").vector(els)


# Published adduct offsets (Huang et al., Anal. Chem. 71:1999; the Fiehn lab ESI adduct
# table): m/z = M / |z| + offset, with M the neutral monoisotopic mass.
PUBLISHED = {"[M+H]+": (1, 1.007276), "[M+NH4]+": (1, 18.033823), "[M+Na]+": (1, 22.989218),
             "[M+K]+": (1, 38.963158), "[M-H2O+H]+": (1, -17.003288), "[M+2H]2+": (2, 1.007276),
             "[M-H]-": (1, -1.007276), "[M+Cl]-": (1, 34.969402), "[M+HCOO]-": (1, 44.998201),
             "[M-2H]2-": (2, -1.007276)}
ION_TEXT = {"[M+H]+": "[C22H31N6O4S]+", "[M+NH4]+": "[C22H34N7O4S]+", "[M+Na]+": "[C22H30N6NaO4S]+",
            "[M+K]+": "[C22H30KN6O4S]+", "[M-H2O+H]+": "[C22H29N6O3S]+", "[M+2H]2+": "[C22H32N6O4S]2+",
            "[M-H]-": "[C22H29N6O4S]-", "[M+Cl]-": "[C22H30ClN6O4S]-", "[M+HCOO]-": "[C23H31N6O6S]-",
            "[M-2H]2-": "[C22H28N6O4S]2-"}


@pytest.mark.parametrize("name", list(PUBLISHED))
def test_every_adduct_against_molmass_and_published_offsets(name):
    f = Formula("C22H30N6O4S")                       # sildenafil
    z, offset = PUBLISHED[name]
    a = get_adduct(name)
    assert a.name == name and abs(a.charge) == z
    # the published offsets are rounded to 1e-6 and use older atomic masses (Na, NH4: 2.7e-6 off)
    assert f.mz(name) == pytest.approx(f.monoisotopic_mass / z + offset, abs=5e-6)
    ion = molmass.Formula(ION_TEXT[name])
    assert f.ion(name) == Formula(ION_TEXT[name])
    assert f.mz(name) == pytest.approx(ion.monoisotopic_mass / z, abs=1e-9)   # molmass: electron-corrected mass
    assert a.neutral_mass(f.mz(name)) == pytest.approx(f.monoisotopic_mass, abs=1e-9)


def test_any_adduct_written_out_and_protonation_by_charge():
    from gadesign_problems.molecule.formula import ADDUCTS, protonation_adduct

    assert set(PUBLISHED) | {"[M]"} == set(ADDUCTS)
    a = get_adduct("[M+3H]3+")
    f = Formula("C28H37N5O7")
    assert f.mz(a) == pytest.approx(molmass.Formula("[C28H40N5O7]3+").monoisotopic_mass / 3, abs=1e-9)
    assert get_adduct("[M+Na-2H]-").delta == {"Na": 1, "H": -2}
    assert protonation_adduct(2).name == "[M+2H]2+" and protonation_adduct(-1).name == "[M-H]-"
    assert protonation_adduct(0).name == "[M]"
