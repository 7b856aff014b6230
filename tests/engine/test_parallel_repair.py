"""A genome whose repair runs on the evaluation workers (``parallel_repair``) gives the
same run as one repaired in the main process: the same random draws, the same children."""

from __future__ import annotations

import copy

import numpy as np

from gadesign import evolve
from gadesign_problems.antenna.st5 import antenna_st5


def _front(problem, workers: int) -> np.ndarray:
    return evolve(problem, pop=16, generations=3, seed=4, workers=workers).objectives()


def test_repair_on_workers_changes_nothing():
    problem = antenna_st5()
    assert problem.genome.parallel_repair
    local = copy.deepcopy(problem)
    local.genome.parallel_repair = False        # repaired inside Genome.vary, main process
    reference = _front(local, 1)
    assert np.array_equal(_front(problem, 1), reference)
    assert np.array_equal(_front(problem, 2), reference)
