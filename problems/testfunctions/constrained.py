"""Constrained two-objective benchmarks: TNK (Tanaka et al. 1995) and OSY (Osyczka & Kundu 1995).

Constraints are written g(x) <= 0; the engine sees violations max(g, 0).
"""

from __future__ import annotations

import numpy as np

from gadesign.problem import Objective
from gadesign_problems.testfunctions.base import VectorProblem


class TNK(VectorProblem):
    """TNK: f = (x1, x2) on the feasible side of a wavy circle, inside a disc."""

    name = "tnk"
    objectives = (Objective("f1", "min"), Objective("f2", "min"))
    constraints = ("outside_wavy_circle", "inside_disc")
    reference_point = (1.2, 1.2)
    defaults = {"algorithm": "nsga2", "pop": 100, "generations": 200}

    def __init__(self) -> None:
        super().__init__(1e-12, np.pi, 2)

    def _evaluate(self, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        x1, x2 = X[:, 0], X[:, 1]
        g1 = -(x1 ** 2 + x2 ** 2 - 1.0 - 0.1 * np.cos(16.0 * np.arctan(x1 / x2)))
        g2 = (x1 - 0.5) ** 2 + (x2 - 0.5) ** 2 - 0.5
        return X.copy(), np.column_stack([g1, g2])

    def true_front(self, n: int = 1000) -> np.ndarray:
        """Non-dominated points of the feasible boundary of constraint 1, sampled finely
        in polar angle (the front lies on that boundary, where it is inside the disc)."""
        phi = np.linspace(1e-9, np.pi / 2 - 1e-9, 200_000)
        # radius where x1^2 + x2^2 = 1 + 0.1 cos(16 atan(x1/x2)); atan(x1/x2) = pi/2 - phi
        r = np.sqrt(1.0 + 0.1 * np.cos(16.0 * (np.pi / 2 - phi)))
        P = np.column_stack([r * np.cos(phi), r * np.sin(phi)])
        inside = (P[:, 0] - 0.5) ** 2 + (P[:, 1] - 0.5) ** 2 <= 0.5
        P = P[inside]
        order = np.argsort(P[:, 0])
        P = P[order]
        keep = P[:, 1] <= np.minimum.accumulate(P[:, 1]) + 1e-15
        front = P[keep]
        return front[np.linspace(0, len(front) - 1, min(n, len(front))).astype(int)]


class OSY(VectorProblem):
    """OSY: six variables, six constraints; front made of five connected pieces."""

    name = "osy"
    objectives = (Objective("f1", "min"), Objective("f2", "min"))
    constraints = ("g1", "g2", "g3", "g4", "g5", "g6")
    reference_point = (0.0, 80.0)
    defaults = {"algorithm": "nsga2", "pop": 100, "generations": 250}

    def __init__(self) -> None:
        super().__init__([0, 0, 1, 0, 1, 0], [10, 10, 5, 6, 5, 10], 6)

    def _evaluate(self, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        x1, x2, x3, x4, x5, x6 = X.T
        f1 = -(25 * (x1 - 2) ** 2 + (x2 - 2) ** 2 + (x3 - 1) ** 2 + (x4 - 4) ** 2 + (x5 - 1) ** 2)
        f2 = (X ** 2).sum(axis=1)
        G = np.column_stack([
            (x1 + x2 - 2.0) * -1.0 / 2.0,
            (6.0 - x1 - x2) * -1.0 / 6.0,
            (2.0 - x2 + x1) * -1.0 / 2.0,
            (2.0 - x1 + 3.0 * x2) * -1.0 / 2.0,
            (4.0 - (x3 - 3.0) ** 2 - x4) * -1.0 / 4.0,
            ((x5 - 3.0) ** 2 + x6 - 4.0) * -1.0 / 4.0,
        ])
        return np.column_stack([f1, f2]), G


def tnk() -> TNK:
    """TNK: constrained two-objective problem with a wavy, disconnected front (Tanaka et al. 1995)."""
    return TNK()


def osy() -> OSY:
    """OSY: constrained two-objective problem, six variables and six constraints (Osyczka & Kundu 1995)."""
    return OSY()
