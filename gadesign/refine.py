"""Local refinement of evolved designs: SLSQP on the real-valued part of a genome.

Generic over problems with one objective and a :class:`RealVector` genome (or a
:class:`Composite` with real parts; the other parts are held fixed). Gradients are
forward differences, evaluated as one batch through ``evaluate_many``. Constraints are
the problem's signed, smooth values g(x) <= 0 from ``constraint_values_many(xs)`` when it
offers them (truss problems do: every stress and displacement ratio minus 1), else the
negated violations (non-smooth at the boundary, so convergence is slower).

A problem with its own local search offers ``refine_design`` instead (see
:func:`refine_front`), whatever its genome and objectives.

The engine offers it to any such problem: ``gadesign evolve ... --refine K`` refines
the best K designs after the last generation and keeps the better ones (see
:func:`gadesign.run`); ``gadesign truss refine RUN`` polishes a finished run.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Callable, Hashable, Sequence, TypeVar

import numpy as np
from scipy.optimize import minimize

from gadesign.genomes import Composite, RealVector
from gadesign.problem import Evaluation, Problem, evaluate_batch


@dataclass
class Refined:
    """The refined genome, its evaluation and the evaluations the refinement spent."""

    x: Any
    evaluation: Evaluation
    evaluations: int
    improved: bool = True


def _real_parts(problem: Problem) -> list[tuple[str | None, RealVector]]:
    g = problem.genome
    if isinstance(g, RealVector):
        return [(None, g)]
    if isinstance(g, Composite):
        parts = [(name, p) for name, p in g.parts.items() if isinstance(p, RealVector)]
        if parts:
            return parts
    raise ValueError(f"{getattr(problem, 'name', 'this problem')}: refinement needs a real-valued genome part")


def check_refinable(problem: Problem) -> None:
    """ConfigError unless ``problem`` refines its own designs (``refine_design``) or has
    one objective and a real-valued genome part."""
    from gadesign.errors import ConfigError
    if callable(getattr(problem, "refine_design", None)):
        return
    if len(problem.objectives) != 1:
        raise ConfigError(f"--refine needs a single-objective problem; this one has {len(problem.objectives)}")
    try:
        _real_parts(problem)
    except ValueError as exc:
        raise ConfigError(f"--refine: {exc}") from None


def refine(problem: Problem, x0: Any, *, max_iter: int = 200, step: float = 1e-7, ftol: float = 1e-10) -> Refined:
    """SLSQP from ``x0`` on the real parts of the genome; returns the better of the start
    and the result (feasible designs first, then lower objective).

    SLSQP works on the genes mapped onto [0, 1] by their bounds, with the objective divided
    by its size at the start: its tolerances and difference steps are absolute, so genes
    of 1e-3 (areas in m²) or objectives of 1e4 would otherwise end it at the start."""
    if len(problem.objectives) != 1:
        raise ValueError("refinement needs a single objective")
    parts = _real_parts(problem)
    sizes = [p.n for _, p in parts]
    lower = np.concatenate([p.lower for _, p in parts])
    upper = np.concatenate([p.upper for _, p in parts])
    sign = problem.objectives[0].sign
    count = 0

    span = np.where(upper > lower, upper - lower, 1.0)

    def build(u: np.ndarray) -> Any:
        z = np.clip(lower + u * span, lower, upper)
        if parts[0][0] is None:
            return z
        x = dict(x0)
        for (name, _), chunk in zip(parts, np.split(z, np.cumsum(sizes)[:-1])):
            x[name] = chunk
        return x

    def values(Z: Sequence[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        nonlocal count
        xs = [build(z) for z in Z]
        count += len(xs)
        evs = evaluate_batch(problem, xs)
        f = np.array([sign * e.objectives[0] for e in evs])
        if hasattr(problem, "constraint_values_many"):
            g = np.asarray(problem.constraint_values_many(xs), dtype=float)
        else:
            g = np.array([e.violations for e in evs], dtype=float)
        return f, g

    cache: dict[bytes, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}

    z0 = np.concatenate([np.asarray(x0 if name is None else x0[name], float) for name, _ in parts])
    u0 = (z0 - lower) / span
    f_scale = max(abs(values([u0])[0][0]), 1e-300) if len(u0) else 1.0
    if not np.isfinite(f_scale):
        f_scale = 1.0

    def with_grad(u: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        key = u.tobytes()
        if key not in cache:
            h = np.full(len(u), step)
            h = np.where(u + h > 1.0, -h, h)  # stay inside the bounds
            U = [u] + [u + np.eye(len(u))[i] * h[i] for i in range(len(u))]
            f, g = values(U)
            f = f / f_scale
            cache.clear()
            cache[key] = (f[0], g[0], np.c_[(f[1:] - f[0]) / h], (g[1:] - g[0]) / h[:, None])
        return cache[key]

    res = minimize(lambda u: with_grad(u)[0], u0, jac=lambda u: with_grad(u)[2].ravel(), method="SLSQP",
                   bounds=[(0.0, 1.0)] * len(u0),
                   constraints=[{"type": "ineq", "fun": lambda z: -with_grad(z)[1],
                                 "jac": lambda z: -with_grad(z)[3].T}],
                   options={"maxiter": max_iter, "ftol": ftol})
    best = build(res.x)
    e_new, e_old = problem.evaluate(best), problem.evaluate(x0)
    count += 2
    if not e_new.feasible and e_old.feasible:
        # SLSQP ends on the active constraints, often outside them by rounding (1e-12);
        # step back towards the feasible start by ever larger fractions until feasible
        for back in (1e-12, 1e-10, 1e-8, 1e-6, 1e-4, 1e-2):
            candidate = build(res.x + back * (u0 - res.x))
            e_candidate = problem.evaluate(candidate)
            count += 1
            if e_candidate.feasible:
                best, e_new = candidate, e_candidate
                break

    def rank(e: Evaluation) -> tuple[float, float]:
        return (e.total_violation, sign * e.objectives[0])

    if rank(e_new) < rank(e_old):
        return Refined(best, e_new, count)
    return Refined(x0, e_old, count, improved=False)


T = TypeVar("T")


def distinct_keys_first(ranked: Sequence[T], key: Callable[[T], Hashable]) -> list[T]:
    """``ranked`` (best first) reordered: the first item of each distinct ``key`` in rank
    order, then the rest in rank order (a stable partition: clearing with capacity 1,
    :func:`gadesign.niching.clear`; used by :func:`refine_front` and the engine's restart
    archive)."""
    from gadesign.niching import clear

    ranked = list(ranked)
    return [ranked[i] for i in clear(range(len(ranked)), [key(item) for item in ranked], 1)]


RefineMany = Callable[[Sequence[tuple[Any, Evaluation]]], list[tuple[Any, Evaluation, int]]]


def refine_front(problem: Problem, front: Sequence[tuple[Any, Evaluation]], k: int = 3,
                 refine_many: RefineMany | None = None, **kw: Any) -> list[Refined]:
    """Refine the best ``k`` designs of an evolved population (least violating first,
    then the first objective). A problem with its own local search, an optional
    ``refine_design(x, evaluation) -> (x, evaluation, evaluations_spent)``, gets it
    (any genome, any number of objectives; it must be deterministic and depend on its
    arguments alone, so that a resumed run refines as an uninterrupted one and the
    designs can be refined side by side: ``refine_many`` maps it over the k designs,
    e.g. on the evaluation workers' ``refine_designs``); otherwise SLSQP (:func:`refine`).

    A problem with an optional ``refine_key(x) -> Hashable`` (e.g. a design's shape) gets
    distinct keys first: the best design of each key in rank order, then the rest in rank
    order, up to ``k`` (a local search cannot leave its start's key, so k near-copies of
    one shape would spend the budget on one basin)."""
    sign = problem.objectives[0].sign
    ranked = sorted(front, key=lambda xe: (xe[1].total_violation, sign * xe[1].objectives[0]))
    key = getattr(problem, "refine_key", None)
    if callable(key) and k > 0:
        ranked = distinct_keys_first(ranked, lambda xe: key(xe[0]))
    own = getattr(problem, "refine_design", None)
    if callable(own):
        from gadesign.evaluation import refine_member

        best = ranked[:k]
        refined = (refine_many(best) if refine_many is not None
                   else [refine_member(problem, m) for m in best])
        failed = [e_new.info["refine_failed"] for _, e_new, _ in refined if "refine_failed" in e_new.info]
        if failed:
            logging.getLogger("gadesign").warning(
                f"refine: the problem's refine_design failed on {len(failed)} of {len(best)} designs "
                f"(first: {failed[0]}); those designs are left as they were")
        out = []
        for (x, e), (y, e_new, spent) in zip(best, refined):
            better = (e_new.total_violation, sign * e_new.objectives[0]) < (e.total_violation, sign * e.objectives[0])
            out.append(Refined(y, e_new, int(spent), improved=better) if better else
                       Refined(x, e, int(spent), improved=False))
        return out
    return [refine(problem, x, **kw) for x, _ in ranked[:k]]
