"""Engine hooks a problem may offer (gadesign.engine, gadesign.refine): restarts on
stagnation (``restart_after``, ``restart_tolerance``) and its own end-of-run local search
(``refine_design``), on a toy problem whose behaviour is known exactly."""

from __future__ import annotations

import json

import numpy as np

from gadesign import evolve
from gadesign.algorithms import make_algorithm
from gadesign.engine import Evolution
from gadesign.genomes import RealVector
from gadesign.problem import Evaluation, Objective, evaluate_batch


class Plateau:
    """Minimise x0 subject to ``x1 >= need``: the violation ``max(0, need - x1)`` is
    floored at ``floor`` (a plateau no design gets below, so the search stalls)."""

    name = "plateau"
    objectives = (Objective("f"),)
    constraints = ("c",)

    def __init__(self, floor: float = 0.5, restart_after: int = 3, own_refine: bool = False,
                 need: float = 0.99) -> None:
        self.genome = RealVector(0.0, 1.0, n=2)
        self.floor, self.need = floor, need
        self.restart_after = restart_after
        self.restart_tolerance = 0.0
        if own_refine:
            self.refine_design = self._refine

    def evaluate(self, x) -> Evaluation:
        return Evaluation((float(x[0]),), (max(self.floor, self.need - float(x[1])),), {})

    def decode(self, x):
        return x

    def _refine(self, x, evaluation):
        """Move x1 to 1 (removes the violation when there is no floor): 1 evaluation."""
        y = np.array([x[0], 1.0])
        return y, self.evaluate(y), 1


def run(problem, generations, seed=3, state=None):
    evo = Evolution(problem, make_algorithm("ga", 1, 8), 8, np.random.Generator(np.random.PCG64(seed)),
                    lambda xs: evaluate_batch(problem, xs))
    if state is None:
        evo.initialise()
    else:
        evo.load_state(json.loads(json.dumps(state)))
    rows = [evo.statistics()]
    while evo.generation < generations:
        evo.step()
        rows.append(evo.statistics())
    return evo, rows


def test_a_stalled_infeasible_search_restarts_and_keeps_its_best_in_the_front():
    evo, rows = run(Plateau(restart_after=3), 12)
    # the violation never drops: restarts at generations 4, 8, 12 (3 stalled, then one)
    assert [r["restarts"] for r in rows] == [0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3]
    assert evo.evaluations == 8 * 13                       # a restart costs one generation
    assert evo.archive is not None and len(evo.archive) <= 10
    # the archive: the least violating designs of all attempts, best objective first
    assert list(evo.archive.F[:, 0]) == sorted(evo.archive.F[:, 0]) and set(evo.archive.CV) == {0.5}
    assert evo.front().evaluations[0].violations == (0.5,)


def test_no_restart_while_the_search_improves_or_once_feasible():
    _, rows = run(Plateau(floor=0.0, restart_after=3), 10)
    assert rows[-1]["feasible"] > 0 and rows[-1]["restarts"] == 0


def test_a_resumed_run_restarts_as_the_uninterrupted_one():
    straight, rows = run(Plateau(restart_after=3), 11)
    half, _ = run(Plateau(restart_after=3), 6)               # after the first restart
    resumed, rows2 = run(Plateau(restart_after=3), 11, state=half.state())
    assert rows2[-1] == rows[-1]
    assert [list(g) for g in resumed.pool().genomes] == [list(g) for g in straight.pool().genomes]


def test_the_problems_own_refine_design_runs_at_the_end_and_counts_its_evaluations():
    # x1 = 1 exactly is the only feasible value: the search does not find it, the refinement does
    plain = evolve(Plateau(floor=0.0, restart_after=0, need=1.0), pop=8, generations=2, seed=1, algorithm="ga")
    own = evolve(Plateau(floor=0.0, restart_after=0, own_refine=True, need=1.0), pop=8, generations=2, seed=1,
                 algorithm="ga", refine=2)
    assert plain.logbook[-1]["feasible"] == 0
    assert own.logbook[-1]["evals"] == plain.logbook[-1]["evals"] + 2
    (_, e), = own.front
    assert e.feasible and e.info["refined"] == "refine_design" and e.info["refine_evaluations"] == 1


class Shaped(Plateau):
    """Plateau whose designs have a shape, ``refine_key`` = which fifth of [0, 1] x0 is
    in; the objective x0 ranks the least shape first, so by rank alone the archive is
    crowded by shape 0 once the search has found it."""

    def __init__(self, by_key: bool, reseed: int = 0) -> None:
        super().__init__(restart_after=3)
        self.restart_by_key, self.restart_reseed = by_key, reseed

    def refine_key(self, x) -> int:
        return min(int(float(x[0]) * 5), 4)


def shapes(archive) -> list[int]:
    return [min(int(float(g[0]) * 5), 4) for g in archive.genomes]


def test_the_restart_archive_takes_the_best_design_of_each_distinct_key_first():
    plain, _ = run(Shaped(by_key=False), 12)
    keyed, rows = run(Shaped(by_key=True), 11)
    pool = keyed.pool()                                      # what the third restart chooses from
    keyed.step()
    assert keyed.restarts == 3 and rows[-1]["restarts"] == 2
    # by rank alone: the least objective first, whatever the shape
    assert list(plain.archive.F[:, 0]) == sorted(plain.archive.F[:, 0])
    assert len(set(shapes(plain.archive))) < len(set(shapes(keyed.archive)))
    # by key: the best design (least x0) of each distinct shape, in rank order, then the rest in rank order
    k = shapes(keyed.archive)
    n = len(set(k))
    assert n >= 3 and len(set(k[:n])) == n and sorted(k[:n]) == k[:n]
    for j, s in enumerate(k[:n]):
        assert keyed.archive.F[j, 0] == min(f for f, t in zip(pool.F[:, 0], shapes(pool)) if t == s)
    assert list(keyed.archive.F[n:, 0]) == sorted(keyed.archive.F[n:, 0])
    # without refine_key the member changes nothing
    a, _ = run(Plateau(restart_after=3), 12)
    p = Plateau(restart_after=3)
    p.restart_by_key, p.restart_reseed = True, 3
    b, _ = run(p, 12)
    assert [list(g) for g in a.pool().genomes] == [list(g) for g in b.pool().genomes]


def test_reseeded_restarts_start_from_other_keys_and_resume_identically():
    straight, rows = run(Shaped(by_key=True, reseed=2), 11)
    # each restart costs pop - 2 evaluations: the two seeded designs are not evaluated again
    assert rows[-1]["restarts"] == 2 and straight.evaluations == 8 * 12 - 2 * 2
    half, _ = run(Shaped(by_key=True, reseed=2), 5)           # just after the first restart
    assert half.restarts == 1
    k = shapes(half.archive)
    seeded = [j for j in range(1, len(k)) if k[j] not in k[:j]][:2]
    fresh = [list(g) for g in half.pool().genomes]
    assert all(list(half.archive.genomes[j]) in fresh[:len(half.pop)] for j in seeded)
    resumed, rows2 = run(Shaped(by_key=True, reseed=2), 11, state=half.state())
    assert rows2[-1] == rows[-1]
    assert [list(g) for g in resumed.pool().genomes] == [list(g) for g in straight.pool().genomes]
