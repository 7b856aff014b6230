"""The pressure-vessel design problem as a gadesign plugin, written from docs/plugins.md alone.

A cylindrical vessel capped by hemispherical heads (Sandgren 1990; Kannan & Kramer 1994):
minimise the cost of material, forming and welding, in US dollars,

    f = 0.6224 Ts R L + 1.7781 Th R^2 + 3.1661 Ts^2 L + 19.84 Ts^2 R

over the shell and head thicknesses Ts, Th (inches, integer multiples of 0.0625 in: the
available rolled plate) and the inner radius R and length L of the cylinder (inches,
continuous, 10..200), subject to the ASME thickness rules and a minimum volume:

    g1 = 0.0193 R - Ts <= 0                          shell thickness for the hoop stress
    g2 = 0.00954 R - Th <= 0                         head thickness
    g3 = 1 296 000 - pi R^2 L - 4/3 pi R^3 <= 0      volume >= 1 296 000 in^3 (750 ft^3)
    g4 = L - 240 <= 0                                length

Best known design: Ts = 0.8125, Th = 0.4375, R = 42.0984, L = 176.6366, f = 6059.71.

The genome is a ``Composite``: an ``IntegerVector`` of plate counts (thickness = k/16 in)
and a ``RealVector`` of (R, L). ``constraint_values_many`` gives the signed g (<= 0
satisfied) so that ``--refine`` can polish R and L by SLSQP with the plates held fixed.

    gadesign evolve pressure-vessel --seed 1 --refine 1      (once registered)
    python examples/pressure_vessel_plugin.py                (from Python, seeds 1-5)

Budget: moving to a thinner plate needs R and L to change together, so an elitist GA
settles on one plate level; a population of 300 keeps several levels alive. With this
default (GA, 300 x 300, 90,300 evaluations) and ``refine=1``, seeds 1-5 give 6090.54,
6059.71, 6090.53, 6059.71 and 6090.53 (all within 0.6 %), seeds 6-10 (not used to
choose the budget) 6090.53, 6370.78, 6090.53, 6059.71, 6059.71 (one at +5.1 %); with
population 100 x 200 generations only 2 of seeds 1-5 come within 1 % (rerun on
2026-12-04; seeds 1 and 5 gave 6090.53 and 6091.41 when the budget was chosen).
"""

from __future__ import annotations

import math
from typing import Any, Sequence

import numpy as np

from gadesign.genomes import Composite, IntegerVector, RealVector
from gadesign.problem import Evaluation, Objective

PLATE = 0.0625  # in: thickness step of the available plate


class PressureVessel:
    """Pressure vessel: minimum cost with ASME thickness rules and a 750 ft^3 volume."""

    name = "pressure-vessel"
    objectives = (Objective("cost", "min", "USD"),)
    constraints = ("shell_thickness", "head_thickness", "volume", "length")
    defaults = {"algorithm": "ga", "pop": 300, "generations": 300}

    def __init__(self) -> None:
        self.genome = Composite({
            "plates": IntegerVector([1, 1], [99, 99]),         # Ts, Th in units of 1/16 in
            "shape": RealVector([10.0, 10.0], [200.0, 200.0]),  # R, L in inches
        })

    def decode(self, x: dict[str, np.ndarray]) -> dict[str, float]:
        """The design in inches."""
        ts, th = (float(v) * PLATE for v in x["plates"])
        r, length = (float(v) for v in x["shape"])
        return {"Ts_in": ts, "Th_in": th, "R_in": r, "L_in": length}

    def constraint_values_many(self, xs: Sequence[dict[str, np.ndarray]]) -> np.ndarray:
        """Signed constraints g (k x 4), each scaled to be O(1); g <= 0 is satisfied."""
        rows = []
        for x in xs:
            d = self.decode(x)
            ts, th, r, length = d["Ts_in"], d["Th_in"], d["R_in"], d["L_in"]
            volume = math.pi * r ** 2 * length + 4.0 / 3.0 * math.pi * r ** 3
            rows.append([(0.0193 * r - ts) / ts, (0.00954 * r - th) / th, 1.0 - volume / 1_296_000.0,
                         length / 240.0 - 1.0])
        return np.array(rows, dtype=float).reshape(len(xs), 4)

    def evaluate(self, x: dict[str, np.ndarray]) -> Evaluation:
        d = self.decode(x)
        ts, th, r, length = d["Ts_in"], d["Th_in"], d["R_in"], d["L_in"]
        cost = 0.6224 * ts * r * length + 1.7781 * th * r ** 2 + 3.1661 * ts ** 2 * length + 19.84 * ts ** 2 * r
        g = self.constraint_values_many([x])[0]
        return Evaluation((cost,), tuple(float(max(v, 0.0)) for v in g), {})

    def summary(self, x: dict[str, np.ndarray], evaluation: Evaluation) -> dict[str, Any]:
        return {k: round(v, 4) for k, v in self.decode(x).items()}


def pressure_vessel() -> PressureVessel:
    """Pressure vessel (Sandgren 1990): mixed discrete-continuous minimum cost."""
    return PressureVessel()


if __name__ == "__main__":
    from gadesign import evolve
    for seed in range(1, 6):
        result = evolve(pressure_vessel(), seed=seed, refine=1)
        (x, e), = result.front
        print(seed, f"{e.objectives[0]:.2f}", pressure_vessel().decode(x))
