"""Compiled (numba) loops of the MoM fill: quadrature tables once, ``Z(k)`` per frequency.

The integrals are those described in :mod:`problems.antenna.mom`; this module only runs
them as loops over segment pairs, so that the cost is the arithmetic and not the
per-call overhead of array operations (which dominated below about 50 segments). The
moment of a pair is symmetric, ``A_ts(p, q) = A_st(q, p)`` (for image pairs too:
``|r_p - M r_q| = |r_q - M r_p|``), so only pairs ``q >= p`` are integrated and each
fills ``Z_mn`` and ``Z_nm``.

Layout shared by the functions: segments as start points ``a0`` (N, 3), vectors ``d``
(N, 3), lengths ``L``, unit tangents ``t``; ``G`` = 1 (free space) or 2 (with the images
in ``z = 0``).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

_JIT = {"cache": True, "nogil": True, "error_model": "numpy"}


@njit(**_JIT)
def _log_distance_sum(x: float, r: float, rho2: float) -> float:
    """``x + r`` with ``r = sqrt(x^2 + rho2)``, without cancellation when ``x < 0``."""
    return x + r if x >= 0.0 else rho2 / (r - x)


@njit(**_JIT)
def static_moments(e: np.ndarray, tp: np.ndarray, tq: np.ndarray, Lp: float, Lq: float, a2: float,
                   uo: np.ndarray, wo: np.ndarray, out: np.ndarray) -> None:
    """Five raw near-pair moments of the static kernel ``1 / R`` into ``out``:
    ``[int int Lambda_t(u) Lambda_s(v) / R du dv for t, s] + [int int 1/R du dv]``.

    Test segment ``p`` from ``a_p`` along ``tp`` (length ``Lp``), source segment from
    ``a_q`` along ``tq`` (``Lq``), ``e = a_p - a_q``. For each of the ``uo`` Gauss points
    (weights ``wo``) on ``p``, at distance ``rho`` from the source axis and ``z`` along
    it, the source integrals are closed forms: ``int ds / R = asinh((Lq - z) / rho) +
    asinh(z / rho) = ln((Lq - z + Rb)(z + Ra) / rho^2)`` (``Ra``, ``Rb`` the distances to
    the source's ends) and ``int (s / Lq) ds / R = (Rb - Ra + z int ds / R) / Lq``.
    """
    for c in range(5):
        out[c] = 0.0
    etp = e[0] * tp[0] + e[1] * tp[1] + e[2] * tp[2]
    etq = e[0] * tq[0] + e[1] * tq[1] + e[2] * tq[2]
    tpq = tp[0] * tq[0] + tp[1] * tq[1] + tp[2] * tq[2]
    ee = e[0] * e[0] + e[1] * e[1] + e[2] * e[2]
    for i in range(uo.size):
        u = uo[i]
        z = etq + u * Lp * tpq                                  # along the source from a_q
        ra2 = ee + a2 + 2.0 * Lp * etp * u + Lp * Lp * u * u    # |obs - a_q|^2 + a^2
        rho2 = max(ra2 - z * z, 0.0)
        rb2 = ra2 - 2.0 * Lq * z + Lq * Lq                      # |obs - b_q|^2 + a^2
        ra, rb = math.sqrt(ra2), math.sqrt(rb2)
        i0 = math.log(_log_distance_sum(Lq - z, rb, rho2) * _log_distance_sum(z, ra, rho2) / rho2)
        i1 = (rb - ra + z * i0) / Lq                            # int (s / Lq) ds / R
        w0, w1 = wo[i] * (1.0 - u), wo[i] * u                   # Lambda_0, Lambda_1 at u
        out[0] += w0 * (i0 - i1)
        out[1] += w0 * i1
        out[2] += w1 * (i0 - i1)
        out[3] += w1 * i1
        out[4] += wo[i] * i0
    for c in range(5):
        out[c] /= Lq


# ---- sine and cosine -------------------------------------------------------------------
# fdlibm's kernels (k_sin.c, k_cos.c: minimax polynomials on [-pi/4, pi/4]) after a
# Cody-Waite reduction by pi/2 in two parts (e_rem_pio2.c's medium case). Written out so
# that the kernel loop has no calls and LLVM vectorises it: 4 ns per sine-cosine pair
# against 24 ns for libm's sin and cos. Accurate to 2.3e-16 (absolute) for
# ``|x| < 2^20 pi / 2``; :func:`kernel_values` uses libm beyond that.
_S = (-1.66666666666666324348e-01, 8.33333333332248946124e-03, -1.98412698298579493134e-04,
      2.75573137070700676789e-06, -2.50507602534068634195e-08, 1.58969099521155010221e-10)
_C = (4.16666666666666019037e-02, -1.38888888888741095749e-03, 2.48015872894767294178e-05,
      -2.75573143513906633035e-07, 2.08757232129817482790e-09, -1.13596475577881948265e-11)
_INV_PIO2 = 6.36619772367581382433e-01
_PIO2_1 = 1.57079632673412561417e+00        # first 33 bits of pi / 2
_PIO2_1T = 6.07710050650619224932e-11       # pi / 2 - _PIO2_1
SINCOS_LIMIT = 1.6e6                        # < 2^20 pi / 2


@njit(inline="always", **_JIT)
def _sincos(x: float) -> tuple[float, float]:
    """``(sin x, cos x)`` for ``|x| < SINCOS_LIMIT`` without branches."""
    n = math.floor(x * _INV_PIO2 + 0.5)
    r = (x - n * _PIO2_1) - n * _PIO2_1T
    z = r * r
    s = r + r * z * (_S[0] + z * (_S[1] + z * (_S[2] + z * (_S[3] + z * (_S[4] + z * _S[5])))))
    c = 1.0 - 0.5 * z + z * z * (_C[0] + z * (_C[1] + z * (_C[2] + z * (_C[3] + z * (_C[4] + z * _C[5])))))
    k = int(n)
    swap = (k & 1) == 1
    so = c if swap else s
    co = s if swap else c
    so = -so if (k & 2) else so
    co = -co if ((k + 1) & 2) else co
    return so, co


@njit(**_JIT)
def kernel_values(k: float, r: np.ndarray, r_max: float) -> tuple[np.ndarray, np.ndarray]:
    """``cos(k r) / r`` and ``sin(k r) / r`` of every distance (the kernel ``e^{-jkr}/r``
    is their difference ``C - j S``)."""
    cr = np.empty(r.size)
    sr = np.empty(r.size)
    if k * r_max < SINCOS_LIMIT:
        for i in range(r.size):
            s, c = _sincos(k * r[i])
            cr[i] = c / r[i]
            sr[i] = s / r[i]
    else:
        for i in range(r.size):
            cr[i] = math.cos(k * r[i]) / r[i]
            sr[i] = math.sin(k * r[i]) / r[i]
    return cr, sr


# ---- frequency-independent tables ----------------------------------------------------------
@njit(**_JIT)
def _distance(a0: np.ndarray, d: np.ndarray, p: int, u: float, q: int, v: float, mirror: float,
              a2: float) -> float:
    """``sqrt(|r_p(u) - M r_q(v)|^2 + a2)`` with ``M = diag(1, 1, mirror)``."""
    x = a0[p, 0] + u * d[p, 0] - (a0[q, 0] + v * d[q, 0])
    y = a0[p, 1] + u * d[p, 1] - (a0[q, 1] + v * d[q, 1])
    z = a0[p, 2] + u * d[p, 2] - mirror * (a0[q, 2] + v * d[q, 2])
    return math.sqrt(x * x + y * y + z * z + a2)


@njit(**_JIT)
def pair_tables(a0: np.ndarray, d: np.ndarray, radius: np.ndarray, G: int, near: float, uq: np.ndarray,
                uo: np.ndarray, wo: np.ndarray, us: np.ndarray, near_w: np.ndarray) -> tuple:
    """Frequency-independent tables of all pairs ``(g, p, q)``, ``q >= p``.

    Returns the lengths ``L`` and unit tangents ``t`` of the segments; ``pairs`` (P, 5):
    ``g, p, q``, the offset of the pair's quadrature distances in ``r`` and its row in
    ``static`` (-1: a far pair); ``r``: the distances of the ``Q x Q`` Gauss points of far
    pairs and of the smooth ``n x n`` rule of near pairs, pair after pair; ``static``
    (K, 5): the static moments of the near pairs, the mean of :func:`static_moments`
    with ``p`` tested against ``q`` and ``q`` against ``p`` (they differ by the rule's
    error, up to about 1e-5 of a moment between neighbours of unequal length: the mean
    keeps ``Z`` reciprocal and a symmetric antenna's currents symmetric to rounding),
    less the same moments by the smooth rule (weights ``near_w``) on the stored
    distances, which the per-frequency rule adds back with the full kernel.
    A pair is near when its
    centres are closer than ``near * (Lp + Lq)``; its squared equivalent radius is
    ``(a_p^2 + a_q^2) / 2``.
    """
    N, Q, ns = radius.size, uq.size, us.size
    L = np.empty(N)
    t = np.empty((N, 3))
    for p in range(N):
        L[p] = math.sqrt(d[p, 0] * d[p, 0] + d[p, 1] * d[p, 1] + d[p, 2] * d[p, 2])
        for x in range(3):
            t[p, x] = d[p, x] / L[p]
    P = G * N * (N + 1) // 2
    pairs = np.empty((P, 5), np.int64)
    i = K = T = 0
    for g in range(G):
        mz = 1.0 - 2.0 * g
        for p in range(N):
            for q in range(p, N):
                cx = a0[p, 0] + 0.5 * d[p, 0] - (a0[q, 0] + 0.5 * d[q, 0])
                cy = a0[p, 1] + 0.5 * d[p, 1] - (a0[q, 1] + 0.5 * d[q, 1])
                cz = a0[p, 2] + 0.5 * d[p, 2] - mz * (a0[q, 2] + 0.5 * d[q, 2])
                lim = near * (L[p] + L[q])
                pairs[i, 0], pairs[i, 1], pairs[i, 2], pairs[i, 3] = g, p, q, T
                if cx * cx + cy * cy + cz * cz < lim * lim:
                    pairs[i, 4] = K
                    K += 1
                    T += ns * ns
                else:
                    pairs[i, 4] = -1
                    T += Q * Q
                i += 1
    r = np.empty(T)
    static = np.empty((K, 5))
    fwd, bwd = np.empty(5), np.empty(5)
    e, tm = np.empty(3), np.empty(3)
    for i in range(P):
        g, p, q, off, row = pairs[i, 0], pairs[i, 1], pairs[i, 2], pairs[i, 3], pairs[i, 4]
        mz = 1.0 - 2.0 * g
        a2 = 0.5 * (radius[p] * radius[p] + radius[q] * radius[q])
        nodes = uq if row < 0 else us
        n = nodes.size
        for a in range(n):
            for b in range(n):
                r[off + a * n + b] = _distance(a0, d, p, nodes[a], q, nodes[b], mz, a2)
        if row < 0:
            continue
        for x in range(3):                       # p tested against the (mirrored) q ...
            e[x] = a0[p, x] - (mz if x == 2 else 1.0) * a0[q, x]
            tm[x] = (mz if x == 2 else 1.0) * t[q, x]
        static_moments(e, t[p], tm, L[p], L[q], a2, uo, wo, fwd)
        if p == q:
            for c in range(5):
                bwd[c] = fwd[c]
        else:
            for x in range(3):                   # ... and q against the (mirrored) p
                e[x] = a0[q, x] - (mz if x == 2 else 1.0) * a0[p, x]
                tm[x] = (mz if x == 2 else 1.0) * t[p, x]
            static_moments(e, t[q], tm, L[q], L[p], a2, uo, wo, bwd)
        static[row, 0] = 0.5 * (fwd[0] + bwd[0])
        static[row, 1] = 0.5 * (fwd[1] + bwd[2])
        static[row, 2] = 0.5 * (fwd[2] + bwd[1])
        static[row, 3] = 0.5 * (fwd[3] + bwd[3])
        static[row, 4] = 0.5 * (fwd[4] + bwd[4])
        for j in range(n * n):
            ir = 1.0 / r[off + j]
            for c in range(5):
                static[row, c] -= near_w[j, c] * ir
    return L, t, pairs, r, static


# ---- per frequency -------------------------------------------------------------------------
@njit(inline="always", **_JIT)
def _pair_moments(i: int, pairs: np.ndarray, cr: np.ndarray, sr: np.ndarray, static: np.ndarray,
                  far_w: np.ndarray, near_w: np.ndarray) -> tuple:
    """Raw moments of pair ``i``: ``(C, S)``, each the five ``(t, s) | charge`` columns of
    the weights, ``C`` the ``cos(kR)/R`` part, ``S`` the ``sin(kR)/R`` part
    (``A = Lp Lq (C - j S)``)."""
    off, row = pairs[i, 3], pairs[i, 4]
    w = far_w if row < 0 else near_w
    c0 = c1 = c2 = c3 = c4 = s0 = s1 = s2 = s3 = s4 = 0.0
    for j in range(w.shape[0]):
        c_, s_ = cr[off + j], sr[off + j]
        c0 += w[j, 0] * c_
        c1 += w[j, 1] * c_
        c2 += w[j, 2] * c_
        c3 += w[j, 3] * c_
        c4 += w[j, 4] * c_
        s0 += w[j, 0] * s_
        s1 += w[j, 1] * s_
        s2 += w[j, 2] * s_
        s3 += w[j, 3] * s_
        s4 += w[j, 4] * s_
    if row >= 0:
        c0 += static[row, 0]
        c1 += static[row, 1]
        c2 += static[row, 2]
        c3 += static[row, 3]
        c4 += static[row, 4]
    return (c0, c1, c2, c3, c4), (s0, s1, s2, s3, s4)


@njit(**_JIT)
def raw_moments(k: float, N: int, G: int, pairs: np.ndarray, r: np.ndarray, r_max: float, static: np.ndarray,
                far_w: np.ndarray, near_w: np.ndarray) -> np.ndarray:
    """(2, G, N, 2, 2, N) raw moments ``[cos/sin part, g, p, t, s, q]`` of all pairs."""
    cr, sr = kernel_values(k, r, r_max)
    out = np.zeros((2, G, N, 2, 2, N))
    for i in range(pairs.shape[0]):
        g, p, q = pairs[i, 0], pairs[i, 1], pairs[i, 2]
        mc, ms = _pair_moments(i, pairs, cr, sr, static, far_w, near_w)
        for ts in range(4):
            out[0, g, p, ts // 2, ts % 2, q] = out[0, g, q, ts % 2, ts // 2, p] = mc[ts]
            out[1, g, p, ts // 2, ts % 2, q] = out[1, g, q, ts % 2, ts // 2, p] = ms[ts]
    return out


@njit(**_JIT)
def fill(k: float, pairs: np.ndarray, r: np.ndarray, r_max: float, static: np.ndarray, far_w: np.ndarray,
         near_w: np.ndarray, L: np.ndarray, t: np.ndarray, slot_sigma: np.ndarray, basis_slots: np.ndarray,
         eta0: float) -> np.ndarray:
    """The (M, M) impedance matrix at wavenumber ``k`` (rad/m).

    Two passes. First the upper triangle of the symmetric half-pair matrix ``Y`` over
    segment ends ("slots" ``2 p + t``): for every pair of segments and ends,
    ``j w mu / 4 pi [sigma sigma' (t_p . t_q) Lp Lq A_ts - delta delta' S / k^2]`` with
    ``A = C - j S`` the raw moments, ``sigma = slot_sigma`` the orientation of the half
    on that end (0: none) and ``delta = sigma (2 t - 1)`` its divergence sign; an image
    pair enters with the mirrored tangent and the opposite sign (image current ``-M J``,
    charge ``-rho``). Then ``Z_mn`` sums ``Y`` over the (at most two) slots of each
    basis function, ``basis_slots`` (M, 2), where slot ``2 N`` is an empty one (a half
    triangle on the ground plane; a junction's hub slot serves each of its functions).
    """
    N = L.size
    cr, sr = kernel_values(k, r, r_max)
    Y = np.zeros((2 * N + 1, 2 * N + 1), np.complex128)
    cfac = k * eta0 / (4.0 * math.pi)                  # w mu / 4 pi
    ik2 = 1.0 / (k * k)
    for i in range(pairs.shape[0]):
        g, p, q = pairs[i, 0], pairs[i, 1], pairs[i, 2]
        mc, ms = _pair_moments(i, pairs, cr, sr, static, far_w, near_w)
        sgn = 1.0 - 2.0 * g
        tdot = t[p, 0] * t[q, 0] + t[p, 1] * t[q, 1] + sgn * t[p, 2] * t[q, 2]
        vec = cfac * sgn * tdot * L[p] * L[q]
        chg = -cfac * sgn * ik2
        for a in range(2):
            for b in range(2):
                ss = slot_sigma[2 * p + a] * slot_sigma[2 * q + b]
                wc = ss * (2 * a - 1) * (2 * b - 1) * chg
                # j c (C - j S) = c S + j c C
                y = complex(ss * vec * ms[2 * a + b] + wc * ms[4], ss * vec * mc[2 * a + b] + wc * mc[4])
                Y[2 * p + a, 2 * q + b] += y           # upper triangle (and self blocks)
    M = basis_slots.shape[0]
    Z = np.empty((M, M), np.complex128)
    for mi in range(M):
        s1, s2 = basis_slots[mi, 0], basis_slots[mi, 1]
        for ni in range(mi, M):
            u1, u2 = basis_slots[ni, 0], basis_slots[ni, 1]
            z = (Y[min(s1, u1), max(s1, u1)] + Y[min(s1, u2), max(s1, u2)]
                 + Y[min(s2, u1), max(s2, u1)] + Y[min(s2, u2), max(s2, u2)])
            Z[mi, ni] = z
            Z[ni, mi] = z
    return Z
