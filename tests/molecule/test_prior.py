"""The formula prior and the graded golden rules: constants are the fit of the development
list (disjoint from the validation set), the prior's shape, real compounds that break a
heuristic rule stay findable, and skipping candidates by the score's lower bound keeps
the exact search exact."""

from __future__ import annotations

import csv

import molmass
import numpy as np
import pytest

from gadesign_problems.molecule.formula import Formula
from gadesign_problems.molecule.prior import DEVELOPMENT, RULE_COSTS, fit, fit_rule_costs
from gadesign_problems.molecule.query import Query, Scoring
from gadesign_problems.molecule.search import exact_search

from .conftest import CASES, DATA


def compounds(path) -> list[list[str]]:
    return [r for r in csv.reader(line for line in path.read_text().splitlines() if not line.startswith("#"))]


DEV = compounds(DATA / "development" / "compounds.csv")
VAL = compounds(DATA / "validation" / "compounds.csv")


def molmass_pattern(formula: str, n: int = 7) -> list[float]:
    spectrum = molmass.Formula(formula).spectrum(min_fraction=1e-15)
    first = min(spectrum.keys())
    return [spectrum[first + k].fraction if first + k in spectrum else 0.0 for k in range(n)]


def test_development_list_is_disjoint_and_sane():
    dev = {Formula(f).hill for _, _, f in DEV}
    val = {Formula(f).hill for _, _, f in VAL}
    ref = {Formula(c["formula"]).hill for c in CASES}
    assert len(DEV) == len(dev) == 322 and not dev & val and not dev & ref
    assert not {n.lower() for n, _, _ in DEV} & {n.lower() for n, _, _ in VAL}
    for name, _, f in DEV:                   # closed-shell neutral molecules: integral RDBE >= 0
        rdbe = Formula(f).rdbe
        assert rdbe >= 0 and rdbe == int(rdbe), name


def test_constants_are_the_fit_of_the_development_list():
    formulas = [Formula(f).counts for _, _, f in DEV]
    assert fit(formulas) == DEVELOPMENT
    assert fit_rule_costs(formulas) == RULE_COSTS
    # the half-count estimate of a share: 37 of 322 contain P -> (37.5) / 323
    assert DEVELOPMENT.presence["P"] == pytest.approx(37.5 / 323)


def test_prior_shape():
    elements = ("C", "H", "N", "O", "P", "S")
    rows = np.array([[10, 16, 0, 5, 0, 0],      # CHO only: the most probable
                     [10, 16, 0, 5, 1, 0],      # one P
                     [10, 16, 0, 5, 2, 0],      # two P
                     [10, 16, 2, 5, 0, 0],      # N2
                     [10, 16, 4, 5, 0, 0],      # N4
                     [20, 32, 4, 5, 0, 0]])     # N4 on twice the carbon
    cost = DEVELOPMENT.cost(rows, elements)
    assert cost[0] == 0 and (cost >= 0).all()
    assert cost[0] < cost[1] < cost[2]
    assert cost[3] == pytest.approx(2 * DEVELOPMENT.nitrogen_rate * 2 / 10)
    assert cost[4] == pytest.approx(2 * cost[3]) and cost[5] == pytest.approx(cost[3])
    # an element outside the alphabet costs nothing; halogens carry no prior unless asked
    chloro = np.array([[10, 16, 5, 0], [10, 16, 5, 1], [10, 16, 5, 3]])
    assert (DEVELOPMENT.cost(chloro, ("C", "H", "O", "Cl")) == 0).all()
    allowed = DEVELOPMENT.cost(chloro, ("C", "H", "O", "Cl"), halogens=True)
    assert allowed[0] == 0 < allowed[1] < allowed[2]


def test_a_real_compound_breaking_rule_1_is_still_found():
    # PFOS, C8HF17O3S: 17 F under 500 Da, over rule 1's 16. As a filter the rule rejects
    # the truth; graded, the truth ranks with the rule's cost and its verdict shown.
    f = Formula("C8HF17O3S")
    mz = f.mz("[M-H]-") * (1 + 1e-6)
    pattern = molmass_pattern("[C8F17O3S]-")
    graded = exact_search(Query.build(mz, "[M-H]-", 5, pattern, "CHNOPSF"), top=5)[0]
    strict = exact_search(Query.build(mz, "[M-H]-", 5, pattern, "CHNOPSF", "extended-filter"), top=5)[0]
    names = [c.formula for c in graded]
    assert f.hill in names[:3]
    hit = graded[names.index(f.hill)]
    assert hit.rules["element_counts"] is False and hit.rule_term == pytest.approx(RULE_COSTS["element_counts"])
    assert f.hill not in [c.formula for c in strict]


@pytest.mark.parametrize("prior", [True, False])
def test_skipping_by_the_lower_bound_keeps_the_search_exact(prior):
    # atorvastatin [M+H]+ with 3 peaks over CHNOPSF: the top 5 with skipping are the top 5
    # of every composition scored
    f = Formula("C33H35FN2O5")
    q = Query.build(f.mz("[M+H]+") * (1 - 1.2e-6), "[M+H]+", 5, molmass_pattern("[C33H36FN2O5]+", 3), "CHNOPSF",
                    scoring=Scoring(use_prior=prior))
    top, stats = exact_search(q, top=5)
    everything = exact_search(q, top=None)[0]
    assert stats["scored"] < stats["feasible"]            # some were skipped
    assert [c.formula for c in top] == [c.formula for c in everything[:5]]
    assert [c.score for c in top] == [c.score for c in everything[:5]]


def test_halogen_prior_is_an_option_that_weighs_halogens():
    # diclofenac [M+H]+, 3 peaks over CHNOPSCl: the truth's prior grows by the Cl2 cost only
    f = Formula("C14H11Cl2NO2")
    args = (f.mz("[M+H]+"), "[M+H]+", 5, molmass_pattern("[C14H12Cl2NO2]+", 3), "CHNOPSCl")
    plain = exact_search(Query.build(*args), top=3)[0]
    weighed = exact_search(Query.build(*args, scoring=Scoring(halogen_prior=True)), top=3)[0]
    assert plain[0].formula == weighed[0].formula == f.hill
    extra = DEVELOPMENT.cost(np.array([[2]]), ("Cl",), halogens=True)[0]
    assert weighed[0].prior_term == pytest.approx(plain[0].prior_term + extra) and extra > 0
