"""DEAP operators bound to gadesign genomes, drawing from a seeded private ``random.Random``.

DEAP's variation operators (``deap.tools.cxBlend``, ``mutGaussian``, ``cxOrdered``, ...)
change Python lists in place and draw from the ``random`` module. To use one inside a
genome without giving up reproducibility:

- each call to a genome's ``vary``/``mutate``/``crossover`` draws one 63-bit seed from
  the run's ``numpy.random.Generator`` and makes a private ``random.Random`` from it, so
  the draws are a pure function of the run's seed and of the generator state the
  checkpoints carry (same front serially, on workers, on Dask and after resume);
- while the operator runs, the name ``random`` in the operator's own module (DEAP's
  ``deap.tools.crossover``, ``deap.tools.mutation``, or a user's module that does
  ``import random``) is pointed at that private generator, so the global ``random``
  state is neither read nor changed. An operator whose module does not refer to
  ``random`` by that name (``from random import gauss``) is run with the global state
  swapped for the private one and restored afterwards;
- individuals are handed over as plain Python lists (``x.tolist()``) and converted back
  to the genome's numpy dtype, then repaired (clipped to bounds, rounded, ...).

No ``deap.creator`` class is involved: operators only need mutable sequences.
"""

from __future__ import annotations

import functools
import inspect
import random
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator, Mapping

import numpy as np

@dataclass(frozen=True)
class DeapOperator:
    """A DEAP-style operator with its keyword arguments, e.g.
    ``DeapOperator(tools.mutGaussian, {"mu": 0.0, "sigma": 0.1, "indpb": 0.2})``."""

    function: Callable[..., Any]
    args: Mapping[str, Any] = field(default_factory=dict)

    @property
    def name(self) -> str:
        fn = self.function.func if isinstance(self.function, functools.partial) else self.function
        return f"{getattr(fn, '__module__', '?')}.{getattr(fn, '__qualname__', repr(fn))}"

    def describe(self) -> dict[str, Any]:
        return {"function": self.name, "args": {k: _jsonable(v) for k, v in self.args.items()}}

    def __call__(self, rnd: random.Random, *individuals: list[Any]) -> tuple[list[Any], ...]:
        """The operator applied to ``individuals`` (lists, changed in place), drawing
        from ``rnd``; returns what the operator returns (a tuple of individuals)."""
        with drawing_from(self.function, rnd):
            out = self.function(*individuals, **dict(self.args))
        return tuple(out)


def _jsonable(value: Any) -> Any:
    if isinstance(value, (list, tuple, np.ndarray)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (np.integer, np.floating)):
        return value.item()
    return value


#: DEAP operators that need DEAP's evolution-strategy individuals (a ``strategy``
#: attribute) or are deprecated aliases: accepted by name, but not offered in messages.
_NOT_OFFERED = ("cxESBlend", "cxESTwoPoint", "cxESTwoPoints", "mutESLogNormal", "cxTwoPoints")


def deap_operator_names(kind: str) -> list[str]:
    """The ``deap.tools`` operators of ``kind`` ("crossover": ``cx*``, "mutation":
    ``mut*``) that work on plain lists, sorted."""
    from deap import tools

    prefix = "cx" if kind == "crossover" else "mut"
    return sorted(n for n in dir(tools) if n.startswith(prefix) and callable(getattr(tools, n))
                  and n not in _NOT_OFFERED)


def unknown_operator_message(spec: str, kind: str, genome: str = "", own: tuple[str, ...] = (),
                             own_default: str = "") -> str:
    """What to say about an operator name that is neither one of the genome's own
    (``own``; ``own_default`` names its unnamed native operator, e.g. "SBX") nor a DEAP
    operator of ``kind``: every name that is accepted, and the nearest ones."""
    import difflib

    deap_names = deap_operator_names(kind)
    other = "mutation" if kind == "crossover" else "crossover"
    if spec in deap_operator_names(other):
        head = f"{spec!r} is a DEAP {other} operator, not a {kind}"
    else:
        head = f"unknown {kind} operator {spec!r}" + (f" for {genome}" if genome else "")
        near = difflib.get_close_matches(spec, [*own, *deap_names], n=2, cutoff=0.6)
        if near:
            head += f" (did you mean {' or '.join(map(repr, near))}?)"
    if own:
        mine = f"the genome's own: {', '.join(map(repr, own))}"
    elif own_default:
        mine = f"the genome's own ({own_default}) is used when {kind} is not given"
    else:
        mine = ""
    accepted = "; ".join(p for p in (mine, f"DEAP operators: {', '.join(deap_names)}") if p)
    label = "accepted" if not genome or f" for {genome}" in head else f"accepted for {genome}"
    return f"{head}; {label}: {accepted}"


def resolve_operator(spec: Any, args: Mapping[str, Any] | None = None, *, kind: str, genome: str = "",
                     own: tuple[str, ...] = (), own_default: str = "") -> DeapOperator:
    """A :class:`DeapOperator` from a callable or the name of a ``deap.tools`` operator
    (``"cxBlend"``, ``"mutFlipBit"``); ``kind`` ("crossover" or "mutation") is for
    messages, and so are ``genome`` (its class name), ``own`` (the names of its own
    operators of that kind) and ``own_default`` (its unnamed own operator). Raises
    ``ValueError`` for an unknown name (listing what is accepted) or non-dict ``args``."""
    if args is not None and not isinstance(args, Mapping):
        raise ValueError(f"{kind}_args must be a dict of keyword arguments, got {type(args).__name__}")
    if isinstance(spec, str):
        from deap import tools
        fn = getattr(tools, spec, None)
        prefix = "cx" if kind == "crossover" else "mut"
        if fn is None or not spec.startswith(prefix) or not callable(fn):
            raise ValueError(unknown_operator_message(spec, kind, genome, own, own_default))
        spec = fn
    if not callable(spec):
        raise ValueError(f"{kind} must be an operator name or a callable, got {type(spec).__name__}")
    operator = DeapOperator(spec, dict(args or {}))
    _check_arguments(operator, 2 if kind == "crossover" else 1, kind)
    return operator


def _check_arguments(operator: DeapOperator, n_individuals: int, kind: str) -> None:
    """ValueError now, not mid-run, when ``args`` do not fit the operator's signature."""
    try:
        signature = inspect.signature(operator.function)
    except (TypeError, ValueError):  # a builtin without a signature: nothing to check
        return
    try:
        signature.bind(*([None] * n_individuals), **operator.args)
    except TypeError as exc:
        raise ValueError(f"{kind} {operator.name.rsplit('.', 1)[-1]}{signature}: {exc} "
                         f"(given {kind}_args {dict(operator.args)})") from None


def check_on_samples(operator: DeapOperator, individuals: tuple[list[Any], ...],
                     from_list: Callable[[list[Any]], Any], kind: str) -> None:
    """ValueError now, not mid-run, when ``operator`` fails on ``individuals`` (sample
    designs as lists, as many as it takes) or returns something else than as many
    individuals that ``from_list`` turns back into designs: e.g. ``indpb='x'``, which
    the signature accepts. The draws come from a fixed private ``random.Random``; the
    global ``random`` state is neither read nor changed."""
    n = len(individuals)
    try:
        out = operator(random.Random(0), *(list(x) for x in individuals))
        if len(out) != n:
            raise ValueError(f"returned {len(out)} individuals, expected {n}")
        for child in out:
            from_list(child)
    except Exception as exc:  # noqa: BLE001 - whatever the operator raises becomes one clear error
        raise ValueError(f"{kind} {operator.name.rsplit('.', 1)[-1]} with {kind}_args {dict(operator.args)} "
                         f"fails on a sample design: {type(exc).__name__}: {exc}") from None


def private_random(rng: np.random.Generator) -> random.Random:
    """A ``random.Random`` seeded by one draw from ``rng`` (the run's generator)."""
    return random.Random(int(rng.integers(0, 2 ** 63)))


@contextmanager
def drawing_from(function: Callable[..., Any], rnd: random.Random) -> Iterator[None]:
    """Inside the block, ``function``'s ``random`` draws come from ``rnd``; the global
    ``random`` state is left as it was."""
    inner = function
    while isinstance(inner, functools.partial):
        inner = inner.func
    module_globals = getattr(inner, "__globals__", None)
    if module_globals is not None and module_globals.get("random") is random:
        module_globals["random"] = rnd
        try:
            yield
        finally:
            module_globals["random"] = random
        return
    saved = random.getstate()
    random.setstate(rnd.getstate())
    try:
        yield
    finally:
        rnd.setstate(random.getstate())
        random.setstate(saved)


class DeapBinding:
    """The DEAP operators bound to a vector genome (either may be ``None``: native)."""

    def __init__(self, crossover: DeapOperator | None, mutation: DeapOperator | None) -> None:
        self.crossover, self.mutation = crossover, mutation

    def describe(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.crossover is not None:
            out["crossover"] = self.crossover.describe()
        if self.mutation is not None:
            out["mutation"] = self.mutation.describe()
        return out
