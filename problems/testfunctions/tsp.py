"""The symmetric travelling salesman problem on TSPLIB instances (a permutation genome).

A tour is a :class:`~gadesign.genomes.Permutation` of the cities (0-based); its length
is the sum of TSPLIB's integer distances along the closed tour (Reinelt, "TSPLIB 95",
section 2: ``EUC_2D`` and ``CEIL_2D`` rounded/ceiled Euclidean, ``ATT`` pseudo-Euclidean,
``GEO`` great-circle on the idealised sphere of radius 6378.388 km).

The search is memetic by default (``local_search=True``): every sampled and varied tour
is taken to a local optimum of 2-opt (reverse a segment) and Or-opt (move a segment of
1-3 cities, either way round) by first improvement, then rotated to start at city 0 in
a fixed direction, so equal tours have equal genomes. The local search is a pure
function of the tour (no random draws), so runs stay reproducible on any number of
workers.

Shipped instances (``--set instance=NAME``; coordinates from TSPLIB, proven optima from
its solutions list): eil51 (426), berlin52 (7542), st70 (675), kroA100 (21282). Any
other TSPLIB ``.tsp`` file with node coordinates: ``--set file=PATH``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Mapping, Sequence

import numpy as np
from numba import njit

from gadesign.atomic import atomic_write_text
from gadesign.errors import ConfigError
from gadesign.genomes import Permutation
from gadesign.problem import Evaluation, Objective

#: Proven optimal tour lengths of the shipped instances (TSPLIB solutions list).
OPTIMA = {"eil51": 426, "berlin52": 7542, "st70": 675, "kroA100": 21282}
DISTANCES = ("EUC_2D", "CEIL_2D", "ATT", "GEO")


class TSPLIBError(ConfigError):
    """A TSPLIB file that cannot be read or is not a supported symmetric TSP."""


@dataclass(frozen=True)
class Instance:
    """A TSPLIB instance: name, distance type, coordinates (n x 2) and distance matrix."""

    name: str
    comment: str
    edge_weight_type: str
    coords: np.ndarray
    distances: np.ndarray

    @property
    def n(self) -> int:
        return len(self.coords)


def distance_matrix(coords: np.ndarray, kind: str) -> np.ndarray:
    """TSPLIB integer distances (n x n, int64) between all pairs of nodes."""
    x, y = coords[:, 0], coords[:, 1]
    dx, dy = x[:, None] - x[None, :], y[:, None] - y[None, :]
    if kind == "EUC_2D":
        d = np.floor(np.sqrt(dx ** 2 + dy ** 2) + 0.5)  # nint
    elif kind == "CEIL_2D":
        d = np.ceil(np.sqrt(dx ** 2 + dy ** 2))
    elif kind == "ATT":
        r = np.sqrt((dx ** 2 + dy ** 2) / 10.0)
        t = np.floor(r + 0.5)
        d = np.where(t < r, t + 1.0, t)
    elif kind == "GEO":
        pi, rrr = 3.141592, 6378.388  # TSPLIB's own constants
        deg = np.trunc(coords)
        rad = pi * (deg + 5.0 * (coords - deg) / 3.0) / 180.0
        lat, lon = rad[:, 0], rad[:, 1]
        q1 = np.cos(lon[:, None] - lon[None, :])
        q2 = np.cos(lat[:, None] - lat[None, :])
        q3 = np.cos(lat[:, None] + lat[None, :])
        arg = np.clip(0.5 * ((1.0 + q1) * q2 - (1.0 - q1) * q3), -1.0, 1.0)
        d = np.trunc(rrr * np.arccos(arg) + 1.0)
        np.fill_diagonal(d, 0.0)
    else:
        raise TSPLIBError(f"EDGE_WEIGHT_TYPE {kind!r} is not supported (use one of {', '.join(DISTANCES)})")
    return d.astype(np.int64)


def parse_tsplib(text: str, source: str = "<text>") -> Instance:
    """An :class:`Instance` from the text of a TSPLIB ``.tsp`` file (TYPE TSP with a
    NODE_COORD_SECTION); raises :class:`TSPLIBError` naming what is wrong."""
    header: dict[str, str] = {}
    coords: dict[int, tuple[float, float]] = {}
    in_coords = False
    for lineno, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line:
            continue
        if line == "EOF":
            break
        if in_coords and (line[0].isdigit() or line[0] in "+-."):
            parts = line.split()
            try:
                node, cx, cy = int(parts[0]), float(parts[1]), float(parts[2])
            except (ValueError, IndexError):
                raise TSPLIBError(f"{source}:{lineno}: expected 'node x y', got {line!r}") from None
            if not (math.isfinite(cx) and math.isfinite(cy)):
                raise TSPLIBError(f"{source}:{lineno}: non-finite coordinate")
            if node in coords:
                raise TSPLIBError(f"{source}:{lineno}: node {node} given twice")
            coords[node] = (cx, cy)
            continue
        if line.startswith("NODE_COORD_SECTION"):
            in_coords = True
            continue
        key, sep, value = line.partition(":")
        if not sep:
            if in_coords or key.strip().endswith("_SECTION"):
                kind = header.get("EDGE_WEIGHT_TYPE", "(missing)")
                raise TSPLIBError(f"{source}:{lineno}: unsupported section or line {line!r} with EDGE_WEIGHT_TYPE "
                                  f"{kind} (only instances with a NODE_COORD_SECTION and "
                                  f"{', '.join(DISTANCES)} distances are read)")
            raise TSPLIBError(f"{source}:{lineno}: expected 'KEY : VALUE', got {line!r}")
        in_coords = False
        header[key.strip().upper()] = value.strip()
    kind = header.get("EDGE_WEIGHT_TYPE", "")
    if header.get("TYPE", "TSP").split()[0] != "TSP":
        raise TSPLIBError(f"{source}: TYPE {header.get('TYPE')!r} is not a symmetric TSP")
    if kind not in DISTANCES:
        raise TSPLIBError(f"{source}: EDGE_WEIGHT_TYPE {kind or '(missing)'!r} is not supported "
                          f"(use one of {', '.join(DISTANCES)})")
    try:
        n = int(header["DIMENSION"])
    except (KeyError, ValueError):
        raise TSPLIBError(f"{source}: missing or bad DIMENSION") from None
    if sorted(coords) != list(range(1, n + 1)):
        raise TSPLIBError(f"{source}: NODE_COORD_SECTION must list nodes 1..{n} once each "
                          f"(found {len(coords)} nodes)")
    if n < 4:
        raise TSPLIBError(f"{source}: a tour needs at least 4 cities, got {n}")
    xy = np.array([coords[i] for i in range(1, n + 1)], dtype=float)
    return Instance(header.get("NAME", Path(source).stem), header.get("COMMENT", ""), kind, xy,
                    distance_matrix(xy, kind))


def read_tsplib(path: str | Path) -> Instance:
    """Read a TSPLIB ``.tsp`` file."""
    p = Path(path)
    try:
        text = p.read_text()
    except (OSError, UnicodeDecodeError) as exc:
        raise TSPLIBError(f"cannot read TSPLIB file {p}: {exc}") from None
    return parse_tsplib(text, str(p))


def shipped_instance(name: str) -> Instance:
    """One of the instances shipped with gadesign (see :data:`OPTIMA`)."""
    if name not in OPTIMA:
        raise ConfigError(f"unknown TSP instance {name!r} (shipped: {', '.join(OPTIMA)}; or --set file=PATH.tsp)")
    text = resources.files("gadesign_problems.testfunctions").joinpath("data", f"{name}.tsp").read_text()
    return parse_tsplib(text, f"{name}.tsp")


# -- local search ---------------------------------------------------------------------------------
@njit(cache=True)
def _two_opt_or_opt(tour: np.ndarray, D: np.ndarray) -> np.ndarray:  # pragma: no cover - compiled
    t = tour.copy()
    n = t.shape[0]
    improved = True
    while improved:
        improved = False
        # 2-opt: replace edges (a,b), (c,d) by (a,c), (b,d), reversing b..c
        for i in range(n - 2):
            for j in range(i + 2, n if i > 0 else n - 1):
                a, b, c, d = t[i], t[i + 1], t[j], t[(j + 1) % n]
                if D[a, c] + D[b, d] < D[a, b] + D[c, d]:
                    t[i + 1:j + 1] = t[i + 1:j + 1][::-1].copy()
                    improved = True
        # Or-opt: move the segment t[s:s+L] between two other neighbours, either way round
        for L in range(1, 4):
            s = 1
            while s + L <= n and n - L >= 3:
                p, f, l, q = t[s - 1], t[s], t[s + L - 1], t[(s + L) % n]
                gain = D[p, f] + D[l, q] - D[p, q]
                best, best_k, best_rev = 0, -1, False
                for k in range(n):
                    if s - 1 <= k <= s + L - 1:
                        continue
                    u, v = t[k], t[(k + 1) % n]
                    if (k + 1) % n == s:
                        continue
                    fwd = D[u, f] + D[l, v] - D[u, v] - gain
                    rev = D[u, l] + D[f, v] - D[u, v] - gain
                    if fwd < best:
                        best, best_k, best_rev = fwd, k, False
                    if rev < best:
                        best, best_k, best_rev = rev, k, True
                if best_k >= 0:
                    seg = t[s:s + L].copy()
                    if best_rev:
                        seg = seg[::-1].copy()
                    rest = np.concatenate((t[:s], t[s + L:]))
                    k = best_k if best_k < s else best_k - L
                    t = np.concatenate((rest[:k + 1], seg, rest[k + 1:]))
                    improved = True
                s += 1
    return _canonical(t)


@njit(cache=True)
def _canonical(t: np.ndarray) -> np.ndarray:  # pragma: no cover - compiled
    """Start at city 0, second city smaller than the last."""
    n = t.shape[0]
    z = 0
    for i in range(n):
        if t[i] == 0:
            z = i
    out = np.concatenate((t[z:], t[:z]))
    if out[1] > out[n - 1]:
        out[1:] = out[1:][::-1].copy()
    return out


@njit(cache=True)
def _local_optimum(tour: np.ndarray, D: np.ndarray) -> np.ndarray:  # pragma: no cover - compiled
    """2-opt + Or-opt repeated until the canonical tour is a fixed point (Or-opt never
    moves a segment through position 0, which the canonical rotation changes), so that
    the local search is idempotent, as a repair must be."""
    t = _two_opt_or_opt(tour, D)
    while True:
        u = _two_opt_or_opt(t, D)
        if np.array_equal(u, t):
            return t
        t = u


class LocalSearch:
    """2-opt + Or-opt to a local optimum, then the canonical rotation (a pure function)."""

    __name__ = "two_opt_or_opt"

    def __init__(self, distances: np.ndarray) -> None:
        self.distances = np.ascontiguousarray(distances, dtype=np.int64)

    def __call__(self, tour: np.ndarray) -> np.ndarray:
        return _local_optimum(np.ascontiguousarray(tour, dtype=np.int64), self.distances)


def canonical(tour: np.ndarray) -> np.ndarray:
    """The tour rotated to start at city 0, direction with the smaller neighbour second."""
    t = np.roll(np.asarray(tour, dtype=np.int64), -int(np.flatnonzero(np.asarray(tour) == 0)[0]))
    return t if t[1] < t[-1] else np.concatenate(([t[0]], t[1:][::-1]))


# -- the problem ----------------------------------------------------------------------------------
class TSP:
    """Shortest closed tour through every city of a TSPLIB instance."""

    name = "tsp"
    constraints: tuple[str, ...] = ()
    defaults = {"algorithm": "ga", "pop": 50, "generations": 100, "checkpoint_every": 10}

    def __init__(self, instance: Instance, optimum: float | None = None, *, local_search: bool = True,
                 crossover: Any = "ox", mutation: Any = "inversion", crossover_args: Mapping[str, Any] | None = None,
                 mutation_args: Mapping[str, Any] | None = None) -> None:
        self.instance = instance
        self.optimum = optimum
        self.objectives = (Objective("length", "min", f"TSPLIB {instance.edge_weight_type} distance"),)
        self.description = f"TSP {instance.name} ({instance.n} cities)"
        improve = LocalSearch(instance.distances) if local_search else None
        try:
            self.genome = Permutation(instance.n, crossover=crossover, mutation=mutation, improve=improve,
                                      crossover_args=crossover_args, mutation_args=mutation_args)
        except ValueError as exc:
            raise ConfigError(f"tsp: {exc}") from None

    def lengths(self, tours: Sequence[np.ndarray]) -> np.ndarray:
        """Closed-tour lengths of a batch of tours (TSPLIB distance units)."""
        T = np.asarray(tours, dtype=np.int64).reshape(len(tours), self.instance.n)
        return self.instance.distances[T, np.roll(T, -1, axis=1)].sum(axis=1)

    def evaluate_many(self, xs: Sequence[np.ndarray]) -> list[Evaluation]:
        return [Evaluation((float(v),), ()) for v in self.lengths(xs)]

    def evaluate(self, x: np.ndarray) -> Evaluation:
        return self.evaluate_many([x])[0]

    def decode(self, x: np.ndarray) -> list[int]:
        """The tour as TSPLIB's 1-based node numbers."""
        return [int(v) + 1 for v in x]

    def summary(self, x: np.ndarray, evaluation: Evaluation) -> dict[str, Any]:
        out: dict[str, Any] = {"cities": self.instance.n}
        if self.optimum:
            out["gap_%"] = round(100.0 * (evaluation.objectives[0] / self.optimum - 1.0), 3)
        return out

    def export(self, x: np.ndarray, evaluation: Evaluation, directory: Path, stem: str) -> list[Path]:
        """The tour as a TSPLIB ``.tour`` file."""
        path = Path(directory) / f"{stem}.tour"
        lines = [f"NAME : {self.instance.name}.{stem}.tour", "TYPE : TOUR",
                 f"COMMENT : length {evaluation.objectives[0]:.0f} (gadesign)", f"DIMENSION : {self.instance.n}",
                 "TOUR_SECTION", *(str(v) for v in self.decode(x)), "-1", "EOF"]
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_text(path, "\n".join(lines) + "\n")
        return [path]


def tsp(instance: str = "eil51", file: str | None = None, local_search: bool = True, crossover: str = "ox",
        mutation: str = "inversion", crossover_args: dict[str, Any] | None = None,
        mutation_args: dict[str, Any] | None = None) -> TSP:
    """Travelling salesman on a TSPLIB instance (shipped: eil51, berlin52, st70, kroA100).

    ``instance``: a shipped TSPLIB instance (eil51, berlin52, st70, kroA100).
    ``file``: path of another TSPLIB .tsp file (EUC_2D, CEIL_2D, ATT or GEO coordinates); replaces instance.
    ``local_search``: take every tour to a 2-opt + Or-opt local optimum (memetic search).
    ``crossover``: "ox", "pmx", "cx" or a DEAP operator name such as "cxOrdered" or "cxPartialyMatched".
    ``mutation``: "swap", "inversion", "insertion" or a DEAP name such as "mutShuffleIndexes", "mutInversion".
    ``crossover_args``: keyword arguments of a DEAP crossover, e.g. {'indpb': 0.5}.
    ``mutation_args``: keyword arguments of a DEAP mutation, e.g. {'indpb': 0.05}.
    """
    if file is not None:
        inst, optimum = read_tsplib(file), None
    else:
        inst, optimum = shipped_instance(str(instance)), OPTIMA.get(str(instance))
    return TSP(inst, optimum, local_search=bool(local_search), crossover=crossover, mutation=mutation,
               crossover_args=crossover_args, mutation_args=mutation_args)


tsp.input_files = ("file",)  # type: ignore[attr-defined]  # checked, and copied into the run directory
