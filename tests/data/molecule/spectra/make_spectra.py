"""Write the small spectrum files of this folder (run from the repository root):

    python tests/data/molecule/spectra/make_spectra.py

Every ion's peaks come from molmass' ``Formula.spectrum()`` (one centroid per nominal
isotope bin at its abundance-weighted m/z, as an instrument that does not resolve the
fine structure reports it), scaled to 1e6 counts for the bin sum and multiplied by
(1 + Normal(0, 0.02)); unrelated peaks are added around them. Fixed seed: the files are
reproducible byte for byte.

* ``run.mzML``: three centroided MS1 scans (mzML 1.1, zlib-compressed 64-bit arrays),
  scan 1 at 1.50 min: caffeine [M+H]+; scan 2 at 2.75 min: chlorpyrifos [M+H]+;
  scan 3 at 246 s (4.10 min, stored in seconds): BDE-47 [M-H]-.
* ``spectra.mgf``: two spectra, SCANS=7 (RTINSECONDS=312): leu-enkephalin [M+2H]2+,
  SCANS=8 (RTINSECONDS=420): amiodarone [M+H]+.
* ``peaks.csv``: one peak list, triclosan [M-H]- (the README's example).
"""

from __future__ import annotations

import base64
import zlib
from pathlib import Path

import molmass
import numpy as np

HERE = Path(__file__).resolve().parent
RNG_SEED = 15


def ion_peaks(ion: str, rng: np.random.Generator, scale: float = 1e6) -> list[tuple[float, float]]:
    spectrum = molmass.Formula(ion).spectrum(min_fraction=1e-7)       # m/z per bin: mass / |charge|
    return [(float(e.mz), scale * e.fraction * (1 + rng.normal(0, 0.02)))
            for e in spectrum.values() if e.fraction > 1e-5]


def with_noise(peaks: list[tuple[float, float]], rng: np.random.Generator) -> list[tuple[float, float]]:
    mono = peaks[0][0]
    extra = [(mono + d, float(rng.uniform(2e3, 6e4))) for d in (-7.41, -2.5, 0.41, 12.2, 30.05)]
    return sorted(peaks + extra)


def _array(values: np.ndarray) -> str:
    return base64.b64encode(zlib.compress(np.asarray(values, "<f8").tobytes())).decode("ascii")


def _binary(values: np.ndarray, accession: str, name: str, unit: str) -> str:
    data = _array(values)
    return (f'            <binaryDataArray encodedLength="{len(data)}">\n'
            '              <cvParam cvRef="MS" accession="MS:1000523" name="64-bit float" value=""/>\n'
            '              <cvParam cvRef="MS" accession="MS:1000574" name="zlib compression" value=""/>\n'
            f'              <cvParam cvRef="MS" accession="{accession}" name="{name}" value="" {unit}/>\n'
            f'              <binary>{data}</binary>\n'
            '            </binaryDataArray>\n')


def mzml(scans: list[tuple[int, float, str, str, list[tuple[float, float]]]]) -> str:
    """An mzML 1.1 document of centroided MS1 scans (scan, time, unit, polarity, peaks)."""
    units = {"minute": 'unitCvRef="UO" unitAccession="UO:0000031" unitName="minute"',
             "second": 'unitCvRef="UO" unitAccession="UO:0000010" unitName="second"'}
    polarity = {"+": ('MS:1000130', 'positive scan'), "-": ('MS:1000129', 'negative scan')}
    out = ['<?xml version="1.0" encoding="utf-8"?>\n',
           '<mzML xmlns="http://psi.hupo.org/ms/mzml" version="1.1.0" id="gadesign_test">\n',
           '  <cvList count="2">\n',
           '    <cv id="MS" fullName="Proteomics Standards Initiative Mass Spectrometry Ontology" '
           'version="4.1.0" URI="https://raw.githubusercontent.com/HUPO-PSI/psi-ms-CV/master/psi-ms.obo"/>\n',
           '    <cv id="UO" fullName="Unit Ontology" version="09:04:2014" '
           'URI="https://raw.githubusercontent.com/bio-ontology-research-group/unit-ontology/master/unit.obo"/>\n',
           '  </cvList>\n',
           '  <run id="run1">\n',
           f'    <spectrumList count="{len(scans)}">\n']
    for index, (scan, time, unit, sign, peaks) in enumerate(scans):
        mz = np.array([p[0] for p in peaks])
        inten = np.array([p[1] for p in peaks])
        acc, pol = polarity[sign]
        out += [f'      <spectrum index="{index}" id="controllerType=0 controllerNumber=1 scan={scan}" '
                f'defaultArrayLength="{len(mz)}">\n',
                '        <cvParam cvRef="MS" accession="MS:1000511" name="ms level" value="1"/>\n',
                '        <cvParam cvRef="MS" accession="MS:1000127" name="centroid spectrum" value=""/>\n',
                f'        <cvParam cvRef="MS" accession="{acc}" name="{pol}" value=""/>\n',
                '        <scanList count="1">\n',
                '          <cvParam cvRef="MS" accession="MS:1000795" name="no combination" value=""/>\n',
                '          <scan>\n',
                f'            <cvParam cvRef="MS" accession="MS:1000016" name="scan start time" value="{time}" '
                f'{units[unit]}/>\n',
                '          </scan>\n',
                '        </scanList>\n',
                '        <binaryDataArrayList count="2">\n',
                _binary(mz, "MS:1000514", "m/z array",
                        'unitCvRef="MS" unitAccession="MS:1000040" unitName="m/z"'),
                _binary(inten, "MS:1000515", "intensity array",
                        'unitCvRef="MS" unitAccession="MS:1000131" unitName="number of detector counts"'),
                '        </binaryDataArrayList>\n',
                '      </spectrum>\n']
    out += ['    </spectrumList>\n', '  </run>\n', '</mzML>\n']
    return "".join(out)


def mgf(spectra: list[tuple[int, float, int, list[tuple[float, float]]]]) -> str:
    out = []
    for scan, rt_s, charge, peaks in spectra:
        out += ["BEGIN IONS", f"TITLE=gadesign test scan {scan}", f"SCANS={scan}", f"RTINSECONDS={rt_s}",
                f"PEPMASS={peaks[0][0]:.6f}", f"CHARGE={abs(charge)}{'+' if charge > 0 else '-'}"]
        out += [f"{a:.6f} {b:.2f}" for a, b in sorted(peaks)]
        out += ["END IONS", ""]
    return "\n".join(out)


def main() -> None:
    rng = np.random.default_rng(RNG_SEED)
    caffeine = with_noise(ion_peaks("[C8H11N4O2]+", rng), rng)
    chlorpyrifos = with_noise(ion_peaks("[C9H12Cl3NO3PS]+", rng), rng)
    bde47 = with_noise(ion_peaks("[C12H5Br4O]-", rng), rng)
    (HERE / "run.mzML").write_text(mzml([(1, 1.5, "minute", "+", caffeine),
                                        (2, 2.75, "minute", "+", chlorpyrifos),
                                        (3, 246.0, "second", "-", bde47)]))
    enkephalin = with_noise(ion_peaks("[C28H39N5O7]2+", rng), rng)
    amiodarone = with_noise(ion_peaks("[C25H30I2NO3]+", rng), rng)
    (HERE / "spectra.mgf").write_text(mgf([(7, 312.0, 2, enkephalin), (8, 420.0, 1, amiodarone)]))
    triclosan = with_noise(ion_peaks("[C12H6Cl3O2]-", rng), rng)
    (HERE / "peaks.csv").write_text("mz,intensity\n" + "".join(f"{a:.6f},{b:.1f}\n" for a, b in triclosan))


if __name__ == "__main__":
    main()
