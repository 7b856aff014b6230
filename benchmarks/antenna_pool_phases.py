"""Where ``antenna-st5``'s time goes with and without a pool: generation 0, the generations
and the end polish, serial against ``--workers 2`` with the main process helping a warm
pool and without (issue 19).

Each run is a new Python process (as a user's ``gadesign evolve``: imports and the
compiled kernels' loading count), the three settings alternate ``--repeat`` times and,
per setting, the run with the least total is kept along with every run's phases. The
fronts of all runs must be identical (evaluation is a pure function of the genome).

Writes benchmarks/out/antenna_pool_phases.json. Usage:
python benchmarks/antenna_pool_phases.py [--pop 100] [--generations 20] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from antenna_evolve import add_budget_arguments, commit  # noqa: E402  (this folder is on sys.path as a script)

SETTINGS = {"serial": (1, None), "workers 2, main process helps": (2, True), "workers 2 (default)": (2, None)}


def one(setting: str, pop: int, generations: int, seed: int) -> dict:
    """One run in this process: seconds per phase and the front's objectives."""
    import numpy as np

    from gadesign.algorithms import make_algorithm
    from gadesign.engine import Evolution
    from gadesign.evaluation import ProcessPoolEvaluator, SerialEvaluator
    from gadesign_problems.antenna.st5 import antenna_st5

    workers, local_help = SETTINGS[setting]
    t0 = time.perf_counter()
    problem = antenna_st5()
    evaluator = SerialEvaluator(problem) if workers == 1 else ProcessPoolEvaluator(problem, workers,
                                                                                    local_help=local_help)
    with evaluator:
        evo = Evolution(problem, make_algorithm("nsga2", len(problem.objectives), pop), pop,
                        np.random.Generator(np.random.PCG64(seed)), evaluator)
        evo.initialise()
        t1 = time.perf_counter()
        for _ in range(generations):
            evo.step()
        t2 = time.perf_counter()
        evo.refine_best(int(problem.defaults.get("refine", 0)))
        t3 = time.perf_counter()
    t4 = time.perf_counter()
    return {"generation_0_s": round(t1 - t0, 3), "generations_s": round(t2 - t1, 3),
            "end_polish_s": round(t3 - t2, 3), "total_s": round(t4 - t0, 3),
            "front": [[list(e.objectives), list(e.violations)] for e in evo.front().evaluations]}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_budget_arguments(ap)
    ap.add_argument("--one", choices=list(SETTINGS), help=argparse.SUPPRESS)
    ap.add_argument("--out", type=Path, default=Path(__file__).parent / "out" / "antenna_pool_phases.json")
    args = ap.parse_args()
    if args.one:
        print(json.dumps(one(args.one, args.pop, args.generations, args.seed)))
        return
    from gadesign.atomic import atomic_write_json

    load_before = list(os.getloadavg())
    runs: dict[str, list[dict]] = {name: [] for name in SETTINGS}
    for _ in range(args.repeat):  # alternate, so every setting sees the same drift
        for name in SETTINGS:
            out = subprocess.run([sys.executable, __file__, "--one", name, "--pop", str(args.pop), "--generations",
                                  str(args.generations), "--seed", str(args.seed)],
                                 check=True, capture_output=True, text=True).stdout
            runs[name].append(json.loads(out.strip().splitlines()[-1]))
            print(name, {k: v for k, v in runs[name][-1].items() if k != "front"}, flush=True)
    fronts = {json.dumps(r.pop("front")) for rs in runs.values() for r in rs}
    best = {name: min(rs, key=lambda r: r["total_s"]) for name, rs in runs.items()}
    serial = best["serial"]["total_s"]
    doc = {
        "benchmark": "antenna-st5: generation 0, generations and end polish, serial and 2 workers with and "
                     "without the main process evaluating beside a warm pool",
        "machine": {"cpu_count": os.cpu_count(), "load_average_before": load_before,
                    "load_average_after": list(os.getloadavg())},
        "commit": commit(),
        "budget": {"pop": args.pop, "generations": args.generations, "seed": args.seed, "repeat": args.repeat},
        "best": best,
        "speedup_of_best_total": {name: round(serial / b["total_s"], 3) for name, b in best.items()},
        "runs": runs,
        "same_front_in_every_run": len(fronts) == 1,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_json(args.out, doc)
    print(json.dumps({k: doc[k] for k in ("speedup_of_best_total", "same_front_in_every_run")}))


if __name__ == "__main__":
    main()
