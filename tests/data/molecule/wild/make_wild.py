"""Writes ``waters_mse.mzML``: a minimal mzML in the Waters native-id style
(``function=N process=0 scan=K``, MS:1000769), where the scan numbers restart in every
function, as ProteoWizard msconvert writes an MSE run: function 1 (low energy) holds
caffeine's [M+H]+ envelope, function 2 (high energy, also MS1 spectra in msconvert's
output) its fragments, interleaved in time. No real Waters mzML small and free enough to
copy was found; this reproduces the id layout with psims. Run: python make_wild.py"""

from __future__ import annotations

from pathlib import Path

import molmass
from psims.mzml.writer import IndexedMzMLWriter

HERE = Path(__file__).resolve().parent


def envelope(ion: str, n: int = 4, scale: float = 1e6) -> list[tuple[float, float]]:
    spectrum = molmass.Formula(ion).spectrum(min_fraction=1e-9)
    first = min(spectrum.keys())
    return [(float(spectrum[first + k].mz), float(spectrum[first + k].fraction) * scale) for k in range(n)]


def main() -> None:
    caffeine = envelope("[C8H11N4O2]+")
    fragments = [(138.06619, 8e5), (110.07127, 2e5), (caffeine[0][0], 1e5)]
    with IndexedMzMLWriter(open(HERE / "waters_mse.mzML", "wb"), close=True) as out:
        out.controlled_vocabularies()
        out.file_description(["MS1 spectrum"])
        out.software_list([{"id": "psims-writer", "version": "1.4", "params": ["python-psims"]}])
        out.instrument_configuration_list([out.InstrumentConfiguration(id="IC1", component_list=[])])
        out.data_processing_list([out.DataProcessing([out.ProcessingMethod(
            order=1, software_reference="psims-writer", params=["Conversion to mzML"])], id="DP1")])
        with out.run(id="mse", instrument_configuration="IC1"):
            with out.spectrum_list(count=4):
                for scan in (1, 2):
                    for function, peaks in ((1, caffeine), (2, fragments)):
                        out.write_spectrum([m for m, _ in peaks], [i for _, i in peaks],
                                           id=f"function={function} process=0 scan={scan}",
                                           params=["MS1 spectrum", {"ms level": 1}, "centroid spectrum"],
                                           polarity="positive scan",
                                           scan_start_time=1.0 + 0.02 * (scan - 1) + 0.01 * (function - 1),
                                           compression="zlib")


if __name__ == "__main__":
    main()
