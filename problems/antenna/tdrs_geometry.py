"""The two wire representations of ``antenna-tdrs``, each a composite integer/real genome.

Both stand on the (infinite, perfectly conducting) ground plane ``z = 0`` -- the array's
ground -- and radiate along ``+z`` (boresight). Lengths in the genome are in wavelengths
``lam0`` at the centre of the two bands; ``sense`` = +1 builds the right-hand (IEEE RHCP)
design, -1 its mirror image ``y -> -y``, which radiates exactly the other sense (mirroring
conjugates the handedness; the tests check it).

``helix`` -- an axial-mode helix (Kraus) with variable radius and pitch: part ``turns``
(integer, the number of turns) and part ``shape`` (real): radius at ``K`` control points
(lam0) spread evenly over the length, pitch angle at ``K`` control points (degrees), the
height of the vertical feed wire (lam0) that rises from the ground plane to the first
turn, and a matching section: the first ``match_turns`` (0-1) turns run at their own low
pitch ``match_pitch`` (degrees) close to the ground plane, a transmission line over the
ground that transforms the helix's ~140 ohm towards 50 ohm (Kraus's matching of the first
turn). The feed wire's height -- the helix's least clearance above the ground plane, where
the matching section starts -- is at least ``min_clearance`` (m; ``antenna_tdrs`` sets 12
wire radii: below that NEC-2 is not resolved on these helices, see
``benchmarks/antenna_tdrs_nec_factors.py``). Radius and pitch are interpolated linearly in the turn fraction; the helix is cut
into straight one-segment wires of equal azimuth step (``segments_per_turn`` chosen from
the widest turn). One port, a delta gap at the ground end of the feed wire: the feed wire
is ``feed_segments`` equal segments (default 1, the whole wire; more where the wire is
longer than ``max_segment``) and the source drives the lowest, at the ground plane (a gap that segment's length, as a coax through the ground
plate). With ``feed_segments`` > 1 the feed wire's least height rises, where needed, to
``feed_segments * min_feed_segment`` so that every feed segment stays solvable.

``yagi`` -- a crossed Yagi-Uda over the ground plane fed in quadrature: part ``directors``
(integer, how many of the ``max_directors`` are used) and part ``shape`` (real): driven
element height above ground and half-length, then every director's half-length and its
spacing from the element below (all lam0). Each element is a pair of straight wires, one
along ``x`` and one along ``y``, the ``y`` one ``offset`` higher so that they do not touch.
Two ports, one at the centre of each driven wire: ``V_x = 1``, ``V_y = -j sense exp(-j k0
offset)`` (quadrature, with the offset's path difference at ``lam0`` taken out on
boresight). Only the ground plane reflects.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from gadesign.errors import ConfigError
from gadesign.genomes.composite import Composite
from gadesign.genomes.integer import IntegerVector
from gadesign.genomes.real import RealVector
from gadesign_problems.antenna.wires import Antenna, PatternRequest, Source, Wire, wires_from_points


@dataclass(frozen=True)
class Layout:
    """What every representation needs: centre wavelength ``lam0`` (m), the longest
    segment ``max_segment`` (m), wire radius (m) and the smallest clearance (m) between
    wires that do not meet."""

    lam0: float
    max_segment: float
    wire_radius: float
    clearance: float


def _odd(n: int) -> int:
    return n if n % 2 else n + 1


class HelixSpace:
    """Axial-mode helix with ``K`` radius and pitch control points (see module doc)."""

    kind = "helix"

    def __init__(self, layout: Layout, turns: tuple[int, int] = (4, 20), control_points: int = 4,
                 radius_wl: tuple[float, float] = (0.10, 0.24), pitch_deg: tuple[float, float] = (3.0, 20.0),
                 feed_wl: tuple[float, float] = (0.02, 0.06), match_turns: tuple[float, float] = (0.0, 1.0),
                 match_pitch_deg: tuple[float, float] = (0.5, 6.0), feed_segments: int = 1,
                 min_feed_segment: float = 0.0, min_clearance: float = 0.0) -> None:
        self.layout, self.k = layout, int(control_points)
        self.feed_segments = int(feed_segments)
        # the feed wire must outreach its junction with the first turn: (a + a) / sin(angle), angle >= 70 deg
        feed_wl = (max(feed_wl[0], 3.0 * layout.wire_radius / layout.lam0), max(feed_wl[1], 6.0 * layout.wire_radius / layout.lam0))
        # the helix's lowest point (the feed wire's top) at least min_clearance (m) above the ground
        # plane: where that is above the range's floor the range moves up by the difference
        lift = max(0.0, min_clearance / layout.lam0 - feed_wl[0])
        feed_wl = (feed_wl[0] + lift, feed_wl[1] + lift)
        self.min_clearance = float(min_clearance)
        if self.feed_segments > 1:
            # every one of the feed's segments at least min_feed_segment (m) long
            feed_wl = (max(feed_wl[0], self.feed_segments * min_feed_segment / layout.lam0), feed_wl[1])
            if feed_wl[0] > feed_wl[1]:
                raise ConfigError(f"antenna-tdrs: feed_segments {self.feed_segments} needs a feed wire of at least "
                                  f"{feed_wl[0] * layout.lam0 * 1e3:.3g} mm (segments of at least "
                                  f"{min_feed_segment * 1e3:.3g} mm, solvable at the finest check level); the feed "
                                  f"wire is at most {feed_wl[1] * layout.lam0 * 1e3:.3g} mm")
        self.feed_wl = feed_wl
        lo = [radius_wl[0]] * self.k + [pitch_deg[0]] * self.k + [feed_wl[0], match_turns[0], match_pitch_deg[0]]
        hi = [radius_wl[1]] * self.k + [pitch_deg[1]] * self.k + [feed_wl[1], match_turns[1], match_pitch_deg[1]]
        self.genome = Composite({"turns": IntegerVector([turns[0]], [turns[1]]), "shape": RealVector(lo, hi)})

    def curve(self, x: dict[str, Any], sense: int = 1) -> tuple[np.ndarray, float]:
        """(P, 3) helix polyline points (m) from the top of the feed wire, and its height (m)."""
        lam = self.layout.lam0
        n_turns = int(np.asarray(x["turns"]).ravel()[0])
        s = np.asarray(x["shape"], float)
        radius, pitch, feed = s[: self.k] * lam, np.radians(s[self.k: 2 * self.k]), float(s[2 * self.k]) * lam
        match_turns, match_pitch = float(s[2 * self.k + 1]), math.radians(float(s[2 * self.k + 2]))
        # one turn is at most 2 pi r_max / cos(pitch_max) long (arc and rise)
        m = self._per_turn(x)
        psi = np.linspace(0.0, 2.0 * math.pi * n_turns, m * n_turns + 1)
        knots = np.linspace(0.0, 1.0, self.k)
        t = psi / psi[-1]
        r = np.interp(t, knots, radius)
        angle = np.where(psi < 2.0 * math.pi * match_turns, match_pitch, np.interp(t, knots, pitch))
        rise = r * np.tan(angle)                                           # dz / dpsi (m/rad)
        z = feed + np.concatenate([[0.0], np.cumsum(0.5 * (rise[1:] + rise[:-1]) * np.diff(psi))])
        pts = np.column_stack([r * np.cos(psi), sense * r * np.sin(psi), z])
        return pts, feed

    def footprint_radius(self, x: dict[str, Any]) -> float:
        """Largest distance (m) of a wire from the axis."""
        return float(np.asarray(x["shape"], float)[: self.k].max() * self.layout.lam0) + self.layout.wire_radius

    def height(self, x: dict[str, Any]) -> float:
        return float(self.curve(x)[0][-1, 2])

    def clearance_shortfall(self, x: dict[str, Any]) -> float:
        """How much (m) adjacent turns come closer than the clearance (0 = buildable):
        the distance from every helix point to the point one turn further against
        ``clearance`` (the height above ground is the feed wire's, bounded in the genome)."""
        pts, _ = self.curve(x)
        m = self._per_turn(x)
        gap = np.linalg.norm(pts[m:] - pts[:-m], axis=1).min() if len(pts) > m else np.inf
        return float(max(self.layout.clearance - gap, 0.0))

    def _per_turn(self, x: dict[str, Any]) -> int:
        s = np.asarray(x["shape"], float)
        r, p = s[: self.k].max() * self.layout.lam0, math.radians(s[self.k: 2 * self.k].max())
        return max(8, math.ceil(2.0 * math.pi * r / math.cos(p) / self.layout.max_segment))

    def antenna(self, x: dict[str, Any], sense: int = 1, **kw: Any) -> Antenna:
        pts, feed = self.curve(x, sense)
        a = self.layout.wire_radius
        # no feed segment longer than the helix's longest (a feed above max_segment gets more)
        n_feed = max(self.feed_segments, math.ceil(feed / self.layout.max_segment - 1e-9))
        feed_wire = Wire((float(pts[0, 0]), 0.0, 0.0), (float(pts[0, 0]), 0.0, feed), a, n_feed, 1)
        helix = wires_from_points(pts, a, [1] * (len(pts) - 1), tag=2)
        return Antenna(wires=(feed_wire, *helix), sources=(Source(1, 1, 1.0),), ground=True, **kw)

    def describe(self, x: dict[str, Any]) -> dict[str, Any]:
        s = np.asarray(x["shape"], float)
        return {"representation": "helix", "turns": int(np.asarray(x["turns"]).ravel()[0]),
                "radius_wl": [round(float(v), 4) for v in s[: self.k]],
                "pitch_deg": [round(float(v), 2) for v in s[self.k: 2 * self.k]],
                "feed_wl": round(float(s[2 * self.k]), 4), "match_turns": round(float(s[2 * self.k + 1]), 3),
                "match_pitch_deg": round(float(s[2 * self.k + 2]), 2),
                "height_wl": round(self.height(x) / self.layout.lam0, 3)}


class CrossedYagiSpace:
    """Crossed Yagi-Uda over ground, fed in quadrature (see module doc)."""

    kind = "yagi"

    def __init__(self, layout: Layout, max_directors: int = 14, min_directors: int = 2,
                 height_wl: tuple[float, float] = (0.12, 0.40), driven_wl: tuple[float, float] = (0.18, 0.32),
                 director_wl: tuple[float, float] = (0.14, 0.26), spacing_wl: tuple[float, float] = (0.08, 0.45),
                 offset_radii: float = 6.0) -> None:
        self.layout, self.n_max = layout, int(max_directors)
        self.offset = offset_radii * layout.wire_radius
        lo = [height_wl[0], driven_wl[0]] + [director_wl[0]] * self.n_max + [spacing_wl[0]] * self.n_max
        hi = [height_wl[1], driven_wl[1]] + [director_wl[1]] * self.n_max + [spacing_wl[1]] * self.n_max
        self.genome = Composite({"directors": IntegerVector([min_directors], [max_directors]),
                                 "shape": RealVector(lo, hi)})

    def elements(self, x: dict[str, Any]) -> tuple[np.ndarray, np.ndarray]:
        """Heights (m) and half-lengths (m) of the driven element and the used directors."""
        lam = self.layout.lam0
        n = int(np.asarray(x["directors"]).ravel()[0])
        s = np.asarray(x["shape"], float)
        half = np.concatenate([[s[1]], s[2: 2 + n]]) * lam
        z = s[0] * lam + np.concatenate([[0.0], np.cumsum(s[2 + self.n_max: 2 + self.n_max + n])]) * lam
        return z, half

    def footprint_radius(self, x: dict[str, Any]) -> float:
        return float(self.elements(x)[1].max()) + self.layout.wire_radius

    def height(self, x: dict[str, Any]) -> float:
        return float(self.elements(x)[0][-1]) + self.offset

    def clearance_shortfall(self, x: dict[str, Any]) -> float:
        z, _ = self.elements(x)
        gap = np.diff(z) - self.offset if len(z) > 1 else np.array([np.inf])
        return float(np.maximum(self.layout.clearance - gap, 0.0).max())

    def antenna(self, x: dict[str, Any], sense: int = 1, **kw: Any) -> Antenna:
        z, half = self.elements(x)
        a, dz = self.layout.wire_radius, self.offset
        wires: list[Wire] = []
        for i, (h, L) in enumerate(zip(z, half)):
            n = _odd(max(3, math.ceil(2.0 * L / self.layout.max_segment)))
            wires.append(Wire((-float(L), 0.0, float(h)), (float(L), 0.0, float(h)), a, n, 2 * i + 1))
            wires.append(Wire((0.0, -sense * float(L), float(h + dz)), (0.0, sense * float(L), float(h + dz)),
                              a, n, 2 * i + 2))
        n0 = wires[0].segments // 2 + 1
        k0 = 2.0 * math.pi / self.layout.lam0
        vy = complex(-1j * np.exp(-1j * k0 * dz))
        return Antenna(wires=tuple(wires), sources=(Source(1, n0, 1.0), Source(2, n0, vy)), ground=True, **kw)

    def describe(self, x: dict[str, Any]) -> dict[str, Any]:
        z, half = self.elements(x)
        lam = self.layout.lam0
        return {"representation": "yagi", "directors": len(z) - 1,
                "heights_wl": [round(float(v / lam), 4) for v in z],
                "half_lengths_wl": [round(float(v / lam), 4) for v in half],
                "height_wl": round(self.height(x) / lam, 3)}


SPACES = {"helix": HelixSpace, "yagi": CrossedYagiSpace}


def pattern_request(step_deg: float = 5.0) -> tuple[PatternRequest, ...]:
    """The upper hemisphere on a ``step_deg`` grid (the RP card of exported decks)."""
    return (PatternRequest(int(round(90 / step_deg)) + 1, int(round(360 / step_deg)) + 1, 0.0, 0.0,
                           step_deg, step_deg),)


