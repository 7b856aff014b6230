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
