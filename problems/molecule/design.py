"""The ``molecule-design`` problem: drug-like, easy-to-make molecules by a graph GA.

Objectives: QED (max, 0..1) and synthetic accessibility (SA score, min, 1..10), see
:mod:`gadesign_problems.molecule.properties`; optionally the Tanimoto similarity of Morgan
fingerprints to a reference molecule (max, 0..1) as a third objective. Constraints
(optional, violations in the quantity's own units beyond its window, 0 inside): a logP
window, a molecular-weight window (violation in units of 100 g/mol) and no PAINS
substructure (violation = number of PAINS alerts). The genome is
:class:`~gadesign_problems.molecule.graph.MolGraph` (GB-GA operators); the initial
population is drawn from a SMILES file, by default the 5,000 NCI structures shipped with
RDKit. RDKit is imported only when a problem is built, so the core install (without the
``chem`` extra) can list problems.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any, Sequence

from gadesign.errors import ConfigError, GadesignError
from gadesign.problem import Evaluation, Objective

NEEDS_RDKIT = "{name} needs RDKit: pip install 'gadesign[chem]'"


def require_rdkit(name: str) -> None:
    """Raise a clear :class:`GadesignError` when RDKit is not installed."""
    try:
        import rdkit  # noqa: F401
    except ImportError:
        raise GadesignError(NEEDS_RDKIT.format(name=name)) from None


def _window(name: str, lo: float | None, hi: float | None) -> tuple[float, float] | None:
    if lo is None and hi is None:
        return None
    low = -math.inf if lo is None else float(lo)
    high = math.inf if hi is None else float(hi)
    if not low <= high:
        raise ConfigError(f"{name} window is empty: min {lo} > max {hi}")
    return (low, high)


def _outside(value: float, window: tuple[float, float] | None, scale: float = 1.0) -> float:
    if window is None:
        return 0.0
    return max(window[0] - value, value - window[1], 0.0) / scale


class MoleculeDesign:
    """Drug-like molecules by a graph GA: QED (max) and SA score (min)."""

    name = "molecule-design"
    description = "Drug-like molecules by a graph GA (GB-GA): QED max, synthetic accessibility min"
    defaults = {"algorithm": "nsga2", "pop": 100, "generations": 99}

    def __init__(self, pool: Sequence[str], reference: str | None = None,
                 logp_window: tuple[float, float] | None = None, mw_window: tuple[float, float] | None = None,
                 pains: bool = False, min_atoms: int = 6, max_atoms: int = 50) -> None:
        from gadesign_problems.molecule.graph import MolGraph, canonical

        self.genome = MolGraph(pool, min_atoms=min_atoms, max_atoms=max_atoms)
        self.reference = None
        if reference:
            self.reference = canonical(reference)
            if self.reference is None:
                raise ConfigError(f"reference {reference!r} is not a SMILES RDKit can read")
        objectives = [Objective("qed", "max"), Objective("sa_score", "min")]
        ref_point = [0.0, 10.0]
        if self.reference:
            objectives.append(Objective("similarity", "max"))
            ref_point.append(0.0)
        self.objectives = tuple(objectives)
        self.reference_point = tuple(ref_point)
        self.logp_window, self.mw_window, self.pains = logp_window, mw_window, bool(pains)
        constraints = []
        if logp_window is not None:
            constraints.append("logp_window")
        if mw_window is not None:
            constraints.append("mw_window")
        if self.pains:
            constraints.append("pains")
        self.constraints = tuple(constraints)

    def decode(self, x: str) -> Any:
        """The RDKit molecule of a genome."""
        from rdkit import Chem
        return Chem.MolFromSmiles(x)

    def evaluate(self, x: str) -> Evaluation:
        from gadesign_problems.molecule import properties as P

        mol = self.decode(x)
        if mol is None:
            return Evaluation.failed(len(self.objectives), len(self.constraints), f"unreadable SMILES {x!r}")
        q, sa = P.qed(mol), P.sa_score(mol)
        lp, mw = P.logp(mol), P.molecular_weight(mol)
        info: dict[str, Any] = {"smiles": x, "qed": q, "sa_score": sa, "logp": lp, "mw": mw}
        objectives = [q, sa]
        if self.reference:
            sim = P.tanimoto(P.fingerprint(mol), P.fingerprint(self.decode(self.reference)))
            objectives.append(sim)
            info["similarity"] = sim
        violations = []
        if self.logp_window is not None:
            violations.append(_outside(lp, self.logp_window))
        if self.mw_window is not None:
            violations.append(_outside(mw, self.mw_window, 100.0))
        if self.pains:
            alerts = P.pains_alerts(mol)
            violations.append(float(len(alerts)))
            info["pains"] = alerts
        return Evaluation(tuple(objectives), tuple(violations), info)

    def summary(self, x: str, evaluation: Evaluation) -> dict[str, object]:
        info = evaluation.info
        return {"smiles": x, "logp": round(float(info.get("logp", 0.0)), 2),
                "mw": round(float(info.get("mw", 0.0)), 1)}

    def report_figures(self, x: str, evaluation: Evaluation) -> list[tuple[str, Any]]:
        """Pictures for ``gadesign report``: the structure drawn by RDKit."""
        from gadesign_problems.molecule.report import structure_figures

        return structure_figures(self, x, evaluation)

    def export(self, x: str, evaluation: Evaluation, directory: Path, stem: str) -> list[Path]:
        """The molecule as an SDF record (2D coordinates, values as properties) and a PNG."""
        from gadesign_problems.molecule.drawing import write_png, write_sdf

        values = {o.name: v for o, v in zip(self.objectives, evaluation.objectives)}
        sdf = write_sdf(directory / f"{stem}.sdf", [(x, {"name": stem, **values})])
        png = write_png(directory / f"{stem}.png", x, ", ".join(f"{k} {v:.3f}" for k, v in values.items()))
        return [sdf, png]


def molecule_design(smiles_file: str = "", reference: str = "", logp_min: float | None = None,
                    logp_max: float | None = None, mw_min: float | None = None, mw_max: float | None = None,
                    pains: bool = False, min_atoms: int = 6, max_atoms: int = 50) -> MoleculeDesign:
    """Drug-like molecules by a graph GA (GB-GA): QED max, synthetic accessibility min.

    ``smiles_file``: SMILES file the initial population is drawn from (default: RDKit's NCI first 5K).
    ``reference``: a SMILES; Morgan-fingerprint similarity to it becomes a third objective (max).
    ``logp_min``, ``logp_max``: Crippen logP window, a constraint.
    ``mw_min``, ``mw_max``: molecular-weight window in g/mol, a constraint.
    ``pains``: True to forbid PAINS substructures (a constraint).
    ``min_atoms``, ``max_atoms``: heavy atoms every molecule must have.
    """
    require_rdkit("molecule-design")
    from gadesign_problems.molecule.graph import default_smiles_file, load_smiles

    path = Path(smiles_file) if smiles_file else default_smiles_file()
    if not path.is_file():
        raise ConfigError(f"smiles_file {path}: no such file")
    try:
        pool = load_smiles(path)
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"smiles_file {path}: cannot read it ({exc})") from None
    if not pool:
        raise ConfigError(f"smiles_file {path}: no SMILES in it")
    if not 1 <= min_atoms <= max_atoms:
        raise ConfigError(f"need 1 <= min_atoms <= max_atoms, got {min_atoms}, {max_atoms}")
    if mw_max is not None and not float(mw_max) > 0:     # no molecule weighs <= 0: a run with no feasible design
        raise ConfigError(f"mw_max must be a positive molecular weight (g/mol), got {mw_max}")
    heaviest = max_atoms * 131.0     # every heavy atom an iodine (126.9) with three hydrogens: an upper bound
    if mw_min is not None and float(mw_min) > heaviest:
        raise ConfigError(f"mw_min {mw_min:g} g/mol: no molecule of at most max_atoms={max_atoms} heavy atoms weighs "
                          f"that much (at most about {heaviest:g}); raise max_atoms or lower mw_min")
    return MoleculeDesign(pool, reference=reference or None, logp_window=_window("logP", logp_min, logp_max),
                          mw_window=_window("molecular weight", mw_min, mw_max), pains=pains,
                          min_atoms=min_atoms, max_atoms=max_atoms)


molecule_design.input_files = ("smiles_file",)  # type: ignore[attr-defined]  # copied into the run directory
