"""``antenna-tdrs``: is the evaluation's sampling dense enough that its verdict holds
between the samples?

For the textbook Kraus helix and ``--designs`` random genomes of each representation:
the five worst cases on four samplings -- 3 frequencies per band with theta/phi every
5/30 deg and 5/15 deg, 5 per band with 5/15 deg, 3 per band with 1/5 deg -- and on a
dense one (11 frequencies per band, 1 x 5 deg, ``TdrsProblem.dense_check``). Reported
per objective and sampling: how much worse (dB; VSWR as a ratio) the dense worst case is
than the sampled one -- what a design's margin must cover for the sampled verdict to
hold -- and so which of frequency or angle the gap comes from.

    python benchmarks/antenna_tdrs_sampling.py [--designs 10]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np

from gadesign.atomic import atomic_write_text  # noqa: E402

NAMES = ("boresight", "fov", "sidelobe", "axial_ratio", "vswr")
CASES = ("3_per_band_5x30deg", "3_per_band_5x15deg", "5_per_band_5x15deg", "3_per_band_1x5deg")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--designs", type=int, default=10)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--reps", default="helix,yagi", help="representations, comma-separated")
    ap.add_argument("--out", type=Path, default=Path(__file__).parent / "out" / "antenna_tdrs_sampling.json")
    args = ap.parse_args()
    from gadesign_problems.antenna.tdrs import antenna_tdrs

    rows: list[dict] = []
    reps = args.reps.split(",")
    for rep in reps:
        p = antenna_tdrs(representation=rep, match_network="none")   # the designs as recorded (before the feed network)
        xs = p.genome.sample_many(args.designs, np.random.default_rng(args.seed))
        if rep == "helix":
            xs.insert(0, {"turns": np.array([12]), "shape": np.array([0.16] * 4 + [12.5] * 4 + [0.03, 0.0, 3.0])})
        for i, x in enumerate(xs):
            d = p.dense_check(x)
            f3, f5 = p.requirements.frequencies(3), p.requirements.frequencies(5)
            cases = {name: p.measure(x, frequencies=f, theta_step=dt, phi_step=dp) for name, f, dt, dp in (
                ("3_per_band_5x30deg", f3, 5.0, 30.0), ("3_per_band_5x15deg", f3, 5.0, 15.0),
                ("5_per_band_5x15deg", f5, 5.0, 15.0), ("3_per_band_1x5deg", f3, 1.0, 5.0))}
            row = {"representation": rep, "design": i, "dense": {k: d[k] for k in NAMES}}
            for name, c in cases.items():
                row[name] = {k: c[k] for k in NAMES}
                row["dense_minus_" + name] = {k: round(d[k] - c[k], 4) if k != "vswr" else round(d[k] / c[k], 4)
                                              for k in NAMES}
            rows.append(row)
            print(rep, i, {k: row["dense_minus_" + k] for k in cases}, flush=True)
            write(args.out, rows, reps)                # after every design: a cut-short run keeps what ran


def write(out: Path, rows: list[dict], reps: list[str]) -> None:
    summary = {rep: {name: {k: max(r["dense_minus_" + name][k] for r in rows if r["representation"] == rep)
                            for k in NAMES} for name in CASES}
               for rep in reps if any(r["representation"] == rep for r in rows)}
    commit = subprocess.run(["git", "rev-parse", "HEAD"], check=False, capture_output=True, text=True).stdout.strip()
    doc = {"benchmark": "antenna_tdrs_sampling", "commit": commit, "machine": platform.platform(),
           "note": "max over designs of dense minus sampled worst case (dB; vswr: dense / sampled ratio); NxAxB: N frequencies per band, theta every A deg, phi every B deg; 3_per_band_1x5deg isolates the frequency sampling",
           "designs_done": len(rows), "summary_max_worsening": summary, "designs": rows}
    out.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(out, json.dumps(doc, indent=1))


if __name__ == "__main__":
    main()
