"""Axial ratio, circular gains and multi-port (active) impedance against analytic
references and NEC-2.

References:
* a single x-directed dipole radiates linear polarisation: RHCP = LHCP = half the total
  gain in every direction, axial ratio infinite;
* a turnstile (x and y dipoles, identical, the y one a small offset ``d`` higher, fed
  ``V_y = -j exp(-j k d) V_x``) has zero mutual impedance (the y dipole lies in the x
  dipole's odd-symmetry plane ``x = 0``), so each port sees the single dipole's
  impedance, and on boresight ``+z`` its field is ``x - j y``: pure RHCP in IEEE's
  convention for ``exp(+j w t)`` (rotating from x to y, right-handed about ``+z``), with
  the single dipole's whole gain in that one sense; towards ``-z`` it is left-handed;
  flipping the phase sign swaps the senses;
* an axial-mode helix wound right-handed radiates RHCP along its axis (Kraus, *Antennas*);
* NEC-2 (PyNEC, optional) on two coupled dipoles fed in quadrature: each port's active
  impedance with the other driven.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from gadesign_problems.antenna.polarisation import axial_ratio_db, circular_components, sense
from gadesign_problems.antenna.units import C0
from gadesign_problems.antenna.wires import Antenna, Source, Wire

F = 300e6
LAM = C0 / F
A = 0.001
HALF = 0.24 * LAM
OFFSET = 0.02 * LAM
DIRS = (np.array([0.0, 30.0, 60.0, 90.0, 120.0, 180.0, 45.0]), np.array([0.0, 10.0, 70.0, 0.0, 200.0, 0.0, 300.0]))


def dipole() -> Antenna:
    return Antenna(wires=(Wire((-HALF, 0, 0), (HALF, 0, 0), A, 21, 1),), sources=(Source(1, 11, 1.0),))


def turnstile(sign: float = 1.0) -> Antenna:
    vy = -1j * sign * np.exp(-1j * 2 * math.pi * OFFSET / LAM)
    return Antenna(wires=(Wire((-HALF, 0, 0), (HALF, 0, 0), A, 21, 1),
                          Wire((0, -HALF, OFFSET), (0, HALF, OFFSET), A, 21, 2)),
                   sources=(Source(1, 11, 1.0), Source(2, 11, complex(vy))))


def test_field_formulas_on_hand_made_fields():
    # x - j y on boresight (theta_hat = x, phi_hat = y): right-handed
    er, el = circular_components(np.array([1.0]), np.array([-1j]))
    assert abs(er[0]) == pytest.approx(math.sqrt(2)) and abs(el[0]) == pytest.approx(0.0, abs=1e-15)
    assert axial_ratio_db(np.array([1.0]), np.array([-1j]))[0] == pytest.approx(0.0, abs=1e-12)
    assert sense(np.array([1.0, 1.0, 1.0]), np.array([-1j, 1j, 0.0])).tolist() == [1, -1, 0]
    # linear at any tilt: AR infinite
    assert np.isinf(axial_ratio_db(np.array([0.6]), np.array([0.8]))[0])
    # an ellipse with semi-axes 2 and 1 (E = 2 x - j y): AR = 2 (6.02 dB), whatever the tilt
    for tilt in (0.0, 0.3, 1.1):
        c, s = math.cos(tilt), math.sin(tilt)
        et, ep = 2 * c + 1j * s, 2 * s - 1j * c
        assert axial_ratio_db(np.array([et]), np.array([ep]))[0] == pytest.approx(20 * math.log10(2.0))


def test_linear_dipole_has_equal_circular_gains_and_infinite_axial_ratio():
    sol = dipole().solve([F])
    pol = sol.polarisation(*DIRS)
    total = 10 * np.log10(sol.gain(*DIRS))
    lit = total > -30
    np.testing.assert_allclose(pol["rhcp_dbic"][lit], total[lit] - 10 * math.log10(2), atol=1e-9)
    np.testing.assert_allclose(pol["lhcp_dbic"][lit], pol["rhcp_dbic"][lit], atol=1e-9)
    assert np.all(pol["axial_ratio_db"][lit] > 100.0)
    np.testing.assert_allclose(sol.axial_ratio_db(*DIRS)[lit], pol["axial_ratio_db"][lit])


def test_turnstile_is_rhcp_on_boresight_with_the_dipole_gain_and_impedance():
    single = dipole().solve([F])
    sol = turnstile(+1).solve([F])
    # zero mutual impedance: both ports see the single dipole's impedance
    np.testing.assert_allclose(sol.impedance[0], single.impedance[0, 0], rtol=2e-3)
    up = sol.polarisation([0.0], [0.0])
    g1 = 10 * np.log10(single.gain([0.0], [0.0]))[0, 0]
    assert up["rhcp_dbic"][0, 0] == pytest.approx(g1, abs=0.02)
    assert up["lhcp_dbic"][0, 0] < g1 - 40 and up["axial_ratio_db"][0, 0] < 0.1
    assert up["sense"][0, 0] == 1
    # towards -z the path difference is -k d instead of +k d: E ~ -x - j exp(-2jkd) y,
    # left-handed with |E_R / E_L| = tan(k d), AR = (1 + tan kd) / (1 - tan kd)
    down = sol.polarisation([180.0], [0.0])
    t = math.tan(2 * math.pi * OFFSET / LAM)
    assert down["sense"][0, 0] == -1
    assert down["axial_ratio_db"][0, 0] == pytest.approx(20 * math.log10((1 + t) / (1 - t)), abs=0.02)
    horizon = sol.polarisation([90.0], [0.0])                   # along x only the y dipole radiates
    assert horizon["axial_ratio_db"][0, 0] > 30.0


def test_phase_sign_flips_the_sense():
    r, l = turnstile(+1).solve([F]), turnstile(-1).solve([F])
    pr, pl = r.polarisation([0.0, 20.0], [0.0, 45.0]), l.polarisation([0.0, 20.0], [0.0, 45.0])
    assert pl["sense"][0, 0] == -1 and pr["sense"][0, 0] == 1
    assert pl["lhcp_dbic"][0, 0] == pytest.approx(pr["rhcp_dbic"][0, 0], abs=0.02)


def test_right_handed_helix_is_rhcp_on_axis_and_its_mirror_lhcp():
    from gadesign_problems.antenna.tdrs import antenna_tdrs

    p = antenna_tdrs(refinement=1)
    x = {"turns": np.array([8]), "shape": np.array([0.16] * 4 + [12.5] * 4 + [0.03, 0.0, 3.0])}
    f = [2100e6]
    right = p.space.antenna(x, +1).solve(f)
    left = p.space.antenna(x, -1).solve(f)
    th, ph = np.array([0.0, 15.0, 40.0, 70.0]), np.array([0.0, 60.0, 130.0, 250.0])
    a, b = right.polarisation(th, ph), left.polarisation(th, -ph)   # mirror y -> -y: phi -> -phi
    assert a["sense"][0, 0] == 1 and a["rhcp_dbic"][0, 0] > a["lhcp_dbic"][0, 0] + 15
    np.testing.assert_allclose(b["lhcp_dbic"], a["rhcp_dbic"], atol=1e-6)
    np.testing.assert_allclose(b["rhcp_dbic"], a["lhcp_dbic"], atol=1e-6)
    np.testing.assert_allclose(b["axial_ratio_db"], a["axial_ratio_db"], atol=1e-6)
    np.testing.assert_allclose(left.impedance, right.impedance, rtol=1e-9)


@pytest.mark.pynec
def test_active_impedance_of_coupled_ports_matches_nec2():
    """Two parallel dipoles 0.15 lambda apart (strongly coupled) fed in quadrature: each
    port's impedance with the other driven (active impedance, what its VSWR is of), both
    engines at twice the deck's segments (where our solver and NEC-2 agree on one port)."""
    pytest.importorskip("PyNEC")
    from tests.antenna.pynec_ref import gap_impedances, nec_context

    d = 0.15 * LAM
    wires = (Wire((0, 0, -HALF), (0, 0, HALF), A, 21, 1), Wire((d, 0, -HALF), (d, 0, HALF), A, 21, 2))
    both = Antenna(wires=wires, sources=(Source(1, 11, 1.0), Source(2, 11, -1j)))
    alone = Antenna(wires=wires, sources=(Source(1, 11, 1.0),))
    ours, ours_alone = both.refined(2).solve([F]).impedance[0], alone.refined(2).solve([F]).impedance[0]
    ctx = nec_context(both, 2)
    ctx.fr_card(0, 1, F / 1e6, 0)
    ctx.xq_card(0)
    np.testing.assert_allclose(ours, gap_impedances(ctx, both, 2), rtol=0.02)
    assert abs(ours[0] - ours[1]) > 20.0 and abs(ours[0] - ours_alone[0]) > 20.0   # coupling matters
