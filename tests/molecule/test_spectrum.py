"""Spectrum files (mzML, MGF, CSV/TSV) and isotope-envelope finding, against molmass."""

from __future__ import annotations

import json

import molmass
import numpy as np
import pytest
from typer.testing import CliRunner

from gadesign_problems.molecule.cli import app
from gadesign_problems.molecule.formula import FormulaError
from gadesign_problems.molecule.spectrum import _centroid, find_envelope, read_spectrum

from .conftest import DATA

SPECTRA = DATA / "spectra"


def molmass_bins(ion: str, n: int) -> tuple[float, np.ndarray]:
    spectrum = molmass.Formula(ion).spectrum(min_fraction=1e-12)
    first = min(spectrum.keys())
    p = np.array([spectrum[first + k].fraction if first + k in spectrum else 0.0 for k in range(n)])
    return float(spectrum[first].mz), p / p.sum()


@pytest.mark.parametrize("scan,rt,ion,charge", [
    (1, None, "[C8H11N4O2]+", 1),          # caffeine [M+H]+
    (None, 2.7, "[C9H12Cl3NO3PS]+", 1),    # chlorpyrifos [M+H]+ (nearest RT 2.75 min)
    (None, 4.0, "[C12H5Br4O]-", -1),       # BDE-47 [M-H]-: its time is stored in seconds (246 s)
])
def test_mzml_spectrum_by_scan_or_time(scan, rt, ion, charge):
    peaks = read_spectrum(SPECTRA / "run.mzML", scan=scan, rt=rt)
    envelope = find_envelope(peaks.mz, peaks.intensity, charge=charge)   # monoisotopic peak found
    mono, expected = molmass_bins(ion, len(envelope.pattern))
    assert envelope.mono_mz == pytest.approx(mono, abs=1e-6)
    known = ~np.isnan(envelope.pattern)
    # 2 % intensity noise in the file: every bin within 3 sigma (6 %) of itself, or 3e-4
    assert np.all(np.abs(envelope.pattern[known] - expected[known] / expected[known].sum())
                  <= 0.06 * expected[known] + 3e-4)


def test_mgf_doubly_charged_envelope_has_half_spacing():
    peaks = read_spectrum(SPECTRA / "spectra.mgf", scan=7)
    envelope = find_envelope(peaks.mz, peaks.intensity, charge=2)
    mono, expected = molmass_bins("[C28H39N5O7]2+", len(envelope.pattern))   # leu-enkephalin [M+2H]2+
    assert envelope.mono_mz == pytest.approx(mono, abs=1e-6)
    steps = np.diff([m for m in envelope.peaks_mz if m is not None])
    assert np.all(np.abs(steps - 0.5017) < 0.003)
    assert np.abs(envelope.pattern[:3] - expected[:3]).max() < 0.02
    by_time = read_spectrum(SPECTRA / "spectra.mgf", rt=7.0)      # RTINSECONDS=420
    assert by_time.source.endswith("scan 8, RT 7.000 min")


def test_spectrum_choice_and_damaged_files(tmp_path):
    with pytest.raises(FormulaError, match="holds 3 spectra"):
        read_spectrum(SPECTRA / "run.mzML")
    with pytest.raises(FormulaError, match="no spectrum with scan number 9"):
        read_spectrum(SPECTRA / "run.mzML", scan=9)
    with pytest.raises(FormulaError, match="--scan and --rt apply"):
        read_spectrum(SPECTRA / "peaks.csv", scan=1)
    cut = tmp_path / "cut.mzML"
    cut.write_text((SPECTRA / "run.mzML").read_text()[:1500])
    with pytest.raises(FormulaError, match="cannot read cut.mzML as mzML"):
        read_spectrum(cut, scan=1)
    junk = tmp_path / "junk.mgf"
    junk.write_bytes(b"BEGIN IONS\nPEPMASS=abc\n1.0 x\nEND IONS\n")
    with pytest.raises(FormulaError, match="junk.mgf"):
        read_spectrum(junk)
    with pytest.raises(FormulaError, match="does not exist"):
        read_spectrum(tmp_path / "none.mzML")
    with pytest.raises(FormulaError, match="not a text peak list"):
        (tmp_path / "bin.csv").write_bytes(b"\xff\xfe\x00\x81")
        read_spectrum(tmp_path / "bin.csv")
    tsv = tmp_path / "p.tsv"
    tsv.write_text("m/z\tintensity\n100.0\t5\n101.003\t1\n")
    assert read_spectrum(tsv).mz.tolist() == [100.0, 101.003]


def test_missing_bins_end_the_envelope_and_gaps_are_zero():
    mz = np.array([200.0, 201.0034, 203.0, 205.1])       # M+2 missing, M+3 present, M+5 far
    inten = np.array([100.0, 10.0, 1.0, 50.0])
    env = find_envelope(mz, inten, mono_mz=200.0)
    assert len(env.pattern) == 4                        # M+0..M+3; M+4, M+5 empty: not measured
    assert env.pattern[2] == 0.0 and env.pattern[3] > 0


def test_profile_centroiding_recovers_peak_centres():
    x = np.arange(300.0, 302.0, 0.001)
    centres = (300.5123, 301.5157)
    y = sum(h * np.exp(-0.5 * ((x - c) / 0.004) ** 2) for c, h in zip(centres, (1.0, 0.3)))
    cmz, cint = _centroid(x, y)
    top = cmz[np.argsort(cint)[-2:]]
    assert np.allclose(sorted(top), centres, atol=2e-4)


def cli_json(*args: str) -> dict:
    result = CliRunner().invoke(app, ["formula", *args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_cli_reads_a_spectrum_without_a_mass():
    doc = cli_json("--spectrum", str(SPECTRA / "run.mzML"), "--rt", "2.7", "--adduct", "[M+H]+",
                   "--elements", "CHNOPSCl", "--top", "3")
    assert doc["candidates"][0]["formula"] == "C9H11Cl3NO3PS"         # chlorpyrifos
    assert doc["query"]["value"] == pytest.approx(molmass.Formula("[C9H12Cl3NO3PS]+").monoisotopic_mass, abs=1e-5)
    doc = cli_json("--spectrum", str(SPECTRA / "spectra.mgf"), "--scan", "7", "--charge", "2", "--top", "3")
    assert doc["query"]["adduct"] == "[M+2H]2+"
    assert "C28H37N5O7" in [c["formula"] for c in doc["candidates"]]     # leu-enkephalin


def test_reading_mzml_prints_no_warning():
    import subprocess
    import sys

    code = ("from gadesign_problems.molecule.spectrum import read_spectrum; "
            f"read_spectrum({str(SPECTRA / 'run.mzML')!r}, scan=2); "
            f"read_spectrum({str(SPECTRA / 'spectra.mgf')!r}, scan=8)")
    done = subprocess.run([sys.executable, "-W", "always", "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and "Warning" not in done.stderr, done.stderr


@pytest.mark.parametrize("kwargs, words", [
    ({"rt": float("nan")}, "--rt must be a retention time >= 0 minutes, got nan"),
    ({"rt": float("inf")}, "--rt must be a retention time >= 0 minutes, got inf"),
    ({"rt": -1.0}, "--rt must be a retention time >= 0 minutes, got -1.0"),
    ({"rt": 2.7, "scan": 1}, "give --scan or --rt, not both"),
])
def test_a_retention_time_that_cannot_pick_a_spectrum_is_refused(kwargs, words):
    """NaN is never nearer than anything, so --rt nan silently took the first spectrum; with
    --scan and --rt both, --scan won without a word."""
    with pytest.raises(FormulaError) as exc:
        read_spectrum(SPECTRA / "run.mzML", **kwargs)
    assert words in str(exc.value)
    assert "scan" in read_spectrum(SPECTRA / "run.mzML", rt=2.7).source
