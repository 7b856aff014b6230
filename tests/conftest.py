"""Shared test helpers: run the CLI in a subprocess exactly as a user would."""

from __future__ import annotations

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
