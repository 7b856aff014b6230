"""Fixed-length numpy vectors: the per-design operators are the population operators on one row.

Subclasses implement ``_mutate_rows`` and ``_cross_rows`` on whole matrices (one row per
design, pairs matched row by row); :class:`DiscreteVector` adds the gene-exchanging
crossovers (uniform, two-point) shared by integer and bit vectors.

Any of them can carry DEAP operators instead of its native ones
(:meth:`VectorGenome.bind_deap`): the pairing loop is the same (pairs recombined with
probability ``crossover_prob``, then every child mutated), the DEAP operator sees each
individual as a Python list, and children are repaired afterwards (see
:mod:`gadesign.genomes.deapops`).
"""

from __future__ import annotations

from abc import abstractmethod
from typing import Any, Mapping, Sequence

import numpy as np

from gadesign.genomes.base import Genome
from gadesign.genomes.crossover import two_point_masks, uniform_masks, vary_rows
from gadesign.genomes.deapops import DeapBinding, check_on_samples, private_random, resolve_operator


class VectorGenome(Genome[np.ndarray]):
    """A vector of ``n`` genes of one numpy ``dtype``."""

    dtype: type = float
    n: int
    deap: DeapBinding | None = None
    #: names of the genome's own operators by kind ("crossover", "mutation"): listed,
    #: with DEAP's, when an operator name is unknown
    own_operators: dict[str, tuple[str, ...]] = {}
    #: the genome's own operator of a kind that has no name (e.g. "SBX"), for the same messages
    own_defaults: dict[str, str] = {}

    def bind_deap(self, crossover: Any = None, crossover_args: Mapping[str, Any] | None = None,
                  mutation: Any = None, mutation_args: Mapping[str, Any] | None = None) -> None:
        """Use DEAP operators (callables or ``deap.tools`` names) instead of the native
        crossover and/or mutation; ``None`` keeps the native one. Raises ``ValueError``
        for an unknown operator, for ``*_args`` given to a native operator (which takes
        none) and for an operator that fails on sample designs (arguments of the wrong
        type). Call it last in ``__init__``: the check samples designs."""
        for kind, op, args in (("crossover", crossover, crossover_args), ("mutation", mutation, mutation_args)):
            if op is None and args:
                raise ValueError(f"{kind}_args {dict(args) if isinstance(args, Mapping) else args!r} given, but "
                                 f"the {kind} is the genome's own, which takes no arguments (they are for a DEAP "
                                 f"operator: {kind}=NAME)")
        cx = None if crossover is None else self._resolve(crossover, crossover_args, "crossover")
        mut = None if mutation is None else self._resolve(mutation, mutation_args, "mutation")
        self.deap = DeapBinding(cx, mut) if (cx is not None or mut is not None) else None
        if self.deap is not None:
            rng = np.random.default_rng(0)
            a, b = (np.asarray(self.sample(rng), self.dtype).tolist() for _ in range(2))
            if cx is not None:
                check_on_samples(cx, (a, b), self._from_list, "crossover")
            if mut is not None:
                check_on_samples(mut, (a,), self._from_list, "mutation")

    def _resolve(self, spec: Any, args: Mapping[str, Any] | None, kind: str) -> Any:
        return resolve_operator(spec, args, kind=kind, genome=type(self).__name__,
                                own=tuple(self.own_operators.get(kind, ())), own_default=self.own_defaults.get(kind, ""))

    def _from_list(self, values: Sequence[Any]) -> np.ndarray:
        """A DEAP operator's list back as this genome's array (integers rounded)."""
        arr = np.asarray(values, dtype=float)
        if np.issubdtype(np.dtype(self.dtype), np.integer):
            arr = np.rint(arr)
        return self.repair(arr.astype(self.dtype))

    def _describe_operators(self, out: dict[str, Any]) -> dict[str, Any]:
        if self.deap is not None:
            out["deap"] = self.deap.describe()
        return out

    @abstractmethod
    def _mutate_rows(self, X: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """Every row of ``X`` mutated (a new array)."""

    @abstractmethod
    def _cross_rows(self, A: np.ndarray, B: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        """Children of the row pairs (A[i], B[i])."""

    def mutate(self, x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        if self.deap is not None and self.deap.mutation is not None:
            (child,) = self.deap.mutation(private_random(rng), np.asarray(x, self.dtype).tolist())
            return self._from_list(child)
        return self._mutate_rows(np.asarray(x, self.dtype)[None, :], rng)[0]

    def crossover(self, a: np.ndarray, b: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        if self.deap is not None and self.deap.crossover is not None:
            c1, c2 = self.deap.crossover(private_random(rng), np.asarray(a, self.dtype).tolist(),
                                         np.asarray(b, self.dtype).tolist())
            return self._from_list(c1), self._from_list(c2)
        c1, c2 = self._cross_rows(np.asarray(a, self.dtype)[None, :], np.asarray(b, self.dtype)[None, :], rng)
        return c1[0], c2[0]

    #: A subclass that overrides ``mutate``/``crossover`` gets them called one design or
    #: pair at a time by :meth:`vary`; one whose overrides do what its row operators
    #: (``_mutate_rows``, ``_cross_rows``) do for the whole pool sets this True to keep
    #: the batch path (and its random draws).
    vary_by_rows: bool = False

    def vary(self, parents: Sequence[np.ndarray], rng: np.random.Generator) -> list[np.ndarray]:
        if not self.vary_by_rows and (_overrides(self, "mutate") or _overrides(self, "crossover")):
            # a subclass's own mutate/crossover (a plugin's): the pairing loop calls them one
            # design at a time, as for any Genome, instead of the row operators it replaced
            return Genome.vary(self, parents, rng)
        if self.deap is not None:
            return self._vary_deap(np.asarray(parents, self.dtype), rng)
        return list(vary_rows(np.asarray(parents, self.dtype), self.crossover_prob, self._cross_rows,
                              self._mutate_rows, rng))

    def _vary_deap(self, P: np.ndarray, rng: np.random.Generator) -> list[np.ndarray]:
        """:meth:`vary` with DEAP operators: one private ``random.Random`` per call, pairs
        (0,1), (2,3), ... recombined with probability ``crossover_prob``, every child
        mutated, then repaired. Native operators fill in for an unbound one."""
        assert self.deap is not None
        rnd = private_random(rng)
        k = len(P) // 2
        do = rng.random(k) < self.crossover_prob
        children = P.copy()
        cx, mut = self.deap.crossover, self.deap.mutation
        if cx is None:
            c1, c2 = self._cross_rows(P[0:2 * k:2], P[1:2 * k:2], rng)
            children[0:2 * k:2] = np.where(do[:, None], c1, P[0:2 * k:2])
            children[1:2 * k:2] = np.where(do[:, None], c2, P[1:2 * k:2])
        else:
            for i in np.flatnonzero(do):
                a, b = cx(rnd, P[2 * i].tolist(), P[2 * i + 1].tolist())
                children[2 * i], children[2 * i + 1] = self._from_list(a), self._from_list(b)
        if mut is None:
            children = self._mutate_rows(children, rng)
        else:
            for j in range(len(children)):
                (m,) = mut(rnd, children[j].tolist())
                children[j] = self._from_list(m)
        return [self.repair(c) for c in children]

    def key(self, x: np.ndarray) -> bytes:
        return np.asarray(x, self.dtype).tobytes()


def _overrides(genome: VectorGenome, name: str) -> bool:
    """True when ``name`` (``mutate``, ``crossover``) of ``genome``'s class comes from a
    subclass outside gadesign (a plugin's ``Permutation`` with its own mutation), whose
    method the batch operators of :meth:`VectorGenome.vary` would silently skip."""
    for klass in type(genome).__mro__:
        if name in vars(klass):
            return not klass.__module__.startswith("gadesign.")
    return False


class DiscreteVector(VectorGenome):
    """Vectors recombined by exchanging whole genes: ``crossover_kind`` is "uniform" (each
    gene swapped with probability 1/2) or "two_point" (the genes between two cuts)."""

    crossover_kind: str = "uniform"

    def _cross_rows(self, A: np.ndarray, B: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        masks = uniform_masks if self.crossover_kind == "uniform" else two_point_masks
        m = masks(A.shape, rng)
        return np.where(m, B, A), np.where(m, A, B)
