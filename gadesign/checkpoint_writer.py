"""Checkpoints and logbooks written by a background thread while the next generation runs.

The engine hands :class:`BackgroundWriter` a job (a function that writes files) and goes
on evolving: serialising, hashing, writing, fsyncing and renaming a checkpoint then
overlap the next generation's evaluation instead of delaying it. Jobs run one at a time
in the order given, and every file is written atomically (:mod:`gadesign.atomic`: a
temporary name, fsync, rename), so a crash at any moment leaves each file whole, old or
new, never half-written: at worst the newest checkpoint is missing and a resume starts
one checkpoint earlier, bit-identically.

What a job writes must be a snapshot taken in the engine's thread when the job is
submitted (e.g. ``jsonable(evolution.state())``, which copies every container), never
live objects the next generation changes. At most ``max_pending`` jobs wait; a further
submit blocks until one is done, so a slow disk slows the run instead of filling the
memory. A job that fails (disk full, permission) is re-raised in the engine's thread by
the next :meth:`submit` or by :meth:`flush`, and no later job runs after it.
"""

from __future__ import annotations

import queue
import threading
from typing import Callable

Job = Callable[[], object]


class BackgroundWriter:
    """One writer thread fed in order; use as a context manager (``flush`` on exit)."""

    def __init__(self, max_pending: int = 2) -> None:
        self._jobs: queue.Queue[Job | None] = queue.Queue(maxsize=max(1, max_pending))
        self._error: BaseException | None = None
        self._thread: threading.Thread | None = None

    def _run(self) -> None:
        while True:
            job = self._jobs.get()
            try:
                if job is None:
                    return
                if self._error is None:  # after a failure nothing more is written
                    job()
            except BaseException as exc:  # handed to the engine's thread by submit/flush
                self._error = exc
            finally:
                self._jobs.task_done()

    def submit(self, job: Job) -> None:
        """Queue ``job`` after the ones already queued (blocks while ``max_pending`` wait)."""
        self._raise()
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="gadesign-writer", daemon=True)
            self._thread.start()
        self._jobs.put(job)

    def flush(self) -> None:
        """Wait until every queued job has run; re-raise the first failure."""
        if self._thread is not None:
            self._jobs.join()
        self._raise()

    def close(self) -> None:
        """Flush, then stop the thread."""
        try:
            self.flush()
        finally:
            if self._thread is not None:
                self._jobs.put(None)
                self._thread.join()
                self._thread = None

    def _raise(self) -> None:
        if self._error is not None:
            error, self._error = self._error, None
            raise error

    def __enter__(self) -> "BackgroundWriter":
        return self

    def __exit__(self, exc_type: object, *exc: object) -> None:
        if exc_type is None:
            self.close()
            return
        try:  # already failing: finish what is queued, but let the first error be the one raised
            self.close()
        except Exception:  # noqa: BLE001 - the exception on its way out is the one to report
            pass
