"""What the helix's ground clearance costs the match of ``antenna-tdrs`` (issue 20).

The matching turn is a transmission line over the ground plane (Kraus): the lower it sits
in wire radii, the lower its characteristic impedance and the easier 50 ohm is to reach.
NEC-2 wants it at least 12 radii up (``benchmarks/antenna_tdrs_nec_factors.py``). For
``--designs`` buildable helices sampled (fixed ``--seed``) from the genome as it was
before the clearance rule (``min_clearance_radii=3``), our solver (refinement 1, the band
edges) gives the worst VSWR (50 ohm) over both bands with the feed as sampled (3-8.4 mm)
and with the same helix lifted so that its feed wire is ``--clearances`` wire radii tall.

    python benchmarks/antenna_tdrs_match.py        # ~1 CPU minute; JSON to benchmarks/out/antenna_tdrs_match.json

``--networks``: which lumped matching network at the feed can bring such helices to 50
ohm. Helices sampled (``--seed``) from the default genome (12 radii), plus the seed-1
design of the default run without a network (``--design``), are solved once (refinement 1,
``--per-band`` frequencies per band, edges included); for each network the component
values over the realisable ranges of ``tdrs_match`` (0.5-20 nH, 0.2-20 pF; 80 log-spaced
values each, every pair for two-element networks) that give the least worst-case VSWR over
both bands: bare; one series L or C (what an LD card on the source segment adds); one
shunt L or C; and the four two-element L sections, shunt element at the antenna then series
(as :class:`MatchNetwork`) or series at the antenna then shunt at the line.

    python benchmarks/antenna_tdrs_match.py --networks    # ~10 CPU s; JSON to benchmarks/out/antenna_tdrs_match_networks.json
"""

from __future__ import annotations

import argparse
import json
import platform
import subprocess
import time
from pathlib import Path

import numpy as np

OUT = Path(__file__).parent / "out"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--designs", type=int, default=60)
    ap.add_argument("--seed", type=int, default=5)
    ap.add_argument("--clearances", type=float, nargs="+", default=[8.0, 12.0])
    ap.add_argument("--out", type=Path, default=None)
    ap.add_argument("--networks", action="store_true", help="compare matching networks at the default clearance")
    ap.add_argument("--per-band", type=int, default=5)
    ap.add_argument("--design", type=Path, default=OUT / "antenna_tdrs_design_check_default_seed1.json")
    args = ap.parse_args()
    if args.networks:
        return networks(args)
    args.out = args.out or OUT / "antenna_tdrs_match.json"
    from gadesign_problems.antenna.st5 import blas_single_thread
    from gadesign_problems.antenna.tdrs import antenna_tdrs

    from gadesign.atomic import atomic_write_text

    p = antenna_tdrs(refinement=1, min_clearance_radii=3)
    k, lam, a = p.space.k, p.space.layout.lam0, p.space.layout.wire_radius
    f = p.requirements.frequencies(2)
    rng = np.random.default_rng(args.seed)
    cases: dict[str, list[float]] = {"as_sampled": [], **{f"{c:g}_radii": [] for c in args.clearances}}
    t0 = time.process_time()
    n = 0
    while n < args.designs:
        x = p.genome.sample(rng)
        if p.geometry_shortfall(x) > 0:
            continue
        n += 1
        for name in cases:
            y = {key: np.array(v, copy=True) for key, v in x.items()}
            if name != "as_sampled":
                y["shape"][2 * k] = float(name.split("_")[0]) * a / lam
            with blas_single_thread():
                cases[name].append(float(np.max(p.decode(y, refinement=1).solve(f).vswr(p.requirements.z0))))
    summary = {name: {"best": round(min(v), 3), "q10": round(float(np.quantile(v, 0.1)), 3),
                      "median": round(float(np.median(v)), 3), "below_2": int(sum(u < 2.0 for u in v)),
                      "below_2_5": int(sum(u < 2.5 for u in v))} for name, v in cases.items()}
    commit = subprocess.run(["git", "rev-parse", "HEAD"], check=False, capture_output=True, text=True).stdout.strip()
    doc = {"benchmark": "antenna_tdrs_match", "commit": commit, "machine": platform.platform(),
           "cpu_s": round(time.process_time() - t0, 1),
           "args": {key: (str(v) if isinstance(v, Path) else v) for key, v in vars(args).items()},
           "frequencies_mhz": [float(v) / 1e6 for v in f], "worst_vswr_summary": summary,
           "worst_vswr": {name: [round(u, 3) for u in v] for name, v in cases.items()}}
    atomic_write_text(args.out, json.dumps(doc, indent=1))
    print(json.dumps(summary, indent=1))


def _x(kind: str, values: np.ndarray, w: np.ndarray) -> np.ndarray:
    """(V, F) reactance (ohm) of inductors (H) or capacitors (F) ``values`` at ``w`` (rad/s)."""
    return w[None] * values[:, None] if kind == "L" else -1.0 / (w[None] * values[:, None])


def best_networks(z: np.ndarray, f: np.ndarray, z0: float = 50.0, n: int = 80) -> dict[str, dict]:
    """Per network, the least worst-case VSWR over ``f`` (Hz) of antenna impedances ``z``
    (F,) and the component values (nH / pF) that give it (grid over the realisable ranges)."""
    from gadesign_problems.antenna.network import vswr
    from gadesign_problems.antenna.tdrs_match import C_RANGE_PF, L_RANGE_NH

    w = 2 * np.pi * f
    vals = {"L": np.geomspace(*L_RANGE_NH, n) * 1e-9, "C": np.geomspace(*C_RANGE_PF, n) * 1e-12}
    unit = {"L": ("nH", 1e9), "C": ("pF", 1e12)}
    out = {"bare": {"worst_vswr": float(vswr(z, z0).max())}}
    for k in "LC":
        for where, zin in (("series", z[None] + 1j * _x(k, vals[k], w)),
                           ("shunt", 1 / (1 / z[None] + 1 / (1j * _x(k, vals[k], w))))):
            v = vswr(zin, z0).max(axis=1)
            out[f"{where}_{k}"] = {"worst_vswr": float(v.min()),
                                   unit[k][0]: round(float(vals[k][v.argmin()] * unit[k][1]), 4)}
    for a in "LC":
        for b in "LC":
            ya = 1 / (1j * _x(a, vals[a], w))                                   # (A, F) shunt admittance
            zb = 1j * _x(b, vals[b], w)                                         # (B, F) series impedance
            for name, zin in ((f"shunt_{a}_at_antenna+series_{b}", (1 / (1 / z[None] + ya))[:, None] + zb[None]),
                              (f"series_{b}_at_antenna+shunt_{a}", 1 / (1 / (z[None] + zb)[None] + ya[:, None]))):
                v = vswr(zin, z0).max(axis=2)
                i, j = np.unravel_index(v.argmin(), v.shape)
                out[name] = {"worst_vswr": float(v[i, j]), f"shunt_{unit[a][0]}": round(float(vals[a][i] * unit[a][1]), 4),
                             f"series_{unit[b][0]}": round(float(vals[b][j] * unit[b][1]), 4)}
    return out


def networks(args: argparse.Namespace) -> None:
    from gadesign_problems.antenna.st5 import blas_single_thread
    from gadesign_problems.antenna.tdrs import antenna_tdrs

    from gadesign.atomic import atomic_write_text

    p = antenna_tdrs(refinement=1, match_network="none")
    f = p.requirements.frequencies(args.per_band)
    src = json.loads(args.design.read_text())
    designs = [("seed1_default_run", p.genome.from_json(src["genome"]))]
    rng = np.random.default_rng(args.seed)
    while len(designs) < args.designs + 1:
        x = p.genome.sample(rng)
        if p.geometry_shortfall(x) == 0:
            designs.append((f"random_{len(designs)}", x))
    t0 = time.process_time()
    rows = {}
    for name, x in designs:
        with blas_single_thread():
            z = p.decode(x, refinement=1).solve(f).impedance[:, 0]
        rows[name] = best_networks(z, f, p.requirements.z0)
    names = list(rows["seed1_default_run"])
    rand = [r for n, r in rows.items() if n != "seed1_default_run"]
    summary = {k: {"seed1": round(rows["seed1_default_run"][k]["worst_vswr"], 3),
                   "random_median": round(float(np.median([r[k]["worst_vswr"] for r in rand])), 3),
                   "random_q10": round(float(np.quantile([r[k]["worst_vswr"] for r in rand], 0.1)), 3),
                   "random_below_2": int(sum(r[k]["worst_vswr"] < 2.0 for r in rand)),
                   "random_below_1_9": int(sum(r[k]["worst_vswr"] < 1.9 for r in rand))} for k in names}
    commit = subprocess.run(["git", "rev-parse", "HEAD"], check=False, capture_output=True, text=True).stdout.strip()
    doc = {"benchmark": "antenna_tdrs_match --networks", "commit": commit, "machine": platform.platform(),
           "cpu_s": round(time.process_time() - t0, 1),
           "args": {key: (str(v) if isinstance(v, Path) else v) for key, v in vars(args).items()},
           "frequencies_mhz": [float(v) / 1e6 for v in f], "random_designs": len(rand), "summary": summary,
           "designs": rows}
    atomic_write_text(args.out or OUT / "antenna_tdrs_match_networks.json", json.dumps(doc, indent=1))
    print(json.dumps(summary, indent=1))


if __name__ == "__main__":
    main()
