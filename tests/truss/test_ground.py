"""Ground structures: member counts by combinatorics, no overlapping collinear members."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from gadesign_problems.truss.errors import TrussError
from gadesign_problems.truss.ground import ground_members, ground_structure, grid_index


def test_counts_2d():
    nx, ny = 6, 4
    # reach 1: horizontal + vertical neighbours
    assert len(ground_members((nx, ny), 1.0)) == (nx - 1) * ny + nx * (ny - 1)
    # reach 1.5: plus both diagonals of every cell
    assert len(ground_members((nx, ny), 1.5)) == (nx - 1) * ny + nx * (ny - 1) + 2 * (nx - 1) * (ny - 1)
    # reach 2: (2, 0) offsets overlap the unit members, so nothing is added
    assert len(ground_members((nx, ny), 2.0)) == len(ground_members((nx, ny), 1.5))
    # reach sqrt(5): knight moves (1, 2), (2, 1) in both orientations
    extra = 2 * ((nx - 1) * (ny - 2) + (nx - 2) * (ny - 1))
    assert len(ground_members((nx, ny), math.sqrt(5))) == len(ground_members((nx, ny), 1.5)) + extra


def test_full_connectivity_count_equals_visible_pairs():
    """With unlimited reach, members = node pairs whose segment holds no other node."""
    shape = (4, 3, 2)
    pts = np.array(list(itertools.product(*[range(s) for s in shape])))
    visible = sum(math.gcd(*map(int, np.abs(p - q))) == 1 for p, q in itertools.combinations(pts, 2))
    assert len(ground_members(shape, 10.0)) == visible


@pytest.mark.parametrize("shape, reach", [((5, 4), 3.0), ((3, 3, 3), 2.0)])
def test_no_member_passes_through_another_node(shape, reach):
    t = ground_structure(shape, [10.0] * len(shape), reach, [((0,) * len(shape), (True,) * len(shape))],
                         [((shape[0] - 1,) + (0,) * (len(shape) - 1), (0.0, -1.0) + (0.0,) * (len(shape) - 2))])
    p, q = t.nodes[t.members[:, 0]], t.nodes[t.members[:, 1]]
    for k in range(t.n_members):
        d = q[k] - p[k]
        s = (t.nodes - p[k]) @ d / (d @ d)
        off = np.linalg.norm(t.nodes - p[k] - s[:, None] * d, axis=1)
        inside = (s > 1e-9) & (s < 1 - 1e-9) & (off < 1e-9)
        assert not inside.any()
    assert len({tuple(sorted(m)) for m in t.members.tolist()}) == t.n_members


def test_node_numbering_x_fastest_and_coordinates():
    t = ground_structure((4, 3), (30.0, 10.0), 1.5, [((0, 0), (True, True))], [((3, 2), (1.0, 0.0))])
    assert grid_index((3, 2), (4, 3)) == 11
    assert t.nodes[11] == pytest.approx([30.0, 10.0]) and t.nodes[1] == pytest.approx([10.0, 0.0])
    assert t.load_cases[0].forces[11] == pytest.approx([1.0, 0.0])


def test_bad_grids_are_truss_errors():
    with pytest.raises(TrussError, match="outside"):
        ground_structure((3, 3), (1, 1), 1.5, [((5, 0), (True, True))], [((1, 1), (0, -1))])
    with pytest.raises(TrussError, match="support"):
        ground_structure((3, 3), (1, 1), 1.5, [], [((1, 1), (0, -1))])
    with pytest.raises(TrussError, match="reach"):
        ground_members((3, 3), 0.5)
