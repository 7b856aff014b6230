"""``antenna-tdrs``: how far the answers move between mesh refinements, and what one
evaluation costs -- the basis of the problem's evaluation refinement, its design margins
and its default budget.

For ``--designs`` random genomes of each representation (seeded, the designs the search
starts from) plus the textbook Kraus helix (12 turns, C = lambda, 12.5 deg): the design
solved at refinement 1, 2 and 4 (every deck segment cut into that many) on the
evaluation's sampling; per pair of neighbouring levels the largest relative change of
the port impedances and the largest changes (dB) of the boresight gain, the worst gain
over 0-20 deg, the worst side lobe and the worst axial ratio over 0-20 deg (all over
both bands); and the CPU seconds of one evaluation (``TdrsProblem.measure``) at each level.

    python benchmarks/antenna_tdrs_convergence.py [--designs 8] [--out benchmarks/out/antenna_tdrs_convergence.json]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np

LEVELS = (1, 2, 4)
KEYS = ("boresight_dbic", "min_fov_dbic", "max_sidelobe_dbic", "max_fov_axial_ratio_db")


def spread(a: dict, b: dict) -> dict:
    za = np.array(a["impedance_ohm"], float)
    zb = np.array(b["impedance_ohm"], float)
    za, zb = za[..., 0] + 1j * za[..., 1], zb[..., 0] + 1j * zb[..., 1]
    out = {"impedance_rel": float(np.max(np.abs(za - zb) / np.abs(zb)))}
    for k in KEYS:
        out[k] = float(np.max(np.abs(np.array(a[k]) - np.array(b[k]))))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--designs", type=int, default=8, help="random designs per representation")
    ap.add_argument("--seed", type=int, default=20)
    ap.add_argument("--out", type=Path, default=Path(__file__).parent / "out" / "antenna_tdrs_convergence.json")
    args = ap.parse_args()
    from gadesign_problems.antenna.tdrs import antenna_tdrs

    rows = []
    for rep in ("helix", "yagi"):
        p = antenna_tdrs(representation=rep, match_network="none")   # the designs as recorded (before the feed network)
        xs = p.genome.sample_many(args.designs, np.random.default_rng(args.seed))
        if rep == "helix":
            xs.insert(0, {"turns": np.array([12]), "shape": np.array([0.16] * 4 + [12.5] * 4 + [0.03, 0.0, 3.0])})
        for i, x in enumerate(xs):
            ms, cpu = {}, {}
            for lv in LEVELS:
                t = time.process_time()
                ms[lv] = p.measure(x, refinement=lv)
                cpu[lv] = time.process_time() - t
            rows.append({"representation": rep, "design": i, "segments": ms[1]["segments"],
                         "cpu_s": {str(k): round(v, 4) for k, v in cpu.items()},
                         "spread_1_2": spread(ms[1], ms[2]), "spread_2_4": spread(ms[2], ms[4]),
                         "level2": {k: ms[2][k] for k in KEYS + ("vswr_per_frequency",)}})
            print(rep, i, rows[-1]["segments"], rows[-1]["cpu_s"], rows[-1]["spread_2_4"], flush=True)
    summary = {}
    for rep in ("helix", "yagi"):
        rr = [r for r in rows if r["representation"] == rep]
        summary[rep] = {
            "designs": len(rr),
            "cpu_s_median": {str(k): float(np.median([r["cpu_s"][str(k)] for r in rr])) for k in LEVELS},
            "max_spread_1_2": {k: max(r["spread_1_2"][k] for r in rr) for k in rr[0]["spread_1_2"]},
            "max_spread_2_4": {k: max(r["spread_2_4"][k] for r in rr) for k in rr[0]["spread_2_4"]},
        }
    commit = subprocess.run(["git", "rev-parse", "HEAD"], check=False, capture_output=True, text=True).stdout.strip()
    doc = {"benchmark": "antenna_tdrs_convergence", "commit": commit, "machine": platform.platform(),
           "note": "run at nice 19 on a shared 2-core machine: CPU seconds (process time), not wall",
           "summary": summary, "designs": rows}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    tmp = args.out.with_suffix(".tmp")
    tmp.write_text(json.dumps(doc, indent=1))
    tmp.replace(args.out)
    print(json.dumps(summary, indent=1))


if __name__ == "__main__":
    main()
