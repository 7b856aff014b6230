"""Dask at cluster size on one machine: 8, 16 and 32 worker processes on evaluations that
sleep 10, 100 and 1000 ms (I/O-bound stand-ins for an EM or FEM solve run elsewhere).

For every worker count a LocalCluster (processes=True, one thread per worker, the
workers' diagnostics off, as ``--dask local:N`` starts it) evaluates whole generations through gadesign's own
:class:`~gadesign.evaluation.DaskEvaluator` (the problem on every worker as a worker
plugin, the batch in chunks, results in order). A generation has ``--per-worker`` designs per worker
(default 8: a population of 256 on 32 workers, 64 on 8), so its ideal time is
``per_worker * sleep``; we report the measured evaluations per second against the ideal
``workers / sleep``, and the efficiency of ``--after-pause`` more generations each run
after ``PAUSE_S`` seconds of idling, as when the main process spends seconds between
generations (a checkpoint, a costly selection): Dask's memory manager thins data that no
task waits for every 2 s, which is what made a scattered problem cost 2.4 s generations
instead of 0.84 s on 8 workers (see :mod:`gadesign.dask_problem`). Then the
scheduler's own cost: generations of no-op evaluations in 1 chunk and in ``workers``
chunks (what DaskEvaluator sends: one chunk per worker) give the cost per generation
``c_gen`` and per chunk task ``c_task`` (``T(k) = c_gen + k * c_task``, best of 5 each), which benchmarks/scaling_model.py turns into predictions.

The machine has 2 cores shared with other jobs: sleeping workers need almost no CPU,
but the scheduler, the nannies and the client do, so the load average is recorded.

Writes benchmarks/out/scaling_dask.json. Usage:
python benchmarks/scaling_dask.py [--workers 8 16 32] [--sleep-ms 10 100 1000] [--quick]
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402

from gadesign.atomic import atomic_write_json  # noqa: E402
from gadesign.evaluation import DaskEvaluator, quiet_local_cluster  # noqa: E402
from gadesign.problem import Evaluation  # noqa: E402
from gadesign_problems.testfunctions.zdt import ZDT1  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
PAUSE_S = 2.5  # idle seconds before each --after-pause generation: longer than the memory manager's 2 s


def commit() -> str:
    """The git commit measured (``+dirty`` when gadesign/ has uncommitted changes)."""
    import subprocess

    try:
        rev = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                             text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "gadesign"], cwd=ROOT, capture_output=True,
                               text=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return rev + ("+dirty" if dirty else "")


class SleepyZDT1(ZDT1):
    """ZDT1 whose every evaluation first waits ``sleep_s`` seconds without using the CPU
    (a design sent to an external solver). Set per generation with :meth:`with_sleep`."""

    name = "zdt1-sleep"

    def __init__(self, sleep_s: float) -> None:
        super().__init__(10)
        self.sleep_s = float(sleep_s)

    def evaluate(self, x: np.ndarray) -> Evaluation:
        if self.sleep_s > 0:
            time.sleep(self.sleep_s)
        return super().evaluate_many([x])[0]

    evaluate_many = None  # type: ignore[assignment]  # one design at a time, like a real solver


def generation_times(evaluator: DaskEvaluator, batches: list[list[Any]]) -> list[float]:
    out = []
    for batch in batches:
        t = time.perf_counter()
        evaluator(batch)
        out.append(time.perf_counter() - t)
    return out


def overheads(problem: SleepyZDT1, address: str, workers: int, rng: np.random.Generator,
              repeats: int = 5) -> dict[str, float]:
    """c_gen and c_task (seconds) from generations of no-op evaluations in 1 and ``workers``
    chunks: wall time, and the CPU time of this process (``*_cpu_s``), which holds the
    client, the scheduler and the nannies of a LocalCluster, the part of Dask's work that
    runs one step after another (net of what the idle cluster costs it per second). On a
    quiet machine the two agree; under load from other jobs the wall time grows with the
    wait for a core and the CPU time hardly does."""
    batch = problem.genome.sample_many(8 * workers, rng)
    c, t = time.process_time(), time.perf_counter()
    time.sleep(3.0)
    idle = (time.process_time() - c) / (time.perf_counter() - t)  # heartbeats, monitors: netted out below
    times, cpu = {}, {}
    for k in (1, workers):
        with DaskEvaluator(problem, address, chunk_size=len(batch) // k) as ev:  # k chunks in all
            ev(batch)  # warm
            walls, cpus = [], []
            for _ in range(repeats):
                c, t = time.process_time(), time.perf_counter()
                ev(batch)
                walls.append(time.perf_counter() - t)
                cpus.append(time.process_time() - c - idle * walls[-1])
            times[k], cpu[k] = min(walls), float(np.median(cpus))
    k = workers
    c_task = max(0.0, (times[k] - times[1]) / (k - 1))
    c_task_cpu = max(0.0, (cpu[k] - cpu[1]) / (k - 1))
    return {"c_gen_s": times[1] - c_task, "c_task_s": c_task,
            "generation_1_chunk_s": times[1], f"generation_{k}_chunks_s": times[k],
            "c_gen_cpu_s": cpu[1] - c_task_cpu, "c_task_cpu_s": c_task_cpu,
            "generation_1_chunk_cpu_s": cpu[1], f"generation_{k}_chunks_cpu_s": cpu[k],
            "idle_cpu_cores": idle}


def measure(workers: int, sleeps_ms: list[float], per_worker: int, generations: int,
            rng: np.random.Generator, chunks_per_worker: int = 1, after_pause: int = 2) -> dict[str, Any]:
    from dask.distributed import Client

    t = time.perf_counter()
    cluster = quiet_local_cluster(workers)  # as --dask local:N starts it
    client = Client(cluster)
    client.wait_for_workers(workers, timeout=600)
    start_s = time.perf_counter() - t
    row: dict[str, Any] = {"workers": workers, "cluster_start_s": round(start_s, 2),
                           "load_average_after_start": list(os.getloadavg()), "sleep": {}}
    try:
        address = cluster.scheduler_address
        for ms in sleeps_ms:
            problem = SleepyZDT1(ms / 1e3)
            n = per_worker * workers
            gens = generations if ms < 1000 else max(2, generations // 2)
            batches = [problem.genome.sample_many(n, rng) for _ in range(gens)]
            with DaskEvaluator(problem, address, chunks_per_worker=chunks_per_worker) as ev:
                ev(batches[0][:workers])  # problem on the workers, workers warm
                times = generation_times(ev, batches)
                paused = []
                for batch in batches[:after_pause]:
                    time.sleep(PAUSE_S)
                    paused += generation_times(ev, [batch])
            ideal = per_worker * ms / 1e3
            best, mean = min(times), float(np.mean(times))
            row["sleep"][str(int(ms))] = {
                "designs_per_generation": n, "generations": gens,
                "generation_s": [round(x, 4) for x in times],
                "ideal_generation_s": ideal,
                "efficiency_mean": round(ideal / mean, 4), "efficiency_best": round(ideal / best, 4),
                "evaluations_per_s": round(n / mean, 2), "ideal_evaluations_per_s": workers / (ms / 1e3),
                "after_pause_s": PAUSE_S, "after_pause_generation_s": [round(x, 4) for x in paused],
                "after_pause_efficiency_mean": round(ideal / float(np.mean(paused)), 4) if paused else None,
            }
            pause = (f"; after {PAUSE_S:g} s idle: {ideal / float(np.mean(paused)):.1%}"
                     if paused else "")
            print(f"{workers} workers, {ms:g} ms: {ideal / mean:.1%} of ideal "
                  f"(best generation {ideal / best:.1%}){pause}", flush=True)
        row["overheads"] = overheads(SleepyZDT1(0.0), address, workers, rng)
        o = row["overheads"]
        print(f"{workers} workers: c_gen {o['c_gen_s'] * 1e3:.2f} ms, c_task {o['c_task_s'] * 1e3:.3f} ms "
              f"(CPU of client+scheduler: {o['c_gen_cpu_s'] * 1e3:.2f} ms, {o['c_task_cpu_s'] * 1e3:.3f} ms)",
              flush=True)
    finally:
        client.close()
        cluster.close()
    return row


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workers", type=int, nargs="+", default=[8, 16, 32])
    ap.add_argument("--sleep-ms", type=float, nargs="*", default=[10.0, 100.0, 1000.0],
                    help="none: measure only the overheads")
    ap.add_argument("--per-worker", type=int, default=8, help="designs per worker in a generation")
    ap.add_argument("--generations", type=int, default=5)
    ap.add_argument("--chunks-per-worker", type=int, default=1, help="DaskEvaluator's default is 1")
    ap.add_argument("--after-pause", type=int, default=2, help=f"generations run after {PAUSE_S:g} s idle each")
    ap.add_argument("--quick", action="store_true", help="8 workers, 10 and 100 ms, 3 generations")
    ap.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "out" / "scaling_dask.json")
    args = ap.parse_args()
    if args.quick:
        args.workers, args.sleep_ms, args.generations = [8], [10.0, 100.0], 3
    rng = np.random.default_rng(1)
    doc: dict[str, Any] = {
        "benchmark": "Dask LocalCluster (processes, 1 thread each) on sleeping evaluations, via DaskEvaluator",
        "machine": {"python": platform.python_version(), "platform": platform.platform(),
                    "cpu_count": os.cpu_count(), "load_average_before": list(os.getloadavg())},
        "commit": os.environ.get("GADESIGN_COMMIT") or commit(),
        "priority": f"nice {os.nice(0)}",
        "per_worker": args.per_worker, "chunks_per_worker": args.chunks_per_worker,
        "runs": [measure(w, args.sleep_ms, args.per_worker, args.generations, rng, args.chunks_per_worker,
                         args.after_pause)
                 for w in args.workers],
    }
    doc["machine"]["load_average_after"] = list(os.getloadavg())
    atomic_write_json(args.out, doc)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
