"""Formula inference: scoring speed against molmass, enumerator time, GA success, in one run.

1. Candidates scored per second. Isotope patterns (M+0..M+6) of the same random CHNOPS
   +halogen compositions from our batched :class:`PatternTable` and from molmass'
   ``Formula(...).spectrum()`` (the full isotopologue calculation, then binned), checked
   to agree to 1e-9; and our complete candidate scoring (mass, ppm, pattern, mismatch,
   all six golden rules) per second.
2. The exact enumerator's time per reference case (tests/data/molecule/formula_cases.json)
   and on a 900 Da query over ten elements (CHNOPSFClBrI, no pattern), with the rank of
   the true formula.
3. The GA (``--method evolve``, default budget) on every case for several seeds: how
   often its best-scoring formula equals the exact optimum, and after how many
   evaluations it first met that optimum.
4. Guards, each in a fresh process with its peak memory (VmHWM): the 5000 Da query
   over ten elements (refused) and ``1e9``; the largest exact search the default limits
   allow over CHNOPSFClBrI (1150 Da, no pattern); vancomycin [M+H]+ (1448 Da, 7 peaks)
   over CHNOPSFClBrI, a window too large for the default exact search: the GA's answer,
   then the exact search with its limit raised (``--enumeration-limit 6e7``), to check the
   GA's top-1.

Writes benchmarks/out/molecule.json. Usage: python benchmarks/molecule.py [--quick]
(the validation set: benchmarks/molecule_validation.py).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import molmass  # noqa: E402
import numpy as np  # noqa: E402

from gadesign.atomic import atomic_write_json  # noqa: E402
from gadesign_problems.molecule.evolve import evolve_formula  # noqa: E402
from gadesign_problems.molecule.isotopes import PatternTable  # noqa: E402
from gadesign_problems.molecule.query import Query  # noqa: E402
from gadesign_problems.molecule.search import exact_search  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "out" / "molecule.json"
CASES = json.loads((ROOT / "tests" / "data" / "molecule" / "formula_cases.json").read_text())["cases"]
ELEMENTS = ("C", "H", "N", "O", "P", "S", "F", "Cl", "Br", "I")
UPPER = np.array([60, 100, 8, 15, 3, 4, 10, 4, 3, 2])


def molmass_pattern(text: str) -> np.ndarray:
    spectrum = molmass.Formula(text).spectrum()
    first = min(spectrum.keys())
    p = np.array([spectrum[first + k].fraction if first + k in spectrum else 0.0 for k in range(7)])
    return p / p.sum()


def scoring_speed(n_ours: int, n_molmass: int, rng: np.random.Generator) -> dict[str, float]:
    counts = rng.integers(0, UPPER + 1, size=(n_ours, len(ELEMENTS)))
    counts[:, 0] = np.maximum(counts[:, 0], 1)
    table = PatternTable(ELEMENTS, UPPER)
    table(counts[:1000])                                   # warm-up
    t = time.perf_counter()
    ours = table(counts)
    t_ours = time.perf_counter() - t
    texts = ["".join(f"{e}{n}" for e, n in zip(ELEMENTS, row) if n) for row in counts[:n_molmass]]
    t = time.perf_counter()
    theirs = np.array([molmass_pattern(s) for s in texts])
    t_molmass = time.perf_counter() - t
    query = Query.build(450.0, pattern=[0.7, 0.2, 0.08, 0.02], elements="".join(ELEMENTS), rules="extended",
                        upper=dict(zip(ELEMENTS, UPPER.tolist())))
    table_q = query.pattern_table()
    t = time.perf_counter()
    query.score_counts(counts, table_q)
    t_score = time.perf_counter() - t
    return {
        "candidates_ours": n_ours, "candidates_molmass": n_molmass,
        "patterns_per_s_ours": n_ours / t_ours, "patterns_per_s_molmass": n_molmass / t_molmass,
        "us_per_pattern_ours": 1e6 * t_ours / n_ours, "us_per_pattern_molmass": 1e6 * t_molmass / n_molmass,
        "speedup": (n_ours / t_ours) / (n_molmass / t_molmass),
        "max_abs_difference": float(np.abs(ours[:n_molmass] - theirs).max()),
        "full_scores_per_s_ours": n_ours / t_score, "us_per_full_score_ours": 1e6 * t_score / n_ours,
    }


def case_query(case: dict) -> Query:
    m = case["measured"]
    return Query.build(m["neutral_mass"], pattern=m["isotope_pattern"], elements=case["alphabet_informed"])


def enumerator(repeats: int) -> dict[str, object]:
    rows = []
    for case in CASES:
        query = case_query(case)
        times, result = [], None
        for _ in range(repeats):
            t = time.perf_counter()
            result = exact_search(query, top=None)
            times.append(time.perf_counter() - t)
        candidates, stats = result
        names = [c.formula for c in candidates]
        rows.append({"id": case["id"], "mass": case["monoisotopic_mass"], "seconds": statistics.median(times),
                     "enumerated": int(stats["enumerated"]), "feasible": int(stats["feasible"]),
                     "best": names[0] if names else None,
                     "rank_of_true": names.index(case["formula"]) + 1 if case["formula"] in names else None})
    big = Query.build(900.4, elements="".join(ELEMENTS), rules="extended")
    t = time.perf_counter()
    _, stats = exact_search(big, top=10)
    big_row = {"mass": 900.4, "elements": "".join(ELEMENTS), "rules": "extended",
               "enumerated": int(stats["enumerated"]), "seconds": time.perf_counter() - t}
    return {"cases": rows, "true_first": sum(r["rank_of_true"] == 1 for r in rows), "900_da": big_row}


def ga(seeds: list[int]) -> dict[str, object]:
    rows = []
    for case in CASES:
        query = case_query(case)
        optimum = exact_search(query, top=1)[0][0].formula
        per_seed = []
        for seed in seeds:
            t = time.perf_counter()
            report = evolve_formula(query, seed=seed, top=1)
            best = report.candidates[0].formula if report.candidates else None
            per_seed.append({"seed": seed, "best": best, "reached_optimum": best == optimum,
                             "evaluations": report.evaluations,
                             "evaluations_to_optimum": report.first_hit.get(optimum),
                             "seconds": time.perf_counter() - t})
        hits = [r["evaluations_to_optimum"] for r in per_seed if r["reached_optimum"]]
        rows.append({"id": case["id"], "optimum": optimum, "true": case["formula"],
                     "success_rate": len(hits) / len(seeds),
                     "median_evaluations_to_optimum": statistics.median(hits) if hits else None,
                     "median_seconds": statistics.median(r["seconds"] for r in per_seed), "runs": per_seed})
    by_seed = {s: sum(r["runs"][i]["reached_optimum"] for r in rows) for i, s in enumerate(seeds)}
    return {"seeds": seeds, "budget": {"pop": 100, "generations": 150}, "cases": rows,
            "optimum_first_by_seed": by_seed,
            "overall_success_rate": sum(r["success_rate"] for r in rows) / len(rows)}


GUARD_SCRIPT = r"""
import json, resource, sys, time
import molmass, numpy as np
from gadesign_problems.molecule.formula import Formula
from gadesign_problems.molecule.query import Query
from gadesign_problems.molecule.search import SearchTooLarge, exact_search
from gadesign_problems.molecule.evolve import evolve_formula
from gadesign.errors import GadesignError
kind, args = sys.argv[1], json.loads(sys.argv[2])
out = {}
t = time.perf_counter()
try:
    if args.get("formula"):
        ion = Formula(args["formula"]).ion(args["adduct"])
        ref = molmass.Formula(f"[{ion.hill}]+")
        sp = ref.spectrum(min_fraction=1e-15)
        first = min(sp)
        pattern = [sp[first + k].fraction if first + k in sp else 0.0 for k in range(7)]
        query = Query.build(ref.monoisotopic_mass * (1 + 1e-6), args["adduct"], pattern=pattern,
                            elements=args["elements"])
    else:
        query = Query.build(args["mass"], elements=args["elements"])
    if kind == "exact":
        cands, stats = exact_search(query, top=3, max_sub=args.get("max_sub", 8e6),
                                    max_window=args.get("max_window", 2e7))
        out.update(best=[c.formula for c in cands], enumerated=stats["enumerated"])
    else:
        report = evolve_formula(query, seed=1, top=3)
        out.update(best=[c.formula for c in report.candidates], evaluations=report.evaluations,
                   generations=report.generations)
except GadesignError as exc:
    out["refused"] = str(exc)
out["seconds"] = time.perf_counter() - t
try:   # VmHWM: this process image's own peak (ru_maxrss keeps the forking parent's size across exec)
    with open("/proc/self/status") as status:
        out["peak_mb"] = next(int(line.split()[1]) for line in status if line.startswith("VmHWM")) / 1024
except (OSError, StopIteration):
    out["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps(out))
"""


def guarded(kind: str, **args: object) -> dict[str, object]:
    """One search in a fresh process: its answer, time and peak memory."""
    done = subprocess.run([sys.executable, "-c", GUARD_SCRIPT, kind, json.dumps(args)], capture_output=True,
                          text=True, check=True, env={**os.environ, "OPENBLAS_NUM_THREADS": "1"})
    return {"method": kind, **args, **json.loads(done.stdout)}


def guards(quick: bool) -> dict[str, object]:
    out: dict[str, object] = {
        "5000_da_10_elements": guarded("exact", mass=5000.0, elements="CHNOPSFClBrI"),
        "1e9": guarded("exact", mass=1e9, elements="CHNOPS"),
        "5000_da_10_elements_ga": guarded("evolve", mass=5000.0, elements="CHNOPSFClBrI"),
    }
    if not quick:
        out["largest_default_exact"] = guarded("exact", mass=1150.0, elements="CHNOPSFClBrI")
    vanco = {"formula": "C66H75Cl2N9O24", "adduct": "[M+H]+", "elements": "CHNOPSFClBrI"}
    out["vancomycin_exact_default"] = guarded("exact", **vanco)
    out["vancomycin_ga"] = guarded("evolve", **vanco)
    if not quick:
        # what --enumeration-limit 6e7 allows (the window: 2.5 times as many)
        out["vancomycin_exact_raised"] = guarded("exact", max_sub=6e7, max_window=1.5e8, **vanco)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer candidates, repeats and seeds")
    args = parser.parse_args()
    rng = np.random.default_rng(2024)
    started = time.perf_counter()
    result = {
        "machine": {"python": platform.python_version(), "processor": platform.processor() or platform.machine(),
                    "numpy": np.__version__, "molmass": molmass.__version__, "note": "shared 2-core machine"},
        "scoring": scoring_speed(20_000 if args.quick else 200_000, 100 if args.quick else 500, rng),
        "enumerator": enumerator(1 if args.quick else 3),
        "ga": ga([1] if args.quick else [1, 2, 3, 4, 5]),
        "guards": guards(args.quick),
    }
    result["seconds_total"] = time.perf_counter() - started
    atomic_write_json(OUT, result)
    s, e, g = result["scoring"], result["enumerator"], result["ga"]
    print(f"isotope patterns: ours {s['us_per_pattern_ours']:.2f} us, molmass {s['us_per_pattern_molmass']:.0f} us "
          f"per candidate ({s['speedup']:.0f}x), max diff {s['max_abs_difference']:.1e}; "
          f"full scoring {s['us_per_full_score_ours']:.2f} us")
    print(f"enumerator: true formula first in {e['true_first']}/12, "
          f"slowest case {max(r['seconds'] for r in e['cases']):.3f} s, "
          f"900 Da x 10 elements {e['900_da']['seconds']:.2f} s ({e['900_da']['enumerated']} compositions)")
    print(f"GA: optimum first by seed {g['optimum_first_by_seed']}, overall {g['overall_success_rate']:.2%}")
    for name, row in result["guards"].items():
        print(f"{name}: {row.get('best') or row.get('refused', '')[:70]} in {row['seconds']:.2f} s, "
              f"peak {row['peak_mb']:.0f} MB")
    print(f"wrote {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
