"""DTLZ1 and DTLZ2 (Deb, Thiele, Laumanns & Zitzler 2002), scalable in objectives.

With M objectives and k = n - M + 1 distance variables: DTLZ1's front is the simplex
sum(f) = 0.5 behind 11^k - 1 local fronts; DTLZ2's is the unit-sphere octant
sum(f^2) = 1. Hypervolume reference point (1.1, ..., 1.1) for DTLZ2 (exact optimum for
M = 3: 1.331 - pi/6) and (0.55, ..., 0.55) for DTLZ1.
"""

from __future__ import annotations

import numpy as np

from gadesign.problem import Objective
from gadesign_problems.testfunctions.base import VectorProblem, no_constraints


def _check(n_obj: int, n_var: int) -> None:
    if n_obj < 2 or n_var < n_obj:
        raise ValueError("DTLZ needs n_obj >= 2 and n_var >= n_obj")


class DTLZ(VectorProblem):
    defaults = {"algorithm": "nsga3", "pop": 92, "generations": 250}

    def __init__(self, n_obj: int, n_var: int) -> None:
        _check(n_obj, n_var)
        super().__init__(0.0, 1.0, n_var)
        self.n_obj = n_obj
        self.objectives = tuple(Objective(f"f{i + 1}", "min") for i in range(n_obj))
        self.constraints = ()

    def _shape(self, X: np.ndarray, g: np.ndarray, angles: np.ndarray) -> np.ndarray:
        """f_i = (1+g) * prod_{j < M-1-i} c(x_j) * s(x_{M-1-i}) with c/s given by ``angles``."""
        M = self.n_obj
        cos, sin = angles
        F = np.empty((len(X), M))
        for i in range(M):
            f = (1.0 + g) * np.prod(cos[:, : M - 1 - i], axis=1)
            if i > 0:
                f = f * sin[:, M - 1 - i]
            F[:, i] = f
        return F


class DTLZ1(DTLZ):
    """DTLZ1: linear front sum(f) = 0.5."""

    name = "dtlz1"

    def __init__(self, n_obj: int = 3, n_var: int | None = None) -> None:
        super().__init__(n_obj, n_var if n_var is not None else n_obj + 4)
        self.reference_point = (0.55,) * n_obj

    def _evaluate(self, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        M = self.n_obj
        xm = X[:, M - 1:] - 0.5
        g = 100.0 * (xm.shape[1] + (xm ** 2 - np.cos(20.0 * np.pi * xm)).sum(axis=1))
        F = self._shape(X, g, (X[:, : M - 1], 1.0 - X[:, : M - 1])) * 0.5
        return F, no_constraints(X)


class DTLZ2(DTLZ):
    """DTLZ2: spherical front sum(f^2) = 1."""

    name = "dtlz2"

    def __init__(self, n_obj: int = 3, n_var: int | None = None) -> None:
        super().__init__(n_obj, n_var if n_var is not None else n_obj + 9)
        self.reference_point = (1.1,) * n_obj

    def _evaluate(self, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        M = self.n_obj
        g = ((X[:, M - 1:] - 0.5) ** 2).sum(axis=1)
        theta = X[:, : M - 1] * np.pi / 2.0
        return self._shape(X, g, (np.cos(theta), np.sin(theta))), no_constraints(X)


def dtlz1(n_obj: int = 3, n_var: int | None = None) -> DTLZ1:
    """DTLZ1: M objectives, linear front sum(f) = 0.5 with many local fronts (Deb et al. 2002).

    ``n_obj``: number of objectives M (>= 2). ``n_var``: number of variables in [0, 1]
    (default M + 4: k = n - M + 1 = 5 distance variables).
    """
    return DTLZ1(n_obj, n_var)


def dtlz2(n_obj: int = 3, n_var: int | None = None) -> DTLZ2:
    """DTLZ2: M objectives, spherical front sum(f^2) = 1 (Deb et al. 2002).

    ``n_obj``: number of objectives M (>= 2). ``n_var``: number of variables in [0, 1]
    (default M + 9: k = n - M + 1 = 10 distance variables).
    """
    return DTLZ2(n_obj, n_var)
