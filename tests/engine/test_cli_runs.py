"""End-to-end runs through the `gadesign` command (issue 2, points 1, 4, 5; issue 12)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest



def test_problems_lists_entry_point_benchmarks(cli):
    res = cli("problems", "--json")
    assert res.returncode == 0, res.stderr
    names = {p["name"] for p in json.loads(res.stdout)}
    assert {"zdt1", "zdt2", "zdt3", "zdt4", "zdt6", "dtlz1", "dtlz2", "osy", "tnk"} <= names


def test_same_seed_same_front_and_workers_do_not_matter(cli, tmp_path):
    args = ("evolve", "zdt1", "--pop", "40", "--generations", "20", "--seed", "5", "-q")
    a = cli(*args, "--out", str(tmp_path / "a"))
    b = cli(*args, "--out", str(tmp_path / "b"))
    c = cli(*args, "--out", str(tmp_path / "c"), "--workers", "2")
    for res in (a, b, c):
        assert res.returncode == 0, res.stderr
    front = (tmp_path / "a" / "front.json").read_bytes()
    assert front == (tmp_path / "b" / "front.json").read_bytes()
    assert front == (tmp_path / "c" / "front.json").read_bytes()
    doc = json.loads(front)
    assert doc["schema"] == 1 and doc["problem"] == "zdt1"
    assert [o["direction"] for o in doc["objectives"]] == ["min", "min"]
    assert all(len(m["objectives"]) == 2 and m["violations"] == [] for m in doc["members"])
    different = cli(*args[:-3], "--seed", "6", "-q", "--out", str(tmp_path / "d"))
    assert different.returncode == 0
    assert (tmp_path / "d" / "front.json").read_bytes() != front


def test_run_directory_layout_and_show_export_plot(cli, tmp_path):
    run = tmp_path / "run"
    res = cli("evolve", "tnk", "--pop", "20", "--generations", "6", "--checkpoint-every", "2", "-q",
                  "--out", str(run))
    assert res.returncode == 0, res.stderr
    for name in ("config.json", "logbook.csv", "front.json", "front.csv", "plots/front.png", "plots/convergence.png"):
        assert (run / name).is_file(), name
    assert sorted(p.name for p in (run / "checkpoints").iterdir()) == ["gen-0002.json", "gen-0004.json", "gen-0006.json"]
    assert not list(run.rglob("*.tmp*"))
    logbook = (run / "logbook.csv").read_text().splitlines()
    assert len(logbook) == 1 + 7 and logbook[0].startswith("gen,evals")
    show = cli("show", str(run))
    assert show.returncode == 0 and "f1" in show.stdout
    csv_out = cli("export", str(run), "--format", "csv")
    assert csv_out.returncode == 0 and csv_out.stdout.splitlines()[0].startswith("member,f1,f2")
    json_out = cli("export", str(run), "--format", "json", "--output", str(tmp_path / "f.json"))
    assert json_out.returncode == 0
    assert json.loads((tmp_path / "f.json").read_text()) == json.loads((run / "front.json").read_text())
    (run / "plots" / "front.png").unlink()
    assert cli("plot", str(run)).returncode == 0 and (run / "plots" / "front.png").is_file()


def _wait_for_any(directory: Path, pattern: str, timeout: float = 120) -> None:
    deadline = time.time() + timeout
    while not (directory.is_dir() and any(directory.glob(pattern))):
        if time.time() > deadline:
            raise AssertionError(f"no {pattern} appeared in {directory}")
        time.sleep(0.02)


def test_sigkill_after_checkpoint_then_resume_is_bit_identical(cli, tmp_path):
    # 1 ms per design, so the run outlasts the polling by far (zdt2 alone ran 120 generations
    # faster than a loaded machine polled: gen-0030.json had been pruned before it was seen)
    args = ["evolve", "zdt1-faulty", "--set", "cost_ms=1", "--pop", "20", "--generations", "120", "--seed", "3",
            "--checkpoint-every", "10", "-q"]
    full = cli(*args, "--out", str(tmp_path / "full"))
    assert full.returncode == 0, full.stderr
    killed = tmp_path / "killed"
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "gadesign", *args, "--out", str(killed)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_for_any(killed / "checkpoints", "gen-00[3-9]0.json")
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    assert not (killed / "front.json").exists()
    resumed = cli("resume", str(killed), "-q")
    assert resumed.returncode == 0, resumed.stderr
    assert (killed / "front.json").read_bytes() == (tmp_path / "full" / "front.json").read_bytes()


def test_nsga3_resume_restores_algorithm_memory(cli, tmp_path):
    args = ["evolve", "dtlz2", "--pop", "20", "--generations", "12", "--seed", "2", "--checkpoint-every", "4", "-q"]
    assert cli(*args, "--out", str(tmp_path / "full")).returncode == 0
    partial = tmp_path / "partial"
    assert cli(*args, "--out", str(partial)).returncode == 0
    # keep only the generation-8 checkpoint, as if the run had died right after it
    for p in (partial / "checkpoints").iterdir():
        if p.name != "gen-0008.json":
            p.unlink()
    (partial / "front.json").unlink()
    assert cli("resume", str(partial), "-q").returncode == 0
    assert (partial / "front.json").read_bytes() == (tmp_path / "full" / "front.json").read_bytes()


# -- issue 12: destructive cases, visible work, discoverability ---------------------------------
def _tree(root: Path) -> dict[str, bytes | None]:
    return {str(p.relative_to(root)): (p.read_bytes() if p.is_file() else None) for p in sorted(root.rglob("*"))}


def _one_error(res, needle: str) -> None:
    assert res.returncode == 2, (res.returncode, res.stdout, res.stderr)
    lines = [line for line in res.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error:") and needle in lines[0], res.stderr
    assert "Traceback" not in res.stdout + res.stderr


@pytest.mark.slow  # several CLI processes
def test_export_never_overwrites_the_runs_own_files(cli, tmp_path):
    run = tmp_path / "run"
    assert cli("evolve", "zdt1", "--pop", "8", "--generations", "2", "--checkpoint-every", "1", "-q",
               "--out", str(run)).returncode == 0
    before = _tree(tmp_path)
    for target, fmt in (("config.json", "json"), ("front.json", "json"), ("front.csv", "csv"),
                        ("checkpoints/gen-0002.json", "json"), ("checkpoints/new.json", "csv")):
        _one_error(cli("export", str(run), "--format", fmt, "-o", str(run / target), cwd=tmp_path),
                   "is part of the run")
    assert _tree(tmp_path) == before
    # the run is intact: it still shows, and resume says it is finished without touching it
    assert cli("show", str(run)).returncode == 0
    res = cli("resume", str(run))
    assert res.returncode == 0 and "finished" in res.stdout, res.stderr
    assert _tree(tmp_path) == before
    # a file of one's own inside the run directory is fine
    ok = cli("export", str(run), "-o", str(run / "my-export.csv"))
    assert ok.returncode == 0, ok.stderr
    assert (run / "my-export.csv").read_text() == (run / "front.csv").read_text()


def test_empty_out_is_refused_and_nothing_is_written(cli, tmp_path):
    (tmp_path / "keep.txt").write_text("mine\n")
    before = _tree(tmp_path)
    for args in (["evolve", "zdt1", "--pop", "8", "--generations", "1", "--out", ""],
                 ["export", "results/none", "-o", ""]):
        res = cli(*args, cwd=tmp_path)
        _one_error(res, "empty path")
    assert _tree(tmp_path) == before  # before the fix --out '' wrote the run into the working directory


@pytest.mark.slow  # several CLI processes
def test_a_run_that_fails_at_start_leaves_no_directory(cli, tmp_path):
    out = tmp_path / "runs" / "deep" / "r1"
    res = cli("evolve", "truss-ground", "--set", f"file='{tmp_path / 'missing.json'}'", "--out", str(out))
    _one_error(res, "No such file")
    assert not (tmp_path / "runs").exists()
    # failing after the run has copied its input file into RUN/inputs/: that is removed too
    tenbar = Path(__file__).resolve().parents[1] / "data" / "truss" / "tenbar.json"
    res = cli("evolve", "truss-sizing", "--set", f"file='{tenbar}'", "--pop", "8", "--generations", "1",
              "--dask", "tcp://127.0.0.1:1", "--out", str(out))
    _one_error(res, "connection refused")
    assert not (tmp_path / "runs").exists()
    # and the same --out then works (nothing blocks it)
    res = cli("evolve", "zdt1", "--pop", "8", "--generations", "1", "-q", "--out", str(out))
    assert res.returncode == 0, res.stderr


def test_bare_gadesign_prints_help(cli):
    for args in ((), ("antenna",)):
        res = cli(*args)
        assert res.returncode == 0, res.stderr
        assert "Usage" in res.stdout and "error" not in res.stderr


def test_problems_hides_test_only_and_keeps_whole_descriptions(cli):
    from gadesign.registry import problem_entries

    listed = {p["name"]: p["description"] for p in json.loads(cli("problems", "--json").stdout)}
    everything = {p["name"] for p in json.loads(cli("problems", "--json", "--all").stdout)}
    entries = problem_entries()
    hidden = {n for n, e in entries.items() if e.test_only()}
    assert "zdt1-faulty" in hidden and not hidden & set(listed) and everything == set(entries)
    for name, description in listed.items():
        import inspect
        first_paragraph = " ".join((inspect.getdoc(entries[name].factory()) or "").split("\n\n")[0].split())
        assert description == first_paragraph  # whole, never cut at a line end


def test_problems_name_describes_one_problem_in_full(cli):
    from gadesign.registry import make_problem

    res = cli("problems", "antenna-yagi", "--json")
    assert res.returncode == 0, res.stderr
    doc = json.loads(res.stdout)
    problem = make_problem("antenna-yagi")
    assert doc["objectives"] == [o.to_json() for o in problem.objectives]
    assert all(o["unit"] for o in doc["objectives"])
    assert doc["constraints"] == list(problem.constraints)
    import inspect
    sig = inspect.signature(problem_factory := __import__("gadesign_problems.antenna.yagi", fromlist=["x"]).antenna_yagi)
    assert [p["name"] for p in doc["parameters"]] == list(sig.parameters)
    assert all(p["meaning"] for p in doc["parameters"]), doc["parameters"]
    assert {p["name"]: p["default"] for p in doc["parameters"]} == {k: v.default for k, v in sig.parameters.items()}
    assert doc["default_budget"]["pop"] == problem.defaults["pop"]
    assert doc["default_budget"]["generations"] == problem.defaults["generations"]
    text = cli("problems", "antenna-yagi")
    assert text.returncode == 0 and "front_to_back" in text.stdout and "dBi" in text.stdout
    assert problem_factory.__doc__.split("\n")[0].strip() in text.stdout.replace("\n", " ") or "Yagi" in text.stdout


def test_refined_result_is_printed(cli, tmp_path):
    res = cli("evolve", "sphere", "--pop", "8", "--generations", "2", "--refine", "1", "-q",
              "--out", str(tmp_path / "r"))
    assert res.returncode == 0, res.stderr
    front = json.loads((tmp_path / "r" / "front.json").read_text())
    refined = [m for m in front["members"] if m["info"].get("refined")]
    line = [ln for ln in res.stdout.splitlines() if ln.startswith("refined")]
    assert refined and line, res.stdout  # SLSQP on the sphere beats any GA design of 2 generations
    assert f"f {refined[0]['objectives'][0]:.6g}" in line[0]
    assert f"{refined[0]['info']['refine_evaluations']} evaluations" in line[0]


def test_progress_bar_keeps_generation_and_time_at_80_columns():
    import io

    from rich.console import Console

    from gadesign.cli import Progress

    buf = io.StringIO()
    console = Console(file=buf, width=80, force_terminal=True, color_system=None)
    names = ["forward_gain_with_a_long_name", "front_to_back_ratio_long"]
    with Progress(250, names, quiet=False, console=console) as bar:
        bar.update({"gen": 17, "evals": 123456, "hv": 0.123456789, "feasible": 40, "failed": 3,
                    f"best_{names[0]}": 9.87654321, f"best_{names[1]}": 12.3456789, "min_violation": 0.0})
        bar.bar.refresh()
    import re
    plain = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", buf.getvalue())
    lines = [ln for ln in plain.replace("\r", "\n").split("\n") if "17/250" in ln]
    assert lines, buf.getvalue()
    last = lines[-1]
    assert "gen" in last and "17/250" in last and "0:00:0" in last
    assert len(last.rstrip()) <= 80
    # statistics that do not fit are left out whole, never cut inside a number
    whole = {"evals 123456", "HV 0.123457", f"best {names[0]} 9.87654", f"best {names[1]} 12.3457", "failed 3", "…"}
    shown = last.split("0:00:0", 1)[1][1:].strip().split(" · ")
    assert shown[0] == "evals 123456" and set(shown) <= whole, shown


def test_progress_statistics_are_shown_literally():
    """An objective named like rich markup ('[bold]x') is printed as written."""
    import io

    from rich.console import Console

    from gadesign.cli import Progress

    buf = io.StringIO()
    console = Console(file=buf, width=120, force_terminal=True, color_system=None)
    with Progress(5, ["[bold]x"], quiet=False, console=console) as bar:
        bar.update({"gen": 2, "evals": 20, "feasible": 1, "best_[bold]x": 0.5, "min_violation": 0.0})
        bar.bar.refresh()
    assert "best [bold]x 0.5" in buf.getvalue()


def test_no_stale_bar_after_an_error():
    import io

    from rich.console import Console

    from gadesign.cli import Progress
    from gadesign.errors import ConfigError

    buf = io.StringIO()
    console = Console(file=buf, width=80, force_terminal=True, color_system=None)
    try:
        with Progress(10, ["f"], quiet=False, console=console) as bar:
            bar.update({"gen": 3, "evals": 30, "feasible": 1, "best_f": 1.0, "min_violation": 0.0})
            bar.bar.refresh()
            raise ConfigError("boom")
    except ConfigError:
        pass
    text = buf.getvalue()
    assert "3/10" in text
    # the bar is erased at the end (cursor back up, line cleared): nothing is left above the error line
    tail = text[text.rindex("3/10"):]
    assert "\x1b[2K" in tail


def test_exporting_designs_reports_progress(tmp_path):
    from gadesign.run import RunConfig, start_run

    calls = []
    result = start_run(RunConfig("truss-10bar", pop=8, generations=1, checkpoint_every=1), tmp_path / "t",
                       on_export=lambda done, total: calls.append((done, total)))
    n = len(result.front["members"])
    assert calls == [(i, n) for i in range(n + 1)]
    assert n and len({p.name.split(".")[0] for p in (tmp_path / "t" / "designs").iterdir()}) == n


def test_readme_commands_name_files_that_exist():
    """Every input file a README command names is in the repository (outputs, run
    directories and files an earlier command writes excepted)."""
    import re
    import shlex

    root = Path(__file__).resolve().parents[2]
    text = (root / "README.md").read_text()
    outputs = {"-o", "--out", "--output", "--plot", "--pattern", "--touchstone"}
    produced: set[str] = set()
    missing = []
    for block in re.findall(r"```bash\n(.*?)```", text, re.S):
        for line in block.replace("\\\n", " ").splitlines():
            line = line.split("#")[0].strip()
            if not line.startswith(("gadesign", "python")):
                continue
            tokens = shlex.split(line)
            for i, token in enumerate(tokens):
                value = token.split("=", 1)[1] if "=" in token else token
                if not (re.search(r"\.(nec|json|csv|mzML|mgf|py|s\dp|png)$", value) or "/" in value):
                    continue
                if value.startswith(("tcp:", "http", "results/", "runs/", ".venv/")) or "*" in value:  # .venv: made by the command
                    continue
                if (i and tokens[i - 1] in outputs) or value in produced or tokens[1:3] == ["antenna", "convert"] and i == 4:
                    produced.add(value)
                    continue
                if not (root / value).exists():
                    missing.append(f"{value} in: {line}")
    assert not missing, missing


def test_three_objective_front_labels_do_not_collide():
    """The 3-D front with long, unit-carrying objective names at scales from 1 to 1e9
    (long tick labels, scientific offsets): no axis label runs over another text, and
    every label lies inside the figure. The figure before issue 12 failed the last three."""
    import matplotlib
    import numpy as np

    matplotlib.use("Agg")
    from gadesign.plots import front_figure

    rng = np.random.default_rng(3)
    pts = rng.random((60, 3))
    pts /= (pts ** 2).sum(axis=1, keepdims=True) ** 0.5
    names = [("weight", "lb"), ("compliance", "kip*in"), ("max_displacement_ratio", "in/in")]
    for scale in ([1.0, 1.0, 1.0], [12345.6, 0.00123, 250000.0], [1e6, 1e-6, 1e9], [5e4, 3e3, 0.5]):
        front = {"problem": "demo", "objectives": [{"name": n, "direction": "min", "unit": u} for n, u in names],
                 "members": [{"objectives": list(p * scale), "violations": [0.0]} for p in pts]}
        _check_3d_labels(front_figure(front))


def _check_3d_labels(fig) -> None:
    import math

    from matplotlib.text import Text

    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    ax = fig.axes[0]
    texts = [t for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]

    def inside(label, x, y):
        """(x, y) on the label's own rotated rectangle (the window extent of slanted text
        is a much larger upright box)."""
        box = label.get_window_extent(renderer)
        w, h, _ = renderer.get_text_width_height_descent(label.get_text(), label.get_fontproperties(), ismath=False)
        a = math.radians(label.get_rotation())
        dx, dy = x - (box.x0 + box.x1) / 2, y - (box.y0 + box.y1) / 2
        u, v = dx * math.cos(a) + dy * math.sin(a), -dx * math.sin(a) + dy * math.cos(a)
        return abs(u) <= w / 2 and abs(v) <= h / 2

    for label in (ax.xaxis.label, ax.yaxis.label, ax.zaxis.label):
        box = label.get_window_extent(renderer)
        for other in texts:
            if other is not label:
                b = other.get_window_extent(renderer)
                xs, ys = (b.x0, (b.x0 + b.x1) / 2, b.x1), (b.y0, (b.y0 + b.y1) / 2, b.y1)
                assert not any(inside(label, x, y) for x in xs for y in ys), (label.get_text(), other.get_text())
        assert fig.bbox.contains(box.x0, box.y0) and fig.bbox.contains(box.x1, box.y1), label.get_text()
    matplotlib_close(fig)


def matplotlib_close(fig) -> None:
    import matplotlib.pyplot as plt

    plt.close(fig)


def test_convergence_plot_has_title_units_and_reference_point(tmp_path):
    """convergence.png: a title, the hypervolume's units and the reference point in the
    objectives' own directions (the checkpoint stores it minimised: maxima negated)."""
    import matplotlib

    matplotlib.use("Agg")
    from gadesign.plots import convergence_figure, hv_reference
    from gadesign.runstore import RunStore

    objectives = [{"name": "gain", "direction": "max", "unit": "dBi"}, {"name": "mass", "direction": "min",
                                                                         "unit": "kg"}]
    store = RunStore(tmp_path)
    (tmp_path / "checkpoints").mkdir()
    (tmp_path / "checkpoints" / "gen-0003.json").write_text(json.dumps({"state": {"hv_reference": [-2.5, 7.0]}}))
    reference = hv_reference(store, objectives)
    assert reference == [2.5, 7.0]
    logbook = [{"gen": str(g), "hv": str(0.1 * g)} for g in range(4)]
    fig = convergence_figure(logbook, objectives, reference, "demo")
    ax = fig.axes[0]
    assert "demo" in ax.get_title() and "hypervolume" in ax.get_title()
    assert "[dBi] × [kg]" in ax.get_ylabel() and ax.get_xlabel() == "generation"
    notes = " ".join(t.get_text() for t in ax.texts)
    assert "gain = 2.5 dBi" in notes and "mass = 7 kg" in notes


def test_truss_analyze_tables_keep_units(cli):
    """rich markup must not swallow "[in^2]": the member table's header keeps every unit."""
    root = Path(__file__).resolve().parents[2]
    res = cli("truss", "analyze", str(root / "tests" / "data" / "truss" / "tenbar.json"), env={"COLUMNS": "200"})
    assert res.returncode == 0, res.stderr
    for unit in ("area [in^2]", "force [kip]", "stress [ksi]"):
        assert unit in res.stdout, unit


def test_failed_counts_crashes_not_invalid_designs(tmp_path):
    """The logbook's `failed` counts evaluations that crashed, timed out or gave NaN; a
    design its plugin refuses (a truss mechanism) is infeasible, not failed."""
    import numpy as np

    from gadesign.evaluation import safe_evaluate
    from gadesign.registry import make_problem
    from gadesign.run import RunConfig, start_run

    topology = make_problem("truss-10bar-topology")
    evaluations = safe_evaluate(topology, topology.genome.sample_many(200, np.random.default_rng(1)))
    invalid = [e for e in evaluations if e.info.get("invalid_design")]
    assert invalid and all(not e.feasible for e in invalid)  # random topologies include mechanisms
    run = start_run(RunConfig("truss-10bar-topology", pop=40, generations=1, checkpoint_every=1), tmp_path / "t")
    assert all(row["failed"] == 0 for row in run.logbook)
    faulty = start_run(RunConfig("zdt1-faulty", {"fail_width": 0.2, "nan_width": 0.1}, pop=20, generations=1,
                                 checkpoint_every=1), tmp_path / "f")
    assert faulty.logbook[-1]["failed"] > 0


def test_every_problem_parameter_has_a_meaning():
    """`gadesign problems NAME` can say what every --set parameter of every installed
    problem means (read from the factory's docstring)."""
    from gadesign.registry import problem_entries

    missing = [f"{name}.{p}" for name, entry in problem_entries().items()
               for p, _, _, meaning in entry.parameter_table() if not meaning]
    assert not missing, missing


def test_show_keeps_numbers_whole_at_any_width(cli, tmp_path):
    """`show` at 80 columns cut every number of an eleven-column front ('1.7…', 'gai…'):
    now the objectives and violation are always shown whole, the problem's own columns
    that do not fit are left out and named, and output to a pipe or file is the whole table."""
    run = tmp_path / "tr"
    res = cli("evolve", "truss-10bar", "--pop", "8", "--generations", "2", "--seed", "1", "-q", "--out", str(run))
    assert res.returncode == 0, res.stderr
    member = json.loads((run / "front.json").read_text())["members"][0]
    weight = f"{member['objectives'][0]:.6g}"
    narrow = cli("show", str(run), "--limit", "1", env={"COLUMNS": "60"})
    assert narrow.returncode == 0, narrow.stderr
    assert weight in narrow.stdout and "…" not in narrow.stdout.split("\n… ")[0], narrow.stdout
    assert max(len(line) for line in narrow.stdout.splitlines() if line[:1] in "┏┃┡│└") <= 60
    assert "more column(s) at this width: " in narrow.stdout and "max_disp_ratio" in narrow.stdout
    env = {k: v for k, v in os.environ.items() if k != "COLUMNS"}
    piped = subprocess.run([sys.executable, "-m", "gadesign", "show", str(run), "--limit", "1"], capture_output=True,
                           text=True, env={**env, "OPENBLAS_NUM_THREADS": "1"}, timeout=120)
    assert piped.returncode == 0, piped.stderr
    assert "…" not in piped.stdout and all(c in piped.stdout for c in ("members", "max_stress_ratio", "max_disp_ratio"))


def test_compare_prints_numbers_whole_and_its_time_unit(cli, tmp_path):
    """`compare` at 80 columns (or piped) folded numbers over two lines ('0.421' / '651'),
    and its 'time [s]' header lost '[s]' to rich markup."""
    for seed in ("1", "2"):
        res = cli("evolve", "zdt1", "--pop", "8", "--generations", "2", "--seed", seed, "-q",
                  "--out", str(tmp_path / f"run-with-a-long-name-{seed}"))
        assert res.returncode == 0, res.stderr
    runs = [str(tmp_path / f"run-with-a-long-name-{s}") for s in ("1", "2")]
    doc = json.loads(cli("compare", *runs, "--json").stdout)
    numbers = [f"{r['igd']:.4g}" for r in doc["runs"]] + [str(r["wall_time_s"]) for r in doc["runs"]]
    env = {k: v for k, v in os.environ.items() if k != "COLUMNS"}
    piped = subprocess.run([sys.executable, "-m", "gadesign", "compare", *runs], capture_output=True, text=True,
                           env={**env, "OPENBLAS_NUM_THREADS": "1"}, timeout=120)
    for res in (cli("compare", *runs, env={"COLUMNS": "80"}), piped):
        assert res.returncode == 0, res.stderr
        assert all(n in res.stdout for n in numbers), (numbers, res.stdout)
    assert "time [s]" in piped.stdout
