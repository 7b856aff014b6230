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
segment; the smooth rest ``(exp(-j k R) - 1) / R`` by a 4 x 4 Gauss rule (evaluated as
the 4 x 4 rule of ``exp(-j k R) / R`` plus the frequency-independent difference between
the exact static integral and the 4 x 4 rule of ``1 / R``: the same sum, regrouped).
The static integrals and all distances are frequency independent: a :class:`MomOperator`
computes them once and a sweep only evaluates the cosines and sines.

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

import threading
import weakref
from typing import TYPE_CHECKING
from dataclasses import dataclass
from functools import cached_property

import numpy as np
from scipy.linalg.lapack import zgesv as _zgesv

from problems.antenna.mesh import MIRROR, Mesh

if TYPE_CHECKING:  # pragma: no cover
    from problems.antenna.solution import Solution

C0 = 299_792_458.0                 #: speed of light (m/s)
MU0 = 4e-7 * np.pi                 #: vacuum permeability (H/m), NEC-2's value
EPS0 = 1.0 / (MU0 * C0 * C0)       #: vacuum permittivity (F/m)
ETA0 = MU0 * C0                    #: free-space wave impedance (ohm)

_GL_CACHE: dict[int, tuple[np.ndarray, np.ndarray]] = {}
_POOL_MIN = 4096                   #: arrays smaller than this (float64 items) are not pooled


class _Pool:
    """Recycled float64 work buffers.

    The fill touches a few arrays of ``O(N^2)`` doubles per frequency; fresh ones come
    from ``mmap`` and cost a page fault per 4 KiB on first touch (about 3 us each on the
    benchmark machine, more than the arithmetic on them). Buffers are leased here and
    given back (per-frequency scratch at the end of :meth:`MomOperator.matrix`, an
    operator's tables when it is garbage collected), so a sweep or a search over many
    designs reuses the same pages. At most ``cap`` bytes are kept idle.
    """

    def __init__(self, cap: int = 256 << 20) -> None:
        self.cap = cap
        self.free: list[np.ndarray] = []
        self.lock = threading.Lock()

    def take(self, n: int) -> np.ndarray:
        """A flat float64 array of ``n`` items (contents undefined)."""
        if n < _POOL_MIN:
            return np.empty(n)
        with self.lock:
            best = -1
            for i, b in enumerate(self.free):
                if b.size >= n and (best < 0 or b.size < self.free[best].size):
                    best = i
            base = self.free.pop(best) if best >= 0 else None
        if base is None or base.size > 2 * n + _POOL_MIN:
            if base is not None:
                self.give([base])
            base = np.empty(n)
        return base[:n]

    def give(self, arrays: list[np.ndarray]) -> None:
        """Return leased arrays (views are traced back to their pooled base)."""
        with self.lock:
            for a in arrays:
                base = a if a.base is None else a.base
                if base.size >= _POOL_MIN and base.dtype == np.float64 and base.ndim == 1:
                    self.free.append(base)
            total = sum(b.nbytes for b in self.free)
            while self.free and total > self.cap:
                total -= self.free.pop(0).nbytes


_POOL = _Pool()
_RULES: dict[tuple[int, int, int], dict[str, np.ndarray]] = {}


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


def _pair_weights(n: int) -> np.ndarray:
    """(n*n, 5) weights of the double rule on an ``n x n`` Gauss grid (row ``i n + j``):
    columns ``2 t + s`` give ``int int Lambda_t(u) Lambda_s(v) g``, column 4 ``int int g``."""
    u, w = gauss01(n)
    lam = np.stack([w * (1.0 - u), w * u, w], axis=1)                   # (n, 3)
    kr = lam[:, None, :, None] * lam[None, :, None, :]                   # (i, j, t, s)
    return np.concatenate([kr[:, :, :2, :2].reshape(n * n, 4), kr[:, :, 2, 2].reshape(n * n, 1)], axis=1)


def _rules(q: int, n_static: int, n_smooth: int) -> dict[str, np.ndarray]:
    """Quadrature tables shared by every operator with these orders (pure constants)."""
    key = (q, n_static, n_smooth)
    if key not in _RULES:
        uo, Wo = _shape_weights(n_static)
        us, _ = gauss01(n_smooth)
        ui, vj = np.repeat(us, n_smooth), np.tile(us, n_smooth)
        ones = np.ones(n_static)
        # rows: coefficients c0..c7 of the near-pair polynomial (see MomOperator._tables)
        basis = np.zeros((8, 3 * n_static + n_smooth * n_smooth))
        s1, s2, s3 = slice(0, n_static), slice(n_static, 2 * n_static), slice(2 * n_static, 3 * n_static)
        sm = slice(3 * n_static, None)
        basis[0, s1], basis[1, s1], basis[2, s1] = ones, uo, uo * uo          # |obs - a_q|^2 + a^2
        basis[6, s2], basis[7, s2] = ones, uo                                 # z = (obs - a_q) . t_q
        basis[0, s3], basis[1, s3], basis[2, s3] = ones, uo, uo * uo          # |obs - b_q|^2 + a^2 ...
        basis[3, s3], basis[4, s3], basis[5, s3] = 1.0, 1.0, uo               # ... (v = 1)
        basis[0, sm], basis[1, sm], basis[2, sm] = 1.0, ui, ui * ui           # smooth-grid R^2
        basis[3, sm], basis[4, sm], basis[5, sm] = vj, vj * vj, ui * vj
        _RULES[key] = {"far": np.ascontiguousarray(_pair_weights(q).T), "smooth": _pair_weights(n_smooth),
                       "outer": Wo, "basis": basis, "u": gauss01(q)[0]}
    return _RULES[key]


@dataclass(frozen=True, eq=False)
class MomOperator:
    """The frequency-independent part of the MoM system of a :class:`Mesh`.

    ``q`` is the Gauss order on far pairs, ``near`` the near-pair distance factor.
    :meth:`matrix` then builds ``Z(k)`` at the cost of the kernel's cosines and sines
    on all quadrature-point distances (far and near pairs in one array), two small
    matrix products, one scatter and one gather. Moments are kept *raw* (without the
    ``Lp Lq`` factor) as two real parts, ``cos`` and ``sin``: ``A = Lp Lq (Ac - j As)``,
    laid out ``[part, g, (t, s), p, q]`` (``g = 1``: mirrored sources of a ground plane)
    with a fifth ``(t, s)`` plane holding the unweighted charge integral ``sum_ts A_ts``.
    """

    mesh: Mesh
    q: int = 2
    near: float = 1.1
    n_static: int = 16
    n_smooth: int = 4

    def prepare(self) -> "MomOperator":
        """Compute the frequency-independent tables now (else on the first solve)."""
        self._tables  # noqa: B018
        return self

    @cached_property
    def _tables(self) -> dict[str, object]:
        """Distances of every quadrature-point pair, near-pair static moments, and the
        gather plan from moments to ``Z``.

        Far rule: the ``Q`` Gauss points of all segments, ordered ``(i, p)``; the
        distances are stored as ``[g, i, j, p, q]`` planes so that one matrix product
        with the Kronecker weights gives the five moment planes. Near pairs ``(p, q)``
        (centres closer than ``near * (Lp + Lq)``) use per-pair scalars
        ``e = a_p - a_q``, ``e.e``, ``e.t_p``, ``e.t_q``, ``t_p.t_q``: every squared
        distance the rule needs is a polynomial in the Gauss nodes with these
        coefficients, evaluated by one product with a constant basis table.
        """
        from scipy.spatial.distance import cdist

        m = self.mesh
        rule = _rules(self.q, self.n_static, self.n_smooth)
        a0, rad = m.start, m.radius
        d = m.end - a0
        L = np.sqrt(np.einsum("ij,ij->i", d, d))
        t = d / L[:, None]
        N, Q, G = len(L), self.q, 2 if m.ground else 1
        ns, no = self.n_smooth, self.n_static
        uniform = bool(np.ptp(rad) == 0.0)

        # ---- near pairs --------------------------------------------------------------
        c = a0 + 0.5 * d
        src_a = np.concatenate([a0, a0 * MIRROR]) if G == 2 else a0
        src_t = np.concatenate([t, t * MIRROR]) if G == 2 else t
        lim = self.near * (L[:, None] + L[None, :])
        cd = cdist(c, np.concatenate([c, c * MIRROR]) if G == 2 else c).reshape(N, G, N)
        p, g, q = np.nonzero(cd < lim[:, None, :])
        gq = g * N + q
        K = len(p)
        Lp, Lq = L[p], L[q]
        e = a0[p] - src_a[gq]
        tp, tq = t[p], src_t[gq]
        ee = np.einsum("kx,kx->k", e, e)
        etp = np.einsum("kx,kx->k", e, tp)
        etq = np.einsum("kx,kx->k", e, tq)
        tpq = np.einsum("kx,kx->k", tp, tq)
        a2 = rad[0] ** 2 if uniform else 0.5 * (rad[p] ** 2 + rad[q] ** 2)
        # obs(u) - r_q(v) = e + u Lp tp - v Lq tq: its squared norm (+ a^2) and z
        cf = np.empty((K, 8))
        cf[:, 0] = ee + a2
        cf[:, 1] = 2.0 * Lp * etp
        cf[:, 2] = Lp * Lp
        cf[:, 3] = -2.0 * Lq * etq
        cf[:, 4] = Lq * Lq
        cf[:, 5] = -2.0 * Lp * Lq * tpq
        cf[:, 6] = etq
        cf[:, 7] = Lp * tpq
        poly = cf @ rule["basis"]                                            # (K, 3 no + ns^2)
        # static part 1/R: analytic over q, Gauss (no points) over p
        ra2, z, rb2 = poly[:, :no], poly[:, no:2 * no], poly[:, 2 * no:3 * no]
        rho = np.sqrt(ra2 - z * z)                                           # near pairs: no cancellation
        zl = Lq[:, None] - z
        i0 = np.arcsinh(zl / rho) + np.arcsinh(z / rho)                     # int ds / R
        ra = np.sqrt(ra2)
        i1 = (np.sqrt(rb2) - ra + z * i0) / Lq[:, None]                     # int (s / Lq) ds / R
        Wo = rule["outer"]
        m0, m1 = i0 @ Wo, i1 @ Wo                                           # (K, t)
        static = np.empty((K, 5))
        static[:, 0:4:2] = m0 - m1                                           # (t, s=0)
        static[:, 1:4:2] = m1                                                # (t, s=1)
        static[:, 4] = m0[:, 0] + m0[:, 1]
        static /= Lq[:, None]

        # ---- all quadrature distances in one array: far grid, then near smooth grid ----
        u = rule["u"]
        pts = (a0[None, :, :] + u[:, None, None] * d[None, :, :]).reshape(Q * N, 3)   # (i, p)
        NN = N * N
        Tf = G * Q * Q * NN
        T = Tf + K * ns * ns
        lease = [_POOL.take(T), _POOL.take(T), _POOL.take(4 * G * NN), _POOL.take(4 * NN)]
        weakref.finalize(self, _POOL.give, lease)
        rr, ir = lease[0], lease[1]
        far = rr[:Tf].reshape(G, Q, Q, N, N)
        d2 = cdist(pts, np.concatenate([pts, pts * MIRROR]) if G == 2 else pts, "sqeuclidean")
        d2 = d2.reshape(Q, N, G, Q, N).transpose(2, 0, 3, 1, 4)
        if uniform:
            np.add(d2, rad[0] ** 2, out=far)
        else:
            r2 = rad * rad
            np.add(d2, 0.5 * (r2[:, None] + r2[None, :]), out=far)
        np.sqrt(far, out=far)
        near_r = rr[Tf:].reshape(K, ns * ns)
        np.sqrt(poly[:, 3 * no:], out=near_r)
        np.divide(1.0, rr, out=ir)
        # fold the 1/R part of the smooth rule into the static moments, so the near
        # pairs need only cos(kR)/R: static - Gauss(1/R) + Gauss(cos(kR)/R)
        static -= ir[Tf:].reshape(K, ns * ns) @ rule["smooth"]
        near_idx = (g[:, None] * 5 + np.arange(5)) * NN + (p * N + q)[:, None]        # into [g, 5, p, q]

        # ---- gather plan: Z = sum over the half pairs of each basis pair ---------------
        # Every segment end ("slot" (t, p)) carries at most one half, so the orientation
        # sigma and the charge sign delta = sigma (2t - 1) are per slot and are folded
        # into the weights; a ground half triangle's missing half points at a zero slot.
        ha, hb = m.basis_halves[:, 0], m.basis_halves[:, 1]
        H = len(m.half_seg)
        N1 = N + 1 if (hb == H).any() else N
        slot = np.append(m.half_type * N1 + m.half_seg, N)                   # dummy: (0, N)
        sig = np.zeros(2 * N1)
        sig[slot[:H]] = m.half_sigma
        sig = sig.reshape(2, N1)[:, :N]
        dlt = sig * np.array([[-1.0], [1.0]])
        TLs = lease[2].reshape(G, 2, 2, N, N)
        pat = sig[:, None, :, None] * sig[None, :, None, :]
        tt = t @ t.T
        LL = L[:, None] * L[None, :]
        np.multiply(pat, tt * LL, out=TLs[0])
        if G == 2:
            np.multiply(pat, (t @ (t * MIRROR).T) * LL, out=TLs[1])
        DD = lease[3].reshape(2, 2, N, N)
        np.multiply(dlt[:, None, :, None], dlt[None, :, None, :], out=DD)
        return {"G": G, "N": N, "N1": N1, "Tf": Tf, "r": rr, "ir": ir, "near_idx": near_idx,
                "static": static, "far_w": rule["far"], "near_w": rule["smooth"],
                "r1": slot[ha], "r2": slot[hb], "TL": TLs, "DD": DD}

    # ---- per frequency ------------------------------------------------------------------
    def _moments(self, k: float, scratch: list[np.ndarray]) -> np.ndarray:
        """(2, G, 5, N, N) raw moments ``[cos/sin part, g, (t, s) | charge, p, q]`` in
        leased buffers (appended to ``scratch``)."""
        tb = self._tables
        G, N, Tf = tb["G"], tb["N"], tb["Tf"]
        r = tb["r"]
        cs = _POOL.take(2 * r.size).reshape(2, r.size)
        den = _POOL.take(r.size)
        y = _POOL.take(2 * G * 5 * N * N).reshape(2, G * 5 * N * N)
        scratch += [cs, den, y]
        # cos(kR)/R and sin(kR)/R from one tangent of the half angle (the slowest part
        # of the fill is libm): with h = tan(kR/2), cos = (1 - h^2)/(1 + h^2) and
        # sin = 2h/(1 + h^2), exact identities with no cancellation (|h| -> inf gives -1, 0)
        h = cs[1]
        np.multiply(r, 0.5 * k, out=h)
        np.tan(h, out=h)
        np.multiply(h, h, out=cs[0])
        np.add(cs[0], 1.0, out=den)
        np.divide(tb["ir"], den, out=den)
        np.subtract(1.0, cs[0], out=cs[0])
        cs[0] *= den
        den *= 2.0
        h *= den
        Q2 = tb["far_w"].shape[1]
        np.matmul(tb["far_w"], cs[:, :Tf].reshape(2 * G, Q2, N * N), out=y.reshape(2 * G, 5, N * N))
        an = cs[:, Tf:].reshape(2, -1, tb["near_w"].shape[0]) @ tb["near_w"]   # (2, K, 5)
        an[0] += tb["static"]
        y[:, tb["near_idx"]] = an
        return y.reshape(2, G, 5, N, N)

    def raw_moments(self, k: float) -> np.ndarray:
        """(2, G, N, 2, 2, N) raw moments ``[cos/sin part, g, p, t, s, q]`` at ``k``."""
        scratch: list[np.ndarray] = []
        try:
            y = self._moments(k, scratch)
            G, N = y.shape[1], y.shape[3]
            return y[:, :, :4].reshape(2, G, 2, 2, N, N).transpose(0, 1, 4, 2, 3, 5).copy()
        finally:
            _POOL.give(scratch)

    def matrix(self, k: float) -> np.ndarray:
        """The (M, M) complex symmetric impedance matrix at wavenumber ``k`` (rad/m).

        ``Z_mn = sum_halves sigma sigma' (t_p . t_q) Lp Lq A_ts - delta delta' S / k^2``
        (``S = sum_ts A_ts`` the charge integral) is assembled as ``P^T Y P``: the
        half-pair matrix ``Y`` over segment-end slots, then two row and two column
        gathers (each basis function is at most two halves)."""
        tb = self._tables
        scratch: list[np.ndarray] = []
        try:
            y = self._moments(k, scratch)
            G, N, N1 = tb["G"], tb["N"], tb["N1"]
            r1, r2 = tb["r1"], tb["r2"]
            M = len(r1)
            yv = _POOL.take(8 * N1 * N1).reshape(2, 2, N1, 2, N1)
            tmp = _POOL.take(8 * N * N).reshape(2, 2, 2, N, N)
            rows = _POOL.take(4 * M * 2 * N1).reshape(2, 2, M, 2 * N1)
            zz = _POOL.take(4 * M * M).reshape(2, 2, M, M)
            scratch += [yv, tmp, rows, zz]
            out = yv[:, :, :N, :, :N].transpose(0, 1, 3, 2, 4)                 # [c, t, s, p, q]
            np.multiply(y[:, 0, :4].reshape(2, 2, 2, N, N), tb["TL"][0], out=out)
            s = y[:, 0, 4]
            if G == 2:
                np.multiply(y[:, 1, :4].reshape(2, 2, 2, N, N), tb["TL"][1], out=tmp)
                out -= tmp
                s = s - y[:, 1, 4]
            s = s * (-1.0 / (k * k))
            np.multiply(tb["DD"], s[:, None, None], out=tmp)
            out += tmp
            if N1 > N:
                yv[:, :, N] = 0.0
                yv[:, :, :, :, N] = 0.0
            Y = yv.reshape(2, 2 * N1, 2 * N1)
            np.take(Y, r1, axis=1, out=rows[0])
            np.take(Y, r2, axis=1, out=rows[1])
            rows[0] += rows[1]
            np.take(rows[0], r1, axis=2, out=zz[0])
            np.take(rows[0], r2, axis=2, out=zz[1])
            zz[0] += zz[1]
            zz[1] = zz[0].transpose(0, 2, 1)
            zz[0] += zz[1]
            # Z = j c (C - j S) = c S + j c C with C, S the cos and sin parts, c = w mu / 4pi
            z = np.empty((M, M), complex)
            c = 0.5 * k * ETA0 / (4.0 * np.pi)
            np.multiply(zz[0, 1], c, out=z.real)
            np.multiply(zz[0, 0], c, out=z.imag)
            return z
        finally:
            _POOL.give(scratch)


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
