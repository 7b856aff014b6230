"""Mesh convergence: ``Antenna.refined``, ``resegmented``, :mod:`convergence` and the
thick-wire / folded-dipole checks of issue 14 against NEC-2 (PyNEC, optional).

The two decks (``dipole_thick_a01.nec``: a = 0.01 wavelength; ``folded_dipole.nec``:
wires lambda/80 apart) were written by hand for these tests (see their comment cards).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from gadesign_problems.antenna import Antenna
from gadesign_problems.antenna.convergence import converge, parse_levels
from gadesign_problems.antenna.wires import GeometryError
from pynec_ref import gap_impedances, nec_context


def nec_impedance(ant: Antenna, f: float, extended: bool = False, gap_refine: int = 1) -> complex:
    """NEC-2's (PyNEC's) input impedance at the first source of ``ant``, built card by
    card from its wires. ``gap_refine = k``: every segment cut into ``k`` and the source
    spread over the ``k`` pieces of its segment (``V / k`` each, ``Z = V / mean I``): the
    same uniform gap field as the deck's, so NEC can be refined without narrowing the gap
    (what :meth:`Antenna.refined` does in our solver). ``extended``: NEC's EK kernel."""
    ctx = nec_context(ant, gap_refine, extended)
    ctx.fr_card(0, 1, f / 1e6, 0)
    ctx.xq_card(0)
    return complex(gap_impedances(ctx, ant, gap_refine)[0])


@pytest.fixture(scope="module")
def decks(data_dir):
    return {name: Antenna.from_nec(data_dir / "decks" / f"{name}.nec")
            for name in ("dipole_thick_a01", "folded_dipole", "dipole_hw_s021")}


# ---- the API ---------------------------------------------------------------------------
def test_refined_keeps_the_deck_and_cuts_every_segment(decks):
    ant = decks["folded_dipole"]
    r = ant.refined(2).refined(2)
    assert r.refinement == 4 and r.wires == ant.wires and r.sources == ant.sources
    assert r.nec_text() == ant.nec_text()                      # the deck is unchanged
    assert r.mesh.n_segments == 4 * ant.mesh.n_segments        # no free ends: every segment x4
    # the feed keeps its gap: the port weights spread over the 4 pieces of segment 11
    w = r.mesh.port_weights(np.array([ant.segment_index(1, 11)]))[:, 0]
    assert np.count_nonzero(w) == 5 and abs(w.sum()) == pytest.approx(1.0)
    with pytest.raises(GeometryError, match="positive integer"):
        ant.refined(0)


def test_resegmented_moves_feeds_to_the_middle_piece(decks):
    ant = decks["dipole_hw_s021"]
    r = ant.resegmented(3)
    assert [w.segments for w in r.wires] == [63] and r.sources[0].segment == 32     # 11 -> centre of 31..33
    z1, z3 = ant.impedance(ant.frequencies[0]), r.impedance(ant.frequencies[0])
    assert abs(z3 - z1) / abs(z1) < 0.02                      # a thin dipole barely cares


def test_parse_levels():
    assert parse_levels("1,2,4") == (1, 2, 4)
    for bad in ("", "2,1", "0,1", "1,1", "a"):
        with pytest.raises(GeometryError):
            parse_levels(bad)


def test_refinement_below_the_kernel_limit_is_refused(decks):
    with pytest.raises(GeometryError, match=r"refined x16, segments of .* shorter than 0.5 x the radius"):
        decks["dipole_thick_a01"].refined(16)


# ---- point 3: the answers converge -------------------------------------------------------
@pytest.mark.parametrize("name", ["dipole_thick_a01", "folded_dipole"])
def test_impedance_changes_under_1_percent_from_x2_to_x4(decks, name):
    conv = converge(decks[name], levels=(2, 4), theta=[90.0], phi=[0.0])
    assert conv.change()["impedance_rel"] < 0.01
    assert conv.change()["max_gain_db"] < 0.01


@pytest.mark.pynec
def test_thin_dipole_converged_within_2_percent_of_converged_nec(decks):
    """A half-wave dipole of radius 1e-3 wavelength (the gap is its 21-segment deck's):
    ours refined x4 against NEC-2 refined x4 with the same gap; both converged (ours
    changes < 0.5% from x2 to x4)."""
    pytest.importorskip("PyNEC")
    ant = decks["dipole_hw_s021"]
    f = ant.frequencies[0]
    conv = converge(ant, levels=(2, 4), theta=[90.0], phi=[0.0])
    z, nec = conv.levels[-1].impedance[0], nec_impedance(ant, f, gap_refine=4)
    assert conv.change()["impedance_rel"] < 0.005 and abs(z - nec) / abs(nec) < 0.02, (z, nec)


# ---- point 3: against NEC-2 -------------------------------------------------------------
@pytest.mark.pynec
def test_folded_dipole_within_2_percent_of_converged_nec(decks):
    """Point 3 of issue 14, folded dipole (wires lambda/80 apart, a = 1e-3 wavelength):
    ours refined x4 (the default, solid ends: this deck has none) against NEC-2 refined
    x4 and x6 with the gap kept; NEC itself has converged there (x4 -> x6 < 0.5 %)."""
    pytest.importorskip("PyNEC")
    ant = decks["folded_dipole"]
    f = ant.frequencies[0]
    ours = ant.refined(4).impedance(f)
    nec = {k: nec_impedance(ant, f, gap_refine=k) for k in (4, 6)}
    assert abs(nec[6] - nec[4]) / abs(nec[6]) < 0.005, nec
    for z in nec.values():
        assert abs(ours - z) / abs(z) < 0.02, (ours, nec)


@pytest.mark.pynec
def test_thick_dipole_within_2_percent_of_converged_nec_extended_kernel(decks):
    """Point 3 of issue 14, thick dipole a = 0.01 wavelength: ours refined x4 with the
    default solid ends against NEC-2's extended kernel refined x2, x3, x4 with the gap
    kept (segments of 2.3, 1.5 and 1.1 radii; NEC's answer moves < 1 % across them, and
    leaves the band only below a radius, where EK is not meant to work). Our hollow tube
    (``end_caps=False``) is outside 2 % (3.8 %): the free-end model is the difference."""
    pytest.importorskip("PyNEC")
    ant = decks["dipole_thick_a01"]
    f = ant.frequencies[0]
    ours = ant.refined(4).impedance(f)
    nec = {k: nec_impedance(ant, f, extended=True, gap_refine=k) for k in (2, 3, 4)}
    assert max(abs(nec[k] - nec[4]) / abs(nec[4]) for k in (2, 3)) < 0.01, nec
    for z in nec.values():
        assert abs(ours - z) / abs(z) < 0.02, (ours, nec)
    hollow = _hollow(ant).refined(4).impedance(f)
    assert abs(hollow - nec[2]) / abs(nec[2]) > 0.02


@pytest.mark.pynec
def test_thick_dipole_nec_between_hollow_tube_and_capped_ends(decks):
    """a = 0.01 wavelength. NEC-2 (extended kernel, refined x4 with the gap kept) models a
    solid wire: at a free end the current extrapolates to zero a/2 beyond the end (nec2c's
    sbf), with the end charge. Our hollow tube (``end_caps=False``). The cap's charge lies at the end,
    between our hollow end and a tube extended by the cap's equal-area length a/2, so NEC's
    impedance must lie between those two converged answers of ours, in R and in X."""
    pytest.importorskip("PyNEC")
    ant = replace(decks["dipole_thick_a01"], end_caps=False)
    f = ant.frequencies[0]
    w = ant.wires[0]
    ext = replace(w, start=(0.0, 0.0, w.start[2] - 0.5 * w.radius), end=(0.0, 0.0, w.end[2] + 0.5 * w.radius))
    hollow = ant.refined(4).impedance(f)
    capped = replace(ant, wires=(ext,)).refined(4).impedance(f)
    nec = nec_impedance(ant, f, extended=True, gap_refine=4)
    assert min(hollow.real, capped.real) < nec.real < max(hollow.real, capped.real)
    assert min(hollow.imag, capped.imag) < nec.imag < max(hollow.imag, capped.imag)


# ---- geometry checks are on the wires, not the segments -----------------------------------
def test_the_evolved_st5_deck_refines_both_ways(data_dir):
    """Issue 14: the solver refused its own ST5 design beyond 1.5x (contact check at the
    42.7-degree branches, the 2-radius rule). Now NEC-style re-segmentation (x2, x3) and
    our refinement (x2, x4) are accepted, and our impedance converges (x2 -> x4 < 1%)."""
    ant = Antenna.from_nec(data_dir / "st5_evolved.nec")
    f = ant.frequencies[0]
    for k in (2, 3):
        assert np.isfinite(ant.resegmented(k).impedance(f))
    conv = converge(ant, levels=(2, 4), frequencies=[f], theta=[60.0], phi=[0.0])
    assert conv.change()["impedance_rel"] < 0.01


def test_refining_a_thick_bent_wire_keeps_it_valid_but_crossings_stay_errors():
    from gadesign_problems.antenna import Source, Wire

    a = 0.01
    bend = (Wire((0, 0, 0), (0, 0, 0.2), a, 4, 1), Wire((0, 0, 0.2), (0.2, 0, 0.2), a, 4, 1))
    ant = Antenna(wires=bend, sources=(Source(1, 2),), frequencies=(299.792458e6,)).resegmented(8)
    assert ant.wires[0].segments == 32                         # segments of 0.6 radii at a right angle
    assert np.isfinite(ant.impedance())
    cross = (Wire((-0.1, 0, 0.1), (0.1, 0, 0.1), 0.001, 4, 1), Wire((0, -0.1, 0.1), (0, 0.1, 0.1), 0.001, 3, 2))
    with pytest.raises(GeometryError, match="crosses or touches"):
        Antenna(wires=cross, sources=(Source(1, 2),))
    twin = (Wire((0, 0, 0), (0, 0, 0.2), 0.001, 4, 1), Wire((0, 0, 0), (0.001, 0, 0.2), 0.001, 4, 2))
    with pytest.raises(GeometryError, match="lie inside each other along a whole wire"):
        Antenna(wires=twin, sources=(Source(1, 2),))


def test_a_straight_wire_split_into_short_pieces_is_the_same_wire():
    """A straight wire cut at a node into collinear wires is the same conductor, however
    short a piece (here a 2-radius feed piece: the two tubes meet at 180 degrees and do not
    overlap at all); it must be accepted and give the single wire's impedance."""
    from gadesign_problems.antenna import Source, Wire

    a, d = 0.0025, 0.005                                     # radius; 2-radius segments
    one = Antenna(wires=(Wire((0, 0, -50.5 * d), (0, 0, 50.5 * d), a, 101, 1),), sources=(Source(1, 51),))
    split = Antenna(wires=(Wire((0, 0, -50.5 * d), (0, 0, -d / 2), a, 50, 1), Wire((0, 0, -d / 2), (0, 0, d / 2), a, 1, 2),
                           Wire((0, 0, d / 2), (0, 0, 50.5 * d), a, 50, 3)), sources=(Source(2, 1),))
    f = [280e6, 300e6]
    np.testing.assert_allclose(split.solve(f).impedance[:, 0], one.solve(f).impedance[:, 0], rtol=1e-4)
    stub = (Wire((0, 0, 0), (0, 0, 0.2), 0.01, 4, 1), Wire((0, 0, 0.1), (0.008, 0, 0.1), 0.01, 1, 2))
    with pytest.raises(GeometryError, match="lie inside each other"):  # a right-angle stub inside the wire
        Antenna(wires=stub, sources=(Source(1, 2),))


# ---- solid wire ends: Antenna(end_caps=True), the default ---------------------------------------------
def _capped(ant: Antenna) -> Antenna:
    return replace(ant, end_caps=True)


def _hollow(ant: Antenna) -> Antenna:
    return replace(ant, end_caps=False)


def test_end_caps_converge_and_vanish_on_thin_wires(decks):
    """With a charged flat cap at each free end: the thick dipole still converges (x2 ->
    x4 < 1%); on the thin dipole (a = 1e-3 wavelength) the caps move Z by < 1%; without
    free ends (the folded dipole) they change nothing."""
    thick = converge(_capped(decks["dipole_thick_a01"]), levels=(2, 4), theta=[90.0], phi=[0.0])
    assert thick.change()["impedance_rel"] < 0.01
    thin = decks["dipole_hw_s021"]
    f = thin.frequencies[0]
    z0, z1 = _hollow(thin).refined(4).impedance(f), _capped(thin).refined(4).impedance(f)
    assert 1e-4 < abs(z1 - z0) / abs(z0) < 0.01
    fold = decks["folded_dipole"]
    assert _capped(fold).impedance(fold.frequencies[0]) == _hollow(fold).impedance(fold.frequencies[0])


def test_end_caps_are_the_default_and_hollow_ends_an_option(decks):
    """Solid wires by default (issue 14); ``end_caps=False`` is the open tube, and the
    option survives refinement and re-segmentation."""
    ant = decks["dipole_thick_a01"]
    assert ant.end_caps and Antenna(wires=ant.wires, sources=ant.sources).end_caps
    assert ant.refined(2).end_caps and ant.resegmented(2).end_caps
    assert not _hollow(ant).refined(2).end_caps and not _hollow(ant).resegmented(3).end_caps
    assert len(ant.mesh.cap_basis) == 2 and len(_hollow(ant).mesh.cap_basis) == 0


@pytest.mark.pynec
@pytest.mark.parametrize("name,extended", [("dipole_thick_a01", True), ("dipole_hw_s021", True),
                                           ("yagi3_tn688", True), ("val_dipole_over_ground", True)])
def test_solid_wires_within_2_percent_of_converged_nec(decks, data_dir, name, extended):
    """Point 3 of issue 14 for the thick dipole (a = 0.01 wavelength), and the thick Yagi
    (and a thin dipole, free and over ground: the caps' images):
    with end caps (NEC-2 models solid wire ends) our converged impedance (x4) is within 2%
    of NEC-2's with the extended kernel, refined x2 with the gap kept (x2: 2.2 radii on
    the thick dipole; EK is not meant for shorter segments)."""
    pytest.importorskip("PyNEC")
    ant = decks[name] if name in decks else Antenna.from_nec(data_dir / "decks" / f"{name}.nec")
    f = ant.frequencies[0]
    ours = _capped(ant).refined(4).impedance(f)
    nec = nec_impedance(ant, f, extended=extended, gap_refine=2)
    assert abs(ours - nec) / abs(nec) < 0.02, (ours, nec)
