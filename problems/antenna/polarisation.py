"""Polarisation of a far field: circular components and axial ratio (IEEE Std 145).

Fields are the complex phasors ``r E_theta``, ``r E_phi`` (V) of the ``exp(+j w t)`` time
convention (NEC's and ours), in the spherical unit vectors of the direction of propagation
``r``. Looking along ``r`` (from behind the wave), ``theta_hat x phi_hat = r_hat``, so a
field ``E_phi = -j E_theta`` rotates from ``theta_hat`` towards ``phi_hat``: clockwise for an
observer looking along the propagation, i.e. right-handed about ``r`` -- IEEE
right-hand circular polarisation (RHCP). The circular components are

    E_R = (E_theta + j E_phi) / sqrt(2),    E_L = (E_theta - j E_phi) / sqrt(2),

with ``|E_R|^2 + |E_L|^2 = |E_theta|^2 + |E_phi|^2`` (power splits exactly), and the axial
ratio of the polarisation ellipse (major over minor axis, >= 1) is

    AR = (|E_R| + |E_L|) / | |E_R| - |E_L| |,

1 (0 dB) for pure circular, infinite for linear polarisation (equal components).
"""

from __future__ import annotations

import numpy as np


def circular_components(e_theta: np.ndarray, e_phi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(E_R, E_L)``: the right- and left-hand circular components (IEEE) of the field."""
    e_theta = np.asarray(e_theta, complex)
    e_phi = np.asarray(e_phi, complex)
    return (e_theta + 1j * e_phi) / np.sqrt(2.0), (e_theta - 1j * e_phi) / np.sqrt(2.0)


def axial_ratio(e_theta: np.ndarray, e_phi: np.ndarray) -> np.ndarray:
    """Axial ratio (major / minor axis, linear, >= 1; ``inf`` for linear polarisation)."""
    er, el = circular_components(e_theta, e_phi)
    a, b = np.abs(er), np.abs(el)
    with np.errstate(divide="ignore", invalid="ignore"):
        ar = (a + b) / np.abs(a - b)
    return np.where(a + b > 0.0, ar, np.inf)


def axial_ratio_db(e_theta: np.ndarray, e_phi: np.ndarray) -> np.ndarray:
    """Axial ratio in dB, ``20 log10 AR`` (0 for circular, ``inf`` for linear)."""
    with np.errstate(divide="ignore"):
        return 20.0 * np.log10(axial_ratio(e_theta, e_phi))


def sense(e_theta: np.ndarray, e_phi: np.ndarray) -> np.ndarray:
    """+1 where the field is right-handed (IEEE), -1 left-handed, 0 linear."""
    er, el = circular_components(e_theta, e_phi)
    return np.sign(np.abs(er) - np.abs(el)).astype(int)
