"""molecule-design quality: the graph GA (default budget: NSGA-II, pop 100 x 99 generations
= 10,000 evaluations) against random sampling with the same budget, seeds 1-3.

Random sampling, the peer: the same number of distinct molecules without selection -- a
random order of the whole admissible starting pool (RDKit's NCI first 5K, the molecules
the GA starts from) and then one random GB-GA mutation of a random pool member each,
until the budget is spent. Both are scored by the same problem. Reported per run: best
QED, hypervolume of the (QED max, SA min) front with the problem's reference point
(QED 0, SA 10), best QED after every 1,000 evaluations, and evaluations per second
(measured in the same process, so only the ratio GA/random is meaningful). GuacaMol's
QED benchmark (Brown et al., J. Chem. Inf. Model. 59, 1096 (2019)) reports 0.948 as the
best QED of its baselines (graph GA included), the ceiling to compare against.

Writes benchmarks/out/molecule_design.json. Usage: python benchmarks/molecule_design.py
[--seeds 1 2 3] [--generations 99]

``--isomers`` instead runs the isomer archive (``evolve_isomers``, 20,000 children at most)
for the alkanes C7H16 .. C11H24, seeds as given, against the published isomer counts
(OEIS A000602: 9, 18, 35, 75, 159), and writes benchmarks/out/molecule_isomers.json.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402

from gadesign import evolve  # noqa: E402
from gadesign.atomic import atomic_write_text  # noqa: E402
from gadesign.indicators import hypervolume  # noqa: E402
from gadesign_problems.molecule.design import molecule_design  # noqa: E402

OUT = Path(__file__).resolve().parent / "out" / "molecule_design.json"
GUACAMOL_QED_BEST = 0.948


def _front_hv(points: np.ndarray, reference: tuple[float, float]) -> float:
    """Hypervolume of (QED max, SA min) points, as the engine computes it (minimising
    -QED and SA against the reference point)."""
    F = np.column_stack([-points[:, 0], points[:, 1]])
    return float(hypervolume(F, np.array([-reference[0], reference[1]])))


def random_sampling(problem, budget: int, seed: int) -> dict:
    rng = np.random.Generator(np.random.PCG64(seed))
    genome = problem.genome
    pool = genome.sample_many(len(genome.initial), rng)  # random order of the admissible pool
    seen: dict[str, None] = {}
    for s in pool:
        if len(seen) >= budget:
            break
        seen.setdefault(s, None)
    base = list(seen)
    while len(seen) < budget:
        child = genome.mutate_once(base[int(rng.integers(len(base)))], rng)
        if child is not None:
            seen.setdefault(child, None)
    started = time.perf_counter()
    values = np.array([problem.evaluate(s).objectives for s in seen])
    seconds = time.perf_counter() - started
    best_per_1000 = [float(values[:k, 0].max()) for k in range(1000, budget + 1, 1000)]
    return {"evaluations": len(values), "best_qed": float(values[:, 0].max()),
            "hypervolume": _front_hv(values, problem.reference_point), "best_qed_per_1000": best_per_1000,
            "evaluations_per_second": len(values) / seconds}


def ga(problem, seed: int, generations: int) -> dict:
    started = time.perf_counter()
    result = evolve(problem, seed=seed, generations=generations)
    seconds = time.perf_counter() - started
    evals = result.logbook[-1]["evals"]
    per_1000 = []
    for k in range(1000, evals + 1, 1000):
        rows = [r for r in result.logbook if r["evals"] <= k]
        per_1000.append(rows[-1]["best_qed"])
    front = result.objectives()
    return {"evaluations": evals, "best_qed": float(front[:, 0].max()),
            "hypervolume": _front_hv(front, problem.reference_point), "best_qed_per_1000": per_1000,
            "evaluations_per_second": evals / seconds, "seconds": seconds,
            "front": [{"smiles": x, "qed": e.objectives[0], "sa_score": e.objectives[1]} for x, e in result.front]}


ALKANES = {"C7H16": 9, "C8H18": 18, "C9H20": 35, "C10H22": 75, "C11H24": 159}  # OEIS A000602


def isomers(seeds: list[int]) -> None:
    from rdkit import Chem
    from rdkit.Chem.rdMolDescriptors import CalcMolFormula

    from gadesign_problems.molecule.isomers import evolve_isomers

    rows = []
    for formula, published in ALKANES.items():
        for seed in seeds:
            started = time.perf_counter()
            archive = evolve_isomers(formula, seed=seed, evaluations=20_000)
            exact = all(CalcMolFormula(Chem.MolFromSmiles(s)) == formula for s in archive.smiles)
            rows.append({"formula": formula, "seed": seed, "found": len(archive.smiles), "published": published,
                         "all_exact_formula": exact, "found_by_random_start": archive.found_at.count(0),
                         "children": archive.evaluations,
                         "children_to_last_new": archive.found_at[-1], "seconds": time.perf_counter() - started})
            print(json.dumps(rows[-1]), flush=True)
    out = OUT.with_name("molecule_isomers.json")
    atomic_write_text(out, json.dumps({"benchmark": "molecule-isomers (alkanes)", "runs": rows}, indent=1) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--generations", type=int, default=99)
    parser.add_argument("--isomers", action="store_true", help="run the isomer benchmark instead")
    args = parser.parse_args()
    if args.isomers:
        OUT.parent.mkdir(parents=True, exist_ok=True)
        isomers(args.seeds)
        return
    rows = []
    for seed in args.seeds:
        problem = molecule_design()
        g = ga(problem, seed, args.generations)
        r = random_sampling(problem, g["evaluations"], seed)
        rows.append({"seed": seed, "ga": g, "random": r, "qed_at_least_0.94": g["best_qed"] >= 0.94,
                     "hv_ga_over_random": g["hypervolume"] / r["hypervolume"]})
        print(json.dumps({k: v for k, v in rows[-1].items() if k not in ("ga", "random")}
                         | {"ga_best_qed": g["best_qed"], "ga_hv": g["hypervolume"], "random_best_qed": r["best_qed"],
                            "random_hv": r["hypervolume"], "ga_seconds": g["seconds"]}), flush=True)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(OUT, json.dumps({"benchmark": "molecule-design", "budget": "default (nsga2, pop 100, "
                                       f"{args.generations} generations)", "guacamol_qed_best": GUACAMOL_QED_BEST,
                                       "runs": rows}, indent=1) + "\n")


if __name__ == "__main__":
    main()
