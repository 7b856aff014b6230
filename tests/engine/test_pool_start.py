"""How the local pool starts its workers and when this process evaluates beside them
(issue 19): forked from this process on first use where that is safe (Linux, a single
thread), by forkserver/spawn at construction otherwise; this process helps in a warm pool
only when the workers leave a CPU free. None of it changes a result."""

from __future__ import annotations

import subprocess
import sys
import threading

import numpy as np
import pytest

from gadesign import evaluation
from gadesign.evaluation import ProcessPoolEvaluator, SerialEvaluator
from gadesign.registry import make_problem


def _batch(n: int = 40, seed: int = 3):
    problem = make_problem("zdt1-faulty", {"cost_ms": 1.0, "n_var": 8})
    xs = problem.genome.sample_many(n, np.random.default_rng(seed))
    expected = [(e.objectives, e.violations) for e in SerialEvaluator(problem)(xs)]
    return problem, xs, expected


_FRESH_PROCESS = """
import numpy as np
from gadesign.evaluation import ProcessPoolEvaluator, SerialEvaluator
from gadesign.registry import make_problem
problem = make_problem("zdt1-faulty", {"cost_ms": 1.0, "n_var": 8})
xs = problem.genome.sample_many(40, np.random.default_rng(3))
expected = [(e.objectives, e.violations) for e in SerialEvaluator(problem)(xs)]
with ProcessPoolEvaluator(problem, 2) as pool:
    assert pool.start_method == "fork" and pool._pool is None  # nothing started before the first batch
    got = [(e.objectives, e.violations) for e in pool(xs)]
    assert pool._pool is not None and pool.local_chunks >= 1  # it warmed up on the last chunk itself
    assert len(pool._pool._processes) == 2  # the workers are up
    assert [(e.objectives, e.violations) for e in pool(xs[::-1])] == expected[::-1]
assert got == expected
print("ok")
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="workers are forked on Linux only")
def test_single_threaded_process_forks_its_workers_on_first_use_after_one_local_chunk():
    # a new interpreter: this one may hold threads left by other tests (then it rightly does not fork)
    res = subprocess.run([sys.executable, "-c", _FRESH_PROCESS], capture_output=True, text=True, timeout=300)
    assert res.returncode == 0 and res.stdout.strip() == "ok", res.stderr


def test_a_running_thread_means_no_fork_and_the_workers_start_at_once():
    problem, xs, expected = _batch()
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait, daemon=True)
    thread.start()
    try:
        assert not evaluation._fork_is_safe()
        with ProcessPoolEvaluator(problem, 2) as pool:
            assert pool.start_method in ("forkserver", "spawn") and pool._pool is not None
            assert [(e.objectives, e.violations) for e in pool(xs)] == expected
    finally:
        stop.set()
        thread.join()


def test_a_thread_started_after_construction_still_prevents_the_fork(monkeypatch):
    problem, xs, expected = _batch()
    monkeypatch.setattr(evaluation, "_fork_is_safe", lambda: True)  # as made in a single-threaded process
    pool = ProcessPoolEvaluator(problem, 2)
    monkeypatch.undo()  # this process may hold other tests' threads too: any thread at all prevents the fork
    with pool:
        assert pool.start_method == "fork" and pool._pool is None
        stop = threading.Event()
        thread = threading.Thread(target=stop.wait, daemon=True)
        thread.start()
        try:
            assert [(e.objectives, e.violations) for e in pool(xs)] == expected
            assert pool.start_method in ("forkserver", "spawn")
        finally:
            stop.set()
            thread.join()


@pytest.mark.parametrize("cpus, workers, helps", [(2, 2, False), (2, 1, True), (8, 2, True), (4, 4, False),
                                                  (4, 6, False)])
def test_this_process_helps_a_warm_pool_only_when_a_cpu_is_free(monkeypatch, cpus, workers, helps):
    monkeypatch.setattr(evaluation, "available_cpus", lambda: cpus)
    problem, _, _ = _batch(1)
    pool = ProcessPoolEvaluator(problem, workers)
    try:
        assert pool.local_help is helps
    finally:
        pool.close()
    pool = ProcessPoolEvaluator(problem, workers, local_help=not helps)  # an explicit choice wins
    try:
        assert pool.local_help is (not helps)
    finally:
        pool.close()


def test_front_exports_on_the_workers_are_the_files_one_process_writes(cli, tmp_path):
    """The run's designs (antenna-st5: .nec deck, .s1p sweep, pattern CSV, plots) are
    written one per task on the workers with ``--workers 2``: the same files, byte for
    byte where they are text, as a serial run's."""
    args = ("evolve", "antenna-st5", "--set", "constrained=False", "--pop", "8", "--generations", "1", "--seed", "2",
            "--refine", "0", "-q")
    for workers in ("1", "2"):
        res = cli(*args, "--workers", workers, "--out", str(tmp_path / workers))
        assert res.returncode == 0, res.stderr
    names = sorted(p.name for p in (tmp_path / "1" / "designs").iterdir())
    assert names == sorted(p.name for p in (tmp_path / "2" / "designs").iterdir())
    assert sum(n.endswith(".nec") for n in names) >= 2  # several members: the pool path was taken
    for name in names:
        if name.endswith((".nec", ".s1p", ".csv")):
            assert (tmp_path / "1" / "designs" / name).read_bytes() == (tmp_path / "2" / "designs" / name).read_bytes()
        else:
            assert (tmp_path / "2" / "designs" / name).stat().st_size > 0
