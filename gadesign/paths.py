"""Checks on the paths a command will write, made before any work starts.

Every command that writes (``evolve --out``, ``export -o``, ``--plot``, ``--pattern``,
``--touchstone``, ``truss ground -o``, ...) checks its target here first, so a bad path
is one clear :class:`OutputPathError` (exit code 2) instead of a crash after minutes of
work, a half-made directory, or a message naming a temporary file:

* an empty path (``--out ''``) is refused, as is a name longer than the file system allows;
* a file where a directory is needed (``a.txt/b.png``), a directory or a device where a
  file is needed;
* a folder the user cannot create files in (read-only, a system folder such as
  ``/proc``): found by creating and removing a probe file in the nearest existing
  folder, which is the only test that also holds for root and read-only mounts;
* a format suffix the writer cannot write (``x.xyz`` for a figure);
* a run directory's own state (``config.json``, ``front.json``, ``checkpoints/`` ...): a
  command never overwrites a run's state with something else.

:func:`output_guard` wraps the write itself: an ``OSError`` that still happens (a disk
that fills up) names the target, and folders it created are removed again.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import tempfile
from pathlib import Path
from typing import Iterable, Iterator

from gadesign.errors import ConfigError

#: Files and folders of a run directory that only the engine writes (and the figures
#: already in its plots/ folder).
RUN_STATE_FILES = frozenset({"config.json", "config.toml", "run.json", "logbook.csv", "front.json", "front.csv",
                             "refined.json"})
RUN_STATE_DIRS = frozenset({"checkpoints", "designs"})
#: Figure formats matplotlib's Agg canvas writes without external programs (pgf needs LaTeX).
_NO_FIGURE = frozenset({"pgf"})


class OutputPathError(ConfigError):
    """A path a command was asked to write cannot or must not be written."""


def _text(path: str | os.PathLike[str] | None, option: str) -> str:
    text = "" if path is None else os.fspath(path)
    if not text.strip():
        raise OutputPathError(f"{option}: empty path; give a file or directory name")
    if "\x00" in text:
        raise OutputPathError(f"{option}: the path contains a NUL character")
    return text


def _limits(existing: Path) -> tuple[int, int]:
    """(longest name, longest path) in bytes on the file system of ``existing``."""
    try:
        return os.pathconf(existing, "PC_NAME_MAX"), os.pathconf(existing, "PC_PATH_MAX")
    except (OSError, ValueError, AttributeError):
        return 255, 4096


def _nearest_existing(path: Path) -> Path:
    """``path`` or its nearest ancestor that exists (a file or a folder)."""
    p = path
    while True:
        try:
            os.stat(p)
            return p
        except OSError as exc:  # missing, under a file, or a name too long: look one level up
            if exc.errno not in (errno.ENOENT, errno.ENOTDIR, errno.ENAMETOOLONG):
                return p
        if p.parent == p:
            return p
        p = p.parent


def _check_shape(path: Path, option: str, want_dir: bool) -> Path:
    """Length and shape checks; returns the nearest existing folder (where files will be made)."""
    absolute = Path(os.path.abspath(path))
    existing = _nearest_existing(absolute)
    name_max, path_max = _limits(existing if existing.is_dir() else existing.parent)
    for part in absolute.parts:
        if len(os.fsencode(part)) > name_max:
            shown = part if len(part) <= 40 else part[:20] + "…" + part[-12:]
            raise OutputPathError(f"{option} {shown}: file name too long ({len(os.fsencode(part))} bytes; "
                                  f"the file system allows {name_max})")
    if len(os.fsencode(str(absolute))) >= path_max:
        raise OutputPathError(f"{option}: path too long ({len(os.fsencode(str(absolute)))} bytes; "
                              f"the file system allows {path_max - 1})")
    if existing != absolute and os.path.islink(absolute):
        raise OutputPathError(f"{option} {path}: is a symbolic link to a missing folder "
                              f"({os.readlink(absolute)}); remove it or give another name")
    if existing != absolute or not existing.exists():
        # an ancestor exists; it must be a folder
        if existing.exists() and not existing.is_dir():
            raise OutputPathError(f"{option} {path}: {_shown(existing, path)} is a file, not a folder")
        return existing
    # the target itself exists
    if want_dir:
        if not existing.is_dir():
            raise OutputPathError(f"{option} {path}: exists and is not a folder")
        return existing
    if existing.is_dir():
        raise OutputPathError(f"{option} {path}: is a folder; give a file name")
    if not existing.is_file():
        raise OutputPathError(f"{option} {path}: is not a regular file (a device or a pipe); give a file name")
    return existing.parent


def _shown(p: Path, given: Path) -> str:
    """``p`` as the user wrote it (relative when ``given`` was)."""
    if given.is_absolute():
        return str(p)
    with contextlib.suppress(ValueError):
        return str(p.relative_to(Path.cwd()))
    return str(p)


def _probe(folder: Path, path: Path, option: str) -> None:
    """Create and remove a file in ``folder``: the only sure test of writability."""
    try:
        fd, tmp = tempfile.mkstemp(prefix=".gadesign-probe-", dir=folder)
    except OSError as exc:
        raise OutputPathError(f"{option} {path}: cannot write in {_shown(folder, path)} "
                              f"({exc.strerror or exc})") from None
    os.close(fd)
    with contextlib.suppress(OSError):
        os.unlink(tmp)


def _run_root(absolute: Path) -> Path | None:
    """The run directory ``absolute`` lies in (up to three levels up), if any."""
    for up in list(absolute.parents)[:3]:
        if (up / "config.json").is_file() and ((up / "checkpoints").is_dir() or (up / "logbook.csv").is_file()
                                               or (up / "front.json").is_file()):
            return up
    return None


def _check_not_run_state(path: Path, option: str) -> None:
    absolute = Path(os.path.abspath(path))
    root = _run_root(absolute)
    if root is None:
        return
    rel = absolute.relative_to(root)
    drawn = rel.parts[0] == "plots" and absolute.exists()  # a new file beside the plots is fine
    if (len(rel.parts) == 1 and rel.parts[0] in RUN_STATE_FILES) or rel.parts[0] in RUN_STATE_DIRS or drawn:
        raise OutputPathError(f"{option} {path}: is part of the run in {_shown(root, path)}; "
                              "a command never overwrites a run's own files, choose another name")


class InputFileError(ConfigError):
    """A file a command was asked to read that cannot be read as a file."""


def check_input_file(path: str | os.PathLike[str], what: str = "input file") -> Path:
    """``path`` is an existing regular file of a sane size: a folder, a device or a pipe
    (``/dev/zero`` would be read forever) is refused, and so is a file above the INPUT_MB
    limit (GADESIGN_MAX_INPUT_MB, default 256), before a single byte is read."""
    from gadesign.limits import check_limit

    p = Path(os.fspath(path))
    if not os.fspath(path).strip():
        raise InputFileError(f"{what}: empty path")
    try:
        st = os.stat(p)
    except OSError as exc:
        raise InputFileError(f"{p}: cannot read the {what} ({exc.strerror or type(exc).__name__})") from None
    import stat

    if stat.S_ISDIR(st.st_mode):
        raise InputFileError(f"{p}: is a folder, not a {what}")
    if not stat.S_ISREG(st.st_mode):
        raise InputFileError(f"{p}: is not a regular file (a device or a pipe), not a {what}")
    check_limit("INPUT_MB", st.st_size / 2**20, f"{p}: {what} of {st.st_size / 2**20:,.0f} MB")
    return p


def figure_formats() -> frozenset[str]:
    """Suffixes (without the dot) matplotlib can save a figure as here."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    return frozenset(Figure().canvas.get_supported_filetypes()) - _NO_FIGURE


def check_output_file(path: str | os.PathLike[str] | None, option: str, *,
                      suffixes: Iterable[str] | None = None, figure: bool = False) -> Path:
    """The file ``path`` may be written by ``option``: returns it as a Path, or raises
    :class:`OutputPathError`. ``suffixes`` (with dots, lower case) restricts the format;
    ``figure`` checks the suffix against matplotlib's formats (none means PNG)."""
    target = Path(_text(path, option))
    folder = _check_shape(target, option, want_dir=False)
    suffix = target.suffix.lower()
    if figure and suffix:
        formats = figure_formats()
        if suffix.lstrip(".") not in formats:
            raise OutputPathError(f"{option} {target}: cannot write a figure as {suffix!r} "
                                  f"(formats: {', '.join(sorted(formats))})")
    if suffixes is not None:
        allowed = tuple(suffixes)
        if suffix not in allowed:
            raise OutputPathError(f"{option} {target}: the file name must end in {' or '.join(allowed)}")
    _check_not_run_state(target, option)
    _probe(folder, target, option)
    return target


def check_output_dir(path: str | os.PathLike[str] | None, option: str) -> Path:
    """The folder ``path`` may be created or filled by ``option`` (never the root of the
    file system: as root, ``--out /`` wrote a run's files into ``/``)."""
    target = Path(_text(path, option))
    absolute = Path(os.path.abspath(target))
    if absolute.parent == absolute:
        raise OutputPathError(f"{option} {path}: the root of the file system is not a folder for a run; "
                              "give a folder of its own")
    folder = _check_shape(target, option, want_dir=True)
    _check_not_run_state(target, option)
    _probe(folder, target, option)
    return target


def check_touchstone(path: str | os.PathLike[str] | None, option: str = "--touchstone") -> Path:
    """A Touchstone file name (``.s1p``, ``.s2p``, ...)."""
    target = check_output_file(path, option)
    if not re.fullmatch(r"\.s\d+p", target.suffix.lower()):
        raise OutputPathError(f"{option} {target}: a Touchstone file name ends in .sNp (.s1p for one port)")
    return target


@contextlib.contextmanager
def output_guard(path: str | os.PathLike[str], option: str) -> Iterator[None]:
    """Around a write to ``path``: an ``OSError`` becomes one :class:`OutputPathError`
    naming ``path`` (never a temporary name), and folders created meanwhile are removed."""
    target = Path(os.path.abspath(path))
    missing = [p for p in [target.parent, *target.parent.parents] if not p.exists()]
    try:
        yield
    except OSError as exc:
        for p in missing:  # deepest first
            with contextlib.suppress(OSError):
                p.rmdir()
        raise OutputPathError(f"{option} {path}: cannot write ({exc.strerror or type(exc).__name__})") from None
