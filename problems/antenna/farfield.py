"""Far field of the MoM currents: radiation vector, polarisation, sphere quadrature.

With time dependence ``exp(+j w t)`` the far field is
``r E(r) exp(+j k r) = -j k eta / (4 pi) [N - (N . r^) r^]``, the radiation vector
``N(r^) = int I(l) t(l) exp(j k r^ . r(l)) dl`` over the wire axes (and over their images
``-M I`` at ``M r``, ``M = diag(1, 1, -1)``, with a PEC ground, where only the upper
half-space ``theta <= 90 deg`` exists). On a segment the current is linear between its
end values ``Ia``, ``Ib``, so with ``x = k L (r^ . t) / 2`` the segment integral is exact:
``L exp(j k r^ . c) [(Ia + Ib)/2 sin(x)/x + j (Ib - Ia) (sin x - x cos x) / (2 x^2)]``.

Circular polarisation (IEEE): ``E_R = (E_theta + j E_phi)/sqrt 2`` is right-hand
(``theta^ - j phi^`` rotates counter-clockwise seen from the receiver, i.e. clockwise
looking along propagation), ``E_L = (E_theta - j E_phi)/sqrt 2``.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from gadesign_problems.antenna import kernels
from gadesign_problems.antenna.units import ETA0


def directions(theta_deg: np.ndarray, phi_deg: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Unit vectors r^, theta^, phi^ (each (D, 3)) for angles in degrees (broadcast)."""
    th, ph = np.broadcast_arrays(np.radians(np.asarray(theta_deg, float)),
                                 np.radians(np.asarray(phi_deg, float)))
    th, ph = th.ravel(), ph.ravel()
    st, ct, sp, cp = np.sin(th), np.cos(th), np.sin(ph), np.cos(ph)
    r = np.stack([st * cp, st * sp, ct], axis=1)
    t = np.stack([ct * cp, ct * sp, -st], axis=1)
    p = np.stack([-sp, cp, np.zeros_like(sp)], axis=1)
    return r, t, p


def far_field(center: np.ndarray, tangent: np.ndarray, length: np.ndarray, ia: np.ndarray,
              ib: np.ndarray, k: float, theta_deg: np.ndarray, phi_deg: np.ndarray,
              ground: bool) -> tuple[np.ndarray, np.ndarray]:
    """``(E_theta, E_phi)``, each (C, D): ``r E`` in volts (phase ``exp(-j k r)``
    removed) for C current sets ``ia``/``ib`` ((C, N) currents in A along the tangents
    at segment starts/ends) towards D directions."""
    rh, th, ph = directions(theta_deg, phi_deg)
    ia = np.ascontiguousarray(np.atleast_2d(ia), dtype=complex)
    ib = np.ascontiguousarray(np.atleast_2d(ib), dtype=complex)
    reach = float(k * (np.sqrt((center ** 2).sum(axis=1)) + length).max())
    nt = _radiation_vector(np.ascontiguousarray(center, float), np.ascontiguousarray(tangent, float),
                           np.ascontiguousarray(length, float), ia, ib, float(k), rh, bool(ground),
                           reach < kernels.SINCOS_LIMIT)                      # (C, D, 3)
    fac = -1j * k * ETA0 / (4.0 * np.pi)
    e_th = fac * np.einsum("cdk,dk->cd", nt, th)
    e_ph = fac * np.einsum("cdk,dk->cd", nt, ph)
    if ground:
        below = np.broadcast_to(np.asarray(theta_deg, float), np.broadcast(theta_deg, phi_deg).shape).ravel() > 90.0
        e_th[:, below] = 0.0
        e_ph[:, below] = 0.0
    return e_th, e_ph


@njit(cache=True, nogil=True)
def _radiation_vector(center: np.ndarray, tangent: np.ndarray, length: np.ndarray, ia: np.ndarray, ib: np.ndarray,
                      k: float, rh: np.ndarray, ground: bool, inlined_sincos: bool) -> np.ndarray:
    """(C, D, 3) radiation vectors ``N(r^) = sum over segments (and their images
    ``-M I`` at ``M r``) of L exp(j k r^ . c) [(Ia + Ib)/2 sin(x)/x + j (Ib - Ia)
    (sin x - x cos x) / (2 x^2)] t``, ``x = k L (r^ . t) / 2`` (a series below
    ``|x| = 1e-2``)."""
    C, N, D = ia.shape[0], ia.shape[1], rh.shape[0]
    out = np.zeros((C, D, 3), np.complex128)
    for d in range(D):
        for g in range(2 if ground else 1):
            mz = 1.0 - 2.0 * g                   # image: M r, tangent M t, current -I
            for n in range(N):
                tx, ty, tz = tangent[n, 0], tangent[n, 1], mz * tangent[n, 2]
                x = 0.5 * k * length[n] * (rh[d, 0] * tx + rh[d, 1] * ty + rh[d, 2] * tz)
                kc = k * (rh[d, 0] * center[n, 0] + rh[d, 1] * center[n, 1] + rh[d, 2] * mz * center[n, 2])
                if inlined_sincos:
                    sx, cx = kernels.sincos(x)
                    sk, ck = kernels.sincos(kc)
                else:
                    sx, cx, sk, ck = math.sin(x), math.cos(x), math.sin(kc), math.cos(kc)
                if abs(x) < 1e-2:
                    f0, f1 = 1.0 - x * x / 6.0, x / 6.0 - x ** 3 / 60.0
                else:
                    f0, f1 = sx / x, (sx - x * cx) / (2.0 * x * x)
                phase = complex(ck, sk) * (mz * length[n])
                for c in range(C):
                    v = phase * (0.5 * f0 * (ia[c, n] + ib[c, n]) + 1j * f1 * (ib[c, n] - ia[c, n]))
                    out[c, d, 0] += v * tx
                    out[c, d, 1] += v * ty
                    out[c, d, 2] += v * tz
    return out


def sphere_rule(n_theta: int, upper_only: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(theta, phi) in degrees and weights summing to 1 for averaging over the sphere
    (or the upper hemisphere): Gauss-Legendre in cos(theta) times the trapezoid rule in
    phi, exact for band-limited patterns of degree < 2 n_theta."""
    x, w = np.polynomial.legendre.leggauss(n_theta)
    if upper_only:
        x, w = 0.5 * (x + 1.0), 0.5 * w
    n_phi = 2 * n_theta
    th = np.degrees(np.arccos(x))
    ph = 360.0 * np.arange(n_phi) / n_phi
    tt, pp = np.meshgrid(th, ph, indexing="ij")
    ww = np.repeat(w / w.sum() / n_phi, n_phi)
    return tt.ravel(), pp.ravel(), ww
