"""``antenna-tdrs``: what one ``gadesign evolve antenna-tdrs`` run costs and whether it meets.

Runs ``gadesign evolve antenna-tdrs --seed S`` (plus ``--args``; default: the problem's
default budget) as a child process and records its wall time, its CPU time (the whole
process tree's, the workers included: ``/proc`` polled every 0.5 s, so up to half a second
of a short-lived process may be missed), the evaluations it made (the logbook's ``evals``), CPU
seconds per evaluation, the generation at which a design first met the design targets
(the logbook's least violation 0) and the front member with the least violation. Merges
one entry per seed and arguments into ``--out`` (atomic write), so seeds can be added run
by run. The run directory is kept (``--run-dir``) for ``antenna_tdrs_design_check.py
--run`` and ``antenna_tdrs_nec.py``.

    nice -n 15 python benchmarks/antenna_tdrs_budget.py --seed 1 --args "--workers 2" --run-dir results/tdrs-seed1
    nice -n 15 python benchmarks/antenna_tdrs_budget.py --seed 1 --args "--workers 2" --run-dir results/tdrs-seed1 --eval-cost
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import shlex
import subprocess
import sys
import time
from pathlib import Path

OUT = Path(__file__).parent / "out"


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU seconds of ``pid`` so far (Linux ``/proc``), None once it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def descendants(root: int) -> list[int]:
    """``root`` and every process below it (Linux ``/proc``)."""
    parent: dict[int, int] = {}
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                parent[int(d.name)] = int((d / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
    out, frontier = [root], [root]
    while frontier:
        kids = [p for p, q in parent.items() if q in frontier]
        out += kids
        frontier = kids
    return out


def logbook(run: Path) -> list[dict]:
    with open(run / "logbook.csv", newline="") as fh:
        return list(csv.DictReader(fh))


def eval_cost(args: argparse.Namespace) -> None:
    """CPU seconds per evaluation: the run's last checkpointed population evaluated again,
    serially, in this process (``time.process_time``); added to the seed's entry."""
    import numpy as np

    from gadesign.atomic import atomic_write_text
    from gadesign_problems.antenna.tdrs import antenna_tdrs

    config = json.loads((args.run_dir / "config.json").read_text())
    last = max((args.run_dir / "checkpoints").glob("gen-*.json"))
    pop = json.loads(last.read_text())["state"]["population"]
    p = antenna_tdrs(**(config.get("params") or {}))
    costs = []
    for m in pop:
        x = p.genome.from_json(m["genome"])
        t = time.process_time()
        p.evaluate(x)
        costs.append(time.process_time() - t)
    doc = json.loads(args.out.read_text())
    entry = next(r for r in doc["runs"] if (r["seed"], r["args"]) == (args.seed, args.args))
    entry["final_population_eval_cpu_s"] = {"checkpoint": last.name, "designs": len(costs),
                                            "median": round(float(np.median(costs)), 3),
                                            "mean": round(float(np.mean(costs)), 3),
                                            "max": round(float(np.max(costs)), 3),
                                            "loadavg": [round(v, 2) for v in os.getloadavg()]}
    atomic_write_text(args.out, json.dumps(doc, indent=1))
    print(json.dumps(entry["final_population_eval_cpu_s"]))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--args", default="", help="more gadesign evolve arguments (default: none, the default budget)")
    ap.add_argument("--run-dir", type=Path, required=True)
    ap.add_argument("--out", type=Path, default=OUT / "antenna_tdrs_budget.json")
    ap.add_argument("--eval-cost", action="store_true",
                    help="do not run: re-evaluate the run's last population serially (CPU s per evaluation)")
    args = ap.parse_args()
    from gadesign.atomic import atomic_write_text

    if args.eval_cost:
        eval_cost(args)
        return

    cmd = [sys.executable, "-m", "gadesign.cli", "evolve", "antenna-tdrs", "--seed", str(args.seed),
           *shlex.split(args.args), "--out", str(args.run_dir), "--quiet"]
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1")
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env)
    seen: dict[int, float] = {}
    while proc.poll() is None:                   # the run's process tree (workers included)
        for pid in descendants(proc.pid):
            c = cpu_seconds(pid)
            if c is not None:
                seen[pid] = max(seen.get(pid, 0.0), c)
        time.sleep(0.5)
    rc = proc.returncode
    wall = time.perf_counter() - t0
    cpu = sum(seen.values())
    if rc != 0:
        raise SystemExit(f"gadesign evolve failed with exit code {rc}")
    rows = logbook(args.run_dir)
    nevals = int(float(rows[-1]["evals"]))                       # cumulative
    met = next((int(r["gen"]) for r in rows if r["min_violation"] != "" and float(r["min_violation"]) == 0.0), None)
    met_evals = next((int(float(r["evals"])) for r in rows if r["min_violation"] != ""
                      and float(r["min_violation"]) == 0.0), None)
    config = json.loads((args.run_dir / "config.json").read_text())
    front = json.loads((args.run_dir / "front.json").read_text())["members"]
    best = min(front, key=lambda m: m["violations"][0])
    commit = subprocess.run(["git", "rev-parse", "HEAD"], check=False, capture_output=True, text=True).stdout.strip()
    entry = {"seed": args.seed, "args": args.args, "command": " ".join(cmd[2:]), "commit": commit,
             "machine": platform.platform(), "cpus": os.cpu_count(),
             "loadavg_after": [round(v, 2) for v in os.getloadavg()],
             "algorithm": config.get("algorithm"), "pop": config.get("pop"), "generations": config.get("generations"),
             "workers": config.get("workers"), "evaluations": nevals, "wall_s": round(wall, 1), "cpu_s": round(cpu, 1),
             "cpu_s_per_evaluation": round(cpu / max(nevals, 1), 3), "first_generation_meeting_targets": met,
             "evaluations_when_first_met": met_evals,
             "least_violation": best["violations"][0], "least_violating_objectives": best.get("objectives"),
             "run_dir": str(args.run_dir)}
    doc = json.loads(args.out.read_text()) if args.out.exists() else {"benchmark": "antenna_tdrs_budget", "runs": []}
    doc["runs"] = [r for r in doc["runs"] if (r["seed"], r["args"]) != (args.seed, args.args)] + [entry]
    doc["runs"].sort(key=lambda r: (r["args"], r["seed"]))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(args.out, json.dumps(doc, indent=1))
    print(json.dumps(entry, indent=1))


if __name__ == "__main__":
    main()
