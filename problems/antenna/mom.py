"""Thin-wire EFIE method of moments: mixed-potential Galerkin with triangle basis functions.

Physics (time dependence ``exp(+j w t)``, SI units). The wires are tubes of radius ``a``
carrying a current uniform around the circumference. A free end is closed by default by a
flat cap that carries the end's charge (solid wires, ``Antenna.end_caps``; the cap terms
are :func:`kernels.cap_fill`); with ``end_caps=False`` it is an open tube end where the
current vanishes. The scattered field is ``E = -j w A - grad Phi`` with the
kernel ``G = exp(-j k R) / R``. Between two segments of one straight tube the *exact*
kernel is used, current and field both on the surface: ``G`` averaged over the angle
``phi`` between them, ``R^2 = z^2 + 4 a^2 sin^2(phi / 2)``, logarithmically singular at
``z = 0`` (its ``ln`` term is extracted and integrated analytically, see
:func:`kernels.exact_static_moments`). It stays accurate for segments down to half a
radius and for thick wires, where the *reduced* kernel ``R = sqrt(|r - r'|^2 + a^2)``
(current on the axis, field on the surface, as NEC-2's thin-wire kernel) is not: the two
agree to ``O(a^2 / dz^2)`` for smooth currents but not where the current changes over a
few radii (feed gaps, free ends; segments of 10 radii: 2% on a self term). All other
pairs (bends, junctions, separate wires, images off the axis) use the reduced kernel
with ``a^2 = (a_p^2 + a_q^2) / 2``. Testing ``E_s + E_i = 0`` on the wires with the
basis functions themselves (Galerkin) gives the complex symmetric system ``Z I = V``::

    Z_mn = j w mu / (4 pi) * [ int int f_m . f_n G  -  (1 / k^2) int int div f_m div f_n G ]

Integration. For every pair of segments ``(p, q)`` the four moments
``A_ts = Lp Lq int int Lambda_t(u) Lambda_s(v) G du dv`` are computed; every entry of ``Z``
is a signed sum of them. Far pairs use a ``Q``-point Gauss rule on both segments. Near
pairs (centre distance below ``near * (Lp + Lq)`` or 12 radii) are replaced by a
singularity-extracted rule: the static part ``1 / R`` is integrated analytically over the
source segment (a log and square roots, for both linear weights) and by a 16-point Gauss
rule over the test segment (collinear pairs: the same for each ``b = 2 a sin(phi / 2)``
of an 8-point ``phi`` rule, 8 points along the test segment); the smooth rest
``(exp(-j k R) - 1) / R`` by a 4 x 4 Gauss rule (evaluated as the 4 x 4 rule of
``exp(-j k R) / R`` plus the frequency-independent difference between the exact static
integral and the 4 x 4 rule of ``1 / R``: the same sum, regrouped).
The static integrals and all distances are frequency independent: a :class:`MomOperator`
computes them once and a sweep only evaluates the cosines and sines. The moments are
symmetric (``A_ts(p, q) = A_st(q, p)``), so only pairs ``q >= p`` are integrated, the
near pairs' static parts as the mean of both test/source orders; the loops are compiled
with numba (:mod:`gadesign_problems.antenna.kernels`).

PEC ground plane ``z = 0``: a current ``J`` at ``r'`` has the image ``-M J`` at ``M r'``,
``M = diag(1, 1, -1)``, with charge ``-rho``; hence the image interaction is
``-Z(p, M q)``, computed with the same rules on the mirrored source segments.

Feeds and loads: NEC's EX card drives a *segment* (its applied field ``V / L`` over the
segment, current sampled at the centre) while triangle functions live on nodes. We map
it to the same thing: a uniform field ``V / L_p`` along segment ``p`` tested with the
basis functions gives ``V_m = V * e_m`` with ``e_m = sigma / 2`` for each of the (two)
triangle functions overlapping the segment, and the segment's centre current is
``e^T I``: a gap as wide as the segment, centred where NEC centres it, so a centre-fed
odd-segment dipole is fed at its middle. The port admittance matrix is
``Y = E^T Z^-1 E`` (other ports shorted). A lumped impedance ``Z_L`` on segment ``p``
adds ``Z_L e e^T`` to ``Z``; a distributed one ``z'`` (ohm/m) adds ``z' int f_m . f_n``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import TYPE_CHECKING

import numpy as np
from scipy.linalg.lapack import zgesv as _zgesv

from gadesign_problems.antenna import kernels
from gadesign_problems.antenna.mesh import MIRROR, Mesh
from gadesign_problems.antenna.units import C0, ETA0, MU0

if TYPE_CHECKING:  # pragma: no cover
    from gadesign_problems.antenna.solution import Solution


@lru_cache(maxsize=None)
def gauss01(n: int) -> tuple[np.ndarray, np.ndarray]:
    """Gauss-Legendre nodes and weights on [0, 1] (read-only; a pure function of ``n``)."""
    x, w = np.polynomial.legendre.leggauss(n)
    u, w = 0.5 * (x + 1.0), 0.5 * w
    u.flags.writeable = w.flags.writeable = False
    return u, w


@lru_cache(maxsize=None)
def pair_weights(n: int) -> np.ndarray:
    """(n*n, 5) weights of the double rule on an ``n x n`` Gauss grid (row ``i n + j``,
    ``u_i`` on the test and ``v_j`` on the source segment): columns ``2 t + s`` give
    ``int int Lambda_t(u) Lambda_s(v) g``, column 4 ``int int g`` (read-only)."""
    u, w = gauss01(n)
    lam = np.stack([w * (1.0 - u), w * u, w], axis=1)                   # (n, 3)
    kr = lam[:, None, :, None] * lam[None, :, None, :]                   # (i, j, t, s)
    out = np.concatenate([kr[:, :, :2, :2].reshape(n * n, 4), kr[:, :, 2, 2].reshape(n * n, 1)], axis=1)
    out.flags.writeable = False
    return out


@dataclass(frozen=True, eq=False)
class MomOperator:
    """The frequency-independent part of the MoM system of a :class:`Mesh`.

    ``q`` is the Gauss order on far pairs, ``near`` the near-pair distance factor,
    ``n_static`` the Gauss order over the test segment of the analytic static integral
    and ``n_smooth`` the order of the smooth near-pair rule; pairs whose centres are
    within ``near_radii`` wire radii are near too, and near pairs on one straight tube
    take the exact kernel's static moments (``n_phi`` points around the tube, ``n_exact``
    along the test segment; ``exact=False``: the reduced kernel everywhere, as before
    issue 14, kept for comparisons). The tables (all
    quadrature-point distances and the near pairs' static moments) are computed once;
    :meth:`matrix` then costs the kernel's cosines and sines and the assembly, both in
    compiled loops over the pairs ``q >= p`` (:mod:`gadesign_problems.antenna.kernels`).
    """

    mesh: Mesh
    q: int = 2
    near: float = 1.1
    n_static: int = 16
    n_smooth: int = 4
    near_radii: float = 12.0
    n_phi: int = 8
    n_exact: int = 8
    exact: bool = True

    def prepare(self) -> "MomOperator":
        """Compute the frequency-independent tables now (else on the first solve)."""
        self._tables  # noqa: B018
        return self

    @cached_property
    def _tables(self) -> dict[str, np.ndarray]:
        """Segment geometry, the pair tables of :func:`kernels.pair_tables` and the
        basis functions' parts (halves) grouped by segment for :func:`kernels.fill`."""
        kernels.note_first_compile()
        m = self.mesh
        a0 = np.ascontiguousarray(m.start)
        uo, wo = gauss01(self.n_static)
        L, t, near_row, r, static = kernels.pair_tables(
            a0, m.end - a0, m.radius, 2 if m.ground else 1, float(self.near), gauss01(self.q)[0], uo, wo,
            gauss01(self.n_smooth)[0], pair_weights(self.n_smooth), float(self.near_radii) if self.exact else 0.0,
            *gauss01(self.n_phi), *gauss01(self.n_exact))
        H = len(m.half_seg)
        basis = np.repeat(np.arange(m.n_basis), 2)
        half = m.basis_halves.reshape(-1)
        basis, half = basis[half < H], half[half < H]
        order = np.argsort(m.half_seg[half], kind="stable")
        basis, half = basis[order], half[order]
        caps = self._caps(a0, L, t)
        return {**caps, "N": len(L), "G": 2 if m.ground else 1, "L": L, "t": t, "near_row": near_row, "r": r,
                "r_max": float(r.max(initial=0.0)), "static": static, "far_w": pair_weights(self.q),
                "near_w": pair_weights(self.n_smooth),
                "seg_ptr": np.searchsorted(m.half_seg[half], np.arange(len(L) + 1)), "part_basis": basis,
                "part_type": m.half_type[half], "part_sigma": m.half_sigma[half]}

    def _caps(self, a0: np.ndarray, L: np.ndarray, t: np.ndarray) -> dict[str, np.ndarray]:
        """End caps (:attr:`Mesh.cap_basis`): centres, outward normals, radii, charge signs
        and the static cap-segment table of :func:`kernels.cap_tables`."""
        m = self.mesh
        h = m.basis_halves[m.cap_basis, 0]
        seg, typ = m.half_seg[h], m.half_type[h]
        centre = np.where(typ[:, None] == 1, m.end[seg], m.start[seg])
        normal = np.where(typ[:, None] == 1, 1.0, -1.0) * t[seg]
        G = 2 if m.ground else 1
        if len(h):
            near, static = kernels.cap_tables(np.ascontiguousarray(centre), np.ascontiguousarray(normal),
                                              m.radius[seg], a0, m.end - a0, m.radius, G, float(self.near_radii),
                                              *gauss01(16), *gauss01(16), *gauss01(8), *gauss01(8))
        else:
            near, static = np.zeros((G, 0, len(L)), bool), np.zeros((G, 0, len(L)))
        return {"cap_m": np.asarray(m.cap_basis, np.int64), "cap_c": np.ascontiguousarray(centre),
                "cap_del": -m.half_sigma[h] * (2 * typ - 1), "cap_a": m.radius[seg], "cap_near": near,
                "cap_static": static}

    def static_pair(self, p: int, q: int, image: bool = False) -> np.ndarray:
        """(2, 2) static moments ``[t, s]`` (``int int Lambda_t(u) Lambda_s(v) / R du dv``)
        of segment ``p`` tested against segment ``q`` (or its image) alone, before the
        mean of both orders: a check of the rule's reciprocity."""
        m = self.mesh
        mirror = MIRROR if image else np.ones(3)
        d = m.end - m.start
        L = np.sqrt(np.einsum("ij,ij->i", d, d))
        t = d / L[:, None]
        a2 = 0.5 * (m.radius[p] ** 2 + m.radius[q] ** 2)
        out = np.empty(5)
        kernels.static_moments(m.start[p] - m.start[q] * mirror, t[p], t[q] * mirror, L[p], L[q], a2,
                               *gauss01(self.n_static), out)
        return out[:4].reshape(2, 2)

    def raw_moments(self, k: float) -> np.ndarray:
        """(2, G, N, 2, 2, N) raw moments ``[cos/sin part, g, p, t, s, q]`` at ``k``:
        ``A_ts(p, q) = Lp Lq (C - j S)``, ``g = 1`` the image of ``q``."""
        tb = self._tables
        return kernels.raw_moments(float(k), tb["N"], tb["G"], tb["near_row"], tb["r"], tb["r_max"], tb["static"],
                                   tb["far_w"], tb["near_w"])

    def matrix(self, k: float) -> np.ndarray:
        """The (M, M) complex symmetric impedance matrix at wavenumber ``k`` (rad/m)."""
        tb = self._tables
        z = kernels.fill(float(k), tb["near_row"], tb["r"], tb["r_max"], tb["static"], tb["far_w"],
                         tb["near_w"], tb["L"], tb["t"], tb["G"], tb["seg_ptr"], tb["part_basis"],
                         tb["part_type"], tb["part_sigma"], self.mesh.n_basis, ETA0)
        if len(tb["cap_m"]):
            m = self.mesh
            kernels.cap_fill(float(k), z, tb["cap_m"], tb["cap_c"], tb["cap_del"], tb["cap_a"], tb["cap_near"],
                             tb["cap_static"], np.ascontiguousarray(m.start), m.end - m.start, m.radius, tb["G"],
                             tb["seg_ptr"], tb["part_basis"], tb["part_type"], tb["part_sigma"],
                             *gauss01(4), ETA0)
        return z


# ---- solving ------------------------------------------------------------------------------
def _internal_impedance(f: np.ndarray, radius: np.ndarray, sigma: np.ndarray) -> np.ndarray:
    """(F, N) internal impedance per unit length (ohm/m) of round wires of conductivity
    ``sigma``: ``gamma / (2 pi a sigma) I0(gamma a) / I1(gamma a)``, ``gamma = sqrt(j w mu sigma)``
    (DC resistance at low frequency, the skin-effect formula at high)."""
    from scipy.special import ive

    g = np.sqrt(1j * 2.0 * np.pi * f[:, None] * MU0 * sigma[None, :])
    x = g * radius[None, :]
    return g / (2.0 * np.pi * radius[None, :] * sigma[None, :]) * ive(0, x) / ive(1, x)


@dataclass(frozen=True, eq=False)
class LoadPlan:
    """Loads mapped onto the basis: lumped ones as columns of port weights, distributed
    (wire conductivity) ones through the mass matrix."""

    lumped_w: np.ndarray          # (M, K) weights of each loaded user segment
    lumped_load: np.ndarray       # (K,) index of the Load for each column
    dist_seg: np.ndarray          # (E,) sub-segment of each mass-matrix entry
    dist_mn: tuple[np.ndarray, np.ndarray]
    dist_val: np.ndarray          # (E,) mass-matrix value (m)
    sigma: np.ndarray             # (N,) conductivity per sub-segment (0: perfect)

    @classmethod
    def build(cls, antenna, mesh: Mesh) -> "LoadPlan":
        segs, which = [], []
        sigma_user = np.zeros(mesh.n_user)
        for i, ld in enumerate(antenna.loads):
            idx = antenna.tag_segments(ld.tag, ld.first, ld.last)
            if ld.kind == "conductivity":
                sigma_user[idx] = ld.sigma
            else:
                segs.extend(idx.tolist())
                which.extend([i] * len(idx))
        w = mesh.port_weights(np.array(segs, np.intp)) if segs else np.zeros((mesh.n_basis, 0))
        sigma = sigma_user[mesh.parent]
        if sigma.any():
            m, n, seg, val = mesh.gram_weights()
            keep = sigma[seg] > 0
            m, n, seg, val = m[keep], n[keep], seg[keep], val[keep]
        else:
            m = n = seg = np.zeros(0, np.intp)
            val = np.zeros(0)
        return cls(w, np.array(which, np.intp), seg, (m, n), val, sigma)

    def matrices(self, antenna, f: np.ndarray) -> list[np.ndarray | None]:
        """Per frequency the (M, M) load matrix, or None when there is no load."""
        M = self.lumped_w.shape[0]
        if self.lumped_w.shape[1] == 0 and len(self.dist_val) == 0:
            return [None] * len(f)
        zl = np.stack([antenna.loads[i].lumped_impedance(f) for i in self.lumped_load], axis=1) \
            if len(self.lumped_load) else np.zeros((len(f), 0))
        zi = _internal_impedance(f, antenna.mesh.radius, np.where(self.sigma > 0, self.sigma, 1.0)) \
            if len(self.dist_val) else None
        out = []
        for i in range(len(f)):
            z = (self.lumped_w * zl[i]) @ self.lumped_w.T + 0j
            if zi is not None:
                np.add.at(z, self.dist_mn, zi[i, self.dist_seg] * self.dist_val)
            out.append(z if z.shape == (M, M) else None)
        return out


def solve(antenna, f: np.ndarray) -> "Solution":
    """Solve the antenna at frequencies ``f`` (Hz): one fill and one LU per frequency,
    the geometry (distances, static integrals, assembly plan) shared by all."""
    from gadesign_problems.antenna.solution import Solution

    mesh, op = antenna.mesh, antenna.operator
    src = np.array([antenna.segment_index(s.tag, s.segment) for s in antenna.sources], np.intp)
    E = mesh.port_weights(src)                                              # (M, S)
    v = np.array([complex(s.voltage) for s in antenna.sources])
    loads = LoadPlan.build(antenna, mesh) if antenna.loads else None
    zload = loads.matrices(antenna, f) if loads else [None] * len(f)
    F, M, S = len(f), mesh.n_basis, len(src)
    coeff = np.empty((F, M), complex)
    Y = np.empty((F, S, S), complex)
    ploss = np.zeros(F)
    for i, fi in enumerate(f):
        z = op.matrix(2.0 * np.pi * fi / C0)
        if zload[i] is not None:
            z += zload[i]
        # Z is symmetric, so z.T is its Fortran-ordered self: LU in place, no copy
        lu, piv, x, info = _zgesv(z.T, E, overwrite_a=1)                       # Z^-1 E, (M, S)
        if info != 0:
            raise np.linalg.LinAlgError(f"singular MoM matrix at {fi:.6g} Hz")
        Y[i] = E.T @ x
        coeff[i] = x @ v
        if zload[i] is not None:
            ploss[i] = 0.5 * np.real(np.conj(coeff[i]) @ (zload[i] @ coeff[i]))
    return Solution(antenna=antenna, frequencies=np.asarray(f, float), coefficients=coeff,
                    admittance=Y, voltages=v, loss_power=ploss)
