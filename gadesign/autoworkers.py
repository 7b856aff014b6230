"""``--workers auto``: measure the first generations, then evaluate serially or on a pool.

Everything the choice rests on is measured in this run::

    t(s)   = a + b/s       seconds per design when s designs are evaluated in one call
                           (b > 0 only for a vectorised ``evaluate_many``: its cost per call)
    serial generation of n designs:        T_1    = n * t(n)
    N workers, k chunks of s = ceil(n/k):  T_N(k) = ceil(k/N) * s * t(s) + s * t(s) / 2
                                                    + c_gen + k * c_task

``s * t(s) / 2`` is the wait for the last chunk when designs differ in cost (workers pull
chunks as they finish, so the slowest holds up at most one chunk). The pool's default,
guided chunks (each 1/(2N) of what is left, down to single designs: sizes s_1..s_k), is
the other candidate: ``T_N(guided) = sum_i s_i t(s_i) / N + s_k t(s_k) / 2 + c_gen + k c_task``
(its last chunk is one design, so no worker waits long on another); it is taken when it is
predicted faster than every fixed size. ``t`` comes from the serial generations (the pool starts in the background meanwhile),
``c_gen`` and ``c_task`` (the pool's own cost per generation and per chunk: pickling,
pipes, wake-ups) from round trips of the generation's genomes through the warm pool that
evaluate nothing. The pool is chosen when ``T_1 / min_k T_N(k) >= margin`` (1.25): a
clear win, so measurement noise on a loaded machine does not flip the choice. The first
pooled generation is then timed, and a pool slower than ``margin`` times the measured
serial generation is dropped. The choice only changes who evaluates a design, never the run's result.
"""

from __future__ import annotations

import logging
import math
import pickle
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Collection, Hashable, Sequence

from gadesign.errors import ConfigError
from gadesign.evaluation import ProcessPoolEvaluator, SerialEvaluator, available_cpus, guided_chunk_sizes, \
    safe_evaluate
from gadesign.problem import Evaluation, Problem

log = logging.getLogger("gadesign")

MARGIN = 1.25  #: predicted speed-up the pool must reach to be chosen
ROUNDTRIP_REPEATS = 3  #: best of this many round trips per overhead probe
GATE = 50.0  #: a pool is started only for evaluations costing this many times their pickling


def parse_workers(value: int | str) -> int | str:
    """``--workers``: a whole number, or ``"auto"``; a :class:`ConfigError` for anything else
    (the range of a number is checked by :func:`gadesign.options.workers`)."""
    if isinstance(value, str):
        text = value.strip().lower()
        if text == "auto":
            return "auto"
        try:
            return int(text)
        except ValueError:
            raise ConfigError(f"--workers {value!r}: expected a whole number or auto") from None
    if isinstance(value, bool) or not isinstance(value, int):
        raise ConfigError(f"--workers {value!r}: expected a whole number or auto")
    return value


@dataclass(frozen=True)
class Measurements:
    """What the choice is made from (seconds; ``n`` designs per generation)."""

    n: int                  #: designs in a generation
    per_design: float       #: t(n): seconds per design, the whole generation in one call
    small_batch: int        #: s of the small-batch measurement (== n when not measured)
    per_design_small: float  #: t(small_batch)
    c_gen: float            #: pool cost per generation (no evaluation)
    c_task: float           #: pool cost per chunk
    cpus: int               #: workers available


@dataclass(frozen=True)
class Choice:
    """Serial (``workers == 1``) or a pool of ``workers`` with ``chunk_size`` designs per chunk
    (None: the pool's guided chunks)."""

    workers: int
    chunk_size: int | None
    serial_s: float         #: predicted seconds per generation, serial
    parallel_s: float       #: predicted seconds per generation on the pool (best chunking)
    reason: str

    @property
    def speedup(self) -> float:
        return self.serial_s / self.parallel_s if self.parallel_s > 0 else math.inf


def cost_model(m: Measurements) -> tuple[float, float]:
    """(a, b) of t(s) = a + b/s through the two measurements; b = 0 when they do not show a
    fixed cost per call (not vectorised, or noise)."""
    if m.small_batch >= m.n or m.per_design_small <= m.per_design:
        return m.per_design, 0.0
    b = (m.per_design_small - m.per_design) / (1.0 / m.small_batch - 1.0 / m.n)
    return max(0.0, m.per_design - b / m.n), b


def parallel_time(m: Measurements, workers: int, chunks: int) -> float:
    """Predicted seconds for one generation on ``workers`` with the batch in ``chunks`` chunks."""
    a, b = cost_model(m)
    size = math.ceil(m.n / chunks)
    k = math.ceil(m.n / size)
    chunk = size * (a + b / size)
    return math.ceil(k / workers) * chunk + chunk / 2 + m.c_gen + k * m.c_task


def guided_time(m: Measurements, workers: int) -> float:
    """Predicted seconds for one generation on ``workers`` in the pool's guided chunks."""
    a, b = cost_model(m)
    sizes = guided_chunk_sizes(m.n, workers)
    work = sum(s * a + b for s in sizes)
    return work / workers + (sizes[-1] * a + b) / 2 + m.c_gen + len(sizes) * m.c_task


def choose(m: Measurements, margin: float = MARGIN) -> Choice:
    """Serial or the pool for measurements ``m`` (see the module docstring)."""
    a, b = cost_model(m)
    serial = m.n * a + b
    if m.cpus < 2 or m.n < 2:
        return Choice(1, m.n, serial, serial, f"{'one CPU' if m.cpus < 2 else 'one design per generation'}")
    workers = min(m.cpus, m.n)
    options = sorted({min(m.n, workers * f) for f in (1, 2, 4, 8, 16)})
    best = min(options, key=lambda k: parallel_time(m, workers, k))
    parallel = parallel_time(m, workers, best)
    size: int | None = math.ceil(m.n / best)
    chunks = f"chunks of {size}"
    guided = guided_time(m, workers)
    if guided < parallel:
        size, parallel = None, guided
        chunks = f"{len(guided_chunk_sizes(m.n, workers))} guided chunks"
    numbers = (f"{m.n} designs at {m.per_design * 1e3:.3g} ms each = {serial * 1e3:.3g} ms serial; "
               f"{workers} workers in {chunks}: {parallel * 1e3:.3g} ms predicted "
               f"(pool cost {m.c_gen * 1e3:.2g} ms per generation + {m.c_task * 1e3:.2g} ms per chunk)")
    if serial >= margin * parallel:
        return Choice(workers, size, serial, parallel, f"parallel: {numbers}")
    return Choice(1, m.n, serial, parallel, f"serial: {numbers}, under {margin}x")


def serialization_time(xs: Sequence[Any], evaluations: Sequence[Evaluation]) -> float:
    """Seconds per design to pickle and unpickle its genome and its evaluation (best of 3):
    what any process pool must pay at the least to move a design and its result."""
    best = math.inf
    for _ in range(3):
        started = time.perf_counter()
        pickle.loads(pickle.dumps(list(xs), protocol=pickle.HIGHEST_PROTOCOL))
        pickle.loads(pickle.dumps(list(evaluations), protocol=pickle.HIGHEST_PROTOCOL))
        best = min(best, time.perf_counter() - started)
    return best / max(1, len(xs))


class AutoEvaluator(SerialEvaluator):
    """Serial first; a pool started in the background as soon as generation 0 shows that
    it could pay; then, once the pool is up, whichever :func:`choose` picks. ``choice`` says which and why (None while
    measuring), ``measurements`` what it was chosen from.

    The gate: a design whose evaluation costs less than ``GATE`` times its serialization
    (pickling its genome and evaluation, measured here) is never worth a pool, whose round
    trip per chunk costs far more than the pickling (see ``c_task``); no pool is started
    for it, because starting one costs the engine CPU time it cannot win back."""

    def __init__(self, problem: Problem, timeout: float | None = None, cpus: int | None = None,
                 margin: float = MARGIN) -> None:
        super().__init__(problem, timeout)
        self.cpus = cpus or available_cpus()
        self.margin = margin
        self.choice: Choice | None = None
        self.measurements: Measurements | None = None
        self.serialization: float | None = None  #: seconds per design (the gate's yardstick)
        self.reverted = False
        self._timed: list[tuple[int, float, bool]] = []  # (designs, seconds, clean) measured serially
        self._verify = False
        self._pool: ProcessPoolEvaluator | None = None
        if self.cpus < 2:
            self._decided(Choice(1, 1, 0.0, 0.0, "serial: one CPU"))

    @property
    def workers(self) -> int:  # type: ignore[override]
        return self.choice.workers if self.choice is not None else 1

    def __call__(self, xs: Sequence[Any]) -> list[Evaluation]:
        xs = list(xs)
        if self.choice is not None and self.choice.workers > 1 and self._pool is not None:
            started = time.perf_counter()
            out = self._pool(xs)
            if self._verify:
                self._check(len(xs), time.perf_counter() - started)
            return out
        if self.choice is None and not self._timed and len(xs) >= 3 \
                and getattr(self.problem, "evaluate_many", None) is None:
            return self._first(xs)
        started = time.perf_counter()
        out = super().__call__(xs)
        if self.choice is None and xs:
            self._timed.append((len(xs), time.perf_counter() - started, bool(self._timed)))
            self._next(xs, out)
        return out

    def _first(self, xs: list[Any]) -> list[Evaluation]:
        """Generation 0 of a problem evaluated one design at a time: the first design pays
        for first-call work (loading compiled kernels); the next tenth is timed for the gate,
        so that the pool can start warming while this process evaluates the rest."""
        m = max(1, len(xs) // 10)
        out = super().__call__(xs[:1])
        started = time.perf_counter()
        out += super().__call__(xs[1:1 + m])
        self._timed.append((m, time.perf_counter() - started, True))
        self._next(xs[1:1 + m], out[1:1 + m])
        started = time.perf_counter()
        out += super().__call__(xs[1 + m:])
        if self.choice is None and len(xs) > 1 + m:
            self._timed.append((len(xs) - 1 - m, time.perf_counter() - started, True))
            self._next(xs, out)
        return out

    def _next(self, xs: list[Any], out: list[Evaluation]) -> None:
        """After a serial measurement: the gate (no pool yet), or the choice (pool warm)."""
        if self._pool is None:
            self._gate(xs, out)
        elif self._pool.warm and len(xs) >= 2:
            self._decide(xs)

    def repair(self, xs: Sequence[Any]) -> list[Any]:
        if self._pooled:
            return self._pool.repair(xs)  # type: ignore[union-attr]
        return super().repair(xs)

    @property
    def _pooled(self) -> bool:
        return self.choice is not None and self.choice.workers > 1 and self._pool is not None

    @property
    def parallel_repair_evaluate(self) -> bool:  # type: ignore[override]
        return self._pooled

    def repair_evaluate(self, xs: Sequence[Any], skip: Collection[Hashable] = ()
                        ) -> list[tuple[Any, Evaluation | None]]:
        """On the pool once it is chosen (not timed: a repair's cost is not an evaluation's)."""
        if self._pooled:
            return self._pool.repair_evaluate(xs, skip)  # type: ignore[union-attr]
        return super().repair_evaluate(xs, skip)

    def refine_designs(self, members: Sequence[tuple[Any, Evaluation]]) -> list[tuple[Any, Evaluation, int]]:
        if self._pooled:
            return self._pool.refine_designs(members)  # type: ignore[union-attr]
        return super().refine_designs(members)

    def export_designs(self, designs: Sequence[tuple[Any, Evaluation, str]], directory: Path,
                       on_done: Callable[[int], None] | None = None) -> list[str]:
        if self._pooled:
            return self._pool.export_designs(designs, directory, on_done)  # type: ignore[union-attr]
        return super().export_designs(designs, directory, on_done)

    def _per_design(self) -> float:
        """Seconds per design of the clean serial measurements (a first generation
        evaluated as one batch also pays for first-call work, so it counts only while it
        is the only one)."""
        clean = [(n, t) for n, t, ok in self._timed if ok] or [(n, t) for n, t, _ in self._timed]
        return min(t / n for n, t in clean)

    def _gate(self, xs: list[Any], evaluations: list[Evaluation]) -> None:
        per = self._per_design()
        self.serialization = serialization_time(xs, evaluations)
        if per >= GATE * self.serialization:
            self._pool = ProcessPoolEvaluator(self.problem, self.cpus, self.timeout)
            self._pool.start()  # now (forked from this warm process where it can be), while gen 0 goes on
            return
        self._decided(Choice(1, len(xs), per * len(xs), math.inf,
                             f"serial: one evaluation takes {per * 1e3:.3g} ms, only "
                             f"{per / self.serialization:.3g}x the {self.serialization * 1e3:.2g} ms of pickling "
                             f"the design and its result (a pool needs at least {GATE}x); no pool started"))

    def _decide(self, xs: list[Any]) -> None:
        assert self._pool is not None
        n = len(xs)
        small = max(1, n // (4 * self.cpus))
        per_small = per = self._per_design()
        if getattr(self.problem, "evaluate_many", None) is not None and small < n:
            started = time.perf_counter()  # a vectorised problem: the cost of a small batch
            safe_evaluate(self.problem, xs[:small], self.timeout)
            per_small = (time.perf_counter() - started) / small
        chunks = min(n, 4 * self.cpus)
        one = min(self._pool.roundtrip(xs, 1) for _ in range(ROUNDTRIP_REPEATS))
        many = min(self._pool.roundtrip(xs, chunks) for _ in range(ROUNDTRIP_REPEATS))
        c_task = max(0.0, (many - one) / (chunks - 1)) if chunks > 1 else 0.0
        self.measurements = Measurements(n, per, small, per_small, max(0.0, one - c_task), c_task, self.cpus)
        self._decided(choose(self.measurements, self.margin))

    def _decided(self, choice: Choice) -> None:
        self.choice = choice
        if choice.workers > 1 and self._pool is not None:
            self._pool.chunk_size = choice.chunk_size
            self._verify = True
        elif self._pool is not None:
            self._pool.close_soon()
            self._pool = None
        log.warning(f"note: --workers auto: {choice.reason}")

    def _check(self, n: int, seconds: float) -> None:
        """After the first pooled generation: drop the pool if it was clearly slower than the
        measured serial time (by the same margin the choice demands, so that one generation
        slowed by other jobs on a shared machine does not undo a measured choice)."""
        self._verify = False
        serial = n * self._per_design()
        if seconds <= self.margin * serial or self._pool is None:
            return
        self.reverted = True
        self.choice = Choice(1, n, serial, seconds, f"serial: the pool took {seconds * 1e3:.3g} ms for "
                             f"{n} designs that one process evaluates in {serial * 1e3:.3g} ms")
        self._pool.close_soon()
        self._pool = None
        log.warning(f"note: --workers auto: {self.choice.reason}")

    def close(self) -> None:
        if self._pool is not None:
            self._pool.close()
