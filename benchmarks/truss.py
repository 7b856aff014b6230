"""Truss analysis speed against anastruct and PyNite, in one run.

Times one linear static analysis (model build from the truss definition + solve +
member forces, all load cases) of:

- the 10-bar planar truss (1 load case),
- the 72-bar space truss (2 load cases; anastruct is 2D only, so PyNite alone),
- a 2D ground structure of 25 x 12 nodes with every member up to 2.3 grid steps
  (2,077 members), cantilevered from its left edge with a tip load.

Ours is timed twice: cold (``gadesign_problems.truss.analyze``: geometry, checks, assembly,
factorisation) and warm (a prebuilt ``StiffnessModel`` solving a new set of areas, as an
evolve run does). The median of several repeats is reported, with the largest relative
difference of the displacements from each peer, to show that the same problem was solved.
Target of issue 5: at least 10x faster than both peers on the ground structure.

Writes benchmarks/out/truss.json (every run, and the range of each speed-up over the runs).
Usage: python benchmarks/truss.py [--quick] [--runs N]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time
import warnings
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402

from gadesign.atomic import atomic_write_json  # noqa: E402
from gadesign_problems.truss.fem import StiffnessModel, analyze  # noqa: E402
from gadesign_problems.truss.ground import ground_structure  # noqa: E402
from gadesign_problems.truss.problems import load_benchmark  # noqa: E402
from gadesign_problems.truss.structure import Truss  # noqa: E402

OUT = Path(__file__).resolve().parent / "out" / "truss.json"


def pynite(truss: Truss, areas: np.ndarray) -> np.ndarray:
    """PyNite: frame members with moment/torsion releases, nodal rotations restrained."""
    from Pynite import FEModel3D

    model = FEModel3D()
    d = truss.dim
    for i, p in enumerate(truss.nodes):
        model.add_node(f"N{i}", *map(float, [*p, 0.0] if d == 2 else p))
    model.add_material("E", float(truss.E[0]), float(truss.E[0]) / 2.6, 0.3, 0.0)
    for e, (i, j) in enumerate(truss.members):
        model.add_section(f"S{e}", float(areas[e]), 1.0, 1.0, 1.0)
        model.add_member(f"M{e}", f"N{i}", f"N{j}", "E", f"S{e}")
        model.def_releases(f"M{e}", Rxi=True, Ryi=True, Rzi=True, Ryj=True, Rzj=True)
    for i in range(truss.n_nodes):
        fx = list(truss.fixed[i]) + ([True] if d == 2 else [])
        model.def_support(f"N{i}", *map(bool, fx), True, True, True)
    for lc in truss.load_cases:
        for i in np.flatnonzero(np.abs(lc.forces).max(axis=1) > 0):
            for k, ax in enumerate("XYZ"[:d]):
                if lc.forces[i, k]:
                    model.add_node_load(f"N{i}", f"F{ax}", float(lc.forces[i, k]), case=lc.name)
        model.add_load_combo(lc.name, {lc.name: 1.0})
    model.analyze_linear(check_statics=False, check_stability=False)
    lc = truss.load_cases[0].name
    for e in range(truss.n_members):  # member forces, as the others compute them
        model.members[f"M{e}"].axial(0.0, lc)
    return np.array([[n.DX[lc], n.DY[lc], n.DZ[lc]][:d] for n in (model.nodes[f"N{i}"] for i in range(truss.n_nodes))])


def anastruct(truss: Truss, areas: np.ndarray) -> np.ndarray:
    """anastruct (2D): truss elements, hinged supports, first load case."""
    from anastruct import SystemElements

    ss = SystemElements(mesh=1)
    for e, (i, j) in enumerate(truss.members):
        ss.add_truss_element([list(map(float, truss.nodes[i])), list(map(float, truss.nodes[j]))],
                             EA=float(truss.E[e] * areas[e]))
    ids = [ss.find_node_id(list(map(float, p))) for p in truss.nodes]
    for i in truss.supported_nodes:
        ss.add_support_hinged(ids[i])
    f = truss.load_cases[0].forces
    for i in np.flatnonzero(np.abs(f).max(axis=1) > 0):
        ss.point_load(ids[i], Fx=float(f[i, 0]), Fy=float(f[i, 1]))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ss.solve()
        for e in range(truss.n_members):
            ss.get_element_results(e + 1)
    return np.array([[r["ux"], r["uy"]] for r in (ss.get_node_displacements(k) for k in ids)])


def timed(fn, repeats: int) -> tuple[float, object]:
    times, out = [], None
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), out


def case(name: str, truss: Truss, areas: np.ndarray, repeats: int, peer_repeats: int) -> dict:
    cold, res = timed(lambda: analyze(truss, areas), repeats)
    model = StiffnessModel(truss)
    analyze(truss, areas, model)
    warm, _ = timed(lambda: analyze(truss, areas * 1.01, model), repeats)
    ours_u = res.cases[0].displacements
    row = {"case": name, "nodes": truss.n_nodes, "members": truss.n_members, "dim": truss.dim,
           "load_cases": len(truss.load_cases), "ours_cold_s": cold, "ours_warm_s": warm, "peers": {}}
    peers = {"pynite": pynite}
    if truss.dim == 2:
        peers["anastruct"] = anastruct
    for peer, fn in peers.items():
        t, u = timed(lambda: fn(truss, areas), peer_repeats)
        row["peers"][peer] = {"seconds": t, "speedup_cold": t / cold, "speedup_warm": t / warm,
                              "max_rel_diff_u": float(np.abs(u - ours_u).max() / np.abs(ours_u).max())}
    if truss.dim == 3:
        row["peers"]["anastruct"] = {"skipped": "anastruct is a 2D frame solver"}
    return row


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="fewer repeats")
    ap.add_argument("--runs", type=int, default=3, help="independent repetitions of the whole measurement; "
                    "the speed-ups are reported as the range over them (the machine's load varies)")
    args = ap.parse_args()
    reps, peer_reps = (3, 1) if args.quick else (15, 3)
    ten = load_benchmark("tenbar.json")
    sev = load_benchmark("seventytwobar.json")
    g = ground_structure((25, 12), (240.0, 110.0), 2.3, [((0, j), (True, True)) for j in range(12)],
                         [((24, 0), (0.0, -10.0))])
    areas = np.random.default_rng(0).uniform(0.5, 2.0, g.n_members)
    runs = []
    for _ in range(max(1, args.runs)):
        runs.append([case("10-bar", ten, ten.default_areas(), reps, peer_reps),
                     case("72-bar", sev, sev.default_areas(), reps, peer_reps),
                     case(f"ground {g.n_members}", g, areas, reps, peer_reps)])
    rows = runs[0]
    speedups: dict[str, dict[str, dict[str, list[float]]]] = {}
    for run in runs:
        for r in run:
            for peer, v in r["peers"].items():
                if "seconds" in v:
                    for kind in ("speedup_cold", "speedup_warm"):
                        speedups.setdefault(r["case"], {}).setdefault(peer, {}).setdefault(kind, []).append(v[kind])
    speedup_range = {c: {p: {k: [min(v), max(v)] for k, v in kinds.items()} for p, kinds in peers.items()}
                     for c, peers in speedups.items()}
    import anastruct as _a
    import Pynite as _p

    out = {"benchmark": "truss analysis", "python": platform.python_version(), "machine": platform.machine(),
           "cpus": os.cpu_count(), "versions": {"anastruct": getattr(_a, "__version__", "?"),
                                                "PyNiteFEA": getattr(_p, "__version__", "?")},
           "note": "median wall time of one analysis incl. model build; warm = prebuilt StiffnessModel",
           "cases": rows, "runs": runs, "speedup_range": speedup_range}
    out["target_10x_on_ground"] = all(r[-1]["peers"][p]["speedup_cold"] >= 10 for r in runs
                                      for p in ("pynite", "anastruct"))
    atomic_write_json(OUT, out)
    for k, run in enumerate(runs):
        for r in run:
            peers = ", ".join(f"{p} {v['seconds']:.3g} s ({v['speedup_cold']:.0f}x, du {v['max_rel_diff_u']:.1e})"
                              for p, v in r["peers"].items() if "seconds" in v)
            print(f"run {k + 1} {r['case']:>12}: ours {r['ours_cold_s'] * 1e3:.2f} ms cold, "
                  f"{r['ours_warm_s'] * 1e3:.2f} ms warm; {peers}")
    for c, peers in speedup_range.items():
        print(f"{c:>12}: " + "; ".join(f"{p} {v['speedup_cold'][0]:.0f}-{v['speedup_cold'][1]:.0f}x cold, "
                                        f"{v['speedup_warm'][0]:.0f}-{v['speedup_warm'][1]:.0f}x warm"
                                        for p, v in peers.items()))
    print(f"written {OUT}")


if __name__ == "__main__":
    main()
