"""The newcomer's examples run as scripts and print what they promise."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


@pytest.mark.parametrize("script, needle", [
    ("truss_10bar.py", "feasible: True"),
    ("molecule_formula.py", "C8H9NO2"),  # paracetamol's [M+H]+ and pattern
    ("cantilever_plugin.py", "all feasible: True"),
    ("st5_antenna.py", "meets all requirements:"),
])
def test_example_runs(tmp_path, script, needle):
    res = subprocess.run([sys.executable, str(EXAMPLES / script)], cwd=tmp_path, capture_output=True, text=True,
                         timeout=300)
    assert res.returncode == 0, res.stderr
    assert needle in res.stdout
