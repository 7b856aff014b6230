"""Evaluators: one interface, serial or a local process pool.

An evaluator maps a batch of genomes to their :class:`~gadesign.problem.Evaluation`, in
the batch's order, and never lets one bad design stop a run: an exception, a wrong
number of values or a non-finite value becomes an infeasible evaluation with the reason
in ``info["reason"]``. Evaluation is a pure function of the genome, so which worker ran a
design cannot change the result: the front does not depend on ``--workers``.
"""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from typing import Any, Sequence

from gadesign.problem import Evaluation, Problem, evaluate_batch


def safe_evaluate(problem: Problem, xs: Sequence[Any]) -> list[Evaluation]:
    """Evaluate a batch; failures become infeasible evaluations with a reason."""
    m, c = len(problem.objectives), len(problem.constraints)
    try:
        results = evaluate_batch(problem, xs)
        if len(results) != len(xs):
            raise ValueError(f"evaluate_many returned {len(results)} results for {len(xs)} designs")
    except Exception:
        if len(xs) == 1:
            return [_evaluate_one(problem, xs[0])]
        return [_evaluate_one(problem, x) for x in xs]
    return [r.checked(m, c) if isinstance(r, Evaluation) else
            Evaluation.failed(m, c, f"evaluate returned {type(r).__name__}, not Evaluation") for r in results]


def _evaluate_one(problem: Problem, x: Any) -> Evaluation:
    m, c = len(problem.objectives), len(problem.constraints)
    try:
        result = problem.evaluate(x)
    except Exception as exc:  # a failed design is data, not a crash
        return Evaluation.failed(m, c, f"error: {type(exc).__name__}: {exc}")
    if not isinstance(result, Evaluation):
        return Evaluation.failed(m, c, f"evaluate returned {type(result).__name__}, not Evaluation")
    return result.checked(m, c)


class SerialEvaluator:
    """Evaluates in this process."""

    workers = 1

    def __init__(self, problem: Problem) -> None:
        self.problem = problem

    def __call__(self, xs: Sequence[Any]) -> list[Evaluation]:
        return safe_evaluate(self.problem, xs)

    def close(self) -> None:
        pass

    def __enter__(self) -> "SerialEvaluator":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


_WORKER_PROBLEM: Problem | None = None


def _init_worker(problem: Problem) -> None:
    global _WORKER_PROBLEM  # one problem per worker process, set once at start-up
    _WORKER_PROBLEM = problem
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")


def _evaluate_chunk(xs: Sequence[Any]) -> list[Evaluation]:
    assert _WORKER_PROBLEM is not None
    return safe_evaluate(_WORKER_PROBLEM, xs)


class ProcessPoolEvaluator(SerialEvaluator):
    """Evaluates on ``workers`` local processes; the problem is sent once per worker and
    batches go out in contiguous chunks (a few per worker, to balance load)."""

    def __init__(self, problem: Problem, workers: int, chunks_per_worker: int = 4) -> None:
        super().__init__(problem)
        self.workers = workers
        self.chunks_per_worker = chunks_per_worker
        method = "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"
        self._pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context(method),
                                         initializer=_init_worker, initargs=(problem,))

    def __call__(self, xs: Sequence[Any]) -> list[Evaluation]:
        xs = list(xs)
        if not xs:
            return []
        n_chunks = min(len(xs), self.workers * self.chunks_per_worker)
        bounds = [round(i * len(xs) / n_chunks) for i in range(n_chunks + 1)]
        chunks = [xs[a:b] for a, b in zip(bounds[:-1], bounds[1:])]
        results: list[Evaluation] = []
        for part in self._pool.map(_evaluate_chunk, chunks):
            results.extend(part)
        return results

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


def make_evaluator(problem: Problem, workers: int = 1) -> SerialEvaluator:
    """A serial evaluator for ``workers <= 1``, else a process pool of that size."""
    return SerialEvaluator(problem) if workers <= 1 else ProcessPoolEvaluator(problem, workers)
