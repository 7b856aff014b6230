"""Spectrum files from the wild: written by other software and kept in other projects'
test data (pyteomics, matchms), copied unchanged into ``tests/data/molecule/wild/``
(``SOURCES.md`` there names each one's repository, path, commit and licence), and one
minimal file that ``make_wild.py`` writes with psims where no free real one was small
enough. Every case here failed on the code before its fix: a spectrum read silently that
should have been refused, or refused with a misleading line."""

from __future__ import annotations

import json

import molmass
import pytest

from gadesign_problems.molecule.formula import FormulaError
from gadesign_problems.molecule.spectrum import read_spectrum

from .conftest import DATA

WILD = DATA / "wild"
F = ["molecule", "formula"]


# --- MGF is the MS/MS peak-list format: fragments are no isotope envelope ---------------------
@pytest.mark.parametrize("name, args, words", [
    # a Mascot-style peptide MS/MS spectrum (PEPMASS 342.7, CHARGE=2): was read as an [M+2H]2+
    # envelope of its y-ion at 530.33, and a formula of 1058.6 Da was ranked
    ("pyteomics_example.mgf", [], "99 % of its intensity lies away from its precursor PEPMASS=342.706"),
    ("pyteomics_test_annotated.mgf", ["--scan", "1"], "scan 1 is an MS2 spectrum (fragments: 100 % of its intensity"),
    # MassBank spectra exported by matchms, MS_LEVEL=MS2: was read as the ion's envelope
    ("matchms_remove_fingerprint.mgf", ["--scan", "1"], "scan 1 is an MS2 spectrum (fragments: MS_LEVEL=MS2)"),
    ("matchms_remove_fingerprint.mgf", [], "all 5 are MS2 or higher"),
    # a GNPS library export: MSLEVEL=2 and CHARGE=0 ("unknown") on every block; was refused
    # as "CHARGE='0' is not an ion charge" for a file that holds no MS1 spectrum at all
    ("matchms_testdata.mgf", [], "no MS1 spectrum in the file (all 30 are MS2 or higher"),
    ("matchms_testdata.mgf", ["--scan", "1"], "scan 1 is an MS2 spectrum (fragments: MSLEVEL=2)"),   # SCANS=1 on all 30
])
def test_mgf_ms2_spectra_are_refused_as_fragments(name, args, words, main_in):
    main_in.refused(F + ["--spectrum", str(WILD / name)] + args, words)


def test_mgf_ms1_block_is_read_beside_its_ms2_block_of_the_same_scan_number(tmp_path):
    """MZmine's SIRIUS export writes a feature's MS1 (MSLEVEL=1) and MS2 (MSLEVEL=2) blocks
    under one SCANS number; the MS1 block is the one read, by --scan or alone, and a
    block without MSLEVEL whose peaks are its PEPMASS envelope is still read (as
    tests/data/molecule/outside/ions.mgf is)."""
    spectrum = molmass.Formula("[C8H11N4O2]+").spectrum(min_fraction=1e-9)
    first = min(spectrum.keys())
    peaks = "\n".join(f"{spectrum[first + k].mz:.6f} {spectrum[first + k].fraction * 1e6:.1f}" for k in range(4))
    head = "FEATURE_ID=1\nPEPMASS=195.0877\nCHARGE=1+\nRTINSECONDS=60.0\nSCANS=1\n"
    (tmp_path / "sirius.mgf").write_text(f"BEGIN IONS\n{head}MSLEVEL=2\n138.0662 1000\n110.0713 300\nEND IONS\n\n"
                                         f"BEGIN IONS\n{head}MSLEVEL=1\n{peaks}\nEND IONS\n")
    for kwargs in ({}, {"scan": 1}, {"rt": 1.0}):
        read = read_spectrum(tmp_path / "sirius.mgf", **kwargs)
        assert read.mz[0] == pytest.approx(spectrum[first].mz, abs=1e-6) and read.charge == 1, kwargs
    (tmp_path / "plain.mgf").write_text(f"BEGIN IONS\nPEPMASS=195.0877\nCHARGE=1+\n{peaks}\nEND IONS\n")
    assert len(read_spectrum(tmp_path / "plain.mgf").mz) == 4


def test_mgf_ionmode_keeps_the_other_polarity_out(tmp_path):
    """GNPS, MZmine and matchms state the polarity as IONMODE; with no CHARGE a negative-mode
    block was read for a positive adduct."""
    (tmp_path / "mode.mgf").write_text("BEGIN IONS\nIONMODE=negative\nSCANS=4\n300.1 100\n301.1 10\nEND IONS\n")
    with pytest.raises(FormulaError, match="scan 4 is a negative ion spectrum, but the adduct is a positive ion"):
        read_spectrum(tmp_path / "mode.mgf", scan=4, polarity=1)
    assert read_spectrum(tmp_path / "mode.mgf", scan=4, polarity=-1) is not None


# --- ProteoWizard's tiny example mzML ----------------------------------------------------------
TINY = WILD / "pyteomics_tiny.pwiz.1.1.mzML"


def test_an_mzml_peak_at_mz_0_is_named_not_taken_for_the_measured_mass(main_in):
    """tiny.pwiz scan 19 holds m/z 0..14: its peak at m/z 0 ended as 'the measured mass
    must be positive, got 0.0', about a mass the user never gave."""
    main_in.refused(F + ["--spectrum", str(TINY), "--scan", "19"], "peaks at m/z <= 0 (1 of 15, the first at 0)")


def test_a_missing_scan_lists_the_scans_there_are(main_in):
    """Scan 22 is a WIFF-style id ('sample=1 period=1 cycle=22 experiment=1'), numbered 4 by
    its position: the message said 'scans 19..4'."""
    main_in.refused(F + ["--spectrum", str(TINY), "--scan", "22"], "no spectrum with scan number 22 (scans 4, 19, 20, 21)")


def test_ms1_text_files_are_refused_by_name(main_in):
    """ProteoWizard's MS1 text format (H/S/I lines, then peaks) was read as a peak list with
    its columns swapped (the 'I' of 'I TIC' taken for an intensity header): 'm/z must be
    positive, got 0.0, 2.51263'."""
    main_in.refused(F + ["--spectrum", str(WILD / "pyteomics_test.ms1")], "MS1 (MSn text) files are not read")


# --- Waters native ids restart the scan number in every function ------------------------------
MSE = WILD / "waters_mse.mzML"


def test_a_scan_number_two_waters_functions_share_is_refused_and_rt_picks(main_in):
    """'function=1 process=0 scan=2' and 'function=2 process=0 scan=2' both read as scan 2;
    --scan 2 silently took the first in the file."""
    line = main_in.refused(F + ["--spectrum", str(MSE), "--scan", "2"], "2 MS1 spectra carry scan number 2")
    assert "function=1 process=0 scan=2 at 1.020 min" in line and "function=2 process=0 scan=2" in line
    assert "--rt" in line
    rc, out, err = main_in(F + ["--spectrum", str(MSE), "--rt", "1.02", "--adduct", "[M+H]+", "--top", "3", "--json"])
    assert rc == 0, err
    doc = json.loads(out)
    assert doc["candidates"][0]["formula"] == molmass.Formula("C8H10N4O2").formula       # caffeine
    assert "(function=1 process=0 scan=2)" in doc["query"]["spectrum"]["source"]       # named by its native id


# --- a dense MS1 spectrum of a real run: other compounds' peaks in the heavy bins ---------------
def test_the_envelope_stops_where_a_heavy_bin_rises_again_in_a_real_ms1_scan(main_in):
    """matchms' Thermo test run, scan 1 (1111 centroids, 32-bit zlib arrays): the base peak
    207.1592 has M+1 9 %, M+2 2 %, M+3 0.1 % of the total, and then peaks of other
    compounds in every widened bin (211.1695 at 12 times M+3, 212.1648, 213.1597): the
    envelope ran to M+6, every candidate failed rule 3, and the measured pattern told of
    no compound. It now ends at M+3, with a warning naming the peak it stopped at."""
    path = WILD / "matchms_testdata.mzml"
    rc, out, err = main_in(F + ["--spectrum", str(path), "--scan", "1", "--adduct", "[M+H]+", "--top", "3", "--json"])
    assert rc == 0, err
    doc = json.loads(out)
    assert doc["query"]["value"] == pytest.approx(207.15924, abs=1e-4)
    assert len(doc["query"]["pattern"]) == 4
    assert any("ends at M+3: the peak at m/z 211.16949 in bin M+4" in w for w in doc["warnings"])
    assert doc["stats"]["rule3_relaxed"] is False                 # a candidate fits the four peaks


def test_an_interfering_peak_in_bin_4_of_a_chnops_envelope_is_left_out():
    """Caffeine [M+H]+ (molmass, 4 bins) and another compound's peak 4.0100 Th above the
    monoisotopic one at 2 % of it: it was summed as M+4, 150 times the true M+4."""
    from gadesign_problems.molecule.spectrum import find_envelope

    spectrum = molmass.Formula("[C8H11N4O2]+").spectrum(min_fraction=1e-9)
    first = min(spectrum.keys())
    mz = [spectrum[first + k].mz for k in range(4)] + [spectrum[first].mz + 4.0100]
    inten = [spectrum[first + k].fraction for k in range(4)] + [0.02 * spectrum[first].fraction]
    envelope = find_envelope(mz, inten, charge=1)
    assert len(envelope.pattern) == 4 and "in bin M+4" in envelope.notes[-1]
    assert len(find_envelope(mz, inten, charge=1, n_peaks=2).pattern) == 2       # fewer bins than the rule looks at
    # a chlorine compound's M+4 (M+2 at 32 % of M+0) still counts
    cl = molmass.Formula("[C6H4Cl2N]+").spectrum(min_fraction=1e-9)
    first = min(cl.keys())
    envelope = find_envelope([cl[first + k].mz for k in range(5)], [cl[first + k].fraction for k in range(5)])
    assert len(envelope.pattern) == 5 and envelope.notes == ()


# --- files that cannot give a formula: one line that says why ---------------------------------
def _draft_mzml(path) -> None:
    """The shape of HUPO-PSI's mzML 0.99.1 examples (tiny1.mzML0.99.1.mzML, written by
    ProteoWizard in 2007; not copied: that repository states no licence): the MS level an
    ``msLevel`` attribute, 'scan time', 'centroid mass spectrum', uncompressed 64-bit arrays."""
    import base64

    import numpy as np

    def array(values, name):
        data = base64.b64encode(np.asarray(values, "<f8").tobytes()).decode()
        return (f'<binaryDataArray arrayLength="{len(values)}" encodedLength="{len(data)}">'
                '<cvParam cvLabel="MS" accession="MS:1000523" name="64-bit float" value=""/>'
                '<cvParam cvLabel="MS" accession="MS:1000576" name="no compression" value=""/>'
                f'<cvParam cvLabel="MS" accession="{name[0]}" name="{name[1]}" value=""/>'
                f'<binary>{data}</binary></binaryDataArray>')

    def spectrum(n, level, mz, intensity):
        kind = "MS1 spectrum" if level == 1 else "MSn spectrum"
        return (f'<spectrum id="S{n}" scanNumber="{n}" msLevel="{level}">'
                f'<cvParam cvLabel="MS" accession="MS:1000580" name="{kind}" value=""/><spectrumDescription>'
                '<cvParam cvLabel="MS" accession="MS:1000127" name="centroid mass spectrum" value=""/>'
                '<scan><cvParam cvLabel="MS" accession="MS:1000016" name="scan time" value="5.9" '
                'unitAccession="MS:1000038" unitName="minute"/></scan></spectrumDescription>'
                f'<binaryDataArrayList count="2">{array(mz, ("MS:1000514", "m/z array"))}'
                f'{array(intensity, ("MS:1000515", "intensity array"))}</binaryDataArrayList></spectrum>')

    ns = "http://psi.hupo.org/schema_revision/mzML_0.99.1"
    path.write_text(f'<?xml version="1.0" encoding="ISO-8859-1"?>\n<mzML xmlns="{ns}" version="0.99.1" id="tiny1">'
                    '<run id="Exp01"><spectrumList count="2">'
                    + spectrum(19, 1, [445.3476, 446.3509, 447.3530], [1e6, 3.1e5, 6e4])
                    + spectrum(20, 2, [223.09, 428.9048, 531.08], [1e3, 3e5, 2e3])
                    + "</spectrumList></run></mzML>\n")


def test_a_pre_release_mzml_draft_is_refused(tmp_path, main_in):
    """The MS2 spectrum S20 of an mzML 0.99.1 file was read as the ion's MS1 envelope (its
    msLevel attribute unread: 'MS level' None), and a formula ranked for the fragment at
    428.9048; HUPO-PSI's 1min.mzML (0.99.1, zlib) decoded to m/z of +-1e38."""
    _draft_mzml(tmp_path / "tiny1.mzML")
    main_in.refused(F + ["--spectrum", "{d}/tiny1.mzML", "--scan", "2"],
                    "tiny1.mzML is written in the mzML 0.99.1 draft (before mzML 1.0, 2008)")


def test_a_chromatogram_only_mzml_says_so(main_in):
    """pymzML's mini.chrom.mzML (SRM traces, no spectrum): 'no spectra in the file' alone."""
    main_in.refused(F + ["--spectrum", str(WILD / "pymzml_mini.chrom.mzML")], "no spectra in the file (only chromatograms)")


def test_unit_mass_spectra_are_refused(main_in):
    """A GC-EI library record (matchms' Hydrogen_chloride.msp: m/z 35, 36, 37, 38) was
    searched at 5 ppm around m/z 35.000000 (the walk down from the base peak 36 took the
    Cl+ fragment for the monoisotopic peak) and answered 'no formula passes'."""
    main_in.refused(F + ["--spectrum", str(WILD / "matchms_Hydrogen_chloride.msp")],
                    "every m/z is a whole number (unit-mass data")


def test_an_isotope_peak_just_outside_its_bin_is_reported():
    """MassBank MSBNK-RIKEN-PR020004 (C28H34O14 [M+H]+, Waters Q-Tof Premier, MS1; four of its
    peaks quoted): M+1 lies 1.0160 Th above M+0, 13.7 mTh above bin 1's window, and the
    envelope read it as 'M+1 absent' (pattern 0.96, 0, 0.04) without a word."""
    from gadesign_problems.molecule.spectrum import find_envelope

    mz = [595.2072, 596.2232, 597.2141, 598.1444]
    inten = [15660.0, 3102.0, 709.6, 221.5]
    envelope = find_envelope(mz, inten, mono_mz=595.2072)
    assert envelope.pattern[1] == 0.0
    assert any("no peak in isotope bin M+1, but one just outside its window at m/z 596.22320" in n
               for n in envelope.notes)
    wide = find_envelope(mz, inten, mono_mz=595.2072, tolerance=0.02)
    assert wide.pattern[1] > 0.15 and not any("just outside" in n for n in wide.notes)


def test_mgf_keys_with_spaces_and_brackets_are_parameters(tmp_path, main_in):
    """MZmine's library export writes 'Num peaks=8', GNPS' cleaned libraries
    'COMPUTED_[2M+H-H2O]+=991.32': both were taken for peak lines ('expected a peak line
    m/z intensity, got Num peaks=8') and the whole file refused."""
    main_in.refused(F + ["--spectrum", str(WILD / "mzmine_mzmine.mgf")],
                    "no MS1 spectrum in the file (all 3 are MS2 or higher: fragments, not the ion's isotope envelope; "
                    "MSLEVEL=2)")
    spectrum = molmass.Formula("[C8H11N4O2]+").spectrum(min_fraction=1e-9)
    first = min(spectrum.keys())
    peaks = "\n".join(f"{spectrum[first + k].mz:.6f} {spectrum[first + k].fraction * 1e6:.1f}" for k in range(4))
    (tmp_path / "keys.mgf").write_text("BEGIN IONS\nNum peaks=4\nCOMPUTED_[2M+H-H2O]+=371.1561\nMSLEVEL=1\n"
                                       f"CHARGE=1+\n{peaks}\nEND IONS\n")
    peaks = read_spectrum(tmp_path / "keys.mgf")
    assert len(peaks.mz) == 4 and peaks.charge == 1


@pytest.mark.filterwarnings("ignore:Precursor element with missing activation information")
def test_an_mzml_run_is_read_without_holding_every_spectrums_arrays(tmp_path):
    """Every spectrum's decoded arrays were kept until one was picked: a whole run of a few
    GB (what --rt is for) took that many GB and more. Now the arrays of the picked
    spectrum alone are decoded. Here 40 MS2 spectra of 100 000 points (64 MB decoded,
    1.2 MB zlib-compressed) and one MS1 envelope: the old reader's peak was about 57 MB
    above the start, this one stays under 30 (pyteomics' own parse state included)."""
    import tracemalloc

    import numpy as np
    from psims.mzml.writer import IndexedMzMLWriter

    spectrum = molmass.Formula("[C8H11N4O2]+").spectrum(min_fraction=1e-9)
    first = min(spectrum.keys())
    envelope = [(spectrum[first + k].mz, spectrum[first + k].fraction * 1e6) for k in range(4)]
    big_mz = np.tile(150 + np.arange(2000) * 0.37, 50)           # repeats: small once compressed
    big_intensity = np.tile(np.arange(2000, dtype=float), 50)
    path = tmp_path / "run.mzML"
    with IndexedMzMLWriter(open(path, "wb"), close=True) as out:
        out.controlled_vocabularies()
        out.file_description(["MS1 spectrum", "MSn spectrum"])
        out.software_list([{"id": "psims-writer", "version": "1.4", "params": ["python-psims"]}])
        out.instrument_configuration_list([out.InstrumentConfiguration(id="IC1", component_list=[])])
        out.data_processing_list([out.DataProcessing([out.ProcessingMethod(
            order=1, software_reference="psims-writer", params=["Conversion to mzML"])], id="DP1")])
        with out.run(id="r", instrument_configuration="IC1"):
            with out.spectrum_list(count=41):
                out.write_spectrum([m for m, _ in envelope], [i for _, i in envelope], id="scan=1",
                                   params=["MS1 spectrum", {"ms level": 1}, "centroid spectrum"],
                                   polarity="positive scan", scan_start_time=1.0, compression="zlib")
                for k in range(40):
                    out.write_spectrum(big_mz, big_intensity, id=f"scan={k + 2}",
                                       params=["MSn spectrum", {"ms level": 2}, "centroid spectrum"],
                                       polarity="positive scan", scan_start_time=1.0 + 0.01 * (k + 1),
                                       compression="zlib", precursor_information={"mz": 195.0877, "charge": 1})
    read_spectrum(WILD / "waters_mse.mzML", rt=1.0)       # pyteomics' vocabulary loaded before measuring
    tracemalloc.start()
    try:
        peaks = read_spectrum(path, rt=1.0)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert len(peaks.mz) == 4 and peaks.mz[0] == pytest.approx(spectrum[first].mz, abs=1e-6)
    assert peak < 30e6, peak / 1e6
