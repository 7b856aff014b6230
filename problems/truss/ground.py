"""Ground structures: every member a truss could have between the nodes of a grid.

A regular grid of ``nx x ny`` (2D rectangle) or ``nx x ny x nz`` (3D box) nodes, with a
member between every pair of nodes whose separation is at most ``reach`` grid steps.
Overlapping collinear members are removed: the segment between grid nodes with integer
offset (a, b, c) passes through another grid node exactly when gcd(|a|, |b|, |c|) > 1,
so only offsets with gcd 1 are kept (the long member is then the chain of short ones).

Node ``(i, j[, k])`` has index ``i + nx * (j + ny * k)``: x runs fastest.
"""

from __future__ import annotations

import math
from itertools import product
from typing import Sequence

import numpy as np

from gadesign_problems.truss.errors import TrussError
from gadesign_problems.truss.structure import BENCHMARK_UNITS, AreaSpec, DisplacementLimit, LoadCase, Truss

GridPoint = Sequence[int]

#: Largest ground structure built (members): 2 million members already make a 50 MB JSON
#: file and a stiffness matrix no evolutionary run can afford to factorise per design.
MAX_MEMBERS = 2_000_000


def grid_index(point: GridPoint, shape: Sequence[int]) -> int:
    """The node index of grid point ``(i, j[, k])`` in a grid of ``shape``."""
    if len(point) != len(shape):
        raise TrussError(f"grid point {tuple(point)}: expected {len(shape)} indices")
    for p, s in zip(point, shape):
        if not 0 <= p < s:
            raise TrussError(f"grid point {tuple(point)} outside the {'x'.join(map(str, shape))} grid")
    index, stride = 0, 1
    for p, s in zip(point, shape):
        index += int(p) * stride
        stride *= s
    return index


def ground_members(shape: Sequence[int], reach: float) -> np.ndarray:
    """Member end pairs (M x 2) of the ground structure of a grid: all node pairs at
    most ``reach`` grid steps apart (Euclidean, in grid steps), without overlaps."""
    if not (math.isfinite(reach) and reach >= 1):
        raise TrussError(f"reach must be a finite number >= 1 grid step, got {reach}")
    dim = len(shape)
    r = int(math.floor(reach))
    if r > max(shape):
        r = max(shape)  # no pair of grid nodes is farther apart than this
    offsets = []
    for o in product(range(-r, r + 1), repeat=dim):
        nz = [v for v in o if v != 0]
        if not nz or nz[0] < 0:  # each pair once: first nonzero component positive
            continue
        if math.hypot(*o) <= reach + 1e-12 and math.gcd(*map(abs, o)) == 1:
            offsets.append(o)
    count = sum(math.prod(max(0, s - abs(v)) for s, v in zip(shape, o)) for o in offsets)
    if count > MAX_MEMBERS:
        raise TrussError(f"ground structure of {math.prod(shape):,} nodes and {count:,} members is too large "
                         f"(at most {MAX_MEMBERS:,} members); use a coarser grid or a shorter reach")
    grid = np.stack(np.meshgrid(*[np.arange(s) for s in shape], indexing="ij"), axis=-1).reshape(-1, dim)
    strides = np.cumprod([1, *shape[:-1]])
    index = grid @ strides
    pairs = []
    for o in offsets:
        other = grid + np.asarray(o)
        inside = np.all((other >= 0) & (other < np.asarray(shape)), axis=1)
        pairs.append(np.stack([index[inside], other[inside] @ strides], axis=1))
    members = np.concatenate(pairs) if pairs else np.zeros((0, 2), dtype=np.int64)
    return members[np.lexsort((members[:, 1], members[:, 0]))]


def ground_structure(
    shape: Sequence[int],
    size: Sequence[float],
    reach: float,
    supports: Sequence[tuple[GridPoint, Sequence[bool]]],
    loads: Sequence[tuple[GridPoint, Sequence[float]]],
    *,
    E: float = 1.0e4,
    density: float = 0.1,
    stress_limit: float | None = 25.0,
    area: AreaSpec | None = None,
    displacement_limit: float | None = None,
    name: str = "",
    units: dict[str, str] | None = None,
) -> Truss:
    """A ground-structure :class:`Truss`.

    ``shape`` = (nx, ny[, nz]) nodes per axis (each >= 2), ``size`` = the box's edge
    lengths (length units); ``supports`` = (grid point, fixed flags per axis),
    ``loads`` = (grid point, force vector) of the single load case ``LC1``;
    ``stress_limit`` = allowable |stress| in tension and compression (None: none);
    ``displacement_limit`` = |u| limit on every free dof (None: none).
    Defaults are the benchmark units (in, kip, ksi, lb/in^3).
    """
    shape = tuple(int(s) for s in shape)
    dim = len(shape)
    if dim not in (2, 3) or any(s < 2 for s in shape):
        raise TrussError(f"grid shape {shape}: need 2 or 3 axes with at least 2 nodes each")
    if len(size) != dim or any(not (math.isfinite(s) and s > 0) for s in size):
        raise TrussError(f"grid size {tuple(size)}: need {dim} positive lengths")
    grid = np.stack(np.meshgrid(*[np.arange(s) for s in shape], indexing="ij"), axis=-1).reshape(-1, dim)
    spacing = np.asarray(size, dtype=float) / (np.asarray(shape) - 1)
    nodes = np.zeros((len(grid), dim))
    nodes[grid @ np.cumprod([1, *shape[:-1]])] = grid * spacing
    n = len(nodes)
    fixed = np.zeros((n, dim), dtype=bool)
    for point, flags in supports:
        if len(flags) != dim:
            raise TrussError(f"support at {tuple(point)}: expected {dim} fixed flags")
        fixed[grid_index(point, shape)] |= np.asarray(flags, dtype=bool)
    if not fixed.any():
        raise TrussError("a ground structure needs at least one support")
    forces = np.zeros((n, dim))
    for point, force in loads:
        if len(force) != dim:
            raise TrussError(f"load at {tuple(point)}: expected {dim} force components")
        forces[grid_index(point, shape)] += np.asarray(force, dtype=float)
    if not np.any(forces):
        raise TrussError("a ground structure needs at least one nonzero load")
    members = ground_members(shape, reach)
    m = len(members)
    free = np.flatnonzero(~fixed.any(axis=1))
    disp = (DisplacementLimit(tuple(int(i) for i in free), tuple(range(dim)), float(displacement_limit)),) \
        if displacement_limit is not None and len(free) else ()
    loaded = np.flatnonzero(np.abs(forces).max(axis=1) > 0)
    basic = tuple(int(i) for i in np.union1d(loaded, np.flatnonzero(fixed.any(axis=1))))
    extent = max(float(s) for s in size)
    return Truss(
        nodes=nodes, members=members, fixed=fixed, load_cases=(LoadCase("LC1", forces),),
        E=E, density=density,
        tension_limit=None if stress_limit is None else np.full(m, float(stress_limit)),
        compression_limit=None if stress_limit is None else np.full(m, float(stress_limit)),
        displacement_limits=disp,
        area=area or AreaSpec.continuous(0.0, 10.0, removal_threshold=1e-3),
        basic_nodes=basic,
        name=name or f"ground structure {'x'.join(map(str, shape))}, reach {reach:g}",
        description=f"{m} candidate members on a {'x'.join(map(str, shape))} grid, "
                    f"box {' x '.join(f'{s:g}' for s in size)}, extent {extent:g}",
        units=dict(units or BENCHMARK_UNITS),
        extra={"ground": {"shape": list(shape), "size": [float(s) for s in size], "reach": float(reach)}},
    )
