"""DEAP scripts an outside DEAP user writes from the README's "gadesign and DEAP" section:
DEAP's own loops (eaMuPlusLambda, eaSimple, the NSGA-II example loop) on gadesign problems
through ``gadesign.deap.toolbox``, and DEAP operators on our individuals."""

from __future__ import annotations

import random

import numpy as np
import pytest
from deap import algorithms, tools

from gadesign.deap import FitnessValues, VectorIndividual, toolbox
from gadesign.genomes import Permutation, RealVector
from gadesign.problem import Evaluation, Objective
from gadesign.registry import make_problem


class Counted:
    """Sphere with one constraint that records how it is called."""

    name = "counted"
    objectives = (Objective("f"),)
    constraints = ("g",)

    def __init__(self) -> None:
        self.genome = RealVector(-1.0, 1.0, 4)
        self.batches: list[int] = []
        self.singles = 0

    def evaluate(self, x):
        self.singles += 1
        return self.evaluate_many([x])[0]

    def evaluate_many(self, xs):
        self.batches.append(len(xs))
        return [Evaluation((float(np.sum(np.square(x))),), (max(0.2 - float(x[0]), 0.0),)) for x in xs]

    def decode(self, x):
        return x


def test_the_toolbox_map_hands_the_whole_batch_to_evaluate_many():
    """DEAP's algorithms call toolbox.map(toolbox.evaluate, invalid); Toolbox.register had
    wrapped evaluate in a functools.partial, so the 'batch map' never recognised it and
    evaluated design by design (truss-10bar's README script: 5.0 s, 1.5 s batched)."""
    problem = Counted()
    tb = toolbox(problem, seed=1)
    random.seed(1)
    pop = tb.population(12)
    algorithms.eaMuPlusLambda(pop, tb, mu=12, lambda_=12, cxpb=0.6, mutpb=0.4, ngen=3, verbose=False)
    assert problem.singles == 0
    assert problem.batches[0] == 12 and len(problem.batches) == 4  # generation 0, then one batch per generation
    one = tb.individual()
    assert tb.evaluate(one) == tb.map(tb.evaluate, [one])[0]  # the same values either way
    assert list(tb.map(abs, [-1, 2])) == [1, 2]  # anything else: the builtin map


def nsga2_loop(seed: int, ngen: int = 15, mu: int = 24, name: str = "zdt1"):
    """DEAP's examples/ga/nsga2.py main loop, as written there, on a registered problem."""
    tb = toolbox(make_problem(name, {}), seed=seed)
    random.seed(seed)
    pop = tb.population(n=mu)
    for ind, fit in zip(pop, tb.map(tb.evaluate, pop)):
        ind.fitness.values = fit
    pop = tb.select(pop, len(pop))
    for _ in range(1, ngen):
        offspring = [tb.clone(ind) for ind in tools.selTournamentDCD(pop, len(pop))]
        for ind1, ind2 in zip(offspring[::2], offspring[1::2]):
            if random.random() <= 0.9:
                tb.mate(ind1, ind2)
            tb.mutate(ind1)
            tb.mutate(ind2)
            del ind1.fitness.values, ind2.fitness.values
        invalid = [ind for ind in offspring if not ind.fitness.valid]
        for ind, fit in zip(invalid, tb.map(tb.evaluate, invalid)):
            ind.fitness.values = fit
        pop = tb.select(pop + offspring, mu)
    return pop


def test_deaps_nsga2_example_loop_runs_and_is_reproducible():
    a, b = nsga2_loop(3), nsga2_loop(3)
    assert [list(i) for i in a] == [list(i) for i in b]
    assert [list(i) for i in a] != [list(i) for i in nsga2_loop(4)]
    pop = nsga2_loop(2, name="tnk")  # constrained: the survivors are feasible ones
    assert sum(ind.fitness.violation == 0 for ind in pop) == len(pop)


def test_easimple_with_a_mating_selection_and_a_pareto_front_hall_of_fame():
    def run():
        tb = toolbox(make_problem("tnk", {}), seed=5)
        tb.register("select", tools.selTournament, tournsize=3)
        random.seed(5)
        hof = tools.ParetoFront()
        pop, log = algorithms.eaSimple(tb.population(20), tb, cxpb=0.9, mutpb=0.2, ngen=8, halloffame=hof,
                                       verbose=False)
        return pop, hof

    (pop, hof), (pop2, hof2) = run(), run()
    assert [list(i) for i in pop] == [list(i) for i in pop2] and [list(i) for i in hof] == [list(i) for i in hof2]
    assert len(hof) and all(ind.fitness.violation == 0 for ind in hof)


def _population(m: int):
    """Ten feasible individuals and ten infeasible ones with far better objectives."""
    pop = []
    for k in range(20):
        ind = VectorIndividual([k], (1.0,) * m)
        feasible = k < 10
        ind.fitness.values = FitnessValues(((k + 1.0) * (1 if feasible else 100),) * m, 0.0 if feasible else 1.0 + k)
        pop.append(ind)
    return pop


def _feasible(selected) -> bool:
    return all(ind.fitness.violation == 0 for ind in selected)


def test_the_selections_the_readme_names_prefer_feasible_designs():
    one, two = _population(1), _population(2)
    ref = tools.uniform_reference_points(2, 4)
    assert _feasible(tools.selBest(one, 5))
    assert _feasible(tools.selNSGA2(two, 5))
    assert _feasible(tools.selSPEA2(two, 5))
    assert _feasible(tools.selNSGA3(two, 5, ref, nd="standard"))
    random.seed(0)
    assert _feasible(tools.selTournament(one, 50, tournsize=20))
    hof, front = tools.HallOfFame(3), tools.ParetoFront()
    hof.update(one)
    front.update(two)
    assert _feasible(hof) and _feasible(front)
    # and the ones it says read the objectives alone: the infeasible designs win
    assert not _feasible(tools.selNSGA3(two, 5, ref))  # nd="log" sorts wvalues
    assert not _feasible(tools.selNSGA2(two, 5, nd="log"))
    assert not _feasible(tools.selLexicase(one, 5))


def test_deap_operators_registered_in_the_toolbox_work_on_our_individuals():
    """A DEAP user's own operators (cxOrdered, mutShuffleIndexes on a permutation;
    cxBlend, mutGaussian on reals) take our individuals as the lists they are, and
    evaluate repairs what leaves the bounds."""
    tour = make_problem("tsp", {"instance": "eil51", "local_search": False})
    tb = toolbox(tour, seed=2)
    tb.register("mate", tools.cxOrdered)
    tb.register("mutate", tools.mutShuffleIndexes, indpb=0.05)
    random.seed(2)
    pop, _ = algorithms.eaMuPlusLambda(tb.population(20), tb, 20, 20, 0.7, 0.3, 5, verbose=False)
    assert all(sorted(ind) == list(range(51)) for ind in pop)
    real = Counted()
    tb = toolbox(real, seed=2)
    tb.register("mate", tools.cxBlend, alpha=0.5)
    tb.register("mutate", tools.mutGaussian, mu=0.0, sigma=0.5, indpb=0.5)
    random.seed(2)
    pop, _ = algorithms.eaMuPlusLambda(tb.population(20), tb, 20, 20, 0.7, 0.3, 5, verbose=False)
    assert all(ind.fitness.valid for ind in pop)


@pytest.mark.parametrize("genome", [
    RealVector(-2.0, 2.0, 3, crossover="cxBlend", crossover_args={"alpha": 0.3}, mutation="mutGaussian",
               mutation_args={"mu": 0.0, "sigma": 0.1, "indpb": 0.2}),
    Permutation(8, crossover="cxOrdered", mutation="mutShuffleIndexes", mutation_args={"indpb": 0.1}),
], ids=["real", "permutation"])
def test_bound_deap_operators_in_a_deap_script_are_reproducible(genome):
    class Bound(Counted):
        def __init__(self):
            super().__init__()
            self.genome = genome

        def evaluate_many(self, xs):
            return [Evaluation((float(np.sum(np.arange(len(x)) * np.asarray(x))),), (0.0,)) for x in xs]

    def run():
        tb = toolbox(Bound(), seed=9)
        random.seed(9)
        pop, _ = algorithms.eaMuPlusLambda(tb.population(10), tb, 10, 10, 0.6, 0.4, 4, verbose=False)
        return [list(i) for i in pop]

    random.seed(1)
    assert run() == run()


def test_fractional_genes_from_a_scripts_own_operator_are_rounded_not_truncated():
    """tools.cxBlend registered as mate on an IntegerVector problem: evaluate truncated
    2.7 to 2 (a bound cxBlend in the genome rounds it to 3), BinaryVector 0.6 to 0."""
    from gadesign.deap import to_genome
    from gadesign.genomes import BinaryVector, IntegerVector

    g = IntegerVector(0, 9, 3)
    assert to_genome(g, [2.7, 3.2, 8.9]).tolist() == [3, 3, 9] == g._from_list([2.7, 3.2, 8.9]).tolist()
    assert to_genome(g, [12, -1, 4]).tolist() == [9, 0, 4]  # integers: clipped, as before
    assert to_genome(BinaryVector(3), [0.6, 0.4, 1.0]).tolist() == [1, 0, 1]
    assert to_genome(Permutation(4), [0.9, 2.2, 1.6, 3.0]).tolist() == [1, 2, 3, 0]  # [1, 2, 2, 3] repaired


def test_a_problem_name_where_the_problem_belongs_says_how_to_build_it():
    """toolbox('zdt1') said "problem 'str': str has no 'name', 'genome', ..."."""
    from gadesign import evolve
    from gadesign.errors import ConfigError

    for call in (lambda: toolbox("zdt1"), lambda: evolve("zdt1")):
        with pytest.raises(ConfigError, match=r"got the name 'zdt1', not a problem object: .*make_problem\('zdt1'"):
            call()


def test_a_deap_style_checkpoint_with_the_toolbox_generator_continues_identically():
    """DEAP's checkpoint tutorial pickles the population and random.getstate(); with the
    toolbox the variation also draws from tb.rng, whose state the README says to save."""
    import pickle

    def run(generations, pop=None, state=None):
        tb = toolbox(make_problem("zdt1", {"n_var": 5}), seed=1)
        random.seed(1)
        if state is not None:
            tb.rng.bit_generator.state = state["rng"]
            random.setstate(state["random"])
        pop = pop if pop is not None else tb.population(12)
        pop, _ = algorithms.eaMuPlusLambda(pop, tb, 12, 12, 0.6, 0.4, generations, verbose=False)
        return pop, pickle.dumps({"pop": pop, "random": random.getstate(), "rng": tb.rng.bit_generator.state})

    whole, _ = run(6)
    _, saved = run(3)
    saved = pickle.loads(saved)
    continued, _ = run(3, saved["pop"], saved)
    assert [list(i) for i in continued] == [list(i) for i in whole]
    assert [i.fitness.values for i in continued] == [i.fitness.values for i in whole]
