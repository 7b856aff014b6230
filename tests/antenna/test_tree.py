"""The branching-wire tree genome: validity of every decoded tree, operator limits, JSON.

Property-based (hypothesis): each example draws a seed, grows a random tree and puts it
through a chain of mutations and crossovers; every tree on the way must decode to an
:class:`Antenna` that passes the solver's own geometry checks, lies inside the allowed
cylinder, is 4-fold symmetric and respects the size limits. A few decoded trees are
solved and must pass the average-gain test (2.0 over perfect ground), an invariant of a
lossless antenna independent of our optimiser. Wires meeting at a node keep the
radius-derived junction angle (checked against a brute-force computation of where two
wire surfaces part), so every decoded tree also builds with every segment cut into 2
and 4 (``Antenna.refined``).
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gadesign_problems.antenna.tree import (MIN_JUNCTION_ANGLE, ArmSpace, Node, TreeGenome, count_branches,
                                           count_wires, from_json, junction_angle, junction_overlap, to_json,
                                           walk)

SPACE = ArmSpace(wire_radius=0.0005, min_length=0.0025)
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
    # wires meeting at a node (directions away from it) are at least the junction angle apart
    ends = [(np.array(w.start), np.array(w.end)) for w in ant.wires]
    nodes = {tuple(np.round(p, 9)) for a, b in ends for p in (a, b)}
    for x in nodes:
        dirs = [(b - a) if np.allclose(a, x, atol=1e-9) else (a - b)
                for a, b in ends if np.allclose(a, x, atol=1e-9) or np.allclose(b, x, atol=1e-9)]
        dirs = [d / np.linalg.norm(d) for d in dirs]
        for i in range(len(dirs)):
            for j in range(i + 1, len(dirs)):
                ang = math.degrees(math.acos(max(-1.0, min(1.0, float(dirs[i] @ dirs[j])))))  # rounding past -1 or 1
                assert ang >= MIN_JUNCTION_ANGLE - 1e-6
    # the same geometry with every segment cut into 2 and 4 is accepted and meshes
    for k in (2, 4):
        ant.refined(k).mesh


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 2 ** 32 - 1))
def test_every_random_and_varied_tree_decodes_to_an_accepted_geometry(seed):
    for tree in _chain(seed):                    # 60 x 8 = 480 decoded trees, each refined x2, x4
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
    # root along +x at the hub height, a child turning to +y, and a grandchild turning
    # back towards -x: 20 mm long it crosses the root's copy rotated by 90 degrees (which
    # runs along +y from the hub) and is dropped with its subtree
    tree = Node(0.01, 90.0, 0.0, (Node(0.005, 90.0, 90.0, (Node(0.02, 90.0, 0.0),)),))
    fixed = GENOME.repair(tree)
    assert count_wires(fixed) == 2
    # the same grandchild, short enough to stay clear of the copy, is kept
    ok = GENOME.repair(Node(0.01, 90.0, 0.0, (Node(0.005, 90.0, 90.0, (Node(0.003, 90.0, 0.0),)),)))
    assert count_wires(ok) == 3
    # a wire that leaves the cylinder top is shortened to end on it
    tall = ArmSpace(height=0.012)
    t = TreeGenome(tall).repair(Node(0.02, 60.0, 0.0))
    assert t.length == pytest.approx((0.012 - tall.feed_height) / math.cos(math.radians(60.0)))


def test_arm_space_refuses_settings_the_solver_would_reject():
    from gadesign_problems.antenna.wires import GeometryError

    with pytest.raises(GeometryError):
        ArmSpace(wire_radius=0.0005, min_angle=45.0, root_bend_min=45.0)   # wires overlap beyond joints
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
        np.testing.assert_allclose(sol.average_gain(), 2.0, rtol=0.02)          # NEC-2's own 2 % criterion


def test_junction_overlap_is_where_the_wire_surfaces_part():
    """Brute force: two wires of radius a leave a node at angle theta; walk along the
    first and find the last cross-section (a disk of radius a) that still reaches inside
    the second (a point closer than a to its axis half-line). It must end where
    :func:`junction_overlap` says, and one diameter at the junction angle."""
    a = 0.5e-3
    phi = np.linspace(0.0, 2.0 * np.pi, 721)
    for theta in (40.0, MIN_JUNCTION_ANGLE, 70.0, 90.0, 120.0):
        t_ = math.radians(theta)
        d1, d2 = np.array([1.0, 0.0, 0.0]), np.array([math.cos(t_), math.sin(t_), 0.0])
        u, v = np.array([0.0, 1.0, 0.0]), np.array([0.0, 0.0, 1.0])       # the disk's plane
        last = 0.0
        for t in np.linspace(0.0, 6.0 * a, 3001):
            rim = t * d1 + a * (np.cos(phi)[:, None] * u + np.sin(phi)[:, None] * v)
            s = np.clip(rim @ d2, 0.0, None)[:, None]                      # nearest axis point
            if (np.linalg.norm(rim - s * d2, axis=1) < a).any():
                last = t
        assert junction_overlap(a, theta) == pytest.approx(last, abs=6.0 * a / 3000 * 1.5), theta
    assert junction_overlap(a, MIN_JUNCTION_ANGLE) == pytest.approx(2.0 * a)
    assert junction_angle(a, junction_overlap(a, 64.0)) == pytest.approx(64.0)
