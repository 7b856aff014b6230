"""``--workers auto`` against the better of ``--workers 1`` and ``--workers 2`` (issue 19, point 3).

Two problems at the ends of the range: truss-10bar (evaluations of ~0.05 ms, vectorised;
the pool cannot pay) and antenna-st5 (several ms per evaluation; it can). Each setting
runs the same seeded budget through ``gadesign.evolve``; the three settings are run
alternately ``--repeat`` times and the best wall time of each kept (the machine is
shared: the load average is recorded). Reports what auto chose and its time over the
better fixed choice (goal: at most 1.10).

Writes benchmarks/out/scaling_auto.json. Usage:
python benchmarks/scaling_auto.py [--repeat 3] [--antenna-generations 20]
"""

from __future__ import annotations

import argparse
import logging
import os
import platform
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402

from antenna_evolve import commit  # noqa: E402  (this folder is on sys.path when run as a script)

from gadesign import evolve  # noqa: E402
from gadesign.atomic import atomic_write_json  # noqa: E402
from gadesign.registry import make_problem  # noqa: E402


class Notes(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def run(name: str, workers: int | str, pop: int, generations: int) -> tuple[float, np.ndarray, str]:
    notes = Notes()
    logger = logging.getLogger("gadesign")
    logger.addHandler(notes)
    try:
        problem = make_problem(name, {})
        t = time.perf_counter()
        result = evolve(problem, pop=pop, generations=generations, seed=1, workers=workers)
        wall = time.perf_counter() - t
    finally:
        logger.removeHandler(notes)
    choice = next((m for m in reversed(notes.messages) if m.startswith("note: --workers auto")), "")
    return wall, result.objectives(), choice


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--antenna-generations", type=int, default=20)
    ap.add_argument("--truss-generations", type=int, default=300)
    ap.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "out" / "scaling_auto.json")
    args = ap.parse_args()
    doc: dict[str, Any] = {
        "benchmark": "--workers auto vs the better of --workers 1 and 2, best of --repeat alternating runs",
        "machine": {"python": platform.python_version(), "platform": platform.platform(),
                    "cpu_count": os.cpu_count(), "load_average_before": list(os.getloadavg())},
        "commit": os.environ.get("GADESIGN_COMMIT") or commit(), "repeat": args.repeat, "problems": {}}
    for name, generations in (("truss-10bar", args.truss_generations), ("antenna-st5", args.antenna_generations)):
        times: dict[str, list[float]] = {"1": [], "2": [], "auto": []}
        fronts: dict[str, np.ndarray] = {}
        choices = []
        for _ in range(args.repeat):
            for setting in ("1", "2", "auto"):
                workers = setting if setting == "auto" else int(setting)
                wall, front, choice = run(name, workers, 100, generations)
                times[setting].append(round(wall, 3))
                fronts[setting] = front
                if setting == "auto":
                    choices.append(choice)
            print(name, {k: v[-1] for k, v in times.items()}, flush=True)
        best = {k: min(v) for k, v in times.items()}
        better_fixed = min(best["1"], best["2"])
        doc["problems"][name] = {
            "pop": 100, "generations": generations, "wall_s": times, "best_s": best,
            "auto_over_better_fixed": round(best["auto"] / better_fixed, 3),
            "auto_choices": choices,
            "same_front": {k: bool(np.array_equal(fronts[k], fronts["1"])) for k in ("2", "auto")},
        }
        print(name, "auto / better fixed:", doc["problems"][name]["auto_over_better_fixed"], choices[-1], flush=True)
    doc["machine"]["load_average_after"] = list(os.getloadavg())
    atomic_write_json(args.out, doc)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
