"""NEC-2 card decks: read into an :class:`Antenna`, write one back.

Supported cards (NEC-2 User's Guide, part III):

======  ===================================================================================
CM, CE  comments (kept, written back; a CE card without text ends them and adds none)
GW      straight wire: tag, segments, x1 y1 z1 x2 y2 z2 (m), radius (m)
GA      wire arc: tag, segments, arc radius, first and last angle (degrees, from +x towards
        +z in the x-z plane, at most 360 apart), wire radius; one straight segment per
        chord, as NEC-2 does; a fifth number (field 7) is xnec2c's editor note of the segment
        length in percent of the shortest wavelength, which no engine reads: it is accepted
        when it is not negative and ignored (it is often stale: xnec2c does not update it
        when the FR card changes)
GH      helix (nec2c's form): tag, segments, turn spacing S, total length HL (< 0: left
        handed), radii A1, B1 at z = 0 and A2, B2 at z = HL (B1 = 0: B1 = A1; A2 = A1: a
        constant radius), wire radius; one straight segment per chord
GX      reflect the structure so far in the planes whose I2 digits (x y z) are nonzero,
        z first, then y, then x; new tags = old + I1 (I1 doubling after each plane); a wire
        lying in or crossing a plane of reflection is an error
GR      I2 copies in all of the structure so far, rotated about z by 360/I2 degrees each,
        tags incremented by I1 per copy
GS      scale all geometry so far by F1; I1 and I2 must be blank or 0 (xnec2c reads them as
        a range of tags to scale, NEC-2 ignores them: such a deck is refused)
GM      move/rotate (ROX, ROY, ROZ degrees about x, then y, then z), translate, and with
        NRPT > 0 copy: the wires from the first one with tag ITS (F7) to the last (all for
        ITS = 0), tags incremented by ITGI
GE      end of geometry; I1 = 0 free space, 1 ground plane (PEC unless a GN card says
        otherwise; NEC-2 itself computes GE 1 without GN in free space, so such a deck is
        read with a warning)
GN      ground: type 1 perfect, -1 none (finite grounds are not modelled)
EX      type 0 voltage source on segment I3 of tag I2 (tag 0: absolute segment), V = F1 + j F2
LD      type 0 series RLC, 1 parallel RLC, 4 R + jX, 5 wire conductivity; -1 clears loads
FR      frequencies: I1 = 0 linear (F1 + i F2), 1 multiplicative (F1 F2^i), I2 values (MHz);
        several FR cards add their frequencies in order. F3 (field 7), where xnec2c writes
        the sweep's last frequency, must be blank, 0 or that frequency (to 1e-5): NEC-2 and
        xnec2c read the sweep from F1 and F2 alone, so an F3 that disagrees is refused
RP      radiation pattern request, normal mode (I1 = 0) only; every request is computed at
        every frequency, and a request repeated after another FR card is read once
XQ      execute (accepted; the simulate command computes every FR frequency anyway)
PT, PQ  print control of NEC's current/charge tables (accepted after GE; they change no
        result, and our outputs are chosen by command options)
EK      NEC's kernel switch, I1 = 0 extended, -1 thin (accepted after GE: this solver
        always integrates the solid wire's exact kernel along a straight wire, which NEC's
        extended kernel approximates)
EN      end of deck (required: a deck without it may be cut short)
======  ===================================================================================

4nec2's comments are read as comments: a line starting with an apostrophe, and the text
after an apostrophe on a card (CM and CE text is kept as written). Any other card, or a
supported card with an unsupported option (xnec2c's Z0 card included), raises
:class:`DeckError` naming the deck line; nothing is skipped silently. Fields may be in
NEC's fixed columns (geometry cards GW GA GH GX GR GS GM GE: I3, I5, 7F10; the others:
I3, 3I5, 6E10) or free format (separated by spaces, tabs or commas). A card may carry all
of its format's fields; one NEC-2 does not use must be blank or 0.
"""

from __future__ import annotations

import math
import re
import warnings
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from gadesign.errors import GadesignError
from gadesign_problems.antenna.wires import (Antenna, GeometryError, Load, PatternRequest, Source, Wire,
                                    check_electrical, check_sizes, segment_index, tag_segments)


class DeckError(GadesignError):
    """A NEC deck that cannot be read; the message names the line and the problem."""


class DeckWarning(UserWarning):
    """A deck that reads, but that NEC-2 itself would compute differently (the message
    names the line and says how to make the deck unambiguous)."""


#: (number of integer fields, number of float fields) each card uses.
#: GA's fifth float and FR's third are read too: xnec2c writes an annotation there (below).
FIELDS = {"GW": (2, 7), "GA": (2, 5), "GH": (2, 7), "GX": (2, 0), "GR": (2, 0), "GS": (2, 1),
          "GM": (2, 7), "GE": (1, 0), "GN": (4, 6), "EX": (4, 6), "LD": (4, 3), "FR": (4, 3),
          "RP": (4, 6), "XQ": (1, 0), "EK": (1, 0), "EN": (0, 0)}
#: Geometry cards are read in NEC-2's geometry format (I3, I5, 7F10), the others in its
#: program-control format (I3, 3I5, 6E10); a card may carry every field of its format.
GEOMETRY_CARDS = {"GW", "GA", "GH", "GX", "GR", "GS", "GM", "GE"}
GEOMETRY_WIDTH, PROGRAM_WIDTH = (2, 7), (4, 6)
KNOWN_UNSUPPORTED = {
    "GC": "tapered wires",
    "GF": "NGF files", "SP": "surface patches", "SM": "surface patches", "SC": "surface patches",
 "KH": "interaction approximation",
    "NT": "two-port networks", "TL": "transmission lines",
    "CP": "coupling", "PL": "plot files",
    "WG": "Green's function files", "SY": "symbols (4nec2)", "GD": "finite-ground corrections",
}
PRINT_CONTROL = {"PT", "PQ"}  # what NEC prints, not what it computes
#: Near-field requests: read and left out with one warning (impedance and far field do not
#: depend on them; 14 of 154 decks from the wild were refused for them alone).
NEAR_FIELD = {"NE": "near electric field", "NH": "near magnetic field"}
#: NEC's kernel switch: EK 0 asks for the extended thin-wire kernel, EK -1 for the thin one
#: again. Our solver integrates the solid wire's exact kernel between segments of one
#: straight wire (what the extended kernel approximates) whatever the card says.
KERNEL_CONTROL = {"EK"}
#: Magnitudes of a nonzero source voltage (V) the solver computes with: outside them the
#: currents overflow or underflow to 0 and the impedance V/I comes out NaN.
VOLTAGE_RANGE = (1e-100, 1e100)
#: NEC-2's other EX types, named in the refusal
EX_KINDS = {1: "incident plane wave", 2: "right-hand elliptic plane wave", 3: "left-hand elliptic plane wave",
            4: "elementary current source", 5: "current-slope-discontinuity voltage source"}
LD_KINDS = {0: "series", 1: "parallel", 4: "impedance", 5: "conductivity"}
_FIXED_INT = [(2, 5), (5, 10), (10, 15), (15, 20)]


def read_nec(path: str | Path) -> Antenna:
    """Read a NEC-2 deck file; errors name the file and line."""
    from gadesign.paths import InputFileError, check_input_file

    p = Path(path)
    try:
        check_input_file(p, "NEC deck")
    except InputFileError as exc:
        raise DeckError(str(exc)) from None
    try:
        # utf-8-sig: a deck saved by Windows Notepad starts with a byte order mark, which
        # was read as part of the first card ("unknown card '\ufeffC'")
        text = p.read_text(encoding="utf-8-sig", errors="replace")
    except OSError as exc:
        raise DeckError(f"{p}: cannot read deck: {exc.strerror or exc}") from exc
    return parse_nec(text, str(p))


def _width(card: str) -> tuple[int, int]:
    """(integer fields, float fields) of the card's NEC-2 format."""
    return GEOMETRY_WIDTH if card in GEOMETRY_CARDS else PROGRAM_WIDTH


def _split_fields(card: str, rest: str, line: str) -> list[str]:
    """The numeric fields of a card, from free format or NEC's fixed columns."""
    n_int, n_flt = _width(card)
    tokens = [t for t in re.split(r"[,\s]+", rest.strip()) if t]
    fixed = False
    if "," not in rest and "\t" not in line and tokens:
        # fixed columns if every token ends on a column boundary and some fields are blank
        bounds = {5, 10} | {10 + 10 * i for i in range(1, 8)} if card in GEOMETRY_CARDS \
            else {5, 10, 15, 20} | {20 + 10 * i for i in range(1, 7)}
        ends = [m.end() for m in re.finditer(r"\S+", line)][1:]
        fixed = all(e in bounds for e in ends) and len(tokens) < n_int + n_flt
        if not all(_is_number(t) for t in tokens):
            # numbers run together in full columns ("0.0-0.25") read as fixed columns; a word
            # that is no number either way is reported as the user wrote it, not as a column slice
            fixed = all(not f or _is_number(f) for f in _columns(card, line))
    if not fixed:
        return tokens
    return _columns(card, line)


def _columns(card: str, line: str) -> list[str]:
    """The fields of ``line`` in NEC's fixed columns (geometry or program-control format)."""
    cols = ([(2, 5), (5, 10)] + [(10 + 10 * i, 20 + 10 * i) for i in range(7)]) if card in GEOMETRY_CARDS \
        else (_FIXED_INT + [(20 + 10 * i, 30 + 10 * i) for i in range(6)])
    return [line[a:b].strip() for a, b in cols]


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _numbers(card: str, fields: list[str]) -> tuple[list[int], list[float]]:
    """The card's integer and float fields (blank: 0), as many as the card uses; a field
    of the format that NEC-2 does not use for this card must be blank or 0."""
    n_int, n_flt = _width(card)
    if len(fields) > n_int + n_flt:
        raise ValueError(f"{card} card has {len(fields)} fields, at most {n_int + n_flt} allowed")
    fields = fields + [""] * (n_int + n_flt - len(fields))
    ints, flts = [], []
    for i, f in enumerate(fields):
        try:
            v = float(f) if f else 0.0
        except ValueError:
            raise ValueError(f"{card} field {i + 1} {f!r} is not a number") from None
        if not math.isfinite(v):
            raise ValueError(f"{card} field {i + 1} is not a finite number ({f})")
        if i < n_int:
            if v != int(v):
                raise ValueError(f"{card} field {i + 1} must be an integer, got {f}")
            ints.append(int(v))
        else:
            flts.append(v)
    used_int, used_flt = FIELDS[card]
    for i, v in [*enumerate(ints[used_int:], used_int), *enumerate(flts[used_flt:], n_int + used_flt)]:
        if v != 0:
            raise ValueError(f"{card} field {i + 1} is not used by NEC-2 on this card: leave it blank or 0, "
                             f"got {fields[i]}")
    return ints[:used_int], flts[:used_flt]


def _rotation(rx: float, ry: float, rz: float) -> np.ndarray:
    """NEC's GM rotation: about x, then y, then z (degrees)."""
    ax, ay, az = np.radians([rx, ry, rz])
    cx, sx, cy, sy, cz, sz = np.cos(ax), np.sin(ax), np.cos(ay), np.sin(ay), np.cos(az), np.sin(az)
    Rx = np.array([[1, 0, 0], [0, cx, -sx], [0, sx, cx]])
    Ry = np.array([[cy, 0, sy], [0, 1, 0], [-sy, 0, cy]])
    Rz = np.array([[cz, -sz, 0], [sz, cz, 0], [0, 0, 1]])
    return Rz @ Ry @ Rx


def _sizes(err: Callable[[str], DeckError], **sizes: int) -> None:
    """The deck's sizes so far against the limits (see wires.check_sizes), as a deck error."""
    from gadesign.limits import LimitError

    try:
        check_sizes(**sizes)
    except LimitError as exc:
        raise err(str(exc)) from None


def _chords(points: Sequence[Sequence[float]], radius: float, tag: int) -> list[Wire]:
    """One one-segment wire per chord of the polyline ``points`` (NEC's GA and GH cards)."""
    pts = [tuple(float(c) + 0.0 for c in p) for p in points]
    return [Wire(pts[i], pts[i + 1], radius, 1, tag) for i in range(len(pts) - 1)]


def _arc(tag: int, ns: int, rada: float, ang1: float, ang2: float, rad: float) -> list[Wire]:
    """NEC-2's GA card: ``ns`` chords of the circle of radius ``rada`` about the origin in
    the x-z plane, from ``ang1`` to ``ang2`` degrees (from +x towards +z); a full circle
    closes exactly on its first point."""
    ang = np.radians(ang1 + (ang2 - ang1) * np.arange(ns + 1) / ns)
    pts = np.stack([rada * np.cos(ang), np.zeros(ns + 1), rada * np.sin(ang)], axis=1)
    if abs(abs(ang2 - ang1) - 360.0) < 1e-5:
        pts[-1] = pts[0]
    return _chords(pts, rad, tag)


def _helix(tag: int, ns: int, s: float, hl: float, a1: float, b1: float, a2: float, b2: float,
           rad: float) -> list[Wire]:
    """nec2c's GH card: ``ns`` chords of a helix along +z from z = 0 to |hl|, turn spacing
    ``s``, radii (a1, b1) in x and y at z = 0 growing linearly to (a2, b2) at z = |hl|
    (b1 = 0 means a1; a2 = a1 a constant radius (a1, b1); b2 = 0 means a2); hl < 0 swaps
    x and y (a left-handed helix)."""
    z = np.zeros(ns + 1)
    zinc = abs(hl) / ns
    for i in range(1, ns + 1):        # accumulated as nec2c does, so that the ends meet
        z[i] = z[i - 1] + zinc
    if a2 == a1:
        b1 = b1 or a1
        ra, rb = np.full(ns + 1, a1), np.full(ns + 1, b1)
    else:
        b2 = b2 or a2
        ra, rb = a1 + (a2 - a1) * z / abs(hl), b1 + (b2 - b1) * z / abs(hl)
    x, y = ra * np.cos(2.0 * np.pi * z / s), rb * np.sin(2.0 * np.pi * z / s)
    if hl < 0:
        x, y = y, x
    return _chords(np.stack([x, y, z], axis=1), rad, tag)


def parse_nec(text: str, name: str = "<deck>") -> Antenna:
    """Parse deck ``text``; ``name`` prefixes error messages."""
    text = text.removeprefix("\ufeff")     # a byte order mark is no part of the first card
    comments: list[str] = []
    wires: list[Wire] = []
    wire_lines: list[int] = []
    sources: list[tuple[int, Source]] = []
    loads: list[tuple[int, Load]] = []
    freqs: list[float] = []
    patterns: list[PatternRequest] = []
    ground: bool | None = None
    ge_ground: bool | None = None   # GE 1 not followed by a GN card
    ge_line = 0
    ended = False
    lineno = 0
    cards = 0
    near_cards: set[str] = set()

    def err(msg: str, n: int | None = None) -> DeckError:
        return DeckError(f"{name}: line {lineno if n is None else n}: {msg}")

    def add(new: list[Wire]) -> None:
        _sizes(err, segments=sum(w.segments for w in wires) + sum(w.segments for w in new))
        wires.extend(new)
        wire_lines.extend([lineno] * len(new))

    for lineno, raw in enumerate(text.splitlines(), 1):
        line = raw.rstrip("\r\n")
        if line.lstrip()[:2].upper() not in ("CM", "CE") and "'" in line:
            # 4nec2's comments: a line starting with ' is one, and ' ends the fields of a card
            # ("GW 1 9 0 -.24 0 0 .24 0 .001  ' driven element"); they were "unknown card"
            line = line[:line.index("'")]
        if not line.strip():
            continue
        cards += 1
        if ended:
            raise err(f"{line.strip()[:2]!r} card after EN")
        card = line.lstrip()[:2].upper()
        rest = line.lstrip()[2:]
        if card in ("CM", "CE"):
            # CE ends the comments: its own text (if any) is one, a bare CE is none (it used
            # to become a blank comment, so every NEC -> JSON -> NEC trip added a "CM" line)
            if card == "CM" or rest.strip():
                comments.append(rest.strip())
            continue
        if card in PRINT_CONTROL or card in KERNEL_CONTROL:
            if not ge_line:
                raise err(f"{card} card before GE (the geometry must end with a GE card)")
            if card in KERNEL_CONTROL:
                try:
                    ints, _ = _numbers(card, _split_fields(card, rest, line))
                except ValueError as exc:
                    raise err(str(exc)) from None
                if ints[0] not in (0, -1):
                    raise err(f"EK {ints[0]}: I1 must be 0 (extended kernel) or -1 (thin kernel)")
            continue
        if card in NEAR_FIELD:
            if not ge_line:
                raise err(f"{card} card before GE (the geometry must end with a GE card)")
            if card not in near_cards:
                near_cards.add(card)
                warnings.warn(f"{name}: line {lineno}: {card} card ({NEAR_FIELD[card]}) is not computed: "
                              "impedance, currents and far field only", stacklevel=2)
            continue
        if card in ("Z0", "ZO"):
            # xnec2c's own card: the reference impedance of its VSWR plot (an "unknown card" before)
            z = next((t for t in re.split(r"[,\s]+", rest.strip()) if t), "")
            ohm = f"{float(z):g}" if _is_number(z) and 0 < float(z) < math.inf else ""
            raise err(f"{card} card (xnec2c's reference impedance for VSWR{', ' + ohm + ' ohm' if ohm else ''}) is "
                      f"not read from decks: delete it and give 'gadesign antenna simulate --z0 {ohm or 'OHMS'}'")
        if card not in FIELDS:
            what = KNOWN_UNSUPPORTED.get(card)
            if what:
                raise err(f"{card} card is not supported ({what}: not modelled)")
            raise err(f"unknown card {line.strip()[:2]!r}")
        try:
            ints, f = _numbers(card, _split_fields(card, rest, line))
        except ValueError as exc:
            raise err(str(exc)) from None
        geometry_card = card in GEOMETRY_CARDS and card != "GE"
        if geometry_card and ge_line:
            raise err(f"{card} card after GE (geometry must come before GE)")
        if not geometry_card and card != "GE" and not ge_line:
            raise err(f"{card} card before GE (the geometry must end with a GE card)")
        if card in ("GW", "GA", "GH"):
            tag, ns = ints
            rad = f[{"GW": 6, "GA": 3, "GH": 6}[card]]
            if ns < 1:
                raise err(f"{card}: segment count must be at least 1, got {ns}")
            if rad < 0:
                raise err(f"{card}: negative wire radius {rad}")
            if rad == 0:
                raise err(f"{card}: zero radius (tapered wires, GC cards, are not supported)")
            _sizes(err, segments=sum(w.segments for w in wires) + ns)
            if card == "GW":
                p1, p2 = tuple(f[0:3]), tuple(f[3:6])
                if math.dist(p1, p2) == 0.0:
                    raise err(f"GW: zero-length wire (both ends at {p1})")
                add([Wire(p1, p2, rad, ns, tag)])
            elif card == "GA":
                rada, ang1, ang2 = f[0:3]
                if not rada > 0:
                    raise err(f"GA: the arc radius must be positive, got {rada}")
                if ang1 == ang2:
                    raise err(f"GA: zero-length arc (both angles {ang1} degrees)")
                if abs(ang2 - ang1) >= 360.00001:
                    raise err(f"GA: the arc spans {abs(ang2 - ang1):g} degrees, more than 360")
                if f[4] < 0:
                    raise err(f"GA field 7 is not used by NEC-2 on this card (xnec2c writes the segment length "
                              f"in percent of a wavelength there): leave it blank or 0, got {f[4]:g}")
                add(_arc(tag, ns, rada, ang1, ang2, rad))
            else:
                s, hl, a1, b1, a2, b2 = f[0:6]
                if s == 0 or hl == 0:
                    raise err(f"GH: the turn spacing S and the length HL must be nonzero, got {s} and {hl}")
                if min(a1, b1, a2, b2) < 0:
                    raise err("GH: the helix radii A1, B1, A2, B2 must not be negative")
                add(_helix(tag, ns, s, hl, a1, b1, a2, b2, rad))
        elif card == "GX":
            itx, flags = ints
            if not 0 < flags <= 999:
                raise err(f"GX: I2 must name the planes of reflection as three digits (x y z, e.g. 1 for "
                          f"z -> -z, 110 for x and y), got {flags}")
            if not wires:
                raise err("GX: there is no structure to reflect")
            ix, iy, iz = (flags // 100) % 10, (flags // 10) % 10, flags % 10
            for axis, on in ((2, iz), (1, iy), (0, ix)):        # NEC's order: z, y, x
                if not on:
                    continue
                for k, w in enumerate(wires):
                    e1, e2 = w.start[axis], w.end[axis]
                    if abs(e1) + abs(e2) <= 1e-5 or e1 * e2 < -1e-6:
                        raise err(f"GX: wire {k + 1} (tag {w.tag}, line {wire_lines[k]}) lies in or crosses "
                                  f"the plane of reflection {'xyz'[axis]} = 0")

                def flip(p: tuple[float, ...], axis: int = axis) -> tuple[float, ...]:
                    return tuple(-c + 0.0 if i == axis else c for i, c in enumerate(p))
                add([Wire(flip(w.start), flip(w.end), w.radius, w.segments, w.tag + itx if w.tag else 0)
                     for w in wires])
                itx *= 2
        elif card == "GR":
            itx, nop = ints
            if nop < 1:
                raise err(f"GR: the number of copies around z must be at least 1, got {nop}")
            if not wires:
                raise err("GR: there is no structure to copy")
            _sizes(err, segments=nop * sum(w.segments for w in wires))
            rot = _rotation(0.0, 0.0, 360.0 / nop)
            prev = list(wires)
            for _ in range(nop - 1):
                prev = [Wire(tuple(map(float, rot @ np.array(w.start))), tuple(map(float, rot @ np.array(w.end))),
                             w.radius, w.segments, w.tag + itx if w.tag else 0) for w in prev]
                add(prev)
        elif card == "GS":
            s = f[0]
            if ints != [0, 0]:
                # NEC-2 (nec2c, PyNEC) ignores I1 and I2 and scales everything; xnec2c scales only
                # the tags I1..I2 when 0 < I1 <= I2. Read NEC-2's way, a deck written for xnec2c
                # came out as another antenna without a word (its quad's loops all scaled alike)
                if 0 < ints[0] <= ints[1]:
                    raise err(f"GS {ints[0]} {ints[1]}: a tag range is xnec2c's extension (it scales only tags "
                              f"{ints[0]}..{ints[1]}), while NEC-2 and nec2c ignore I1, I2 and scale the whole "
                              "structure so far: write GS 0 0 to scale everything, or scale those wires' GW "
                              "coordinates and radii")
                raise err(f"GS field {1 if ints[0] else 2} is not used by NEC-2 on this card (it scales the whole "
                          f"structure): leave I1 and I2 blank or 0, got {ints[0]} {ints[1]}")
            if not s > 0:
                raise err(f"GS: scale factor must be positive, got {s}")
            wires = [Wire(tuple(c * s for c in w.start), tuple(c * s for c in w.end), w.radius * s,
                          w.segments, w.tag) for w in wires]
        elif card == "GM":
            itgi, nrpt = ints
            if nrpt < 0:
                raise err(f"GM: the number of copies must be >= 0, got {nrpt}")
            if f[6] < 0:
                raise err(f"GM: the first tag ITS (field 9) must be >= 0, got {f[6]}")
            rot, shift, its = _rotation(*f[0:3]), np.array(f[3:6]), int(f[6] + 0.5)
            # NEC-2: the wires from the first one with tag ITS to the last (all for ITS = 0)
            first = 0 if its == 0 else next((i for i, w in enumerate(wires) if w.tag == its), None)
            if first is None:
                raise err(f"GM: no wire has tag {its} (ITS, field 9: the first tag to move or copy)")
            moved = range(first, len(wires))

            def move(w: Wire) -> Wire:
                a = rot @ np.array(w.start) + shift
                b = rot @ np.array(w.end) + shift
                return Wire(tuple(map(float, a)), tuple(map(float, b)), w.radius, w.segments,
                            w.tag + itgi if w.tag else 0)
            if nrpt == 0:
                for i in moved:
                    wires[i] = move(wires[i])
            else:
                prev = [wires[i] for i in moved]
                _sizes(err, segments=sum(w.segments for w in wires) + nrpt * sum(w.segments for w in prev))
                for _ in range(nrpt):
                    prev = [move(w) for w in prev]
                    add(prev)
        elif card == "GE":
            if ge_line:
                raise err(f"a second GE card (the first is on line {ge_line}): one GE card ends the geometry")
            if not wires:
                raise err("GE: the deck has no wires")
            if ints[0] not in (0, 1):
                raise err(f"GE {ints[0]}: only 0 (free space) and 1 (ground plane) are supported")
            ge_line = lineno
            ground = ints[0] == 1
            ge_ground = ground
        elif card == "GN":
            if ints[0] == 1:
                ground = True
            elif ints[0] == -1:
                ground = False
            else:
                raise err(f"GN {ints[0]}: only perfect ground (GN 1) or none (GN -1) is supported")
            ge_ground = None
        elif card == "EX":
            if ints[0] != 0:
                # "only voltage sources" misled on EX 5, which is NEC-2's other voltage source
                what = EX_KINDS.get(ints[0])
                raise err(f"EX type {ints[0]} ({what}) is not supported: only type 0 is (of NEC-2's two voltage "
                          "sources, the applied-field one)" if what else f"EX type {ints[0]}: NEC-2's types are 0 to "
                          "5, and only type 0 is supported (of NEC-2's two voltage sources, the applied-field one)")
            src = Source(ints[1], ints[2], complex(f[0], f[1]))
            if src.voltage != 0 and not VOLTAGE_RANGE[0] <= abs(src.voltage) <= VOLTAGE_RANGE[1]:
                raise err(f"EX: source voltage |V| = {abs(src.voltage):.3g} V is outside {VOLTAGE_RANGE[0]:g} .. "
                          f"{VOLTAGE_RANGE[1]:g} V (the currents would overflow or underflow; the impedance does not "
                          "depend on V: use 1 V)")
            try:
                seg = segment_index(wires, src.tag, src.segment)
            except GeometryError as exc:
                raise err(f"EX: source on a non-existent segment: {exc}") from None
            for n, other in sources:
                if segment_index(wires, other.tag, other.segment) == seg:
                    raise err(f"EX: a second source on segment {src.segment} of tag {src.tag} (the first is on "
                              f"line {n}); NEC-2 keeps one source per segment")
            sources.append((lineno, src))
        elif card == "LD":
            if ints[0] == -1:
                loads.clear()
                continue
            if ints[0] not in LD_KINDS:
                raise err(f"LD type {ints[0]}: supported types are 0, 1, 4, 5 and -1")
            kind = LD_KINDS[ints[0]]
            vals = {"series": dict(r=f[0], l=f[1], c=f[2]), "parallel": dict(r=f[0], l=f[1], c=f[2]),
                    "impedance": dict(r=f[0], x=f[1]), "conductivity": dict(sigma=f[0])}[kind]
            if kind == "conductivity" and not f[0] > 0:
                raise err(f"LD 5: conductivity must be positive, got {f[0]}")
            if kind == "parallel" and f[0] == f[1] == f[2] == 0:
                raise err("LD 1: a parallel load with R, L and C all 0 has no element (0 means absent): "
                          "it would cut the wire (NEC-2 gives NaN)")
            try:
                tag_segments(wires, ints[1], ints[2], ints[3])
            except GeometryError as exc:
                raise err(f"LD: {exc}") from None
            loads.append((lineno, Load(kind, ints[1], ints[2], ints[3], **vals)))
        elif card == "FR":
            kind, n = ints[0], max(ints[1], 1)
            if ints[1] < 0:
                raise err(f"FR: the number of frequencies must be >= 0 (0 means 1), got {ints[1]}")
            if kind not in (0, 1):
                raise err(f"FR type {kind}: must be 0 (linear) or 1 (multiplicative)")
            if not f[0] > 0:
                raise err(f"FR: frequency must be positive, got {f[0]} MHz")
            _sizes(err, frequencies=len(freqs) + n)
            try:
                fs = [f[0] + i * f[1] for i in range(n)] if kind == 0 else [f[0] * f[1] ** i for i in range(n)]
            except OverflowError:
                raise err("FR: the steps make a frequency that is not finite") from None
            if any(not (x > 0 and math.isfinite(x)) for x in fs):
                raise err("FR: the steps make a frequency that is not positive")
            if f[2] != 0 and abs(f[2] - fs[-1]) > 1e-5 * abs(fs[-1]):
                # xnec2c writes the sweep's end in F3; NEC-2 and xnec2c themselves read only F1, F2
                sweep = f"{f[0]:g} + {n - 1} x {f[1]:g}" if kind == 0 else f"{f[0]:g} x {f[1]:g}^{n - 1}"
                raise err(f"FR: field 7 (F3, the end frequency xnec2c writes) is {f[2]:g} MHz, but the sweep "
                          f"{sweep} ends at {fs[-1]:g} MHz; NEC-2 reads only F1 and F2: make F3 agree or leave "
                          "it blank")
            try:
                check_electrical(wires, [x * 1e6 for x in fs])
            except GeometryError as exc:
                raise err(f"FR: {exc}") from None
            freqs.extend(x * 1e6 for x in fs)
        elif card == "RP":
            if ints[0] != 0:
                raise err(f"RP mode {ints[0]}: only normal-mode patterns (0) are supported")
            if ints[1] < 1 or ints[2] < 1:
                raise err("RP: the numbers of theta and phi values must be at least 1")
            from gadesign.limits import LimitError

            try:
                req = PatternRequest(ints[1], ints[2], f[0], f[1], f[2], f[3], ints[3])
            except LimitError as exc:
                raise err(str(exc)) from None
            except GeometryError as exc:
                raise err(f"RP: {exc}") from None
            if req in patterns:
                # NEC runs the RP cards that follow each FR card, so a deck of several FR cards
                # repeats them (as format_nec writes it); the same request is one pattern here
                # (read as several, every pattern came out once per copy, and each NEC -> JSON
                # -> NEC trip multiplied the RP cards by the number of FR cards)
                continue
            _sizes(err, directions=sum(p.n_theta * p.n_phi for p in patterns) + ints[1] * ints[2])
            patterns.append(req)
        elif card == "EN":
            ended = True
    if not cards:
        raise DeckError(f"{name}: the deck is empty (no cards)")
    if not ge_line:
        raise err("the deck has no GE card (end of geometry)")
    if not ended:
        raise err("the deck has no EN card (end of deck): is the file cut short?")
    if not sources:
        raise err("the deck has no EX card (source)")
    if all(s.voltage == 0 for _, s in sources):
        raise err("EX: every source has zero voltage: nothing excites the antenna (its impedance would be 0/0)",
                  sources[0][0])
    try:
        ant = Antenna(wires=tuple(wires), sources=tuple(s for _, s in sources), ground=bool(ground),
                       loads=tuple(ld for _, ld in loads), frequencies=tuple(freqs),
                       patterns=tuple(patterns), comments=tuple(comments))
    except GeometryError as exc:
        w = getattr(exc, "wire", None)
        n = wire_lines[w] if w is not None and w < len(wire_lines) else lineno
        raise err(str(exc), n) from None
    if ge_ground:
        warnings.warn(f"{name}: line {ge_line}: GE 1 without a GN card is read as a perfect ground plane; NEC-2 "
                      "itself (nec2c, PyNEC) computes such a deck in free space: add GN 1 (perfect ground) or "
                      "GN -1 (free space) to say which", DeckWarning, stacklevel=2)
    return ant


#: The longest card written. nec2c (1.3) reads each card into a fixed buffer and rejects a
#: deck with a longer line ("INCORRECT LABEL FOR A COMMENT CARD", or a misread GW card);
#: 132 characters is its limit, measured; 80 is the punched card's, kept for comments.
MAX_CARD_CHARS = 120
MAX_COMMENT_CHARS = 80


def _g(x: float) -> str:
    """Shortest exact float text."""
    return repr(float(x))


#: Number formats tried in turn until a card fits: exact, then 12, 10 and 8 significant
#: digits (10 digits move a 15 cm wire's end by at most 1e-11 m)
_FORMATS = (_g, lambda x: f"{float(x):.12g}", lambda x: f"{float(x):.10g}", lambda x: f"{float(x):.8g}")


def _card(label: str, ints: Sequence[int], floats: Sequence[float]) -> str:
    """One free-format card, its numbers exact where the card stays within
    :data:`MAX_CARD_CHARS`, else rounded to the most digits that fit."""
    line = ""
    for fmt in _FORMATS:
        line = " ".join([label, *map(str, ints), *map(fmt, floats)])
        if len(line) <= MAX_CARD_CHARS:
            break
    return line


def _comment_cards(comments: Sequence[str]) -> list[str]:
    """CM cards of at most :data:`MAX_COMMENT_CHARS`: a longer comment is wrapped at spaces,
    never between a number and the unit after it ("7.2 nH")."""
    import textwrap

    out: list[str] = []
    for c in comments:
        kept = re.sub(r"(\d) (?=[^\W\d])", "\\1\u00a0", c)  # textwrap breaks only at ASCII whitespace
        out += [f"CM {part.replace(chr(0xA0), ' ')}"
                for part in textwrap.wrap(kept, MAX_COMMENT_CHARS - 3, break_long_words=True,
                                          break_on_hyphens=False)] or ["CM"]
    return out


def format_nec(ant: Antenna) -> str:
    """A NEC-2 deck for ``ant`` (free format, every card within :data:`MAX_CARD_CHARS`
    and comments within 80 characters, so that nec2c, xnec2c and 4nec2 read it)."""
    out = _comment_cards(ant.comments) or ["CM written by gadesign"]
    out.append("CE")
    for w in ant.wires:
        out.append(_card("GW", (w.tag, w.segments), (*w.start, *w.end, w.radius)))
    out.append(f"GE {1 if ant.ground else 0}")
    if ant.ground:
        out.append("GN 1")
    for ld in ant.loads:
        code = {v: k for k, v in LD_KINDS.items()}[ld.kind]
        vals = {"series": (ld.r, ld.l, ld.c), "parallel": (ld.r, ld.l, ld.c),
                "impedance": (ld.r, ld.x), "conductivity": (ld.sigma,)}[ld.kind]
        out.append(_card("LD", (code, ld.tag, ld.first, ld.last), vals))
    for s in ant.sources:
        v = complex(s.voltage)
        out.append(f"EX 0 {s.tag} {s.segment} 0 {_g(v.real)} {_g(v.imag)}")
    pats = ant.patterns or (PatternRequest(19 if ant.ground else 37, 73, 0.0, 0.0, 5.0, 5.0),)
    execute = [f"RP 0 {p.n_theta} {p.n_phi} {p.xnda} {_g(p.theta0)} {_g(p.phi0)} {_g(p.dtheta)} "
               f"{_g(p.dphi)}" for p in pats]
    for fr in _fr_cards(ant.frequencies):       # NEC runs each FR with the RP cards after it
        out.append(fr)
        out.extend(execute)
    out.append("EN")
    return "\n".join(out) + "\n"


def _fr_cards(freqs: tuple[float, ...]) -> list[str]:
    """FR cards reproducing ``freqs`` (Hz): one linear or multiplicative sweep when the
    values are one, else one card per frequency."""
    if not freqs:
        return []
    mhz = np.array(freqs) / 1e6
    n = len(mhz)
    if n == 1:
        return [f"FR 0 1 0 0 {_g(mhz[0])} 0.0"]
    step = mhz[1] - mhz[0]
    if np.allclose(mhz, mhz[0] + step * np.arange(n), rtol=1e-12, atol=0):
        return [f"FR 0 {n} 0 0 {_g(mhz[0])} {_g(step)}"]
    ratio = mhz[1] / mhz[0]
    if np.allclose(mhz, mhz[0] * ratio ** np.arange(n), rtol=1e-12, atol=0):
        return [f"FR 1 {n} 0 0 {_g(mhz[0])} {_g(ratio)}"]
    return [f"FR 0 1 0 0 {_g(x)} 0.0" for x in mhz]
