"""How the pool's chunking of an ``antenna-st5`` generation bounds ``--workers 2``.

Runs the seeded ST5 evolution serially, recording the CPU time of each child's repair
plus evaluation (the unit the pool schedules; a child that a mutation turned into a
Nelder-Mead polish request costs 0.3-1.2 s, an ordinary one 10-20 ms), then replays every
generation's costs through list scheduling on two processors (idle processor takes the
next chunk) with: the guided chunks in batch order; the same with the costly children
first, one per task (``Genome.repair_cost``, what ProcessPoolEvaluator does); and the
lower bound max(total / 2, costliest child). The ratios are serial time over the
replayed makespan of the generations (no pool start, round trips or engine work: an
upper bound for each chunking).

Writes benchmarks/out/antenna_schedule.json. Usage:
python benchmarks/antenna_schedule.py [--pop 100] [--generations 20] [--seed 1]
"""

from __future__ import annotations

import argparse
import heapq
import os
import time
from pathlib import Path
from typing import Any, Sequence

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from gadesign import evolve  # noqa: E402
from gadesign.atomic import atomic_write_json  # noqa: E402
from gadesign.evaluation import SerialEvaluator, _costly_first, _guided_chunks, safe_evaluate  # noqa: E402
from gadesign_problems.antenna.st5 import antenna_st5  # noqa: E402


def record_costs(pop: int, generations: int, seed: int) -> list[list[tuple[float, float]]]:
    """Per batch of children: (CPU seconds of repair + evaluation, repair_cost hint)."""
    batches: list[list[tuple[float, float]]] = []

    def timed(self: SerialEvaluator, xs: Sequence[Any], skip: Any = ()) -> list[tuple[Any, Any]]:
        out, costs = [], []
        for x in xs:
            hint = self.problem.genome.repair_cost(x)
            started = time.thread_time()
            y = self.problem.genome.repair(x)
            e = safe_evaluate(self.problem, [y], self.timeout)[0]
            costs.append((time.thread_time() - started, hint))
            out.append((y, e))
        batches.append(costs)
        return out

    original = (SerialEvaluator.repair_evaluate, SerialEvaluator.parallel_repair_evaluate)
    SerialEvaluator.repair_evaluate, SerialEvaluator.parallel_repair_evaluate = timed, True  # type: ignore[assignment]
    try:
        evolve(antenna_st5(), pop=pop, generations=generations, seed=seed, workers=1, refine=0)
    finally:
        SerialEvaluator.repair_evaluate, SerialEvaluator.parallel_repair_evaluate = original  # type: ignore[assignment]
    return batches


def makespan(costs: Sequence[float], chunks: Sequence[Sequence[int]], processors: int = 2) -> float:
    """List scheduling: each chunk (of indices into ``costs``) goes to the first idle processor."""
    free = [0.0] * processors
    for chunk in chunks:
        heapq.heappush(free, heapq.heappop(free) + sum(costs[i] for i in chunk))
    return max(free)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pop", type=int, default=100)
    ap.add_argument("--generations", type=int, default=20)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "out" / "antenna_schedule.json")
    args = ap.parse_args()
    batches = record_costs(args.pop, args.generations, args.seed)
    serial = guided = costly_first = bound = 0.0
    for batch in batches:
        costs = [c for c, _ in batch]
        serial += sum(costs)
        guided += makespan(costs, _guided_chunks(list(range(len(batch))), 2))
        costly_first += makespan(costs, _costly_first([h for _, h in batch], len(batch),
                                                      lambda light: _guided_chunks(light, 2)))
        bound += max(sum(costs) / 2, max(costs))
    polish = [c for batch in batches for c, h in batch if h > 1.0]
    doc = {
        "benchmark": "antenna-st5 generations replayed through the pool's chunking on 2 processors",
        "budget": {"pop": args.pop, "generations": args.generations, "seed": args.seed},
        "batches": len(batches), "children": sum(len(b) for b in batches),
        "polish_requests": len(polish), "polish_cpu_s": round(sum(polish), 3),
        "serial_cpu_s": round(serial, 3),
        "speedup_bound": {"guided_in_batch_order": round(serial / guided, 3),
                          "costly_first": round(serial / costly_first, 3),
                          "ideal": round(serial / bound, 3)},
    }
    atomic_write_json(args.out, doc)
    print(doc)


if __name__ == "__main__":
    main()
