"""Field formats for an evolved antenna: NEC deck, Touchstone sweep, pattern CSV, plots.

For every front member a run writes (in ``RUN/designs``), with ``stem`` = ``member-NNN``:

* ``stem.nec`` — the NEC-2 deck (GW/GE/GN/EX/FR/RP), readable by 4nec2, xnec2c, nec2c
  and ``gadesign antenna simulate``;
* ``stem.s1p`` — Touchstone S11 of a band sweep (50 ohm unless the problem says);
* ``stem-pattern.csv`` — gains (total, theta, phi, RHCP, LHCP in dBi/dBic) on the deck's
  RP grid at the problem's frequencies;
* ``stem-geometry.png`` — wires coloured by current magnitude, with elevation and
  azimuth cuts; ``stem-vswr.png`` — VSWR against frequency; for coverage problems
  (ST5) ``stem-rhcp.png`` — RHCP gain against theta at every 15 degrees of azimuth.

All files are written atomically.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import TYPE_CHECKING, Any, Sequence

import numpy as np

from gadesign.atomic import atomic_write_text

if TYPE_CHECKING:
    from gadesign_problems.antenna.solution import Solution
    from gadesign_problems.antenna.wires import Antenna


def pattern_grid(ant: "Antenna") -> tuple[np.ndarray, np.ndarray]:
    """Directions (degrees) of the antenna's RP cards, or a 5-degree grid."""
    from gadesign_problems.antenna.wires import PatternRequest

    pats = ant.patterns or (PatternRequest(19 if ant.ground else 37, 73, 0.0, 0.0, 5.0, 5.0),)
    return (np.concatenate([p.grid()[0] for p in pats]), np.concatenate([p.grid()[1] for p in pats]))


def pattern_csv(sol: "Solution", theta: np.ndarray, phi: np.ndarray) -> str:
    """CSV text: one row per frequency and direction, gains in dBi / dBic."""
    from gadesign_problems.antenna.units import db

    g = sol.gain_components(theta, phi)
    buf = io.StringIO()
    buf.write("frequency_hz,theta_deg,phi_deg,gain_dbi,gain_theta_dbi,gain_phi_dbi,rhcp_dbic,lhcp_dbic\n")
    for i, f in enumerate(sol.frequencies):
        cols = [db(g[k][i]) for k in ("total", "theta", "phi", "rhcp", "lhcp")]
        for j in range(len(theta)):
            buf.write(f"{f:.10g},{theta[j]:g},{phi[j]:g}," + ",".join(f"{c[j]:.4f}" for c in cols) + "\n")
    return buf.getvalue()


def plot_vswr(sol: "Solution", z0: float = 50.0, marks: Sequence[tuple[float, float]] = ()) -> Any:
    """VSWR against frequency (MHz); ``marks`` are (frequency Hz, limit) requirement points."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(5, 3.2))
    v = np.minimum(sol.vswr(z0)[:, 0], 100.0)
    ax.plot(sol.frequencies / 1e6, v, "-", color="tab:blue")
    for f, lim in marks:
        ax.plot([f / 1e6], [lim], "v", color="tab:red")
        ax.hlines(lim, f / 1e6 * 0.99, f / 1e6 * 1.01, color="tab:red")
    ax.set_xlabel("frequency (MHz)")
    ax.set_ylabel(f"VSWR ({z0:g} ohm)")
    ax.set_ylim(1.0, min(max(3.0, float(v.min()) * 1.5), 100.0))
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig


def plot_rhcp_coverage(sol: "Solution", theta_range: tuple[float, float], target_dbic: float,
                       floor_db: float = -20.0) -> Any:
    """RHCP gain (dBic) against theta at every 15 degrees of azimuth, one panel per
    frequency, with the required coverage (``theta_range``, >= ``target_dbic``) shaded."""
    import matplotlib.pyplot as plt

    from gadesign_problems.antenna.units import db

    th = np.arange(0.0, 90.0 + 1e-9, 1.0)
    phis = np.arange(0.0, 360.0 - 1e-9, 15.0)
    tt, pp = np.meshgrid(th, phis, indexing="ij")
    g = db(sol.gain_components(tt.ravel(), pp.ravel())["rhcp"]).reshape(len(sol.frequencies), len(th), len(phis))
    fig, axes = plt.subplots(1, len(sol.frequencies), figsize=(4.2 * len(sol.frequencies), 3.2), sharey=True,
                             squeeze=False)
    for i, ax in enumerate(axes[0]):
        ax.axvspan(*theta_range, color="tab:green", alpha=0.12, label="required coverage")
        ax.axhline(target_dbic, color="tab:red", lw=1)
        ax.plot(th, np.maximum(g[i], floor_db), color="tab:blue", lw=0.7, alpha=0.6)
        lo, hi = theta_range
        inside = (th >= lo) & (th <= hi)
        ax.set_title(f"{sol.frequencies[i] / 1e6:.6g} MHz: min {g[i][inside].min():+.2f} dBic in {lo:g}-{hi:g} deg",
                     fontsize=9)
        ax.set_xlabel("theta from zenith (deg)")
        ax.set_ylim(floor_db, max(10.0, float(g[i].max()) + 1.0))
        ax.grid(alpha=0.3)
    axes[0][0].set_ylabel("RHCP gain (dBic), every 15 deg of phi")
    fig.tight_layout()
    return fig


def export_design(ant: "Antenna", directory: Path, stem: str, *, sweep: np.ndarray,
                  pattern_frequencies: Sequence[float], z0: float = 50.0,
                  vswr_marks: Sequence[tuple[float, float]] = (), plots: bool = True,
                  coverage: tuple[tuple[float, float], float] | None = None,
                  deck: "Antenna | None" = None) -> list[Path]:
    """Write the deck, the Touchstone sweep, the pattern CSV and the plots of ``ant``
    (solved as it is, refinement included). ``deck``: the antenna written as ``.nec``
    when it differs from ``ant`` (e.g. more segments, so that NEC-2 is resolved)."""
    from gadesign_problems.antenna.network import write_touchstone
    from gadesign_problems.antenna.st5 import blas_single_thread

    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    paths = [(deck if deck is not None else ant).to_nec(directory / f"{stem}.nec")]
    with blas_single_thread():
        swept = ant.solve(np.asarray(sweep, float))
        paths.append(write_touchstone(swept, directory / f"{stem}.s1p", z0=z0))
        sol = ant.solve(list(pattern_frequencies))
        th, ph = pattern_grid(ant)
        paths.append(atomic_write_text(directory / f"{stem}-pattern.csv", pattern_csv(sol, th, ph)))
        if plots:
            from gadesign_problems.antenna.plots import plot_summary, save

            paths.append(save(plot_summary(ant, sol, freq_index=len(sol.frequencies) - 1),
                              directory / f"{stem}-geometry.png", dpi=70))
            paths.append(save(plot_vswr(swept, z0, vswr_marks), directory / f"{stem}-vswr.png", dpi=80))
            if coverage is not None:
                paths.append(save(plot_rhcp_coverage(sol, *coverage), directory / f"{stem}-rhcp.png", dpi=80))
    return paths


def st5_summary(problem: Any, x: Any, evaluation: Any) -> dict[str, Any]:
    """``gadesign show`` columns of an ST5 design: VSWR at each frequency, minimum RHCP
    gain over the coverage (``minG``, dBic) at each frequency, wires per arm, requirements
    met (``meets``) and design targets with their margins met (``margins``)."""
    info = evaluation.info
    if "vswr_per_frequency" not in info:
        return {"reason": info.get("reason", "")}
    out: dict[str, Any] = {}
    for f, v in zip(problem.requirements.frequencies, info["vswr_per_frequency"]):
        out[f"vswr@{f / 1e6:.0f}MHz"] = round(float(v), 3)
    for f, g in zip(problem.requirements.frequencies, info["min_rhcp_dbic"]):
        out[f"minG@{f / 1e6:.0f}MHz"] = round(float(g), 2)
    out["wires/arm"] = info.get("wires_per_arm")
    out["meets"] = "yes" if info.get("meets_requirements") else "no"
    if "meets_with_margins" in info:
        out["margins"] = "yes" if info["meets_with_margins"] else "no"
    return out
