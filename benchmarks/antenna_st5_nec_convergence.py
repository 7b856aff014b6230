"""Does NEC-2 converge on the exported ``antenna-st5`` decks, where, and to what?

NEC-2 (PyNEC, nec2++; GPL, a test and benchmark reference only) on development designs'
decks with every arm wire's segment count times m = 1, 2, 3, 4, 6, 8
(``ST5Problem.deck(x, segments=m)``; the feed wire keeps its 4 segments of 1 mm, the
source on the lowest, so every level has the same 1 mm feed gap), with NEC's standard
thin-wire kernel and with its extended kernel (EK card). Per design, kernel and level:
input impedance, VSWR (50 ohm) and NEC's average power gain (AGT, 2 over perfect ground
when the solution conserves power) at 2106.4 and 8470 MHz, and the least RHCP gain over
theta 40-80 degrees at every azimuth (NEC's 5-degree grid). Against: our MoM at 4x the
evaluation refinement (``Antenna.refined(4)``, converged: Z within 1 % of 2x), the same
quantities on the same grid.

Convergence of NEC from level m to the next: |dZ|/|Z| and |d min RHCP| (dB); a design
is "NEC-converged at m" when from m to the next level Z changes < 1 % and min RHCP
< 0.1 dB at both frequencies.

Development designs only (the unseen validation seeds 39-48 are excluded everywhere):
every recorded design of seeds 1-38 in ``benchmarks/out/antenna_st5_seeds*.json`` (and
the restart studies' JSONs), the final fronts and members of the last checkpoint
population of the run directories given with ``--runs`` (seeds below 39), and random
trees of the genome (seeds 0..R-1).

Which engine is right where they differ? ``--canonical``: ours and NEC-2 on an ST5 feed
topped by one straight arm, one bent arm and the five-wire hub, at the ST5 radius and at a
tenth of it (where NEC's thin-wire kernel is valid at every level).

Writes benchmarks/out/antenna_st5_nec_convergence.json. Usage (a few minutes)::

    python benchmarks/antenna_st5_nec_convergence.py [--runs DIR ...] [--random 12] [--rules multiple,radius]
    python benchmarks/antenna_st5_nec_convergence.py --canonical --out benchmarks/out/antenna_st5_nec_canonical.json
    python benchmarks/antenna_st5_nec_convergence.py --trace antenna_st5_seeds_validation4.json:42 \
        antenna_st5_seeds_validation4.json:43 --out benchmarks/out/antenna_st5_nec_trace_validation4.json
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import re
import sys
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402

from gadesign.atomic import atomic_write_json  # noqa: E402
from gadesign_problems.antenna.st5 import antenna_st5, blas_single_thread  # noqa: E402
from gadesign_problems.antenna.tree import from_json, to_json  # noqa: E402
from gadesign_problems.antenna.units import db  # noqa: E402
from gadesign_problems.antenna.wires import GeometryError  # noqa: E402

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from st5_nec import nec_st5  # noqa: E402

LEVELS = (1, 2, 3, 4, 6, 8)
#: the other mesh rule: arm segments of about this many wire radii
RADII = (3.0, 2.0, 1.5, 1.0, 0.75, 0.6)
RULES = {"multiple": LEVELS, "radius": RADII}
KERNELS = ("standard", "extended")
VALIDATION = range(39, 49)
DZ_TOL, DRHCP_TOL = 0.01, 0.1


def development_designs(runs: list[Path], n_random: int, population: int = 1) -> list[dict[str, Any]]:
    """Development designs (label, genome JSON), duplicates removed; seeds 39-48 never."""
    out: dict[str, dict[str, Any]] = {}

    def add(label: str, genome: Any) -> None:
        key = json.dumps(genome, sort_keys=True)
        out.setdefault(key, {"label": label, "genome": genome})

    for f in sorted((HERE / "out").glob("antenna_st5_*.json")):
        data = json.loads(f.read_text())
        for s, e in (data.get("seeds") or {}).items():
            if int(s) not in VALIDATION and isinstance(e, dict) and "genome" in e:
                add(f"{f.stem}:seed-{s}", e["genome"])
    for root in runs:
        for front in sorted(root.glob("**/front.json")):
            m = re.search(r"seed-(\d+)", str(front))
            if m is None or int(m.group(1)) in VALIDATION:
                continue
            for i, mem in enumerate(json.loads(front.read_text())["members"]):
                add(f"{front.parent.name}:member-{i}", mem["genome"])
            ck = sorted((front.parent / "checkpoints").glob("gen-*.json"))
            if ck and population:
                pop = json.loads(ck[-1].read_text())["state"]["population"]
                for i in np.linspace(0, len(pop) - 1, population + 2).astype(int)[1:-1]:
                    add(f"{front.parent.name}:{ck[-1].stem}-population-{i}", pop[i]["genome"])
    p = antenna_st5()
    for s in range(n_random):
        add(f"random-{s}", to_json(p.genome.sample(np.random.default_rng(s))))
    return list(out.values())


def ours(p: Any, x: Any, k: int) -> dict[str, Any]:
    """Our MoM at ``k`` x the evaluation refinement on NEC's grid: Z, VSWR, min RHCP."""
    th, ph = np.meshgrid(np.arange(0.0, 91.0, 5.0), np.arange(0.0, 360.0, 5.0), indexing="ij")
    lo, hi = p.requirements.theta_range
    sel = (th[:, 0] >= lo - 1e-9) & (th[:, 0] <= hi + 1e-9)
    ant = p.decode(x, refinement=p.refinement * k)
    with blas_single_thread():
        sol = ant.solve(list(p.requirements.frequencies))
        g = db(sol.gain_components(th[sel].ravel(), ph[sel].ravel())["rhcp"])
    z = sol.impedance[:, 0]
    return {"z": [complex(v) for v in z], "vswr": [float(v) for v in sol.vswr(p.requirements.z0)[:, 0]],
            "min_rhcp": [float(v) for v in g.min(axis=1)]}


def radius_deck(p: Any, x: Any, c: float) -> Any:
    """The design's deck with every arm wire cut into segments of about ``c`` wire radii
    (``ceil(length / (c a))``), the feed wire as exported."""
    from dataclasses import replace

    ant = p.deck(x, segments=1)
    fed = {s.tag for s in ant.sources}
    a = p.space.wire_radius
    return replace(ant, wires=tuple(w if w.tag in fed else replace(w, segments=max(1, math.ceil(w.length / (c * a))))
                                    for w in ant.wires))


def nec_levels(p: Any, x: Any, levels: tuple[float, ...] = LEVELS, rule: str = "multiple",
               kernels: tuple[str, ...] = KERNELS) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for kern in kernels:
        rows = []
        for m in levels:
            try:
                ant = p.deck(x, segments=int(m)) if rule == "multiple" else radius_deck(p, x, m)
            except GeometryError:          # segments below half a radius: no wire model there
                rows.append(None)
                continue
            r = [nec_st5(ant, f, p.requirements, extended=kern == "extended") for f in p.requirements.frequencies]
            rows.append({"m": m, "segments": ant.n_segments, "z": [complex(q["z"]) for q in r],
                         "vswr": [float(q["vswr"]) for q in r], "min_rhcp": [q["min_rhcp_dbic"] for q in r],
                         "agt": [q["average_gain"] for q in r]})
        out[kern] = rows
    return out


def doubling(designs: list[dict[str, Any]], levels: tuple[float, ...], rule: str, kern: str) -> dict[str, Any]:
    """NEC's Z at three levels, each twice as fine as the last (m = 1, 2, 4 or c = 3, 1.5,
    0.75 radii): the ratio of the second change to the first. A mesh sequence converging
    at order p has ratio 2**-p (0.5 for first order); a ratio near 1 is a drift that does
    not settle (>= 1: growing), and where r < 1 the second change times r / (1 - r) is how
    far a geometric sequence would still go (relative to Z at the finest level)."""
    trio = (1, 2, 4) if rule == "multiple" else (3.0, 1.5, 0.75)
    idx = [levels.index(v) for v in trio]
    ratios, still = [], []
    for d in designs:
        rows = [d[f"nec_{rule}"][kern][i] for i in idx]
        if any(r is None for r in rows):
            continue
        z = [np.array(r["z"]) for r in rows]
        first, second = np.abs(z[1] - z[0]), np.abs(z[2] - z[1])
        r = second / first
        ratios.extend(r)
        still.extend((second * r / (1 - r) / np.abs(z[2]))[r < 1])
    v, w = np.array(ratios), np.array(still)
    return {"levels": list(trio), "ratio_median": float(np.median(v)), "ratio_p05": float(np.quantile(v, 0.05)),
            "ratio_p95": float(np.quantile(v, 0.95)), "share_ratio_below_0.5": float(np.mean(v < 0.5)),
            "share_ratio_at_least_1": float(np.mean(v >= 1)),
            "to_go_rel_median": float(np.median(w)) if w.size else None, "points": int(v.size)}


def rel(a: list[complex], b: list[complex]) -> list[float]:
    return [abs(u - v) / abs(v) for u, v in zip(a, b)]


def summarise(designs: list[dict[str, Any]], levels: tuple[float, ...] = LEVELS, rule: str = "multiple"
              ) -> dict[str, Any]:
    kernels = tuple(designs[0][f"nec_{rule}"])
    """Per kernel and level: NEC's change to the next level, its AGT, its distance to ours
    (median / 95th percentile / max over designs and both frequencies), and the share of
    designs converged by the criterion."""
    def q(v: np.ndarray) -> dict[str, float]:
        v = np.abs(np.asarray(v, float)).ravel()
        return {"median": float(np.median(v)), "p95": float(np.quantile(v, 0.95)), "max": float(v.max())}

    table: dict[str, Any] = {}
    for kern in kernels:
        rows = []
        for i, m in enumerate(levels):
            have = [d for d in designs if d[f"nec_{rule}"][kern][i] is not None]
            lv = [d[f"nec_{rule}"][kern][i] for d in have]
            row: dict[str, Any] = {"m": m, "designs": len(have)}
            if not have:
                rows.append(row)
                continue
            if i + 1 < len(levels):
                pairs = [(d[f"nec_{rule}"][kern][i], d[f"nec_{rule}"][kern][i + 1]) for d in have
                         if d[f"nec_{rule}"][kern][i + 1] is not None]
                if pairs:
                    dz = np.array([rel(a["z"], b["z"]) for a, b in pairs])
                    dr = np.array([np.subtract(a["min_rhcp"], b["min_rhcp"]) for a, b in pairs])
                    conv = (dz.max(axis=1) < DZ_TOL) & (np.abs(dr).max(axis=1) < DRHCP_TOL)
                    row.update(next_m=levels[i + 1], pairs=len(pairs), dz_next=q(dz), d_min_rhcp_next_db=q(dr),
                               share_converged=float(conv.mean()))
            agt = np.array([a["agt"] for a in lv]) / 2.0 - 1.0
            dz_o = np.array([rel(a["z"], d["ours"]["z"]) for a, d in zip(lv, have)])
            dv_o = np.array([np.subtract(a["vswr"], d["ours"]["vswr"]) for a, d in zip(lv, have)])
            dr_o = np.array([np.subtract(a["min_rhcp"], d["ours"]["min_rhcp"]) for a, d in zip(lv, have)])
            # NEC within the default design margins of ours (VSWR 0.055, least RHCP 0.3 dB) at both frequencies
            within = ((np.abs(dv_o) <= 0.055) & (np.abs(dr_o) <= 0.3)).all(axis=1)
            recorded = np.array([d["label"].startswith("antenna_st5_seeds") for d in have])
            row.update(agt_off=q(agt), share_agt_within_2pct=float((np.abs(agt) <= 0.02).all(axis=1).mean()),
                       dz_vs_ours=q(dz_o), dvswr_vs_ours=q(dv_o), d_min_rhcp_vs_ours_db=q(dr_o),
                       share_within_margins=float(within.mean()),
                       # the searches' recorded designs (met or best): deep pattern nulls of random trees aside
                       share_within_margins_recorded=float(within[recorded].mean()) if recorded.any() else None,
                       recorded=int(recorded.sum()),
                       min_segment_radii_median=float(np.median([d["min_arm_segment_radii"] / m for d in have]))
                       if rule == "multiple" else float(m))
            rows.append(row)
        table[kern] = {"levels": rows, "doubling": doubling(designs, levels, rule, kern)}
    return table


def canonical(kind: str, m: int, a: float) -> Any:
    """An ST5-like feed (4 mm wire from the ground plane in four 1 mm segments, the source on
    the lowest) topped by 10 mm arms of radius ``a`` in ``6 m`` segments: one vertical arm
    (``straight``), one at 45 degrees (``bent``), or four at 45 degrees at the four
    azimuths (``hub``, the five-wire junction of every ST5 design); the pieces of
    ``tests/antenna/mininec_ref.py``, as an antenna."""
    from gadesign_problems.antenna.wires import Antenna, Source

    sys.path.insert(0, str(HERE.parent / "tests" / "antenna"))
    from mininec_ref import st5_feed_pieces

    return Antenna(wires=tuple(st5_feed_pieces(kind, m, a)), sources=(Source(1, 1),), ground=True)


def canonical_study(freqs: tuple[float, ...]) -> dict[str, Any]:
    """Ours (k = 1, 2, 4) and NEC-2 (standard and EK, arms m = 1, 2, 3, 4, 6) on the
    canonical feeds for the ST5 radius (0.5 mm) and a thin one (0.05 mm, where NEC's
    kernel is valid at every level: arm segments >= 5.6 radii): |Z_NEC - Z_ours(4)| / |Z|."""
    sys.path.insert(0, str(HERE.parent / "tests" / "antenna"))
    from pynec_ref import nec_context

    def nec_z(ant: Any, ek: bool) -> np.ndarray:
        out = []
        for f in freqs:
            ctx = nec_context(ant, extended=ek)
            ctx.fr_card(0, 1, f / 1e6, 0)
            ctx.xq_card(0)
            out.append(complex(ctx.get_input_parameters(0).get_impedance()[0]))
        return np.array(out)

    res: dict[str, Any] = {}
    for a in (0.0005, 0.00005):
        for kind in ("straight", "bent", "hub"):
            base = canonical(kind, 1, a)
            with blas_single_thread():
                our = {k: base.refined(k).solve(list(freqs)).impedance[:, 0] for k in (1, 2, 4)}
            ref = our[4]
            d = lambda z: [float(v) for v in np.abs(z - ref) / np.abs(ref)]  # noqa: E731
            row = {"ours_z4": [[v.real, v.imag] for v in ref], "ours_k1_vs_k4": d(our[1]),
                   "ours_k2_vs_k4": d(our[2])}
            for ek in (False, True):
                row["nec_ek" if ek else "nec_std"] = {m: d(nec_z(canonical(kind, m, a), ek)) for m in (1, 2, 3, 4, 6)}
            res[f"{kind} a={a * 1e3:g} mm"] = row
            print(kind, a, json.dumps(row), flush=True)
    return res


def trace(items: list[str]) -> dict[str, Any]:
    """NEC-2 (standard kernel) at every arm density on recorded designs named ``FILE:SEED``
    (a seed JSON in benchmarks/out and a seed in it), beside the recorded checks of ours:
    a recheck only, for validation designs too; nothing is chosen from it."""
    p = antenna_st5()
    out: dict[str, Any] = {}
    for item in items:
        name, _, seed = item.rpartition(":")
        entry = json.loads((HERE / "out" / name).read_text())["seeds"][seed]
        rows = nec_levels(p, from_json(entry["genome"]), LEVELS, "multiple", ("standard",))["standard"]
        out[item] = {"nec_standard": [None if r is None else {k: ([[v.real, v.imag] for v in r[k]] if k == "z" else r[k])
                                                            for k in r} for r in rows],
                     "ours_levels": entry.get("levels")}
        for r in rows:
            if r is not None:
                print(item, r["m"], "vswr", [round(v, 3) for v in r["vswr"]], "min rhcp",
                      [round(v, 2) for v in r["min_rhcp"]], "agt", [round(v, 3) for v in r["agt"]], flush=True)
    return out


def complexify(v: Any, key: str = "") -> Any:
    """Per-design results read back from the JSON (impedances as [re, im] pairs)."""
    if isinstance(v, dict):
        return {k: complexify(u, k) for k, u in v.items()}
    if isinstance(v, list) and key == "z":
        return [complex(*u) for u in v]
    if isinstance(v, list):
        return [complexify(u, key) for u in v]
    return v


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=Path, nargs="*", default=[], help="run directories (front.json) to draw from")
    ap.add_argument("--random", type=int, default=12, help="random trees of the genome")
    ap.add_argument("--population", type=int, default=1, help="members of each run's last checkpoint population")
    ap.add_argument("--limit", type=int, default=0, help="at most this many designs (a check of the script)")
    ap.add_argument("--out", type=Path, default=HERE / "out" / "antenna_st5_nec_convergence.json")
    ap.add_argument("--rules", default="multiple", help="mesh rules to study: multiple, radius (comma-separated)")
    ap.add_argument("--kernels", default="standard,extended", help="NEC kernels (standard, extended)")
    ap.add_argument("--canonical", action="store_true",
                    help="only the canonical feeds (straight, bent, five-wire hub; ST5 and thin radius): writes --out")
    ap.add_argument("--trace", nargs="+", metavar="FILE:SEED",
                    help="only NEC-2 at every density on these recorded designs (a recheck): writes --out")
    ap.add_argument("--from-json", type=Path, help="summarise the per-design results of an earlier run again")
    args = ap.parse_args()
    p = antenna_st5()
    t0 = time.perf_counter()
    if args.trace:
        atomic_write_json(args.out, {"trace": trace(args.trace), "levels": list(LEVELS), "doc": trace.__doc__})
        return
    if args.canonical:
        atomic_write_json(args.out, {"canonical": canonical_study(tuple(p.requirements.frequencies)),
                                     "doc": canonical_study.__doc__, "machine": platform.platform()})
        return
    cpu_before = 0.0
    if args.from_json:
        old = json.loads(args.from_json.read_text())
        designs, cpu_before = [complexify(d) for d in old["per_design"]], old.get("cpu_s", 0.0)
    else:
        designs = development_designs(args.runs, args.random, args.population)
    if args.limit:
        designs = designs[:args.limit]
    rules = [r for r in args.rules.split(",") if r]
    kernels = tuple(k for k in args.kernels.split(",") if k)
    if args.from_json:
        rules = [r for r in RULES if f"nec_{r}" in designs[0]]
    print(f"{len(designs)} development designs, mesh rules {rules}", flush=True)
    for d in ([] if args.from_json else designs):
        x = from_json(d["genome"])
        ant = p.deck(x, segments=1)
        fed = {s.tag for s in ant.sources}
        d["min_arm_segment_radii"] = min(w.length / w.segments for w in ant.wires if w.tag not in fed) / p.space.wire_radius
        d["ours"] = ours(p, x, 4)
        for rule in rules:
            d[f"nec_{rule}"] = nec_levels(p, x, RULES[rule], rule, kernels)
    table = {rule: summarise(designs, RULES[rule], rule) for rule in rules}
    for rule in rules:
        for kern in table[rule]:
            print(rule, kern, "doubling", json.dumps(table[rule][kern]["doubling"]), flush=True)
            for row in table[rule][kern]["levels"]:
                print(rule, kern, json.dumps({k: (round(v["median"], 4), round(v["p95"], 4)) if isinstance(v, dict)
                                              else v for k, v in row.items()}), flush=True)

    def plain(v: Any) -> Any:
        if isinstance(v, complex):
            return [v.real, v.imag]
        if isinstance(v, dict):
            return {k: plain(u) for k, u in v.items()}
        if isinstance(v, list):
            return [plain(u) for u in v]
        return v

    out = {"levels": {r: list(RULES[r]) for r in rules}, "rules": {
        "multiple": "ST5Problem.deck(x, segments=m): every arm wire's segment count times m",
        "radius": "every arm wire cut into ceil(length / (c a)) segments, c wire radii"}, "kernels": {r: list(table[r]) for r in rules}, "criterion": {"dz": DZ_TOL, "d_min_rhcp_db": DRHCP_TOL},
           "ours": "our MoM at 4 x the evaluation refinement", "designs": len(designs), "table": table,
           "per_design": plain(designs), "cpu_s": cpu_before + time.perf_counter() - t0, "machine": platform.platform()}
    atomic_write_json(args.out, out)


if __name__ == "__main__":
    main()
