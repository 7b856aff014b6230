"""Evaluators: one interface, serial, a local process pool, or a Dask cluster.

An evaluator maps a batch of genomes to their :class:`~gadesign.problem.Evaluation`, in
the batch's order, and never lets one bad design stop a run: an exception, a wrong
number of values, a non-finite value or a time-out becomes an infeasible evaluation with
the reason in ``info["reason"]``. Evaluation is a pure function of the genome, so which
worker ran a design cannot change the result: the front does not depend on
``--workers`` or ``--dask``.

Time-outs (``--eval-timeout``): in a process's main thread (serial runs, process-pool
workers) a POSIX interval timer raises inside the evaluation, which stops Python code
and sleeps; elsewhere (Dask worker threads) the evaluation runs in a watchdog thread
that is abandoned at the deadline.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import multiprocessing
import os
import signal
import sys
import threading
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any, Callable, Collection, Hashable, Iterable, Iterator, Sequence

from gadesign.errors import ConfigError, GadesignError
from gadesign.problem import Evaluation, Problem, evaluate_batch


class EvaluationTimeout(Exception):
    """Raised inside an evaluation that ran past its time limit."""


# -- one batch, safely ----------------------------------------------------------------------
def safe_evaluate(problem: Problem, xs: Sequence[Any], timeout: float | None = None) -> list[Evaluation]:
    """Evaluate a batch; failures become infeasible evaluations with a reason. With a
    ``timeout`` (seconds) every design is evaluated on its own under that limit."""
    if timeout is not None:
        return [_evaluate_one(problem, x, timeout) for x in xs]
    m, c = len(problem.objectives), len(problem.constraints)
    try:
        results = evaluate_batch(problem, xs)
        if len(results) != len(xs):
            raise ValueError(f"evaluate_many returned {len(results)} results for {len(xs)} designs")
    except Exception:  # find the culprit(s) one design at a time
        return [_evaluate_one(problem, x) for x in xs]
    return [_checked(r, m, c) for r in results]


def _checked(result: Any, m: int, c: int) -> Evaluation:
    if not isinstance(result, Evaluation):
        return Evaluation.failed(m, c, f"evaluate returned {type(result).__name__}, not Evaluation")
    return result.checked(m, c)


def _evaluate_one(problem: Problem, x: Any, timeout: float | None = None) -> Evaluation:
    m, c = len(problem.objectives), len(problem.constraints)
    try:
        if timeout is None:
            result = problem.evaluate(x)
        else:
            result = run_with_timeout(lambda: problem.evaluate(x), timeout)
    except EvaluationTimeout:
        return Evaluation.failed(m, c, "timeout")
    except GadesignError as exc:  # the plugin refused the design (crossing wires...): infeasible, not a crash
        return invalid_design(m, c, str(exc))
    except Exception as exc:  # a failed design is data, not a crash
        return Evaluation.failed(m, c, f"error: {type(exc).__name__}: {exc}")
    return _checked(result, m, c)


def invalid_design(n_objectives: int, n_constraints: int, reason: str) -> Evaluation:
    """A design its plugin refuses (a geometry error, a mechanism): as infeasible as a
    failed evaluation, but marked ``invalid_design`` so that the logbook's ``failed``
    counts only crashes, time-outs and NaN."""
    evaluation = Evaluation.failed(n_objectives, n_constraints, f"invalid design: {reason}")
    evaluation.info["invalid_design"] = True
    return evaluation


def run_with_timeout(fn: Callable[[], Any], timeout: float) -> Any:
    """``fn()`` or :class:`EvaluationTimeout` after ``timeout`` seconds."""
    if threading.current_thread() is threading.main_thread() and hasattr(signal, "setitimer"):
        with _alarm(timeout):
            return fn()
    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["value"] = fn()
        except BaseException as exc:  # handed back to the caller below
            box["error"] = exc

    worker = threading.Thread(target=target, daemon=True, name="gadesign-evaluation")
    worker.start()
    worker.join(timeout)
    if worker.is_alive():
        raise EvaluationTimeout()
    if "error" in box:
        raise box["error"]
    return box["value"]


@contextlib.contextmanager
def _alarm(seconds: float) -> Iterator[None]:
    def on_alarm(signum: int, frame: Any) -> None:
        raise EvaluationTimeout()

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _chunks(xs: list[Any], n_chunks: int) -> list[list[Any]]:
    n_chunks = max(1, min(len(xs), n_chunks))
    bounds = [round(i * len(xs) / n_chunks) for i in range(n_chunks + 1)]
    return [xs[a:b] for a, b in zip(bounds[:-1], bounds[1:])]


def _sized_chunks(xs: list[Any], size: int) -> list[list[Any]]:
    """``xs`` in contiguous chunks of about ``size`` designs (equal to within one)."""
    return _chunks(xs, -(-len(xs) // max(1, size)))


def _guided_chunks(xs: list[Any], workers: int, share: int = 2) -> list[list[Any]]:
    """``xs`` in contiguous chunks that shrink towards the end (guided self-scheduling):
    each is ``1/(share * workers)`` of what is left, so the first ones are large (few
    round trips) and the last ones single designs, so that the worker that finishes last
    waits on one design, not on a whole chunk. Depends only on ``len(xs)`` and
    ``workers``."""
    out: list[list[Any]] = []
    start, n = 0, len(xs)
    while start < n:
        size = max(1, -(-(n - start) // (share * max(1, workers))))
        out.append(xs[start:start + size])
        start += size
    return out


def guided_chunk_sizes(n: int, workers: int) -> list[int]:
    """Sizes of the guided chunks of a batch of ``n`` on ``workers`` (the pool's default)."""
    return [len(c) for c in _guided_chunks(list(range(n)), workers)]


def _costly_first(costs: Sequence[float] | None, n: int,
                  split: Callable[[list[int]], list[list[int]]]) -> list[list[int]]:
    """Chunks of the indices ``range(n)``: those whose cost is above 1 first, costliest
    first, one per chunk (longest processing time first: a costly item starts at once
    instead of being the last worker's tail), then ``split`` of the others, in order."""
    heavy = sorted((i for i, c in enumerate(costs) if c > 1.0), key=lambda i: -costs[i]) if costs else []
    first = set(heavy)
    return [[i] for i in heavy] + [span for span in split([i for i in range(n) if i not in first]) if span]


def _in_order(index_chunks: Sequence[Sequence[int]], parts: Iterable[list[Any]], n: int) -> list[Any]:
    """The results of chunks of indices (``parts[k]`` for ``index_chunks[k]``) as one list in
    index order."""
    out: list[Any] = [None] * n
    for span, part in zip(index_chunks, parts):
        for i, value in zip(span, part):
            out[i] = value
    return out


def repair_costs(problem: Problem, xs: Sequence[Any]) -> list[float] | None:
    """The genome's ``repair_cost`` of each of ``xs`` (None if it has none)."""
    cost = getattr(problem.genome, "repair_cost", None)
    return [float(cost(x)) for x in xs] if cost is not None else None


# -- evaluators ---------------------------------------------------------------------------------
def one_blas_thread():
    """A context in which BLAS/OpenMP libraries run one thread, as in every worker process
    (:func:`_init_worker`): a threaded BLAS sums in another order, so a design evaluated
    here and on a worker would differ in the last bits (a 200-bar truss's stresses did),
    and the same seed must give the same front whatever ``--workers`` is."""
    from threadpoolctl import threadpool_limits

    return threadpool_limits(1)


class SerialEvaluator:
    """Evaluates in this process."""

    workers = 1
    #: the engine may hand it unrepaired children for :meth:`repair_evaluate` (worth it
    #: only where repairs run in parallel with evaluations)
    parallel_repair_evaluate = False

    def __init__(self, problem: Problem, timeout: float | None = None) -> None:
        self.problem = problem
        self.timeout = timeout

    def __call__(self, xs: Sequence[Any]) -> list[Evaluation]:
        with one_blas_thread():
            return safe_evaluate(self.problem, xs, self.timeout)

    def repair(self, xs: Sequence[Any]) -> list[Any]:
        """The problem genome's repair of each of ``xs`` (in order)."""
        return [self.problem.genome.repair(x) for x in xs]

    def repair_evaluate(self, xs: Sequence[Any], skip: Collection[Hashable] = ()
                        ) -> list[tuple[Any, Evaluation | None]]:
        """Each of ``xs`` repaired, with the evaluation of the repaired design (in order);
        a design whose genome key (``Genome.key``) is in ``skip`` (the population's, say:
        a duplicate the engine will drop) comes back unevaluated, with None."""
        with one_blas_thread():
            return _repair_evaluate(self.problem, xs, self.timeout, key_digests(skip))

    def refine_designs(self, members: Sequence[tuple[Any, Evaluation]]) -> list[tuple[Any, Evaluation, int]]:
        """The problem's ``refine_design(x, evaluation)`` of each member (in order)."""
        with one_blas_thread():
            return [refine_member(self.problem, m) for m in members]

    def export_designs(self, designs: Sequence[tuple[Any, Evaluation, str]], directory: Path,
                       on_done: Callable[[int], None] | None = None) -> list[str]:
        """The problem's ``export(x, evaluation, directory, stem)`` of each ``(x, evaluation,
        stem)``, in order; ``on_done(k)`` once the first ``k`` are done. Returns what failed
        (``STEM: Type: message`` per design whose export raised; the others are written)."""
        failures = []
        for k, design in enumerate(designs, 1):
            failure = _export_one(self.problem, design, directory)
            if failure is not None:
                failures.append(failure)
            if on_done is not None:
                on_done(k)
        return failures

    def close(self) -> None:
        pass

    def __enter__(self) -> "SerialEvaluator":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


_SPAWNING = "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"


def _fork_is_safe() -> bool:
    """Workers may be forked from this process: POSIX fork is available and this process
    runs a single thread (forking a threaded process can leave a lock held forever in
    the child; macOS' system libraries are not fork-safe either)."""
    return (sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods()
            and threading.active_count() == 1)


def available_cpus() -> int:
    """CPUs this process may run on (its affinity mask where the OS has one)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # macOS, Windows
        return os.cpu_count() or 1


_WORKER_PROBLEM: dict[str, Any] = {}  # per worker process: set once by the pool initializer


def _init_worker(problem: Problem, timeout: float | None) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    # one BLAS thread per worker: the workers are the parallelism (numpy is already
    # loaded here, so the environment variable alone would come too late)
    from threadpoolctl import threadpool_limits
    threadpool_limits(1)
    _exit_with_parent()
    _WORKER_PROBLEM.update(problem=problem, timeout=timeout)


#: Seconds between a worker's checks that the process that started it still lives.
PARENT_CHECK_S = 0.5


def _exit_with_parent() -> None:
    """End this worker soon after its parent is gone. A run killed by SIGKILL cannot shut
    its pool down, and its workers, blocked on a task queue whose other ends their
    siblings still hold, would otherwise live for ever (the parent is the run itself, or
    the forkserver, which exits with it). A daemon thread polls ``os.getppid()``: a new
    parent (init or a subreaper) means the old one died."""
    import time

    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_CHECK_S)
        os._exit(1)

    threading.Thread(target=watch, name="gadesign-parent-watch", daemon=True).start()


def _warm_up(_: int) -> bool:
    """A task that returns once its worker has started and run the initializer."""
    return True


def _evaluate_chunk(xs: Sequence[Any]) -> list[Evaluation]:
    return safe_evaluate(_WORKER_PROBLEM["problem"], xs, _WORKER_PROBLEM["timeout"])


def _repair_chunk(xs: Sequence[Any]) -> list[Any]:
    return [_WORKER_PROBLEM["problem"].genome.repair(x) for x in xs]


def key_digests(keys: Collection[Hashable]) -> frozenset[bytes]:
    """16-byte digests of genome keys (of their ``repr``: the same in every process, unlike
    ``hash`` of a string), small enough to send with every chunk."""
    return frozenset(_digest(k) for k in keys)


def _digest(key: Hashable) -> bytes:
    return hashlib.blake2b(repr(key).encode(), digest_size=16).digest()


def _repair_evaluate(problem: Problem, xs: Sequence[Any], timeout: float | None,
                     skip: frozenset[bytes] = frozenset()) -> list[tuple[Any, Evaluation | None]]:
    ys = [problem.genome.repair(x) for x in xs]
    todo = [i for i, y in enumerate(ys) if not skip or _digest(problem.genome.key(y)) not in skip]
    evaluations: list[Evaluation | None] = [None] * len(ys)
    for i, e in zip(todo, safe_evaluate(problem, [ys[i] for i in todo], timeout) if todo else []):
        evaluations[i] = e
    return list(zip(ys, evaluations))


def _repair_evaluate_chunk(xs: Sequence[Any], skip: frozenset[bytes] = frozenset()
                           ) -> list[tuple[Any, Evaluation | None]]:
    return _repair_evaluate(_WORKER_PROBLEM["problem"], xs, _WORKER_PROBLEM["timeout"], skip)


def refine_member(problem: Problem, member: tuple[Any, Evaluation]) -> tuple[Any, Evaluation, int]:
    """The problem's ``refine_design`` of one ``(x, evaluation)``. One that raises or
    returns something other than ``(x, Evaluation, evaluations)`` leaves the design as it
    was (0 evaluations spent), with the reason in ``info["refine_failed"]``: the run's
    evolved results are not lost to a broken local search."""
    x, evaluation = member
    try:
        out = problem.refine_design(x, evaluation)  # type: ignore[attr-defined]
        if not isinstance(out, tuple) or len(out) != 3:
            raise TypeError(f"returned {type(out).__name__}, not (x, Evaluation, evaluations_spent)")
        y, new, spent = out
        if not isinstance(new, Evaluation):
            raise TypeError(f"returned {type(new).__name__} as the evaluation, not Evaluation")
        new = new.checked(len(problem.objectives), len(problem.constraints))
        if new.info.get("failed"):
            raise ValueError(f"its evaluation is malformed: {new.info['reason']}")
        return y, new, int(spent)
    except (MemoryError, RecursionError):
        raise
    except Exception as exc:  # noqa: BLE001 - plugin code; refine_front reports it
        note = f"{type(exc).__name__}: {exc}"
        return x, Evaluation(evaluation.objectives, evaluation.violations,
                             {**evaluation.info, "refine_failed": note}), 0


def _refine_chunk(members: Sequence[tuple[Any, Evaluation]]) -> list[tuple[Any, Evaluation, int]]:
    return [refine_member(_WORKER_PROBLEM["problem"], m) for m in members]


def _export_one(problem: Problem, design: tuple[Any, Evaluation, str], directory: Path) -> str | None:
    """The problem's ``export`` of one design; None when it worked, else what went wrong
    (``STEM: Type: message``): one design the plugin cannot write must not cost the others."""
    x, evaluation, stem = design
    try:
        problem.export(x, evaluation, directory, stem)  # type: ignore[attr-defined]
    except (MemoryError, RecursionError):
        raise
    except Exception as exc:  # noqa: BLE001 - plugin code; the caller reports every failure
        return f"{stem}: {type(exc).__name__}: {exc}"
    return None


def _export_task(design: tuple[Any, Evaluation, str], directory: Path) -> str | None:
    return _export_one(_WORKER_PROBLEM["problem"], design, directory)


def _echo_chunk(xs: Sequence[Any]) -> list[Any]:
    """The chunk itself, back: a round trip that measures the pool's own cost."""
    return list(xs)


class ProcessPoolEvaluator(SerialEvaluator):
    """Evaluates on ``workers`` local processes.

    Where this process may fork (Linux, one thread: :func:`_fork_is_safe`), the workers
    are forked from it on first use, after it has evaluated the batch's last chunk: they
    start as copies of a process that has imported the problem and loaded whatever it
    compiles or caches (on ``antenna-st5`` about 0.8 s of CPU per worker otherwise).
    Elsewhere (macOS, Windows, a threaded process such as a notebook) they start at
    construction, in the background, by forkserver or spawn: while they import the
    problem the engine samples generation 0. A batch goes out as chunks that idle
    workers pull one at a time, so the load is balanced by what the designs actually
    cost, not by their count: by default the chunks shrink towards the end of the batch
    (:func:`_guided_chunks`: the first ones a quarter of the batch on two workers, the
    last ones single designs, so the worker that finishes last waits on one design);
    with ``chunk_size`` they are all of that size (``--workers auto`` sizes them from its
    measurements). While the workers are still starting, this process evaluates chunks
    itself, from the back of the batch while the workers take them from the front. In a
    warm pool it does so only when the workers leave a CPU free (``local_help``; by
    default, fewer workers than :func:`available_cpus`): one more evaluating process
    than cores only time-slices them (``antenna-st5``, 2 workers on 2 cores,
    ``benchmarks/antenna_pool_phases.py``, best of 3: 20 generations in 9.95 s with this
    process helping, 9.65 s without; the end polish 3.70 s and 3.47 s), and the end
    polish's chains then all go to the workers. The chunking depends only on the
    batch size and ``workers`` (never on timings), so a fixed worker count chunks every
    run alike. Results come back in the batch's order, and evaluation is a pure function
    of the genome (this process evaluates with one BLAS thread, as the workers do), so
    who evaluated a design never changes the run."""

    def __init__(self, problem: Problem, workers: int, timeout: float | None = None,
                 chunks_per_worker: int = 16, chunk_size: int | None = None, guided: bool = True,
                 local_help: bool | None = None) -> None:
        super().__init__(problem, timeout)
        self.workers = workers
        self.parallel_repair_evaluate = True
        self.chunks_per_worker = chunks_per_worker  # with guided=False and no chunk_size
        self.chunk_size = chunk_size
        self.guided = guided
        #: this process evaluates chunks from the back while it waits, in a warm pool too
        self.local_help = workers < available_cpus() if local_help is None else local_help
        self.local_chunks = 0  #: chunks this process evaluated itself
        self._warm = False
        self._pool: ProcessPoolExecutor | None = None
        self._warm_ups: list[Any] = []
        self.start_method = "fork" if _fork_is_safe() else _SPAWNING
        if self.start_method != "fork":  # the workers start now, in the background
            self.start()

    def start(self) -> ProcessPoolExecutor:
        """Start the workers now, if they have not started (forked ones otherwise start on
        first use, see the class); returns the pool."""
        if self._pool is None:
            if self.start_method == "fork" and not _fork_is_safe():  # a thread appeared since
                self.start_method = _SPAWNING
            self._pool = ProcessPoolExecutor(max_workers=self.workers,
                                             mp_context=multiprocessing.get_context(self.start_method),
                                             initializer=_init_worker, initargs=(self.problem, self.timeout))
            self._warm_ups = [self._pool.submit(_warm_up, i) for i in range(self.workers)]  # every worker now
        return self._pool

    @property
    def warm(self) -> bool:
        """True once every worker has started (and run its initializer); False while
        forked workers wait for their first use."""
        if not self._warm and self._warm_ups and all(f.done() for f in self._warm_ups):
            for f in self._warm_ups:
                f.result()  # a worker that failed to start raises here (BrokenProcessPool)
            self._warm = True
        return self._warm

    def wait_warm(self) -> None:
        """Block until every worker is up."""
        self.start()
        for f in self._warm_ups:
            f.result()
        self._warm = True

    def size_for(self, n: int) -> int:
        """Designs per chunk for a batch of ``n``."""
        return self.chunk_size or max(1, -(-n // (self.workers * self.chunks_per_worker)))

    def __call__(self, xs: Sequence[Any]) -> list[Evaluation]:
        return self._map(_evaluate_chunk, list(xs), lambda part: safe_evaluate(self.problem, part, self.timeout))

    def repair(self, xs: Sequence[Any]) -> list[Any]:
        """Repairs on the workers, in order (a genome with ``parallel_repair``)."""
        xs = list(xs)
        return self._map(_repair_chunk, xs, lambda part: [self.problem.genome.repair(x) for x in part],
                         repair_costs(self.problem, xs))

    def repair_evaluate(self, xs: Sequence[Any], skip: Collection[Hashable] = ()
                        ) -> list[tuple[Any, Evaluation | None]]:
        """Repair and evaluation in one pass on the workers, in order: a costly repair of
        one design (a local search, say) then overlaps the evaluations of the others
        instead of holding up a separate repair pass. A repaired design whose key is in
        ``skip`` is not evaluated (None): the workers check the keys' digests, so that a
        child that repairs into a copy of a member costs no solve."""
        xs = list(xs)
        digests = key_digests(skip)
        return self._map(functools.partial(_repair_evaluate_chunk, skip=digests), xs,
                         lambda part: _repair_evaluate(self.problem, part, self.timeout, digests),
                         repair_costs(self.problem, xs))

    def refine_designs(self, members: Sequence[tuple[Any, Evaluation]]) -> list[tuple[Any, Evaluation, int]]:
        """The problem's ``refine_design`` of each member, one member per task: this
        process refines the first while the workers take the others when it helps
        (``local_help``), else the workers take them all, in order (a refinement is a long
        local search, so a handful of them is the whole batch)."""
        members = list(members)
        if len(members) < 2:
            return super().refine_designs(members)
        pool = self.start()
        if not self.local_help:  # every CPU has a worker: they take all of them
            return [f.result()[0] for f in [pool.submit(_refine_chunk, [m]) for m in members]]
        futures = [pool.submit(_refine_chunk, [m]) for m in members[1:]]
        with one_blas_thread():  # as in the workers, so results match bit for bit
            first = refine_member(self.problem, members[0])
        return [first] + [f.result()[0] for f in futures]

    def export_designs(self, designs: Sequence[tuple[Any, Evaluation, str]], directory: Path,
                       on_done: Callable[[int], None] | None = None) -> list[str]:
        """As :meth:`SerialEvaluator.export_designs`, one design per task on the workers (a
        design's files are its own, each written atomically; failures come back in order,
        as in one process)."""
        designs = list(designs)
        if len(designs) < 2:
            return super().export_designs(designs, directory, on_done)
        pool = self.start()
        futures = [pool.submit(_export_task, d, directory) for d in designs]
        failures = []
        try:
            for k, future in enumerate(futures, 1):
                failure = future.result()
                if failure is not None:
                    failures.append(failure)
                if on_done is not None:
                    on_done(k)
        finally:
            for future in futures:
                future.cancel()
        return failures

    def roundtrip(self, xs: Sequence[Any], chunks: int) -> float:
        """Seconds to send ``xs`` to the workers in ``chunks`` chunks and get them back,
        evaluating nothing: the pool's own cost for such a batch."""
        import time

        parts = _chunks(list(xs), chunks)
        started = time.perf_counter()
        for _ in self.start().map(_echo_chunk, parts):
            pass
        return time.perf_counter() - started

    def _map(self, fn: Callable[[list[Any]], list[Any]], xs: list[Any],
             local: Callable[[list[Any]], list[Any]], costs: Sequence[float] | None = None) -> list[Any]:
        """``fn`` over ``xs`` in chunks on the workers, results in ``xs``'s order. With
        ``costs`` (expected cost of each item relative to an ordinary one, 1.0), the items
        above 1 go out first, costliest first, one per task (longest processing time
        first: a costly item starts at once instead of being the last worker's tail), the
        rest in the usual chunks."""
        if not xs:
            return []
        index_chunks = _costly_first(costs, len(xs), lambda light: (
            _sized_chunks(light, self.chunk_size) if self.chunk_size
            else _guided_chunks(light, self.workers) if self.guided
            else _sized_chunks(light, self.size_for(len(light)))))
        chunks = [[xs[i] for i in span] for span in index_chunks]
        done: dict[int, list[Any]] = {}
        if self._pool is None:  # forked workers: this process warms up on the last chunk first
            with one_blas_thread():
                done[len(chunks) - 1] = local(chunks[-1])
            self.local_chunks += 1
        pool = self.start()
        futures = [None if i in done else pool.submit(fn, c) for i, c in enumerate(chunks)]
        if self.local_help or not self.warm:  # evaluate from the back until a worker has the next chunk
            with one_blas_thread():  # as in the workers, so results match bit for bit
                for i in reversed(range(len(chunks))):
                    if i in done:
                        continue
                    if not futures[i].cancel():  # a worker has it: the rest is theirs
                        break
                    done[i] = local(chunks[i])
                    self.local_chunks += 1
        results = (done[k] if k in done else f.result() for k, f in enumerate(futures))  # type: ignore[union-attr]
        return _in_order(index_chunks, results, len(xs))

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)

    def close_soon(self) -> None:
        """Let the workers go without waiting for them to exit."""
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)


def local_workers(address: str) -> int | None:
    """N for ``local:N``, None for a scheduler address; ConfigError for anything else."""
    if address.startswith("local:"):
        try:
            n = int(address.split(":", 1)[1])
        except ValueError:
            raise ConfigError(f"--dask {address!r}: expected local:N with N an integer") from None
        from gadesign.options import workers

        if n < 1:
            raise ConfigError(f"--dask {address!r}: N must be >= 1")
        workers(n, f"--dask {address}")
        return n
    scheme, sep, rest = address.partition("://")
    if not sep:
        raise ConfigError(f"--dask {address!r}: expected local:N or a scheduler address like tcp://host:8786")
    if scheme.lower() not in DASK_SCHEMES:
        raise ConfigError(f"--dask {address!r}: {scheme}:// is not a Dask scheduler protocol "
                          f"(use {', '.join(s + '://' for s in DASK_SCHEMES)}, e.g. tcp://host:8786)")
    if not rest.strip("/"):
        raise ConfigError(f"--dask {address!r}: no host; expected e.g. tcp://host:8786")
    return None


DASK_SCHEMES = ("tcp", "tls", "ws", "wss", "inproc", "ucx")
REFUSED_WAIT_S = 3.0  # a scheduler port that refuses connections fails this fast


def probe_scheduler(address: str, wait: float = REFUSED_WAIT_S) -> None:
    """Fail fast on a tcp/tls/ws address whose port refuses connections or whose host
    name does not resolve: ``Client`` would retry for its whole time-out. A host that
    does not answer at all (no refusal) is left to ``Client``'s longer wait."""
    import socket
    from urllib.parse import urlsplit

    parts = urlsplit(address)
    if parts.scheme.lower() not in ("tcp", "tls", "ws", "wss"):
        return
    try:
        host, port = parts.hostname, parts.port
    except ValueError:
        raise ConfigError(f"--dask {address}: the port is not a number from 1 to 65535") from None
    if not host:
        raise ConfigError(f"--dask {address}: no host; expected e.g. tcp://host:8786")
    try:
        with socket.create_connection((host, port or 8786), timeout=wait):
            pass
    except ConnectionRefusedError:
        raise ConfigError(f"--dask {address}: connection refused (is a scheduler running there?)") from None
    except socket.gaierror as exc:
        raise ConfigError(f"--dask {address}: unknown host {host!r} ({exc.strerror})") from None
    except OSError:  # no answer within the wait: a slow network or a firewall, let Client try longer
        return
    handshake(address)


HANDSHAKE_WAIT_S = 20.0  # as Client's own time-out: a port that accepts but never speaks Dask


def handshake(address: str, wait: float = HANDSHAKE_WAIT_S) -> None:
    """ConfigError unless ``address`` answers Dask's handshake within ``wait`` seconds.
    ``Client`` bounds its connection attempts by its time-out, but not the handshake
    that follows: a port that accepts and then stays silent (a firewall's proxy, a
    service that waits for its client to speak first) held ``--dask`` for ever, and one
    that answers something else (the dashboard's HTTP port 8787, an SSH banner) failed
    with a 3 EiB allocation read from the garbage."""
    import asyncio

    from distributed.comm import connect
    from distributed.security import Security

    async def probe() -> None:
        comm = await connect(address, timeout=wait, **Security().get_connection_args("client"))
        await comm.close()

    def in_thread() -> None:  # asyncio.run in this thread took over Ctrl-C: the process died of SIGINT, silently
        try:
            asyncio.run(asyncio.wait_for(probe(), wait))
        except BaseException as exc:  # handed to the caller below
            box["error"] = exc

    box: dict[str, BaseException] = {}
    thread = threading.Thread(target=in_thread, daemon=True, name="gadesign-dask-handshake")
    thread.start()
    thread.join()
    try:
        if "error" in box:
            raise box["error"]
    except (asyncio.TimeoutError, TimeoutError):
        raise ConfigError(f"--dask {address}: no answer from a Dask scheduler within {wait:g} s (the port accepts "
                          "connections but does not speak Dask's protocol; is it the scheduler's port, usually "
                          "8786?)") from None
    except Exception as exc:  # noqa: BLE001 - any failure of the handshake means: not a scheduler
        reason = ("its reply is not Dask's" if isinstance(exc, MemoryError)  # a length read from the garbage
                  else f"{type(exc).__name__}: {exc}")
        raise ConfigError(f"--dask {address}: this is not a Dask scheduler ({reason}; the dashboard's port, "
                          "usually 8787, is not the scheduler's, usually 8786)") from None


#: Dask settings for a LocalCluster that gadesign starts: the workers' statistical profiler
#: (a sample every 10 ms), GIL sampling (every 1 ms) and event-loop tick checks (every
#: 20 ms) are diagnostics that wake every worker process and its nanny all the time;
#: with dozens of workers on a few cores their wake-ups alone take whole cores.
QUIET_DASK = {
    "distributed.worker.profile.enabled": False,
    "distributed.admin.system-monitor.gil.enabled": False,
    "distributed.admin.tick.interval": "500ms",
    "distributed.admin.system-monitor.interval": "2s",
    # each worker checks its memory against the spill/pause/terminate limits every 100 ms
    # by default: measured on 16 idle workers, 0.20 of a core with it, 0.07 at 1 s
    "distributed.worker.memory.monitor-interval": "1s",
}


def quiet_local_cluster(n_workers: int) -> Any:
    """A LocalCluster of ``n_workers`` single-threaded worker processes with the
    diagnostics in :data:`QUIET_DASK` off (the nannies hand the settings to the workers)."""
    import dask
    from dask.distributed import LocalCluster

    with dask.config.set(QUIET_DASK):
        # no dashboard; its HTTP server (health checks) still starts, on a free port of
        # its own: the default 8787 is taken wherever a scheduler already runs, and Dask
        # then warned about the port (and an unclosed socket) after every run
        return LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True,
                            dashboard_address=None, scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
                            silence_logs=50)


class ClusterLost(GadesignError):
    """The Dask scheduler went away during a batch (and did not come back within Dask's
    reconnection time-out)."""


def _quiet_orphaned_gathers(record: Any) -> bool:
    """A logging filter for asyncio's logger: drops its reports of ``Client.gather``'s
    helper tasks orphaned when a gather is cut short (Ctrl-C, a lost scheduler), which
    printed a Dask traceback under the run's own message (``Task exception was never
    retrieved ... AllExit``, ``Task was destroyed but it is pending``)."""
    text = record.getMessage() if hasattr(record, "getMessage") else ""
    exc = record.exc_info[1] if getattr(record, "exc_info", None) else None
    if exc is not None and type(exc).__name__ == "AllExit":
        return False
    return not ("Task was destroyed but it is pending" in text and "Client._gather" in text)


def _quiet_lost_scheduler(record: Any) -> bool:
    """A logging filter for Dask's client logger: drops its report of a scheduler it could
    not reconnect to, which the run reports itself, in one line (:class:`ClusterLost`)."""
    return "Failed to reconnect to scheduler" not in record.getMessage()


def _install_gather_filter() -> None:
    import logging

    for name, quiet in (("asyncio", _quiet_orphaned_gathers), ("distributed.client", _quiet_lost_scheduler)):
        log = logging.getLogger(name)
        if quiet not in log.filters:
            log.addFilter(quiet)


def _dask_chunk(problem: Problem, xs: Sequence[Any], timeout: float | None) -> list[Evaluation]:
    return safe_evaluate(problem, xs, timeout)


class DaskEvaluator(SerialEvaluator):
    """Evaluates on a Dask cluster: ``local:N`` starts a LocalCluster of N single-threaded
    worker processes, anything else is a scheduler address (``tcp://host:8786``).

    The problem goes to every worker once, as a worker plugin
    (:mod:`gadesign.dask_problem`: chunk tasks then have no dependencies and go to any
    idle worker; a scattered copy was thinned to one replica by Dask's memory manager).
    The children of a ``parallel_repair`` genome are repaired and evaluated in one task
    on the cluster (:meth:`repair_evaluate`: an ST5 polish request's 60 solves do not run
    one after another in the client). A
    batch goes out as one chunk task per worker (``chunks_per_worker``): at cluster size the scheduler's cost per task
    (about 3 ms on 2 cores with 32 workers, benchmarks/scaling_dask.py) is what grows
    with the cluster, so fewer, larger tasks pay. Results are gathered in one call, in
    the batch's order (fetching them as each chunk finished crashed the run when a
    worker died); a batch whose tasks the scheduler cancelled is sent again (at most
    ``retries`` times). The worker count (for the chunking only) is asked of the scheduler
    at most every ``WORKERS_TTL_S`` seconds, not once per generation. Tasks lost with a
    dying worker are re-run elsewhere by the scheduler (``retries`` more times on errors)."""

    WORKERS_TTL_S = 2.0
    #: Client's time-out: for connecting, and for reconnecting to a scheduler that went away
    #: mid-run before the run stops (:class:`ClusterLost`)
    CONNECT_TIMEOUT_S = 20.0

    def __init__(self, problem: Problem, address: str, timeout: float | None = None,
                 chunks_per_worker: int = 1, retries: int = 3, chunk_size: int | None = None) -> None:
        super().__init__(problem, timeout)
        try:
            from dask.distributed import Client
        except ImportError as exc:
            raise ConfigError("--dask needs the dask extra: pip install 'gadesign[dask]'") from exc
        self.address = address
        self._cluster = None
        _install_gather_filter()
        n = local_workers(address)
        if n is not None:
            self._cluster = quiet_local_cluster(n)
            self._client = Client(self._cluster)
        else:
            probe_scheduler(address)
            try:
                self._client = Client(address, timeout=f"{self.CONNECT_TIMEOUT_S:g}s")
            except (OSError, TimeoutError) as exc:
                raise ConfigError(f"--dask {address}: cannot reach the scheduler ({exc})") from None
        self.chunks_per_worker = chunks_per_worker
        self.chunk_size = chunk_size
        self.retries = retries
        self.parallel_repair_evaluate = True  # repairs run on the cluster with the evaluations
        self._workers: tuple[float, int] | None = None  # (when asked, how many)
        import uuid

        from gadesign.dask_problem import ProblemOnWorkers

        self._plugin = f"gadesign-problem-{uuid.uuid4().hex}"  # a name only: results never depend on it
        try:
            self._client.register_plugin(ProblemOnWorkers(self._plugin, problem))
        except Exception as exc:  # noqa: BLE001 - Dask re-raises a worker's failure as a bare Exception
            self.close()
            raise ConfigError(f"--dask {address}: the workers cannot load the problem "
                              f"{getattr(problem, 'name', type(problem).__name__)!r} ({exc}); install the same "
                              f"gadesign and the package that defines the problem on every worker") from None

    @property
    def workers(self) -> int:  # type: ignore[override]
        import time

        now = time.monotonic()
        if self._workers is None or now - self._workers[0] > self.WORKERS_TTL_S:
            # nthreads(): one small message; scheduler_info() would fetch every worker's
            # metrics, a cost per generation that grows with the cluster
            self._workers = (now, max(1, len(self._client.nthreads())))
        return self._workers[1]

    def __call__(self, xs: Sequence[Any]) -> list[Evaluation]:
        return self._map(_dask_chunk, list(xs))

    def repair_evaluate(self, xs: Sequence[Any], skip: Collection[Hashable] = ()
                        ) -> list[tuple[Any, Evaluation | None]]:
        """Repair and evaluation of each child in one task on the cluster (a genome with
        ``parallel_repair``), as on a process pool: the children a genome marks as costly
        (``Genome.repair_cost``) go out first, one per task; a child whose repaired key is
        in ``skip`` is not evaluated (None)."""
        xs = list(xs)
        return self._map(_repair_evaluate, xs, (key_digests(skip),), repair_costs(self.problem, xs))

    def _map(self, fn: Callable[..., list[Any]], xs: list[Any], extra: tuple[Any, ...] = (),
             costs: Sequence[float] | None = None) -> list[Any]:
        """``fn(problem, chunk, timeout, *extra)`` over chunks of ``xs`` on the cluster
        (the problem from the workers' plugin), results in ``xs``'s order; items costing
        more than 1 go first, one per task."""
        index_chunks = _costly_first(costs, len(xs), lambda light: (
            _sized_chunks(light, self.chunk_size) if self.chunk_size
            else _chunks(light, self.workers * self.chunks_per_worker)))
        if not index_chunks:
            return []
        chunks = [[xs[i] for i in span] for span in index_chunks]
        from concurrent.futures import CancelledError

        from gadesign.dask_problem import run_with_problem

        n = len(chunks)
        for attempt in range(self.retries + 1):
            futures = self._client.map(run_with_problem, [self._plugin] * n, [fn] * n, chunks, [self.timeout] * n,
                                       *([e] * n for e in extra), pure=False, retries=self.retries)
            try:
                self._wait(futures)
                return _in_order(index_chunks, self._client.gather(futures), len(xs))
            except CancelledError:
                # tasks the scheduler cancelled rather than retried (seen in CI when a worker
                # died holding a scattered input): evaluations are pure, so the batch is sent again
                if attempt == self.retries:
                    raise ClusterLost(f"--dask {self.address}: the cluster cancelled a batch "
                                      f"{self.retries + 1} times") from None
                self._client.cancel(futures)
            except ClusterLost:
                raise
            except Exception as exc:  # noqa: BLE001 - evaluations never raise (safe_evaluate): the cluster failed
                raise ClusterLost(f"--dask {self.address}: a task failed on the cluster "
                                  f"{self.retries + 1} times ({type(exc).__name__}: {exc})") from None
        raise AssertionError("unreachable")

    WAIT_POLL_S = 1.0
    NO_WORKERS_NOTE_S = 10.0

    def _note_no_workers(self) -> bool:
        """Say once (True) when the cluster has no workers: the batch waits for some to
        join (they get the problem from the scheduler and the run goes on), silently
        before."""
        import logging

        with contextlib.suppress(Exception):  # a scheduler going away is _wait's to report
            if not self._client.nthreads():
                logging.getLogger("gadesign").warning(
                    f"note: --dask {self.address}: no workers connected; waiting for some to join "
                    f"(`dask worker {self.address}`; Ctrl-C stops the run with a checkpoint)")
                return True
        return False

    def _wait(self, futures: list[Any]) -> None:
        """Until every future is done (finished, failed or cancelled); ClusterLost once the
        client has given up on the scheduler. ``Client.gather`` alone waited for ever
        after the scheduler died: the client closed itself after its reconnection
        time-out, but the futures it left stayed pending."""
        import asyncio

        try:  # on this evaluator's own client (distributed.wait takes the default client)
            from distributed.client import _wait

            def wait() -> None:
                self._client.sync(_wait, futures, timeout=self.WAIT_POLL_S)
        except ImportError:  # pragma: no cover - a Dask without the helper
            from distributed import wait as dask_wait

            def wait() -> None:
                dask_wait(futures, timeout=self.WAIT_POLL_S)

        import time

        started, noted = time.monotonic(), False
        while True:
            try:
                wait()
                return
            except (TimeoutError, asyncio.TimeoutError):
                if not noted and time.monotonic() - started > self.NO_WORKERS_NOTE_S:
                    noted, started = self._note_no_workers(), time.monotonic()  # asked every NOTE_S at most
            except Exception:  # noqa: BLE001 - a closed client fails in its own ways
                if self._client.status not in ("closing", "closed"):
                    raise
            if self._client.status in ("closing", "closed"):
                raise ClusterLost(f"--dask {self.address}: lost the Dask scheduler (it did not answer again "
                                  "within Dask's reconnection time-out)") from None

    def close(self) -> None:
        if self._cluster is None:  # a shared cluster: take the problem off its workers
            with contextlib.suppress(Exception):  # a cluster already gone has nothing to take off
                self._client.unregister_worker_plugin(self._plugin)
        self._client.close()
        if self._cluster is not None:
            self._cluster.close()


def check_one_evaluator(dask: str, workers: int | str) -> None:
    """ConfigError when local ``workers`` (other than 1) are asked for beside ``--dask``:
    with a cluster the Dask workers evaluate."""
    if workers != 1:
        raise ConfigError(f"--dask {dask} and --workers {workers} cannot be combined: with --dask the Dask "
                          "workers evaluate (drop --workers, or drop --dask for local processes)")


def make_evaluator(problem: Problem, workers: int | str = 1, dask: str | None = None,
                   timeout: float | None = None) -> SerialEvaluator:
    """Dask when ``dask`` is given, else a process pool for ``workers > 1``, a measured
    choice for ``workers="auto"`` (see :mod:`gadesign.autoworkers`), else serial."""
    if timeout is not None and timeout <= 0:
        raise ConfigError(f"--eval-timeout must be > 0 seconds, got {timeout}")
    if dask:
        check_one_evaluator(dask, workers)
        return DaskEvaluator(problem, dask, timeout)
    if workers == "auto":
        from gadesign.autoworkers import AutoEvaluator

        return AutoEvaluator(problem, timeout)
    if isinstance(workers, str):
        raise ConfigError(f"--workers {workers!r}: expected a number or auto")
    return SerialEvaluator(problem, timeout) if workers <= 1 else ProcessPoolEvaluator(problem, workers, timeout)
