"""``antenna-tdrs``: requirement scoring on hand-made patterns, genome decoding, sense,
sampling, and a tiny evolve run end to end with export.

References: hand-computed worst cases, the geometry rules (no wires touching, inside the
2-lambda lattice cell), mirror symmetry (the LHCP design is the RHCP one mirrored), the
exported deck re-simulated by ``gadesign antenna simulate`` (deck writer, reader and the
solver's defaults: a separate path).
"""

from __future__ import annotations

import csv
import json
import math

import numpy as np
import pytest

from gadesign_problems.antenna.tdrs import antenna_tdrs
from gadesign_problems.antenna.tdrs_requirements import TdrsRequirements, violation
from gadesign_problems.antenna.units import C0
from tdrs_published import assert_meets_published


def hand_pattern(req: TdrsRequirements):
    """Two frequencies, a pattern meeting every requirement by 1 dB: 16 dBic on
    boresight, 11 dBic to 20 deg, 4 dBic beyond 30 deg, AR 4 dB, VSWR 1.5."""
    th = np.array([0.0, 10.0, 20.0, 25.0, 30.0, 60.0, 90.0])
    co = np.array([[16.0, 13.0, 11.0, 8.0, 4.0, 0.0, -10.0]] * 2)
    cross = np.array([[-20.0, -15.0, -8.0, 0.0, 2.0, 4.0, -30.0]] * 2)
    ar = np.array([[1.0, 2.0, 4.0, 9.0, 20.0, np.inf, 3.0]] * 2)
    vswr = np.array([[1.5], [1.2]])
    return th, co, cross, ar, vswr


def test_scoring_by_hand():
    req = TdrsRequirements()
    th, co, cross, ar, vswr = hand_pattern(req)
    s = req.score(th, co, cross, ar, vswr)
    assert s == pytest.approx({"boresight": -1.0, "fov": -1.0, "sidelobe": -1.0, "axial_ratio": -1.0,
                               "vswr": 0.75})
    assert violation(s) == 0.0
    # miss each requirement at one sample of one frequency by a known amount
    co[1, 0] = 14.5                               # boresight 0.5 dB short
    co[0, 2] = 9.0                                # 1 dB short at 20 deg
    cross[1, 5] = 6.5                             # a 6.5 dBic cross-polar side lobe at 60 deg
    ar[0, 1] = 7.0                                # AR 2 dB over at 10 deg
    vswr[1, 0] = 2.5
    s = req.score(th, co, cross, ar, vswr)
    assert s == pytest.approx({"boresight": 0.5, "fov": 1.0, "sidelobe": 1.5, "axial_ratio": 2.0, "vswr": 1.25})
    assert violation(s) == pytest.approx(5.0 + 20 * math.log10(1.25))
    # the design margins tighten every limit by their size
    m = TdrsRequirements(gain_margin_db=0.3, ar_margin_db=0.5, vswr_margin=0.1)
    s2 = m.score(th, co, cross, ar, vswr)
    assert s2["boresight"] == pytest.approx(0.8) and s2["sidelobe"] == pytest.approx(1.8)
    assert s2["axial_ratio"] == pytest.approx(2.5) and s2["vswr"] == pytest.approx(2.5 / 1.9)
    assert m.score(th, co, cross, ar, vswr, margins=False) == pytest.approx(s)


def test_requirement_constants_and_cell():
    req = TdrsRequirements()
    f = req.frequencies(3)
    np.testing.assert_allclose(f / 1e6, [2030, 2071.75, 2113.5, 2200, 2250, 2300])
    assert req.cell_radius_m == pytest.approx(C0 / 2300e6)           # 2-lambda lattice: inradius lambda
    th, ph = req.directions(5.0, 30.0)
    assert {0.0, 20.0, 30.0, 90.0} <= set(th) and len(set(ph)) == 12


@pytest.mark.parametrize("rep", ["helix", "yagi"])
def test_genomes_decode_to_valid_geometry_inside_the_cell(rep):
    p = antenna_tdrs(representation=rep)
    rng = np.random.default_rng(20)
    for x in p.genome.sample_many(40, rng):
        assert p.geometry_shortfall(x) == 0.0
        ant = p.decode(x)                        # Antenna validates: no crossing or overlapping wires
        pts = np.array([w.start for w in ant.wires] + [w.end for w in ant.wires])
        assert np.hypot(pts[:, 0], pts[:, 1]).max() + ant.wires[0].radius <= p.requirements.cell_radius_m
        assert pts[:, 2].min() >= 0.0 and ant.ground
        seg = max(w.length / w.segments for w in ant.wires)
        assert seg <= C0 / 2300e6 / 12 * 1.0001
        if rep == "helix":                       # the default least clearance: no helix wire below 12 radii
            helix = np.array([w.start for w in ant.wires[1:]] + [w.end for w in ant.wires[1:]])
            assert helix[:, 2].min() >= 12.0 * ant.wires[0].radius * (1 - 1e-9)
    # a helix whose turns touch is penalised, not simulated
    x = {"turns": np.array([10]), "shape": np.array([0.10] * 4 + [3.0] * 4 + [0.03, 0.0, 3.0])}
    tight = antenna_tdrs(wire_radius=0.0013)
    assert tight.geometry_shortfall(x) > 0 and tight.evaluate(x).info["geometry_penalty"]


def test_yagi_ports_are_in_quadrature_and_lhcp_is_the_mirror():
    r = antenna_tdrs(representation="yagi", refinement=1)
    l = antenna_tdrs(representation="yagi", sense="lhcp", refinement=1)
    x = r.genome.sample(np.random.default_rng(3))
    x["directors"] = np.array([4])
    a, b = r.decode(x), l.decode(x)
    v = [complex(s.voltage) for s in a.sources]
    assert len(v) == 2 and abs(v[1]) == pytest.approx(abs(v[0]))
    k_off = 2 * math.pi * r.space.offset * r.requirements.centre_hz / C0
    assert np.angle(v[1] / v[0]) == pytest.approx(-math.pi / 2 - k_off)
    f = [2071.75e6]
    pa, pb = a.solve(f).polarisation([0.0, 15.0, 50.0], [0.0, 40.0, 100.0]), \
        b.solve(f).polarisation([0.0, 15.0, 50.0], [0.0, -40.0, -100.0])
    np.testing.assert_allclose(pb["lhcp_dbic"], pa["rhcp_dbic"], atol=1e-6)
    ma, mb = r.measure(x), l.measure(x)
    for k in ("boresight", "fov", "sidelobe", "axial_ratio", "vswr"):
        assert mb[k] == pytest.approx(ma[k], abs=1e-6)


def test_dense_sampling_changes_a_kraus_helix_verdict_by_little():
    """A textbook helix (12 turns, C = lambda, 12.5 deg): the worst cases on the
    evaluation's grid (3 frequencies per band, 5 x 15 deg) against a grid holding it (5
    per band, 2.5 x 5 deg): never better, and worse by less than the design margins
    (benchmarks/antenna_tdrs_sampling.py measures more designs, denser)."""
    p = antenna_tdrs(refinement=1)
    x = {"turns": np.array([12]), "shape": np.array([0.16] * 4 + [12.5] * 4 + [0.03, 0.0, 3.0]),
         "network": np.log10([7.2, 1.3])}                        # 7.2 nH shunt, 1.3 pF series
    coarse, dense = p.measure(x), p.dense_check(x, points_per_band=5, theta_step=2.5, phi_step=5.0)
    for k in ("boresight", "fov", "sidelobe", "axial_ratio"):
        assert dense[k] >= coarse[k] - 1e-9
        assert dense[k] - coarse[k] < 0.3, k
    assert dense["vswr"] >= coarse["vswr"] - 1e-9
    assert (dense["vswr"] - coarse["vswr"]) * (2.0 - 0.1) < 0.1        # less than the VSWR margin


@pytest.fixture(scope="module")
def tdrs_run(tmp_path_factory):
    """A tiny CLI run (6 designs, 1 generation, coarse sampling) with its exports."""
    from gadesign.cli import main

    out = tmp_path_factory.mktemp("tdrs") / "run"
    rc = main(["evolve", "antenna-tdrs", "--pop", "6", "--generations", "1", "--seed", "1", "--out", str(out),
               "--quiet", "--set", "points_per_band=2", "--set", "max_turns=8", "--set", "refinement=1"])
    assert rc == 0
    return out


def test_tiny_run_exports_deck_touchstone_pattern_and_plots(tdrs_run, capsys):
    from gadesign.cli import main

    front = json.loads((tdrs_run / "front.json").read_text())
    ok = [i for i, m in enumerate(front["members"]) if "boresight_dbic" in m["info"]]
    assert ok
    i = ok[0]
    member = front["members"][i]
    stem = tdrs_run / "designs" / f"member-{i:03d}"
    for suffix in (".nec", ".s1p", "-pattern.csv", "-gain.png", "-ar.png", "-vswr.png"):
        f = stem.parent / (stem.name + suffix)
        assert f.exists() and f.stat().st_size > 0, f
    # the deck re-simulated by `gadesign antenna simulate` (2x the design's segments vs
    # the evaluation's refinement 1: VSWR within 5 %) at the recorded frequencies
    # -- the radiator's impedance through the member's matching section (the deck names it)
    from gadesign.registry import make_problem
    from gadesign_problems.antenna.network import vswr

    capsys.readouterr()
    assert main(["antenna", "simulate", str(stem) + ".nec", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    p = make_problem("antenna-tdrs", {"points_per_band": 2, "max_turns": 8, "refinement": 1})
    x = p.genome.from_json(member["genome"])
    assert any(c.startswith("matching network") for c in p.deck(x).comments)
    f = np.array([r["frequency_hz"] for r in doc["results"]])
    z = np.array([complex(*r["impedance_ohm"]) for r in doc["results"]])
    np.testing.assert_allclose(vswr(p.match_network(x).input_impedance(z, f)),
                               [v[0] for v in member["info"]["vswr_per_frequency"]], rtol=0.05)
    # the pattern CSV has the band edges, and its boresight RHCP gain is the recorded one
    rows = list(csv.DictReader((stem.parent / (stem.name + "-pattern.csv")).open()))
    freqs = sorted({float(r["frequency_hz"]) for r in rows})
    np.testing.assert_allclose(freqs, [2030e6, 2113.5e6, 2200e6, 2300e6])
    g0 = {float(r["frequency_hz"]): float(r["rhcp_dbic"]) for r in rows if float(r["theta_deg"]) == 0.0}
    rec = dict(zip(member["info"]["frequencies_mhz"], member["info"]["boresight_dbic"]))
    for f_mhz, g in rec.items():
        assert g0[f_mhz * 1e6] == pytest.approx(g, abs=2e-3)
    import skrf

    net = skrf.Network(str(stem) + ".s1p")
    assert net.f.min() < 2030e6 and net.f.max() > 2300e6
    # the Touchstone is the port at the line, through the matching section (the recorded VSWR)
    np.testing.assert_allclose(np.interp(f, net.f, net.s_vswr[:, 0, 0]),
                               [v[0] for v in member["info"]["vswr_per_frequency"]], rtol=0.03)
    capsys.readouterr()
    assert main(["show", str(tdrs_run)]) == 0
    assert "antenna-tdrs" in capsys.readouterr().out


def test_parameters_are_checked():
    from gadesign.errors import ConfigError
    from gadesign.registry import make_problem

    assert make_problem("antenna-tdrs", {"representation": "yagi"}).network is None
    assert make_problem("antenna-tdrs", {"match_network": "none"}).network is None
    for bad in ({"representation": "patch"}, {"sense": "x"}, {"vswr_max": 1.0}, {"theta_step": 7.0},
                {"min_clearance_radii": 2.0}, {"min_clearance_radii": 61}, {"min_clearance_radii": float("nan")},
                {"min_clearance_radii": True}, {"min_clearance_radii": "high"}, {"match_network": "pi"},
                {"match_network": "shunt-l-series-c", "representation": "yagi"}):
        with pytest.raises(ConfigError):
            make_problem("antenna-tdrs", bad)


def test_report_figures_are_the_designers_three():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from gadesign.problem import Evaluation

    p = antenna_tdrs(refinement=1)
    x = {"turns": np.array([6]), "shape": np.array([0.16] * 4 + [12.5] * 4 + [0.03, 0.0, 3.0]),
         "network": np.array([0.9, 0.1])}
    figs = p.report_figures(x, Evaluation((0.0,) * 5, (0.0,), {}))
    titles = [t for t, _ in figs]
    assert len(figs) == 3 and "band edge" in titles[0] and "axial ratio" in titles[1] and "VSWR" in titles[2]
    assert len(figs[0][1].axes) == 4                      # one panel per band edge
    for _, f in figs:
        plt.close(f)
    for info in ({"failed": True}, {"geometry_penalty": True}):     # an engine failure, a geometry penalty
        assert p.report_figures(x, Evaluation((0.0,) * 5, (1.0,), info)) == []


def test_yagi_export_is_a_two_port_touchstone_with_decoupled_ports(tmp_path):
    """The crossed Yagi's two ports: the .s2p file reads back in scikit-rf; the x and y
    sets do not couple (the y wires lie in the plane x = 0, where the tangential field
    of the x set, odd under x -> -x, vanishes -- with the ground's images too), so S21 =
    0 and each port's active VSWR (the other driven in quadrature) is its own VSWR; and
    the active reflection the problem reports is the file's ``b / a`` with the port
    waves ``a = (V + z0 I) / (2 sqrt z0)``, ``b = S a``."""
    import skrf

    from gadesign.problem import Evaluation

    p = antenna_tdrs(representation="yagi", refinement=1)
    x = p.genome.sample(np.random.default_rng(5))
    x["directors"] = np.array([2])
    paths = p.export(x, Evaluation((0.0,) * 5, (0.0,), {}), tmp_path, "member-000")
    assert {q.name for q in paths} >= {"member-000.nec", "member-000.s2p", "member-000-pattern.csv"}
    net = skrf.Network(str(tmp_path / "member-000.s2p"))
    assert np.abs(net.s[:, 1, 0]).max() < 1e-4 and np.abs(net.s[:, 0, 1]).max() < 1e-4
    ant = p.decode(x, refinement=1)
    sol = ant.solve(net.f)
    np.testing.assert_allclose(np.abs(net.s[:, [0, 1], [0, 1]]), np.abs(sol.reflection(50.0)), atol=1e-4)
    v = np.array([complex(s.voltage) for s in ant.sources])
    a = (v + 50.0 * sol.port_currents) / (2 * np.sqrt(50.0))
    b = np.einsum("fij,fj->fi", net.s, a)
    np.testing.assert_allclose(b / a, sol.reflection(50.0), atol=1e-5)


#: The design of ``gadesign evolve antenna-tdrs --seed 2 --pop 40 --generations 20`` checked in
#: benchmarks/out/antenna_tdrs_design_check_pop40_seed2.json (README, TDRS-C section).
POP40_SEED2 = {"turns": [20], "shape": [0.2398256703637305, 0.19096632307942646, 0.1336248458199123,
                                        0.14023200664728278, 8.18761648236363, 15.261735792289198,
                                        12.998844655154075, 14.784530830769791, 0.021823326653953087,
                                        0.8747008217423778, 2.931388071979358]}


def test_the_checked_helix_meets_the_published_requirements_on_a_finer_sampling():
    """The README's design against the published numbers themselves (not against what the
    run recorded): > 15 dBic on boresight, > 10 dBic to 20 deg, < 5 dBic beyond 30 deg,
    AR <= 5 dB, VSWR < 2 in both bands, inside the lattice cell -- on 5 frequencies per
    band and a 2.5 x 10 deg grid, not the evaluation's."""
    p = antenna_tdrs(min_clearance_radii=3, match_network="none")   # evolved before the clearance rule
    x = p.genome.from_json(POP40_SEED2)
    m = p.dense_check(x, points_per_band=5, theta_step=2.5, phi_step=10.0)
    assert_meets_published(m)


def test_min_clearance_lifts_the_feed_range_and_three_radii_is_the_helix_before_the_rule():
    """``min_clearance_radii`` (issue 20): the feed wire's least height (the helix's lowest
    point) is that many wire radii; the feed range keeps its width; 3 radii is the range
    the helix had before the rule (max(0.02 lambda0, 3 radii) .. 0.06 lambda0)."""
    old, new = antenna_tdrs(min_clearance_radii=3), antenna_tdrs()
    lam0, a = old.space.layout.lam0, old.space.layout.wire_radius
    lo0, hi0 = old.genome.parts["shape"].lower[8], old.genome.parts["shape"].upper[8]
    lo1, hi1 = new.genome.parts["shape"].lower[8], new.genome.parts["shape"].upper[8]
    assert (lo0, hi0) == (pytest.approx(max(0.02, 3 * a / lam0)), pytest.approx(0.06))
    assert lo1 * lam0 == pytest.approx(12 * a) and hi1 - lo1 == pytest.approx(hi0 - lo0)
    thin = antenna_tdrs(min_clearance_radii=20, wire_radius=0.0005)
    assert thin.genome.parts["shape"].lower[8] * lam0 == pytest.approx(20 * 0.0005)
    assert antenna_tdrs(representation="yagi", min_clearance_radii=20).space.kind == "yagi"
    # at 12 radii the feed wire is longer than the helix's longest segment: cut into pieces no
    # longer, the source on the lowest; the deck keeps them (the evaluation's gap), the helix x 2
    from gadesign_problems.antenna.wires import Source

    for x in new.genome.sample_many(5, np.random.default_rng(4)):
        ant, deck = new.decode(x), new.deck(x)
        fw = ant.wires[0]
        assert fw.length >= 12 * a * (1 - 1e-9) and fw.segments == math.ceil(fw.length / new.space.layout.max_segment)
        assert fw.segments >= 2 and fw.length / fw.segments <= new.space.layout.max_segment
        assert deck.wires[0] == fw and deck.sources == ant.sources == (Source(1, 1, 1.0),)
        assert [w.segments for w in deck.wires[1:]] == [2 * w.segments for w in ant.wires[1:]]
        assert any("average-gain test" in c for c in deck.comments)


@pytest.mark.pynec
def test_nec2_is_resolved_on_the_checked_helix_at_the_default_clearance_and_not_at_three_radii():
    """NEC-2's own average-gain test (2.0 over perfect ground, within 2 %; issue 20) on the
    exported deck of the checked helix at 2030 and 2300 MHz: it fails as evolved (the
    helix 3 wire radii above ground) and passes with the same helix at the default least
    clearance, 12 radii (benchmarks/antenna_tdrs_nec_factors.py measures 30 helices)."""
    pytest.importorskip("PyNEC")
    from pynec_ref import nec_context, upper_hemisphere_fields

    p = antenna_tdrs(match_network="none")
    x = p.genome.from_json(POP40_SEED2)
    lifted = {k: np.array(v, copy=True) for k, v in x.items()}
    lifted["shape"][8] = p.genome.parts["shape"].lower[8]            # the feed at its floor: 12 radii

    def agt(deck, f):
        ctx = nec_context(deck)                                       # held while the pattern is read
        return float(upper_hemisphere_fields(ctx, f)[4].get_average_power_gain())

    low = [agt(p.deck(x), f) for f in (2030e6, 2300e6)]
    high = [agt(p.deck(lifted), f) for f in (2030e6, 2300e6)]
    assert all(abs(g / 2.0 - 1.0) > 0.04 for g in low), low
    assert all(abs(g / 2.0 - 1.0) <= 0.02 for g in high), high


def test_feed_segments_one_is_todays_helix_and_k_puts_the_source_on_the_lowest_of_k(tmp_path):
    """``feed_segments`` (issue 20): 1 (the default) builds exactly the helix built before
    the parameter existed (at ``min_clearance_radii=3``, the range before that rule) -- a one-segment feed wire from the ground plane to the first
    turn, the source on it, the deck every wire x 2 -- and k cuts the feed wire into k
    equal segments with the source on the lowest, at the ground plane (read back from the
    solver's mesh), in the evaluation and in the deck, the helix unchanged."""
    from gadesign.errors import ConfigError
    from gadesign_problems.antenna.wires import Antenna, Source, Wire, wires_from_points

    base = antenna_tdrs(min_clearance_radii=3, match_network="none")
    one = antenna_tdrs(feed_segments=1, min_clearance_radii=3, match_network="none")
    x = base.genome.from_json(POP40_SEED2)
    lam0, a = base.space.layout.lam0, base.space.layout.wire_radius
    # today's construction, written out here from the helix curve
    pts, feed = base.space.curve(x, 1)
    today = Antenna(wires=(Wire((pts[0, 0], 0.0, 0.0), (pts[0, 0], 0.0, feed), a, 1, 1),
                           *wires_from_points(pts, a, [1] * (len(pts) - 1), tag=2)),
                    sources=(Source(1, 1, 1.0),), ground=True)
    for p in (base, one):
        ant = p.decode(x)
        assert (ant.wires, ant.sources, ant.loads, ant.ground, ant.refinement) == \
            (today.wires, today.sources, today.loads, today.ground, 1)
        assert p.deck(x).wires == today.resegmented(2).wires and p.deck(x).sources == today.resegmented(2).sources
        lo, hi = p.genome.parts["shape"].lower[8], p.genome.parts["shape"].upper[8]
        assert (lo, hi) == (pytest.approx(max(0.02, 3 * a / lam0)), pytest.approx(0.06))
    base.deck(x).to_nec(tmp_path / "a.nec")
    one.deck(x).to_nec(tmp_path / "b.nec")
    assert (tmp_path / "a.nec").read_text() == (tmp_path / "b.nec").read_text()

    for k in (2, 3):
        p = antenna_tdrs(feed_segments=k, refinement=1, min_clearance_radii=3, match_network="none")
        ant = p.decode(x)
        fw = ant.wires[0]
        assert fw.segments == k and fw.start[2] == 0.0 and fw.end[2] == pytest.approx(feed)
        assert ant.wires[1:] == today.wires[1:] and ant.sources == (Source(1, 1, 1.0),)
        m = ant.refined(2).mesh                      # the solver's sub-segments of the source's segment
        sub = m.parent == 0                          # user segment 0: the feed wire's first
        z = np.concatenate([m.start[sub, 2], m.end[sub, 2]])
        assert z.min() == pytest.approx(0.0, abs=1e-12) and z.max() == pytest.approx(feed / k)
        assert np.all(m.start[m.parent == k - 1, 2] >= feed * (k - 1) / k - 1e-12)
        deck = p.deck(x)                             # the deck keeps the feed as evaluated
        assert deck.wires[0] == fw and deck.sources == ant.sources
        assert [w.segments for w in deck.wires[1:]] == [2] * (len(deck.wires) - 1)
    # the least feed height rises so that the finest check level still solves the shortest feed
    from gadesign_problems.antenna.tdrs import CHECK_LEVELS
    from gadesign_problems.antenna.wires import GeometryError

    for k in (2, 4):
        p = antenna_tdrs(feed_segments=k, min_clearance_radii=3)
        lo = p.genome.parts["shape"].lower[8]
        assert lo * lam0 == pytest.approx(k * 2 * 2 * 0.5 * a, rel=1e-3)   # k x (0.5 radii x 2 x 2)
        y = {"turns": np.array([4]), "shape": np.array(POP40_SEED2["shape"][:8] + [lo, 0.5, 3.0])}
        assert p.decode(y, refinement=p.refinement * CHECK_LEVELS[-1]).wires[0].segments == k
        y["shape"][8] = 0.02                     # the default least feed: too short for k pieces at the check
        with pytest.raises(GeometryError):
            p.decode(y, refinement=p.refinement * CHECK_LEVELS[-1])
    for bad in ({"feed_segments": 5, "min_clearance_radii": 3}, {"feed_segments": 9}, {"feed_segments": 0}, {"feed_segments": 1.5},
                {"feed_segments": 2, "representation": "yagi"}):
        with pytest.raises(ConfigError):
            antenna_tdrs(**bad)
