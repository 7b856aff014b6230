"""The pool's guided chunks and this process's share of the work change nothing in a run
(issue 19, point 2): same evaluations as serial, byte-identical front and logbook."""

from __future__ import annotations

import json

import numpy as np
import pytest

from gadesign.evaluation import ProcessPoolEvaluator, SerialEvaluator, _guided_chunks
from gadesign.registry import make_problem


@pytest.mark.parametrize("n, workers", [(0, 2), (1, 2), (7, 2), (100, 2), (100, 16), (256, 32), (5, 64)])
def test_guided_chunks_cover_the_batch_in_order_and_shrink_to_one(n, workers):
    chunks = _guided_chunks(list(range(n)), workers)
    assert [x for c in chunks for x in c] == list(range(n))
    sizes = [len(c) for c in chunks]
    assert sizes == sorted(sizes, reverse=True) and all(s >= 1 for s in sizes)
    if n:
        assert sizes[-1] == 1  # the worker that finishes last waits on one design
    left = n
    for size in sizes:  # each chunk is 1/(2W) of what is left, rounded up
        assert size == -(-left // (2 * workers))
        left -= size
    if (n, workers) == (100, 2):  # pop 100 on 2 workers: 14 round trips instead of 25 chunks of 4
        assert len(chunks) == 14


def test_warm_pool_shares_the_work_with_this_process_and_matches_serial():
    problem = make_problem("zdt1-faulty", {"cost_ms": 1.0, "n_var": 8})
    rng = np.random.default_rng(5)
    batches = [problem.genome.sample_many(64, rng) for _ in range(4)]
    serial = SerialEvaluator(problem)
    expected = [[(e.objectives, e.violations, e.info) for e in serial(b)] for b in batches]
    with ProcessPoolEvaluator(problem, 2, local_help=True) as pool:
        pool.wait_warm()
        before = pool.local_chunks
        got = [[(e.objectives, e.violations, e.info) for e in pool(b)] for b in batches]
        assert pool.local_chunks > before  # this process evaluated the small last chunks itself
    assert got == expected


def test_cli_front_and_logbook_byte_identical_serial_and_two_workers(cli, tmp_path):
    args = ("evolve", "zdt1-faulty", "--set", "cost_ms=1", "--pop", "32", "--generations", "6", "--seed", "9",
            "--checkpoint-every", "2", "-q")
    for workers in ("1", "2"):
        res = cli(*args, "--workers", workers, "--out", str(tmp_path / workers))
        assert res.returncode == 0, res.stderr
    for name in ("front.json", "front.csv", "logbook.csv"):
        assert (tmp_path / "1" / name).read_bytes() == (tmp_path / "2" / name).read_bytes(), name
    states = [json.loads((tmp_path / w / "checkpoints" / "gen-0006.json").read_text())["state"] for w in "12"]
    assert states[0] == states[1]  # the whole engine state (the config, with --workers, differs)
