"""Topology on ground structures: the GA's gap to the plastic-design LP optimum.

For one load case and stress limits only, the linear programme of
``gadesign_problems.truss.layout`` gives the exact minimum weight over the ground
structure (a lower bound for the elastic problem, which also needs stability and minimum
areas). ``truss-ground --set mode=weight --set method=lp`` seeds the GA with that layout
made stable; ``method=ga`` is the GA alone. Three ground structures (written here with
``ground_structure``, the same as ``gadesign truss ground``):

- 38 members: 5 x 3 grid, 4 x 2 box, cantilever, 100 kips at the tip (issue 16's case);
- 558 members: 13 x 7 grid, reach 2.3, 12 x 6 box, 100 kips at mid-height of the free end;
- 623 members: 7 x 4 x 3 grid, reach 1.8, 6 x 3 x 2 box (3D), 100 kips at the free end.

Writes benchmarks/out/truss_layout.json. Usage: python benchmarks/truss_layout.py
[--seeds 1 2 3 4 5] [--methods lp ga] [--only 38 558 623]
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from gadesign.api import evolve  # noqa: E402
from gadesign.atomic import atomic_write_json  # noqa: E402
from gadesign.registry import make_problem  # noqa: E402
from gadesign_problems.truss.ground import ground_structure  # noqa: E402
from gadesign_problems.truss.structure import AreaSpec  # noqa: E402

OUT = Path(__file__).resolve().parent / "out" / "truss_layout.json"
AREA = AreaSpec.continuous(0.01, 10.0, removal_threshold=0.01)
XY, XYZ = [True, True], [True, True, True]
CASES = {
    "38": dict(shape=(5, 3), size=(4.0, 2.0), reach=1.5, supports=[((0, 0), XY), ((0, 2), XY)],
               loads=[((4, 0), (0.0, -100.0))]),
    "558": dict(shape=(13, 7), size=(12.0, 6.0), reach=2.3, supports=[((0, 0), XY), ((0, 6), XY)],
                loads=[((12, 3), (0.0, -100.0))]),
    "623": dict(shape=(7, 4, 3), size=(6.0, 3.0, 2.0), reach=1.8,
                supports=[((0, 0, 0), XYZ), ((0, 3, 0), XYZ), ((0, 0, 2), XYZ), ((0, 3, 2), XYZ)],
                loads=[((6, 0, 1), (0.0, -100.0, 0.0))]),
}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3, 4, 5])
    ap.add_argument("--methods", nargs="+", default=["lp"])
    ap.add_argument("--only", nargs="*", default=list(CASES))
    args = ap.parse_args()
    rows = json.loads(OUT.read_text())["runs"] if OUT.exists() else []
    with tempfile.TemporaryDirectory() as tmp:
        for key in args.only:
            path = Path(tmp) / f"ground{key}.json"
            ground_structure(**CASES[key], area=AREA).to_json(path)
            for method in args.methods:
                for seed in args.seeds:
                    started = time.perf_counter()
                    problem = make_problem("truss-ground", {"file": str(path), "mode": "weight", "method": method})
                    result = evolve(problem, seed=seed)
                    seconds = time.perf_counter() - started
                    feasible = [e for _, e in result.front if e.feasible]
                    best = min(e.objectives[0] for e in feasible) if feasible else None
                    row = {"ground": key, "members": problem.truss.n_members, "method": method, "seed": seed,
                           "lp_weight": problem.lp_weight, "best_weight": best,
                           "gap_percent": None if best is None else 100 * (best - problem.lp_weight) / problem.lp_weight,
                           "evaluations": result.logbook[-1]["evals"], "seconds": round(seconds, 1),
                           "budget": dict(problem.defaults)}
                    rows = [r for r in rows if (r["ground"], r["method"], r["seed"]) != (key, method, seed)] + [row]
                    print(f"{key:>4} members, {method}, seed {seed}: {best} vs LP {problem.lp_weight:.6g} "
                          f"({row['gap_percent']}) {row['evaluations']} evaluations, {row['seconds']} s", flush=True)
                    atomic_write_json(OUT, {"command": "python benchmarks/truss_layout.py", "runs": rows})


if __name__ == "__main__":
    main()
