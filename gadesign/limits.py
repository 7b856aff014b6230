"""Size limits checked before anything is allocated.

A request that would take gigabytes or hours (``--pop 100000000``, ``--set
n_var=1000000000``, a deck with ten million frequencies) is refused up front with the
limit and how to raise it, instead of hanging or being killed for memory. Each limit has
a default sized for a workstation and an environment variable that overrides it, e.g.
``GADESIGN_MAX_POP=500000 gadesign evolve ...``. Plugins use :func:`check_limit` for
their own sizes (segments, frequencies, grid nodes).
"""

from __future__ import annotations

import os
from typing import Any

from gadesign.errors import ConfigError

#: name -> (default, what it limits); the environment variable is GADESIGN_MAX_<NAME>.
DEFAULTS: dict[str, tuple[int, str]] = {
    "POP": (100_000, "population size"),
    "PARAM": (10_000_000, "integer problem parameter"),
    "GENES": (50_000_000, "population x genome length"),
    "OBJECTIVES": (1_000, "objectives and constraints of a problem"),
    "GENERATIONS": (10_000_000, "generations of a run"),
    "WORKERS": (256, "worker processes"),
    "INPUT_MB": (256, "size of an input file, MB"),
}


class LimitError(ConfigError):
    """A requested size above its limit."""


def limit(name: str, default: int | None = None) -> int:
    """The limit ``name`` (``GADESIGN_MAX_<NAME>`` from the environment, else its default)."""
    env = f"GADESIGN_MAX_{name}"
    base = DEFAULTS[name][0] if default is None else default
    raw = os.environ.get(env)
    if raw is None or not raw.strip():
        return base
    try:
        value = int(float(raw))
    except ValueError:
        raise ConfigError(f"{env}={raw!r}: expected a whole number") from None
    if value < 1:
        raise ConfigError(f"{env}={raw!r}: must be >= 1")
    return value


def check_limit(name: str, value: float, what: str, default: int | None = None) -> None:
    """Refuse ``value`` above the limit ``name``; the message says how to raise it."""
    cap = limit(name, default)
    if value > cap:
        raise LimitError(f"{what}: {value:,.0f} is above the limit of {cap:,} "
                         f"(raise it with the environment variable GADESIGN_MAX_{name}=N)")


def genome_length(description: dict[str, Any]) -> int:
    """Number of genes of a genome from its ``describe()`` (0 when it does not say)."""
    if "parts" in description and isinstance(description["parts"], dict):
        return sum(genome_length(p) for p in description["parts"].values() if isinstance(p, dict))
    if isinstance(description.get("gene"), dict) and isinstance(description.get("max_len"), int):
        return description["max_len"] * max(1, genome_length(description["gene"]))
    for key in ("n", "n_var", "max_length", "length"):
        value = description.get(key)
        if isinstance(value, int) and not isinstance(value, bool):
            return value
    return 0
