"""The ST5 search's local polish and feed.

References: invariants of the polish (same tree shape, repaired, never worse than the
start, at most the solve budget, a design meeting the targets untouched, the same
result in every run), a smooth analytic score with a known minimum (a quadratic bowl in
the genes), and the feed's geometry (the source on the feed segment at the ground plane,
feed segments as long as the arm segments at the hub in the exported deck).
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from gadesign_problems.antenna.polish import genes, polish, polish_by_progress, with_genes
from gadesign_problems.antenna.st5 import antenna_st5
from gadesign_problems.antenna.tree import Node, PolishRequest, count_wires, walk


def _shape(x):
    return [len(n.children) for _, n in walk(x)]


def test_genes_round_trip_in_millimetres_and_degrees():
    p = antenna_st5()
    x = p.genome.sample(np.random.default_rng(11))
    v = genes(x)
    assert v.shape == (3 * count_wires(x),)
    assert v[0] == pytest.approx(x.length * 1e3) and v[1] == x.bend and v[2] == x.twist
    assert with_genes(x, v) == x or np.allclose(genes(with_genes(x, v)), v)
    assert _shape(with_genes(x, v + 1.0)) == _shape(x)
    # the end polish's refine_key is the topology: the genes do not change it, a wire does
    assert p.refine_key(with_genes(x, v + 1.0)) == p.refine_key(x)
    leaf = Node(0.005, 45.0, 0.0)
    assert p.refine_key(x._replace(children=x.children + (leaf,))) != p.refine_key(x)
    assert p.refine_key(Node(0.01, 50.0, 0.0, (leaf, leaf))) == ((), ())


def test_polish_finds_the_minimum_of_a_smooth_bowl():
    """On a quadratic bowl in the genes (minimum 1 mm / degree away from the start in
    every gene) Nelder-Mead gets most of the way and never returns a worse tree."""
    p = antenna_st5(max_wires=2, max_branches=0)
    x = p.genome.sample(np.random.default_rng(2))
    target = genes(x) + 1.0

    def bowl(y):
        return float(np.sum((genes(y) - target) ** 2))

    y, s, calls = polish(x, bowl, lambda t: t, 400)
    assert calls <= 400 and s == pytest.approx(bowl(y))
    assert s < 0.01 * bowl(x)


def test_polish_by_progress_continues_while_it_improves_and_stops_at_a_stall_or_the_floor():
    """The end polish's budget by progress: on the bowl it keeps going round after round
    (each round a fresh simplex, at most ``chunk`` calls) and ends within the budget; on a
    flat score it stops after one round; once the floor is reached it stops at once."""
    p = antenna_st5(max_wires=2, max_branches=0)
    x = p.genome.sample(np.random.default_rng(2))
    target = genes(x) + 3.0

    def bowl(y):
        return float(np.sum((genes(y) - target) ** 2))

    trace = []
    y, s, calls = polish_by_progress(x, bowl, lambda t: t, 500, 60, 1e-6, start=bowl(x), trace=trace, floor=-1.0)
    steps = [0] + [n for n, _ in trace]
    assert calls <= 500 and len(trace) >= 3 and max(np.diff(steps)) <= 60
    assert s == pytest.approx(bowl(y)) and s == trace[-1][1] and s < 0.01 * bowl(x)
    assert all(b <= a for (_, a), (_, b) in zip(trace, trace[1:]))          # never worse
    flat = []
    assert polish_by_progress(x, lambda t: 1.0, lambda t: t, 500, 60, 1e-6, trace=flat)[2] <= 121
    assert len(flat) == 2                                           # no gain over two rounds: stop
    y, s, calls = polish_by_progress(x, bowl, lambda t: t, 500, 60, 0.0, floor=0.5 * bowl(x))
    assert s <= 0.5 * bowl(x) and calls < 60                                # met the floor: stopped


def test_polish_lowers_ln_f_within_its_budget_and_is_deterministic():
    p = antenna_st5(polish_evaluations=25)
    x = p.genome.sample(np.random.default_rng(7))

    def ln_f(y):
        return math.log(p.measure(y)["product"])

    y = p.polished(x)
    assert _shape(y) == _shape(x) or count_wires(y) <= count_wires(x)   # repair may only drop wires
    assert p.genome.repair(y) == y
    assert ln_f(y) <= ln_f(x)
    assert p.polished(x) == y                                           # a pure function of the design
    calls = []
    polish(x, lambda t: calls.append(1) or ln_f(t), p.genome.repair, 25)
    assert len(calls) <= 25


def test_a_design_meeting_the_targets_is_not_polished():
    p = antenna_st5(rhcp_margin_db=0.0, vswr_margin=0.0, vswr_receive=1e3, vswr_transmit=1e3, gain_dbic=-1e3)
    x = p.genome.sample(np.random.default_rng(3))
    assert p.measure(x)["meets_with_margins"]
    assert p.polished(x) is x
    e = p.evaluate(x)
    assert p.refine_design(x, e) == (x, e, 0)                   # nor by the end-of-run polish


def test_end_polish_lowers_ln_f_within_its_budget():
    """The engine's end-of-run hook (``refine_design``): the polished design's evaluation
    is that of the returned tree, lower ln F, at most the budget (+1 for the final
    evaluation) of solves."""
    p = antenna_st5(end_polish_evaluations=15, end_polish_below=100.0)
    x = p.genome.sample(np.random.default_rng(7))
    e = p.evaluate(x)
    y, e_y, spent = p.refine_design(x, e)
    assert e_y == p.evaluate(y) and spent <= 16
    assert e_y.violations[0] < e.violations[0]
    far = antenna_st5(end_polish_evaluations=15, end_polish_below=0.5 * e.violations[0])
    assert far.refine_design(x, e) == (x, e, 0)                 # too far from the targets: left alone


def test_polish_is_a_mutation_only_when_asked():
    off = antenna_st5(polish_prob=0.0)
    on = antenna_st5(polish_prob=1.0, polish_evaluations=5)
    assert off.genome.describe()["polish_prob"] == 0.0 and on.genome.describe()["polish_prob"] == 1.0
    x = on.genome.sample(np.random.default_rng(4))
    y = on.genome.mutate(x, np.random.default_rng(0))
    assert isinstance(y, PolishRequest) and tuple(y) == tuple(x)   # the polish is left to repair()
    assert on.genome.repair(y) == on.polished(x)
    assert type(on.genome.repair(y)) is Node


def test_polish_on_the_workers_gives_the_serial_population():
    """The polish runs inside repair(), on the evaluation workers; the population after a
    few generations with many polishes, a restart (any stall restarts here) and the
    end-of-run polish is the same, byte for byte, as the serial one."""
    from gadesign import evolve

    def population(workers):
        p = antenna_st5(polish_prob=0.25, polish_evaluations=12, end_polish_evaluations=10,
                        end_polish_below=100.0, restart_after=1, restart_tolerance=10.0)
        res = evolve(p, pop=12, generations=3, seed=3, workers=workers, refine=1)
        assert res.logbook[-1]["restarts"] >= 1 and res.front[0][1].info.get("refine_evaluations")
        pop = res.population
        return (json.dumps([p.genome.to_json(x) for x in pop.genomes]), pop.F.tobytes(),
                json.dumps([p.genome.to_json(x) for x, _ in res.front]), res.logbook[-1]["evals"])

    assert population(2) == population(1)


def test_feed_is_fed_at_the_ground_plane_with_segments_like_the_arms_at_the_hub():
    p = antenna_st5()
    x = p.genome.sample(np.random.default_rng(12))
    deck = p.deck(x)
    feed = deck.wires[0]
    assert feed.start == (0.0, 0.0, 0.0) and feed.end[2] == pytest.approx(p.space.feed_height)
    assert deck.sources[0].tag == feed.tag and deck.sources[0].segment == 1          # the segment on the plate
    gap = feed.length / feed.segments
    assert gap == pytest.approx(0.001)
    hub = [w for w in deck.wires[1:] if np.allclose(w.start, feed.end)]
    assert len(hub) == 4
    for w in hub:                                 # similar segment lengths where the five wires meet
        assert 1.0 / 3.0 <= (w.length / w.segments) / gap <= 1.0
    with pytest.raises(Exception):
        antenna_st5(feed_segments=16)             # 0.25 mm, cut into 4 at the finest check: below 0.5 radius
