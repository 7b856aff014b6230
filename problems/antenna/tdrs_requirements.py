"""The TDRS-C phased-array element requirements and how a design is scored against them.

Published requirements (A. Globus, D. Linden, J. Lohn, "Evolutionary Design of a Phased
Array Antenna Element", NASA Ames Research Center; the element of the 46-element S-band
array of TDRS-C, triangular lattice of about two wavelengths):

* circular polarisation (either sense) with gain > 15 dBic on boresight and > 10 dBic out
  to 20 degrees off boresight;
* gain < 5 dBic in every direction more than 30 degrees off boresight;
* axial ratio <= 5 dB over the field of view, 0-20 degrees;
* both bands with one element: 2030-2113.5 MHz and 2200-2300 MHz;
* 50 ohm input; VSWR limit ours (the publication gives none we could read): **2.0**, the
  usual limit of an array element -- |Gamma| <= 1/3, at most 11 % of the power reflected,
  0.51 dB mismatch loss (our gains are NEC's power gain ``4 pi U / P_in``, before mismatch);
  for the two-port crossed Yagi the limit holds at each port with the other one driven
  (the *active* VSWR the port sees in operation, from ``Solution.impedance``);
* footprint within the element's cell of the 2-lambda triangular lattice: we take the
  circle inscribed in the hexagonal cell, radius ``lambda`` at the highest frequency
  (2300 MHz, the smallest cell), a conservative reading.

Our reading of "gain < 5 dBic" beyond 30 degrees is the larger of the two circular
components (a side lobe of either sense counts); the gain requirements inside 20 degrees
and the axial ratio are on the design's own sense.

Scoring (all in dB except VSWR; each a *worst case* over the sampled frequencies and
directions, positive = requirement missed by that much, negative = margin), against the
design targets -- the requirements tightened by the design margins:

``boresight``  max_f (15 + m_g - G_co(0))
``fov``        max over f, theta <= 20 deg, phi of (10 + m_g - G_co)
``sidelobe``   max over f, theta >= 30 deg, phi of (max(G_R, G_L) - (5 - m_g))
``axial_ratio`` max over f, theta <= 20 deg, phi of (AR_dB - (5 - m_ar))
``vswr``       max over f and ports of VSWR / (2.0 - m_v)  (<= 1 met)

The constraint ``requirements`` is the sum of the positive parts, with the VSWR term as
``20 log10`` of its ratio: 0 exactly when every design target holds.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gadesign_problems.antenna.units import C0

TDRS_BANDS_HZ = ((2030e6, 2113.5e6), (2200e6, 2300e6))
TDRS_BORESIGHT_DBIC = 15.0
TDRS_FOV_DBIC = 10.0
TDRS_FOV_DEG = 20.0
TDRS_SIDELOBE_DBIC = 5.0
TDRS_SIDELOBE_DEG = 30.0
TDRS_AXIAL_RATIO_DB = 5.0
TDRS_VSWR = 2.0
TDRS_LATTICE_WAVELENGTHS = 2.0
GAIN_FLOOR_DB = -40.0
AR_CAP_DB = 40.0
OBJECTIVE_NAMES = ("boresight", "fov", "sidelobe", "axial_ratio", "vswr")


@dataclass(frozen=True)
class TdrsRequirements:
    """Requirements, sampling and design margins (``gain_margin_db`` on every gain
    limit, ``ar_margin_db`` below the AR limit, ``vswr_margin`` below the VSWR limit)."""

    bands: tuple[tuple[float, float], ...] = TDRS_BANDS_HZ
    boresight_dbic: float = TDRS_BORESIGHT_DBIC
    fov_dbic: float = TDRS_FOV_DBIC
    fov_deg: float = TDRS_FOV_DEG
    sidelobe_dbic: float = TDRS_SIDELOBE_DBIC
    sidelobe_deg: float = TDRS_SIDELOBE_DEG
    axial_ratio_db: float = TDRS_AXIAL_RATIO_DB
    vswr: float = TDRS_VSWR
    z0: float = 50.0
    lattice_wavelengths: float = TDRS_LATTICE_WAVELENGTHS
    sense: int = 1                       # +1 RHCP, -1 LHCP (IEEE)
    points_per_band: int = 3
    theta_step: float = 5.0
    phi_step: float = 15.0
    gain_margin_db: float = 0.0
    ar_margin_db: float = 0.0
    vswr_margin: float = 0.0

    @property
    def centre_hz(self) -> float:
        return 0.5 * (self.bands[0][0] + self.bands[-1][1])

    @property
    def cell_radius_m(self) -> float:
        """Radius (m) of the circle inscribed in the hexagonal lattice cell (spacing
        ``lattice_wavelengths`` wavelengths at the highest frequency)."""
        return 0.5 * self.lattice_wavelengths * C0 / max(b[1] for b in self.bands)

    def frequencies(self, points_per_band: int | None = None) -> np.ndarray:
        """(F,) sampled frequencies (Hz): ``points_per_band`` evenly over each band, edges included."""
        n = self.points_per_band if points_per_band is None else int(points_per_band)
        return np.concatenate([np.linspace(lo, hi, n) for lo, hi in self.bands])

    def directions(self, theta_step: float | None = None, phi_step: float | None = None
                   ) -> tuple[np.ndarray, np.ndarray]:
        """Upper-hemisphere (theta, phi) grid in degrees, theta-major."""
        dt = self.theta_step if theta_step is None else float(theta_step)
        dp = self.phi_step if phi_step is None else float(phi_step)
        th = np.arange(0.0, 90.0 + 1e-9, dt)
        ph = np.arange(0.0, 360.0 - 1e-9, dp)
        tt, pp = np.meshgrid(th, ph, indexing="ij")
        return tt.ravel(), pp.ravel()

    def score(self, theta: np.ndarray, co_dbic: np.ndarray, cross_dbic: np.ndarray, ar_db: np.ndarray,
              vswr: np.ndarray, margins: bool = True) -> dict[str, float]:
        """The five worst-case objectives (see module doc) from the sampled directions
        ``theta`` (D,) degrees, co- and cross-polar gains (dBic) and AR (dB), each (F, D),
        and VSWR (F, S); ``margins=False`` scores against the bare requirements."""
        mg = self.gain_margin_db if margins else 0.0
        ma = self.ar_margin_db if margins else 0.0
        mv = self.vswr_margin if margins else 0.0
        theta = np.asarray(theta, float)
        co = np.maximum(np.asarray(co_dbic, float), GAIN_FLOOR_DB)
        cross = np.maximum(np.asarray(cross_dbic, float), GAIN_FLOOR_DB)
        ar = np.minimum(np.asarray(ar_db, float), AR_CAP_DB)
        bore, fov, side = theta <= 1e-9, theta <= self.fov_deg + 1e-9, theta >= self.sidelobe_deg - 1e-9
        if not (bore.any() and side.any()):
            raise ValueError("the sampled directions need boresight and theta >= the side-lobe angle")
        ratio = np.asarray(vswr, float) / (self.vswr - mv)
        ratio = np.where(np.isfinite(ratio), ratio, 1e6)
        return {"boresight": float((self.boresight_dbic + mg - co[:, bore]).max()),
                "fov": float((self.fov_dbic + mg - co[:, fov]).max()),
                "sidelobe": float((np.maximum(co, cross)[:, side] - (self.sidelobe_dbic - mg)).max()),
                "axial_ratio": float((ar[:, fov] - (self.axial_ratio_db - ma)).max()),
                "vswr": float(ratio.max())}


def violation(objectives: dict[str, float]) -> float:
    """Sum of the dB shortfalls plus ``20 log10`` of the VSWR ratio above 1 (0 = met)."""
    v = sum(max(0.0, objectives[k]) for k in OBJECTIVE_NAMES[:4])
    return float(v + 20.0 * np.log10(max(1.0, objectives["vswr"])))
