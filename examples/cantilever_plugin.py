"""A complete problem plugin: a solid round cantilever beam, mass vs tip deflection.

Deb's cantilever design problem (Deb, Multi-Objective Optimization using Evolutionary
Algorithms, 2001, §9.6): length l in [200, 1000] mm, diameter d in [10, 50] mm, a tip
load P = 1 kN, steel (rho = 7800 kg/m^3, E = 207 GPa). Minimise the mass
rho*pi*d^2*l/4 and the tip deflection delta = 64 P l^3 / (3 E pi d^4), with the bending
stress 32 P l / (pi d^3) <= 300 MPa and delta <= 5 mm.

Run it without registering anything:  python examples/cantilever_plugin.py
"""

import math

from gadesign.genomes import RealVector
from gadesign.problem import Evaluation, Objective


class Cantilever:
    """Cantilever beam: mass vs tip deflection under stress and deflection limits."""

    name = "cantilever"
    objectives = (Objective("mass", "min", "kg"), Objective("deflection", "min", "mm"))
    constraints = ("stress", "deflection_limit")
    reference_point = (3.5, 5.5)
    defaults = {"algorithm": "nsga2", "pop": 60, "generations": 60}

    def __init__(self, load_n: float = 1000.0, stress_limit_mpa: float = 300.0) -> None:
        self.load_n, self.stress_limit_mpa = load_n, stress_limit_mpa
        self.genome = RealVector([200.0, 10.0], [1000.0, 50.0])  # l [mm], d [mm]

    def decode(self, x):
        return {"length_mm": float(x[0]), "diameter_mm": float(x[1])}

    def evaluate(self, x) -> Evaluation:
        l, d = float(x[0]), float(x[1])  # mm
        mass = 7800e-9 * math.pi * d ** 2 * l / 4  # kg (7800 kg/m^3 = 7.8e-6 kg/mm^3)
        deflection = 64 * self.load_n * l ** 3 / (3 * 207e3 * math.pi * d ** 4)  # mm (E in N/mm^2)
        stress = 32 * self.load_n * l / (math.pi * d ** 3)  # N/mm^2 = MPa
        violations = (max(stress / self.stress_limit_mpa - 1, 0.0), max(deflection / 5.0 - 1, 0.0))
        return Evaluation((mass, deflection), violations, {"stress_mpa": stress})


def cantilever(load_n: float = 1000.0, stress_limit_mpa: float = 300.0) -> Cantilever:
    """Cantilever beam: mass vs tip deflection (Deb 2001)."""
    return Cantilever(load_n, stress_limit_mpa)


if __name__ == "__main__":
    from gadesign import evolve

    result = evolve(cantilever(), seed=1)
    for x, ev in result.front[:: max(1, len(result.front) // 8)]:
        print(f"l = {x[0]:6.1f} mm  d = {x[1]:5.2f} mm  mass = {ev.objectives[0]:.3f} kg  "
              f"deflection = {ev.objectives[1]:.4f} mm")
    print(f"{len(result.front)} designs, all feasible: {all(e.feasible for _, e in result.front)}")
