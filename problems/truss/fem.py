"""The direct stiffness method for pin-jointed 2D and 3D trusses.

Physics. A member e from node i to node j with unit vector c, length L, modulus E and
area A has axial stiffness k = E A / L; its elongation is c . (u_j - u_i), its axial
force N = k c . (u_j - u_i) (tension positive) and its stress N / A. Its global
stiffness is k [[c c^T, -c c^T], [-c c^T, c c^T]]. Assembling all members gives K u = F;
restrained dofs are removed, K_ff u_f = F_f is solved for every load case with one
factorisation, and the reactions are R = (K u)_s - F_s at the restrained dofs, so that
sum(R) + sum(F) = 0 (equilibrium). Compliance is F . u (force x length).

Degenerate trusses are found before solving, each with a clear message: members of zero
length, loads on nodes that no member reaches, parts of the truss not connected to any
support, and mechanisms (a stiffness matrix that is singular or ill-conditioned after
Jacobi scaling; its free modes are reported). Members of area 0 are absent (topology).

Two paths share the checks: a dense, batched one (``numpy.linalg.eigh`` on a stack of
scaled stiffness matrices: eigenvalues give the conditioning and the free modes, the
eigenvectors the solution) for the small systems an evolve run analyses by the
thousand; and a sparse one (SuperLU on a CSC matrix, condition by a 1-norm estimate) for
large ground structures.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np
import scipy.sparse as sp
import scipy.sparse.csgraph as csgraph
import scipy.sparse.linalg as spla

from gadesign_problems.truss.errors import TrussError, UnstableTrussError
from gadesign_problems.truss.structure import Truss

#: A scaled stiffness matrix whose smallest/largest eigenvalue ratio is below this is a
#: mechanism (double precision leaves ~1e-16; real trusses with 1e4 area ratios ~1e-8).
RCOND_TOL = 1e-11
#: Free dofs above which a single analysis uses the sparse path.
DENSE_MAX_DOFS = 240
#: A smallest/largest scaled stiffness above this (yet below RCOND_TOL) is no rounding
#: residue of an exact mechanism (those give 1e-15 and less) but a nearly singular matrix.
NEAR_SINGULAR = 1e-14
#: A member shorter than this fraction of the truss's extent has zero length.
ZERO_LENGTH_TOL = 1e-9

_AXES = "xyz"


@dataclass(frozen=True)
class CaseResult:
    """The response to one load case (in the truss's units).

    ``displacements`` N x d, ``forces`` M (tension positive), ``stresses`` M (force per
    area; 0 for absent members), ``reactions`` N x d (zero at free dofs), ``compliance``
    F . u.
    """

    name: str
    displacements: np.ndarray
    forces: np.ndarray
    stresses: np.ndarray
    reactions: np.ndarray
    compliance: float


@dataclass(frozen=True, eq=False)
class Analysis:
    """A solved truss: the member areas used and one :class:`CaseResult` per load case."""

    truss: Truss
    areas: np.ndarray
    cases: tuple[CaseResult, ...]

    @property
    def weight(self) -> float:
        """sum(density * L * A) (weight units)."""
        return self.truss.weight(self.areas)

    @property
    def compliance(self) -> float:
        """Sum of the load cases' compliances F . u."""
        return float(sum(c.compliance for c in self.cases))

    def stress_ratios(self) -> np.ndarray:
        """L x M: sigma / sigma_t in tension, -sigma / sigma_c in compression (0 without limits)."""
        return stress_ratios(self.truss, self.areas, np.stack([c.stresses for c in self.cases]))

    def displacement_ratios(self) -> np.ndarray:
        """L x K: |u[node, dof]| / limit over the listed node x dof entries."""
        return displacement_ratios(self.truss, np.stack([c.displacements for c in self.cases]))

    @property
    def max_stress_ratio(self) -> float:
        r = self.stress_ratios()
        return float(r.max()) if r.size else 0.0

    @property
    def max_displacement_ratio(self) -> float:
        r = self.displacement_ratios()
        return float(r.max()) if r.size else 0.0

    def feasible(self, tol: float = 1e-6) -> bool:
        """All stress and displacement ratios <= 1 + tol."""
        return max(self.max_stress_ratio, self.max_displacement_ratio) <= 1.0 + tol

    def to_dict(self) -> dict[str, Any]:
        """The JSON of ``gadesign truss analyze --json`` (the truss's units)."""
        sr = self.stress_ratios()
        return {
            "weight": self.weight,
            "units": dict(self.truss.units),
            "numbering": "0-based node and member indices as in the truss file",
            "node_labels": None if self.truss.node_labels is None else list(self.truss.node_labels),
            "member_labels": None if self.truss.member_labels is None else list(self.truss.member_labels),
            "areas": self.areas.tolist(),
            "max_stress_ratio": self.max_stress_ratio,
            "max_displacement_ratio": self.max_displacement_ratio,
            "load_cases": [{
                "name": c.name,
                "displacements": c.displacements.tolist(),
                "forces": c.forces.tolist(),
                "stresses": c.stresses.tolist(),
                "stress_ratios": sr[k].tolist(),
                "reactions": c.reactions.tolist(),
                "compliance": c.compliance,
            } for k, c in enumerate(self.cases)],
        }


def stress_ratios(truss: Truss, areas: np.ndarray, stresses: np.ndarray) -> np.ndarray:
    """Stress ratios for stresses of shape (..., M); the compression allowable includes
    Euler buckling when the truss has it. Members of area 0 have ratio 0."""
    t = truss.tension_limit
    c = truss.compression_allowable(areas)
    out = np.zeros_like(stresses)
    if t is not None:
        out = np.where(stresses > 0, stresses / t, out)
    if c is not None:
        with np.errstate(divide="ignore", invalid="ignore"):
            comp = np.where(c > 0, -stresses / np.where(c > 0, c, 1.0), np.inf)
        out = np.where(stresses < 0, comp, out)
    return np.where(np.asarray(areas) > 0, out, 0.0)


def displacement_ratios(truss: Truss, displacements: np.ndarray) -> np.ndarray:
    """Displacement ratios for displacements of shape (..., N, d), flattened over the
    limits' node x dof entries to shape (..., K)."""
    parts = [np.abs(displacements[..., list(dl.nodes), :][..., list(dl.dofs)]).reshape(
        *displacements.shape[:-2], -1) / dl.limit for dl in truss.displacement_limits]
    if not parts:
        return np.zeros((*displacements.shape[:-2], 0))
    return np.concatenate(parts, axis=-1)


@dataclass(frozen=True, eq=False)
class BatchSolution:
    """Raw responses of P designs: ``displacements`` P x L x N x d, ``forces`` P x L x M,
    and per design ``failures[p]`` (None, or the :class:`TrussError` that analysing it
    alone would raise; its arrays are then zero)."""

    displacements: np.ndarray
    forces: np.ndarray
    failures: list[TrussError | None]


class StiffnessModel:
    """The geometry of one truss, precomputed for many analyses with different areas.

    Builds unit vectors, lengths, the per-member stiffness per unit area and the dof
    maps once; :meth:`solve` then costs one assembly and one factorisation per design.
    """

    def __init__(self, truss: Truss) -> None:
        self.truss = truss
        n, d = truss.n_nodes, truss.dim
        self.n_nodes, self.dim, self.n_dofs = n, d, n * d
        ends = truss.members
        delta = truss.nodes[ends[:, 1]] - truss.nodes[ends[:, 0]]
        self.lengths = np.linalg.norm(delta, axis=1)
        extent = float(np.ptp(truss.nodes, axis=0).max()) if n > 1 else 1.0
        self.zero_length = self.lengths <= ZERO_LENGTH_TOL * max(extent, 1e-300)
        safe = np.where(self.zero_length, 1.0, self.lengths)
        self.cosines = delta / safe[:, None]
        # member stiffness per unit area: (E / L) [[cc, -cc], [-cc, cc]], flattened 2d x 2d
        cc = np.einsum("mi,mj->mij", self.cosines, self.cosines) * (truss.E / safe)[:, None, None]
        self.k_unit = np.block([[cc, -cc], [-cc, cc]]).reshape(len(ends), -1)
        self.member_dofs = np.concatenate([ends[:, :1] * d + np.arange(d), ends[:, 1:] * d + np.arange(d)], axis=1)
        self.rows = np.repeat(self.member_dofs, 2 * d, axis=1)
        self.cols = np.tile(self.member_dofs, (1, 2 * d))
        self.fixed = truss.fixed.ravel()
        self.loads = np.stack([lc.forces.ravel() for lc in truss.load_cases], axis=1)  # n_dofs x L
        self.loaded_node = np.abs(self.loads).reshape(n, d, -1).max(axis=(1, 2)) > 0
        # nodes loaded along a dof that no support restrains: such a load needs a member
        # (a roller with no member, loaded along its free direction, lost the load)
        self.loaded_free_node = ((np.abs(self.loads).reshape(n, d, -1).max(axis=2) > 0) & ~truss.fixed).any(axis=1)
        # self-weight: half of each member's weight, times the weight -> force factor, on
        # each of its end nodes along gravity (n_dofs x M per unit area, sparse: 2 d entries
        # a member; None without). A dense one was n_dofs x M: 2.4 GB and 8 s of np.add.at
        # for a 19,600-member grid.
        self.self_weight = None
        if truss.self_weight is not None:
            g = truss.self_weight.factor * np.asarray(truss.self_weight.gravity, dtype=float)
            half = 0.5 * truss.density * self.lengths
            m_count = len(ends)
            rows = (ends[:, :, None] * d + np.arange(d)).reshape(m_count, 2 * d)       # M x 2d dofs
            vals = np.tile(half[:, None] * g, (1, 2))                                    # M x 2d
            cols = np.repeat(np.arange(m_count), 2 * d)
            self.self_weight = sp.csr_matrix((vals.ravel(), (rows.ravel(), cols)), shape=(n * d, m_count))
        # prescribed displacements of restrained dofs (support settlement), None if all zero
        self.prescribed = truss.prescribed.ravel() if truss.prescribed is not None and truss.prescribed.any() else None
        self.supported_node = truss.fixed.any(axis=1)
        self._checked: dict[bytes, tuple[TrussError | None, np.ndarray]] = {}
        self._coincident_pairs: np.ndarray | None = None  # node pairs at one point, found on first need
        # free-free entries of the member blocks: flat index into nf x nf, member, value
        free = np.flatnonzero(~self.fixed)
        pos = np.full(self.n_dofs, -1)
        pos[free] = np.arange(len(free))
        r, c = pos[self.rows], pos[self.cols]
        sel = (r >= 0) & (c >= 0)
        self._ff_flat = (r * len(free) + c)[sel]
        self._ff_member = np.nonzero(sel)[0]
        self._ff_k = self.k_unit[sel]

    # -- checks shared by both paths -----------------------------------------------------
    def check(self, areas: np.ndarray) -> tuple[TrussError | None, np.ndarray]:
        """The first degeneracy of the design that connectivity reveals (or None), and the
        mask of nodes reached by a member of positive area."""
        if not np.isfinite(areas).all() or (areas < 0).any():
            return TrussError("member areas must be finite and >= 0"), np.zeros(self.n_nodes, bool)
        active = areas > 0
        key = np.packbits(active).tobytes()
        hit = self._checked.get(key)
        if hit is None:
            hit = self._check_topology(active)
            if len(self._checked) < 4096:  # a memo of this model's topologies, bounded
                self._checked[key] = hit
        return hit

    def _check_topology(self, active: np.ndarray) -> tuple[TrussError | None, np.ndarray]:
        t = self.truss
        bad = np.flatnonzero(active & self.zero_length)
        if len(bad):
            return TrussError(f"member{'s' if len(bad) > 1 else ''} {_names(bad, t.member_labels)} "
                              f"{'have' if len(bad) > 1 else 'has'} zero length"), np.zeros(self.n_nodes, bool)
        ends = t.members[active]
        reached = np.zeros(self.n_nodes, bool)
        reached[ends.ravel()] = True
        lonely = np.flatnonzero(self.loaded_free_node & ~reached)
        if len(lonely):
            partly = " (it acts along a dof that the support leaves free)" if self.supported_node[lonely].any() else ""
            return TrussError(f"load on node{'s' if len(lonely) > 1 else ''} {_names(lonely, t.node_labels)} "
                              f"that no member reaches{partly}{self._coincident(lonely, reached)}"), reached
        if not reached.any():
            return UnstableTrussError("the truss has no members"), reached
        graph = sp.coo_matrix((np.ones(len(ends)), (ends[:, 0], ends[:, 1])), shape=(self.n_nodes,) * 2)
        _, label = csgraph.connected_components(graph, directed=False)
        grounded = np.unique(label[reached & self.supported_node])
        floating = np.flatnonzero(reached & ~np.isin(label, grounded))
        if len(floating):
            return UnstableTrussError(
                f"node{'s' if len(floating) > 1 else ''} {_names(floating, t.node_labels)} "
                f"not connected to any support (a free body){self._coincident(floating, reached)}"), reached
        return None, reached

    def _mechanism(self, modes: np.ndarray, dof_index: np.ndarray, ratio: float | None = None) -> UnstableTrussError:
        """The error for free modes given as columns over the dofs ``dof_index``; ``ratio``:
        the smallest/largest scaled stiffness found (eigenvalue or condition estimate), when
        it is well above rounding, i.e. the matrix is nearly rather than exactly singular."""
        full = []
        for v in modes.T:
            u = np.zeros(self.n_dofs)
            u[dof_index] = v
            u /= np.linalg.norm(u)
            full.append(u.reshape(self.n_nodes, self.dim))
        first = full[0]
        amp = np.abs(first)
        moving = np.flatnonzero(amp.max(axis=1) > 0.1 * amp.max())
        desc = ", ".join(f"{_name(i, self.truss.node_labels)} ("
                         + ",".join(f"u{_AXES[k]}" for k in range(self.dim) if amp[i, k] > 0.1 * amp.max()) + ")"
                         for i in moving[:8])
        more = f" and {len(moving) - 8} more" if len(moving) > 8 else ""
        nearly = ""
        if ratio is not None and ratio > NEAR_SINGULAR:
            # a stable but very slender truss (a 2 km Warren bridge 2.5 m deep) lands here
            # too: say so rather than call it a mechanism outright
            nearly = (f" (or the truss is too ill-conditioned to analyse in double precision: smallest/largest "
                      f"scaled stiffness {ratio:.1e} < {RCOND_TOL:g}; e.g. far too slender, or stiffnesses "
                      "E*A/L too disparate)")
        planar = ""
        if self.dim == 3:  # a planar truss written in 3-D: every node's out-of-plane dof is free
            flat = np.flatnonzero(np.ptp(self.truss.nodes, axis=0) == 0)
            if len(flat):
                k = int(flat[0])
                out_of_plane = np.abs(np.stack(full))[:, :, k].sum() >= 0.999 * np.abs(np.stack(full)).sum()
                if out_of_plane:
                    planar = (f"; all nodes lie in the plane {_AXES[k]} = {self.truss.nodes[0, k]:g} and the free modes "
                              f"move out of it: a planar truss needs u{_AXES[k]} restrained at every node, or dim 2")
        moved = np.flatnonzero(np.abs(np.stack(full)).max(axis=(0, 2)) > 1e-6)  # nodes any free mode moves
        reached = np.zeros(self.n_nodes, bool)
        reached[self.truss.members.ravel()] = True
        return UnstableTrussError(
            f"mechanism: the stiffness matrix has {len(full)} free mode{'s' if len(full) > 1 else ''}; "
            f"mode 1 moves node{'s' if len(moving) > 1 else ''} {desc}{more}{nearly}{planar}"
            f"{self._coincident(moved, reached)}", modes=full)

    def _coincident(self, nodes: np.ndarray, reached: np.ndarray) -> str:
        """A hint for an error about ``nodes``: those of them that lie at the same point as
        another node (a duplicated node, typically from a CAD export or a hand-numbered
        file: the members meeting there are not joined, so the truss falls apart or a load
        lands on the copy no member reaches). Only nodes a member reaches count as the
        other one. "" when there is none."""
        if not len(nodes):
            return ""
        if self._coincident_pairs is None:  # once per model: error paths of a GA run come here often
            from scipy.spatial import cKDTree

            xyz = self.truss.nodes
            extent = float(np.ptp(xyz, axis=0).max()) if self.n_nodes > 1 else 1.0
            found = cKDTree(xyz).query_pairs(ZERO_LENGTH_TOL * max(extent, 1e-300), output_type="ndarray")
            found = np.sort(np.asarray(found, dtype=np.int64).reshape(-1, 2), axis=1)
            self._coincident_pairs = found[np.lexsort((found[:, 1], found[:, 0]))]
        cp = self._coincident_pairs
        if not len(cp):
            return ""
        named = np.zeros(self.n_nodes, bool)
        named[np.asarray(nodes, dtype=np.int64)] = True
        hit = (named[cp[:, 0]] & reached[cp[:, 1]]) | (named[cp[:, 1]] & reached[cp[:, 0]])
        pairs = [(int(i), int(j)) for i, j in cp[hit]]
        if not pairs:
            return ""
        labels = self.truss.node_labels
        shown = ", ".join(f"{_name(i, labels)} and {_name(j, labels)}" for i, j in pairs[:4])
        more = f" and {len(pairs) - 4} more pairs" if len(pairs) > 4 else ""
        return (f"; nodes {shown}{more} are at the same point: a duplicated node? Members that meet "
                "there must share one node index")

    # -- batched dense path ----------------------------------------------------------------
    def solve_many(self, areas: np.ndarray) -> BatchSolution:
        """Analyse P designs (``areas`` P x M) with dense batched linear algebra.

        Never raises for a degenerate design: its failure is returned in ``failures``.
        """
        areas = np.atleast_2d(np.asarray(areas, dtype=float))
        p_count, m = areas.shape
        n_lc = self.loads.shape[1]
        disp = np.zeros((p_count, n_lc, self.n_nodes, self.dim))
        forces = np.zeros((p_count, n_lc, m))
        failures: list[TrussError | None] = [None] * p_count
        free = np.flatnonzero(~self.fixed)
        nf = len(free)
        ok, reached_rows = [], []
        for p in range(p_count):
            err, reached = self.check(areas[p])
            if err is None:
                ok.append(p)
                reached_rows.append(np.repeat(reached, self.dim)[free])
            failures[p] = err
        if not ok or nf == 0:
            if nf == 0 and self.prescribed is not None:
                for p in ok:
                    disp[p] = self.prescribed.reshape(self.n_nodes, self.dim)
                    forces[p] = self.member_forces(disp[p], areas[p])
            return BatchSolution(disp, forces, failures)
        idx = np.asarray(ok)
        P = len(idx)
        n = self.n_dofs
        # scatter-add the free-free entries of every member block into P dense matrices
        vals = areas[idx][:, self._ff_member] * self._ff_k
        offsets = (np.arange(P) * nf * nf)[:, None]
        K = np.bincount((offsets + self._ff_flat).ravel(), weights=vals.ravel(),
                        minlength=P * nf * nf).reshape(P, nf, nf)
        reached = np.asarray(reached_rows)
        F = self.load_vectors(areas[idx])[:, free, :]
        if self.prescribed is not None:
            F -= self.prescribed_forces(areas[idx])[:, free, None]
        # dofs of nodes no member reaches are decoupled: identity row, no load
        if not reached.all():
            K[~reached] = 0.0
            K.transpose(0, 2, 1)[~reached] = 0.0
            pi, ii = np.nonzero(~reached)
            K[pi, ii, ii] = 1.0
            F[~reached] = 0.0
        diag = K.diagonal(axis1=1, axis2=2).copy()
        dmax = diag.max(axis=1, keepdims=True)
        s = 1.0 / np.sqrt(np.where(diag <= RCOND_TOL * dmax, dmax, diag))
        Ks = K * s[:, :, None] * s[:, None, :]
        sF = s[:, :, None] * F
        # Cholesky screens the batch; a failed or tiny pivot sends a design to eigh,
        # which decides (smallest/largest eigenvalue) and names the free modes
        fine = _cholesky_ok(Ks)
        uf = np.zeros((P, nf, n_lc))
        if fine.any():
            uf[fine] = np.linalg.solve(Ks[fine], sF[fine])
        for q in np.flatnonzero(~fine):
            w, V = np.linalg.eigh(Ks[q])
            singular = w <= RCOND_TOL * w[-1]
            if singular.any():
                failures[idx[q]] = self._mechanism(s[q][:, None] * V[:, singular], free, max(w[0], 0.0) / w[-1])
            else:
                uf[q] = V @ ((V.T @ sF[q]) / w[:, None])
                fine[q] = True
        if fine.any():
            u = np.zeros((int(fine.sum()), n, n_lc))
            if self.prescribed is not None:
                u += self.prescribed[None, :, None]
            u[:, free] = s[fine][:, :, None] * uf[fine]
            u = u.transpose(0, 2, 1).reshape(-1, n_lc, self.n_nodes, self.dim)
            gi = idx[fine]
            disp[gi] = u
            forces[gi] = self.member_forces(u, areas[gi])
        return BatchSolution(disp, forces, failures)

    def solve(self, areas: np.ndarray) -> BatchSolution:
        """Analyse P designs (P x M areas), never raising for a degenerate one: the dense
        batched path for small systems, one sparse factorisation per design for large ones
        (a dense stack of P large matrices would not fit in memory)."""
        areas = np.atleast_2d(np.asarray(areas, dtype=float))
        if int((~self.fixed).sum()) <= DENSE_MAX_DOFS:
            return self.solve_many(areas)
        n_lc = self.loads.shape[1]
        disp = np.zeros((len(areas), n_lc, self.n_nodes, self.dim))
        forces = np.zeros((len(areas), n_lc, areas.shape[1]))
        failures: list[TrussError | None] = [None] * len(areas)
        for p, a in enumerate(areas):
            try:
                disp[p], forces[p] = self.solve_sparse(a)
            except TrussError as exc:
                failures[p] = exc
        return BatchSolution(disp, forces, failures)

    def member_forces(self, u: np.ndarray, areas: np.ndarray) -> np.ndarray:
        """Axial forces (tension +) for displacements (..., N, d) and areas (..., M)
        broadcast over load cases: N = E A / L * c . (u_j - u_i)."""
        t = self.truss
        du = u[..., t.members[:, 1], :] - u[..., t.members[:, 0], :]
        safe = np.where(self.zero_length, 1.0, self.lengths)
        k = t.E * areas / safe
        return np.einsum("...md,md->...m", du, self.cosines) * np.expand_dims(k, -2)

    # -- sparse path (one design) ------------------------------------------------------------
    def solve_sparse(self, areas: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Displacements (L x N x d) and forces (L x M) of one design; raises the
        :class:`TrussError` of a degenerate one."""
        areas = np.asarray(areas, dtype=float)
        err, reached = self.check(areas)
        if err is not None:
            raise err
        keep = np.flatnonzero(~self.fixed & np.repeat(reached, self.dim))
        n_lc = self.loads.shape[1]
        u = np.zeros((self.n_dofs, n_lc))
        if len(keep):
            active = areas > 0
            vals = (areas[active, None] * self.k_unit[active]).ravel()
            K = sp.csc_matrix((vals, (self.rows[active].ravel(), self.cols[active].ravel())),
                              shape=(self.n_dofs, self.n_dofs))[keep][:, keep]
            diag = K.diagonal()
            dmax = diag.max()
            zero = diag <= RCOND_TOL * dmax
            if zero.any():
                raise self._mechanism(np.eye(len(keep))[:, zero], keep)
            s = 1.0 / np.sqrt(diag)
            S = sp.diags(s)
            Ks = (S @ K @ S).tocsc()
            try:
                # COLAMD: MMD_AT_PLUS_A filled a 15,000-dof double-layer grid's factors with 40 M
                # entries (30 s); COLAMD 3.6 M (0.3 s), and no worse on ground structures
                lu = spla.splu(Ks, permc_spec="COLAMD")
            except RuntimeError:  # exactly singular
                raise self._modes_of(Ks, keep) from None
            inv = spla.LinearOperator(Ks.shape, matvec=lu.solve, rmatvec=lambda v: lu.solve(v, trans="T"),
                                      dtype=float)
            rcond = 1.0 / (spla.onenormest(Ks) * spla.onenormest(inv)) if len(keep) > 1 else 1.0
            if not np.isfinite(rcond) or rcond <= RCOND_TOL:
                raise self._modes_of(Ks, keep, lu, rcond if np.isfinite(rcond) else None)
            rhs = self.load_vectors(areas[None])[0]
            if self.prescribed is not None:
                rhs = rhs - self.prescribed_forces(areas[None])[0][:, None]
            u[keep] = s[:, None] * lu.solve(s[:, None] * rhs[keep])
        if self.prescribed is not None:
            u[self.fixed] = self.prescribed[self.fixed][:, None]
        disp = u.T.reshape(n_lc, self.n_nodes, self.dim)
        return disp, self.member_forces(disp, areas)

    def _modes_of(self, Ks: sp.csc_matrix, keep: np.ndarray, lu=None, rcond: float | None = None) -> UnstableTrussError:
        """Free modes of a singular scaled matrix: dense eigen-analysis when affordable,
        else one mode by inverse iteration on the (near-singular) factorisation."""
        if len(keep) <= 3000:
            w, V = np.linalg.eigh(Ks.toarray())
            sel = w <= max(RCOND_TOL * w[-1], 1e-14)
            if not sel.any():
                sel = w <= w[0]
            return self._mechanism(V[:, sel], keep, max(w[0], 0.0) / w[-1] if rcond is not None else None)
        v = np.cos(0.7 * np.arange(len(keep)) + 0.3)  # a fixed, deterministic start vector
        if lu is not None:
            for _ in range(3):
                v = lu.solve(v)
                v /= np.linalg.norm(v)
        return self._mechanism(v[:, None], keep, rcond)

    def load_vectors(self, areas: np.ndarray) -> np.ndarray:
        """Nodal loads (P x n_dofs x L) of P designs: the load cases plus, when the truss
        has ``self_weight``, each design's own weight (it acts in every load case)."""
        areas = np.atleast_2d(np.asarray(areas, dtype=float))
        F = np.broadcast_to(self.loads, (len(areas), *self.loads.shape)).copy()
        if self.self_weight is not None:
            F += np.asarray(self.self_weight @ areas.T).T[:, :, None]  # row by row: batch-independent
        return F

    def prescribed_forces(self, areas: np.ndarray) -> np.ndarray:
        """K u_s (P x n_dofs): the nodal forces that the prescribed support displacements
        u_s alone (free dofs held at zero) need, from the member forces they cause."""
        areas = np.atleast_2d(np.asarray(areas, dtype=float))
        assert self.prescribed is not None
        u_s = self.prescribed.reshape(self.n_nodes, self.dim)
        N = self.member_forces(u_s[None], areas)[:, 0]  # P x M
        out = np.zeros((len(areas), self.n_nodes, self.dim))
        pull = N[:, :, None] * self.cosines[None]
        np.add.at(out, (slice(None), self.truss.members[:, 0]), -pull)
        np.add.at(out, (slice(None), self.truss.members[:, 1]), pull)
        return out.reshape(len(areas), -1)

    def reactions(self, disp: np.ndarray, forces: np.ndarray, loads: np.ndarray | None = None) -> np.ndarray:
        """Reactions L x N x d from displacements and member forces: R = K u - F at the
        restrained dofs (zero at free dofs); ``loads`` (n_dofs x L) default to the load cases."""
        t = self.truss
        n_lc = disp.shape[0]
        internal = np.zeros((n_lc, self.n_nodes, self.dim))
        pull = forces[:, :, None] * self.cosines[None]
        np.add.at(internal, (slice(None), t.members[:, 0]), -pull)
        np.add.at(internal, (slice(None), t.members[:, 1]), pull)
        loads = (self.loads if loads is None else loads).T.reshape(n_lc, self.n_nodes, self.dim)
        return np.where(t.fixed[None], internal - loads, 0.0)

    def analysis(self, areas: np.ndarray, disp: np.ndarray, forces: np.ndarray) -> Analysis:
        """Package raw responses of one design as an :class:`Analysis`."""
        areas = np.asarray(areas, dtype=float)
        loads = self.load_vectors(areas[None])[0]
        react = self.reactions(disp, forces, loads)
        with np.errstate(divide="ignore", invalid="ignore"):
            stresses = np.where(areas > 0, forces / np.where(areas > 0, areas, 1.0), 0.0)
        cases = tuple(CaseResult(lc.name, disp[k], forces[k], stresses[k], react[k],
                                 float(loads[:, k] @ disp[k].ravel()))
                      for k, lc in enumerate(self.truss.load_cases))
        return Analysis(self.truss, areas, cases)


#: A Cholesky pivot of the scaled matrix below this sends the design to eigen-analysis.
PIVOT_TOL = 1e-9


def _cholesky_ok(Ks: np.ndarray) -> np.ndarray:
    """Per matrix of the stack: Cholesky succeeds with every pivot > PIVOT_TOL (the
    diagonal is 1 after scaling, so pivots are relative)."""
    try:
        L = np.linalg.cholesky(Ks)
        ok = np.ones(len(Ks), bool)
    except np.linalg.LinAlgError:
        L = np.zeros_like(Ks)
        ok = np.zeros(len(Ks), bool)
        for q in range(len(Ks)):
            try:
                L[q] = np.linalg.cholesky(Ks[q])
                ok[q] = True
            except np.linalg.LinAlgError:
                pass
    pivots = np.diagonal(L, axis1=1, axis2=2) ** 2
    return ok & (pivots.min(axis=1) > PIVOT_TOL)


def analyze(truss: Truss, areas: Sequence[float] | np.ndarray, model: StiffnessModel | None = None) -> Analysis:
    """Analyse ``truss`` with member ``areas`` (per member or per group) for every load
    case. Raises :class:`TrussError` / :class:`UnstableTrussError` for a degenerate truss."""
    areas = truss.member_areas(areas)
    model = model or StiffnessModel(truss)
    n_free = int((~model.fixed).sum())
    with np.errstate(all="ignore"):  # overflow is reported below as one error, not as warnings
        try:
            if n_free <= DENSE_MAX_DOFS:
                sol = model.solve_many(areas[None])
                if sol.failures[0] is not None:
                    raise sol.failures[0]
                disp, forces = sol.displacements[0], sol.forces[0]
            else:
                disp, forces = model.solve_sparse(areas)
        except np.linalg.LinAlgError as exc:  # inf or NaN in the stiffness matrix
            raise TrussError(f"{NOT_FINITE} ({exc})") from None
        if not (np.isfinite(disp).all() and np.isfinite(forces).all()):
            raise TrussError(NOT_FINITE)
        return model.analysis(areas, disp, forces)


#: A single analysis whose numbers left double precision (areas such as 1e308 or 1e-320).
NOT_FINITE = ("the analysis is not finite: stiffnesses E*A/L, displacements or forces overflow double "
              "precision (check the areas, E and coordinates for absurdly large or small values)")


def _name(i: int, labels: Sequence[Any] | None) -> str:
    return f"{i}" if labels is None else f"{i} (label {labels[i]})"


def _names(idx: np.ndarray, labels: Sequence[Any] | None) -> str:
    shown = ", ".join(_name(int(i), labels) for i in idx[:8])
    return shown + (f" and {len(idx) - 8} more" if len(idx) > 8 else "")
