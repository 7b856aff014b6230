"""``gadesign truss ...``: analyse a truss file, write a ground structure.

Mounted by the engine's CLI through the ``gadesign.commands`` entry point. Errors are
:class:`~gadesign_problems.truss.errors.TrussError` (a :class:`GadesignError`), which the engine
prints as one red line with exit code 2.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Optional

import typer

app = typer.Typer(help="Pin-jointed trusses: direct-stiffness analysis and ground structures.",
                  no_args_is_help=True)


def _parse_floats(text: str, what: str) -> list[float]:
    from gadesign_problems.truss.errors import TrussError

    try:
        return [float(v) for v in text.replace(";", ",").split(",") if v.strip()]
    except ValueError:
        raise TrussError(f"{what}: expected comma-separated numbers, got {text!r}") from None


@app.command()
def analyze(
    truss_file: Path = typer.Argument(..., help="Truss JSON file (SCHEMA v1; units as stated in the file)."),
    areas: Optional[str] = typer.Option(None, "--areas", help="Member areas a1,a2,... (one per group or per "
                                        "member); default: the file's 'areas', else its first 'best_known'."),
    as_json: bool = typer.Option(False, "--json", help="Print the results as JSON (the file's units)."),
    plot: Optional[str] = typer.Option(None, "--plot", metavar="FILE", help="Draw the truss (width ~ area, colour = stress "
                                        "ratio, deformed shape) to this image file."),
    case: int = typer.Option(0, "--case", help="Load case (0-based) drawn by --plot."),
) -> None:
    """Displacements, member forces, stresses, stress ratios and weight of a truss."""
    from gadesign_problems.truss.errors import TrussError
    from gadesign_problems.truss.structure import Truss

    from gadesign.paths import check_output_file, output_guard

    from gadesign.paths import check_input_file

    plot = check_output_file(plot, "--plot", figure=True) if plot is not None else None
    truss = Truss.from_json(check_input_file(truss_file, "truss file"))
    x = truss.default_areas() if areas is None else truss.member_areas(_parse_floats(areas, "--areas"), "--areas")
    if not 0 <= case < len(truss.load_cases):  # checked even without --plot: a wrong option is never ignored
        raise TrussError(f"--case {case}: the truss has {len(truss.load_cases)} load case(s)")
    analysis = truss.analyze(x)
    _check_finite(analysis)
    if plot is not None:
        from gadesign_problems.truss.plots import plot_truss, save_figure

        ax = plot_truss(truss, analysis=analysis, case=case)
        with output_guard(plot, "--plot"):
            save_figure(ax.figure, plot)
    if as_json:
        typer.echo(json.dumps(analysis.to_dict(), allow_nan=False))
        return
    _print_analysis(analysis, plot)


def _check_finite(analysis) -> None:
    """Refuse results that left double precision (loads of 1e300, say): they were printed
    as inf and made --json an internal error."""
    import numpy as np

    from gadesign_problems.truss.errors import TrussError

    for k, c in enumerate(analysis.cases):
        values = (c.displacements, c.forces, c.stresses, c.reactions, [c.compliance], [analysis.weight])
        if not all(np.isfinite(np.asarray(v, dtype=float)).all() for v in values):
            raise TrussError(f"load case {k} ({c.name!r}): the results are not finite numbers (loads, lengths or "
                             "areas too large or small for double precision): rescale the file's units")


def _print_analysis(analysis, plot: Optional[Path]) -> None:
    import numpy as np
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    t = analysis.truss
    u = t.units
    unit = (lambda key: f" [{u[key]}]" if u.get(key) else "")  # a unit the file does not state is left out
    console = Console()
    console.print(f"[bold]{escape(t.name or 'truss')}[/bold]: {t.n_nodes} nodes, {t.n_members} members, "
                  f"{len(t.load_cases)} load case(s), {t.dim}D")
    console.print(escape(f"weight {analysis.weight:.6g}{unit('weight').replace('[', '').replace(']', '')}; max stress ratio "
                         f"{analysis.max_stress_ratio:.4f}; max displacement ratio "
                         f"{analysis.max_displacement_ratio:.4f}"))
    console.print("units: " + ", ".join(f"{k} {v}" for k, v in u.items()), markup=False)
    console.print("numbering: nodes and members are the file's 0-based indices"
                  + (" (the file's own labels in brackets)" if t.node_labels or t.member_labels else ""),
                  markup=False)
    ratios = analysis.stress_ratios()
    node = (lambda i: f"{i} [{t.node_labels[i]}]") if t.node_labels else str
    reached = np.zeros(t.n_nodes, bool)
    reached[t.members[analysis.areas > 0].ravel()] = True
    if not reached.all():  # a free node (or one of a removed member) is left out, not a mechanism
        idle = np.flatnonzero(~reached)
        console.print(escape(f"note: node{'s' if len(idle) > 1 else ''} "
                             f"{', '.join(node(int(i)) for i in idle[:8])}{' ...' if len(idle) > 8 else ''} "
                             "joined by no member: not part of the analysis (displacements shown as 0)"))
    extent = float(np.ptp(t.nodes, axis=0).max())
    length = f" {u['length']}" if u.get("length") else ""
    for c in analysis.cases:  # a near-mechanism (a shallow V of two bars) solves, but nonsensically
        umax = float(np.abs(c.displacements).max())
        if extent > 0 and umax > 0.1 * extent:
            console.print(escape(f"note: load case {c.name!r} moves a node by {umax:.4g}{length}, "
                                 f"{umax / extent:.3g} x the truss's size ({extent:.4g}{length}): far beyond small-displacement "
                                 "theory (a nearly unstable or far too flexible truss); the linear results are not "
                                 "the structure's response"))
            break
    member = (lambda e: f"{e} [{t.member_labels[e]}]") if t.member_labels else str
    for k, c in enumerate(analysis.cases):
        tab = Table(title=escape(f"{c.name}: members (tension +)"), show_lines=False)
        for col in ("member", "nodes", f"area{unit('area')}", f"force{unit('force')}",
                    f"stress{unit('stress')}", "stress ratio"):
            tab.add_column(escape(col), justify="right")
        for e in range(t.n_members):
            tab.add_row(escape(member(e)), escape(f"{node(t.members[e, 0])}-{node(t.members[e, 1])}"),
                        f"{analysis.areas[e]:.5g}",
                        f"{c.forces[e]:.6g}", f"{c.stresses[e]:.6g}", f"{ratios[k, e]:.4f}")
        console.print(tab)
        nt = Table(title=escape(f"{c.name}: nodes, displacements{unit('length')}, reactions{unit('force')}"))
        nt.add_column("node", justify="right")
        for ax in "xyz"[:t.dim]:
            nt.add_column(f"u{ax}", justify="right")
        for ax in "xyz"[:t.dim]:
            nt.add_column(f"R{ax}", justify="right")
        for i in range(t.n_nodes):
            nt.add_row(escape(node(i)), *(f"{v:.6g}" for v in c.displacements[i]), *(f"{v:.6g}" for v in c.reactions[i]))
        console.print(nt)
        console.print(f"compliance F.u = {c.compliance:.6g}")
    if plot is not None:
        console.print(escape(f"drawing written to {plot}"))


def _grid_point(text: str, dim: int, what: str) -> tuple[int, ...]:
    from gadesign_problems.truss.errors import TrussError

    try:
        point = tuple(int(v) for v in text.split(","))
    except ValueError:
        raise TrussError(f"{what}: grid point must be integers i,j[,k], got {text!r}") from None
    if len(point) != dim:
        raise TrussError(f"{what}: grid point {text!r} needs {dim} indices")
    return point


@app.command()
def ground(
    nx: int = typer.Option(..., "--nx", help="Nodes along x (>= 2)."),
    ny: int = typer.Option(..., "--ny", help="Nodes along y (>= 2)."),
    nz: Optional[int] = typer.Option(None, "--nz", help="Nodes along z (>= 2) for a 3D box; omit for 2D."),
    width: float = typer.Option(1.0, "--width", help="Box length along x (length units)."),
    height: float = typer.Option(1.0, "--height", help="Box length along y (length units)."),
    depth: Optional[float] = typer.Option(None, "--depth", help="Box length along z (3D only; default 1.0)."),
    reach: float = typer.Option(1.5, "--reach", help="Connect node pairs at most this many grid steps apart "
                                "(Euclidean); overlapping collinear members are removed."),
    support: list[str] = typer.Option([], "--support", help="Support 'i,j[,k]:DOFS' with DOFS among x,y,z "
                                      "(e.g. '0,0:xy'); repeat for more."),
    load: list[str] = typer.Option([], "--load", help="Load 'i,j[,k]:fx,fy[,fz]' (force units) in load case "
                                   "LC1; repeat for more."),
    E: float = typer.Option(1.0e4, "--E", help="Young's modulus (stress units)."),
    density: float = typer.Option(0.1, "--density", help="Weight density (weight per length^3)."),
    stress: Optional[float] = typer.Option(25.0, "--stress", help="Allowable |stress| in tension and compression."),
    disp: Optional[float] = typer.Option(None, "--disp", help="Displacement limit on every free dof."),
    area_min: float = typer.Option(0.01, "--area-min", help="Smallest area of a present member (> 0)."),
    area_max: float = typer.Option(10.0, "--area-max", help="Largest member area."),
    output: Optional[str] = typer.Option(None, "--output", "-o", metavar="FILE",
                                         help="Write the JSON here (default: stdout)."),
) -> None:
    """Write a ground-structure truss JSON: a grid with all members up to --reach."""
    from gadesign_problems.truss.errors import TrussError
    from gadesign_problems.truss.ground import ground_structure
    from gadesign_problems.truss.structure import AreaSpec

    from gadesign.limits import check_limit
    from gadesign.paths import check_output_file, output_guard

    target = check_output_file(output, "--output") if output is not None else None
    if not (math.isfinite(area_min) and area_min > 0):  # a present member needs a positive area
        raise TrussError(f"--area-min must be a finite number > 0, got {area_min}")
    if nz is None and depth is not None:
        raise TrussError("--depth is the box length along z of a 3D box: give --nz too")
    shape = (nx, ny) if nz is None else (nx, ny, nz)
    size = (width, height) if nz is None else (width, height, 1.0 if depth is None else depth)
    dim = len(shape)
    for n, opt in zip(shape, ("--nx", "--ny", "--nz")):
        if n < 2:
            raise TrussError(f"{opt} must be >= 2, got {n}")
    nodes = math.prod(shape)
    check_limit("GROUND_NODES", nodes, f"ground structure of {' x '.join(map(str, shape))} nodes", 2_500)
    if not (math.isfinite(reach) and reach >= 1):
        raise TrussError(f"--reach must be a finite number >= 1 grid step, got {reach}")
    # candidate members ~ nodes x (lattice points within the reach) / 2, counted before any is made
    ball = (math.pi if dim == 2 else 4 / 3 * math.pi) * reach ** dim
    pairs = min(nodes * (nodes - 1) / 2, nodes * ball / 2)
    check_limit("GROUND_MEMBERS", pairs, f"ground structure with --reach {reach:g} "
                f"(up to {pairs:,.0f} candidate members)", 200_000)
    sups = []
    for s in support:
        point, _, dofs = s.partition(":")
        if not dofs or any(ch not in "xyz"[:dim] for ch in dofs):
            raise TrussError(f"--support {s!r}: expected 'i,j{',k' if dim == 3 else ''}:DOFS' with DOFS "
                             f"among {'xyz'[:dim]}")
        sups.append((_grid_point(point, dim, "--support"), [ax in dofs for ax in "xyz"[:dim]]))
    loads = []
    for s in load:
        point, _, force = s.partition(":")
        vec = _parse_floats(force, "--load")
        if len(vec) != dim:
            raise TrussError(f"--load {s!r}: expected {dim} force components after ':'")
        loads.append((_grid_point(point, dim, "--load"), vec))
    truss = ground_structure(shape, size, reach, sups, loads, E=E, density=density, stress_limit=stress,
                             area=AreaSpec.continuous(area_min, area_max, removal_threshold=area_min),
                             displacement_limit=disp)
    _check_ground_stable(truss, area_max)
    if target is None:
        typer.echo(truss.to_json())
    else:
        with output_guard(target, "--output"):
            truss.to_json(target)
        typer.echo(f"{truss.n_nodes} nodes, {truss.n_members} members -> {target}", err=True)


def _check_ground_stable(truss, area_max: float) -> None:
    """Refuse a ground structure that is a mechanism even with every member present (too
    few supports, or a --reach below the diagonals); it used to be written, and every
    design drawn from it failed later ('mechanism' in analyze, 'infeasible' in layout)."""
    import numpy as np

    from gadesign_problems.truss.errors import UnstableTrussError

    try:
        truss.analyze(np.full(truss.n_members, float(area_max)))
    except UnstableTrussError as exc:
        hint = "" if len(truss.supported_nodes) > 1 else "; one supported node cannot stop rotation"
        raise UnstableTrussError(f"the ground structure is unstable with every member present: {exc} (add --support "
                         f"constraints, or a --reach of at least 1.5 for the diagonals{hint})") from None


@app.command()
def front(
    run_dir: Path = typer.Argument(..., help="Run directory of a truss problem (with config.json and front.json)."),
    picks: int = typer.Option(3, "--picks", help="How many designs to draw beside the front (spread by weight)."),
    out: Optional[str] = typer.Option(None, "--out", metavar="FILE",
                                      help="Image file (default RUN_DIR/plots/truss-front.png)."),
) -> None:
    """Draw a run's weight-compliance front with small drawings of chosen designs."""
    import numpy as np

    from gadesign.registry import make_problem
    from gadesign.run import problem_params
    from gadesign.runstore import RunStore
    from gadesign_problems.truss.errors import TrussError
    from gadesign_problems.truss.plots import plot_front, save_figure

    from gadesign.paths import check_output_file, output_guard

    if picks < 0:
        raise TrussError(f"--picks must be >= 0, got {picks}")
    target = check_output_file(out, "--out", figure=True) if out is not None else run_dir / "plots" / "truss-front.png"
    store = RunStore(run_dir)
    config, doc = store.read_config(), store.read_front()
    if out is None:
        store.check_layout()
    problem = make_problem(config["problem"], problem_params(run_dir, config))
    if not hasattr(problem, "member_areas") or not hasattr(problem, "truss"):
        raise TrussError(f"{run_dir}: problem {config['problem']!r} is not a truss problem")
    members = [m for m in doc["members"] if not m.get("info", {}).get("failed")]
    if not members:
        raise TrussError(f"{run_dir}: the front has no analysable design")
    designs = [problem.member_areas(problem.genome.from_json(m["genome"])) for m in members]
    weights = np.array([m["objectives"][0] for m in members])
    comps = np.array([m["objectives"][1] if len(m["objectives"]) > 1 else m["info"].get("compliance", np.nan)
                      for m in members])
    order = np.argsort(weights)
    k = max(0, min(picks, len(order)))
    chosen = [int(order[i]) for i in np.unique(np.linspace(0, len(order) - 1, k).round().astype(int))] if k else []
    ax = plot_front(weights, comps, problem.truss, designs, picks=chosen)
    with output_guard(target, "--out"):
        save_figure(ax.figure, target)
    typer.echo(f"{len(members)} designs, {len(chosen)} drawn -> {target}")


@app.command()
def refine(
    run_dir: Path = typer.Argument(..., help="Run directory of a single-objective truss problem."),
    k: int = typer.Option(3, "--best", help="Refine this many of the front's best designs."),
    max_iter: int = typer.Option(200, "--max-iter", help="SLSQP iterations per design."),
) -> None:
    """Polish a run's best designs by SLSQP on their areas; writes RUN_DIR/refined.json
    and the designs to RUN_DIR/designs/refined-NNN.*."""
    from gadesign.atomic import atomic_write_json
    from gadesign.problem import Evaluation
    from gadesign.refine import refine_front
    from gadesign.registry import make_problem
    from gadesign.run import problem_params
    from gadesign.runstore import RunStore
    from gadesign_problems.truss.errors import TrussError

    # checked first: --best 0 or -3 refined nothing and overwrote refined.json with no
    # members, --max-iter 0 ran SLSQP anyway (exit 0 both)
    if k < 1:
        raise TrussError(f"--best must be at least 1, got {k}")
    if max_iter < 1:
        raise TrussError(f"--max-iter must be at least 1, got {max_iter}")
    store = RunStore(run_dir)
    config, doc = store.read_config(), store.read_front()
    problem = make_problem(config["problem"], problem_params(run_dir, config))
    if len(problem.objectives) != 1 or not hasattr(problem, "truss"):
        raise TrussError(f"{run_dir}: refinement needs a single-objective truss problem")
    front = [(problem.genome.from_json(m["genome"]),
              Evaluation(tuple(m["objectives"]), tuple(m["violations"]), m.get("info", {}))) for m in doc["members"]]
    try:
        results = refine_front(problem, front, k=k, max_iter=max_iter)
    except ValueError as exc:
        raise TrussError(f"{run_dir}: {exc}") from None
    rows = []
    for i, r in enumerate(results):
        e = r.evaluation
        rows.append({"genome": problem.genome.to_json(r.x), "objectives": list(e.objectives),
                     "violations": list(e.violations), "feasible": e.feasible, "evaluations": r.evaluations,
                     "info": e.info})
        if hasattr(problem, "export"):
            problem.export(r.x, e, run_dir / "designs", f"refined-{i:03d}")
        typer.echo(f"refined {i}: {problem.objectives[0].name} {e.objectives[0]:.6g} "
                   f"{problem.objectives[0].unit} ({'feasible' if e.feasible else 'infeasible'}, "
                   f"{r.evaluations} evaluations)")
    atomic_write_json(run_dir / "refined.json", {"schema": 1, "problem": config["problem"], "members": rows})


@app.command()
def layout(
    truss_file: Path = typer.Argument(..., help="Ground-structure truss JSON (e.g. from `gadesign truss ground`)."),
    case: int = typer.Option(0, "--case", help="Load case (0-based) to design for."),
    output: Optional[str] = typer.Option(None, "--output", "-o", metavar="FILE", help="Write the stable layout (members in use, "
                                          "with their areas) as a truss JSON here."),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
) -> None:
    """Minimum-weight layout by linear programming (plastic design, HiGHS): exact for one
    load case and stress limits only; a lower bound otherwise."""
    from gadesign_problems.truss.layout import minimum_weight_layout, seed_design
    from gadesign_problems.truss.errors import TrussError
    from gadesign_problems.truss.structure import Truss

    from gadesign.paths import check_input_file, check_output_file, output_guard

    target = check_output_file(output, "--output") if output is not None else None
    if target is not None and target.resolve() == Path(truss_file).resolve():
        raise TrussError(f"{target}: the output would overwrite the input truss file; choose another name")
    truss = Truss.from_json(check_input_file(truss_file, "truss file"))
    if not 0 <= case < len(truss.load_cases):
        raise TrussError(f"--case {case}: the truss has {len(truss.load_cases)} load case(s)")
    from dataclasses import replace

    # the layout is designed for load case --case alone: made stable and analysed under it
    # alone (under every case, a node loaded only in another case that the layout leaves out
    # stopped the command with "load on node 5 that no member reaches", and other cases'
    # ratios were printed; and the stabilising step, which analysed every case, met that
    # load first and gave up, so a layout with an idle joint - the top of a Pratt girder's
    # zero-force vertical - was refused as a mechanism)
    one_case = replace(truss, load_cases=(truss.load_cases[case],))
    result = minimum_weight_layout(one_case, 0)
    design = seed_design(one_case, result)
    areas = design["areas"] * design["present"]
    from gadesign_problems.truss.errors import UnstableTrussError

    try:
        analysis = one_case.analyze(areas)
    except UnstableTrussError as exc:  # was the bare mechanism message, as if the file were wrong
        raise TrussError(f"the LP layout for load case {case} ({truss.load_cases[case].name!r}) uses "
                         f"{int((areas > 0).sum())} of {truss.n_members} members and no member between its own "
                         f"joints makes it stable ({exc}); the members it leaves out are needed for stability "
                         "(a support reached only through them)") from None
    why = [reason for reason, present in (
        ("more than one load case", len(truss.load_cases) > 1), ("displacement limits", bool(truss.displacement_limits)),
        ("buckling", truss.has_buckling), ("self-weight", truss.self_weight is not None),
        ("support settlement", truss.prescribed is not None)) if present]
    exact = not why
    report = {"lp_weight": result.weight, "units": truss.units.get("weight", ""), "load_case": truss.load_cases[case].name,
              "exact": exact, "members_in_layout": int((areas > 0).sum()),
              "stable_weight": analysis.weight, "gap_percent": 100 * (analysis.weight - result.weight) / result.weight,
              "max_stress_ratio": analysis.max_stress_ratio, "max_displacement_ratio": analysis.max_displacement_ratio}
    if output is not None:
        keep = areas > 0
        designed = replace(truss, areas=None, groups=()).subset(keep)
        with output_guard(target, "--output"):
            replace(designed, areas=areas[keep], name=f"LP layout of {truss.name or truss_file.name}").to_json(target)
    if as_json:
        typer.echo(json.dumps(report))
        return
    which = f"load case {report['load_case']}; " if len(truss.load_cases) > 1 else ""
    typer.echo(f"LP minimum weight {result.weight:.6g} {report['units']} "
               f"({which}{'exact optimum' if exact else 'lower bound: ' + ', '.join(why)})")
    typer.echo(f"stable layout: {report['members_in_layout']} of {truss.n_members} members, weight "
               f"{analysis.weight:.6g} ({report['gap_percent']:+.3f} % over the LP: minimum areas and the "
               f"light members that make it stable), max stress ratio {analysis.max_stress_ratio:.4f} "
               f"under load case {report['load_case']}")
    if output is not None:
        typer.echo(f"layout written to {output}")
