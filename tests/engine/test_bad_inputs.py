"""Bad input gets one clear line and exit code 2: no traceback, no partial files (issue 2, point 6)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest


def assert_clean_error(res, *needles: str) -> None:
    assert res.returncode == 2, (res.returncode, res.stdout, res.stderr)
    assert "Traceback" not in res.stderr + res.stdout
    lines = [line for line in res.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, res.stderr
    for needle in needles:
        assert needle in lines[0], lines[0]


@pytest.mark.parametrize("args, needle", [
    (["evolve", "no-such-problem"], "unknown problem 'no-such-problem'"),
    (["evolve", "zdt1", "--pop", "abc"], "--pop"),
    (["evolve", "zdt1", "--pop", "2"], "--pop"),
    (["evolve", "zdt1", "--generations", "-1"], "--generations"),
    (["evolve", "zdt1", "--workers", "0"], "--workers"),
    (["evolve", "zdt1", "--checkpoint-every", "0"], "--checkpoint-every"),
    (["evolve", "zdt1", "--algorithm", "nsga9"], "unknown algorithm"),
    (["evolve", "zdt1", "--algorithm", "ga"], "one objective"),
    (["evolve", "zdt1", "--set", "nvar=3"], "no parameter 'nvar'"),
    (["evolve", "zdt1", "--set", "n_var=abc"], "parameter 'n_var'"),
    (["evolve", "zdt1", "--set", "oops"], "key=value"),
    (["evolve", "dtlz2", "--set", "n_obj=1"], "n_obj"),
    (["evolve", "zdt1", "--no-such-option"], "--no-such-option"),
    (["resume", "/definitely/not/here"], "no such run directory"),
    (["show", "/definitely/not/here"], "no such run directory"),
    (["export", "/definitely/not/here"], "no such run directory"),
])
def test_bad_command_lines(cli, tmp_path, args, needle):
    out = tmp_path / "run"
    extra = ["--out", str(out)] if args[0] == "evolve" and "--no-such-option" not in args else []
    res = cli(*args, *extra, cwd=tmp_path)
    assert_clean_error(res, needle)
    assert not out.exists(), "a failed evolve must not leave a run directory"
    assert not (tmp_path / "results").exists()


@pytest.fixture
def small_run(cli, tmp_path) -> Path:
    run = tmp_path / "run"
    res = cli("evolve", "zdt1", "--pop", "10", "--generations", "4", "--checkpoint-every", "2", "-q", "--out", str(run))
    assert res.returncode == 0, res.stderr
    return run


def _latest(run: Path) -> Path:
    return sorted((run / "checkpoints").glob("gen-*.json"))[-1]


def test_truncated_checkpoint(cli, small_run):
    ckpt = _latest(small_run)
    ckpt.write_bytes(ckpt.read_bytes()[:200])
    assert_clean_error(cli("resume", str(small_run)), "not valid JSON")


def test_edited_checkpoint_fails_checksum(cli, small_run):
    ckpt = _latest(small_run)
    data = json.loads(ckpt.read_text())
    data["state"]["population"][0]["objectives"][0] = 0.0
    ckpt.write_text(json.dumps(data))
    assert_clean_error(cli("resume", str(small_run)), "checksum mismatch")


def test_foreign_checkpoint(cli, small_run):
    _latest(small_run).write_text(json.dumps({"hello": "world"}))
    assert_clean_error(cli("resume", str(small_run)), "not a gadesign checkpoint")


def test_checkpoint_from_another_run(cli, tmp_path, small_run):
    other = tmp_path / "other"
    assert cli("evolve", "zdt1", "--pop", "10", "--generations", "4", "--seed", "9", "-q", "--out", str(other)).returncode == 0
    target = _latest(small_run)
    target.write_bytes(_latest(other).read_bytes())
    assert_clean_error(cli("resume", str(small_run)), "does not match this run's config.json")


def test_missing_checkpoints_and_config(cli, small_run):
    for p in (small_run / "checkpoints").iterdir():
        p.unlink()
    assert_clean_error(cli("resume", str(small_run)), "no checkpoint")
    (small_run / "config.json").write_text("{not json")
    assert_clean_error(cli("show", str(small_run)), "config.json is not valid JSON")


def test_existing_run_directory_is_not_overwritten(cli, small_run):
    before = (small_run / "front.json").read_bytes()
    res = cli("evolve", "zdt1", "--pop", "10", "--generations", "2", "-q", "--out", str(small_run))
    assert_clean_error(res, "already holds a run")
    assert (small_run / "front.json").read_bytes() == before


def test_export_bad_format(cli, small_run):
    assert_clean_error(cli("export", str(small_run), "--format", "xml"), "--format")


def test_nsga3_on_one_objective_is_refused_at_once():
    """Das-Dennis partitions for one objective never exceed the population: the default
    partition search looped forever (`evolve sphere --algorithm nsga3` hung)."""
    from gadesign.algorithms import make_algorithm
    from gadesign.errors import ConfigError

    with pytest.raises(ConfigError, match="nsga3 needs at least two objectives"):
        make_algorithm("nsga3", 1, 8)
    assert make_algorithm("nsga3", 2, 8).ref_dirs.shape[1] == 2


@pytest.mark.parametrize("name", ["zdt1", "zdt2", "zdt3", "zdt4", "zdt6"])
def test_zdt_with_one_variable_is_a_parameter_error(name):
    """g of ZDT is a function of x2..xn (ZDT1-3 and 6 divide by n - 1): with n_var=1 every
    evaluation was NaN and the run exited 0 with no feasible design."""
    from gadesign.errors import ConfigError
    from gadesign.registry import make_problem

    with pytest.raises(ConfigError, match=f"{name} needs n_var >= 2"):
        make_problem(name, {"n_var": 1})
    assert make_problem(name, {"n_var": 2}).n_var == 2
