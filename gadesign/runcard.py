"""The run card ``run.json``: what ran, where, with what, how long, and how well.

Written at the end of every run (and again after ``resume``), beside ``config.json``::

    {"schema": 1, "kind": "gadesign-run-card",
     "problem": {"name", "distribution", "version"},
     "gadesign": {"version", "git_commit", "git_dirty"},
     "python": "3.11.7", "packages": {name: version},        # gadesign's core dependencies
     "machine": {"cores", "platform", "machine"},
     "seed", "algorithm": {"name", "pop", "generations", "checkpoint_every", "workers", "refine", ...},
     "started", "finished",                                  # UTC, ISO 8601
     "evaluations", "wall_time_s", "evaluations_per_s",
     "hypervolume": {"value", "reference_point"} | null,     # of the final feasible front
     "front_size", "description", "cite"}

``hypervolume.reference_point`` is in the objectives' own units and directions; it is the
point the engine fixed for the run (the problem's ``reference_point``, else generation 0's
worst values pushed out by 10 %), so ``gadesign compare`` can recompute the same value.
The card describes; it never steers a run (``config.json`` does).
"""

from __future__ import annotations

import os
import platform
import re
import subprocess
import sys
from datetime import datetime, timezone
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import Any, Sequence

import numpy as np

import gadesign
from gadesign.indicators import hypervolume

SCHEMA = 1
KIND = "gadesign-run-card"
MAX_HV_OBJECTIVES = 6  # exact hypervolume beyond this is too slow to put on a card


def now() -> str:
    """The current UTC time, ISO 8601 to the second."""
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


@lru_cache(maxsize=1)
def git_commit() -> tuple[str | None, bool | None]:
    """(commit, dirty) of the git checkout gadesign runs from, or (None, None) when it is
    an installed copy or git is not available."""
    root = Path(gadesign.__file__).resolve().parent.parent
    if not (root / ".git").exists():
        return None, None
    try:
        commit = subprocess.run(["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True, text=True,
                                timeout=10, check=True).stdout.strip()
        status = subprocess.run(["git", "-C", str(root), "status", "--porcelain", "--untracked-files=no"],
                                capture_output=True, text=True, timeout=10, check=True).stdout
    except (OSError, subprocess.SubprocessError):
        return None, None
    return (commit or None), bool(status.strip())


def package_versions() -> dict[str, str]:
    """Installed versions of gadesign's core dependencies, and of its optional ones
    (``chem``, ``dask`` extras) that this process has imported (read from metadata)."""
    import sys

    try:
        requires = metadata.requires("gadesign") or []
    except metadata.PackageNotFoundError:
        return {}
    loaded: set[str] = set()
    mapping = metadata.packages_distributions()
    for module in {m.split(".", 1)[0] for m in list(sys.modules)}:
        loaded.update(d.lower() for d in mapping.get(module, ()))
    out: dict[str, str] = {}
    for req in requires:
        name = re.split(r"[\s\[<>=!~;(]", req.strip(), maxsplit=1)[0]
        if name in out or ("extra ==" in req and name.lower() not in loaded):
            continue
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return out


def problem_distribution(name: str) -> dict[str, Any]:
    """The distribution that registers problem ``name`` and its version."""
    from gadesign.registry import problem_entries

    entry = problem_entries().get(name)
    dist = getattr(entry.entry_point, "dist", None) if entry is not None else None
    if dist is None:
        return {"name": name, "distribution": None, "version": None}
    return {"name": name, "distribution": dist.metadata["Name"], "version": dist.version}


def objective_signs(front: dict[str, Any]) -> np.ndarray:
    """+1 for each minimised objective of a front file, -1 for each maximised one."""
    return np.array([1.0 if o["direction"] == "min" else -1.0 for o in front["objectives"]])


def feasible_minimisation(front: dict[str, Any]) -> np.ndarray:
    """The feasible members' objectives (n x m), turned into minimisation (maxima negated)."""
    F = np.array([m["objectives"] for m in front["members"] if sum(m["violations"]) <= 0], dtype=float)
    return F.reshape(-1, len(front["objectives"])) * objective_signs(front)


def front_hypervolume(front: dict[str, Any], reference: Sequence[float] | None) -> float | None:
    """Hypervolume of the feasible members of ``front`` w.r.t. ``reference`` (both in the
    objectives' own directions); None for one objective, too many, or no reference."""
    objectives = front["objectives"]
    if reference is None or not 1 < len(objectives) <= MAX_HV_OBJECTIVES or len(reference) != len(objectives):
        return None
    F = feasible_minimisation(front)
    if F.size == 0:
        return 0.0
    return hypervolume(F, np.asarray(reference, dtype=float) * objective_signs(front))


def make_card(config: dict[str, Any], front: dict[str, Any], logbook: Sequence[dict[str, Any]],
              reference: Sequence[float] | None, started: str, wall_time_s: float) -> dict[str, Any]:
    """The run card of a finished run (``config`` as in config.json)."""
    commit, dirty = git_commit()
    last = logbook[-1] if logbook else {}
    evaluations = int(last.get("evals", 0) or 0)
    hv = front_hypervolume(front, reference)
    return {
        "schema": SCHEMA, "kind": KIND,
        "problem": problem_distribution(str(config["problem"])),
        "params": config.get("params") or {},
        "gadesign": {"version": gadesign.__version__, "git_commit": commit, "git_dirty": dirty},
        "python": platform.python_version(), "packages": package_versions(),
        "machine": {"cores": os.cpu_count(), "platform": platform.platform(), "machine": platform.machine(),
                    "implementation": sys.implementation.name},
        "seed": config.get("seed"),
        "algorithm": {k: config.get(k) for k in ("algorithm", "pop", "generations", "checkpoint_every", "workers",
                                                 "dask", "eval_timeout", "refine")},
        "started": started, "finished": now(),
        "evaluations": evaluations, "wall_time_s": round(float(wall_time_s), 3),
        "evaluations_per_s": round(evaluations / wall_time_s, 3) if wall_time_s > 0 else None,
        "hypervolume": None if hv is None else {"value": hv, "reference_point": [float(v) for v in reference or ()]},
        "front_size": len(front["members"]),
        "description": config.get("description") or "",
        "cite": config.get("cite") or "",
    }


def card_rows(card: dict[str, Any]) -> list[tuple[str, str]]:
    """(label, text) pairs of a card for tables (report, show)."""
    alg = card.get("algorithm") or {}
    hv = card.get("hypervolume")
    prob = card.get("problem") or {}
    gd = card.get("gadesign") or {}
    rows = [
        ("problem", f"{prob.get('name')} ({prob.get('distribution') or '?'} {prob.get('version') or ''})".strip()),
        ("parameters", ", ".join(f"{k}={v!r}" for k, v in (card.get("params") or {}).items()) or "defaults"),
        ("description", card.get("description") or "—"),
        ("cite", card.get("cite") or "—"),
        ("algorithm", f"{alg.get('algorithm')}, pop {alg.get('pop')}, {alg.get('generations')} generations"),
        ("seed", str(card.get("seed"))),
        ("evaluations", f"{card.get('evaluations')} in {card.get('wall_time_s')} s "
                        f"({card.get('evaluations_per_s')} per s)"),
        ("hypervolume", "—" if not hv else f"{hv['value']:.6g} (reference point {hv['reference_point']})"),
        ("front", f"{card.get('front_size')} design{'' if card.get('front_size') == 1 else 's'}"),
        ("started / finished", f"{card.get('started')} / {card.get('finished')} (UTC)"),
        ("gadesign", f"{gd.get('version')}" + (f", commit {gd['git_commit'][:12]}" if gd.get("git_commit") else "")
         + (" (uncommitted changes)" if gd.get("git_dirty") else "")),
        ("python / machine", f"{card.get('python')}, {(card.get('machine') or {}).get('cores')} cores, "
                             f"{(card.get('machine') or {}).get('platform')}"),
        ("packages", ", ".join(f"{k} {v}" for k, v in (card.get("packages") or {}).items())),
    ]
    return rows
