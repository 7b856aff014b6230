"""Shareable run archives: ``gadesign export RUN_DIR --archive out.zip``.

The zip holds one folder named after the run with the run card (``run.json``), the
configuration (``config.json``, ``config.toml``), the logbook, the front (``front.json``,
``front.csv``), the plots, the problem's field formats (``designs/``), its input files
(``inputs/``), ``report.html``, a ``CITATION.cff`` (Citation File Format 1.2.0) and a
``README.md`` that lists every file and says how to reproduce the run. Checkpoints stay
behind (they are for ``resume``, not for readers).

:func:`run_source` lets ``show``, ``report`` and ``compare`` read such an archive
directly: it is unpacked into a temporary folder after checking every entry, so a
crafted zip cannot write outside it (absolute names, ``..``, links) or fill the disk
(declared and actual sizes, compression ratio and entry count are bounded).
"""

from __future__ import annotations

import contextlib
import getpass
import json
import os
import re
import shutil
import stat
import subprocess
import tempfile
import zipfile
from pathlib import Path, PurePosixPath
from typing import Any, Iterator

import gadesign
from gadesign.errors import RunStoreError

MAX_ENTRIES = 20_000
MAX_TOTAL_BYTES = 2 * 2**30  # unpacked
MAX_RATIO = 200  # a member that inflates more than this is treated as a zip bomb
DOI = re.compile(r"^(?:doi:|https?://(?:dx\.)?doi\.org/)?(10\.\d{4,9}(?:\.\d+)?/[A-Za-z0-9:/_;\-.()\[\]\\]+)$", re.I)
RUN_FILES = ("run.json", "config.json", "config.toml", "logbook.csv", "front.json", "front.csv", "refined.json")
RUN_DIRS = ("plots", "designs", "inputs")


class ArchiveError(RunStoreError):
    """A run archive that cannot be read safely (corrupt, not a zip, crafted)."""


# -- writing -------------------------------------------------------------------------------------
def yaml_str(text: Any) -> str:
    """A YAML double-quoted scalar (JSON string syntax is valid YAML)."""
    return json.dumps(str(text), ensure_ascii=False)


def default_author() -> str:
    """Who is exporting: git's ``user.name`` when set, else the login name."""
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        name = subprocess.run(["git", "config", "user.name"], capture_output=True, text=True, timeout=5).stdout.strip()
        if name:
            return name
    with contextlib.suppress(Exception):
        return getpass.getuser()
    return "anonymous"


def citation_cff(card: dict[str, Any], config: dict[str, Any], authors: list[str], title: str) -> str:
    """CITATION.cff (CFF 1.2.0) of a run: type dataset, the authors as entities (a
    name as typed, no guessing at given/family names), the run's finish date, the
    gadesign version, the description as abstract, and ``--cite`` as the DOI when it is
    one (else in the message)."""
    cite = str(card.get("cite") or config.get("cite") or "").strip()
    doi = DOI.match(cite)
    message = "If you use this result, please cite it as below."
    if cite and not doi:
        message += f" Cite as: {cite}"
    lines = ["cff-version: 1.2.0", f"message: {yaml_str(message)}", "type: dataset", f"title: {yaml_str(title)}",
             "authors:"]
    lines += [f"  - name: {yaml_str(a)}" for a in authors]
    finished = str(card.get("finished") or "")[:10]
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", finished):
        lines.append(f"date-released: {yaml_str(finished)}")
    lines.append(f"version: {yaml_str('gadesign ' + str((card.get('gadesign') or {}).get('version') or gadesign.__version__))}")
    if doi:
        lines.append(f"doi: {yaml_str(doi.group(1))}")
    description = str(card.get("description") or config.get("description") or "").strip()
    if description:
        lines.append(f"abstract: {yaml_str(description)}")
    keywords = [str(config.get("problem")), str(config.get("algorithm")), "evolutionary design", "Pareto front"]
    lines.append("keywords:")
    lines += [f"  - {yaml_str(k)}" for k in keywords if k and k != "None"]
    return "\n".join(lines) + "\n"


def readme(name: str, files: list[str], card: dict[str, Any], config: dict[str, Any]) -> str:
    """README.md of an archive: what each file is and how to reproduce the run."""
    gd = card.get("gadesign") or {}
    install = f"pip install gadesign=={gd.get('version') or gadesign.__version__}"
    commit = f" (this run: git commit {gd['git_commit']}{', with uncommitted changes' if gd.get('git_dirty') else ''})" \
        if gd.get("git_commit") else ""
    what = {"run.json": "run card: versions, machine, seed, algorithm, times, evaluations, hypervolume",
            "config.json": "everything that determines the run (read by gadesign)",
            "config.toml": "the same as a config file: `gadesign evolve --config config.toml`",
            "logbook.csv": "one row per generation: evaluations, feasible count, hypervolume, best objectives",
            "front.json": "the Pareto front: genomes, objectives, violations, info",
            "front.csv": "the front as a table", "report.html": "the report: open it in any browser (no network)",
            "CITATION.cff": "how to cite this result (Citation File Format 1.2.0)", "README.md": "this file",
            "refined.json": "designs polished by refinement"}
    out = [f"# {name}", "", str(card.get("description") or "A gadesign run."), "",
           f"Problem `{config.get('problem')}`, algorithm `{config.get('algorithm')}`, population {config.get('pop')}, "
           f"{config.get('generations')} generations, seed {config.get('seed')}; {card.get('evaluations')} evaluations "
           f"in {card.get('wall_time_s')} s.", "", "## Files", ""]
    for f in files:
        top = f.split("/", 1)[0]
        note = what.get(f) or {"plots": "figure", "designs": "field format of a front member",
                               "inputs": "input file the run read"}.get(top, "")
        out.append(f"- `{f}`" + (f": {note}" if note else ""))
    out += ["", "## Reproduce", "", f"1. `{install}`{commit}, with the packages listed in `run.json` "
            "(`packages`, `python`).",
            "2. In this folder: `gadesign evolve --config config.toml --out rerun`",
            "3. `cmp front.json rerun/front.json`: the same seed gives the byte-identical front.", "",
            "Read the result without reproducing it: `gadesign show ARCHIVE.zip`, `gadesign report ARCHIVE.zip`, "
            "or open `report.html`.", ""]
    return "\n".join(out)


def run_files(root: Path) -> list[str]:
    """The run's files that go into an archive, relative POSIX paths, sorted."""
    out = [f for f in RUN_FILES if (root / f).is_file()]
    for d in RUN_DIRS:
        if (root / d).is_dir():
            out += sorted(p.relative_to(root).as_posix() for p in (root / d).rglob("*") if p.is_file()
                          and not p.name.startswith("."))
    return out


def export_archive(run_dir: Path, target: Path, authors: list[str] | None = None,
                   designs: int = 4) -> list[str]:
    """Write the archive of ``run_dir`` to ``target`` (atomically); returns its entries."""
    from gadesign.atomic import atomic_path
    from gadesign.report import build_report
    from gadesign.runstore import RunStore

    store = RunStore(run_dir)
    config = store.read_config()
    front = store.read_front()
    card = store.read_card(missing_ok=True)
    if card is None:
        raise RunStoreError(f"{run_dir}: no run card (run.json); the run was made by an older gadesign: "
                            "rerun it to archive it")
    name = os.fsencode(store.root.resolve().name).decode("utf-8", errors="replace")  # a zip entry name is UTF-8
    title = f"gadesign {config['problem']} run {name}" + (f": {card['description']}" if card.get("description") else "")
    files = run_files(store.root)
    generated = {"report.html": build_report(store.root, designs),
                 "CITATION.cff": citation_cff(card, config, authors or [default_author()], title)}
    listing = sorted([*files, *generated, "README.md"])
    generated["README.md"] = readme(name, listing, card, config)
    del front
    with atomic_path(target) as tmp:
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            for f in listing:
                arc = f"{name}/{f}"
                if f in generated:  # a run folder named in bytes that are not UTF-8 stays writable
                    zf.writestr(arc, generated[f].encode("utf-8", errors="backslashreplace"))
                else:
                    zf.write(store.root / f, arc)
    return [f"{name}/{f}" for f in listing]


# -- reading ---------------------------------------------------------------------------------------
def _safe_name(info: zipfile.ZipInfo, archive: Path) -> PurePosixPath:
    name = info.filename
    path = PurePosixPath(name)
    if name.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", name) or "\\" in name:
        raise ArchiveError(f"{archive}: entry {name[:80]!r} has an absolute or Windows path; refused")
    if any(part == ".." for part in path.parts):
        raise ArchiveError(f"{archive}: entry {name[:80]!r} points outside the archive ('..'); refused")
    mode = info.external_attr >> 16
    if stat.S_ISLNK(mode):
        raise ArchiveError(f"{archive}: entry {name[:80]!r} is a symbolic link; refused")
    return path


def extract(archive: Path, into: Path) -> None:
    """Unpack ``archive`` into the empty folder ``into`` with every entry checked."""
    try:
        with zipfile.ZipFile(archive) as zf:
            infos = zf.infolist()
            if len(infos) > MAX_ENTRIES:
                raise ArchiveError(f"{archive}: {len(infos)} entries (at most {MAX_ENTRIES}); refused")
            total = sum(i.file_size for i in infos)
            if total > MAX_TOTAL_BYTES:
                raise ArchiveError(f"{archive}: unpacks to {total / 2**20:,.0f} MB (at most "
                                   f"{MAX_TOTAL_BYTES / 2**20:,.0f} MB); refused")
            written = 0
            for info in infos:
                path = _safe_name(info, archive)
                if info.file_size > 1_000_000 and info.file_size > MAX_RATIO * max(info.compress_size, 1):
                    raise ArchiveError(f"{archive}: entry {info.filename[:80]!r} inflates "
                                       f"{info.file_size / max(info.compress_size, 1):,.0f}-fold (a zip bomb?); refused")
                dest = into.joinpath(*path.parts)
                if info.is_dir():
                    dest.mkdir(parents=True, exist_ok=True)
                    continue
                dest.parent.mkdir(parents=True, exist_ok=True)
                with zf.open(info) as src, open(dest, "wb") as out:
                    size = 0
                    while chunk := src.read(1 << 20):
                        size += len(chunk)
                        written += len(chunk)
                        if size > info.file_size or written > MAX_TOTAL_BYTES:
                            raise ArchiveError(f"{archive}: entry {info.filename[:80]!r} is larger than it "
                                               "declares; refused")
                        out.write(chunk)
    except zipfile.BadZipFile as exc:
        raise ArchiveError(f"{archive}: corrupt zip archive ({exc})") from None
    except (zipfile.LargeZipFile, NotImplementedError, EOFError) as exc:
        raise ArchiveError(f"{archive}: cannot read the zip archive ({exc})") from None
    except RuntimeError as exc:  # encrypted members
        raise ArchiveError(f"{archive}: cannot read the zip archive ({exc})") from None


def find_run(root: Path, archive: Path) -> Path:
    """The run folder inside an unpacked archive: the root or its single top folder."""
    if (root / "config.json").is_file():
        return root
    tops = [p for p in root.iterdir() if p.is_dir()]
    if len(tops) == 1 and (tops[0] / "config.json").is_file():
        return tops[0]
    raise ArchiveError(f"{archive}: not a gadesign run archive (no config.json at its top or in one top folder)")


@contextlib.contextmanager
def run_source(path: str | os.PathLike[str]) -> Iterator[Path]:
    """A run directory, or a run archive unpacked into a temporary folder (removed
    afterwards); anything else is one clear error."""
    p = Path(os.fspath(path))
    if p.is_dir():
        yield p
        return
    if not p.exists():
        raise RunStoreError(f"{p}: no such run directory or archive")
    from gadesign.paths import check_input_file

    check_input_file(p, "run archive")
    if not zipfile.is_zipfile(p):
        raise ArchiveError(f"{p}: neither a run directory nor a zip archive")
    tmp = Path(tempfile.mkdtemp(prefix="gadesign-archive-"))
    try:
        extract(p, tmp)
        yield find_run(tmp, p)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
