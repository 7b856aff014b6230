"""A formula query: what was measured, what is allowed, and how candidates score.

A :class:`Query` holds a measured m/z (or neutral mass) with its adduct, an optional
measured isotope pattern, the ppm window, the element alphabet with count bounds, and
the golden-rule set. :meth:`Query.score_counts` scores a batch of count vectors
(neutral compositions) in one vectorised pass; the exact enumerator and the GA both
rank by it, so their optima are comparable.

Score. With ``d`` the mass error in ppm and ``r`` the isotope mismatch (relative
RMSE), the penalty is

    chi2 = (max(|d| - a, 0) / s_out)^2 + (d / s_in)^2 + (r / s_iso)^2

with ``a`` the instrument's stated accuracy (3 ppm: errors inside it cost little),
``s_in`` a wide Gaussian on the error inside it (breaks ties towards the closer mass),
``s_out`` the steep penalty beyond it and ``s_iso`` the typical isotope mismatch. The
score is ``exp(-chi2 / 2)`` in (0, 1], higher is better; candidates outside the ppm
window or failing an applied rule are never ranked.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Mapping, Sequence

import numpy as np

from gadesign_problems.molecule.formula import Adduct, FormulaError, element, get_adduct, parse_elements
from gadesign_problems.molecule.isotopes import N_PEAKS, PatternTable, isotope_mismatch, normalise_pattern
from gadesign_problems.molecule.rules import (ELEMENT_LIMITS, MASS_BOUNDS, RULE_NAMES, RuleSet, applied_rules,
                                    evaluate_rules)

#: Default upper count bounds (the box of the reference cases); other elements: 10.
DEFAULT_UPPER: Mapping[str, int] = {"C": 100, "H": 200, "N": 20, "O": 40, "P": 10, "S": 10,
                                    "F": 30, "Cl": 10, "Br": 10, "I": 10}
DEFAULT_ELEMENTS = "CHNOPS"


@dataclass(frozen=True)
class Scoring:
    """Parameters of the score (see the module docstring); ppm and fractions."""

    mass_accuracy_ppm: float = 3.0
    sigma_ppm_outside: float = 1.0
    sigma_ppm_inside: float = 5.0
    sigma_isotope: float = 0.05
    isotope_floor: float = 0.003


@dataclass
class Scored:
    """Scores of a batch of candidates (arrays of length N, rules by name)."""

    counts: np.ndarray
    mass: np.ndarray            # neutral monoisotopic mass, Da
    ppm: np.ndarray             # signed error of the candidate's m/z against the measured, ppm
    mismatch: np.ndarray        # isotope mismatch (0 without a measured pattern)
    patterns: np.ndarray | None
    rules: dict[str, np.ndarray]   # violations of every rule (0 = pass), applied or not
    applied: tuple[str, ...]        # the rules that decide feasibility
    chi2: np.ndarray
    in_window: np.ndarray

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
        """Summed violation of the applied rules (0 = all pass)."""
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
    ``value``. ``upper``/``lower`` bound the counts of the neutral molecule.
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
              pattern: Iterable[float] | None = None, elements: "str | Sequence[str]" = DEFAULT_ELEMENTS,
              rules: "str | RuleSet" = "extended", lower: Mapping[str, int] | None = None,
              upper: Mapping[str, int] | None = None, scoring: Scoring | None = None) -> "Query":
        """A query from user-level values, validated (raises :class:`FormulaError`)."""
        els = parse_elements(elements)
        if not np.isfinite(value) or value <= 0:
            raise FormulaError(f"the measured mass must be positive, got {value}")
        if not 0 < ppm <= 1000:
            raise FormulaError(f"the ppm window must be in (0, 1000], got {ppm}")
        add = get_adduct(adduct)
        if add.charge < 0 and "H" not in els and "H" in add.delta:
            raise FormulaError(f"adduct {add.name} needs hydrogen in the alphabet")
        lo = {e: 0 for e in els} | dict(lower or {})
        hi = {e: DEFAULT_UPPER.get(e, 10) for e in els} | dict(upper or {})
        for e in set(lo) | set(hi):
            if e not in els:
                raise FormulaError(f"bound for {e}, which is not in the alphabet {''.join(els)}")
        for e in els:
            if not 0 <= lo[e] <= hi[e]:
                raise FormulaError(f"bounds for {e} must satisfy 0 <= lower <= upper, got {lo[e]}..{hi[e]}")
        pat = None if pattern is None else normalise_pattern(pattern)
        return cls(float(value), add, float(ppm), pat, els, tuple(int(lo[e]) for e in els),
                   tuple(int(hi[e]) for e in els), RuleSet.named(rules), scoring or Scoring())

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
        return applied_rules(self.rules, self.pattern is not None)

    @property
    def effective_upper(self) -> np.ndarray:
        """Upper bounds capped by what fits under the top of the window and, when rule 1
        applies, by its limits for the mass range of the top of the window (a superset
        of what rule 1 lets through anywhere in the window)."""
        cap = np.floor(self.window[1] / self.masses).astype(np.int64)
        upper = np.minimum(np.array(self.upper, dtype=np.int64), cap)
        if "element_counts" in self.rules.rules:
            row = min(int(np.searchsorted(MASS_BOUNDS, self.window[1], side="right")), len(MASS_BOUNDS) - 1)
            limits = [ELEMENT_LIMITS[e][row] if e in ELEMENT_LIMITS else u for e, u in zip(self.elements, upper)]
            upper = np.minimum(upper, np.array(limits, dtype=np.int64))
        return np.maximum(upper, np.array(self.lower, dtype=np.int64) - 1)

    # -- scoring -----------------------------------------------------------------------
    def pattern_table(self) -> PatternTable:
        """The isotope table for this query's ion compositions (build once, reuse)."""
        extra = tuple(e for e in self.adduct.delta if e not in self.elements)
        ion_elements = self.elements + extra
        delta = self.adduct.ion_vector(ion_elements)
        top = np.concatenate([np.array(self.upper, dtype=np.int64), np.zeros(len(extra), dtype=np.int64)])
        return PatternTable(ion_elements, np.maximum(top + delta, 0), N_PEAKS)

    def ppm_error(self, mass: np.ndarray) -> np.ndarray:
        """Signed ppm error of the ions of neutral masses ``mass`` against the measurement."""
        return (self.adduct.mz(np.asarray(mass, float)) - self.value) / self.value * 1e6

    def score_counts(self, counts: np.ndarray, table: PatternTable | None = None) -> Scored:
        """Score an (N, k) array of neutral compositions over :attr:`elements`."""
        counts = np.atleast_2d(np.asarray(counts, dtype=np.int64))
        mass = counts @ self.masses
        ppm = self.ppm_error(mass)
        s = self.scoring
        chi2 = (np.maximum(np.abs(ppm) - s.mass_accuracy_ppm, 0) / s.sigma_ppm_outside) ** 2 \
            + (ppm / s.sigma_ppm_inside) ** 2
        patterns = None
        mismatch = np.zeros(len(mass))
        if self.pattern is not None:
            table = table or self.pattern_table()
            delta = self.adduct.ion_vector(table.elements)
            ion = np.zeros((len(mass), len(table.elements)), dtype=np.int64)
            ion[:, :counts.shape[1]] = counts
            ion += delta
            ok = (ion >= 0).all(axis=1) & (ion <= table.max_counts).all(axis=1)
            patterns = np.zeros((len(mass), N_PEAKS))
            if ok.any():
                patterns[ok] = table(ion[ok])
            mismatch = np.where(ok, isotope_mismatch(patterns, self.pattern, s.isotope_floor), 1e3)
            chi2 = chi2 + (mismatch / s.sigma_isotope) ** 2
        report = RuleSet("all", RULE_NAMES, self.rules.ranges, self.rules.isotope_tolerance)
        rules = evaluate_rules(counts, self.elements, report, mass,
                               mismatch if self.pattern is not None else None)
        in_window = np.abs(ppm) <= self.ppm * (1 + 1e-12)
        lost = {e: -n for e, n in self.adduct.delta.items() if n < 0}
        for e, n in lost.items():  # [M-H]- needs an H to lose
            in_window &= counts[:, self.elements.index(e)] >= n
        return Scored(counts, mass, ppm, mismatch, patterns, rules, self.rule_names, chi2, in_window)
