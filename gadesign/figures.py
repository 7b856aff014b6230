"""Saving matplotlib figures, for the engine and for plugins alike, without choosing a
backend (:mod:`gadesign.plots` selects Agg; a plugin imported in a notebook must not)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from gadesign.atomic import atomic_path


def save_figure(fig: Any, path: str | os.PathLike[str], dpi: int = 120, **savefig: Any) -> Path:
    """Write ``fig`` to ``path`` atomically (``bbox_inches="tight"``; more ``savefig``
    options as keywords) and close it. The format follows the target's suffix (none:
    PNG), never the temporary file's name."""
    import matplotlib.pyplot as plt

    path = Path(path)
    with atomic_path(path) as tmp:
        fig.savefig(tmp, dpi=dpi, bbox_inches="tight", format=path.suffix.lstrip(".").lower() or "png", **savefig)
    plt.close(fig)
    return path
