"""Mesh convergence of a wire antenna: one deck solved at several refinements.

A MoM answer is only as good as its discretisation, and a solver's own checks cannot
show that (a Galerkin solution conserves power at any mesh: its average gain is 1 by
construction). What does show it is the change of the answers when every segment is cut
into ``k`` pieces (:meth:`Antenna.refined`): the feeds keep their gap width, so the
answers approach those of the continuous model of the deck, and the change between the
last two levels bounds the discretisation error of the coarser one.

    conv = converge(ant, levels=(1, 2, 4))
    conv.change()            # {"impedance_rel": ..., "vswr": ..., "max_gain_db": ..., ...}
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np

from gadesign_problems.antenna.units import db
from gadesign_problems.antenna.wires import Antenna, GeometryError

#: Levels refined when none are given.
DEFAULT_LEVELS = (1, 2, 4)


@dataclass(frozen=True)
class Level:
    """The answers at one refinement (arrays over the frequencies)."""

    refinement: int
    segments: int                     # sub-segments the solver used
    impedance: np.ndarray             # (F,) complex ohm at the first source
    vswr: np.ndarray                  # (F,) relative to z0
    max_gain_dbi: np.ndarray          # (F,) over the requested directions
    min_rhcp_dbic: np.ndarray         # (F,) over the requested directions
    seconds: float                    # wall time of the solve and the pattern


@dataclass(frozen=True)
class Convergence:
    """Answers of one antenna at increasing refinements, at ``frequencies`` (Hz), VSWR
    relative to ``z0`` (ohm), gains over the directions ``theta``, ``phi`` (degrees)."""

    levels: tuple[Level, ...]
    frequencies: np.ndarray
    z0: float
    theta: np.ndarray
    phi: np.ndarray

    def change(self) -> dict[str, float]:
        """Largest change over the frequencies between the last two levels:
        ``impedance_rel`` = ``|Z_n - Z_n-1| / |Z_n|``, ``vswr`` absolute, ``max_gain_db``
        and ``min_rhcp_db`` in dB (all 0 with a single level)."""
        if len(self.levels) < 2:
            return {"impedance_rel": 0.0, "vswr": 0.0, "max_gain_db": 0.0, "min_rhcp_db": 0.0}
        a, b = self.levels[-2], self.levels[-1]
        return {"impedance_rel": float(np.max(np.abs(b.impedance - a.impedance) / np.abs(b.impedance))),
                "vswr": float(np.max(np.abs(b.vswr - a.vswr))),
                "max_gain_db": float(np.max(np.abs(b.max_gain_dbi - a.max_gain_dbi))),
                "min_rhcp_db": float(np.max(np.abs(b.min_rhcp_dbic - a.min_rhcp_dbic)))}

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary (finite numbers only)."""
        def fin(v: np.ndarray) -> list[float]:
            return [float(min(max(x, -1e30), 1e30)) for x in np.asarray(v, float)]

        return {"z0_ohm": self.z0, "frequencies_hz": fin(self.frequencies), "directions": int(self.theta.size),
                "levels": [{"refinement": lv.refinement, "segments": lv.segments,
                            "impedance_ohm": [[float(z.real), float(z.imag)] for z in lv.impedance],
                            "vswr": fin(lv.vswr), "max_gain_dbi": fin(lv.max_gain_dbi),
                            "min_rhcp_dbic": fin(lv.min_rhcp_dbic), "seconds": round(lv.seconds, 4)}
                           for lv in self.levels],
                "change_last_two": self.change()}


def parse_levels(text: str) -> tuple[int, ...]:
    """``"1,2,4"`` -> ``(1, 2, 4)``: distinct positive integers in increasing order."""
    try:
        levels = tuple(int(t) for t in text.split(","))
    except ValueError:
        raise GeometryError(f"--levels must be comma-separated integers such as 1,2,4, got {text!r}") from None
    if not levels or any(k < 1 for k in levels) or any(b <= a for a, b in zip(levels, levels[1:])):
        raise GeometryError(f"--levels must be increasing positive integers such as 1,2,4, got {text!r}")
    return levels


def converge(ant: Antenna, levels: Sequence[int] = DEFAULT_LEVELS, frequencies: Any = None, z0: float = 50.0,
             theta: Any = None, phi: Any = None) -> Convergence:
    """Solve ``ant`` refined by each of ``levels`` at ``frequencies`` (Hz; default the
    deck's). Gains are taken over ``theta``, ``phi`` (degrees, broadcast; default a
    5-degree grid over the sphere, or the upper half-space over ground). Refinements
    that would cut segments below the solver's limit raise :class:`GeometryError` before
    anything is solved."""
    levels = tuple(int(k) for k in levels)
    if not levels or any(k < 1 for k in levels):
        raise GeometryError(f"refinement levels must be positive integers, got {levels}")
    ants = [ant.refined(k) for k in levels]            # validates every level first
    if theta is None or phi is None:
        th, ph = np.meshgrid(np.arange(0.0, (90.0 if ant.ground else 180.0) + 1e-9, 5.0),
                             np.arange(0.0, 360.0, 5.0), indexing="ij")
    else:
        th, ph = np.broadcast_arrays(np.asarray(theta, float), np.asarray(phi, float))
    th, ph = th.ravel(), ph.ravel()
    out, freqs = [], None
    for k, a in zip(levels, ants):
        t0 = time.perf_counter()
        sol = a.solve(frequencies)
        freqs = sol.frequencies
        out.append(Level(refinement=k, segments=a.mesh.n_segments, impedance=sol.impedance[:, 0].copy(),
                         vswr=sol.vswr(z0)[:, 0].copy(), max_gain_dbi=db(sol.gain(th, ph)).max(axis=1),
                         min_rhcp_dbic=db(sol.gain_rhcp(th, ph)).min(axis=1), seconds=time.perf_counter() - t0))
    return Convergence(levels=tuple(out), frequencies=np.asarray(freqs), z0=float(z0), theta=th, phi=ph)
