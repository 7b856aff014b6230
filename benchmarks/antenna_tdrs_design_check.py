"""``antenna-tdrs``: one evolved design checked the way the full run's design must be --
on the problem's default evaluation, at 1x and 2x its refinement, and on a dense sampling.

Runs ``gadesign evolve antenna-tdrs`` with ``--args`` (default: the quick screening run
of helix seed 1, ``--pop 16 --generations 10 --seed 1 --set refinement=1 --set
points_per_band=2``; same seed, same result) in a temporary folder, or reads ``--run``,
takes the front member with the least constraint violation and reports, with the
problem's DEFAULT parameters (helix, refinement 2, 3 frequencies per band, 5 x 15 deg):

* ``default``: its worst cases and per-band-edge numbers against the bare requirements;
* ``levels``: ``TdrsProblem.check`` at refinement 2 and 4 (Z, gains, AR per frequency);
  the largest relative change of Z and of the gains (dB) between them;
* ``dense``: ``TdrsProblem.dense_check`` (11 frequencies per band, 1 x 5 deg) and how much
  worse each worst case is there than on the default sampling.

    python benchmarks/antenna_tdrs_design_check.py [--run RUN_DIR | --args "..."]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shlex
import subprocess
import tempfile
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402

NAMES = ("boresight", "fov", "sidelobe", "axial_ratio", "vswr")
QUICK = "--pop 16 --generations 10 --seed 1 --set refinement=1 --set points_per_band=2"


def least_violating(run: Path) -> tuple[dict, dict]:
    config = json.loads((run / "config.json").read_text())
    front = json.loads((run / "front.json").read_text())["members"]
    return config, min(front, key=lambda m: m["violations"][0])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--run", type=Path, default=None, help="an existing antenna-tdrs run directory")
    ap.add_argument("--args", default=QUICK, help="gadesign evolve arguments when no --run is given")
    ap.add_argument("--out", type=Path, default=Path(__file__).parent / "out" / "antenna_tdrs_design_check.json")
    args = ap.parse_args()
    from gadesign.cli import main as cli
    from gadesign_problems.antenna.tdrs import antenna_tdrs

    with tempfile.TemporaryDirectory() as tmp:
        run = args.run
        if run is None:
            run = Path(tmp) / "run"
            rc = cli(["evolve", "antenna-tdrs", *shlex.split(args.args), "--out", str(run), "--quiet"])
            if rc != 0:
                raise SystemExit(f"gadesign evolve failed with exit code {rc}")
        config, member = least_violating(run)
    params = dict(config.get("params") or {})
    kw = {k: v for k, v in params.items() if k in ("representation", "sense", "wire_radius", "match_network")}
    if "network" not in member["genome"]:
        kw["match_network"] = "none"                   # a design evolved before the matching section
    p = antenna_tdrs(**kw)
    x = p.genome.from_json(member["genome"])
    d = p.measure(x)
    rows = p.check(x)
    z = [np.array(r["impedance_ohm"], float) for r in rows]
    z = [v[..., 0] + 1j * v[..., 1] for v in z]
    level_spread = {"impedance_rel": float(np.max(np.abs(z[0] - z[1]) / np.abs(z[1])))}
    za = [np.array(r["antenna_impedance_ohm"], float) for r in rows]
    za = [v[..., 0] + 1j * v[..., 1] for v in za]
    level_spread["antenna_impedance_rel"] = float(np.max(np.abs(za[0] - za[1]) / np.abs(za[1])))
    for k in ("boresight_dbic", "min_fov_dbic", "max_sidelobe_dbic", "max_fov_axial_ratio_db"):
        level_spread[k] = float(np.max(np.abs(np.array(rows[0][k]) - np.array(rows[1][k]))))
    dense = p.dense_check(x)
    worse = {k: (dense[k] - d[k]) if k != "vswr" else dense[k] / d[k] for k in NAMES}
    keep = ("requirement_margins", "meets_requirements", "meets_with_margins", "frequencies_mhz", "boresight_dbic",
            "min_fov_dbic", "max_sidelobe_dbic", "max_fov_axial_ratio_db", "vswr_per_frequency", "impedance_ohm",
            "antenna_impedance_ohm")
    commit = subprocess.run(["git", "rev-parse", "HEAD"], check=False, capture_output=True, text=True).stdout.strip()
    doc = {"benchmark": "antenna_tdrs_design_check", "commit": commit, "machine": platform.platform(),
           "run": str(args.run) if args.run else f"gadesign evolve antenna-tdrs {args.args}",
           "run_params": params, "run_violation": member["violations"][0],
           "run_config": {k: config.get(k) for k in ("algorithm", "pop", "generations", "seed", "workers")},
           "design": {**p.space.describe(x), **({"match_network": p.match_network(x).describe()}
                                                if p.network else {})}, "genome": member["genome"],
           "default": {k: d[k] for k in NAMES + keep},
           "levels": rows, "level_spread_2x_4x": level_spread,
           "dense": {k: dense[k] for k in NAMES + keep}, "dense_minus_default": worse}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    tmp_out = args.out.with_suffix(".tmp")
    tmp_out.write_text(json.dumps(doc, indent=1))
    tmp_out.replace(args.out)
    print(json.dumps({k: doc[k] for k in ("design", "level_spread_2x_4x", "dense_minus_default")}, indent=1))
    print(json.dumps(doc["default"]["requirement_margins"]), doc["default"]["meets_requirements"])


if __name__ == "__main__":
    main()
