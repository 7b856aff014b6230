"""Checkpoints and logbooks written by a background thread (issue 19, point 2): jobs run
in order, a failure reaches the engine's thread, and a run killed at any moment leaves only
whole files and resumes to the front of an uninterrupted run."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time

import pytest

from gadesign.checkpoint_writer import BackgroundWriter
from gadesign.runstore import RunStore


def test_jobs_run_in_order_off_the_calling_thread():
    done: list[tuple[int, str]] = []
    with BackgroundWriter(max_pending=2) as writer:
        for i in range(6):
            writer.submit(lambda i=i: (time.sleep(0.01), done.append((i, threading.current_thread().name))))
        writer.flush()
        assert [i for i, _ in done] == list(range(6))
    assert {name for _, name in done} == {"gadesign-writer"}


def test_a_failed_job_is_raised_in_the_engine_thread_and_stops_later_jobs():
    done: list[int] = []
    writer = BackgroundWriter()
    writer.submit(lambda: done.append(1))
    writer.submit(lambda: (_ for _ in ()).throw(OSError(28, "No space left on device")))
    writer.submit(lambda: done.append(3))
    with pytest.raises(OSError, match="No space left"):
        writer.flush()
    assert done == [1]
    writer.close()


def test_an_error_already_on_its_way_out_is_not_masked_by_the_writer():
    with pytest.raises(KeyError):
        with BackgroundWriter() as writer:
            writer.submit(lambda: (_ for _ in ()).throw(OSError("disk")))
            raise KeyError("the engine's own error")


def _gadesign(args: list[str]) -> subprocess.Popen:
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1"}
    return subprocess.Popen([sys.executable, "-m", "gadesign", *args], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)


def test_run_killed_while_writing_leaves_whole_files_and_resumes_to_the_same_front(cli, tmp_path):
    """SIGKILL (no clean-up at all) while a checkpoint is written every generation: every
    file in the run directory is whole (the checkpoints' checksums hold), and resume gives
    byte for byte the front of a run that was never interrupted."""
    args = ["evolve", "zdt1-faulty", "--set", "cost_ms=0.5", "--pop", "40", "--generations", "50", "--seed", "7",
            "--checkpoint-every", "1", "-q"]
    full = cli(*args, "--out", str(tmp_path / "full"))
    assert full.returncode == 0, full.stderr
    run = tmp_path / "killed"
    proc = _gadesign([*args, "--out", str(run)])
    deadline = time.time() + 120
    while not (run / "checkpoints" / "gen-0008.json").exists():
        assert time.time() < deadline and proc.poll() is None, proc.stderr.read() if proc.stderr else ""
        time.sleep(0.005)
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=60)
    assert not (run / "front.json").exists(), "killed too late: the run had finished"
    store = RunStore(run)
    config = store.read_config()
    for path in store.checkpoints():  # whole, checksummed, and consistent with its own name
        checkpoint = store.read_checkpoint(path, "zdt1-faulty", config)
        generation = int(path.stem.split("-")[1])
        assert checkpoint["state"]["generation"] == generation
        assert len(checkpoint["logbook"]) == generation + 1
    if (run / "logbook.csv").exists():
        lines = (run / "logbook.csv").read_text().splitlines()
        assert lines[0].startswith("gen,") and all(line.count(",") == lines[0].count(",") for line in lines)
    for path in run.rglob("*.json"):
        json.loads(path.read_text())
    res = cli("resume", str(run), "-q")
    assert res.returncode == 0, res.stderr
    assert (run / "front.json").read_bytes() == (tmp_path / "full" / "front.json").read_bytes()
