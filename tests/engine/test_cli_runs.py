"""End-to-end runs through the `gadesign` command (issue 2, points 1, 4, 5)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path



def test_problems_lists_entry_point_benchmarks(cli):
    res = cli("problems", "--json")
    assert res.returncode == 0, res.stderr
    names = {p["name"] for p in json.loads(res.stdout)}
    assert {"zdt1", "zdt2", "zdt3", "zdt4", "zdt6", "dtlz1", "dtlz2", "osy", "tnk"} <= names


def test_same_seed_same_front_and_workers_do_not_matter(cli, tmp_path):
    args = ("evolve", "zdt1", "--pop", "40", "--generations", "20", "--seed", "5", "-q")
    a = cli(*args, "--out", str(tmp_path / "a"))
    b = cli(*args, "--out", str(tmp_path / "b"))
    c = cli(*args, "--out", str(tmp_path / "c"), "--workers", "2")
    for res in (a, b, c):
        assert res.returncode == 0, res.stderr
    front = (tmp_path / "a" / "front.json").read_bytes()
    assert front == (tmp_path / "b" / "front.json").read_bytes()
    assert front == (tmp_path / "c" / "front.json").read_bytes()
    doc = json.loads(front)
    assert doc["schema"] == 1 and doc["problem"] == "zdt1"
    assert [o["direction"] for o in doc["objectives"]] == ["min", "min"]
    assert all(len(m["objectives"]) == 2 and m["violations"] == [] for m in doc["members"])
    different = cli(*args[:-3], "--seed", "6", "-q", "--out", str(tmp_path / "d"))
    assert different.returncode == 0
    assert (tmp_path / "d" / "front.json").read_bytes() != front


def test_run_directory_layout_and_show_export_plot(cli, tmp_path):
    run = tmp_path / "run"
    res = cli("evolve", "tnk", "--pop", "20", "--generations", "6", "--checkpoint-every", "2", "-q",
                  "--out", str(run))
    assert res.returncode == 0, res.stderr
    for name in ("config.json", "logbook.csv", "front.json", "front.csv", "plots/front.png", "plots/convergence.png"):
        assert (run / name).is_file(), name
    assert sorted(p.name for p in (run / "checkpoints").iterdir()) == ["gen-0002.json", "gen-0004.json", "gen-0006.json"]
    assert not list(run.rglob("*.tmp*"))
    logbook = (run / "logbook.csv").read_text().splitlines()
    assert len(logbook) == 1 + 7 and logbook[0].startswith("gen,evals")
    show = cli("show", str(run))
    assert show.returncode == 0 and "f1" in show.stdout
    csv_out = cli("export", str(run), "--format", "csv")
    assert csv_out.returncode == 0 and csv_out.stdout.splitlines()[0].startswith("member,f1,f2")
    json_out = cli("export", str(run), "--format", "json", "--output", str(tmp_path / "f.json"))
    assert json_out.returncode == 0
    assert json.loads((tmp_path / "f.json").read_text()) == json.loads((run / "front.json").read_text())
    (run / "plots" / "front.png").unlink()
    assert cli("plot", str(run)).returncode == 0 and (run / "plots" / "front.png").is_file()


def _wait_for(path: Path, timeout: float = 120) -> None:
    deadline = time.time() + timeout
    while not path.exists():
        if time.time() > deadline:
            raise AssertionError(f"{path} did not appear")
        time.sleep(0.05)


def test_sigkill_after_checkpoint_then_resume_is_bit_identical(cli, tmp_path):
    args = ["evolve", "zdt2", "--pop", "60", "--generations", "120", "--seed", "3", "--checkpoint-every", "10", "-q"]
    full = cli(*args, "--out", str(tmp_path / "full"))
    assert full.returncode == 0, full.stderr
    killed = tmp_path / "killed"
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "gadesign", *args, "--out", str(killed)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_for(killed / "checkpoints" / "gen-0030.json")
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    assert not (killed / "front.json").exists()
    resumed = cli("resume", str(killed), "-q")
    assert resumed.returncode == 0, resumed.stderr
    assert (killed / "front.json").read_bytes() == (tmp_path / "full" / "front.json").read_bytes()


def test_nsga3_resume_restores_algorithm_memory(cli, tmp_path):
    args = ["evolve", "dtlz2", "--pop", "20", "--generations", "12", "--seed", "2", "--checkpoint-every", "4", "-q"]
    assert cli(*args, "--out", str(tmp_path / "full")).returncode == 0
    partial = tmp_path / "partial"
    assert cli(*args, "--out", str(partial)).returncode == 0
    # keep only the generation-8 checkpoint, as if the run had died right after it
    for p in (partial / "checkpoints").iterdir():
        if p.name != "gen-0008.json":
            p.unlink()
    (partial / "front.json").unlink()
    assert cli("resume", str(partial), "-q").returncode == 0
    assert (partial / "front.json").read_bytes() == (tmp_path / "full" / "front.json").read_bytes()
