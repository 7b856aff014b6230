"""``antenna-tdrs``: which representation, by evidence -- the axial-mode helix against the
crossed Yagi-Uda fed in quadrature, with SHORT runs of the same evaluation budget.

For each representation and seed: ``gadesign evolve antenna-tdrs --set
representation=R --pop P --generations G --seed S`` (in this process, one worker,
its exports in a temporary folder), then from its logbook the least constraint violation (the summed shortfall from
the design targets, dB; 0 = every target met) after each generation, and from its
front the least violating design's worst cases against the bare requirements. CPU
seconds are this process's (the machine is shared; wall time says little).

This is a short screening run, not the full default budget: it says which representation
gets closer to the requirements per evaluation, not whether either meets them.

    python benchmarks/antenna_tdrs_representations.py [--pop 20] [--generations 12] [--seeds 1,2,3]
    python benchmarks/antenna_tdrs_representations.py --reps helix &   # one process per representation
    python benchmarks/antenna_tdrs_representations.py --reps yagi
    # what ran this session (a loaded machine): --pop 16 --generations 10 --seeds 1,2
    #   --set refinement=1 --set points_per_band=2, one process per representation
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import subprocess
import tempfile
import time
from pathlib import Path

from gadesign.atomic import atomic_write_text

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

OUT = Path(__file__).parent / "out" / "antenna_tdrs_representations.json"


def run_one(rep: str, seed: int, pop: int, gens: int, work: Path, sets: list[str]) -> dict:
    from gadesign.cli import main

    out = work / f"{rep}-{seed}"
    t = time.process_time()
    rc = main(["evolve", "antenna-tdrs", "--pop", str(pop), "--generations", str(gens), "--seed", str(seed),
               "--out", str(out), "--quiet", "--set", f"representation={rep}", *[a for kv in sets for a in ("--set", kv)]])
    cpu = time.process_time() - t
    if rc != 0:
        raise SystemExit(f"run {rep} seed {seed} failed with exit code {rc}")
    log = list(csv.DictReader((out / "logbook.csv").open()))
    front = json.loads((out / "front.json").read_text())["members"]
    best = min(front, key=lambda m: m["violations"][0])
    info = best["info"]
    return {"representation": rep, "seed": seed, "evaluations": int(log[-1]["evals"]), "cpu_s": round(cpu, 1),
            "min_violation_by_generation": [round(float(r["min_violation"]), 3) for r in log],
            "best_violation": best["violations"][0],
            "best_requirement_margins": info.get("requirement_margins"),
            "best_design": {k: info.get(k) for k in ("representation", "turns", "directors", "height_wl",
                                                      "boresight_dbic", "min_fov_dbic", "max_sidelobe_dbic",
                                                      "max_fov_axial_ratio_db", "vswr_per_frequency")}}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pop", type=int, default=20)
    ap.add_argument("--generations", type=int, default=12)
    ap.add_argument("--seeds", default="1,2,3")
    ap.add_argument("--reps", default="helix,yagi", help="representations, comma-separated")
    ap.add_argument("--set", dest="sets", action="append", default=[],
                    help="problem parameter key=value for every run (e.g. refinement=1), repeatable")
    ap.add_argument("--out", type=Path, default=None,
                    help="JSON (default benchmarks/out/antenna_tdrs_representations[_REP].json)")
    args = ap.parse_args()
    seeds = [int(s) for s in args.seeds.split(",")]
    reps = args.reps.split(",")
    out = args.out or (OUT if len(reps) > 1 else OUT.with_name(f"{OUT.stem}_{reps[0]}.json"))
    runs: list[dict] = []
    with tempfile.TemporaryDirectory() as tmp:
        for seed in seeds:
            for rep in reps:
                runs.append(run_one(rep, seed, args.pop, args.generations, Path(tmp), args.sets))
                r = runs[-1]
                print(rep, seed, r["evaluations"], r["cpu_s"], r["best_violation"], flush=True)
                write(out, runs, reps, seeds, args)      # after every run: a cut-short benchmark keeps what ran


def write(out: Path, runs: list[dict], reps: list[str], seeds: list[int], args: argparse.Namespace) -> None:
    summary = {}
    for rep in reps:
        rr = [r for r in runs if r["representation"] == rep]
        if not rr:
            continue
        summary[rep] = {"best_violation_per_seed": [r["best_violation"] for r in rr],
                        "median_best_violation": sorted(r["best_violation"] for r in rr)[len(rr) // 2],
                        "cpu_s_per_evaluation": round(sum(r["cpu_s"] for r in rr) / sum(r["evaluations"] for r in rr), 3)}
    commit = subprocess.run(["git", "rev-parse", "HEAD"], check=False, capture_output=True, text=True).stdout.strip()
    doc = {"benchmark": "antenna_tdrs_representations", "commit": commit, "machine": platform.platform(),
           "budget": {"pop": args.pop, "generations": args.generations, "seeds": seeds, "set": args.sets},
           "runs_done": len(runs),
           "note": "screening runs at nice 19 on a shared 2-core machine; CPU seconds are process time",
           "summary": summary, "runs": runs}
    out.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(out, json.dumps(doc, indent=1))


if __name__ == "__main__":
    main()
