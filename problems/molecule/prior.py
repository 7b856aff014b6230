"""A formula prior: how likely a composition is to be a real compound, before the spectrum.

Within a few ppm of a large mass there are many compositions whose three to seven
isotope peaks fit the measurement equally well; what separates the real one is
chemistry. SIRIUS ranks its candidates with such a prior (hetero-atom/carbon ratios,
RDBE and element frequencies; Böcker & Dührkop, J. Cheminform. 8:5, 2016), and Kind &
Fiehn's golden rules 4-6 are cut-offs of the same element-ratio densities (BMC
Bioinformatics 8:105, 2007). Here the prior is fitted on the development list
(``prior_formulas.csv`` beside this module: 8,344 public compounds, the open-licence
compounds of MassBank, the project's 322-compound list and the metabolites of the
Human-GEM metabolic model, which give nucleotides, cofactors and CoA esters their share
among phosphorus compounds; no validation compound, no isomer of one and none of the 12
reference cases, see its header) and returned as
``-2 ln`` of the prior relative to its most probable value, so it is >= 0 and adds to
the mass and isotope terms of the score like another likelihood. Its factors:

* **Composition density**: the counts of C, N and O per 100 Da of the C/H/N/O/P part
  of the molecule (its mass without S and halogens), as a 3-D density estimated from
  the list: a histogram in bins of 0.1 atom per 100 Da smoothed with a Gaussian of
  :data:`SIGMA` bins, mixed (weight :data:`ALPHA`) with the same histogram smoothed
  :data:`BROAD` bins wide so that a composition far from every real one costs much,
  not infinitely. One density for compounds with phosphorus and one without
  (phosphates carry their own oxygen), weighted by the share of compounds with P; each
  of the two again for compounds with and without a halogen (F, Cl, Br, I), the class a
  composition is weighed in: declared halogens cost nothing, so the prior is that of the
  rest of the composition given its halogens (a CF3 drug's C/N/O part is not a typical
  compound's; chosen on development queries, ``--part rulecosts``). The
  per-mass features make the density's lattice spacing the same for every candidate of
  one query (all have the same mass), so densities compare as probabilities.
* **S (and P) counts**: S present with probability ``p`` (cost ``-2 ln(p / (1 - p))``),
  and a count ``n >= 1`` of S and of P given presence from the list's own count
  frequencies ``k_n``, each with a pseudo-count of 1/2 (Krichevsky-Trofimov) over
  ``n = 1 .. M`` (``M`` one more than the largest count listed): cost
  ``-2 ln((k_n + 1/2) / max_m (k_m + 1/2))`` (0 for one atom of P or S), and beyond
  ``M`` the last step repeated (a geometric tail). A geometric count with the list's mean (1.68 P atoms given P) puts
  three P atoms at 160 of the list's 1,637 compounds with P where it has 494 (nucleoside
  triphosphates, NADP, CoA and its esters) and two at 395 where it has 90: phosphorus
  comes as mono-, di- and triphosphates, not one atom at a time.
* **P count given O** (:func:`count_given_oxygen`): phosphorus sits in phosphate and
  phosphonate groups with three to four O per P (1,609 of the list's 1,637 P compounds
  have O >= 3 P), so P's count given presence is taken given the O count too, from the
  list's joint counts with a pseudo-count of the same total weight centred on the count
  frequencies above (an O count the list rarely shows with P falls back to them): three P
  cost 0.1 with 17 O (241 of 252 listed) and 7.2 with 10 O (1 of 81). Chosen on
  development queries (``--part phosphorus``: +6 / +9 first of 300 held-out Human-GEM
  metabolites at 3 / 7 peaks, the project's and MassBank's sets unchanged).
* **Halogens** (``halogens=True``, ``--halogen-prior``): F, Cl, Br and I like S, for an
  alphabet where halogens are allowed, not expected. By default a halogen in
  ``--elements`` is declared: the M+2 peaks (Cl, Br) or the mass defect (F, I) speak.

:func:`fit` makes the prior from a list of formulas; :func:`development_prior` is that
fit of the shipped list (made once per process). The smoothing constants were chosen on
development queries only (benchmarks/molecule_validation.py ``--part variants``).
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from types import MappingProxyType
from typing import Iterable, Mapping, Sequence

import numpy as np
from scipy.ndimage import gaussian_filter

from gadesign_problems.molecule.formula import element

#: Elements with a presence and count prior: S always, the halogens with ``halogens=True``.
RARE = ("S",)
HALOGENS = ("F", "Cl", "Br", "I")
#: Elements whose count given presence is weighed (P's presence is the density's class).
COUNTED = ("P", "S") + HALOGENS
#: Elements whose mass is taken off before the per-mass features (they replace no C/N/O).
HEAVY = ("S",) + HALOGENS
#: Density features: atoms per 100 Da of the C/H/N/O/P part.
FEATURES = ("C", "N", "O")
#: Bin width (atoms per 100 Da), grid top, Gaussian smoothing widths (bins), floor weight.
BIN = 0.1
TOP = 8.0
SIGMA = 1.0
BROAD = 4.0
ALPHA = 0.05
#: The development list shipped with the package.
LIST = "prior_formulas.csv"


def _per_mass(counts: np.ndarray, elements: Sequence[str]) -> np.ndarray:
    """(N, 3) counts of C, N, O per 100 Da of each composition's mass without S and halogens."""
    masses = np.array([element(e).monoisotopic_mass for e in elements])
    light = np.array([e not in HEAVY for e in elements])
    part = np.maximum(counts[:, light] @ masses[light], 1.0)
    out = np.zeros((len(counts), len(FEATURES)))
    for j, e in enumerate(FEATURES):
        if e in elements:
            out[:, j] = counts[:, list(elements).index(e)] * 100.0 / part
    return out


@dataclass(frozen=True, eq=False)
class FormulaPrior:
    """The fitted prior (see the module docstring): ``log_density[k]`` the log density
    table of class k (0: no P, 1: P, 2: halogen, no P, 3: halogen and P) over the
    :data:`FEATURES` grid, ``p_share[h]`` the share of compounds with P among those
    without (h = 0) and with (h = 1) a halogen, ``presence``/``mean_count`` per element of
    :data:`COUNTED`, ``count_table[e][n - 1]`` the -2 ln count cost of ``n`` atoms of
    ``e`` given presence (0 for one atom), ``n`` the number of formulas fitted;
    ``p_given_oxygen[o, n - 1]``: with it, P's count cost is that of ``n`` P atoms given
    presence and ``o`` O atoms (:func:`count_given_oxygen`; its last row for more O than
    listed), in place of ``count_table["P"]``."""

    log_density: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]
    p_share: tuple[float, float]
    presence: dict[str, float]
    mean_count: dict[str, float]
    count_table: dict[str, np.ndarray]
    n: int
    p_given_oxygen: np.ndarray | None = None

    def density_cost(self, counts: np.ndarray, elements: Sequence[str]) -> np.ndarray:
        """-2 ln of (P share x density) of each composition given its halogen class,
        relative to the most probable cell of any class."""
        counts = np.atleast_2d(np.asarray(counts, dtype=float))
        nb = self.log_density[0].shape[0]
        idx = np.clip((_per_mass(counts, elements) / BIN).astype(np.int64), 0, nb - 1)
        has_p = counts[:, list(elements).index("P")] > 0 if "P" in elements else np.zeros(len(counts), bool)
        cls = has_p.astype(np.int64) + 2 * halogen_class(counts, elements)
        logs = [np.log(share) + table for k, table in enumerate(self.log_density)
                for share in [self.p_share[k // 2] if k % 2 else 1.0 - self.p_share[k // 2]]]
        best = max(float(t.max()) for t in logs)
        flat = idx[:, 0] * nb * nb + idx[:, 1] * nb + idx[:, 2]
        value = np.choose(cls, [t.ravel()[flat] for t in logs])
        return -2.0 * (value - best)

    def count_cost(self, counts: np.ndarray, elements: Sequence[str], halogens: bool = False) -> np.ndarray:
        """-2 ln of the presence (S; halogens too with ``halogens``) and count factors."""
        counts = np.atleast_2d(np.asarray(counts, dtype=float))
        out = np.zeros(len(counts))
        idx = {e: i for i, e in enumerate(elements)}
        present = RARE + (HALOGENS if halogens else ())
        for e in COUNTED:
            if e not in idx or (e in HALOGENS and not halogens):
                continue
            n = counts[:, idx[e]]
            if e == "P" and self.p_given_oxygen is not None:
                o = counts[:, idx["O"]] if "O" in idx else np.zeros(len(counts))
                cost = count_cost_given(self.p_given_oxygen, n, o)
            else:
                cost = count_cost_of(self.count_table[e], n)
            if e in present:
                p = self.presence[e]
                cost = cost + np.where(n > 0, -2.0 * np.log(p / (1.0 - p)), 0.0)
            out += np.where(n > 0, cost, 0.0)
        return out

    def cost(self, counts: np.ndarray, elements: Sequence[str], halogens: bool = False) -> np.ndarray:
        """``-2 ln`` prior (>= 0) of an (N, k) count array over ``elements``; ``halogens``:
        F, Cl, Br, I weighed like S."""
        return self.density_cost(counts, elements) + self.count_cost(counts, elements, halogens)


def count_table(present_counts: np.ndarray) -> np.ndarray:
    """-2 ln p(n) / max p for n = 1 .. M of counts ``n >= 1`` seen ``k_n`` times, with
    ``p(n)`` proportional to ``k_n + 1/2`` and ``M`` one more than the largest seen
    (>= 0; 0 at the most frequent count, one atom for P and S)."""
    n = np.asarray(present_counts, dtype=np.int64)
    top = int(n.max()) + 1 if n.size else 1
    k = np.bincount(n, minlength=top + 1)[1:top + 1] + 0.5
    return -2.0 * np.log(k / k.max())


def count_cost_of(table: np.ndarray, n: np.ndarray) -> np.ndarray:
    """The count cost of ``n >= 1`` atoms from a :func:`count_table` (0 for n = 0);
    beyond its end its last step is repeated per extra atom."""
    n = np.asarray(n, dtype=float)
    return count_cost_given(np.asarray(table)[None, :], n, np.zeros(n.shape, dtype=np.int64))


def count_given_oxygen(n_p: np.ndarray, n_o: np.ndarray) -> np.ndarray:
    """-2 ln p(n P | P present, o O) / max, table ``[o, n - 1]`` for o = 0 .. O_max + 1 and
    n = 1 .. M (``M`` one more than the largest P count, ``O_max`` the largest O count among
    the compounds with P), from the P compounds' joint counts ``k(n, o)``:
    ``p(n | o) = (k(n, o) + (M/2) p(n)) / (K(o) + M/2)``, a Dirichlet pseudo-count of
    Krichevsky-Trofimov's total weight (1/2 per count) centred on the marginal
    ``p(n) ∝ k(n) + 1/2`` of :func:`count_table`, so an O count the list rarely or never
    shows with phosphorus falls back to the marginal (the last row is the marginal).
    Phosphorus in known compounds sits in phosphate and phosphonate groups with three to four
    O per P (1,609 of the list's 1,637 P compounds have O >= 3 P): three P atoms are common
    given 17 O (241 of 252) and rare given 10 (1 of 81)."""
    n_p = np.asarray(n_p, dtype=np.int64)
    n_o = np.asarray(n_o, dtype=np.int64)
    top = int(n_p.max()) + 1 if n_p.size else 1
    rows = int(n_o.max()) + 2 if n_o.size else 1
    k = np.zeros((rows, top))
    np.add.at(k, (n_o, n_p - 1), 1.0)
    marginal = np.bincount(n_p, minlength=top + 1)[1:top + 1] + 0.5
    marginal = marginal / marginal.sum()
    weight = top / 2.0
    p = (k + weight * marginal) / (k.sum(axis=1, keepdims=True) + weight)
    return -2.0 * np.log(p / p.max())


def count_cost_given(table: np.ndarray, n: np.ndarray, o: np.ndarray) -> np.ndarray:
    """The count cost of ``n`` atoms given ``o`` from a :func:`count_given_oxygen` table (0 for
    n = 0); ``o`` past the table's rows takes its last row, ``n`` past its columns repeats
    that row's last step per extra atom, as :func:`count_cost_of` does."""
    n = np.asarray(n, dtype=float)
    row = table[np.clip(np.asarray(o, dtype=np.int64), 0, len(table) - 1)]   # o's shape + (columns,)
    last = table.shape[1]
    step = np.maximum(row[..., -1] - row[..., -2], 0.0) if last > 1 else np.zeros(row.shape[:-1])
    column = np.clip(n.astype(np.int64) - 1, 0, last - 1)
    inside = np.take_along_axis(row, column[..., None], axis=-1)[..., 0]
    return np.where(n < 1, 0.0, np.where(n <= last, inside, row[..., -1] + step * (n - last)))


def fit(formulas: Iterable[dict[str, int]], by_halogen: bool = True,
        p_given_oxygen: bool = True) -> FormulaPrior:
    """The prior of a list of known compounds' element counts (duplicates count: a
    formula shared by several compounds is that much more probable). Shares are
    half-count estimates ``(k + 1/2) / (n + 1)``, mean counts plain means, count tables
    :func:`count_table`. ``by_halogen=False``: one pair of densities (with and without P) for
    compositions with and without a halogen alike (the former prior, for comparison); ``p_given_oxygen``: P's count given its O count
    (:func:`count_given_oxygen`) in place of its count given presence alone."""
    rows = list(formulas)
    if not rows:
        raise ValueError("fit needs at least one formula")
    elements = ("C", "H", "N", "O", "P") + HEAVY
    X = np.array([[f.get(e, 0) for e in elements] for f in rows], dtype=float)
    x = _per_mass(X, elements)
    has_p = X[:, 4] > 0
    hal = halogen_class(X, elements) > 0 if by_halogen else np.zeros(len(X), dtype=bool)
    nb = int(round(TOP / BIN))
    tables = []
    classes = (~has_p & ~hal, has_p & ~hal) + ((~has_p & hal, has_p & hal) if by_halogen else ())
    for sel in classes:
        h, _ = np.histogramdd(np.minimum(x[sel], TOP - BIN / 2), bins=[nb] * 3, range=[(0.0, TOP)] * 3)
        narrow = gaussian_filter(h, SIGMA, mode="constant")
        broad = gaussian_filter(h, BROAD, mode="constant")
        p = (1 - ALPHA) * narrow / narrow.sum() + ALPHA * broad / broad.sum()
        tables.append(np.log(p + 1e-300))
    presence, mean_count, counts = {}, {}, {}
    for j, e in enumerate(elements):
        if e not in COUNTED:
            continue
        n = X[:, j]
        k = int((n > 0).sum())
        presence[e] = (k + 0.5) / (len(rows) + 1)
        mean_count[e] = float(n[n > 0].mean()) if k else 1.0
        counts[e] = count_table(n[n > 0])
    shares = tuple(float(((has_p & (hal == h)).sum() + 0.5) / ((hal == h).sum() + 1)) for h in (False, True))
    if not by_halogen:                    # the former prior: one pair of densities for every class
        tables, shares = tables + tables, (shares[0], shares[0])
    given = count_given_oxygen(X[has_p, 4], X[has_p, 3]) if p_given_oxygen and has_p.any() else None
    return FormulaPrior((tables[0], tables[1], tables[2], tables[3]), (shares[0], shares[1]), presence, mean_count,
                        counts, len(rows), given)


def read_list() -> list[tuple[str, str, str]]:
    """(name, formula, source) rows of the shipped development list."""
    text = resources.files("gadesign_problems.molecule").joinpath(LIST).read_text()
    return [(r[0], r[1], r[2]) for r in csv.reader(line for line in text.splitlines() if not line.startswith("#"))]


_TOKEN = re.compile(r"([A-Z][a-z]?)(\d*)")


def _counts(formula: str) -> dict[str, int]:
    """Element counts of a plain neutral formula such as the list's Hill formulas
    (a fast path; :class:`~gadesign_problems.molecule.formula.Formula` parses anything)."""
    out: dict[str, int] = {}
    for symbol, n in _TOKEN.findall(formula):
        out[symbol] = out.get(symbol, 0) + (int(n) if n else 1)
    return out


@cache
def development_counts() -> tuple[dict[str, int], ...]:
    """Element counts of the shipped development list."""
    return tuple(_counts(f) for _, f, _ in read_list())


@cache
def development_prior() -> FormulaPrior:
    """The prior fitted on the shipped development list (made once per process)."""
    return fit(development_counts())


#: Golden rules treated as graded evidence rather than filters (Kind & Fiehn built them
#: as heuristics from database statistics; real compounds break them: PFOS has 17 F
#: under 500 Da against rule 1's 16, chlorothalonil C8Cl4N2 no H against rule 4).
GRADED_RULES = ("element_counts", "hc_ratio", "heteroatom_ratios", "element_probability")


def halogen_class(counts: np.ndarray, elements: Sequence[str]) -> np.ndarray:
    """1 for each composition of an (N, k) count array with at least one F, Cl, Br or I, else 0:
    the class a graded rule's cost is conditioned on (see :func:`fit_rule_costs`)."""
    counts = np.atleast_2d(np.asarray(counts))
    cols = [j for j, e in enumerate(elements) if e in HALOGENS]
    return (counts[:, cols] > 0).any(axis=1).astype(np.int64) if cols else np.zeros(len(counts), np.int64)


def fit_rule_costs(formulas: Iterable[dict[str, int]]) -> dict[str, tuple[float, float]]:
    """``-2 ln(eps / (1 - eps))`` per graded rule and halogen class (0: no F, Cl, Br or I;
    1: at least one), ``eps = (k + 1/2) / (n + 1)`` the share of the n known compounds of
    that class that fail the rule (extended ranges): what failing the rule says against a
    composition, as a likelihood ratio.

    Conditioned on the class because the prior is: by default halogens are declared
    (their presence costs nothing, :meth:`FormulaPrior.count_cost`), so the score weighs
    a composition given its halogens, and a rule's verdict must be weighed the same way
    (the chain rule: p(halogens) p(rest | halogens) p(verdict | halogens)). The rules'
    exceptions are mostly halogen compounds (perfluoro acids with 17 F under 500 Da fail
    rule 1; perchlorinated aromatics fail rule 4): among compounds with a halogen (1,181 of
    the 8,344) failing rule 1 is 6 in 1,181, among those without 5 in 7,163 (the most
    oxygen-rich metabolites: maltohexaose, sulfated glycosaminoglycan fragments, an
    inositol octaphosphate)."""
    from gadesign_problems.molecule.rules import RuleSet, evaluate_rules

    rows = list(formulas)
    elements = tuple(sorted({e for f in rows for e in f}))
    X = np.array([[f.get(e, 0) for e in elements] for f in rows], dtype=np.int64)
    cls = halogen_class(X, elements)
    out = {}
    for name in GRADED_RULES:
        fails = evaluate_rules(X, elements, RuleSet(name, (name,), "extended"))[name] > 0
        costs = []
        for c in (0, 1):
            eps = (int((fails & (cls == c)).sum()) + 0.5) / (int((cls == c).sum()) + 1)
            costs.append(float(-2.0 * np.log(eps / (1.0 - eps))))
        out[name] = (costs[0], costs[1])
    return out


@cache
def rule_costs() -> Mapping[str, tuple[float, float]]:
    """:func:`fit_rule_costs` of the shipped development list (read-only)."""
    return MappingProxyType(fit_rule_costs(development_counts()))
