"""The bad-input corpus (tests/data/bad/cases.json): every case exits 2 with one clear
line, no traceback, within its time limit, and leaves no partial, changed or new files
or folders (issue 7, point 5; issue 12, point 1).

Each case runs ``gadesign.cli.main`` in a forked child of the test process (the imports
are already done, so a case takes a fraction of a second instead of a fresh
interpreter's start-up; a hang is killed at the time limit). ``GADESIGN_CORPUS_FRESH=1``
runs every case in a fresh interpreter instead, exactly as a user would.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

BAD = Path(__file__).parent / "data" / "bad"
DATA = Path(__file__).parent / "data"
CASES = json.loads((BAD / "cases.json").read_text())["cases"]
LONG = "a" * 300  # longer than any file system's 255-byte name limit


PRELOAD = ("gadesign.cli", "gadesign.run", "gadesign.plots", "matplotlib.pyplot", "scipy.spatial",
           "gadesign_problems.antenna.nec", "gadesign_problems.antenna.kernels", "gadesign_problems.truss.structure")


@pytest.fixture(scope="module")
def preloaded():
    """What most commands import, imported once so that every forked case starts warm."""
    import importlib

    for name in PRELOAD:
        importlib.import_module(name)


@pytest.fixture(scope="module")
def finished_run(tmp_path_factory, cli, preloaded):
    run = tmp_path_factory.mktemp("corpus") / "run"
    res = cli("evolve", "zdt1", "--pop", "10", "--generations", "2", "--seed", "1", "--checkpoint-every", "1",
                  "-q", "--out", str(run))
    assert res.returncode == 0, res.stderr
    return run


def run_forked(args: list[str], cwd: Path, timeout: float) -> subprocess.CompletedProcess[str]:
    """``gadesign ARGS`` in a forked child; stdout and stderr as a completed process."""
    out, err = cwd.parent / f".{cwd.name}.stdout", cwd.parent / f".{cwd.name}.stderr"
    pid = os.fork()
    if pid == 0:  # child: never returns into pytest
        rc = 70
        try:
            os.chdir(cwd)
            os.environ["COLUMNS"] = "120"
            with open(out, "w") as fo, open(err, "w") as fe:
                os.dup2(fo.fileno(), 1)
                os.dup2(fe.fileno(), 2)
                sys.stdout, sys.stderr = open(1, "w", closefd=False), open(2, "w", closefd=False)
                signal.signal(signal.SIGINT, signal.default_int_handler)
                from gadesign.cli import main
                rc = main(list(args))
                sys.stdout.flush()
                sys.stderr.flush()
        except BaseException as exc:  # noqa: BLE001 - reported through stderr and the exit code
            with open(err, "a") as fe:
                fe.write(f"Traceback (forked runner): {type(exc).__name__}: {exc}\n")
        finally:
            os._exit(rc if isinstance(rc, int) else 70)
    deadline = time.monotonic() + timeout
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            pytest.fail(f"gadesign {' '.join(args)} ran past {timeout} s")
        time.sleep(0.02)
    rc = os.waitstatus_to_exitcode(status)
    res = subprocess.CompletedProcess(args, rc, out.read_text(), err.read_text())
    out.unlink()
    err.unlink()
    return res


def snapshot(root: Path) -> dict[str, bytes | None]:
    """Every file (with its bytes) and every folder (None) under ``root``."""
    return {str(p.relative_to(root)): (p.read_bytes() if p.is_file() else None) for p in sorted(root.rglob("*"))}


def test_corpus_is_large_and_ids_unique():
    assert len(CASES) >= 100
    assert len({c["id"] for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_bad_input(cli, tmp_path, finished_run, case):
    run = tmp_path / "run"
    shutil.copytree(finished_run, run)
    setup = case.get("setup", {})
    for target, source in setup.get("replace", {}).items():
        shutil.copyfile(BAD / source, run / target)
    for target in setup.get("delete", []):
        (run / target).unlink()
    for target in setup.get("delete_dirs", []):
        shutil.rmtree(run / target)
    for target, text in setup.get("write", {}).items():  # parent folders made as needed
        (run / target).parent.mkdir(parents=True, exist_ok=True)
        (run / target).write_text(text)
    before = snapshot(tmp_path)
    values = {"{bad}": str(BAD), "{data}": str(DATA), "{run}": str(run), "{out}": str(tmp_path / "new"),
              "{tmp}": str(tmp_path), "{long}": LONG}
    args = []
    for a in case["args"]:
        for key, value in values.items():
            a = a.replace(key, value)
        args.append(a)
    limit = case.get("seconds", 60)
    started = time.perf_counter()
    if os.environ.get("GADESIGN_CORPUS_FRESH") == "1" or not hasattr(os, "fork"):
        res = cli(*args, cwd=tmp_path, timeout=limit + 30)
    else:
        res = run_forked(args, tmp_path, limit + 30)
    seconds = time.perf_counter() - started
    assert res.returncode == 2, (res.returncode, res.stdout, res.stderr)
    assert "Traceback" not in res.stdout + res.stderr
    lines = [line for line in res.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, res.stderr
    assert lines[0].startswith("error:") and case["expect"] in lines[0], lines[0]
    assert ".tmp." not in lines[0] and "gadesign-probe" not in lines[0], "never a temporary file's name"
    assert snapshot(tmp_path) == before, "a failed command must not write, change or leave files or folders"
    assert seconds < limit, f"took {seconds:.1f} s"
