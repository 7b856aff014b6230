"""Third-party plugins written from docs/plugins.md alone, registered the documented way
(entry points of an installed distribution: here a ``.dist-info`` folder on ``sys.path``),
and what the engine does with broken ones: one ``error:`` line naming the problem, exit
code 2, no traceback and no run directory; plugin code that fails after a run (export,
summary, report_figures) costs only its own output."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import numpy as np
import pytest

from gadesign.errors import ConfigError, GadesignError
from gadesign.genomes import RealVector
from gadesign.problem import Evaluation, Objective
from gadesign.registry import make_problem

PLUGIN = '''
"""Outside plugins for gadesign's tests (written from docs/plugins.md)."""
import json
from pathlib import Path

import numpy as np
import typer

from gadesign.atomic import atomic_write_text
from gadesign.genomes import Composite, Genome, IntegerVector, Permutation, RealVector
from gadesign.problem import Evaluation, Objective


class Beam:
    """Beam: area against deflection (composite genome with a repair)."""
    name = "outside-beam"
    objectives = (Objective("area", "min", "cm^2"), Objective("deflection", "min", "mm"))
    constraints = ("stress",)
    defaults = {"algorithm": "nsga2", "pop": 12, "generations": 3}

    def __init__(self, mode="ok"):
        self.mode = mode
        self.genome = Composite({"n": IntegerVector(1, 6, 2), "web": RealVector([10.0, 0.5], [80.0, 5.0])},
                                repair=thin_web)

    def evaluate(self, x):
        h, t = float(x["web"][0]), float(x["web"][1])
        if self.mode == "flaky" and h > 60:
            raise RuntimeError("solver diverged")
        if self.mode == "flaky" and h < 20:
            return Evaluation((float("nan"), 1.0), (0.0,))
        area = h * t + 2.0 * int(np.sum(x["n"]))
        inertia = t * h ** 3 / 12 + 2.0 * int(np.sum(x["n"])) * (h / 2) ** 2
        if self.mode == "numpy":  # numpy values where the guide says floats
            return Evaluation(np.array([area, 1e4 / inertia], dtype=np.float32), np.zeros(1), None)
        return Evaluation((area, 1e4 / inertia), (max(3e3 * h / inertia / 25 - 1, 0.0),), {"inertia": inertia})

    def decode(self, x):
        return {"flanges": [int(v) for v in x["n"]], "web": [float(v) for v in x["web"]]}

    def export(self, x, evaluation, directory, stem):
        if self.mode == "export" and stem in BROKEN_STEMS:
            raise RuntimeError("writer broke")
        path = Path(directory) / f"{stem}.beam"
        atomic_write_text(path, json.dumps(self.decode(x)))
        return [path]

    def summary(self, x, evaluation):
        if self.mode == "summary":
            raise RuntimeError("summary broke")
        return {"height": float(x["web"][0])}

    def report_figures(self, x, evaluation):
        if self.mode == "figures":
            raise RuntimeError("figure broke")
        return []

    def refine_design(self, x, evaluation):
        if self.mode == "refine":
            raise RuntimeError("local search broke")
        return x  # mode "refine-shape": not the (x, Evaluation, evaluations) it should be

    def true_front(self, n):
        if self.mode == "truefront":
            raise NotImplementedError("no analytic front")
        return np.zeros((n, 3)) if self.mode == "truefront-shape" else np.linspace([10, 0.5], [400, 0.01], n)


BROKEN_STEMS = {"member-001"}  # export() fails on these in mode "export" (a test mends the plugin)


def thin_web(design):
    web = design["web"].copy()
    web[1] = min(web[1], web[0] / 10)
    return {"n": design["n"], "web": web}


def beam(mode: str = "ok") -> Beam:
    """Beam: area against deflection.

    ``mode``: ok, flaky, numpy, export, summary or figures.
    """
    return Beam(mode)


def broken(fault: str = "nogenome") -> Beam:
    """A beam with one member broken."""
    p = Beam()
    if fault == "nogenome":
        p.genome = None
    elif fault == "genome":
        p.genome = (0.0, 1.0, 3)
    elif fault == "objstr":
        p.objectives = ("area", "deflection")
    elif fault == "noobjectives":
        p.objectives = ()
    elif fault == "clash":
        p.objectives = (Objective("area"), Objective("area", "max"))
    elif fault == "clash-constraint":
        p.constraints = ("area",)
    elif fault == "constraints-str":
        p.constraints = "stress"
    elif fault == "name":
        p.name = 7
    elif fault == "evaluate":
        p.evaluate = None
    elif fault == "defaults":
        p.defaults = {"pop": "many"}
    elif fault == "defaults-key":
        p.defaults = {"popsize": 10}
    elif fault == "defaults-algorithm":
        p.defaults = {"algorithm": "nsga9"}
    elif fault == "reference":
        p.reference_point = (1.0,)
    elif fault == "none":
        return None
    elif fault == "raise":
        raise RuntimeError("licence server unreachable")
    return p


class Digits(Genome):
    """Three digits; its to_json forgets the .tolist()."""

    def sample(self, rng):
        return rng.integers(0, 10, 3)

    def mutate(self, x, rng):
        y = x.copy()
        y[int(rng.integers(3))] = rng.integers(0, 10)
        return y

    def crossover(self, a, b, rng):
        return b.copy(), a.copy()

    def to_json(self, x):
        return x

    def from_json(self, data):
        return np.asarray(data, dtype=np.int64)


def digits():
    """A beam whose custom genome's to_json returns a numpy array."""
    p = Beam()
    p.genome = Digits()
    p.evaluate = lambda x: Evaluation((float(x.sum()), float(x[0])), (0.0,))
    return p


class Clumsy(Digits):
    """Three digits whose mutation indexes past the end."""

    def to_json(self, x):
        return x.tolist()

    def mutate(self, x, rng):
        return pick_tenth(x)


def pick_tenth(x):
    return x[10]


def clumsy():
    """A beam whose custom genome's mutate raises IndexError."""
    p = digits()
    p.genome = Clumsy()
    return p


def needs_size(size):
    """A beam that needs a size."""
    return Beam()


class HalfDigits(Genome):
    """A genome that forgets crossover, to_json and from_json: abstract."""

    def sample(self, rng):
        return rng.integers(0, 10, 3)

    def mutate(self, x, rng):
        return x.copy()


def abstract(size: int = 3):
    """A beam whose custom genome is abstract (a bug in the plugin, not a parameter)."""
    p = Beam()
    p.genome = HalfDigits()
    return p


class Sized(Beam):
    """A beam of ``size`` webs, which checks its size in __init__."""

    def __init__(self, size):
        super().__init__()
        if size < 1: raise ValueError(f"size must be >= 1, got {size}")  # noqa: E701 - a one-line check
        self.weights = np.ones(size - 10)  # numpy on a size the plugin did not check: an error in plugin code


def sized(size: int = 20, kind: str = "beam"):
    """A beam of a given size.

    ``size``: number of webs (>= 1). ``kind``: beam or girder.
    """
    if kind not in ("beam", "girder"):
        raise ValueError(f"kind must be beam or girder, got {kind!r}")
    return Sized(size)


class Tour:
    """A shortest round trip through 6 points on a line (a permutation genome)."""
    name = "outside-tour"
    objectives = (Objective("length", "min"),)
    constraints = ()

    def __init__(self, crossover="ox", mutation="inversion", mutation_args=None):
        self.genome = Permutation(6, crossover=crossover, mutation=mutation, mutation_args=mutation_args)

    def evaluate(self, x):
        return Evaluation((float(np.abs(np.diff(np.append(x, x[0]))).sum()),))

    def decode(self, x):
        return [int(v) for v in x]


def tour(crossover: str = "ox", mutation: str = "inversion", mutation_args: dict | None = None):
    """Round trip through 6 points; operators passed through to Permutation."""
    return Tour(crossover, mutation, mutation_args)


INSTANCE = Beam()

app = typer.Typer(help="Outside tools.")


@app.command("hello")
def hello() -> None:
    """Say hello."""
    typer.echo("hello from outside")


NOT_A_TYPER = 42
'''

ENTRY_POINTS = """[gadesign.problems]
outside-beam = outside_plugs:beam
outside-broken = outside_plugs:broken
outside-needs-size = outside_plugs:needs_size
outside-instance = outside_plugs:INSTANCE
outside-digits = outside_plugs:digits
outside-clumsy = outside_plugs:clumsy
outside-twice = outside_plugs:beam
outside-abstract = outside_plugs:abstract
outside-sized = outside_plugs:sized
outside-tour = outside_plugs:tour

[gadesign.commands]
outside = outside_plugs:app
outside-bad = outside_plugs:NOT_A_TYPER
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder holding an installed plugin distribution: its module and its dist-info."""
    root = tmp_path_factory.mktemp("site")
    (root / "outside_plugs.py").write_text(textwrap.dedent(PLUGIN))
    info = root / "outside_plugs-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: outside-plugs\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text(ENTRY_POINTS)
    fork = root / "outside_fork-0.1.dist-info"  # a second distribution claiming one of the names
    fork.mkdir()
    (fork / "METADATA").write_text("Metadata-Version: 2.1\nName: outside-fork\nVersion: 0.1\n")
    (fork / "entry_points.txt").write_text("[gadesign.problems]\noutside-twice = outside_plugs:needs_size\n")
    return root


def gadesign(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """``gadesign ARGS`` in this process: (exit code, stdout, stderr)."""
    from gadesign.cli import main

    capsys.readouterr()
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def evolve_with_workers(capsys: pytest.CaptureFixture[str], cli, site: Path, workers: str,
                        *args: str) -> tuple[int, str, str]:
    """``gadesign evolve ARGS --workers N``: in this process for one worker; in a fresh
    interpreter for a pool, whose workers must import the plugin by name as an installed
    one is (a forkserver started earlier in this session would not see ``site``)."""
    if workers == "1":
        return gadesign(capsys, "evolve", *args, "--workers", "1")
    res = cli("evolve", *args, "--workers", workers, env={"PYTHONPATH": str(site)})
    return res.returncode, res.stdout, res.stderr


def one_error(err: str, *fragments: str) -> None:
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    assert "Traceback" not in err
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])


@pytest.mark.parametrize("fault, fragments", [
    ("nogenome", ("has no 'genome'",)),
    ("genome", ("genome must be a gadesign.genomes.Genome", "got tuple")),
    ("objstr", ("Objective(name, direction, unit)", "'area'")),
    ("noobjectives", ("non-empty tuple of Objective",)),
    ("clash", ("objective name 'area' is used twice",)),
    ("clash-constraint", ("'area' names both an objective and a constraint",)),
    ("constraints-str", ("constraints must be a tuple of str", "('stress',)")),
    ("name", ("name must be a non-empty str",)),
    ("evaluate", ("has no 'evaluate'",)),
    ("defaults", ("defaults['pop'] must be an int",)),
    ("defaults-key", ("unknown key 'popsize'", "did you mean 'pop'")),
    ("defaults-algorithm", ("defaults['algorithm'] 'nsga9' is not an algorithm",)),
    ("reference", ("reference_point", "one finite value per objective")),
    ("none", ("the factory returned None",)),
    ("raise", ("its factory outside_plugs:broken failed: RuntimeError: licence server unreachable",)),
])
def test_a_broken_plugin_is_one_error_line_before_any_output(installed, capsys, tmp_path, fault, fragments):
    run = tmp_path / "run"
    code, out, err = gadesign(capsys, "evolve", "outside-broken", "--set", f"fault={fault!r}", "--pop", "8",
                              "--generations", "1", "-q", "--out", str(run))
    assert code == 2
    one_error(err, "problem 'outside-broken'", *fragments)
    assert not run.exists()


def test_a_custom_genome_whose_to_json_is_no_json_is_named_before_generation_0(installed, capsys, tmp_path):
    """It was an internal error (TypeError: Object of type ndarray is not JSON serializable)."""
    run = tmp_path / "run"
    code, _, err = gadesign(capsys, "evolve", "outside-digits", "--pop", "6", "--generations", "1", "-q",
                            "--out", str(run))
    assert code == 2
    one_error(err, "Digits.to_json must return JSON values", "ndarray")
    assert not run.exists()


def test_a_crash_in_plugin_code_names_the_plugin_file_not_an_internal_error(installed, capsys, tmp_path):
    """A custom genome's mutate that raises IndexError said 'internal error: IndexError: ...'."""
    from gadesign.cli import plugin_frame
    from gadesign.problem import check_members

    code, _, err = gadesign(capsys, "evolve", "outside-clumsy", "--pop", "6", "--generations", "2", "-q",
                            "--out", str(tmp_path / "run"))
    assert code == 1 and "Traceback" not in err
    line = err.strip().splitlines()[-1]
    assert line.startswith("error in plugin code (") and "outside_plugs.py:" in line and "in pick_tenth)" in line
    assert "IndexError: index 10 is out of bounds" in line
    try:  # an exception raised in gadesign's own code is no plugin's
        check_members(None, "x")
    except ConfigError as exc:
        assert plugin_frame(exc) is None


def test_a_factory_parameter_without_default_is_named(installed, capsys, tmp_path):
    code, _, err = gadesign(capsys, "evolve", "outside-needs-size", "-q", "--out", str(tmp_path / "run"))
    assert code == 2
    one_error(err, "needs --set size=VALUE")  # was: "has no parameter  (parameters: size)"
    code, _, err = gadesign(capsys, "evolve", "outside-beam", "--set", "height=3", "-q", "--out",
                            str(tmp_path / "run"))
    assert code == 2
    one_error(err, "has no parameter 'height'", "parameters: mode")
    assert not (tmp_path / "run").exists()


def test_a_name_two_plugins_register_is_refused_naming_both(installed, capsys, tmp_path):
    """The entry registered last on sys.path silently won (e.g. an outside 'zdt1')."""
    code, _, err = gadesign(capsys, "evolve", "outside-twice", "-q", "--out", str(tmp_path / "run"))
    assert code == 2
    one_error(err, "problem 'outside-twice' is registered by 2 installed plugins",
              "outside_plugs:beam (outside-plugs)", "outside_plugs:needs_size (outside-fork)")
    assert not (tmp_path / "run").exists()
    code, out, _ = gadesign(capsys, "problems", "--json")
    listed = {p["name"]: p["description"] for p in json.loads(out)}
    assert code == 0 and "registered by 2 installed plugins" in listed["outside-twice"]


def test_an_entry_point_to_an_instance_is_named_not_an_internal_error(installed, capsys):
    code, _, err = gadesign(capsys, "problems", "outside-instance")
    assert code == 2
    one_error(err, "outside_plugs:INSTANCE names a Beam object, not a factory function")
    code, out, _ = gadesign(capsys, "problems", "--json")
    listed = {p["name"]: p["description"] for p in json.loads(out)}
    assert code == 0 and "broken plugin" in listed["outside-instance"]
    code, out, err = gadesign(capsys, "problems", "outside-needs-size")
    assert code == 0 and "not built with its default parameters" in out and "needs --set size=VALUE" in out


class Unregistered:
    """A problem used from Python only."""

    name = "unregistered"
    genome = RealVector(0.0, 1.0, 2)
    objectives = (Objective("f"), Objective("f", "max"))
    constraints = ()

    def evaluate(self, x):
        return Evaluation((float(x[0]), float(x[1])))

    def decode(self, x):
        return x


def test_python_api_and_deap_bridge_check_the_members_too():
    from gadesign import evolve
    from gadesign.deap import toolbox

    with pytest.raises(ConfigError, match="objective name 'f' is used twice"):
        evolve(Unregistered(), pop=8, generations=1)
    with pytest.raises(ConfigError, match="objective name 'f' is used twice"):
        toolbox(Unregistered())


class Sphere(Unregistered):
    objectives = (Objective("f"), Objective("g"))


@pytest.mark.parametrize("options, message", [
    ({"generations": -1}, "generations must be >= 0"),  # ran generation 0 only
    ({"seed": -1}, "seed must be >= 0"),                # numpy's ValueError
    ({"workers": 0}, "workers must be >= 1"),           # ran serially
    ({"pop": "10"}, "pop must be an int"),              # TypeError
    ({"refine": -1}, "refine must be >= 0"),
    ({"eval_timeout": "1"}, "eval_timeout must be a number of seconds"),
])
def test_python_api_checks_its_options_as_the_cli_does(options, message):
    from gadesign import evolve

    with pytest.raises(ConfigError, match=rf"evolve\(\): {message}"):
        evolve(Sphere(), **{"pop": 8, "generations": 1, **options})
    assert len(evolve(Sphere(), pop=8, generations=0, seed=0).front) >= 1


def test_the_member_check_is_linear_in_the_objectives():
    """Duplicate names were found by list.count: dtlz2 --set n_obj=1000000 hung for
    minutes before the GADESIGN_MAX_OBJECTIVES limit could refuse it (corpus case)."""
    import time

    from gadesign.problem import check_members

    problem = Unregistered()
    problem.objectives = tuple(Objective(f"f{i}") for i in range(100_000))
    started = time.perf_counter()
    check_members(problem, "many")
    assert time.perf_counter() - started < 5.0


def test_numpy_values_and_info_none_are_accepted(installed, capsys, tmp_path):
    """Evaluation((float32 array), np.zeros(1), None) ran all generations, then failed to
    write front.json (internal error, half-written run directory)."""
    problem = make_problem("outside-beam", {"mode": "numpy"})
    e = problem.evaluate(problem.genome.sample(np.random.default_rng(0)))
    # the engine's own check turns the plugin's values into plain floats and a dict
    checked = e.checked(2, 1)
    assert not checked.info.get("failed") and all(type(v) is float for v in checked.objectives)
    assert checked.info == {}
    run = tmp_path / "run"
    code, _, err = gadesign(capsys, "evolve", "outside-beam", "--set", "mode='numpy'", "-q", "--out", str(run))
    assert code == 0, err
    front = json.loads((run / "front.json").read_text())
    assert front["members"] and (run / "run.json").is_file()
    assert Evaluation(3.0).checked(1, 0).info["reason"].startswith("objectives must be a sequence of floats")


def test_failed_evaluations_say_why(installed, capsys, tmp_path):
    code, out, _ = gadesign(capsys, "evolve", "outside-beam", "--set", "mode='flaky'", "-q", "--seed", "2",
                            "--out", str(tmp_path / "run"))
    assert code == 0
    logbook = (tmp_path / "run" / "logbook.csv").read_text().splitlines()
    failed = int(logbook[-1].split(",")[logbook[0].split(",").index("failed")])
    reasons = [ln.strip() for ln in out.splitlines() if " x " in ln and ln.startswith("  ")]
    assert failed > 0 and reasons, out
    counted = {r.split(" x ", 1)[1]: int(r.split(" x ", 1)[0]) for r in reasons}
    assert set(counted) <= {"error: RuntimeError: solver diverged", "non-finite objective or violation"}
    assert sum(counted.values()) == failed


def test_a_resumed_run_says_its_reasons_are_this_sessions(installed, capsys, tmp_path):
    run = tmp_path / "run"
    code, _, _ = gadesign(capsys, "evolve", "outside-beam", "--set", "mode='flaky'", "-q", "--seed", "2",
                          "--generations", "6", "--checkpoint-every", "2", "--out", str(run))
    assert code == 0
    for path in run.glob("checkpoints/gen-*.json"):
        if path.name != "gen-0002.json":
            path.unlink()
    code, out, err = gadesign(capsys, "resume", str(run), "-q")
    assert code == 0, err
    total = int(out.split("kept as infeasible): ")[1].split()[0])
    lines = [ln.strip() for ln in out.splitlines() if " x " in ln and ln.startswith("  ")]
    session = sum(int(ln.split(" x ", 1)[0]) for ln in lines)
    assert 0 < session < total, out
    assert f"by reason, the {session} of this session" in out


@pytest.mark.parametrize("workers", ["1", "2"])
def test_export_failure_of_one_design_keeps_the_run_whole(installed, capsys, cli, tmp_path, workers):
    run = tmp_path / "run"
    code, _, err = evolve_with_workers(capsys, cli, installed, workers, "outside-beam", "--set", "mode='export'",
                                       "-q", "--seed", "3", "--out", str(run))
    assert code == 2
    lines = [ln for ln in err.splitlines() if ln.startswith("error:")]
    assert len(lines) == 1 and "problem 'outside-beam': its export() failed for 1 of" in lines[0], err
    assert "member-001: RuntimeError: writer broke" in lines[0] and "Traceback" not in err
    for name in ("front.json", "front.csv", "logbook.csv", "run.json", "plots/front.png"):
        assert (run / name).is_file(), name
    members = json.loads((run / "front.json").read_text())["members"]
    written = sorted(p.name for p in (run / "designs").iterdir())
    assert len(members) >= 2 and "member-001.beam" not in written
    assert written == [f"member-{i:03d}.beam" for i in range(len(members)) if i != 1]


@pytest.mark.parametrize("mode, text", [("truefront", "true_front() failed (NotImplementedError: no analytic front)"),
                                        ("truefront-shape", "gave an array of shape (500, 3), not (k, 2)")])
def test_a_failing_true_front_is_left_out_of_the_plots(installed, capsys, tmp_path, mode, text):
    """It raised after front.json was written: internal error, no plots, no run.json."""
    run = tmp_path / "run"
    code, _, err = gadesign(capsys, "evolve", "outside-beam", "--set", f"mode={mode!r}", "-q", "--out", str(run))
    assert code == 0, err
    assert "warning:" in err and text in err
    assert (run / "run.json").is_file() and (run / "plots" / "front.png").is_file()
    code, out, err = gadesign(capsys, "plot", str(run))
    assert code == 0 and "front.png" in out and text in err


@pytest.mark.parametrize("workers", ["1", "2"])
@pytest.mark.parametrize("mode, text", [("refine", "RuntimeError: local search broke"),
                                        ("refine-shape", "TypeError: returned dict, not (x, Evaluation")])
def test_a_failing_refine_design_leaves_the_designs_as_they_were(installed, capsys, caplog, cli, tmp_path, workers,
                                                                mode, text):
    """It was an internal error after the last generation: no front.json, no run.json."""
    run = tmp_path / "run"
    code, out, err = evolve_with_workers(capsys, cli, installed, workers, "outside-beam", "--set", f"mode={mode!r}",
                                         "--refine", "2", "-q", "--out", str(run))
    assert code == 0, err
    said = caplog.text + err  # the "gadesign" logger: stderr on the console, caplog under pytest
    assert "refine_design failed on 2 of 2 designs" in said and text in said
    assert "refined: no polished design beat the evolved front" in out
    front = json.loads((run / "front.json").read_text())
    assert (run / "run.json").is_file() and not any(m["info"].get("refined") for m in front["members"])


def test_failing_summary_and_report_figures_cost_only_their_own_output(installed, capsys, tmp_path):
    for mode in ("summary", "figures"):
        run = tmp_path / mode
        code, _, err = gadesign(capsys, "evolve", "outside-beam", "--set", f"mode={mode!r}", "-q",
                                "--out", str(run))
        assert code == 0, err
        code, out, err = gadesign(capsys, "show", str(run))
        assert code == 0 and "area" in out, err
        if mode == "summary":
            assert "height" not in out
            assert "its summary() failed on" in err and "RuntimeError: summary broke" in err
        code, _, err = gadesign(capsys, "report", str(run))
        assert code == 0, err
        html = (run / "report.html").read_text()
        if mode == "summary":
            assert "summary() failed (member 0: RuntimeError: summary broke)" in html
        else:
            assert "report_figures failed: RuntimeError: figure broke" in html


def test_a_command_entry_point_that_is_no_typer_app_is_a_warning(site, cli):
    """It made every gadesign command an internal error ('int' object has no attribute
    'registered_commands'); the plugin's good command group still mounts."""
    env = {"PYTHONPATH": str(site)}
    res = cli("outside", "hello", env=env)
    assert res.returncode == 0, res.stderr
    assert "hello from outside" in res.stdout
    assert "plugin commands 'outside-bad' (outside_plugs:NOT_A_TYPER) not mounted" in res.stderr
    assert "object of type int, not a typer.Typer app" in res.stderr and "Traceback" not in res.stderr
    res = cli("outside", env=env)  # a bare group prints its help, as built-in groups do (was: Missing command)
    assert res.returncode == 0 and "hello" in res.stdout and "Say hello" in res.stdout, res.stderr


@pytest.mark.parametrize("option, own, deap_name", [
    ("mutation", "'swap', 'inversion', 'insertion'", "mutShuffleIndexes"),
    ("crossover", "'ox', 'pmx', 'cx'", "cxOrdered"),
])
def test_an_unknown_operator_lists_the_genomes_own_operators_too(installed, capsys, tmp_path, option, own, deap_name):
    """`--set mutation=bogus` listed only DEAP's operators (and crossovers among the
    mutations), not the Permutation's own swap, inversion, insertion that it accepts."""
    run = tmp_path / "run"
    code, _, err = gadesign(capsys, "evolve", "outside-tour", "--set", f"{option}=bogus", "-q", "--out", str(run))
    assert code == 2 and not run.exists()
    one_error(err, "problem 'outside-tour': bad parameter value:", f"unknown {option} operator 'bogus' for Permutation",
              f"the genome's own: {own}", deap_name)
    other = "cx" if option == "mutation" else "mut"
    assert f", {other}" not in err and f" {other}" not in err.split("DEAP operators:")[1]
    code, _, err = gadesign(capsys, "evolve", "outside-tour", "--set", f"{option}={own.split(',')[0][1:-1][:-1]}",
                            "-q", "--out", str(run))  # a near miss is named
    assert code == 2 and f"did you mean {own.split(',')[0]}" in err
    wrong = "cxOrdered" if option == "mutation" else "mutShuffleIndexes"
    code, _, err = gadesign(capsys, "evolve", "outside-tour", "--set", f"{option}={wrong}", "-q", "--out", str(run))
    assert code == 2 and f"'{wrong}' is a DEAP" in err and f"not a {option}" in err
    for name in own.replace("'", "").split(", "):  # and every name listed is accepted
        assert make_problem("outside-tour", {option: name}).genome is not None


def test_unknown_operators_of_the_other_genomes_say_what_they_accept():
    from gadesign.genomes import BinaryVector, IntegerVector

    with pytest.raises(ValueError, match=r"for IntegerVector; accepted: the genome's own: "
                                         r"'creep', 'uniform', 'mixed'; DEAP operators: mutFlipBit"):
        IntegerVector(0, 3, 3, mutation="bogus")
    with pytest.raises(ValueError, match=r"the genome's own: 'uniform', 'two_point'; DEAP operators: cxBlend"):
        BinaryVector(3, crossover="bogus")
    with pytest.raises(ValueError, match=r"the genome's own \(bit flip\) is used when mutation is not given"):
        BinaryVector(3, mutation="flip")
    with pytest.raises(ValueError, match=r"the genome's own \(SBX\) is used when crossover is not given"):
        RealVector(0, 1, 3, crossover="sbx")


def test_a_bug_in_a_factory_is_an_error_in_plugin_code_not_a_bad_parameter(installed, capsys, tmp_path):
    """Instantiating an abstract genome in a factory (TypeError) said 'bad parameter value'."""
    run = tmp_path / "run"
    code, _, err = gadesign(capsys, "evolve", "outside-abstract", "-q", "--out", str(run))
    assert code == 2 and not run.exists()
    one_error(err, "problem 'outside-abstract': error in plugin code (", "outside_plugs.py:", ", in abstract)",
              "called by its factory outside_plugs:abstract: TypeError: Can't instantiate abstract class HalfDigits")
    assert "bad parameter" not in err
    # numpy raising on a value the plugin did not check: the plugin's line, and what the caller gave
    code, _, err = gadesign(capsys, "evolve", "outside-sized", "--set", "size=5", "-q", "--out", str(run))
    assert code == 2
    one_error(err, "error in plugin code (", ", in __init__), called by its factory outside_plugs:sized (--set size=5)",
              "ValueError: negative dimensions are not allowed")
    with pytest.raises(GadesignError, match="error in plugin code") as caught:  # the Python API too
        make_problem("outside-abstract")
    assert not isinstance(caught.value, ConfigError)


@pytest.mark.parametrize("params, message", [
    ({"kind": "'arch'"}, "kind must be beam or girder, got 'arch'"),  # raised by the factory itself
    ({"size": "0"}, "size must be >= 1, got 0"),                      # raised deeper, by the problem's __init__
])
def test_a_check_the_plugin_raises_on_purpose_is_a_bad_parameter(installed, capsys, tmp_path, params, message):
    sets = [a for k, v in params.items() for a in ("--set", f"{k}={v}")]
    code, _, err = gadesign(capsys, "evolve", "outside-sized", *sets, "-q", "--out", str(tmp_path / "run"))
    assert code == 2
    one_error(err, "problem 'outside-sized': bad parameter value:", message)
    assert "plugin code" not in err


@pytest.mark.parametrize("seed, message", [(-1, "seed must be >= 0, got -1"), (1.5, "seed must be an int, got 1.5"),
                                           ("1", "seed must be an int, got '1'")])
def test_the_deap_toolbox_checks_its_seed_as_evolve_does(seed, message):
    """toolbox(problem, seed=-1) was numpy's ValueError (expected non-negative integer)."""
    from gadesign import evolve
    from gadesign.deap import toolbox

    with pytest.raises(ConfigError, match=rf"^toolbox\(\): {message}$"):
        toolbox(Sphere(), seed=seed)
    with pytest.raises(ConfigError, match=rf"^evolve\(\): {message}$"):
        evolve(Sphere(), seed=seed, pop=8, generations=0)
    assert len(toolbox(Sphere(), seed=0).population(3)) == 3


def test_a_finished_run_whose_export_failed_can_write_its_designs_again(installed, capsys, tmp_path, monkeypatch):
    """resume said the run was finished and export had no way to write designs/: the
    designs whose export() failed stayed missing after the plugin was mended."""
    import outside_plugs

    run = tmp_path / "run"
    code, _, err = gadesign(capsys, "evolve", "outside-beam", "--set", "mode='export'", "-q", "--seed", "3",
                            "--out", str(run))
    assert code == 2 and f"`gadesign export {run} --designs` writes them again" in err
    members = json.loads((run / "front.json").read_text())["members"]
    assert len(members) >= 2 and not (run / "designs" / "member-001.beam").exists()
    code, out, _ = gadesign(capsys, "resume", str(run), "-q")
    assert code == 0 and "nothing to resume" in out and "--designs` writes its designs/ files again" in out
    code, _, err = gadesign(capsys, "export", str(run), "--designs", "-q")  # still broken: the same error
    assert code == 2
    one_error(err, f"its export() failed for 1 of {len(members)} front design(s) (member-001: RuntimeError: writer "
              f"broke); the others are written in {run / 'designs'}")
    monkeypatch.setattr(outside_plugs, "BROKEN_STEMS", set())  # the plugin is mended
    (run / "designs" / "member-000.beam").write_text("stale")
    code, out, err = gadesign(capsys, "export", str(run), "--designs", "-q")
    assert code == 0, err
    assert f"wrote the field formats of {len(members)} design(s) into {run / 'designs'}" in out
    assert sorted(p.name for p in (run / "designs").iterdir()) == [f"member-{i:03d}.beam" for i in range(len(members))]
    problem = make_problem("outside-beam", {"mode": "export"})
    for i in (0, 1):
        written = json.loads((run / "designs" / f"member-{i:03d}.beam").read_text())
        assert written == problem.decode(problem.genome.from_json(members[i]["genome"]))
    for extra in (["--format", "json"], ["-o", str(tmp_path / "f.csv")], ["--archive", str(tmp_path / "a.zip")]):
        code, _, err = gadesign(capsys, "export", str(run), "--designs", *extra)
        assert code == 2
        one_error(err, "--designs writes into the run's designs/ folder")
    other = tmp_path / "zdt1"
    assert gadesign(capsys, "evolve", "zdt1", "--pop", "8", "--generations", "0", "-q", "--out", str(other))[0] == 0
    code, _, err = gadesign(capsys, "export", str(other), "--designs")
    assert code == 2
    one_error(err, "problem 'zdt1' has no export()")
