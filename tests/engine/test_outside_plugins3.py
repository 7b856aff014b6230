"""Third round of outside plugin authors (a welded beam with a composite genome, a flow
shop with its own repair and mutation, a DEAP user): what they met that the engine got
wrong. Each plugin is written by the test into a temporary site folder with a dist-info,
as ``pip install`` would leave it.

- ``resume`` of a run stopped (Ctrl-C) while its results were being written (front.json
  on disk, run.json not yet) said "the run is finished ... nothing to resume" and left the
  run without its card, plots and designs for good; it now writes them.
- A plugin's ``Permutation`` (any built-in vector genome) subclass with its own
  ``mutate`` or ``crossover`` had them silently skipped: the batch row operators ran
  instead. They are now called.
- An ``AttributeError`` (or any error Python raised) inside plugin code called by the
  factory was "its factory ... failed: AttributeError: ..." without the place; it is now
  "error in plugin code (FILE:LINE, in FUNCTION)" as for TypeError/ValueError.
- A DEAP script's toolbox gave a broken evaluate's designs 1e30 in silence; it now warns
  once per distinct failure reason, naming the problem.
- A bug in a plugin's command (``gadesign.commands``) was "internal error"; it is now
  "error in plugin code (FILE:LINE, in FUNCTION)" as the README says.
- A factory that returns a str was told it had passed a problem's name.
- ``gadesign.testing.check_problem`` on a problem that does not pickle raised pickle's
  own TypeError; it is now an AssertionError naming the problem and the fix.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import numpy as np
import pytest

PLUGIN = '''
import os

import numpy as np

from gadesign.atomic import atomic_write_text
from gadesign.genomes import Composite, IntegerVector, Permutation, RealVector
from gadesign.problem import Evaluation, Objective


class Beam:
    """A welded-beam-like design: a material index and two dimensions."""
    name = "o3-beam"
    objectives = (Objective("cost", "min", "$"), Objective("deflection", "min", "in"))
    constraints = ("stress",)
    reference_point = (40.0, 2.0)
    defaults = {"pop": 8, "generations": 3}

    def __init__(self):
        self.genome = Composite({"material": IntegerVector([0], [2]), "dims": RealVector([0.5, 0.5], [5.0, 5.0])})

    def decode(self, x):
        return {"material": int(x["material"][0]), "h": float(x["dims"][0]), "b": float(x["dims"][1])}

    def evaluate(self, x):
        m, (h, b) = int(x["material"][0]), (float(v) for v in x["dims"])
        cost = (1 + m) * h * b
        return Evaluation((cost, 1.0 / (h * b ** 3)), (max(3.0 / (h * b * b) - 1.0, 0.0),))

    def summary(self, x, evaluation):
        return {"material": ("steel", "iron", "brass")[int(x["material"][0])]}

    def export(self, x, evaluation, directory, stem):
        flag = os.environ.get("O3_STOP_ONCE")
        if flag and os.path.exists(flag):  # Ctrl-C while the designs are being written
            os.unlink(flag)
            raise KeyboardInterrupt
        path = directory / f"{stem}.txt"
        atomic_write_text(path, repr(self.decode(x)) + "\\n")
        return [path]


def beam():
    """A small composite beam (test plugin)."""
    return Beam()


class Shop(Permutation):
    """A permutation that forgets to set its own attribute before the base class's
    __init__, which already repairs sample designs."""

    def __init__(self, n, first):
        super().__init__(n, crossover="cxOrdered")
        self.first = first

    def repair(self, x):
        x = np.asarray(super().repair(x))
        return np.concatenate([[self.first], x[x != self.first]])


class ShopProblem:
    name = "o3-shop"
    objectives = (Objective("makespan", "min", "min"),)
    constraints = ()

    def __init__(self):
        self.genome = Shop(6, 0)

    def decode(self, x):
        return list(x)

    def evaluate(self, x):
        return Evaluation((float(np.dot(np.arange(6), x)),))


def shop():
    """A flow shop whose genome is built wrongly (test plugin)."""
    return ShopProblem()


class Locked(Beam):
    name = "o3-locked"

    def __init__(self):
        import threading

        super().__init__()
        self.lock = threading.Lock()  # cannot be sent to a worker


def locked():
    return Locked()


class TupleBeam(Beam):
    name = "o3-tuple"

    def evaluate(self, x):
        e = super().evaluate(x)
        return e.objectives, e.violations  # Evaluation(...) forgotten


def tuple_beam():
    return TupleBeam()


def word():
    """A factory that returns a word, not a problem (test plugin)."""
    return "beam"


class RefusingBeam(Beam):
    name = "o3-refusing"

    def evaluate(self, x):
        from gadesign.errors import GadesignError

        raise GadesignError("the weld cracks")  # refused: infeasible, not failed


def refusing_beam():
    return RefusingBeam()
'''

ENTRY_POINTS = """\
[gadesign.problems]
o3-beam = o3_plugs:beam
o3-shop = o3_plugs:shop
o3-word = o3_plugs:word

[gadesign.commands]
o3 = o3_cli:app
"""

COMMANDS = '''
import typer

app = typer.Typer(help="o3 helpers")


@app.command("times")
def times(jobs: int = 3) -> None:
    """A plugin command with a bug one call down."""
    print(table(jobs))


@app.command("other")
def other() -> None:
    print("ok")


def table(jobs):
    return {j: j * j for j in range(jobs)}[jobs]  # KeyError: the author's off-by-one
'''


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("site3")
    (root / "o3_plugs.py").write_text(textwrap.dedent(PLUGIN))
    (root / "o3_cli.py").write_text(textwrap.dedent(COMMANDS))
    info = root / "o3_plugs-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: o3-plugs\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text(ENTRY_POINTS)
    return root


def test_resume_writes_the_results_of_a_run_stopped_while_writing_them(installed, tmp_path, main_in, monkeypatch):
    flag = tmp_path / "stop-once"
    flag.write_text("")
    monkeypatch.setenv("O3_STOP_ONCE", str(flag))
    run = tmp_path / "run"
    code, _, err = main_in(["evolve", "o3-beam", "--seed", "1", "--quiet", "--out", str(run)])
    assert code == 130, err
    assert (run / "front.json").is_file() and not (run / "run.json").exists()  # the card is written last
    stopped_front = (run / "front.json").read_bytes()

    code, out, err = main_in(["resume", str(run), "--quiet"])
    assert code == 0, err
    assert "nothing to resume" not in out
    assert (run / "run.json").is_file() and (run / "plots" / "front.png").is_file()
    assert sorted(p.name for p in (run / "designs").iterdir()) == \
        [f"member-{i:03d}.txt" for i in range(len(list((run / "designs").iterdir())))]
    assert (run / "front.json").read_bytes() == stopped_front

    whole = tmp_path / "whole"
    assert main_in(["evolve", "o3-beam", "--seed", "1", "--quiet", "--out", str(whole)])[0] == 0
    assert (whole / "front.json").read_bytes() == stopped_front

    code, out, _ = main_in(["resume", str(run), "--quiet"])  # now it is finished
    assert code == 0 and "nothing to resume" in out


def test_an_error_python_raised_in_plugin_code_under_the_factory_names_the_place(installed, main_in):
    code, _, err = main_in(["evolve", "o3-shop", "--seed", "1", "--quiet"])
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert code == 2 and len(lines) == 1 and "Traceback" not in err, err
    assert lines[0].startswith("error: problem 'o3-shop': error in plugin code (")
    assert "o3_plugs.py:" in lines[0] and ", in repair), called by its factory o3_plugs:shop" in lines[0]
    assert "AttributeError" in lines[0] and "'first'" in lines[0]


class _Counting:
    """Mixin: a plugin's own mutate and crossover that leave a mark."""

    calls: list[str] = []

    def mutate(self, x, rng):
        type(self).calls.append("mutate")
        return np.asarray(x)[::-1].copy()

    def crossover(self, a, b, rng):
        type(self).calls.append("crossover")
        return np.asarray(b).copy(), np.asarray(a).copy()


def test_a_vector_genome_subclass_with_its_own_operators_has_them_called():
    from gadesign.genomes import IntegerVector, Permutation, RealVector

    for base, args in ((Permutation, (5,)), (RealVector, (0.0, 1.0, 5)), (IntegerVector, (0, 9, 5))):
        own = type(f"My{base.__name__}", (_Counting, base), {"calls": []})
        genome = own(*args)
        rng = np.random.default_rng(3)
        parents = [genome.sample(rng) for _ in range(6)]
        children = genome.vary(parents, np.random.default_rng(4))
        assert len(children) == 6
        assert own.calls.count("mutate") == 6, (base.__name__, own.calls)
        assert own.calls.count("crossover") >= 1, (base.__name__, own.calls)


def test_a_subclass_that_keeps_the_operators_keeps_the_batch_draws():
    from gadesign.genomes import Permutation

    class OnlyRepair(Permutation):
        def repair(self, x):
            return super().repair(x)

    parents = [np.random.default_rng(i).permutation(7) for i in range(6)]
    mine = OnlyRepair(7).vary(parents, np.random.default_rng(5))
    theirs = Permutation(7).vary(parents, np.random.default_rng(5))
    assert all(np.array_equal(a, b) for a, b in zip(mine, theirs))


def test_check_problem_says_a_problem_that_does_not_pickle_does_not(installed, tmp_path):
    from gadesign.testing import check_problem
    from o3_plugs import locked

    with pytest.raises(AssertionError, match=r"o3-locked: the problem does not pickle \(TypeError: .*lock"):
        check_problem(locked(), tmp_path=tmp_path)


def test_a_deap_script_hears_why_an_evaluation_failed(installed):
    """The DEAP user: a gadesign problem whose evaluate is broken (here: it returns a tuple,
    not an Evaluation) gave every individual 1e30 in silence; now one RuntimeWarning per
    distinct reason names the problem and the reason, and the fitness is as before."""
    import random
    import warnings

    from deap import algorithms

    from gadesign.deap import toolbox
    from o3_plugs import tuple_beam

    tb = toolbox(tuple_beam(), seed=1)
    random.seed(1)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        pop, _ = algorithms.eaMuPlusLambda(tb.population(6), tb, 6, 6, 0.6, 0.3, 2, verbose=False)
        single = tb.evaluate(tb.individual())
    texts = [str(w.message) for w in caught if issubclass(w.category, RuntimeWarning)]
    assert texts == ["problem 'o3-tuple': an evaluation failed (evaluate returned tuple, not Evaluation); "
                     "the design is kept as infeasible (objectives and violation 1e30)"], texts
    assert pop[0].fitness.values == (1e30, 1e30) and tuple(single) == (1e30, 1e30)

    from o3_plugs import refusing_beam  # a design the plugin refuses is infeasible, not failed: no warning

    tb = toolbox(refusing_beam(), seed=1)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        algorithms.eaMuPlusLambda(tb.population(4), tb, 4, 4, 0.6, 0.3, 1, verbose=False)
    assert not [w for w in caught if issubclass(w.category, RuntimeWarning)]


def test_a_plugin_commands_bug_is_an_error_in_plugin_code_not_an_internal_error(site, cli):
    """README: an exception escaping a command's function is 'error in plugin code
    (FILE:LINE, in FUNCTION)', exit 1; it was 'internal error' (typer, a library, sat
    between gadesign and the command, so the plugin's frames were not looked at)."""
    res = cli("o3", "times", env={"PYTHONPATH": str(site)})
    lines = [ln for ln in res.stderr.splitlines() if ln.strip()]
    assert res.returncode == 1 and len(lines) == 1 and "Traceback" not in res.stderr, res.stderr
    assert lines[0].startswith("error in plugin code (") and "o3_cli.py:" in lines[0], lines[0]
    assert ", in table): KeyError: 3" in lines[0], lines[0]


def test_a_factory_that_returns_a_str_is_told_so(installed, main_in):
    """It was told it had 'got the name 'beam'' and to build it with make_problem('beam'),
    advice for a caller who passed a name, not for a factory's wrong return value."""
    code, _, err = main_in(["evolve", "o3-word", "--seed", "1", "--quiet"])
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert code == 2 and len(lines) == 1, err
    assert lines[0] == ("error: problem 'o3-word' (o3_plugs:word): the factory returned a str ('beam'), not a "
                        "problem object (see docs/plugins.md)"), lines[0]
