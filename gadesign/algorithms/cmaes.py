"""CMA-ES (Hansen & Ostermeier 2001) through DEAP's ``deap.cma.Strategy``, on the shared loop.

Each generation the strategy samples lambda = ``--pop`` points
``x_k = m + sigma * B D z_k`` (z_k standard normal), the engine evaluates them, and the
strategy moves the mean m to the weighted mean of the best mu = lambda/2 and adapts the
step size sigma (cumulative path length control) and the covariance C = B D^2 B^T (rank-one
and rank-mu updates). The search runs in the unit cube: a real genome with bounds
[lo, hi] is mapped to z = (x - lo)/(hi - lo); samples outside the cube are clipped onto
it before evaluation and the clipped points update the strategy (Lamarckian repair).
The start is the best design of the random generation 0, with sigma = 0.3.

Ranking for the update is by constraint-domination (feasible by objective, then
infeasible by total violation). The population the engine carries (and reports from)
is the best ``--pop`` designs seen, so the best design is never lost.

Randomness: DEAP's strategy draws from numpy's *global* legacy generator. Each sample
call seeds a private ``RandomState`` from the run's ``numpy.random.Generator``, installs
its state as the global one, samples and restores the previous global state, so a run
is a pure function of its seed and the global state is left as it was. The strategy's
state (mean, sigma, paths, C and its eigen-decomposition) is part of the checkpoint;
a resumed run continues bit-identically.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from deap import cma

from gadesign.algorithms.base import Algorithm
from gadesign.algorithms.ga import GA
from gadesign.algorithms.population import Population
from gadesign.algorithms.ranking import constrained_ranks
from gadesign.genomes.base import Genome
from gadesign.genomes.real import RealVector

SIGMA0 = 0.3  #: initial step size in the unit cube
_STATE = ("centroid", "pc", "ps", "C", "diagD", "B", "BD")
_FORTRAN = ("B", "BD")


def _global_numpy_from(rng: np.random.Generator) -> "_IsolatedGlobal":
    return _IsolatedGlobal(int(rng.integers(0, 2 ** 32)))


class _IsolatedGlobal:
    """Context: numpy's global legacy generator seeded privately, restored on exit."""

    def __init__(self, seed: int) -> None:
        self.seed = seed

    def __enter__(self) -> None:
        self.saved = np.random.get_state()
        np.random.set_state(np.random.RandomState(self.seed).get_state())

    def __exit__(self, *exc: object) -> None:
        np.random.set_state(self.saved)


class CMAES(Algorithm):
    """CMA-ES for one objective on a real-vector genome (DEAP's ``cma.Strategy``)."""

    name = "cmaes"
    multi_objective = False
    comma = False

    def __init__(self, n_obj: int, pop_size: int) -> None:
        if n_obj != 1:
            raise ValueError(f"cmaes optimises one objective; this problem has {n_obj} (use nsga2, nsga3 or spea2)")
        super().__init__(n_obj, pop_size)
        self.strategy: cma.Strategy | None = None

    def check_genome(self, genome: Genome[Any]) -> None:
        if not isinstance(genome, RealVector):
            raise ValueError(f"cmaes needs a real-vector genome; this problem's is {type(genome).__name__} "
                             "(use ga, mu+lambda or nsga2)")

    def n_offspring(self, pop_size: int) -> int:
        return pop_size

    def select(self, pop: Population, n: int, rng: np.random.Generator) -> np.ndarray:
        return np.arange(n) % len(pop)  # unused: offspring come from the strategy

    def offspring(self, genome: Genome[Any], pop: Population, n: int, rng: np.random.Generator) -> list[Any]:
        """``n`` samples of the strategy, clipped into the genome's bounds."""
        self.check_genome(genome)
        assert isinstance(genome, RealVector)
        lo, span = genome.lower, np.where(genome.upper > genome.lower, genome.upper - genome.lower, 1.0)
        if self.strategy is None:
            best = int(np.argmin(constrained_ranks(pop.F, pop.CV)))
            start = (np.asarray(pop.genomes[best], float) - lo) / span
            self.strategy = cma.Strategy(centroid=start, sigma=SIGMA0, lambda_=self.pop_size)
        with _global_numpy_from(rng):
            samples = self.strategy.generate(np.asarray)
        return [genome.repair(lo + np.clip(z, 0.0, 1.0) * span) for z in samples[:n]]

    def tell(self, offspring: Population, genome: Genome[Any]) -> None:
        """Update the strategy with the evaluated offspring (ranked by constraint-domination)."""
        if self.strategy is None or len(offspring) < self.strategy.mu:
            return
        assert isinstance(genome, RealVector)
        from gadesign.deap import FitnessValues, VectorIndividual
        lo, span = genome.lower, np.where(genome.upper > genome.lower, genome.upper - genome.lower, 1.0)
        inds = []
        for x, f, cv in zip(offspring.genomes, offspring.F[:, 0], offspring.CV):
            ind = VectorIndividual(((np.asarray(x, float) - lo) / span).tolist(), (-1.0,))
            ind.fitness.values = FitnessValues((float(f),), float(cv))
            inds.append(ind)
        self.strategy.update(inds)

    # one objective under constraint-domination: the GA's survival and front
    survive = GA.survive
    front_indices = GA.front_indices

    # -- checkpointed state ------------------------------------------------------------------
    def state(self) -> dict[str, Any]:
        s = self.strategy
        if s is None:
            return {}
        out: dict[str, Any] = {k: np.asarray(getattr(s, k)).tolist() for k in _STATE}
        out.update(sigma=float(s.sigma), cond=float(s.cond), update_count=int(s.update_count),
                   lambda_=int(s.lambda_))
        return out

    def load_state(self, state: dict[str, Any]) -> None:
        if not state:
            self.strategy = None
            return
        s = cma.Strategy(centroid=np.asarray(state["centroid"], float), sigma=float(state["sigma"]),
                         lambda_=int(state["lambda_"]))
        for k in _STATE:
            value = np.asarray(state[k], dtype=float)
            # the eigenvectors come from LAPACK in Fortran order: restore that layout, since
            # BLAS sums in a layout-dependent order and resuming must be bit-identical
            setattr(s, k, np.asfortranarray(value) if k in _FORTRAN else value)
        s.cond, s.update_count = float(state["cond"]), int(state["update_count"])
        self.strategy = s
