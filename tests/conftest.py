"""Shared test helpers: run the CLI in a subprocess exactly as a user would."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest


def run_cli(*args: str, cwd: Path | None = None, timeout: float = 300, env: dict[str, str] | None = None
            ) -> subprocess.CompletedProcess[str]:
    """``gadesign ARGS`` in a fresh interpreter; returns the completed process."""
    full_env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "COLUMNS": "120", **(env or {})}
    full_env.pop("GADESIGN_DEBUG", None)
    return subprocess.run([sys.executable, "-m", "gadesign", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=timeout, env=full_env)


@pytest.fixture(scope="session")
def cli():
    return run_cli


def _load_example(name: str):
    """``examples/NAME.py`` as module NAME, importable by name as an installed plugin is
    (pickling for worker processes needs that)."""
    path = Path(__file__).resolve().parents[1] / "examples" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def load_example():
    return _load_example


class MainIn:
    """``gadesign.cli.main(ARGS)`` in this process, ``{d}`` in ARGS standing for the test's
    ``tmp_path``: ``main_in(args)`` gives ``(rc, stdout, stderr)``; ``main_in.refused(args,
    words)`` asserts a bad input's one ``error:`` line (exit 2, no traceback, no internal
    error) containing ``words`` and returns it."""

    def __init__(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        self.tmp_path, self.capsys = tmp_path, capsys

    def __call__(self, args: list[str]) -> tuple[int, str, str]:
        from gadesign.cli import main

        self.capsys.readouterr()  # what earlier steps printed is not this call's
        rc = main([a.replace("{d}", str(self.tmp_path)) for a in args])
        out, err = self.capsys.readouterr()
        return rc, out, err

    def refused(self, args: list[str], words: str) -> str:
        rc, _, err = self(args)
        lines = err.strip().splitlines()
        assert rc == 2 and len(lines) == 1 and lines[0].startswith("error:"), (rc, err)
        assert words in lines[0], lines[0]
        assert "Traceback" not in err and "internal error" not in err
        return lines[0]


@pytest.fixture
def main_in(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> MainIn:
    return MainIn(tmp_path, capsys)


@pytest.fixture
def installed(site: Path, monkeypatch: pytest.MonkeyPatch):
    """The plugin distribution the test module's own ``site`` fixture writes (a module and
    its dist-info), on sys.path, with the registry's cache cleared around the test."""
    from gadesign.registry import problem_entries

    monkeypatch.syspath_prepend(str(site))
    problem_entries.cache_clear()
    yield site
    problem_entries.cache_clear()
