"""Bounded real vectors with simulated binary crossover and polynomial mutation.

SBX (Deb & Agrawal 1995, bounded form of Deb & Goyal 1996): for each variable, with
probability ``var_crossover_prob``, two parent values y1 < y2 give children
``0.5*((y1+y2) -/+ beta_q*(y2-y1))`` where ``beta_q`` is drawn from the polynomial
distribution with index ``eta_c`` truncated so that both children stay in bounds.

Polynomial mutation (Deb & Goyal 1996, bounded): each variable mutates with probability
``mutation_prob`` (default 1/n) by ``delta_q*(upper-lower)`` with ``delta_q`` drawn from a
polynomial distribution of index ``eta_m`` that never leaves the bounds.

Both operators act on a whole mating pool at once (rows of a matrix). Any DEAP operator
can replace either: ``RealVector(lo, hi, crossover=tools.cxBlend, crossover_args={"alpha":
0.3}, mutation=tools.mutGaussian, mutation_args={"mu": 0, "sigma": 0.1, "indpb": 0.2})``
(children are clipped back into the bounds; see :mod:`gadesign.genomes.deapops`).
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

import numpy as np

from gadesign.genomes.vector import VectorGenome


def sbx_pairs(a: np.ndarray, b: np.ndarray, lower: np.ndarray, upper: np.ndarray, eta: float,
              var_prob: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Bounded SBX on matching rows of ``a`` and ``b`` (shape (k, n)); returns children."""
    c1, c2 = a.copy(), b.copy()
    y1, y2 = np.minimum(a, b), np.maximum(a, b)
    span = y2 - y1
    active = (rng.random(a.shape) < var_prob) & (span > 1e-14)
    u = rng.random(a.shape)
    swap = rng.random(a.shape) < 0.5
    if not active.any():
        return c1, c2
    with np.errstate(divide="ignore", invalid="ignore"):
        safe_span = np.where(active, span, 1.0)
        expo = 1.0 / (eta + 1.0)

        def beta_q(beta: np.ndarray) -> np.ndarray:
            alpha = 2.0 - beta ** (-(eta + 1.0))
            ua = u * alpha
            return np.where(u <= 1.0 / alpha, ua ** expo, (1.0 / (2.0 - ua)) ** expo)

        bq_low = beta_q(1.0 + 2.0 * (y1 - lower) / safe_span)
        bq_high = beta_q(1.0 + 2.0 * (upper - y2) / safe_span)
    child_low = np.clip(0.5 * ((y1 + y2) - bq_low * span), lower, upper)
    child_high = np.clip(0.5 * ((y1 + y2) + bq_high * span), lower, upper)
    first = np.where(swap, child_high, child_low)
    second = np.where(swap, child_low, child_high)
    c1[active], c2[active] = first[active], second[active]
    return c1, c2


def polynomial_mutation(x: np.ndarray, lower: np.ndarray, upper: np.ndarray, eta: float,
                        prob: float, rng: np.random.Generator) -> np.ndarray:
    """Bounded polynomial mutation of every row of ``x`` (shape (k, n)); returns a copy."""
    y = x.copy()
    mask = rng.random(x.shape) < prob
    u = rng.random(x.shape)
    if not mask.any():
        return y
    rows, cols = np.nonzero(mask)
    xs, lo, hi, r = x[rows, cols], lower[cols], upper[cols], u[rows, cols]
    width = hi - lo
    with np.errstate(divide="ignore", invalid="ignore"):
        d1 = np.clip(np.where(width > 0, (xs - lo) / width, 0.0), 0.0, 1.0)
        d2 = np.clip(np.where(width > 0, (hi - xs) / width, 0.0), 0.0, 1.0)
    expo = 1.0 / (eta + 1.0)
    low = r < 0.5
    val_low = 2.0 * r + (1.0 - 2.0 * r) * (1.0 - d1) ** (eta + 1.0)
    val_high = 2.0 * (1.0 - r) + 2.0 * (r - 0.5) * (1.0 - d2) ** (eta + 1.0)
    delta = np.where(low, val_low ** expo - 1.0, 1.0 - val_high ** expo)
    y[rows, cols] = np.clip(xs + delta * width, lo, hi)
    return y


class RealVector(VectorGenome):
    """A vector of ``n`` reals in ``[lower, upper]`` (arrays or scalars broadcast to ``n``)."""

    own_defaults = {"crossover": "SBX", "mutation": "polynomial mutation"}

    def __init__(self, lower: Sequence[float] | float, upper: Sequence[float] | float, n: int | None = None,
                 *, eta_c: float = 15.0, eta_m: float = 20.0, crossover_prob: float = 0.9,
                 var_crossover_prob: float = 0.5, mutation_prob: float | None = None,
                 crossover: Any = None, crossover_args: Mapping[str, Any] | None = None,
                 mutation: Any = None, mutation_args: Mapping[str, Any] | None = None) -> None:
        lo = np.atleast_1d(np.asarray(lower, dtype=float))
        hi = np.atleast_1d(np.asarray(upper, dtype=float))
        size = n if n is not None else max(lo.size, hi.size)
        self.lower = np.broadcast_to(lo, (size,)).copy()
        self.upper = np.broadcast_to(hi, (size,)).copy()
        if np.any(~np.isfinite(self.lower)) or np.any(~np.isfinite(self.upper)) or np.any(self.upper < self.lower):
            raise ValueError("RealVector bounds must be finite with lower <= upper")
        self.n = size
        self.eta_c, self.eta_m = float(eta_c), float(eta_m)
        self.crossover_prob = float(crossover_prob)
        self.var_crossover_prob = float(var_crossover_prob)
        self.mutation_prob = 1.0 / size if mutation_prob is None else float(mutation_prob)
        self.bind_deap(crossover, crossover_args, mutation, mutation_args)

    def sample(self, rng: np.random.Generator) -> np.ndarray:
        return self.lower + rng.random(self.n) * (self.upper - self.lower)

    def sample_many(self, n: int, rng: np.random.Generator) -> list[np.ndarray]:
        return list(self.lower + rng.random((n, self.n)) * (self.upper - self.lower))

    def repair(self, x: np.ndarray) -> np.ndarray:
        return np.clip(np.asarray(x, float), self.lower, self.upper)

    def _cross_rows(self, A: np.ndarray, B: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        return sbx_pairs(A, B, self.lower, self.upper, self.eta_c, self.var_crossover_prob, rng)

    def _mutate_rows(self, X: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        return polynomial_mutation(X, self.lower, self.upper, self.eta_m, self.mutation_prob, rng)

    def to_json(self, x: np.ndarray) -> list[float]:
        return [float(v) for v in x]

    def from_json(self, data: Any) -> np.ndarray:
        x = np.asarray(data, dtype=float)
        if x.shape != (self.n,):
            raise ValueError(f"expected a list of {self.n} reals, got shape {x.shape}")
        return x

    def describe(self) -> dict[str, Any]:
        return self._describe_operators(
            {"type": "RealVector", "n": self.n, "lower": self.lower.tolist(), "upper": self.upper.tolist(),
             "eta_c": self.eta_c, "eta_m": self.eta_m, "crossover_prob": self.crossover_prob,
             "mutation_prob": self.mutation_prob})
