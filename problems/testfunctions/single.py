"""Single-objective benchmarks with known optima: sphere and Rastrigin (both 0 at x = 0)."""

from __future__ import annotations

import numpy as np

from gadesign.problem import Objective
from gadesign_problems.testfunctions.base import VectorProblem, no_constraints


class Sphere(VectorProblem):
    """Sphere: f = sum(x^2) on [-5.12, 5.12]^n, minimum 0 at the origin."""

    name = "sphere"
    objectives = (Objective("f", "min"),)
    defaults = {"algorithm": "ga", "pop": 50, "generations": 100}

    def __init__(self, n_var: int = 10) -> None:
        super().__init__(-5.12, 5.12, n_var)

    def _evaluate(self, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return (X ** 2).sum(axis=1, keepdims=True), no_constraints(X)


class Rastrigin(Sphere):
    """Rastrigin: f = 10 n + sum(x^2 - 10 cos(2 pi x)), highly multimodal, minimum 0 at 0."""

    name = "rastrigin"
    defaults = {"algorithm": "ga", "pop": 100, "generations": 200}

    def _evaluate(self, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        f = 10.0 * self.n_var + (X ** 2 - 10.0 * np.cos(2.0 * np.pi * X)).sum(axis=1, keepdims=True)
        return f, no_constraints(X)


def sphere(n_var: int = 10) -> Sphere:
    """Sphere: single objective sum(x^2), minimum 0 at the origin.

    ``n_var``: number of variables x_i in [-5.12, 5.12].
    """
    return Sphere(n_var)


def rastrigin(n_var: int = 10) -> Rastrigin:
    """Rastrigin: single objective, highly multimodal, minimum 0 at the origin.

    ``n_var``: number of variables x_i in [-5.12, 5.12].
    """
    return Rastrigin(n_var)
