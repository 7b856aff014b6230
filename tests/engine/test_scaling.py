"""Parallel evaluation stays bit-identical to serial while the pool balances chunks by
cost and this process evaluates chunks while the workers start (issue 19, point 1)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from gadesign import evolve
from gadesign.evaluation import ProcessPoolEvaluator, SerialEvaluator, _sized_chunks
from gadesign.registry import make_problem


@pytest.mark.parametrize("n, size", [(1, 4), (10, 3), (100, 13), (7, 7), (5, 100)])
def test_sized_chunks_cover_the_batch_in_order(n, size):
    chunks = _sized_chunks(list(range(n)), size)
    assert [x for c in chunks for x in c] == list(range(n))
    assert max(map(len, chunks)) <= size + 1 and min(map(len, chunks)) >= min(n, size) - 1


def test_cold_pool_shares_the_first_batch_with_this_process_and_matches_serial():
    problem = make_problem("zdt1-faulty", {"cost_ms": 2.0, "n_var": 8})
    xs = problem.genome.sample_many(60, np.random.default_rng(2))
    expected = [(e.objectives, e.violations) for e in SerialEvaluator(problem)(xs)]
    with ProcessPoolEvaluator(problem, 2, chunk_size=3) as pool:
        got = [(e.objectives, e.violations) for e in pool(xs)]  # called at once: the workers are still starting
        assert pool.local_chunks > 0  # this process took chunks from the back meanwhile
        pool.wait_warm()
        assert [(e.objectives, e.violations) for e in pool(xs[::-1])] == expected[::-1]
        assert pool.roundtrip(xs, 4) > 0
    assert got == expected


def test_evolve_same_front_serial_pool_and_auto():
    def front(workers):
        result = evolve(make_problem("zdt1-faulty", {"cost_ms": 1.0, "n_var": 6}), pop=16, generations=4,
                        seed=11, workers=workers)
        return json.dumps([list(map(list, result.objectives()))]), result.logbook

    serial, log1 = front(1)
    for workers in (2, "auto"):
        other, log2 = front(workers)
        assert other == serial
        assert [r["hv"] for r in log2] == [r["hv"] for r in log1]
