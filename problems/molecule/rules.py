"""The Seven Golden Rules of Kind & Fiehn (2007), rules 1-6, vectorised over candidates.

T. Kind and O. Fiehn, "Seven Golden Rules for heuristic filtering of molecular formulas
obtained by accurate mass spectrometry", BMC Bioinformatics 8:105 (2007),
doi:10.1186/1471-2105-8-105.

Each rule is a function of an (N, k) count array over an element alphabet that returns
a violation per candidate: 0.0 when the candidate passes, otherwise a positive number
that grows with how far it is from passing (so a GA can use it as a constraint).
:func:`evaluate_rules` runs a :class:`RuleSet` and returns the violations by rule name.

1. ``element_counts``      maximum counts per element by mass range (Table 1)
2. ``lewis_senior``        LEWIS (even valence sum) and SENIOR (graph existence) rules
3. ``isotope_pattern``     isotope fit not improbably bad under the intensity-error model
4. ``hc_ratio``            H/C ratio within the common (0.2-3.1) or extended (0.1-6) range
5. ``heteroatom_ratios``   N, O, P, S, F, Cl, Br, Si per C within range (Table 2)
6. ``element_probability`` multiple-element count limits for N, O, P, S (Table 3)

Rule 7 (TMS derivatives) is out of scope. The common ranges wrongly reject real
compounds (glyphosate O/C = 1.67, PFOA F/C = 1.88 and H/C = 0.125), hence the
``extended`` default. Rules 4 and 5 are ratios to carbon: a formula without carbon
fails them unless it has no hydrogen (rule 4) or no heteroatom (rule 5).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Mapping, Sequence

import numpy as np
from scipy.stats import chi2 as _chi2_dist

from gadesign_problems.molecule.formula import FormulaError, element

# -- rule 1: Table 1, the larger of the DNP and Wiley counts per mass range --------------
#: Upper mass bounds (Da) of the rows of :data:`ELEMENT_LIMITS`.
MASS_BOUNDS: tuple[float, ...] = (500.0, 1000.0, 2000.0, 3000.0)
_TABLE1: Mapping[str, tuple[int, ...]] = {
    #      <500 <1000 <2000 <3000 (DNP only; never below the <2000 row)
    "C": (39, 78, 156, 162),
    "H": (72, 126, 236, 236),
    "N": (20, 25, 32, 48),
    "O": (20, 27, 63, 78),
    "P": (9, 9, 9, 9),
    "S": (10, 14, 14, 14),
    "F": (16, 34, 48, 48),
    "Cl": (10, 12, 12, 12),
    "Br": (5, 8, 10, 10),
    "Si": (8, 14, 15, 15),
}
#: Rule 1 limits per element and mass row. Elements absent (I, Na, ...) are unlimited.
#: Masses of 3000 Da and above use the last row.
ELEMENT_LIMITS: Mapping[str, tuple[int, ...]] = _TABLE1

# -- rules 4 and 5: Table 2 ------------------------------------------------------------
#: (low, high) ranges of element/C ratios; "common" covers 99.7 % of the Wiley
#: formulas, "extended" 99.99 %.
RATIO_RANGES: Mapping[str, Mapping[str, tuple[float, float]]] = {
    "common": {"H": (0.2, 3.1), "F": (0.0, 1.5), "Cl": (0.0, 0.8), "Br": (0.0, 0.8),
               "N": (0.0, 1.3), "O": (0.0, 1.2), "P": (0.0, 0.3), "S": (0.0, 0.8),
               "Si": (0.0, 0.5)},
    "extended": {"H": (0.1, 6.0), "F": (0.0, 6.0), "Cl": (0.0, 2.0), "Br": (0.0, 2.0),
                 "N": (0.0, 4.0), "O": (0.0, 3.0), "P": (0.0, 2.0), "S": (0.0, 3.0),
                 "Si": (0.0, 1.0)},
}

# -- rule 6: Table 3 ---------------------------------------------------------------------
#: (elements that must all exceed ``above``, ``above``, {element: count it must stay below}).
PROBABILITY_RULES: tuple[tuple[tuple[str, ...], int, Mapping[str, int]], ...] = (
    (("N", "O", "P", "S"), 1, {"N": 10, "O": 20, "P": 4, "S": 3}),
    (("N", "O", "P"), 3, {"N": 11, "O": 22, "P": 6}),
    (("O", "P", "S"), 1, {"O": 14, "P": 3, "S": 3}),
    (("P", "S", "N"), 1, {"P": 3, "S": 3, "N": 4}),
    (("N", "O", "S"), 6, {"N": 19, "O": 14, "S": 8}),
)

RULE_NAMES: tuple[str, ...] = ("element_counts", "lewis_senior", "isotope_pattern",
                               "hc_ratio", "heteroatom_ratios", "element_probability")


def _column(counts: np.ndarray, elements: Sequence[str], symbol: str) -> np.ndarray:
    """Counts of ``symbol`` (zeros if it is not in the alphabet), as float."""
    if symbol in elements:
        return counts[:, list(elements).index(symbol)].astype(float)
    return np.zeros(counts.shape[0])


def monoisotopic_masses(counts: np.ndarray, elements: Sequence[str]) -> np.ndarray:
    """Neutral monoisotopic masses (Da) of an (N, k) count array."""
    masses = np.array([element(e).monoisotopic_mass for e in elements])
    return np.asarray(counts, dtype=float) @ masses


def element_counts(counts: np.ndarray, elements: Sequence[str],
                   mass: np.ndarray | None = None) -> np.ndarray:
    """Rule 1: total count in excess of the Table 1 maxima for the candidate's mass range."""
    counts = np.atleast_2d(counts)
    mass = monoisotopic_masses(counts, elements) if mass is None else np.asarray(mass, float)
    row = np.minimum(np.searchsorted(MASS_BOUNDS, mass, side="right"), len(MASS_BOUNDS) - 1)
    excess = np.zeros(counts.shape[0])
    for j, e in enumerate(elements):
        if e in ELEMENT_LIMITS:
            limit = np.asarray(ELEMENT_LIMITS[e])[row]
            excess += np.maximum(counts[:, j] - limit, 0)
    return excess


def lewis_senior(counts: np.ndarray, elements: Sequence[str]) -> np.ndarray:
    """Rule 2: LEWIS and SENIOR rules on the valence graph of the formula.

    With valence sum V, maximum valence v_max and n atoms, a molecular graph exists
    only if (i) V is even, (ii) V >= 2 v_max and (iii) V >= 2 (n - 1). Elements with
    several valence states (P 3/5, S 2/4/6) pass if some assignment passes: for each
    cap L every atom takes its highest valence <= L. The violation is the smallest,
    over caps, of ``odd(V) + max(0, 2 v_max - V)/2 + max(0, 2(n-1) - V)/2``.
    """
    counts = np.atleast_2d(counts).astype(np.int64)
    valences = []
    for e in elements:
        v = element(e).valences
        if not v:
            raise FormulaError(f"the LEWIS/SENIOR rule has no valence for {e}")
        valences.append(v)
    atoms = counts.sum(axis=1)
    present = counts > 0
    caps = sorted({v for vs in valences for v in vs})
    best = np.full(counts.shape[0], np.inf)
    for cap in caps:
        chosen = np.array([max((v for v in vs if v <= cap), default=0) for vs in valences])
        possible = ~present[:, chosen == 0].any(axis=1)  # every present element has a valence <= cap
        total = counts @ chosen
        vmax = np.zeros(counts.shape[0], dtype=np.int64)
        for v in sorted(set(chosen[chosen > 0].tolist())):
            vmax = np.where(present[:, chosen == v].any(axis=1), v, vmax)
        v = ((total % 2).astype(float) + np.maximum(2 * vmax - total, 0) / 2
             + np.maximum(2 * (atoms - 1) - total, 0) / 2)
        best = np.where(possible, np.minimum(best, v), best)
    return best


def hc_ratio(counts: np.ndarray, elements: Sequence[str], ranges: str = "extended") -> np.ndarray:
    """Rule 4: distance of H/C from the common or extended range."""
    counts = np.atleast_2d(counts)
    lo, hi = RATIO_RANGES[ranges]["H"]
    c, h = _column(counts, elements, "C"), _column(counts, elements, "H")
    with np.errstate(divide="ignore", invalid="ignore"):
        r = h / c
    v = np.maximum(lo - r, 0) + np.maximum(r - hi, 0)
    return np.where(c > 0, v, np.where(h > 0, 1.0 + h, 0.0))


def heteroatom_ratios(counts: np.ndarray, elements: Sequence[str],
                      ranges: str = "extended") -> np.ndarray:
    """Rule 5: summed excess of N, O, P, S, F, Cl, Br, Si per carbon over the range."""
    counts = np.atleast_2d(counts)
    c = _column(counts, elements, "C")
    total = np.zeros(counts.shape[0])
    for e, (lo, hi) in RATIO_RANGES[ranges].items():
        if e == "H" or e not in elements:
            continue
        n = _column(counts, elements, e)
        with np.errstate(divide="ignore", invalid="ignore"):
            r = n / c
        total += np.where(c > 0, np.maximum(r - hi, 0) + np.maximum(lo - r, 0), n)
    return total


def element_probability(counts: np.ndarray, elements: Sequence[str]) -> np.ndarray:
    """Rule 6: when all of a group of N, O, P, S exceed a count, each must stay below its
    Table 3 limit. The violation is the summed excess over the applicable limits."""
    counts = np.atleast_2d(counts)
    total = np.zeros(counts.shape[0])
    for group, above, limits in PROBABILITY_RULES:
        applies = np.ones(counts.shape[0], dtype=bool)
        for e in group:
            applies &= _column(counts, elements, e) > above
        for e, limit in limits.items():
            total += np.where(applies, np.maximum(_column(counts, elements, e) - (limit - 1), 0), 0)
    return total


def isotope_pattern(chi2: np.ndarray, dof: np.ndarray | int, p_value: float) -> np.ndarray:
    """Rule 3: the isotope fit's chi-square (see
    :func:`~gadesign_problems.molecule.isotopes.isotope_misfit`) above the level a true
    formula exceeds with probability ``p_value`` under the intensity-error model
    (chi-square quantile with ``dof`` = measured bins - 1, the sum-to-one constraint
    taking one). With one measured bin the rule is void."""
    chi2 = np.asarray(chi2, dtype=float)
    dof = np.broadcast_to(np.asarray(dof), chi2.shape)
    limit = np.where(dof > 0, _chi2_dist.isf(p_value, np.maximum(dof, 1)), np.inf)
    return np.maximum(chi2 - limit, 0.0)


@dataclass(frozen=True)
class RuleSet:
    """Which golden rules to apply, with which ratio ranges, and which of them are
    graded evidence rather than filters.

    ``RuleSet.named("extended")`` (the default), ``"common"``, ``"none"``, or
    ``"extended-filter"`` / ``"common-filter"``. In ``extended`` and ``common`` the
    heuristic rules 1, 4, 5 and 6 are ``graded``: a candidate failing one stays in the
    ranking with a cost (``-2 ln`` of how rarely known compounds fail it, see
    :func:`~gadesign_problems.molecule.prior.rule_costs`), its verdict shown; rules 2
    (LEWIS/SENIOR: a molecular graph must exist) and 3 stay filters. The ``-filter``
    sets apply every rule as a filter. Rule 3 applies only when a measured pattern with
    at least two bins is given: a candidate fails it when its isotope chi-square is one
    a true formula reaches with probability below ``isotope_p_value`` (1e-4: with tens
    of thousands of candidates scored, the truth should not be the one rejected; the
    intensity-error model sets the scale).
    """

    name: str = "extended"
    rules: tuple[str, ...] = RULE_NAMES
    ranges: str = "extended"
    isotope_p_value: float = 1e-4
    graded: tuple[str, ...] = ()

    @classmethod
    def named(cls, name: "str | RuleSet") -> "RuleSet":
        from gadesign_problems.molecule.prior import GRADED_RULES

        if isinstance(name, RuleSet):
            return name
        key = str(name).strip().lower()
        if key in ("extended", "common"):
            return cls(key, RULE_NAMES, key, graded=GRADED_RULES)
        if key in ("extended-filter", "common-filter"):
            return cls(key, RULE_NAMES, key.split("-")[0])
        if key == "none":
            return cls("none", (), "extended")
        raise FormulaError(f"unknown rule set {name!r} (choose extended, common, extended-filter, "
                           "common-filter or none)")


_RULES: Mapping[str, Callable[..., np.ndarray]] = {
    "element_counts": lambda c, e, rs, m, iso: element_counts(c, e, m),
    "lewis_senior": lambda c, e, rs, m, iso: lewis_senior(c, e),
    "isotope_pattern": lambda c, e, rs, m, iso: isotope_pattern(iso[0], iso[1], rs.isotope_p_value),
    "hc_ratio": lambda c, e, rs, m, iso: hc_ratio(c, e, rs.ranges),
    "heteroatom_ratios": lambda c, e, rs, m, iso: heteroatom_ratios(c, e, rs.ranges),
    "element_probability": lambda c, e, rs, m, iso: element_probability(c, e),
}


def evaluate_rules(counts: np.ndarray, elements: Sequence[str], rules: "RuleSet | str" = "extended",
                   mass: np.ndarray | None = None,
                   isotope: tuple[np.ndarray, int] | None = None) -> dict[str, np.ndarray]:
    """Violations (0 = pass) of each rule in ``rules`` for an (N, k) count array.

    ``mass`` (neutral monoisotopic, Da) is computed when not given; rule 3 is skipped
    when ``isotope`` (the isotope chi-square per candidate and its degrees of freedom)
    is None.
    """
    rs = RuleSet.named(rules)
    counts = np.atleast_2d(np.asarray(counts))
    out: dict[str, np.ndarray] = {}
    for name in rs.rules:
        if name == "isotope_pattern" and isotope is None:
            continue
        out[name] = _RULES[name](counts, tuple(elements), rs, mass, isotope)
    return out


def applied_rules(rules: "RuleSet | str", with_pattern: bool) -> tuple[str, ...]:
    """Names of the rules ``rules`` applies as filters (rule 3 only with a measured pattern)."""
    rs = RuleSet.named(rules)
    return tuple(n for n in rs.rules if (with_pattern or n != "isotope_pattern") and n not in rs.graded)


def graded_rules(rules: "RuleSet | str") -> tuple[str, ...]:
    """Names of the rules ``rules`` weighs as evidence (a cost when failed, no filter)."""
    rs = RuleSet.named(rules)
    return tuple(n for n in rs.rules if n in rs.graded)
