"""A genome whose repair runs on the evaluation workers (``parallel_repair``) gives the
same run as one repaired in the main process: the same random draws, the same children.
With a pool the engine repairs and evaluates each child in one pass on the workers
(``repair_evaluate``), and the problem's end-of-run ``refine_design`` runs there too
(``refine_designs``): neither may change a design, an evaluation or the count."""

from __future__ import annotations

import copy

import numpy as np
import pytest

from gadesign import evolve
from gadesign.evaluation import ProcessPoolEvaluator, SerialEvaluator
from gadesign_problems.antenna.st5 import antenna_st5


def _run(problem, workers: int):
    # refine=0: the end polish on the workers is the next test's (it would be most of this one's time)
    result = evolve(problem, pop=16, generations=3, seed=4, workers=workers, refine=0)
    return result.objectives(), [row["evals"] for row in result.logbook]


def test_repair_on_workers_changes_nothing(monkeypatch):
    problem = antenna_st5()
    assert problem.genome.parallel_repair
    local = copy.deepcopy(problem)
    local.genome.parallel_repair = False        # repaired inside Genome.vary, main process
    reference, reference_evals = _run(local, 1)
    front, evals = _run(problem, 1)
    assert np.array_equal(front, reference) and evals == reference_evals
    combined = []
    original = ProcessPoolEvaluator.repair_evaluate

    def spy(self, xs, skip=()):
        combined.append(len(xs))
        return original(self, xs, skip)

    monkeypatch.setattr(ProcessPoolEvaluator, "repair_evaluate", spy)
    front, evals = _run(problem, 2)
    assert combined, "the pool did not repair and evaluate in one pass"
    assert np.array_equal(front, reference)
    assert evals == reference_evals             # duplicates found after repair are not counted


@pytest.mark.parametrize("local_help", [True, False])  # this process refines the first, or the workers all
def test_refine_on_workers_gives_the_serial_designs(local_help):
    problem = antenna_st5(end_polish_evaluations=12, end_polish_below=100.0)
    rng = np.random.Generator(np.random.PCG64(7))
    xs = problem.genome.sample_many(3, rng)
    members = list(zip(xs, SerialEvaluator(problem)(xs)))
    serial = SerialEvaluator(problem).refine_designs(members)
    pool = ProcessPoolEvaluator(problem, 2, local_help=local_help)
    try:
        parallel = pool.refine_designs(members)
    finally:
        pool.close()
    assert [s for *_, s in serial] == [s for *_, s in parallel] and all(s > 0 for *_, s in serial)
    for (x, e, _), (y, f, _) in zip(serial, parallel):
        assert problem.genome.key(x) == problem.genome.key(y)
        assert e.objectives == f.objectives and e.violations == f.violations


def test_costly_repairs_go_out_first_one_per_task_and_change_nothing():
    """``Genome.repair_cost``: the tree's polish requests (a Nelder-Mead polish inside the
    repair) are sent to the workers first, one per task, before the chunks of ordinary
    children; the results come back in the batch's order, equal to serial ones. Children
    whose repaired key is in ``skip`` come back unevaluated, on the workers as serially."""
    from gadesign_problems.antenna.tree import PolishRequest

    problem = antenna_st5(polish_evaluations=6)
    rng = np.random.Generator(np.random.PCG64(11))
    xs = problem.genome.sample_many(12, rng)
    xs[3], xs[9] = PolishRequest(*xs[3]), PolishRequest(*xs[9])
    assert [problem.genome.repair_cost(x) for x in xs].count(6.0) == 2
    serial = SerialEvaluator(problem)
    expected = serial.repair_evaluate(xs)
    # a child that repairs into a design in ``skip`` (a member's copy) is not evaluated
    skip = {problem.genome.key(expected[i][0]) for i in (5, 9)}
    assert [i for i, (_, e) in enumerate(serial.repair_evaluate(xs, skip)) if e is None] == [5, 9]
    pool = ProcessPoolEvaluator(problem, 2, local_help=False)
    pool.wait_warm()  # forked workers start on first use: start them now, to watch what they are sent
    sent = []
    submit = pool._pool.submit

    def spy(fn, chunk):
        sent.append(chunk)
        return submit(fn, chunk)

    pool._pool.submit = spy
    try:
        got = pool.repair_evaluate(xs)
        skipped = pool.repair_evaluate(xs, skip)
    finally:
        pool.close()
    assert [len(c) for c in sent[:2]] == [1, 1] and all(isinstance(c[0], PolishRequest) for c in sent[:2])
    assert not any(isinstance(x, PolishRequest) for c in sent[2:len(sent) // 2] for x in c)
    assert sum(len(c) for c in sent[:len(sent) // 2]) == len(xs)
    assert [i for i, (_, e) in enumerate(skipped) if e is None] == [5, 9]
    for (x, e), (y, f) in zip(expected, got):
        assert problem.genome.key(x) == problem.genome.key(y)
        assert e.objectives == f.objectives and e.violations == f.violations
