"""Run directories: config, logbook, checkpoints and fronts, all written atomically.

Layout of ``results/<problem>-<timestamp>-<seed>/`` (or the ``--out`` directory)::

    config.json               everything needed to rerun (problem, params, algorithm, budget, seed)
    config.toml               the same as a config file: gadesign evolve --config DIR/config.toml
    run.json                  the run card (gadesign.runcard): versions, machine, times, hypervolume
    logbook.csv               one row per generation
    checkpoints/gen-NNNN.json versioned, checksummed engine state (no pickle)
    front.json, front.csv     the result, readable without gadesign
    plots/*.png               front and convergence plots
    designs/                  field formats of each front member, when the problem exports

``front.json`` is ``{"schema": 1, "problem", "objectives": [{name, direction, unit}],
"members": [{"genome", "objectives", "violations", "info"}]}``.
A checkpoint is ``{"schema", "kind": "gadesign-checkpoint", "problem", "config_digest",
"state", "logbook", "checksum"}`` where ``checksum`` is the SHA-256 of the canonical JSON
of everything else, so truncation or tampering is detected.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import json
import os
import re
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence

import numpy as np

from gadesign.atomic import atomic_write_json, atomic_write_text
from gadesign.errors import CheckpointError, RunStoreError

SCHEMA = 1
CHECKPOINT_KIND = "gadesign-checkpoint"
KEEP_CHECKPOINTS = 3  # older ones are pruned after each write
CHECKPOINT_RE = re.compile(r"^gen-(\d{4,})\.json$")
TEMPORARY_RE = re.compile(r"^\.(.+)\.tmp\.[a-z0-9_]{8}(\.[^.]*)?$")  # gadesign.atomic's temporary names


def canonical(obj: Any) -> str:
    """Canonical JSON text (sorted keys, no spaces) used for digests."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), allow_nan=False)


def digest(obj: Any) -> str:
    return hashlib.sha256(canonical(obj).encode("utf-8")).hexdigest()


def jsonable(value: Any) -> Any:
    """``value`` with numpy scalars/arrays and tuples turned into plain JSON types;
    non-finite floats become ``None`` (JSON has no NaN)."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return jsonable(value.tolist())
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        f = float(value)
        return f if np.isfinite(f) else None
    if isinstance(value, (str, int, bool)) or value is None:
        return value
    return str(value)


#: File descriptors of the run directories this process holds locked (RunStore.lock).
_HELD_LOCKS: set[int] = set()


def _drop_locks_in_child() -> None:
    """A forked worker does not hold its parent's run locks: a worker orphaned by a
    killed parent must not keep the run locked for ever (flock locks follow the fd)."""
    for fd in list(_HELD_LOCKS):
        with contextlib.suppress(OSError):
            os.close(fd)
    _HELD_LOCKS.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_drop_locks_in_child)


def default_run_dir(problem: str, seed: int, root: Path = Path("results")) -> Path:
    """``root/<problem>-<UTC time>-<seed>``: one folder, whatever the problem's name holds
    (a plugin's entry point named ``lab/beam`` or ``..`` gave nested or escaping folders;
    characters other than letters, digits, ``.``, ``_`` and ``-`` become ``_``)."""
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S")
    name = re.sub(r"[^\w.-]", "_", problem).lstrip(".") or "problem"
    return root / f"{name}-{stamp}-{seed}"


class RunStore:
    """Reads and writes one run directory."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)

    # -- paths ---------------------------------------------------------------------------
    @property
    def config_path(self) -> Path:
        return self.root / "config.json"

    @property
    def checkpoint_dir(self) -> Path:
        return self.root / "checkpoints"

    @property
    def plots_dir(self) -> Path:
        return self.root / "plots"

    @property
    def designs_dir(self) -> Path:
        return self.root / "designs"

    # -- config ----------------------------------------------------------------------------
    def check_new(self) -> None:
        """Refuse a directory that already holds a run, or a path that is a file."""
        if self.config_path.exists():
            raise RunStoreError(f"{self.root} already holds a run (config.json exists); "
                                "choose another --out or use `gadesign resume`")
        if self.root.exists() and not self.root.is_dir():
            raise RunStoreError(f"{self.root} exists and is not a directory")
        if self.root.is_dir():
            self.check_layout()

    def create(self, config: dict[str, Any]) -> None:
        """Start a new run directory; refuses one that already holds a run."""
        self.check_new()
        self.root.mkdir(parents=True, exist_ok=True)
        atomic_write_json(self.config_path, {"schema": SCHEMA, **jsonable(config)})
        from gadesign.config import write_config_toml
        write_config_toml(self.root / "config.toml", config)

    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        """Hold the run directory for this process (an advisory ``flock`` on the folder
        itself, no lock file): a second ``evolve --out`` or ``resume`` of the same run
        meanwhile is refused instead of mixing two runs' files. Released on exit, also
        when the process is killed. Without ``fcntl`` (Windows) it does nothing."""
        try:
            import fcntl
        except ImportError:  # pragma: no cover - Windows
            yield
            return
        fd = os.open(self.root, os.O_RDONLY)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise RunStoreError(f"{self.root}: another gadesign process is writing this run (evolve or "
                                    "resume); wait until it ends, or choose another folder") from None
            _HELD_LOCKS.add(fd)
            yield
        finally:
            _HELD_LOCKS.discard(fd)
            os.close(fd)

    def missing_dirs(self) -> list[Path]:
        """The run directory and its ancestors that do not exist yet (deepest first)."""
        return [p for p in [self.root, *self.root.absolute().parents] if not p.exists()]

    def discard(self, created: Sequence[Path]) -> None:
        """Undo a run that failed before its first checkpoint: remove what the engine
        wrote (config.json, inputs/, logbook, partial checkpoints) and the folders in
        ``created`` (from :meth:`missing_dirs`) if they are then empty. Files a user put in
        an existing folder are left alone."""
        import shutil

        for name in ("config.json", "config.toml", "run.json", "logbook.csv", "front.json", "front.csv"):
            (self.root / name).unlink(missing_ok=True)
        for name in ("inputs", "checkpoints", "plots", "designs"):
            if (self.root / name).is_dir() and (self.root / name).resolve().parent == self.root.resolve():
                shutil.rmtree(self.root / name, ignore_errors=True)
        for folder in created:
            try:
                folder.rmdir()
            except OSError:
                break

    def leftover_temporaries(self) -> list[Path]:
        """Temporary files of :mod:`gadesign.atomic` (``.NAME.tmp.XXXXXXXX.EXT``) left in the
        run's folders by a process that was killed (SIGKILL, power loss) while writing:
        never a result, only litter beside the whole files."""
        found = []
        for folder in (self.root, self.checkpoint_dir, self.plots_dir, self.designs_dir):
            if folder.is_dir() and not folder.is_symlink():
                found += [p for p in folder.iterdir() if TEMPORARY_RE.match(p.name) and p.is_file()
                          and not p.is_symlink()]
        return sorted(found)

    def sweep_temporaries(self) -> None:
        """Remove :meth:`leftover_temporaries` (``resume`` does, before it writes)."""
        for path in self.leftover_temporaries():
            path.unlink(missing_ok=True)

    def check_layout(self) -> None:
        """The folders a command writes into (plots/, designs/, checkpoints/) are folders,
        and the files it writes (front.json, plots/front.png, ...) are not folders."""
        for folder in (self.plots_dir, self.designs_dir, self.checkpoint_dir):
            if folder.is_symlink() and not folder.exists():
                raise RunStoreError(f"{folder}: a symbolic link to nothing (missing or looping target); the run "
                                    f"writes its {folder.name} there; remove it")
            if folder.exists() and not folder.is_dir():
                raise RunStoreError(f"{folder}: exists and is not a folder (the run writes its "
                                    f"{folder.name} there); move it away")
        for name in ("config.json", "logbook.csv", "front.json", "front.csv", "plots/front.png",
                     "plots/convergence.png"):
            path = self.root / name
            if path.exists() and not path.is_file():
                raise RunStoreError(f"{path}: is a folder or a device, not a file (the run writes it); move it away")

    def read_config(self) -> dict[str, Any]:
        """config.json, with the type of every field the commands read checked (a
        hand-edited ``"params": [1, 2]`` is named here, not met as a crash later)."""
        if not self.root.is_dir():
            raise RunStoreError(f"{self.root}: no such run directory")
        data = self._read_json(self.config_path, "config.json")
        if not isinstance(data, dict) or not _is_int(data.get("schema")) or data.get("schema") != SCHEMA \
                or "problem" not in data:
            raise RunStoreError(f"{self.config_path}: not a gadesign run config (schema {SCHEMA})")
        check_fields(data, CONFIG_FIELDS, f"{self.config_path}")
        if not data["problem"]:
            raise RunStoreError(f"{self.config_path}: 'problem' is empty")
        return data

    # -- run card ------------------------------------------------------------------------------
    @property
    def card_path(self) -> Path:
        return self.root / "run.json"

    def write_card(self, card: dict[str, Any]) -> None:
        atomic_write_json(self.card_path, jsonable(card))

    def read_card(self, missing_ok: bool = False) -> dict[str, Any] | None:
        """run.json (None if it is missing and ``missing_ok``: runs made before cards existed)."""
        from gadesign.runcard import KIND
        if missing_ok and not self.card_path.is_file():
            return None
        data = self._read_json(self.card_path, "run.json (the run card)")
        if not isinstance(data, dict) or data.get("kind") != KIND:
            raise RunStoreError(f"{self.card_path}: not a gadesign run card")
        if "schema" in data and (not _is_int(data["schema"]) or data["schema"] != SCHEMA):
            raise RunStoreError(f"{self.card_path}: run card schema {json.dumps(data['schema'])[:20]} is not "
                                f"supported (expected {SCHEMA})")
        check_fields(data, CARD_FIELDS, f"{self.card_path}")
        for key, fields in CARD_PARTS.items():
            if isinstance(data.get(key), dict):
                check_fields(data[key], fields, f"{self.card_path} ({key!r})")
        hv = data.get("hypervolume")
        if hv is not None and not (_is_number(hv.get("value")) and isinstance(hv.get("reference_point"), list)
                                   and all(_is_number(v) for v in hv["reference_point"])):
            raise RunStoreError(f"{self.card_path} is incomplete or malformed: 'hypervolume' must be null or "
                                "{\"value\": number, \"reference_point\": [numbers]}")
        return data

    # -- checkpoints -------------------------------------------------------------------------
    def write_checkpoint(self, problem: str, config: dict[str, Any], state: dict[str, Any],
                         logbook: Sequence[dict[str, Any]]) -> Path:
        body = {"schema": SCHEMA, "kind": CHECKPOINT_KIND, "problem": problem,
                "config_digest": config_digest(config), "state": jsonable(state), "logbook": jsonable(list(logbook))}
        body["checksum"] = digest(body)
        path = self.checkpoint_dir / f"gen-{state['generation']:04d}.json"
        atomic_write_json(path, body, indent=None)
        for old in self.checkpoints()[:-KEEP_CHECKPOINTS]:
            old.unlink(missing_ok=True)
        return path

    def checkpoints(self) -> list[Path]:
        if not self.checkpoint_dir.is_dir():
            return []
        found = [(int(m.group(1)), p) for p in self.checkpoint_dir.iterdir() if (m := CHECKPOINT_RE.match(p.name))]
        return [p for _, p in sorted(found)]

    def latest_checkpoint(self) -> Path:
        found = self.checkpoints()
        if not found:
            raise CheckpointError(f"{self.root}: no checkpoint to resume from (checkpoints/gen-NNNN.json)")
        return found[-1]

    def read_checkpoint(self, path: Path, problem: str, config: dict[str, Any]) -> dict[str, Any]:
        """A verified checkpoint: right kind and schema, intact checksum, same problem and
        configuration as this run."""
        data = self._read_json(path, "checkpoint", error=CheckpointError)
        if not isinstance(data, dict) or data.get("kind") != CHECKPOINT_KIND:
            raise CheckpointError(f"{path}: not a gadesign checkpoint")
        if data.get("schema") != SCHEMA:
            raise CheckpointError(f"{path}: checkpoint schema {data.get('schema')!r} is not supported (expected {SCHEMA})")
        body = {k: v for k, v in data.items() if k != "checksum"}
        if data.get("checksum") != digest(body):
            raise CheckpointError(f"{path}: checksum mismatch (the checkpoint is corrupt or was edited)")
        if data.get("problem") != problem:
            raise CheckpointError(f"{path}: checkpoint is for problem {data.get('problem')!r}, this run is {problem!r}")
        if data.get("config_digest") != config_digest(config):
            raise CheckpointError(f"{path}: checkpoint does not match this run's config.json")
        check_checkpoint_state(data, path, config)
        return data

    # -- results ---------------------------------------------------------------------------------
    def write_logbook(self, rows: Sequence[dict[str, Any]]) -> None:
        atomic_write_text(self.root / "logbook.csv", rows_to_csv(rows))

    def write_front(self, front: dict[str, Any]) -> None:
        atomic_write_json(self.root / "front.json", front)
        atomic_write_text(self.root / "front.csv", front_to_csv(front))

    def read_front(self) -> dict[str, Any]:
        """front.json, checked field by field (a hand-edited or truncated member is named)."""
        self.read_config()
        path = self.root / "front.json"
        if not path.exists() and not path.is_symlink() and self.checkpoints():
            raise RunStoreError(f"{path}: front.json is missing: the run has not finished (newest checkpoint "
                                f"{self.checkpoints()[-1].name}); `gadesign resume {self.root}` finishes it")
        data = self._read_json(path, "front.json")
        if not isinstance(data, dict) or data.get("schema") != SCHEMA or not isinstance(data.get("members"), list):
            raise RunStoreError(f"{path}: not a gadesign front (schema {SCHEMA})")
        check_front(data, path)
        return data

    def read_logbook(self) -> list[dict[str, str]]:
        """logbook.csv rows; binary junk, a missing ``gen`` column or a non-number is an error."""
        path = self.root / "logbook.csv"
        if path.is_dir():
            raise RunStoreError(f"{path}: is a folder, not the logbook")
        if not path.is_file():
            raise RunStoreError(f"{path}: missing" if not path.exists() else f"{path}: not a regular file")
        try:
            with path.open(newline="", encoding="utf-8") as fh:
                rows = list(csv.DictReader(fh))
        except UnicodeDecodeError:
            raise RunStoreError(f"{path}: not a text CSV file (binary content)") from None
        except (csv.Error, OSError) as exc:
            raise RunStoreError(f"{path}: cannot read the logbook ({exc})") from None
        for line, row in enumerate(rows, start=2):
            if None in row or any(v is None for v in row.values()):
                raise RunStoreError(f"{path}: line {line} has a different number of fields than the header")
            if "gen" not in row:
                raise RunStoreError(f"{path}: not a gadesign logbook (no 'gen' column)")
            if not str(row["gen"]).strip().isdigit():
                raise RunStoreError(f"{path}: line {line}, column 'gen': {str(row['gen'])[:20]!r} is not a "
                                    "generation number")
            for key, value in row.items():
                if value in ("", "True", "False"):
                    continue
                try:
                    float(value)
                except ValueError:
                    raise RunStoreError(f"{path}: line {line}, column {key!r}: {value[:20]!r} is not a number") from None
        return rows

    @staticmethod
    def _read_json(path: Path, what: str, error: type[Exception] = RunStoreError) -> Any:
        if path.is_dir():
            raise error(f"{path}: {what} is a folder, not a file")
        if not path.is_file():
            raise error(f"{path}: {what} is missing" if not path.exists() else
                        f"{path}: {what} is not a regular file")
        try:
            return json.loads(path.read_text(encoding="utf-8"), parse_constant=_not_json, parse_float=_finite)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise error(f"{path}: {what} is not valid JSON ({exc})") from exc
        except _NotJson as exc:
            raise error(f"{path}: {what} is not valid JSON ({exc}); gadesign writes only finite numbers "
                        "(null where there is none)") from exc
        except RecursionError as exc:
            raise error(f"{path}: {what} is not a gadesign file (nested too deeply)") from exc
        except OSError as exc:
            raise error(f"{path}: cannot read {what} ({exc.strerror})") from exc


class _NotJson(ValueError):
    """A number JSON cannot hold (NaN, Infinity, 1e999) in a file gadesign reads."""


def _not_json(name: str) -> Any:
    raise _NotJson(f"{name} is not a JSON number")


def _finite(text: str) -> float:
    value = float(text)
    if not np.isfinite(value):
        raise _NotJson(f"{text[:30]} is out of range for a number")
    return value


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


#: What each field of config.json may hold (None: the field may be null), as names.
_KINDS: dict[str, Callable[[Any], bool]] = {
    "a string": lambda v: isinstance(v, str), "an integer": _is_int, "a number": _is_number,
    "an object": lambda v: isinstance(v, dict), "a list": lambda v: isinstance(v, list),
    "true or false": lambda v: isinstance(v, bool)}
CONFIG_FIELDS: dict[str, tuple[str, ...]] = {
    "problem": ("a string",), "params": ("an object", "null"), "algorithm": ("a string", "null"),
    "pop": ("an integer", "null"), "generations": ("an integer", "null"), "seed": ("an integer", "null"),
    "checkpoint_every": ("an integer", "null"), "workers": ("an integer", "a string", "null"),
    "dask": ("a string", "null"), "eval_timeout": ("a number", "null"), "refine": ("an integer", "null"),
    "description": ("a string", "null"), "cite": ("a string", "null")}
CARD_FIELDS: dict[str, tuple[str, ...]] = {
    "problem": ("an object", "null"), "params": ("an object", "null"), "gadesign": ("an object", "null"),
    "python": ("a string", "null"), "packages": ("an object", "null"), "machine": ("an object", "null"),
    "seed": ("an integer", "null"), "algorithm": ("an object", "null"), "started": ("a string", "null"),
    "finished": ("a string", "null"), "evaluations": ("an integer", "null"), "wall_time_s": ("a number", "null"),
    "evaluations_per_s": ("a number", "null"), "hypervolume": ("an object", "null"),
    "front_size": ("an integer", "null"), "description": ("a string", "null"), "cite": ("a string", "null")}
CARD_PARTS: dict[str, dict[str, tuple[str, ...]]] = {
    "problem": {"name": ("a string", "null"), "distribution": ("a string", "null"), "version": ("a string", "null")},
    "gadesign": {"version": ("a string", "null"), "git_commit": ("a string", "null"),
                 "git_dirty": ("true or false", "null")},
    "machine": {"cores": ("an integer", "null"), "platform": ("a string", "null")},
    "algorithm": {"algorithm": ("a string", "null"), "pop": ("an integer", "null"),
                  "generations": ("an integer", "null")}}


def check_fields(data: dict[str, Any], fields: dict[str, tuple[str, ...]], where: str) -> None:
    """Each present field of ``data`` holds one of its allowed kinds, else a
    :class:`RunStoreError` naming ``where``, the field, what it may be and what it holds."""
    for key, kinds in fields.items():
        if key not in data:
            continue
        value = data[key]
        if value is None and "null" in kinds or any(_KINDS[k](value) for k in kinds if k != "null"):
            continue
        got = json.dumps(value)[:40] if value is not None else "null"
        raise RunStoreError(f"{where} is incomplete or malformed: {key!r} must be {' or '.join(kinds)}, got {got}")


def check_front(data: dict[str, Any], path: Path) -> None:
    """Every member of a front has a genome and as many finite-or-null numbers as the
    front has objectives (and a list of violations)."""
    objectives = data.get("objectives")
    if not isinstance(objectives, list) or not objectives or not all(
            isinstance(o, dict) and isinstance(o.get("name"), str) and o.get("direction") in ("min", "max")
            and isinstance(o.get("unit", ""), (str, type(None))) for o in objectives):
        raise RunStoreError(f"{path}: 'objectives' must be a list of {{name, direction: min|max, unit: text}}")
    if not isinstance(data.get("problem", ""), str):
        raise RunStoreError(f"{path}: 'problem' must be a string, got {json.dumps(data['problem'])[:40]}")
    n = len(objectives)
    for i, m in enumerate(data["members"]):
        where = f"{path}: member {i}"
        if not isinstance(m, dict):
            raise RunStoreError(f"{where} is not an object")
        missing = [k for k in ("genome", "objectives", "violations") if k not in m]
        if missing:
            raise RunStoreError(f"{where} lacks {', '.join(missing)}")
        for key, size in (("objectives", n), ("violations", None)):
            values = m[key]
            if not isinstance(values, list) or (size is not None and len(values) != size) or not all(
                    isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
                want = f"{size} numbers" if size is not None else "a list of numbers"
                raise RunStoreError(f"{where}: {key} must be {want}")
        if "info" in m and not isinstance(m["info"], dict):
            raise RunStoreError(f"{where}: info must be an object")


def check_checkpoint_state(data: dict[str, Any], path: Path, config: dict[str, Any]) -> None:
    """The parts of a checkpoint the engine steers by, beyond its checksum (a checkpoint
    edited and re-hashed by hand): the generation its file is named for, a population,
    a logbook that ends at that generation, a reference point with one value per
    objective. Anything else malformed is the engine's ``load_state`` to name."""
    def bad(what: str) -> CheckpointError:
        return CheckpointError(f"{path}: checkpoint state is malformed: {what}")

    state = data.get("state")
    if not isinstance(state, dict):
        raise bad("'state' is not an object")
    generation = state.get("generation")
    m = CHECKPOINT_RE.match(path.name)
    if not _is_int(generation) or generation < 0 or (m is not None and int(m.group(1)) != generation):
        raise bad(f"generation {json.dumps(generation)[:20]}, but the file is {path.name}")
    population = state.get("population")
    if not isinstance(population, list) or not population:
        raise bad("'population' must be a non-empty list")
    evaluations = state.get("evaluations")
    if not _is_int(evaluations) or evaluations < 0:
        raise bad(f"'evaluations' must be a count, got {json.dumps(evaluations)[:20]}")
    ref = state.get("hv_reference")
    objectives = config.get("objectives")
    if ref is not None and (not isinstance(ref, list) or not all(_is_number(v) for v in ref)
                            or (isinstance(objectives, list) and len(ref) != len(objectives))):
        raise bad(f"'hv_reference' must be null or one number per objective, got {json.dumps(ref)[:40]}")
    logbook = data.get("logbook")
    if not isinstance(logbook, list) or not logbook or not all(isinstance(row, dict) for row in logbook):
        raise bad("'logbook' must be a non-empty list of rows (objects)")
    if logbook[-1].get("gen") != generation:
        raise bad(f"its logbook ends at generation {json.dumps(logbook[-1].get('gen'))[:20]}, "
                  f"not {generation}")


def config_digest(config: dict[str, Any]) -> str:
    """Digest of the parts of a config that determine the run's trajectory (not where or
    when it ran, nor how many workers or which cluster: those do not change the result)."""
    keys = ("problem", "params", "algorithm", "pop", "generations", "seed", "checkpoint_every", "eval_timeout", "refine")
    return digest({k: jsonable(config.get(k)) for k in keys})


def rows_to_csv(rows: Sequence[dict[str, Any]]) -> str:
    if not rows:
        return ""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: ("" if v is None else v) for k, v in row.items()})
    return out.getvalue()


def front_to_csv(front: dict[str, Any]) -> str:
    """One row per member: index, objectives (with units in the header), each constraint's
    violation (``NAME (violation)``, 0 where it holds), total violation, the genome as
    compact JSON. A header that would repeat another column's (an objective named
    ``genome``, say) gets `` (objective)`` or `` (constraint)`` appended, so no column is
    lost to a reader that keys rows by header."""
    fixed = ("member", "total_violation", "genome")
    names: list[str] = []
    for o in front["objectives"]:
        name = f"{o['name']} [{o['unit']}]" if o.get("unit") else o["name"]
        while name in fixed or name in names:
            name += " (objective)"
        names.append(name)
    constraints = front.get("constraints") or []
    if any(len(m["violations"]) != len(constraints) for m in front["members"]):
        constraints = []  # a front without names for its constraints: the total only
    for c in constraints:
        name = f"{c} (violation)"
        while name in fixed or name in names:
            name += " (constraint)"
        names.append(name)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["member", *names, "total_violation", "genome"])
    for i, m in enumerate(front["members"]):
        writer.writerow([i, *("" if v is None else v for v in m["objectives"]),
                         *(m["violations"] if constraints else []), sum(m["violations"]),
                         json.dumps(m["genome"], separators=(",", ":"))])
    return out.getvalue()
