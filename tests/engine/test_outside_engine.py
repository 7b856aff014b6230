"""The engine checked by an outside user against references independent of gadesign's code:
DEAP's ``sortNondominated``/``assignCrowdingDist``/``selNSGA2``/``selSPEA2``, moocore's
hypervolume, hand-computed indicator values, Deb's (2000) constraint-domination rules
written out pair by pair, Das & Dennis point counts, the analytic fronts of DTLZ1/DTLZ2
and CONSTR, a knapsack solved by dynamic programming, TSPLIB burma14 solved by Held-Karp,
and bounds/length invariants of every representation. Problems here are plugins written
against the documented Python API (``gadesign.evolve``), not built-in ones."""

from __future__ import annotations

import contextlib
import itertools
import json
import math
import random
from math import comb

import moocore
import numpy as np
import pytest
from deap import base, tools
from scipy.spatial import cKDTree

from gadesign import evolve
from gadesign.algorithms import NSGA2, NSGA3, SPEA2, Population, make_algorithm
from gadesign.algorithms.nsga3 import das_dennis, default_partitions
from gadesign.algorithms.ranking import (
    constrained_ranks,
    crowding_distance,
    dominance_tournament,
)
from gadesign.algorithms.spea2 import spea2_fitness
from gadesign.engine import Evolution
from gadesign.evaluation import make_evaluator
from gadesign.genomes import (
    BinaryVector,
    Composite,
    IntegerVector,
    Permutation,
    RealVector,
    VarLength,
)
from gadesign.indicators import generalized_spread, hypervolume, igd, spread
from gadesign.problem import Evaluation, Objective


# -- DEAP references (plain classes, no creator) ------------------------------------------
class _Fit(base.Fitness):
    weights = (-1.0,)


class _Ind(list):
    def __init__(self, values, index: int) -> None:
        super().__init__([index])
        self.fitness = _Fit()
        self.fitness.values = tuple(float(v) for v in values)
        self.index = index


def _inds(F: np.ndarray) -> list[_Ind]:
    _Fit.weights = (-1.0,) * F.shape[1]
    return [_Ind(f, i) for i, f in enumerate(F)]


def deap_ranks(F: np.ndarray) -> np.ndarray:
    ranks = np.full(len(F), -1)
    for r, front in enumerate(tools.sortNondominated(_inds(F), len(F))):
        for ind in front:
            ranks[ind.index] = r
    return ranks


def deap_crowding(F: np.ndarray, ranks: np.ndarray) -> np.ndarray:
    out = np.empty(len(F))
    for r in np.unique(ranks):
        inds = _inds(F[ranks == r])
        idx = np.flatnonzero(ranks == r)
        tools.emo.assignCrowdingDist(inds)
        out[idx] = [ind.fitness.crowding_dist for ind in inds]
    return out


@contextlib.contextmanager
def _deap_random(seed: int):
    """DEAP's selSPEA2/selNSGA3 draw from the random module: seed it, then put it back."""
    state = random.getstate()
    random.seed(seed)
    try:
        yield
    finally:
        random.setstate(state)


def _population(F: np.ndarray, CV: np.ndarray | None = None) -> Population:
    return Population(list(range(len(F))), [None] * len(F), np.asarray(F, float),
                      np.zeros(len(F)) if CV is None else np.asarray(CV, float))


# -- non-dominated sorting, crowding, NSGA-II survival -------------------------------------
@pytest.mark.parametrize("m", [1, 2, 3, 4, 5])
def test_ranks_equal_deap_with_ties_duplicates_and_infinities(m):
    rng = np.random.default_rng(100 + m)
    for _ in range(20):
        n = int(rng.integers(1, 70))
        F = np.round(rng.random((n, m)) * rng.integers(2, 6))  # many ties
        F[: n // 4] = F[n - n // 4:]  # exact duplicates
        F[rng.random((n, m)) < 0.05] = np.inf
        F[rng.random((n, m)) < 0.03] = -np.inf
        np.testing.assert_array_equal(constrained_ranks(F, np.zeros(n)), deap_ranks(F))


@pytest.mark.parametrize("m", [1, 2, 3, 4, 5])
def test_crowding_equals_deap_on_every_front(m):
    """DEAP divides each gap by m * extent, Deb et al. (2002) by the extent: factor m.
    Exact duplicates included; partial ties are left out (the neighbour order among equal
    values is a convention: DEAP keeps the previous objective's order)."""
    rng = np.random.default_rng(7 + m)
    for _ in range(20):
        n = int(rng.integers(1, 80))
        F = rng.random((n, m))
        F[: n // 3] = F[n - n // 3:]
        ranks = constrained_ranks(F, np.zeros(n))
        ours, ref = crowding_distance(F, ranks), m * deap_crowding(F, ranks)
        np.testing.assert_array_equal(np.isinf(ours), np.isinf(ref))
        np.testing.assert_allclose(ours[np.isfinite(ours)], ref[np.isfinite(ref)], rtol=1e-12)


@pytest.mark.parametrize("m", [2, 3, 4, 5])
def test_nsga2_survival_equals_deap_selNSGA2(m):
    rng = np.random.default_rng(m)
    checked = 0
    for _ in range(20):
        n = int(rng.integers(10, 120))
        k = int(rng.integers(1, n))
        F = rng.random((n, m))
        ranks = constrained_ranks(F, np.zeros(n))
        crowd = crowding_distance(F, ranks)
        key = sorted(zip(ranks, -crowd))
        if k < n and key[k - 1] == key[k]:
            continue  # a tie at the cut: either member is right
        chosen = set(NSGA2(m, k).survive(_population(F), k, rng).genomes)
        assert chosen == {ind.index for ind in tools.selNSGA2(_inds(F), k)}
        checked += 1
    assert checked >= 10


@pytest.mark.parametrize("name", ["nsga2", "nsga3", "spea2", "ga", "mu+lambda"])
def test_survival_of_a_population_smaller_than_asked_keeps_everyone(name):
    """NSGA-III raised 'zero-size array to reduction operation minimum' when asked to keep
    more members than the population has (niching over an exhausted last front)."""
    rng = np.random.default_rng(0)
    m = 1 if name in ("ga", "mu+lambda") else 2
    F = rng.random((5, m))
    F[0] = 2.0
    kept = make_algorithm(name, m, 10).survive(_population(F, [0, 0, 0, 0.5, 0]), 10, rng)
    assert sorted(kept.genomes) == [0, 1, 2, 3, 4]


# -- constraint-domination (Deb 2000) ------------------------------------------------------
def _deb_dominates(fa, ca, fb, cb) -> bool:
    """Deb (2000), written out: feasible beats infeasible; of two infeasible the smaller
    total violation wins; of two feasible, Pareto dominance."""
    if ca <= 0 and cb > 0:
        return True
    if ca > 0 and cb > 0:
        return ca < cb
    if ca > 0:
        return False
    return all(x <= y for x, y in zip(fa, fb)) and any(x < y for x, y in zip(fa, fb))


def _reference_sort(F, CV) -> np.ndarray:
    """Textbook non-dominated sorting under a given relation (peel the undominated)."""
    ranks, left, r = np.full(len(F), -1), set(range(len(F))), 0
    while left:
        front = {i for i in left if not any(_deb_dominates(F[j], CV[j], F[i], CV[i]) for j in left if j != i)}
        for i in front:
            ranks[i] = r
        left -= front
        r += 1
    return ranks


@pytest.mark.parametrize("m", [1, 2, 3])
def test_constrained_ranks_follow_debs_rules(m):
    rng = np.random.default_rng(30 + m)
    for _ in range(15):
        n = int(rng.integers(1, 40))
        F = np.round(rng.random((n, m)) * 4)
        CV = np.where(rng.random(n) < 0.4, np.round(rng.random(n) * 3) / 2, 0.0)
        np.testing.assert_array_equal(constrained_ranks(F, CV), _reference_sort(F, CV))


def test_the_mating_tournament_follows_debs_rules():
    """Every binary tournament's winner is not constraint-dominated by its opponent."""
    rng = np.random.default_rng(3)
    F = np.round(rng.random((30, 2)) * 3)
    CV = np.where(rng.random(30) < 0.5, rng.random(30), 0.0)
    crowd = crowding_distance(F, constrained_ranks(F, CV))

    class Spy:  # records the contestants dominance_tournament draws
        def __init__(self, rng):
            self.rng, self.perms = rng, []

        def permutation(self, size):
            p = self.rng.permutation(size)
            self.perms.append(p)
            return p

        def random(self, n):
            return self.rng.random(n)

    spy = Spy(rng)
    winners = dominance_tournament(F, CV, crowd, 200, spy)
    contestants = np.concatenate(spy.perms)[:400]
    for w, a, b in zip(winners, contestants[0::2], contestants[1::2]):
        loser = b if w == a else a
        assert w in (a, b)
        assert not _deb_dominates(F[loser], CV[loser], F[w], CV[w])


def test_the_deap_bridge_fitness_sorts_as_the_engine_ranks():
    """gadesign.deap.Fitness (feasibility rules inside DEAP's dominates) through DEAP's own
    sortNondominated gives the engine's constrained ranks."""
    from gadesign.deap import Fitness, FitnessValues
    rng = np.random.default_rng(12)
    for _ in range(30):
        m, n = int(rng.integers(1, 5)), int(rng.integers(1, 40))
        F = np.round(rng.random((n, m)) * 3)
        CV = np.where(rng.random(n) < 0.4, np.round(rng.random(n) * 3) / 2, 0.0)
        inds = []
        for i in range(n):
            ind = _Ind.__new__(_Ind)
            list.__init__(ind, [i])
            ind.index, ind.fitness = i, Fitness((-1.0,) * m)
            ind.fitness.values = FitnessValues(F[i], CV[i])
            inds.append(ind)
        ranks = np.empty(n, dtype=int)
        for r, front in enumerate(tools.sortNondominated(inds, n)):
            for ind in front:
                ranks[ind.index] = r
        np.testing.assert_array_equal(ranks, constrained_ranks(F, CV))


def test_constrained_nsga2_survival_equals_deap_selNSGA2_on_the_bridge_fitness():
    """With violations (some tied), NSGA-II survival keeps the set DEAP's selNSGA2 keeps
    on gadesign.deap.Fitness individuals (feasibility rules inside ``dominates``)."""
    from gadesign.deap import Fitness, FitnessValues
    checked = 0
    for seed in range(40):
        rng = np.random.default_rng(seed)
        m, n = int(rng.integers(2, 5)), int(rng.integers(6, 60))
        k = int(rng.integers(1, n))
        F = rng.random((n, m))
        CV = np.where(rng.random(n) < 0.4, rng.random(n), 0.0)
        if seed % 2:
            CV = np.where(CV > 0, np.round(CV * 2) / 2 + 0.5, 0.0)
        ranks = constrained_ranks(F, CV)
        key = sorted(zip(ranks, -crowding_distance(F, ranks)))
        if key[k - 1] == key[k]:
            continue
        inds = []
        for i in range(n):
            ind = _Ind.__new__(_Ind)
            list.__init__(ind, [i])
            ind.index, ind.fitness = i, Fitness((-1.0,) * m)
            ind.fitness.values = FitnessValues(F[i], CV[i])
            inds.append(ind)
        ref = {ind.index for ind in tools.selNSGA2(inds, k)}
        assert set(NSGA2(m, k).survive(_population(F, CV), k, rng).genomes) == ref
        checked += 1
    assert checked >= 20


# -- SPEA2 -----------------------------------------------------------------------------------
@pytest.mark.parametrize("m", [2, 3, 4])
def test_spea2_truncation_equals_deap_selSPEA2(m):
    """All members non-dominated and every objective spanning [0, 1] (so our per-objective
    normalisation is the identity): the truncation keeps the same set as DEAP's."""
    rng = np.random.default_rng(50 + m)
    for _ in range(10):
        n = int(rng.integers(8, 50))
        k = int(rng.integers(2, n))
        X = rng.random((n, m))
        X /= X.sum(axis=1, keepdims=True)  # on the simplex: mutually non-dominated
        F = (X - X.min(axis=0)) / (X.max(axis=0) - X.min(axis=0))
        with _deap_random(0):
            ref = {ind.index for ind in tools.selSPEA2(_inds(F), k)}
        assert set(SPEA2(m, k).survive(_population(F), k, rng).genomes) == ref


def test_spea2_fill_and_density_against_deap_and_a_kd_tree():
    """Too few non-dominated members: both fill by raw fitness (DEAP's density is not
    compared: its k-th distance uses only j > i); our density is 1/(sigma_k + 2) with
    sigma_k the k-th neighbour distance (k = floor(sqrt(N))) from a k-d tree."""
    rng = np.random.default_rng(9)
    checked = 0
    for _ in range(30):
        m = int(rng.integers(2, 5))
        n = int(rng.integers(10, 60))
        k = int(rng.integers(2, n))
        F = rng.random((n, m))
        fit, _ = spea2_fitness(F, np.zeros(n))
        Z = (F - F.min(axis=0)) / (F.max(axis=0) - F.min(axis=0))
        kk = int(np.sqrt(n))
        sigma = cKDTree(Z).query(Z, k=kk + 1)[0][:, kk]
        raw = np.rint(fit - 1.0 / (sigma + 2.0))
        np.testing.assert_allclose(fit - raw, 1.0 / (sigma + 2.0), rtol=1e-12)
        order = np.sort(raw)
        if (raw < 1).sum() >= k or order[k - 1] == order[k]:
            continue
        with _deap_random(0):
            ref = {ind.index for ind in tools.selSPEA2(_inds(F), k)}
        assert set(SPEA2(m, k).survive(_population(F), k, rng).genomes) == ref
        checked += 1
    assert checked >= 5


# -- NSGA-III ----------------------------------------------------------------------------------
@pytest.mark.parametrize("m,h", [(2, 5), (3, 12), (4, 6), (5, 5), (8, 3)])
def test_das_dennis_point_count_and_simplex(m, h):
    P = das_dennis(m, h)
    assert len(P) == comb(h + m - 1, m - 1)
    np.testing.assert_allclose(P.sum(axis=1), 1.0)
    assert (P >= 0).all() and len(np.unique(np.round(P * h), axis=0)) == len(P)
    np.testing.assert_allclose(P * h, np.round(P * h), atol=1e-9)  # on the grid of step 1/H


@pytest.mark.parametrize("m,pop,h", [(3, 92, 12), (3, 91, 12), (5, 210, 6), (2, 100, 99)])
def test_default_partitions_is_the_largest_that_fits(m, pop, h):
    assert default_partitions(m, pop) == h
    assert comb(h + m - 1, m - 1) <= pop < comb(h + m, m - 1)


@pytest.mark.parametrize("m,h", [(3, 6), (4, 4), (5, 3)])
def test_nsga3_niching_equals_deap_selNSGA3(m, h):
    """One front on the simplex, k = the number of occupied reference directions: the
    niching takes the member nearest to each occupied direction's line, whatever order it
    visits them in, so DEAP's ``selNSGA3`` (its own normalisation) must keep the same set."""
    for seed in range(8):
        rng = np.random.default_rng(seed)
        n = int(rng.integers(20, 60))
        F = rng.random((n, m)) ** 1.5
        F /= F.sum(axis=1, keepdims=True)
        alg = NSGA3(m, n, h)
        niche, _ = alg._associate((F - F.min(axis=0)) / (F.max(axis=0) - F.min(axis=0)))
        k = len(np.unique(niche))
        with _deap_random(seed):
            ref = {ind.index for ind in tools.selNSGA3(_inds(F), k, das_dennis(m, h), nd="standard")}
        assert set(alg.survive(_population(F), k, rng).genomes) == ref


@pytest.mark.filterwarnings("error")
def test_nsga3_survival_keeps_whole_fronts_first_without_warnings():
    """Every front before the last one that fits survives whole, the rest come from that
    last front, with constraints and ties; a hyperplane parallel to an axis (an infinite
    intercept) warned 'divide by zero' before it was capped at the worst point."""
    for seed in range(60):
        rng = np.random.default_rng(seed)
        m, n = int(rng.integers(2, 5)), int(rng.integers(4, 40))
        F = rng.random((2 * n, m))
        if seed % 3 == 0:
            F = np.round(F * 3)
        CV = np.where(rng.random(2 * n) < 0.3, rng.random(2 * n), 0.0)
        ranks = _reference_sort(F, CV)
        alg = NSGA3(m, n)
        for _ in range(2):  # the second call uses the remembered ideal and extreme points
            kept = np.array(alg.survive(_population(F, CV), n, rng).genomes)
            last = np.sort(ranks)[n - 1]
            assert len(set(kept)) == n and (ranks[kept] <= last).all()
            assert set(np.flatnonzero(ranks < last)) <= set(kept)


class DTLZ:
    """DTLZ1/DTLZ2 (Deb, Thiele, Laumanns & Zitzler 2002), k = 5 / 10 distance variables."""

    objectives = ()
    constraints = ()

    def __init__(self, which: int, m: int = 3) -> None:
        self.which, self.m = which, m
        self.name = f"outside-dtlz{which}"
        k = 5 if which == 1 else 10
        self.genome = RealVector(0.0, 1.0, m - 1 + k)
        self.objectives = tuple(Objective(f"f{i + 1}") for i in range(m))

    def decode(self, x):
        return x

    def evaluate(self, x) -> Evaluation:
        return self.evaluate_many([x])[0]

    def evaluate_many(self, xs):
        X = np.asarray(xs, float)
        m = self.m
        xm = X[:, m - 1:]
        if self.which == 1:
            g = 100 * (xm.shape[1] + ((xm - 0.5) ** 2 - np.cos(20 * np.pi * (xm - 0.5))).sum(axis=1))
            F = np.empty((len(X), m))
            for i in range(m):
                f = 0.5 * (1 + g) * np.prod(X[:, : m - 1 - i], axis=1)
                if i > 0:
                    f = f * (1 - X[:, m - 1 - i])
                F[:, i] = f
        else:
            g = ((xm - 0.5) ** 2).sum(axis=1)
            th = X[:, : m - 1] * np.pi / 2
            F = np.empty((len(X), m))
            for i in range(m):
                f = (1 + g) * np.prod(np.cos(th[:, : m - 1 - i]), axis=1)
                if i > 0:
                    f = f * np.sin(th[:, m - 1 - i])
                F[:, i] = f
        return [Evaluation(tuple(float(v) for v in row), ()) for row in F]


def test_nsga3_dtlz2_front_on_the_unit_sphere_and_spread_over_it():
    """DTLZ2's front is the positive octant of the unit sphere: every final member lies
    near it and the IGD to 5,000 points drawn uniformly on it is small. Each of the
    91 reference directions (H = 12) should be the nearest of about one member."""
    result = evolve(DTLZ(2), algorithm="nsga3", pop=92, generations=150, seed=1)
    F = result.objectives()
    radius = np.linalg.norm(F, axis=1)
    assert np.abs(radius - 1).max() < 0.02
    rng = np.random.default_rng(0)
    S = np.abs(rng.normal(size=(5000, 3)))
    S /= np.linalg.norm(S, axis=1, keepdims=True)
    ideal_set = das_dennis(3, 12)
    ideal_set /= np.linalg.norm(ideal_set, axis=1, keepdims=True)
    assert igd(F, S) < 1.02 * igd(ideal_set, S)  # the 91 directions' own points: 0.0585 (seed 1: 0.0587)
    # niching: the members' nearest reference directions cover most of the 91
    d = das_dennis(3, 12)
    d /= np.linalg.norm(d, axis=1, keepdims=True)
    U = F / radius[:, None]
    covered = np.unique(np.argmax(U @ d.T, axis=1))
    assert len(covered) >= 89  # seed 1: all 91


def test_nsga3_five_objective_dtlz2_covers_every_reference_direction():
    """5 objectives, H = 6: C(10, 4) = 210 directions; seed 1 covers all 210 with the
    median member 0.011 off the unit sphere."""
    result = evolve(DTLZ(2, 5), algorithm="nsga3", pop=212, generations=150, seed=1)
    F = result.objectives()
    radius = np.linalg.norm(F, axis=1)
    assert np.median(np.abs(radius - 1)) < 0.02 and np.abs(radius - 1).max() < 0.06
    d = das_dennis(5, 6)
    assert len(d) == 210
    d /= np.linalg.norm(d, axis=1, keepdims=True)
    assert len(np.unique(np.argmax((F / radius[:, None]) @ d.T, axis=1))) >= 200


def test_nsga3_dtlz1_front_on_the_simplex():
    """DTLZ1's front is the plane f1 + f2 + f3 = 0.5; its g has 11^5 - 1 local fronts, so
    a member may still sit on one (the front's edges are only weakly dominated)."""
    result = evolve(DTLZ(1), algorithm="nsga3", pop=92, generations=300, seed=1)
    F = result.objectives()
    off = np.abs(F.sum(axis=1) - 0.5)
    assert np.median(off) < 0.003 and (off < 0.01).mean() > 0.95
    dense = 0.5 * das_dennis(3, 30)
    assert igd(F, dense) < 1.1 * igd(0.5 * das_dennis(3, 12), dense)  # the 91 ideal points: 0.0202


# -- indicators ----------------------------------------------------------------------------------
def test_hypervolume_hand_cases():
    ref = [4.0, 4.0]
    assert hypervolume(np.array([[1.0, 3.0], [2.0, 2.0], [3.0, 1.0]]), ref) == 6.0  # 3 + 2 + 1 staircase
    assert hypervolume(np.array([[1.0, 3.0], [1.0, 3.0], [2.0, 2.0], [3.0, 1.0]]), ref) == 6.0  # duplicate
    assert hypervolume(np.array([[1.0, 3.0], [2.0, 2.0], [3.0, 3.0]]), ref) == 5.0  # a dominated point
    assert hypervolume(np.array([[5.0, 0.0], [4.0, 1.0], [1.0, 4.0]]), ref) == 0.0  # outside or on the box
    assert hypervolume(np.array([[5.0, 0.0], [2.0, 2.0]]), ref) == 4.0  # one outside, one inside
    assert hypervolume(np.empty((0, 2)), ref) == 0.0
    assert hypervolume(np.array([[0.0, 0.0, 0.0]]), [1.0, 2.0, 3.0]) == 6.0
    # 3-D: two boxes [0,2]x[0,1]x[0,1] and [0,1]x[0,2]x[0,1] overlapping in the unit cube: 2 + 2 - 1
    assert hypervolume(np.array([[0.0, 1.0, 1.0], [1.0, 0.0, 1.0]]), [2.0, 2.0, 2.0]) == 3.0
    # 3-D with a point beyond the reference in one coordinate
    assert hypervolume(np.array([[0.0, 1.0, 1.0], [1.0, 0.0, 3.0]]), [2.0, 2.0, 2.0]) == 2.0


def test_indicators_take_one_point_as_a_flat_sequence_and_name_a_shape_mismatch():
    assert hypervolume([1.0, 2.0], [3.0, 3.0]) == 2.0  # one 2-D point (was numpy's AxisError)
    assert hypervolume([1.0, 2.0], [3.0]) == 2.0  # two 1-D points: the box [1, 3]
    assert igd([0.0, 0.0], [[0.0, 1.0], [1.0, 0.0]]) == 1.0
    with pytest.raises(ValueError, match=r"hypervolume: expected a \(k, 2\) matrix"):
        hypervolume([[1.0], [2.0]], [3.0, 3.0])
    with pytest.raises(ValueError, match="igd: expected"):
        igd([[1.0]], [[0.0, 1.0]])


@pytest.mark.parametrize("m", [2, 3, 4])
def test_hypervolume_equals_moocore_and_monte_carlo(m):
    rng = np.random.default_rng(m)
    ref = np.full(m, 1.1)
    F = rng.random((40, m)) * 1.3  # some outside the reference box
    F[:5] = F[5:10]
    inside = (F < ref).all(axis=1)
    assert hypervolume(F, ref) == pytest.approx(float(moocore.hypervolume(F[inside], ref=ref)), rel=1e-12)
    U = rng.random((200_000, m)) * ref  # Monte-Carlo: the share of the box dominated
    dominated = np.zeros(len(U), bool)
    for f in F[inside]:
        dominated |= (U >= f).all(axis=1)
    mc = dominated.mean() * np.prod(ref)
    assert hypervolume(F, ref) == pytest.approx(mc, abs=4 * np.prod(ref) * 0.5 / np.sqrt(len(U)))


def test_igd_hand_cases():
    ref = np.array([[0.0, 1.0], [1.0, 0.0]])
    assert igd(np.array([[0.0, 1.0], [1.0, 0.0]]), ref) == 0.0
    assert igd(np.array([[0.0, 0.0]]), ref) == 1.0
    assert igd(np.array([[0.0, 1.0], [0.0, 1.0]]), ref) == pytest.approx(math.sqrt(2) / 2)
    assert igd(np.empty((0, 2)), ref) == math.inf


def test_igd_equals_moocore_and_pymoo():
    from pymoo.indicators.igd import IGD
    rng = np.random.default_rng(1)
    for m in (2, 3, 5):
        A, R = rng.random((30, m)), rng.random((50, m))
        assert igd(A, R) == pytest.approx(float(moocore.igd(A, ref=R)), rel=1e-12)
        assert igd(A, R) == pytest.approx(float(IGD(R)(A)), rel=1e-12)


def test_hypervolume_equals_pymoo():
    from pymoo.indicators.hv import HV
    rng = np.random.default_rng(2)
    for m in (2, 3, 4):
        F = rng.random((25, m))
        assert hypervolume(F, np.full(m, 1.2)) == pytest.approx(float(HV(ref_point=np.full(m, 1.2))(F)), rel=1e-12)


def test_spread_hand_cases():
    """Deb et al. (2002) Delta and Zhou et al. (2006) generalised spread, worked by hand."""
    R = np.array([[0.0, 1.0], [1.0, 0.0]])
    assert spread(np.array([[0.0, 1.0], [0.5, 0.5], [1.0, 0.0]]), R) == 0.0  # even, out to the extremes
    # gaps sqrt(2)/4 and 3 sqrt(2)/4, mean sqrt(2)/2: (0 + 0 + sqrt(2)/2) / (0 + 0 + 2 sqrt(2)/2)
    assert spread(np.array([[1.0, 0.0], [0.0, 1.0], [0.25, 0.75]]), R) == pytest.approx(0.5)
    # one extreme missed by sqrt(2)/2, one gap of sqrt(2)/2: (sqrt(2)/2) / (sqrt(2)/2 + sqrt(2)/2)
    assert spread(np.array([[0.0, 1.0], [0.5, 0.5]]), R) == pytest.approx(0.5)
    assert spread(np.empty((0, 2)), R) == math.inf
    assert generalized_spread(np.array([[0.0, 1.0], [0.5, 0.5], [1.0, 0.0]]), R) == 0.0
    # nearest-neighbour distances a, a, 3a (a = sqrt(2)/4), mean 5a/3: (2a/3 + 2a/3 + 4a/3) / (5a)
    assert generalized_spread(np.array([[0.0, 1.0], [0.25, 0.75], [1.0, 0.0]]), R) == pytest.approx(8 / 15)
    grid = das_dennis(3, 12)  # every point's nearest neighbour at sqrt(2)/12, extremes included
    assert generalized_spread(grid, grid) == pytest.approx(0.0, abs=1e-12)
    assert generalized_spread(grid[grid[:, 0] < 0.5], grid) > 0.05  # the f1 extreme missed
    with pytest.raises(ValueError):
        spread(np.zeros((3, 3)), R)


# -- constrained optima ---------------------------------------------------------------------------
class OneD:
    """min (x - 2)^2 subject to x <= 1 on [-5, 5]: the constrained optimum is x = 1."""

    name = "outside-1d"
    objectives = (Objective("f"),)
    constraints = ("x<=1",)

    def __init__(self) -> None:
        self.genome = RealVector(-5.0, 5.0, 1)

    def decode(self, x):
        return x

    def evaluate(self, x) -> Evaluation:
        return Evaluation(((float(x[0]) - 2) ** 2,), (max(float(x[0]) - 1, 0.0),))


def test_a_one_dimensional_constrained_optimum_is_reached():
    result = evolve(OneD(), algorithm="ga", pop=20, generations=60, seed=1)
    (x, e), *_ = result.front
    assert e.violations == (0.0,) and 1 - 1e-3 < x[0] <= 1.0


class Constr:
    """CONSTR (Deb 2001): min x1, min (1 + x2)/x1; 9x1 + x2 >= 6, 9x1 - x2 >= 1;
    x1 in [0.1, 1], x2 in [0, 5]. Front: x2 = 6 - 9x1 for x1 in [7/18, 2/3], then x2 = 0."""

    name = "outside-constr"
    objectives = (Objective("f1"), Objective("f2"))
    constraints = ("g1", "g2")

    def __init__(self) -> None:
        self.genome = RealVector([0.1, 0.0], [1.0, 5.0])

    def decode(self, x):
        return x

    def evaluate(self, x) -> Evaluation:
        x1, x2 = float(x[0]), float(x[1])
        return Evaluation((x1, (1 + x2) / x1), (max(6 - 9 * x1 - x2, 0.0), max(1 - 9 * x1 + x2, 0.0)))


def constr_front(f1: np.ndarray) -> np.ndarray:
    return np.where(f1 < 2 / 3, (7 - 9 * f1) / f1, 1 / f1)


@pytest.mark.parametrize("algorithm", ["nsga2", "spea2"])
def test_constr_front_matches_the_analytic_front(algorithm):
    result = evolve(Constr(), algorithm=algorithm, pop=60, generations=80, seed=1)
    F = result.objectives()
    assert all(sum(e.violations) == 0 for _, e in result.front)
    assert F[:, 0].min() < 0.41 and F[:, 0].max() > 0.99  # the front spans f1 in [7/18, 1]
    assert (F[:, 1] >= constr_front(F[:, 0]) * (1 - 1e-12)).all()  # nothing beyond the true front
    t = np.linspace(7 / 18, 1, 20001)
    true = np.column_stack([t, constr_front(t)])
    scale = np.array([1 - 7 / 18, 9 - 1])  # the front's extent
    assert cKDTree(true / scale).query(F / scale)[0].max() < 0.03
    ref = (1.1, 10.0)
    assert hypervolume(F, ref) > 0.98 * hypervolume(true, ref)


class ConstrMax(Constr):
    """CONSTR with its second objective maximised as -f2: the same search."""

    objectives = (Objective("f1"), Objective("minus_f2", "max"))

    def evaluate(self, x) -> Evaluation:
        e = super().evaluate(x)
        return Evaluation((e.objectives[0], -e.objectives[1]), e.violations)


@pytest.mark.parametrize("algorithm", ["nsga2", "nsga3", "spea2"])
def test_maximising_minus_f_is_minimising_f(algorithm):
    a = evolve(Constr(), algorithm=algorithm, pop=20, generations=10, seed=2)
    b = evolve(ConstrMax(), algorithm=algorithm, pop=20, generations=10, seed=2)
    assert sorted(x.tolist() for x, _ in a.front) == sorted(x.tolist() for x, _ in b.front)
    assert a.hypervolume((1.1, 10.0)) == b.hypervolume((1.1, -10.0))


class ConstrainedRosenbrock:
    """Rosenbrock subject to (x-1)^3 - y + 1 <= 0 and x + y - 2 <= 0: optimum (1, 1), f = 0."""

    name = "outside-rosenbrock"
    objectives = (Objective("f"),)
    constraints = ("cubic", "line")

    def __init__(self) -> None:
        self.genome = RealVector([-1.5, -0.5], [1.5, 2.5])

    def decode(self, x):
        return x

    def g(self, x) -> tuple[float, float]:
        a, b = float(x[0]), float(x[1])
        return (a - 1) ** 3 - b + 1, a + b - 2

    def evaluate(self, x) -> Evaluation:
        a, b = float(x[0]), float(x[1])
        return Evaluation(((1 - a) ** 2 + 100 * (b - a * a) ** 2,), tuple(max(v, 0.0) for v in self.g(x)))


class SmoothConstrainedRosenbrock(ConstrainedRosenbrock):
    def constraint_values_many(self, xs):
        return [self.g(x) for x in xs]


@pytest.mark.parametrize("problem", [ConstrainedRosenbrock, SmoothConstrainedRosenbrock])
def test_slsqp_refine_reaches_the_analytic_constrained_optimum(problem):
    from gadesign.refine import refine
    r = refine(problem(), np.array([0.5, 0.5]))
    np.testing.assert_allclose(r.x, [1.0, 1.0], atol=1e-4)
    assert r.evaluation.objectives[0] < 1e-6 and r.evaluation.total_violation < 1e-9


# -- representations -------------------------------------------------------------------------------
class Knapsack:
    """0/1 knapsack: maximise value, capacity as a constraint."""

    name = "outside-knapsack"
    objectives = (Objective("value", "max"),)
    constraints = ("capacity",)

    def __init__(self, weights, values, capacity) -> None:
        self.w, self.v, self.cap = np.asarray(weights), np.asarray(values), capacity
        self.genome = BinaryVector(len(weights))

    def decode(self, x):
        return np.flatnonzero(x)

    def evaluate(self, x) -> Evaluation:
        return Evaluation((float(self.v @ x),), (max(float(self.w @ x) - self.cap, 0.0),))


def knapsack_dp(w, v, cap) -> int:
    best = [0] * (cap + 1)
    for wi, vi in zip(w, v):
        for c in range(cap, wi - 1, -1):
            best[c] = max(best[c], best[c - wi] + vi)
    return best[cap]


def test_binary_knapsack_reaches_the_dynamic_programming_optimum():
    rng = np.random.default_rng(4)
    w = rng.integers(5, 40, 25)
    v = rng.integers(5, 60, 25)
    cap = int(w.sum() // 3)
    opt = knapsack_dp(w.tolist(), v.tolist(), cap)
    result = evolve(Knapsack(w, v, cap), algorithm="ga", pop=60, generations=150, seed=1)
    (x, e), *_ = result.front
    assert e.violations == (0.0,) and e.objectives[0] == opt
    assert int(v @ x) == opt and int(w @ x) <= cap


class BiKnapsack:
    """Bi-objective 0/1 knapsack: maximise value, minimise weight (vectorised)."""

    name = "outside-biknapsack"
    objectives = (Objective("value", "max"), Objective("weight"))
    constraints = ()

    def __init__(self, weights, values) -> None:
        self.w, self.v = np.asarray(weights), np.asarray(values)
        self.genome = BinaryVector(len(weights))

    def decode(self, x):
        return np.flatnonzero(x)

    def evaluate(self, x) -> Evaluation:
        return self.evaluate_many([x])[0]

    def evaluate_many(self, xs):
        X = np.asarray(xs)
        return [Evaluation((float(a), float(b)), ()) for a, b in zip(X @ self.v, X @ self.w)]


@pytest.mark.parametrize("algorithm", ["nsga2", "spea2"])
def test_bi_objective_knapsack_front_is_the_dynamic_programming_staircase(algorithm):
    """The Pareto front of (max value, min weight) is every capacity c at which the DP's
    best value best[c] rises: {(c, best[c])}. 16 items: 65 such points."""
    rng = np.random.default_rng(4)
    w, v = rng.integers(1, 20, 16), rng.integers(1, 30, 16)
    best = [0] * (int(w.sum()) + 1)
    for wi, vi in zip(w.tolist(), v.tolist()):
        for c in range(len(best) - 1, wi - 1, -1):
            best[c] = max(best[c], best[c - wi] + vi)
    pareto = {(c, best[c]) for c in range(len(best)) if c == 0 or best[c] > best[c - 1]}
    result = evolve(BiKnapsack(w, v), algorithm=algorithm, pop=100, generations=100, seed=1)
    found = {(int(e.objectives[1]), int(e.objectives[0])) for _, e in result.front}
    assert found == pareto and len(pareto) == 65


# TSPLIB burma14 (G. Reinelt, TSPLIB 1991; GEO coordinates, DDD.MM), optimum 3323
BURMA14 = [(16.47, 96.10), (16.47, 94.44), (20.09, 92.54), (22.39, 93.37), (25.23, 97.24), (22.00, 96.05),
           (20.47, 97.02), (17.20, 96.29), (16.30, 97.38), (14.05, 98.12), (16.53, 97.38), (21.52, 95.59),
           (19.41, 97.13), (20.09, 94.55)]


def tsplib_geo(coords) -> np.ndarray:
    """TSPLIB's GEO distance (TSPLIB 95 documentation, section 2.4)."""
    def rad(x):
        deg = int(x)
        return math.pi * (deg + 5.0 * (x - deg) / 3.0) / 180.0
    n, RRR = len(coords), 6378.388
    D = np.zeros((n, n), dtype=np.int64)
    for i, j in itertools.permutations(range(n), 2):
        (la1, lo1), (la2, lo2) = (map(rad, coords[i]), map(rad, coords[j]))
        q1, q2, q3 = math.cos(lo1 - lo2), math.cos(la1 - la2), math.cos(la1 + la2)
        D[i, j] = int(RRR * math.acos(0.5 * ((1 + q1) * q2 - (1 - q1) * q3)) + 1.0)
    return D


def held_karp(D: np.ndarray) -> int:
    """Exact shortest tour length by Held-Karp dynamic programming over subsets."""
    n = len(D)
    full = 1 << (n - 1)
    C = np.full((full, n - 1), np.iinfo(np.int64).max // 4, dtype=np.int64)
    for j in range(n - 1):
        C[1 << j, j] = D[0, j + 1]
    for S in range(1, full):
        members = [j for j in range(n - 1) if S >> j & 1]
        if len(members) < 2:
            continue
        for j in members:
            prev = S ^ (1 << j)
            ks = [k for k in members if k != j]
            C[S, j] = min(C[prev, k] + D[k + 1, j + 1] for k in ks)
    return int(min(C[full - 1, j] + D[j + 1, 0] for j in range(n - 1)))


class Tour:
    name = "outside-tsp"
    objectives = (Objective("length"),)
    constraints = ()

    def __init__(self, D: np.ndarray, **kw) -> None:
        self.D = D
        self.genome = Permutation(len(D), **kw)

    def decode(self, x):
        return x

    def evaluate(self, x) -> Evaluation:
        return Evaluation((float(self.D[x, np.roll(x, -1)].sum()),), ())


@pytest.fixture(scope="module")
def burma14():
    D = tsplib_geo(BURMA14)
    return D, held_karp(D)


def test_burma14_held_karp_gives_the_tsplib_optimum(burma14):
    assert burma14[1] == 3323


@pytest.mark.parametrize("crossover", ["ox", "pmx", "cx"])
def test_permutation_ga_reaches_the_burma14_optimum(burma14, crossover):
    D, opt = burma14
    result = evolve(Tour(D, crossover=crossover), algorithm="ga", pop=80, generations=150, seed=1)
    assert result.front[0][1].objectives[0] == opt


@pytest.mark.parametrize("crossover", ["ox", "pmx", "cx", "cxOrdered", "cxPartialyMatched"])
@pytest.mark.parametrize("mutation", ["swap", "inversion", "insertion", "mutShuffleIndexes"])
def test_permutation_children_are_permutations(crossover, mutation):
    kw = {"mutation_args": {"indpb": 0.2}} if mutation == "mutShuffleIndexes" else {}
    g = Permutation(9, crossover=crossover, mutation=mutation, **kw)
    rng = np.random.default_rng(1)
    P = g.sample_many(40, rng)
    for _ in range(10):
        P = g.vary(P, rng)
        assert all(np.array_equal(np.sort(c), np.arange(9)) for c in P)


def test_permutation_crossovers_keep_what_their_definitions_keep():
    g_rng = np.random.default_rng(2)
    from gadesign.genomes.permutation import (
        cycle_crossover,
        order_crossover,
        pmx_crossover,
    )
    for _ in range(200):
        a, b = g_rng.permutation(10), g_rng.permutation(10)
        i, j = sorted(g_rng.integers(0, 11, 2))
        ox, pmx = order_crossover(a, b, i, j), pmx_crossover(a, b, i, j)
        for c in (ox, pmx):
            assert np.array_equal(c[i:j], a[i:j]) and np.array_equal(np.sort(c), np.arange(10))
        # OX: the genes outside the segment in b's cyclic order, starting after the second cut
        rest = [v for v in np.roll(b, -j) if v not in set(a[i:j])]
        assert [ox[p % 10] for p in range(j, j + 10 - (j - i))] == rest
        # PMX: outside the segment, a gene of b not in a's segment stays where b had it
        for p in [*range(i), *range(j, 10)]:
            if b[p] not in set(a[i:j]):
                assert pmx[p] == b[p]
        # CX: every gene keeps a position it had in one of the parents
        for c in cycle_crossover(a, b):
            assert np.array_equal(np.sort(c), np.arange(10)) and ((c == a) | (c == b)).all()


@pytest.mark.parametrize("mutation", ["creep", "uniform", "mixed", "mutUniformInt"])
@pytest.mark.parametrize("crossover", ["uniform", "two_point", "cxBlend"])
def test_integer_vectors_never_leave_their_bounds(mutation, crossover):
    lo = np.array([-7, 3, 0, -2, 5, -100])
    hi = np.array([-3, 3, 1, 2, 5, 100])  # negative, single-value and wide ranges
    kw = {}
    if mutation == "mutUniformInt":
        kw["mutation_args"] = {"low": -200, "up": 200, "indpb": 0.5}  # draws far outside: repaired
    if crossover == "cxBlend":
        kw["crossover_args"] = {"alpha": 2.0}
    g = IntegerVector(lo, hi, mutation=mutation, crossover=crossover, mutation_prob=0.5
                      if mutation in ("creep", "uniform", "mixed") else None, **kw)
    rng = np.random.default_rng(0)
    P = g.sample_many(30, rng)
    for _ in range(20):
        P = g.vary(P, rng)
        X = np.asarray(P)
        assert X.dtype.kind == "i" and (X >= lo).all() and (X <= hi).all()
        assert (X[:, 1] == 3).all() and (X[:, 4] == 5).all()
    for x in P:  # the per-design operators as well
        c1, c2 = g.crossover(x, P[0], rng)
        for c in (g.repair(c1), g.repair(c2), g.repair(g.mutate(x, rng))):
            assert (c >= lo).all() and (c <= hi).all()


def test_integer_repair_rounds_fractional_genes():
    """IntegerVector.repair truncated toward zero (2.7 -> 2, -2.7 -> -2) where the DEAP
    bridge and bound DEAP operators round: a plugin's own operator or whole-design repair
    handing back floats got a different design."""
    g = IntegerVector([-5, -5, -5, 0], [5, 5, 5, 0])
    np.testing.assert_array_equal(g.repair(np.array([2.7, -2.7, 9.6, 0.4])), [3, -3, 5, 0])
    np.testing.assert_array_equal(g.repair([1, -7, 3, 2]), [1, -5, 3, 0])
    assert g.repair(np.array([2.7, -2.7, 9.6, 0.4])).dtype == np.int64


@pytest.mark.parametrize("min_len,max_len", [(0, 1), (0, 4), (2, 2), (3, 9)])
def test_varlength_lengths_always_within_limits(min_len, max_len):
    g = VarLength(IntegerVector(-2, 2, 2), min_len, max_len, insert_prob=0.45, delete_prob=0.45)
    rng = np.random.default_rng(min_len * 10 + max_len)
    P = g.sample_many(30, rng)
    seen = set()
    for _ in range(30):
        assert all(min_len <= len(x) <= max_len for x in P)
        assert all(((np.asarray(gene) >= -2) & (np.asarray(gene) <= 2)).all() for x in P for gene in x)
        seen |= {len(x) for x in P}
        P = g.vary(P, rng)
    assert set(range(max(min_len, 1), max_len + 1)) <= seen <= set(range(min_len, max_len + 1))


class SymbolicRegression:
    """Fit y = x^2 + x with a variable-length polynomial: genes (power 0..4, coefficient in
    {-3..3}); the exact formula has error 0."""

    name = "outside-symreg"
    objectives = (Objective("sse"), Objective("terms"))
    constraints = ()

    def __init__(self) -> None:
        self.genome = VarLength(IntegerVector([0, -3], [4, 3]), 1, 6)
        self.x = np.linspace(-2, 2, 21)

    def decode(self, x):
        return [(int(p), int(c)) for p, c in x]

    def evaluate(self, x) -> Evaluation:
        yhat = sum(c * self.x ** p for p, c in self.decode(x))
        return Evaluation((float(((yhat - self.x ** 2 - self.x) ** 2).sum()), float(len(x))), ())


def test_varlength_symbolic_regression_finds_the_formula():
    result = evolve(SymbolicRegression(), algorithm="nsga2", pop=40, generations=40, seed=1)
    exact = [(x, e) for x, e in result.front if e.objectives[0] < 1e-12]
    assert exact and min(e.objectives[1] for _, e in exact) == 2  # x^2 + x: two terms


def test_composite_parts_respect_their_own_bounds_and_the_whole_repair():
    def repair(d):
        d = dict(d)
        d["areas"] = np.where(d["on"] == 1, d["areas"], 0.0)  # absent members have no area
        return d
    g = Composite({"on": BinaryVector(5), "areas": RealVector(0.0, 2.0, 5),
                   "order": Permutation(4), "count": IntegerVector(-3, -1, 2)}, repair=repair)
    rng = np.random.default_rng(5)
    P = g.sample_many(20, rng)
    for _ in range(15):
        for d in P:
            assert set(np.unique(d["on"])) <= {0, 1}
            assert (d["areas"] >= 0).all() and (d["areas"] <= 2).all() and (d["areas"][d["on"] == 0] == 0).all()
            assert np.array_equal(np.sort(d["order"]), np.arange(4))
            assert (d["count"] >= -3).all() and (d["count"] <= -1).all()
            assert g.from_json(json.loads(json.dumps(g.to_json(d)))).keys() == d.keys()
        P = g.vary(P, rng)


# -- determinism -------------------------------------------------------------------------------------
def _front_bytes(result) -> bytes:
    g = result.problem.genome
    return json.dumps([[g.to_json(x), list(e.objectives), list(e.violations)] for x, e in result.front]).encode()


@pytest.mark.parametrize("algorithm", ["nsga2", "nsga3", "spea2"])
def test_same_seed_same_front_serial_and_two_workers(algorithm):
    serial = evolve(Constr(), algorithm=algorithm, pop=20, generations=8, seed=3)
    pooled = evolve(Constr(), algorithm=algorithm, pop=20, generations=8, seed=3, workers=2)
    assert _front_bytes(serial) == _front_bytes(pooled)
    assert _front_bytes(serial) != _front_bytes(evolve(Constr(), algorithm=algorithm, pop=20, generations=8, seed=4))


@pytest.mark.parametrize("algorithm", ["nsga2", "nsga3", "spea2", "ga", "mu+lambda", "mu,lambda", "cmaes"])
def test_interrupt_and_resume_from_json_state_is_identical(algorithm):
    problem = DTLZ(2) if algorithm in ("nsga2", "nsga3", "spea2", "mu,lambda") else OneD()

    def make():
        alg = make_algorithm(algorithm, len(problem.objectives), 16)
        return Evolution(problem, alg, 16, np.random.Generator(np.random.PCG64(5)), make_evaluator(problem, 1, None, None))
    whole = make()
    whole.initialise()
    for _ in range(12):
        whole.step()
    first = make()
    first.initialise()
    for _ in range(5):
        first.step()
    saved = json.dumps(first.state())
    second = make()
    second.load_state(json.loads(saved))
    for _ in range(7):
        second.step()
    g = problem.genome
    assert [g.to_json(x) for x in second.pop.genomes] == [g.to_json(x) for x in whole.pop.genomes]
    assert np.array_equal(second.pop.F, whole.pop.F)
