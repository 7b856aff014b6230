"""Evolve an ST5-style X-band antenna with the Python API, then inspect and export it.

NASA's Space Technology 5 antenna (Hornby, Lohn & Linden, Evolutionary Computation
19(1), 2011) had to give RHCP gain >= 0 dBic from 40 to 80 degrees off zenith at every
azimuth, VSWR < 1.2 at 8470 MHz and < 1.5 at 7209.125 MHz, and fit a 15.24 cm cylinder.
This script evolves 4-arm branching wire trees against those requirements with the
single-objective product fitness (``scalar=True``) and writes the best design's NEC-2
deck, Touchstone sweep, pattern CSV and plots, and checks it on 1x, 2x and 4x finer meshes.

The default budget here is a short demonstration (under a minute); ``--full`` runs the
problem's default budget, which is what ``gadesign evolve antenna-st5 --set scalar=True``
does from the command line. Usage::

    python examples/st5_antenna.py [--full] [--seed 1] [--out results/st5-example]
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from gadesign import evolve  # noqa: E402
from gadesign_problems.antenna.st5 import antenna_st5  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description="Evolve an ST5-style antenna (Python API example).")
    ap.add_argument("--full", action="store_true", help="use the problem's default budget (minutes)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", type=Path, default=Path("results/st5-example"))
    args = ap.parse_args()

    problem = antenna_st5(scalar=True)
    budget = {} if args.full else {"pop": 20, "generations": 15}
    result = evolve(problem, seed=args.seed, **budget)
    x, evaluation = result.front[0]
    info = evaluation.info
    print(f"evaluations: {result.logbook[-1]['evals']}, product fitness: {evaluation.objectives[0]:.4g} "
          f"(1 = every requirement met)")
    for f, v, g, lim in zip(problem.requirements.frequencies, info["vswr_per_frequency"],
                            info["min_rhcp_dbic"], problem.requirements.vswr_limits):
        print(f"  {f / 1e6:9.3f} MHz: VSWR {v:.3f} (limit {lim}), min RHCP gain over 40-80 deg "
              f"{g:+.2f} dBic")
    print(f"  {info['wires_per_arm']} wires per arm, {info['branches']} branches, "
          f"meets all requirements: {info['meets_requirements']} (with the design margins: "
          f"{info['meets_with_margins']})")
    for row in problem.check(x):                   # the same design on 1x, 2x, 4x finer meshes
        print(f"  mesh x{row['level']}: VSWR {', '.join(f'{v:.3f}' for v in row['vswr'])}, min RHCP "
              f"{', '.join(f'{g:+.2f}' for g in row['min_rhcp_dbic'])} dBic, meets: {row['meets_requirements']}")
    antenna = problem.decode(x)                    # a plain Antenna: usable without the engine
    print(f"  {antenna!r}")
    paths = problem.export(x, evaluation, args.out, "best")
    print("wrote", ", ".join(str(p) for p in paths))


if __name__ == "__main__":
    main()
