"""truss-10bar evolved by DEAP's own eaMuPlusLambda through gadesign.deap.toolbox (no creator)."""
import random

from deap import algorithms, tools

from gadesign.deap import toolbox
from gadesign.registry import make_problem

tb = toolbox(make_problem("truss-10bar", {}), seed=1)  # individual, population, evaluate, mate, mutate, select
random.seed(1)  # DEAP's own choices (varOr) draw from the random module
hof = tools.HallOfFame(1)
pop, log = algorithms.eaMuPlusLambda(tb.population(100), tb, mu=100, lambda_=100, cxpb=0.7, mutpb=0.3,
                                     ngen=150, halloffame=hof, verbose=False)
best = hof[0]  # a list of the 10 areas (in^2); fitness.values = (weight,), fitness.violation = 0 if feasible
print(f"weight {best.fitness.values[0]:.2f} lb, violation {best.fitness.violation:g}")
