"""The ``gadesign`` command line (typer).

Engine commands: ``problems``, ``evolve``, ``resume``, ``show``, ``plot``, ``export``.
Plugins add their own sub-command groups (``gadesign antenna simulate ...``) through the
``gadesign.commands`` entry points. A user error (:class:`GadesignError`, a bad option)
is one red line on stderr and exit code 2; Ctrl-C is exit code 130; a traceback is shown
only with ``--debug``.
"""

from __future__ import annotations

import ast
import contextlib
import errno
import json
import os
import re
import signal
import sys
import threading
import time
from pathlib import Path
from typing import Any, Optional, Sequence


def _interrupted_while_starting(signum: int, frame: object) -> None:
    """Ctrl-C while the command line is still being imported (half a second): one line
    and exit 130, not a KeyboardInterrupt traceback out of the console script."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not cut the exit short
    sys.stderr.write("interrupted\n")
    raise SystemExit(130)


_STARTUP_SIGINT: Any = None
if threading.current_thread() is threading.main_thread() \
        and signal.getsignal(signal.SIGINT) is signal.default_int_handler:
    _STARTUP_SIGINT = signal.signal(signal.SIGINT, _interrupted_while_starting)  # restored at the end

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from gadesign.errors import ConfigError, GadesignError, RunStoreError, plugin_frame
from gadesign.registry import command_entry_points, make_problem, problem_entries
from gadesign.tables import print_table



def _usage_error_class() -> type[Exception]:
    """Click's ``UsageError`` as the installed typer raises it, found through typer's public
    ``BadParameter`` (a subclass). Older typer re-exports click's class; typer >= 0.23
    vendors click as ``typer._click``, and click itself may not even be installed, so
    gadesign never imports click."""
    for cls in typer.BadParameter.__mro__:
        if cls.__name__ == "UsageError":
            return cls
    return typer.BadParameter  # pragma: no cover - every typer has UsageError above it


USAGE_ERRORS = (_usage_error_class(),)
ABORTS = (typer.Abort,)
EXITS = (typer.Exit,)

app = typer.Typer(name="gadesign", help="Generative design by evolutionary search: evolve, inspect and export "
                  "Pareto fronts of designs.", no_args_is_help=True, add_completion=False,
                  pretty_exceptions_enable=False, rich_markup_mode=None)
out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True, emoji=False)  # ":b:" in a typed value stays as typed


@app.callback()
def _root(debug: bool = typer.Option(False, "--debug", help="Show full tracebacks for errors.")) -> None:
    """Generative design by evolutionary search."""


# -- helpers ---------------------------------------------------------------------------------
def parse_set(values: list[str] | None) -> dict[str, Any]:
    """``--set key=value`` pairs; values are Python literals (numbers, strings, lists,
    True/False/None) parsed with ``ast.literal_eval`` (never eval); anything else is
    taken as a plain string."""
    params: dict[str, Any] = {}
    for item in values or []:
        key, sep, raw = item.partition("=")
        key = key.strip()
        if not sep or not key.isidentifier():
            raise ConfigError(f"--set {item!r}: expected key=value with a name for key")
        try:
            value: Any = ast.literal_eval(raw.strip())
        except (ValueError, SyntaxError, MemoryError, RecursionError):
            value = raw.strip()
        if isinstance(value, float) and value != value:
            raise ConfigError(f"--set {item!r}: NaN is not a valid value")
        params[key] = value
    return params


def _format(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)


class WholeItems:
    """Statistics items joined by `` · `` and fitted to the width they are given: items
    that do not fit are left out whole (an ellipsis says so), so a number is never cut
    (at 80 columns "best f1 1.47862e-07" was shown as "best f1 1.4786…")."""

    def __init__(self, items: Sequence[str]) -> None:
        self.items = list(items)

    def fitted(self, width: int) -> str:
        """The items that fit in ``width`` cells, whole, with ``…`` for those left out."""
        from rich.cells import cell_len

        shown: list[str] = []
        for k, item in enumerate(self.items):
            tail = [item, "…"] if k < len(self.items) - 1 else [item]  # room for the ellipsis
            if cell_len(" · ".join(shown + tail)) > width:
                return " · ".join(shown + ["…"])
            shown.append(item)
        return " · ".join(shown)

    def __rich_console__(self, console: Console, options: Any) -> Any:
        from rich.text import Text

        yield Text(self.fitted(options.max_width), no_wrap=True, overflow="ignore")

    def __rich_measure__(self, console: Console, options: Any) -> Any:
        from rich.cells import cell_len
        from rich.measure import Measurement

        return Measurement(1, cell_len(" · ".join(self.items)))


def _stats_column() -> Any:
    """A progress column of a task's ``stats`` (a list of items, or one text) as
    :class:`WholeItems`, taking the width the fixed columns leave."""
    from rich.progress import ProgressColumn
    from rich.table import Column

    class StatsColumn(ProgressColumn):
        def render(self, task: Any) -> WholeItems:
            stats = task.fields.get("stats", ())
            return WholeItems([stats] if isinstance(stats, str) else stats)

    return StatsColumn(table_column=Column(no_wrap=True, ratio=1))


class Progress:
    """A rich progress bar that shows generation, evaluations, HV and best feasible.

    The generation count and the elapsed time never wrap or shrink (at 80 columns the
    statistics that do not fit are left out whole, :class:`WholeItems`); if the command fails while the bar is
    up, the bar is cleared so the error line stands alone; exporting the front's designs
    gets a bar of its own."""

    def __init__(self, total: int, objectives: list[str], quiet: bool, console: Console | None = None) -> None:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress as RichProgress, TextColumn, \
            TimeElapsedColumn
        from rich.table import Column
        self.objectives = objectives
        self.quiet = quiet
        fixed = {"no_wrap": True, "overflow": "ignore"}
        self.bar = RichProgress(TextColumn("{task.description}", table_column=Column(**fixed)),  # type: ignore[arg-type]
                                MofNCompleteColumn(table_column=Column(**fixed)),  # type: ignore[arg-type]
                                BarColumn(bar_width=16),
                                TimeElapsedColumn(table_column=Column(**fixed)),  # type: ignore[arg-type]
                                _stats_column(),
                                console=console or err, disable=quiet, transient=False, expand=True,
                                auto_refresh=False)  # redrawn per update: no refresh thread, so
        # the evaluation workers can be forked from this process (gadesign.evaluation._fork_is_safe)
        self.task = self.bar.add_task("gen", total=total, stats=[])
        self.export_task: Any = None

    def __enter__(self) -> "Progress":
        self.bar.__enter__()
        return self

    def __exit__(self, exc_type: object, *rest: object) -> None:
        if exc_type is not None:  # no stale bar above the error line
            self.bar.live.transient = True
        self.bar.__exit__(exc_type, *rest)  # type: ignore[arg-type]

    def exported(self, done: int, total: int) -> None:
        """Progress of writing the front's designs in the problem's own formats."""
        if self.export_task is None:
            self.export_task = self.bar.add_task("designs", total=total, stats="writing field formats")
        self.bar.update(self.export_task, completed=done, refresh=True)

    def update(self, row: dict[str, Any]) -> None:
        stats = [f"evals {row['evals']}"]
        if row.get("hv") is not None:
            stats.append(f"HV {row['hv']:.6g}")
        for name in self.objectives:
            best = row.get(f"best_{name}")
            if best is not None:
                stats.append(f"best {name} {best:.6g}")
        if row.get("feasible") == 0:
            stats.append(f"no feasible (min violation {row['min_violation']:.3g})")
        if row.get("failed"):
            stats.append(f"failed {row['failed']}")
        self.bar.update(self.task, completed=row["gen"], stats=stats, refresh=True)


def _report(result: Any, started: float) -> None:
    members = result.front["members"]
    feasible = sum(1 for m in members if sum(m["violations"]) <= 0)
    last = result.logbook[-1] if result.logbook else {}
    hv = f", HV {last['hv']:.6g}" if last.get("hv") is not None else ""
    out.print(f"front: {len(members)} designs ({feasible} feasible){hv}, {last.get('evals', 0)} evaluations "
              f"in {time.perf_counter() - started:.1f} s")
    if last.get("failed"):
        out.print(f"failed evaluations (crash, time-out or NaN; kept as infeasible): {last['failed']}")
        reasons = list(getattr(result, "failure_reasons", {}).items())
        counted = sum(count for _, count in reasons)
        if reasons and counted < last["failed"]:  # a resumed run: earlier sessions' reasons are not kept
            out.print(f"  by reason, the {counted} of this session (the others failed before the resume):")
        for reason, count in reasons[:3]:
            text = reason if len(reason) <= 160 else reason[:157] + "..."
            out.print(escape(f"  {count} x {text}"))
        if len(reasons) > 3:
            out.print(f"  ... and {len(reasons) - 3} other reason(s)")
    refined = [m for m in members if m.get("info", {}).get("refined")]
    objectives = result.front["objectives"]
    for m in refined:
        values = ", ".join(f"{o['name']} {_format(v)}{' ' + o['unit'] if o.get('unit') else ''}"
                           for o, v in zip(objectives, m["objectives"]))
        state = "feasible" if sum(m["violations"]) <= 0 else f"infeasible, violation {_format(sum(m['violations']))}"
        out.print(escape(f"refined ({m['info']['refined']}, {m['info'].get('refine_evaluations', '?')} "
                         f"evaluations): {values} ({state})"))
    if result.refine and not refined:
        out.print("refined: no polished design beat the evolved front")
    out.print(escape(f"run directory: {result.run_dir}"))


# -- commands --------------------------------------------------------------------------------
@app.command("problems")
def problems_cmd(
    name: Optional[str] = typer.Argument(None, help="Show this problem in full (objectives, constraints, "
                                         "parameters, default budget)."),
    as_json: bool = typer.Option(False, "--json", help="Print as JSON."),
    show_all: bool = typer.Option(False, "--all", help="Also list problems made for testing the engine."),
) -> None:
    """List the installed problems, or describe one: gadesign problems NAME."""
    entries = problem_entries()
    if name is not None:
        _describe_problem(name, as_json)
        return
    rows = []
    hidden = 0
    for key, entry in entries.items():
        try:
            if entry.test_only() and not show_all:
                hidden += 1
                continue
            rows.append((key, entry.description(), entry.target))
        except GadesignError as exc:
            rows.append((key, f"(broken plugin: {exc})", entry.target))
    if as_json:
        out.print_json(json.dumps([{"name": n, "description": d, "entry_point": t} for n, d, t in rows]))
        return
    table = Table(title=f"{len(rows)} problems", show_lines=False)
    table.add_column("problem", style="bold", no_wrap=True)
    table.add_column("description", overflow="fold")
    for key, desc, _ in rows:
        table.add_row(escape(key), escape(desc))
    out.print(table)
    out.print("details of one: gadesign problems NAME" + (f"; {hidden} test-only problem(s) hidden, "
                                                         "--all lists them" if hidden else ""))


def _describe_problem(name: str, as_json: bool) -> None:
    """Everything a user needs to run NAME: description, objectives with units,
    constraints, every --set parameter (type, default, meaning) and the default budget."""
    from gadesign.errors import ProblemNotFoundError
    from gadesign.run import FALLBACK_BUDGET

    entries = problem_entries()
    if name not in entries:
        raise ProblemNotFoundError(f"unknown problem {name!r} (known: {', '.join(entries)})")
    entry = entries[name]
    params = entry.parameter_table()
    try:
        problem: Any = make_problem(name)
        build_note = ""
    except GadesignError as exc:  # e.g. a problem that needs --set file=...
        problem, build_note = None, str(exc)
    defaults = {**FALLBACK_BUDGET, **((getattr(problem, "defaults", None) or {}) if problem is not None else {})}
    if problem is not None:
        defaults.setdefault("algorithm", "ga" if len(problem.objectives) == 1 else "nsga2")
    doc = {"name": name, "entry_point": entry.target, "description": entry.documentation(),
           "test_only": entry.test_only(),
           "objectives": [o.to_json() for o in problem.objectives] if problem is not None else None,
           "constraints": list(problem.constraints) if problem is not None else None,
           "parameters": [{"name": n, "type": t, "default": d, "meaning": m} for n, t, d, m in params],
           "default_budget": {k: defaults[k] for k in ("algorithm", "pop", "generations", "checkpoint_every")
                              if k in defaults}}
    if build_note:
        doc["note"] = build_note
    if as_json:
        from gadesign.runstore import jsonable
        out.print_json(json.dumps(jsonable(doc)))
        return
    out.print(f"[bold]{escape(name)}[/bold]" + (" (test-only)" if entry.test_only() else ""))
    out.print(escape(entry.documentation() or "(no description)"))
    if problem is not None:
        arrows = {"min": "minimise", "max": "maximise"}
        out.print("\n[bold]objectives[/bold]")
        for o in problem.objectives:
            out.print(escape(f"  {o.name}: {arrows.get(o.direction, o.direction)}"
                             + (f", unit {o.unit}" if o.unit else " (no unit)")))
        out.print("[bold]constraints[/bold] " + escape(", ".join(problem.constraints) if problem.constraints
                                                     else "none"))
    else:
        out.print(escape(f"\n(objectives and constraints not shown: the problem was not built with its default "
                         f"parameters: {build_note})"))
    table = Table(title="parameters (--set NAME=VALUE, Python literals)", title_justify="left")
    for col in ("name", "type", "default", "meaning"):
        table.add_column(col, overflow="fold")
    for n, t, d, m in params:
        table.add_row(escape(n), escape(str(t)), escape(repr(d)), escape(m or "-"))
    if params:
        out.print(table)
    else:
        out.print("parameters: none")
    budget = doc["default_budget"]
    where = "" if problem is not None else "engine fallback; the problem's own defaults apply once built, "
    out.print(escape("default budget: " + ", ".join(f"{k} {v}" for k, v in budget.items())
                     + f" ({where}override with --algorithm, --pop, --generations, --checkpoint-every)"))


@app.command("evolve")
def evolve_cmd(
    ctx: typer.Context,
    problem: Optional[str] = typer.Argument(None, help="Problem name (see `gadesign problems`); may come from "
                                            "--config instead."),
    algorithm: Optional[str] = typer.Option(None, "--algorithm", "-a",
                                            help="nsga2 | nsga3 | spea2 | ga | mu+lambda | mu,lambda | cmaes "
                                            "(default: the problem's)."),
    pop: Optional[int] = typer.Option(None, "--pop", help="Population size (default: the problem's)."),
    generations: Optional[int] = typer.Option(None, "--generations", "-g", help="Generations (default: the problem's)."),
    seed: int = typer.Option(1, "--seed", help="Random seed; the same seed gives the same front."),
    workers: str = typer.Option("1", "--workers", "-w", help="Local worker processes for evaluation, or auto: "
                                "time the first generations, then evaluate serially or on one worker per CPU."),
    dask: Optional[str] = typer.Option(None, "--dask", help="Evaluate on Dask: local:N or tcp://host:8786."),
    eval_timeout: Optional[float] = typer.Option(None, "--eval-timeout",
                                                 help="Seconds per evaluation; slower designs are infeasible."),
    refine: Optional[int] = typer.Option(None, "--refine", help="After the last generation, polish the best K designs "
                                         "by SLSQP (single objective, real-valued genome part) or by the problem's own "
                                         "refine_design; default: the problem's, else 0."),
    out_dir: Optional[str] = typer.Option(None, "--out", metavar="DIR",
                                          help="Run directory (default results/<problem>-<time>-<seed>)."),
    checkpoint_every: Optional[int] = typer.Option(None, "--checkpoint-every", help="Checkpoint every K generations."),
    set_: Optional[list[str]] = typer.Option(None, "--set", help="Problem parameter key=value (repeatable)."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar."),
    config_file: Optional[Path] = typer.Option(None, "--config", "-c", metavar="FILE",
                                               help="TOML file with these options and the problem's [params] "
                                               "(a run's config.toml reruns it); command-line options override it."),
    description: Optional[str] = typer.Option(None, "--description", help="What this run is, for its run card "
                                              "(run.json), report and archive."),
    cite: Optional[str] = typer.Option(None, "--cite", help="How to cite this run: free text or a DOI."),
) -> None:
    """Evolve a Pareto front (or a best design) of PROBLEM and save the run."""
    from gadesign.algorithms import make_algorithm
    from gadesign.config import merge, read_config
    from gadesign.paths import check_output_dir
    from gadesign.run import RunConfig, start_run
    from gadesign.runstore import RunStore, default_run_dir

    def given(name: str) -> bool:  # typed on the command line, not left at its default
        source = ctx.get_parameter_source(name)
        return source is not None and source.name != "DEFAULT"

    from_file = read_config(config_file) if config_file is not None else {}
    if dask is not None and not given("workers"):  # --dask on the command line replaces the file's workers
        from_file.pop("workers", None)
    if given("workers") and dask is None:  # and --workers the file's dask
        from_file.pop("dask", None)
    eff = merge(from_file, {"problem": problem, "algorithm": algorithm, "pop": pop, "generations": generations,
                            "seed": seed if given("seed") else None, "workers": workers if given("workers") else None,
                            "dask": dask, "eval_timeout": eval_timeout, "refine": refine, "out": out_dir,
                            "checkpoint_every": checkpoint_every, "description": description, "cite": cite},
                parse_set(set_))
    if not eff.get("problem"):
        raise ConfigError("no problem: give PROBLEM (see `gadesign problems`) or a --config file with "
                          "problem = \"NAME\"")
    problem, seed, workers, out_dir = str(eff["problem"]), eff.get("seed", seed), eff.get("workers", workers), \
        eff.get("out")
    from gadesign.autoworkers import parse_workers
    workers = parse_workers(workers)
    run_dir = check_output_dir(out_dir, "--out") if out_dir is not None else None
    config = RunConfig(problem, eff["params"], eff.get("algorithm"), eff.get("pop"), eff.get("generations"), seed,
                       eff.get("checkpoint_every"), workers, eff.get("dask"), eff.get("eval_timeout"),
                       eff.get("refine"), eff.get("description") or "", eff.get("cite") or "")
    config.validate()
    instance = make_problem(problem, config.params)  # fail fast on a bad name or parameter
    resolved = config.resolved(instance)
    assert resolved.algorithm is not None and resolved.pop is not None
    make_algorithm(resolved.algorithm, len(instance.objectives), resolved.pop)  # fail before any output
    if run_dir is None:
        run_dir = check_output_dir(default_run_dir(problem, seed), "results folder")
    RunStore(run_dir).check_new()
    started = time.perf_counter()
    assert resolved.generations is not None
    with Progress(resolved.generations, [o.name for o in instance.objectives], quiet) as progress:
        result = start_run(config, run_dir, on_generation=progress.update, on_export=progress.exported)
    _report(result, started)


@app.command("resume")
def resume_cmd(
    run_dir: Path = typer.Argument(..., help="Run directory with config.json and checkpoints/."),
    workers: Optional[str] = typer.Option(None, "--workers", "-w", help="Worker processes, or auto "
                                          "(default: as before)."),
    dask: Optional[str] = typer.Option(None, "--dask", help="Evaluate on Dask: local:N or tcp://host:8786."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar."),
) -> None:
    """Continue an interrupted run from its newest checkpoint to its full budget."""
    from gadesign.run import RunConfig, choose_evaluators, problem_params, resume_run
    from gadesign.runstore import RunStore

    from gadesign.run import finished

    store = RunStore(run_dir)
    raw = store.read_config()
    config = RunConfig.from_json(raw)
    from gadesign.autoworkers import parse_workers
    workers = parse_workers(workers) if workers is not None else None  # type: ignore[assignment]
    config.workers, config.dask = choose_evaluators(config.workers, config.dask, workers, dask)
    config.validate()  # every option checked before any work or output
    instance = make_problem(config.problem, problem_params(run_dir, raw))
    store.read_checkpoint(store.latest_checkpoint(), config.problem, raw)  # fail before any output
    store.check_layout()
    if finished(store, config):
        again = (f" (`gadesign export {run_dir} --designs` writes its designs/ files again)"
                 if getattr(instance, "export", None) is not None else "")
        out.print(escape(f"{run_dir}: the run is finished ({config.generations} generations, front.json "
                         f"written); nothing to resume{again}"))
        return
    started = time.perf_counter()
    assert config.generations is not None
    with Progress(config.generations, [o.name for o in instance.objectives], quiet) as progress:
        result = resume_run(run_dir, workers, dask, on_generation=progress.update, on_export=progress.exported)
    _report(result, started)


@app.command("show")
def show_cmd(run_dir: Path = typer.Argument(..., help="Run directory or run archive (.zip from export --archive)."),
             limit: int = typer.Option(50, "--limit", help="Show at most this many members."),
             as_json: bool = typer.Option(False, "--json", help="Print the run card and the front as JSON.")) -> None:
    """Summarise a run's front: objectives, violations and the problem's own columns."""
    from gadesign import options
    from gadesign.archive import run_source

    options.at_least(limit, "--limit", 0)
    with run_source(run_dir) as folder:
        _show(folder, run_dir, limit, as_json)


def _show(folder: Path, run_dir: Path, limit: int, as_json: bool) -> None:
    from gadesign.problem import Evaluation
    from gadesign.run import problem_params
    from gadesign.runstore import RunStore

    store = RunStore(folder)
    if as_json:
        config = store.read_config()
        front = store.read_front()
        out.print_json(json.dumps({"run": str(run_dir), "config": config, "card": store.read_card(missing_ok=True),
                                   "front": {**front, "members": front["members"][:limit]},
                                   "members_total": len(front["members"])}))
        return
    label, run_dir = run_dir, folder
    config = store.read_config()
    front = store.read_front()
    try:
        problem = make_problem(config["problem"], problem_params(run_dir, config))
    except GadesignError as exc:
        problem = None
        _plugin_warning(f"the problem's own columns are left out: {one_line(str(exc))}")
    summary = getattr(problem, "summary", None)
    rows = []
    summary_failures: list[str] = []
    for i, m in enumerate(front["members"][:limit]):
        extra: dict[str, Any] = {}
        if summary is not None:
            try:
                x = problem.genome.from_json(m["genome"])
            except (GadesignError, KeyError, IndexError, TypeError, ValueError) as exc:
                raise RunStoreError(f"{run_dir}/front.json: member {i}: its genome does not fit problem "
                                    f"{front['problem']!r} ({exc})") from None
            try:  # the plugin's own columns: a failing summary costs its columns, not the table
                extra = summary(x, Evaluation(tuple(m["objectives"]), tuple(m["violations"]), m.get("info", {})))
                if not isinstance(extra, dict):
                    raise TypeError(f"returned {type(extra).__name__}, not a dict")
            except Exception as exc:  # noqa: BLE001 - any failure of plugin code is reported below
                extra = {}
                summary_failures.append(f"member {i}: {type(exc).__name__}: {exc}")
        rows.append(([str(i), *(_format(v) for v in m["objectives"]), _format(sum(m["violations"]))], extra))
    extra_cols: list[str] = []
    for _, extra in rows:
        extra_cols += [k for k in extra if k not in extra_cols]
    base_headers = ["#", *(f"{o['name']}{' [' + o['unit'] + ']' if o.get('unit') else ''} ({o['direction']})"
                           for o in front["objectives"]), "violation"]
    print_table(out, base_headers + extra_cols,
                [base + [_format(extra.get(c, "")) for c in extra_cols] for base, extra in rows],
                title=f"{front['problem']} — {len(front['members'])} designs ({label})", always=len(base_headers))
    if len(front["members"]) > limit:
        out.print(f"… {len(front['members']) - limit} more (use --limit N to show more)")
    if summary_failures:
        _plugin_warning(f"problem {front['problem']!r}: its summary() failed on {len(summary_failures)} "
                        f"member(s), whose columns are left out ({summary_failures[0]})")


@app.command("plot")
def plot_cmd(run_dir: Path = typer.Argument(..., help="Run directory.")) -> None:
    """(Re)draw the run's front and convergence plots into RUN_DIR/plots/."""
    from gadesign import plots
    from gadesign.runstore import RunStore

    from gadesign.run import known_front, problem_params

    store = RunStore(run_dir)
    config = store.read_config()
    front = store.read_front()
    logbook = store.read_logbook()
    store.check_layout()
    try:
        true_front = known_front(make_problem(config["problem"], problem_params(run_dir, config)))
    except GadesignError:
        true_front = None
    for path in plots.write_run_plots(store, front, logbook, true_front):
        out.print(f"wrote {path}")


@app.command("export")
def export_cmd(
    ctx: typer.Context,
    run_dir: Path = typer.Argument(..., help="Run directory."),
    fmt: str = typer.Option("csv", "--format", "-f", help="csv | json"),
    output: Optional[str] = typer.Option(None, "--output", "-o", metavar="FILE",
                                         help="File to write (default: stdout); never one of the run's own files."),
    archive: Optional[str] = typer.Option(None, "--archive", metavar="ZIP",
                                          help="Write a shareable archive instead: run card, config, fronts, plots, "
                                          "field formats, report.html, CITATION.cff and a README on reproducing."),
    author: Optional[list[str]] = typer.Option(None, "--author", help="Author for CITATION.cff (repeatable; "
                                               "default: git user.name, else the login name)."),
    designs: bool = typer.Option(False, "--designs", help="(Re)write the front's designs in the problem's own "
                                 "formats into RUN/designs/ (after an export() that failed at the end of the run)."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar (with --designs)."),
) -> None:
    """Export a run's front as CSV or JSON, or the whole run as a zip archive, or (re)write
    its designs' field formats into RUN/designs/."""
    from gadesign.atomic import atomic_write_text
    from gadesign.paths import check_output_file, output_guard
    from gadesign.runstore import RunStore, front_to_csv

    if designs:
        _export_designs(ctx, run_dir, output, archive, author, quiet)
        return
    if author is not None and archive is None:
        raise ConfigError("--author is for the CITATION.cff of an archive: give --archive ZIP too")
    if any(not a.strip() for a in author or []):
        raise ConfigError("--author: empty name")
    if archive is not None:
        from gadesign.archive import export_archive

        if output is not None:
            raise ConfigError("--archive and --output: give one of them")
        target = check_output_file(archive, "--archive", suffixes=(".zip",))
        RunStore(run_dir).read_front()  # a missing or broken run fails before anything is written
        with output_guard(target, "--archive"):
            entries = export_archive(run_dir, target, list(author or []) or None)
        out.print(escape(f"wrote {target} ({len(entries)} files)"))
        return
    if fmt not in ("csv", "json"):
        raise ConfigError(f"--format must be csv or json, got {fmt!r}")
    target = check_output_file(output, "--output") if output is not None else None
    front = RunStore(run_dir).read_front()
    text = front_to_csv(front) if fmt == "csv" else json.dumps(front, indent=1) + "\n"
    if target is None:
        if _STDOUT_CLOSED:
            raise ConfigError("standard output is closed: give --output FILE to write the front")
        sys.stdout.write(text)
    else:
        with output_guard(target, "--output"):
            atomic_write_text(target, text)
        out.print(escape(f"wrote {target}"))


def _export_designs(ctx: typer.Context, run_dir: Path, output: str | None, archive: str | None,
                    author: list[str] | None, quiet: bool) -> None:
    """``gadesign export RUN --designs``: the problem's field formats of every front
    design, written again into RUN/designs/ (``gadesign.run.export_designs``)."""
    from gadesign.run import export_designs

    source = ctx.get_parameter_source("fmt")
    if output is not None or archive is not None or author or (source is not None and source.name != "DEFAULT"):
        raise ConfigError("--designs writes into the run's designs/ folder: give none of --format, --output, "
                          "--archive, --author with it")
    if run_dir.is_file():
        raise ConfigError(f"{run_dir}: --designs writes into a run directory, not into an archive or a file")
    with Progress(0, [], quiet) as progress:
        progress.bar.remove_task(progress.task)
        folder, n = export_designs(run_dir, on_export=progress.exported)
    out.print(escape(f"wrote the field formats of {n} design(s) into {folder}"))


@app.command("report")
def report_cmd(
    run_dir: Path = typer.Argument(..., help="Run directory or run archive (.zip)."),
    output: Optional[str] = typer.Option(None, "--output", "-o", metavar="FILE",
                                         help="HTML file to write (default: RUN_DIR/report.html; for an archive, "
                                         "the archive's name with .html)."),
    designs: int = typer.Option(4, "--designs", help="Draw this many designs, spread along the front (0: none)."),
) -> None:
    """Write one self-contained HTML report of a run (no server, no network needed)."""
    from gadesign import options
    from gadesign.archive import run_source
    from gadesign.paths import check_output_file, output_guard
    from gadesign.report import write_report

    options.at_least(designs, "--designs", 0)
    if output is None:
        output = str(run_dir / "report.html") if run_dir.is_dir() else str(run_dir.with_suffix(".html"))
    target = check_output_file(output, "--output", suffixes=(".html", ".htm"))
    with run_source(run_dir) as folder:
        with output_guard(target, "--output"):
            write_report(folder, target, designs)
    out.print(escape(f"wrote {target}"))


@app.command("compare")
def compare_cmd(
    runs: list[Path] = typer.Argument(..., help="Run directories or archives of one problem."),
    plot: Optional[str] = typer.Option(None, "--plot", metavar="FILE", help="Write the overlaid fronts figure "
                                       "(.png, .svg, .pdf)."),
    as_json: bool = typer.Option(False, "--json", help="Print as JSON."),
) -> None:
    """Compare runs of one problem: hypervolume on a common reference point, IGD to the
    union front, evaluations and time."""
    from gadesign import compare as cmp
    from gadesign.archive import run_source
    from gadesign.paths import check_output_file, output_guard

    target = check_output_file(plot, "--plot", figure=True) if plot is not None else None
    with contextlib.ExitStack() as stack:
        loaded = [cmp.load(stack.enter_context(run_source(r)), str(r)) for r in runs]
        result = cmp.compare(loaded)
        if target is not None:
            from gadesign.plots import save
            with output_guard(target, "--plot"):
                save(cmp.overlay_figure(loaded), target)
    if as_json:
        out.print_json(json.dumps(result))
        return
    units = [o.get("unit") or "" for o in result["objectives"]]
    headers = ("run", "algorithm", "pop x gen", "seed", "front", "hypervolume", "card HV", "IGD", "evaluations",
               "time [s]")
    rows = [[r["run"], str(r["algorithm"]), f"{r['pop']} x {r['generations']}", str(r["seed"]),
             f"{r['feasible']}/{r['front_size']}",
             "-" if r["hypervolume"] is None else f"{r['hypervolume']:.6g}",
             "-" if r["card_hypervolume"] is None else f"{r['card_hypervolume']:.6g}",
             "-" if r["igd"] is None else f"{r['igd']:.4g}", str(r["evaluations"] or "-"),
             str(r["wall_time_s"] or "-")] for r in result["runs"]]
    print_table(out, headers, rows, title=f"{result['problem']}: {len(runs)} runs",
                justify=["left", "left"] + ["right"] * (len(headers) - 2), foldable=(0,))
    ref = result["reference_point"]
    if ref is not None:
        point = ", ".join(f"{o['name']} {v:.6g}{' ' + u if u else ''}" for o, v, u in zip(result["objectives"], ref, units))
        out.print(escape(f"hypervolume reference point: {point} ({result['reference_point_rule']})"))
    out.print(escape(f"IGD: to the union front of all runs ({result['union_front_size']} designs), "
                     f"{result['igd_scaling']}"))
    if target is not None:
        out.print(escape(f"wrote {target}"))


def _mount_plugins() -> None:
    """Mount every ``gadesign.commands`` entry point as ``gadesign NAME ...``. A plugin
    that fails to load, is not a ``typer.Typer`` app or takes a name already in use is
    skipped with one warning line, so it cannot break the other commands."""
    taken = {c.name for c in app.registered_commands} | {g.name for g in app.registered_groups}
    for ep in command_entry_points():
        where = f"plugin commands {ep.name!r} ({ep.value})"
        if ep.name in taken:
            _plugin_warning(f"{where} not mounted: the command name {ep.name!r} is already taken")
            continue
        try:
            sub = ep.load()
        except Exception as exc:  # a broken plugin must not break the other commands
            _plugin_warning(f"{where} failed to load: {exc}")
            continue
        if not isinstance(sub, typer.Typer):
            _plugin_warning(f"{where} not mounted: the entry point names an object of type {type(sub).__name__}, "
                            "not a typer.Typer app")
            continue
        app.add_typer(sub, name=ep.name, no_args_is_help=True)  # `gadesign NAME`: help, as for built-ins
        taken.add(ep.name)


def _plugin_warning(text: str) -> None:
    err.print(f"[yellow]{escape('warning: ' + text)}[/yellow]")


_mount_plugins()
if _STARTUP_SIGINT is not None and signal.getsignal(signal.SIGINT) is _interrupted_while_starting:
    signal.signal(signal.SIGINT, _STARTUP_SIGINT)

#: Signals that stop a command as Ctrl-C does (a checkpoint of the last finished
#: generation, whole files only), with the shell's exit code 128 + N.
STOP_SIGNALS = tuple(getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name))
_stopped_by: list[int] = []  # the signal (other than SIGINT) that stopped this command, if any
_stopped_at: list[float] = []  # when the first Ctrl-C or stop signal of this command came
#: Seconds after a Ctrl-C (or stop signal) in which another one is ignored: a double tap
#: must not cut the checkpoint the first one is writing (it gave 'internal error:
#: RuntimeError: release unlocked lock' from inside a lock); a later one still interrupts.
SIGNAL_GRACE_S = 1.0
#: A signal that comes while a module is being imported, or code compiled from a string
#: runs, is delivered again this many seconds later, up to :data:`DEFER_LIMIT_S` in all.
DEFER_STEP_S = 0.05
DEFER_LIMIT_S = 2.0


def _in_import_or_exec(frame: Any) -> bool:
    """True while ``frame`` or a caller is inside the import system, or inside code
    compiled from a string (``exec``/``eval``: dataclasses, numpy.f2py). A KeyboardInterrupt
    raised there breaks a half-imported module ('ImportError: initialization failed'), and
    one that passes through ``exec``/``eval`` makes CPython end the process by SIGINT at
    exit even though it was caught (exit -2, not 130 or 143). Only frames inside this
    command count: a caller's own ``python -c`` or ``exec`` around :func:`main` does not."""
    while frame is not None:
        code = frame.f_code
        if code.co_name == "_main" and code.co_filename == __file__:
            return False
        if code.co_filename.startswith("<frozen importlib") or code.co_filename == "<string>":
            return True
        frame = frame.f_back
    return False


def _stop_handler(owner: int) -> Any:
    """A handler that turns Ctrl-C, SIGTERM and SIGHUP into KeyboardInterrupt in process
    ``owner``, once per :data:`SIGNAL_GRACE_S`. A signal that comes during an import (or
    ``exec``) is delivered again after it, within :data:`DEFER_LIMIT_S`. A worker process
    forked from it inherits the handler: there the signal is ignored while ``owner``
    lives (it shuts its workers down), and ends the worker when ``owner`` is gone (an
    orphan must stay killable)."""
    deferred_since: list[float] = []

    def handler(signum: int, frame: object) -> None:
        if os.getpid() != owner:
            if os.getppid() == owner:
                return
            os._exit(128 + signum)
        now = time.monotonic()
        if _in_import_or_exec(frame) and not _stopped_at:
            if not deferred_since:
                deferred_since.append(now)
            if now - deferred_since[0] < DEFER_LIMIT_S:
                later = threading.Timer(DEFER_STEP_S, os.kill, (owner, signum))
                later.daemon = True
                later.start()
                return
        deferred_since.clear()
        if _stopped_at and now - _stopped_at[-1] < SIGNAL_GRACE_S:
            return  # the first one is being handled
        _stopped_at.append(now)
        if signum != signal.SIGINT and not _stopped_by:
            _stopped_by.append(signum)
        raise KeyboardInterrupt
    return handler


@contextlib.contextmanager
def _stop_signals() -> Any:
    """Ctrl-C, SIGTERM and SIGHUP interrupt a command (main thread only): a checkpoint of
    the last finished generation, whole files only."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    _stopped_by.clear()
    _stopped_at.clear()
    handler = _stop_handler(os.getpid())
    previous = {s: signal.signal(s, handler) for s in (signal.SIGINT, *STOP_SIGNALS)}
    try:
        yield
    finally:
        for s, h in previous.items():
            signal.signal(s, h)


def _interrupt_code(default: int = 130) -> int:
    """130 after Ctrl-C; 128 + N after signal N (SIGTERM: 143)."""
    return 128 + _stopped_by[0] if _stopped_by else default


def _interrupt_word() -> str:
    return f"stopped by {signal.Signals(_stopped_by[0]).name}" if _stopped_by else "interrupted"


_STDOUT_CLOSED = False  # started with stdout closed (`gadesign ... >&-`): printing goes nowhere


def _reopen_closed_streams() -> None:
    """A closed stdout or stderr (``>&-``, some service managers) is ``None`` in Python:
    printing to it crashed. Such a stream writes to the null device instead; ``export``
    to stdout then refuses (its output would be lost)."""
    global _STDOUT_CLOSED
    if sys.stdout is None:
        sys.stdout = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115 - lives as long as the process
        _STDOUT_CLOSED = True
    if sys.stderr is None:
        sys.stderr = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115


def _broken_pipe(exc: BaseException) -> bool:
    """True for typer's exit after a write to a closed pipe (``gadesign problems | head``)."""
    cause = exc.__context__
    return isinstance(cause, OSError) and cause.errno == errno.EPIPE


def main(argv: list[str] | None = None) -> int:
    """Console-script entry point: runs the app and maps errors to exit codes."""
    _reopen_closed_streams()
    args = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args or os.environ.get("GADESIGN_DEBUG") == "1"
    args = [a for a in args if a != "--debug"]  # accepted anywhere on the line
    if not args:  # a bare `gadesign` is a request for help, not a mistake
        args = ["--help"]
    signal.signal(signal.SIGINT, signal.default_int_handler)  # Ctrl-C checkpoints, even when started in background
    try:
        with _stop_signals():
            return _main(args, debug)
    finally:
        if argv is None:  # the console script: the process ends now; a late Ctrl-C or kill
            for s in (signal.SIGINT, *STOP_SIGNALS):  # must not turn exit 130 into a death by signal
                signal.signal(s, signal.SIG_IGN)


def _main(args: list[str], debug: bool) -> int:
    """:func:`main` after the arguments are read: run the app, map errors to exit codes."""
    try:
        with _held_warnings(debug):
            rv = app(args=args, prog_name="gadesign", standalone_mode=False)
        if rv == 130:  # typer's word for a KeyboardInterrupt outside a run: nothing was written
            err.print(f"[yellow]{_interrupt_word()}[/yellow]")
            return _interrupt_code()
        return rv if isinstance(rv, int) else 0
    except GadesignError as exc:
        from gadesign.run import RunInterrupted
        if debug:
            raise
        text = escape(one_line(str(exc)))
        if isinstance(exc, RunInterrupted):
            if _stopped_by:
                text = escape(_interrupt_word()) + text[len("interrupted"):] if text.startswith("interrupted") \
                    else text
            err.print(f"[yellow]{text}[/yellow]")
            return _interrupt_code()
        err.print(f"[red]error:[/red] {text}")
        return 2
    except USAGE_ERRORS as exc:
        if type(exc).__name__ == "NoArgsIsHelpError":  # `gadesign antenna`: help, exit 0
            out.print(escape(exc.format_message()))
            return 0
        if debug:
            raise
        hint = f" (see `{exc.ctx.command_path} --help`)" if exc.ctx is not None else ""
        err.print(f"[red]error:[/red] {escape(one_line(exc.format_message() + hint))}")
        return 2
    except ABORTS:
        err.print("[yellow]aborted[/yellow]")
        return _interrupt_code()
    except EXITS as exc:
        if exc.exit_code == 130:  # typer turns a stray KeyboardInterrupt into Exit(130)
            err.print(f"[yellow]{_interrupt_word()}[/yellow]")
            return _interrupt_code()
        return exc.exit_code
    except KeyboardInterrupt:  # outside the typer app (while a held warning prints, say)
        err.print(f"[yellow]{_interrupt_word()}[/yellow]")
        return _interrupt_code()
    except BrokenPipeError:  # `gadesign export RUN | head`: the reader left; not an error
        with contextlib.suppress(OSError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except SystemExit as exc:
        if _broken_pipe(exc):  # typer's own handling of the same (exit 1 without a word)
            with contextlib.suppress(OSError):
                os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            return 0
        raise
    except OSError as exc:  # the file system said no (full disk, permissions, a folder in the way)
        if debug:
            raise
        err.print(f"[red]error:[/red] {escape(one_line(os_error_text(exc)))}")
        return 2
    except (MemoryError, RecursionError) as exc:
        if debug:
            raise
        what = "out of memory" if isinstance(exc, MemoryError) else "the request nests too deeply"
        err.print(f"[red]error:[/red] {what}: it is too large for this machine "
                  "(use smaller sizes; see the GADESIGN_MAX_* limits in the README)")
        return 2
    except Exception as exc:
        if debug:
            raise
        where = plugin_frame(exc)
        kind = "internal error" if where is None else f"error in plugin code ({where})"
        err.print(f"[red]{escape(kind)}:[/red] {escape(one_line(f'{type(exc).__name__}: {exc}'))} "
                  "(rerun with --debug for the traceback)")
        return 1


@contextlib.contextmanager
def _held_warnings(debug: bool) -> Any:
    """Python warnings (numpy's overflow notes, library deprecations) raised during a
    command are held back: after a failure the error line stands alone; after success
    each distinct one is printed once as a yellow ``warning:`` line. ``--debug`` shows
    them as Python prints them."""
    import warnings

    if debug:
        yield
        return
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("default")
        yield
    seen = set()
    for w in caught:
        text = f"{w.category.__name__}: {w.message}"
        if text not in seen:
            seen.add(text)
            err.print(f"[yellow]warning:[/yellow] {escape(text)}")


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def one_line(text: str) -> str:
    """``text`` with control characters (a newline in a typed file name, an escape
    sequence) written as escapes, so that an error stays one line and cannot restyle the
    terminal."""
    return _CONTROL.sub(lambda m: repr(m.group(0))[1:-1], text)


_TMP_NAME = re.compile(r"(^|/)\.([^/]+)\.tmp\.[^/.]+(\.[^/]*)?$")  # atomic.py's temporary names


def os_error_text(exc: OSError) -> str:
    """One line for an ``OSError``: the file the user named (never a temporary name) and
    what the system said."""
    name = exc.filename if exc.filename is not None else ""
    name = _TMP_NAME.sub(lambda m: m.group(1) + m.group(2), os.fsdecode(name)) if name else ""
    reason = exc.strerror or type(exc).__name__
    return f"{name}: {reason}" if name else f"{reason} ({type(exc).__name__})"


if __name__ == "__main__":
    sys.exit(main())
