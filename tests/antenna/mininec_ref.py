"""MININEC (pymininec, MIT-licensed port of MININEC3) as an independent reference engine
for tests and benchmarks; never imported by the package.

MININEC uses a pulse basis with point matching, charges at the pulse ends and the exact
(elliptic-integral) thin-wire kernel, and joins wires by overlapping pulses at their common
ends: a formulation independent of ours (Galerkin) and of NEC-2's (sinusoidal
interpolation, junction conditions). Its sources drive a node (zero-length gap), so its
impedance differs from a segment-gap feed by a shunt admittance; compare admittance
differences against a reference structure on the same feed (see
``benchmarks/antenna_st5_mininec.py``).
"""

from __future__ import annotations

import math
from typing import Any, Sequence

import numpy as np

from gadesign_problems.antenna.wires import Antenna, Source, Wire

#: The ST5 feed wire's height and the canonical arms' length (m).
FEED_HEIGHT, ARM = 0.004, 0.010


def st5_feed_pieces(kind: str, m: int, a: float, matched: bool = False) -> list[Wire]:
    """The ST5 feed (4 mm, from the ground plate; four 1 mm segments, or ``6 m * 0.4``
    when ``matched`` so the hub sees equal segments) topped by 10 mm arms of radius ``a``
    in ``6 m`` segments: ``straight`` (the reference of dY), ``bent`` (one at 45 degrees)
    or ``hub`` (four at 45 degrees, the five-wire junction of every ST5 design)."""
    h = FEED_HEIGHT
    s = ARM / math.sqrt(2.0)
    ends = {"straight": [(0.0, 0.0, h + ARM)], "bent": [(s, 0.0, h + s)],
            "hub": [(s, 0.0, h + s), (0.0, s, h + s), (-s, 0.0, h + s), (0.0, -s, h + s)]}[kind]
    feed = max(4, round(6 * m * FEED_HEIGHT / ARM)) if matched else 4
    return [Wire((0.0, 0.0, 0.0), (0.0, 0.0, h), a, feed, 1)] + [
        Wire((0.0, 0.0, h), e, a, 6 * m, 2 + i) for i, e in enumerate(ends)]


def cut_arms(wires: Sequence[Wire], fed_tag: int, m: int) -> list[Wire]:
    """``wires`` with every segment cut into ``m`` except those of the fed wire (the feed
    gap kept); no check of ours, so MININEC may go below our half-radius segments."""
    return [w if w.tag == fed_tag else Wire(w.start, w.end, w.radius, w.segments * m, w.tag) for w in wires]


def ours_admittances(wires: Sequence[Wire], freqs: Sequence[float]) -> np.ndarray:
    """Our solver's input admittance (S) per frequency, ``wires`` over ground fed on the
    first segment of tag 1."""
    ant = Antenna(wires=tuple(wires), sources=(Source(1, 1),), ground=True)
    return 1.0 / ant.solve(list(freqs)).impedance[:, 0]


def mininec_admittances(wires: Sequence[Any], freqs: Sequence[float], source_wire: int = 0) -> np.ndarray:
    """MININEC's input admittance (S) per frequency, ``wires`` over ground fed at the
    ground end of ``source_wire``."""
    return np.array([mininec_admittance(mininec_solution(wires, f, ground=True, source_wire=source_wire))
                     for f in freqs])


def mininec_solution(wires: Sequence[Any], freq_hz: float, ground: bool, source_wire: int,
                     sources: Sequence[tuple[int, complex]] | None = None) -> Any:
    """A solved ``mininec.Mininec`` for our :class:`Wire` list at ``freq_hz``: perfect
    ground when ``ground`` (wires touching z = 0 join their images), else free space.
    ``source_wire`` (0-based): 1 V at its first pulse (the ground end of a wire rising from
    the ground; the middle node of a free wire); ``sources``: (wire index, volts) pairs
    instead, each at that wire's middle pulse."""
    from mininec.mininec import Excitation, Medium, Mininec
    from mininec.mininec import Wire as MWire

    geo = [MWire(int(w.segments), *map(float, w.start), *map(float, w.end), float(w.radius), tag=i + 1)
           for i, w in enumerate(wires)]
    m = Mininec(freq_hz / 1e6, geo, media=[Medium(0, 0)] if ground else None)
    if sources is None:
        w = geo[source_wire]
        pulse = 0 if ground else (len(w.pulses) - 1) // 2
        m.register_source(Excitation(cvolt=1 + 0j), pulse, geo_tag=source_wire + 1)
    else:
        for i, v in sources:
            m.register_source(Excitation(cvolt=complex(v)), (len(geo[i].pulses) - 1) // 2, geo_tag=i + 1)
    m.compute()
    return m


def mininec_admittance(sol: Any) -> complex:
    """Input admittance (S) at the first source."""
    return 1.0 / complex(sol.sources[0].impedance)


def mininec_fields(sol: Any, sign: int, theta: np.ndarray | None = None, phi: np.ndarray | None = None,
                   normalise: bool = True, step_deg: float = 5.0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(theta, phi, rhcp_db)`` on a grid (degrees; default the upper hemisphere in
    ``step_deg`` steps, the ST5 requirement's and NEC check's grid): the right-hand circular part ``|E_v + sign j E_h|^2 / 2`` of MININEC's far
    field (``sign`` from a turnstile, see the benchmark), in dB. ``normalise``: as a
    directivity (dBic), ``4 pi U / P`` with ``P`` the power through the upper hemisphere
    integrated from the same pattern (a PEC antenna over ground radiates all its power
    there), so MININEC's feed model does not enter; else relative dB."""
    from mininec.mininec import Angle

    th = np.arange(0.0, 90.0 + 1e-9, step_deg) if theta is None else np.asarray(theta, float)
    ph = np.arange(0.0, 360.0 - 1e-9, step_deg) if phi is None else np.asarray(phi, float)
    zen = Angle(float(th[0]), float(th[1] - th[0]) if len(th) > 1 else 1.0, len(th))
    azi = Angle(float(ph[0]), float(ph[1] - ph[0]) if len(ph) > 1 else 1.0, len(ph))
    sol.compute_far_field(zen, azi)
    ff = sol.far_field
    ev, eh = np.asarray(ff.e_theta), np.asarray(ff.e_phi)          # (n_phi, n_theta)
    u_r = np.abs(ev + sign * 1j * eh) ** 2 / 2.0
    if normalise:
        u = np.abs(ev) ** 2 + np.abs(eh) ** 2
        t = np.radians(th)
        p = float(np.trapezoid(u.mean(axis=0) * 2.0 * np.pi * np.sin(t), t))
        u_r = 4.0 * np.pi * u_r / p
    tt, pp = np.meshgrid(th, ph)
    return tt, pp, 10.0 * np.log10(np.maximum(u_r, 1e-300))
