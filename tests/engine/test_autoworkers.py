"""``--workers auto`` (issue 19, point 3): the decision on synthetic measurements, and on
real problems: serial for truss-10bar (evaluations of ~0.05 ms), a pool for antenna-st5
(evaluations of several ms). No timing is asserted: only which way the measured costs
point, with the margins stated in gadesign.autoworkers."""

from __future__ import annotations

import logging

import numpy as np
import pytest

from gadesign.autoworkers import AutoEvaluator, Measurements, choose, parallel_time, parse_workers
from gadesign.errors import ConfigError
from gadesign.evaluation import SerialEvaluator, make_evaluator
from gadesign.registry import make_problem


def measured(n=100, per=5e-3, small=12, per_small=None, c_gen=2e-3, c_task=3e-4, cpus=2) -> Measurements:
    return Measurements(n, per, small, per if per_small is None else per_small, c_gen, c_task, cpus)


# -- the decision on synthetic measurements ---------------------------------------------------
def test_costly_evaluations_go_parallel_in_several_chunks_per_worker():
    choice = choose(measured(per=5e-3))
    assert choice.workers == 2
    assert choice.chunk_size is None or choice.chunk_size < 50  # several chunks per worker (None: guided)
    assert choice.speedup > 1.6


def test_guided_chunks_when_round_trips_are_cheap_fixed_few_when_they_are_dear():
    # 5 ms designs, 0.3 ms per chunk: guided (14 chunks, 1/(2N) of what is left, the last
    # ones single designs) beats every fixed size, whose last chunk holds up a worker longer
    assert choose(measured(per=5e-3, c_task=3e-4)).chunk_size is None
    assert "guided" in choose(measured(per=5e-3, c_task=3e-4)).reason
    # 20 ms per chunk: 14 round trips cost more than a fixed size's longer tail
    dear = choose(measured(per=5e-3, c_task=20e-3))
    assert dear.workers == 2 and dear.chunk_size is not None and dear.chunk_size >= 25


def test_cheap_evaluations_stay_serial():
    choice = choose(measured(per=5e-5, c_gen=1e-3, c_task=2.5e-4))  # truss-10bar-like
    assert choice.workers == 1 and choice.reason.startswith("serial")


def test_vectorised_problem_whose_small_batches_are_slow_stays_serial():
    # 0.05 ms per design in a batch of 100 but 0.4 ms in a batch of 12: chunks lose the
    # vectorisation, so the pool cannot win even with free messages
    choice = choose(measured(per=5e-5, per_small=4e-4, c_gen=0.0, c_task=0.0))
    assert choice.workers == 1


def test_margin_is_a_clear_win():
    m = measured(per=1e-3, c_gen=0.0, c_task=0.0, cpus=2)
    base = parallel_time(m, 2, 16)
    assert 1.25 < m.n * m.per_design / base  # this one clears the margin ...
    assert choose(m).workers == 2
    assert choose(m, margin=10.0).workers == 1  # ... and one demanding 10x does not


def test_one_cpu_or_one_design_is_serial():
    assert choose(measured(cpus=1)).workers == 1
    assert choose(measured(n=1)).workers == 1


def test_more_cpus_than_designs_uses_one_worker_per_design():
    choice = choose(measured(n=3, per=0.5, cpus=16))
    assert choice.workers == 3 and choice.chunk_size == 1


@pytest.mark.parametrize("text, value", [("auto", "auto"), (" AUTO ", "auto"), ("3", 3), (2, 2)])
def test_parse_workers(text, value):
    assert parse_workers(text) == value


@pytest.mark.parametrize("bad", ["two", "", "1.5", True, 2.0])
def test_parse_workers_refuses(bad):
    with pytest.raises(ConfigError, match="--workers"):
        parse_workers(bad)


# -- on real problems ---------------------------------------------------------------------------
def drive(problem, batch: int, max_batches: int = 40):
    """Evaluate random batches with --workers auto (2 CPUs) until it has chosen; the
    evaluations must equal serial ones throughout."""
    rng = np.random.default_rng(5)
    serial = SerialEvaluator(problem)
    with AutoEvaluator(problem, cpus=2) as auto:
        for _ in range(max_batches):
            xs = problem.genome.sample_many(batch, rng)
            assert [e.objectives for e in auto(xs)] == [e.objectives for e in serial(xs)]
            if auto.choice is not None:
                return auto.choice, auto
    raise AssertionError("auto never chose")


def test_auto_picks_serial_for_truss_10bar(caplog):
    with caplog.at_level(logging.WARNING, logger="gadesign"):
        choice, auto = drive(make_problem("truss-10bar", {}), 100)
    assert choice.workers == 1
    assert auto._pool is None  # no pool was ever started for it
    assert any(r.message.startswith("note: --workers auto: serial") for r in caplog.records)


def test_auto_picks_parallel_for_antenna_st5(caplog):
    with caplog.at_level(logging.WARNING, logger="gadesign"):
        choice, auto = drive(make_problem("antenna-st5", {}), 24, max_batches=30)
    assert choice.workers == 2, choice.reason
    assert auto.measurements is not None and auto.measurements.per_design > 20 * auto.measurements.c_task
    assert any(r.message.startswith("note: --workers auto: parallel") for r in caplog.records)


def test_make_evaluator_auto():
    problem = make_problem("zdt1", {})
    with make_evaluator(problem, "auto") as ev:
        assert isinstance(ev, AutoEvaluator)
    with pytest.raises(ConfigError):
        make_evaluator(problem, "many")
