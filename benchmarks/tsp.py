"""TSP quality: the memetic GA (default budget of the tsp problem) on the shipped TSPLIB
instances, seeds 1-5, against their proven optimal tour lengths (TSPLIB's solutions list).

Writes benchmarks/out/tsp.json. Usage: python benchmarks/tsp.py
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from gadesign import evolve  # noqa: E402
from gadesign.atomic import atomic_write_text  # noqa: E402
from gadesign_problems.testfunctions.tsp import OPTIMA, tsp  # noqa: E402

OUT = Path(__file__).resolve().parent / "out" / "tsp.json"


def main() -> None:
    rows = []
    for instance, optimum in OPTIMA.items():
        for seed in range(1, 6):
            problem = tsp(instance)
            started = time.perf_counter()
            result = evolve(problem, seed=seed)  # the problem's default budget (GA, pop 50 x 100 generations)
            (_, e), = result.front
            rows.append({"instance": instance, "seed": seed, "length": e.objectives[0], "optimum": optimum,
                         "gap_percent": 100.0 * (e.objectives[0] / optimum - 1.0),
                         "evaluations": result.logbook[-1]["evals"], "seconds": time.perf_counter() - started})
            print(json.dumps(rows[-1]), flush=True)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(OUT, json.dumps({"benchmark": "tsp", "local_search": "2-opt + Or-opt (memetic)",
                                       "runs": rows}, indent=1) + "\n")


if __name__ == "__main__":
    main()
