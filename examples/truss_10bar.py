"""The classic 10-bar truss: analyse a published design, then evolve a lighter-or-equal one.

Run: python examples/truss_10bar.py   (a few seconds)
"""

from gadesign import evolve
from gadesign.registry import make_problem
from gadesign_problems.truss.problems import load_benchmark

# 1. The FEM library on its own: the best known design (Haftka & Gurdal's 5060.85 lb)
truss = load_benchmark("tenbar.json")
published = [30.52, 0.1, 23.2, 15.22, 0.1, 0.551, 7.457, 21.04, 21.53, 0.1]  # in^2, rounded as printed
result = truss.analyze(published)
print(f"published design: {result.weight:.2f} lb, max stress ratio {result.max_stress_ratio:.4f}, "
      f"max displacement ratio {result.max_displacement_ratio:.4f}")

# 2. The same problem evolved (GA, then SLSQP on the best design)
run = evolve(make_problem("truss-10bar"), seed=1, refine=1)
(areas, evaluation), = run.front
print(f"evolved design:   {evaluation.objectives[0]:.2f} lb, feasible: {evaluation.feasible}")
print("areas [in^2]:", ", ".join(f"{a:.3f}" for a in areas))
