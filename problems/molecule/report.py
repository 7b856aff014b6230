"""Report pictures of molecule designs (``report_figures`` hooks of the molecule problems).

* ``molecule-formula``: the candidate formula (Hill notation, monoisotopic mass, mass
  error, RDBE) over its isotope pattern, beside the measured pattern when there is one;
* ``molecule-design`` / ``molecule-isomers``: RDKit's 2D depiction of the structure.
"""

from __future__ import annotations

import io
from typing import Any

from gadesign.problem import Evaluation


def formula_figures(problem: Any, x: Any, evaluation: Evaluation) -> list[tuple[str, Any]]:
    """[(title, Figure)]: the isotope pattern of the candidate (as scored against the
    measured one when there is one, else the neutral formula's)."""
    from gadesign_problems.molecule.plots import plot_patterns

    formula = problem.decode(x)
    scored = problem.score(list(problem.complete([x])))
    pattern = scored.patterns[0] if scored.patterns is not None else formula.isotope_pattern()
    ppm = evaluation.info.get("ppm")
    text = f"{formula.hill}: RDBE {formula.rdbe:g}" + (f", {float(ppm):+.3g} ppm" if ppm is not None else "")
    fig = plot_patterns(problem.query.pattern, {formula.hill: pattern}, title=text)
    what = "against the measured pattern" if problem.query.pattern is not None else "(no measured pattern given)"
    return [(f"{formula.hill}: isotope pattern {what}", fig)]


def structure_figures(problem: Any, x: str, evaluation: Evaluation, size: tuple[int, int] = (420, 320)) -> list[tuple[str, Any]]:
    """[(title, Figure)]: RDKit's 2D depiction of the SMILES ``x`` with its objectives."""
    import matplotlib.pyplot as plt
    from rdkit.Chem import Draw

    from gadesign_problems.molecule.drawing import _mol2d

    try:
        mol = _mol2d(x)
    except ValueError:
        return []
    legend = ", ".join(f"{o.name} {v:.3f}" for o, v in zip(problem.objectives, evaluation.objectives))
    drawer = Draw.rdMolDraw2D.MolDraw2DCairo(*size)
    drawer.DrawMolecule(mol, legend=legend)
    drawer.FinishDrawing()
    image = plt.imread(io.BytesIO(drawer.GetDrawingText()), format="png")
    fig, ax = plt.subplots(figsize=(size[0] / 100, size[1] / 100))
    ax.imshow(image)
    ax.set_axis_off()
    return [(f"structure {x}", fig)]
