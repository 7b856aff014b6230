"""Variation operators against DEAP's reference implementations and their invariants."""

from __future__ import annotations

import random
from unittest import mock

import numpy as np
import pytest
from deap import tools
from hypothesis import given, settings, strategies as st

from gadesign.genomes import BinaryVector, Composite, IntegerVector, RealVector, VarLength
from gadesign.genomes.real import polynomial_mutation, sbx_pairs


class ScriptedRng:
    """Stands in for numpy's Generator: returns prepared arrays from .random(shape)."""

    def __init__(self, arrays):
        self.arrays = list(arrays)

    def random(self, shape=None):
        return self.arrays.pop(0).reshape(shape)


def test_sbx_equals_deap_cxSimulatedBinaryBounded():
    gen = np.random.default_rng(7)
    n, eta = 12, 15.0
    lower, upper = np.full(n, -2.0), np.full(n, 3.0)
    for _ in range(50):
        a, b = gen.uniform(-2, 3, n), gen.uniform(-2, 3, n)
        active, u, swap = gen.random(n), gen.random(n), gen.random(n)
        c1, c2 = sbx_pairs(a[None], b[None], lower, upper, eta, 0.5, ScriptedRng([active, u, swap]))
        # DEAP draws per variable: crossover?, then (if so) rand and swap
        draws = []
        for i in range(n):
            draws.append(active[i])
            if active[i] <= 0.5 and abs(a[i] - b[i]) > 1e-14:
                draws += [u[i], swap[i]]
        d1, d2 = list(a), list(b)
        with mock.patch.object(random, "random", side_effect=draws):
            tools.cxSimulatedBinaryBounded(d1, d2, eta, -2.0, 3.0)
        np.testing.assert_allclose(c1[0], d1, rtol=0, atol=1e-12)
        np.testing.assert_allclose(c2[0], d2, rtol=0, atol=1e-12)


def test_polynomial_mutation_equals_deap_mutPolynomialBounded():
    gen = np.random.default_rng(8)
    n, eta, pm = 10, 20.0, 0.3
    lower, upper = np.zeros(n), np.full(n, 5.0)
    for _ in range(50):
        x = gen.uniform(0, 5, n)
        mask, u = gen.random(n), gen.random(n)
        y = polynomial_mutation(x[None], lower, upper, eta, pm, ScriptedRng([mask, u]))[0]
        draws = []
        for i in range(n):
            draws.append(mask[i])
            if mask[i] <= pm:
                draws.append(u[i])
        ind = list(x)
        with mock.patch.object(random, "random", side_effect=draws):
            tools.mutPolynomialBounded(ind, eta, 0.0, 5.0, pm)
        np.testing.assert_allclose(y, ind, rtol=0, atol=1e-12)


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 20))
def test_real_vector_stays_in_bounds_and_round_trips(seed, n):
    rng = np.random.default_rng(seed)
    lower = rng.uniform(-10, 0, n)
    upper = lower + rng.uniform(0, 10, n)
    g = RealVector(lower, upper)
    children = g.vary(g.sample_many(8, rng), rng)
    for c in children:
        assert np.all(c >= lower) and np.all(c <= upper)
        assert np.array_equal(g.from_json(g.to_json(c)), c)


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 15))
def test_discrete_genomes_stay_valid_and_round_trip(seed, n):
    rng = np.random.default_rng(seed)
    ints = IntegerVector(-3, 7, n)
    bits = BinaryVector(n, crossover="two_point")
    for g, check in ((ints, lambda c: np.all((c >= -3) & (c <= 7))), (bits, lambda c: np.isin(c, (0, 1)).all())):
        for c in g.vary(g.sample_many(6, rng), rng):
            assert check(c) and c.shape == (n,)
            assert np.array_equal(g.from_json(g.to_json(c)), c)


def test_crossover_conserves_genes_and_mutation_rate():
    rng = np.random.default_rng(3)
    g = IntegerVector(0, 100, 50, crossover="two_point")
    a, b = g.sample(rng), g.sample(rng)
    c1, c2 = g.crossover(a, b, rng)
    # each position of the two children holds the two parent genes, swapped or not
    assert np.array_equal(np.sort(np.stack([c1, c2]), axis=0), np.sort(np.stack([a, b]), axis=0))
    bits = BinaryVector(1000)
    x = np.zeros(1000, dtype=np.uint8)
    flips = np.mean([bits.mutate(x, rng).sum() for _ in range(200)])
    assert flips == pytest.approx(1.0, abs=0.2)  # expected 1000 * 1/1000


def test_composite_parts_use_their_own_operators_and_repair():
    def drop_areas_of_absent(x):
        x = dict(x)
        x["area"] = np.where(x["on"] == 1, x["area"], 0.0)
        return x

    g = Composite({"on": BinaryVector(6), "area": RealVector(1.0, 2.0, 6)}, repair=drop_areas_of_absent)
    rng = np.random.default_rng(0)
    for c in g.vary(g.sample_many(20, rng), rng):
        assert set(np.unique(c["on"])) <= {0, 1}
        assert np.all((c["area"] == 0) == (c["on"] == 0))
        back = g.from_json(g.to_json(c))
        assert all(np.array_equal(back[k], c[k]) for k in c)
    with pytest.raises(ValueError):
        g.from_json({"on": [1] * 6})


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), lo=st.integers(0, 3), span=st.integers(0, 6))
def test_varlength_respects_length_limits(seed, lo, span):
    hi = max(lo + span, 1)
    g = VarLength(RealVector(0.0, 1.0, 2), lo, hi)
    rng = np.random.default_rng(seed)
    pop = g.sample_many(10, rng)
    for _ in range(5):
        pop = g.vary(pop, rng)
        assert all(lo <= len(x) <= hi for x in pop)
    for x in pop:
        assert g.to_json(g.from_json(g.to_json(x))) == g.to_json(x)


def test_cut_and_splice_keeps_all_genes():
    g = VarLength(IntegerVector(0, 10**6, 1), 0, 20)
    rng = np.random.default_rng(1)
    a = [np.array([i]) for i in range(5)]
    b = [np.array([100 + i]) for i in range(7)]
    c1, c2 = g.crossover(a, b, rng)
    genes = sorted(int(x[0]) for x in c1 + c2)
    assert genes == sorted([*range(5), *range(100, 107)])


def test_binary_repair_is_the_nearest_bit_string():
    """BinaryVector.repair read any non-zero value as 1 (0.3 -> 1, -1 -> 1), unlike
    IntegerVector, which rounds to the nearest allowed value."""
    g = BinaryVector(6)
    assert g.repair(np.array([0.3, 0.5, 0.7, -1.0, 1.4, 0.0])).tolist() == [0, 1, 1, 0, 1, 0]
    assert g.repair(np.array([0, 1, 2, -1, 1, 0])).tolist() == [0, 1, 1, 0, 1, 0]
    assert g.repair(np.array([True, False, True, False, False, True])).tolist() == [1, 0, 1, 0, 0, 1]
    assert g.repair(np.array([0.3, 0.5, 0.7, -1.0, 1.4, 0.0])).dtype == np.uint8


def test_a_subclass_whose_overrides_match_its_rows_keeps_the_batch_path():
    """A plugin's vector subclass with its own crossover has it called pair by pair; one
    that declares vary_by_rows (its crossover is its row operator for one pair, as the
    molecule plugin's CompositionGenome) keeps the batch path and its random draws: the
    pairwise path had changed the molecule GA's results without a word."""
    calls = []

    class Own(IntegerVector):
        def crossover(self, a, b, rng):
            calls.append(1)
            return super().crossover(a, b, rng)

    class Rows(Own):
        vary_by_rows = True

    parents = [np.arange(6) % 4, np.arange(6)[::-1] % 4, np.ones(6, int), np.zeros(6, int)]
    plain = IntegerVector(np.zeros(6), np.full(6, 5)).vary(parents, np.random.default_rng(1))
    rows = Rows(np.zeros(6), np.full(6, 5)).vary(parents, np.random.default_rng(1))
    assert [r.tolist() for r in rows] == [p.tolist() for p in plain] and not calls
    Own(np.zeros(6), np.full(6, 5)).vary(parents, np.random.default_rng(1))
    assert calls
