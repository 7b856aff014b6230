"""Truss design problems for the engine: the classic benchmarks and ground structures.

Sizing (``truss-10bar``, ``truss-25bar``, ``truss-72bar``, and ``truss-sizing`` for any
truss file, one variable per member group): minimise the weight
sum(density L A) subject to stress ratios <= 1 (tension and compression allowables,
per member) and displacement ratios <= 1, for every load case. Topology
(``truss-10bar-topology``, ``truss-ground``): members may also be absent.

Constraints reported to the engine: ``stress`` and ``displacement``, each the sum over
members (nodes) and load cases of max(0, ratio - 1 - tolerance); a design is feasible
when all ratios are <= 1 + tolerance (default 1e-6). A degenerate design (mechanism,
part detached from the supports, load on a node no member reaches) is an infeasible
evaluation with ``info["reason"]``: the FEM returns such failures instead of raising.
Evaluation is vectorised (``evaluate_many``): one batched dense solve per population.
"""

from __future__ import annotations

import json
from dataclasses import replace
from importlib import resources
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from gadesign.atomic import atomic_write_json
from gadesign.errors import ConfigError
from gadesign.evaluation import invalid_design
from gadesign.problem import Evaluation, Objective
from gadesign_problems.truss.fem import DENSE_MAX_DOFS, StiffnessModel, displacement_ratios, stress_ratios
from gadesign_problems.truss.genome import discrete_values, sizing_genome, topology_genome
from gadesign_problems.truss.structure import Buckling, Group, Truss


def benchmark_path(name: str) -> Path:
    """Path of a packaged benchmark definition (``tenbar.json``, ...)."""
    return Path(str(resources.files("gadesign_problems.truss").joinpath("data", name)))


def load_benchmark(name: str) -> Truss:
    return Truss.from_json(benchmark_path(name))


class TrussProblem:
    """Minimise weight (and optionally compliance) of a truss under stress and
    displacement limits, over sizing or topology + sizing genomes."""

    def __init__(self, name: str, truss: Truss, *, catalogue: str = "continuous", topology: bool = False,
                 objectives: str = "weight", tolerance: float = 1e-6, defaults: dict[str, Any] | None = None,
                 description: str = "", target: dict[str, Any] | None = None,
                 seeds: list[dict[str, Any]] | None = None, lp_weight: float | None = None) -> None:
        if catalogue not in ("continuous", "discrete"):
            raise ConfigError(f"catalogue must be 'continuous' or 'discrete', got {catalogue!r}")
        if objectives not in ("weight", "weight-compliance"):
            raise ConfigError(f"objectives must be 'weight' or 'weight-compliance', got {objectives!r}")
        if not tolerance >= 0:
            raise ConfigError("tolerance must be >= 0")
        self.name = name
        self.truss = truss
        self.catalogue = catalogue
        self.topology = topology
        self.tolerance = float(tolerance)
        self.description = description or truss.name
        self.target = target
        wu = truss.units.get("weight", "")
        objs = [Objective("weight", "min", wu)]
        if objectives == "weight-compliance":
            objs.append(Objective("compliance", "min", f"{truss.units.get('force', '')}*{truss.units.get('length', '')}"))
        self.objectives = tuple(objs)
        self.constraints = ("stress", "displacement")
        if (truss.group_index < 0).any():
            raise ConfigError(f"{name}: every member must belong to a design-variable group")
        self.values = discrete_values(truss) if catalogue == "discrete" else None
        if topology:
            threshold = (truss.area.removal_threshold if truss.area is not None else None) or 0.0
            lower = max(threshold, truss.area.lower if truss.area is not None else 0.0)
            self.genome = topology_genome(truss, catalogue, lower, seeds)
        else:
            self.genome = sizing_genome(truss, catalogue)
        self.defaults = dict(defaults or {})
        self.model = StiffnessModel(truss)
        #: the plastic-design LP optimum (a lower bound on any stress-feasible design's
        #: weight), when the problem has one load case and stress limits only
        self.lp_weight = lp_weight

    # -- decoding ------------------------------------------------------------------------
    def _group_areas(self, sizes: np.ndarray) -> np.ndarray:
        if self.values is not None:
            return self.values[np.asarray(sizes, dtype=np.int64)]
        return np.asarray(sizes, dtype=float)

    def member_areas_many(self, xs: Sequence[Any]) -> np.ndarray:
        """Member areas (P x M) of P genomes; absent members have area 0."""
        if self.topology:
            present = np.array([np.asarray(x["present"], bool) for x in xs])
            sizes = self._group_areas(np.array([x["areas"] for x in xs]))
            return np.where(present, sizes, 0.0)
        return self._group_areas(np.array(list(xs)))[:, self.truss.group_index]

    def member_areas(self, x: Any) -> np.ndarray:
        return self.member_areas_many([x])[0]

    def decode(self, x: Any) -> Truss:
        """The designed truss: absent members dropped, ``areas`` set."""
        areas = self.member_areas(x)
        keep = areas > 0
        designed = replace(self.truss, areas=None, groups=(), buckling_by_group={})
        designed = designed.subset(keep)
        if self.truss.buckling_by_group:  # per-group sections carried over member by member
            k = self.truss.buckling_k[keep]
            groups = tuple(Group(f"member {i}", (i,)) for i in range(len(k)))
            designed = replace(designed, groups=groups, buckling=None,
                               buckling_by_group={g.name: Buckling(float(v)) for g, v in zip(groups, k) if v > 0})
        return replace(designed, areas=areas[keep])

    # -- evaluation ----------------------------------------------------------------------
    def ratios_many(self, areas: np.ndarray) -> tuple[np.ndarray, np.ndarray, list, np.ndarray]:
        """Stress ratios (P x L x M), displacement ratios (P x L x K), failures and
        compliances (P) for member areas P x M."""
        sol = self.model.solve(areas)
        with np.errstate(divide="ignore", invalid="ignore"):
            stresses = np.where(areas[:, None, :] > 0, sol.forces / np.where(areas > 0, areas, 1.0)[:, None, :], 0.0)
        sr = stress_ratios(self.truss, areas[:, None, :], stresses)
        dr = displacement_ratios(self.truss, sol.displacements)
        loads = self.model.load_vectors(areas).transpose(0, 2, 1).reshape(sol.displacements.shape)
        compliance = np.einsum("plnd,plnd->p", loads, sol.displacements)
        return sr, dr, sol.failures, compliance

    def evaluate_many(self, xs: Sequence[Any]) -> list[Evaluation]:
        areas = self.member_areas_many(xs)
        sr, dr, failures, compliance = self.ratios_many(areas)
        # row-wise sum, not a matrix product: BLAS blocks a product by batch size, which
        # would change a design's weight in the last bit with the batch it came in; a
        # C-ordered array sums each row in the same order whatever the batch's size
        weights = (np.ascontiguousarray(areas) * (self.truss.density * self.truss.lengths)).sum(axis=1)
        slack = 1.0 + self.tolerance
        out = []
        n_obj, n_con = len(self.objectives), len(self.constraints)
        for p in range(len(xs)):
            if failures[p] is not None:  # a mechanism is an infeasible design, not a failed evaluation
                out.append(invalid_design(n_obj, n_con, f"{type(failures[p]).__name__}: {failures[p]}"))
                continue
            v_s = float(np.maximum(sr[p] - slack, 0.0).sum())
            v_d = float(np.maximum(dr[p] - slack, 0.0).sum())
            objs = (float(weights[p]),) if n_obj == 1 else (float(weights[p]), float(compliance[p]))
            out.append(Evaluation(objs, (v_s, v_d), {
                "max_stress_ratio": float(sr[p].max()) if sr[p].size else 0.0,
                "max_displacement_ratio": float(dr[p].max()) if dr[p].size else 0.0,
                "members": int((areas[p] > 0).sum()),
                "compliance": float(compliance[p]),
            }))
        return out

    def evaluate(self, x: Any) -> Evaluation:
        return self.evaluate_many([x])[0]

    def constraint_values_many(self, xs: Sequence[Any]) -> np.ndarray:
        """Signed, smooth constraint values g <= 0 (P x C): every stress and displacement
        ratio minus 1 (for gradient-based refinement); a failed design gives +1."""
        areas = self.member_areas_many(xs)
        sr, dr, failures, _ = self.ratios_many(areas)
        g = np.concatenate([sr.reshape(len(xs), -1), dr.reshape(len(xs), -1)], axis=1) - 1.0
        for p, f in enumerate(failures):
            if f is not None:
                g[p] = 1.0
        return g

    # -- reporting -------------------------------------------------------------------------
    def summary(self, x: Any, evaluation: Evaluation) -> dict[str, Any]:
        info = evaluation.info
        out = {"members": info.get("members"), "max_stress_ratio": info.get("max_stress_ratio"),
               "max_disp_ratio": info.get("max_displacement_ratio")}
        if info.get("reason"):
            out["reason"] = info["reason"]
        if self.lp_weight and evaluation.feasible:
            out["gap_to_LP_%"] = 100.0 * (evaluation.objectives[0] - self.lp_weight) / self.lp_weight
        return out

    def report_figures(self, x: Any, evaluation: Evaluation) -> list[tuple[str, Any]]:
        """Pictures for ``gadesign report``: the design coloured by stress ratio."""
        from gadesign_problems.truss.report import truss_figures

        return truss_figures(self, x, evaluation)

    def export(self, x: Any, evaluation: Evaluation, directory: Path, stem: str) -> list[Path]:
        """The designed truss as JSON (with its analysis) and a drawing."""
        from gadesign_problems.truss.plots import plot_truss, save_figure

        from gadesign_problems.truss.errors import TrussError

        directory = Path(directory)
        paths = [directory / f"{stem}.json"]
        try:
            designed = self.decode(x)
        except TrussError as exc:  # e.g. every member absent: the evaluation is all there is
            atomic_write_json(paths[0], {"error": str(exc), "evaluation": {
                "objectives": list(evaluation.objectives), "violations": list(evaluation.violations),
                "info": evaluation.info}})
            return paths
        data = designed.to_dict()
        data["evaluation"] = {"objectives": list(evaluation.objectives), "violations": list(evaluation.violations),
                              "info": evaluation.info}
        atomic_write_json(paths[0], data)
        if evaluation.info.get("failed"):
            return paths
        try:
            analysis = designed.analyze()
        except Exception:  # a design the FEM rejects is exported without a drawing
            return paths
        ax = plot_truss(designed, analysis=analysis)
        paths.append(directory / f"{stem}.png")
        save_figure(ax.figure, paths[1])
        return paths


# ----------------------------------------------------------------------------------------
# registered factories (entry points in pyproject.toml)
# ----------------------------------------------------------------------------------------
def _targets(truss: Truss, key: str) -> dict[str, Any] | None:
    return (truss.extra.get("targets") or {}).get(key)


def truss_10bar(catalogue: str = "continuous", tolerance: float = 1e-6) -> TrussProblem:
    """10-bar cantilever truss, minimum weight (continuous areas, or catalogue=discrete: 42 AISC sections).

    ``catalogue``: continuous (areas in the file's range) or discrete (42 AISC sections).
    ``tolerance``: relative slack on the stress and displacement limits (a ratio up to
    1 + tolerance counts as met).
    """
    truss = load_benchmark("tenbar.json")
    return TrussProblem("truss-10bar", truss, catalogue=catalogue, tolerance=tolerance,
                        defaults={"algorithm": "ga", "pop": 100, "generations": 300},
                        target=_targets(truss, catalogue))


def truss_10bar_topology(catalogue: str = "continuous", tolerance: float = 1e-6) -> TrussProblem:
    """10-bar ground structure, topology + sizing (Deb & Gulati 2001): members may vanish.

    ``catalogue``: continuous only (areas 0..35 in^2). ``tolerance``: relative slack on the stress and displacement limits (a ratio up to
    1 + tolerance counts as met).
    """
    truss = load_benchmark("tenbar_topology.json")
    if catalogue == "discrete":
        raise ConfigError("truss-10bar-topology: only the continuous catalogue is defined (areas 0..35 in^2)")
    return TrussProblem("truss-10bar-topology", truss, topology=True, tolerance=tolerance,
                        defaults={"algorithm": "ga", "pop": 100, "generations": 300},
                        target=_targets(truss, "topology"))


def truss_25bar(tolerance: float = 1e-6) -> TrussProblem:
    """25-bar space transmission tower, 2 load cases, 8 area groups, minimum weight.

    ``tolerance``: relative slack on the stress and displacement limits (a ratio up to
    1 + tolerance counts as met).
    """
    truss = load_benchmark("twentyfivebar.json")
    return TrussProblem("truss-25bar", truss, tolerance=tolerance,
                        defaults={"algorithm": "ga", "pop": 100, "generations": 300},
                        target=_targets(truss, "continuous"))


def truss_72bar(tolerance: float = 1e-6) -> TrussProblem:
    """72-bar 4-storey space truss, 2 load cases, 16 area groups, minimum weight.

    ``tolerance``: relative slack on the stress and displacement limits (a ratio up to
    1 + tolerance counts as met).
    """
    truss = load_benchmark("seventytwobar.json")
    return TrussProblem("truss-72bar", truss, tolerance=tolerance,
                        defaults={"algorithm": "ga", "pop": 100, "generations": 300},
                        target=_targets(truss, "continuous"))


#: Designs polished by SLSQP after the GA in ``truss-sizing`` (continuous areas): the GA
#: finds the basin, the gradient step closes the last few tenths of a percent.
SIZING_REFINE = 3
#: ... but only when it is affordable: its forward differences cost one analysis per
#: variable per SLSQP iteration (up to 200 iterations, 3 designs), so above this many
#: variables, or when an analysis takes the sparse one-design-at-a-time path, it is off by
#: default (--refine 3 still turns it on). A 935-variable tower spent hours there after a
#: one-minute GA, with nothing on the screen.
SIZING_REFINE_MAX_VARIABLES = 200


def truss_sizing(file: str = "", catalogue: str = "auto", tolerance: float = 1e-6) -> TrussProblem:
    """Size any truss file as written: one area per member group, the file's catalogue, all load cases.

    ``file``: the truss JSON (copied into the run directory). ``catalogue``: auto (the
    file's own), continuous (the file's area range) or discrete (its list of sections).
    ``tolerance``: relative slack on the stress and displacement limits (a ratio up to
    1 + tolerance counts as met). Continuous areas are polished by SLSQP after the GA
    (``--refine 3``) by default only up to 200 variables and 240 free dofs: above, its
    finite-difference gradients would take hours; ``--refine 3`` asks for it anyway.
    """
    if not file:
        raise ConfigError("truss-sizing needs --set file=TRUSS.json (a truss in the project's JSON format)")
    truss = Truss.from_json(file)
    if catalogue == "auto":
        catalogue = "discrete" if truss.area is not None and truss.area.kind == "discrete" else "continuous"
    _check_catalogue("truss-sizing", truss, file, catalogue)
    ungrouped = np.flatnonzero(truss.group_index < 0)
    if len(ungrouped):
        raise ConfigError(f"truss-sizing: {len(ungrouped)} member(s) in no group (first: members[{ungrouped[0]}]); "
                          "list every member in 'groups', or drop 'groups' for one variable per member")
    n_var = len(truss.groups)
    sparse = int((~truss.fixed).sum()) > DENSE_MAX_DOFS
    affordable = n_var <= SIZING_REFINE_MAX_VARIABLES and not sparse
    refine = SIZING_REFINE if catalogue == "continuous" and affordable else 0
    why = ""
    if catalogue == "continuous" and not affordable:
        why = (f"; no SLSQP polish by default ({n_var} variables"
               + (f", {int((~truss.fixed).sum())} free dofs" if sparse else "")
               + f": each gradient costs {n_var + 1} analyses; --refine 3 turns it on)")
    return TrussProblem("truss-sizing", truss, catalogue=catalogue, tolerance=tolerance,
                        defaults={"algorithm": "ga", "pop": 100, "generations": 300, "refine": refine},
                        description=f"{truss.name or Path(file).name}: {len(truss.groups)} groups, "
                                    f"{truss.n_members} members, {len(truss.load_cases)} load case(s){why}")


truss_sizing.input_files = ("file",)  # type: ignore[attr-defined]  # copied into the run directory


def _check_catalogue(problem: str, truss: Truss, file: str, catalogue: str, hint: str = "") -> None:
    """The file holds the kind of areas ``catalogue`` asks for: a continuous range or a
    discrete catalogue; otherwise a ConfigError naming the problem and the file."""
    if catalogue == "continuous" and (truss.area is None or truss.area.kind != "continuous"):
        raise ConfigError(f"{problem}: {Path(file).name} has no continuous 'area' range "
                          "({\"type\": \"continuous\", \"min\": ..., \"max\": ...})" + hint)
    if catalogue == "discrete":
        try:
            discrete_values(truss)
        except ValueError:
            raise ConfigError(f"{problem}: {Path(file).name} has no discrete catalogue of areas") from None


def truss_ground(file: str = "", mode: str = "pareto", catalogue: str = "continuous",
                 tolerance: float = 1e-6, method: str = "ga") -> TrussProblem:
    """Ground structure from --set file=F: weight-compliance front (mode=pareto) or least weight (mode=weight, method=ga|lp).

    mode=weight minimises the weight under the file's stress/displacement limits; with
    method=lp the GA starts from the plastic-design LP layout made stable (exact for one
    load case and stress limits only, refused otherwise).

    ``file``: the ground-structure JSON (``gadesign truss ground``; copied into the run
    directory). ``mode``: pareto (weight vs compliance) or weight (least weight under the
    limits). ``catalogue``: continuous or discrete. ``tolerance``: relative slack on the
    stress and displacement limits. ``method``: ga, or lp (start from the LP layout).
    """
    if not file:
        raise ConfigError("truss-ground needs --set file=GROUND.json (write one with `gadesign truss ground`)")
    truss = Truss.from_json(file)
    if mode not in ("pareto", "weight"):
        raise ConfigError(f"truss-ground: mode must be 'pareto' or 'weight', got {mode!r}")
    if method not in ("ga", "lp"):
        raise ConfigError(f"truss-ground: method must be 'ga' or 'lp', got {method!r}")
    lp_exact = (len(truss.load_cases) == 1 and not truss.displacement_limits and not truss.has_buckling
                and truss.self_weight is None and truss.prescribed is None
                and truss.tension_limit is not None and truss.compression_limit is not None)
    _check_catalogue("truss-ground", truss, file, catalogue, hint="; `gadesign truss ground` writes one")
    if method == "lp" and (mode != "weight" or not lp_exact or catalogue != "continuous"):
        raise ConfigError("truss-ground: method=lp needs mode=weight, continuous areas, one load case and "
                          "stress limits only, no buckling, self-weight or settlement (where the LP layout is the exact "
                          "optimum); use method=ga")
    if len(truss.groups) != truss.n_members:
        truss = replace(truss, groups=())
    if mode == "pareto":
        # weight vs compliance: stresses and displacements free, stability still required
        truss = replace(truss, tension_limit=None, compression_limit=None, displacement_limits=())
    n = truss.n_members
    pop = 100 if n <= 200 else 160
    seeds, lp_weight, generations = None, None, 200
    if mode == "weight" and lp_exact:
        from gadesign_problems.truss.layout import minimum_weight_layout, seed_design

        layout = minimum_weight_layout(truss)
        lp_weight = layout.weight
        if method == "lp":
            seeds, generations = [seed_design(truss, layout)], 100
    return TrussProblem("truss-ground", truss, catalogue=catalogue, topology=True, tolerance=tolerance,
                        objectives="weight-compliance" if mode == "pareto" else "weight",
                        defaults={"algorithm": "nsga2" if mode == "pareto" else "ga", "pop": pop,
                                  "generations": generations},
                        description=f"ground structure {Path(file).name}: {truss.n_members} members",
                        seeds=seeds, lp_weight=lp_weight)


truss_ground.input_files = ("file",)  # type: ignore[attr-defined]


def benchmark_targets() -> dict[str, Any]:
    """The published best-known weights the benchmarks are compared with (with sources)."""
    out = {}
    for name in ("tenbar.json", "tenbar_topology.json", "twentyfivebar.json", "seventytwobar.json"):
        out[name] = json.loads(benchmark_path(name).read_text())["targets"]
    return out
