"""Accuracy against NEC-2 (PyNEC and nec2c results stored in tests/data/antenna)."""

from __future__ import annotations

import numpy as np
import pytest

from gadesign_problems.antenna import Antenna

DECKS = ["dipole_hw_s021", "dipole_hw_s051", "dipole_hw_s101", "monopole_qw_pec", "yagi3_tn688",
         "dipole_fsweep_9"]
#: Decks whose stored NEC-2 results (thin kernel, at the deck's own segmentation) are a
#: 3% / 0.1 dB reference for our model. Not the Yagi: its elements are thick (a = 0.0042
#: wavelengths, segments of 10 radii), where NEC-2 itself is not resolved at the deck's
#: segmentation (its reactance moves from 10.9 to 15.8 ohm when refined 7 times, with the
#: extended kernel it settles at 11.4 ohm) and where NEC-2's solid-wire end condition (the
#: current extrapolated to zero a/2 beyond a free end, sbf/tbf in nec2c) and our hollow
#: tube differ by more than 3%; see test_yagi_nec_between_hollow_tube_and_capped_ends.
THIN = [d for d in DECKS if d != "yagi3_tn688"]


@pytest.fixture(scope="module")
def solved(reference, data_dir):
    out = {}
    for name in DECKS:
        ant = Antenna.from_nec(data_dir / reference["decks"][name]["deck_file"])
        out[name] = (ant, ant.solve())
    return out


@pytest.mark.parametrize("name", THIN)
@pytest.mark.parametrize("engine", ["pynec", "nec2c"])
def test_impedance_within_3_percent(solved, reference, name, engine):
    ant, sol = solved[name]
    recs = reference["decks"][name][engine]
    assert len(recs) == len(sol.frequencies)
    for rec, f, z in zip(recs, sol.frequencies, sol.impedance[:, 0]):
        assert f / 1e6 == pytest.approx(rec["freq_mhz"], rel=1e-4)
        zr = complex(rec["R"], rec["X"])
        assert abs(z - zr) / abs(zr) < 0.03, (name, f, z, zr)


@pytest.mark.parametrize("name", THIN)
def test_max_gain_within_0p1_db_where_nec_passes_agt(solved, reference, name):
    ant, sol = solved[name]
    d = reference["decks"][name]
    th, ph = np.meshgrid(np.arange(0.0, 181.0 if not ant.ground else 91.0, 5.0), np.arange(0.0, 360.0, 5.0),
                         indexing="ij")
    gmax, _ = sol.max_gain(th, ph)
    for i, rec in enumerate(d["pynec"]):
        assert rec["agt_ok"]
        assert gmax[i] == pytest.approx(rec["max_gain_dbi"], abs=0.1)
        for key, g_ref in rec["gain_at_dirs_dbi"].items():
            t, p = map(float, key.split(","))
            g = sol.gain_dbi(t, p)[i, 0]
            if g_ref is None:                        # NEC: no field (on the axis / below ground)
                assert g < -60.0
            else:   # 0.1 dB near the main beam; side and back lobes depend more on the model
                tol = 0.1 if g_ref > rec["max_gain_dbi"] - 3.0 else 0.5
                assert g == pytest.approx(g_ref, abs=tol), (name, key)


@pytest.mark.parametrize("name", DECKS)
def test_average_gain(solved, reference, name):
    ant, sol = solved[name]
    expected = reference["decks"][name]["agt_expected"]
    assert np.allclose(sol.average_gain(), expected, rtol=0.01)


def test_dipole_reference_values_named_in_issue(solved):
    """The issue's NEC-2 values: 84.82+j48.02, 85.97+j48.88, 86.61+j49.20 ohm."""
    for name, zr in (("dipole_hw_s021", 84.82 + 48.02j), ("dipole_hw_s051", 85.97 + 48.88j),
                     ("dipole_hw_s101", 86.61 + 49.20j)):
        z = solved[name][1].impedance[0, 0]
        assert abs(z - zr) / abs(zr) < 0.03


def test_yagi_max_gain_within_0p2_db(solved, reference):
    """The thick Yagi's forward gain is insensitive to the end model: 0.2 dB of NEC-2."""
    ant, sol = solved["yagi3_tn688"]
    th, ph = np.meshgrid(np.arange(0.0, 181.0, 5.0), np.arange(0.0, 360.0, 5.0), indexing="ij")
    gmax, _ = sol.max_gain(th, ph)
    for i, rec in enumerate(reference["decks"]["yagi3_tn688"]["pynec"]):
        assert gmax[i] == pytest.approx(rec["max_gain_dbi"], abs=0.2)


@pytest.mark.pynec
def test_yagi_nec_between_hollow_tube_and_capped_ends(data_dir, reference):
    """NEC-2 models solid wires (a free end's current extrapolates to zero a/2 beyond the
    end, with the end charge); we model hollow tubes (current zero at the end). A solid
    end's cap carries the charge of a tube of equal area, a/2 long, placed at the end, so
    NEC-2's resolved impedance (extended kernel, segments x5) must lie between ours for the
    deck with hollow ends (``end_caps=False``) and ours with every element a/2 longer at both ends (the cap's
    charge moved beyond the end), in R and in X. Both of ours are converged (x4)."""
    pytest.importorskip("PyNEC")
    from dataclasses import replace

    from test_convergence import nec_impedance

    ant = replace(Antenna.from_nec(data_dir / reference["decks"]["yagi3_tn688"]["deck_file"]), end_caps=False)
    f = ant.frequencies[0]
    wires = []
    for w in ant.wires:
        s, e = np.array(w.start), np.array(w.end)
        t = (e - s) / np.linalg.norm(e - s) * 0.5 * w.radius
        wires.append(replace(w, start=tuple(s - t), end=tuple(e + t)))
    hollow = ant.refined(4).impedance(f)
    capped = replace(ant, wires=tuple(wires)).refined(4).impedance(f)
    nec = nec_impedance(ant.resegmented(5), f, extended=True)
    assert min(hollow.real, capped.real) < nec.real < max(hollow.real, capped.real)
    assert min(hollow.imag, capped.imag) < nec.imag < max(hollow.imag, capped.imag)
