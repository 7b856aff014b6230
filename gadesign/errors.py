"""The exception family of gadesign.

Every error a user can cause (bad input, bad configuration, a corrupt file) is a
:class:`GadesignError`. The CLI prints such errors as one red line and exits with
code 2; anything else is a bug and shows a traceback only with ``--debug``.
Plugins subclass :class:`GadesignError` for their own families (e.g. a deck error).
"""

from __future__ import annotations

import re


class GadesignError(Exception):
    """Base class of every error that is the user's input, not a bug."""


class ConfigError(GadesignError):
    """A bad option, parameter or configuration value."""


class ProblemNotFoundError(ConfigError):
    """A problem name that no installed plugin registers."""


class RunStoreError(GadesignError):
    """A run directory or file that is missing, corrupt or foreign."""


class CheckpointError(RunStoreError):
    """A checkpoint that cannot be read or does not belong to this run."""


def plugin_frame(exc: BaseException) -> str | None:
    """``FILE:LINE, in FUNCTION`` of the plugin code an unexpected exception came from, or
    None when it came from gadesign itself (an internal error). Plugin code is what
    gadesign's own code (``gadesign``, ``gadesign_problems``) called that is neither the
    standard library nor a library gadesign depends on: a third-party problem's
    ``refine_key``, a custom genome's ``mutate``, a command's function."""
    import contextlib
    import sys
    import sysconfig
    import traceback
    from pathlib import Path

    frames = traceback.extract_tb(exc.__traceback__)
    own_roots = [Path(__file__).resolve().parent]
    with contextlib.suppress(ImportError):
        import gadesign_problems
        own_roots.append(Path(gadesign_problems.__file__).resolve().parent)
    library_roots = [Path(sysconfig.get_paths()[k]).resolve() for k in ("stdlib", "platstdlib")]
    for name in ("numpy", "scipy", "deap", "moocore", "matplotlib", "typer", "click", "rich", "numba",
                 "threadpoolctl", "skrf", "molmass", "pyteomics", "tomli", "tomli_w", "dask", "distributed"):
        module = sys.modules.get(name)
        if module is not None and getattr(module, "__file__", None):
            library_roots.append(Path(module.__file__).resolve().parent)

    def under(filename: str, roots: list[Path]) -> bool:
        path = Path(filename).resolve()
        return any(path == root or root in path.parents for root in roots)

    own = [i for i, f in enumerate(frames) if under(f.filename, own_roots)]
    if not own or own[-1] == len(frames) - 1:
        return None
    called = frames[own[-1] + 1:]
    if under(called[0].filename, library_roots):
        # gadesign's own call into a library: an internal error, unless the library is the
        # command-line dispatcher (typer, click) and it called a plugin's command function
        dispatchers = [Path(m.__file__).resolve().parent for m in (sys.modules.get("typer"), sys.modules.get("click"))
                       if m is not None and getattr(m, "__file__", None)]
        if not dispatchers or not under(called[0].filename, dispatchers):
            return None
        beyond = [f for f in called if not under(f.filename, library_roots)]
        if not beyond:
            return None
        called = called[called.index(beyond[0]):]
    frame = [f for f in called if not under(f.filename, library_roots)][-1]
    return f"{frame.filename}:{frame.lineno}, in {frame.name}"


def accidental_plugin_error(exc: BaseException) -> str | None:
    """``FILE:LINE, in FUNCTION`` (as :func:`plugin_frame`) where plugin code met ``exc``
    by accident, or None when the exception was raised on purpose or not in plugin code.

    Tells a factory's bad parameter from a bug in the plugin: a ``TypeError`` or
    ``ValueError`` that a ``raise`` statement of the plugin raised, or that gadesign's own
    code raised on what the plugin passed on (a genome's bounds), is a check of a value
    the caller gave (None); one that the interpreter or a library raised inside plugin
    code (instantiating an abstract genome, ``len(None)``, numpy on a malformed array) is
    an error there: a bug, or a value the plugin never checked."""
    import traceback

    where = plugin_frame(exc)
    if where is None:
        return None
    last = traceback.extract_tb(exc.__traceback__)[-1]
    if where == f"{last.filename}:{last.lineno}, in {last.name}" and _RAISES.match(last.line or ""):
        return None
    return where


_RAISES = re.compile(r"\s*(?:(?:if|elif|else|try|except|finally)\b[^#]*:\s*)?raise\b")  # `raise`, `if bad: raise`
