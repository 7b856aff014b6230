"""The branching-wire tree genome: validity of every decoded tree, operator limits, JSON.

Property-based (hypothesis): each example draws a seed, grows a random tree and puts it
through a chain of mutations and crossovers; every tree on the way must decode to an
:class:`Antenna` that passes the solver's own geometry checks, lies inside the allowed
cylinder, is 4-fold symmetric and respects the size limits. A few decoded trees are
solved and must pass the average-gain test (2.0 over perfect ground), an invariant of a
lossless antenna independent of our optimiser.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gadesign_problems.antenna.tree import (ArmSpace, Node, TreeGenome, count_branches, count_wires, from_json,
                                   to_json, walk)

SPACE = ArmSpace(min_angle=30.0, root_bend_min=30.0)
GENOME = TreeGenome(SPACE, max_wires=6, max_branches=2)
CHAIN = 8           # trees per hypothesis example: 2 samples + 6 variations


def _chain(seed: int) -> list[Node]:
    rng = np.random.default_rng(seed)
    a, b = GENOME.sample(rng), GENOME.sample(rng)
    out = [a, b]
    while len(out) < CHAIN:
        if rng.random() < 0.5:
            c1, c2 = GENOME.crossover(out[-1], out[-2], rng)
            out += [GENOME.repair(c1), GENOME.repair(c2)]
        else:
            out.append(GENOME.repair(GENOME.mutate(out[-1], rng)))
    return out


def _within_limits(tree: Node) -> bool:
    return (count_wires(tree) <= GENOME.max_wires and count_branches(tree) <= GENOME.max_branches
            and all(len(n.children) <= 2 for _, n in walk(tree)))


def _check_antenna(tree: Node) -> None:
    ant = SPACE.antenna(tree)           # raises GeometryError if the solver would refuse it
    ant.mesh                            # the discretisation builds
    pts = np.array([p for w in ant.wires for p in (w.start, w.end)])
    r = np.hypot(pts[:, 0], pts[:, 1])
    assert r.max() <= SPACE.radius * (1 + 1e-9)
    assert pts[:, 2].max() <= SPACE.height * (1 + 1e-9)
    arm = ant.wires[1:]
    assert len(arm) == 4 * count_wires(tree)
    assert all(w.length >= SPACE.min_length * (1 - 1e-9) for w in arm)
    assert min(min(w.start[2], w.end[2]) for w in arm) >= SPACE.z_min * (1 - 1e-9)
    # 4-fold symmetry: arm k is arm 0 rotated by k * 90 degrees
    n = len(arm) // 4
    a0 = np.array([[w.start, w.end] for w in arm[:n]])
    for k in range(1, 4):
        ak = np.array([[w.start, w.end] for w in arm[k * n:(k + 1) * n]])
        c, s = round(math.cos(k * math.pi / 2)), round(math.sin(k * math.pi / 2))
        rot = np.array([[c, -s, 0], [s, c, 0], [0, 0, 1]])
        np.testing.assert_allclose(ak, a0 @ rot.T, atol=1e-12)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 2 ** 32 - 1))
def test_every_random_and_varied_tree_decodes_to_an_accepted_geometry(seed):
    for tree in _chain(seed):                    # 200 x 8 = 1,600 decoded trees
        assert _within_limits(tree)
        _check_antenna(tree)


@settings(max_examples=300, deadline=None)
@given(st.integers(0, 2 ** 32 - 1))
def test_crossover_preserves_wire_and_branch_limits_and_conserves_wires(seed):
    rng = np.random.default_rng(seed)
    a, b = GENOME.sample(rng), GENOME.sample(rng)
    c1, c2 = GENOME.crossover(a, b, rng)         # before any repair
    assert _within_limits(c1) and _within_limits(c2)
    assert count_wires(c1) + count_wires(c2) == count_wires(a) + count_wires(b)   # sub-trees swapped


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 2 ** 32 - 1))
def test_mutation_preserves_limits(seed):
    rng = np.random.default_rng(seed)
    x = GENOME.sample(rng)
    for _ in range(5):
        x = GENOME.mutate(x, rng)
        assert _within_limits(x)
        x = GENOME.repair(x)


@settings(max_examples=120, deadline=None)
@given(st.integers(0, 2 ** 32 - 1))
def test_json_round_trip_is_exact_and_repair_is_idempotent(seed):
    for tree in _chain(seed)[:4]:
        text = json.dumps(GENOME.to_json(tree))
        back = GENOME.from_json(json.loads(text))
        assert back == tree                       # bit-exact floats, same structure
        assert GENOME.key(back) == GENOME.key(tree)
        assert GENOME.repair(tree) == tree        # repaired trees are fixed points


def test_repair_prunes_colliding_and_escaping_wires():
    # root along +x at the hub height; its child turns back towards +y and would cross the
    # copy of the root rotated by 90 degrees (which runs along +y): child and subtree dropped
    tree = Node(0.01, 90.0, 0.0, (Node(0.02, 135.0, 90.0, (Node(0.005, 10.0, 0.0),)),))
    fixed = GENOME.repair(tree)
    assert count_wires(fixed) == 1
    # the same child, short enough to stay clear of the copy, is kept
    ok = GENOME.repair(Node(0.01, 90.0, 0.0, (Node(0.005, 135.0, 90.0),)))
    assert count_wires(ok) == 2
    # a wire that leaves the cylinder top is shortened to end on it
    tall = ArmSpace(height=0.012, min_angle=30.0, root_bend_min=30.0)
    t = TreeGenome(tall).repair(Node(0.02, 30.0, 0.0))
    assert t.length == pytest.approx((0.012 - tall.feed_height) / math.cos(math.radians(30.0)))


def test_arm_space_refuses_settings_the_solver_would_reject():
    from gadesign_problems.antenna.wires import GeometryError

    with pytest.raises(GeometryError):
        ArmSpace(wire_radius=0.0005, min_angle=20.0, root_bend_min=20.0)   # touching segments at joints
    with pytest.raises(GeometryError):
        ArmSpace(min_length=0.03, max_length=0.02)


def test_bad_json_is_refused():
    with pytest.raises(ValueError):
        from_json([0.01, 30.0])
    with pytest.raises(ValueError):
        from_json([0.01, float("nan"), 0.0, []])
    assert from_json(to_json(Node(0.01, 30.0, 5.0))) == Node(0.01, 30.0, 5.0)


def test_decoded_trees_pass_the_average_gain_test():
    """Over perfect ground a lossless antenna radiates its input power into the upper
    half space: the average gain over the hemisphere is 2 (NEC-2's own check)."""
    rng = np.random.default_rng(7)
    for tree in GENOME.sample_many(4, rng):
        sol = SPACE.antenna(tree).solve([7209.125e6, 8470e6])
        np.testing.assert_allclose(sol.average_gain(), 2.0, rtol=0.01)
