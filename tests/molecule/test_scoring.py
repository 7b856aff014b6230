"""The score: only the peaks measured, the mass-accuracy model, the isotope likelihood,
element limits and the flags of results at a count limit."""

from __future__ import annotations

import molmass
import numpy as np
import pytest
from scipy.stats import norm

from gadesign_problems.molecule.formula import Formula, FormulaError
from gadesign_problems.molecule.isotopes import isotope_misfit, parse_intensities
from gadesign_problems.molecule.query import Query, Scoring, parse_limits
from gadesign_problems.molecule.search import exact_search


def molmass_pattern(formula: str, n: int = 7) -> np.ndarray:
    spectrum = molmass.Formula(formula).spectrum(min_fraction=1e-30)
    first = min(spectrum.keys())
    p = np.array([spectrum[first + k].fraction if first + k in spectrum else 0.0 for k in range(n)])
    return p / p.sum()


def truth_scores(query: Query, formula: str):
    return query.score_counts(Formula(formula).vector(query.elements)[None, :])


def test_three_peaks_are_compared_as_three_not_padded_with_zeros():
    # diclofenac: two Cl, M+2 is 64 % of M+0; M+3..M+6 carry 4 % of the intensity
    f = "C14H11Cl2NO2"
    p = molmass_pattern(f)
    mass = Formula(f).monoisotopic_mass * (1 + 1.2e-6)
    three = Query.build(mass, pattern=p[:3], elements="CHNOPSCl")
    s = truth_scores(three, f)
    assert s.isotope_chi2[0] < 1e-9 and s.rules_pass[0]            # renormalised over M+0..M+2: exact
    best = exact_search(three, top=3)[0]
    assert best and best[0].formula == f
    # explicit zeros say "looked for, absent": then the truth's M+3, M+4 contradict them
    zeros = Query.build(mass, pattern=list(p[:3]) + [0, 0, 0, 0], elements="CHNOPSCl")
    assert not truth_scores(zeros, f).rules_pass[0]
    # '-' marks a peak not measured inside the list
    gap = Query.build(mass, pattern=parse_intensities(f"{p[0]},-,{p[2]}"), elements="CHNOPSCl")
    assert truth_scores(gap, f).isotope_chi2[0] < 1e-9
    assert np.isnan(gap.pattern[1]) and gap.n_peaks == 3


def test_isotope_term_is_a_gaussian_log_likelihood():
    rng = np.random.default_rng(4)
    theory = rng.dirichlet(np.ones(5), size=6)
    measured = np.array([0.55, 0.25, 0.12, 0.05, 0.03])
    rel, absolute = 0.05, 0.002
    chi2, misfit = isotope_misfit(theory, measured, rel, absolute)
    sd = np.sqrt((rel * theory) ** 2 + absolute ** 2)
    loglik = norm.logpdf(measured, loc=theory, scale=sd).sum(axis=1)     # scipy, independently
    assert np.allclose(misfit - misfit[0], -2 * (loglik - loglik[0]))
    assert np.allclose(chi2, (((measured - theory) / sd) ** 2).sum(axis=1))
    assert (misfit >= chi2).all()
    # profiled: the total intensity as a free parameter, the residual of a weighted
    # least-squares fit of a * t to the measured peaks (numpy's lstsq, independently)
    chi2_p, misfit_p = isotope_misfit(theory, measured, rel, absolute, "profiled")
    for t, c, sdi in zip(theory, chi2_p, sd):
        _, residual, *_ = np.linalg.lstsq((t / sdi)[:, None], measured / sdi, rcond=None)
        assert c == pytest.approx(residual[0])
    assert (chi2_p <= chi2 + 1e-12).all() and np.allclose(misfit_p - chi2_p, misfit - chi2)


def test_mass_error_inside_the_accuracy_does_not_rank():
    s = Scoring(mass_accuracy_ppm=3.0)
    assert s.mass_term(np.array([0.0, 1.0, -2.9, 3.0])).tolist() == [0, 0, 0, 0]
    outside = s.mass_term(np.array([3.75, -4.5]))
    # beyond it -2 ln of a Gaussian of sigma = accuracy / 3 relative to the bound: (d^2 - a^2) / sigma^2
    sigma = 1.0
    gauss = [-2 * (norm.logpdf(d, scale=sigma) - norm.logpdf(3.0, scale=sigma)) for d in (3.75, 4.5)]
    assert outside == pytest.approx(gauss) and outside == pytest.approx([5.0625, 11.25])
    assert Scoring(mass_accuracy_ppm=3.0, accuracy_sigmas=0).mass_term(np.array([4.9])).tolist() == [0]
    # every composition in +-5 ppm, no pattern, the mass term alone (no prior, no rules):
    # all those inside 3 ppm tie, those outside score lower; the closest wins only when
    # the accuracy is stated tighter
    mass = Formula("C17H19NO3").monoisotopic_mass * (1 + 2.0e-6)
    alone = {"ppm": 5, "elements": "CHNO", "rules": "none", "scoring": Scoring(use_prior=False)}
    loose = exact_search(Query.build(mass, mass_accuracy=3.0, **alone), top=None)[0]
    tight = exact_search(Query.build(mass, mass_accuracy=0.5, **alone), top=None)[0]
    inside = [c.score for c in loose if abs(c.ppm) <= 3]
    outside = [c.score for c in loose if abs(c.ppm) > 3]
    assert len(inside) >= 2 and set(inside) == {1.0} and outside and max(outside) < 1.0
    assert abs(tight[0].ppm) < 0.5 and tight[0].mass_term == 0
    assert next(c for c in tight if c.formula == "C17H19NO3").mass_term > 0
    with pytest.raises(FormulaError, match="wider than the ppm window"):
        Query.build(mass, ppm=2, mass_accuracy=3)


def test_gaussian_mass_error_ranks_the_smaller_error_inside_the_accuracy():
    """``mass_error="gaussian"``: -2 ln N(d; 0, sigma) relative to d = 0, sigma = accuracy / 3,
    everywhere: inside the accuracy a smaller error now ranks higher."""
    s = Scoring(mass_accuracy_ppm=3.0, mass_error="gaussian")
    d = np.array([0.0, 1.0, -2.0, 4.5])
    expect = [-2 * (norm.logpdf(v, scale=1.0) - norm.logpdf(0.0, scale=1.0)) for v in d]
    assert s.mass_term(d) == pytest.approx(expect) and s.mass_term(d) == pytest.approx([0, 1, 4, 20.25])
    mass = Formula("C17H19NO3").monoisotopic_mass * (1 + 2.0e-6)
    alone = {"ppm": 5, "elements": "CHNO", "rules": "none", "mass_accuracy": 3.0}
    ranked = exact_search(Query.build(mass, scoring=Scoring(use_prior=False, mass_error="gaussian"), **alone),
                          top=None)[0]
    errors = [abs(c.ppm) for c in ranked]
    assert len(errors) >= 3 and errors == sorted(errors)      # the mass term alone: by |error|
    for bad in (Scoring(mass_error="normal"), Scoring(mass_error="gaussian", accuracy_sigmas=0)):
        with pytest.raises(FormulaError):
            bad.validated()


def test_element_limits_and_count_limit_flags():
    assert parse_limits("C=120, Cl=6") == {"C": 120, "Cl": 6}
    for bad in ("C120", "C=-1", "Xx=3", "C=a"):
        with pytest.raises(FormulaError):
            parse_limits(bad)
    f = Formula("C16H13ClN2O")                                # diazepam, 284 Da
    mass = f.monoisotopic_mass * (1 - 0.8e-6)
    pattern = molmass_pattern(f.hill)[:4]
    free = exact_search(Query.build(mass, pattern=pattern, elements="CHNOCl"), top=5)[0]
    assert free[0].formula == f.hill and not free[0].at_limit
    everything = exact_search(Query.build(mass, elements="CHNOCl", rules="none"), top=None)[0]
    cap = sorted({c.counts.get("C", 0) for c in everything})[-2]       # a cap some answers sit at
    capped = exact_search(Query.build(mass, elements="CHNOCl", upper={"C": cap}, rules="none"), top=None)[0]
    assert capped and all(c.counts.get("C", 0) <= cap for c in capped)
    for c in capped:                                          # flagged exactly when pressing on the cap
        assert ("C" in c.at_limit) == (c.counts.get("C", 0) == cap)
    assert any(c.at_limit for c in capped)
    # without a limit every element may take what fits: 2,700 Da over CHNOS is searchable
    big = Query.build(2700.0, elements="CHNOS", rules="none")
    assert big.effective_upper[0] == int(big.window[1] // 12)


@pytest.mark.parametrize("scale", ["fixed", "profiled"])
@pytest.mark.parametrize("n_peaks", [3, 7])
def test_isotope_chi2_is_calibrated_on_the_peaks_given(n_peaks, scale):
    # the truth's chi-square under the error model's own noise (relative 3 %, absolute
    # 0.0005, bins under 0.1 % of the base reported as 0, renormalised over the peaks given)
    # has the mean of a chi-square with n - 1 degrees of freedom (the sum-to-one constraint
    # takes one): seven peaks weigh as seven, three as three
    rng = np.random.default_rng(7)
    chi = []
    for formula in ("C8H9NO2", "C14H11Cl2NO2", "C33H35FN2O5", "C10H16N5O13P3", "C42H82NO8P", "C12H4Cl2F6N4OS"):
        t = molmass_pattern(formula)
        for _ in range(200):
            m = np.maximum(t * (1 + rng.normal(0, 0.03, 7)) + rng.normal(0, 0.0005, 7), 0)
            m[m < 0.001 * m.max()] = 0
            chi.append(isotope_misfit(t[None, :n_peaks], m[:n_peaks] / m[:n_peaks].sum(), 0.03, 0.0005, scale)[0][0])
    assert np.mean(chi) == pytest.approx(n_peaks - 1, rel=0.3)
