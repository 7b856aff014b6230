"""``antenna-yagi``: a 3-6 element Yagi-Uda array, element lengths and spacings.

The classic benchmark of wire-antenna optimisation. Elements are parallel to ``z``,
centred on the boom (the ``x`` axis), in free space: element 1 is the reflector at
``x = 0``, element 2 the driven element (fed at its centre), elements 3... directors;
forward is ``+x``. The genome is a real vector (all in wavelengths at the centre
frequency ``f0``): the ``n`` element half-lengths, then the ``n - 1`` spacings. The
element diameter defaults to ``d / lambda = 0.0085``, the value of NBS Technical Note 688
(P. P. Viezbicke, "Yagi Antenna Design", 1976), whose tables give optimised gains to
compare with (e.g. 3 elements on a 0.4-lambda boom: 7.1 dBd = 9.2 dBi).

Objectives: forward gain (dBi, towards ``+x``, maximised) and front-to-back ratio (dB,
gain towards ``+x`` over gain towards ``-x``, maximised), both at ``f0``. Constraint
``vswr``: ``sum_f max(0, VSWR_f - vswr_max)`` over ``band_points`` frequencies spread over
``f0 (1 +- band / 2)`` (50 ohm).
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
from gadesign_problems.antenna.wires import Antenna, PatternRequest, Source, Wire


class YagiProblem:
    """Maximise forward gain and front-to-back ratio of a Yagi with VSWR <= 2 over a band."""

    name = "antenna-yagi"

    def __init__(self, elements: int = 3, f0: float = 300e6, band: float = 0.02, band_points: int = 3,
                 vswr_max: float = 2.0, z0: float = 50.0, diameter_wl: float = 0.0085,
                 segments: int = 11, defaults: dict[str, Any] | None = None) -> None:
        if not 3 <= elements <= 6:
            raise ConfigError(f"antenna-yagi: elements must be 3..6, got {elements}")
        if not (f0 > 0 and 0 <= band < 0.5 and band_points >= 1 and vswr_max > 1 and z0 > 0):
            raise ConfigError("antenna-yagi: need f0 > 0, 0 <= band < 0.5, band_points >= 1, vswr_max > 1, z0 > 0")
        if segments < 3 or segments % 2 == 0:
            raise ConfigError("antenna-yagi: segments per element must be odd and >= 3 (centre feed)")
        if not (math.isfinite(vswr_max) and math.isfinite(z0)):
            raise ConfigError("antenna-yagi: vswr_max and z0 must be finite")
        if not F0_RANGE[0] <= f0 <= F0_RANGE[1]:  # far outside, the lengths in metres over- or underflow
            raise ConfigError(f"antenna-yagi: f0 must be between {F0_RANGE[0] / 1e6:g} and {F0_RANGE[1] / 1e6:g} MHz, "
                              f"got {f0 / 1e6:g} MHz")
        if not (math.isfinite(diameter_wl) and diameter_wl > 0):
            raise ConfigError(f"antenna-yagi: diameter_wl must be a positive number of wavelengths, got {diameter_wl}")
        self.n = int(elements)
        self.f0, self.band, self.vswr_max, self.z0 = float(f0), float(band), float(vswr_max), float(z0)
        self.wavelength = C0 / self.f0
        self.radius = 0.5 * diameter_wl * self.wavelength
        self.segments = int(segments)
        self.frequencies = (self.f0 * (1.0 + self.band * np.linspace(-0.5, 0.5, band_points))
                            if band_points > 1 else np.array([self.f0]))
        lo = [0.20] * self.n + [0.05] * (self.n - 1)
        hi = [0.30] * self.n + [0.45] * (self.n - 1)
        self.genome = RealVector(lo, hi)
        self.objectives = (Objective("forward_gain", "max", "dBi"), Objective("front_to_back", "max", "dB"))
        self.constraints = ("vswr",)
        self.defaults = dict(defaults or {"algorithm": "nsga2", "pop": 60, "generations": 60, "checkpoint_every": 10})
        self.reference_point = (0.0, 0.0)
        self.description = f"{self.n}-element Yagi-Uda: forward gain and F/B, VSWR <= {vswr_max:g} over the band"
        self._check_geometry(diameter_wl)

    def _check_geometry(self, diameter_wl: float) -> None:
        """ConfigError now, before any run, when the extreme designs (shortest elements
        closest together, longest farthest apart) are not valid wire structures: every
        design would fail (elements touching, segments shorter than the radius, too many
        segments), which showed only at the end of the run."""
        from gadesign_problems.antenna.wires import GeometryError

        for corner, x in (("shortest, closest", self.genome.lower), ("longest, farthest", self.genome.upper)):
            try:
                self.decode(x)
            except GeometryError as exc:
                raise ConfigError(f"antenna-yagi: diameter_wl={diameter_wl:g} with segments={self.segments} "
                                  f"gives no valid antenna ({corner} elements: {exc})") from None

    def decode(self, x: np.ndarray) -> Antenna:
        x = self.genome.repair(np.asarray(x, float))
        lam = self.wavelength
        half = x[: self.n] * lam
        pos = np.concatenate([[0.0], np.cumsum(x[self.n:])]) * lam
        wires = tuple(Wire((float(p), 0.0, float(-h)), (float(p), 0.0, float(h)), self.radius, self.segments, i + 1)
                      for i, (p, h) in enumerate(zip(pos, half)))
        return Antenna(wires=wires, sources=(Source(2, self.segments // 2 + 1, 1.0),),
                       frequencies=tuple(float(f) for f in self.frequencies),
                       patterns=(PatternRequest(37, 73, 0.0, 0.0, 5.0, 5.0),),
                       comments=(f"gadesign antenna-yagi: {self.n} elements along +x, f0 = {self.f0 / 1e6:g} MHz",))

    def measure(self, x: np.ndarray) -> dict[str, Any]:
        from gadesign_problems.antenna.units import db
        from gadesign_problems.antenna.st5 import blas_single_thread

        ant = self.decode(x)
        f = np.unique(np.concatenate([self.frequencies, [self.f0]]))
        with blas_single_thread():
            sol = ant.solve(f)
            g = db(sol.gain(np.array([90.0, 90.0]), np.array([0.0, 180.0])))
            vswr = sol.vswr(self.z0)[:, 0]
        i0 = int(np.argmin(np.abs(f - self.f0)))
        z = sol.impedance[i0, 0]
        band_vswr = vswr[np.isin(f, self.frequencies)]
        return {"forward_gain_dbi": float(g[i0, 0]), "front_to_back_db": float(g[i0, 0] - g[i0, 1]),
                "vswr_f0": float(vswr[i0]), "vswr_band_max": float(band_vswr.max()),
                "impedance_ohm": [float(z.real), float(z.imag)],
                "vswr_per_frequency": [float(v) for v in band_vswr],
                "boom_wavelengths": float(np.sum(np.asarray(x)[self.n:]))}

    def evaluate(self, x: np.ndarray) -> Evaluation:
        m = self.measure(x)
        band = [min(v, 1e6) for v in m["vswr_per_frequency"]]
        violation = float(sum(max(0.0, v - self.vswr_max) for v in band))
        from gadesign_problems.antenna.st5 import stable

        return Evaluation((stable(m["forward_gain_dbi"]), stable(m["front_to_back_db"])), (stable(violation),), m)

    def summary(self, x: np.ndarray, evaluation: Evaluation) -> dict[str, Any]:
        i = evaluation.info
        if i.get("failed"):
            return {"reason": i.get("reason")}
        return {"gain_dbi": round(i["forward_gain_dbi"], 2), "f/b_db": round(i["front_to_back_db"], 2),
                "vswr": " ".join(f"{v:.3f}" for v in i["vswr_per_frequency"]),
                "boom_wl": round(i["boom_wavelengths"], 3)}

    def report_figures(self, x: np.ndarray, evaluation: Evaluation) -> list[tuple[str, Any]]:
        """Pictures for ``gadesign report``: geometry with currents, pattern cuts, VSWR."""
        from gadesign_problems.antenna.report import antenna_figures

        return antenna_figures(self, x, evaluation, sweep=np.linspace(0.9 * self.f0, 1.1 * self.f0, 41),
                               frequencies=[self.f0], z0=self.z0,
                               vswr_marks=[(float(f), self.vswr_max) for f in self.frequencies])

    def export(self, x: np.ndarray, evaluation: Evaluation, directory: Path, stem: str) -> list[Path]:
        from gadesign_problems.antenna.export import export_design

        return export_design(self.decode(x), directory, stem,
                             sweep=np.linspace(0.9 * self.f0, 1.1 * self.f0, 41),
                             pattern_frequencies=[self.f0], z0=self.z0,
                             vswr_marks=[(float(f), self.vswr_max) for f in self.frequencies])


def antenna_yagi(elements: int = 3, f0_mhz: float = 300.0, band: float = 0.02, vswr_max: float = 2.0,
                 z0: float = 50.0, diameter_wl: float = 0.0085, segments: int = 11) -> YagiProblem:
    """Yagi-Uda array (3-6 elements): maximise forward gain and front-to-back ratio, VSWR <= 2 over a band.

    ``elements``: 3..6 (reflector, driven element, directors). ``f0_mhz``: centre
    frequency, MHz. ``band``: relative bandwidth over which VSWR is checked (0.02 = 2 %).
    ``vswr_max``: VSWR limit. ``z0``: reference impedance, ohm. ``diameter_wl``: element
    diameter in wavelengths. ``segments``: segments per element.
    """
    return YagiProblem(elements=elements, f0=f0_mhz * 1e6, band=band, vswr_max=vswr_max, z0=z0,
                       diameter_wl=diameter_wl, segments=segments)
