"""The generic CLI from an outside user's side, round 2: what the bad-input corpus
(tests/data/bad/cases.json) cannot express. Signals at various moments of a short run
(SIGTERM, SIGHUP, Ctrl-C while the command line is still starting), litter of a killed
process. Each ends in one line, whole files only, and a run that
``gadesign resume`` continues to the uninterrupted run's front."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

RUN = ("zdt1-faulty", "--set", "cost_ms=2", "--pop", "12", "--generations", "24", "--seed", "5",
       "--checkpoint-every", "1", "-q")


def start(*args: str, cwd: Path) -> subprocess.Popen[str]:
    """``gadesign ARGS`` in its own session (its workers are found by session id)."""
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "COLUMNS": "120"}
    env.pop("GADESIGN_DEBUG", None)
    return subprocess.Popen([sys.executable, "-m", "gadesign", *args], cwd=cwd, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env, start_new_session=True)


def wait_for(path: Path, proc: subprocess.Popen[str], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, f"{path} never appeared"
        time.sleep(0.02)


def session_left(sid: int) -> list[str]:
    """Processes still alive in session ``sid`` (orphaned workers), zombies aside."""
    out = subprocess.run(["ps", "-eo", "pid=,sid=,stat="], capture_output=True, text=True).stdout
    return [line for line in out.splitlines() if line.split()[1] == str(sid) and not line.split()[2].startswith("Z")]


def whole(run: Path) -> None:
    """No temporary file is left and every JSON file parses."""
    assert not [p for p in run.rglob("*") if ".tmp." in p.name]
    for p in run.rglob("*.json"):
        json.loads(p.read_text())


@pytest.fixture(scope="module")
def reference(tmp_path_factory, cli) -> bytes:
    out = tmp_path_factory.mktemp("ref") / "run"
    res = cli("evolve", *RUN, "--out", str(out))
    assert res.returncode == 0, res.stderr
    return (out / "front.json").read_bytes()


@pytest.mark.parametrize("sig,code,workers", [(signal.SIGTERM, 143, "1"), (signal.SIGTERM, 143, "2"),
                                              (signal.SIGHUP, 129, "1")])
def test_stop_signal_checkpoints_like_ctrl_c(tmp_path, cli, reference, sig, code, workers):
    """SIGTERM (a batch system's stop, `kill PID`) and SIGHUP (the terminal closed) were the
    default deaths: no checkpoint of the last generation, temporary files left, and with
    --workers 2 the worker processes orphaned for ever. Now they act as Ctrl-C does."""
    proc = start("evolve", *RUN, "--workers", workers, "--out", "run", cwd=tmp_path)
    wait_for(tmp_path / "run" / "checkpoints" / "gen-0002.json", proc)
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == code, err
    lines = [line for line in err.splitlines() if line.strip() and not line.startswith("note:")]
    assert len(lines) == 1 and lines[0].startswith(f"stopped by {signal.Signals(sig).name}; newest checkpoint"), err
    assert "Traceback" not in err
    deadline = time.monotonic() + 10
    while session_left(proc.pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not session_left(proc.pid), "worker processes outlived the run"
    whole(tmp_path / "run")
    res = cli("resume", str(tmp_path / "run"), "-q")
    assert res.returncode == 0, res.stderr
    assert (tmp_path / "run" / "front.json").read_bytes() == reference


def test_ctrl_c_while_starting_is_one_line(tmp_path):
    """Ctrl-C in the first half second (the command line still importing, or checking
    options) printed a KeyboardInterrupt traceback, or exited 130 without a word."""
    for delay in (0.15, 0.4, 0.8):
        proc = start("evolve", "zdt1", "--pop", "8", "-g", "1", "-q", "--out", f"run-{delay}", cwd=tmp_path)
        time.sleep(delay)
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=60)
        if proc.returncode == 0:  # a fast machine finished first: nothing to check
            continue
        assert proc.returncode == 130, err
        assert "Traceback" not in err
        lines = [line for line in err.splitlines() if line.strip()]
        assert len(lines) == 1 and lines[0].startswith("interrupted"), err


def test_resume_sweeps_litter_of_a_killed_process(tmp_path, cli, reference):
    """SIGKILL while a file is written leaves its temporary (``.gen-0007.json.tmp.XXXXXXXX.json``);
    resume removes such litter and continues to the same front."""
    proc = start("evolve", *RUN, "--out", "run", cwd=tmp_path)
    wait_for(tmp_path / "run" / "checkpoints" / "gen-0002.json", proc)
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=60)
    run = tmp_path / "run"
    litter = [run / "checkpoints" / ".gen-0099.json.tmp.ab12cd_9.json", run / ".logbook.csv.tmp.zz00zz00.csv"]
    for p in litter:
        p.write_text('{"half": ')
    keep = run / "notes.tmp.txt"  # a user's file, not gadesign's temporary name
    keep.write_text("mine\n")
    res = cli("resume", str(run), "-q")
    assert res.returncode == 0, res.stderr
    assert not any(p.exists() for p in litter) and keep.exists()
    assert (run / "front.json").read_bytes() == reference
