"""The exact enumerator against brute force, and the twelve reference cases."""

from __future__ import annotations

import itertools
import time

import molmass
import numpy as np
import pytest

from gadesign_problems.molecule.formula import Formula, FormulaError, element
from gadesign_problems.molecule.query import Query
from gadesign_problems.molecule.search import enumerate_compositions, exact_search

from .conftest import CASES


def brute_force(elements, upper, lo, hi):
    masses = [element(e).monoisotopic_mass for e in elements]
    out = set()
    for n in itertools.product(*(range(u + 1) for u in upper)):
        m = sum(a * b for a, b in zip(n, masses))
        if lo <= m <= hi:
            out.add(n)
    return out


@pytest.mark.parametrize("seed", range(4))
def test_meet_in_the_middle_equals_brute_force(seed):
    rng = np.random.default_rng(seed)
    elements = ("C", "H", "N", "O", "S", "Cl")
    upper = (12, 24, 4, 6, 2, 2)
    centre = rng.uniform(120, 260)
    lo, hi = centre - 0.05, centre + 0.05           # wide window: many answers
    masses = np.array([element(e).monoisotopic_mass for e in elements])
    found = enumerate_compositions(masses, [0] * 6, upper, lo, hi)
    assert {tuple(int(v) for v in row) for row in found} == brute_force(elements, upper, lo, hi)
    assert len(found) == len({tuple(r) for r in found.tolist()})   # no duplicates
    lower = [1, 2, 0, 1, 0, 0]
    found_lower = enumerate_compositions(masses, lower, upper, lo, hi)
    expected = {n for n in brute_force(elements, upper, lo, hi) if all(a >= b for a, b in zip(n, lower))}
    assert {tuple(int(v) for v in row) for row in found_lower} == expected


def test_exact_search_on_the_reference_cases():
    # top-3 in every case, top-1 in at least 11 of 12 (measured 12: sildenafil's mass error
    # is inside the 3 ppm accuracy and C23H41O2P3S fits its noisy pattern as well; the
    # formula prior, fitted on the development list, puts the truth first); nothing of the
    # score was chosen on these cases
    first = 0
    for case in CASES:
        m = case["measured"]
        query = Query.build(m["neutral_mass"], pattern=m["isotope_pattern"], elements=case["alphabet_informed"])
        candidates, stats = exact_search(query, top=5)
        names = [c.formula for c in candidates]
        assert case["formula"] in names[:3], (case["id"], names)
        first += names[0] == case["formula"]
        _check_candidates(candidates, stats)
    assert first >= 11


def _check_candidates(candidates, stats):
    assert stats["enumerated"] >= stats["feasible"] >= 1
    for c in candidates:
        assert abs(c.ppm) <= 5 and c.rules["lewis_senior"] and c.rules.get("isotope_pattern", True)  # filters
        assert c.mass == pytest.approx(Formula(c.formula).monoisotopic_mass, abs=1e-9)
    scores = [c.score for c in candidates]
    assert scores == sorted(scores, reverse=True)


def test_search_from_protonated_mz():
    mz = Formula("C8H9NO2").mz("[M+H]+") * (1 + 1.5e-6)
    query = Query.build(mz, adduct="[M+H]+", pattern=Formula("C8H10NO2", 1).isotope_pattern())
    best = exact_search(query, top=3)[0][0]
    assert best.formula == "C8H9NO2" and best.ppm == pytest.approx(-1.5, abs=1e-3)
    assert best.isotope_mismatch < 1e-9


def test_rules_none_keeps_everything_in_the_window():
    query = Query.build(194.0803756, rules="none")
    with_rules = Query.build(194.0803756, rules="extended")
    assert exact_search(query, top=None)[1]["feasible"] > exact_search(with_rules, top=None)[1]["feasible"]


def test_900_da_over_ten_elements_in_seconds():
    # ivermectin B1a, 874.5 Da, searched over CHNOPSFClBrI; pattern and mass from molmass
    ref = molmass.Formula("C48H74O14")
    spectrum = ref.spectrum(min_fraction=1e-30)
    first = min(spectrum.keys())
    pattern = [spectrum[first + k].fraction for k in range(7)]
    query = Query.build(ref.monoisotopic_mass * (1 + 1e-6), elements="CHNOPSFClBrI", pattern=pattern)
    t = time.perf_counter()
    candidates, stats = exact_search(query, top=None)
    assert time.perf_counter() - t < 30.0           # about 2 s on one core; generous for CI
    assert stats["enumerated"] > 1e5
    assert candidates[0].formula == "C48H74O14"


def test_query_validation():
    with pytest.raises(FormulaError):
        Query.build(-5.0)
    with pytest.raises(FormulaError):
        Query.build(100.0, ppm=0)
    with pytest.raises(FormulaError):
        Query.build(100.0, upper={"Cl": 3})          # Cl not in CHNOPS


def test_size_estimate_counts_sub_compositions_exactly():
    from gadesign_problems.molecule.search import _size_estimate

    rng = np.random.default_rng(11)
    for _ in range(30):
        k = int(rng.integers(1, 4))
        nominal = rng.integers(1, 20, k)
        lower = rng.integers(0, 3, k)
        upper = lower + rng.integers(0, 8, k)
        limit = int(rng.integers(0, 120))
        count = sum(1 for n in itertools.product(*(range(a, b + 1) for a, b in zip(lower, upper)))
                    if np.dot(n, nominal) <= limit)
        assert _size_estimate(nominal, lower, upper, limit) == count


def test_streamed_chunks_equal_one_pass_and_guards_refuse():
    from gadesign_problems.molecule.search import SearchTooLarge, stream_compositions

    elements = ("C", "H", "N", "O", "S")
    masses = np.array([element(e).monoisotopic_mass for e in elements])
    whole = enumerate_compositions(masses, [0] * 5, [30, 60, 6, 10, 3], 410.0, 410.2)
    chunks = list(stream_compositions(masses, [0] * 5, [30, 60, 6, 10, 3], 410.0, 410.2, chunk=50))
    assert len(chunks) > 2 and all(len(c) <= 200 for c in chunks)
    assert sorted(map(tuple, np.concatenate(chunks).tolist())) == sorted(map(tuple, whole.tolist()))
    with pytest.raises(SearchTooLarge, match="list sub-compositions"):
        list(stream_compositions(masses, [0] * 5, [30, 60, 6, 10, 3], 410.0, 410.2, max_sub=100))
    with pytest.raises(SearchTooLarge, match="score compositions in the window"):
        list(stream_compositions(masses, [0] * 5, [30, 60, 6, 10, 3], 410.0, 410.2, max_window=10))
    query = Query.build(5000.0, elements="CHNOPSFClBrI")
    t = time.perf_counter()
    with pytest.raises(SearchTooLarge):
        exact_search(query)
    assert time.perf_counter() - t < 10                      # refused from the plan: ~0.05 s


def melatonin_outlier(scale=(1.0, 1.25, 1.0)) -> tuple[float, list[float]]:
    """Melatonin [M+H]+ measured 1.2 ppm heavy with M+0..M+2 from molmass times ``scale``:
    by default M+1 25 % high (8 sigma of 3 % noise: an interfering peak), which every
    composition in the window fits worse than rule 3 allows."""
    ref = molmass.Formula("[C13H17N2O2]+")
    spectrum = ref.spectrum(min_fraction=1e-15)
    first = min(spectrum.keys())
    peaks = [spectrum[first + k].fraction * s for k, s in enumerate(scale)]
    return ref.monoisotopic_mass * (1 + 1.2e-6), peaks


def test_every_candidate_failing_rule_3_is_still_ranked_and_flagged():
    from gadesign_problems.molecule.evolve import evolve_formula
    from gadesign_problems.molecule.query import Scoring

    def search(scale, scoring=None):
        mz, peaks = melatonin_outlier(scale)
        query = Query.build(mz, "[M+H]+", pattern=peaks, mass_accuracy=3.0, scoring=scoring)
        return query, *exact_search(query, top=3)

    query, candidates, stats = search((1.0, 1.25, 1.0))
    assert stats["rule3_relaxed"] == 1.0
    assert candidates[0].formula == "C13H16N2O2"           # the truth first, its better isotope fit decides
    assert not any(c.rules["isotope_pattern"] for c in candidates)           # each shown failing rule 3
    assert all(c.rules["lewis_senior"] for c in candidates)                  # the hard rule still filters
    report = evolve_formula(query, pop=20, generations=5, seed=3, top=3)     # the GA answers the same way
    assert report.rule3_relaxed and report.candidates[0].formula == "C13H16N2O2"
    # the redrawn validation query (draw 7, 3 peaks: M+0 7 % low and M+1 9.3 % high at once):
    # with the pattern's scale fixed every composition failed rule 3; with the total
    # intensity profiled out (the default) the truth passes it
    draw7 = (0.93, 1.093, 1.0)
    _, candidates, stats = search(draw7, Scoring(isotope_scale="fixed"))
    assert stats["rule3_relaxed"] == 1.0 and candidates[0].formula == "C13H16N2O2"
    _, candidates, stats = search(draw7)
    assert "rule3_relaxed" not in stats and candidates[0].formula == "C13H16N2O2"
    assert candidates[0].rules["isotope_pattern"]
    # the same compound measured within the error model: rule 3 filters as before, nothing relaxed
    _, candidates, stats = search((1.0, 1.03, 0.98))
    assert "rule3_relaxed" not in stats and candidates[0].formula == "C13H16N2O2"
    assert all(c.rules["isotope_pattern"] for c in candidates)


def test_no_relaxation_when_the_hard_rules_leave_nothing():
    # the methyl radical CH3: the only composition in the window fails LEWIS/SENIOR (rule 2);
    # no isotope outlier can bring it back, and an empty window stays empty
    ref = molmass.Formula("CH3")
    pattern = [ref.spectrum(min_fraction=1e-15)[15 + k].fraction for k in range(2)]
    candidates, stats = exact_search(Query.build(ref.monoisotopic_mass, pattern=pattern), top=3)
    assert candidates == [] and stats["enumerated"] >= 1 and stats["feasible"] == 0 and "rule3_relaxed" not in stats
    candidates, stats = exact_search(Query.build(12.5, pattern=[0.9, 0.1]), top=3)
    assert candidates == [] and stats["enumerated"] == 0
