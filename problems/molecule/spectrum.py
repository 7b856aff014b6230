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


@dataclass(frozen=True)
class Peaks:
    """Centroided peaks of one spectrum and where they came from."""

    mz: np.ndarray
    intensity: np.ndarray
    source: str


@dataclass(frozen=True)
class Envelope:
    """An isotope envelope: monoisotopic m/z, the pattern (normalised over the peaks
    found, NaN = not measured) and the m/z of the most intense peak of each bin found."""

    mono_mz: float
    pattern: np.ndarray
    peaks_mz: list[float | None]


def read_peaks(path: str | Path) -> tuple[np.ndarray, np.ndarray]:
    """m/z and intensity columns of a CSV/TSV peak list (a header line is skipped)."""
    path = Path(path)
    try:
        text = path.read_text()
    except UnicodeDecodeError:
        raise FormulaError(f"{path}: not a text peak list (expected lines of m/z, intensity)") from None
    except OSError as exc:
        raise FormulaError(f"cannot read peak list {path}: {exc.strerror or exc}") from None
    dialect = "excel-tab" if "\t" in text and "," not in text else "excel"
    mz, inten = [], []
    for n, row in enumerate(csv.reader(text.splitlines(), dialect=dialect), start=1):
        fields = [f for f in (row if len(row) > 1 else (row[0].split() if row else [])) if f.strip()]
        if not fields or fields[0].lstrip().startswith("#"):
            continue
        try:
            a, b = float(fields[0]), float(fields[1])
        except (ValueError, IndexError):
            if not mz:     # a header
                continue
            raise FormulaError(f"{path}:{n}: expected two numbers (m/z, intensity), got {row!r}") from None
        if not (np.isfinite(a) and np.isfinite(b)) or a <= 0 or b < 0:
            raise FormulaError(f"{path}:{n}: m/z must be positive and intensity non-negative, got {a}, {b}")
        mz.append(a)
        inten.append(b)
    if not mz:
        raise FormulaError(f"{path}: no peaks (expected lines of m/z, intensity)")
    return np.array(mz), np.array(inten)


def _scan_number(spectrum_id: str, index: int) -> int:
    m = re.search(r"scan=(\d+)", spectrum_id or "")
    return int(m.group(1)) if m else index + 1


def _rt_minutes(value: object) -> float | None:
    """A pyteomics retention time (a unit-carrying float) in minutes."""
    if value is None:
        return None
    unit = str(getattr(value, "unit_info", "minute") or "minute").lower()
    v = float(value)  # type: ignore[arg-type]
    return v / 60.0 if unit.startswith("s") else v


def _centroid(mz: np.ndarray, intensity: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Centroids of a profile spectrum: each local maximum, at the intensity-weighted
    m/z of its three points, with the summed intensity of its peak."""
    if len(mz) < 3:
        return mz, intensity
    i = np.flatnonzero((intensity[1:-1] > intensity[:-2]) & (intensity[1:-1] >= intensity[2:])) + 1
    w = intensity[i - 1] + intensity[i] + intensity[i + 1]
    c = (mz[i - 1] * intensity[i - 1] + mz[i] * intensity[i] + mz[i + 1] * intensity[i + 1]) / np.maximum(w, 1e-300)
    return c, w


def _pick(records: list[dict], path: Path, scan: int | None, rt: float | None) -> dict:
    if not records:
        raise FormulaError(f"{path}: no spectra in the file")
    if scan is not None:
        for r in records:
            if r["scan"] == scan:
                return r
        raise FormulaError(f"{path}: no spectrum with scan number {scan} "
                           f"(scans {records[0]['scan']}..{records[-1]['scan']})")
    if rt is not None:
        timed = [r for r in records if r["rt"] is not None]
        if not timed:
            raise FormulaError(f"{path}: its spectra carry no retention time; pick one with --scan")
        ms1 = [r for r in timed if r["level"] in (None, 1)] or timed
        return min(ms1, key=lambda r: (abs(r["rt"] - rt), r["scan"]))
    if len(records) > 1:
        raise FormulaError(f"{path} holds {len(records)} spectra: pick one with --scan N or --rt MINUTES")
    return records[0]


def _read_mzml(path: Path, scan: int | None, rt: float | None) -> Peaks:
    from pyteomics import mzml

    records = []
    with mzml.MzML(str(path), use_index=False, read_schema=False) as reader:
        for index, s in enumerate(reader):
            scans = (s.get("scanList") or {}).get("scan") or [{}]
            records.append({"scan": _scan_number(s.get("id", ""), index), "level": s.get("ms level"),
                            "rt": _rt_minutes(scans[0].get("scan start time")), "profile": "profile spectrum" in s,
                            "mz": s.get("m/z array"), "intensity": s.get("intensity array")})
    r = _pick(records, path, scan, rt)
    mz, intensity = np.asarray(r["mz"], float), np.asarray(r["intensity"], float)
    if r["profile"]:
        mz, intensity = _centroid(mz, intensity)
    rt_text = "" if r["rt"] is None else f", RT {r['rt']:.3f} min"
    return Peaks(mz, intensity, f"{path.name} scan {r['scan']}{rt_text}")


def _read_mgf(path: Path, scan: int | None, rt: float | None) -> Peaks:
    from pyteomics import mgf

    records = []
    with mgf.MGF(str(path), convert_arrays=1, read_charges=False, read_ions=False) as reader:
        for index, s in enumerate(reader):
            params = s.get("params", {})
            scans = str(params.get("scans", "")).split("-")[0].strip()
            rts = params.get("rtinseconds")
            records.append({"scan": int(scans) if scans.isdigit() else index + 1, "level": None,
                            "rt": None if rts is None else float(str(rts).split("-")[0]) / 60.0,
                            "mz": s.get("m/z array"), "intensity": s.get("intensity array")})
    r = _pick(records, path, scan, rt)
    rt_text = "" if r["rt"] is None else f", RT {r['rt']:.3f} min"
    return Peaks(np.asarray(r["mz"], float), np.asarray(r["intensity"], float),
                 f"{path.name} scan {r['scan']}{rt_text}")


def read_spectrum(path: str | Path, scan: int | None = None, rt: float | None = None) -> Peaks:
    """The centroided peaks of one spectrum of ``path``: a CSV/TSV peak list, or an mzML
    (``.mzML``) or MGF (``.mgf``) file, where ``scan`` (scan number) or ``rt`` (minutes;
    the nearest MS1 spectrum) picks the spectrum when the file holds several. Profile
    mzML spectra are centroided. Raises :class:`FormulaError` for anything unreadable."""
    path = Path(path)
    if scan is not None and rt is not None:
        raise FormulaError("give --scan or --rt, not both: each picks one spectrum")
    if rt is not None and not (math.isfinite(rt) and rt >= 0):
        raise FormulaError(f"--rt must be a retention time >= 0 minutes, got {rt}")
    if not path.is_file():
        raise FormulaError(f"spectrum file {path} does not exist" if not path.exists()
                           else f"spectrum file {path} is not a regular file")
    suffix = path.suffix.lower()
    if suffix in (".mzml", ".mgf"):
        try:
            with warnings.catch_warnings():     # psims leaves its vocabulary file to the collector
                warnings.simplefilter("ignore", ResourceWarning)
                peaks = _read_mzml(path, scan, rt) if suffix == ".mzml" else _read_mgf(path, scan, rt)
                gc.collect()
        except FormulaError:
            raise
        except Exception as exc:  # pyteomics/lxml raise many kinds for a damaged file
            reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise FormulaError(f"cannot read {path.name} as {'mzML' if suffix == '.mzml' else 'MGF'}: "
                               f"{reason[:200]}") from None
    else:
        if scan is not None or rt is not None:
            raise FormulaError(f"{path.name} is a peak list with one spectrum: --scan and --rt apply to mzML/MGF")
        mz, intensity = read_peaks(path)
        peaks = Peaks(mz, intensity, path.name)
    if peaks.mz is None or len(peaks.mz) == 0:
        raise FormulaError(f"{peaks.source}: the spectrum has no peaks")
    if not (np.isfinite(peaks.mz).all() and np.isfinite(peaks.intensity).all()) or (peaks.intensity < 0).any():
        raise FormulaError(f"{peaks.source}: peaks with non-finite m/z or negative intensity")
    return peaks


def find_envelope(mz: np.ndarray, intensity: np.ndarray, mono_mz: float | None = None, charge: int = 1,
                  tolerance: float = 0.005, n_peaks: int = N_PEAKS, mono_ppm: float = 10.0) -> Envelope:
    """The isotope envelope of the ion whose monoisotopic peak is at ``mono_mz`` (the most
    intense peak within ``mono_ppm`` of it) or, without ``mono_mz``, of the most intense
    peak: from it the envelope is followed down one bin (1.00235/|z| Th), or two, while
    a peak of at least 2 % of it is there, which finds the monoisotopic peak of Cl/Br
    clusters whose base peak is M+2 or heavier. Raises :class:`FormulaError` when no peak is found."""
    mz = np.asarray(mz, float)
    intensity = np.asarray(intensity, float)
    z = abs(charge) or 1
    step = ISOTOPE_SPACING / z
    if mono_mz is None:
        keep = intensity > 0
        if not keep.any():
            raise FormulaError("the spectrum has no peak with positive intensity")
        base = int(np.flatnonzero(keep)[np.argmax(intensity[keep])])
        mono = float(mz[base])
        for _ in range(MAX_PEAKS):
            for k in (1, 2):       # one bin down, else two (Cl/Br: M+1 can be weak or shifted)
                near = np.flatnonzero(np.abs(mz - (mono - k * step)) <= (tolerance + k * SPREAD) / z)
                near = near[intensity[near] >= MIN_LIGHTER * intensity[base]]
                if len(near):
                    mono = float(mz[near[np.argmax(intensity[near])]])
                    break
            else:
                break
    else:
        near = np.flatnonzero(np.abs(mz - mono_mz) <= mono_mz * mono_ppm * 1e-6)
        near = near[intensity[near] > 0]
        if not len(near):
            raise FormulaError(f"no peak within {mono_ppm:g} ppm of m/z {mono_mz:.5f} in the spectrum")
        mono = float(mz[near[np.argmax(intensity[near])]])
    sums = np.full(n_peaks, np.nan)
    tops: list[float | None] = [None] * n_peaks
    sums[0] = float(intensity[np.abs(mz - mono) <= max(mono * mono_ppm * 1e-6, 1e-9)].sum())
    tops[0] = mono
    empty = 0
    last = 0
    for k in range(1, n_peaks):
        hits = np.flatnonzero((np.abs(mz - (mono + k * step)) <= (tolerance + k * SPREAD) / z) & (intensity > 0))
        if len(hits):
            sums[k] = float(intensity[hits].sum())
            tops[k] = float(mz[hits[np.argmax(intensity[hits])]])
            last, empty = k, 0
        else:
            empty += 1
            if empty == 2:
                break
    sums = sums[:last + 1]
    sums[np.isnan(sums)] = 0.0     # looked for between found peaks and absent
    return Envelope(mono, normalise_pattern(sums), tops[:last + 1])


def extract_pattern(mz: np.ndarray, intensity: np.ndarray, mono_mz: float, charge: int = 1,
                    tolerance: float = 0.005, n_peaks: int = N_PEAKS, mono_ppm: float = 20.0) -> np.ndarray:
    """Isotope pattern (normalised over the peaks found) of the ion whose monoisotopic
    peak is at ``mono_mz``; see :func:`find_envelope`."""
    return find_envelope(mz, intensity, mono_mz, charge, tolerance, n_peaks, mono_ppm).pattern
