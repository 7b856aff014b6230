"""The exception family of gadesign.

Every error a user can cause (bad input, bad configuration, a corrupt file) is a
:class:`GadesignError`. The CLI prints such errors as one red line and exits with
code 2; anything else is a bug and shows a traceback only with ``--debug``.
Plugins subclass :class:`GadesignError` for their own families (e.g. a deck error).
"""

from __future__ import annotations


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
