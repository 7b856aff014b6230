"""Euler buckling per member group (``buckling_by_group``): the compression allowable of
each member is min(sigma_c, k E A / L^2) with its group's section, analytic checks."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from gadesign.registry import make_problem
from gadesign_problems.truss.errors import TrussSchemaError
from gadesign_problems.truss.structure import Truss


def two_bar(by_group: dict) -> dict:
    """Two bars meeting at a loaded node: bar 0 horizontal (compressed by the load's x
    part), bar 1 vertical (compressed by its y part), each its own group."""
    return {"dim": 2, "nodes": [[0.0, 0.0], [100.0, 0.0], [100.0, -100.0]],
            "supports": [{"node": 0, "fixed": [True, True]}, {"node": 2, "fixed": [True, True]}],
            "members": [[0, 1], [1, 2]], "groups": [{"name": "chord", "members": [0]}, {"name": "post", "members": [1]}],
            "E": 1.0e4, "density": 0.1, "load_cases": [{"name": "LC1", "loads": [{"node": 1, "force": [-10.0, -10.0]}]}],
            "stress_limits": {"tension": 20.0, "compression": 20.0}, "area": {"type": "continuous", "min": 0.1, "max": 10},
            "buckling_by_group": by_group}


def test_each_group_buckles_with_its_own_section():
    t = Truss.from_dict(two_bar({"chord": {"shape": "circular"}, "post": {"k": 4.0}}))
    a = np.array([2.0, 3.0])
    allow = t.compression_allowable(a)
    # circular section: I = A^2 / (4 pi), sigma_cr = pi^2 E I / (A L^2) = pi E A / (4 L^2)
    assert allow[0] == pytest.approx(min(20.0, math.pi * 1e4 * 2.0 / (4 * 100.0 ** 2)), rel=1e-12)
    assert allow[1] == pytest.approx(min(20.0, 4.0 * 1e4 * 3.0 / 100.0 ** 2), rel=1e-12)
    res = t.analyze(a)  # statically determinate: both bars carry -10 kips
    assert res.cases[0].forces == pytest.approx([-10.0, -10.0])
    assert res.stress_ratios()[0] == pytest.approx([5.0 / allow[0], (10.0 / 3.0) / allow[1]])
    plain = Truss.from_dict(two_bar({"post": {"k": 4.0}}))
    assert plain.compression_allowable(a)[0] == 20.0  # no section given for the chord: yield only


def test_group_buckling_survives_json_and_sizing(tmp_path):
    data = two_bar({"chord": {"shape": "tube", "thickness_ratio": 0.1}, "post": {"k": 4.0}})
    path = tmp_path / "t.json"
    path.write_text(json.dumps(data))
    t = Truss.from_json(path)
    back = Truss.from_dict(json.loads(t.to_json()))
    assert np.allclose(back.buckling_k, t.buckling_k) and (t.buckling_k > 0).all()
    p = make_problem("truss-sizing", {"file": str(path)})
    x = np.array([3.0, 1.0])
    designed = p.decode(x)
    assert np.allclose(designed.compression_allowable(designed.areas), t.compression_allowable(p.member_areas(x)))
    with pytest.raises(TrussSchemaError, match="no such group"):
        Truss.from_dict(two_bar({"beam": {"k": 1.0}}))
