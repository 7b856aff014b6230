"""Engine overhead and non-dominated sorting against DEAP and pymoo, in one run.

Measures on ZDT1 (30 variables):

- framework time per generation with evaluation excluded (total wall time of the run
  minus the time spent inside the objective function) for our NSGA-II, DEAP's NSGA-II
  loop (the one of DEAP's examples/ga/nsga2.py: selTournamentDCD, SBX, polynomial
  mutation, selNSGA2) and pymoo's NSGA2, at population 100 and 5000;
- the hypervolume each reaches at population 100 after 250 generations (same budget);
- non-dominated sorting time: moocore's pareto_rank (ours) vs DEAP's sortNondominated
  at 1000 and 5000 random points.

Writes benchmarks/out/engine.json. Usage: python benchmarks/engine.py [--quick]
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402

from gadesign.algorithms import make_algorithm  # noqa: E402
from gadesign.algorithms.ranking import constrained_ranks  # noqa: E402
from gadesign.atomic import atomic_write_json  # noqa: E402
from gadesign.engine import Evolution  # noqa: E402
from gadesign.indicators import hypervolume  # noqa: E402
from gadesign.problem import evaluate_batch  # noqa: E402
from gadesign_problems.testfunctions.zdt import ZDT1  # noqa: E402

REF = (1.1, 1.1)
TRUE_HV = 1.21 - 1 / 3


def zdt1_matrix(X: np.ndarray) -> np.ndarray:
    f1 = X[:, 0]
    g = 1.0 + 9.0 * X[:, 1:].sum(axis=1) / (X.shape[1] - 1)
    return np.column_stack([f1, g * (1.0 - np.sqrt(f1 / g))])


# -- ours -------------------------------------------------------------------------------------
def run_ours(pop: int, gens: int, seed: int) -> dict[str, float]:
    problem = ZDT1()
    spent = [0.0]
    matrix_function = problem._evaluate

    def timed(X):  # only the objective function counts as evaluation; building the
        t = time.perf_counter()  # Evaluation objects is charged to the framework
        out = matrix_function(X)
        spent[0] += time.perf_counter() - t
        return out

    problem._evaluate = timed  # type: ignore[method-assign]

    def evaluate(xs):
        return evaluate_batch(problem, xs)

    evo = Evolution(problem, make_algorithm("nsga2", 2, pop), pop, np.random.default_rng(seed), evaluate,
                    hv_reference=REF)
    t0 = time.perf_counter()
    evo.initialise()
    for _ in range(gens):
        evo.step()
    total = time.perf_counter() - t0
    front = evo.front()
    return {"overhead_ms_per_gen": 1e3 * (total - spent[0]) / gens, "eval_ms_per_gen": 1e3 * spent[0] / gens,
            "hv_ratio": hypervolume(front.F, REF) / TRUE_HV}


# -- DEAP -------------------------------------------------------------------------------------
def run_deap(pop: int, gens: int, seed: int) -> dict[str, float]:
    from deap import base, tools

    class Fitness(base.Fitness):
        weights = (-1.0, -1.0)

    class Individual(list):
        def __init__(self, values):
            super().__init__(values)
            self.fitness = Fitness()

    rnd = random.Random(seed)
    random.seed(seed)  # DEAP's operators draw from the global random module
    n = 30
    spent = [0.0]

    def evaluate(inds):
        t = time.perf_counter()
        F = zdt1_matrix(np.array(inds, dtype=float))
        for ind, f in zip(inds, F):
            ind.fitness.values = (float(f[0]), float(f[1]))
        spent[0] += time.perf_counter() - t

    population = [Individual([rnd.random() for _ in range(n)]) for _ in range(pop)]
    t0 = time.perf_counter()
    evaluate(population)
    population = tools.selNSGA2(population, pop)
    for _ in range(gens):
        offspring = [Individual(list(ind)) for ind in tools.selTournamentDCD(population, len(population))]
        for a, b in zip(offspring[::2], offspring[1::2]):
            if random.random() <= 0.9:
                tools.cxSimulatedBinaryBounded(a, b, 15.0, 0.0, 1.0)
            tools.mutPolynomialBounded(a, 20.0, 0.0, 1.0, 1.0 / n)
            tools.mutPolynomialBounded(b, 20.0, 0.0, 1.0, 1.0 / n)
        evaluate(offspring)
        population = tools.selNSGA2(population + offspring, pop)
    total = time.perf_counter() - t0
    F = np.array([ind.fitness.values for ind in population])
    return {"overhead_ms_per_gen": 1e3 * (total - spent[0]) / gens, "eval_ms_per_gen": 1e3 * spent[0] / gens,
            "hv_ratio": hypervolume(F[constrained_ranks(F, np.zeros(len(F))) == 0], REF) / TRUE_HV}


# -- pymoo ------------------------------------------------------------------------------------
def run_pymoo(pop: int, gens: int, seed: int) -> dict[str, float] | None:
    try:
        from pymoo.algorithms.moo.nsga2 import NSGA2
        from pymoo.core.problem import Problem
        from pymoo.optimize import minimize
    except ImportError:
        return None
    spent = [0.0]

    class TimedZDT1(Problem):
        def __init__(self):
            super().__init__(n_var=30, n_obj=2, xl=0.0, xu=1.0)

        def _evaluate(self, X, out, *args, **kwargs):
            t = time.perf_counter()
            out["F"] = zdt1_matrix(X)
            spent[0] += time.perf_counter() - t

    t0 = time.perf_counter()
    res = minimize(TimedZDT1(), NSGA2(pop_size=pop), ("n_gen", gens + 1), seed=seed, verbose=False)
    total = time.perf_counter() - t0
    return {"overhead_ms_per_gen": 1e3 * (total - spent[0]) / gens, "eval_ms_per_gen": 1e3 * spent[0] / gens,
            "hv_ratio": hypervolume(res.F, REF) / TRUE_HV}


# -- sorting ----------------------------------------------------------------------------------
def time_sorts(n: int, seed: int) -> dict[str, float]:
    from deap import base, tools

    class Fitness(base.Fitness):
        weights = (-1.0, -1.0)

    class Ind(list):
        def __init__(self, f):
            super().__init__()
            self.fitness = Fitness()
            self.fitness.values = tuple(f)

    rng = np.random.default_rng(seed)
    # points spread over many fronts, as in a real population
    F = rng.random((n, 2))
    t = time.perf_counter()
    ours = constrained_ranks(F, np.zeros(n))
    t_ours = time.perf_counter() - t
    inds = [Ind(f) for f in F]
    t = time.perf_counter()
    fronts = tools.sortNondominated(inds, n)
    t_deap = time.perf_counter() - t
    assert len(fronts) == ours.max() + 1
    return {"ours_ms": 1e3 * t_ours, "deap_ms": 1e3 * t_deap, "speedup": t_deap / t_ours}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer generations (a smoke run)")
    args = parser.parse_args()
    g100 = 50 if args.quick else 250
    g5000 = (2, 1) if args.quick else (10, 1)  # (ours & pymoo, DEAP: its sort takes seconds per call)
    report: dict[str, object] = {"machine": {"platform": platform.platform(), "python": platform.python_version(),
                                             "cpus": os.cpu_count(),
                                 "load_average_at_start": os.getloadavg()}, "problem": "zdt1 (30 variables)"}
    results: dict[str, dict[str, object]] = {}
    for pop, gens, deap_gens in ((100, g100, g100), (5000, g5000[0], g5000[1])):
        row: dict[str, object] = {"generations": gens}
        row["ours"] = run_ours(pop, gens, 1)
        row["deap"] = {**run_deap(pop, deap_gens, 1), "generations": deap_gens}
        row["pymoo"] = run_pymoo(pop, gens, 1)
        ours = row["ours"]["overhead_ms_per_gen"]  # type: ignore[index]
        row["ratio_ours_to_deap"] = ours / row["deap"]["overhead_ms_per_gen"]  # type: ignore[index]
        if row["pymoo"] is not None:
            row["ratio_ours_to_pymoo"] = ours / row["pymoo"]["overhead_ms_per_gen"]  # type: ignore[index]
        results[f"pop{pop}"] = row
        print(f"pop {pop}: " + ", ".join(f"{k} {v['overhead_ms_per_gen']:.2f} ms/gen (HV {v['hv_ratio']:.4f})"
                                         for k, v in row.items() if isinstance(v, dict)))
    report["overhead"] = results
    report["nondominated_sort"] = {f"n{n}": time_sorts(n, 2) for n in (1000, 5000)}
    for k, v in report["nondominated_sort"].items():  # type: ignore[union-attr]
        print(f"sort {k}: moocore {v['ours_ms']:.2f} ms, DEAP {v['deap_ms']:.1f} ms ({v['speedup']:.0f}x)")
    out = Path(__file__).resolve().parent / "out" / "engine.json"
    atomic_write_json(out, report)
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
