"""The plastic-design LP (minimum-weight layout) and its use in ``truss-ground``.

Checks: the LP optimum equals the optimum of its dual written independently (virtual
work: max f.u with every member's strain energy bound; strong duality), a closed-form
layout, the stable elastic layout within 1 % of the LP on issue 16's 38-member
cantilever, and method=lp refused where the LP is only a bound."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import linprog

from gadesign.api import evolve
from gadesign.cli import main
from gadesign.errors import ConfigError
from gadesign_problems.truss.ground import ground_structure
from gadesign_problems.truss.layout import equilibrium_matrix, minimum_weight_layout
from gadesign_problems.truss.problems import truss_ground
from gadesign_problems.truss.structure import AreaSpec

XY = (True, True)
AREA = AreaSpec.continuous(0.01, 10.0, removal_threshold=0.01)


def cantilever38(**kw):
    """Issue 16's 38-member ground structure with a 100-kip tip load."""
    return ground_structure((5, 3), (4.0, 2.0), 1.5, [((0, 0), XY), ((0, 2), XY)], [((4, 0), (0.0, -100.0))],
                            area=AREA, **kw)


@pytest.mark.parametrize("truss", [
    cantilever38(),
    ground_structure((4, 3, 2), (3.0, 2.0, 1.0), 1.8, [((0, 0, 0), (True,) * 3), ((0, 2, 0), (True,) * 3),
                                                       ((0, 0, 1), (True,) * 3)],
                     [((3, 1, 1), (10.0, -30.0, 5.0))], stress_limit=20.0),
])
def test_lp_optimum_equals_its_dual(truss):
    """Dual of min w.(q+/st + q-/sc), B q = f: max f.u with -w/sc <= B^T u <= w/st."""
    lay = minimum_weight_layout(truss)
    B = equilibrium_matrix(truss).toarray()
    f = truss.load_cases[0].forces.ravel()[~truss.fixed.ravel()]
    w = truss.density * truss.lengths
    dual = linprog(-f, A_ub=np.vstack([B.T, -B.T]), b_ub=np.concatenate([w / truss.tension_limit,
                                                                           w / truss.compression_limit]),
                   bounds=(None, None), method="highs-ds")
    assert dual.status == 0
    assert lay.weight == pytest.approx(-dual.fun, rel=1e-9)
    assert B @ lay.forces == pytest.approx(f, abs=1e-9)


def test_lp_closed_form_single_tie():
    """A load pulling straight away from a pin: the lightest truss is the one tie,
    W = density L P / sigma_t (here 0.1 x 1 x 50 / 25 = 0.2)."""
    t = ground_structure((2, 2), (1.0, 1.0), 1.5, [((0, 0), XY), ((0, 1), XY)], [((1, 0), (50.0, 0.0))], area=AREA)
    assert minimum_weight_layout(t).weight == pytest.approx(0.2, rel=1e-12)


def test_stable_layout_seeds_the_ga_within_one_percent_of_the_lp(tmp_path, capsys):
    """On the 38-member cantilever the LP layout passes straight through joints (a
    mechanism for the FEM); made stable with minimum-area members it is feasible and
    within 1 % of the LP optimum, and method=lp's GA keeps at least that."""
    path = tmp_path / "g38.json"
    cantilever38().to_json(path)
    p = truss_ground(str(path), mode="weight", method="lp")
    seed = p.genome.repair(p.genome.seeds[0])
    e = p.evaluate(seed)
    assert e.feasible and p.lp_weight == pytest.approx(6.4, rel=1e-9)
    assert p.lp_weight <= e.objectives[0] <= 1.01 * p.lp_weight
    r = evolve(p, seed=1, pop=20, generations=5)
    best = min(ev.objectives[0] for _, ev in r.front if ev.feasible)
    assert p.lp_weight * (1 - 1e-9) <= best <= 1.01 * p.lp_weight
    assert main(["truss", "layout", str(path), "-o", str(tmp_path / "lay.json")]) == 0
    assert "LP minimum weight 6.4 lb (exact optimum)" in capsys.readouterr().out


def test_method_lp_is_refused_where_the_lp_is_only_a_bound(tmp_path):
    path = tmp_path / "g.json"
    cantilever38(displacement_limit=0.5).to_json(path)
    with pytest.raises(ConfigError, match="method=lp needs"):
        truss_ground(str(path), mode="weight", method="lp")
    assert truss_ground(str(path), mode="weight").lp_weight is None
    data = cantilever38().to_dict()
    data["self_weight"] = {"gravity": [0.0, -1.0], "factor": 0.001}  # loads that grow with the areas
    path.write_text(__import__("json").dumps(data))
    with pytest.raises(ConfigError, match="self-weight"):
        truss_ground(str(path), mode="weight", method="lp")
