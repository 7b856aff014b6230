"""The truss package's public names load on first use (PEP 562): every name in ``__all__``
resolves, and starting the CLI (which mounts the `gadesign truss` commands) does not
import scipy's sparse solvers."""

from __future__ import annotations

import subprocess
import sys

import gadesign_problems.truss as truss


def test_every_public_name_resolves_to_its_module():
    for name in truss.__all__:
        value = getattr(truss, name)
        assert value.__module__.startswith("gadesign_problems.truss."), name


def test_cli_start_does_not_import_the_solver():
    code = "import sys, gadesign.cli; print('scipy.sparse' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"
