"""``gadesign antenna simulate`` / ``convert`` through the installed console entry point."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest


def gadesign(*args: str) -> subprocess.CompletedProcess:
    """The real console command in a subprocess (exit codes, clean stdout)."""
    return subprocess.run([sys.executable, "-m", "gadesign", *args], capture_output=True, text=True,
                          timeout=120)


@pytest.fixture
def main(capsys):
    """``gadesign.cli.main`` in-process (the console script's own entry point), cheaper
    than a subprocess: returns (exit code, stdout, stderr)."""
    from gadesign.cli import main as cli_main

    def run(*args: str) -> tuple[int, str, str]:
        rc = cli_main(list(args))
        cap = capsys.readouterr()
        return rc, cap.out, cap.err
    return run


def test_simulate_json_and_files(tmp_path, data_dir, reference):
    deck = data_dir / "decks" / "yagi3_tn688.nec"
    s1p, csv, png = tmp_path / "y.s1p", tmp_path / "y.csv", tmp_path / "y.png"
    r = gadesign("antenna", "simulate", str(deck), "--json", "--touchstone", str(s1p), "--pattern", str(csv),
                 "--plot", str(png))
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc["deck"] == str(deck) and len(doc["results"]) == 3
    recs = reference["decks"]["yagi3_tn688"]["nec2c"]
    from gadesign_problems.antenna import Antenna

    api = Antenna.from_nec(deck).solve().impedance[:, 0]
    for res, ref, za in zip(doc["results"], recs, api):
        assert set(res) >= {"frequency_hz", "impedance_ohm", "vswr", "reference_ohm", "max_gain_dbi",
                            "max_gain_direction_deg", "average_gain"}
        # the thick Yagi's impedance against NEC-2: test_reference (hollow tube vs NEC's
        # solid wire ends); here: the command prints what the API computes
        z, zr = complex(*res["impedance_ohm"]), complex(ref["R"], ref["X"])
        assert z == pytest.approx(za, rel=1e-12)
        assert abs(z - zr) / abs(zr) < 0.12
        assert res["reference_ohm"] == 50
        g = abs((z - 50) / (z + 50))
        assert res["vswr"] == pytest.approx((1 + g) / (1 - g), rel=1e-9)
        assert res["max_gain_direction_deg"] == ref["max_gain_dir_deg"]
        assert res["average_gain"] == pytest.approx(1.0, rel=0.01)
    import skrf

    net = skrf.Network(str(s1p))
    z = np.array([complex(*res["impedance_ohm"]) for res in doc["results"]])
    assert np.allclose(net.s[:, 0, 0], (z - 50) / (z + 50), rtol=1e-6)
    assert np.allclose(net.f, [res["frequency_hz"] for res in doc["results"]])
    lines = csv.read_text().splitlines()
    assert lines[0].startswith("frequency_hz,theta_deg,phi_deg,gain_dbi")
    assert len(lines) == 1 + 3 * 37 * 73
    assert png.stat().st_size > 10_000


def test_simulate_table(data_dir, main):
    rc, out, err = main("antenna", "simulate", str(data_dir / "decks" / "monopole_qw_pec.nec"))
    assert rc == 0, err
    assert "299.792" in out and "VSWR" in out


@pytest.mark.parametrize("edit,what", [("GE 0", "unknown card"), ("EX 0 1 11", "non-existent segment"),
                                       ("0.25 0.001", "negative wire radius")])
def test_bad_deck_is_one_line_and_exit_2(tmp_path, data_dir, main, edit, what):
    text = (data_dir / "decks" / "dipole_hw_s021.nec").read_text()
    bad = {"GE 0": text.replace("GE 0", "QQ 1\nGE 0"), "EX 0 1 11": text.replace("EX 0 1 11", "EX 0 1 99"),
           "0.25 0.001": text.replace("0.25 0.001", "0.25 -0.001")}[edit]
    deck = tmp_path / "bad.nec"
    deck.write_text(bad)
    if edit == "GE 0":                 # once through the real console command
        r = gadesign("antenna", "simulate", str(deck), "--json")
        rc, out, err = r.returncode, r.stdout, r.stderr
    else:
        rc, out, err = main("antenna", "simulate", str(deck), "--json")
    assert rc == 2
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "line" in lines[0] and what in lines[0], err


def test_convert_round_trip(tmp_path, data_dir, main):
    src = data_dir / "st5_like.nec"
    js, nec = tmp_path / "a.json", tmp_path / "b.nec"
    assert main("antenna", "convert", str(src), str(js))[0] == 0
    assert main("antenna", "convert", str(js), str(nec))[0] == 0
    from gadesign_problems.antenna import Antenna

    a, b = Antenna.from_nec(src), Antenna.from_nec(nec)
    assert a.wires == b.wires and a.sources == b.sources and a.ground == b.ground
    assert a.frequencies == b.frequencies
    rc, _, err = main("antenna", "convert", str(src), str(tmp_path / "x.txt"))
    assert rc == 2 and "must end in .nec or .json" in err


def _text_boxes(fig):
    """Window extents of every visible non-empty text of ``fig`` (titles, labels, tick
    labels, colour-bar label), after drawing."""
    from matplotlib.text import Text

    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    boxes = []
    for t in fig.findobj(Text):
        if t.get_visible() and t.get_text().strip() and t.axes is not None or (t is getattr(fig, "_suptitle", None)):
            if t.get_text().strip():
                boxes.append((t, t.get_window_extent(renderer)))
    return boxes


def test_summary_figure_titles_do_not_overlap_and_nothing_is_clipped(data_dir, tmp_path):
    """The figure of `simulate --plot`: the suptitle, the panel titles and the axis labels
    overlap no other text, and every text lies inside the saved (tight) image."""
    import matplotlib

    matplotlib.use("Agg")
    from gadesign_problems.antenna.cli import simulate_results
    from gadesign_problems.antenna.plots import plot_summary
    from gadesign_problems.antenna.wires import Antenna

    ant = Antenna.from_nec(data_dir / "decks" / "yagi3_tn688.nec")
    sol, _ = simulate_results(ant)
    fig = plot_summary(ant, sol)
    boxes = _text_boxes(fig)
    headings = [(t, b) for t, b in boxes
                if t is fig._suptitle or any(t is ax.title for ax in fig.axes)
                or any(t in (ax.xaxis.label, ax.yaxis.label) for ax in fig.axes)]
    assert len(headings) >= 5
    for t, b in headings:
        for u, c in boxes:
            if u is not t and b.overlaps(c):
                raise AssertionError(f"{t.get_text()!r} overlaps {u.get_text()!r}")
    frame = fig.bbox  # the figure itself, before any tight cropping: no text hangs outside it
    for t, b in boxes:
        assert frame.x0 - 1 <= b.x0 and b.x1 <= frame.x1 + 1 and frame.y0 - 1 <= b.y0 and b.y1 <= frame.y1 + 1, \
            t.get_text()


def test_converge_json_reports_levels_and_the_last_change(data_dir, main):
    """``converge`` solves the deck refined x1, x2, x4; the change it reports is the
    difference of the last two levels it printed, and the thin dipole has converged
    (under 1% in Z, 0.01 dB in gain) -- compared with the API's own refined solves."""
    from gadesign_problems.antenna import Antenna

    deck = data_dir / "decks" / "dipole_hw_s021.nec"
    rc, out, err = main("antenna", "converge", str(deck), "--json", "--theta", "0:180:10", "--phi", "0")
    assert rc == 0, err
    doc = json.loads(out)
    assert [lv["refinement"] for lv in doc["levels"]] == [1, 2, 4] and doc["directions"] == 19
    ant = Antenna.from_nec(deck)
    for lv in doc["levels"]:
        z = complex(*lv["impedance_ohm"][0])
        assert z == pytest.approx(ant.refined(lv["refinement"]).impedance(ant.frequencies[0]), rel=1e-12)
    z2, z4 = (complex(*doc["levels"][i]["impedance_ohm"][0]) for i in (1, 2))
    assert doc["change_last_two"]["impedance_rel"] == pytest.approx(abs(z4 - z2) / abs(z4))
    assert doc["change_last_two"]["impedance_rel"] < 0.01 and doc["change_last_two"]["max_gain_db"] < 0.01


def test_converge_table_and_bad_options(data_dir, main):
    deck = str(data_dir / "decks" / "folded_dipole.nec")
    rc, out, err = main("antenna", "converge", deck, "--levels", "1,2", "--freq", "290,300")
    assert rc == 0, err
    assert "x1" in out and "x2" in out and "change x1 -> x2" in out and "290" in out
    for args, what in [(["--levels", "2,1"], "--levels"), (["--levels", "1,x"], "--levels"),
                       (["--freq", "-3"], "--freq"), (["--theta", "80:40:5"], "--theta"),
                       (["--levels", "1,64"], "shorter than 0.5 x the radius")]:
        rc, out, err = main("antenna", "converge", deck, *args)
        assert rc == 2 and what in err and err.count("\n") == 1, (args, err)


def test_end_caps_are_the_default_and_hollow_ends_the_option(data_dir, main):
    """``simulate`` and ``converge`` model solid wire ends unless ``--hollow-ends``: on the
    thick dipole (a = 0.01 wavelength) the default equals ``--end-caps`` and the API's
    ``Antenna(end_caps=True)``, ``--hollow-ends`` equals ``end_caps=False``, and the two
    differ by more than 1 % (the open end carries no charge)."""
    from dataclasses import replace

    from gadesign_problems.antenna import Antenna

    deck = data_dir / "decks" / "dipole_thick_a01.nec"
    ant = Antenna.from_nec(deck)
    f = ant.frequencies[0]
    z = {}
    for flag in ((), ("--end-caps",), ("--hollow-ends",)):
        rc, out, err = main("antenna", "simulate", str(deck), "--json", *flag)
        assert rc == 0, err
        z[flag] = complex(*json.loads(out)["results"][0]["impedance_ohm"])
    assert z[()] == z[("--end-caps",)] == pytest.approx(replace(ant, end_caps=True).impedance(f), rel=1e-12)
    assert z[("--hollow-ends",)] == pytest.approx(replace(ant, end_caps=False).impedance(f), rel=1e-12)
    assert abs(z[()] - z[("--hollow-ends",)]) / abs(z[()]) > 0.01
    rc, out, err = main("antenna", "converge", str(deck), "--json", "--levels", "1", "--hollow-ends")
    assert rc == 0, err
    assert complex(*json.loads(out)["levels"][0]["impedance_ohm"][0]) == z[("--hollow-ends",)]
