"""Which formula has [M+H]+ = 152.0706 with this isotope pattern? (paracetamol, C8H9NO2)

Run: python examples/molecule_formula.py   (a few seconds)
"""

from gadesign_problems.molecule.formula import Formula
from gadesign_problems.molecule.query import Query
from gadesign_problems.molecule.search import exact_search

query = Query.build(152.0706, adduct="[M+H]+", ppm=5.0, pattern=[0.909, 0.083, 0.007])
candidates, stats = exact_search(query, top=5)
print(f"{stats}")
for c in candidates:
    print(f"{c.formula:12s} {c.ppm:+6.2f} ppm  isotope mismatch {c.isotope_mismatch:.3f}  score {c.score:.3f}")

best = Formula(candidates[0].formula)
print(f"{best}: monoisotopic {best.monoisotopic_mass:.6f} Da, RDBE {best.rdbe}")
