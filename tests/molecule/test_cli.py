"""`gadesign molecule formula` as a user runs it, plus peak-list extraction and plots."""

from __future__ import annotations

import json
import time

import molmass
import numpy as np
import pytest
from typer.testing import CliRunner

from gadesign_problems.molecule.cli import app
from gadesign_problems.molecule.formula import FormulaError
from gadesign_problems.molecule.spectrum import extract_pattern, read_peaks

from .conftest import CASES

CAFFEINE = next(c for c in CASES if c["id"] == "caffeine")


def test_formula_json_via_console_script(cli):
    m = CAFFEINE["measured"]
    result = cli("molecule", "formula", str(m["neutral_mass"]),
                 "--isotopes", ",".join(map(str, m["isotope_pattern"])), "--json", "--top", "3")
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    best = doc["candidates"][0]
    assert best["formula"] == "C8H10N4O2"
    assert abs(best["ppm"] - (-m["mass_error_ppm"])) < 1e-3     # measured is heavier by this much
    assert set(best) >= {"formula", "ppm", "isotope_mismatch", "score", "rules"}
    assert all(best["rules"].values())


def test_protonated_ion_table(cli):
    result = cli("molecule", "formula", "152.07060", "--adduct", "[M+H]+", "--isotopes", "0.909,0.083,0.007")
    assert result.returncode == 0, result.stderr
    assert "C8H9NO2" in result.stdout and "[M+H]+" in result.stdout


def test_user_errors_are_one_line_and_exit_2(cli):
    for args in (["--elements", "CHNXx"], ["--rules", "strict"], ["--adduct", "[M+Qq]+"], ["--isotopes", "a,b"],
                 ["--method", "guess"]):
        result = cli("molecule", "formula", "194.08", *args)
        assert result.returncode == 2, (args, result.stdout, result.stderr)
        assert "error" in result.stderr and "Traceback" not in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1


def test_evolve_method_in_process():
    m = CAFFEINE["measured"]
    result = CliRunner().invoke(app, ["formula", str(m["neutral_mass"]), "--isotopes",
                                      ",".join(map(str, m["isotope_pattern"])), "--method", "evolve",
                                      "--pop", "40", "--generations", "20", "--json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    assert doc["candidates"][0]["formula"] == "C8H10N4O2"
    assert doc["query"]["method"] == "evolve" and doc["stats"]["evaluations"] > 0


def write_peaks(path, formula: str, charge: int, noise_peaks: bool = True) -> float:
    """A centroided peak list of an ion from molmass' exact isotopologue spectrum (with
    fine structure), plus unrelated peaks; returns the monoisotopic m/z."""
    spectrum = molmass.Formula(formula).spectrum(min_fraction=1e-9)
    rows = [(e.mz, 1e6 * e.fraction) for e in spectrum.values()]
    mono = rows[0][0]
    if noise_peaks:
        rows += [(mono - 3.5, 2e5), (mono + 0.45, 3e4), (mono + 9.1, 1e5)]
    path.write_text("mz,intensity\n" + "\n".join(f"{a:.6f},{b:.3f}" for a, b in rows) + "\n")
    return mono


def test_spectrum_extraction_matches_the_binned_pattern(tmp_path):
    peaks = tmp_path / "triclosan.csv"
    mono = write_peaks(peaks, "[C12H6Cl3O2]-", -1)
    mz, intensity = read_peaks(peaks)
    pattern = extract_pattern(mz, intensity, mono, charge=-1)
    spectrum = molmass.Formula("[C12H6Cl3O2]-").spectrum(min_fraction=1e-30)
    first = min(spectrum.keys())
    expected = np.array([spectrum[first + k].fraction for k in range(7)])
    assert np.abs(pattern - expected / expected.sum()).max() < 1e-6
    with pytest.raises(FormulaError):
        extract_pattern(mz, intensity, mono + 0.5)


def test_spectrum_option_and_plot(tmp_path, cli):
    peaks = tmp_path / "peaks.csv"
    mono = write_peaks(peaks, "[C12H6Cl3O2]-", -1)
    png = tmp_path / "out.png"
    result = cli("molecule", "formula", f"{mono * (1 + 1e-6):.6f}", "--adduct", "[M-H]-", "--spectrum", str(peaks),
                 "--elements", "CHNOPSCl", "--json", "--plot", str(png))
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["candidates"][0]["formula"] == "C12H7Cl3O2"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    bad = tmp_path / "bad.csv"
    bad.write_text("1,2\nx,y\n")
    result = cli("molecule", "formula", "100", "--spectrum", str(bad))
    assert result.returncode == 2 and "bad.csv" in result.stderr


def test_formula_plots_itself(tmp_path):
    from gadesign_problems.molecule.formula import Formula
    from gadesign_problems.molecule.plots import save_figure

    fig = Formula("C12H7Cl3O2").plot(measured=CASES[6]["measured"]["isotope_pattern"])
    heights = [seg[1][1] for coll in fig.axes[0].collections for seg in coll.get_segments()]
    measured = CASES[6]["measured"]["isotope_pattern"]
    theory = Formula("C12H7Cl3O2").isotope_pattern()
    for value in (max(measured), max(theory)):             # both stick spectra are drawn
        assert any(abs(h - value) < 1e-9 for h in heights)
    assert save_figure(fig, tmp_path / "p.png").stat().st_size > 1000


def _one_error_line(result) -> str:
    assert result.returncode == 2, (result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:") and "Traceback" not in result.stderr
    return lines[0]


@pytest.mark.parametrize("args,words", [
    (["300", "--method", "evolve", "--pop", "0"], "--pop"),
    (["300", "--method", "evolve", "--generations", "-1"], "--generations"),
    (["300", "--method", "evolve", "--pop", "100000000"], "GADESIGN_MAX_POP"),
    (["300", "--pop", "50"], "--method evolve only"),
    (["1e9"], "--mass-limit"),
    (["300", "--max", "C=ten"], "SYMBOL=COUNT"),
    (["300", "--max", "Cl=3"], "not in the alphabet"),
    (["300", "--adduct", "[M+H]+", "--charge", "2"], "disagrees"),
    (["300", "--mass-accuracy", "8"], "wider than the ppm window"),
    (["300", "--intensity-error", "0.05"], "REL,ABS"),
    (["300", "--mass-error", "normal"], "(--mass-error, mass_error) must be one of flat, gaussian"),
    (["300", "--scan", "3"], "--spectrum"),
    (["--spectrum", "no/such/file.mzML"], "does not exist"),
])
def test_bad_options_are_refused_before_any_work(capsys, args, words):
    from gadesign.cli import main

    code = main(["molecule", "formula", *args])             # in-process: same error mapping as the script
    captured = capsys.readouterr()
    assert code == 2 and captured.out == "", captured
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:") and words in lines[0], lines


def test_5000_da_over_ten_elements_is_refused_at_once_with_the_way_out(cli):
    started = time.perf_counter()
    line = _one_error_line(cli("molecule", "formula", "5000", "--elements", "CHNOPSFClBrI"))
    assert time.perf_counter() - started < 20            # a subprocess start included; ~0.05 s in-process
    assert "--enumeration-limit" in line and "--method evolve" in line and "--max" in line


def test_rule_3_rejecting_everything_still_answers_with_a_warning():
    from .test_search import melatonin_outlier

    mz, peaks = melatonin_outlier()          # a real compound, M+1 25 % high (an interfering peak)
    args = ["formula", f"{mz:.6f}", "--adduct", "[M+H]+", "--isotopes", ",".join(f"{p:.6f}" for p in peaks)]
    result = CliRunner().invoke(app, args + ["--json", "--top", "3"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    assert doc["candidates"][0]["formula"] == "C13H16N2O2"
    assert doc["stats"]["rule3_relaxed"] is True and "rule 3" in doc["warnings"][0]
    assert not any(c["rules"]["isotope_pattern"] for c in doc["candidates"])
    table = CliRunner().invoke(app, args + ["--top", "3"], terminal_width=200)
    text = " ".join(table.output.split())
    assert table.exit_code == 0 and "warning: no formula in the window passes rule 3" in text
    assert "C13H16N2O2" in text and "✗ 3" in text and "no formula in the window passes the rules" not in text
    # a window that holds nothing stays an empty answer with its message, as before
    empty = CliRunner().invoke(app, ["formula", "12.5", "--isotopes", "0.9,0.1"], terminal_width=200)
    assert empty.exit_code == 0 and "no formula in the window passes the rules" in " ".join(empty.output.split())
