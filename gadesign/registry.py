"""Entry-point discovery of problems and of plugin CLI commands.

Two entry-point groups, used by built-in and third-party plugins alike:

``gadesign.problems``
    name = problem name (``zdt1``), object = a factory ``f(**params) -> Problem``. The
    ``--set key=value`` options of ``gadesign evolve`` become keyword arguments; the
    factory's signature says which keys exist. The first docstring line (or the
    problem's ``description``) is its one-line description.

``gadesign.commands``
    name = sub-command group (``antenna``), object = a ``typer.Typer`` app that the
    CLI mounts as ``gadesign <name> ...``. Keep heavy imports inside the commands.

Nothing here names a built-in problem.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from functools import lru_cache
from importlib.metadata import EntryPoint, entry_points
from typing import Any, Callable

from gadesign.errors import ConfigError, GadesignError, ProblemNotFoundError
from gadesign.problem import Problem

PROBLEM_GROUP = "gadesign.problems"
COMMAND_GROUP = "gadesign.commands"


@dataclass(frozen=True)
class ProblemEntry:
    """A registered problem: its name, where it comes from and its factory."""

    name: str
    target: str
    entry_point: EntryPoint

    def factory(self) -> Callable[..., Problem]:
        try:
            return self.entry_point.load()
        except Exception as exc:  # a broken plugin must not take the CLI down
            raise GadesignError(f"problem {self.name!r}: its plugin {self.target} failed to load: {exc}") from exc

    def description(self) -> str:
        doc = inspect.getdoc(self.factory()) or ""
        return doc.splitlines()[0] if doc else ""

    def input_files(self) -> tuple[str, ...]:
        """Names of the factory's parameters that are input file paths (the factory's
        ``input_files`` attribute): a run keeps a copy of each in its directory."""
        return tuple(getattr(self.factory(), "input_files", ()))

    def parameters(self) -> dict[str, Any]:
        """The factory's keyword parameters and their defaults."""
        sig = inspect.signature(self.factory())
        return {p.name: (None if p.default is inspect.Parameter.empty else p.default)
                for p in sig.parameters.values()
                if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)}


@lru_cache(maxsize=1)
def problem_entries() -> dict[str, ProblemEntry]:
    """All registered problems by name, sorted by name."""
    eps = sorted(entry_points(group=PROBLEM_GROUP), key=lambda e: e.name)
    return {e.name: ProblemEntry(e.name, e.value, e) for e in eps}


def command_entry_points() -> list[EntryPoint]:
    """Plugin CLI apps, sorted by name."""
    return sorted(entry_points(group=COMMAND_GROUP), key=lambda e: e.name)


def make_problem(name: str, params: dict[str, Any] | None = None) -> Problem:
    """Build the problem ``name`` with ``params`` (from ``--set``).

    Raises :class:`ProblemNotFoundError` for an unknown name and :class:`ConfigError`
    for a parameter the factory does not take or a value it rejects.
    """
    entries = problem_entries()
    if name not in entries:
        known = ", ".join(entries) or "none installed"
        raise ProblemNotFoundError(f"unknown problem {name!r} (known: {known})")
    factory = entries[name].factory()
    params = dict(params or {})
    try:
        inspect.signature(factory).bind(**params)
    except TypeError:
        allowed = entries[name].parameters()
        bad = sorted(set(params) - set(allowed))
        raise ConfigError(f"problem {name!r} has no parameter {', '.join(map(repr, bad))} "
                          f"(parameters: {', '.join(allowed) or 'none'})") from None
    _check_types(name, entries[name].parameters(), params)
    try:
        return factory(**params)
    except GadesignError:
        raise
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"problem {name!r}: bad parameter value: {exc}") from exc


def _check_types(problem: str, defaults: dict[str, Any], params: dict[str, Any]) -> None:
    """A value whose type cannot stand for the parameter's default (a word where a number
    is expected, say) is refused with a message naming the parameter."""
    for key, value in params.items():
        default = defaults.get(key)
        if default is None or value is None:
            continue
        if isinstance(default, bool):
            ok = isinstance(value, bool)
        elif isinstance(default, int):
            ok = isinstance(value, int) and not isinstance(value, bool)
        elif isinstance(default, float):
            ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        elif isinstance(default, str):
            ok = isinstance(value, str)
        else:
            continue
        if not ok:
            raise ConfigError(f"problem {problem!r}: parameter {key!r} expects {type(default).__name__} "
                              f"(default {default!r}), got {value!r}")
        if isinstance(value, int) and not isinstance(value, bool):
            from gadesign.limits import check_limit  # sizes are checked before the factory allocates
            check_limit("PARAM", abs(value), f"--set {key}")
