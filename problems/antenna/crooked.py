"""``antenna-crooked-wire``: Altshuler's crooked-wire antenna for hemispherical CP coverage.

After E. E. Altshuler and D. S. Linden, "Wire-antenna designs using genetic algorithms",
IEEE Antennas and Propagation Magazine 39(2), 33-43, 1997: ``n_wires`` (5-7) straight
wires connected in series, starting at the ground plane (where the source is), with
every junction point inside a cube of side half a wavelength standing on the ground
plane (``|x|, |y| <= lambda/4``, ``0 < z <= lambda/2``), at ``f0`` (1600 MHz by default,
as in the paper). The genome is the real vector of the ``n_wires`` end points, as
fractions of the cube.

Objectives at ``f0``: the worst RHCP gain (dBic, maximised) over the coverage ``theta <=
theta_max`` (10 degrees above the horizon by default) at every azimuth, and the VSWR
against ``z0`` (minimised). Constraint ``geometry``, a **penalty** (not a repair): a
design whose wires come closer than ``clearance`` without meeting at a joint, are
shorter than ``min_length``, or meet at a joint under ``min_angle`` gets the summed
shortfall (metres and radians) as its violation and is not simulated.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np

from gadesign.errors import ConfigError
from gadesign.genomes.real import RealVector
from gadesign.problem import Evaluation, Objective
from gadesign_problems.antenna.units import C0, F0_RANGE
from gadesign_problems.antenna.wires import Antenna, PatternRequest, Source, wires_from_points


class CrookedWireProblem:
    """Crooked-wire antenna over ground: worst RHCP gain over the upper hemisphere and VSWR."""

    name = "antenna-crooked-wire"

    def __init__(self, n_wires: int = 7, f0: float = 1600e6, theta_max: float = 80.0, z0: float = 50.0,
                 wire_radius: float = 0.0005, step_deg: float = 10.0) -> None:
        if not 5 <= n_wires <= 7:
            raise ConfigError(f"antenna-crooked-wire: n_wires must be 5..7, got {n_wires}")
        if not (math.isfinite(f0) and F0_RANGE[0] <= f0 <= F0_RANGE[1] and 0 < theta_max <= 90 and math.isfinite(z0) and z0 > 0
                and math.isfinite(wire_radius) and wire_radius > 0 and step_deg > 0):
            raise ConfigError("antenna-crooked-wire: need 1 Hz <= f0 <= 1e18 Hz, 0 < theta_max <= 90, z0 > 0 and "
                              "wire_radius > 0, all finite")
        if 4.0 * wire_radius >= 0.03 * C0 / f0:
            raise ConfigError(f"antenna-crooked-wire: wire_radius {wire_radius:g} m is too thick at {f0 / 1e6:g} MHz: "
                              f"the shortest wire (0.03 wavelengths, {0.03 * C0 / f0:.3g} m) must be longer than the "
                              "4 radii it keeps from other wires; no design could be built")
        self.n, self.f0, self.theta_max, self.z0 = int(n_wires), float(f0), float(theta_max), float(z0)
        self.wavelength = C0 / self.f0
        self.wire_radius = float(wire_radius)
        self.min_length = 0.03 * self.wavelength
        self.clearance = max(4.0 * wire_radius, 0.01 * self.wavelength)
        self.min_angle = math.radians(20.0)
        self.max_segment = self.wavelength / 15.0
        lo = np.tile([-1.0, -1.0, 0.02], self.n)
        hi = np.tile([1.0, 1.0, 1.0], self.n)
        self.genome = RealVector(lo, hi)
        self.objectives = (Objective("min_rhcp_gain", "max", "dBic"), Objective("vswr", "min", ""))
        self.constraints = ("geometry",)
        self.defaults = {"algorithm": "nsga2", "pop": 60, "generations": 60, "checkpoint_every": 10}
        self.reference_point = (-40.0, 100.0)
        self.description = "Altshuler crooked-wire antenna over ground: hemispherical RHCP coverage and VSWR"
        th = np.arange(0.0, self.theta_max + 1e-9, step_deg)
        ph = np.arange(0.0, 360.0 - 1e-9, step_deg)
        tt, pp = np.meshgrid(th, ph, indexing="ij")
        self._theta, self._phi = tt.ravel(), pp.ravel()

    def points(self, x: np.ndarray) -> np.ndarray:
        """(n + 1, 3) polyline points (m), the first at the origin on the ground."""
        x = self.genome.repair(np.asarray(x, float)).reshape(self.n, 3)
        q = self.wavelength / 4.0
        pts = np.column_stack([x[:, 0] * q, x[:, 1] * q, x[:, 2] * 2.0 * q])
        return np.vstack([np.zeros(3), pts])

    def geometry_violation(self, pts: np.ndarray) -> float:
        """Summed shortfall of wire length, clearance and joint angle (0 = buildable)."""
        a, b = pts[:-1], pts[1:]
        d = b - a
        L = np.linalg.norm(d, axis=1)
        v = float(np.maximum(self.min_length - L, 0.0).sum())
        u = d / np.maximum(L, 1e-12)[:, None]
        cos_joint = -np.einsum("ij,ij->i", u[:-1], u[1:])       # angle between the two wires at a joint
        v += float(np.maximum(np.arccos(np.clip(cos_joint, -1, 1)) * -1 + self.min_angle, 0.0).sum())
        i, j = np.triu_indices(len(a), 2)                      # non-adjacent wire pairs
        if len(i):
            from gadesign_problems.antenna.kernels import segment_distances

            dist = segment_distances(a[i], b[i], a[j], b[j])
            v += float(np.maximum(self.clearance - dist, 0.0).sum())
        return v

    def decode(self, x: np.ndarray) -> Antenna:
        pts = self.points(x)
        L = np.linalg.norm(np.diff(pts, axis=0), axis=1)
        segs = [max(1, math.ceil(l / self.max_segment)) for l in L]
        wires = wires_from_points(pts, self.wire_radius, segs, tag=1)
        return Antenna(wires=wires, sources=(Source(1, 1, 1.0),), ground=True, frequencies=(self.f0,),
                       patterns=(PatternRequest(19, 73, 0.0, 0.0, 5.0, 5.0),),
                       comments=(f"gadesign antenna-crooked-wire: {self.n} wires over PEC ground, "
                                 f"f0 = {self.f0 / 1e6:g} MHz",))

    def evaluate(self, x: np.ndarray) -> Evaluation:
        from gadesign_problems.antenna.units import db
        from gadesign_problems.antenna.st5 import blas_single_thread

        violation = self.geometry_violation(self.points(x))
        if violation > 0:
            return Evaluation((-40.0, 100.0), (float(f"{violation:.10g}"),), {"reason": "geometry penalty"})
        ant = self.decode(x)
        with blas_single_thread():
            sol = ant.solve([self.f0])
            rhcp = np.maximum(db(sol.gain_components(self._theta, self._phi)["rhcp"][0]), -40.0)
            vswr = float(min(sol.vswr(self.z0)[0, 0], 100.0))
        z = sol.impedance[0, 0]
        from gadesign_problems.antenna.st5 import stable

        return Evaluation((stable(rhcp.min()), stable(vswr)), (0.0,),
                          {"min_rhcp_dbic": float(rhcp.min()), "mean_rhcp_dbic": float(rhcp.mean()),
                           "vswr": vswr, "impedance_ohm": [float(z.real), float(z.imag)]})

    def summary(self, x: np.ndarray, evaluation: Evaluation) -> dict[str, Any]:
        i = evaluation.info
        if "min_rhcp_dbic" not in i:
            return {"reason": i.get("reason")}
        return {"min_rhcp_dbic": round(i["min_rhcp_dbic"], 2), "vswr": round(i["vswr"], 3)}

    def report_figures(self, x: np.ndarray, evaluation: Evaluation) -> list[tuple[str, Any]]:
        """Pictures for ``gadesign report``: geometry with currents, pattern cuts, VSWR."""
        from gadesign_problems.antenna.report import antenna_figures

        return antenna_figures(self, x, evaluation, sweep=np.linspace(0.8 * self.f0, 1.2 * self.f0, 41),
                               frequencies=[self.f0], z0=self.z0)

    def export(self, x: np.ndarray, evaluation: Evaluation, directory: Path, stem: str) -> list[Path]:
        from gadesign_problems.antenna.export import export_design

        if evaluation.violations and evaluation.violations[0] > 0:
            return []
        return export_design(self.decode(x), directory, stem,
                             sweep=np.linspace(0.8 * self.f0, 1.2 * self.f0, 41),
                             pattern_frequencies=[self.f0], z0=self.z0)


def antenna_crooked_wire(n_wires: int = 7, f0_mhz: float = 1600.0, theta_max: float = 80.0,
                         z0: float = 50.0, wire_radius: float = 0.0005) -> CrookedWireProblem:
    """Altshuler crooked-wire antenna (5-7 wires in a half-wavelength cube over ground): hemispherical RHCP coverage.

    ``n_wires``: 5..7 straight wires in series. ``f0_mhz``: frequency, MHz. ``theta_max``:
    RHCP gain is checked from zenith down to this angle, degrees. ``z0``: reference
    impedance, ohm. ``wire_radius``: m.
    """
    return CrookedWireProblem(n_wires=n_wires, f0=f0_mhz * 1e6, theta_max=theta_max, z0=z0, wire_radius=wire_radius)
