"""Quality indicators of a set of objective vectors (all objectives minimised here).

- Hypervolume: Lebesgue measure of the region dominated by the set and bounded by a
  reference point, via moocore (exact, compiled; WFG/HV3D algorithms).
- IGD: mean Euclidean distance from each point of a reference front to its nearest
  member of the set (Coello & Reyes Sierra 2004).
"""

from __future__ import annotations

from typing import Sequence

import moocore
import numpy as np
from scipy.spatial.distance import cdist


def hypervolume(F: np.ndarray, reference: Sequence[float]) -> float:
    """Hypervolume of the minimisation set ``F`` (k, m) w.r.t. ``reference``; points that do
    not strictly dominate the reference contribute nothing."""
    F = np.asarray(F, dtype=float)
    ref = np.asarray(reference, dtype=float)
    if F.size == 0:
        return 0.0
    inside = (F < ref).all(axis=1)
    if not inside.any():
        return 0.0
    return float(moocore.hypervolume(F[inside], ref=ref))


def igd(F: np.ndarray, reference_front: np.ndarray) -> float:
    """Inverted generational distance of ``F`` to ``reference_front`` (smaller is better)."""
    F = np.asarray(F, dtype=float)
    if F.size == 0:
        return float("inf")
    return float(cdist(np.asarray(reference_front, dtype=float), F).min(axis=1).mean())


def minimisation_matrix(objectives: np.ndarray, signs: Sequence[float]) -> np.ndarray:
    """Objectives in their own directions turned into minimisation (max ones negated)."""
    return np.asarray(objectives, dtype=float) * np.asarray(signs, dtype=float)
