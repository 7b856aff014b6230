"""Field formats and designer's plots of an ``antenna-tdrs`` design.

``export_tdrs`` writes, atomically, for one design (``stem`` = ``member-NNN``):

* ``stem.nec`` -- the NEC-2 deck (``deck_segments`` x the design's segments);
* ``stem.s1p`` (helix) or ``stem.s2p`` (crossed Yagi) -- Touchstone over both bands (the
  helix's at the 50 ohm line, through its matching section; the ``.nec`` deck is the
  radiator alone, its comment cards name the section);
* ``stem-pattern.csv`` -- RHCP, LHCP (dBic), total (dBi) and axial ratio (dB) on a
  5-degree upper-hemisphere grid at both band edges of each band;
* ``stem-gain.png``, ``stem-ar.png``, ``stem-vswr.png`` -- the three figures of
  :func:`tdrs_figures`.

Figures: co- and cross-polar gain against theta at every band edge (max and min over
phi, with the requirement limits), axial ratio against theta, VSWR of every port
against frequency over both bands with the limit and the bands shaded.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import numpy as np

from gadesign.atomic import atomic_write_text


def band_edges(problem: Any) -> np.ndarray:
    return np.array([f for band in problem.requirements.bands for f in band], float)


def pattern_csv(sol: Any, theta: np.ndarray, phi: np.ndarray) -> str:
    """CSV: one row per frequency and direction; RHCP/LHCP dBic, total dBi, AR dB."""
    pol = sol.polarisation(theta, phi)
    buf = io.StringIO()
    buf.write("frequency_hz,theta_deg,phi_deg,rhcp_dbic,lhcp_dbic,gain_dbi,axial_ratio_db\n")
    for i, f in enumerate(sol.frequencies):
        cols = [pol["rhcp_dbic"][i], pol["lhcp_dbic"][i], pol["total_dbi"][i],
                np.minimum(pol["axial_ratio_db"][i], 999.0)]
        for j in range(len(theta)):
            buf.write(f"{f:.10g},{theta[j]:g},{phi[j]:g}," + ",".join(f"{c[j]:.4f}" for c in cols) + "\n")
    return buf.getvalue()


def _cuts(problem: Any, sol: Any) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    th = np.arange(0.0, 90.0 + 1e-9, 1.0)
    ph = np.arange(0.0, 360.0 - 1e-9, 15.0)
    tt, pp = np.meshgrid(th, ph, indexing="ij")
    pol = sol.polarisation(tt.ravel(), pp.ravel())
    shape = (len(sol.frequencies), len(th), len(ph))
    return th, {k: np.asarray(v, float).reshape(shape) for k, v in pol.items()}


def plot_gain(problem: Any, sol: Any) -> Any:
    """Co-polar (band of min..max over phi) and worst cross-polar gain against theta at
    every band edge, with the requirement limits."""
    import matplotlib.pyplot as plt

    req = problem.requirements
    th, p = _cuts(problem, sol)
    co, cross = ("rhcp_dbic", "lhcp_dbic") if req.sense > 0 else ("lhcp_dbic", "rhcp_dbic")
    n = len(sol.frequencies)
    fig, axes = plt.subplots(1, n, figsize=(3.3 * n, 3.2), sharey=True, squeeze=False)
    for i, ax in enumerate(axes[0]):
        ax.fill_between(th, p[co][i].min(axis=1), p[co][i].max(axis=1), color="tab:blue", alpha=0.35,
                        label=f"{co[:4].upper()} (min-max over phi)")
        ax.plot(th, p[cross][i].max(axis=1), color="tab:orange", lw=1, label=f"{cross[:4].upper()} (max)")
        ax.plot([0, 0], [req.boresight_dbic, req.boresight_dbic + 3], color="tab:red", lw=3)
        ax.hlines(req.fov_dbic, 0, req.fov_deg, color="tab:red")
        ax.hlines(req.sidelobe_dbic, req.sidelobe_deg, 90, color="tab:red")
        ax.set_title(f"{sol.frequencies[i] / 1e6:.6g} MHz", fontsize=9)
        ax.set_xlabel("theta off boresight (deg)")
        ax.set_ylim(-20, 22)
        ax.grid(alpha=0.3)
    axes[0][0].set_ylabel("gain (dBic)")
    axes[0][0].legend(fontsize=7, loc="lower left")
    fig.tight_layout()
    return fig


def plot_axial_ratio(problem: Any, sol: Any) -> Any:
    """Worst axial ratio over phi against theta, one line per band edge."""
    import matplotlib.pyplot as plt

    req = problem.requirements
    th, p = _cuts(problem, sol)
    fig, ax = plt.subplots(figsize=(5, 3.2))
    for i, f in enumerate(sol.frequencies):
        ax.plot(th, np.minimum(p["axial_ratio_db"][i].max(axis=1), 40.0), label=f"{f / 1e6:.6g} MHz")
    ax.hlines(req.axial_ratio_db, 0, req.fov_deg, color="tab:red", lw=2, label="limit (0-20 deg)")
    ax.set_xlabel("theta off boresight (deg)")
    ax.set_ylabel("axial ratio, worst over phi (dB)")
    ax.set_ylim(0, 20)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7)
    fig.tight_layout()
    return fig


def plot_vswr(problem: Any, swept: Any, x: Any = None) -> Any:
    """VSWR of every port (active: the others driven; through the helix's matching
    section) against frequency over both bands."""
    import matplotlib.pyplot as plt

    req = problem.requirements
    fig, ax = plt.subplots(figsize=(5, 3.2))
    v = np.minimum(problem.port(x, swept)[1], 100.0)
    for s in range(v.shape[1]):
        ax.plot(swept.frequencies / 1e6, v[:, s], label=f"port {s + 1}")
    for lo, hi in req.bands:
        ax.axvspan(lo / 1e6, hi / 1e6, color="tab:green", alpha=0.12)
    ax.axhline(req.vswr, color="tab:red", lw=1)
    ax.set_xlabel("frequency (MHz)")
    ax.set_ylabel(f"VSWR ({req.z0:g} ohm, active)")
    ax.set_ylim(1.0, min(max(3.0, float(v.min()) * 1.5), 100.0))
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7)
    fig.tight_layout()
    return fig


def _solve(problem: Any, x: Any) -> tuple[Any, Any, Any]:
    from gadesign_problems.antenna.st5 import blas_single_thread

    ant = problem.decode(x, refinement=problem.refinement)
    with blas_single_thread():
        return ant, ant.solve(band_edges(problem)), ant.solve(problem.sweep_frequencies())


def tdrs_figures(problem: Any, x: Any) -> list[tuple[str, Any]]:
    """[(title, Figure)] for ``gadesign report``."""
    _, sol, swept = _solve(problem, x)
    return [("gain against theta at each band edge (limits in red)", plot_gain(problem, sol)),
            ("axial ratio against theta", plot_axial_ratio(problem, sol)),
            ("VSWR against frequency over both bands", plot_vswr(problem, swept, x))]


def export_tdrs(problem: Any, x: Any, directory: Path, stem: str) -> list[Path]:
    """Write the deck, Touchstone, pattern CSV and the three figures of one design."""
    from gadesign_problems.antenna.network import one_port, write_network, write_touchstone
    from gadesign_problems.antenna.plots import save

    directory.mkdir(parents=True, exist_ok=True)
    ant, sol, swept = _solve(problem, x)
    paths = [problem.deck(x).to_nec(directory / f"{stem}.nec"),
             (write_touchstone(swept, directory / f"{stem}.s{len(ant.sources)}p", z0=problem.requirements.z0)
              if problem.network is None else
              write_network(one_port(problem.port(x, swept)[0][:, 0], swept.frequencies, problem.requirements.z0, stem),
                            directory / f"{stem}.s1p"))]
    th, ph = problem.requirements.directions(5.0, 5.0)
    paths.append(atomic_write_text(directory / f"{stem}-pattern.csv", pattern_csv(sol, th, ph)))
    for name, fig in zip(("gain", "ar", "vswr"), (plot_gain(problem, sol), plot_axial_ratio(problem, sol),
                                                 plot_vswr(problem, swept, x))):
        paths.append(save(fig, directory / f"{stem}-{name}.png", dpi=80))
    return paths
