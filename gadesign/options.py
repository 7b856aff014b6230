"""Option checks shared by every command, engine and plugins alike.

One rule per kind of value, one wording per rule, so ``--workers 0`` reads the same in
``evolve`` and ``resume`` and ``--pop 0`` the same in ``evolve`` and ``molecule formula``.
Each check raises :class:`~gadesign.errors.ConfigError` (exit code 2) and is meant to run
before any work starts. ``None`` (an option left at "the default") always passes.
"""

from __future__ import annotations

import math

from gadesign.errors import ConfigError


def at_least(value: int | float | None, option: str, minimum: int | float) -> None:
    """``value >= minimum`` (and a real number)."""
    if value is None:
        return
    if isinstance(value, float) and not math.isfinite(value):
        raise ConfigError(f"{option} must be a finite number >= {minimum}, got {value}")
    if value < minimum:
        raise ConfigError(f"{option} must be >= {minimum}, got {value}")


def positive(value: float | None, option: str, unit: str = "", maximum: float | None = None) -> None:
    """``0 < value < inf`` (and ``<= maximum``); ``unit`` is named in the message."""
    if value is None:
        return
    if not (math.isfinite(value) and value > 0):
        raise ConfigError(f"{option} must be > 0{unit}, got {value}")
    if maximum is not None and value > maximum:
        raise ConfigError(f"{option} must be at most {maximum:g}{unit}, got {value:g}")


def finite(value: float | None, option: str) -> None:
    """A real number (not NaN or infinity)."""
    if value is not None and not math.isfinite(value):
        raise ConfigError(f"{option} must be a finite number, got {value}")


def seed(value: object, option: str = "--seed") -> None:
    """A random seed: an int >= 0 (numpy's generators refuse negative ones with their own
    ValueError), or None for fresh entropy."""
    import numbers

    if value is None:
        return
    if not isinstance(value, numbers.Integral) or isinstance(value, bool):
        raise ConfigError(f"{option} must be an int, got {value!r}")
    at_least(int(value), option, 0)


def workers(value: int | None, option: str = "--workers") -> None:
    """Worker processes: at least one, at most the WORKERS limit (each is a process)."""
    from gadesign.limits import check_limit

    at_least(value, option, 1)
    if value is not None:
        check_limit("WORKERS", value, option)


def population(value: int | None, option: str = "--pop", minimum: int = 4) -> None:
    """A population size: at least ``minimum`` and at most the POP size limit."""
    from gadesign.limits import check_limit

    if value is None:
        return
    if value < minimum:
        raise ConfigError(f"{option} must be at least {minimum}, got {value}")
    check_limit("POP", value, option)


def generations(value: int | None, option: str = "--generations") -> None:
    """A generation budget: zero (initial population only) or more, at most the
    GENERATIONS limit (the logbook keeps a row per generation)."""
    from gadesign.limits import check_limit

    at_least(value, option, 0)
    if value is not None:
        check_limit("GENERATIONS", value, option)


def index(value: int, option: str, count: int, what: str) -> None:
    """A 0-based index into ``count`` things."""
    if not 0 <= value < count:
        raise ConfigError(f"{option} {value}: must be 0..{count - 1} ({count} {what})" if count
                          else f"{option} {value}: there are no {what}")
