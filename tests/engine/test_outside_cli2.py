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

RUN = ("zdt1-faulty", "--set", "cost_ms=2", "--pop", "12", "--generations", "16", "--seed", "5",
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


@pytest.mark.parametrize("sig,code,workers", [(signal.SIGTERM, 143, "2"), (signal.SIGHUP, 129, "1")])
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
    for delay in (0.15, 0.6):
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


STOP_INSIDE = """
import os, signal, sys, time
from gadesign import cli
sys.path.insert(0, sys.argv[2])
with cli._stop_signals():
    try:
        if sys.argv[1] == "exec":  # as dataclasses and numpy.f2py do while importing
            exec("os.kill(os.getpid(), signal.SIGTERM)\\nfor _ in range(10): time.sleep(0.02)")
        else:
            import slow_module
        for _ in range(100):
            time.sleep(0.02)
        print("no interrupt")
    except KeyboardInterrupt:
        cut = sys.argv[1] == "import" and not hasattr(sys.modules.get("slow_module"), "DONE")
        print("import cut" if cut else "import whole")
        sys.exit(cli._interrupt_code())
"""


@pytest.mark.parametrize("where", ["exec", "import"])
def test_stop_signal_inside_exec_or_import_waits_for_it(tmp_path, where):
    """A signal that came while code compiled from a string ran (a dataclass being made,
    numpy.f2py's eval) ended the process by SIGINT after the one-line message: CPython
    marks a KeyboardInterrupt that passes through exec/eval as unhandled, even when it is
    caught (the CI saw exit -2 instead of 130). One that came during an import broke the
    module ('internal error: ImportError: initialization failed'). Now such a signal is
    delivered again once the exec or import is over: exit 143, the module whole."""
    (tmp_path / "slow_module.py").write_text(
        "import os, signal, time\nos.kill(os.getpid(), signal.SIGTERM)\n"
        "for _ in range(10):\n    time.sleep(0.02)\nDONE = True\n")
    (tmp_path / "stop_inside.py").write_text(STOP_INSIDE)  # run with -m, as `python -m gadesign` is
    res = subprocess.run([sys.executable, "-m", "stop_inside", where, str(tmp_path)], capture_output=True,
                         text=True, timeout=60, cwd=tmp_path, env={**os.environ, "OPENBLAS_NUM_THREADS": "1"})
    assert res.returncode == 143, (res.returncode, res.stdout, res.stderr)
    assert res.stdout.strip() == "import whole", res.stdout


@pytest.mark.parametrize("second", [signal.SIGTERM])
def test_double_tap_of_ctrl_c(tmp_path, cli, reference, second):
    """Ctrl-C pressed twice (or Ctrl-C, then kill): the second signal cut the first one's
    checkpoint, giving 'internal error: RuntimeError: release unlocked lock', or a death by
    signal (exit -2/-15) after the message. Now a second signal within a second is
    ignored: one line, exit 130, a run that resumes to the uninterrupted front."""
    proc = start("evolve", *RUN, "--out", "run", cwd=tmp_path)
    wait_for(tmp_path / "run" / "checkpoints" / "gen-0002.json", proc)
    proc.send_signal(signal.SIGINT)
    time.sleep(0.003)
    proc.send_signal(second)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("interrupted; newest checkpoint"), err
    whole(tmp_path / "run")
    res = cli("resume", str(tmp_path / "run"), "-q")
    assert res.returncode == 0, res.stderr
    assert (tmp_path / "run" / "front.json").read_bytes() == reference


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


def test_second_writer_of_a_run_is_refused(tmp_path, cli, reference):
    """`gadesign resume RUN` while RUN's evolve still runs (or two evolves into one --out)
    wrote the same checkpoints, logbook and front from two processes, and two evolves
    with other seeds left a run whose config.json and run.json disagreed."""
    slow = tuple("cost_ms=12" if a == "cost_ms=2" else a for a in RUN)  # still running when resume comes
    proc = start("evolve", *slow, "--out", "run", cwd=tmp_path)
    wait_for(tmp_path / "run" / "checkpoints" / "gen-0002.json", proc)
    res = cli("resume", str(tmp_path / "run"), "-q")
    assert proc.poll() is None, "the run ended before the second writer came"
    assert res.returncode == 2, res.stderr
    assert "another gadesign process is writing this run" in res.stderr and len(res.stderr.splitlines()) == 1
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert (tmp_path / "run" / "front.json").read_bytes() == reference  # cost_ms changes no result


def test_orphaned_workers_do_not_hold_the_run(tmp_path, cli, reference):
    """SIGKILL of a run with --workers 2 orphans its workers: they end on their own within
    seconds, and they must not keep the run locked, so that resume works at once."""
    proc = start("evolve", *RUN, "--workers", "2", "--out", "run", cwd=tmp_path)
    try:
        wait_for(tmp_path / "run" / "checkpoints" / "gen-0002.json", proc)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)  # not communicate(): orphaned workers hold its pipes open
        # and they end on their own: each watches its parent (they lived for ever before)
        deadline = time.monotonic() + 20
        while session_left(proc.pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not session_left(proc.pid), session_left(proc.pid)
        res = cli("resume", str(tmp_path / "run"), "-q")
        assert res.returncode == 0, res.stderr
        assert (tmp_path / "run" / "front.json").read_bytes() == reference
    finally:
        try:
            os.killpg(proc.pid, signal.SIGKILL)  # the orphans, if any (this test's own session)
        except ProcessLookupError:
            pass
        proc.stdout.close()
        proc.stderr.close()


@pytest.fixture(scope="module")
def finished(tmp_path_factory, cli) -> Path:
    run = tmp_path_factory.mktemp("finished") / "run"
    res = cli("evolve", "zdt1", "--pop", "8", "-g", "1", "-q", "--out", str(run))
    assert res.returncode == 0, res.stderr
    return run


def _loop(run: Path, name: str) -> None:
    target = run / name
    if target.is_dir():
        import shutil
        shutil.rmtree(target)
    else:
        target.unlink()
    os.symlink(target, target)  # a link to itself: "Too many levels of symbolic links"


LINKS = {  # what the corpus cannot make: links and pipes; (setup, args, expected words)
    "out-dangling-link": (lambda run, tmp: os.symlink(tmp / "nowhere", tmp / "dangle"),
                          ["evolve", "zdt1", "--pop", "8", "-g", "1", "-q", "--out", "{tmp}/dangle"],
                          "is a symbolic link to a missing folder"),
    "plots-looping-link": (lambda run, tmp: _loop(run, "plots"), ["plot", "{run}"],
                           "plots: a symbolic link to nothing"),
    "logbook-is-a-pipe": (lambda run, tmp: ((run / "logbook.csv").unlink(), os.mkfifo(run / "logbook.csv")),
                          ["plot", "{run}"], "logbook.csv: not a regular file"),
    "front-is-a-pipe": (lambda run, tmp: ((run / "front.json").unlink(), os.mkfifo(run / "front.json")),
                        ["show", "{run}"], "front.json is not a regular file"),
    "checkpoint-is-a-pipe": (lambda run, tmp: ((run / "checkpoints" / "gen-0001.json").unlink(),
                                               os.mkfifo(run / "checkpoints" / "gen-0001.json")),
                             ["resume", "{run}"], "checkpoint is not a regular file"),
}


@pytest.mark.parametrize("name", list(LINKS))
def test_links_and_pipes_in_a_run(tmp_path, cli, finished, name):
    """Symbolic links (dangling, looping) and named pipes where a run has files: one line
    naming the file and what it is (was 'plots: File exists' or 'logbook.csv: missing'),
    exit 2, nothing written, and no hang on a pipe."""
    import shutil

    run = tmp_path / "run"
    shutil.copytree(finished, run)
    setup, args, expect = LINKS[name]
    setup(run, tmp_path)
    before = sorted(str(p) for p in tmp_path.rglob("*"))
    res = cli(*[a.replace("{run}", str(run)).replace("{tmp}", str(tmp_path)) for a in args], cwd=tmp_path,
              timeout=60)
    assert res.returncode == 2, res.stderr
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:") and expect in lines[0], res.stderr
    assert sorted(str(p) for p in tmp_path.rglob("*")) == before


@pytest.mark.parametrize("args", [["problems"], ["show", "{run}", "--json"], ["compare", "{run}", "{run}"]])
def test_reader_gone_is_not_an_error(tmp_path, finished, args):
    """`gadesign problems | head -1` exited 1 (typer's own broken-pipe exit): the reader
    leaving is not an error, as for `export | head`."""
    proc = start(*[a.replace("{run}", str(finished)) for a in args], cwd=tmp_path)
    proc.stdout.close()  # the reader is gone before the first line is written
    err = proc.stderr.read()
    proc.wait(timeout=60)
    proc.stderr.close()
    assert proc.returncode == 0 and err == "", (proc.returncode, err)


def test_closed_stdout(tmp_path, finished):
    """`gadesign export RUN >&-` (stdout closed) was 'internal error: AttributeError';
    export to stdout now refuses, other commands run on (their words go nowhere)."""
    def closed(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["sh", "-c", '"$0" -m gadesign "$@" >&-', sys.executable, *args], cwd=tmp_path,
                              stderr=subprocess.PIPE, text=True, timeout=60)

    res = closed("export", str(finished))
    assert res.returncode == 2 and res.stderr.strip() == \
        "error: standard output is closed: give --output FILE to write the front", res.stderr
    res = closed("export", str(finished), "-o", str(tmp_path / "front.csv"))
    assert res.returncode == 0 and (tmp_path / "front.csv").is_file(), res.stderr
    res = closed("show", str(finished))
    assert res.returncode == 0 and res.stderr == "", res.stderr


def test_run_folder_named_in_non_utf8_bytes(tmp_path):
    """A run folder whose name is not UTF-8 (b'bad\\xffname', from an old archive or
    another system): report and export --archive were 'internal error: UnicodeEncodeError'."""
    name = b"bad\xffname"
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1"}
    env.pop("GADESIGN_DEBUG", None)
    for args in ([b"evolve", b"zdt1", b"--pop", b"8", b"-g", b"1", b"-q", b"--out", name], [b"report", name],
                 [b"export", name, b"--archive", b"a.zip"], [b"show", b"a.zip"]):
        res = subprocess.run([sys.executable, "-m", "gadesign", *args], cwd=tmp_path, capture_output=True,
                             timeout=120, env=env)
        assert res.returncode == 0 and b"error" not in res.stderr, (args, res.stderr)
    (tmp_path / os.fsdecode(name) / "report.html").read_bytes().decode("utf-8")  # still UTF-8
