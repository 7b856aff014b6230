"""The truss error family.

:class:`TrussError` is a bad truss (a schema error, a zero-length member, a load on a
node that no member reaches); :class:`UnstableTrussError` is a truss that cannot carry
its loads (a mechanism, or a part not connected to the supports). Both are
:class:`~gadesign.errors.GadesignError`, so the CLI prints one red line and exits 2.
Inside an evolve run they become infeasible evaluations with ``info["reason"]``.
"""

from __future__ import annotations

from gadesign.errors import GadesignError


class TrussError(GadesignError):
    """A truss definition or design that cannot be analysed as given."""


class TrussSchemaError(TrussError):
    """A truss JSON file that does not follow the schema; the message names the field."""


class UnstableTrussError(TrussError):
    """A kinematically unstable truss: a mechanism or a part detached from the supports.

    ``modes`` holds the free modes found (each an ``(N, d)`` array of nodal
    displacements, unit norm), empty when the instability was found from connectivity.
    """

    def __init__(self, message: str, modes: list | None = None) -> None:
        super().__init__(message)
        self.modes = list(modes or [])
