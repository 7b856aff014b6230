"""Antenna ports as a scikit-rf :class:`~skrf.network.Network`, and Touchstone export.

The short-circuit admittance matrix ``Y`` of the ports (one per source) gives the
S-parameters at a real reference impedance ``z0``: ``S = (I - z0 Y)(I + z0 Y)^-1``.
A one-source antenna is a one-port with ``S11 = (Z - z0) / (Z + z0)``, VSWR
``(1 + |S11|) / (1 - |S11|)`` and return loss ``-20 log10 |S11|`` dB.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from gadesign.atomic import atomic_write_text

if TYPE_CHECKING:
    import skrf

    from gadesign_problems.antenna.solution import Solution


def s_parameters(admittance: np.ndarray, z0: float = 50.0) -> np.ndarray:
    """(F, S, S) scattering matrices from (F, S, S) admittance matrices (siemens)."""
    eye = np.eye(admittance.shape[-1])
    zy = z0 * admittance
    return np.linalg.solve((eye + zy).transpose(0, 2, 1), (eye - zy).transpose(0, 2, 1)).transpose(0, 2, 1)


def vswr(z: np.ndarray, z0: float = 50.0) -> np.ndarray:
    """VSWR of impedances ``z`` (ohm) relative to ``z0``."""
    g = np.abs((z - z0) / (z + z0))
    with np.errstate(divide="ignore"):
        return (1.0 + g) / (1.0 - g)


def return_loss_db(z: np.ndarray, z0: float = 50.0) -> np.ndarray:
    """Return loss (dB, positive) of impedances ``z`` relative to ``z0``."""
    return -20.0 * np.log10(np.abs((z - z0) / (z + z0)))


def to_network(sol: "Solution", z0: float = 50.0, name: str | None = None) -> "skrf.Network":
    """The solution's ports as a scikit-rf Network (frequencies in Hz)."""
    import skrf

    freq = skrf.Frequency.from_f(sol.frequencies, unit="Hz")
    return skrf.Network(frequency=freq, s=s_parameters(sol.admittance, z0), z0=z0,
                        name=name or "antenna")


def one_port(z: np.ndarray, f: np.ndarray, z0: float = 50.0, name: str | None = None) -> "skrf.Network":
    """A one-port of impedances ``z`` (ohm) at ``f`` (Hz): ``S11 = (Z - z0) / (Z + z0)``."""
    import skrf

    s11 = ((np.asarray(z, complex) - z0) / (np.asarray(z, complex) + z0)).reshape(-1, 1, 1)
    return skrf.Network(frequency=skrf.Frequency.from_f(f, unit="Hz"), s=s11, z0=z0, name=name or "antenna")


def write_touchstone(sol: "Solution", path: str | Path, z0: float = 50.0) -> Path:
    """Write ``path`` (``.s1p`` for one source, ``.sNp`` for N) atomically. Touchstone
    lists frequencies in increasing order, each once: a deck whose FR cards run downwards
    or repeat a frequency (an FR step of 0) is written sorted, each frequency once (the
    repeats are the same solve)."""
    import skrf

    path = Path(path)
    f = np.asarray(sol.frequencies, float)
    keep = np.unique(f, return_index=True)[1]        # sorted, first of each repeat
    net = skrf.Network(frequency=skrf.Frequency.from_f(f[keep], unit="Hz"),
                       s=s_parameters(np.asarray(sol.admittance)[keep], z0), z0=z0, name=path.stem)
    return write_network(net, path)


def write_network(net: "skrf.Network", path: str | Path) -> Path:
    """Write the Touchstone file ``path`` (``.sNp`` for an N-port) of ``net`` atomically."""
    path = Path(path)
    n = net.nports
    if path.suffix.lower() != f".s{n}p":
        from gadesign_problems.antenna.nec import DeckError

        raise DeckError(f"{path}: a {n}-port antenna needs a .s{n}p file name")
    text = net.write_touchstone(return_string=True, skrf_comment=False)
    atomic_write_text(path, text)
    return path
