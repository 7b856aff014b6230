"""``truss-sizing`` with its default budget on published benchmarks, seeds 1-3.

The validation set (tests/data/truss/validation, written from the papers' data; see its
README) and the three built-in continuous benchmarks read as plain user files. For each
truss and seed: the best feasible weight, its gap to the best published feasible weight
(``best_known[0].reported_weight`` of the file), and the evaluations spent (GA + the SLSQP
polish). No constant of the method was tuned on these files.

Writes benchmarks/out/truss_validation.json.
Usage: python benchmarks/truss_validation.py [--seeds 1 2 3] [--only NAME ...]
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from gadesign.api import evolve  # noqa: E402
from gadesign.atomic import atomic_write_json  # noqa: E402
from gadesign.registry import make_problem  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "out" / "truss_validation.json"
VALIDATION = ROOT / "tests" / "data" / "truss" / "validation"
BUILT_IN = ROOT / "problems" / "truss" / "data"
FILES = [VALIDATION / n for n in ("seventeenbar.json", "threebar.json", "tenbar_case2.json", "tenbar_stress.json",
                                  "fiftytwobar.json", "twohundredbar.json")] + \
        [BUILT_IN / n for n in ("tenbar.json", "twentyfivebar.json", "seventytwobar.json")]


def published(path: Path) -> tuple[float, str]:
    data = json.loads(path.read_text())
    if data.get("targets"):
        t = data["targets"]["continuous"]
        return float(t["weight"]), str(t.get("source", ""))
    best = data["best_known"][0]
    return float(best["reported_weight"]), str(best.get("design", best.get("src", "")))


def run_one(path: Path, seed: int) -> dict:
    problem = make_problem("truss-sizing", {"file": str(path)})
    count = [0]
    inner = problem.evaluate_many

    def counted(xs):
        count[0] += len(xs)
        return inner(xs)

    problem.evaluate_many = counted  # counts the GA's and the SLSQP polish's evaluations alike
    started = time.perf_counter()
    result = evolve(problem, seed=seed)
    seconds = time.perf_counter() - started
    feasible = [(x, e) for x, e in result.front if e.feasible]
    best = min(e.objectives[0] for _, e in feasible) if feasible else None
    target, source = published(path)
    return {"file": path.name, "seed": seed, "best_weight": best, "feasible": bool(feasible),
            "published": target, "published_source": source,
            "gap_percent": None if best is None else 100.0 * (best - target) / target,
            "evaluations": count[0], "seconds": round(seconds, 1), "catalogue": problem.catalogue,
            "budget": {**problem.defaults}}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    ap.add_argument("--only", nargs="*", default=None, help="file names to run (default: all)")
    args = ap.parse_args()
    rows = json.loads(OUT.read_text())["runs"] if OUT.exists() and args.only else []
    for path in FILES:
        if args.only and path.name not in args.only:
            continue
        for seed in args.seeds:
            row = run_one(path, seed)
            rows = [r for r in rows if (r["file"], r["seed"]) != (row["file"], row["seed"])] + [row]
            print(f"{row['file']:22s} seed {seed}: {row['best_weight']:.6g} ({row['gap_percent']:+.3f} %) "
                  f"{row['evaluations']} evaluations, {row['seconds']} s", flush=True)
            atomic_write_json(OUT, {"command": "python benchmarks/truss_validation.py", "runs": rows})


if __name__ == "__main__":
    main()
