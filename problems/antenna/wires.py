"""The wire antenna as a domain object: straight thin wires, ground, sources, loads.

An :class:`Antenna` is immutable and valid by construction (bad geometry raises
:class:`GeometryError`). Like scikit-rf's ``Network`` it reads and writes its field's
format (NEC-2 decks, :meth:`Antenna.from_nec` / :meth:`Antenna.to_nec`) and computes
derived quantities on demand::

    ant = Antenna.from_nec("yagi.nec")
    ant.impedance(299.8e6)                       # complex input impedance (ohm)
    sol = ant.solve([7.2e9, 8.47e9])             # one solve, many questions
    sol.vswr(); sol.gain(theta, phi); sol.gain_rhcp(theta, phi)

Units: metres, hertz, ohms, volts, siemens per metre. Segments are numbered from 1
within a tag, as in NEC-2 (tag 0 means absolute segment numbers).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Sequence

import numpy as np

from gadesign.errors import GadesignError

if TYPE_CHECKING:  # heavy or circular imports only for type checkers
    import skrf

    from gadesign_problems.antenna.mesh import Mesh
    from gadesign_problems.antenna.mom import MomOperator, Solution

JSON_SCHEMA = "gadesign.antenna/1"
#: The units of our JSON geometry, written into every document (``units``) so that a reader
#: in another tool need not guess metres from millimetres; a document that states other
#: units is refused (the numbers are never converted). Loads: ``r``, ``x`` ohm, ``l``
#: henry, ``c`` farad, ``sigma`` siemens per metre; patterns in degrees.
JSON_UNITS = {"length": "m", "radius": "m", "frequency": "Hz", "voltage": "V", "angle": "deg",
              "r": "ohm", "x": "ohm", "l": "H", "c": "F", "sigma": "S/m"}
LOAD_KINDS = ("series", "parallel", "impedance", "conductivity")


class GeometryError(GadesignError):
    """An antenna that cannot be simulated: bad numbers, overlapping wires, ..."""


Vec3 = tuple[float, float, float]


@dataclass(frozen=True)
class Wire:
    """A straight wire from ``start`` to ``end`` (m), ``radius`` (m), cut into
    ``segments`` equal segments. ``tag`` names it for sources and loads."""

    start: Vec3
    end: Vec3
    radius: float
    segments: int
    tag: int = 0

    @property
    def length(self) -> float:
        return math.dist(self.start, self.end)


@dataclass(frozen=True)
class Source:
    """A delta-gap voltage source across segment ``segment`` of tag ``tag`` (NEC EX 0)."""

    tag: int
    segment: int
    voltage: complex = 1.0


@dataclass(frozen=True)
class Load:
    """A load on segments ``first..last`` (inclusive, 1-based) of tag ``tag``; ``first =
    last = 0`` loads every segment of the tag (NEC LD conventions).

    ``kind``: ``series`` / ``parallel`` R, L (H), C (F) lumped on each segment (NEC types
    0/1; a zero L or C in series, or zero R, L or C in parallel, is absent);
    ``impedance`` R + jX (ohm) fixed in frequency (type 4); ``conductivity`` of the wire
    metal in S/m (type 5), distributed along the wire with skin effect.
    """

    kind: str
    tag: int
    first: int = 0
    last: int = 0
    r: float = 0.0
    l: float = 0.0
    c: float = 0.0
    x: float = 0.0
    sigma: float = 0.0

    def lumped_impedance(self, f: np.ndarray) -> np.ndarray:
        """Impedance (ohm) of one lumped load at frequencies ``f`` (Hz)."""
        w = 2.0 * np.pi * np.asarray(f, float)
        if self.kind == "series":
            z = self.r + 1j * w * self.l + 0j * w
            if self.c:
                z = z + 1.0 / (1j * w * self.c)
            return z
        if self.kind == "parallel":
            y = 0j * w
            if self.r:
                y = y + 1.0 / self.r
            if self.l:
                y = y + 1.0 / (1j * w * self.l)
            if self.c:
                y = y + 1j * w * self.c
            return 1.0 / y
        if self.kind == "impedance":
            return self.r + 1j * self.x + 0j * w
        raise ValueError(f"{self.kind} load is distributed, not lumped")


@dataclass(frozen=True)
class PatternRequest:
    """A NEC RP card (normal mode): ``n_theta x n_phi`` directions from ``theta0``,
    ``phi0`` in steps ``dtheta``, ``dphi`` (degrees); ``xnda`` is kept for writing."""

    n_theta: int
    n_phi: int
    theta0: float = 0.0
    phi0: float = 0.0
    dtheta: float = 0.0
    dphi: float = 0.0
    xnda: int = 1000

    def grid(self) -> tuple[np.ndarray, np.ndarray]:
        """(theta, phi) in degrees, flattened theta-major."""
        th = self.theta0 + self.dtheta * np.arange(self.n_theta)
        ph = self.phi0 + self.dphi * np.arange(self.n_phi)
        tt, pp = np.meshgrid(th, ph, indexing="ij")
        return tt.ravel(), pp.ravel()

    def __post_init__(self) -> None:
        for name in ("n_theta", "n_phi", "xnda"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, (int, np.integer)):
                raise GeometryError(f"pattern request: {name} must be an integer, got {v!r}")
        if self.n_theta < 1 or self.n_phi < 1:
            raise GeometryError(f"pattern request: the numbers of theta and phi values must be at least 1, "
                                f"got {self.n_theta} x {self.n_phi}")
        for name in ("theta0", "phi0", "dtheta", "dphi"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, (int, float, np.integer, np.floating)) or not math.isfinite(v):
                raise GeometryError(f"pattern request: {name} must be a finite number of degrees, got {v!r}")
        check_sizes(directions=int(self.n_theta) * int(self.n_phi))    # a size error before an angle error
        for name, first, step, n in (("theta", self.theta0, self.dtheta, self.n_theta),
                                     ("phi", self.phi0, self.dphi, self.n_phi)):
            last = first + step * (n - 1)
            if max(abs(first), abs(last)) > MAX_PATTERN_DEGREES:     # sin/cos of 1e300 degrees are noise
                raise GeometryError(f"pattern request: {name} runs from {first:g} to {last:g} degrees, beyond "
                                    f"+-{MAX_PATTERN_DEGREES:g}")


#: Largest |angle| (degrees) a pattern request may reach: two turns either way.
MAX_PATTERN_DEGREES = 720.0


@dataclass(frozen=True, eq=False)
class Antenna:
    """Straight thin wires over an optional PEC ground plane ``z = 0``, with delta-gap
    sources and loads. ``frequencies`` (Hz) and ``patterns`` are the deck's requests
    (used when a method is called without frequencies, and written back to decks).
    Solver options (not part of the deck): ``end_split`` pieces at free ends,
    ``refinement`` (:meth:`refined`), ``end_caps`` (default True): solid wires, a flat
    cap of the wire's radius carries charge at every free end off the ground plane, as
    real wires and NEC-2's free-end treatment do (converged against converged NEC-2 with
    its extended kernel: thick dipole a = 0.01 wavelength 0.5 % with caps, 3.8 % without;
    3-element Yagi 0.8 % against 7.9 %; on thin wires the caps' effect vanishes).
    ``end_caps=False``: hollow tubes, the current vanishing at the open end."""

    wires: tuple[Wire, ...]
    sources: tuple[Source, ...]
    ground: bool = False
    loads: tuple[Load, ...] = ()
    frequencies: tuple[float, ...] = ()
    patterns: tuple[PatternRequest, ...] = ()
    comments: tuple[str, ...] = ()
    end_split: int = field(default=8, compare=False)
    refinement: int = field(default=1, compare=False)
    end_caps: bool = field(default=True, compare=False)

    def __post_init__(self) -> None:
        for name in ("wires", "sources", "loads", "frequencies", "patterns", "comments"):
            object.__setattr__(self, name, tuple(getattr(self, name)))
        _validate(self)

    # ---- construction and formats ------------------------------------------------------
    @classmethod
    def from_nec(cls, path: str | Path) -> "Antenna":
        """Read a NEC-2 deck (see :mod:`gadesign_problems.antenna.nec`)."""
        from gadesign_problems.antenna.nec import read_nec

        return read_nec(path)

    @classmethod
    def from_nec_text(cls, text: str, name: str = "<deck>") -> "Antenna":
        from gadesign_problems.antenna.nec import parse_nec

        return parse_nec(text, name)

    def to_nec(self, path: str | Path) -> Path:
        """Write a NEC-2 deck that 4nec2 / xnec2c / nec2c read (atomically)."""
        from gadesign.atomic import atomic_write_text

        return atomic_write_text(path, self.nec_text())

    def nec_text(self) -> str:
        from gadesign_problems.antenna.nec import format_nec

        return format_nec(self)

    def to_dict(self) -> dict[str, Any]:
        """Our JSON geometry format (``schema`` = ``gadesign.antenna/1``, ``units`` =
        :data:`JSON_UNITS`: metres, hertz, volts, degrees, ohm, henry, farad, S/m)."""
        return {
            "schema": JSON_SCHEMA,
            "units": dict(JSON_UNITS),
            "comments": list(self.comments),
            "ground": self.ground,
            "wires": [{"tag": w.tag, "start": list(w.start), "end": list(w.end),
                       "radius": w.radius, "segments": w.segments} for w in self.wires],
            "sources": [{"tag": s.tag, "segment": s.segment,
                         "voltage": [complex(s.voltage).real, complex(s.voltage).imag]}
                        for s in self.sources],
            "loads": [{k: v for k, v in vars(ld).items()} for ld in self.loads],
            "frequencies_hz": list(self.frequencies),
            "patterns": [vars(p) for p in self.patterns],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Antenna":
        """Inverse of :meth:`to_dict`; a malformed document raises GeometryError."""
        if not isinstance(data, dict):
            raise GeometryError(f"not an antenna document (a JSON {type(data).__name__}, expected an object)")
        if data.get("schema") != JSON_SCHEMA:
            raise GeometryError(f"not an antenna document (schema {data.get('schema')!r}, "
                                f"expected {JSON_SCHEMA!r})")
        units = data.get("units", JSON_UNITS)     # documents written before the field: SI
        if units != JSON_UNITS:
            raise GeometryError(f"antenna document in other units ({units!r}): gadesign reads only "
                                f"{JSON_UNITS!r}, and converts nothing")
        _check_document(data)
        try:
            wires = [Wire(tuple(map(_real, w["start"])), tuple(map(_real, w["end"])),
                          _real(w["radius"]), _whole(w["segments"], "segments"), _whole(w.get("tag", 0), "tag"))
                     for w in data["wires"]]
            sources = [Source(_whole(s["tag"], "source tag"), _whole(s["segment"], "source segment"),
                              complex(*map(_real, s.get("voltage", [1.0, 0.0]))))
                       for s in data.get("sources", [])]
            loads = [Load(**ld) for ld in data.get("loads", [])]
            patterns = [PatternRequest(**p) for p in data.get("patterns", [])]
            return cls(wires=tuple(wires), sources=tuple(sources), ground=data.get("ground", False),
                       loads=tuple(loads), frequencies=tuple(map(_real, data.get("frequencies_hz", []))),
                       patterns=tuple(patterns), comments=tuple(data.get("comments", [])))
        except (KeyError, TypeError, ValueError, OverflowError) as exc:
            raise GeometryError(f"malformed antenna document: {exc!r}") from exc

    @classmethod
    def from_json(cls, path: str | Path) -> "Antenna":
        import json

        from gadesign.paths import InputFileError, check_input_file

        try:
            check_input_file(path, "antenna JSON file")
        except InputFileError as exc:
            raise GeometryError(str(exc)) from None
        try:
            data = json.loads(Path(path).read_text())
        except (OSError, ValueError) as exc:
            raise GeometryError(f"{path}: cannot read antenna JSON: {exc}") from exc
        return cls.from_dict(data)

    def to_json(self, path: str | Path) -> Path:
        from gadesign.atomic import atomic_write_json

        return atomic_write_json(path, self.to_dict())

    # ---- discretisation ----------------------------------------------------------------
    @property
    def n_segments(self) -> int:
        return sum(w.segments for w in self.wires)

    def segment_index(self, tag: int, segment: int) -> int:
        """0-based absolute index of segment ``segment`` (1-based) of ``tag``; tag 0 means
        an absolute segment number. Raises GeometryError when there is none."""
        return segment_index(self.wires, tag, segment)

    def tag_segments(self, tag: int, first: int = 0, last: int = 0) -> np.ndarray:
        """0-based absolute indices of segments ``first..last`` of ``tag`` (0, 0: all of
        the tag; tag 0: absolute numbers, and 0, 0 the whole structure)."""
        return tag_segments(self.wires, tag, first, last)

    def refined(self, k: int) -> "Antenna":
        """The same antenna solved on a ``k`` times finer discretisation: every segment
        (and so every junction neighbourhood) is cut into ``k`` sub-segments, a segment at
        a free end into ``k * end_split`` (none shorter than ``END_PIECE`` radii). Sources
        and loads keep acting on the deck's segments, so a feed keeps its gap width and
        the answers converge as ``k`` grows to those of the continuous model of this
        deck (:mod:`gadesign_problems.antenna.convergence`). The deck itself (wires,
        segment numbers, :meth:`to_nec`) is unchanged; see :meth:`resegmented` for a
        deck with more segments."""
        from dataclasses import replace

        if int(k) != k or k < 1:
            raise GeometryError(f"refinement must be a positive integer, got {k}")
        return replace(self, refinement=self.refinement * int(k))

    def resegmented(self, k: int) -> "Antenna":
        """A new deck with every wire's segment count times ``k`` (NEC-style refinement:
        what NEC-2 needs to be resolved). Each source and lumped load moves to the middle
        sub-segment of its old segment (for odd ``k`` exactly its centre, so the gap
        narrows ``k`` times); distributed loads cover the same stretch of wire."""
        from dataclasses import replace

        if int(k) != k or k < 1:
            raise GeometryError(f"segment factor must be a positive integer, got {k}")
        k = int(k)
        mid = (k + 1) // 2

        def seg(tag: int, segment: int) -> int:
            return (segment - 1) * k + mid

        loads = []
        for ld in self.loads:
            if ld.first == 0 and ld.last == 0:
                loads.append(ld)
            elif ld.kind == "conductivity":
                loads.append(replace(ld, first=(ld.first - 1) * k + 1, last=(ld.last or ld.first) * k))
            else:
                loads.extend(replace(ld, first=seg(ld.tag, s_), last=seg(ld.tag, s_))
                             for s_ in range(ld.first, (ld.last or ld.first) + 1))
        return replace(self, wires=tuple(replace(w, segments=w.segments * k) for w in self.wires),
                       sources=tuple(replace(s_, segment=seg(s_.tag, s_.segment)) for s_ in self.sources),
                       loads=tuple(loads))

    @cached_property
    def mesh(self) -> "Mesh":
        from gadesign_problems.antenna.mesh import build_mesh

        s, e, r, n = self._arrays
        return build_mesh(s, e, r, n, self.ground, end_split=self.end_split, refine=self.refinement,
                          caps=self.end_caps)

    @cached_property
    def operator(self) -> "MomOperator":
        """The frequency-independent MoM operator (computed once per antenna)."""
        from gadesign_problems.antenna.mom import MomOperator

        return MomOperator(self.mesh)

    @cached_property
    def _arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        s = np.array([w.start for w in self.wires], float).reshape(-1, 3)
        e = np.array([w.end for w in self.wires], float).reshape(-1, 3)
        r = np.array([w.radius for w in self.wires], float)
        n = np.array([w.segments for w in self.wires], np.intp)
        return s, e, r, n

    # ---- derived quantities ------------------------------------------------------------
    def _freqs(self, f: float | Sequence[float] | np.ndarray | None) -> np.ndarray:
        if f is None:
            if not self.frequencies:
                raise GeometryError("no frequency given and the antenna has none")
            f = self.frequencies
        f = np.atleast_1d(np.asarray(f, float))
        if f.ndim != 1 or not all(math.isfinite(v) and v > 0 for v in f.tolist()):
            raise GeometryError(f"frequencies must be positive and finite, got {f}")
        check_electrical(self.wires, f.tolist())
        return f

    def solve(self, f: float | Sequence[float] | np.ndarray | None = None) -> "Solution":
        """Currents at frequencies ``f`` (Hz; default: the deck's). All other results
        (impedance, VSWR, patterns, gain, efficiency) come from the :class:`Solution`."""
        from gadesign_problems.antenna.mom import solve

        return solve(self, self._freqs(f))

    def impedance(self, f: float | Sequence[float] | np.ndarray | None = None) -> np.ndarray | complex:
        """Input impedance (ohm) at the first source; a scalar for a scalar ``f``."""
        z = self.solve(f).impedance[:, 0]
        return complex(z[0]) if np.ndim(f) == 0 and f is not None else z

    def vswr(self, f: float | Sequence[float] | np.ndarray | None = None, z0: float = 50.0) -> np.ndarray:
        """VSWR at the first source relative to ``z0`` ohm."""
        return self.solve(f).vswr(z0)[:, 0]

    def network(self, f: float | Sequence[float] | np.ndarray | None = None, z0: float = 50.0) -> "skrf.Network":
        """The antenna's ports as a scikit-rf Network (one port per source)."""
        return self.solve(f).network(z0)

    def gain(self, f: float, theta: np.ndarray, phi: np.ndarray) -> np.ndarray:
        """Total power gain (dBi) at ``f`` towards (theta, phi) in degrees."""
        return self.solve(f).gain_dbi(theta, phi)[0]

    def plot(self, f: float | None = None, ax: Any = None) -> Any:
        """3D geometry coloured by current magnitude at ``f`` (or plain geometry)."""
        from gadesign_problems.antenna.plots import plot_geometry

        return plot_geometry(self, None if f is None else self.solve(f), ax=ax)

    def __repr__(self) -> str:
        g = ", PEC ground" if self.ground else ""
        r = (f", refined x{self.refinement}" if self.refinement != 1 else "") + ("" if self.end_caps else ", hollow ends")
        return (f"Antenna({len(self.wires)} wires, {self.n_segments} segments, "
                f"{len(self.sources)} sources, {len(self.loads)} loads{g}{r})")


# ---- segment numbering ------------------------------------------------------------------
def segment_index(wires: Sequence[Wire], tag: int, segment: int) -> int:
    """NEC numbering: the ``segment``-th (1-based) segment carrying ``tag``, counted over
    the tag's wires in order; tag 0: absolute segment number. 0-based absolute index."""
    total = sum(w.segments for w in wires)
    if tag == 0:
        if 1 <= segment <= total:
            return segment - 1
        raise GeometryError(f"segment {segment} does not exist (the structure has {total} segments)")
    count, offset = 0, 0
    for w in wires:
        if w.tag == tag:
            if count < segment <= count + w.segments:
                return offset + segment - count - 1
            count += w.segments
        offset += w.segments
    if count == 0:
        raise GeometryError(f"no wire has tag {tag}")
    raise GeometryError(f"tag {tag} has {count} segments, no segment {segment}")


def tag_segments(wires: Sequence[Wire], tag: int, first: int = 0, last: int = 0) -> np.ndarray:
    """0-based absolute indices of segments ``first..last`` of ``tag`` (see NEC's LD)."""
    if first == 0 and last == 0:
        if tag == 0:
            return np.arange(sum(w.segments for w in wires))
        idx, offset = [], 0
        for w in wires:
            if w.tag == tag:
                idx.extend(range(offset, offset + w.segments))
            offset += w.segments
        if not idx:
            raise GeometryError(f"no wire has tag {tag}")
        return np.array(idx)
    last = last or first
    if last < first or first < 1:
        raise GeometryError(f"segment range {first}..{last} is empty")
    return np.array([segment_index(wires, tag, s) for s in range(first, last + 1)])


def _wire_error(msg: str, wire: int) -> GeometryError:
    """A GeometryError that remembers the (0-based) wire it is about."""
    exc = GeometryError(msg)
    exc.wire = wire  # type: ignore[attr-defined]
    return exc


# ---- geometry checks ---------------------------------------------------------------------
#: Size limits (raise with GADESIGN_MAX_<NAME>): the MoM matrix is segments^2 complex
#: numbers (5,000 segments: 0.4 GB per frequency), every frequency is one solve, every
#: pattern direction one far-field sum over all segments.
MAX_SEGMENTS = 5_000
MAX_FREQUENCIES = 10_000
MAX_DIRECTIONS = 1_000_000


def check_sizes(segments: int = 0, frequencies: int = 0, directions: int = 0) -> None:
    """Refuse a structure or request above the size limits, before anything is allocated."""
    from gadesign.limits import check_limit

    check_limit("SEGMENTS", segments, "segments in the structure", MAX_SEGMENTS)
    check_limit("FREQUENCIES", frequencies, "frequencies requested", MAX_FREQUENCIES)
    check_limit("DIRECTIONS", directions, "pattern directions requested", MAX_DIRECTIONS)


#: Magnitudes of a nonzero source voltage (V) the solver computes with (outside them the
#: currents overflow or underflow and the impedance V/I is NaN).
VOLTAGE_RANGE = (1e-100, 1e100)
#: How far from the origin (in shortest segments) a wire end may lie: beyond it segment
#: positions keep too few digits for the distances between them (a GM card moving a copy
#: 1e20 m away was an internal error in the contact check).
MAX_REACH_SEGMENTS = 1e7

#: Shortest segment, in wire radii, the solver accepts (see :mod:`.mom` for why it is
#: accurate down to there).
MIN_SEGMENT_RADII = 0.5


#: The keys of an antenna document (:meth:`Antenna.to_dict`) and of its wires and sources.
_DOC_KEYS = {"schema", "units", "comments", "ground", "wires", "sources", "loads", "frequencies_hz", "patterns"}
_WIRE_KEYS = {"tag", "start", "end", "radius", "segments"}
_SOURCE_KEYS = {"tag", "segment", "voltage"}


def _check_document(data: dict[str, Any]) -> None:
    """Keys and kinds the constructor would otherwise take loosely: an unknown or misspelt
    key (it was ignored: ``"groud": true`` gave free space), ``ground`` not a boolean
    (``"no"`` was True), ``comments`` not a list of strings (a string became one comment
    per character, a number an internal error when the deck was written)."""
    import difflib

    def unknown(obj: Any, known: set[str], where: str) -> None:
        if not isinstance(obj, dict):
            return
        for key in obj:
            if key not in known:
                near = difflib.get_close_matches(str(key), sorted(known), n=1)
                hint = f"; did you mean {near[0]!r}?" if near else f" (known: {', '.join(sorted(known))})"
                raise GeometryError(f"antenna document: {where}{key!r}: unknown key{hint}")

    unknown(data, _DOC_KEYS, "")
    for i, w in enumerate(data.get("wires") or [] if isinstance(data.get("wires"), list) else []):
        unknown(w, _WIRE_KEYS, f"wires[{i}].")
    for i, src in enumerate(data.get("sources") or [] if isinstance(data.get("sources"), list) else []):
        unknown(src, _SOURCE_KEYS, f"sources[{i}].")
    if not isinstance(data.get("ground", False), bool):
        raise GeometryError(f"antenna document: ground must be true or false, got {data['ground']!r}")
    for key in ("wires", "sources", "loads", "frequencies_hz", "patterns"):
        if key in data and not isinstance(data[key], list):
            raise GeometryError(f"antenna document: {key} must be a list, got {data[key]!r:.60}")
    comments = data.get("comments", [])
    if not isinstance(comments, list) or not all(isinstance(c, str) for c in comments):
        raise GeometryError(f"antenna document: comments must be a list of strings, got {comments!r:.60}")


def _real(value: Any) -> float:
    """A number field of an antenna document: an int or float, never a string or a
    boolean (``float`` read "0.001" and true as 1.0 without a word)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"expected a number, got {value!r}")
    return float(value)


def _whole(value: Any, name: str) -> int:
    """An integer field of an antenna document: 21 or 21.0, never 2.5 or true (``int`` would
    truncate 2.5 to 2 and read true as 1 without a word)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != int(value):
        raise ValueError(f"{name} must be a whole number, got {value!r}")
    return int(value)


def _validate(ant: Antenna) -> None:
    if not ant.wires:
        raise GeometryError("the antenna has no wires")
    check_sizes(ant.refinement * sum(int(w.segments) for w in ant.wires if isinstance(w.segments, (int, np.integer))),
                len(ant.frequencies), sum(int(p.n_theta) * int(p.n_phi) for p in ant.patterns))
    for i, w in enumerate(ant.wires, 1):
        where = f"wire {i} (tag {w.tag})"
        if len(w.start) != 3 or len(w.end) != 3:
            raise _wire_error(f"{where}: end points need three coordinates", i - 1)
        if not all(math.isfinite(float(v)) for v in (*w.start, *w.end)):
            raise _wire_error(f"{where}: end point is not a finite number", i - 1)
        if not (math.isfinite(w.radius) and w.radius > 0):
            raise _wire_error(f"{where}: radius must be positive, got {w.radius}", i - 1)
        if int(w.segments) != w.segments or w.segments < 1:
            raise _wire_error(f"{where}: segment count must be a positive integer, got {w.segments}", i - 1)
        if w.length <= 0.0:
            raise _wire_error(f"{where}: zero length (both ends at {tuple(w.start)})", i - 1)
    shortest = min(w.length / w.segments for w in ant.wires)
    for i, w in enumerate(ant.wires, 1):
        far = max(abs(float(v)) for v in (*w.start, *w.end))
        if far > MAX_REACH_SEGMENTS * shortest:
            raise _wire_error(f"wire {i} (tag {w.tag}): an end point {far:.4g} m from the origin is more than "
                              f"{MAX_REACH_SEGMENTS:.0e} times the shortest segment ({shortest:.4g} m) away: the "
                              "distances between segments would lose their digits; move the structure nearer the "
                              "origin", i - 1)
    for i, w in enumerate(ant.wires, 1):
        where = f"wire {i} (tag {w.tag})"
        if w.length / w.segments < MIN_SEGMENT_RADII * w.radius:
            raise _wire_error(f"{where}: segments of {w.length / w.segments:.4g} m are shorter than "
                              f"{MIN_SEGMENT_RADII:g} x the radius {w.radius:.4g} m (below that the wire "
                              "model is invalid)", i - 1)
        if w.length / (w.segments * ant.refinement) < MIN_SEGMENT_RADII * w.radius:
            raise _wire_error(f"{where}: refined x{ant.refinement}, segments of "
                              f"{w.length / (w.segments * ant.refinement):.4g} m are shorter than "
                              f"{MIN_SEGMENT_RADII:g} x the radius {w.radius:.4g} m (below that the wire "
                              "model is invalid): refine less", i - 1)
        if ant.ground:
            lo = min(w.start[2], w.end[2])
            tol = 1e-6 * w.length
            if lo < -tol:
                raise _wire_error(f"{where}: below the ground plane (z = {lo:.4g} m)", i - 1)
            if abs(w.start[2]) <= tol and abs(w.end[2]) <= tol:
                raise _wire_error(f"{where}: lies in the ground plane z = 0", i - 1)
    for s in ant.sources:
        if not np.isfinite(complex(s.voltage)):
            raise GeometryError(f"source on tag {s.tag}: voltage is not finite")
        v = abs(complex(s.voltage))
        if v != 0 and not VOLTAGE_RANGE[0] <= v <= VOLTAGE_RANGE[1]:
            raise GeometryError(f"source on tag {s.tag}: |V| = {v:.3g} V is outside {VOLTAGE_RANGE[0]:g} .. "
                                f"{VOLTAGE_RANGE[1]:g} V (the currents would overflow or underflow; the impedance "
                                "does not depend on V: use 1 V)")
        ant.segment_index(s.tag, s.segment)
    if not ant.sources:
        raise GeometryError("the antenna has no source (EX card)")
    if all(complex(s.voltage) == 0 for s in ant.sources):
        raise GeometryError("every source has zero voltage: nothing excites the antenna (its impedance would be 0/0)")
    for ld in ant.loads:
        if ld.kind not in LOAD_KINDS:
            raise GeometryError(f"unknown load kind {ld.kind!r} (known: {', '.join(LOAD_KINDS)})")
        vals = (ld.r, ld.l, ld.c, ld.x, ld.sigma)
        if not all(math.isfinite(v) for v in vals):
            raise GeometryError(f"load on tag {ld.tag}: value is not finite")
        if ld.kind == "conductivity" and ld.sigma <= 0:
            raise GeometryError(f"load on tag {ld.tag}: conductivity must be positive")
        ant.tag_segments(ld.tag, ld.first, ld.last)
    if any(not (math.isfinite(f) and f > 0) for f in ant.frequencies):
        raise GeometryError("frequencies must be positive and finite")
    if ant.frequencies:
        check_electrical(ant.wires, ant.frequencies)
    _check_contacts(ant)
    _check_overlaps(ant)


#: Segment length in wavelengths the thin-wire model is solved for: NEC-2 asks for about
#: 0.1 (0.05 for accuracy) and 1e-3 or more; far outside (a segment longer than a
#: wavelength, or a millionth of one: a deck scaled by GS 1e300 or 1e-300, FR 1e30 MHz) the
#: numbers overflow or lose every digit, so such a request is refused, not solved.
SEGMENT_WAVELENGTHS = (1e-6, 1.0)


def check_electrical(wires: Sequence[Wire], frequencies: Sequence[float]) -> None:
    """Every segment between 1e-6 and 1 wavelength long at every frequency (Hz)."""
    if not wires or not frequencies:
        return
    from gadesign_problems.antenna.units import C0

    seg = [w.length / w.segments for w in wires]
    longest, shortest = max(seg), min(seg)
    lam_min, lam_max = C0 / max(frequencies), C0 / min(frequencies)
    lo, hi = SEGMENT_WAVELENGTHS
    if not longest <= hi * lam_min:
        raise GeometryError(f"segments of {longest:.4g} m are {longest / lam_min:.3g} wavelengths long at "
                            f"{max(frequencies) / 1e6:.6g} MHz; the thin-wire model needs at most {hi:g} "
                            "(NEC-2 advice: 0.1): use more segments or a lower frequency")
    if not shortest >= lo * lam_max:
        raise GeometryError(f"segments of {shortest:.4g} m are {shortest / lam_max:.3g} wavelengths long at "
                            f"{min(frequencies) / 1e6:.6g} MHz; below {lo:g} wavelengths the solution loses "
                            "every digit: use fewer segments or a higher frequency")


def overlap_reach(cos_theta: float, rsum: float) -> float:
    """How far from their common node two straight tubes whose radii add to ``rsum``,
    leaving it at angle ``theta``, lie inside each other (m): ``rsum / sin(theta)`` below
    90 degrees (:func:`~gadesign_problems.antenna.kernels.junction_reach`), ``rsum sin(theta)``
    from 90 degrees on: a point at distance ``s`` along one projects to ``s cos(theta) <= 0``
    on the other's axis, so it lies in the other's flat-ended tube only at right angles and
    only within its radius; none at 180 degrees (a straight wire split at a node)."""
    from gadesign_problems.antenna.kernels import junction_reach

    if cos_theta > 0.0:
        return junction_reach(cos_theta, rsum)
    return rsum * math.sqrt(max(1.0 - cos_theta * cos_theta, 0.0))


def _check_overlaps(ant: Antenna) -> None:
    """Wires that lie inside each other along a whole wire are a geometry error. Two wires
    meeting at a node ``X`` (an end of one on a node of the other) at angle ``theta``
    overlap for ``(a_1 + a_2) / sin(theta)`` from ``X`` below 90 degrees and for
    ``(a_1 + a_2) sin(theta)`` from 90 on (:func:`overlap_reach`); when that reach covers the
    shorter of the two wire arms, one wire runs inside the other (coincident wires:
    ``theta = 0``), which no real junction does (the matrix becomes singular). The test
    is on the geometry, not on the segments, so a refined structure passes it whenever
    the coarse one does."""
    from scipy.spatial import cKDTree

    s, e, r, n = ant._arrays
    W = len(ant.wires)
    if W < 2:
        return
    counts = n.astype(np.int64)
    wire = np.repeat(np.arange(W), counts + 1)
    k = np.concatenate([np.arange(c + 1) for c in counts])
    frac = (k / counts[wire])[:, None]
    nodes = s[wire] + frac * (e[wire] - s[wire])
    tol = 1e-3 * float((np.linalg.norm(e - s, axis=1) / counts).min())
    ends = np.concatenate([s, e])
    far = np.concatenate([e, s])
    for i, hits in enumerate(cKDTree(nodes).query_ball_point(ends, tol)):
        w = i % W
        X = ends[i]
        arm_w = far[i] - X
        len_w = float(np.linalg.norm(arm_w))
        for h in hits:
            v = int(wire[h])
            if v == w:
                continue
            for tip in (s[v], e[v]):
                arm_v = tip - X
                len_v = float(np.linalg.norm(arm_v))
                if len_v <= tol:
                    continue
                cos_t = float(arm_w @ arm_v) / (len_w * len_v)
                reach = overlap_reach(cos_t, float(r[w] + r[v]))
                if reach >= min(len_w, len_v):
                    a, b = sorted((w, v), reverse=True)
                    point = tuple(round(float(c), 6) + 0.0 for c in X)
                    angle = math.degrees(math.acos(min(max(cos_t, -1.0), 1.0)))
                    raise _wire_error(f"wire {a + 1} (tag {ant.wires[a].tag}) overlaps wire {b + 1} "
                                      f"(tag {ant.wires[b].tag}) near {point}: they meet at {angle:.3g} degrees "
                                      "and lie inside each other along a whole wire (coincident or overlapping "
                                      "wires)", a)


def _check_contacts(ant: Antenna) -> None:
    """Wires that cross or touch must do so at a node (an end of one on a segment end of
    the other); otherwise the current has no path there and the model is wrong."""
    from gadesign_problems.antenna.kernels import first_contact, note_first_compile

    note_first_compile()
    s, e, r, n = ant._arrays
    if int(n.sum()) < 2:
        return
    i, j, point = first_contact(s, e, r, n.astype(np.int64))
    if i >= 0:
        wi, wj = sorted((i, j), reverse=True)
        p = tuple(round(float(v), 6) + 0.0 for v in point)            # + 0.0: no "-0.0"
        what = "itself" if wi == wj else f"wire {wj + 1} (tag {ant.wires[wj].tag})"
        raise _wire_error(f"wire {wi + 1} (tag {ant.wires[wi].tag}) crosses or touches {what} "
                          f"near {p} without sharing an end point", wi)


def as_antenna(obj: "Antenna | str | Path") -> Antenna:
    """An Antenna from itself, a ``.nec`` deck or a ``.json`` geometry file."""
    if isinstance(obj, Antenna):
        return obj
    path = Path(obj)
    if path.suffix.lower() == ".json":
        return Antenna.from_json(path)
    return Antenna.from_nec(path)


def wires_from_points(points: Iterable[Sequence[float]], radius: float, segments: Sequence[int],
                      tag: int = 1) -> tuple[Wire, ...]:
    """A bent wire through ``points`` (a polyline), one :class:`Wire` per piece, all
    with tag ``tag`` so its segments are numbered consecutively along the polyline."""
    pts = [tuple(map(float, p)) for p in points]
    if len(segments) != len(pts) - 1:
        raise GeometryError(f"{len(pts)} points make {len(pts) - 1} pieces, got {len(segments)} segment counts")
    return tuple(Wire(pts[i], pts[i + 1], radius, int(segments[i]), tag) for i in range(len(pts) - 1))
