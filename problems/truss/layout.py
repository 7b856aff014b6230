"""Minimum-weight truss layout by linear programming (plastic design of a ground structure).

For one load case and stress limits only, every feasible truss has member forces q in
equilibrium with the loads, B q = f (B: the equilibrium matrix of the ground structure,
column e = -c_e at node i and +c_e at node j, restrained dofs removed), and areas
A_e >= q_e / sigma_t (tension) or -q_e / sigma_c (compression). Its weight is therefore at
least the optimum of the linear programme (Dorn, Gomory & Greenberg 1964)

    min  sum_e density_e L_e (q+_e / sigma_t,e + q-_e / sigma_c,e)
    s.t. B (q+ - q-) = f,   q+, q- >= 0,

which is a lower bound on the weight of any stress-feasible design on that ground
structure (compatibility, stability and minimum areas can only add weight). The simplex
vertex HiGHS returns uses at most as many members as there are free dofs; where that
layout is stable it is statically determinate, so its elastic forces are the LP's and the
bound is attained. :func:`stable_layout` adds the light members a stiffness analysis needs
where it is not, and :func:`seed_design` hands the result to the GA.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.optimize import linprog

from gadesign_problems.truss.errors import TrussError
from gadesign_problems.truss.structure import Truss


@dataclass(frozen=True)
class Layout:
    """The LP optimum: its ``weight`` and member ``forces`` (tension +) and ``areas``."""

    weight: float
    forces: np.ndarray
    areas: np.ndarray


def equilibrium_matrix(truss: Truss) -> sp.csr_matrix:
    """B (free dofs x M): nodal forces exerted by unit member tensions, so that K u = B q."""
    d, m = truss.dim, truss.n_members
    delta = truss.nodes[truss.members[:, 1]] - truss.nodes[truss.members[:, 0]]
    c = delta / np.linalg.norm(delta, axis=1)[:, None]
    rows = np.concatenate([truss.members[:, :1] * d + np.arange(d), truss.members[:, 1:] * d + np.arange(d)], 1)
    vals = np.concatenate([-c, c], axis=1)
    B = sp.csr_matrix((vals.ravel(), (rows.ravel(), np.repeat(np.arange(m), 2 * d))), shape=(truss.n_nodes * d, m))
    return B[np.flatnonzero(~truss.fixed.ravel())]


def minimum_weight_layout(truss: Truss, load_case: int = 0) -> Layout:
    """The plastic minimum-weight layout of ``truss`` for one load case (HiGHS LP)."""
    if truss.tension_limit is None or truss.compression_limit is None:
        raise TrussError("layout optimisation needs tension and compression stress limits")
    B = equilibrium_matrix(truss)
    f = truss.load_cases[load_case].forces.ravel()[~truss.fixed.ravel()]
    w = truss.density * truss.lengths
    cost = np.concatenate([w / truss.tension_limit, w / truss.compression_limit])
    res = linprog(cost, A_eq=sp.hstack([B, -B]).tocsc(), b_eq=f, bounds=(0, None), method="highs")
    if res.status != 0:
        raise TrussError(f"layout LP failed: {res.message}")
    m = truss.n_members
    q = res.x[:m] - res.x[m:]
    areas = np.maximum(res.x[:m] / truss.tension_limit, res.x[m:] / truss.compression_limit)
    return Layout(float(res.fun), q, areas)


#: Member forces below this fraction of the largest |force| are numerically zero.
FORCE_TOL = 1e-9


def stable_layout(truss: Truss, layout: Layout, min_area: float, max_added: int = 200) -> np.ndarray:
    """Member areas of an elastic truss built from the LP layout: every member that carries
    force, at least ``min_area``, plus light members (``min_area``) that make it stable.

    The plastic layout often passes straight through joints (two collinear members, or in
    3D coplanar ones): in equilibrium, but a mechanism for the stiffness method. While the
    stiffness matrix has a free mode u, the ground-structure member between two joints of
    the truss that the mode stretches most per unit length, |c . (u_j - u_i)| / L, is
    added (it removes that mode at the least weight); when no such member stretches it
    (the layout reaches a support only through members it left out), the member with one
    end outside the layout that stretches it most is, joint by joint. Weight added: ``min_area`` x the
    added lengths x density (part of the gap to the LP optimum the caller reports)."""
    from gadesign_problems.truss.errors import UnstableTrussError
    from gadesign_problems.truss.fem import StiffnessModel

    q = np.abs(layout.forces)
    used = q > FORCE_TOL * max(float(q.max()), 1e-300)
    areas = np.where(used, np.maximum(layout.areas, min_area), 0.0)
    model = StiffnessModel(truss)
    ends, lengths = truss.members, truss.lengths
    direction = (truss.nodes[ends[:, 1]] - truss.nodes[ends[:, 0]]) / lengths[:, None]
    for _ in range(max_added):
        failure = model.solve(areas[None]).failures[0]
        if not isinstance(failure, UnstableTrussError) or not failure.modes:
            return areas
        reached = np.zeros(truss.n_nodes, bool)
        reached[ends[areas > 0].ravel()] = True
        # members between joints of the layout first; when none of them removes the mode
        # (a layout that reaches a support only through members it left out: one span of a
        # continuous girder), members with one end outside it, which lead the layout back
        # towards the supports a joint at a time
        for both in (True, False):
            inside = reached[ends[:, 0]] & reached[ends[:, 1]] if both else reached[ends[:, 0]] | reached[ends[:, 1]]
            candidates = np.flatnonzero((areas == 0) & inside)
            stretch = np.zeros(len(candidates))
            for mode in failure.modes:
                du = mode[ends[candidates, 1]] - mode[ends[candidates, 0]]
                stretch = np.maximum(stretch, np.abs(np.einsum("md,md->m", du, direction[candidates])))
            if len(candidates) and stretch.max() > 1e-9:
                break
        else:
            return areas  # nothing helps; the evaluation reports the mechanism
        best = int(np.argmax(stretch / lengths[candidates]))
        areas[candidates[best]] = min_area
    return areas


def seed_design(truss: Truss, layout: Layout) -> dict[str, np.ndarray]:
    """The stable LP layout as a topology genome (``present`` bits, per-member ``areas``)
    within the truss's area range; raises :class:`TrussError` if a member of the layout
    needs more than the largest allowed area."""
    spec = truss.area
    lower = max(spec.removal_threshold or 0.0, spec.lower) if spec is not None else 0.0
    upper = spec.upper if spec is not None else np.inf
    areas = stable_layout(truss, layout, lower if lower > 0 else 1e-6 * float(layout.areas.max()))
    if areas.max() > upper * (1 + 1e-12):
        raise TrussError(f"the LP layout needs an area of {areas.max():.6g}, above the largest allowed "
                         f"({upper:g}); raise area.max")
    return {"present": (areas > 0).astype(np.uint8), "areas": np.clip(np.where(areas > 0, areas, lower), lower, upper)}
