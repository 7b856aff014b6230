"""A run's results as an outside user opens them in other tools: front.csv read back by
Python's ``csv`` and pandas to front.json's numbers (every column, full precision, quoted
names), the HTML report parsed by ``html.parser`` (balanced tags, no markup or script
from objective or problem names, the inline JSON intact), plots that stay readable and
do not crash whatever the names hold (``$``, hundreds of characters), and ``compare``.

The plugin is installed the documented way (entry points of a ``.dist-info`` folder on
``sys.path``), with hostile names: HTML, ``<!--<script>``, commas, quotes, newlines,
``$`` (matplotlib's mathtext) and very long names.
"""

from __future__ import annotations

import csv
import io
import json
import re
import struct
import textwrap
from html.parser import HTMLParser
from pathlib import Path

import pytest

from gadesign.runstore import front_to_csv

PLUGIN = r'''
"""Plugins with hostile names for tests/engine/test_outside_results.py."""
from gadesign.genomes import RealVector
from gadesign.problem import Evaluation, Objective

HOSTILE = '<script>alert("x")</script> & "q", \'s\'\nnew,line ü∑ <!--<script>'


class Hostile:
    """HTML, comment-script, commas, quotes, newlines in every name."""
    objectives = (Objective('mass, <b>"total"</b>\n& more', "min", 'k"g,<i>'),
                  Objective("<!--<script>alert(1)</script>", "max", "</svg><injected/>"))
    constraints = ('limit, "x" <script>',)
    defaults = {"algorithm": "nsga2", "pop": 12, "generations": 2}

    def __init__(self, name):
        self.name = name
        self.genome = RealVector([0.0, 0.0], [1.0, 1.0])

    def decode(self, x):
        return [float(v) for v in x]

    def evaluate(self, x):
        return Evaluation((float(x[0]), float(x[0] + 0.1 * x[1])), (0.0,), {"note": HOSTILE})

    def summary(self, x, evaluation):
        return {HOSTILE: HOSTILE}


class Dollars(Hostile):
    """Dollar signs (two make matplotlib mathtext; this TeX is invalid) and long names."""
    objectives = (Objective("cost $\\foo{ $ and", "min", "$"), Objective("x" * 300, "min", "u" * 100))
    constraints = ()

    def evaluate(self, x):
        return Evaluation((float(x[0]), float(1 - x[0] + x[1])), ())

    def summary(self, x, evaluation):
        return {}


def hostile():
    """Hostile names."""
    return Hostile(NAME)


def dollars():
    """Dollar signs and long names."""
    return Dollars("outres-dollars")


NAME = 'outres-<i>"é"&amp;</title><!--<script>'
'''

ENTRY_POINTS = """[gadesign.problems]
outres-<i>"é"&amp;</title><!--<script> = outside_results_plugs:hostile
outres-dollars = outside_results_plugs:dollars
"""
HOSTILE_NAME = 'outres-<i>"é"&amp;</title><!--<script>'
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An installed plugin distribution: its module and its dist-info."""
    root = tmp_path_factory.mktemp("site")
    (root / "outside_results_plugs.py").write_text(textwrap.dedent(PLUGIN), encoding="utf-8")
    info = root / "outside_results_plugs-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: outside-results-plugs\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text(ENTRY_POINTS, encoding="utf-8")
    return root


def gadesign(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    """``gadesign ARGS`` in this process: (exit code, stdout + stderr)."""
    from gadesign.cli import main

    capsys.readouterr()
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", path
    return struct.unpack(">II", data[16:24])


class Page(HTMLParser):
    """Tag balance, script blocks and table cells of a report."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.scripts: list[list[str]] = []
        self.rows: list[list[str | None]] = []
        self.in_script = False
        self.in_front = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "script":
            self.scripts.append([])
            self.in_script = True
        if tag == "table":
            self.in_front = a.get("id") == "front-table"
        if self.in_front and tag == "tr" and (a.get("id") or "").startswith("m-"):
            self.rows.append([])
        if self.in_front and tag in ("td", "th") and self.rows and "data-v" in a:
            self.rows[-1].append(a["data-v"])
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self.in_script = False
        if tag == "table":
            self.in_front = False
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-3:]}")
        else:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        if self.in_script:
            self.scripts[-1].append(data)


def test_front_csv_reads_back_to_front_json_numbers_in_every_column() -> None:
    """Objectives named like the fixed columns (``member``, ``genome``,
    ``total_violation``) used to overwrite them: the row dict had one key for two
    columns, so front.csv lost the genome and shifted the values under the header."""
    values = [0.1 + 0.2, 5e-324, -0.0, 1.7976931348623157e308, 1e30, 123456789.12345679]
    front = {"schema": 1, "problem": "p", "objectives": [
        {"name": "member", "direction": "min", "unit": ""},
        {"name": "genome", "direction": "max", "unit": ""},
        {"name": "total_violation", "direction": "min", "unit": ""},
        {"name": 'a, "b"\nc ü', "direction": "min", "unit": 'k"g,'},
        {"name": 'a, "b"\nc ü [k"g,]', "direction": "min", "unit": ""},   # same header as the one before
        {"name": "x", "direction": "min", "unit": "m"}],
        "members": [{"genome": {"w": [v, 1], "s": 'q"",\n'}, "objectives": [v, -v, v / 3, v, 2.5, 7.0],
                     "violations": [v / 7, 0.0], "info": {}} for v in values]}
    text = front_to_csv(front)
    header = next(csv.reader(io.StringIO(text, newline="")))
    assert len(header) == 3 + 6 and len(set(header)) == len(header)
    assert header[0] == "member" and header[-2:] == ["total_violation", "genome"]
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert len(rows) == len(values)
    for i, (row, m) in enumerate(zip(rows, front["members"])):
        assert int(row["member"]) == i
        assert [float(row[h]) for h in header[1:7]] == m["objectives"]      # bit-identical floats
        assert float(row["total_violation"]) == sum(m["violations"])
        assert json.loads(row["genome"]) == m["genome"]
    pd = pytest.importorskip("pandas")
    df = pd.read_csv(io.StringIO(text))
    assert list(df.columns) == header
    assert df.iloc[:, 1:7].to_numpy().tolist() == [m["objectives"] for m in front["members"]]
    empty = front_to_csv({**front, "members": []})  # header only, quoted like any row
    assert list(csv.reader(io.StringIO(empty, newline=""))) == [header]


def test_report_escapes_hostile_names_and_keeps_its_script(installed, capsys, tmp_path) -> None:
    """An objective name or description holding ``<!--<script>`` put the HTML tokenizer
    of a browser into its "script data double escaped" state inside the inline JSON
    block (only ``</`` was escaped): the block's ``</script>`` then did not end it, and
    the rest of the page, the table-sorting script included, became JSON text (seen in
    chromium's DOM). Now ``<``, ``>`` and ``&`` are ``\\u003c`` escapes in that block."""
    run = tmp_path / "hostile"
    code, out = gadesign(capsys, "evolve", HOSTILE_NAME, "--out", str(run), "-q", "--seed", "3",
                         "--description", 'desc <!--<script> "q" & </script>')
    assert code == 0, out
    front = json.loads((run / "front.json").read_text(encoding="utf-8"))
    code, out = gadesign(capsys, "report", str(run))
    assert code == 0, out
    html = (run / "report.html").read_text(encoding="utf-8")
    assert html.count("<script") == 2 and html.count("</script>") == 2   # the data block and the sorter
    assert "<injected" not in html and "<b>" not in html and "<i>" not in html
    page = Page()
    page.feed(html)
    page.close()
    assert page.errors == [] and page.stack == []
    data = "".join(page.scripts[0])
    assert "<" not in data and ">" not in data and "&" not in data
    embedded = json.loads(data)
    assert embedded["front"] == front and embedded["card"]["description"].startswith("desc <!--<script>")
    assert len(page.rows) == len(front["members"])
    for row, m in zip(page.rows, front["members"]):
        assert [float(v) for v in row[1:3]] == m["objectives"]
        assert float(row[3]) == sum(m["violations"])
    assert "document.querySelectorAll" in "".join(page.scripts[1])


def test_dollar_signs_and_long_names_neither_crash_nor_stretch_the_plots(installed, capsys, tmp_path) -> None:
    """Two ``$`` in an objective name started matplotlib mathtext: invalid TeX raised at
    the end of the run (no convergence plot, no run card; ``report`` and ``compare
    --plot`` failed too). A 300-character name made a 4162 x 5243 px front.png with a
    postage-stamp plot in it. Names are now shown literally, cut and wrapped."""
    run = tmp_path / "dollars"
    code, out = gadesign(capsys, "evolve", "outres-dollars", "--out", str(run), "-q", "--generations", "3")
    assert code == 0, out
    assert (run / "run.json").is_file()
    for name in ("front.png", "convergence.png"):
        w, h = png_size(run / "plots" / name)
        assert w < 1200 and h < 1000, (name, w, h)
    code, out = gadesign(capsys, "report", str(run))
    assert code == 0, out
    html = (run / "report.html").read_text(encoding="utf-8")
    labels = re.findall(r"<text [^>]*>([^<]*)<title>", html)   # the SVG front's axis labels, cut
    assert len(labels) == 2 and all(len(t) <= 70 for t in labels) and "x" * 300 in html
    assert "max-width:18rem;overflow-wrap:break-word" in html    # long table headings wrap
    overlay = tmp_path / "both.png"
    code, out = gadesign(capsys, "compare", str(run), str(run), "--plot", str(overlay))
    assert code == 0, out
    w, h = png_size(overlay)
    assert w < 1200 and h < 1000, (w, h)


def test_convergence_generations_are_whole_numbers() -> None:
    """A short run's convergence plot had ticks at generation 0.5, 1.5, ..."""
    from gadesign.plots import convergence_figure, plain

    rows = [{"gen": str(g), "hv": str(0.1 * g), "best_a": ""} for g in range(4)]
    objectives = [{"name": "a", "direction": "min", "unit": "m"}, {"name": "b", "direction": "max", "unit": ""}]
    fig = convergence_figure(rows, objectives, [1.0, 0.0], "p")
    fig.canvas.draw()
    ticks = [t for t in fig.axes[0].get_xticks() if 0 <= t <= 3]
    assert ticks and all(float(t).is_integer() for t in ticks)
    assert plain("a\n b $x$") == r"a b \$x\$" and len(plain("y" * 300, 60)) == 60


def test_truss_drawing_shows_dollar_signs_from_the_users_file(tmp_path: Path) -> None:
    """A truss file's name, units and load-case names go into the drawing: two ``$`` in
    them made the end-of-run export (designs/member-NNN.png), the report pictures and
    ``truss analyze --plot`` raise matplotlib's mathtext ParseFatalException."""
    from gadesign_problems.truss.plots import plot_truss, save_figure
    from gadesign_problems.truss.structure import Truss

    data = json.loads((Path(__file__).resolve().parents[1] / "data" / "truss" / "tenbar.json").read_text())
    data["name"] = "Bridge $\\foo{ $ " + "long" * 40
    data["units"] = {k: v + " $" for k, v in data["units"].items()}
    data["load_cases"][0]["name"] = "case $\\bar$"
    truss = Truss.from_json(data)
    ax = plot_truss(truss, analysis=truss.analyze())
    assert "$" not in ax.get_title().replace("\\$", "")
    out = tmp_path / "truss.png"
    save_figure(ax.figure, out)
    w, _ = png_size(out)
    assert w < 1400


@pytest.mark.parametrize("m", [1, 2, 3, 4])
def test_front_figure_of_degenerate_fronts(m: int, tmp_path: Path) -> None:
    """One point, all points equal, all infeasible, no member: every front figure is
    drawn (an empty front with > 3 objectives raised on ``min`` of nothing); beyond three
    objectives each axis prints its own range in its units (the normalised lines alone
    showed no value); a 1-objective figure numbers members by whole numbers."""
    from gadesign.plots import front_figure, save

    objs = [{"name": f"o{i}", "direction": "max" if i % 2 else "min", "unit": "kg"} for i in range(m)]
    cases = {"one": [{"objectives": [1.0] * m, "violations": [0.0]}],
             "equal": [{"objectives": [2.0] * m, "violations": [0.0]}] * 4,
             "infeasible": [{"objectives": [1.0 + i] * m, "violations": [1.0]} for i in range(3)],
             "empty": []}
    for name, members in cases.items():
        fig = front_figure({"problem": "p", "objectives": objs, "members": members})
        ax = fig.axes[0]
        if m == 1:
            fig.canvas.draw()
            assert all(float(t).is_integer() for t in ax.get_xticks())
        if m > 3 and name == "infeasible":
            assert {t.get_text() for t in ax.texts} == {"1", "3"}
        if m == 2 and name == "infeasible":
            assert ax.get_legend_handles_labels()[1] == ["infeasible"]
        save(fig, tmp_path / f"{name}.png")
        assert png_size(tmp_path / f"{name}.png")[0] < 1200


def test_compare_overlay_beyond_three_objectives_scales_each_axis() -> None:
    """``compare --plot`` drew 4+ objectives as raw values on one unlabelled y axis, so
    an objective in grams flattened one in kilometres; each axis now spans the runs'
    least to greatest value and prints that range in its units."""
    from gadesign.compare import Loaded, overlay_figure

    objs = [{"name": n, "direction": d, "unit": u} for n, d, u in
            (("mass", "min", "g"), ("range", "max", "km"), ("cost", "min", "$"), ("time", "min", "s"))]

    def run(label: str, rows: list[list[float]]) -> Loaded:
        front = {"schema": 1, "problem": "p", "objectives": objs,
                 "members": [{"genome": [0], "objectives": r, "violations": [0.0], "info": {}} for r in rows]}
        return Loaded(label, {"problem": "p"}, front, None)

    fig = overlay_figure([run("a", [[1000.0, 0.002, 5.0, 1.0], [3000.0, 0.001, 7.0, 2.0]]),
                          run("b $x$", [[2000.0, 0.004, 6.0, 1.5]])])
    ax = fig.axes[0]
    ys = [y for line in ax.get_lines() for y in line.get_ydata()]
    assert min(ys) == 0.0 and max(ys) == 1.0
    assert {t.get_text() for t in ax.texts} == {"1000", "3000", "0.001", "0.004", "5", "7", "1", "2"}
    assert "normalised" in ax.get_ylabel()
    buf = io.BytesIO()
    fig.savefig(buf, format="png")   # the "$x$" label is shown literally, not parsed


def test_long_names_stay_distinct_and_3d_labels_do_not_collide() -> None:
    """Names cut to fit a figure keep their ends (they often differ only there: '... load
    case 1', '... load case 2'), and the three axis labels of a 3-D front stay one line
    each, clear of each other (the check of test_cli_runs's 3-D label test)."""
    import numpy as np
    from test_cli_runs import _check_3d_labels

    from gadesign.plots import front_figure, plain

    names = [f"maximum displacement of the free end under load case {i}" for i in range(3)]
    assert len({plain(n, 22) for n in names}) == 3
    pts = np.random.default_rng(3).random((40, 3))
    for scale in ([1.0, 1.0, 1.0], [1e6, 1e-6, 1e9]):
        front = {"problem": "p", "objectives": [{"name": n, "direction": "min", "unit": "millimetre per kilonewton"}
                                                for n in names],
                 "members": [{"objectives": list(p * scale), "violations": [0.0]} for p in pts]}
        fig = front_figure(front)
        ax = fig.axes[0]
        labels = [ax.get_xlabel(), ax.get_ylabel(), ax.get_zlabel()]
        assert len(set(labels)) == 3 and not any("\n" in t for t in labels)
        _check_3d_labels(fig)


def test_report_caption_of_a_run_without_hypervolume(capsys, tmp_path: Path) -> None:
    """Beyond six objectives the run records no hypervolume and the convergence figure
    shows the best first objective; the report's caption still said 'hypervolume'."""
    run = tmp_path / "d7"
    code, out = gadesign(capsys, "evolve", "dtlz2", "--set", "n_obj=7", "--pop", "12", "--generations", "1",
                         "--out", str(run), "-q")
    assert code == 0, out
    from gadesign.report import build_report

    html = build_report(run)
    assert "Convergence: best feasible f1 per generation" in html and "Convergence: hypervolume" not in html


@pytest.mark.parametrize("name", ["lab/beam", "../escape", "a\\b c", ".hidden", "ünïcode"])
def test_default_run_folder_is_one_folder_whatever_the_problem_name(name: str) -> None:
    """A plugin problem named 'lab/beam' (entry-point names may hold '/') put its default
    run in results/lab/beam-..., and '../escape' outside results/."""
    from gadesign.runstore import default_run_dir

    path = default_run_dir(name, 7, Path("results"))
    assert path.parent == Path("results") and path.name.endswith("-7") and not path.name.startswith(".")
    assert re.fullmatch(r"[\w.-]+", path.name), path


def test_front_csv_has_each_constraints_violation(tmp_path: Path, cli) -> None:
    """front.csv gave only the total violation: an engineer could not see which of OSY's six
    constraints a design breaks without reading front.json. Now each named constraint has
    its column, equal to front.json's value, beside the total."""
    run = tmp_path / "osy"
    res = cli("evolve", "osy", "--pop", "4", "--generations", "0", "--seed", "4", "-q", "--out", str(run))
    assert res.returncode == 0, res.stderr
    front = json.loads((run / "front.json").read_text())
    rows = list(csv.DictReader(io.StringIO((run / "front.csv").read_text())))
    assert front["constraints"] == ["g1", "g2", "g3", "g4", "g5", "g6"]
    assert len({v for m in front["members"] for v in m["violations"]}) > 2  # distinct values: order is checked
    for row, m in zip(rows, front["members"], strict=True):
        assert [float(row[f"{c} (violation)"]) for c in front["constraints"]] == m["violations"]
        assert float(row["total_violation"]) == sum(m["violations"])


def test_show_says_why_the_problems_own_columns_are_missing(tmp_path: Path, cli) -> None:
    """`show` of a run whose plugin is not installed here dropped the plugin's columns
    without a word; now one warning line says so and why, and the front is still shown."""
    run = tmp_path / "run"
    assert cli("evolve", "truss-10bar", "--pop", "8", "--generations", "1", "-q", "--out", str(run)).returncode == 0
    config = json.loads((run / "config.json").read_text())
    config["problem"] = "plugin-not-installed-here"
    (run / "config.json").write_text(json.dumps(config))
    res = cli("show", str(run))
    assert res.returncode == 0, res.stderr
    assert "weight" in res.stdout and "max_stress_ratio" not in res.stdout
    lines = [line for line in res.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "own columns are left out" in lines[0] and "plugin-not-installed-here" in lines[0]
