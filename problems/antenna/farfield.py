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

import numpy as np

from problems.antenna.mesh import MIRROR

ETA0 = 4e-7 * np.pi * 299_792_458.0


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


def segment_factors(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``sin(x)/x`` and ``(sin x - x cos x) / (2 x^2)`` (series near 0)."""
    sx, cx = np.sin(x), np.cos(x)
    small = np.abs(x) < 1e-2
    xs = np.where(small, 1.0, x)
    s = np.where(small, 1.0 - x * x / 6.0, sx / xs)
    w = np.where(small, x / 6.0 - x ** 3 / 60.0, (sx - x * cx) / (2.0 * xs * xs))
    return s, w


def far_field(center: np.ndarray, tangent: np.ndarray, length: np.ndarray, ia: np.ndarray,
              ib: np.ndarray, k: float, theta_deg: np.ndarray, phi_deg: np.ndarray,
              ground: bool) -> tuple[np.ndarray, np.ndarray]:
    """``(E_theta, E_phi)``, each (C, D): ``r E`` in volts (phase ``exp(-j k r)``
    removed) for C current sets ``ia``/``ib`` ((C, N) currents in A along the tangents
    at segment starts/ends) towards D directions."""
    rh, th, ph = directions(theta_deg, phi_deg)
    ia, ib = np.atleast_2d(ia), np.atleast_2d(ib)
    if ground:
        center = np.concatenate([center, center * MIRROR])
        tangent = np.concatenate([tangent, tangent * MIRROR])
        length = np.concatenate([length, length])
        ia, ib = np.concatenate([ia, -ia], axis=1), np.concatenate([ib, -ib], axis=1)
    x = (0.5 * k) * (rh @ (tangent * length[:, None]).T)                      # (D, N)
    s, w = segment_factors(x)
    kc = k * (rh @ center.T)
    phase = np.cos(kc) + 1j * np.sin(kc)
    c0 = 0.5 * (ia + ib) * length                                            # (C, N)
    c1 = 1j * (ib - ia) * length
    # N[c, d, :] = sum_n phase[d, n] (s[d, n] c0[c, n] + w[d, n] c1[c, n]) t[n, :]
    ps, pw = phase * s, phase * w
    nt = (ps[None] * c0[:, None, :] + pw[None] * c1[:, None, :]) @ tangent    # (C, D, 3)
    fac = -1j * k * ETA0 / (4.0 * np.pi)
    e_th = fac * np.einsum("cdk,dk->cd", nt, th)
    e_ph = fac * np.einsum("cdk,dk->cd", nt, ph)
    if ground:
        below = np.broadcast_to(np.asarray(theta_deg, float), np.broadcast(theta_deg, phi_deg).shape).ravel() > 90.0
        e_th[:, below] = 0.0
        e_ph[:, below] = 0.0
    return e_th, e_ph


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


def db(x: np.ndarray, floor_db: float = -999.99) -> np.ndarray:
    """10 log10(x), with NEC's -999.99 for zero (no field)."""
    with np.errstate(divide="ignore"):
        return np.maximum(10.0 * np.log10(np.asarray(x, float)), floor_db)
