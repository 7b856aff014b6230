"""Failure policy: errors, NaN and hangs become infeasible designs with a reason; Ctrl-C
checkpoints and resumes to the same front (issue 7, points 3 and 4)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from gadesign.evaluation import SerialEvaluator, make_evaluator
from gadesign.registry import make_problem

FAULTS = ("--set", "hang_below=0.15", "--set", "fail_width=0.2", "--set", "nan_width=0.1")


def reasons(problem, xs, **kw):
    with make_evaluator(problem, **kw) as evaluate:
        return [e.info.get("reason", "ok") for e in evaluate(xs)]


def test_errors_nan_and_timeouts_become_reasons():
    problem = make_problem("zdt1-faulty", {"hang_below": 0.25, "fail_width": 0.1, "nan_width": 0.1})
    xs = [np.full(30, 0.5) for _ in range(4)]
    xs[0][1], xs[1][1], xs[2][1] = 0.1, 0.3, 0.4  # hang, raise, NaN; xs[3] is fine
    t = time.perf_counter()
    got = reasons(problem, xs, timeout=0.5)
    assert time.perf_counter() - t < 5
    assert got[0] == "timeout"
    assert got[1].startswith("error: RuntimeError: injected failure")
    assert got[2] == "non-finite objective or violation"
    assert got[3] == "ok"
    # the same in worker processes (the hang is stopped there, not in this process)
    assert reasons(problem, xs, workers=2, timeout=0.5) == got


def test_timeout_in_a_thread_uses_the_watchdog():
    import threading
    problem = make_problem("zdt1-faulty", {"hang_below": 0.25})
    x = np.full(30, 0.5)
    x[1] = 0.1
    box = {}
    worker = threading.Thread(target=lambda: box.update(r=SerialEvaluator(problem, timeout=0.3)([x])))
    worker.start()
    worker.join(5)
    assert box["r"][0].info["reason"] == "timeout"


def test_hanging_designs_do_not_stop_a_run(cli, tmp_path):
    run = tmp_path / "run"
    res = cli("evolve", "zdt1-faulty", *FAULTS, "--eval-timeout", "1", "--pop", "16", "--generations", "2",
              "--checkpoint-every", "1", "-q", "--out", str(run), timeout=240)
    assert res.returncode == 0, res.stderr
    initial = json.loads((run / "checkpoints" / "gen-0000.json").read_text())["state"]["population"]
    why = [m["info"].get("reason") for m in initial]
    assert "timeout" in why and any(r and r.startswith("error") for r in why)
    front = json.loads((run / "front.json").read_text())
    assert front["members"] and all(sum(m["violations"]) == 0 for m in front["members"])
    assert int((run / "logbook.csv").read_text().splitlines()[-1].split(",")[4]) >= why.count("timeout")


def _popen(args, out: Path):
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1"}
    return subprocess.Popen([sys.executable, "-m", "gadesign", *args, "--out", str(out)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.mark.parametrize("workers", ["1", "2"])
def test_sigint_checkpoints_exits_130_and_resumes_to_the_same_front(cli, tmp_path, workers):
    args = ["evolve", "zdt1-faulty", "--set", "cost_ms=1", "--pop", "40", "--generations", "50", "--seed", "4",
            "--checkpoint-every", "100", "-q", "--workers", workers]
    full = cli(*args, "--out", str(tmp_path / "full"))
    assert full.returncode == 0, full.stderr
    run = tmp_path / "interrupted"
    proc = _popen(args, run)
    deadline = time.time() + 120
    while not (run / "checkpoints" / "gen-0000.json").exists():
        assert time.time() < deadline and proc.poll() is None
        time.sleep(0.02)
    time.sleep(0.5)
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 130, stderr
    assert "Traceback" not in stderr and "gadesign resume" in stderr
    assert not (run / "front.json").exists() and not list(run.rglob("*.tmp*"))
    newest = sorted((run / "checkpoints").glob("gen-*.json"))[-1]
    assert newest.name != "gen-0000.json", "the interrupt should checkpoint the last finished generation"
    res = cli("resume", str(run), "-q")
    assert res.returncode == 0, res.stderr
    assert (run / "front.json").read_bytes() == (tmp_path / "full" / "front.json").read_bytes()
