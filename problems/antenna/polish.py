"""Local polish of a wire tree's continuous genes (a memetic step of the search).

A design's input impedance, and so its VSWR, is a smooth function of its wire lengths
and angles as long as the tree's shape (which wires exist) stays the same, whereas the
evolutionary operators move them by random steps. :func:`polish` runs a short
Nelder-Mead search (scipy) over all of a tree's ``(length, bend, twist)`` genes from
the design, minimising a given score (the ST5 problem's constraint violation ``ln F``),
and returns the best tree found (repaired) or the design itself when nothing beat it.

Units inside the search: lengths in millimetres and angles in degrees, so that the
initial simplex steps (``step_mm``, ``step_deg``) are of one order.
"""

from __future__ import annotations

from typing import Callable

import numpy as np
from scipy.optimize import minimize

from gadesign_problems.antenna.tree import Node, walk


def genes(x: Node) -> np.ndarray:
    """The tree's continuous genes in pre-order: ``[length (mm), bend, twist (deg)]`` per wire."""
    return np.array([v for _, n in walk(x) for v in (n.length * 1e3, n.bend, n.twist)], float)


def with_genes(x: Node, v: np.ndarray) -> Node:
    """``x`` with its genes replaced by ``v`` (the layout of :func:`genes`); same shape."""
    rows = iter(np.asarray(v, float).reshape(-1, 3).tolist())

    def build(n: Node) -> Node:
        length, bend, twist = next(rows)
        return Node(length * 1e-3, bend, twist, tuple(build(c) for c in n.children))

    return build(x)


class _Reached(Exception):
    """Raised inside the search when the score reached its floor (nothing left to gain)."""


def polish(x: Node, score: Callable[[Node], float], repair: Callable[[Node], Node], evaluations: int,
           step_mm: float = 0.5, step_deg: float = 3.0, start: float | None = None,
           floor: float | None = None) -> tuple[Node, float, int]:
    """Nelder-Mead from ``x`` on its genes, at most ``evaluations`` calls of ``score``
    (on the repaired tree; ``start``: ``x``'s score when known), stopping early once a
    tree scores ``floor`` or less. Returns ``(tree, score, calls)``: the best repaired
    tree seen, or ``x`` when none scored lower than ``x``."""
    v0 = genes(x)
    best: list = [x, float(score(x)) if start is None else float(start)]
    calls = [1 if start is None else 0]

    def f(v: np.ndarray) -> float:
        y = repair(with_genes(x, v))
        s = float(score(y))
        calls[0] += 1
        if s < best[1]:
            best[0], best[1] = y, s
        if floor is not None and s <= floor:
            raise _Reached
        return s

    steps = np.tile([step_mm, step_deg, step_deg], len(v0) // 3)
    simplex = np.vstack([v0, v0 + np.diag(steps)])
    if evaluations > calls[0] and (floor is None or best[1] > floor):
        try:
            minimize(f, v0, method="Nelder-Mead", options={"maxfev": int(evaluations) - calls[0],
                                                          "initial_simplex": simplex, "xatol": 1e-4, "fatol": 1e-9})
        except _Reached:
            pass
    return best[0], best[1], calls[0]


def polish_by_progress(x: Node, score: Callable[[Node], float], repair: Callable[[Node], Node], budget: int,
                       chunk: int, min_gain: float, start: float | None = None, floor: float = 0.0,
                       patience: int = 2, trace: list[tuple[int, float]] | None = None) -> tuple[Node, float, int]:
    """Nelder-Mead in rounds of at most ``chunk`` calls of ``score``, each round from a
    fresh simplex around the best tree so far (a restarted Nelder-Mead: a collapsed
    simplex stops making progress long before a minimum), for as long as the last
    ``patience`` rounds together lowered the score by at least ``min_gain`` (one round's
    progress is noisy) and the score is above ``floor``, within ``budget`` calls in all.
    A design that improves keeps its budget; one that stalls stops early. ``trace``
    (optional) collects ``(calls so far, score)`` after each round. Returns ``(tree,
    score, calls)`` as :func:`polish`."""
    best, s = x, float(score(x)) if start is None else float(start)
    spent = 1 if start is None else 0
    gains: list[float] = []
    while s > floor and budget - spent >= 2:
        y, s_new, calls = polish(best, score, repair, min(int(chunk), budget - spent), start=s, floor=floor)
        spent += calls
        gains.append(s - s_new)
        best, s = y, s_new
        if trace is not None:
            trace.append((spent, s))
        if len(gains) >= patience and sum(gains[-patience:]) < min_gain:
            break
    return best, s, spent
