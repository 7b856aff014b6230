"""A vectorised benchmark problem over a bounded real vector (pymoo-style ``_evaluate``)."""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from gadesign.genomes import RealVector
from gadesign.problem import Evaluation, Objective


class VectorProblem:
    """A problem whose objectives and violations are functions of the decision matrix.

    Subclasses set ``objectives`` and ``constraints`` and implement :meth:`_evaluate`
    mapping X (k, n) to F (k, m) and G (k, c), G <= 0 meaning satisfied (pymoo's sign
    convention); violations reported to the engine are max(G, 0).
    """

    name = "vector-problem"
    objectives: tuple[Objective, ...] = ()
    constraints: tuple[str, ...] = ()
    reference_point: tuple[float, ...] | None = None
    defaults: dict[str, Any] = {}

    def __init__(self, lower: Sequence[float] | float, upper: Sequence[float] | float, n_var: int) -> None:
        if n_var < 1:
            raise ValueError("n_var must be >= 1")
        self.n_var = int(n_var)
        self.genome = RealVector(lower, upper, n_var)

    def _evaluate(self, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        raise NotImplementedError

    def evaluate_many(self, xs: Sequence[np.ndarray]) -> list[Evaluation]:
        X = np.asarray(xs, dtype=float).reshape(len(xs), self.n_var)
        F, G = self._evaluate(X)
        V = np.maximum(G, 0.0)
        return [Evaluation(tuple(map(float, f)), tuple(map(float, v))) for f, v in zip(F, V)]

    def evaluate(self, x: np.ndarray) -> Evaluation:
        return self.evaluate_many([x])[0]

    def decode(self, x: np.ndarray) -> np.ndarray:
        return np.asarray(x, dtype=float)

    def summary(self, x: np.ndarray, evaluation: Evaluation) -> dict[str, Any]:
        return {"x": "[" + ", ".join(f"{v:.4g}" for v in np.asarray(x)[:4]) + (", …]" if len(x) > 4 else "]")}


def no_constraints(X: np.ndarray) -> np.ndarray:
    return np.zeros((len(X), 0))
