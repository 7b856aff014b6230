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
from typing import Any, Callable, Collection

from gadesign.errors import ConfigError, GadesignError, ProblemNotFoundError, accidental_plugin_error
from gadesign.problem import Problem, check_members

PROBLEM_GROUP = "gadesign.problems"
COMMAND_GROUP = "gadesign.commands"


@dataclass(frozen=True)
class ProblemEntry:
    """A registered problem: its name, where it comes from and its factory."""

    name: str
    target: str
    entry_point: EntryPoint
    conflict: str = ""  # set when two installed plugins register this name: neither is used

    def factory(self) -> Callable[..., Problem]:
        if self.conflict:
            raise GadesignError(self.conflict)
        try:
            factory = self.entry_point.load()
        except Exception as exc:  # a broken plugin must not take the CLI down
            raise GadesignError(f"problem {self.name!r}: its plugin {self.target} failed to load: {exc}") from exc
        try:
            inspect.signature(factory)
        except (TypeError, ValueError):
            raise GadesignError(f"problem {self.name!r}: its entry point {self.target} names a "
                                f"{type(factory).__name__} object, not a factory function (register the "
                                "function that builds the problem)") from None
        return factory

    def description(self) -> str:
        """The docstring's first paragraph, whole (never cut mid-sentence)."""
        doc = inspect.getdoc(self.factory()) or ""
        return " ".join(doc.split("\n\n", 1)[0].split())

    def documentation(self) -> str:
        """The factory's whole docstring."""
        return inspect.getdoc(self.factory()) or ""

    def test_only(self) -> bool:
        """A problem for testing the engine (the factory's ``test_only`` attribute): not
        listed by ``gadesign problems`` unless asked with ``--all``."""
        return bool(getattr(self.factory(), "test_only", False))

    def parameter_table(self) -> list[tuple[str, str, Any, str]]:
        """(name, type, default, meaning) of every ``--set`` parameter; the meaning comes
        from the factory's docstring (``name: ...``, ````name````: ..., ``:param name:``)."""
        sig = inspect.signature(self.factory())
        params = [p for p in sig.parameters.values() if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]
        meanings = parameter_docs(self.documentation(), [p.name for p in params])
        rows = []
        for p in params:
            default = None if p.default is inspect.Parameter.empty else p.default
            if p.annotation is not inspect.Parameter.empty:
                kind = p.annotation if isinstance(p.annotation, str) else getattr(p.annotation, "__name__", str(p.annotation))
            else:
                kind = type(default).__name__ if default is not None else "any"
            rows.append((p.name, kind, default, meanings.get(p.name, "")))
        return rows

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

    def accepts_none(self) -> set[str]:
        """Keyword parameters whose annotation admits None (``float | None``, ``Optional[int]``)."""
        sig = inspect.signature(self.factory())
        out = set()
        for p in sig.parameters.values():
            text = p.annotation if isinstance(p.annotation, str) else repr(p.annotation)
            if p.annotation is inspect.Parameter.empty or "None" in text or "Optional" in text or "Any" in text:
                out.add(p.name)
        return out


def parameter_docs(doc: str, names: list[str]) -> dict[str, str]:
    """What a docstring says about each of ``names``: the text after ````name````:,
    ````a````, ````b````: (shared), ``:param name:`` or a ``name:`` line, up to the next
    documented name or a blank line. A name only mentioned in another's text gets
    "see OTHER"."""
    import re

    wanted = set(names)
    starts: list[tuple[int, int, list[str]]] = []
    patterns = (r"((?:``\w+``\s*,\s*)*``\w+``)\s*(?:\([^)]*\))?\s*:\s+", r":param\s+(\w+)\s*:\s*",
                r"(?m)^\s*[-*]?\s*(\w+)\s*(?:\([^)]*\))?\s*:\s+")
    for pat in patterns:
        for m in re.finditer(pat, doc):
            group = [n for n in re.findall(r"\w+", m.group(1)) if n in wanted]
            if group and not any(m.start() < e and m.end() > b for b, e, _ in starts):
                starts.append((m.start(), m.end(), group))
    starts.sort()
    out: dict[str, str] = {}
    for k, (_, end, group) in enumerate(starts):
        stop = starts[k + 1][0] if k + 1 < len(starts) else len(doc)
        text = " ".join(doc[end:stop].split("\n\n", 1)[0].replace("``", "").split()).rstrip(" ;,")
        for name in group:
            out.setdefault(name, text)
    for name in names:
        if name not in out:
            for other, text in list(out.items()):
                if re.search(rf"\b{re.escape(name)}\b", text):
                    out[name] = f"see {other}"
                    break
    return out


@lru_cache(maxsize=1)
def problem_entries() -> dict[str, ProblemEntry]:
    """All registered problems by name, sorted by name. A name that two installed plugins
    register for different factories is an entry whose use is an error naming both (which
    one won would depend on the order of ``sys.path``)."""
    eps = sorted(entry_points(group=PROBLEM_GROUP), key=lambda e: e.name)
    targets: dict[str, list[EntryPoint]] = {}
    for e in eps:
        if all(other.value != e.value for other in targets.get(e.name, [])):
            targets.setdefault(e.name, []).append(e)
    entries = {}
    for name, found in targets.items():
        conflict = ""
        if len(found) > 1:
            where = " and ".join(f"{e.value} ({_distribution(e)})" for e in found)
            conflict = (f"problem {name!r} is registered by {len(found)} installed plugins: {where}; "
                        "uninstall one of them or rename its entry point")
        entries[name] = ProblemEntry(name, found[0].value, found[0], conflict)
    return entries


def _distribution(ep: EntryPoint) -> str:
    """The name of the installed distribution an entry point comes from, if known."""
    dist = getattr(ep, "dist", None)
    return str(dist.metadata["Name"]) if dist is not None else "unknown distribution"


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
    signature = inspect.signature(factory)
    try:
        signature.bind(**params)
    except TypeError:
        allowed = entries[name].parameters()
        bad = sorted(set(params) - set(allowed))
        if bad:
            raise ConfigError(f"problem {name!r} has no parameter {', '.join(map(repr, bad))} "
                              f"(parameters: {', '.join(allowed) or 'none'})") from None
        required = [p.name for p in signature.parameters.values()
                    if p.default is inspect.Parameter.empty and p.name not in params
                    and p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]
        raise ConfigError(f"problem {name!r} needs " + ", ".join(f"--set {r}=VALUE" for r in required)
                          + f" (parameters: {', '.join(allowed) or 'none'})") from None
    _check_types(name, entries[name].parameters(), params, entries[name].accepts_none())
    _check_input_files(entries[name], params)
    import reprlib

    given = f" (--set {', '.join(f'{k}={reprlib.repr(v)}' for k, v in params.items())})" if params else ""
    try:
        problem = factory(**params)
    except GadesignError:
        raise
    except (TypeError, ValueError) as exc:
        where = accidental_plugin_error(exc)
        if where is None:  # raised on purpose: a check of a value the caller gave
            raise ConfigError(f"problem {name!r}: bad parameter value: {exc}") from exc
        raise GadesignError(f"problem {name!r}: error in plugin code ({where}), called by its factory "
                            f"{entries[name].target}{given}: {type(exc).__name__}: {exc}") from exc
    except (MemoryError, RecursionError):
        raise
    except Exception as exc:  # a plugin's own failure: name it, no traceback (--debug shows it)
        where = accidental_plugin_error(exc)
        if where is not None:  # Python met it inside plugin code (an AttributeError, a KeyError): a bug there
            raise GadesignError(f"problem {name!r}: error in plugin code ({where}), called by its factory "
                                f"{entries[name].target}{given}: {type(exc).__name__}: {exc}") from exc
        raise GadesignError(f"problem {name!r}: its factory {entries[name].target} failed: "
                            f"{type(exc).__name__}: {exc}") from exc
    if isinstance(problem, str):  # check_members would read it as a name passed for a problem
        raise ConfigError(f"problem {name!r} ({entries[name].target}): the factory returned a str "
                          f"({reprlib.repr(problem)}), not a problem object (see docs/plugins.md)")
    check_members(problem, f"problem {name!r} ({entries[name].target})")
    return problem


def _check_input_files(entry: ProblemEntry, params: dict[str, Any]) -> None:
    """The factory's declared input files (``input_files``) are regular files of a sane
    size before the factory reads them (``--set file=/dev/zero`` would read forever)."""
    from gadesign.paths import check_input_file

    for key in entry.input_files():
        value = params.get(key)
        if isinstance(value, str) and value:
            check_input_file(value, f"file for --set {key}")


def _check_types(problem: str, defaults: dict[str, Any], params: dict[str, Any],
                 accepts_none: Collection[str] = ()) -> None:
    """A value whose type cannot stand for the parameter's default (a word where a number
    is expected, say; None where the annotation does not admit it) is refused with a
    message naming the parameter."""
    for key, value in params.items():
        default = defaults.get(key)
        if default is None:
            continue
        if value is None:
            if key not in accepts_none and isinstance(default, (bool, int, float, str)):
                raise ConfigError(f"problem {problem!r}: parameter {key!r} expects {type(default).__name__} "
                                  f"(default {default!r}), got None")
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
