"""Success rate of ``gadesign evolve antenna-st5`` over seeds 1-10 with the default
budget, each result checked under mesh refinement and, optionally, by NEC-2.

For every seed: one ``gadesign evolve antenna-st5 --seed S`` run (its own process, the
default budget, one worker), then

* ``met``: some design of the final front met the design targets (the requirements
  with the problem's margins) in our evaluation, after the run's end polish (the
  engine's ``--refine``, default on for antenna-st5); ``generation_met``: the first
  generation with one in the search itself (None when only the end polish met them,
  ``met_by_end_polish``); ``restarts``: the engine's restarts on stagnation; ``evaluations``
  include the end polish's solves (not the polish mutation's);
* the chosen design: among the front's members meeting the targets, the one whose
  smaller margin, in units of the default margins (RHCP dB / 0.3, VSWR / 0.03), is
  largest; its VSWR and RHCP margins against the requirements themselves;
* ``levels``: that design solved by our MoM at 1x, 2x and 4x the evaluation refinement
  (``ST5Problem.check``), full azimuth circle: VSWR < 1.5 / 1.2 and RHCP >= 0 dBic over
  40-80 degrees at each level;
* ``nec``: NEC-2 (PyNEC, optional, test-only) on the design's exported ``.nec`` deck as
  written: input impedance, VSWR, minimum RHCP gain and NEC's average gain (within 2 %
  of 2.0 = NEC resolved) at both frequencies;
* ``passes``: met, every level meets the requirements, and NEC (when present) meets them
  and is resolved.

Resumable: the JSON gets one entry per finished seed and seeds already there are skipped
(delete an entry to rerun it). Several processes may share one JSON (e.g. seeds 1-5 and
6-10 at once): each entry is merged into the file as it is on disk, under a lock, and
written atomically. The code that ran is recorded (``code``): the repository's commit and
where ``gadesign`` and ``gadesign_problems`` were imported from; to keep other people's
uncommitted edits out of a long run, run it on a snapshot of a commit::

    git archive HEAD gadesign problems | tar -x -C SNAP && mv SNAP/problems SNAP/gadesign_problems
    PYTHONPATH=SNAP python benchmarks/antenna_st5_seeds.py --seeds 1-5 --code-note "snapshot of <commit>"
 ``--recheck`` redoes only the checks (levels, and NEC-2 on
the deck written again by ``ST5Problem.deck``) of every recorded design with the code as
it is now, into a copy (``--recheck-out``, default ``<out>_rechecked.json``; each entry
keeps its recorded verdicts under ``before_recheck``, the JSON itself is not touched);
``--nec-only`` redoes only NEC-2 (after a change to the exported deck). Usage (minutes per seed)::

    python benchmarks/antenna_st5_seeds.py [--seeds 1-10] [--jobs 1] [--runs results/st5-seeds]
    python benchmarks/antenna_st5_seeds.py --recheck [--nec-only] [--out X.json] [--recheck-out Y.json]
    python benchmarks/antenna_st5_seeds.py --showcase 2    # seed 2's run -> results/showcase/antenna-st5
    python benchmarks/antenna_st5_seeds.py --polish-failed 400

Development studies (never on validation seeds): ``--selection-study RUN...`` (which designs
the end polish takes, by rank or distinct arm shapes first, on ``--refine 0`` runs),
``--nec-features JSON...`` (NEC-2's disagreement against geometric features of the decks),
``--end-polish-study``, ``--engine-spread``; restart variants as problem settings, e.g.
``--seeds 32,35,36,25,38 --set restart_by_shape=True --set restart_reseed=3 --out
benchmarks/out/antenna_st5_restart_dev_reseed.json``.

``--polish-failed N`` is a diagnostic, not part of the search: the final best design of
every seed that missed the targets, polished by N Nelder-Mead solves
(``gadesign_problems.antenna.polish``), and whether it then meets them (``end_polish``).
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import fcntl
import json
import math
import os
import platform
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Callable, Iterator

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from gadesign.atomic import atomic_write_json  # noqa: E402
from gadesign_problems.antenna.st5 import (DEFAULT_RHCP_MARGIN_DB, DEFAULT_VSWR_MARGIN,  # noqa: E402
                                           antenna_st5)
from gadesign_problems.antenna.tree import from_json, to_json  # noqa: E402
from st5_nec import have_pynec, nec_st5  # noqa: E402

LOCK = threading.Lock()


def parse_seeds(text: str) -> list[int]:
    out: list[int] = []
    for part in text.split(","):
        a, _, b = part.partition("-")
        out.extend(range(int(a), int(b or a) + 1))
    return out


def generation_met(run: Path) -> int | None:
    """First logbook generation with a design meeting the targets (``feasible > 0``)."""
    with open(run / "logbook.csv", newline="") as fh:
        for row in csv.DictReader(fh):
            if int(row["feasible"]) > 0:
                return int(row["gen"])
    return None


def choose(front: list[dict[str, Any]], problem: Any = None) -> int | None:
    """Index of the feasible member with the largest smaller normalised margin (in units
    of ``problem``'s design margins, default the problem's defaults)."""
    req = (problem or antenna_st5()).requirements
    best, best_i = -float("inf"), None
    for i, m in enumerate(front):
        info = m["info"]
        if not info.get("meets_with_margins"):
            continue
        worst = min(info["rhcp_margin_db"] / (req.rhcp_margin_db or DEFAULT_RHCP_MARGIN_DB),
                    info["vswr_margin"] / (req.vswr_margin or DEFAULT_VSWR_MARGIN))
        if worst > best:
            best, best_i = worst, i
    return best_i


def nec_check(deck: Path, problem: Any) -> dict[str, Any]:
    from gadesign_problems.antenna import Antenna

    ant = Antenna.from_nec(deck)
    req = problem.requirements
    rows = [nec_st5(ant, f, req) for f in req.frequencies]
    ok = (all(r["vswr"] < lim for r, lim in zip(rows, req.vswr_limits))
          and all(r["min_rhcp_dbic"] >= req.gain_dbic for r in rows))
    resolved = all(abs(r["average_gain"] / 2.0 - 1.0) <= 0.02 for r in rows)
    return {"segments": ant.n_segments,
            "impedance_ohm": [[r["z"].real, r["z"].imag] for r in rows],
            "vswr": [r["vswr"] for r in rows], "min_rhcp_dbic": [r["min_rhcp_dbic"] for r in rows],
            "average_gain": [r["average_gain"] for r in rows], "resolved": resolved,
            "meets_requirements": ok}


def checks(entry: dict[str, Any], problem: Any, deck: Path | None = None) -> None:
    """Fill ``levels``, ``nec`` and ``passes`` of a seed's entry from its genome; the NEC
    deck is ``deck`` (the run's export) or the design's deck written afresh."""
    import tempfile

    x = from_json(entry["genome"])
    entry["levels"] = problem.check(x)
    levels_ok = all(r["meets_requirements"] for r in entry["levels"])
    if have_pynec():
        with tempfile.TemporaryDirectory() as tmp:
            path = deck or problem.deck(x).to_nec(Path(tmp) / "design.nec")
            entry["nec"] = nec_check(path, problem)
        nec_ok = entry["nec"]["resolved"] and entry["nec"]["meets_requirements"]
    else:
        entry["nec"] = None
        nec_ok = True
    entry["passes"] = bool(entry["met"] and levels_ok and nec_ok)


def parse_sets(items: list[str] | None) -> dict[str, Any]:
    """``key=value`` problem parameters (``--set``) as keyword arguments of ``antenna_st5``
    (JSON or, as ``gadesign evolve --set`` reads them, Python literals such as ``True``)."""
    import ast
    out: dict[str, Any] = {}
    for item in items or []:
        key, _, value = item.partition("=")
        if value in ("inf", "-inf"):
            out[key] = float(value)
            continue
        try:
            out[key] = json.loads(value)
        except json.JSONDecodeError:
            out[key] = ast.literal_eval(value)
    return out


def run_seed(seed: int, runs: Path, budget: list[str], sets: dict[str, Any] | None = None) -> dict[str, Any]:
    run = (runs / f"seed-{seed:02d}").resolve()
    run.parent.mkdir(parents=True, exist_ok=True)
    if run.exists():
        import shutil

        shutil.rmtree(run)
    t = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "gadesign", "evolve", "antenna-st5", "--seed", str(seed),
                           "--out", str(run), "--quiet", *budget], capture_output=True, text=True,
                          cwd=run.parent)     # not the repository: ``-m`` puts the cwd first on sys.path
    wall = time.perf_counter() - t
    if proc.returncode != 0:
        return {"seed": seed, "error": proc.stderr[-2000:], "wall_s": wall}
    problem = antenna_st5(**(sets or {}))
    front = json.loads((run / "front.json").read_text())["members"]
    with open(run / "logbook.csv", newline="") as fh:
        last = list(csv.DictReader(fh))[-1]
    entry: dict[str, Any] = {"seed": seed, "wall_s": round(wall, 1), "evaluations": int(last["evals"]),
                             "restarts": int(last.get("restarts") or 0),
                             "generation_met": generation_met(run), "front_size": len(front),
                             "least_ln_f": min(sum(m["violations"]) for m in front)}
    i = choose(front, problem)
    entry["met"] = i is not None
    if i is None:
        entry["passes"] = False
        entry["wires_per_arm"] = front[0]["info"].get("wires_per_arm")
        return entry
    info = front[i]["info"]
    entry.update(member=i, run=str(run), genome=front[i]["genome"], wires_per_arm=info.get("wires_per_arm"),
                 met_by_end_polish=info.get("refined") == "refine_design",
                 end_polish_solves=info.get("refine_evaluations"),
                 impedance_ohm=info["impedance_ohm"], vswr=info["vswr_per_frequency"],
                 min_rhcp_dbic=info["min_rhcp_dbic"], vswr_margin=info["vswr_margin"],
                 rhcp_margin_db=info["rhcp_margin_db"])
    checks(entry, problem, run / "designs" / f"member-{i:03d}.nec")
    return entry


def showcase(entry: dict[str, Any], runs: Path, dest: Path, tests_data: Path) -> None:
    """Seed ``entry``'s run to ``dest``: its config, front and logbook, the chosen design
    exported again by the current code (deck and plots), and ``search.png`` (the best
    constraint violation, ln F, per evaluation); its genome and deck also to ``tests_data``
    (``st5_showcase.json``, ``st5_showcase.nec``)."""
    import shutil

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from gadesign.atomic import atomic_write_text
    from gadesign.problem import Evaluation

    run = runs / f"seed-{entry['seed']:02d}"
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    for name in ("config.json", "front.json", "logbook.csv"):
        shutil.copy2(run / name, dest / name)
    p = antenna_st5()
    i = entry["member"]
    m = json.loads((run / "front.json").read_text())["members"][i]
    x = from_json(m["genome"])
    paths = p.export(x, Evaluation(tuple(m["objectives"]), tuple(m["violations"]), m["info"]), dest, f"member-{i:03d}")
    for path in paths:
        if path.suffix in (".s1p", ".csv"):
            path.unlink()
    with open(run / "logbook.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    fig, ax = plt.subplots(figsize=(5, 3.2))
    ax.semilogy([int(r["evals"]) for r in rows], [max(float(r["min_violation"]), 1e-4) for r in rows])
    ax.set_xlabel("evaluations")
    ax.set_ylabel("best ln F (0 drawn at 1e-4)")
    ax.set_title(f"antenna-st5 seed {entry['seed']}: best constraint violation", fontsize=9)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(dest / "search.png", dpi=80)
    plt.close(fig)
    atomic_write_text(tests_data / "st5_showcase.json", json.dumps(
        {"source": f"gadesign evolve antenna-st5 --seed {entry['seed']} (default budget), front member {i}, "
                   "chosen by benchmarks/antenna_st5_seeds.py", "genome": m["genome"]}, indent=1) + "\n")
    shutil.copy2(dest / f"member-{i:03d}.nec", tests_data / "st5_showcase.nec")


def summarise(data: dict[str, Any]) -> None:
    done = [e for e in data["seeds"].values() if "error" not in e]
    data["summary"] = {"seeds": len(done), "met": sum(bool(e.get("met")) for e in done),
                       "met_by_end_polish": sum(bool(e.get("met_by_end_polish")) for e in done),
                       "restarted": sum(bool(e.get("restarts")) for e in done),
                       "passes_all_checks": sum(bool(e.get("passes")) for e in done),
                       "levels_meet": sum(bool(e.get("levels")) and all(r["meets_requirements"] for r in e["levels"])
                                          for e in done),
                       "nec_resolved_and_meets": sum(bool(e.get("nec")) and e["nec"]["resolved"]
                                                     and e["nec"]["meets_requirements"] for e in done)}


@contextlib.contextmanager
def locked(out: Path) -> Iterator[None]:
    """An exclusive lock beside ``out`` shared by every process writing it."""
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out.with_name(out.name + ".lock"), "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def merge(out: Path, update: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    """Read ``out`` as it is on disk now, apply ``update``, summarise and write it back
    atomically, all under the lock; returns the merged data."""
    with locked(out):
        data: dict[str, Any] = json.loads(out.read_text()) if out.exists() else {}
        data.setdefault("seeds", {})
        update(data)
        summarise(data)
        atomic_write_json(out, data)
    return data


def code_info(note: str | None) -> dict[str, Any]:
    """The commit of the repository and where the engine and the problems came from."""
    import gadesign
    import gadesign_problems

    try:
        head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=HERE, capture_output=True, text=True,
                              check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        head = None
    return {"repository_head": head, "gadesign": str(Path(gadesign.__file__).parent),
            "gadesign_problems": str(Path(gadesign_problems.__file__).parent), "note": note}


def polish_failed(entry: dict[str, Any], problem: Any, runs: Path, evaluations: int) -> dict[str, Any]:
    """The seed's final least-violating design, polished by ``evaluations`` solves."""
    from gadesign_problems.antenna.polish import polish

    front = json.loads((runs / f"seed-{entry['seed']:02d}" / "front.json").read_text())["members"]
    x = from_json(front[0]["genome"])
    start = problem.ln_f(x)
    y, end, calls = polish(x, problem.ln_f, problem.genome.repair, evaluations, start=start)
    m = problem.measure(y)
    out = {"solves": calls, "ln_f_before": start, "ln_f_after": end, "meets_targets": m["meets_with_margins"],
           "vswr": m["vswr_per_frequency"], "min_rhcp_dbic": m["min_rhcp_dbic"], "wires_per_arm": m["wires_per_arm"]}
    if m["meets_with_margins"]:
        out["levels_meet"] = all(r["meets_requirements"] for r in problem.check(y))
    return out


def end_polish_study(runs: list[Path], problem: Any, budget: int, k: int = 3) -> dict[str, Any]:
    """Development study (how the end polish's defaults were chosen): the ``k`` least
    violating designs of each run's last checkpoint (population and restart archive, ranked
    as the engine ranks them), each polished by restarted Nelder-Mead rounds of
    ``end_polish_chunk`` solves up to ``budget`` solves, stopping only when two rounds gain
    less than 0.001 in ``ln F`` or the design meets the targets; ``ln F`` after each round."""
    from gadesign_problems.antenna.polish import polish_by_progress

    ln_f = problem.ln_f
    out: dict[str, Any] = {}
    for run in runs:
        last = max((run / "checkpoints").glob("gen-*.json"))
        state = json.loads(last.read_text())["state"]
        members = state["population"] + ((state.get("restart") or {}).get("archive") or [])
        members.sort(key=lambda m: (sum(m["violations"]), m["objectives"][0]))
        rows = []
        for m in members[:k]:
            x, trace = from_json(m["genome"]), []
            started = time.perf_counter()
            _, end, calls = polish_by_progress(x, ln_f, problem.genome.repair, budget, problem.end_polish_chunk,
                                               0.001, start=sum(m["violations"]), trace=trace)
            rows.append({"ln_f_before": sum(m["violations"]), "rounds": trace, "ln_f_after": end, "solves": calls,
                         "wires_per_arm": problem.measure(x)["wires_per_arm"],
                         "wall_s": round(time.perf_counter() - started, 1)})
            print(json.dumps({"run": str(run), **rows[-1]}), flush=True)
        out[str(run)] = rows
    return out


def selection_study(run: Path, problem: Any, ks: tuple[int, ...] = (3, 4)) -> dict[str, Any]:
    """Development study of which designs the end polish takes, on one run's last
    checkpoint (a run with ``--refine 0``): the engine's rank order (least violating,
    then the first objective) against the best design of each distinct arm shape first
    (``refine_key``), then the rest. Each design in either choice is polished once by
    the problem's own ``refine_design`` (the default end polish); per choice and ``k``:
    whether some polished design meets the targets, and whether the best of those
    (the benchmark's choice rule) passes the level and NEC-2 checks."""
    from gadesign.problem import Evaluation
    from gadesign.refine import distinct_keys_first

    last = max((run / "checkpoints").glob("gen-*.json"))
    state = json.loads(last.read_text())["state"]
    members = state["population"] + ((state.get("restart") or {}).get("archive") or [])
    members.sort(key=lambda m: (sum(m["violations"]), m["objectives"][0]))
    xs = [from_json(m["genome"]) for m in members]
    orders = {"rank": list(range(len(xs))),
              "distinct": distinct_keys_first(range(len(xs)), lambda i: problem.refine_key(xs[i]))}
    polished: dict[int, dict[str, Any]] = {}
    for i in sorted({i for order in orders.values() for i in order[:max(ks)]}):
        m = members[i]
        t = time.perf_counter()
        y, ev, spent = problem.refine_design(xs[i], Evaluation(tuple(m["objectives"]), tuple(m["violations"]), {}))
        info = problem.measure(y)
        row = {"rank": i, "shape": repr(problem.refine_key(xs[i])), "ln_f_before": sum(m["violations"]),
               "ln_f_after": ev.total_violation, "solves": spent, "meets_targets": info["meets_with_margins"],
               "wall_s": round(time.perf_counter() - t, 1), "genome": to_json(y)}
        if info["meets_with_margins"]:
            row.update(vswr_margin=info["vswr_margin"], rhcp_margin_db=info["rhcp_margin_db"])
            entry = {"met": True, "genome": row["genome"]}
            checks(entry, problem)
            row.update(levels_ok=all(r["meets_requirements"] for r in entry["levels"]), nec=entry["nec"],
                       passes=entry["passes"])
        polished[i] = row
        print(json.dumps({"run": str(run), **{k: v for k, v in row.items() if k not in ("genome", "nec")}}),
              flush=True)
    out: dict[str, Any] = {"designs": [polished[i] for i in sorted(polished)], "choices": {}}
    req = problem.requirements
    for name, order in orders.items():
        for k in ks:
            rows = [polished[i] for i in order[:k]]
            met = [r for r in rows if r["meets_targets"]]
            best = max(met, key=lambda r: min(r["rhcp_margin_db"] / req.rhcp_margin_db,
                                              r["vswr_margin"] / req.vswr_margin), default=None)
            out["choices"][f"{name}-{k}"] = {"ranks": order[:k], "met": bool(met), "met_count": len(met),
                                             "passes": bool(best and best["passes"]),
                                             "solves": sum(r["solves"] for r in rows)}
    return out


def nec_features(files: list[Path]) -> dict[str, Any]:
    """Development study: does NEC-2's disagreement with ours on the recorded designs
    (exported deck vs our 1x level) follow a geometric feature of the deck? Per design:
    the least angle between two wires sharing a node (degrees), the least surface gap
    between wires that do not touch (wire radii), the shortest segment (radii); per
    design and frequency: |Z_NEC - Z_ours| / |Z_ours|, NEC's VSWR excess and its RHCP
    shortfall. Spearman rank correlations of each feature with each difference."""
    import numpy as np
    from scipy.stats import spearmanr

    from gadesign_problems.antenna.kernels import segment_distances

    p = antenna_st5()
    a = p.space.wire_radius
    rows = []
    for f in files:
        for seed, e in json.loads(f.read_text())["seeds"].items():
            if not e.get("met") or not e.get("nec"):
                continue
            ws = [(np.array(w.start), np.array(w.end), w) for w in p.deck(from_json(e["genome"])).wires]
            angle, gap, seg = 180.0, math.inf, math.inf
            for i, (s1, e1, w1) in enumerate(ws):
                seg = min(seg, w1.length / w1.segments / a)
                for s2, e2, _ in ws[i + 1:]:
                    node = next((P for P in (s1, e1) for Q in (s2, e2) if np.linalg.norm(P - Q) < 1e-9), None)
                    if node is None:
                        gap = min(gap, (float(segment_distances(s1[None], e1[None], s2[None], e2[None])[0]) - 2 * a) / a)
                        continue
                    u = (e1 if np.allclose(s1, node) else s1) - node
                    v = (e2 if np.allclose(s2, node) else s2) - node
                    cos = float(u @ v / np.linalg.norm(u) / np.linalg.norm(v))
                    angle = min(angle, math.degrees(math.acos(min(1.0, max(-1.0, cos)))))
            ours = e["levels"][0]
            for k in range(len(ours["vswr"])):
                zo, zn = complex(*ours["impedance_ohm"][k]), complex(*e["nec"]["impedance_ohm"][k])
                rows.append({"file": f.name, "seed": int(seed), "frequency": k, "rel_z": abs(zn - zo) / abs(zo),
                             "vswr_excess": e["nec"]["vswr"][k] - ours["vswr"][k],
                             "rhcp_shortfall_db": ours["min_rhcp_dbic"][k] - e["nec"]["min_rhcp_dbic"][k],
                             "least_junction_angle_deg": angle, "least_gap_radii": gap,
                             "shortest_segment_radii": seg, "nec_meets": e["nec"]["meets_requirements"]})
    corr = {}
    for feat in ("least_junction_angle_deg", "least_gap_radii", "shortest_segment_radii"):
        for diff in ("rel_z", "vswr_excess", "rhcp_shortfall_db"):
            r = spearmanr([row[feat] for row in rows], [row[diff] for row in rows])
            corr[f"{feat} ~ {diff}"] = {"spearman": round(float(r.correlation), 3), "p": round(float(r.pvalue), 3)}
    return {"designs": len(rows) // 2, "pairs": len(rows), "correlations": corr, "rows": rows}


def vswr_shift(vswr: float, rel_z: float, z0: float = 50.0, n: int = 72) -> dict[str, float]:
    """How far VSWR moves when the input impedance of a load at ``vswr`` (every point of
    that VSWR circle) changes by the relative amount ``rel_z`` (every phase of the change):
    the median over the circle of the median and of the largest increase over phases."""
    import numpy as np

    def ratio(z: np.ndarray) -> np.ndarray:
        g = np.abs((z - z0) / (z + z0))
        return (1 + g) / (1 - g)

    a = np.linspace(0, 2 * np.pi, n, endpoint=False)
    gamma = (vswr - 1) / (vswr + 1) * np.exp(1j * a)[:, None]
    z = z0 * (1 + gamma) / (1 - gamma)
    d = ratio(z * (1 + rel_z * np.exp(1j * a)[None, :])) - vswr
    return {"median_abs": float(np.median(np.median(np.abs(d), axis=1))), "worst": float(np.median(d.max(axis=1)))}


def engine_spread(files: list[Path], rel_z: tuple[float, ...], nec_levels: tuple[int, ...] = ()) -> dict[str, Any]:
    """Design margins against the engines' difference: per checked design and frequency,
    NEC-2's VSWR on the exported deck minus ours (1x), ours minus NEC-2's least RHCP gain
    (dB; positive: NEC-2 sees less), the relative difference in Z and in the reflection
    coefficient, from seed-benchmark JSONs; their percentiles (how the default margins
    were sized: each covers at least the 90th percentile of the side that fails a design);
    and what a relative Z difference moves VSWR by at the design VSWR targets
    (:func:`vswr_shift`). ``nec_levels``: also NEC-2 (standard kernel, and the extended
    one, EK) and ours on each design's deck at these multiples of the design's arm
    segments: whether NEC-2's answer converges as its deck is refined."""
    import numpy as np

    p = antenna_st5()
    z0 = p.requirements.z0
    rows, designs = [], []
    for f in files:
        for entry in json.loads(f.read_text())["seeds"].values():
            nec, levels = entry.get("nec"), entry.get("levels")
            if not nec or not levels:
                continue
            designs.append(entry)
            for k, (zn, zo, vn, vo, rn, ro) in enumerate(zip(nec["impedance_ohm"], levels[0]["impedance_ohm"],
                                                             nec["vswr"], levels[0]["vswr"], nec["min_rhcp_dbic"],
                                                             levels[0]["min_rhcp_dbic"])):
                zn, zo = complex(*zn), complex(*zo)
                rows.append({"seed": entry["seed"], "frequency": k, "vswr_ours": vo, "vswr_nec_minus_ours": vn - vo,
                             "rhcp_ours_minus_nec_db": ro - rn, "rel_z": abs(zn - zo) / abs(zo),
                             "gamma_change": abs((zn - z0) / (zn + z0) - (zo - z0) / (zo + z0))})
    pct = (50, 80, 90, 95, 100)
    spread = {key: {f"p{q}": float(np.percentile([r[key] for r in rows], q)) for q in pct}
              for key in ("vswr_nec_minus_ours", "rhcp_ours_minus_nec_db", "rel_z", "gamma_change")}
    targets = p.requirements.design_vswr_limits
    out: dict[str, Any] = {
        "files": [str(f) for f in files], "designs": len(designs), "points": rows, "percentiles": spread,
        "margins": {"vswr": p.requirements.vswr_margin, "rhcp_db": p.requirements.rhcp_margin_db},
        "covered": {"vswr": float(np.mean([r["vswr_nec_minus_ours"] <= p.requirements.vswr_margin for r in rows])),
                    "rhcp": float(np.mean([r["rhcp_ours_minus_nec_db"] <= p.requirements.rhcp_margin_db
                                           for r in rows]))},
        "vswr_shift_at_targets": {f"{t:.3g}": {f"{e:g}": vswr_shift(t, e) for e in rel_z} for t in targets}}
    if nec_levels and have_pynec():
        conv = []
        for entry in designs:
            x = from_json(entry["genome"])
            row: dict[str, Any] = {"seed": entry["seed"], "ours": {}, "nec": {}, "nec_ek": {}}
            for lv in nec_levels:
                m = p.measure(x, full_circle=True, refinement=lv)
                row["ours"][str(lv)] = {"impedance_ohm": m["impedance_ohm"], "vswr": m["vswr_per_frequency"],
                                        "min_rhcp_dbic": m["min_rhcp_dbic"]}
                try:
                    ant = p.deck(x, segments=lv)
                except Exception as exc:  # a deck finer than the wire model allows
                    row["nec"][str(lv)] = row["nec_ek"][str(lv)] = {"error": str(exc)}
                    continue
                for key, ek in (("nec", False), ("nec_ek", True)):
                    r = [nec_st5(ant, fq, p.requirements, extended=ek) for fq in p.requirements.frequencies]
                    row[key][str(lv)] = {"impedance_ohm": [[q["z"].real, q["z"].imag] for q in r],
                                         "vswr": [q["vswr"] for q in r],
                                         "min_rhcp_dbic": [q["min_rhcp_dbic"] for q in r],
                                         "average_gain": [q["average_gain"] for q in r]}
            conv.append(row)
            print(json.dumps({"seed": row["seed"]}), flush=True)
        out["refinement"] = {"levels": list(nec_levels), "designs": conv}
    return out


def margin_polish_one(item: tuple[str, dict[str, Any], float]) -> dict[str, Any]:
    """One design of :func:`margin_polish_study` (a picklable worker)."""
    from gadesign_problems.antenna.polish import polish_by_progress

    label, entry, vswr_margin = item
    default, strict = antenna_st5(), antenna_st5(vswr_margin=vswr_margin)
    x = from_json(entry["genome"])
    start = strict.ln_f(x)
    y, end, calls = polish_by_progress(x, strict.ln_f, strict.genome.repair, strict.end_polish_evaluations,
                                       strict.end_polish_chunk, strict.end_polish_min_gain, start=start)
    m = default.measure(y)
    after: dict[str, Any] = {"genome": to_json(y), "met": bool(m["meets_with_margins"])}
    checks(after, default)
    def nec_verdict(nec: dict[str, Any] | None) -> dict[str, Any] | None:
        keys = ("vswr", "min_rhcp_dbic", "average_gain", "resolved", "meets_requirements")
        return {k: nec[k] for k in keys} if nec else None

    return {"design": label, "vswr_margin_before": entry["vswr_margin"], "passes_before": entry["passes"],
            "nec_before": nec_verdict(entry.get("nec")),
            "strict_ln_f_before": start, "strict_ln_f_after": end, "solves": calls,
            "strict_targets_met": end <= 0.0, "vswr_after": m["vswr_per_frequency"],
            "min_rhcp_dbic_after": m["min_rhcp_dbic"], "levels_after": [r["meets_requirements"] for r in after["levels"]],
            "nec_after": nec_verdict(after.get("nec")),
            "passes_after": after["passes"]}


def margin_polish_study(paths: list[Path], vswr_margin: float, below: float, jobs: int) -> dict[str, Any]:
    """Development diagnostic: every met design of these seed JSONs whose VSWR margin is
    below ``below`` gets the end polish's Nelder-Mead (same budget and stop rule) towards
    targets with ``vswr_margin`` instead of the default, starting from the met design;
    then our checks and NEC-2 again. Does a larger VSWR margin, reached after the targets
    are met, make NEC-2 agree? Nothing in the default search does this."""
    items = []
    for path in paths:
        for seed, entry in json.loads(path.read_text())["seeds"].items():
            if entry.get("met") and entry.get("vswr_margin") is not None and entry["vswr_margin"] < below:
                items.append((f"{path.name}:{seed}", entry, vswr_margin))
    if jobs > 1:
        import multiprocessing

        with multiprocessing.get_context("spawn").Pool(jobs) as pool:
            rows = pool.map(margin_polish_one, items, chunksize=1)
    else:
        rows = [margin_polish_one(i) for i in items]
    return {"what": margin_polish_study.__doc__, "vswr_margin": vswr_margin, "designs_below": below, "rows": rows,
            "summary": {"designs": len(rows), "passes_before": sum(r["passes_before"] for r in rows),
                        "strict_targets_met": sum(r["strict_targets_met"] for r in rows),
                        "passes_after": sum(r["passes_after"] for r in rows)}}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", default="1-10", help="e.g. 1-10 or 1,3,5")
    ap.add_argument("--jobs", type=int, default=1, help="seeds run at the same time")
    ap.add_argument("--runs", type=Path, default=Path("results/st5-seeds"), help="run directories")
    ap.add_argument("--out", type=Path, default=HERE / "out" / "antenna_st5_seeds.json")
    ap.add_argument("--recheck", action="store_true",
                    help="redo the checks of --out's recorded designs; writes --recheck-out, --out is left as it is")
    ap.add_argument("--recheck-out", type=Path,
                    help="with --recheck: the rechecked copy (default: --out's name + _rechecked); each entry keeps "
                         "its recorded levels, nec and passes under before_recheck")
    ap.add_argument("--nec-only", action="store_true",
                    help="with --recheck: redo only NEC-2 on the deck written afresh (the recorded levels are kept)")
    ap.add_argument("--showcase", type=int, help="copy this seed's run and design to results/showcase/antenna-st5")
    ap.add_argument("--pop", type=int, help="override the default budget (a smoke test, not the benchmark)")
    ap.add_argument("--generations", type=int, help="override the default budget (smoke test)")
    ap.add_argument("--polish-failed", type=int, metavar="N",
                    help="diagnostic: polish each failed seed's final best design with N solves")
    ap.add_argument("--margin-polish-study", type=Path, nargs="+", metavar="JSON",
                    help="development diagnostic: polish met designs with a VSWR margin below --margin-below "
                         "towards --margin-vswr, then check again (writes --out)")
    ap.add_argument("--margin-vswr", type=float, default=0.12)
    ap.add_argument("--margin-below", type=float, default=0.1)
    ap.add_argument("--end-polish-study", type=Path, nargs="+", metavar="RUN",
                    help="development study of the end polish on these runs' last checkpoints (writes --out)")
    ap.add_argument("--selection-study", type=Path, nargs="+", metavar="RUN",
                    help="development study: end polish by rank vs distinct arm shapes on these --refine 0 runs")
    ap.add_argument("--nec-features", type=Path, nargs="+", metavar="JSON",
                    help="development study: NEC-2's disagreement against geometric features (writes --out)")
    ap.add_argument("--engine-spread", type=Path, nargs="+", metavar="JSON",
                    help="margins against NEC-2's difference on these seed JSONs' checked designs (writes --out)")
    ap.add_argument("--nec-levels", default="",
                    help="with --engine-spread: also NEC-2 and ours at these deck refinements, e.g. 2,3,4")
    ap.add_argument("--set", action="append", metavar="KEY=VALUE",
                    help="problem parameter for every run (a development study, not the default benchmark)")
    ap.add_argument("--code-note", help="recorded with the code's origin (e.g. 'snapshot of <commit>')")
    args = ap.parse_args()
    if args.engine_spread:
        levels = tuple(int(v) for v in args.nec_levels.split(",") if v)
        spread = engine_spread(args.engine_spread, (0.02, 0.056, 0.12), levels)
        spread["code"] = code_info(args.code_note)
        atomic_write_json(args.out, spread)
        print(json.dumps({k: spread[k] for k in ("designs", "percentiles", "margins", "covered")}, indent=1))
        return
    if args.nec_features:
        study = nec_features(args.nec_features)
        study["code"] = code_info(args.code_note)
        atomic_write_json(args.out, study)
        print(json.dumps({k: study[k] for k in ("designs", "pairs", "correlations")}, indent=1))
        return
    if args.selection_study:
        for run in args.selection_study:
            study = selection_study(run, antenna_st5(**parse_sets(args.set)))
            print(json.dumps({str(run): study["choices"]}), flush=True)

            def put(d: dict[str, Any], run: Path = run, study: dict[str, Any] = study) -> None:
                d.setdefault("runs", {})[str(run)] = study
                d["code"] = code_info(args.code_note)

            merge(args.out, put)
        return
    if args.margin_polish_study:
        study = margin_polish_study(args.margin_polish_study, args.margin_vswr, args.margin_below, args.jobs)
        study["code"] = code_info(args.code_note)
        atomic_write_json(args.out, study)
        print(json.dumps(study["summary"]), flush=True)
        return
    if args.end_polish_study:
        study = end_polish_study(args.end_polish_study, antenna_st5(), 1000)
        with locked(args.out):
            old = json.loads(args.out.read_text()) if args.out.exists() else {"runs": {}}
            old["runs"].update(study)
            old["code"] = code_info(args.code_note)
            atomic_write_json(args.out, old)
        return
    data: dict[str, Any] = json.loads(args.out.read_text()) if args.out.exists() else {}
    data.setdefault("seeds", {})
    sets = parse_sets(args.set)
    p = antenna_st5(**sets)
    budget = {k: p.defaults[k] for k in ("algorithm", "pop", "generations", "refine")}
    budget.update({k: v for k, v in (("pop", args.pop), ("generations", args.generations)) if v})
    header = dict(problem="antenna-st5", budget=budget,
                end_polish_evaluations=p.end_polish_evaluations,
                end_polish_below_ln_f=p.end_polish_below if math.isfinite(p.end_polish_below) else None,
                end_polish_chunk=p.end_polish_chunk, end_polish_min_gain_ln_f=p.end_polish_min_gain,
                restart={"after": p.restart_after, "tolerance": p.restart_tolerance},
                refinement=p.refinement, deck_segments=p.deck_segments,
                margins={"vswr": p.requirements.vswr_margin, "rhcp_db": p.requirements.rhcp_margin_db},
                set=args.set or [],
                peer="NEC-2: PyNEC (nec2++) on the exported deck" if have_pynec() else "PyNEC not installed",
                machine=platform.platform(), cpus=os.cpu_count())
    data.update(header)
    if args.showcase is not None:
        root = HERE.parent
        showcase(data["seeds"][str(args.showcase)], args.runs, root / "results" / "showcase" / "antenna-st5",
                 root / "tests" / "data" / "antenna")
        return
    if args.polish_failed:
        for entry in data["seeds"].values():
            if "error" not in entry and not entry.get("met"):
                entry["end_polish"] = polish_failed(entry, p, args.runs, args.polish_failed)
                print(json.dumps({"seed": entry["seed"], **entry["end_polish"]}), flush=True)
        data["end_polish_code"] = code_info(args.code_note)
        with locked(args.out):
            atomic_write_json(args.out, data)
        return
    if args.recheck:
        import tempfile

        dest = args.recheck_out or args.out.with_name(args.out.stem + "_rechecked.json")
        if dest.resolve() == args.out.resolve():
            raise SystemExit("error: --recheck-out must differ from --out (the recorded verdicts are kept)")
        before = {k: data.get("summary", {}).get(k) for k in ("passes_all_checks", "levels_meet",
                                                              "nec_resolved_and_meets")}
        for entry in data["seeds"].values():
            if entry.get("met"):
                entry["before_recheck"] = {k: entry.get(k) for k in ("levels", "nec", "passes")}
                if args.nec_only and entry.get("levels"):
                    x = from_json(entry["genome"])
                    with tempfile.TemporaryDirectory() as tmp:
                        entry["nec"] = nec_check(p.deck(x).to_nec(Path(tmp) / "design.nec"), p)
                    entry["passes"] = bool(all(r["meets_requirements"] for r in entry["levels"])
                                           and entry["nec"]["resolved"] and entry["nec"]["meets_requirements"])
                else:
                    checks(entry, p)
                print(json.dumps({"seed": entry["seed"], "passes": entry["passes"],
                                  "before": entry["before_recheck"]["passes"]}), flush=True)
        data["rechecked"] = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
        data["recheck_code"] = code_info(args.code_note)
        data["recheck_of"] = {"file": args.out.name, "summary_before": before,
                              "levels": "recorded (--nec-only)" if args.nec_only else "recomputed"}
        with locked(dest):
            summarise(data)
            atomic_write_json(dest, data)
        return
    todo = [s for s in parse_seeds(args.seeds) if str(s) not in data["seeds"]]
    print(f"seeds to run: {todo}", flush=True)
    code = code_info(args.code_note)

    def one(seed: int) -> None:
        budget = [*(["--pop", str(args.pop)] if args.pop else []),
                  *(["--generations", str(args.generations)] if args.generations else []),
                  *[a for kv in (args.set or []) for a in ("--set", kv)]]
        entry = run_seed(seed, args.runs, budget, sets)
        entry["code"] = code

        def put(d: dict[str, Any]) -> None:
            d.update(header)
            d["seeds"][str(seed)] = entry

        with LOCK:
            merge(args.out, put)
        print(json.dumps({k: entry.get(k) for k in ("seed", "met", "generation_met", "wall_s", "vswr_margin",
                                                    "rhcp_margin_db", "passes")}), flush=True)

    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        list(pool.map(one, todo))


if __name__ == "__main__":
    main()
