"""Evaluations per second: serial vs process pool (2) vs Dask LocalCluster (2), in one run.

The problem is ``zdt1-faulty`` with ``cost_ms=10``: every evaluation burns 10 ms of CPU,
like a small EM or FEM solve. Each evaluator evaluates the same batches of random
genomes (the population of a generation); we report evaluations per second, the
speed-up over serial, and Dask's overhead per task (a no-op ``client.map`` over 2,000
tasks, and the extra time of our chunked batches over serial at zero cost).

Writes benchmarks/out/scaling.json. Usage: python benchmarks/scaling.py [--quick]
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402

from gadesign.atomic import atomic_write_json  # noqa: E402
from gadesign.evaluation import make_evaluator  # noqa: E402
from gadesign.registry import make_problem  # noqa: E402


def rate(evaluator, batches) -> float:
    evaluator(batches[0][:4])  # warm up: workers started, problem shipped
    t = time.perf_counter()
    n = 0
    for batch in batches:
        n += len(evaluator(batch))
    return n / (time.perf_counter() - t)


def noop(x: int) -> int:
    return x


def dask_task_overhead(n_tasks: int = 2000) -> float:
    from dask.distributed import Client, LocalCluster
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                      silence_logs=50) as cluster, Client(cluster) as client:
        client.gather(client.map(noop, range(10)))
        t = time.perf_counter()
        client.gather(client.map(noop, range(n_tasks), pure=False))
        return (time.perf_counter() - t) / n_tasks


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    pop, n_batches = (40, 2) if args.quick else (100, 5)
    problem = make_problem("zdt1-faulty", {"cost_ms": 10.0})
    rng = np.random.default_rng(1)
    batches = [problem.genome.sample_many(pop, rng) for _ in range(n_batches)]
    report: dict[str, object] = {"machine": {"platform": platform.platform(), "cpus": os.cpu_count(),
                                 "load_average_at_start": os.getloadavg()},
                                 "problem": "zdt1-faulty cost_ms=10", "batch": pop, "batches": n_batches}
    rates = {}
    for name, kwargs in (("serial", {}), ("process_pool_2", {"workers": 2}), ("dask_local_2", {"dask": "local:2"})):
        with make_evaluator(problem, **kwargs) as evaluator:
            rates[name] = rate(evaluator, batches)
        print(f"{name}: {rates[name]:.1f} evaluations/s")
    report["evaluations_per_second"] = rates
    report["speedup_over_serial"] = {k: v / rates["serial"] for k, v in rates.items()}
    free = make_problem("zdt1-faulty", {"cost_ms": 0.0})
    zero = [free.genome.sample_many(pop, rng) for _ in range(n_batches)]
    with make_evaluator(free) as serial, make_evaluator(free, dask="local:2") as dask:
        t_serial = len(zero) * pop / rate(serial, zero)
        t_dask = len(zero) * pop / rate(dask, zero)
        tasks = len(zero) * min(pop, 2 * 2)  # our Dask evaluator sends 2 chunks per worker
    report["dask_overhead_per_chunk_task_ms"] = 1e3 * (t_dask - t_serial) / tasks
    report["dask_noop_task_ms"] = 1e3 * dask_task_overhead(500 if args.quick else 2000)
    print(f"speed-up: {report['speedup_over_serial']}")
    print(f"Dask overhead: {report['dask_noop_task_ms']:.2f} ms per no-op task, "
          f"{report['dask_overhead_per_chunk_task_ms']:.2f} ms per chunk of our batches")
    out = Path(__file__).resolve().parent / "out" / "scaling.json"
    atomic_write_json(out, report)
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
