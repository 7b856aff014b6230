"""How fine must ``antenna-st5`` be segmented? Mesh convergence over a population sample,
and where NEC-2 (PyNEC, optional) is resolved.

The sample: the population (40 designs) of a short NSGA-II run of ``antenna-st5``
(pop 40, 30 generations, seed 7: designs the search actually visits) and 20 random
trees of the genome (seeds 0-19). Each design's deck (segments of at most a twentieth of the
8470 MHz wavelength, the feed wire in 1 mm segments, end caps) is solved by our MoM at both
ST5 frequencies with every segment cut into k = 1, 2, 4 (``Antenna.refined(k)``; 4 is the
finest the solver's shortest segment allows, and the finest check level); the table gives,
for k = 1, 2 against 2k, the largest, 95th-percentile and median relative change of the
input impedance and of the minimum RHCP gain over 40-80 degrees (dB).

NEC-2 (standard kernel, as a deck without EK cards runs) on the same designs' decks with
every arm wire's segment count times m = 1, 2, 3 (``ST5Problem.deck``; the feed wire keeps
its segments, the source on the lowest, so the feed is the one our evaluation models),
for the feed wire cut into 4 (the problem's, a 1 mm gap), 2 and 1 segments (a 2 or 4 mm
gap, the last the previous design's): NEC's average power gain (2 over perfect ground
when the solution conserves power) at each frequency; a deck is "resolved" when it is
within 2 %. For the problem's feed it also gives NEC's Z and min RHCP against ours at
k = 4, and at the default deck density those of NEC's extended kernel (EK card).

Writes benchmarks/out/antenna_st5_convergence.json. Usage (about 10 minutes):
python benchmarks/antenna_st5_convergence.py [--quick]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402

from gadesign.atomic import atomic_write_json  # noqa: E402
from gadesign_problems.antenna.st5 import antenna_st5, blas_single_thread  # noqa: E402
from gadesign_problems.antenna.tree import from_json  # noqa: E402
from gadesign_problems.antenna.units import db  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from st5_nec import have_pynec, nec_st5  # noqa: E402

OURS = (1, 2, 4)
PAIRS = ((1, 2), (2, 4))
NEC = (1, 2, 3)
FEEDS = (4, 2, 1)


def sample(quick: bool) -> tuple[list, int]:
    """GA population (pop 40 x 30 generations, seed 7) plus 20 random trees, and how many
    of them are the GA's."""
    from gadesign.cli import main

    p = antenna_st5()
    with tempfile.TemporaryDirectory() as tmp:
        run = Path(tmp) / "run"
        gens = 10 if quick else 30
        main(["evolve", "antenna-st5", "--pop", "40", "--generations", str(gens), "--seed", "7",
              "--out", str(run), "--quiet"])
        last = sorted((run / "checkpoints").glob("gen-*.json"))[-1]
        pop = [from_json(m["genome"]) for m in json.loads(last.read_text())["state"]["population"]]
    rand = [p.genome.sample(np.random.default_rng(s)) for s in range(5 if quick else 20)]
    return pop + rand, len(pop)


def ours(x, k: int) -> dict:
    p = antenna_st5(refinement=1)
    ant = p.decode(x).refined(k)
    th, ph = p.requirements.directions()
    with blas_single_thread():
        t = time.perf_counter()
        sol = ant.solve(list(p.requirements.frequencies))
        r = db(sol.gain_components(th, ph)["rhcp"]).min(axis=1)
        dt = time.perf_counter() - t
    return {"z": sol.impedance[:, 0], "min_rhcp": r, "segments": ant.n_segments, "s": dt}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="a small sample (a check of the script)")
    ap.add_argument("--out", type=Path, default=Path(__file__).parent / "out" / "antenna_st5_convergence.json")
    args = ap.parse_args()
    xs, n_ga = sample(args.quick)
    print(f"{len(xs)} designs", flush=True)
    res = {s: [ours(x, s) for x in xs] for s in OURS}
    rows = []
    for s, s2 in PAIRS:
        dz = np.array([np.abs(a["z"] - b["z"]) / np.abs(b["z"]) for a, b in zip(res[s], res[s2])])
        dr = np.array([np.abs(a["min_rhcp"] - b["min_rhcp"]) for a, b in zip(res[s], res[s2])])
        near = np.array([b["min_rhcp"].min() >= -3.0 for b in res[s2]])
        row = {"k": s, "next_k": s2, "dz_max": float(dz.max()), "dz_median": float(np.median(dz)),
               "dz_p95": float(np.quantile(dz, 0.95)),
               "d_min_rhcp_db_max": float(dr.max()), "d_min_rhcp_db_median": float(np.median(dr)),
               "d_min_rhcp_db_p95": float(np.quantile(dr, 0.95)),
               "segments_median": float(np.median([a["segments"] for a in res[s]])),
               # designs near the requirement (min RHCP >= -3 dBic at both frequencies at 2k):
               # where a pass/fail can flip; deep nulls elsewhere move by dBs without mattering
               "near_target": int(near.sum()),
               "d_min_rhcp_db_near_max": float(dr[near].max()) if near.any() else None,
               "d_min_rhcp_db_near_p95": float(np.quantile(dr[near], 0.95)) if near.any() else None,
               "solve_ms_median": 1e3 * float(np.median([a["s"] for a in res[s]]))}
        rows.append(row)
        print(json.dumps(row), flush=True)
    out = {"per_design": [{"k": s, "z": [[[float(v.real), float(v.imag)] for v in a["z"]] for a in res[s]],
                           "min_rhcp": [[float(v) for v in a["min_rhcp"]] for a in res[s]]} for s in OURS],
           "sample": f"{len(xs)} designs: GA population (antenna-st5, pop 40, {10 if args.quick else 30} "
                     "generations, seed 7) + random trees",
           "ours": rows, "machine": platform.platform()}
    if have_pynec():
        nec_rows = []
        at40: list[dict] = []
        cmp_m: list[dict] = []
        for nf, s in [(nf, s) for nf in FEEDS for s in NEC]:
            p = antenna_st5(feed_segments=nf)
            agt = []
            for i, x in enumerate(xs):
                ant = p.deck(x, segments=s)
                r = [nec_st5(ant, f, p.requirements) for f in p.requirements.frequencies]
                agt.append([q["average_gain"] for q in r])
                if nf != FEEDS[0]:
                    continue
                o = res[OURS[-1]][i]
                cmp_m.append({"m": s, "dz": [abs(q["z"] - z) / abs(z) for q, z in zip(r, o["z"])],
                              "drhcp": [q["min_rhcp_dbic"] - m for q, m in zip(r, o["min_rhcp"])],
                              "near": bool(o["min_rhcp"].min() >= -3.0)})
                if s == p.deck_segments:
                    ext = [nec_st5(ant, f, p.requirements, extended=True) for f in p.requirements.frequencies]
                    at40.append({"dz_std": [abs(q["z"] - z) / abs(z) for q, z in zip(r, o["z"])],
                                 "dz_ext": [abs(q["z"] - z) / abs(z) for q, z in zip(ext, o["z"])],
                                 "drhcp_std": [q["min_rhcp_dbic"] - m for q, m in zip(r, o["min_rhcp"])],
                                 "drhcp_ext": [q["min_rhcp_dbic"] - m for q, m in zip(ext, o["min_rhcp"])]})
            agt_a = np.array(agt)
            off = np.abs(agt_a / 2.0 - 1.0)
            row = {"feed_segments": nf, "feed_gap_mm": 1e3 * p.space.feed_height / nf, "m": s,
                   "agt_off_max": float(off.max()), "agt_off_median": float(np.median(off)),
                   "share_within_2pct": float(np.mean((off <= 0.02).all(axis=1))),
                   "share_within_2pct_ga": float(np.mean((off[:n_ga] <= 0.02).all(axis=1)))}
            if nf == FEEDS[0]:
                mine = [c for c in cmp_m if c["m"] == s]
                dz = np.array([c["dz"] for c in mine])
                drh = np.array([c["drhcp"] for c in mine if c["near"]])
                row.update(dz_vs_ours_median=float(np.median(dz)), dz_vs_ours_p95=float(np.quantile(dz, 0.95)),
                           drhcp_vs_ours_near_target_median=float(np.median(drh)) if len(drh) else None,
                           drhcp_vs_ours_near_target_p05=float(np.quantile(drh, 0.05)) if len(drh) else None)
            nec_rows.append(row)
            print(json.dumps(row), flush=True)
        out["nec_average_gain"] = nec_rows
        summ = {}
        for key in ("dz_std", "dz_ext", "drhcp_std", "drhcp_ext"):
            v = np.array([a[key] for a in at40])
            summ[key] = {"max_abs": float(np.abs(v).max()), "median": float(np.median(v)),
                         "p05": float(np.quantile(v, 0.05)), "p95": float(np.quantile(v, 0.95))}
        out["nec_at_deck_density_vs_ours_at_k4"] = summ
        print(json.dumps(summ), flush=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_json(args.out, out)


if __name__ == "__main__":
    main()
