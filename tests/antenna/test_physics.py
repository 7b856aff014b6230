"""Physics checks with no NEC involved: analytic results and invariants."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import brentq

from gadesign_problems.antenna import Antenna, Load, Source, Wire
from gadesign_problems.antenna.mom import C0

F0 = C0  # 1 m wavelength


def dipole(length=0.5, n=51, a=1e-3, loads=()):
    return Antenna(wires=(Wire((0, 0, -length / 2), (0, 0, length / 2), a, n, 1),),
                   sources=(Source(1, n // 2 + 1),), loads=tuple(loads))


def test_resonant_length_of_thin_dipole():
    """a / lambda = 1e-3: the dipole resonates (X = 0) at 0.4744 lambda (within 0.5 %)."""
    length = brentq(lambda L: dipole(L, 51).impedance(F0).imag, 0.45, 0.50, xtol=1e-6)
    assert abs(length / 0.4744 - 1.0) < 0.005


def test_convergence_51_to_101_segments():
    z51, z101 = dipole(n=51).impedance(F0), dipole(n=101).impedance(F0)
    assert abs(z101 - z51) / abs(z51) < 0.01


def test_short_dipole_directivity_is_1p5():
    """A dipole much shorter than a wavelength radiates like a Hertzian dipole: D = 1.5."""
    ant = dipole(0.02, 11, 1e-5)
    sol = ant.solve(F0)
    assert sol.directivity(90.0, 0.0)[0, 0] == pytest.approx(1.5, rel=0.005)
    assert sol.average_gain()[0] == pytest.approx(1.0, rel=1e-3)
    th = np.array([30.0, 60.0])                       # sin^2 pattern
    g = sol.gain(th, 0.0)[0]
    assert g / sol.gain(90.0, 0.0)[0, 0] == pytest.approx(np.sin(np.radians(th)) ** 2, rel=1e-3)


def test_reciprocity_two_antennas():
    """Mutual admittance of two different, unevenly placed dipoles: Y12 = Y21, and the
    near-pair integrals computed with test/source roles swapped agree."""
    ant = Antenna(wires=(Wire((0, 0, -0.24), (0, 0, 0.24), 1e-3, 21, 1),
                         Wire((0.31, 0.12, -0.2), (0.35, 0.1, 0.22), 2e-3, 17, 2)),
                  sources=(Source(1, 11), Source(2, 5, 0.5j)))
    y = ant.solve(F0).admittance[0]
    assert y[0, 1] == pytest.approx(y[1, 0], rel=1e-9)
    raw = ant.operator.raw_moments(2 * np.pi)[:, 0]          # [c, p, t, s, q]
    swapped = raw.transpose(0, 4, 3, 2, 1)                   # A[q, s, t, p] -> [p, t, s, q]
    assert np.array_equal(raw, swapped)
    # the singular (static) near-pair integrals, each computed with one segment as the
    # test and the other as the source, agree with the roles swapped (the solver uses
    # their mean): neighbours on one wire, the wire's self terms, and the other wire
    m = ant.mesh
    op = ant.operator
    n1 = int((m.parent < 21).sum())
    checked = 0
    for p in range(m.n_segments):
        for q in range(p, min(p + 3, m.n_segments)):
            if (p < n1) != (q < n1):
                continue
            a, b = op.static_pair(p, q), op.static_pair(q, p).T
            assert np.abs(a - b).max() < 1e-4 * np.abs(a).max()
            checked += 1
    assert checked > 60


def test_symmetric_dipole_has_symmetric_current():
    sol = dipole(n=31).solve(F0)
    i = sol.segment_currents()[0]
    assert np.allclose(i, i[::-1], rtol=1e-8, atol=1e-12 * np.abs(i).max())


def test_four_arm_junction_antenna(data_dir):
    """ST5-like: 5-wire junction, bent arms, ground. Average gain 2, 4-fold symmetric
    currents (arms are tags 1..4), d - 1 basis functions at every junction, one per end cap."""
    ant = Antenna.from_nec(data_dir / "st5_like.nec")
    sol = ant.solve()
    assert np.allclose(sol.average_gain(), 2.0, rtol=0.01)
    cur = sol.segment_currents()
    arms = [cur[:, ant.tag_segments(t)] for t in (1, 2, 3, 4)]
    for arm in arms[1:]:
        assert np.allclose(arm, arms[0], rtol=1e-6, atol=1e-9 * np.abs(arms[0]).max())
    # pattern rotates with the structure: G(theta, phi) = G(theta, phi + 90)
    th, ph = np.meshgrid([20.0, 50.0, 80.0], [0.0, 33.0, 71.0], indexing="ij")
    assert np.allclose(sol.gain(th, ph), sol.gain(th, ph + 90.0), rtol=1e-6)
    m = ant.mesh
    nodes = {}
    ends = np.concatenate([m.start, m.end])
    key = np.round(ends / 1e-7).astype(np.int64)
    for k in map(tuple, key):
        nodes[k] = nodes.get(k, 0) + 1
    # d - 1 at a node in the air, d on the ground plane; a free end (d = 1) keeps one
    # function for its end cap (solid wires, the default)
    expected = sum(d if abs(k[2]) == 0 or (d == 1 and ant.end_caps) else d - 1 for k, d in nodes.items())
    assert m.n_basis == expected and len(m.cap_basis) == 4


@pytest.mark.parametrize("geometry", ["vee", "tee", "loop"])
def test_average_gain_bent_and_junction_free_space(geometry):
    if geometry == "vee":
        wires = (Wire((0, 0.15, 0.2), (0, 0, 0.0), 1e-3, 15, 1), Wire((0, 0, 0), (0, -0.15, 0.2), 1e-3, 15, 2))
        src = Source(1, 15)
    elif geometry == "tee":
        wires = (Wire((0, 0, -0.25), (0, 0, 0), 1e-3, 12, 1), Wire((0, 0, 0), (0, 0, 0.25), 1e-3, 12, 2),
                 Wire((0, 0, 0), (0.2, 0.05, 0.0), 1e-3, 9, 3))
        src = Source(1, 6)
    else:  # a square loop of one wavelength perimeter, fed in one side
        s = 0.25
        p = [(0, -s / 2, -s / 2), (0, s / 2, -s / 2), (0, s / 2, s / 2), (0, -s / 2, s / 2)]
        wires = tuple(Wire(p[i], p[(i + 1) % 4], 1e-3, 9, i + 1) for i in range(4))
        src = Source(1, 5)
    sol = Antenna(wires=wires, sources=(src,)).solve([0.8 * F0, F0, 1.3 * F0])
    assert np.allclose(sol.average_gain(), 1.0, rtol=0.01)


def test_circular_polarisation_of_crossed_dipoles():
    """x and y dipoles fed in quadrature (I_y = -j I_x) radiate RHCP (IEEE) towards +z."""
    def crossed(vy):
        return Antenna(wires=(Wire((-0.24, 0, 0), (0.24, 0, 0), 1e-3, 21, 1),
                              Wire((0, -0.24, 0.02), (0, 0.24, 0.02), 1e-3, 21, 2)),
                       sources=(Source(1, 11, 1.0), Source(2, 11, vy)))
    th, ph = np.array([0.0, 30.0, 60.0, 120.0]), np.array([0.0, 45.0, 200.0, 10.0])
    sol = crossed(-1j).solve(F0)
    g = sol.gain_components(0.0, 0.0)
    assert g["lhcp"][0, 0] < 0.05 * g["rhcp"][0, 0]
    g = sol.gain_components(th, ph)
    assert np.allclose(g["rhcp"] + g["lhcp"], g["total"], rtol=1e-12)
    g2 = crossed(1j).solve(F0).gain_components(0.0, 0.0)
    assert g2["rhcp"][0, 0] < 0.05 * g2["lhcp"][0, 0]


def test_series_load_on_feed_segment_adds_its_impedance():
    """A lumped load on the fed segment is in series with the source: Z + Z_L; its
    dissipation lowers the efficiency to Re Z / Re (Z + Z_L) and the average gain with it."""
    z0 = dipole(n=21).impedance(F0)
    ant = dipole(n=21, loads=(Load("series", 1, 11, 11, r=50.0, l=1e-9),))
    sol = ant.solve(F0)
    zl = 50.0 + 2j * np.pi * F0 * 1e-9
    assert sol.impedance[0, 0] == pytest.approx(z0 + zl, rel=1e-9)
    eff = z0.real / (z0.real + 50.0)
    assert sol.efficiency[0] == pytest.approx(eff, rel=1e-9)
    assert sol.average_gain()[0] == pytest.approx(eff, rel=0.01)


def test_copper_dipole_loss_resistance():
    """Skin-effect loss of a half-wave copper dipole. The dissipated power equals
    ``0.5 int Re(z') |I|^2 dl`` integrated from the current (z' the internal impedance of
    a round wire, ``R_s / (2 pi a)`` per metre at high frequency), and is near the
    textbook ``(L / 2 pi a) R_s / 2`` (within 20 %: the current is not purely cos kz)."""
    sigma = 5.8e7
    ant = dipole(n=31, loads=(Load("conductivity", 1, sigma=sigma),))
    sol = ant.solve(F0)
    rs = np.sqrt(2 * np.pi * F0 * 4e-7 * np.pi / (2 * sigma))
    r_per_m = rs / (2 * np.pi * 1e-3)
    ia, ib = sol.segment_end_currents()
    L = ant.mesh.length
    # exact integral of |linear|^2 over each segment
    int_i2 = L * (np.abs(ia[0]) ** 2 + np.abs(ib[0]) ** 2 + np.real(ia[0] * np.conj(ib[0]))) / 3.0
    # the Bessel-function internal impedance exceeds R_s / (2 pi a) by ~ delta / 2a (0.2 % here)
    assert sol.loss_power[0] == pytest.approx(0.5 * r_per_m * int_i2.sum(), rel=5e-3)
    i_in = abs(sol.port_currents[0, 0])
    assert 2 * sol.loss_power[0] / i_in ** 2 == pytest.approx(r_per_m * 0.25, rel=0.2)
    assert 0.95 < sol.efficiency[0] < 1.0
    assert sol.average_gain()[0] == pytest.approx(sol.efficiency[0], rel=0.01)


def test_sweep_equals_single_frequency_solves():
    ant = dipole(n=21)
    f = np.array([0.9, 1.0, 1.1]) * F0
    z = ant.impedance(f)
    assert np.allclose(z, [ant.impedance(x) for x in f], rtol=1e-12)
