"""Self-weight and prescribed support displacements, against closed forms on a hanging
two-bar chain and against invariants (equilibrium, rigid-body settlement), on both the
dense batched and the sparse solver paths."""

from __future__ import annotations

import numpy as np
import pytest

from gadesign_problems.truss import fem
from gadesign_problems.truss.structure import Truss

L, E, RHO = 100.0, 1.0e4, 0.1
A = np.array([2.0, 0.5])


def chain(**extra) -> Truss:
    """Nodes at y = 0, -L, -2L; node 0 pinned, nodes 1 and 2 held sideways."""
    data = {"dim": 2, "nodes": [[0.0, 0.0], [0.0, -L], [0.0, -2 * L]],
            "supports": [{"node": 0, "fixed": [True, True]}, {"node": 1, "fixed": [True, False]},
                         {"node": 2, "fixed": [True, False]}],
            "members": [[0, 1], [1, 2]], "E": E, "density": RHO,
            "load_cases": [{"name": "LC1", "loads": []}, {"name": "LC2", "loads": [{"node": 2, "force": [0.0, -3.0]}]}]}
    data.update(extra)
    return Truss.from_dict(data)


@pytest.fixture(params=["dense", "sparse"])
def path(request, monkeypatch):
    if request.param == "sparse":
        monkeypatch.setattr(fem, "DENSE_MAX_DOFS", 0)
    return request.param


def test_self_weight_of_a_hanging_chain(path):
    """Lumped self-weight (factor 0.001 kip/lb): the lower bar carries half its own weight,
    the upper one half its own plus all of the lower; the pin carries the whole weight."""
    t = chain(self_weight={"gravity": [0.0, -1.0], "factor": 0.001})
    w = 0.001 * RHO * L * A  # member weights in force units
    res = t.analyze(A)
    lc1, lc2 = res.cases
    assert lc1.forces == pytest.approx([w[0] / 2 + w[1], w[1] / 2], rel=1e-12)
    assert lc2.forces == pytest.approx([w[0] / 2 + w[1] + 3.0, w[1] / 2 + 3.0], rel=1e-12)
    assert lc1.reactions[0, 1] == pytest.approx(w.sum(), rel=1e-12)  # all the weight, at the pin
    assert lc1.displacements[2, 1] == pytest.approx(-(lc1.forces / (E * A / L)).sum(), rel=1e-12)


def test_support_settlement_stretches_the_chain(path):
    """Node 2 held vertically and lowered by d: both bars carry N = d / (L/(E A1) + L/(E A2))."""
    d = 0.3
    t = chain(supports=[{"node": 0, "fixed": [True, True]}, {"node": 1, "fixed": [True, False]},
                        {"node": 2, "fixed": [True, True], "displacement": [0.0, -d]}])
    res = t.analyze(A)
    N = d / (L / (E * A[0]) + L / (E * A[1]))
    assert res.cases[0].forces == pytest.approx([N, N], rel=1e-12)
    assert res.cases[0].displacements[2] == pytest.approx([0.0, -d])
    assert res.cases[0].reactions[2, 1] == pytest.approx(-N, rel=1e-12)
    assert res.cases[1].reactions.sum(axis=0) + np.array([0.0, -3.0]) == pytest.approx([0.0, 0.0], abs=1e-12)


def test_equal_settlement_of_every_support_is_a_rigid_motion(path):
    """Moving all restrained dofs by the same vector moves the truss rigidly: no force."""
    t0 = Truss.from_json("tests/data/truss/tenbar.json")
    data = t0.to_dict()
    for sup in data["supports"]:
        sup["displacement"] = [0.2, -0.1]
    data["load_cases"] = [{"name": "none", "loads": []}]
    res = Truss.from_dict(data).analyze(np.full(10, 3.0))
    assert np.abs(res.cases[0].forces).max() < 1e-9
    assert res.cases[0].displacements == pytest.approx(np.tile([0.2, -0.1], (6, 1)), abs=1e-12)


def test_schema_refuses_settlement_of_a_free_dof_and_keeps_both_through_json():
    with pytest.raises(Exception, match="not fixed"):
        chain(supports=[{"node": 0, "fixed": [True, True]}, {"node": 1, "fixed": [True, False], "displacement": [0, 1]},
                        {"node": 2, "fixed": [True, False]}])
    t = chain(self_weight={"gravity": [0.0, -2.0]},
              supports=[{"node": 0, "fixed": [True, True], "displacement": [0.0, 0.5]},
                        {"node": 1, "fixed": [True, False]}, {"node": 2, "fixed": [True, False]}])
    back = Truss.from_dict(t.to_dict())
    assert back.self_weight == t.self_weight and back.self_weight.gravity == (0.0, -1.0)
    assert np.array_equal(back.prescribed, t.prescribed)
