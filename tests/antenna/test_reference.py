"""Accuracy against NEC-2 (PyNEC and nec2c results stored in tests/data/antenna)."""

from __future__ import annotations

import numpy as np
import pytest

from gadesign_problems.antenna import Antenna

DECKS = ["dipole_hw_s021", "dipole_hw_s051", "dipole_hw_s101", "monopole_qw_pec", "yagi3_tn688",
         "dipole_fsweep_9"]


@pytest.fixture(scope="module")
def solved(reference, data_dir):
    out = {}
    for name in DECKS:
        ant = Antenna.from_nec(data_dir / reference["decks"][name]["deck_file"])
        out[name] = (ant, ant.solve())
    return out


@pytest.mark.parametrize("name", DECKS)
@pytest.mark.parametrize("engine", ["pynec", "nec2c"])
def test_impedance_within_3_percent(solved, reference, name, engine):
    ant, sol = solved[name]
    recs = reference["decks"][name][engine]
    assert len(recs) == len(sol.frequencies)
    for rec, f, z in zip(recs, sol.frequencies, sol.impedance[:, 0]):
        assert f / 1e6 == pytest.approx(rec["freq_mhz"], rel=1e-4)
        zr = complex(rec["R"], rec["X"])
        assert abs(z - zr) / abs(zr) < 0.03, (name, f, z, zr)


@pytest.mark.parametrize("name", DECKS)
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
