"""Config files: `evolve --config run.toml`, the saved config.toml, overrides and bad keys
(issue 18, point 2)."""

from __future__ import annotations

import json
import sys

import pytest

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


def one_error_line(res) -> str:
    lines = [ln for ln in res.stderr.splitlines() if ln.strip()]
    assert res.returncode == 2, res.stderr
    assert len(lines) == 1 and lines[0].startswith("error:") and "Traceback" not in res.stderr, res.stderr
    return lines[0]


class Result:
    def __init__(self, returncode: int, stdout: str, stderr: str) -> None:
        self.returncode, self.stdout, self.stderr = returncode, stdout, stderr


@pytest.fixture
def run_main(capsys):
    """The CLI in this process (fast; for commands that fail before any work)."""
    from gadesign.cli import main

    def call(*args: str) -> Result:
        capsys.readouterr()
        code = main(list(args))
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)
    return call


def test_rerun_from_saved_config_toml_gives_byte_identical_front(cli, tmp_path):
    a = tmp_path / "a"
    res = cli("evolve", "zdt2", "--pop", "16", "--generations", "6", "--seed", "7", "--set", "n_var=8",
              "--description", "round trip", "--cite", "doi:10.1162/106365600568202", "-q", "--out", str(a))
    assert res.returncode == 0, res.stderr
    saved = tomllib.loads((a / "config.toml").read_text())
    assert saved["problem"] == "zdt2" and saved["seed"] == 7 and saved["pop"] == 16 and saved["generations"] == 6
    assert saved["params"] == {"n_var": 8} and saved["description"] == "round trip"
    # from another working directory, by the file alone
    res = cli("evolve", "--config", str(a / "config.toml"), "-q", "--out", str(tmp_path / "b"), cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    assert (a / "front.json").read_bytes() == (tmp_path / "b" / "front.json").read_bytes()
    assert (a / "config.toml").read_bytes() == (tmp_path / "b" / "config.toml").read_bytes()
    card = json.loads((tmp_path / "b" / "run.json").read_text())
    assert card["description"] == "round trip" and card["seed"] == 7


def test_command_line_overrides_the_file(cli, tmp_path):
    cfg = tmp_path / "run.toml"
    cfg.write_text('problem = "zdt1"\npop = 12\ngenerations = 3\nseed = 1\n[params]\nn_var = 6\n')
    res = cli("evolve", "--config", str(cfg), "--seed", "4", "--set", "n_var=5", "-q", "--out", str(tmp_path / "r"))
    assert res.returncode == 0, res.stderr
    saved = tomllib.loads((tmp_path / "r" / "config.toml").read_text())
    assert saved["seed"] == 4 and saved["pop"] == 12 and saved["params"] == {"n_var": 5}
    front = json.loads((tmp_path / "r" / "front.json").read_text())
    assert len(front["members"][0]["genome"]) == 5


@pytest.mark.parametrize("text, expect", [
    ('problem = "zdt1"\npopp = 10\n', "unknown key 'popp' (did you mean 'pop'?)"),
    ('problem = "zdt1"\ngenerations = 3\nsed = 2\n', "unknown key 'sed' (did you mean 'seed'?)"),
    ('problem = "zdt1"\n[params]\nn_vars = 4\n', "unknown parameter 'n_vars' of problem 'zdt1' (did you mean 'n_var'?)"),
    ('problem = "zdt1"\npop = "many"\n', "key 'pop' must be an integer"),
    ('problem = "zdt1"\npop = true\n', "key 'pop' must be an integer"),
    ('problem = "zdt1\n', "not valid TOML"),
    ('generations = 2\n', "no problem"),
])
def test_bad_config_is_one_error_line_and_writes_nothing(run_main, tmp_path, text, expect):
    cfg = tmp_path / "run.toml"
    cfg.write_text(text)
    out = tmp_path / "out"
    res = run_main("evolve", "--config", str(cfg), "--out", str(out), "-q")
    assert expect in one_error_line(res)
    assert not out.exists()


def test_missing_and_binary_config_files(run_main, tmp_path):
    assert "cannot read the config file" in one_error_line(run_main("evolve", "--config", str(tmp_path / "none.toml")))
    (tmp_path / "bin.toml").write_bytes(b"\xff\xfe\x00junk")
    assert "not a text file" in one_error_line(run_main("evolve", "--config", str(tmp_path / "bin.toml")))
    assert "is a folder" in one_error_line(run_main("evolve", "--config", str(tmp_path)))
