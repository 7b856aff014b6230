"""The plugin guide's own code (docs/plugins.md) runs: its knapsack passes the contract
check and the engine finds the brute-force optimum; its DEAP snippet runs on it."""

from __future__ import annotations

import itertools
import re
import sys
import types
from pathlib import Path

import numpy as np

from gadesign import evolve
from gadesign.testing import check_problem

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "plugins.md"


def guide_blocks():
    return re.findall(r"```python\n(.*?)```", GUIDE.read_text(), re.S)


def knapsack_module():
    module = types.ModuleType("guide_knapsack")
    sys.modules["guide_knapsack"] = module  # importable by name (pickling), like an installed plugin
    exec(compile(guide_blocks()[0], str(GUIDE), "exec"), module.__dict__)
    return module


def test_guide_knapsack_keeps_the_contract_and_reaches_the_optimum(tmp_path):
    module = knapsack_module()
    problem = module.knapsack()
    check_problem(problem, tmp_path=tmp_path)
    best = max((sum(v for v, b in zip(problem.values, bits) if b), bits)
               for bits in itertools.product((0, 1), repeat=len(problem.values))
               if sum(w for w, b in zip(problem.weights, bits) if b) <= problem.capacity)
    result = evolve(problem, pop=20, generations=20, seed=1)
    (x, e), = result.front
    assert e.feasible and e.objectives[0] == best[0]
    assert x.dtype == np.uint8  # the guide's table: BinaryVector individuals are uint8 arrays


def test_guide_deap_snippet_runs(capsys):
    module = knapsack_module()
    snippet = next(b for b in guide_blocks() if "eaMuPlusLambda" in b)
    scope = {"knapsack": module.knapsack}
    exec(compile(snippet, str(GUIDE), "exec"), scope)
    assert scope["best"].fitness.violation == 0.0
