"""A population: genomes with their evaluations as matrices the algorithms work on.

``F`` holds the objectives turned into minimisation (max objectives negated), ``CV`` the
total constraint violation (0 = feasible). Algorithms never see the problem's units or
directions, only these matrices.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np

from gadesign.problem import Evaluation


@dataclass
class Population:
    genomes: list[Any]
    evaluations: list[Evaluation]
    F: np.ndarray
    CV: np.ndarray

    @classmethod
    def from_evaluations(cls, genomes: Sequence[Any], evaluations: Sequence[Evaluation],
                         signs: np.ndarray) -> "Population":
        m = len(signs)
        F = np.array([e.objectives for e in evaluations], dtype=float).reshape(len(evaluations), m) * signs
        CV = np.array([sum(e.violations) for e in evaluations], dtype=float)
        return cls(list(genomes), list(evaluations), F, CV)

    def __len__(self) -> int:
        return len(self.genomes)

    def take(self, index: Sequence[int] | np.ndarray) -> "Population":
        idx = np.asarray(index, dtype=int)
        return Population([self.genomes[i] for i in idx], [self.evaluations[i] for i in idx],
                          self.F[idx], self.CV[idx])

    def merge(self, other: "Population") -> "Population":
        return Population(self.genomes + other.genomes, self.evaluations + other.evaluations,
                          np.vstack([self.F, other.F]), np.concatenate([self.CV, other.CV]))

    @property
    def feasible(self) -> np.ndarray:
        return self.CV <= 0.0
