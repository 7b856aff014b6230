"""Where scale-out stops paying: Amdahl and Gustafson with measured terms.

Per generation of ``n`` designs on ``W`` Dask workers (DaskEvaluator: ``k = min(n, W)``
chunk tasks, one per worker)::

    T_1(n) = e(n) + n * t                                     one process, no Dask
    T_W(n) = e(n) + c_gen + k * c_task + ceil(n / W) * t      the cluster

* ``t``: seconds per evaluation and ``e(n)``: the engine's serial work per generation
  (variation, duplicate checks, survival, statistics), both measured here as CPU time by
  running the engine serially with a timing evaluator at pop 100 and pop 400 (``e(n) =
  e(100) * (n / 100) ** beta`` through the two); CPU time, because the 2-core machine is
  shared and wall time would count the wait for a core;
* ``c_gen``, ``c_task``: Dask's cost per generation and per chunk task, measured by
  benchmarks/scaling_dask.py at its largest worker count as CPU time of the process
  that holds client and scheduler (``--overheads``; wall time of ``--dask`` if that
  file is missing), taken as constant beyond it (one scheduler handles the tasks one
  after another, so ``k * c_task`` grows with W).

Amdahl: a fixed population (n = pop, the problem's default). Gustafson: the population
grows with the cluster (n = 8 designs per worker, as benchmarks/scaling_dask.py measures). The model is checked first on what
was measured: it predicts the efficiency of every sleeping-evaluation run of
scaling_dask.json from that run's own cost terms, beside the measured efficiency.

Writes benchmarks/out/scaling_model.json and docs/scaling_model.png. Usage:
python benchmarks/scaling_model.py [--generations 5]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import time
from pathlib import Path
from typing import Any, Sequence

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402

from gadesign.algorithms import make_algorithm  # noqa: E402
from gadesign.atomic import atomic_write_json  # noqa: E402
from gadesign.engine import Evolution  # noqa: E402
from gadesign.evaluation import safe_evaluate  # noqa: E402
from gadesign.registry import make_problem  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
PREDICT_AT = (64, 256, 1024)
PER_WORKER = 8  # Gustafson: designs per worker in a generation (pop 256 on 32 workers)


class TimedEvaluator:
    """Serial evaluation that adds up the seconds it spends. A ``parallel_repair`` genome's
    children are repaired inside it (``repair_evaluate``), as on a pool or a Dask cluster,
    so their repair counts as evaluation time ``t``, not as the engine's serial work."""

    workers = 1
    timeout = None
    parallel_repair_evaluate = True

    def __init__(self, problem: Any) -> None:
        self.problem, self.seconds, self.designs = problem, 0.0, 0

    def __call__(self, xs: Sequence[Any]) -> list[Any]:
        t = time.process_time()
        out = safe_evaluate(self.problem, xs)
        self.seconds += time.process_time() - t
        self.designs += len(xs)
        return out

    def repair_evaluate(self, xs: Sequence[Any], skip: Any = ()) -> list[tuple[Any, Any]]:
        t = time.process_time()
        ys = [self.problem.genome.repair(x) for x in xs]
        self.seconds += time.process_time() - t
        return list(zip(ys, self(ys)))


def engine_terms(name: str, pop: int, generations: int) -> dict[str, float]:
    """Seconds per evaluation and engine seconds per generation, serial, after generation 0
    and one more generation (its first variation pays one-off work: the ST5 tree's repair
    takes 1.8 s the first time, 0.03 s after), as CPU time of this single-threaded process
    (OPENBLAS_NUM_THREADS=1): what they take on a quiet machine, whatever other jobs do
    meanwhile (their wall time would count the wait)."""
    problem = make_problem(name, {})
    algorithm = (getattr(problem, "defaults", {}) or {}).get("algorithm", "nsga2")
    ev = TimedEvaluator(problem)
    evo = Evolution(problem, make_algorithm(algorithm, len(problem.objectives), pop), pop,
                    np.random.Generator(np.random.PCG64(1)), ev)
    evo.initialise()
    evo.statistics()
    evo.step()  # warm: one-off first-call work is no part of a generation's cost
    ev.seconds, ev.designs = 0.0, 0
    t = time.process_time()
    for _ in range(generations):
        evo.step()
        evo.statistics()  # the logbook row every run computes
    wall = time.process_time() - t
    return {"pop": pop, "generations": generations, "per_evaluation_s": ev.seconds / max(1, ev.designs),
            "engine_per_generation_s": (wall - ev.seconds) / generations,
            "designs_per_generation": ev.designs / generations}


def cluster_time(n: int, workers: int, t: float, engine: float, c_gen: float, c_task: float) -> float:
    k = min(n, workers)  # DaskEvaluator: one chunk task per worker
    return engine + c_gen + k * c_task + math.ceil(n / workers) * t


def speedup(n: int, workers: int, t: float, engine: float, c_gen: float, c_task: float) -> float:
    return (engine + n * t) / cluster_time(n, workers, t, engine, c_gen, c_task)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--generations", type=int, default=5)
    ap.add_argument("--dask", type=Path, default=ROOT / "benchmarks" / "out" / "scaling_dask.json")
    ap.add_argument("--overheads", type=Path, default=ROOT / "benchmarks" / "out" / "scaling_dask_overheads.json",
                    help="c_gen, c_task as CPU time (scaling_dask.py --sleep-ms with no values); "
                         "if missing, the wall-time terms of --dask")
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "out" / "scaling_model.json")
    ap.add_argument("--plot", type=Path, default=ROOT / "docs" / "scaling_model.png")
    args = ap.parse_args()
    dask = json.loads(args.dask.read_text())
    runs = sorted(dask["runs"], key=lambda r: r["workers"])

    # 1. the model against the measured sleeping-evaluation runs
    check = []
    for run in runs:
        o = run["overheads"]
        for ms, m in run["sleep"].items():
            n, w, t = m["designs_per_generation"], run["workers"], float(ms) / 1e3
            ideal = m["ideal_generation_s"]
            predicted = ideal / cluster_time(n, w, t, 0.0, o["c_gen_s"], o["c_task_s"])
            check.append({"workers": w, "sleep_ms": float(ms), "measured_efficiency": m["efficiency_mean"],
                          "predicted_efficiency": round(predicted, 4)})
            print(f"check: {w} workers {ms} ms: measured {m['efficiency_mean']:.1%}, model {predicted:.1%}")

    # 1b. the same runs predicted from the CPU-time terms measured at the same worker count:
    # what they would give with the client and scheduler never waiting for a core; and the
    # configuration used before (4 designs per worker, 2 chunk tasks per worker)
    quiet: list[dict[str, Any]] = []
    if args.overheads.is_file():
        by_w = {r["workers"]: r["overheads"] for r in json.loads(args.overheads.read_text())["runs"]}
        for run in runs:
            o = by_w.get(run["workers"])
            for ms in run["sleep"] if o else ():
                w, t = run["workers"], float(ms) / 1e3
                for per_worker, chunks_per_worker in ((dask.get("per_worker", PER_WORKER), 1), (4, 2)):
                    n = per_worker * w
                    ideal = per_worker * t
                    total = o["c_gen_cpu_s"] + chunks_per_worker * w * o["c_task_cpu_s"] + ideal
                    quiet.append({"workers": w, "sleep_ms": float(ms), "designs_per_worker": per_worker,
                                  "chunks_per_worker": chunks_per_worker, "designs_per_generation": n,
                                  "predicted_efficiency_cpu_terms": round(ideal / total, 4)})
                    print(f"quiet-machine prediction: {w} workers {ms} ms, {per_worker} designs and "
                          f"{chunks_per_worker} chunk(s) per worker: {ideal / total:.1%}")

    # 2. the measured terms of the engine and the problems; Dask's terms at the largest
    # worker count, as CPU time of the client+scheduler process when measured (what they
    # cost on a quiet machine), else as wall time
    largest = runs[-1]
    terms = {"from_workers": largest["workers"], "c_gen_s": largest["overheads"]["c_gen_s"],
             "c_task_s": largest["overheads"]["c_task_s"], "kind": "wall time", "source": str(args.dask.name)}
    if args.overheads.is_file():
        over = max(json.loads(args.overheads.read_text())["runs"], key=lambda r: r["workers"])
        o = over["overheads"]
        terms = {"from_workers": over["workers"], "c_gen_s": o["c_gen_cpu_s"], "c_task_s": o["c_task_cpu_s"],
                 "kind": "CPU time of the client+scheduler process", "source": str(args.overheads.name),
                 "wall_time_same_run": {"c_gen_s": o["c_gen_s"], "c_task_s": o["c_task_s"]}}
    c_gen, c_task = terms["c_gen_s"], terms["c_task_s"]
    print(f"Dask terms ({terms['kind']}, {terms['from_workers']} workers): c_gen {c_gen * 1e3:.3g} ms, "
          f"c_task {c_task * 1e3:.3g} ms")
    problems: dict[str, Any] = {}
    for name in ("antenna-st5", "truss-10bar"):
        small = engine_terms(name, 100, args.generations)
        big = engine_terms(name, 400, max(2, args.generations // 2))
        beta = math.log(max(big["engine_per_generation_s"], 1e-9) / max(small["engine_per_generation_s"], 1e-9)) \
            / math.log(4.0)
        t = small["per_evaluation_s"]

        def engine(n: int, small: dict = small, beta: float = beta) -> float:
            return small["engine_per_generation_s"] * (n / 100.0) ** beta

        pop = 100
        serial_fraction = engine(pop) / (engine(pop) + pop * t)
        amdahl = {str(w): round(speedup(pop, w, t, engine(pop), c_gen, c_task), 3) for w in PREDICT_AT}
        gustafson = {str(w): round(speedup(PER_WORKER * w, w, t, engine(PER_WORKER * w), c_gen, c_task), 3)
                     for w in PREDICT_AT}
        best_w = max(range(1, 4097), key=lambda w: speedup(pop, w, t, engine(pop), c_gen, c_task))
        problems[name] = {"measured": {"pop_100": small, "pop_400": big, "engine_exponent_beta": round(beta, 3)},
                          "serial_fraction_at_pop_100": round(serial_fraction, 5),
                          "amdahl_pop_100": amdahl, "gustafson_8_per_worker": gustafson,
                          "best_workers_pop_100": best_w,
                          "best_speedup_pop_100": round(speedup(pop, best_w, t, engine(pop), c_gen, c_task), 3)}
        print(f"{name}: t {t * 1e3:.3g} ms, engine {engine(pop) * 1e3:.3g} ms/generation at pop 100 "
              f"(beta {beta:.2f}); Amdahl {amdahl}; Gustafson {gustafson}")

    doc = {
        "model": "T_W(n) = e(n) + c_gen + min(n, W) * c_task + ceil(n/W) * t ; speed-up = (e(n) + n t) / T_W(n)",
        "machine": {"python": platform.python_version(), "platform": platform.platform(),
                    "cpu_count": os.cpu_count(), "load_average": list(os.getloadavg())},
        "commit": os.environ.get("GADESIGN_COMMIT") or dask.get("commit", "unknown"),
        "dask_terms": terms,
        "engine_terms": "CPU time of a serial run (single-threaded), see engine_terms()",
        "model_check_on_sleep_runs": check,
        "sleep_runs_predicted_from_cpu_terms": quiet,
        "predictions_at": list(PREDICT_AT),
        "problems": problems,
    }
    atomic_write_json(args.out, doc)
    plot(doc, runs, args.plot, c_gen, c_task)
    print(f"wrote {args.out} and {args.plot}")


def plot(doc: dict[str, Any], runs: list[dict[str, Any]], path: Path, c_gen: float, c_task: float) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4.2))
    ws = np.unique(np.logspace(0, np.log10(2048), 60).astype(int))
    for name, style in (("antenna-st5", "-"), ("truss-10bar", "--")):
        m = doc["problems"][name]["measured"]
        t, e100, beta = m["pop_100"]["per_evaluation_s"], m["pop_100"]["engine_per_generation_s"], \
            m["engine_exponent_beta"]
        ax1.plot(ws, [speedup(100, w, t, e100, c_gen, c_task) for w in ws], style, label=f"{name}, pop 100 (Amdahl)")
        ax1.plot(ws, [speedup(PER_WORKER * w, w, t, e100 * (PER_WORKER * w / 100) ** beta, c_gen, c_task)
                      for w in ws], style, alpha=0.5, label=f"{name}, {PER_WORKER} designs/worker (Gustafson)")
    ax1.plot(ws, ws, ":", color="grey", label="ideal")
    ax1.set(xscale="log", yscale="log", xlabel="Dask workers", ylabel="predicted speed-up over one process",
            title="Model with measured terms")
    ax1.axhline(1, color="k", lw=0.5)
    ax1.legend(fontsize=7)
    for ms, marker in (("10", "o"), ("100", "s"), ("1000", "^")):
        rows = [r for r in doc["model_check_on_sleep_runs"] if r["sleep_ms"] == float(ms)]
        if not rows:
            continue
        w = [r["workers"] for r in rows]
        line, = ax2.plot(w, [r["measured_efficiency"] for r in rows], marker, label=f"{ms} ms measured")
        ax2.plot(w, [r["predicted_efficiency"] for r in rows], "-", color=line.get_color(), alpha=0.6,
                 label=f"{ms} ms model")
    ax2.axhline(0.85, color="k", lw=0.5, ls=":")
    ax2.set(xscale="log", xlabel="Dask workers (LocalCluster on 2 cores)", ylabel="fraction of ideal throughput",
            ylim=(0, 1.05), title="Sleeping evaluations: measured vs model")
    ax2.legend(fontsize=7)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp.png")
    fig.savefig(tmp, dpi=110)
    os.replace(tmp, path)
    plt.close(fig)


if __name__ == "__main__":
    main()
