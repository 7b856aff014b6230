"""The evolutionary loop every algorithm shares, and its exact JSON state.

One generation::

    parents   = pop[algorithm.select(pop, N)]         # mating selection
    offspring = genome.vary(parents)                  # the representation's own operators
    offspring = drop duplicates of pop and of each other (re-vary a few times)
    pop       = algorithm.survive(pop + evaluate(offspring), N)

A problem may ask for restarts (optional members ``restart_after`` = G generations,
``restart_tolerance`` = d): while no member is feasible and the least constraint
violation has not dropped by more than d for G generations, the next generation is a
restart instead: the least violating designs so far go to an archive that does not
breed (but counts for the front, the logbook and ``--refine``), and the population is
drawn afresh (``pop`` new evaluations, the same cost as a generation).

An algorithm may make its own offspring instead (``algorithm.offspring``: DEAP's varOr,
CMA-ES sampling), see them once evaluated (``algorithm.tell``), make lambda != N of them
(``n_offspring``) and survive from the offspring alone (``comma``).

All randomness comes from one ``numpy.random.Generator`` (PCG64) owned here; its bit
state, the population (genomes as JSON, objectives and violations as numbers that JSON
round-trips exactly) and the algorithm's own memory make up :meth:`Evolution.state`,
so a run restored from a checkpoint continues bit-identically.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from typing import Any, Callable, Sequence

import numpy as np

from gadesign.algorithms import Algorithm, Population
from gadesign.errors import CheckpointError, ConfigError
from gadesign.genomes import RealVector
from gadesign.indicators import hypervolume
from gadesign.problem import Evaluation, Problem

Evaluator = Callable[[Sequence[Any]], list[Evaluation]]
log = logging.getLogger("gadesign")  # warnings reach the console (stderr) even unconfigured


def _real_part_names(genome: Any) -> str:
    parts = getattr(genome, "parts", None)
    if parts is None:
        return "the real vector"
    real = [name for name, g in parts.items() if isinstance(g, RealVector)]
    fixed = [name for name in parts if name not in real]
    return f"the real part{'s' if len(real) > 1 else ''} {', '.join(real)}" + \
        (f" (holding {', '.join(fixed)} fixed)" if fixed else "")

MAX_HV_OBJECTIVES = 6  #: the logbook's hypervolume is computed up to this many objectives
RESTART_ARCHIVE = 10   #: least violating designs kept across restarts


class Evolution:
    """A population evolving under one algorithm, one evaluator and one generator."""

    def __init__(self, problem: Problem, algorithm: Algorithm, pop_size: int, rng: np.random.Generator,
                 evaluate: Evaluator, hv_reference: Sequence[float] | None = None) -> None:
        self.problem = problem
        self.genome = problem.genome
        self.algorithm = algorithm
        check = getattr(algorithm, "check_genome", None)
        if check is not None:  # e.g. cmaes needs a real vector: fail before any output
            try:
                check(self.genome)
            except ValueError as exc:
                raise ConfigError(str(exc)) from None
        self.pop_size = pop_size
        self.rng = rng
        self._attach_niche()
        self.evaluate = evaluate
        self.signs = np.array([o.sign for o in problem.objectives])
        ref = hv_reference if hv_reference is not None else getattr(problem, "reference_point", None)
        self.hv_reference: np.ndarray | None = None if ref is None else np.asarray(ref, float) * self.signs
        self.generation = 0
        self.evaluations = 0
        self.failures = 0
        # why evaluations failed in this session, for the closing message (diagnostic only:
        # not part of the checkpointed state, so a resumed run counts from its own start)
        self.failure_reasons: Counter[str] = Counter()
        self.pop: Population | None = None
        self._cost_checked = False
        # restarts on stagnation (optional problem members; 0 = never)
        self.restart_after = int(getattr(problem, "restart_after", 0) or 0)
        self.restart_tolerance = float(getattr(problem, "restart_tolerance", 0.0) or 0.0)
        self.archive: Population | None = None
        self.restarts = 0
        self._stall_best: float | None = None    # least violation since the last progress
        self._stall_generation = 0               # generation of that progress

    def _attach_niche(self) -> None:
        """Clearing by ``refine_key`` in survival when the problem sets ``niche_capacity``
        (:mod:`gadesign.niching`; algorithms with a ``niche`` member: NSGA-II)."""
        from gadesign.niching import clearing_for
        try:
            niche = clearing_for(self.problem)
        except (ValueError, TypeError) as exc:
            raise ConfigError(str(exc)) from None
        if hasattr(self.algorithm, "niche"):
            self.algorithm.niche = niche  # None too: an algorithm object reused from a run with clearing
        elif niche is not None:
            log.warning(f"niche_capacity is ignored: {self.algorithm.name} has no clearing in its survival (nsga2 has)")

    # -- the loop ------------------------------------------------------------------------
    def initialise(self) -> None:
        """Generation 0: a random population, evaluated and passed through survival."""
        genomes = self.genome.sample_many(self.pop_size, self.rng)
        self._check_json(genomes[0])
        pop = self._evaluated(genomes)
        if self.hv_reference is None:
            self.hv_reference = self._reference_from(pop)
        self.pop = self.algorithm.survive(pop, self.pop_size, self.rng)
        self._note_progress()

    def _check_json(self, x: Any) -> None:
        """A genome whose ``to_json`` gives what JSON cannot hold (a numpy array, say) is a
        configuration error before generation 0 is evaluated, not a crash after it."""
        import json

        try:
            json.dumps(self.genome.to_json(x))
        except (TypeError, ValueError) as exc:
            raise ConfigError(f"problem {self.problem.name!r}: {type(self.genome).__name__}.to_json must return "
                              f"JSON values (lists, numbers, strings, dicts; e.g. x.tolist() for an array): "
                              f"{exc}") from None

    def step(self) -> None:
        """One generation (a restart when the search has stalled, see the module docstring)."""
        assert self.pop is not None, "call initialise() or load a state first"
        if self._stalled():
            self._restart()
            return
        children, known = self._offspring(self.algorithm.n_offspring(self.pop_size))
        started = time.perf_counter()
        offspring = self._evaluated(children, known)
        if not self._cost_checked and all(e is None for e in known):  # a combined pass: repairs timed too
            self._cost_checked = True
            self._note_parallel_cost(children, time.perf_counter() - started)
        tell = getattr(self.algorithm, "tell", None)
        if tell is not None:
            tell(offspring, self.genome)
        # (mu, lambda) survives from the offspring alone, unless duplicates left fewer than mu
        comma = self.algorithm.comma and len(offspring) >= self.pop_size
        merged = offspring if comma else self.pop.merge(offspring)
        self.pop = self.algorithm.survive(merged, self.pop_size, self.rng)
        self.generation += 1
        self._note_progress()

    # -- restarts on stagnation ----------------------------------------------------------
    def _note_progress(self) -> None:
        """Remember the least violation when it dropped by more than the tolerance."""
        if self.restart_after <= 0 or self.pop is None:
            return
        best = float(self.pop.CV.min())
        if self._stall_best is None or best < self._stall_best - self.restart_tolerance:
            self._stall_best, self._stall_generation = best, self.generation

    def _stalled(self) -> bool:
        assert self.pop is not None
        return (self.restart_after > 0 and not bool(self.pop.feasible.any())
                and self.generation - self._stall_generation >= self.restart_after)

    def pool(self) -> Population:
        """The population together with the restart archive (if any)."""
        assert self.pop is not None
        return self.pop if self.archive is None else self.pop.merge(self.archive)

    def _restart(self) -> None:
        """Archive the least violating designs so far, draw a fresh population. Nothing
        is changed until the fresh designs are evaluated (an interrupted restart rolls
        back like a generation).

        Optional problem members: ``restart_by_key`` (bool) with ``refine_key``: the
        archive takes the least violating design of each distinct key first, then the
        rest in rank order (as :func:`gadesign.refine.refine_front` chooses), so designs
        of other keys (shapes) survive the restarts; ``restart_reseed`` = n: the fresh
        population starts with the archive's best design of up to n distinct keys other
        than the least violating design's own (not evaluated again), the rest drawn."""
        pool = self.pool()
        keep, seeds = self._restart_choice(pool)
        archive = pool.take(keep)
        fresh = self._evaluated(self.genome.sample_many(self.pop_size - len(seeds), self.rng))
        if seeds:
            fresh = archive.take(seeds).merge(fresh)
        self.pop = self.algorithm.survive(fresh, self.pop_size, self.rng)
        self.archive = archive
        self.restarts += 1
        self.generation += 1
        self._stall_best, self._stall_generation = None, self.generation
        self._note_progress()
        log.info(f"generation {self.generation}: restart {self.restarts} (least violation "
                 f"{float(archive.CV.min()):.4g} unchanged by more than {self.restart_tolerance:g} for "
                 f"{self.restart_after} generations; {len(archive)} designs archived"
                 + (f", {len(seeds)} of other keys seeded into the fresh population)" if seeds else ")"))

    def _restart_choice(self, pool: Population) -> tuple[list[int], list[int]]:
        """The restart archive, as indices into ``pool`` (up to RESTART_ARCHIVE distinct
        genomes, least violation first, then the first objective; distinct keys first
        with ``restart_by_key``), and the designs seeded into the fresh population, as
        indices into that archive (``restart_reseed``; see :meth:`_restart`)."""
        from gadesign.refine import distinct_keys_first
        order = [int(i) for i in np.lexsort((pool.F[:, 0], pool.CV))]
        own = getattr(self.problem, "refine_key", None)
        key: Callable[[Any], Any] | None = own if callable(own) and getattr(self.problem, "restart_by_key", False) \
            else None
        if key is not None:
            order = distinct_keys_first(order, lambda i: key(pool.genomes[i]))
        keep: list[int] = []
        seen: set[Any] = set()
        for i in order:
            g = self.genome.key(pool.genomes[i])
            if g not in seen and len(keep) < RESTART_ARCHIVE:
                seen.add(g)
                keep.append(i)
        n = min(int(getattr(self.problem, "restart_reseed", 0) or 0), self.pop_size - 1)
        if key is None or n <= 0:
            return keep, []
        keys = [key(pool.genomes[i]) for i in keep]
        return keep, [j for j in range(1, len(keys)) if keys[j] not in keys[:j]][:n]

    def _note_parallel_cost(self, batch: list[Any], seconds: float) -> None:
        """Once per run, on the first generation after start-up: when several workers
        evaluated ``batch`` (in ``seconds``) slower than one process would have (a few
        designs timed here), say so on the console with the numbers. Nothing is
        measured with ``--eval-timeout`` (an evaluation might hang in this process) or
        with ``--workers auto`` (it measured and chose itself)."""
        workers = getattr(self.evaluate, "workers", 1)
        if workers <= 1 or getattr(self.evaluate, "timeout", None) is not None or len(batch) < 2:
            return
        if hasattr(self.evaluate, "choice"):  # --workers auto measured this itself, and said so
            return
        from gadesign.evaluation import safe_evaluate
        sample = batch[:10]
        t0 = time.perf_counter()
        safe_evaluate(self.problem, sample)
        per = (time.perf_counter() - t0) / len(sample)
        serial = per * len(batch)
        if seconds > serial:
            log.warning(f"note: one evaluation takes {per * 1e3:.3g} ms; {workers} workers took "
                        f"{seconds * 1e3:.3g} ms for a generation of {len(batch)} designs that one process "
                        f"evaluates in about {serial * 1e3:.3g} ms: sending designs to the workers and back costs "
                        f"more than the evaluations themselves, so "
                        f"{'evaluating without --dask' if hasattr(self.evaluate, 'address') else '--workers 1'} "
                        "is faster for this problem")

    def _offspring(self, n: int, attempts: int = 3) -> tuple[list[Any], list[Evaluation | None]]:
        """``n`` new genomes, none equal to a current member or to each other, and
        their evaluations where already known (else None).

        A genome whose repair runs on the workers (``parallel_repair``) is repaired and
        evaluated there in one pass when the evaluator offers it
        (``parallel_repair_evaluate``): a costly repair of one child then overlaps the
        others' evaluations. Children that turn out, once repaired, to duplicate a
        member or each other are dropped as in the serial order, their evaluations
        discarded and not counted, so the run and its logbook do not depend on the
        number of workers. Those that duplicate a member or an earlier attempt's child
        are not even evaluated (the evaluator checks the keys after repair)."""
        assert self.pop is not None
        seen = {self.genome.key(g) for g in self.pop.genomes}
        children: list[Any] = []
        known: list[Evaluation | None] = []
        own = getattr(self.algorithm, "offspring", None)  # varOr, CMA-ES sampling
        for _ in range(attempts):
            need = n - len(children)
            evaluations: list[Evaluation | None] | None = None
            if own is not None:
                kids = own(self.genome, self.pop, need, self.rng)
            else:
                parents_idx = self.algorithm.select(self.pop, need + need % 2, self.rng)
                parents = [self.pop.genomes[i] for i in parents_idx]
                if self.genome.parallel_repair and getattr(self.evaluate, "parallel_repair_evaluate", False):
                    # children that repair into a member or an earlier child are not evaluated
                    pairs = self.evaluate.repair_evaluate(self.genome.vary_unrepaired(parents, self.rng), seen)
                    kids, evaluations = [x for x, _ in pairs], [e for _, e in pairs]
                elif self.genome.parallel_repair and hasattr(self.evaluate, "repair"):
                    kids = self.evaluate.repair(self.genome.vary_unrepaired(parents, self.rng))
                else:
                    kids = self.genome.vary(parents, self.rng)
            for i, child in enumerate(kids):
                key = self.genome.key(child)
                if key not in seen and len(children) < n:
                    seen.add(key)
                    children.append(child)
                    known.append(None if evaluations is None else evaluations[i])
            if len(children) >= n:
                break
        return children, known

    def _evaluated(self, genomes: list[Any], known: Sequence[Evaluation | None] | None = None) -> Population:
        """``genomes`` with their evaluations: those in ``known`` as given, the rest
        evaluated now (as one batch)."""
        known = list(known) if known is not None else [None] * len(genomes)
        todo = [i for i, e in enumerate(known) if e is None]
        if todo:
            for i, e in zip(todo, self.evaluate([genomes[i] for i in todo])):
                known[i] = e
        evaluations: list[Evaluation] = [e for e in known if e is not None]
        self.evaluations += len(genomes)
        # failures: crashes, time-outs, NaN; a design its plugin refuses is merely infeasible
        failed = [e for e in evaluations if e.info.get("failed") and not e.info.get("invalid_design")]
        self.failures += len(failed)
        self.failure_reasons.update(str(e.info.get("reason", "unknown")) for e in failed)
        return Population.from_evaluations(genomes, evaluations, self.signs)

    def _reference_from(self, pop: Population) -> np.ndarray:
        """A hypervolume reference fixed at generation 0: the worst value of each objective
        among feasible members (all members if none), pushed out by 10% of the range."""
        F = pop.F[pop.feasible] if pop.feasible.any() else pop.F
        F = F[(np.abs(F) < 1e29).all(axis=1)] if len(F) else F
        if len(F) == 0:
            return np.ones(len(self.signs))
        lo, hi = F.min(axis=0), F.max(axis=0)
        return hi + 0.1 * np.where(hi > lo, hi - lo, np.maximum(np.abs(hi), 1.0))

    def refine_best(self, k: int) -> int:
        """Polish the best ``k`` designs (by SLSQP on the genome's real part, single
        objective, or by the problem's own ``refine_design``) and let them compete in one
        more survival; returns the evaluations spent, which count in ``evaluations``.
        Deterministic, so a resumed run refines exactly as the original."""
        from gadesign.refine import refine_front
        assert self.pop is not None
        pool = self.pool()
        members = list(zip(pool.genomes, pool.evaluations))
        refined = refine_front(self.problem, members, k=k,
                               refine_many=getattr(self.evaluate, "refine_designs", None))
        spent = sum(r.evaluations for r in refined)
        own = callable(getattr(self.problem, "refine_design", None))
        method = "refine_design" if own else "SLSQP"
        if not any(r.improved for r in refined) and (spent or not own):  # never a silent no-op
            how = "the problem's refine_design" if own else f"SLSQP on {_real_part_names(self.genome)}"
            log.warning(f"refine: {how} found no better design than the best {len(refined)} "
                        f"({spent} evaluations); the front is unchanged")
        if own:
            refined = [r for r in refined if r.improved]
        evaluations = [Evaluation(r.evaluation.objectives, r.evaluation.violations,
                                  {**r.evaluation.info, "refined": method, "refine_evaluations": r.evaluations})
                       for r in refined]
        extra = Population.from_evaluations([r.x for r in refined], evaluations, self.signs)
        self.pop = self.algorithm.survive(self.pop.merge(extra), self.pop_size, self.rng)
        self.evaluations += spent
        return spent

    # -- rollback of an interrupted generation -------------------------------------------
    def mark(self) -> tuple[Any, ...]:
        """What a generation changes in place, to undo a generation cut short by Ctrl-C
        (the population itself is replaced only when a generation completes)."""
        return (self.rng.bit_generator.state, self.algorithm.state(), self.evaluations, self.failures)

    def rollback(self, mark: tuple[Any, ...]) -> None:
        rng_state, algorithm_state, self.evaluations, self.failures = mark
        self.rng.bit_generator.state = rng_state
        self.algorithm.load_state(algorithm_state)

    # -- what to report --------------------------------------------------------------------
    def front(self) -> Population:
        """The reported result: feasible non-dominated members (least violating if none),
        duplicates removed, sorted by the objectives for a stable order."""
        pool = self.pool()
        front = pool.take(self.algorithm.front_indices(pool))
        keep: list[int] = []
        seen: set[Any] = set()
        for i, g in enumerate(front.genomes):
            k = self.genome.key(g)
            if k not in seen:
                seen.add(k)
                keep.append(i)
        front = front.take(keep)
        return front.take(np.lexsort(front.F.T[::-1]))

    def statistics(self) -> dict[str, Any]:
        """Logbook row for the current generation."""
        assert self.pop is not None
        front = self.front()
        pop = self.pool()
        feasible = pop.feasible
        row: dict[str, Any] = {"gen": self.generation, "evals": self.evaluations,
                               "feasible": int(feasible.sum()), "front": len(front),
                               "failed": self.failures}
        if self.restart_after > 0:
            row["restarts"] = self.restarts
        # exact hypervolume grows steeply with the number of objectives: logged up to 6
        row["hv"] = (hypervolume(front.F[front.feasible], self.hv_reference)
                     if self.hv_reference is not None and 1 < len(self.signs) <= MAX_HV_OBJECTIVES else None)
        for j, obj in enumerate(self.problem.objectives):
            values = pop.F[feasible, j] * self.signs[j]
            best = (values.min() if obj.direction == "min" else values.max()) if len(values) else None
            row[f"best_{obj.name}"] = None if best is None else float(best)
        row["min_violation"] = float(pop.CV.min())
        return row

    # -- exact state ---------------------------------------------------------------------
    def _members(self, pop: Population) -> list[dict[str, Any]]:
        return [{"genome": self.genome.to_json(g), "objectives": list(e.objectives),
                 "violations": list(e.violations), "info": e.info}
                for g, e in zip(pop.genomes, pop.evaluations)]

    def _population(self, members: list[dict[str, Any]]) -> Population:
        genomes = [self.genome.from_json(m["genome"]) for m in members]
        evaluations = [Evaluation(tuple(float(v) for v in m["objectives"]),
                                  tuple(float(v) for v in m["violations"]), dict(m.get("info", {})))
                       for m in members]
        m, c = len(self.signs), len(self.problem.constraints)
        if any(len(e.objectives) != m or len(e.violations) != c for e in evaluations):
            raise CheckpointError("checkpoint population does not match the problem's objectives/constraints")
        return Population.from_evaluations(genomes, evaluations, self.signs)

    def state(self) -> dict[str, Any]:
        assert self.pop is not None
        out = self._state()
        if self.restart_after > 0:
            out["restart"] = {"restarts": self.restarts, "stall_best": self._stall_best,
                              "stall_generation": self._stall_generation,
                              "archive": None if self.archive is None else self._members(self.archive)}
        return out

    def _state(self) -> dict[str, Any]:
        assert self.pop is not None
        return {
            "generation": self.generation,
            "evaluations": self.evaluations,
            "failures": self.failures,
            "rng": self.rng.bit_generator.state,
            "hv_reference": None if self.hv_reference is None else self.hv_reference.tolist(),
            "algorithm": {"name": self.algorithm.name, "state": self.algorithm.state()},
            "population": self._members(self.pop),
        }

    def load_state(self, state: dict[str, Any]) -> None:
        """Restore :meth:`state`; a malformed state raises :class:`CheckpointError`."""
        try:
            if state["algorithm"]["name"] != self.algorithm.name:
                raise CheckpointError(f"checkpoint is for algorithm {state['algorithm']['name']!r}, "
                                      f"not {self.algorithm.name!r}")
            self.generation = int(state["generation"])
            self.evaluations = int(state["evaluations"])
            self.failures = int(state.get("failures", 0))
            self.rng.bit_generator.state = state["rng"]
            ref = state["hv_reference"]
            self.hv_reference = None if ref is None else np.asarray(ref, dtype=float)
            self.algorithm.load_state(state["algorithm"]["state"])
            pop = self._population(state["population"])
        except CheckpointError:
            raise
        except (KeyError, TypeError, ValueError, IndexError) as exc:
            raise CheckpointError(f"checkpoint state is malformed: {type(exc).__name__}: {exc}") from exc
        self.pop = pop
        try:
            restart = state.get("restart")
            if restart is not None:
                self.restarts = int(restart["restarts"])
                best = restart["stall_best"]
                self._stall_best = None if best is None else float(best)
                self._stall_generation = int(restart["stall_generation"])
                self.archive = None if restart["archive"] is None else self._population(restart["archive"])
            elif self.restart_after > 0:   # a checkpoint written without restarts: start counting now
                self._note_progress()
        except CheckpointError:
            raise
        except (KeyError, TypeError, ValueError, IndexError) as exc:
            raise CheckpointError(f"checkpoint restart state is malformed: {type(exc).__name__}: {exc}") from exc
