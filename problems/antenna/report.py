"""Report pictures of an antenna design (``report_figures`` hook of the antenna problems).

Three figures from one solve of the decoded antenna: the wire geometry coloured by
current magnitude (A) at the last design frequency, the elevation and azimuth pattern
cuts (dBi) at that frequency, and VSWR against frequency over the problem's sweep with
the requirement marks. Reuses :mod:`gadesign_problems.antenna.plots` and the plots of
:mod:`gadesign_problems.antenna.export`.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from gadesign.problem import Evaluation


def antenna_figures(problem: Any, x: Any, evaluation: Evaluation, *, sweep: Sequence[float],
                    frequencies: Sequence[float], z0: float = 50.0,
                    vswr_marks: Sequence[tuple[float, float]] = ()) -> list[tuple[str, Any]]:
    """[(title, Figure)]: geometry with currents, pattern cuts, VSWR sweep."""
    from gadesign_problems.antenna.export import plot_vswr
    from gadesign_problems.antenna.plots import plot_cuts, plot_geometry
    from gadesign_problems.antenna.st5 import blas_single_thread

    if evaluation.info.get("failed"):
        return []
    ant = problem.decode(x)
    with blas_single_thread():
        sol = ant.solve(list(frequencies))
        swept = ant.solve(np.asarray(sweep, dtype=float))
    last = len(sol.frequencies) - 1
    mhz = f"{sol.frequencies[last] / 1e6:.6g} MHz"
    geometry = plot_geometry(ant, sol, freq_index=last)
    fig_geometry = geometry.figure if hasattr(geometry, "figure") else geometry
    fig_cuts = plot_cuts(sol, last)
    return [(f"geometry, current magnitude at {mhz}", fig_geometry),
            (f"radiation pattern: elevation and azimuth cuts at {mhz}", fig_cuts),
            (f"VSWR ({z0:g} ohm) against frequency", plot_vswr(swept, z0, vswr_marks))]
