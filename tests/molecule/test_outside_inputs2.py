"""Bad (and unusual but correct) inputs to ``gadesign molecule ...`` and the molecule
problems' ``--set`` parameters written by an outside user, second round: every bad one is
one ``error:`` line, exit status 2 and no file written; every correct one runs. Cases
marked "was" failed before their fix."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from gadesign_problems.molecule.isotopes import normalise_pattern

SPECTRA = Path(__file__).resolve().parents[1] / "data" / "molecule" / "spectra"
F = ["molecule", "formula"]
MGF = "BEGIN IONS\nCHARGE={}\n300.1 100\n301.1 10\nEND IONS\n"



# (files to write, command, words of the one error line)
BAD = {
    # fixed in this round
    "MGF CHARGE=abc (was read as no charge stated)":
        ({"s.mgf": MGF.format("abc")}, F + ["--spectrum", "{d}/s.mgf"], "CHARGE='abc' is not an ion charge"),
    "MGF CHARGE=0 (was read as no charge stated)":
        ({"s.mgf": MGF.format("0")}, F + ["--spectrum", "{d}/s.mgf"], "CHARGE='0' is not an ion charge"),
    "molecule-formula mz without an adduct (was searched as a neutral mass)":
        ({}, ["evolve", "molecule-formula", "--set", "mz=181.07", "--out", "{d}/r"], "mz is an ion's m/z: give its adduct"),
    "molecule-design mw window below 0 (was a whole run with no feasible design)":
        ({}, ["evolve", "molecule-design", "--set", "mw_min=-5", "--set", "mw_max=-1", "--out", "{d}/r"],
         "mw_max must be a positive molecular weight"),
    "molecule-formula upper C=2.5 (was a bound of 2)":
        ({}, ["evolve", "molecule-formula", "--set", "mass=180.06", "--set", "upper={'C': 2.5}", "--out", "{d}/r"],
         "upper count for C must be a whole number, got 2.5"),
    "molecule-formula upper C=True (was a bound of 1)":
        ({}, ["evolve", "molecule-formula", "--set", "mass=180.06", "--set", "upper={'C': True}", "--out", "{d}/r"],
         "upper count for C must be a whole number, got True"),
    "molecule-formula upper a list (was 'limit for 1, which is not in the alphabet')":
        ({}, ["evolve", "molecule-formula", "--set", "mass=180.06", "--set", "upper=[1, 2]", "--out", "{d}/r"],
         "element count limits (upper) map element symbols to counts"),
    "molecule-design mw_min beyond any molecule of max_atoms (was a run with no feasible design)":
        ({}, ["evolve", "molecule-design", "--set", "mw_min=1e9", "--out", "{d}/r"],
         "no molecule of at most max_atoms=50 heavy atoms weighs that much"),
    # held already
    "mass 0": ({}, F + ["0"], "must be positive"),
    "mass inf": ({}, F + ["inf"], "must be positive"),
    "ppm 1e5": ({}, F + ["180.0634", "--ppm", "100000"], "the ppm window must be in (0, 1000]"),
    "tolerance NaN": ({}, F + ["180.0634", "--tolerance", "nan"], "--tolerance must be in (0, 0.5) Th"),
    "mass accuracy 0": ({}, F + ["180.0634", "--mass-accuracy", "0"], "--mass-accuracy must be in (0, 1000]"),
    "intensity error with one value": ({}, F + ["180.0634", "--intensity-error", "0.03"], "expected REL,ABS"),
    "elements in lower case": ({}, F + ["180.0634", "-e", "chno"], "write symbols with their case"),
    "elements with a charge": ({}, F + ["180.0634", "-e", "CHNO+"], "cannot read an element alphabet"),
    "element D": ({}, F + ["180.0634", "-e", "CHOD"], "unknown element 'D'"),
    "--max C=2.5": ({}, F + ["180.0634", "--max", "C=2.5"], "write SYMBOL=COUNT"),
    "--max for an element outside the alphabet": ({}, F + ["180.0634", "--max", "Cl=3"], "not in the alphabet"),
    "--top 0": ({}, F + ["180.0634", "--top", "0"], "--top must be at least 1"),
    "--pop with the exact method": ({}, F + ["180.0634", "--pop", "50"], "apply to --method evolve only"),
    "isotopes all 0": ({}, F + ["180.0634", "-i", "0,0,0"], "needs a positive M+0 intensity"),
    "isotopes with M+0 not measured": ({}, F + ["180.0634", "-i", "-,6.5,1.2"], "needs a positive M+0"),
    "1000 isotope peaks": ({}, F + ["180.0634", "-i", ",".join(["1"] * 1000)], "at most 12 isotope peaks"),
    "adduct [2M+H]+": ({}, F + ["361.1341", "-a", "[2M+H]+"], "unknown adduct '[2M+H]+'"),
    "adduct charge 10**20": ({}, F + ["181.07", "-a", "[M+H]99999999999999999999+"], "charge must be 1..10"),
    "--scan without --spectrum": ({}, F + ["180.0634", "--scan", "1"], "pick a spectrum from a --spectrum file"),
    "--scan on a CSV peak list": ({}, F + ["--spectrum", str(SPECTRA / "peaks.csv"), "--scan", "1"],
                                  "--scan and --rt apply to mzML/MGF"),
    "CSV of words": ({"s.csv": "mz,intensity\nabc,def\n"}, F + ["--spectrum", "{d}/s.csv"], "no peaks"),
    "CSV with one column": ({"s.csv": "300.1\n301.1\n"}, F + ["--spectrum", "{d}/s.csv"], "expected two numbers"),
    "CSV with m/z 0": ({"s.csv": "0,100\n1.003,10\n"}, F + ["--spectrum", "{d}/s.csv"], "m/z must be positive"),
    "mzML cut short": ({"s.mzML": (SPECTRA / "run.mzML").read_text()[:3000]}, F + ["--spectrum", "{d}/s.mzML"],
                       "cannot read s.mzML as mzML"),
    "mzML with an external entity": ({"s.mzML": '<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x SYSTEM '
                                      '"file:///etc/passwd">]><mzML>&x;</mzML>'}, F + ["--spectrum", "{d}/s.mzML"],
                                     "cannot read s.mzML as mzML"),
    "MGF without peaks": ({"s.mgf": "BEGIN IONS\nPEPMASS=300.1\nCHARGE=1+\nEND IONS\n"},
                          F + ["--spectrum", "{d}/s.mgf"], "the spectrum has no peaks"),
    "MGF BEGIN IONS twice": ({"s.mgf": "BEGIN IONS\nBEGIN IONS\n300.1 100\nEND IONS\n"},
                             F + ["--spectrum", "{d}/s.mgf"], "BEGIN IONS inside the spectrum"),
    "isomers of C-1": ({}, ["molecule", "isomers", "C-1", "-n", "10"], "ions are not searched"),
    "isomers of Xx2": ({}, ["molecule", "isomers", "Xx2", "-n", "10"], "unknown element 'Xx'"),
    "isomers of C1000000": ({}, ["molecule", "isomers", "C1000000", "-n", "10"], "at most 150"),
    "isomers of CH10": ({}, ["molecule", "isomers", "CH10", "-n", "10"], "no connected neutral structure"),
    "isomers of c4h10": ({}, ["molecule", "isomers", "c4h10", "-n", "10"], "write it as element symbols"),
    "isomers of C4H10 with subscript digits": ({}, ["molecule", "isomers", "C\u2084H\u2081\u2080", "-n", "10"],
                                               "write it as element symbols"),
    "isomers --pop 0": ({}, ["molecule", "isomers", "C4H10", "-n", "10", "--pop", "0"], "--pop must be >= 2"),
    "structures --formulas 0": ({}, ["molecule", "structures", "181.0707", "--formulas", "0"], "at least 1"),
    "draw of a folder that is no run": ({}, ["molecule", "draw", "{d}"], "not a readable front"),
    "molecule-isomers formula ''": ({}, ["evolve", "molecule-isomers", "--set", "formula=''", "--out", "{d}/r"],
                                    "write it as element symbols"),
    "molecule-design reference not SMILES": ({}, ["evolve", "molecule-design", "--set", "reference='C1CC'", "--out",
                                                  "{d}/r"], "is not a SMILES RDKit can read"),
    "molecule-design logP window reversed": ({}, ["evolve", "molecule-design", "--set", "logp_min=5", "--set",
                                                  "logp_max=1", "--out", "{d}/r"], "logP window is empty"),
    "molecule-formula upper C=-1": ({}, ["evolve", "molecule-formula", "--set", "mass=180.06", "--set",
                                         "upper={'C':-1}", "--out", "{d}/r"], "0 <= lower <= upper"),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_input_is_one_error_line_and_no_file(case, tmp_path, main_in):
    files, args, words = BAD[case]
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    before = sorted(p.name for p in tmp_path.iterdir())
    main_in.refused(args, words)
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def test_isotope_intensities_near_the_float_limit_keep_their_shape(tmp_path, main_in):
    """1e308,1e308 summed to inf, and the measured pattern came out [0, 0] (with a numpy
    overflow warning): every candidate was compared with nothing."""
    assert np.allclose(normalise_pattern([1e308, 1e308]), [0.5, 0.5])
    assert np.allclose(normalise_pattern([1e308, np.nan, 5e307]), [2 / 3, np.nan, 1 / 3], equal_nan=True)
    rc, out, err = main_in(F + ["180.0634", "-i", "1e308,1e308", "--top", "1", "--json"])
    assert rc == 0 and err == "", err
    assert json.loads(out)["query"]["pattern"] == [0.5, 0.5]


@pytest.mark.parametrize("args", [
    ["180.0634", "-i", "100, 6.5, 1.2"],       # spaces after the commas
    ["180.0634", "-i", "100;6.5;1.2"],         # semicolons
    ["180.0634", "-z", "-2"],                  # a negative charge alone means [M-2H]2-
    ["180.0634", "-a", "[M]+"],                # a radical cation (EI)
    ["180.0634", "-e", "CHNOC"],               # an element twice in the alphabet
], ids=["spaces", "semicolons", "charge-2", "radical-cation", "alphabet-repeat"])
def test_unusual_but_correct_queries_run(args, tmp_path, main_in):
    rc, out, err = main_in(F + args + ["--top", "2", "--json"])
    assert rc == 0, err
    assert json.loads(out)["candidates"] is not None


@pytest.mark.parametrize("charge", ["2+", "+2", "2", "2+ and 3+", ""])
def test_mgf_charges_written_every_usual_way_still_read(charge, tmp_path):
    from gadesign_problems.molecule.spectrum import read_spectrum

    (tmp_path / "s.mgf").write_text(MGF.format(charge))
    assert read_spectrum(tmp_path / "s.mgf") is not None


@pytest.mark.parametrize("name", ["front.png", "front"])
def test_plot_without_an_isotope_pattern_writes_no_warning(name, tmp_path, main_in):
    """--plot without --isotopes drew an empty legend: matplotlib's 'No artists with labels
    found to put in legend' came out as a warning line on every such run."""
    rc, out, err = main_in(F + ["180.0634", "--top", "2", "--plot", f"{{d}}/{name}"])
    assert rc == 0 and err == "", err
    assert (tmp_path / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
