"""Isotope patterns from centroided peak lists (m/z, intensity).

Bin k of the pattern sums every peak within ``tolerance + k * spread`` Th of
``mz0 + k * 1.00235 / z``: 1.00235 Da per bin lies between the 13C shift (1.00336) and
the per-neutron shifts of 15N (0.99703), 34S (0.99790), 37Cl (0.99852) and 81Br
(0.99898), and the window widens with k because heavier bins mix more kinds of
isotopes (bin 6 of Cl3 sits 0.023 Th below its centre).
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

from gadesign_problems.molecule.formula import FormulaError
from gadesign_problems.molecule.isotopes import N_PEAKS, normalise_pattern

ISOTOPE_SPACING = 1.00235


def read_peaks(path: str | Path) -> tuple[np.ndarray, np.ndarray]:
    """m/z and intensity columns of a CSV/TSV peak list (a header line is skipped)."""
    path = Path(path)
    try:
        text = path.read_text()
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
        mz.append(a)
        inten.append(b)
    if not mz:
        raise FormulaError(f"{path}: no peaks (expected lines of m/z, intensity)")
    return np.array(mz), np.array(inten)


def extract_pattern(mz: np.ndarray, intensity: np.ndarray, mono_mz: float, charge: int = 1,
                    tolerance: float = 0.01, spread: float = 0.004, n_peaks: int = N_PEAKS,
                    mono_ppm: float = 20.0) -> np.ndarray:
    """Isotope pattern (normalised to sum 1) of the ion whose monoisotopic peak is at
    ``mono_mz``; raises :class:`FormulaError` when no peak lies within ``mono_ppm`` of it."""
    mz = np.asarray(mz, float)
    intensity = np.asarray(intensity, float)
    z = abs(charge) or 1
    if not np.isclose(mz, mono_mz, rtol=mono_ppm * 1e-6, atol=0).any():
        raise FormulaError(f"no peak within {mono_ppm:g} ppm of m/z {mono_mz:.5f} in the peak list")
    pattern = np.zeros(n_peaks)
    for k in range(n_peaks):
        centre = mono_mz + k * ISOTOPE_SPACING / z
        window = (tolerance + k * spread) / z if k else mono_mz * mono_ppm * 1e-6
        pattern[k] = intensity[np.abs(mz - centre) <= window].sum()
    return normalise_pattern(pattern, n_peaks)
