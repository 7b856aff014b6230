"""Compiled (numba) loops of the MoM fill: quadrature tables once, ``Z(k)`` per frequency
(and the all-pairs contact check of the geometry).

The integrals are those described in :mod:`gadesign_problems.antenna.mom`; this module only runs
them as loops over segment pairs, so that the cost is the arithmetic and not the
per-call overhead of array operations (which dominated below about 50 segments). The
moment of a pair is symmetric, ``A_ts(p, q) = A_st(q, p)`` (for image pairs too:
``|r_p - M r_q| = |r_q - M r_p|``), so only pairs ``q >= p`` are integrated and each
fills ``Z_mn`` and ``Z_nm``. Static moments: the reduced kernel's closed form
(:func:`static_moments`), the exact tube kernel's on collinear pairs
(:func:`exact_static_moments`, cached per normalised geometry), the end caps' disk
integrals (:func:`disk_tube_static`, :func:`cap_fill`).

Layout shared by the functions: segments as start points ``a0`` (N, 3), vectors ``d``
(N, 3), lengths ``L``, unit tangents ``t``; ``G`` = 1 (free space) or 2 (with the images
in ``z = 0``).
"""

from __future__ import annotations

import functools
import math
import os
import sys

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


@njit(**_JIT)
def exact_static_moments(e: np.ndarray, tp: np.ndarray, tq: np.ndarray, Lp: float, Lq: float, a: float,
                         self_pair: bool, uo: np.ndarray, wo: np.ndarray, to: np.ndarray, wt: np.ndarray,
                         out: np.ndarray, tmp: np.ndarray) -> None:
    """The five moments of :func:`static_moments` with the *exact* static kernel of
    two collinear segments of one tubular wire of radius ``a`` (current and field both on
    the surface): ``K(z) = (1 / pi) int_0^pi dphi / sqrt(z^2 + b^2)``, ``b = 2 a sin(phi / 2)``
    the chord between the source and the field point on the tube's circumference.

    For each ``phi`` the inner integrals are those of the reduced kernel with ``a^2``
    replaced by ``b^2`` (:func:`static_moments`); the ``phi`` integral is a Gauss rule
    (nodes ``to`` and weights ``wt`` on [0, 1]) after ``phi = pi t^2``, which smooths the
    ``b ln b`` end behaviour. On a self pair the moments diverge like ``C ln b`` as
    ``b -> 0`` (``C = -2 / L int Lambda_t Lambda_s du``, the kernel's logarithmic
    singularity); that term is taken out of the rule and added back analytically with
    ``(1 / pi) int_0^pi ln(2 a sin(phi / 2)) dphi = ln a``.
    """
    c = np.empty(5)
    if self_pair:
        f = -2.0 / Lq
        c[0], c[1], c[2], c[3], c[4] = f / 3.0, f / 6.0, f / 6.0, f / 3.0, f
    else:
        for i in range(5):
            c[i] = 0.0
    for i in range(5):
        out[i] = c[i] * math.log(a)
    for j in range(to.size):
        half = 0.5 * math.pi * to[j] * to[j]
        b = 2.0 * a * math.sin(half)
        static_moments(e, tp, tq, Lp, Lq, b * b, uo, wo, tmp)
        w = wt[j] * 2.0 * to[j]                                 # dphi / pi = 2 t dt
        lb = math.log(b)
        for i in range(5):
            out[i] += w * (tmp[i] - c[i] * lb)


@njit(**_JIT)
def collinear(a0: np.ndarray, d: np.ndarray, radius: np.ndarray, p: int, q: int, mz: float) -> bool:
    """Whether segment ``q`` (mirrored by ``mz`` in z) lies on the axis of segment ``p``
    with the same radius: one straight tube, where the exact kernel applies."""
    if abs(radius[p] - radius[q]) > 1e-9 * radius[p]:
        return False
    Lp2 = d[p, 0] * d[p, 0] + d[p, 1] * d[p, 1] + d[p, 2] * d[p, 2]
    Lq2 = d[q, 0] * d[q, 0] + d[q, 1] * d[q, 1] + d[q, 2] * d[q, 2]
    dq = (d[q, 0], d[q, 1], mz * d[q, 2])
    cx = d[p, 1] * dq[2] - d[p, 2] * dq[1]
    cy = d[p, 2] * dq[0] - d[p, 0] * dq[2]
    cz = d[p, 0] * dq[1] - d[p, 1] * dq[0]
    if cx * cx + cy * cy + cz * cz > 1e-16 * Lp2 * Lq2:          # not parallel
        return False
    ex = a0[q, 0] - a0[p, 0]
    ey = a0[q, 1] - a0[p, 1]
    ez = mz * a0[q, 2] - a0[p, 2]
    fx = d[p, 1] * ez - d[p, 2] * ey                            # offset of q's start off p's axis
    fy = d[p, 2] * ex - d[p, 0] * ez
    fz = d[p, 0] * ey - d[p, 1] * ex
    return fx * fx + fy * fy + fz * fz <= 1e-12 * radius[p] * radius[p] * Lp2


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
def sincos(x: float) -> tuple[float, float]:
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
def kernel_values(k: float, r: np.ndarray, r_max: float, cr: np.ndarray, sr: np.ndarray) -> None:
    """``cr = cos(k r) / r`` and ``sr = sin(k r) / r`` of every distance (the kernel
    ``e^{-jkr}/r`` is ``cr - j sr``); ``r_max`` bounds ``r`` (libm beyond the range of
    the inlined sine and cosine)."""
    if k * r_max < SINCOS_LIMIT:
        for i in range(r.size):
            s, c = sincos(k * r[i])
            cr[i] = c / r[i]
            sr[i] = s / r[i]
    else:
        for i in range(r.size):
            cr[i] = math.cos(k * r[i]) / r[i]
            sr[i] = math.sin(k * r[i]) / r[i]


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
                uo: np.ndarray, wo: np.ndarray, us: np.ndarray, near_w: np.ndarray, near_radii: float,
                to: np.ndarray, wt: np.ndarray, ue: np.ndarray, we: np.ndarray) -> tuple:
    """Frequency-independent tables of all pairs ``(g, p, q)``, ``q >= p``.

    Pairs are taken in the order ``g``, ``p``, ``q`` (loops nested so). Returns the
    lengths ``L`` and unit tangents ``t`` of the segments; ``near_row`` (P,): each pair's
    row in ``static`` (-1: a far pair); ``r``: the distances of the ``Q x Q`` Gauss points
    of far pairs and of the smooth ``n x n`` rule of near pairs, pair after pair; ``static``
    (K, 5): the static moments of the near pairs, the mean of :func:`static_moments`
    with ``p`` tested against ``q`` and ``q`` against ``p`` (they differ by the rule's
    error, up to about 1e-5 of a moment between neighbours of unequal length: the mean
    keeps ``Z`` reciprocal and a symmetric antenna's currents symmetric to rounding),
    less the same moments by the smooth rule (weights ``near_w``) on the stored
    distances, which the per-frequency rule adds back with the full kernel. A pair is
    near when its centres are closer than ``near * (Lp + Lq)``; its squared equivalent
    radius is ``(a_p^2 + a_q^2) / 2``. A pair is also near when its centres are closer
    than ``near_radii`` times the larger radius (short segments on a thick wire). Near
    pairs on one straight tube (:func:`collinear`; when ``near_radii > 0``) take the exact kernel's static
    moments (:func:`exact_static_moments`, ``phi`` rule ``to``, ``wt``, test-segment
    rule ``ue``, ``we``: 8 x 8 points give them to 2e-4) instead of the reduced kernel's.
    """
    N, Q, ns = radius.size, uq.size, us.size
    L = np.empty(N)
    t = np.empty((N, 3))
    for p in range(N):
        L[p] = math.sqrt(d[p, 0] * d[p, 0] + d[p, 1] * d[p, 1] + d[p, 2] * d[p, 2])
        for x in range(3):
            t[p, x] = d[p, x] / L[p]
    P = G * N * (N + 1) // 2
    near_row = np.empty(P, np.int32)
    i = K = T = 0
    for g in range(G):
        mz = 1.0 - 2.0 * g
        for p in range(N):
            for q in range(p, N):
                cx = a0[p, 0] + 0.5 * d[p, 0] - (a0[q, 0] + 0.5 * d[q, 0])
                cy = a0[p, 1] + 0.5 * d[p, 1] - (a0[q, 1] + 0.5 * d[q, 1])
                cz = a0[p, 2] + 0.5 * d[p, 2] - mz * (a0[q, 2] + 0.5 * d[q, 2])
                lim = max(near * (L[p] + L[q]), near_radii * max(radius[p], radius[q]))
                if cx * cx + cy * cy + cz * cz < lim * lim:
                    near_row[i] = K
                    K += 1
                    T += ns * ns
                else:
                    near_row[i] = -1
                    T += Q * Q
                i += 1
    r = np.empty(T)
    static = np.empty((K, 5))
    fwd, bwd, tmp = np.empty(5), np.empty(5), np.empty(5)
    cap = 16
    while cap < 4 * K + 16:                      # <= 2 lookups per near pair: load <= 1/2
        cap *= 2
    ckeys, cvals = np.zeros((cap, 6), np.int64), np.empty((cap, 5))
    e, tm = np.empty(3), np.empty(3)
    i = off = 0
    for g in range(G):
        mz = 1.0 - 2.0 * g
        for p in range(N):
            for q in range(p, N):
                row = near_row[i]
                i += 1
                a2 = 0.5 * (radius[p] * radius[p] + radius[q] * radius[q])
                nodes = uq if row < 0 else us
                n = nodes.size
                for a in range(n):
                    for b in range(n):
                        r[off + a * n + b] = _distance(a0, d, p, nodes[a], q, nodes[b], mz, a2)
                if row >= 0:
                    exact = near_radii > 0.0 and collinear(a0, d, radius, p, q, mz)
                    _near_static(a0, L, t, mz, p, q, a2, uo, wo, near_w, r[off:off + n * n], static[row], fwd, bwd,
                                 e, tm, exact, radius[p], g == 0 and p == q, to, wt, tmp, ckeys, cvals, ue, we)
                off += n * n
    return L, t, near_row, r, static


@njit(**_JIT)
def _exact_cached(keys: np.ndarray, vals: np.ndarray, e: np.ndarray, tp: np.ndarray, tq: np.ndarray, Lp: float,
                  Lq: float, a: float, self_pair: bool, uo: np.ndarray, wo: np.ndarray, to: np.ndarray,
                  wt: np.ndarray, out: np.ndarray, tmp: np.ndarray) -> None:
    """:func:`exact_static_moments` of a collinear pair through a cache. The moments
    depend only on ``Lp / a``, ``Lq / a``, the source's offset along the axis over ``a``
    and the relative orientation, and scale as ``1 / a``: equal segments along a wire
    share one entry. The cache is an open-addressing table (``keys`` (C, 6) int64, column
    5 = 1 when used; ``vals`` (C, 5) the moments times ``a``; ``C`` a power of two at
    least twice the number of entries), keys quantised to ``2^-24`` of a radius."""
    off = -(e[0] * tp[0] + e[1] * tp[1] + e[2] * tp[2]) / a
    same = tp[0] * tq[0] + tp[1] * tq[1] + tp[2] * tq[2] > 0.0
    s = 16777216.0
    k0, k1, k2 = int(round(Lp / a * s)), int(round(Lq / a * s)), int(round(off * s))
    k3 = (2 if same else 0) + (1 if self_pair else 0)
    mask = keys.shape[0] - 1
    h = ((k0 * 1000003) ^ (k1 * 999983) ^ (k2 * 19349663) ^ (k3 * 83492791)) & mask
    while keys[h, 5] == 1:
        if keys[h, 0] == k0 and keys[h, 1] == k1 and keys[h, 2] == k2 and keys[h, 3] == k3:
            for c in range(5):
                out[c] = vals[h, c] / a
            return
        h = (h + 1) & mask
    exact_static_moments(e, tp, tq, Lp, Lq, a, self_pair, uo, wo, to, wt, out, tmp)
    keys[h, 0], keys[h, 1], keys[h, 2], keys[h, 3], keys[h, 5] = k0, k1, k2, k3, 1
    for c in range(5):
        vals[h, c] = out[c] * a


@njit(**_JIT)
def _near_static(a0: np.ndarray, L: np.ndarray, t: np.ndarray, mz: float, p: int, q: int, a2: float, uo: np.ndarray,
                 wo: np.ndarray, near_w: np.ndarray, r: np.ndarray, out: np.ndarray, fwd: np.ndarray, bwd: np.ndarray,
                 e: np.ndarray, tm: np.ndarray, exact: bool, a: float, self_pair: bool, to: np.ndarray,
                 wt: np.ndarray, tmp: np.ndarray, ckeys: np.ndarray, cvals: np.ndarray, ue: np.ndarray,
                 we: np.ndarray) -> None:
    """Static moments of near pair ``(p, q)`` (``q`` mirrored by ``mz`` in z) into
    ``out``: the mean of both test/source orders less the smooth rule (weights
    ``near_w``) on its distances ``r``; ``exact``: with the exact kernel of a tube of
    radius ``a`` (collinear segments)."""
    for x in range(3):                           # p tested against the (mirrored) q ...
        e[x] = a0[p, x] - (mz if x == 2 else 1.0) * a0[q, x]
        tm[x] = (mz if x == 2 else 1.0) * t[q, x]
    if exact:
        _exact_cached(ckeys, cvals, e, t[p], tm, L[p], L[q], a, self_pair, ue, we, to, wt, fwd, tmp)
    else:
        static_moments(e, t[p], tm, L[p], L[q], a2, uo, wo, fwd)
    if p == q:
        for c in range(5):
            bwd[c] = fwd[c]
    else:
        for x in range(3):                       # ... and q against the (mirrored) p
            e[x] = a0[q, x] - (mz if x == 2 else 1.0) * a0[p, x]
            tm[x] = (mz if x == 2 else 1.0) * t[p, x]
        if exact:
            _exact_cached(ckeys, cvals, e, t[q], tm, L[q], L[p], a, self_pair, ue, we, to, wt, bwd, tmp)
        else:
            static_moments(e, t[q], tm, L[q], L[p], a2, uo, wo, bwd)
    out[0] = 0.5 * (fwd[0] + bwd[0])
    out[1] = 0.5 * (fwd[1] + bwd[2])
    out[2] = 0.5 * (fwd[2] + bwd[1])
    out[3] = 0.5 * (fwd[3] + bwd[3])
    out[4] = 0.5 * (fwd[4] + bwd[4])
    for j in range(r.size):
        ir = 1.0 / r[j]
        for c in range(5):
            out[c] -= near_w[j, c] * ir


# ---- per frequency -------------------------------------------------------------------------
#: Kernel values are computed a block of this many distances at a time into a small
#: buffer, so that a fill touches no large temporary (a fresh page costs a fault each).
BLOCK = 4096


@njit(inline="always", **_JIT)
def _moments_at(k: float, r: np.ndarray, r_max: float, off: int, w: np.ndarray, row: int, static: np.ndarray,
                cr: np.ndarray, sr: np.ndarray, base: int) -> tuple:
    """Raw moments of the pair whose distances start at ``r[off]``: ``(C, S, base)``,
    ``C`` and ``S`` the five ``(t, s) | charge`` columns of the weights ``w`` of the
    ``cos(kR)/R`` and ``sin(kR)/R`` parts (``A = Lp Lq (C - j S)``, with the static
    moments of near pairs added to ``C``). The block buffers ``cr``, ``sr`` hold the
    kernel values of ``r[base:]``; they are refilled from ``off`` when the pair is not
    in them, and the new ``base`` is returned."""
    n = w.shape[0]
    if off + n > base + cr.size or off < base:
        base = off
        top = min(r.size, off + cr.size)
        kernel_values(k, r[off:top], r_max, cr, sr)
    j0 = off - base
    c0 = c1 = c2 = c3 = c4 = s0 = s1 = s2 = s3 = s4 = 0.0
    for j in range(n):
        c_, s_ = cr[j0 + j], sr[j0 + j]
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
    return (c0, c1, c2, c3, c4), (s0, s1, s2, s3, s4), base


@njit(**_JIT)
def raw_moments(k: float, N: int, G: int, near_row: np.ndarray, r: np.ndarray, r_max: float, static: np.ndarray,
                far_w: np.ndarray, near_w: np.ndarray) -> np.ndarray:
    """(2, G, N, 2, 2, N) raw moments ``[cos/sin part, g, p, t, s, q]`` of all pairs."""
    out = np.zeros((2, G, N, 2, 2, N))
    size = max(BLOCK, far_w.shape[0], near_w.shape[0])
    cr, sr = np.empty(size), np.empty(size)
    i = off = 0
    base = -size
    for g in range(G):
        for p in range(N):
            for q in range(p, N):
                row = near_row[i]
                w = far_w if row < 0 else near_w
                mc, ms, base = _moments_at(k, r, r_max, off, w, row, static, cr, sr, base)
                i += 1
                off += w.shape[0]
                for ts in range(4):
                    out[0, g, p, ts // 2, ts % 2, q] = out[0, g, q, ts % 2, ts // 2, p] = mc[ts]
                    out[1, g, p, ts // 2, ts % 2, q] = out[1, g, q, ts % 2, ts // 2, p] = ms[ts]
    return out


@njit(**_JIT)
def fill(k: float, near_row: np.ndarray, r: np.ndarray, r_max: float, static: np.ndarray, far_w: np.ndarray,
         near_w: np.ndarray, L: np.ndarray, t: np.ndarray, G: int, seg_ptr: np.ndarray, part_basis: np.ndarray,
         part_type: np.ndarray, part_sigma: np.ndarray, M: int, eta0: float) -> np.ndarray:
    """The (M, M) impedance matrix at wavenumber ``k`` (rad/m).

    The basis functions' parts (halves) are listed by segment: those on segment ``p``
    are ``seg_ptr[p]:seg_ptr[p + 1]``, each with its basis function, end type ``t`` (1:
    ``Lambda = u``, 0: ``1 - u``) and orientation ``sigma``; the divergence sign is
    ``sigma (2 t - 1)``. (A junction's hub half is a part of each of its ``d - 1``
    functions.) Each pair of segments adds, for every pair of parts,
    ``j w mu / 4 pi [sigma sigma' (t_p . t_q) Lp Lq A_ts - delta delta' S / k^2]`` with
    ``A = C - j S`` the raw moments, to ``Z_mn`` and ``Z_nm``; an image pair enters with
    the mirrored tangent and the opposite sign (image current ``-M J``, charge ``-rho``).
    """
    N = L.size
    Z = np.zeros((M, M), np.complex128)
    cfac = k * eta0 / (4.0 * math.pi)                  # w mu / 4 pi
    ik2 = 1.0 / (k * k)
    size = max(BLOCK, far_w.shape[0], near_w.shape[0])   # a pair always fits
    cr, sr = np.empty(size), np.empty(size)
    i = off = 0
    base = -size
    for g in range(G):
        sgn = 1.0 - 2.0 * g
        for p in range(N):
            for q in range(p, N):
                row = near_row[i]
                w = far_w if row < 0 else near_w
                mc, ms, base = _moments_at(k, r, r_max, off, w, row, static, cr, sr, base)
                i += 1
                off += w.shape[0]
                tdot = t[p, 0] * t[q, 0] + t[p, 1] * t[q, 1] + sgn * t[p, 2] * t[q, 2]
                vec = cfac * sgn * tdot * L[p] * L[q]
                chg = -cfac * sgn * ik2
                for a_i in range(seg_ptr[p], seg_ptr[p + 1]):
                    a, mb, sa = part_type[a_i], part_basis[a_i], part_sigma[a_i]
                    # a self pair: each unordered pair of parts once (A_ts = A_st)
                    for b_i in range(a_i if p == q else seg_ptr[q], seg_ptr[q + 1]):
                        b, nb, sb = part_type[b_i], part_basis[b_i], part_sigma[b_i]
                        wv = sa * sb * vec
                        wc = sa * sb * (2 * a - 1) * (2 * b - 1) * chg
                        # j c (C - j S) = c S + j c C
                        z = complex(wv * ms[2 * a + b] + wc * ms[4], wv * mc[2 * a + b] + wc * mc[4])
                        Z[mb, nb] += z
                        if p != q or a_i != b_i:
                            Z[nb, mb] += z
    return Z


# ---- geometry checks -----------------------------------------------------------------------
@njit(**_JIT)
def first_contact(starts: np.ndarray, ends: np.ndarray, radii: np.ndarray, nseg: np.ndarray
                   ) -> tuple[int, int, np.ndarray]:
    """The first pair of segments (row-major over ``i < j``) that share no node but come
    closer than the sum of their wires' radii: ``(wire_i, wire_j, gap midpoint)``, or
    ``(-1, -1, _)``. Segment ends within ``1e-3`` of the shortest segment are one node.

    Closeness that the wires' connection explains is no contact, so that refining a
    valid structure keeps it valid: two segments of one (straight) wire, and two
    segments of wires joined at a node ``X`` whose gap lies within the overlap of two
    tubes meeting at ``X`` (:func:`junction_reach`)."""
    N = 0
    for w in range(nseg.size):
        N += nseg[w]
    a, b = np.empty((N, 3)), np.empty((N, 3))
    wire = np.empty(N, np.int64)
    i = 0
    seglen_min = np.inf
    for w in range(nseg.size):
        for k in range(nseg[w]):
            for x in range(3):
                d = ends[w, x] - starts[w, x]
                a[i, x] = starts[w, x] + k / nseg[w] * d
                b[i, x] = starts[w, x] + (k + 1) / nseg[w] * d
            wire[i] = w
            l2 = (b[i, 0] - a[i, 0]) ** 2 + (b[i, 1] - a[i, 1]) ** 2 + (b[i, 2] - a[i, 2]) ** 2
            seglen_min = min(seglen_min, math.sqrt(l2))
            i += 1
    tol2 = (1e-3 * seglen_min) ** 2
    # node label of every segment end: the first end (a's, then b's) within tol
    pts = np.empty((2 * N, 3))
    for i in range(N):
        for x in range(3):
            pts[i, x], pts[N + i, x] = a[i, x], b[i, x]
    lab = np.empty(2 * N, np.int64)
    for i in range(2 * N):
        for j in range(2 * N):
            d2 = (pts[i, 0] - pts[j, 0]) ** 2 + (pts[i, 1] - pts[j, 1]) ** 2 + (pts[i, 2] - pts[j, 2]) ** 2
            if d2 <= tol2:
                lab[i] = j
                break
    gap = np.zeros(3)
    for i in range(N):
        for j in range(i + 1, N):
            if lab[i] == lab[j] or lab[i] == lab[N + j] or lab[N + i] == lab[j] or lab[N + i] == lab[N + j]:
                continue
            if wire[i] == wire[j]:
                continue
            dist = _segment_gap(a[i], b[i], a[j], b[j], gap)
            rs = radii[wire[i]] + radii[wire[j]]
            if dist < rs and not _near_junction(starts, ends, nseg, wire[i], wire[j], a[i], b[i], a[j], b[j],
                                                gap, rs, math.sqrt(tol2)):
                return wire[i], wire[j], gap
    return -1, -1, gap


@njit(**_JIT)
def _node_of(X: np.ndarray, s: np.ndarray, e: np.ndarray, n: int, tol: float) -> bool:
    """Whether point ``X`` is (within ``tol``) one of the ``n + 1`` nodes of wire ``s - e``."""
    dd = 0.0
    t = 0.0
    for x in range(3):
        dd += (e[x] - s[x]) ** 2
        t += (X[x] - s[x]) * (e[x] - s[x])
    k = min(max(round(t / dd * n), 0), n)
    g2 = 0.0
    for x in range(3):
        g2 += (X[x] - (s[x] + k / n * (e[x] - s[x]))) ** 2
    return g2 <= tol * tol


@njit(**_JIT)
def junction_reach(cos_theta: float, rsum: float) -> float:
    """How far from their common node two straight tubes whose radii add to ``rsum``,
    leaving it at angle ``theta``, overlap: ``rsum / sin(theta)`` below 90 degrees (a
    point at distance ``s`` along one is ``s sin(theta)`` from the other's axis), else
    ``rsum`` (m); ``inf`` for parallel tubes."""
    if cos_theta <= 0.0:
        return rsum
    sin_t = math.sqrt(max(1.0 - cos_theta * cos_theta, 0.0))
    return rsum / sin_t if sin_t > 1e-12 else np.inf


@njit(**_JIT)
def _near_junction(starts: np.ndarray, ends: np.ndarray, nseg: np.ndarray, wi: int, wj: int, ai: np.ndarray,
                   bi: np.ndarray, aj: np.ndarray, bj: np.ndarray, mid: np.ndarray, rsum: float, tol: float) -> bool:
    """Whether segments ``ai-bi`` (wire ``wi``) and ``aj-bj`` (wire ``wj``) come close only
    because their wires meet at a node ``X`` (an end of one that is a node of the other):
    the gap's midpoint lies within :func:`junction_reach` (plus half the radii) of ``X``,
    with ``theta`` the angle at ``X`` between the directions to the two segments."""
    for c in range(4):
        w = wi if c < 2 else wj
        X = starts[w] if c % 2 == 0 else ends[w]
        other = wj if c < 2 else wi
        if not _node_of(X, starts[other], ends[other], nseg[other], tol):
            continue
        ui = np.empty(3)
        uj = np.empty(3)
        ni = nj = dm = 0.0
        for x in range(3):
            ui[x] = 0.5 * (ai[x] + bi[x]) - X[x]
            uj[x] = 0.5 * (aj[x] + bj[x]) - X[x]
            ni += ui[x] * ui[x]
            nj += uj[x] * uj[x]
            dm += (mid[x] - X[x]) ** 2
        if ni == 0.0 or nj == 0.0:
            continue
        cos_t = (ui[0] * uj[0] + ui[1] * uj[1] + ui[2] * uj[2]) / math.sqrt(ni * nj)
        if math.sqrt(dm) <= junction_reach(cos_t, rsum) + 0.5 * rsum + tol:
            return True
    return False


@njit(**_JIT)
def _segment_gap(p1: np.ndarray, q1: np.ndarray, p2: np.ndarray, q2: np.ndarray, mid: np.ndarray) -> float:
    """Shortest distance between segments p1-q1 and p2-q2 (clamped closest points,
    Ericson, Real-Time Collision Detection 5.1.9); the midpoint of the gap goes into
    ``mid``."""
    a = e = f = c = b = 0.0
    for x in range(3):
        d1, d2, rr = q1[x] - p1[x], q2[x] - p2[x], p1[x] - p2[x]
        a += d1 * d1
        e += d2 * d2
        f += d2 * rr
        c += d1 * rr
        b += d1 * d2
    denom = a * e - b * b
    s = min(max((b * f - c * e) / denom, 0.0), 1.0) if denom > 1e-12 * a * e else 0.0
    t = (b * s + f) / e
    if t < 0.0:
        s = min(max(-c / a, 0.0), 1.0)
    elif t > 1.0:
        s = min(max((b - c) / a, 0.0), 1.0)
    t = min(max(t, 0.0), 1.0)
    g2 = 0.0
    for x in range(3):
        c1 = p1[x] + s * (q1[x] - p1[x])
        c2 = p2[x] + t * (q2[x] - p2[x])
        mid[x] = 0.5 * (c1 + c2)
        g2 += (c1 - c2) ** 2
    return math.sqrt(g2)


@njit(**_JIT)
def clear_of(a: np.ndarray, b: np.ndarray, pa: np.ndarray, pb: np.ndarray, clearance: float) -> bool:
    """Whether the candidate segments ``a[i] - b[i]`` keep ``clearance`` from the
    accepted ones ``pa[j] - pb[j]`` and from each other, except where a pair meets at
    the candidate's start (an end within 1e-9 m of ``a[i]``)."""
    tol2 = 1e-18
    mid = np.empty(3)
    for i in range(a.shape[0]):
        for j in range(pa.shape[0]):
            da = (pa[j, 0] - a[i, 0]) ** 2 + (pa[j, 1] - a[i, 1]) ** 2 + (pa[j, 2] - a[i, 2]) ** 2
            db = (pb[j, 0] - a[i, 0]) ** 2 + (pb[j, 1] - a[i, 1]) ** 2 + (pb[j, 2] - a[i, 2]) ** 2
            if da < tol2 or db < tol2:
                continue
            if _segment_gap(a[i], b[i], pa[j], pb[j], mid) < clearance:
                return False
        for j in range(i + 1, a.shape[0]):
            d2 = (a[j, 0] - a[i, 0]) ** 2 + (a[j, 1] - a[i, 1]) ** 2 + (a[j, 2] - a[i, 2]) ** 2
            if d2 < tol2:
                continue
            if _segment_gap(a[i], b[i], a[j], b[j], mid) < clearance:
                return False
    return True


@njit(**_JIT)
def segment_distances(p1: np.ndarray, q1: np.ndarray, p2: np.ndarray, q2: np.ndarray) -> np.ndarray:
    """(K,) shortest distances between segments ``p1[k] - q1[k]`` and ``p2[k] - q2[k]``."""
    out = np.empty(p1.shape[0])
    mid = np.empty(3)
    for i in range(p1.shape[0]):
        out[i] = _segment_gap(p1[i], q1[i], p2[i], q2[i], mid)
    return out


@functools.cache
def note_first_compile() -> None:
    """Say once per process, on stderr, that the kernels are being compiled when numba's
    on-disk cache for them is missing (the first use after an install: 15-25 s); later
    processes load the cached machine code in about a second and say nothing."""
    try:
        index = fill._cache._cache_file._index_path  # numba's cache index of this module
    except AttributeError:  # pragma: no cover - numba internals moved: stay silent
        return
    if not os.path.exists(index):
        print("compiling antenna kernels, once per install (about 20 s)...", file=sys.stderr, flush=True)


# ---- flat end caps (Antenna(end_caps=True)) -------------------------------------------------
#: Mean distance and mean inverse distance between two points of a uniform disk of radius
#: 1: <R> = 128 / (45 pi), <1/R> = 16 / (3 pi) (the disk's self-energy).
DISK_MEAN_R = 128.0 / (45.0 * math.pi)
DISK_MEAN_INV_R = 16.0 / (3.0 * math.pi)


@njit(**_JIT)
def disk_tube_static(z1: float, z2: float, a: float, so: np.ndarray, ws: np.ndarray, to: np.ndarray,
                     wt: np.ndarray) -> float:
    """``<1/R>`` between a uniform charge on a disk of radius ``a`` (the plane ``z = 0``,
    centred on the axis) and a uniform charge on the tube of radius ``a`` between ``z1``
    and ``z2`` (``z1 < z2``) on the same axis. For a disk point at radius ``rho`` and a
    tube point at angle ``phi`` from it, ``b^2 = rho^2 + a^2 - 2 a rho cos(phi)`` and the
    tube's ``z`` integral is ``asinh(z2 / b) - asinh(z1 / b)``; ``rho = a (1 - s^2)`` and
    ``phi = pi t^2`` (Gauss rules ``so``, ``ws`` and ``to``, ``wt`` on [0, 1]) smooth the
    logarithmic singularity where the disk's rim meets the tube (``z1 = 0``)."""
    acc = 0.0
    cphi = np.empty(to.size)
    for j in range(to.size):
        cphi[j] = math.cos(math.pi * to[j] * to[j])
    for i in range(so.size):
        rho = a * (1.0 - so[i] * so[i])
        wi = ws[i] * 4.0 * so[i] * (1.0 - so[i] * so[i])        # 2 rho drho / a^2
        for j in range(to.size):
            b2 = rho * rho + a * a - 2.0 * a * rho * cphi[j]
            r2, r1 = math.sqrt(z2 * z2 + b2), math.sqrt(z1 * z1 + b2)
            f = math.log(_log_distance_sum(z2, r2, b2) / _log_distance_sum(z1, r1, b2))
            acc += wi * wt[j] * 2.0 * to[j] * f                   # dphi / pi = 2 t dt
    return acc / (z2 - z1)


@njit(**_JIT)
def cap_tables(cc: np.ndarray, cn: np.ndarray, ca: np.ndarray, a0: np.ndarray, d: np.ndarray, radius: np.ndarray,
               G: int, near_radii: float, so: np.ndarray, ws: np.ndarray, to: np.ndarray, wt: np.ndarray,
               so_far: np.ndarray, ws_far: np.ndarray, to_far: np.ndarray, wt_far: np.ndarray
               ) -> tuple[np.ndarray, np.ndarray]:
    """Static cap-segment moments: ``near[g, c, q]`` is True where segment ``q`` (its image
    for ``g = 1``) lies on the axis of cap ``c`` (centre ``cc``, outward normal ``cn``,
    radius ``ca``), with the cap's radius, within ``near_radii`` radii; there ``static``
    holds :func:`disk_tube_static` (else the cap is taken as a point charge), with the
    rules ``so``, ``ws``, ``to``, ``wt`` on a segment that touches the cap (the
    logarithmic rim singularity) and the cheaper ``*_far`` rules on the others (at least
    half a radius away, where 8 x 8 points are within 2e-6 of the converged integral)."""
    C, N = cc.shape[0], a0.shape[0]
    near = np.zeros((G, C, N), np.bool_)
    static = np.zeros((G, C, N))
    for g in range(G):
        mz = 1.0 - 2.0 * g
        for c in range(C):
            a = ca[c]
            for q in range(N):
                if abs(radius[q] - a) > 1e-9 * a:
                    continue
                s0x, s0y, s0z = a0[q, 0] - cc[c, 0], a0[q, 1] - cc[c, 1], mz * a0[q, 2] - cc[c, 2]
                dqx, dqy, dqz = d[q, 0], d[q, 1], mz * d[q, 2]
                Lq = math.sqrt(dqx ** 2 + dqy ** 2 + dqz ** 2)
                z1 = -(s0x * cn[c, 0] + s0y * cn[c, 1] + s0z * cn[c, 2])      # depth into the wire
                z2 = -((s0x + dqx) * cn[c, 0] + (s0y + dqy) * cn[c, 1] + (s0z + dqz) * cn[c, 2])
                par = abs(abs(dqx * cn[c, 0] + dqy * cn[c, 1] + dqz * cn[c, 2]) - Lq) <= 1e-9 * Lq
                off2 = s0x ** 2 + s0y ** 2 + s0z ** 2 - z1 * z1                  # start's offset from the axis
                if not par or off2 > 1e-12 * a * a + 1e-12 * Lq * Lq or min(abs(z1), abs(z2)) > near_radii * a:
                    continue
                lo, hi = min(z1, z2), max(z1, z2)
                near[g, c, q] = True
                if min(abs(lo), abs(hi)) < 0.25 * a:
                    static[g, c, q] = disk_tube_static(lo, hi, a, so, ws, to, wt)
                else:
                    static[g, c, q] = disk_tube_static(lo, hi, a, so_far, ws_far, to_far, wt_far)
    return near, static


@njit(**_JIT)
def cap_fill(k: float, Z: np.ndarray, cm: np.ndarray, cc: np.ndarray, cdel: np.ndarray, ca: np.ndarray,
             near: np.ndarray, static: np.ndarray, a0: np.ndarray, d: np.ndarray, radius: np.ndarray, G: int,
             seg_ptr: np.ndarray, part_basis: np.ndarray, part_type: np.ndarray, part_sigma: np.ndarray,
             uq: np.ndarray, wq: np.ndarray, eta0: float) -> None:
    """Add the end caps' charge to ``Z`` (in place) at wavenumber ``k``.

    Cap ``c`` belongs to basis function ``cm[c]`` and carries the charge of divergence
    sign ``cdel[c]`` (the opposite of its half on the wire), spread over a disk. Its
    scalar-potential coupling to every part on every segment (and image), and to every
    cap, is ``-j w mu / 4 pi / k^2 * delta delta' <G>``, as the charge term of
    :func:`fill`. ``<G>`` between a cap and a segment: the point-cap rule ``sum w
    exp(-jkR)/R`` over the segment (``R`` from the cap's centre, reduced by the segment's
    radius), with the static part replaced by :func:`disk_tube_static` on the cap's own
    axis; between two caps, the disk's ``16 / (3 pi a)`` and the expansion of its smooth
    part for a cap with itself, point charges otherwise.
    """
    C, N = cc.shape[0], a0.shape[0]
    cfac = k * eta0 / (4.0 * math.pi)
    for g in range(G):
        sgn = 1.0 - 2.0 * g
        chg = -cfac * sgn / (k * k)
        for c in range(C):
            for q in range(N):
                gr = 0.0
                gi = 0.0
                for j in range(uq.size):
                    x = a0[q, 0] + uq[j] * d[q, 0] - cc[c, 0]
                    y = a0[q, 1] + uq[j] * d[q, 1] - cc[c, 1]
                    z = sgn * (a0[q, 2] + uq[j] * d[q, 2]) - cc[c, 2]
                    r = math.sqrt(x * x + y * y + z * z + radius[q] * radius[q])
                    cr = math.cos(k * r)
                    if near[g, c, q]:
                        cr -= 1.0
                    gr += wq[j] * cr / r
                    gi -= wq[j] * math.sin(k * r) / r
                if near[g, c, q]:
                    gr += static[g, c, q]
                for b_i in range(seg_ptr[q], seg_ptr[q + 1]):
                    nb = part_basis[b_i]
                    w = chg * cdel[c] * part_sigma[b_i] * (2 * part_type[b_i] - 1)
                    z_ = complex(-w * gi, w * gr)                    # j w <G>
                    Z[cm[c], nb] += z_
                    Z[nb, cm[c]] += z_
            for e in range(C):
                if g == 0 and e == c:
                    a = ca[c]
                    gr = DISK_MEAN_INV_R / a - 0.5 * k * k * DISK_MEAN_R * a
                    gi = -k + k * k * k * a * a / 6.0
                else:
                    x = cc[e, 0] - cc[c, 0]
                    y = cc[e, 1] - cc[c, 1]
                    z = sgn * cc[e, 2] - cc[c, 2]
                    r = math.sqrt(x * x + y * y + z * z + 0.5 * (ca[c] ** 2 + ca[e] ** 2))
                    gr, gi = math.cos(k * r) / r, -math.sin(k * r) / r
                w = chg * cdel[c] * cdel[e]
                Z[cm[c], cm[e]] += complex(-w * gi, w * gr)
