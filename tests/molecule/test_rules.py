"""Each Seven Golden Rule with compounds that pass and fail it (Kind & Fiehn 2007)."""

from __future__ import annotations

import numpy as np
import pytest

from gadesign_problems.molecule.formula import Formula, FormulaError
from gadesign_problems.molecule.rules import (RuleSet, element_counts, element_probability, evaluate_rules,
                                     hc_ratio, heteroatom_ratios, isotope_pattern, lewis_senior)

from .conftest import CASES

ELEMENTS = ("C", "H", "N", "O", "P", "S", "F", "Cl", "Br", "I", "Si")


def vec(formula: str) -> np.ndarray:
    return Formula(formula, allow_odd_electron=True).vector(ELEMENTS)[None, :]


def passes(rule, formula: str, *args) -> bool:
    return bool(rule(vec(formula), ELEMENTS, *args)[0] == 0)


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_reference_compounds_pass_every_extended_rule(case):
    violations = evaluate_rules(vec(case["formula"]), ELEMENTS, "extended")
    assert set(violations) == {"element_counts", "lewis_senior", "hc_ratio", "heteroatom_ratios",
                               "element_probability"}
    assert all(v[0] == 0 for v in violations.values()), violations


def test_rule1_element_counts_by_mass_range():
    assert passes(element_counts, "C33H40N2O9")            # reserpine, 608 Da: C <= 78
    assert passes(element_counts, "C6HBr5")                # pentabromobenzene, 468 Da: Br <= 5
    assert not passes(element_counts, "C12Br10O")          # decabromodiphenyl ether, 959 Da: Br > 8
    assert not passes(element_counts, "C40H2")             # 482 Da: C > 39 below 500 Da
    assert passes(element_counts, "C40H82")                # 563 Da: C <= 78 above 500 Da
    assert element_counts(vec("C12Br10O"), ELEMENTS)[0] == 2   # two bromines over the limit


def test_rule2_lewis_and_senior():
    for ok in ("C8H9NO2", "H2S", "SF6", "PCl5", "H3PO4", "H2SO4", "CH4"):
        assert passes(lewis_senior, ok), ok
    assert not passes(lewis_senior, "NO")         # nitric oxide: odd valence sum (a radical)
    assert not passes(lewis_senior, "CH3")        # methyl radical
    assert not passes(lewis_senior, "C2H8")       # even, but V=16 < 2(n-1)=18: no connected graph
    assert passes(lewis_senior, "H2")             # V=2 >= 2*1 and >= 2*(2-1)
    assert lewis_senior(vec("C2H8"), ELEMENTS)[0] == 1.0
    with pytest.raises(FormulaError):
        lewis_senior(np.array([[1, 1]]), ("C", "Fe"))


def test_rule3_isotope_pattern_chi_square_quantile():
    # chi-square quantiles: 13.82 for 2 degrees of freedom at p = 0.001, 6.63 for 1 at 0.01
    v = isotope_pattern(np.array([1.0, 13.0, 15.0]), 2, 1e-3)
    assert v[0] == 0 and v[1] == 0 and v[2] == pytest.approx(15.0 - 13.8155, abs=1e-3)
    assert isotope_pattern(np.array([7.0]), 1, 0.01)[0] == pytest.approx(7.0 - 6.6349, abs=1e-3)
    assert isotope_pattern(np.array([1e9]), 0, 1e-3)[0] == 0          # one measured peak: no test


def test_rule4_hc_ratio_common_and_extended():
    assert passes(hc_ratio, "C8HF15O2", "extended")       # PFOA, H/C = 0.125
    assert not passes(hc_ratio, "C8HF15O2", "common")
    assert passes(hc_ratio, "CH6N2", "extended")          # methylhydrazine, H/C = 6
    assert not passes(hc_ratio, "CH4", "common")          # methane, H/C = 4 > 3.1
    assert not passes(hc_ratio, "C6N4", "extended")       # tetracyanoethylene, H/C = 0
    assert passes(hc_ratio, "C8H9NO2", "common")
    assert not passes(hc_ratio, "H2O", "extended")        # no carbon


def test_rule5_heteroatom_ratios_common_and_extended():
    for name in ("C3H8NO5P", "C10H16N5O13P3", "C8HF15O2"):    # glyphosate, ATP, PFOA
        assert passes(heteroatom_ratios, name, "extended"), name
        assert not passes(heteroatom_ratios, name, "common"), name
    assert passes(heteroatom_ratios, "C8H10N4O2", "common")   # caffeine
    assert not passes(heteroatom_ratios, "C2Cl6", "extended")  # hexachloroethane, Cl/C = 3
    assert not passes(heteroatom_ratios, "CHN7", "extended")   # azidotetrazole, N/C = 7
    assert not passes(heteroatom_ratios, "H3PO4", "extended")  # heteroatoms without carbon


def test_rule6_element_probability():
    assert passes(element_probability, "C20H28N10O21P4")      # Table 3 examples of maxima
    assert passes(element_probability, "C10H18N5O20P5")
    assert passes(element_probability, "C59H64N18O13S7")
    assert not passes(element_probability, "C20H28N11O21P4")  # NOP all > 3 and N >= 11
    assert not passes(element_probability, "C10H20N2O10P4S2")  # NOPS all > 1 and P >= 4
    assert not passes(element_probability, "C20H30N2O4P3S2")   # OPS/PSN all > 1 and P >= 3
    assert passes(element_probability, "C10H20N2O10P4S")      # S = 1: the NOPS rule does not apply


def test_rule_sets():
    common = evaluate_rules(vec("C3H8NO5P"), ELEMENTS, "common")
    extended = evaluate_rules(vec("C3H8NO5P"), ELEMENTS, "extended")
    assert common["heteroatom_ratios"][0] > 0 and extended["heteroatom_ratios"][0] == 0
    assert evaluate_rules(vec("C3H8NO5P"), ELEMENTS, "none") == {}
    assert "isotope_pattern" in evaluate_rules(vec("CH4"), ELEMENTS, "extended", isotope=(np.array([0.1]), 2))
    assert RuleSet.named("common").ranges == "common"
    with pytest.raises(FormulaError):
        RuleSet.named("strict")
