"""Report pictures of a truss design (``report_figures`` hook of the truss problems).

One figure: the designed truss (absent members left out, line width proportional to the
cross-section area) coloured by the signed stress ratio of load case 1 (tension > 0,
compression < 0, |ratio| > 1 overstressed), with the deformed shape and the loads.
"""

from __future__ import annotations

from typing import Any

from gadesign.problem import Evaluation


def truss_figures(problem: Any, x: Any, evaluation: Evaluation) -> list[tuple[str, Any]]:
    """[(title, matplotlib Figure)] of one design; none for a design with no analysis."""
    from gadesign_problems.truss.errors import TrussError
    from gadesign_problems.truss.plots import plot_truss

    if evaluation.info.get("failed"):
        return []
    try:
        designed = problem.decode(x)
        analysis = designed.analyze()
    except (TrussError, ValueError, ArithmeticError):  # every member absent, a mechanism: no drawing
        return []
    ax = plot_truss(designed, analysis=analysis)
    return [("truss: members coloured by stress ratio (load case 1), width by area", ax.figure)]
