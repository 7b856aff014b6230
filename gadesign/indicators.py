"""Quality indicators of a set of objective vectors (all objectives minimised here).

- Hypervolume: Lebesgue measure of the region dominated by the set and bounded by a
  reference point, via moocore (exact, compiled; WFG/HV3D algorithms).
- IGD: mean Euclidean distance from each point of a reference front to its nearest
  member of the set (Coello & Reyes Sierra 2004).
- Spread: Deb's Delta (Deb, Pratap, Agarwal & Meyarivan 2002, eq. 1) for two objectives
  and the generalised spread of Zhou, Jin, Zhang, Sendhoff & Tsang (2006) for any number;
  0 for a set spaced evenly out to the reference front's extremes, larger when uneven.
"""

from __future__ import annotations

from typing import Sequence

import moocore
import numpy as np
from scipy.spatial.distance import cdist


def hypervolume(F: np.ndarray, reference: Sequence[float]) -> float:
    """Hypervolume of the minimisation set ``F`` (k, m) w.r.t. ``reference``; points that do
    not strictly dominate the reference contribute nothing."""
    ref = np.asarray(reference, dtype=float).ravel()
    F = _rows(F, len(ref), "hypervolume")
    if F.size == 0:
        return 0.0
    inside = (F < ref).all(axis=1)
    if not inside.any():
        return 0.0
    return float(moocore.hypervolume(F[inside], ref=ref))


def igd(F: np.ndarray, reference_front: np.ndarray) -> float:
    """Inverted generational distance of ``F`` to ``reference_front`` (smaller is better)."""
    R = _rows(reference_front, None, "igd")
    F = _rows(F, R.shape[1], "igd")
    if F.size == 0:
        return float("inf")
    return float(cdist(R, F).min(axis=1).mean())


def spread(F: np.ndarray, reference_front: np.ndarray) -> float:
    """Deb's spread Delta of a non-dominated two-objective set ``F`` (smaller is better).

    With the set sorted by f1, ``d_i`` the distances between consecutive points, ``d_bar``
    their mean, and ``d_f``, ``d_l`` the distances from the reference front's two extreme
    points (least f1, least f2) to the set's first and last points:
    ``Delta = (d_f + d_l + sum |d_i - d_bar|) / (d_f + d_l + (N - 1) d_bar)``.
    An empty set gives infinity; a set that is one point equal to both extremes, 0.
    """
    F = _rows(F, 2, "spread")
    R = _rows(reference_front, 2, "spread")
    if len(F) == 0:
        return float("inf")
    S = F[np.lexsort((F[:, 1], F[:, 0]))]
    first, last = R[np.lexsort((R[:, 1], R[:, 0]))[0]], R[np.lexsort((R[:, 0], R[:, 1]))[0]]
    d = np.linalg.norm(np.diff(S, axis=0), axis=1)
    d_bar = float(d.mean()) if len(d) else 0.0
    ends = float(np.linalg.norm(S[0] - first) + np.linalg.norm(S[-1] - last))
    den = ends + len(d) * d_bar
    return 0.0 if den == 0 else (ends + float(np.abs(d - d_bar).sum())) / den


def generalized_spread(F: np.ndarray, reference_front: np.ndarray) -> float:
    """Generalised spread (Zhou et al. 2006) of ``F`` (k, m) for any m (smaller is better):
    ``(sum_j d(e_j, F) + sum_X |d(X, F) - d_bar|) / (sum_j d(e_j, F) + k d_bar)`` with
    ``e_j`` the reference front's point of largest f_j, ``d(X, F)`` the distance from X to
    its nearest other member and ``d_bar`` their mean. Empty set: infinity."""
    R = _rows(reference_front, None, "generalized_spread")
    F = _rows(F, R.shape[1], "generalized_spread")
    if len(F) == 0:
        return float("inf")
    extremes = R[np.argmax(R, axis=0)]
    ends = float(cdist(extremes, F).min(axis=1).sum())
    D = cdist(F, F)
    np.fill_diagonal(D, np.inf)
    d = D.min(axis=1) if len(F) > 1 else np.zeros(1)
    d_bar = float(d.mean())
    den = ends + len(F) * d_bar
    return 0.0 if den == 0 else (ends + float(np.abs(d - d_bar).sum())) / den


def _rows(F: np.ndarray, m: int | None, what: str) -> np.ndarray:
    """``F`` as a float matrix of ``m`` columns (an empty set as shape (0, m); a flat
    sequence of m values as one point, of k*m values as k points); ValueError otherwise."""
    A = np.asarray(F, dtype=float)
    if A.ndim == 1 and m and A.size % m == 0:
        A = A.reshape(-1, m)
    if A.size == 0:
        return A.reshape(0, m or (A.shape[-1] if A.ndim == 2 else 0))
    if A.ndim != 2 or (m is not None and A.shape[1] != m):
        raise ValueError(f"{what}: expected a (k, {m if m is not None else 'm'}) matrix of objective vectors, "
                         f"got shape {A.shape}")
    return A


def minimisation_matrix(objectives: np.ndarray, signs: Sequence[float]) -> np.ndarray:
    """Objectives in their own directions turned into minimisation (max ones negated)."""
    return np.asarray(objectives, dtype=float) * np.asarray(signs, dtype=float)
