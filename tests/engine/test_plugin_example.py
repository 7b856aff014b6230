"""The README's plugin example is the tested file, and it finds the analytic front."""

from __future__ import annotations

import importlib.util
import math
import re
from pathlib import Path

import numpy as np

from gadesign import evolve

ROOT = Path(__file__).resolve().parents[2]


def load_example():
    spec = importlib.util.spec_from_file_location("cantilever_plugin", ROOT / "examples" / "cantilever_plugin.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_readme_shows_the_tested_example():
    readme = (ROOT / "README.md").read_text()
    block = re.search(r"## Writing a problem plugin.*?```python\n(.*?)```", readme, re.S).group(1)
    source = (ROOT / "examples" / "cantilever_plugin.py").read_text()
    assert block.strip() in source


def test_cantilever_front_matches_analytic_optimum():
    problem = load_example().cantilever()
    result = evolve(problem, seed=1)
    X = np.array([x for x, _ in result.front])
    assert all(e.feasible for _, e in result.front) and len(X) >= 30
    # mass and deflection both grow with length: every optimal beam is as short as allowed
    np.testing.assert_allclose(X[:, 0], 200.0, rtol=2e-3)
    # the lightest feasible beam sits on the stress limit: 32 P l / (pi d^3) = 300 MPa
    d_min = (32 * 1000.0 * 200.0 / (math.pi * 300.0)) ** (1 / 3)
    assert abs(X[:, 1].min() - d_min) < 0.05
    assert X[:, 1].max() > 49.0  # the stiffest end of the front reaches the diameter bound
