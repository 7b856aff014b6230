"""Dask from a cluster user's side: the failures met when following the README's "Running
on a cluster" by hand (a port that is not a scheduler, Ctrl-C, a scheduler killed mid-run,
--dask with --workers, a LocalCluster beside a running scheduler). Each ends in one
error line, a checkpoint that `gadesign resume` continues to the serial run's front, and
no hang."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time

import pytest

pytest.importorskip("distributed")
pytestmark = pytest.mark.dask



def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def dask_cli(*args: str) -> subprocess.Popen:
    """`dask ARGS` as its own process group, as a user starts it by hand."""
    from pathlib import Path

    exe = Path(sys.executable).with_name("dask")
    return subprocess.Popen([str(exe), *args], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True, env={**os.environ, "OPENBLAS_NUM_THREADS": "1"})

FAULTY = ("zdt1-faulty", "--set", "cost_ms=20")
RUN = ("--pop", "20", "--generations", "10", "--seed", "8", "--checkpoint-every", "1", "-q")


def _server(reply: bytes | None):
    """A TCP port that accepts and then sends ``reply`` (None: stays silent)."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    held = []

    def serve():
        while True:
            try:
                conn, _ = sock.accept()
            except OSError:
                return
            held.append(conn)
            if reply is not None:
                conn.sendall(reply)

    threading.Thread(target=serve, daemon=True).start()
    return sock, f"tcp://127.0.0.1:{sock.getsockname()[1]}"


def test_a_port_that_accepts_but_never_answers_fails_in_bounded_time():
    """Client's time-out does not cover Dask's handshake: this hung for ever."""
    from gadesign.errors import ConfigError
    from gadesign.evaluation import handshake

    sock, address = _server(None)
    try:
        started = time.monotonic()
        with pytest.raises(ConfigError, match="no answer from a Dask scheduler within 1 s"):
            handshake(address, wait=1.0)
        assert time.monotonic() - started < 5
    finally:
        sock.close()


def test_a_port_that_answers_something_else_is_not_a_scheduler():
    """The dashboard's HTTP port, an SSH banner: was 'error: out of memory' (a length read
    from the garbage)."""
    from gadesign.errors import ConfigError
    from gadesign.evaluation import probe_scheduler

    sock, address = _server(b"SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n" + b"\xff" * 64)
    try:
        with pytest.raises(ConfigError, match="not a Dask scheduler"):
            probe_scheduler(address)
    finally:
        sock.close()


def test_dask_and_workers_together_are_refused(cli, tmp_path):
    res = cli("evolve", "zdt1", "--pop", "8", "--generations", "2", "--dask", "local:2", "--workers", "2",
              "-q", "--out", str(tmp_path / "x"))
    assert res.returncode == 2 and "cannot be combined" in res.stderr and "Traceback" not in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1 and not (tmp_path / "x").exists()
    from gadesign.run import choose_evaluators

    # resuming: what is given now replaces what the run was stored with
    assert choose_evaluators(2, None, None, "tcp://h:8786") == (1, "tcp://h:8786")
    assert choose_evaluators(1, "tcp://h:8786", 2, None) == (2, None)
    assert choose_evaluators(1, "tcp://h:8786", None, None) == (1, "tcp://h:8786")


def _cluster(n_workers: int = 1):
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    procs = [dask_cli("scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard")]
    time.sleep(1.0)
    procs += [dask_cli("worker", address, "--nthreads", "1", "--no-dashboard") for _ in range(n_workers)]
    from dask.distributed import Client

    with Client(address, timeout="60s") as client:
        client.wait_for_workers(n_workers, timeout=90)
    return address, procs


def _stop(procs) -> None:
    for p in procs:
        if p.poll() is None:
            os.killpg(p.pid, signal.SIGKILL)
        p.wait()


def test_ctrl_c_on_a_cluster_is_one_line_and_resumes_to_the_serial_front(cli, tmp_path):
    """Ctrl-C during a gather printed Dask's orphaned tasks ('Task exception was never
    retrieved ... AllExit' with a traceback) under the run's message."""
    serial = cli("evolve", *FAULTY, *RUN, "--out", str(tmp_path / "serial"))
    assert serial.returncode == 0, serial.stderr
    address, procs = _cluster()
    try:
        out = tmp_path / "cut"
        run = subprocess.Popen([sys.executable, "-m", "gadesign", "evolve", *FAULTY, *RUN, "--dask", address,
                                "--out", str(out)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env={**os.environ, "OPENBLAS_NUM_THREADS": "1"})
        deadline = time.time() + 60
        while not (out / "checkpoints" / "gen-0003.json").exists():
            assert time.time() < deadline and run.poll() is None
            time.sleep(0.02)
        run.send_signal(signal.SIGINT)
        _, stderr = run.communicate(timeout=30)
        assert run.returncode == 130, stderr
        assert stderr.strip().startswith("interrupted;") and len(stderr.strip().splitlines()) == 1, stderr
        res = cli("resume", str(out), "-q")  # on the stored cluster
        assert res.returncode == 0, res.stderr
    finally:
        _stop(procs)
    assert (out / "front.json").read_bytes() == (tmp_path / "serial" / "front.json").read_bytes()


def test_a_scheduler_killed_mid_run_stops_the_run_with_a_checkpoint(tmp_path, monkeypatch):
    """The client gave up on a dead scheduler after its time-out, but gather waited for
    ever on the futures it left pending."""
    from gadesign.evaluation import DaskEvaluator
    from gadesign.run import RunConfig, RunStopped, resume_run, start_run

    monkeypatch.setattr(DaskEvaluator, "CONNECT_TIMEOUT_S", 2.0)
    config = RunConfig("zdt1-faulty", {"cost_ms": 5}, "nsga2", 12, 8, 4, 1)
    start_run(config, tmp_path / "serial")
    address, procs = _cluster()
    try:
        def kill_at_generation_3(row):
            if row["gen"] == 3:
                os.killpg(procs[0].pid, signal.SIGKILL)

        started = time.monotonic()
        with pytest.raises(RunStopped, match="lost the Dask scheduler.*gadesign resume"):
            start_run(RunConfig("zdt1-faulty", {"cost_ms": 5}, "nsga2", 12, 8, 4, 1, dask=address),
                      tmp_path / "cut", on_generation=kill_at_generation_3)
        assert time.monotonic() - started < 30
    finally:
        _stop(procs)
    assert (tmp_path / "cut" / "checkpoints" / "gen-0003.json").exists()
    assert not (tmp_path / "cut" / "front.json").exists()
    resume_run(tmp_path / "cut", workers=1)  # without the lost cluster
    assert (tmp_path / "cut" / "front.json").read_bytes() == (tmp_path / "serial" / "front.json").read_bytes()


def test_local_cluster_beside_a_running_scheduler_prints_no_port_warnings(cli, tmp_path):
    """A LocalCluster's scheduler took the default HTTP port 8787 and, with it taken (a
    scheduler already running on the node), warned 'Port 8787 is already in use' and
    about an unclosed socket after every run."""
    taken = socket.socket()
    try:
        taken.bind(("0.0.0.0", 8787))
        taken.listen(1)
    except OSError:  # already taken by something else: the same situation
        pass
    try:
        res = cli("evolve", "zdt1", "--pop", "8", "--generations", "2", "--seed", "1", "--dask", "local:1",
                  "-q", "--out", str(tmp_path / "local"))
    finally:
        taken.close()
    assert res.returncode == 0, res.stderr
    assert "8787" not in res.stderr and "ResourceWarning" not in res.stderr, res.stderr


def test_workers_with_another_gadesign_version_are_refused(monkeypatch):
    """A worker from an older install evaluated silently (its front could differ)."""
    import gadesign
    from gadesign.errors import ConfigError
    from gadesign.evaluation import DaskEvaluator
    from gadesign.registry import make_problem

    monkeypatch.setattr(gadesign, "__version__", "0.0.0+client")
    with pytest.raises(ConfigError, match=r"has gadesign .*, the client 0\.0\.0\+client.*same gadesign"):
        DaskEvaluator(make_problem("zdt1", {}), "local:1")


def test_a_batch_on_a_cluster_without_workers_says_so_and_goes_on_when_one_joins(monkeypatch, caplog):
    """Every worker gone (a job queue's walltime): the run waited without a word; it now
    says once that it waits for workers, and finishes with the serial evaluations when one
    joins."""
    import numpy as np

    from gadesign.evaluation import DaskEvaluator, SerialEvaluator
    from gadesign.registry import make_problem

    monkeypatch.setattr(DaskEvaluator, "NO_WORKERS_NOTE_S", 0.5)
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    procs = [dask_cli("scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard")]
    try:
        time.sleep(1.0)
        problem = make_problem("zdt1", {})
        rng = np.random.default_rng(1)
        xs = [problem.genome.sample(rng) for _ in range(6)]
        evaluator = DaskEvaluator(problem, address)
        try:
            def join_later():
                time.sleep(3.0)
                procs.append(dask_cli("worker", address, "--nthreads", "1", "--no-dashboard"))

            threading.Thread(target=join_later, daemon=True).start()
            with caplog.at_level("WARNING", logger="gadesign"):
                got = evaluator(xs)
        finally:
            evaluator.close()
    finally:
        _stop(procs)
    assert any("no workers connected" in r.getMessage() for r in caplog.records)
    assert [e.objectives for e in got] == [e.objectives for e in SerialEvaluator(problem)(xs)]


def test_a_task_failing_on_the_cluster_is_one_error_not_an_internal_one():
    """A worker without the run's problem (one that joined with another install: its plugin
    setup failed) failed its tasks with a bare KeyError, which ended the run as 'internal
    error: KeyError'; now the run stops with a checkpoint (ClusterLost) and says why."""
    import numpy as np

    from gadesign.evaluation import ClusterLost, DaskEvaluator
    from gadesign.registry import make_problem

    problem = make_problem("zdt1", {})
    xs = [problem.genome.sample(np.random.default_rng(2)) for _ in range(4)]
    evaluator = DaskEvaluator(problem, "local:1", retries=0)
    try:
        evaluator._plugin = "gadesign-problem-not-registered"
        with pytest.raises(ClusterLost, match="has not loaded the run's problem"):
            evaluator(xs)
    finally:
        evaluator.close()


def test_ctrl_c_while_connecting_is_one_line(tmp_path):
    """Ctrl-C while --dask waited on a port that does not answer exited 130 without a word
    (asyncio had taken over SIGINT) and, once fixed there, without the run's message."""
    sock, address = _server(None)
    try:
        run = subprocess.Popen([sys.executable, "-m", "gadesign", "evolve", "zdt1", "--pop", "8", "--generations",
                                "2", "-q", "--dask", address, "--out", str(tmp_path / "x")],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(3.0)
        run.send_signal(signal.SIGINT)
        _, stderr = run.communicate(timeout=30)
    finally:
        sock.close()
    assert run.returncode == 130
    assert stderr.strip().startswith("interrupted before the first generation") and "Traceback" not in stderr
    assert not (tmp_path / "x").exists()
