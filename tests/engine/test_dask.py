"""Dask evaluation: same front as serial on a LocalCluster, on a real scheduler with two
workers started as separate processes, and when a worker dies mid-run (issue 7, points 1–2)."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("distributed")
pytestmark = pytest.mark.dask

RUN = ("--pop", "24", "--generations", "8", "--seed", "3", "-q")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def dask_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.Popen:
    """`dask ARGS` as its own process group (the commands deploy/docker-compose.yml runs)."""
    exe = Path(sys.executable).with_name("dask")
    return subprocess.Popen([str(exe), *args], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True, env={**os.environ, "OPENBLAS_NUM_THREADS": "1", **(env or {})})


@pytest.fixture
def cluster():
    """A scheduler and two workers on 127.0.0.1, started exactly as in the compose file."""
    from dask.distributed import Client
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    procs = [dask_cli("scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard")]
    try:
        time.sleep(1.0)
        procs += [dask_cli("worker", address, "--nthreads", "1", "--no-dashboard") for _ in range(2)]
        with Client(address, timeout="60s") as client:
            client.wait_for_workers(2, timeout=90)
        yield address, procs
    finally:
        for p in procs:
            if p.poll() is None:
                os.killpg(p.pid, signal.SIGKILL)
            p.wait()


def serial_front(cli, tmp_path, problem_args, run_args=RUN) -> bytes:
    res = cli("evolve", *problem_args, *run_args, "--out", str(tmp_path / "serial"))
    assert res.returncode == 0, res.stderr
    return (tmp_path / "serial" / "front.json").read_bytes()


@pytest.mark.parametrize("problem_args", [("zdt1",), ("truss-10bar",)], ids=["zdt1", "truss-10bar"])
def test_local_cluster_front_equals_serial(cli, tmp_path, problem_args):
    expected = serial_front(cli, tmp_path, problem_args)
    res = cli("evolve", *problem_args, *RUN, "--dask", "local:2", "--out", str(tmp_path / "dask"))
    assert res.returncode == 0, res.stderr
    assert (tmp_path / "dask" / "front.json").read_bytes() == expected


def test_real_scheduler_and_workers(cli, tmp_path, cluster, monkeypatch):
    address, _ = cluster
    expected = serial_front(cli, tmp_path, ("zdt1",))
    res = cli("evolve", "zdt1", *RUN, "--dask", address, "--out", str(tmp_path / "remote"))
    assert res.returncode == 0, res.stderr
    assert (tmp_path / "remote" / "front.json").read_bytes() == expected
    # a problem whose module exists only on this side (a plugin not installed on the
    # workers): one clear error naming it, not a worker's traceback
    from gadesign.errors import ConfigError
    from gadesign.evaluation import DaskEvaluator

    here = tmp_path / "only_here"
    here.mkdir()
    (here / "problem_only_here.py").write_text(
        "from gadesign_problems.testfunctions.zdt import ZDT1\n\n\nclass OnlyHere(ZDT1):\n    name = 'only-here'\n")
    monkeypatch.syspath_prepend(str(here))
    from problem_only_here import OnlyHere

    with pytest.raises(ConfigError, match=r"cannot load the problem 'only-here'.*problem_only_here"):
        DaskEvaluator(OnlyHere(10), address)


def test_worker_killed_mid_run(cli, tmp_path, cluster):
    address, procs = cluster
    problem = ("zdt1-faulty", "--set", "cost_ms=20")
    run_args = ("--pop", "20", "--generations", "12", "--seed", "8", "--checkpoint-every", "1", "-q")
    expected = serial_front(cli, tmp_path, problem, run_args)
    out = tmp_path / "survivor"
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1"}
    run = subprocess.Popen([sys.executable, "-m", "gadesign", "evolve", *problem, *run_args, "--dask", address,
                            "--out", str(out)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 120
    while not (out / "checkpoints" / "gen-0003.json").exists():
        assert time.time() < deadline and run.poll() is None, run.stderr.read() if run.poll() is not None else ""
        time.sleep(0.02)
    os.killpg(procs[1].pid, signal.SIGKILL)  # one worker (and its nanny) dies without warning
    _, stderr = run.communicate(timeout=300)
    assert run.returncode == 0, stderr
    assert (out / "front.json").read_bytes() == expected


def test_bad_dask_address(cli, tmp_path):
    res = cli("evolve", "zdt1", *RUN, "--dask", "local:zero", "--out", str(tmp_path / "x"))
    assert res.returncode == 2 and "local:N" in res.stderr and "Traceback" not in res.stderr


def compose_commands() -> dict[str, list[str]]:
    """Each service's command in deploy/docker-compose.yml, as written there."""
    yaml = pytest.importorskip("yaml")
    compose = yaml.safe_load((Path(__file__).resolve().parents[2] / "deploy" / "docker-compose.yml").read_text())
    services = compose["services"]
    assert services["worker"]["deploy"]["replicas"] >= 1
    return {name: list(s["command"]) for name, s in services.items()} | {
        "replicas": [str(services["worker"]["deploy"]["replicas"])],
        "worker_env": [f"{k}={v}" for k, v in (services["worker"].get("environment") or {}).items()]}


@pytest.mark.slow
def test_compose_file_commands_run_as_local_processes(cli, tmp_path):
    """No container engine can build the image here (its base image cannot be pulled), so
    the compose file's own commands run as local processes: the scheduler, the worker
    replicas and the client, with only the host names, port and output folder replaced (and
    the client's run cut to 30 generations: its 300 cost a minute of Dask round trips here)."""
    from dask.distributed import Client

    cmds = compose_commands()
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"

    def local(args: list[str]) -> list[str]:
        out = [a.replace("tcp://scheduler:8786", address) for a in args]
        out = ["127.0.0.1" if a == "0.0.0.0" else str(port) if a == "8786" else a for a in out]
        if "--out" in out:
            out[out.index("--out") + 1] = str(tmp_path / "cluster")
        return out

    scheduler, worker, client = (local(cmds[k]) for k in ("scheduler", "worker", "client"))
    assert scheduler[0] == "dask" and worker[0] == "dask" and client[:2] == ["gadesign", "evolve"]
    procs = [dask_cli(*scheduler[1:])]
    try:
        time.sleep(1.0)
        env = dict(kv.split("=", 1) for kv in cmds["worker_env"])
        procs += [dask_cli(*worker[1:], env=env) for _ in range(int(cmds["replicas"][0]))]
        with Client(address, timeout="60s") as c:
            c.wait_for_workers(int(cmds["replicas"][0]), timeout=90)
            if env:  # the compose file's environment reached the workers' Dask settings
                import dask
                assert set(c.run(lambda: dask.config.get("distributed.worker.profile.enabled")).values()) == {False}
        res = cli(*client[1:], "--generations", "30", "-q")
        assert res.returncode == 0, res.stderr
    finally:
        for p in procs:
            if p.poll() is None:
                os.killpg(p.pid, signal.SIGKILL)
            p.wait()
    # the same run serially: the same front, bit for bit
    i = client.index("--dask")
    serial_args = client[1:i] + client[i + 2:]  # the same command without --dask ADDRESS
    serial_args[serial_args.index("--out") + 1] = str(tmp_path / "serial")
    serial = cli(*serial_args, "--generations", "30", "-q")
    assert serial.returncode == 0, serial.stderr
    a = json.loads((tmp_path / "cluster" / "front.json").read_text())["members"]
    b = json.loads((tmp_path / "serial" / "front.json").read_text())["members"]
    assert [m["genome"] for m in a] == [m["genome"] for m in b]
    assert [m["objectives"] for m in a] == [m["objectives"] for m in b]


def test_a_batch_whose_tasks_were_cancelled_is_sent_again():
    """A dying worker can make the scheduler forget the scattered problem and cancel the chunk
    tasks that need it ("already forgotten", seen in CI): the evaluator sends the batch again
    and returns the same evaluations as serial."""
    from gadesign.evaluation import DaskEvaluator, SerialEvaluator
    from gadesign.registry import make_problem

    problem = make_problem("zdt1", {})
    rng = np.random.default_rng(5)
    xs = [problem.genome.sample(rng) for _ in range(12)]
    evaluator = DaskEvaluator(problem, "local:1")
    try:
        client, real_gather, calls = evaluator._client, evaluator._client.gather, []

        def gather_after_a_loss(futures, *args, **kwargs):
            calls.append(len(futures))
            if len(calls) == 1:
                client.cancel(futures)  # what the scheduler does to tasks whose input it forgot
            return real_gather(futures, *args, **kwargs)

        client.gather = gather_after_a_loss
        got = evaluator(xs)
    finally:
        evaluator.close()
    assert len(calls) == 2
    assert [e.objectives for e in got] == [e.objectives for e in SerialEvaluator(problem)(xs)]


def test_children_are_repaired_and_evaluated_on_the_cluster(monkeypatch):
    """A ``parallel_repair`` genome (the ST5 wire tree, whose repair may be a Nelder-Mead
    polish) is repaired with its evaluation in one task on the cluster, costly children
    first: same population and counts as a serial run."""
    from gadesign import evolve
    from gadesign.evaluation import DaskEvaluator
    from gadesign_problems.antenna.st5 import antenna_st5
    from gadesign_problems.antenna.tree import PolishRequest

    calls = []
    original = DaskEvaluator.repair_evaluate

    def spy(self, xs, skip=()):
        calls.append(sum(isinstance(x, PolishRequest) for x in xs))
        return original(self, xs, skip)

    monkeypatch.setattr(DaskEvaluator, "repair_evaluate", spy)
    runs = [evolve(antenna_st5(polish_prob=0.2, polish_evaluations=6), pop=12, generations=2, seed=2,
                   refine=0, **kwargs) for kwargs in ({}, {"dask": "local:2"})]
    assert calls and sum(calls) > 0, "no children (with polish requests) repaired on the cluster"
    assert np.array_equal(runs[0].objectives(), runs[1].objectives())
    assert [r["evals"] for r in runs[0].logbook] == [r["evals"] for r in runs[1].logbook]
