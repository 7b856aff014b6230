"""ZDT1–4 and ZDT6 (Zitzler, Deb & Thiele 2000, Evol. Comput. 8(2):173–195).

Two objectives, both minimised; f1 = x1 (ZDT6: 1 - exp(-4 x1) sin^6(6 pi x1)) and
f2 = g h(f1, g) with the distance function g = 1 on the Pareto-optimal set. The true
fronts are analytic (:meth:`true_front`); hypervolume reference point (1.1, 1.1).
"""

from __future__ import annotations

import numpy as np

from gadesign.problem import Objective
from gadesign_problems.testfunctions.base import VectorProblem, no_constraints

F1, F2 = Objective("f1", "min"), Objective("f2", "min")


class ZDT(VectorProblem):
    objectives = (F1, F2)
    constraints = ()
    reference_point = (1.1, 1.1)
    defaults = {"algorithm": "nsga2", "pop": 100, "generations": 250}

    def __init__(self, lower: float | np.ndarray, upper: float | np.ndarray, n_var: int) -> None:
        super().__init__(lower, upper, n_var)
        if n_var < 2:  # g is a function of x2..xn (and divides by n - 1)
            raise ValueError(f"{self.name} needs n_var >= 2 (g is a function of x2..xn), got {n_var}")

    def true_front(self, n: int = 1000) -> np.ndarray:
        f1 = np.linspace(0.0, 1.0, n)
        return np.column_stack([f1, 1.0 - np.sqrt(f1)])


class ZDT1(ZDT):
    """ZDT1: convex front f2 = 1 - sqrt(f1), 30 variables in [0, 1]."""

    name = "zdt1"

    def __init__(self, n_var: int = 30) -> None:
        super().__init__(0.0, 1.0, n_var)

    def _evaluate(self, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        f1 = X[:, 0]
        g = 1.0 + 9.0 * X[:, 1:].sum(axis=1) / (self.n_var - 1)
        return np.column_stack([f1, g * (1.0 - np.sqrt(f1 / g))]), no_constraints(X)


class ZDT2(ZDT1):
    """ZDT2: concave front f2 = 1 - f1^2, 30 variables in [0, 1]."""

    name = "zdt2"

    def _evaluate(self, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        f1 = X[:, 0]
        g = 1.0 + 9.0 * X[:, 1:].sum(axis=1) / (self.n_var - 1)
        return np.column_stack([f1, g * (1.0 - (f1 / g) ** 2)]), no_constraints(X)

    def true_front(self, n: int = 1000) -> np.ndarray:
        f1 = np.linspace(0.0, 1.0, n)
        return np.column_stack([f1, 1.0 - f1 ** 2])


class ZDT3(ZDT1):
    """ZDT3: disconnected front (five pieces), 30 variables in [0, 1]."""

    name = "zdt3"

    def _evaluate(self, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        f1 = X[:, 0]
        g = 1.0 + 9.0 * X[:, 1:].sum(axis=1) / (self.n_var - 1)
        r = f1 / g
        return np.column_stack([f1, g * (1.0 - np.sqrt(r) - r * np.sin(10.0 * np.pi * f1))]), no_constraints(X)

    def true_front(self, n: int = 1000) -> np.ndarray:
        f1 = np.linspace(0.0, 1.0, 50 * n)
        F = np.column_stack([f1, 1.0 - np.sqrt(f1) - f1 * np.sin(10.0 * np.pi * f1)])
        # keep the non-dominated part: f2 must be the running minimum from the left
        keep = F[:, 1] <= np.minimum.accumulate(F[:, 1]) + 1e-15
        front = F[keep]
        return front[np.linspace(0, len(front) - 1, n).astype(int)]


class ZDT4(ZDT):
    """ZDT4: ZDT1's front behind 21^9 local fronts (Rastrigin g); x1 in [0,1], others in [-5,5]."""

    name = "zdt4"

    def __init__(self, n_var: int = 10) -> None:
        lower = np.full(n_var, -5.0)
        upper = np.full(n_var, 5.0)
        lower[0], upper[0] = 0.0, 1.0
        super().__init__(lower, upper, n_var)

    def _evaluate(self, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        f1 = X[:, 0]
        rest = X[:, 1:]
        g = 1.0 + 10.0 * (self.n_var - 1) + (rest ** 2 - 10.0 * np.cos(4.0 * np.pi * rest)).sum(axis=1)
        return np.column_stack([f1, g * (1.0 - np.sqrt(f1 / g))]), no_constraints(X)


class ZDT6(ZDT):
    """ZDT6: non-uniform, biased concave front; 10 variables in [0, 1]."""

    name = "zdt6"

    def __init__(self, n_var: int = 10) -> None:
        super().__init__(0.0, 1.0, n_var)

    def _evaluate(self, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        x1 = X[:, 0]
        f1 = 1.0 - np.exp(-4.0 * x1) * np.sin(6.0 * np.pi * x1) ** 6
        g = 1.0 + 9.0 * (X[:, 1:].sum(axis=1) / (self.n_var - 1)) ** 0.25
        return np.column_stack([f1, g * (1.0 - (f1 / g) ** 2)]), no_constraints(X)

    def true_front(self, n: int = 1000) -> np.ndarray:
        f1 = np.linspace(0.2807753191, 1.0, n)
        return np.column_stack([f1, 1.0 - f1 ** 2])


def zdt1(n_var: int = 30) -> ZDT1:
    """ZDT1: two objectives, convex front f2 = 1 - sqrt(f1) (Zitzler, Deb & Thiele 2000).

    ``n_var``: number of decision variables x_i in [0, 1].
    """
    return ZDT1(n_var)


def zdt2(n_var: int = 30) -> ZDT2:
    """ZDT2: two objectives, concave front f2 = 1 - f1^2 (Zitzler, Deb & Thiele 2000).

    ``n_var``: number of decision variables x_i in [0, 1].
    """
    return ZDT2(n_var)


def zdt3(n_var: int = 30) -> ZDT3:
    """ZDT3: two objectives, front in five disconnected pieces (Zitzler, Deb & Thiele 2000).

    ``n_var``: number of decision variables x_i in [0, 1].
    """
    return ZDT3(n_var)


def zdt4(n_var: int = 10) -> ZDT4:
    """ZDT4: two objectives, ZDT1's front behind many local fronts (Zitzler, Deb & Thiele 2000).

    ``n_var``: number of decision variables x_i in [0, 1].
    """
    return ZDT4(n_var)


def zdt6(n_var: int = 10) -> ZDT6:
    """ZDT6: two objectives, non-uniformly spread concave front (Zitzler, Deb & Thiele 2000).

    ``n_var``: number of decision variables x_i in [0, 1].
    """
    return ZDT6(n_var)
