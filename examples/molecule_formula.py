"""Which formula has [M+H]+ = 152.0706 with this isotope pattern? (paracetamol, C8H9NO2)

Only three peaks were measured (M+0, M+1, M+2): they are compared as three, the rest of
the pattern is unknown. Then an ion read from a spectrum file (triclosan [M-H]-, a peak
list the project ships) with its monoisotopic peak found in the file.

Run: python examples/molecule_formula.py   (a few seconds)
"""

from pathlib import Path

from gadesign_problems.molecule.formula import Formula
from gadesign_problems.molecule.query import Query, Scoring
from gadesign_problems.molecule.search import exact_search
from gadesign_problems.molecule.spectrum import find_envelope, read_spectrum

query = Query.build(152.0706, adduct="[M+H]+", ppm=5.0, pattern=[0.909, 0.083, 0.007],
                    scoring=Scoring(mass_accuracy_ppm=3.0))
candidates, stats = exact_search(query, top=5)
print(f"{stats}")
for c in candidates:
    print(f"{c.formula:12s} {c.ppm:+6.2f} ppm  mass -2lnL {c.mass_term:5.2f}  isotope -2lnL {c.isotope_term:6.2f}"
          f"  prior {c.prior_term:5.2f}  rules {c.rule_term:5.2f}  score {c.score:.3g}")
best = Formula(candidates[0].formula)
print(f"{best}: monoisotopic {best.monoisotopic_mass:.6f} Da, RDBE {best.rdbe}")

peaks_csv = Path(__file__).resolve().parents[1] / "tests" / "data" / "molecule" / "spectra" / "peaks.csv"
if peaks_csv.exists():                       # present in a clone of the repository
    peaks = read_spectrum(peaks_csv)
    envelope = find_envelope(peaks.mz, peaks.intensity, charge=-1)
    query = Query.build(envelope.mono_mz, adduct="[M-H]-", pattern=envelope.pattern, elements="CHNOPSCl")
    found, _ = exact_search(query, top=3)
    print(f"{peaks.source}: monoisotopic m/z {envelope.mono_mz:.4f}, {len(envelope.pattern)} peaks -> "
          + ", ".join(c.formula for c in found))
