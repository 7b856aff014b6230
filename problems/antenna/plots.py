"""Pictures of an antenna: 3D wires coloured by current magnitude, pattern cuts.

Matplotlib is imported inside the functions (the CLI must start fast). Figures are
returned; :func:`save` writes one atomically.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from gadesign.figures import save_figure

if TYPE_CHECKING:
    from gadesign_problems.antenna.solution import Solution
    from gadesign_problems.antenna.wires import Antenna


def plot_geometry(ant: "Antenna", sol: "Solution | None" = None, freq_index: int = 0, ax: Any = None,
                  colorbar: str = "vertical") -> Any:
    """3D wire geometry; with a solution, segments coloured by |I| (A) at one frequency
    (colour bar ``"vertical"`` beside or ``"horizontal"`` below the axes), sources marked
    in red and the ground plane shaded."""
    import matplotlib.pyplot as plt
    from matplotlib import cm, colors

    if ax is None:
        fig = plt.figure(figsize=(6, 5))
        ax = fig.add_subplot(projection="3d")
    mesh = ant.mesh
    a, b = mesh.start, mesh.end
    if sol is not None:
        ia, ib = sol.segment_end_currents()
        mag = np.abs(0.5 * (ia[freq_index] + ib[freq_index]))
        norm = colors.Normalize(vmin=0.0, vmax=float(mag.max()) or 1.0)
        cmap = plt.get_cmap("viridis")
        for p, q, m in zip(a, b, mag):
            ax.plot(*zip(p, q), color=cmap(norm(m)), lw=2.5)
        sm = cm.ScalarMappable(norm=norm, cmap=cmap)
        label = f"|I| (A) at {sol.frequencies[freq_index] / 1e6:.4g} MHz"
        if colorbar == "horizontal":  # below: clear of the z-axis label
            ax.figure.colorbar(sm, ax=ax, shrink=0.6, pad=0.1, aspect=30, orientation="horizontal", label=label)
        else:
            ax.figure.colorbar(sm, ax=ax, shrink=0.6, pad=0.12, label=label)
    else:
        for p, q in zip(a, b):
            ax.plot(*zip(p, q), color="k", lw=1.5)
    for s in ant.sources:
        i = ant.segment_index(s.tag, s.segment)
        sub = np.nonzero(mesh.parent == i)[0]
        c = 0.5 * (a[sub[0]] + b[sub[-1]])
        ax.scatter(*c, color="red", s=30, label="source")
    pts = np.concatenate([a, b])
    span = float(np.ptp(pts, axis=0).max()) or 1.0
    mid = 0.5 * (pts.max(axis=0) + pts.min(axis=0))
    if ant.ground:
        gx, gy = np.meshgrid(mid[0] + span * np.array([-0.6, 0.6]), mid[1] + span * np.array([-0.6, 0.6]))
        ax.plot_surface(gx, gy, np.zeros_like(gx), alpha=0.15, color="tab:brown")
    for setlim, m in zip((ax.set_xlim, ax.set_ylim, ax.set_zlim), mid):
        setlim(m - 0.55 * span, m + 0.55 * span)
    ax.set_xlabel("x (m)", labelpad=6)
    ax.set_ylabel("y (m)", labelpad=6)
    ax.set_zlabel("z (m)", labelpad=6)
    ax.tick_params(labelsize=7)
    return ax.figure


def plot_cuts(sol: "Solution", freq_index: int = 0, phi_cuts: tuple[float, ...] = (0.0, 90.0),
              theta_cut: float = 90.0, floor_db: float = -40.0, axes: Any = None) -> Any:
    """Elevation cuts (gain vs theta at each ``phi_cuts``) and the azimuth cut at
    ``theta_cut``, polar plots in dBi clipped at ``floor_db`` below the maximum."""
    import matplotlib.pyplot as plt

    if axes is None:
        fig, (ax_e, ax_a) = plt.subplots(1, 2, subplot_kw={"projection": "polar"}, figsize=(10, 4.5))
    else:
        ax_e, ax_a = axes
        fig = ax_e.figure
    th = np.linspace(0.0, 360.0, 361)
    peak = -np.inf
    curves = []
    for ph in phi_cuts:
        # theta in 0..360 sweeps the full great circle: theta > 180 is (360 - theta, phi + 180)
        t = np.where(th <= 180.0, th, 360.0 - th)
        p = np.where(th <= 180.0, ph, ph + 180.0)
        g = sol.gain_dbi(t, p)[freq_index]
        peak = max(peak, g.max())
        curves.append((ph, g))
    ph_all = np.linspace(0.0, 360.0, 361)
    ga = sol.gain_dbi(np.full_like(ph_all, theta_cut), ph_all)[freq_index]
    peak = max(peak, ga.max())
    lo = peak + floor_db
    for ph, g in curves:
        ax_e.plot(np.radians(th), np.maximum(g, lo), label=f"phi = {ph:g} deg")
    ax_e.set_theta_zero_location("N")
    ax_e.set_theta_direction(-1)
    ax_e.set_rlim(lo, peak + 1)
    # titles lifted clear of the 0-degree tick label; legend below the circle
    ax_e.set_title("elevation cuts (dBi), theta from zenith", pad=22, fontsize=10)
    ax_e.legend(loc="upper center", bbox_to_anchor=(0.5, -0.1), ncol=len(phi_cuts), fontsize=8, frameon=False)
    ax_a.plot(np.radians(ph_all), np.maximum(ga, lo))
    ax_a.set_rlim(lo, peak + 1)
    ax_a.set_title(f"azimuth cut at theta = {theta_cut:g} deg (dBi)", pad=22, fontsize=10)
    for ax in (ax_e, ax_a):
        ax.tick_params(labelsize=8)
        ax.set_rlabel_position(157.5)  # gain labels away from the main lobe along 0 degrees
    if axes is None:
        fig.suptitle(f"{sol.frequencies[freq_index] / 1e6:.6g} MHz")
        fig.tight_layout()
    return fig


def save(fig: Any, path: str | Path, dpi: int = 120) -> Path:
    """Write a figure atomically and close it."""
    return save_figure(fig, path, dpi, pad_inches=0.15)  # no label clipped at the edge


def plot_summary(ant: "Antenna", sol: "Solution", freq_index: int = 0) -> Any:
    """Geometry with currents beside the elevation and azimuth cuts, one figure."""
    import matplotlib.pyplot as plt

    fig = plt.figure(figsize=(15, 5.8))
    grid = fig.add_gridspec(1, 3, width_ratios=(1.15, 1, 1), left=0.02, right=0.98, bottom=0.1, top=0.8,
                            wspace=0.3)
    ax3 = fig.add_subplot(grid[0], projection="3d")
    plot_geometry(ant, sol, freq_index, ax=ax3, colorbar="horizontal")
    ax3.set_title("geometry, current magnitude", pad=8, fontsize=10)
    plot_cuts(sol, freq_index, axes=(fig.add_subplot(grid[1], projection="polar"),
                                      fig.add_subplot(grid[2], projection="polar")))
    fig.suptitle(f"{sol.frequencies[freq_index] / 1e6:.6g} MHz", y=0.97, fontsize=12)
    return fig
