"""Unit-resolution isotope patterns by polynomial convolution, batched over candidates.

The isotope distribution of a molecule is the product of one polynomial per atom,
``p_e(x) = sum_i a_i x^(s_i)`` with abundances ``a_i`` and nominal shifts ``s_i``
(mass number minus the monoisotopic one, from :mod:`molmass`). The pattern of
``n`` atoms of ``e`` is ``p_e(x)^n``; a formula's is the product over its elements.
Only the coefficients of ``x^0 .. x^(K-1)`` are kept (bins M+0..M+K-1): since every
shift is >= 0 this truncation is exact for those bins.

:class:`PatternTable` precomputes ``p_e^n`` for every count up to a maximum, so a
batch of formulas costs one gather and one truncated convolution per element
(a few hundred nanoseconds per candidate), against ~1 ms for ``molmass``' full
``Formula.spectrum()``.
"""

from __future__ import annotations

from typing import Iterable

import numpy as np

from gadesign_problems.molecule.formula import Formula, FormulaError, element

#: Default number of bins computed (M+0..M+6) when no measured pattern says otherwise.
N_PEAKS = 7
#: Most isotope peaks a measured pattern may give.
MAX_PEAKS = 12


def element_polynomial(symbol: str, n_peaks: int = N_PEAKS) -> np.ndarray:
    """Isotope polynomial of one atom: abundance per nominal shift 0..n_peaks-1."""
    el = element(symbol)
    if any(iso.shift < 0 for iso in el.isotopes):
        raise FormulaError(f"isotope patterns need the monoisotopic isotope to be the lightest; "
                           f"{symbol} has lighter isotopes")
    poly = np.zeros(n_peaks)
    for iso in el.isotopes:
        if iso.shift < n_peaks:
            poly[iso.shift] += iso.abundance
    return poly


def convolve_truncated(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Row-wise polynomial product of ``a`` and ``b`` (shape (..., K)) truncated to K terms."""
    k = a.shape[-1]
    out = a[..., :1] * b
    for j in range(1, k):
        out[..., j:] += a[..., j:j + 1] * b[..., :k - j]
    return out


class PatternTable:
    """Isotope patterns for count vectors over a fixed element alphabet.

    ``PatternTable(("C", "H", "N", "O"), max_counts=(100, 200, 20, 40))(counts)``
    returns the (N, n_peaks) patterns, each normalised to sum 1, of an (N, k) integer
    count array. Counts above ``max_counts`` raise :class:`FormulaError`.

    Elements are paired (C with H, N with O, ...) and each pair's table holds the
    product polynomial for every pair of counts, so a batch needs one gather per pair
    and one truncated convolution between pairs, done on cache-sized blocks in
    bin-major layout.
    """

    #: Largest number of rows a paired table may have.
    MAX_PAIR_ROWS = 60_000
    #: Candidates per block of the batched convolution.
    BLOCK = 4096

    def __init__(self, elements: Iterable[str], max_counts: Iterable[int], n_peaks: int = N_PEAKS):
        self.elements = tuple(elements)
        self.max_counts = np.array(list(max_counts), dtype=np.int64)
        if len(self.max_counts) != len(self.elements):
            raise ValueError("one maximum count per element")
        self.n_peaks = int(n_peaks)
        self.powers: list[np.ndarray] = []
        for symbol, nmax in zip(self.elements, self.max_counts):
            poly = element_polynomial(symbol, self.n_peaks)
            table = np.zeros((int(nmax) + 1, self.n_peaks))
            table[0, 0] = 1.0
            for n in range(1, int(nmax) + 1):
                table[n] = convolve_truncated(table[n - 1], poly)
            self.powers.append(table)
        # groups of one or two elements; each group's table is bin-major (n_peaks, rows)
        self._groups: list[tuple[list[int], np.ndarray, np.ndarray]] = []
        i = 0
        k = len(self.elements)
        while i < k:
            rows_i = int(self.max_counts[i]) + 1
            if i + 1 < k and rows_i * (int(self.max_counts[i + 1]) + 1) <= self.MAX_PAIR_ROWS:
                rows_j = int(self.max_counts[i + 1]) + 1
                pair = convolve_truncated(self.powers[i][:, None, :], self.powers[i + 1][None, :, :])
                self._groups.append(([i, i + 1], np.array([rows_j, 1]),
                                     np.ascontiguousarray(pair.reshape(rows_i * rows_j, -1).T)))
                i += 2
            else:
                self._groups.append(([i], np.array([1]), np.ascontiguousarray(self.powers[i].T)))
                i += 1

    def raw(self, counts: np.ndarray) -> np.ndarray:
        """Unnormalised bin probabilities (the fraction of all isotopologues per bin)."""
        counts = np.asarray(counts)
        if counts.ndim != 2 or counts.shape[1] != len(self.elements):
            raise ValueError(f"counts must have shape (N, {len(self.elements)})")
        if (counts < 0).any() or (counts > self.max_counts).any():
            raise FormulaError("a count is outside the isotope table's range")
        n, k = counts.shape[0], self.n_peaks
        keys = [counts[:, cols].astype(np.int64) @ strides for cols, strides, _ in self._groups]
        out = np.empty((n, k))
        acc = np.empty((k, self.BLOCK))
        tmp = np.empty(self.BLOCK)
        for lo in range(0, n, self.BLOCK):
            hi = min(lo + self.BLOCK, n)
            m = hi - lo
            a = np.take(self._groups[0][2], keys[0][lo:hi], axis=1)
            for g in range(1, len(self._groups)):
                key = keys[g][lo:hi]
                if not key.any():
                    continue
                b = np.take(self._groups[g][2], key, axis=1)
                c = acc[:, :m]
                t = tmp[:m]
                for kk in range(k):
                    np.multiply(a[0], b[kk], out=c[kk])
                    for j in range(1, kk + 1):
                        np.multiply(a[j], b[kk - j], out=t)
                        c[kk] += t
                a = c.copy()
            out[lo:hi] = a.T
        return out

    def __call__(self, counts: np.ndarray) -> np.ndarray:
        """Patterns normalised to sum 1 over the kept bins."""
        raw = self.raw(counts)
        return raw / raw.sum(axis=1, keepdims=True)


def isotope_pattern(formula: Formula | str, n_peaks: int = N_PEAKS) -> np.ndarray:
    """Pattern M+0..M+(n_peaks-1) of one formula, normalised to sum 1."""
    f = formula if isinstance(formula, Formula) else Formula(formula, allow_odd_electron=True)
    counts = f.counts
    table = PatternTable(tuple(counts), tuple(counts.values()), n_peaks)
    return table(np.array([list(counts.values())]))[0]


def normalise_pattern(values: Iterable[float | None], n_peaks: int | None = None) -> np.ndarray:
    """A measured pattern M+0, M+1, ... as given, normalised to sum 1 over the peaks given.

    Only the peaks given count: the result has one entry per value (``n_peaks`` keeps
    the first ``n_peaks``), and ``None`` or NaN marks a peak that was not measured
    (unknown, left out of every comparison). A peak given as 0 was looked for and found
    absent: it is compared like any other. Raises :class:`FormulaError` for negative or
    infinite input, or when M+0 is not a positive measured intensity.
    """
    v = np.array([np.nan if x is None else x for x in values], dtype=float)
    if v.ndim != 1 or v.size == 0:
        raise FormulaError("an isotope pattern is a list of intensities, M+0 first")
    if n_peaks is not None:
        v = v[:n_peaks]
    if np.isinf(v).any() or (v < 0).any():
        raise FormulaError("isotope intensities must be finite and non-negative (NaN or '-' for a peak not measured)")
    if not np.isfinite(v[0]) or v[0] <= 0:
        raise FormulaError("an isotope pattern needs a positive M+0 intensity")
    if v.size > MAX_PEAKS:
        raise FormulaError(f"at most {MAX_PEAKS} isotope peaks (M+0..M+{MAX_PEAKS - 1}), got {v.size}")
    while v.size > 1 and np.isnan(v[-1]):
        v = v[:-1]
    with np.errstate(over="ignore"):
        total = np.nansum(v)
    if not np.isfinite(total):     # intensities near the float limit: their sum overflowed to inf
        v = v / np.nanmax(v)       # (and the pattern came out all 0); the shape is scale-free
    return v / np.nansum(v)


def given_bins(pattern: np.ndarray) -> np.ndarray:
    """Boolean mask of the measured bins (not NaN) of a pattern from :func:`normalise_pattern`."""
    return ~np.isnan(np.asarray(pattern, dtype=float))


def restrict(theory: np.ndarray, measured: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Theoretical patterns (N, K') and the measured one on the measured bins only, both
    renormalised to sum 1 over those bins (K' = number of measured bins)."""
    known = given_bins(measured)
    t = np.atleast_2d(theory)[:, :len(known)][:, known]
    t = t / np.maximum(t.sum(axis=1, keepdims=True), 1e-300)
    m = np.asarray(measured, dtype=float)[known]
    return t, m


def isotope_mismatch(theory: np.ndarray, measured: np.ndarray, floor: float = 0.003) -> np.ndarray:
    """Relative RMSE between candidate patterns and a measured one, over the measured bins.

    ``theory`` is (N, K) or (K,) (at least as many bins as ``measured``); ``measured``
    comes from :func:`normalise_pattern` (NaN = not measured). Both are renormalised over
    the measured bins. Each bin's error is ``(t - m) / max(m, floor)``; bins where both
    are below ``floor`` count as zero error. A value of 0.05 means intensities off by
    about 5 % of themselves. A descriptive number for tables and plots; the ranking
    uses :func:`isotope_misfit`.
    """
    t, m = restrict(theory, measured)
    denom = np.maximum(m, floor)
    err = (t - m) / denom
    err = np.where((t < floor) & (m < floor), 0.0, err)
    out = np.sqrt(np.mean(err * err, axis=1))
    return out if np.ndim(theory) == 2 else out[0]


def isotope_misfit(theory: np.ndarray, measured: np.ndarray, relative_error: float,
                   absolute_error: float, scale: str = "fixed") -> tuple[np.ndarray, np.ndarray]:
    """Isotope fit as a Gaussian likelihood with an intensity-dependent error.

    Over the measured bins (both patterns renormalised over them), a measured fraction
    ``m_k`` is modelled as the candidate's ``t_k`` plus an error of variance
    ``s_k^2 = (relative_error * t_k)^2 + absolute_error^2``: relative on strong peaks,
    an absolute floor on weak ones (the error model of SIRIUS' isotope scoring, Böcker
    et al., Bioinformatics 25:218, 2009, there with log-normal ratios; Kind & Fiehn 2007
    rule 3 uses a plain relative tolerance). Returns ``(chi2, misfit)``:
    ``chi2 = sum_k (m_k - a t_k)^2 / s_k^2`` (the goodness-of-fit statistic of rule 3) and
    ``misfit = chi2 + sum_k ln(s_k^2 / absolute_error^2)``, which is -2 ln L up to a
    constant shared by all candidates and >= 0 (the ranking term).

    ``scale``: ``"fixed"``: ``a = 1``, the candidate's pattern as renormalised;
    ``"profiled"``: ``a`` the weighted least-squares scale ``sum(m t / s^2) / sum(t^2 / s^2)``.
    The measured fractions are divided by their own sum, errors included, so an error on
    one peak moves every other one (M+0 3 % high lowers each M+k by 3 % of M+0's share);
    the total ion count is a free parameter of the measurement, and profiling it out
    leaves the residual of one fitted parameter (chi-square with n - 1 degrees of
    freedom, as rule 3 assumes) instead of charging that shared shift to every peak.
    """
    t, m = restrict(theory, measured)
    var = (relative_error * t) ** 2 + absolute_error ** 2
    if scale == "profiled":
        t = t * (np.sum(m * t / var, axis=1) / np.maximum(np.sum(t * t / var, axis=1), 1e-300))[:, None]
    elif scale != "fixed":
        raise ValueError(f"scale must be fixed or profiled, got {scale!r}")
    chi2 = np.sum((m - t) ** 2 / var, axis=1)
    misfit = chi2 + np.sum(np.log(var / absolute_error ** 2), axis=1)
    if np.ndim(theory) == 2:
        return chi2, misfit
    return chi2[0], misfit[0]


def parse_intensities(text: str) -> list[float | None]:
    """Intensities from ``"100,9.1,,0.4"`` or ``"100;9.1;-;0.4"``: M+0 first; an empty
    field, ``-``, ``?`` or ``nan`` is a peak that was not measured (unknown), ``0`` one
    looked for and absent. Trailing separators add nothing. A list separated by ``;``
    may write decimal commas (``"100;45,2;12,1"``), as the peak-list reader allows: with
    a ``;`` in the text, ``;`` alone separates and a comma is a decimal comma (it was
    split as a separator too, so three peaks became five)."""
    fields = [f.strip() for f in text.split(";" if ";" in text else ",")]
    while fields and not fields[-1]:
        fields.pop()
    out: list[float | None] = []
    for f in fields:
        if f in ("", "-", "?") or f.lower() == "nan":
            out.append(None)
            continue
        try:
            out.append(float(f.replace(",", ".") if ";" in text else f))
        except ValueError:
            raise FormulaError(f"isotope intensities: expected numbers (or '-' for a peak not measured), "
                               f"got {f!r} in {text!r}") from None
    if not out:
        raise FormulaError("isotope intensities: none given")
    return out
