"""gadesign.testing.check_problem: passes on the built-in and example plugins of every
genome kind, and names the broken rule on deliberately broken ones."""

from __future__ import annotations


import numpy as np
import pytest

from gadesign.genomes import RealVector
from gadesign.problem import Evaluation, Objective
from gadesign.registry import make_problem
from gadesign.testing import check_problem



@pytest.mark.parametrize("name", ["zdt1", "osy", "tsp", "truss-10bar-topology", "truss-10bar"])
def test_builtin_problems_keep_the_contract(name, tmp_path):
    check_problem(make_problem(name, {}), tmp_path=tmp_path)


def test_example_plugins_keep_the_contract(tmp_path, load_example):
    check_problem(load_example("pressure_vessel_plugin").pressure_vessel(), tmp_path=tmp_path)
    check_problem(load_example("cantilever_plugin").cantilever(), tmp_path=tmp_path)


class Broken:
    name = "broken"
    objectives = (Objective("f"),)
    constraints = ("g",)

    def __init__(self, fault):
        self.fault = fault
        self.genome = RealVector(0.0, 1.0, 3)
        self.calls = 0

    def decode(self, x):
        return x

    def evaluate(self, x):
        self.calls += 1
        f = float(np.sum(x)) + (self.calls if self.fault == "stateful" else 0.0)
        g = -1.0 if self.fault == "negative" else 0.0
        return Evaluation((f,), (g,)) if self.fault != "length" else Evaluation((f, f), (0.0,))


@pytest.mark.parametrize("fault, message", [("stateful", "not deterministic"), ("negative", "negative violation"),
                                            ("length", "2 objectives")])
def test_broken_plugins_are_named(fault, message):
    with pytest.raises(AssertionError, match=message):
        check_problem(Broken(fault))
