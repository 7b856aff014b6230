"""Drawings of trusses and of weight-compliance fronts (matplotlib).

:func:`plot_truss` draws members with line width proportional to area and colour the
signed stress ratio (red tension, blue compression, grey without an analysis), the
deformed shape (dashed, magnified), supports (triangles) and loads (arrows), in 2D or
3D. :func:`plot_front` draws a Pareto front with small drawings of chosen designs.
Figures are saved with :func:`save_figure` (atomic).
"""

from __future__ import annotations

import os
from typing import Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.colors import Normalize

from gadesign.figures import save_figure as save_atomically
from gadesign_problems.truss.fem import Analysis
from gadesign_problems.truss.structure import Truss

_CMAP = "coolwarm"


def plain(text: object, limit: int) -> str:
    """Text from the user's truss file as matplotlib shows it literally: one line, at
    most ``limit`` characters, ``$`` escaped (two would start mathtext, and invalid TeX
    raises when the figure is saved). As :func:`gadesign.plots.plain`, without importing
    it (that module selects the Agg backend, which a notebook user of this one must not get)."""
    s = " ".join(str(text).split())
    if len(s) > limit:
        s = s[:limit - 1].rstrip() + "…"
    return s.replace("$", r"\$")


def signed_stress_ratio(analysis: Analysis, case: int) -> np.ndarray:
    """Per member: +ratio in tension, -ratio in compression (|value| > 1 is overstressed)."""
    ratio = analysis.stress_ratios()[case]
    return np.where(analysis.cases[case].stresses < 0, -ratio, ratio)


def plot_truss(truss: Truss, areas: Sequence[float] | np.ndarray | None = None,
               analysis: Analysis | None = None, case: int = 0, ax=None,
               deformed_scale: float | None = None, show_loads: bool = True,
               colorbar: bool = True, title: str | None = None, max_width: float = 6.0):
    """Draw ``truss`` (members of area 0 are left out) and return the axes.

    ``areas`` default to the analysis's, else the file's; ``deformed_scale`` magnifies
    the displacements of load case ``case`` (default: the largest moves 8% of the
    truss's extent; 0 hides the deformed shape).
    """
    if analysis is not None:
        areas = analysis.areas
    elif areas is not None:
        areas = truss.member_areas(areas)
    else:
        try:
            areas = truss.default_areas()
        except Exception:
            areas = np.ones(truss.n_members)
    areas = np.asarray(areas, dtype=float)
    three_d = truss.dim == 3
    if ax is None:
        fig = plt.figure(figsize=(7, 5.5) if three_d else (8, 5))
        ax = fig.add_subplot(projection="3d") if three_d else fig.add_subplot()
    present = areas > 0
    amax = areas.max() if present.any() else 1.0
    widths = 0.4 + (max_width - 0.4) * areas[present] / amax
    segs = truss.nodes[truss.members[present]]
    norm = Normalize(-1.0, 1.0)
    cmap = plt.get_cmap(_CMAP)
    # a truss with no stress limits has every ratio 0 (all members one grey): colour it by
    # stress relative to the largest |stress| of the case instead, and say so on the bar
    relative = analysis is not None and truss.tension_limit is None and truss.compression_limit is None \
        and not truss.has_buckling
    if analysis is not None:
        if relative:
            sigma = analysis.cases[case].stresses
            peak = float(np.abs(sigma[present]).max()) if present.any() else 0.0
            shade = sigma / peak if peak > 0 else np.zeros_like(sigma)
        else:
            shade = signed_stress_ratio(analysis, case)
        colors = cmap(norm(np.clip(shade[present], -1, 1)))
    else:
        colors = np.tile(np.array([[0.35, 0.35, 0.35, 1.0]]), (int(present.sum()), 1))
    extent = float(np.ptp(truss.nodes, axis=0).max()) or 1.0
    if three_d:
        from mpl_toolkits.mplot3d.art3d import Line3DCollection
        ax.add_collection3d(Line3DCollection(segs, colors=colors, linewidths=widths))
    else:
        ax.add_collection(LineCollection(segs, colors=colors, linewidths=widths, capstyle="round"))
    used = np.unique(truss.members[present].ravel())
    pts = truss.nodes[used]
    ax.scatter(*pts.T, s=8, c="k", zorder=3)
    sup = truss.supported_nodes
    if len(sup):
        ax.scatter(*truss.nodes[sup].T, marker="^", s=90, c="#2e7d32", zorder=4, label="support")
    if analysis is not None and deformed_scale != 0:
        u = analysis.cases[case].displacements
        umax = float(np.abs(u).max())
        if umax > 0:
            scale = deformed_scale if deformed_scale is not None else 0.08 * extent / umax
            dsegs = (truss.nodes + scale * u)[truss.members[present]]
            style = dict(colors="0.45", linewidths=0.8, linestyles="--")
            if three_d:
                from mpl_toolkits.mplot3d.art3d import Line3DCollection
                ax.add_collection3d(Line3DCollection(dsegs, **style))
            else:
                ax.add_collection(LineCollection(dsegs, **style))
            ax.plot([], [], "--", color="0.45", lw=0.8, label=f"deformed x{scale:.3g}")
    if show_loads:
        f = truss.load_cases[case].forces
        loaded = np.flatnonzero(np.abs(f).max(axis=1) > 0)
        if len(loaded):
            fmax = np.linalg.norm(f[loaded], axis=1).max()
            vec = f[loaded] / fmax * 0.15 * extent
            start = truss.nodes[loaded] - vec
            ax.quiver(*start.T, *vec.T, color="#6a1b9a", **({} if three_d else dict(
                angles="xy", scale_units="xy", scale=1, width=0.004, zorder=5)))
            ax.plot([], [], color="#6a1b9a", label=f"load ({plain(truss.load_cases[case].name, 40)})")
    lo, hi = truss.nodes.min(axis=0) - 0.18 * extent, truss.nodes.max(axis=0) + 0.18 * extent
    if three_d:
        ax.set_xlim(lo[0], hi[0]); ax.set_ylim(lo[1], hi[1]); ax.set_zlim(lo[2], hi[2])
        ax.set_box_aspect(hi - lo)
    else:
        ax.set_xlim(lo[0], hi[0]); ax.set_ylim(lo[1], hi[1])
        ax.set_aspect("equal")
    length = plain(truss.units.get("length", ""), 24)  # names and units come from the user's file: shown literally
    ax.set_xlabel(f"x [{length}]"); ax.set_ylabel(f"y [{length}]")
    if three_d:
        ax.set_zlabel(f"z [{length}]")
    if analysis is not None and colorbar:
        sm = plt.cm.ScalarMappable(norm=norm, cmap=cmap)
        ax.figure.colorbar(sm, ax=ax, shrink=0.7, label="stress / max |stress| (no stress limits; - compression)"
                           if relative else "stress ratio (- compression, + tension)")
    if title is None:
        title = plain(truss.name, 100)
        if analysis is not None:
            title += f"\nweight {analysis.weight:.5g} {plain(truss.units.get('weight', ''), 24)}"
    ax.set_title(title, fontsize=9)
    if analysis is not None or len(sup):
        ax.legend(loc="upper left", fontsize=7, frameon=False)
    return ax


def plot_front(weights: Sequence[float], compliances: Sequence[float], truss: Truss,
               designs: Sequence[np.ndarray] = (), picks: Sequence[int] = (), ax=None,
               units: tuple[str, str] = ("", "")):
    """Weight vs compliance front, with small drawings of the designs ``picks`` (indices
    into the front; ``designs[k]`` are their member areas). Returns the main axes."""
    w, c = np.asarray(weights, dtype=float), np.asarray(compliances, dtype=float)
    if ax is None:
        fig = plt.figure(figsize=(11, 6))
        ax = fig.add_axes([0.08, 0.1, 0.55, 0.82])
    order = np.argsort(w)
    ax.plot(w[order], c[order], "o-", ms=4, lw=1, color="#1565c0")
    ax.set_xlabel(f"weight [{plain(units[0] or truss.units.get('weight', ''), 24)}]")
    ax.set_ylabel(f"compliance [{plain(units[1] or truss.units.get('force', '') + '*' + truss.units.get('length', ''), 40)}]")
    ax.set_yscale("log")
    ax.grid(True, alpha=0.3)
    fig = ax.figure
    for slot, k in enumerate(picks):
        ax.annotate(f"{slot + 1}", (w[k], c[k]), textcoords="offset points", xytext=(6, 6), fontsize=9,
                    color="#b71c1c", weight="bold")
        proj = "3d" if truss.dim == 3 else None
        height = min(0.26, 0.82 / max(len(picks), 1) - 0.04)
        bottom = 0.92 - (slot + 1) * (height + 0.04) + 0.04
        inset = fig.add_axes([0.68, bottom, 0.3, height], projection=proj)
        plot_truss(truss, areas=designs[k], ax=inset, colorbar=False, show_loads=True, title=f"{slot + 1}",
                   max_width=3.0)
        inset.set_xlabel(""); inset.set_ylabel("")
        if proj is None:
            inset.set_xticks([]); inset.set_yticks([])
        legend = inset.get_legend()
        if legend is not None:
            legend.remove()
    return ax


def save_figure(fig, path: str | os.PathLike[str], dpi: int = 130) -> None:
    """Save ``fig`` atomically (the format follows the suffix; none: PNG) and close it."""
    save_atomically(fig, path, dpi)
