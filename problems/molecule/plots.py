"""Figures for formula inference: stick spectra of isotope patterns, and the
ppm-versus-isotope-mismatch front of candidates with their formulas. Headless (Agg)."""

from __future__ import annotations

from pathlib import Path
from typing import Mapping, Sequence

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from gadesign.figures import save_figure as _save  # noqa: E402
from gadesign_problems.molecule.search import Candidate  # noqa: E402


def plot_patterns(measured: Sequence[float] | None, candidates: Mapping[str, Sequence[float]],
                  ax: plt.Axes | None = None, title: str | None = None) -> plt.Figure:
    """Measured (black) and candidate (coloured) isotope patterns as stick spectra,
    bins M+0.. side by side, intensities as fractions of the total."""
    fig, ax = (ax.figure, ax) if ax is not None else plt.subplots(figsize=(6.4, 3.6))
    series: list[tuple[str, np.ndarray, str]] = []
    if measured is not None:
        series.append(("measured", np.asarray(measured, float), "black"))
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for i, (name, pattern) in enumerate(candidates.items()):
        series.append((name, np.asarray(pattern, float), colours[i % len(colours)]))
    n = max(len(s[1]) for s in series) if series else 0
    width = 0.8 / max(len(series), 1)
    for j, (name, pattern, colour) in enumerate(series):
        x = np.arange(len(pattern)) - 0.4 + width * (j + 0.5)
        ax.vlines(x, 0, pattern, colors=colour, linewidth=3 if name == "measured" else 2, label=name)
    ax.set_xticks(range(n), [f"M+{k}" for k in range(n)])
    ax.set_ylabel("fraction of total intensity")
    ax.set_ylim(0, None)
    if ax.get_legend_handles_labels()[0]:     # an empty legend was a matplotlib warning line
        ax.legend(fontsize=8)
    if title:
        ax.set_title(title)
    return fig


def plot_candidate_front(candidates: Sequence[Candidate], truth: str | None = None,
                         ax: plt.Axes | None = None, label: int = 12) -> plt.Figure:
    """Candidates by |mass error| (ppm) and isotope mismatch, the best ``label`` named;
    the best-scoring one (and ``truth`` when given) highlighted."""
    fig, ax = (ax.figure, ax) if ax is not None else plt.subplots(figsize=(6.4, 4.4))
    if candidates:
        ppm = np.array([abs(c.ppm) for c in candidates])
        mis = np.array([c.isotope_mismatch for c in candidates])
        ax.scatter(ppm, mis, s=18, c="0.6", label="candidates")
        ax.scatter(ppm[:1], mis[:1], s=60, c="tab:red", label=f"best: {candidates[0].formula}")
        for c in candidates[:label]:
            ax.annotate(c.formula, (abs(c.ppm), c.isotope_mismatch), fontsize=7,
                        xytext=(3, 3), textcoords="offset points")
        if truth is not None:
            hit = [c for c in candidates if c.formula == truth]
            if hit:
                ax.scatter([abs(hit[0].ppm)], [hit[0].isotope_mismatch], s=120, facecolors="none",
                           edgecolors="tab:green", label=f"true: {truth}")
        if (mis > 0).all():
            ax.set_yscale("log")
    ax.set_xlabel("|mass error| [ppm] ↓")
    ax.set_ylabel("isotope mismatch (relative RMSE) ↓")
    if ax.get_legend_handles_labels()[0]:     # an empty legend was a matplotlib warning line
        ax.legend(fontsize=8)
    return fig


def save_figure(fig: plt.Figure, path: str | Path) -> Path:
    """Write ``fig`` atomically (format from the suffix) and close it."""
    return _save(fig, path)
