"""Minimum-weight truss layout by linear programming (plastic design of a ground structure).

For one load case and stress limits only, every feasible truss has member forces q in
equilibrium with the loads, B q = f (B: the equilibrium matrix of the ground structure,
column e = -c_e at node i and +c_e at node j, restrained dofs removed), and areas
A_e >= q_e / sigma_t (tension) or -q_e / sigma_c (compression). Its weight is therefore at
least the optimum of the linear programme (Dorn, Gomory & Greenberg 1964)

    min  sum_e density_e L_e (q+_e / sigma_t,e + q-_e / sigma_c,e)
    s.t. B (q+ - q-) = f,   q+, q- >= 0,

which is a lower bound on the weight of any stress-feasible design on that ground
structure (compatibility, stability and minimum areas can only add weight).
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
