"""The Permutation genome: every child is a permutation, the operators' defining
properties, JSON round trip and duplicate key (property tests with hypothesis)."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from gadesign.genomes import Permutation
from gadesign.genomes.permutation import cycle_crossover, order_crossover, pmx_crossover

SETTINGS = settings(max_examples=60, deadline=None)
perms = st.integers(2, 30).flatmap(lambda n: st.tuples(st.permutations(range(n)), st.permutations(range(n))))
seeds = st.integers(0, 2 ** 32 - 1)


def is_perm(x, n):
    return sorted(np.asarray(x).tolist()) == list(range(n))


@SETTINGS
@given(perms, seeds, st.sampled_from(["ox", "pmx", "cx", "cxOrdered", "cxPartialyMatched"]),
       st.sampled_from(["swap", "inversion", "insertion", "mutShuffleIndexes", "mutInversion"]))
def test_every_child_is_a_permutation(pair, seed, crossover, mutation):
    a, b = (np.array(p, dtype=np.int64) for p in pair)
    n = len(a)
    args = {"indpb": 0.2} if mutation == "mutShuffleIndexes" else None
    g = Permutation(n, crossover=crossover, mutation=mutation, mutation_args=args, crossover_prob=1.0)
    kids = g.vary([a, b, b, a, a], np.random.default_rng(seed))
    assert len(kids) == 5 and all(is_perm(k, n) and k.dtype == np.int64 for k in kids)
    assert is_perm(a, n) and is_perm(b, n)  # parents untouched (they were permutations)
    assert np.array_equal(a, np.array(pair[0]))


@SETTINGS
@given(perms, st.data())
def test_operator_properties(pair, data):
    a, b = (np.array(p, dtype=np.int64) for p in pair)
    n = len(a)
    i = data.draw(st.integers(0, n))
    j = data.draw(st.integers(i, n))
    ox = order_crossover(a, b, i, j)
    assert is_perm(ox, n) and np.array_equal(ox[i:j], a[i:j])
    # the genes outside the segment appear in b's cyclic order starting after the cut
    rest = [v for v in np.roll(b, -j).tolist() if v not in set(a[i:j].tolist())]
    assert np.roll(ox, -j)[: n - (j - i)].tolist() == rest
    pmx = pmx_crossover(a, b, i, j)
    assert is_perm(pmx, n) and np.array_equal(pmx[i:j], a[i:j])
    outside = [k for k in range(n) if not i <= k < j and b[k] not in set(a[i:j].tolist())]
    assert all(pmx[k] == b[k] for k in outside)  # genes that need no mapping stay where b had them
    c1, c2 = cycle_crossover(a, b)
    assert is_perm(c1, n) and is_perm(c2, n)
    assert all(c1[k] in (a[k], b[k]) and c2[k] in (a[k], b[k]) for k in range(n))
    assert c1[0] == a[0]


@SETTINGS
@given(st.integers(2, 40), seeds, st.sampled_from(["swap", "inversion", "insertion"]))
def test_single_mutations_move_few_genes(n, seed, kind):
    g = Permutation(n, mutation=kind)
    x = np.arange(n, dtype=np.int64)
    y = g.mutate(x, np.random.default_rng(seed))
    assert is_perm(y, n) and np.array_equal(x, np.arange(n))
    changed = np.flatnonzero(x != y)
    if kind == "swap":
        assert len(changed) == 2
    elif kind == "inversion":  # one reversed segment
        if len(changed):
            lo, hi = changed.min(), changed.max()
            assert np.array_equal(y[lo:hi + 1], x[lo:hi + 1][::-1])
    else:  # one gene moved: without that gene, both orders are the same
        assert any([w for w in y.tolist() if w != u] == [w for w in x.tolist() if w != u] for u in range(n))


@SETTINGS
@given(st.integers(2, 50), seeds)
def test_json_round_trip_key_and_pickle(n, seed):
    g = Permutation(n)
    x = g.sample(np.random.default_rng(seed))
    back = g.from_json(g.to_json(x))
    assert np.array_equal(back, x) and g.key(back) == g.key(x)
    assert g.key(x) != g.key(x[::-1].copy()) or n == 1
    assert np.array_equal(pickle.loads(pickle.dumps(g)).from_json(g.to_json(x)), x)


@pytest.mark.parametrize("bad", [[0, 0, 1], [0, 1], [0, 1, 3], [0, 1, 2.0], "012", [0, 1, True]])
def test_from_json_rejects_non_permutations(bad):
    with pytest.raises(ValueError, match="permutation"):
        Permutation(3).from_json(bad)


def test_repair_makes_a_permutation_and_applies_improve():
    g = Permutation(5)
    assert g.repair(np.array([3, 3, 9, 0, -1])).tolist() == [3, 0, 1, 2, 4]
    rev = Permutation(4, improve=lambda t: np.sort(t))
    assert rev.sample(np.random.default_rng(0)).tolist() == [0, 1, 2, 3]
    assert all(k.tolist() == [0, 1, 2, 3] for k in rev.vary([np.array([3, 2, 1, 0])] * 2, np.random.default_rng(1)))
