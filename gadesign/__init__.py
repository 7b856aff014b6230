"""gadesign: generative design by evolutionary search."""

__version__ = "0.1.0"


def evolve(*args, **kwargs):  # type: ignore[no-untyped-def]
    """Evolve a Problem object in memory; see :func:`gadesign.api.evolve`."""
    from gadesign.api import evolve as _evolve
    return _evolve(*args, **kwargs)
