"""Independent second engines for the truss tests: anastruct (2D) and PyNite (2D/3D).

Both are test-only dependencies (the ``test`` extra). A truss member is modelled in
PyNite as a frame member with moment and torsion releases at its ends and all nodal
rotations restrained; in anastruct as a truss element.
"""

from __future__ import annotations

import numpy as np

from gadesign_problems.truss.structure import Truss


def pynite_solve(truss: Truss, areas: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Displacements (L x N x d) and member forces (L x M, tension +) from PyNite."""
    from Pynite import FEModel3D

    model = FEModel3D()
    d = truss.dim
    for i, p in enumerate(truss.nodes):
        xyz = [*p, 0.0] if d == 2 else list(p)
        model.add_node(f"N{i}", *map(float, xyz))
    for e, (i, j) in enumerate(truss.members):
        model.add_material(f"E{e}", float(truss.E[e]), float(truss.E[e]) / 2.6, 0.3, 0.0)
        model.add_section(f"S{e}", float(areas[e]), 1.0, 1.0, 1.0)
        model.add_member(f"M{e}", f"N{i}", f"N{j}", f"E{e}", f"S{e}")
        model.def_releases(f"M{e}", Rxi=True, Ryi=True, Rzi=True, Ryj=True, Rzj=True)
    for i in range(truss.n_nodes):
        fx = list(truss.fixed[i]) + ([True] if d == 2 else [])
        model.def_support(f"N{i}", *map(bool, fx), True, True, True)
    for lc in truss.load_cases:
        for i in np.flatnonzero(np.abs(lc.forces).max(axis=1) > 0):
            for k, ax in enumerate("XYZ"[:d]):
                if lc.forces[i, k] != 0:
                    model.add_node_load(f"N{i}", f"F{ax}", float(lc.forces[i, k]), case=lc.name)
        model.add_load_combo(lc.name, {lc.name: 1.0})
    model.analyze_linear(check_statics=False)
    disp = np.zeros((len(truss.load_cases), truss.n_nodes, d))
    forces = np.zeros((len(truss.load_cases), truss.n_members))
    for c, lc in enumerate(truss.load_cases):
        for i in range(truss.n_nodes):
            node = model.nodes[f"N{i}"]
            disp[c, i] = [node.DX[lc.name], node.DY[lc.name], node.DZ[lc.name]][:d]
        for e in range(truss.n_members):
            member = model.members[f"M{e}"]
            forces[c, e] = -member.axial(member.L() / 2, lc.name)  # PyNite: compression +
    return disp, forces


def anastruct_solve(truss: Truss, areas: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Displacements (L x N x 2) and member forces (L x M, tension +) from anastruct
    (2D only; pinned or fully fixed supports)."""
    import warnings

    from anastruct import SystemElements

    assert truss.dim == 2
    disp = np.zeros((len(truss.load_cases), truss.n_nodes, 2))
    forces = np.zeros((len(truss.load_cases), truss.n_members))
    for c, lc in enumerate(truss.load_cases):
        ss = SystemElements(mesh=1)
        for e, (i, j) in enumerate(truss.members):
            ss.add_truss_element([list(map(float, truss.nodes[i])), list(map(float, truss.nodes[j]))],
                                 EA=float(truss.E[e] * areas[e]))
        ids = [ss.find_node_id(list(map(float, p))) for p in truss.nodes]
        for i in truss.supported_nodes:
            assert truss.fixed[i].all(), "anastruct reference: only pinned supports"
            ss.add_support_hinged(ids[i])
        for i in np.flatnonzero(np.abs(lc.forces).max(axis=1) > 0):
            ss.point_load(ids[i], Fx=float(lc.forces[i, 0]), Fy=float(lc.forces[i, 1]))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ss.solve()
        for i in range(truss.n_nodes):
            r = ss.get_node_displacements(ids[i])
            disp[c, i] = [r["ux"], r["uy"]]
        for e in range(truss.n_members):
            forces[c, e] = ss.get_element_results(e + 1)["Nmax"]
    return disp, forces
