"""A formula prior: how likely a composition is to be a real compound, before the spectrum.

Within a few ppm of a large mass there are many compositions whose three to seven
isotope peaks fit the measurement equally well; what separates the real one is
chemistry (SIRIUS ranks its candidates with such a prior as well: hetero-atom/carbon
ratios and element frequencies, Böcker & Dührkop, J. Cheminform. 8:5, 2016). The prior
here is a product of independent factors, each fitted by maximum likelihood on the
project's development list (``tests/data/molecule/development/compounds.csv``: 322
public drugs, pesticides, metabolites, lipids, natural products, PFAS and flame
retardants; disjoint from the validation set and from the 12 reference cases). It is
returned as ``-2 ln`` of the prior relative to its most probable value, so it is >= 0
and adds to the mass and isotope terms of the score like another likelihood:

* **P and S as rare elements**: presence with probability ``p`` (absent: cost 0;
  present: ``-2 ln(p / (1 - p))``), and a count ``n >= 1`` geometric with mean ``mu``
  given presence (cost ``-2 (n - 1) ln(1 - 1/mu)``).
* **Nitrogen per carbon**: ``N/C`` exponentially distributed with rate ``lam``
  (cost ``2 lam N / C``): a composition that buys its mass defect with many N is rarer
  than one with few.

Halogens carry no prior by default: a user lists them in ``--elements`` when the
sample may hold them, and the M+2 peaks (Cl, Br) or the mass defect (F, I) speak for
them. When they are only allowed, not expected (a broad alphabet "just in case"),
``halogens=True`` (``--halogen-prior``) treats F, Cl, Br and I like P and S: presence
and count fitted the same way. The variants tried on the development set's queries (H/C,
RDBE/C, O/C, hetero-atom/C, halogen terms) are in the README with their numbers; the
halogen presence prior ranked better only on the broad alphabet, hence the option.
:func:`fit` refits every constant from a list of formulas, and a test checks that the
constants below are that fit of the development list.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Sequence

import numpy as np

#: Elements with a presence prior (probability that a compound contains them).
RARE = ("P", "S")
#: Elements given one with ``halogens=True``.
HALOGENS = ("F", "Cl", "Br", "I")


@dataclass(frozen=True)
class FormulaPrior:
    """Constants of the prior (see the module docstring); ``presence[e]`` and
    ``mean_count[e]`` for the :data:`RARE` elements and the :data:`HALOGENS`,
    ``nitrogen_rate`` = 1 / mean(N/C) over compounds with nitrogen."""

    presence: dict[str, float]
    mean_count: dict[str, float]
    nitrogen_rate: float

    def cost(self, counts: np.ndarray, elements: Sequence[str], halogens: bool = False) -> np.ndarray:
        """``-2 ln`` prior (>= 0) of an (N, k) count array over ``elements``; ``halogens``:
        F, Cl, Br, I as rare elements too."""
        counts = np.atleast_2d(np.asarray(counts, dtype=float))
        out = np.zeros(counts.shape[0])
        idx = {e: i for i, e in enumerate(elements)}
        for e in RARE + (HALOGENS if halogens else ()):
            if e not in idx:
                continue
            n = counts[:, idx[e]]
            p, mu = self.presence[e], self.mean_count[e]
            per_extra = -2.0 * np.log(1.0 - 1.0 / mu) if mu > 1 else 0.0
            out += np.where(n > 0, -2.0 * np.log(p / (1.0 - p)) + per_extra * np.maximum(n - 1, 0), 0.0)
        if "N" in idx:
            c = counts[:, idx["C"]] if "C" in idx else np.zeros(counts.shape[0])
            n = counts[:, idx["N"]]
            out += 2.0 * self.nitrogen_rate * n / np.maximum(c, 1.0)
        return out


def fit(formulas: Iterable[dict[str, int]]) -> FormulaPrior:
    """Maximum-likelihood constants from element counts of known compounds: presence
    ``(k + 1/2) / (n + 1)`` (k of n compounds contain the element; the half count keeps
    it off 0 and 1), mean count given presence, and the rate of N/C over compounds with
    N and C."""
    rows = list(formulas)
    if not rows:
        raise ValueError("fit needs at least one formula")
    presence, mean_count = {}, {}
    for e in RARE + HALOGENS:
        n = np.array([f.get(e, 0) for f in rows], dtype=float)
        k = int((n > 0).sum())
        presence[e] = (k + 0.5) / (len(rows) + 1)
        mean_count[e] = float(n[n > 0].mean()) if k else 1.0
    ratios = [f["N"] / f["C"] for f in rows if f.get("N", 0) > 0 and f.get("C", 0) > 0]
    return FormulaPrior(presence, mean_count, 1.0 / float(np.mean(ratios)) if ratios else 0.0)


#: The fit of the development list (322 compounds; refit by
#: ``python benchmarks/molecule_validation.py --fit``; a test checks these equal it).
DEVELOPMENT = FormulaPrior(
    presence={"P": 0.11609907120743033, "S": 0.18421052631578946, "F": 0.08513931888544891,
              "Cl": 0.19349845201238391, "Br": 0.020123839009287926, "I": 0.020123839009287926},
    mean_count={"P": 1.2702702702702702, "S": 1.2033898305084745, "F": 4.777777777777778,
                "Cl": 2.096774193548387, "Br": 3.0, "I": 2.5},
    nitrogen_rate=4.866060496298146,
)


#: Golden rules treated as graded evidence rather than filters (Kind & Fiehn built them
#: as heuristics from database statistics; real compounds break them: PFOS has 17 F
#: under 500 Da against rule 1's 16, chlorothalonil C8Cl4N2 no H against rule 4).
GRADED_RULES = ("element_counts", "hc_ratio", "heteroatom_ratios", "element_probability")


def fit_rule_costs(formulas: Iterable[dict[str, int]]) -> dict[str, float]:
    """``-2 ln(eps / (1 - eps))`` per graded rule, ``eps = (k + 1/2) / (n + 1)`` the share of
    the n known compounds that fail it (extended ranges): what failing the rule says
    against a composition, as a likelihood ratio."""
    from gadesign_problems.molecule.rules import RuleSet, evaluate_rules

    rows = list(formulas)
    out = {}
    for name in GRADED_RULES:
        k = 0
        for f in rows:
            elements = tuple(f)
            v = evaluate_rules(np.array([[f[e] for e in elements]]), elements, RuleSet(name, (name,), "extended"))
            k += int(v[name][0] > 0)
        eps = (k + 0.5) / (len(rows) + 1)
        out[name] = float(-2.0 * np.log(eps / (1.0 - eps)))
    return out


#: :func:`fit_rule_costs` of the development list (1 of 322 fails rule 1: PFNA, F17 at
#: 464 Da; 1 fails rule 4: chlorothalonil; none fails rules 5 or 6).
RULE_COSTS: dict[str, float] = {
    "element_counts": 10.73506487113902,
    "hc_ratio": 10.73506487113902,
    "heteroatom_ratios": 12.938500633591545,
    "element_probability": 12.938500633591545,
}
