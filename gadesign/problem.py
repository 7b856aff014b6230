"""The plugin boundary: what a design problem tells the engine.

A problem is a small object the engine can call without knowing its field::

    class Problem(Protocol):
        name: str                             # registry key, e.g. "zdt1"
        genome: Genome                        # representation with its own operators
        objectives: tuple[Objective, ...]     # names, min/max, units
        constraints: tuple[str, ...]          # names; violation >= 0, 0 = satisfied
        def evaluate(self, x) -> Evaluation   # one design -> objectives, violations, info
        def decode(self, x) -> object         # the domain object (Antenna, Truss, Formula)

Optional members the engine uses when present:

- ``description`` (str): free text for the plugin's own use (``gadesign problems`` reads the
  factory's docstring instead).
- ``evaluate_many(xs) -> list[Evaluation]``: a vectorised batch (pymoo's ``_evaluate``).
- ``reference_point`` (sequence of float, in the objectives' own directions): for
  hypervolume; otherwise the engine fixes one from the first generation.
- ``defaults`` (dict): default budget, keys among ``algorithm``, ``pop``,
  ``generations``, ``checkpoint_every``.
- ``export(x, evaluation, directory: Path, stem: str) -> list[Path]``: field formats
  for one front member (a ``.nec`` deck, a truss drawing, ...). Write atomically with
  :func:`gadesign.atomic.atomic_write_text` or ``atomic_path``.
- ``summary(x, evaluation) -> dict[str, object]``: extra columns for ``gadesign show``.
- ``refine_design(x, evaluation) -> (x, evaluation, evaluations_spent)``: the problem's
  own local search, run by ``--refine K`` (or ``defaults["refine"]``) on the K least
  violating designs after the last generation instead of the engine's SLSQP (any genome,
  any number of objectives); deterministic and a function of its arguments alone (the K
  designs are refined side by side on the evaluation workers when there are any); its
  evaluations count in the logbook.
- ``restart_after`` (int, generations; 0 = never) and ``restart_tolerance`` (float):
  while no design is feasible and the least total violation has not dropped by more
  than the tolerance for that many generations, the engine archives the least violating
  designs and draws the population afresh (see :mod:`gadesign.engine`).
- ``true_front(n) -> ndarray``: points of the known Pareto front (tests, IGD).
- ``report_figures(x, evaluation) -> list[tuple[str, Figure]]``: pictures of one design
  for ``gadesign report`` (title, matplotlib Figure; the report embeds and closes them).
  Without it the report shows the PNGs ``export`` wrote for the member, if any.

Evaluation must be a pure function of the genome: no hidden state, picklable, cheap
to send to another process. The engine never imports a problem by name: problems come
from the ``gadesign.problems`` entry-point group (see :mod:`gadesign.registry`).
"""

from __future__ import annotations

import difflib
import math
import numbers
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, Sequence, runtime_checkable

from gadesign.errors import ConfigError
from gadesign.genomes.base import Genome

Direction = Literal["min", "max"]


@dataclass(frozen=True)
class Objective:
    """One objective: its name, whether smaller or larger is better, and its unit."""

    name: str
    direction: Direction = "min"
    unit: str = ""

    def __post_init__(self) -> None:
        if self.direction not in ("min", "max"):
            raise ValueError(f"objective {self.name!r}: direction must be 'min' or 'max'")

    @property
    def sign(self) -> float:
        """+1 for minimised objectives, -1 for maximised (the engine minimises sign*f)."""
        return 1.0 if self.direction == "min" else -1.0

    def to_json(self) -> dict[str, str]:
        return {"name": self.name, "direction": self.direction, "unit": self.unit}


@dataclass
class Evaluation:
    """What one evaluation of one design returns.

    ``objectives`` are in the problem's own directions and units. ``violations`` has one
    entry per constraint, each >= 0 with 0 meaning satisfied. ``info`` is a JSON-able
    dict of anything worth keeping (derived quantities, a failure ``reason``).
    """

    objectives: tuple[float, ...]
    violations: tuple[float, ...] = ()
    info: dict[str, Any] = field(default_factory=dict)

    @property
    def total_violation(self) -> float:
        """Sum of the constraint violations (0 for a feasible design)."""
        return float(sum(self.violations))

    @property
    def feasible(self) -> bool:
        return self.total_violation <= 0.0

    @classmethod
    def failed(cls, n_objectives: int, n_constraints: int, reason: str) -> "Evaluation":
        """An evaluation that could not be made: infeasible, with its reason in info.

        Objectives are +inf-free large numbers so that sorting and JSON stay finite; the
        violation is 1e30 on every constraint (or one extra if there are none) so that
        any real design beats it under constraint-domination.
        """
        violations = (1e30,) * max(n_constraints, 1)
        return cls(objectives=(1e30,) * n_objectives, violations=violations,
                   info={"failed": True, "reason": reason})

    def checked(self, n_objectives: int, n_constraints: int) -> "Evaluation":
        """This evaluation if well-formed and finite, else a failed one with a reason. Values
        a plugin gave as numpy scalars or arrays, lists or ints come back as tuples of Python
        floats, and ``info=None`` as ``{}`` (what front.json and checkpoints can hold)."""
        parts = []
        for what, values in (("objectives", self.objectives), ("violations", self.violations)):
            if isinstance(values, (str, bytes)) or not hasattr(values, "__len__"):
                return Evaluation.failed(n_objectives, n_constraints,
                                         f"{what} must be a sequence of floats (e.g. Evaluation((f,), (g,))), "
                                         f"got {type(values).__name__}")
            try:
                parts.append(tuple(float(v) for v in values))
            except (TypeError, ValueError) as exc:
                return Evaluation.failed(n_objectives, n_constraints, f"{what} must be floats: {exc}")
        if self.info is not None and not isinstance(self.info, dict):
            return Evaluation.failed(n_objectives, n_constraints,
                                     f"info must be a dict, got {type(self.info).__name__}")
        objectives, violations = parts
        tidy = isinstance(self.objectives, tuple) and isinstance(self.violations, tuple) and \
            isinstance(self.info, dict) and all(type(v) is float for v in (*self.objectives, *self.violations))
        if not tidy:
            return Evaluation(objectives, violations, dict(self.info or {})).checked(n_objectives, n_constraints)
        if len(self.objectives) != n_objectives:
            return Evaluation.failed(n_objectives, n_constraints,
                                     f"returned {len(self.objectives)} objectives, expected {n_objectives}")
        if len(self.violations) != n_constraints:
            return Evaluation.failed(n_objectives, n_constraints,
                                     f"returned {len(self.violations)} violations, expected {n_constraints}")
        values = [*self.objectives, *self.violations]
        if not all(math.isfinite(v) for v in values):
            return Evaluation.failed(n_objectives, n_constraints, "non-finite objective or violation")
        if any(v < 0 for v in self.violations):
            return Evaluation.failed(n_objectives, n_constraints, "negative constraint violation")
        return self


@runtime_checkable
class Problem(Protocol):
    """What a plugin provides; see the module docstring for the optional members."""

    name: str
    genome: Genome
    objectives: tuple[Objective, ...]
    constraints: tuple[str, ...]

    def evaluate(self, x: Any) -> Evaluation: ...

    def decode(self, x: Any) -> object: ...


DEFAULT_KEYS = ("algorithm", "pop", "generations", "checkpoint_every", "refine")
OPTIONAL_METHODS = ("evaluate_many", "summary", "export", "report_figures", "refine_design", "refine_key",
                    "constraint_values_many", "true_front")


def check_members(problem: Any, label: str | None = None) -> None:
    """Raise :class:`ConfigError` naming the first member of ``problem`` that breaks the
    plugin boundary (docs/plugins.md): the required ``name``, ``genome``, ``objectives``,
    ``constraints``, ``evaluate`` and ``decode`` with their types; objective and
    constraint names that are unique (one name for two columns of the logbook or front
    would be ambiguous); and the optional ``description``, ``defaults``,
    ``reference_point`` and methods where present. ``label`` names the problem in the
    message (e.g. ``"problem 'knapsack' (my_pkg.knapsack:knapsack)"``); by default the
    problem's name (or what was passed, e.g. a registered name given as a str)."""
    if label is None:
        label = f"problem {problem!r}" if isinstance(problem, str) else \
            f"problem {getattr(problem, 'name', type(problem).__name__)!r}"
    from gadesign.algorithms import ALGORITHMS

    def bad(text: str) -> ConfigError:
        return ConfigError(f"{label}: {text} (see docs/plugins.md)")

    if problem is None:
        raise bad("the factory returned None, not a problem object")
    if isinstance(problem, str):  # toolbox("zdt1"), evolve("zdt1"): a registered name, not the problem
        raise bad(f"got the name {problem!r}, not a problem object: build a registered problem with "
                  f"gadesign.registry.make_problem({problem!r}, {{...parameters...}})")
    kind = type(problem).__name__
    missing = [m for m in ("name", "genome", "objectives", "constraints", "evaluate", "decode")
               if getattr(problem, m, None) is None]
    if missing:
        raise bad(f"{kind} has no {', '.join(map(repr, missing))} (required members: name, genome, "
                  "objectives, constraints, evaluate, decode)")
    if not isinstance(problem.name, str) or not problem.name.strip():
        raise bad(f"name must be a non-empty str, got {problem.name!r}")
    if not isinstance(problem.genome, Genome):
        raise bad(f"genome must be a gadesign.genomes.Genome (e.g. RealVector(lower, upper, n)), "
                  f"got {type(problem.genome).__name__}")
    objectives, constraints = problem.objectives, problem.constraints
    if not isinstance(objectives, (tuple, list)) or not objectives:
        raise bad(f"objectives must be a non-empty tuple of Objective, got {objectives!r}")
    for o in objectives:
        if not isinstance(o, Objective):
            raise bad(f"objectives must be Objective(name, direction, unit) values, got {o!r}")
        if not isinstance(o.name, str) or not o.name.strip() or not isinstance(o.unit, str):
            raise bad(f"objective {o!r}: name must be a non-empty str and unit a str")
    if isinstance(constraints, str) or not isinstance(constraints, (tuple, list)):
        hint = f" (one constraint is ({constraints!r},))" if isinstance(constraints, str) else ""
        raise bad(f"constraints must be a tuple of str, got {constraints!r}{hint}")
    for c in constraints:
        if not isinstance(c, str) or not c.strip():
            raise bad(f"constraint names must be non-empty str, got {c!r}")
    names = [o.name for o in objectives]
    for what, group in (("objective", names), ("constraint", list(constraints))):
        twice = sorted(n for n, count in Counter(group).items() if count > 1)  # linear: a problem may have many
        if twice:
            raise bad(f"{what} name {twice[0]!r} is used twice; each {what} needs its own name")
    both = sorted(set(names) & set(constraints))
    if both:
        raise bad(f"{both[0]!r} names both an objective and a constraint; give them different names")
    for method in ("evaluate", "decode", *OPTIONAL_METHODS):
        member = getattr(problem, method, None)
        if member is not None and not callable(member):
            raise bad(f"{method} must be a method, got {type(member).__name__}")
    description = getattr(problem, "description", None)
    if description is not None and not isinstance(description, str):
        raise bad(f"description must be a str, got {type(description).__name__}")
    defaults = getattr(problem, "defaults", None)
    if defaults is not None:
        if not isinstance(defaults, dict):
            raise bad(f"defaults must be a dict, got {type(defaults).__name__}")
        for key, value in defaults.items():
            if key not in DEFAULT_KEYS:
                close = difflib.get_close_matches(str(key), DEFAULT_KEYS, 1)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                raise bad(f"defaults has an unknown key {key!r}{hint}; keys: {', '.join(DEFAULT_KEYS)}")
            if key == "algorithm":
                if value not in ALGORITHMS:
                    raise bad(f"defaults['algorithm'] {value!r} is not an algorithm "
                              f"(choose from {', '.join(ALGORITHMS)})")
            elif not isinstance(value, numbers.Integral) or isinstance(value, bool) or \
                    value < (0 if key == "refine" else 1):
                raise bad(f"defaults[{key!r}] must be an int >= {0 if key == 'refine' else 1}, got {value!r}")
    ref = getattr(problem, "reference_point", None)
    if ref is not None:
        try:
            point = [float(v) for v in ref]
        except (TypeError, ValueError):
            raise bad(f"reference_point must be numbers, one per objective, got {ref!r}") from None
        if len(point) != len(objectives) or not all(math.isfinite(v) for v in point):
            raise bad(f"reference_point {tuple(ref)!r} needs one finite value per objective "
                      f"({len(objectives)}: {', '.join(names)})")


def describe(problem: Problem) -> str:
    """The one-line description of a problem (its ``description`` or docstring)."""
    text = getattr(problem, "description", None) or (type(problem).__doc__ or "")
    return text.strip().splitlines()[0] if text.strip() else ""


def evaluate_batch(problem: Problem, xs: Sequence[Any]) -> list[Evaluation]:
    """Evaluate a batch, using the problem's vectorised ``evaluate_many`` when it has one."""
    many = getattr(problem, "evaluate_many", None)
    if many is not None:
        return list(many(list(xs)))
    return [problem.evaluate(x) for x in xs]
