"""Isotope patterns from measured spectra: peak lists (CSV/TSV), mzML and MGF files.

:func:`read_spectrum` returns the centroided peaks of one spectrum (a CSV/TSV list of
m/z, intensity; or the spectrum of an mzML/MGF file picked by scan number or retention
time, read with :mod:`pyteomics`). :func:`find_envelope` finds the monoisotopic peak
and its isotope envelope.

Bin k of the envelope sums every peak within ``tolerance + k * spread`` Th (divided by
the charge) of ``mz0 + k * 1.00235 / z``: 1.00235 Da per bin lies between the 13C shift
(1.00336) and the per-neutron shifts of 15N (0.99703), 34S (0.99790), 37Cl (0.99852)
and 81Br (0.99898), and the window widens with k because heavier bins mix more kinds
of isotopes (bin 6 of Cl3 sits 0.023 Th below its centre). Only the peaks found are
reported: the envelope ends at the last bin with a peak (two empty bins in a row end
it); an empty bin before that is a peak looked for and absent (0), bins after it are
not measured.
"""

from __future__ import annotations

import csv
import gc
import math
import re
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from gadesign_problems.molecule.formula import FormulaError
from gadesign_problems.molecule.isotopes import MAX_PEAKS, N_PEAKS, normalise_pattern

ISOTOPE_SPACING = 1.00235
#: Window growth per isotope bin, Th (see the module docstring).
SPREAD = 0.004
#: A lighter peak continues the envelope downwards only above this fraction of the base peak.
MIN_LIGHTER = 0.02
#: Window growth per isotope bin above its centre, Th: every heavy isotope but 13C and 2H
#: lies below the centre (37Cl, 81Br, 34S, 15N), 13C_k at +0.001 k, 13C+2H at +0.005 in bin
#: 2. A compound 2 H heavier (2.01565 Da: the saturated analogue of a co-eluting lipid,
#: +0.0109 from bin 2's centre) is not one of the ion's isotopes.
UP_SPREAD = 0.0012
#: Where M+2 is below this fraction of M+0 (no Cl, Br or several S: those make it 0.3 and
#: more), the envelope from M+2 on can only fall: a bin M+k (k >= 3) more than RISE times
#: a measured M+k-1 is another compound's peak, and the envelope ends before it (after an
#: empty bin a peak is still taken: the empty bin is a peak looked for and absent).
#: Dense MS1 spectra of real runs (matchms' and pymzml's Thermo test files) have a peak in
#: nearly every widened bin, and the envelope ran on through them to M+6.
LOW_M2 = 0.2
RISE = 2.0
#: A peak this fraction of the monoisotopic one at a spacing of another charge, or one
#: isotope step below a given monoisotopic m/z, is reported (Envelope.notes).
NOTE_FRACTION = 0.1


@dataclass(frozen=True)
class Peaks:
    """Centroided peaks of one spectrum and where they came from."""

    mz: np.ndarray
    intensity: np.ndarray
    source: str
    #: The ion charge the file states for this spectrum (an MGF ``CHARGE``), None if it states none.
    charge: int | None = None
    #: Every charge the file states (an MGF ``CHARGE=2+ and 3+`` states two and fixes none).
    charges: tuple[int, ...] = ()


@dataclass(frozen=True)
class Envelope:
    """An isotope envelope: monoisotopic m/z, the pattern (normalised over the peaks
    found, NaN = not measured) and the m/z of the most intense peak of each bin found."""

    mono_mz: float
    pattern: np.ndarray
    peaks_mz: list[float | None]
    #: What looks amiss (a charge the spacing contradicts, a heavier given peak): warnings.
    notes: tuple[str, ...] = ()


_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_DECIMAL_COMMA = re.compile(r"[+-]?\d+,\d+(?:[eE][+-]?\d+)?")
#: Column names of a peak list's header: m/z and intensity (first match wins).
_MZ_COLUMN = re.compile(r"^(m\s*/\s*z|mz|m\.z|mass|masses|mass/charge|moverz|m_z)\b", re.IGNORECASE)
_INTENSITY_COLUMN = re.compile(r"(intens|abund|height|counts|signal|^int\b|^i$|^area$|^y$)", re.IGNORECASE)
#: A peak list whose consecutive m/z mostly lie closer than this (Th) is a profile spectrum.
PROFILE_SPACING = 0.005


def _read_text(path: Path, what: str) -> str:
    """A text file's content: UTF-8 (a byte-order mark dropped, as Excel writes one) or
    UTF-16 with its byte-order mark; :class:`FormulaError` for anything else."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise FormulaError(f"cannot read {what} {path}: {exc.strerror or exc}") from None
    try:
        if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
            text = data.decode("utf-16")
        else:
            text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FormulaError(f"{path}: not a text {what} (expected lines of m/z, intensity)") from None
    if "\x00" in text or sum(not c.isascii() for c in text) > 0.2 * len(text):    # numbers are ASCII
        raise FormulaError(f"{path}: not a text {what} (expected lines of m/z, intensity)")
    return text


def _number(field: str, decimal_comma: bool) -> float | None:
    f = field.strip().strip('"').strip("'").strip()
    if decimal_comma and "," in f:
        f = f.replace(".", "").replace(",", ".")
    if not _NUMBER.fullmatch(f) and f.lower() not in ("nan", "inf", "-inf", "+inf", "infinity", "-infinity"):
        return None
    return float(f)


def read_peaks(path: str | Path) -> tuple[np.ndarray, np.ndarray]:
    """m/z and intensity columns of a CSV/TSV peak list.

    Fields are separated by commas, semicolons, tabs or spaces (whichever every data line
    has); with semicolons, tabs or spaces a decimal comma (``311,1265``) is read as a
    decimal point. Lines before the first one that starts with a number are a header (and
    comments, ``#`` lines anywhere): when the last of them names the columns
    (``index,m/z,intensity``, ``Intensity;m/z``) those are taken (with one of the two named,
    the other is the column next to it), else the first two.
    From the first data line on every line must hold two numbers. A UTF-8 byte-order mark
    (Excel's "CSV UTF-8") and UTF-16 files are read. Dense profile lists are not
    centroided here (:func:`read_spectrum` does it)."""
    path = Path(path)
    text = _read_text(path, "peak list")
    lines = [(n, line.strip()) for n, line in enumerate(text.splitlines(), start=1)]
    lines = [(n, line) for n, line in lines if line and not line.startswith("#")]

    def looks_numeric(line: str) -> bool:
        return bool(re.match(r"[\"']?[+-]?(\d|\.\d)", line))

    data_lines = [line for _, line in lines if looks_numeric(line)]
    delimiter: str | None = None
    for d in ("\t", ";", ","):
        if data_lines and all(d in line for line in data_lines):
            delimiter = d
            break

    def split(line: str) -> list[str]:
        if delimiter is None:
            return line.split()
        row = next(csv.reader([line], delimiter=delimiter))
        return [f.strip() for f in row]

    decimal_comma = delimiter != "," and any(_DECIMAL_COMMA.fullmatch(split(line)[0].strip('"')) for line in data_lines[:50])
    first = next((i for i, (_, line) in enumerate(lines) if looks_numeric(line)), None)
    if first is None:
        raise FormulaError(f"{path}: no peaks (expected lines of m/z, intensity)")
    mz_col, int_col = 0, 1
    header = [f.strip().strip('"') for f in split(lines[first - 1][1])] if first > 0 else []
    if len(header) >= 2:
        mz_hits = [i for i, name in enumerate(header) if _MZ_COLUMN.search(name)]
        int_hits = [i for i, name in enumerate(header) if _INTENSITY_COLUMN.search(name) and i not in mz_hits[:1]]
        if mz_hits and int_hits:
            mz_col, int_col = mz_hits[0], int_hits[0]
        elif mz_hits:          # "index,mass,rel": intensity after m/z
            mz_col = mz_hits[0]
            int_col = mz_col + 1 if mz_col + 1 < len(header) else (1 if mz_col == 0 else 0)
        elif int_hits:         # "x,y", "index,x,y": m/z before the intensity
            int_col = int_hits[0]
            mz_col = int_col - 1 if int_col > 0 else 1
    mz, inten = [], []
    for n, line in lines[first:]:
        fields = split(line)
        a = _number(fields[mz_col], decimal_comma) if len(fields) > mz_col else None
        b = _number(fields[int_col], decimal_comma) if len(fields) > int_col else None
        if a is None or b is None:
            raise FormulaError(f"{path}:{n}: expected two numbers (m/z, intensity), got {line[:80]!r}")
        if not (np.isfinite(a) and np.isfinite(b)) or a <= 0 or b < 0:
            raise FormulaError(f"{path}:{n}: m/z must be positive and intensity non-negative, got {a}, {b}")
        mz.append(a)
        inten.append(b)
    return np.array(mz), np.array(inten)


def is_profile(mz: np.ndarray) -> bool:
    """Whether a peak list is a profile spectrum: at least 20 points, most of them closer
    than :data:`PROFILE_SPACING` to the next, at a regular step (each such gap within 10 %
    of the one before it in most places). A centroided list never is that dense, and the
    resolved isotopologue peaks of a high-resolution centroid list (13C, 15N, 2H, 33S ...
    a few mTh apart) are close but irregular."""
    if len(mz) < 20:
        return False
    gaps = np.diff(np.sort(np.asarray(mz, float)))
    small = gaps < PROFILE_SPACING
    if np.mean(small) <= 0.5:
        return False
    both = small[1:] & small[:-1]
    if not both.any():
        return False
    g0, g1 = gaps[:-1][both], gaps[1:][both]
    regular = np.abs(g1 - g0) <= 0.1 * np.maximum(np.maximum(g0, g1), 1e-12)
    return bool(np.mean(regular) > 0.7)


def _scan_number(spectrum_id: str, index: int) -> int:
    m = re.search(r"\bscan(?:Id)?=(\d+)", spectrum_id or "")       # Thermo/Bruker scan=, Agilent scanId=
    return int(m.group(1)) if m else index + 1


def _rt_minutes(value: object) -> float | None:
    """A pyteomics retention time (a unit-carrying float) in minutes."""
    if value is None:
        return None
    unit = str(getattr(value, "unit_info", "minute") or "minute").lower()
    v = float(value)  # type: ignore[arg-type]
    return v / 60.0 if unit.startswith("s") else v


def _centroid(mz: np.ndarray, intensity: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Centroids of a profile spectrum: one per local maximum, at the vertex of the
    Gaussian (a parabola in log intensity) through its three highest points, exact for a
    Gaussian peak however it is sampled (the intensity-weighted mean of the three, used
    where a side point is zero, is pulled towards the middle point: up to a third of the
    sampling step, 1 ppm and more at 300 Th), with the summed intensity of the points from
    the minimum before the maximum to the minimum after it."""
    mz = np.asarray(mz, float)
    intensity = np.asarray(intensity, float)
    if len(mz) < 3:
        return mz, intensity
    order = np.argsort(mz, kind="stable")
    mz, y = mz[order], intensity[order]
    i = np.flatnonzero((y[1:-1] > y[:-2]) & (y[1:-1] >= y[2:])) + 1
    if not len(i):
        return mz, y
    x1, x2, x3 = mz[i - 1], mz[i], mz[i + 1]
    y1, y2, y3 = y[i - 1], y[i], y[i + 1]
    w = y1 + y2 + y3
    centre = (x1 * y1 + x2 * y2 + x3 * y3) / np.maximum(w, 1e-300)
    ok = (y1 > 0) & (y3 > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        l1, l2, l3 = np.log(np.where(ok, y1, 1.0)), np.log(np.where(ok, y2, 1.0)), np.log(np.where(ok, y3, 1.0))
        num = (x2 - x1) ** 2 * (l2 - l3) - (x2 - x3) ** 2 * (l2 - l1)
        den = (x2 - x1) * (l2 - l3) - (x2 - x3) * (l2 - l1)
        vertex = x2 - 0.5 * num / den
    good = ok & np.isfinite(vertex) & (den != 0) & (vertex >= x1) & (vertex <= x3)
    centre = np.where(good, vertex, centre)
    # extent of each peak: from the last local minimum (or the start) before it to the first after it
    minima = np.flatnonzero((y[1:-1] <= y[:-2]) & (y[1:-1] < y[2:])) + 1
    bounds = np.concatenate([[0], minima, [len(y) - 1]])
    left = bounds[np.searchsorted(bounds, i, side="right") - 1]
    right = bounds[np.searchsorted(bounds, i, side="left")]
    run = np.concatenate([[0.0], np.cumsum(y)])
    area = run[right + 1] - run[left]
    return centre, area


_POLARITY = {1: "positive", -1: "negative"}


def _pick(records: list[dict], path: Path, scan: int | None, rt: float | None,
          polarity: int | None = None) -> dict:
    """The record of the spectrum asked for: by scan number, by retention time (the
    nearest MS1 spectrum of the ion's polarity, within the run), or the file's only MS1
    spectrum. MS2 and higher spectra hold fragments, not the ion's isotope envelope: they
    are never picked by time, and one asked for by scan number is refused, as is a
    spectrum of the other polarity."""
    if not records:
        raise FormulaError(f"{path}: no spectra in the file"
                           + (" (only chromatograms)" if path.suffix.lower() == ".mzml" and _has_chromatograms(path) else ""))
    if scan is not None:
        matches = [r for r in records if r["scan"] == scan]
        if not matches:
            numbers = sorted({r["scan"] for r in records})
            listed = (", ".join(map(str, numbers)) if len(numbers) <= 8
                      else f"{numbers[0]}..{numbers[-1]}, not all of them")
            raise FormulaError(f"{path}: no spectrum with scan number {scan} (scans {listed})")
        # Waters native ids restart their scan numbers in every function; an MZmine export
        # writes a feature's MS1 and MS2 blocks under one SCANS number
        ms1_matches = [r for r in matches if r["level"] in (None, 1)]
        if len(ms1_matches) > 1:
            where = "; ".join(f"{r.get('id') or 'block ' + str(r.get('index', '?'))}"
                              + ("" if r["rt"] is None else f" at {r['rt']:.3f} min") for r in ms1_matches[:4])
            times = [r["rt"] for r in ms1_matches]
            how = ("pick one with --rt MINUTES" if None not in times and len(set(times)) == len(times)
                   else "no --rt tells them apart: save the one wanted in a file of its own")
            raise FormulaError(f"{path}: {len(ms1_matches)} MS1 spectra carry scan number {scan} ({where}"
                               f"{'; ...' if len(ms1_matches) > 4 else ''}): {how}")
        r = ms1_matches[0] if ms1_matches else matches[0]
        if r["level"] not in (None, 1):
            ms1 = [x["scan"] for x in records if x["level"] in (None, 1)]
            raise FormulaError(f"{path}: scan {scan} is an MS{r['level']} spectrum (fragments"
                               f"{': ' + r['why'] if r.get('why') else ''}); the isotope "
                               "envelope is read from an MS1 spectrum"
                               + (f" (MS1 scans: {', '.join(map(str, ms1[:8]))}{', ...' if len(ms1) > 8 else ''})"
                                  if ms1 else " and the file holds none"))
        if polarity and r.get("polarity") and r["polarity"] != polarity:
            raise FormulaError(f"{path}: scan {scan} is a {_POLARITY[r['polarity']]} ion spectrum, but the "
                               f"adduct is a {_POLARITY[polarity]} ion")
        return r
    ms1 = [r for r in records if r["level"] in (None, 1)]
    if not ms1:
        why = next((r["why"] for r in records if r.get("why")), None)
        count = "its one spectrum is" if len(records) == 1 else f"all {len(records)} are"
        raise FormulaError(f"{path}: no MS1 spectrum in the file ({count} MS2 or higher: "
                           f"fragments, not the ion's isotope envelope{'; ' + why if why else ''})")
    if polarity:
        same = [r for r in ms1 if r.get("polarity") in (None, polarity)]
        if not same:
            raise FormulaError(f"{path}: no {_POLARITY[polarity]} ion MS1 spectrum in the file for the adduct "
                               f"(its MS1 spectra are all {_POLARITY[-polarity]})")
        ms1 = same
    if rt is not None:
        timed = [r for r in ms1 if r["rt"] is not None]
        if not timed:
            raise FormulaError(f"{path}: its spectra carry no retention time; pick one with --scan")
        times = np.sort([r["rt"] for r in timed])
        margin = max(float(np.diff(times).max()) if len(times) > 1 else 0.0, 0.5)
        if rt < times[0] - margin or rt > times[-1] + margin:
            raise FormulaError(f"{path}: --rt {rt:g} min is outside the run: its MS1 spectra"
                               f"{' of that polarity' if polarity else ''} lie at {times[0]:.3f}..{times[-1]:.3f} min")
        return min(timed, key=lambda r: (abs(r["rt"] - rt), r["scan"]))
    if len(ms1) > 1:
        extra = "" if len(ms1) == len(records) else f", {len(ms1)} of them MS1"
        raise FormulaError(f"{path} holds {len(records)} spectra{extra}: pick one with --scan N or --rt MINUTES")
    return ms1[0]


def _has_chromatograms(path: Path) -> bool:
    try:
        return b"<chromatogram " in path.read_bytes()
    except OSError:
        return False


def _source(path: Path, record: dict, records: list[dict] | None = None) -> str:
    """How a picked spectrum is named in the output: file, scan and retention time (and
    its native id or title when another spectrum of ``records`` carries the same scan number)."""
    rt = "" if record["rt"] is None else f", RT {record['rt']:.3f} min"
    name = ""
    if record.get("id") and sum(r["scan"] == record["scan"] for r in records or []) > 1:
        name = f" ({record['id'][:60]})"
    return f"{path.name} scan {record['scan']}{name}{rt}"


def _decode(array: object) -> np.ndarray | None:
    """A pyteomics binary array record decoded (an empty ``<binary/>`` is an empty array)."""
    if array is None:
        return None
    if not getattr(array, "data", None):
        return np.zeros(0)
    return np.asarray(array.decode())    # type: ignore[attr-defined]


def _read_mzml(path: Path, scan: int | None, rt: float | None, polarity: int | None = None) -> Peaks:
    """The spectrum asked for of an mzML file, in two passes: the first reads every
    spectrum's number, level, time and polarity but decodes no array (a whole run's
    arrays held at once took gigabytes for a run of a few GB), the second decodes the
    arrays of the one picked."""
    from pyteomics import mzml

    records = []
    with mzml.MzML(str(path), use_index=False, read_schema=False, decode_binary=False) as reader:
        for index, s in enumerate(reader):
            scans = (s.get("scanList") or {}).get("scan") or [{}]
            pos, neg = "positive scan" in s, "negative scan" in s
            sign = None if pos == neg else 1 if pos else -1      # both or neither: unknown
            records.append({"scan": _scan_number(s.get("id", ""), index), "id": s.get("id"), "level": s.get("ms level"),
                            "rt": _rt_minutes(scans[0].get("scan start time")), "profile": "profile spectrum" in s,
                            "polarity": sign, "position": index})
    r = _pick(records, path, scan, rt, polarity)
    with mzml.MzML(str(path), use_index=False, read_schema=False, decode_binary=False) as reader:
        for index, s in enumerate(reader):
            if index == r["position"]:
                r = {**r, **{key: _decode(s.get(name)) for key, name in (("mz", "m/z array"),
                                                                        ("intensity", "intensity array"))}}
                break
    if r["mz"] is None or r["intensity"] is None:
        raise FormulaError(f"{path.name} scan {r['scan']}: the spectrum has no "
                           f"{'m/z' if r['mz'] is None else 'intensity'} array")
    mz, intensity = np.asarray(r["mz"], float).ravel(), np.asarray(r["intensity"], float).ravel()
    if len(mz) != len(intensity):
        raise FormulaError(f"{path.name} scan {r['scan']}: {len(mz)} m/z values but {len(intensity)} intensities")
    if r["profile"]:
        mz, intensity = _centroid(mz, intensity)
    return Peaks(mz, intensity, _source(path, r, records))


#: ``KEY=value``: a key starts with a letter and runs to the first ``=`` (MZmine writes
#: ``Num peaks=8``, GNPS libraries ``COMPUTED_[2M+H-H2O]+=991.32``); peak lines hold no ``=``.
_MGF_PARAM = re.compile(r"([A-Za-z][^=]*?)\s*=(.*)")


def _mgf_charges(text: str) -> list[int]:
    """Charges of an MGF ``CHARGE`` value: ``2+``, ``+2``, ``2``, ``3-``, ``2+ and 3+``."""
    out = []
    for lead, n, trail in re.findall(r"([+-]?)\s*(\d+)\s*([+-]?)", text):
        sign = -1 if "-" in (lead + trail) else 1
        if int(n):
            out.append(sign * int(n))
    return out


def _read_mgf(path: Path, scan: int | None, rt: float | None, polarity: int | None = None) -> Peaks:
    """An MGF file, read line by line: ``BEGIN IONS`` ... ``END IONS`` blocks of
    ``KEY=value`` parameters and peak lines ``m/z intensity [charge]``; parameters before
    the first block apply to every block. ``SCANS`` (else ``scan=N`` in the ``TITLE``, as
    msconvert writes it, else the block's position) numbers a spectrum, ``RTINSECONDS`` (a
    time or a range, the start taken) times it, ``CHARGE`` gives the ion's charge (else
    ``IONMODE`` its polarity). ``MSLEVEL``/``MS_LEVEL`` 2 marks an MS/MS spectrum, as does,
    without them, a precursor m/z (``PEPMASS``) most of whose intensity lies away from it
    (:func:`_mgf_level`): those are never read as an isotope envelope. A ``CHARGE`` that is
    no ion charge is refused when its spectrum is picked."""
    text = _read_text(path, "MGF file")
    defaults: dict[str, str] = {}
    records: list[dict] = []
    block: dict | None = None
    for n, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line[0] in "#;!/":
            continue
        upper = line.upper()
        if upper == "BEGIN IONS":
            if block is not None:
                raise FormulaError(f"{path}:{n}: BEGIN IONS inside the spectrum begun on line {block['line']} "
                                   "(its END IONS is missing)")
            block = {"line": n, "params": dict(defaults), "peaks": []}
            continue
        if upper == "END IONS":
            if block is None:
                raise FormulaError(f"{path}:{n}: END IONS without a BEGIN IONS")
            records.append(_mgf_record(block, len(records), path))
            block = None
            continue
        param = _MGF_PARAM.fullmatch(line)
        if param:
            (block["params"] if block is not None else defaults)[param.group(1).upper()] = param.group(2).strip()
            continue
        if block is None:
            raise FormulaError(f"{path}:{n}: a peak outside BEGIN IONS ... END IONS, got {line[:80]!r}")
        fields = line.split()
        values = [_number(f, False) for f in fields[:2]]
        if len(fields) < 2 or None in values:
            raise FormulaError(f"{path}:{n}: expected a peak line 'm/z intensity', got {line[:80]!r}")
        a, b = values
        if not (np.isfinite(a) and np.isfinite(b)) or a <= 0 or b < 0:   # type: ignore[arg-type]
            raise FormulaError(f"{path}:{n}: m/z must be positive and intensity non-negative, got {a}, {b}")
        block["peaks"].append((a, b))
    if block is not None:
        raise FormulaError(f"{path}: the spectrum begun on line {block['line']} has no END IONS")
    r = _pick(records, path, scan, rt, polarity)
    if r.get("error"):
        raise FormulaError(r["error"])
    peaks = np.array(r["peaks"], dtype=float).reshape(-1, 2)
    return Peaks(peaks[:, 0], peaks[:, 1], _source(path, r, records), r["charge"],
                 tuple(r["charges"]))


def _mgf_record(block: dict, index: int, path: Path) -> dict:
    params = block["params"]
    where = f"{path}: the spectrum begun on line {block['line']}"
    scans = re.match(r"\D*(\d+)", params.get("SCANS", ""))
    title_scan = re.search(r"scan=(\d+)", params.get("TITLE", ""))
    number = int(scans.group(1)) if scans else int(title_scan.group(1)) if title_scan else index + 1
    rt = None
    if "RTINSECONDS" in params:
        m = re.match(r"\s*(\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+)", params["RTINSECONDS"])
        if not m:
            raise FormulaError(f"{where}: RTINSECONDS={params['RTINSECONDS']!r} is not a time in seconds")
        rt = float(m.group(1)) / 60.0
    charges = _mgf_charges(params.get("CHARGE", ""))
    error = None
    if params.get("CHARGE", "").strip() and not charges:   # was taken for "no charge stated"
        # refused when this spectrum is picked: GNPS libraries write CHARGE=0 on every MS2 block
        error = (f"{where}: CHARGE={params['CHARGE']!r} is not an ion charge such as 1+, 2- or "
                 "'2+ and 3+'")
    charge = charges[0] if len(set(charges)) == 1 else None
    polarity = None if charge is None else (1 if charge > 0 else -1)
    if polarity is None:       # GNPS, MZmine, MS-DIAL and matchms write the ion mode
        mode = params.get("IONMODE", params.get("ION_MODE", params.get("POLARITY", ""))).strip().lower()
        polarity = 1 if mode.startswith("pos") or mode == "+" else -1 if mode.startswith("neg") or mode == "-" else None
    level, why = _mgf_level(params, block["peaks"])
    return {"scan": number, "index": index + 1, "id": params.get("TITLE") or None, "level": level, "why": why,
            "rt": rt, "charge": charge, "charges": sorted(set(charges)), "polarity": polarity,
            "peaks": block["peaks"], "error": error}


#: Envelope span around an MGF precursor m/z (Th): a Cl/Br cluster's precursor may be its
#: M+2 or M+4 peak, and its envelope reaches about 10 Th above the monoisotopic peak.
_PRECURSOR_SPAN = (-4.1, 10.1)


def _mgf_level(params: dict[str, str], peaks: list[tuple[float, float]]) -> tuple[int | None, str | None]:
    """The MS level of an MGF spectrum and, for an MS2 one not marked so, why it is taken
    for one. ``MSLEVEL``/``MS_LEVEL`` (``2``, ``MS2``) states it. Without it, a spectrum
    with a precursor m/z (``PEPMASS``, ``PRECURSOR_MZ``: MGF is the MS/MS peak-list format)
    whose intensity lies mostly away from that precursor's isotope envelope is an MS/MS
    spectrum of fragments; one whose peaks are the precursor's envelope (or without a
    precursor m/z) is read as MS1."""
    for key in ("MSLEVEL", "MS_LEVEL"):
        value = params.get(key, "").strip()
        if value:
            m = re.search(r"(\d+)", value)
            if m and int(m.group(1)) >= 1:
                return int(m.group(1)), (f"{key}={value}" if int(m.group(1)) > 1 else None)
    precursor = None
    for key in ("PEPMASS", "PRECURSOR_MZ", "PRECURSORMZ"):
        m = re.match(r"\s*(\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+)", params.get(key, ""))
        if m and float(m.group(1)) > 0:
            precursor, name = float(m.group(1)), key
            break
    if precursor is None or not peaks:
        return None, None
    mz = np.array([p[0] for p in peaks])
    intensity = np.array([p[1] for p in peaks])
    total = float(intensity.sum())
    if total <= 0:
        return None, None
    near = (mz >= precursor + _PRECURSOR_SPAN[0]) & (mz <= precursor + _PRECURSOR_SPAN[1])
    share = float(intensity[near].sum()) / total
    if share >= 0.5:
        return None, None
    return 2, (f"{100 * (1 - share):.0f} % of its intensity lies away from its precursor {name}="
               f"{precursor:g}")


#: Spectrum formats that are not read, by file suffix.
_OTHER_FORMATS = {".mzxml": "mzXML", ".mzdata": "mzData", ".imzml": "imzML", ".raw": "vendor raw", ".wiff": "SCIEX WIFF",
                  ".d": "Agilent/Bruker .d", ".baf": "Bruker BAF", ".yep": "Bruker YEP", ".mz5": "mz5",
                  ".mzmlb": "mzMLb", ".mzdb": "mzDB", ".ms1": "MS1 (MSn text)", ".ms2": "MS2 (MSn text)",
                  ".cms1": "CMS1", ".cms2": "CMS2", ".gz": "gzip-compressed", ".zip": "zip", ".xlsx": "Excel", ".xls": "Excel"}


def _sniff(path: Path) -> str | None:
    """``.mzml`` or ``.mgf`` for a file of another name that holds one (an mzML saved as
    .xml, an MGF as .txt), else None."""
    try:
        with path.open("rb") as fh:
            head = fh.read(4096).decode("utf-8", errors="replace").lstrip("\ufeff").lstrip()
    except OSError:
        return None
    if head.startswith("<") and ("<mzML" in head or "<indexedmzML" in head):
        return ".mzml"
    if re.search(r"^\s*BEGIN IONS\s*$", head, re.MULTILINE):
        return ".mgf"
    return None


def _mzml_draft(path: Path) -> str | None:
    """The version of a pre-release mzML draft (0.99.x, namespace ``.../schema_revision/
    mzML_0.99.1``) that ``path`` is written in, else None. Those drafts state the MS level
    as a ``msLevel`` attribute pyteomics does not read (an MS2 spectrum passed for MS1) and
    name their cvParams otherwise ("scan time", "centroid mass spectrum")."""
    try:
        with path.open("rb") as fh:
            head = fh.read(8192).decode("utf-8", errors="replace")
    except OSError:
        return None
    m = re.search(r"schema_revision/mzML_(\d[\w.]*)", head)
    if m:
        return m.group(1)
    m = re.search(r"<mzML\b[^>]*\bversion=\"(0\.\d[\w.]*)\"", head)
    return m.group(1) if m else None


def read_spectrum(path: str | Path, scan: int | None = None, rt: float | None = None,
                  polarity: int | None = None) -> Peaks:
    """The centroided peaks of one spectrum of ``path``: a CSV/TSV peak list, or an mzML
    (``.mzML``) or MGF (``.mgf``) file, where ``scan`` (scan number) or ``rt`` (minutes;
    the nearest MS1 spectrum) picks the spectrum when the file holds several. ``polarity``
    (+1 or -1, the ion's sign) keeps spectra of the other polarity out (mzML scan
    polarity, MGF ``CHARGE`` sign). Profile mzML spectra and dense (profile) peak lists are
    centroided. Raises :class:`FormulaError` for anything unreadable or unsuitable: MS2
    spectra, mzML 0.99 drafts, chromatogram-only files, peaks at m/z <= 0, unit-mass
    (whole-number) m/z."""
    path = Path(path)
    if scan is not None and rt is not None:
        raise FormulaError("give --scan or --rt, not both: each picks one spectrum")
    if rt is not None and not (math.isfinite(rt) and rt >= 0):
        raise FormulaError(f"--rt must be a retention time >= 0 minutes, got {rt}")
    suffix = path.suffix.lower()
    if path.exists() and suffix in _OTHER_FORMATS:
        raise FormulaError(f"{path.name}: {_OTHER_FORMATS[suffix]} files are not read: convert the run to mzML "
                           "(e.g. ProteoWizard msconvert) or export the spectrum as a CSV/TSV peak list or MGF")
    if not path.is_file():
        raise FormulaError(f"spectrum file {path} does not exist" if not path.exists()
                           else f"spectrum file {path} is not a regular file")
    if suffix not in (".mzml", ".mgf"):
        suffix = _sniff(path) or suffix
    if suffix == ".mzml":
        draft = _mzml_draft(path)
        if draft:
            raise FormulaError(f"{path.name} is written in the mzML {draft} draft (before mzML 1.0, 2008), whose "
                               "MS levels, scan times and arrays are not read right: convert the raw file again "
                               "with a current ProteoWizard msconvert")
        try:
            with warnings.catch_warnings():     # psims leaves its vocabulary file to the collector
                warnings.simplefilter("ignore", ResourceWarning)
                peaks = _read_mzml(path, scan, rt, polarity)
                gc.collect()
        except FormulaError:
            raise
        except Exception as exc:  # pyteomics/lxml raise many kinds for a damaged file
            reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise FormulaError(f"cannot read {path.name} as mzML: {reason[:200]}") from None
    elif suffix == ".mgf":
        peaks = _read_mgf(path, scan, rt, polarity)
    else:
        if scan is not None or rt is not None:
            raise FormulaError(f"{path.name} is a peak list with one spectrum: --scan and --rt apply to mzML/MGF")
        mz, intensity = read_peaks(path)
        if is_profile(mz):
            mz, intensity = _centroid(mz, intensity)
        peaks = Peaks(mz, intensity, path.name)
    if peaks.mz is None or len(peaks.mz) == 0:
        raise FormulaError(f"{peaks.source}: the spectrum has no peaks")
    if not (np.isfinite(peaks.mz).all() and np.isfinite(peaks.intensity).all()) or (peaks.intensity < 0).any():
        raise FormulaError(f"{peaks.source}: peaks with non-finite m/z or negative intensity")
    if (peaks.mz <= 0).any():       # an m/z of 0 became "the measured mass must be positive, got 0.0"
        bad = int((peaks.mz <= 0).sum())
        raise FormulaError(f"{peaks.source}: peaks at m/z <= 0 ({bad} of {len(peaks.mz)}, the first at "
                           f"{float(peaks.mz[peaks.mz <= 0][0]):g}): not the m/z array of a mass spectrum")
    if len(peaks.mz) >= 2 and np.all(peaks.mz == np.round(peaks.mz)):
        raise FormulaError(f"{peaks.source}: every m/z is a whole number (unit-mass data, as GC-EI libraries "
                           "store spectra): a formula needs m/z measured to a few ppm")
    return peaks


def _bin_hits(mz: np.ndarray, intensity: np.ndarray, mono: float, k: int, z: int, tolerance: float) -> np.ndarray:
    """Indices of the positive peaks in isotope bin k of the ion whose monoisotopic peak is
    at ``mono``: from ``tolerance + k SPREAD`` below the bin's centre to ``tolerance + k
    UP_SPREAD`` above it (Th, divided by |z|)."""
    centre = mono + k * ISOTOPE_SPACING / z
    inside = (mz >= centre - (tolerance + k * SPREAD) / z) & (mz <= centre + (tolerance + k * UP_SPREAD) / z)
    return np.flatnonzero(inside & (intensity > 0))


def _lighter(mz: np.ndarray, intensity: np.ndarray, peak: float, z: int, tolerance: float,
             floor: float) -> tuple[float, int] | None:
    """A peak of which ``peak`` lies in isotope bin 1 (else bin 2), at least ``floor``
    intense: the most intense such one and its bin, or None."""
    for k in (1, 2):       # one bin down, else two (Cl/Br: M+1 can be weak or shifted)
        lo = peak - k * ISOTOPE_SPACING / z - (tolerance + k * UP_SPREAD) / z
        hi = peak - k * ISOTOPE_SPACING / z + (tolerance + k * SPREAD) / z
        near = np.flatnonzero((mz >= lo) & (mz <= hi) & (intensity >= floor) & (intensity > 0))
        if len(near):
            return float(mz[near[np.argmax(intensity[near])]]), k
    return None


def find_envelope(mz: np.ndarray, intensity: np.ndarray, mono_mz: float | None = None, charge: int = 1,
                  tolerance: float = 0.005, n_peaks: int = N_PEAKS, mono_ppm: float = 10.0) -> Envelope:
    """The isotope envelope of the ion whose monoisotopic peak is at ``mono_mz`` (the most
    intense peak within ``mono_ppm`` of it) or, without ``mono_mz``, of the most intense
    peak: from it the envelope is followed down one bin (1.00235/|z| Th), or two, while
    a peak of at least 2 % of it is there, which finds the monoisotopic peak of Cl/Br
    clusters whose base peak is M+2 or heavier. Raises :class:`FormulaError` when no peak
    is found. ``notes`` say when the peaks look like another charge's (a strong peak at
    1/z' Th for z' > |z|, or bin 1 empty while bin 2 is not) or when a given monoisotopic
    m/z has a strong peak one isotope step below it."""
    mz = np.asarray(mz, float)
    intensity = np.asarray(intensity, float)
    z = abs(charge) or 1
    notes: list[str] = []
    if mono_mz is None:
        keep = intensity > 0
        if not keep.any():
            raise FormulaError("the spectrum has no peak with positive intensity")
        base = int(np.flatnonzero(keep)[np.argmax(intensity[keep])])
        mono = float(mz[base])
        for _ in range(MAX_PEAKS):
            down = _lighter(mz, intensity, mono, z, tolerance, MIN_LIGHTER * intensity[base])
            if down is None:
                break
            mono = down[0]
    else:
        near = np.flatnonzero(np.abs(mz - mono_mz) <= mono_mz * mono_ppm * 1e-6)
        near = near[intensity[near] > 0]
        if not len(near):
            positive = np.flatnonzero(intensity > 0)
            nearest = ""
            if len(positive):
                j = positive[np.argmin(np.abs(mz[positive] - mono_mz))]
                nearest = (f" (the nearest is at m/z {mz[j]:.5f}, {mz[j] - mono_mz:+.5f} Th, "
                           f"{(mz[j] - mono_mz) / mono_mz * 1e6:+.1f} ppm)")
            raise FormulaError(f"no peak within {mono_ppm:g} ppm of m/z {mono_mz:.5f} in the spectrum{nearest}")
        mono = float(mz[near[np.argmax(intensity[near])]])
        given = float(intensity[near].max())
        down = _lighter(mz, intensity, mono, z, tolerance, NOTE_FRACTION * given)
        if down is not None:
            share = float(intensity[np.abs(mz - down[0]) <= 1e-9].max()) / given
            notes.append(f"a peak at m/z {down[0]:.5f}, {down[1]} isotope step{'s' if down[1] > 1 else ''} below "
                         f"the given m/z {mono:.5f}, holds {100 * share:.0f} % of its intensity: if it is the "
                         "monoisotopic peak, give that m/z (or leave MASS out to find it)")
    sums = np.full(n_peaks, np.nan)
    tops: list[float | None] = [None] * n_peaks
    sums[0] = float(intensity[np.abs(mz - mono) <= max(mono * mono_ppm * 1e-6, 1e-9)].sum())
    tops[0] = mono
    empty = 0
    last = 0
    for k in range(1, n_peaks):
        hits = _bin_hits(mz, intensity, mono, k, z, tolerance)
        if len(hits):
            total = float(intensity[hits].sum())
            before = 0.0 if np.isnan(sums[k - 1]) else float(sums[k - 1])
            m2 = 0.0 if k < 3 or np.isnan(sums[2]) else float(sums[2])
            if k >= 3 and before > 0 and m2 < LOW_M2 * sums[0] and total > RISE * before:
                top = float(mz[hits[np.argmax(intensity[hits])]])
                notes.append(f"the envelope ends at M+{last}: the peak at m/z {top:.5f} in bin M+{k} holds "
                             f"{total / before:.0f} times M+{k - 1}, more than an isotope peak can where M+2 is "
                             f"{100 * m2 / sums[0]:.0f} % of M+0 (another compound's peak)")
                break
            sums[k] = total
            tops[k] = float(mz[hits[np.argmax(intensity[hits])]])
            last, empty = k, 0
        else:
            if k == 1:
                notes += _near_miss(mz, intensity, mono, z, sums[0])
            empty += 1
            if empty == 2:
                break
    sums = sums[:last + 1]
    sums[np.isnan(sums)] = 0.0     # looked for between found peaks and absent
    notes += _charge_notes(mz, intensity, mono, z, tolerance, sums)
    return Envelope(mono, normalise_pattern(sums), tops[:last + 1], tuple(notes))


#: How far (Th, divided by the charge) from an empty bin's centre a strong peak is reported
#: as one the bin's window may have missed (an instrument's m/z error beyond --tolerance).
NEAR_MISS = 0.05


def _near_miss(mz: np.ndarray, intensity: np.ndarray, mono: float, z: int, mono_intensity: float) -> list[str]:
    """A warning when isotope bin M+1 is empty but a peak of at least 5 % of M+0 lies within
    :data:`NEAR_MISS` of its centre: an old QTOF's M+1 13 mTh above the window (MassBank
    MSBNK-RIKEN-PR020004: 596.2232 at 20 % of 595.2072) read as 'M+1 absent'. (M+2 is not
    looked at: a compound 2 H heavier sits just above its window by design.)"""
    k = 1
    centre = mono + k * ISOTOPE_SPACING / z
    near = np.flatnonzero((np.abs(mz - centre) <= NEAR_MISS / z) & (intensity >= 0.05 * mono_intensity)
                          & (intensity > 0))
    if not len(near):
        return []
    j = near[np.argmax(intensity[near])]
    return [f"no peak in isotope bin M+{k}, but one just outside its window at m/z {mz[j]:.5f} "
            f"({1000 * (mz[j] - centre):+.1f} mTh from the bin's centre, {100 * intensity[j] / mono_intensity:.0f} % "
            "of M+0): if the instrument's m/z error is that large, raise --tolerance (it was read as absent)"]


def _charge_notes(mz: np.ndarray, intensity: np.ndarray, mono: float, z: int, tolerance: float,
                  sums: np.ndarray) -> list[str]:
    """Warnings when the peaks next to the monoisotopic one are spaced for another charge."""
    strong = NOTE_FRACTION * sums[0]
    higher = [q for q in range(z + 1, 5)      # 1/q Th is never on the 1/z grid
              if any(intensity[i] >= strong for i in _bin_hits(mz, intensity, mono, 1, q, tolerance))]
    if higher:
        q = max(higher)
        return [f"a strong peak lies {ISOTOPE_SPACING / q:.4f} Th (1.0024/{q}) above the monoisotopic peak at m/z "
                f"{mono:.5f}: the ion may carry charge {q}, not {z} (give --charge or --adduct for it); its isotope "
                f"peaks were looked for {ISOTOPE_SPACING / z:.4f} Th apart"]
    if z > 1 and (len(sums) == 1 or sums[1] == 0):
        lower = [q for q in range(1, z)
                 if any(intensity[i] >= strong for i in _bin_hits(mz, intensity, mono, 1, q, tolerance))]
        if lower:
            q = max(lower)
            return [f"no peak {ISOTOPE_SPACING / z:.4f} Th above the monoisotopic peak at m/z {mono:.5f}, but one "
                    f"{ISOTOPE_SPACING / q:.4f} Th above: the ion may carry charge {q}, not {z} (give --charge or "
                    "--adduct for it)"]
    return []


def extract_pattern(mz: np.ndarray, intensity: np.ndarray, mono_mz: float, charge: int = 1,
                    tolerance: float = 0.005, n_peaks: int = N_PEAKS, mono_ppm: float = 20.0) -> np.ndarray:
    """Isotope pattern (normalised over the peaks found) of the ion whose monoisotopic
    peak is at ``mono_mz``; see :func:`find_envelope`."""
    return find_envelope(mz, intensity, mono_mz, charge, tolerance, n_peaks, mono_ppm).pattern
