"""Isotope patterns against molmass' full isotopologue spectra (an independent algorithm)."""

from __future__ import annotations

import molmass
import numpy as np
import pytest

from gadesign_problems.molecule.formula import Formula, FormulaError
from gadesign_problems.molecule.isotopes import (PatternTable, isotope_mismatch, isotope_pattern,
                                        normalise_pattern)

from .conftest import CASES

ELEMENTS = ("C", "H", "N", "O", "P", "S", "F", "Cl", "Br", "I")


def molmass_pattern(formula: str, n: int = 7) -> np.ndarray:
    """Bins M+0..M+n-1 of molmass' spectrum (exact isotopologue masses summed by mass
    number), renormalised to sum 1."""
    spectrum = molmass.Formula(formula).spectrum(min_fraction=1e-30)
    first = min(spectrum.keys())
    p = np.array([spectrum[first + k].fraction if first + k in spectrum else 0.0 for k in range(n)])
    return p / p.sum()


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_reference_compounds_match_molmass(case):
    ours = isotope_pattern(case["formula"])
    assert np.abs(ours - molmass_pattern(case["formula"])).max() < 1e-9
    assert np.abs(ours - case["isotope_pattern_theoretical"]).max() < 1e-7   # 8-digit reference


def test_random_batch_matches_molmass_and_single():
    rng = np.random.default_rng(7)
    upper = np.array([60, 90, 8, 12, 3, 4, 10, 5, 4, 3])
    counts = rng.integers(0, upper + 1, size=(40, len(ELEMENTS)))
    counts[:, 0] = np.maximum(counts[:, 0], 1)
    table = PatternTable(ELEMENTS, upper)
    batch = table(counts)
    for row, pattern in zip(counts, batch):
        text = "".join(f"{e}{n}" for e, n in zip(ELEMENTS, row) if n)
        assert np.abs(pattern - molmass_pattern(text)).max() < 1e-9
        assert np.allclose(pattern, isotope_pattern(Formula(text, allow_odd_electron=True)), atol=1e-15)
    assert np.allclose(batch.sum(axis=1), 1.0)


def test_large_batches_use_several_blocks():
    table = PatternTable(("C", "H", "Cl"), (50, 100, 6))
    counts = np.tile([[12, 7, 3]], (PatternTable.BLOCK * 2 + 5, 1))
    out = table(counts)
    assert np.allclose(out, molmass_pattern("C12H7Cl3"), atol=1e-12)


def test_ion_pattern_includes_adduct_atoms():
    ion = Formula("C8H9NO2").ion("[M+Na]+")
    assert np.abs(ion.isotope_pattern() - molmass_pattern("C8H9NNaO2")).max() < 1e-9


def test_mismatch_definition():
    p = isotope_pattern("C27H46O")
    assert isotope_mismatch(p, p) < 1e-12
    noisy = p * np.array([1.05, 0.95, 1.05, 1, 1, 1, 1])
    noisy /= noisy.sum()
    # bins above the floor are off by about 5 % of themselves
    assert 0.02 < isotope_mismatch(p, noisy) < 0.05
    # a bin below the floor in both patterns does not count
    a, b = np.array([0.9, 0.098, 0.002, 0, 0, 0, 0]), np.array([0.9, 0.099, 0.001, 0, 0, 0, 0])
    assert isotope_mismatch(a, b, floor=0.003) == pytest.approx(np.sqrt(((0.001 / 0.099) ** 2) / 7))
    batch = isotope_mismatch(np.vstack([p, noisy]), p)
    assert batch.shape == (2,) and batch[0] < 1e-12


def test_pattern_input_validation():
    # only the peaks given, normalised over them; missing peaks are not zeros
    assert np.allclose(normalise_pattern([90.9, 8.3, 0.7]), np.array([90.9, 8.3, 0.7]) / 99.9)
    gap = normalise_pattern([90.0, None, 1.0, float("nan")])
    assert len(gap) == 3 and np.isnan(gap[1]) and gap[0] == pytest.approx(90 / 91)
    for bad in ([], [0, 1], [1, -0.1], [None, 1], [1, float("inf")], [1] * 13):
        with pytest.raises(FormulaError):
            normalise_pattern(bad)
    with pytest.raises(FormulaError, match="lighter isotopes"):
        isotope_pattern("Fe2O3")
    with pytest.raises(FormulaError):
        PatternTable(("C",), (10,))(np.array([[11]]))
