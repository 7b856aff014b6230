"""Thin-wire EFIE method of moments: mixed-potential Galerkin with triangle basis functions.

Physics (time dependence ``exp(+j w t)``, SI units). The scattered field of a current
``J`` on wire axes is ``E = -j w A - grad Phi`` with the *reduced* thin-wire kernel
``G = exp(-j k R) / R``, ``R = sqrt(|r - r'|^2 + a^2)`` (current on the axis, field on the
surface, as NEC-2's thin-wire kernel). Testing ``E_s + E_i = 0`` on the wires with the
basis functions themselves (Galerkin) gives the complex symmetric system ``Z I = V``::

    Z_mn = j w mu / (4 pi) * [ int int f_m . f_n G  -  (1 / k^2) int int div f_m div f_n G ]

Integration. For every pair of segments ``(p, q)`` the four moments
``A_ts = Lp Lq int int Lambda_t(u) Lambda_s(v) G du dv`` are computed; every entry of ``Z``
is a signed sum of them. Far pairs use a ``Q``-point Gauss rule on both segments (one
vectorised kernel evaluation on all quadrature-point pairs). Near pairs (centre distance
below ``near * (Lp + Lq)``) are replaced by a singularity-extracted rule: the static part
``1 / R`` is integrated analytically over the source segment (``asinh`` and square-root
closed forms, for both linear weights) and by a 16-point Gauss rule over the test
segment; the smooth rest ``(exp(-j k R) - 1) / R`` by a 4 x 4 Gauss rule.
The static integrals and all distances are frequency independent: a :class:`MomOperator`
computes them once and a sweep only evaluates the exponentials.

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
from functools import cached_property

import numpy as np
import scipy.linalg

from problems.antenna.mesh import MIRROR, Mesh

C0 = 299_792_458.0                 #: speed of light (m/s)
MU0 = 4e-7 * np.pi                 #: vacuum permeability (H/m), NEC-2's value
EPS0 = 1.0 / (MU0 * C0 * C0)       #: vacuum permittivity (F/m)
ETA0 = MU0 * C0                    #: free-space wave impedance (ohm)

_GL_CACHE: dict[int, tuple[np.ndarray, np.ndarray]] = {}


def gauss01(n: int) -> tuple[np.ndarray, np.ndarray]:
    """Gauss-Legendre nodes and weights on [0, 1] (cached: pure function of ``n``)."""
    if n not in _GL_CACHE:
        x, w = np.polynomial.legendre.leggauss(n)
        _GL_CACHE[n] = (0.5 * (x + 1.0), 0.5 * w)
    return _GL_CACHE[n]


def _shape_weights(n: int) -> tuple[np.ndarray, np.ndarray]:
    """Nodes ``u`` and (n, 2) weights ``w * Lambda_t(u)`` for t = 0 (1-u), 1 (u)."""
    u, w = gauss01(n)
    return u, np.stack([w * (1.0 - u), w * u], axis=1)


def _static_inner(obs: np.ndarray, a0: np.ndarray, t: np.ndarray, L: np.ndarray,
                  a2: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``int_0^L ds / R`` and ``int_0^L (s / L) ds / R`` from observation points ``obs``
    (..., 3) to the segments starting at ``a0`` with tangent ``t`` and length ``L``
    (broadcast), ``R = sqrt(|obs - r(s)|^2 + a2)``."""
    d = obs - a0
    z = np.einsum("...k,...k->...", d, t)
    rho2 = np.einsum("...k,...k->...", d, d) - z * z + a2     # near pairs: no cancellation
    rho = np.sqrt(rho2)
    zl = L - z
    i0 = np.arcsinh(zl / rho) + np.arcsinh(z / rho)
    i1 = np.sqrt(zl * zl + rho2) - np.sqrt(z * z + rho2) + z * i0
    return i0, i1 / L


@dataclass(frozen=True, eq=False)
class MomOperator:
    """The frequency-independent part of the MoM system of a :class:`Mesh`.

    ``q`` is the Gauss order on far pairs, ``near`` the near-pair distance factor.
    :meth:`matrix` then builds ``Z(k)`` at the cost of the kernel's cosines and sines,
    two small matrix products and one gather. Internally moments are kept *raw*
    (without the ``Lp Lq`` factor) as two real arrays, ``cos`` and ``sin`` parts:
    ``A = Lp Lq (Ac - j As)``, laid out ``[part, g, p, t, q, s]`` with ``g = 1`` the
    mirrored sources of a ground plane.
    """

    mesh: Mesh
    q: int = 2
    near: float = 1.1
    n_static: int = 16
    n_smooth: int = 4

    # ---- geometry, computed once --------------------------------------------------------
    @cached_property
    def _geometry(self) -> tuple[np.ndarray, ...]:
        m = self.mesh
        L = m.length
        return m.start, (m.end - m.start) / L[:, None], L, m.radius

    @cached_property
    def _far(self) -> dict[str, np.ndarray]:
        """Distances of the far rule on all quadrature-point pairs (and images)."""
        from scipy.spatial.distance import cdist

        a0, t, L, rad = self._geometry
        N, Q = len(L), self.q
        u, W = _shape_weights(Q)
        pts = (a0[:, None, :] + u[None, :, None] * (L[:, None] * t)[:, None, :]).reshape(N * Q, 3)
        srcs = [pts, pts * MIRROR] if self.mesh.ground else [pts]
        d2 = np.stack([cdist(pts, src, "sqeuclidean") for src in srcs])
        if np.ptp(rad) == 0.0:
            d2 += rad[0] ** 2
        else:
            a2 = np.repeat(rad * rad, Q)
            d2 += 0.5 * (a2[:, None] + a2[None, :])
        r = np.sqrt(d2)
        return {"r": r, "ir": 1.0 / r, "W": W, "WT": np.ascontiguousarray(W.T)}

    @cached_property
    def _near(self) -> dict[str, np.ndarray]:
        """Near pairs with their raw static moments and smooth-rule distances."""
        from scipy.spatial.distance import cdist

        a0, t, L, rad = self._geometry
        c = a0 + 0.5 * L[:, None] * t
        lim = self.near * (L[:, None] + L[None, :])
        srcs = [c, c * MIRROR] if self.mesh.ground else [c]
        g, p, q = np.nonzero(np.stack([cdist(c, s) for s in srcs]) < lim)
        sgn = np.where(g[:, None] == 1, MIRROR, 1.0)                         # (K, 3)
        qa0 = a0[q] * sgn
        qt = t[q] * sgn
        a2 = 0.5 * (rad[p] ** 2 + rad[q] ** 2)
        Lq = L[q][:, None]
        dp = (L[p][:, None] * t[p])[:, None, :]
        # static part: analytic inner integral, Gauss outer; raw = int int / (Lp Lq)
        uo, Wo = _shape_weights(self.n_static)
        obs = a0[p][:, None, :] + uo[None, :, None] * dp
        i0, i1 = _static_inner(obs, qa0[:, None, :], qt[:, None, :], Lq, a2[:, None])
        i0 -= i1
        static = np.stack([i0 @ Wo, i1 @ Wo], axis=-1) / Lq[:, :, None]      # (K, t, s)
        # smooth part: distances on an n x n Gauss grid
        us, Ws = _shape_weights(self.n_smooth)
        po = a0[p][:, None, :] + us[None, :, None] * dp
        pi = qa0[:, None, :] + us[None, :, None] * (Lq * qt)[:, None, :]
        diff = po[:, :, None, :] - pi[:, None, :, :]
        r = np.sqrt(np.einsum("kijx,kijx->kij", diff, diff) + a2[:, None, None])
        return {"g": g, "p": p, "q": q, "static": static, "r": r, "ir": 1.0 / r,
                "W": Ws, "WT": np.ascontiguousarray(Ws.T)}

    @cached_property
    def assembly(self) -> dict[str, np.ndarray]:
        """Plan to assemble ``Z`` from the (2N, 2N) half-interaction matrix ``Y``.

        A half on segment ``p`` with shape ``t`` is row ``2 p + t`` and column
        ``t N + p`` of ``Y``. Because ``delta = sigma (2 t - 1)`` for every half, each
        half-half term is ``sigma sigma' Y`` with
        ``Y = (t_p . t_q) Lp Lq A_ts - (2t - 1)(2s - 1) S / k^2`` (``S`` the raw charge
        sum), so ``Z = P^T Y P`` where ``P`` has at most two signed unit entries per
        column: two row gathers and two column gathers.
        """
        m = self.mesh
        _, t, L, _ = self._geometry
        N = m.n_segments
        ht = np.append(m.half_type, 0)
        hp = np.append(m.half_seg, 0)
        sg = np.append(m.half_sigma, 0.0)
        h1, h2 = m.basis_halves[:, 0], m.basis_halves[:, 1]
        dl = sg * (2 * ht - 1)
        jr, jc = 2 * hp + ht, ht * N + hp
        LL = (L[:, None] * L[None, :])[:, None, None, :]
        plan = {"r1": jr[h1], "r2": jr[h2], "c1": jc[h1], "c2": jc[h2], "s1": sg[h1], "s2": sg[h2],
                "p1": hp[h1], "p2": hp[h2], "d1": dl[h1], "d2": dl[h2],
                "TL": (t @ t.T)[:, None, None, :] * LL}
        if m.ground:
            plan["TLi"] = (t @ (t * MIRROR).T)[:, None, None, :] * LL
        return plan

    # ---- per frequency ------------------------------------------------------------------
    def raw_moments(self, k: float) -> np.ndarray:
        """(2, G, N, 2, 2, N) raw moments ``[cos/sin part, g, p, t, s, q]`` at ``k``."""
        far = self._far
        N, Q = self.mesh.n_segments, self.q
        G = far["r"].shape[0]
        kr = k * far["r"]
        cs = np.empty((2,) + kr.shape)
        np.cos(kr, out=cs[0])
        np.sin(kr, out=cs[1])
        cs *= far["ir"]
        x = np.matmul(far["WT"], cs.reshape(-1, N, Q).swapaxes(1, 2))        # [c,g,p,i,s,q]
        y = np.matmul(far["WT"], x.reshape(2 * G * N, Q, 2 * N))             # [c,g,p,t,(s,q)]
        y = y.reshape(2, G, N, 2, 2, N)
        nr = self._near
        kr = k * nr["r"]
        sm = np.stack([np.cos(kr) - 1.0, np.sin(kr)]) * nr["ir"]             # (2, K, n, n)
        an = nr["WT"] @ (sm @ nr["W"])                                       # (2, K, 2, 2)
        an[0] += nr["static"]
        y[:, nr["g"], nr["p"], :, :, nr["q"]] = an.transpose(1, 0, 2, 3)
        return y

    def matrix(self, k: float) -> np.ndarray:
        """The (M, M) complex symmetric impedance matrix at wavenumber ``k`` (rad/m)."""
        y = self.raw_moments(k)
        plan = self.assembly
        s = y[:, :, :, 0, 0] + y[:, :, :, 0, 1] + y[:, :, :, 1, 0] + y[:, :, :, 1, 1]
        v = plan["TL"] * y[:, 0]
        if self.mesh.ground:
            v -= plan["TLi"] * y[:, 1]
            s[:, 0] -= s[:, 1]
        n2 = 2 * self.mesh.n_segments
        v = v.reshape(2, n2, n2)
        s = s[:, 0] * (1.0 / (k * k))
        r = v[:, plan["r1"]] * plan["s1"][:, None] + v[:, plan["r2"]] * plan["s2"][:, None]
        zz = r[:, :, plan["c1"]] * plan["s1"] + r[:, :, plan["c2"]] * plan["s2"]
        r = s[:, plan["p1"]] * plan["d1"][:, None] + s[:, plan["p2"]] * plan["d2"][:, None]
        zz -= r[:, :, plan["p1"]] * plan["d1"] + r[:, :, plan["p2"]] * plan["d2"]
        z = np.empty(zz.shape[1:], complex)
        # Z = j c (C - j S) = c S + j c C with C, S the cos and sin parts, c = w mu / 4pi
        z.real = zz[1]
        z.imag = zz[0]
        z *= 0.5 * k * ETA0 / (4.0 * np.pi)
        return z + z.T


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
    from problems.antenna.solution import Solution

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
        x = np.linalg.solve(z, E)                                           # Z^-1 E, (M, S)
        Y[i] = E.T @ x
        coeff[i] = x @ v
        if zload[i] is not None:
            ploss[i] = 0.5 * np.real(np.conj(coeff[i]) @ (zload[i] @ coeff[i]))
    return Solution(antenna=antenna, frequencies=np.asarray(f, float), coefficients=coeff,
                    admittance=Y, voltages=v, loss_power=ploss)
