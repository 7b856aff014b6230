"""The lumped L matching section at the feed of an ``antenna-tdrs`` helix.

Two chip components between the 50 ohm line and the helix's feed gap: one element
``shunt`` across the antenna terminals (the gap), then one element in ``series`` with the
line. The port impedance is circuit theory on the antenna's impedance ``Z_a``::

    Z_in(f) = Z_series(f) + Z_a(f) Z_shunt(f) / (Z_a(f) + Z_shunt(f))

with ``Z = j 2 pi f L`` for an inductor and ``1 / (j 2 pi f C)`` for a capacitor (ideal,
lossless: the radiated pattern and gain are unchanged; only the mismatch is).
Topologies: ``shunt-l-series-c`` (high-pass, the default: it also gives the helix a DC
path to the ground plane, against charging) and ``shunt-c-series-l`` (low-pass). Why an
L section: with the helix's feed 12 wire radii above the ground plane its matching turn
is a ~190 ohm line, and helices sit near 90-100 ohm or above with +-40 ohm of reactance
across 2030-2300 MHz; a series element alone (an LD card on the source segment) or a
shunt alone barely changes the worst VSWR, while a shunt element at the antenna then a
series one of the other kind brings it from 2.43 to 1.39 on the seed-1 helix and below 2
on 55 of 60 random ones (``benchmarks/antenna_tdrs_match.py --networks``).

Component values are genes on a log10 scale over what S-band chip parts offer:
``L_RANGE_NH`` 0.5-20 nH, ``C_RANGE_PF`` 0.2-20 pF. NEC-2 has no card for a shunt
element across a delta-gap source inside a series one (an ``NT`` card's admittances are
fixed per frequency and a network on the source segment sits at the port), so the
exported deck holds the radiator and comment cards naming the section; NEC-2's impedance
of that deck goes through this same formula in ``benchmarks/antenna_tdrs_nec.py``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

#: topology -> (shunt element, series element), "C" capacitor or "L" inductor
TOPOLOGIES = {"shunt-c-series-l": ("C", "L"), "shunt-l-series-c": ("L", "C")}
#: realisable chip-component ranges at S-band
L_RANGE_NH = (0.5, 20.0)
C_RANGE_PF = (0.2, 20.0)
_UNIT = {"L": 1e-9, "C": 1e-12}
_NAME = {"L": "nH", "C": "pF"}


def element_impedance(kind: str, value: float, f: np.ndarray) -> np.ndarray:
    """Impedance (ohm) of an ideal inductor (``L``, henry) or capacitor (``C``, farad) at ``f`` (Hz)."""
    w = 2.0 * np.pi * np.asarray(f, float)
    return 1j * w * value if kind == "L" else 1.0 / (1j * w * value)


def gene_bounds(topology: str) -> tuple[list[float], list[float]]:
    """log10 of the (shunt, series) values in their display units (pF or nH): lower, upper."""
    rng = {"L": L_RANGE_NH, "C": C_RANGE_PF}
    kinds = TOPOLOGIES[topology]
    return [math.log10(rng[k][0]) for k in kinds], [math.log10(rng[k][1]) for k in kinds]


@dataclass(frozen=True)
class MatchNetwork:
    """An L section: ``shunt`` (F or H) across the antenna, then ``series`` (H or F) to the line."""

    topology: str
    shunt: float
    series: float

    @classmethod
    def from_genes(cls, topology: str, genes: np.ndarray) -> "MatchNetwork":
        sh, se = TOPOLOGIES[topology]
        g = np.asarray(genes, float)
        return cls(topology, 10.0 ** float(g[0]) * _UNIT[sh], 10.0 ** float(g[1]) * _UNIT[se])

    def input_impedance(self, z_antenna: np.ndarray, f: np.ndarray) -> np.ndarray:
        """Impedance (ohm) the line sees at ``f`` (Hz) for the antenna's ``z_antenna`` (same shape)."""
        sh, se = TOPOLOGIES[self.topology]
        za = np.asarray(z_antenna, complex)
        zs = element_impedance(sh, self.shunt, f).reshape(za.shape)
        return element_impedance(se, self.series, f).reshape(za.shape) + za * zs / (za + zs)

    def describe(self) -> dict[str, float | str]:
        sh, se = TOPOLOGIES[self.topology]
        return {"topology": self.topology, f"shunt_{_NAME[sh]}": round(self.shunt / _UNIT[sh], 4),
                f"series_{_NAME[se]}": round(self.series / _UNIT[se], 4)}

    def comment(self) -> str:
        """The deck's comment card naming the section."""
        sh, se = TOPOLOGIES[self.topology]
        name = {"L": "inductor", "C": "capacitor"}
        return (f"matching network (not in these cards; apply to the source's impedance): a "
                f"{self.shunt / _UNIT[sh]:.4g} {_NAME[sh]} {name[sh]} across the feed gap (tag 1 segment 1), then a "
                f"{self.series / _UNIT[se]:.4g} {_NAME[se]} {name[se]} in series to the 50 ohm line: Z_in = Z_series "
                f"+ Z Z_shunt / (Z + Z_shunt), ideal lossless parts")
