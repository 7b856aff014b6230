"""Start, checkpoint, interrupt, resume and finish a run, top to bottom.

``start_run`` writes config.json, evolves, checkpoints every K generations and at the
end, then writes the logbook, the front (JSON + CSV), plots and the problem's field
formats. ``resume_run`` rebuilds the same problem, algorithm and generator from
config.json, restores the newest checkpoint and carries on; because the whole engine
state is in the checkpoint, the result is bit-identical to an uninterrupted run.
A Ctrl-C between or during generations writes a checkpoint of the last completed
generation and raises :class:`RunInterrupted`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np

import gadesign
from gadesign.algorithms import make_algorithm
from gadesign.engine import Evolution
from gadesign.errors import CheckpointError, ConfigError, GadesignError, RunStoreError
from gadesign.evaluation import ClusterLost, SerialEvaluator, check_one_evaluator, local_workers, make_evaluator
from gadesign.problem import Evaluation, Objective, Problem
from gadesign.registry import make_problem
from gadesign.runstore import CHECKPOINT_RE, RunStore, jsonable

GenerationCallback = Callable[[dict[str, Any]], None]
ExportCallback = Callable[[int, int], None]  # (designs written, designs in all)

FALLBACK_BUDGET = {"pop": 100, "generations": 100, "checkpoint_every": 10}


class RunInterrupted(GadesignError):
    """The user stopped a run; a checkpoint of the last finished generation was written."""

    def __init__(self, run_dir: Path, checkpoint: Path | None) -> None:
        self.run_dir, self.checkpoint = run_dir, checkpoint
        if checkpoint is None:
            text = f"interrupted before the first generation finished; nothing was kept in {run_dir}"
        else:
            text = f"interrupted; newest checkpoint {checkpoint}; continue with: gadesign resume {run_dir}"
        super().__init__(text)


class RunStopped(GadesignError):
    """The evaluators went away mid-run (a Dask scheduler lost); a checkpoint of the last
    finished generation was written, as on Ctrl-C."""

    def __init__(self, reason: str, run_dir: Path, checkpoint: Path | None) -> None:
        self.run_dir, self.checkpoint = run_dir, checkpoint
        if checkpoint is None:
            text = f"{reason}; stopped before the first generation finished, nothing was kept in {run_dir}"
        else:
            text = (f"{reason}; newest checkpoint {checkpoint}; continue with: gadesign resume {run_dir} "
                    "(add --dask ADDRESS for another scheduler)")
        super().__init__(text)


@dataclass
class RunConfig:
    """Everything that determines a run (written to config.json)."""

    problem: str
    params: dict[str, Any] = field(default_factory=dict)
    algorithm: str | None = None
    pop: int | None = None
    generations: int | None = None
    seed: int = 1
    checkpoint_every: int | None = None
    workers: int | str = 1  # or "auto" (gadesign.autoworkers)
    dask: str | None = None
    eval_timeout: float | None = None
    refine: int | None = None
    description: str = ""  # free text for the run card (run.json); does not change the run
    cite: str = ""  # how to cite the run: free text or a DOI

    def resolved(self, problem: Problem) -> "RunConfig":
        """Unset fields filled from the problem's ``defaults``, then generic ones."""
        defaults = {**FALLBACK_BUDGET, **(getattr(problem, "defaults", None) or {})}
        algorithm = self.algorithm or defaults.get("algorithm") or ("ga" if len(problem.objectives) == 1 else "nsga2")
        cfg = RunConfig(self.problem, dict(self.params), algorithm,
                        self.pop if self.pop is not None else int(defaults["pop"]),
                        self.generations if self.generations is not None else int(defaults["generations"]),
                        self.seed,
                        self.checkpoint_every if self.checkpoint_every is not None else int(defaults["checkpoint_every"]),
                        self.workers, self.dask, self.eval_timeout,
                        self.refine if self.refine is not None else int(defaults.get("refine", 0)),
                        self.description, self.cite)
        cfg.validate()
        cfg.check_size(problem)
        if cfg.refine:
            from gadesign.refine import check_refinable
            check_refinable(problem)
        return cfg

    def validate(self) -> None:
        """Every option by the shared rules of :mod:`gadesign.options`, before any work."""
        from gadesign import options

        if self.algorithm is not None and not str(self.algorithm).strip():
            from gadesign.algorithms import ALGORITHMS
            raise ConfigError(f"--algorithm: empty name (choose from {', '.join(ALGORITHMS)}, or leave it out "
                              "for the problem's default)")
        options.population(self.pop)
        options.generations(self.generations)
        options.at_least(self.checkpoint_every, "--checkpoint-every", 1)
        from gadesign.autoworkers import parse_workers
        if parse_workers(self.workers) != "auto":
            options.workers(parse_workers(self.workers))
        options.at_least(self.seed, "--seed", 0)
        if self.dask is not None:
            local_workers(self.dask)
            check_one_evaluator(self.dask, parse_workers(self.workers))
        options.at_least(self.refine, "--refine", 0)
        options.positive(self.eval_timeout, "--eval-timeout", " seconds", maximum=1e7)  # ~4 months

    def check_size(self, problem: Problem) -> None:
        """Refuse a population whose genomes would not fit (pop x genome length, parents
        and offspring) before any is made; the limit is GADESIGN_MAX_GENES."""
        from gadesign.limits import check_limit, genome_length

        check_limit("OBJECTIVES", len(problem.objectives) + len(problem.constraints),
                    f"{self.problem}: objectives and constraints")
        if self.pop is not None:
            n = getattr(problem.genome, "n", None)  # vectors say it directly; describe() may list bounds
            length = n if isinstance(n, int) else genome_length(problem.genome.describe())
            check_limit("GENES", 2 * self.pop * length, f"--pop {self.pop} x {self.problem} genome "
                        f"({length:,} genes), parents and offspring")

    def to_json(self) -> dict[str, Any]:
        return {"problem": self.problem, "params": jsonable(self.params), "algorithm": self.algorithm,
                "pop": self.pop, "generations": self.generations, "seed": self.seed,
                "checkpoint_every": self.checkpoint_every, "workers": self.workers, "dask": self.dask,
                "eval_timeout": self.eval_timeout, "refine": self.refine,
                "description": self.description, "cite": self.cite}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "RunConfig":
        from gadesign.autoworkers import parse_workers
        try:
            return cls(str(data["problem"]), dict(data.get("params") or {}), str(data["algorithm"]),
                       int(data["pop"]), int(data["generations"]), int(data["seed"]),
                       int(data["checkpoint_every"]),
                       1 if data.get("dask") else parse_workers(data.get("workers", 1)),  # Dask ran it (before
                       data.get("dask"),  # --dask and --workers were refused together)
                       None if data.get("eval_timeout") is None else float(data["eval_timeout"]),
                       int(data.get("refine", 0)), str(data.get("description") or ""),
                       str(data.get("cite") or ""))
        except (KeyError, TypeError, ValueError) as exc:
            raise ConfigError(f"config.json is incomplete or malformed: {exc}") from exc


@dataclass
class RunResult:
    run_dir: Path
    front: dict[str, Any]
    logbook: list[dict[str, Any]]
    refine: int = 0  # designs polished by SLSQP at the end (--refine)
    failure_reasons: dict[str, int] = field(default_factory=dict)  # this session's failed evaluations, by reason


def start_run(config: RunConfig, out: Path, on_generation: GenerationCallback | None = None,
              on_export: ExportCallback | None = None) -> RunResult:
    """A new run in ``out``: evolve for the configured budget and write all results. A run
    that fails before its first generation is checkpointed (a bad parameter, a cluster that
    cannot be reached, Ctrl-C) leaves no run directory behind."""
    config.validate()
    problem = make_problem(config.problem, config.params)
    config = config.resolved(problem)
    store = RunStore(out)
    store.check_new()
    created = store.missing_dirs()
    store.root.mkdir(parents=True, exist_ok=True)
    with store.lock():  # refused while another process writes here (its files are left alone)
        store.check_new()  # a run another process started and finished here meanwhile
        try:
            config.params = stage_inputs(config.problem, config.params, store.root)
            problem = make_problem(config.problem, problem_params(store.root, config.to_json()))
            try:
                evolution, evaluator = _build(problem, config)
            except KeyboardInterrupt:  # while connecting to a cluster, say: one line, as later
                raise RunInterrupted(store.root, None) from None
            with evaluator:
                store.create({**config.to_json(), "genome": problem.genome.describe(),
                              "objectives": [o.to_json() for o in problem.objectives],
                              "constraints": list(problem.constraints), "gadesign_version": gadesign.__version__})
                return _evolve(store, problem, config, evolution, evaluator, [], on_generation, on_export)
        except BaseException:
            if not store.checkpoints():  # failed before its first generation: leave nothing behind
                store.discard(created)
            raise


def resume_run(run_dir: Path, workers: int | str | None = None, dask: str | None = None,
               on_generation: GenerationCallback | None = None,
               on_export: ExportCallback | None = None) -> RunResult:
    """Continue the run in ``run_dir`` from its newest checkpoint to its full budget."""
    store = RunStore(run_dir)
    raw = store.read_config()
    config = RunConfig.from_json(raw)
    config.workers, config.dask = choose_evaluators(config.workers, config.dask, workers, dask)
    config.validate()
    problem = make_problem(config.problem, problem_params(store.root, raw))
    with store.lock():  # another resume or the evolve itself still running: refused
        latest = store.latest_checkpoint()
        checkpoint = store.read_checkpoint(latest, config.problem, raw)
        store.sweep_temporaries()  # litter of a process killed while writing (SIGKILL)
        try:
            evolution, evaluator = _build(problem, config)
        except KeyboardInterrupt:  # while connecting to a cluster, say: the checkpoint is as it was
            raise RunInterrupted(store.root, store.latest_checkpoint()) from None
        with evaluator:
            try:
                evolution.load_state(checkpoint["state"])
            except CheckpointError as exc:  # the engine's words, with the file they are about
                raise CheckpointError(f"{latest}: {exc}" if str(latest) not in str(exc) else str(exc)) from None
            return _evolve(store, problem, config, evolution, evaluator, list(checkpoint["logbook"]),
                           on_generation, on_export)


def choose_evaluators(stored_workers: int | str, stored_dask: str | None, workers: int | str | None,
                      dask: str | None) -> tuple[int | str, str | None]:
    """``(workers, dask)`` for resuming a run stored with ``stored_*``: a ``--dask`` given
    now replaces the stored local workers, a ``--workers`` the stored cluster (both given
    now: the caller's validation refuses them)."""
    if dask is not None:
        stored_workers, stored_dask = 1, dask
    if workers is not None:
        stored_workers, stored_dask = workers, dask
    return stored_workers, stored_dask


def stage_inputs(name: str, params: dict[str, Any], run_dir: Path) -> dict[str, Any]:
    """Copy every input file the problem declares (``input_files`` of its factory) into
    ``run_dir/inputs/`` and return ``params`` referring to the copies relative to the run
    directory, so that the run works from any working directory and after the original
    is moved or changed (the copy is what the run uses; the original is never read again)."""
    import shutil

    from gadesign.registry import problem_entries

    entry = problem_entries().get(name)
    out = dict(params)
    keys = [k for k in (entry.input_files() if entry else ()) if isinstance(out.get(k), str) and out[k]]
    if not keys:
        return out
    (run_dir / "inputs").mkdir(parents=True, exist_ok=True)
    for key in keys:
        source = Path(out[key])
        if not source.is_file():
            raise ConfigError(f"--set {key}={out[key]}: no such file")
        target = Path("inputs") / source.name
        if (run_dir / target).exists():
            target = Path("inputs") / f"{key}-{source.name}"
        shutil.copyfile(source, run_dir / target)
        out[key] = target.as_posix()
    return out


def problem_params(run_dir: Path, config: dict[str, Any]) -> dict[str, Any]:
    """A stored run's problem parameters with its input files (relative references into
    the run directory, see :func:`stage_inputs`) resolved against ``run_dir``."""
    from gadesign.registry import problem_entries

    params = dict(config.get("params") or {})
    entry = problem_entries().get(str(config.get("problem")))
    for key in entry.input_files() if entry else ():
        value = params.get(key)
        if isinstance(value, str) and value and not Path(value).is_absolute() and (Path(run_dir) / value).is_file():
            params[key] = str(Path(run_dir) / value)
    return params


def _build(problem: Problem, config: RunConfig) -> tuple[Evolution, Any]:
    assert config.algorithm is not None and config.pop is not None
    algorithm = make_algorithm(config.algorithm, len(problem.objectives), config.pop)
    evaluator = make_evaluator(problem, config.workers, config.dask, config.eval_timeout)
    rng = np.random.Generator(np.random.PCG64(config.seed))
    return Evolution(problem, algorithm, config.pop, rng, evaluator), evaluator


def _evolve(store: RunStore, problem: Problem, config: RunConfig, evolution: Evolution, evaluator: SerialEvaluator,
            logbook: list[dict[str, Any]], on_generation: GenerationCallback | None,
            on_export: ExportCallback | None = None) -> RunResult:
    """Run generations up to the budget (initialising first if needed), then write the
    results. Ctrl-C at any point leaves a checkpoint of the last whole generation: a
    generation cut short is rolled back (generator and algorithm memory), one that
    finished is recorded."""
    assert config.generations is not None and config.checkpoint_every is not None
    import time

    from gadesign.checkpoint_writer import BackgroundWriter
    from gadesign.runcard import now
    clock, started = time.perf_counter(), now()
    config_json = config.to_json()

    def save(state: dict[str, Any], rows: list[dict[str, Any]]) -> None:
        store.write_checkpoint(config.problem, config_json, state, rows)
        store.write_logbook(rows)  # readable while the run goes on

    def record(writer: BackgroundWriter) -> None:
        logbook.append(evolution.statistics())
        if evolution.generation % config.checkpoint_every == 0 or evolution.generation >= config.generations:
            # a snapshot now (jsonable copies every container; a logbook row holds scalars
            # only); the writer thread serialises, hashes and writes it atomically while the
            # next generation is evaluated
            state, rows = jsonable(evolution.state()), [dict(row) for row in logbook]
            writer.submit(lambda: save(state, rows))
        if on_generation is not None:
            on_generation(logbook[-1])

    with BackgroundWriter() as writer:
        try:
            if evolution.pop is None:
                evolution.initialise()
                record(writer)
            while evolution.generation < config.generations:
                mark = evolution.mark()
                try:
                    evolution.step()
                except (KeyboardInterrupt, ClusterLost):
                    evolution.rollback(mark)
                    raise
                record(writer)
            writer.flush()  # the last checkpoint is on disk before any result is written
        except (KeyboardInterrupt, ClusterLost) as exc:
            writer.flush()  # queued checkpoints first, in order; then the interrupted state
            path = None
            if evolution.pop is not None:
                if len(logbook) == evolution.generation:  # finished, but not yet recorded
                    logbook.append(evolution.statistics())
                path = store.write_checkpoint(config.problem, config_json, evolution.state(), logbook)
            if isinstance(exc, ClusterLost):
                raise RunStopped(str(exc), store.root, path) from None
            raise RunInterrupted(store.root, path) from None
    try:
        if config.refine and evolution.refine_best(config.refine):
            logbook[-1] = evolution.statistics()  # the last row (and the card) count the refinement
        front = front_document(config.problem, problem, evolution)
        store.write_logbook(logbook)
        store.write_front(front)
        export_failures = _write_extras(store, problem, front, logbook, on_export, evaluator)
        _write_card(store, config, evolution, front, logbook, started, time.perf_counter() - clock)
    except KeyboardInterrupt:  # every generation is done and checkpointed: resume writes the results
        raise RunInterrupted(store.root, store.latest_checkpoint()) from None
    if export_failures:  # every other result is written: the run is whole but for these designs' files
        raise ExportFailed(config.problem, store.root, export_failures, len(front["members"]))
    return RunResult(store.root, front, logbook, config.refine or 0, dict(evolution.failure_reasons.most_common()))


class ExportFailed(GadesignError):
    """The run finished and its results are written, but the problem's ``export`` raised
    for some front designs (their field formats are missing from ``designs/``)."""

    def __init__(self, problem: str, run_dir: Path, failures: list[str], total: int, again: bool = False) -> None:
        self.run_dir, self.failures = run_dir, failures
        where = (f"the others are written in {Path(run_dir) / 'designs'}" if again else
                 f"the run is finished and saved in {run_dir}, its designs/ folder lacks those designs' files "
                 f"(`gadesign export {run_dir} --designs` writes them again)")
        super().__init__(f"problem {problem!r}: its export() failed for {len(failures)} of {total} front "
                         f"design(s) ({failures[0]}); {where}")


def export_designs(run_dir: Path, on_export: ExportCallback | None = None) -> tuple[Path, int]:
    """(Re)write the field formats of a finished run's front designs into ``RUN/designs/``
    with the problem's ``export``, as the end of the run does (``member-NNN`` stems; files
    are overwritten, nothing else in the folder is touched): after an ``export()`` that
    failed, once the plugin is fixed. Returns the folder and how many designs were
    written; raises :class:`ExportFailed` when some still fail (the others are written)."""
    store = RunStore(run_dir)
    raw = store.read_config()
    front = store.read_front()
    name = str(raw["problem"])
    problem = make_problem(name, problem_params(store.root, raw))
    if getattr(problem, "export", None) is None:
        raise ConfigError(f"problem {name!r} has no export(): its runs have no designs/ files to write")
    store.check_layout()
    designs = _front_designs(problem, front, store.root / "front.json")
    store.designs_dir.mkdir(exist_ok=True)
    n = len(designs)
    if on_export is not None:
        on_export(0, n)
    failures = SerialEvaluator(problem).export_designs(designs, store.designs_dir,
                                                       None if on_export is None else lambda k: on_export(k, n))
    if failures:
        raise ExportFailed(name, store.root, failures, n, again=True)
    return store.designs_dir, n


def _front_designs(problem: Problem, front: dict[str, Any],
                   source: Path | None = None) -> list[tuple[Any, Evaluation, str]]:
    """``(x, evaluation, stem)`` of each front member, stems ``member-000``, ...; a genome
    the problem cannot read back is an error naming ``source`` and the member."""
    designs = []
    for i, m in enumerate(front["members"]):
        try:
            x = problem.genome.from_json(m["genome"])
        except (KeyError, TypeError, ValueError, IndexError) as exc:
            if source is None:
                raise
            raise RunStoreError(f"{source}: member {i}: its genome is not one of this problem's "
                                f"({type(exc).__name__}: {exc})") from None
        designs.append((x, Evaluation(tuple(m["objectives"]), tuple(m["violations"]), m["info"]), f"member-{i:03d}"))
    return designs


def _write_card(store: RunStore, config: RunConfig, evolution: Evolution, front: dict[str, Any],
                logbook: list[dict[str, Any]], started: str, wall_time_s: float) -> None:
    """run.json; after a resume the start time is the first session's and the wall time
    adds up every session's."""
    from gadesign.runcard import make_card

    previous = store.read_card(missing_ok=True)
    if previous is not None:
        started = str(previous.get("started") or started)
        wall_time_s += float(previous.get("wall_time_s") or 0.0)
    ref = evolution.hv_reference
    reference = None if ref is None else [float(v) * s for v, s in zip(ref, evolution.signs)]
    store.write_card(make_card(config.to_json(), front, logbook, reference, started, wall_time_s))


def front_document(name: str, problem: Problem, evolution: Evolution) -> dict[str, Any]:
    """front.json content: schema 1, readable without gadesign."""
    front = evolution.front()
    members = [{"genome": problem.genome.to_json(g), "objectives": list(e.objectives),
                "violations": list(e.violations), "info": jsonable(e.info)}
               for g, e in zip(front.genomes, front.evaluations)]
    return {"schema": 1, "problem": name,
            "objectives": [o.to_json() for o in problem.objectives],
            "constraints": list(problem.constraints), "members": members}


def _write_extras(store: RunStore, problem: Problem, front: dict[str, Any], logbook: list[dict[str, Any]],
                  on_export: ExportCallback | None, evaluator: SerialEvaluator) -> list[str]:
    """Plots and the problem's own field formats for every front member, the members on
    the run's local workers when it has them (``evaluator.export_designs``); ``on_export(i,
    n)`` after each design (exporting can take a minute: the caller shows progress).
    Returns the designs whose export failed (``STEM: Type: message`` each)."""
    from gadesign import plots
    plots.write_run_plots(store, front, logbook, known_front(problem))
    if getattr(problem, "export", None) is None:
        return []
    n = len(front["members"])
    if on_export is not None:
        on_export(0, n)
    designs = _front_designs(problem, front)
    return evaluator.export_designs(designs, store.designs_dir,
                                    None if on_export is None else lambda k: on_export(k, n))


def finished(store: RunStore, config: RunConfig) -> bool:
    """True when the run's newest checkpoint is at its full budget and its results are
    written: there is nothing left for ``resume`` to do. The run card (``run.json``) is
    the last result a run writes, after the front, plots and designs: a run stopped
    (Ctrl-C) while writing those has a front but no card, and ``resume`` writes the rest."""
    found = store.checkpoints()
    if not found or not (store.root / "front.json").is_file() or not store.card_path.is_file():
        return False
    m = CHECKPOINT_RE.match(found[-1].name)
    return m is not None and config.generations is not None and int(m.group(1)) >= config.generations


def known_front(problem: Problem) -> np.ndarray | None:
    """The problem's analytic front in its own objective directions, if it has one (2-D
    only). A ``true_front`` that raises or gives no (k, 2) array of numbers is left out of
    the plots with a warning: it is a decoration, not worth a run's remaining results."""
    import warnings

    true_front = getattr(problem, "true_front", None)
    if true_front is None or len(problem.objectives) != 2:
        return None
    try:
        points = np.asarray(true_front(500), dtype=float)
    except Exception as exc:  # noqa: BLE001 - plugin code
        warnings.warn(f"problem {problem.name!r}: true_front() failed ({type(exc).__name__}: {exc}); "
                      "the plots leave the true front out", RuntimeWarning, stacklevel=2)
        return None
    if points.ndim != 2 or points.shape[1] != 2:
        warnings.warn(f"problem {problem.name!r}: true_front(500) gave an array of shape {points.shape}, "
                      "not (k, 2); the plots leave the true front out", RuntimeWarning, stacklevel=2)
        return None
    return points


def objectives_of(front: dict[str, Any]) -> list[Objective]:
    return [Objective(o["name"], o["direction"], o.get("unit", "")) for o in front["objectives"]]
