"""A formula query: what was measured, what is allowed, and how candidates score.

A :class:`Query` holds a measured m/z (or neutral mass) with its adduct, an optional
measured isotope pattern (only the peaks measured; NaN = not measured), the ppm window,
the element alphabet with count bounds, the golden-rule set and the error model of the
measurement (:class:`Scoring`). :meth:`Query.score_counts` scores a batch of count
vectors (neutral compositions) in one vectorised pass; the exact enumerator and the GA
both rank by it, so their optima are comparable.

Score. A candidate's score is a posterior weight, ``exp(-(mass + isotope + prior + rules) / 2)``
in (0, 1]:

* ``mass``: with ``d`` the candidate's mass error (ppm) and ``a`` the instrument's stated
  accuracy (``--mass-accuracy``, default 3 ppm): 0 for ``|d| <= a`` (inside the accuracy
  a mass error says nothing: every candidate in it is equally likely to be the truth),
  ``(d^2 - a^2) / sigma^2`` beyond it, ``sigma = a / 3``. A stated accuracy is a 3-sigma
  bound of the instrument's mass error (the Fiehn lab's accurate-mass notes for the
  seven golden rules, fiehnlab.ucdavis.edu/projects/seven-golden-rules/accurate-mass:
  "for real world experiments the 3-sigma rule should be sufficient"), so beyond it the likelihood falls as that Gaussian does, relative to
  its value at the bound: -2 ln[N(d; 0, sigma) / N(a; 0, sigma)]. The ppm window
  (``--ppm``) is a hard filter on top. This ``flat`` model is the likelihood of an
  instrument whose errors spread evenly over its accuracy. For one whose errors are
  Gaussian (``--mass-error gaussian``) the term is ``(d / sigma)^2`` everywhere: a
  smaller error is then evidence, as in SIRIUS' scoring of mass deviations (Boecker et al.
  2009, Bioinformatics 25, 218: deviations normally distributed, sigma from the stated
  ppm).
* ``isotope``: -2 ln L of the measured peaks under the intensity-error model of
  :func:`~gadesign_problems.molecule.isotopes.isotope_misfit` (relative error on strong
  peaks, an absolute floor on weak ones; defaults 3 % and 0.002 of the total intensity:
  the relative error the issue states for its measurements, "intensities with +-3 %
  noise", inside the 2-5 % Kind & Fiehn give for isotope abundances; compared on
  development queries only, ``benchmarks/molecule_validation.py --part intensity``), the
  total intensity profiled out (``isotope_scale``; chosen on development queries by a
  rule written before the run, ``--part isotope-scale``).
* ``prior``: -2 ln of the formula prior (:mod:`~gadesign_problems.molecule.prior`: a
  density of C, N and O per mass with and without P, S and P counts; with
  ``--halogen-prior`` F, Cl, Br, I too), fitted on the development list; ``--no-prior``
  drops it.
* ``rules``: for each graded golden rule the candidate fails (rules 1, 4, 5, 6 by
  default), -2 ln of how rarely known compounds of its halogen class (with or without
  F, Cl, Br, I) fail it (:func:`~gadesign_problems.molecule.prior.rule_costs`).

Every term is >= 0. Candidates outside the window or failing a rule applied as a filter
(rule 2, rule 3, or all with ``--rules extended-filter``) are never ranked; every rule's
verdict is shown.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Iterable, Mapping, Sequence

import numpy as np

from gadesign_problems.molecule.formula import Adduct, FormulaError, element, get_adduct, parse_elements
from gadesign_problems.molecule.isotopes import (N_PEAKS, PatternTable, given_bins, isotope_mismatch,
                                                 isotope_misfit, normalise_pattern)
from gadesign_problems.molecule.prior import development_prior, halogen_class, rule_costs
from gadesign_problems.molecule.rules import (ELEMENT_LIMITS, MASS_BOUNDS, RULE_NAMES, RuleSet, applied_rules,
                                              evaluate_rules, graded_rules)

DEFAULT_ELEMENTS = "CHNOPS"
#: Largest neutral mass (Da) a query may have unless ``mass_limit`` raises it: beyond it
#: an isotope pattern of a few peaks no longer constrains the composition.
MASS_LIMIT = 10_000.0
#: Mass-error distributions a :class:`Scoring` knows (``--mass-error``).
MASS_ERROR_MODELS = ("flat", "gaussian")


def parse_limits(text: str | None) -> dict[str, int]:
    """Element count limits from ``"C=120,Cl=6"`` (empty or None: none)."""
    out: dict[str, int] = {}
    if not text:
        return out
    for item in text.replace(";", ",").split(","):
        item = item.strip()
        if not item:
            continue
        symbol, sep, value = item.partition("=")
        try:
            n = int(value)
        except ValueError:
            n = -1
        if not sep or n < 0:
            raise FormulaError(f"element limit {item!r}: write SYMBOL=COUNT, e.g. C=120,Cl=6")
        element(symbol.strip())
        if symbol.strip() in out:
            raise FormulaError(f"element limit for {symbol.strip()} given twice in {text!r}")
        out[symbol.strip()] = n
    return out


@dataclass(frozen=True)
class Scoring:
    """The measurement's error model (see the module docstring).

    ``mass_accuracy_ppm``: the instrument's stated mass accuracy; ``accuracy_sigmas``:
    how many standard deviations of the mass error that accuracy spans (3: a 3-sigma
    bound; 0: no penalty beyond it, the ppm window alone); ``relative_intensity_error``
    and ``absolute_intensity_error``: the isotope intensity error model (fractions of
    a peak and of the total intensity of the measured peaks); ``use_prior``: add the
    formula prior fitted on the development list; ``halogen_prior``: in it, F, Cl, Br
    and I as rare elements too (halogens allowed, not expected); ``prior``: another
    prior (anything with ``cost(counts, elements, halogens)``, e.g. a
    :func:`~gadesign_problems.molecule.prior.fit` of another list) instead of that one;
    ``isotope_scale``: ``"profiled"`` (the total intensity a free parameter) or ``"fixed"``
    (the scale before), see :func:`~gadesign_problems.molecule.isotopes.isotope_misfit`;
    ``mass_error``: the instrument's mass-error distribution, ``"flat"`` (even over the
    accuracy, a Gaussian tail beyond) or ``"gaussian"`` (``sigma = accuracy /
    accuracy_sigmas``).
    """

    mass_accuracy_ppm: float = 3.0
    accuracy_sigmas: float = 3.0
    relative_intensity_error: float = 0.03
    absolute_intensity_error: float = 0.002
    use_prior: bool = True
    halogen_prior: bool = False
    prior: object | None = field(default=None, compare=False, repr=False)
    isotope_scale: str = "profiled"
    mass_error: str = "flat"

    def validated(self) -> "Scoring":
        if not (np.isfinite(self.mass_accuracy_ppm) and 0 < self.mass_accuracy_ppm <= 1000):
            raise FormulaError(f"--mass-accuracy must be in (0, 1000] ppm, got {self.mass_accuracy_ppm}")
        if not (np.isfinite(self.accuracy_sigmas) and self.accuracy_sigmas >= 0):
            raise FormulaError(f"accuracy_sigmas must be finite and >= 0, got {self.accuracy_sigmas}")
        if not (0 <= self.relative_intensity_error < 1):
            raise FormulaError(f"relative intensity error must be in [0, 1), got {self.relative_intensity_error}")
        if not (0 < self.absolute_intensity_error < 1):
            raise FormulaError(f"absolute intensity error must be in (0, 1), got {self.absolute_intensity_error}")
        if self.isotope_scale not in ("fixed", "profiled"):
            raise FormulaError(f"isotope scale must be fixed or profiled, got {self.isotope_scale!r}")
        if self.mass_error not in MASS_ERROR_MODELS:
            raise FormulaError(f"the mass error model (--mass-error, mass_error) must be one of "
                               f"{', '.join(MASS_ERROR_MODELS)}, got {self.mass_error!r}")
        if self.mass_error == "gaussian" and self.accuracy_sigmas <= 0:
            raise FormulaError("a gaussian mass error needs accuracy_sigmas > 0 (sigma = accuracy / accuracy_sigmas)")
        return self

    def mass_term(self, ppm: np.ndarray) -> np.ndarray:
        """-2 ln L of mass errors ``ppm`` (``sigma = a / accuracy_sigmas``): ``flat``, 0
        inside the accuracy ``a`` and ``(d^2 - a^2) / sigma^2`` beyond it; ``gaussian``,
        ``(d / sigma)^2``."""
        a = self.mass_accuracy_ppm
        d2 = np.asarray(ppm, dtype=float) ** 2
        if self.mass_error == "gaussian":
            return d2 * (self.accuracy_sigmas / a) ** 2
        return np.maximum(d2 - a * a, 0.0) * (self.accuracy_sigmas / a) ** 2


@dataclass
class Scored:
    """Scores of a batch of candidates (arrays of length N, rules by name)."""

    counts: np.ndarray
    mass: np.ndarray            # neutral monoisotopic mass, Da
    ppm: np.ndarray             # signed error of the candidate's m/z against the measured, ppm
    mass_term: np.ndarray       # -2 ln L of the mass error
    isotope_term: np.ndarray    # -2 ln L of the isotope peaks (0 without a pattern)
    isotope_chi2: np.ndarray    # goodness of fit of rule 3 (0 without a pattern)
    prior_term: np.ndarray      # -2 ln of the formula prior (0 with --no-prior)
    rule_term: np.ndarray       # summed costs of the graded rules failed
    mismatch: np.ndarray        # relative RMSE over the measured peaks (descriptive)
    patterns: np.ndarray | None
    rules: dict[str, np.ndarray]   # violations of every rule (0 = pass), applied or not
    applied: tuple[str, ...]        # the rules that decide feasibility
    in_window: np.ndarray

    @property
    def chi2(self) -> np.ndarray:
        """-2 ln of the score: mass, isotope, prior and graded-rule terms."""
        return self.mass_term + self.isotope_term + self.prior_term + self.rule_term

    @property
    def score(self) -> np.ndarray:
        return np.exp(-0.5 * self.chi2)

    @property
    def rules_pass(self) -> np.ndarray:
        ok = np.ones(len(self.ppm), dtype=bool)
        for name in self.applied:
            ok &= self.rules[name] <= 0
        return ok

    @property
    def rule_violation(self) -> np.ndarray:
        """Summed violation of the rules applied as filters (0 = all pass)."""
        total = np.zeros(len(self.ppm))
        for name in self.applied:
            total += self.rules[name]
        return total

    @property
    def feasible(self) -> np.ndarray:
        return self.in_window & self.rules_pass


@dataclass(frozen=True)
class Query:
    """A measured species and the search space for its formula.

    ``value`` is the measured m/z (Th) of the ``adduct`` ion, or the neutral mass (Da)
    for adduct ``[M]``. The ppm error of a candidate is that of its ion m/z against
    ``value``. ``upper``/``lower`` bound the counts of the neutral molecule; by default
    every element may take as many atoms as fit under the top of the window (rule 1
    caps them further when it applies).
    """

    value: float
    adduct: Adduct = field(default_factory=lambda: get_adduct("[M]"))
    ppm: float = 5.0
    pattern: np.ndarray | None = None
    elements: tuple[str, ...] = tuple("CHNOPS")
    lower: tuple[int, ...] = ()
    upper: tuple[int, ...] = ()
    rules: RuleSet = field(default_factory=RuleSet)
    scoring: Scoring = field(default_factory=Scoring)

    @classmethod
    def build(cls, value: float, adduct: "str | Adduct" = "[M]", ppm: float = 5.0,
              pattern: Iterable[float | None] | None = None,
              elements: "str | Sequence[str]" = DEFAULT_ELEMENTS,
              rules: "str | RuleSet" = "extended", lower: Mapping[str, int] | None = None,
              upper: Mapping[str, int] | None = None, scoring: Scoring | None = None,
              mass_accuracy: float | None = None, mass_limit: float = MASS_LIMIT) -> "Query":
        """A query from user-level values, validated (raises :class:`FormulaError`)."""
        els = parse_elements(elements)
        if not np.isfinite(value) or value <= 0:
            raise FormulaError(f"the measured mass must be positive, got {value}")
        if not 0 < ppm <= 1000:
            raise FormulaError(f"the ppm window must be in (0, 1000], got {ppm}")
        add = get_adduct(adduct)
        neutral = add.neutral_mass(float(value))
        if not np.isfinite(mass_limit) or mass_limit <= 0:
            raise FormulaError(f"the mass limit must be positive, got {mass_limit}")
        if neutral > mass_limit:
            raise FormulaError(f"neutral mass {neutral:.6g} Da is above the search limit of {mass_limit:g} Da "
                               "(raise it with --mass-limit; an isotope pattern does not pin down a formula "
                               "that large)")
        if neutral <= 0:
            raise FormulaError(f"m/z {value:g} with {add.name} gives no positive neutral mass")
        for e, n in add.delta.items():
            if n < 0 and e not in els:
                raise FormulaError(f"adduct {add.name} removes {e}, which is not in the alphabet {''.join(els)}")
        for what, bounds in (("upper", upper), ("lower", lower)):
            # a list, a string or a count of 2.5 or True used to pass (as 'limit for 1, which is
            # not in the alphabet', or a bound of 2 or 1 without a word)
            if bounds is None:
                continue
            if not isinstance(bounds, Mapping):
                raise FormulaError(f"element count limits ({what}) map element symbols to counts, e.g. "
                                   f"{{'C': 20, 'Cl': 4}}; got {bounds!r:.60}")
            for e, n in bounds.items():
                if isinstance(n, bool) or not isinstance(n, (int, np.integer)):
                    raise FormulaError(f"{what} count for {e} must be a whole number, got {n!r}")
        lo = {e: 0 for e in els} | dict(lower or {})
        for e in set(lo) | set(upper or {}):
            if e not in els:
                raise FormulaError(f"limit for {e}, which is not in the alphabet {''.join(els)}")
        top = neutral * (1 + 2 * ppm * 1e-6) + 1.0
        fit = {e: int(top // element(e).monoisotopic_mass) for e in els}
        hi = fit | {e: min(int(n), fit.get(e, int(n))) for e, n in (upper or {}).items()}   # beyond the fit: no limit
        for e in els:
            if not 0 <= lo[e] <= hi[e]:
                raise FormulaError(f"bounds for {e} must satisfy 0 <= lower <= upper, got {lo[e]}..{hi[e]}")
        sc = scoring or Scoring()
        if mass_accuracy is not None:
            sc = replace(sc, mass_accuracy_ppm=float(mass_accuracy))
        sc.validated()
        if sc.mass_accuracy_ppm > ppm:
            raise FormulaError(f"the mass accuracy ({sc.mass_accuracy_ppm:g} ppm) is wider than the ppm window "
                               f"({ppm:g}): widen --ppm so the window holds every candidate within the accuracy")
        pat = None if pattern is None else normalise_pattern(pattern)
        return cls(float(value), add, float(ppm), pat, els, tuple(int(lo[e]) for e in els),
                   tuple(int(hi[e]) for e in els), RuleSet.named(rules), sc)

    # -- the window --------------------------------------------------------------------
    @property
    def neutral_mass(self) -> float:
        """The measured neutral mass (Da)."""
        return self.adduct.neutral_mass(self.value)

    @property
    def window(self) -> tuple[float, float]:
        """Neutral masses (Da) whose ion lies within ±ppm of the measured value."""
        d = self.value * self.ppm * 1e-6
        return self.adduct.neutral_mass(self.value - d), self.adduct.neutral_mass(self.value + d)

    @property
    def masses(self) -> np.ndarray:
        """Monoisotopic masses (Da) of the alphabet's elements."""
        return np.array([element(e).monoisotopic_mass for e in self.elements])

    @property
    def rule_names(self) -> tuple[str, ...]:
        """The rules applied as filters."""
        return applied_rules(self.rules, self.pattern is not None)

    @property
    def graded_names(self) -> tuple[str, ...]:
        """The rules weighed as evidence (a cost when failed)."""
        return graded_rules(self.rules)

    @property
    def effective_upper(self) -> np.ndarray:
        """Upper bounds capped by what fits under the top of the window and, when rule 1
        applies, by its limits for the mass range of the top of the window (a superset
        of what rule 1 lets through anywhere in the window). When rule 1 is graded the
        cap is the next mass range's limits (one row up in Kind & Fiehn's Table 1), so
        counts beyond rule 1 are ranked at its cost, up to that bound."""
        cap = np.floor(self.window[1] / self.masses).astype(np.int64)
        upper = np.minimum(np.array(self.upper, dtype=np.int64), cap)
        if "element_counts" in self.rules.rules:
            row = int(np.searchsorted(MASS_BOUNDS, self.window[1], side="right"))
            row = min(row + ("element_counts" in self.graded_names), len(MASS_BOUNDS) - 1)
            limits = [ELEMENT_LIMITS[e][row] if e in ELEMENT_LIMITS else u for e, u in zip(self.elements, upper)]
            upper = np.minimum(upper, np.array(limits, dtype=np.int64))
        return np.maximum(upper, np.array(self.lower, dtype=np.int64) - 1)

    @property
    def fit_cap(self) -> np.ndarray:
        """Most atoms of each element that fit under the top of the window."""
        return np.floor(self.window[1] / self.masses).astype(np.int64)

    @property
    def n_peaks(self) -> int:
        """Isotope bins compared: those of the measured pattern (7 without one)."""
        return N_PEAKS if self.pattern is None else len(self.pattern)

    # -- scoring -----------------------------------------------------------------------
    def pattern_table(self) -> PatternTable:
        """The isotope table for this query's ion compositions (build once, reuse)."""
        extra = tuple(e for e in self.adduct.delta if e not in self.elements)
        ion_elements = self.elements + extra
        delta = self.adduct.ion_vector(ion_elements)
        top = np.concatenate([self.effective_upper, np.zeros(len(extra), dtype=np.int64)])
        return PatternTable(ion_elements, np.maximum(top + delta, 0), self.n_peaks)

    def ppm_error(self, mass: np.ndarray) -> np.ndarray:
        """Signed ppm error of the ions of neutral masses ``mass`` against the measurement."""
        return (self.adduct.mz(np.asarray(mass, float)) - self.value) / self.value * 1e6

    def evidence_terms(self, counts: np.ndarray, mass: np.ndarray,
                       rules: dict[str, np.ndarray] | None = None) -> tuple[np.ndarray, np.ndarray]:
        """The prior and graded-rule terms (-2 ln, each >= 0) of an (N, k) count array
        with neutral masses ``mass``; ``rules``: violations already evaluated."""
        model = self.scoring.prior or development_prior()
        prior = (model.cost(counts, self.elements, self.scoring.halogen_prior) if self.scoring.use_prior  # type: ignore[attr-defined]
                 else np.zeros(len(counts)))
        graded = self.graded_names
        if rules is None and graded:
            rules = evaluate_rules(counts, self.elements, RuleSet("graded", graded, self.rules.ranges), mass)
        term = np.zeros(len(counts))
        costs = rule_costs() if graded else {}
        cls = halogen_class(counts, self.elements) if graded else None
        for name in graded:
            term += np.where(rules[name] > 0, np.asarray(costs[name])[cls], 0.0)     # type: ignore[index]
        return prior, term

    def lower_bound(self, counts: np.ndarray) -> np.ndarray:
        """A lower bound of each candidate's -2 ln score with no isotope pattern computed
        (the isotope term is >= 0): lets the exact search skip hopeless candidates."""
        counts = np.atleast_2d(np.asarray(counts, dtype=np.int64))
        mass = counts @ self.masses
        prior, term = self.evidence_terms(counts, mass)
        return self.scoring.mass_term(self.ppm_error(mass)) + prior + term

    def score_counts(self, counts: np.ndarray, table: PatternTable | None = None) -> Scored:
        """Score an (N, k) array of neutral compositions over :attr:`elements`."""
        counts = np.atleast_2d(np.asarray(counts, dtype=np.int64))
        n = len(counts)
        mass = counts @ self.masses
        ppm = self.ppm_error(mass)
        s = self.scoring
        mass_term = s.mass_term(ppm)
        patterns = None
        mismatch = np.zeros(n)
        chi2 = np.zeros(n)
        iso_term = np.zeros(n)
        isotope = None
        if self.pattern is not None:
            table = table or self.pattern_table()
            delta = self.adduct.ion_vector(table.elements)
            ion = np.zeros((n, len(table.elements)), dtype=np.int64)
            ion[:, :counts.shape[1]] = counts
            ion += delta
            ok = (ion >= 0).all(axis=1) & (ion <= table.max_counts).all(axis=1)
            patterns = np.zeros((n, table.n_peaks))
            patterns[:, 0] = 1.0
            if ok.any():
                patterns[ok] = table(ion[ok])
            chi2, iso_term = isotope_misfit(patterns, self.pattern, s.relative_intensity_error,
                                            s.absolute_intensity_error, s.isotope_scale)
            mismatch = isotope_mismatch(patterns, self.pattern)
            bad = ~ok                                   # outside the table: cannot be this ion
            chi2, iso_term, mismatch = (np.where(bad, 1e6, chi2), np.where(bad, 1e6, iso_term),
                                        np.where(bad, 1e3, mismatch))
            isotope = (chi2, int(given_bins(self.pattern).sum()) - 1)
        report = RuleSet("all", RULE_NAMES, self.rules.ranges, self.rules.isotope_p_value)
        rules = evaluate_rules(counts, self.elements, report, mass, isotope)
        prior, rule_term = self.evidence_terms(counts, mass, rules)
        in_window = np.abs(ppm) <= self.ppm * (1 + 1e-12)
        for e, k in self.adduct.delta.items():   # [M-H]- needs an H to lose, [M-H2O+H]+ an O
            if k < 0:
                in_window &= counts[:, self.elements.index(e)] >= -k
        return Scored(counts, mass, ppm, mass_term, iso_term, chi2, prior, rule_term, mismatch, patterns, rules,
                      self.rule_names, in_window)
