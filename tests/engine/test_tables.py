"""gadesign.tables: numbers whole at any terminal width (the front at 80 columns read
'1.7…', the molecule candidates '568…', compare '0.421' over '651')."""

from __future__ import annotations

import io
import json
import re

from rich.console import Console

from gadesign.tables import columns_that_fit, print_table

HEADERS = ["#", "formula", "ppm", "mass", "isotope", "prior", "score", "verdicts"]
ROWS = [["1", "C8H10N4O2", "-0.13", "0.00", "1234.5678", "9.22", "0.00996", "✓ 1-6"],
        ["12", "C20H25ClN2O5", "+2.41", "13.87", "12.04", "123.456", "1.2e-07", "✗ 3,4,5"]]


def render(width: int, **kw) -> tuple[str, list[str]]:
    buf = io.StringIO()
    console = Console(file=buf, width=width, force_terminal=True, color_system=None, highlight=False)
    left = print_table(console, HEADERS, ROWS, **kw)
    return buf.getvalue(), left


def test_every_cell_is_whole_and_the_table_fits_at_any_width():
    for width in (30, 40, 60, 80, 120):
        text, left = render(width, always=2)
        table_lines = [line for line in text.splitlines() if line[:1] in "┏┃┡│└"]
        assert max(len(line) for line in table_lines) <= width, (width, text)
        shown = [h for h in HEADERS if h not in left]
        for row in ROWS:
            for h, cell in zip(HEADERS, row):
                assert (cell in text) == (h in shown), (width, h, cell, text)
        if left:
            assert f"{len(left)} more column(s) at this width: {', '.join(left)}" in " ".join(text.split())


def test_priority_keeps_the_important_columns_and_the_display_order():
    text, left = render(50, priority=[0, 1, 6, 2, 7, 4, 5, 3], always=2)
    assert "0.00996" in text and "-0.13" in text  # score and ppm before isotope, prior, mass
    assert left and set(left) <= {"isotope", "prior", "mass", "verdicts"}
    header = next(line for line in text.splitlines() if "formula" in line)
    assert header.index("formula") < header.index("ppm") < header.index("score")


def test_cells_print_as_written():
    buf = io.StringIO()
    console = Console(file=buf, width=80, force_terminal=True, color_system=None)
    print_table(console, ["name [unit]", "x"], [["[bold]y", "1"]])
    assert "[bold]y" in buf.getvalue() and "name [unit]" in buf.getvalue()


def test_columns_that_fit():
    assert columns_that_fit([5, 5, 5], None, [0, 1, 2], 1) == [0, 1, 2]
    assert columns_that_fit([5, 5, 5], 17, [2, 0, 1], 1) == [0, 2]   # 1 + 8 + 8 = 17
    assert columns_that_fit([50, 5], 20, [0, 1], 1) == [0]            # the first is kept however narrow


def test_molecule_candidates_at_80_columns_keep_their_numbers(cli):
    res = cli("molecule", "formula", "194.0804", "-a", "[M]", "-e", "CHNO", "--top", "3", env={"COLUMNS": "80"})
    assert res.returncode == 0, res.stderr
    doc = json.loads(cli("molecule", "formula", "194.0804", "-a", "[M]", "-e", "CHNO", "--top", "3", "--json").stdout)
    candidates = doc["candidates"] if isinstance(doc, dict) else doc
    for c in candidates:
        assert c["formula"] in res.stdout and f"{c['ppm']:+.2f}" in res.stdout, res.stdout
    assert not re.search(r"\d…", res.stdout), res.stdout
