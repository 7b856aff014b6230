"""Run configuration files (TOML): ``gadesign evolve --config run.toml``.

One file holds every ``evolve`` option and the problem's parameters::

    problem = "zdt1"
    algorithm = "nsga2"          # optional, like every key but problem
    pop = 100
    generations = 250
    seed = 1
    checkpoint_every = 10
    workers = 1
    # dask = "local:4"; eval_timeout = 30.0; refine = 0; out = "results/my-run"
    description = "ZDT1 baseline"
    cite = "doi:10.1162/106365600568202"

    [params]                      # the --set parameters of the problem
    n = 30

Options given on the command line override the file; ``--set`` overrides single
parameters. Every run directory gets the *effective* configuration as ``config.toml``,
so ``gadesign evolve --config results/<run>/config.toml --out other`` reruns it (the
same seed gives the byte-identical ``front.json``). Input files named in ``[params]``
with a relative path are looked up beside the config file first (a run directory keeps
its inputs in ``inputs/``). An unknown key is an error naming the closest valid one.
TOML has no null: an option left at its default is simply absent.
"""

from __future__ import annotations

import difflib
import sys
from pathlib import Path
from typing import Any

from gadesign.atomic import atomic_write_text
from gadesign.errors import ConfigError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

#: Top-level keys and the Python types their values may have.
KEYS: dict[str, tuple[type, ...]] = {
    "problem": (str,), "algorithm": (str,), "pop": (int,), "generations": (int,), "seed": (int,),
    "checkpoint_every": (int,), "workers": (int, str), "dask": (str,), "eval_timeout": (int, float),
    "refine": (int,), "description": (str,), "cite": (str,), "out": (str,), "params": (dict,),
}
#: The keys written to a run's config.toml, in this order (``out`` is where, not what).
WRITTEN = ("problem", "algorithm", "pop", "generations", "seed", "checkpoint_every", "workers", "dask",
           "eval_timeout", "refine", "description", "cite")


def closest(key: str, valid: list[str]) -> str:
    """`` (did you mean 'x'?)`` for the valid key nearest to ``key``, else the list of keys."""
    near = difflib.get_close_matches(key, valid, n=1, cutoff=0.5)
    return f" (did you mean {near[0]!r}?)" if near else f" (valid keys: {', '.join(valid)})"


def read_config(path: str | Path) -> dict[str, Any]:
    """The checked contents of a TOML config file; relative input-file paths in
    ``params`` are made relative to the file's folder when the file exists there."""
    from gadesign.paths import check_input_file

    p = check_input_file(path, "config file")
    try:
        text = p.read_text(encoding="utf-8-sig")  # a byte-order mark (Windows editors) is not content
        data = tomllib.loads(text)
    except UnicodeDecodeError:
        raise ConfigError(f"{p}: not a text file (a TOML config file is UTF-8 text)") from None
    except tomllib.TOMLDecodeError as exc:
        hint = (" (this looks like JSON: --config takes a TOML file, such as a run's config.toml)"
                if text.lstrip().startswith(("{", "[{")) else "")
        raise ConfigError(f"{p}: not valid TOML ({exc}){hint}") from None
    except RecursionError:
        raise ConfigError(f"{p}: not a config file (nested too deeply)") from None
    for key, value in data.items():
        if key not in KEYS:
            raise ConfigError(f"{p}: unknown key {key!r}{closest(key, list(KEYS))}")
        types = KEYS[key]
        if isinstance(value, bool) or not isinstance(value, types):
            want = " or ".join({"str": "a string", "int": "an integer", "float": "a number",
                                "dict": "a table ([params])"}[t.__name__] for t in types)
            raise ConfigError(f"{p}: key {key!r} must be {want}, got {value!r}"[:300])
    params = dict(data.get("params") or {})
    if "problem" in data:
        _check_params(p, str(data["problem"]), params)
    data["params"] = params
    return data


def _check_params(path: Path, problem: str, params: dict[str, Any]) -> None:
    """Parameter names against the problem's factory (unknown name: closest valid one);
    relative input-file paths resolved beside the config file when they exist there."""
    from gadesign.registry import problem_entries

    entry = problem_entries().get(problem)
    if entry is None:
        return  # make_problem names the unknown problem and the known ones
    valid = list(entry.parameters())
    for key in params:
        if key not in valid:
            hint = closest(key, valid) if valid else " (the problem takes no parameters)"
            raise ConfigError(f"{path}: [params] unknown parameter {key!r} of problem {problem!r}{hint}")
    for key in entry.input_files():
        value = params.get(key)
        if isinstance(value, str) and value and not Path(value).is_absolute():
            beside = path.parent / value
            if beside.is_file():
                params[key] = str(beside)


def merge(file: dict[str, Any], cli: dict[str, Any], cli_params: dict[str, Any]) -> dict[str, Any]:
    """The effective options: ``cli`` values that are not None override ``file``; the
    ``--set`` parameters override the file's ``[params]`` one by one."""
    out = {k: v for k, v in file.items() if k != "params"}
    out.update({k: v for k, v in cli.items() if v is not None})
    out["params"] = {**(file.get("params") or {}), **cli_params}
    return out


def config_toml(config: dict[str, Any]) -> str:
    """TOML text of a run's effective configuration (``config.json``'s content)."""
    import tomli_w

    from gadesign.runstore import jsonable

    body: dict[str, Any] = {}
    for key in WRITTEN:
        value = config.get(key)
        if value is None or (key in ("description", "cite") and value == ""):
            continue
        body[key] = value
    params: dict[str, Any] = {}
    skipped: list[str] = []
    for key, value in jsonable(config.get("params") or {}).items():
        try:
            tomli_w.dumps({key: value})
        except TypeError:  # None (alone or inside a list): TOML has no null
            skipped.append(key)
            continue
        params[key] = value
    body["params"] = params
    head = ("# gadesign run configuration: rerun with `gadesign evolve --config <this file> --out <new folder>`\n"
            "# command-line options override these values; see `gadesign problems NAME` for [params]\n")
    for key in skipped:
        head += f"# [params] {key} = None cannot be written in TOML; the problem's default applies\n"
    return head + tomli_w.dumps(body)


def write_config_toml(path: str | Path, config: dict[str, Any]) -> Path:
    """Write ``config.toml`` atomically."""
    return atomic_write_text(path, config_toml(config))
