"""Tables for the terminal whose numbers are never cut.

rich shrinks a table that is wider than the terminal by wrapping and cutting cells, so a
front or a candidate list at 80 columns read ``1.7…``, ``0.421`` over ``651``.
:func:`print_table` gives every column at least its longest cell (a header wraps between
words), leaves out the columns of lowest priority that do not fit, naming them in one line,
and prints the whole table at its natural width when the output is a file or a pipe.
Engine commands and plugins' commands use it alike.
"""

from __future__ import annotations

import os
from typing import Literal, Sequence

from rich.console import Console
from rich.markup import escape
from rich.table import Table

Justify = Literal["left", "right", "center"]


def column_need(header: str, cells: Sequence[str]) -> int:
    """Characters a column needs to show every cell whole: its longest cell, or its
    header's longest word (headers wrap between words)."""
    return max([len(c) for c in cells] + [len(w) for w in header.split()] + [1])


def terminal_width(console: Console) -> int | None:
    """The width to fit a table in: the terminal's (or ``COLUMNS``); None for a file or pipe."""
    return console.width if console.is_terminal or "COLUMNS" in os.environ else None


def columns_that_fit(needs: Sequence[int], width: int | None, priority: Sequence[int], always: int) -> list[int]:
    """Indices (in display order) of the columns shown in ``width`` characters, each taking
    its need plus 3 (padding and rule): the first ``always`` of ``priority`` whatever the
    width, then the others in ``priority`` order while they fit; all when ``width`` is None."""
    if width is None:
        return list(range(len(needs)))
    shown = list(priority[:always])
    used = 1 + sum(needs[j] + 3 for j in shown)
    for j in priority[always:]:
        if used + needs[j] + 3 <= width:
            shown.append(j)
            used += needs[j] + 3
    return sorted(shown)


def print_table(console: Console, headers: Sequence[str], rows: Sequence[Sequence[str]], *,
                title: str | None = None, justify: Sequence[Justify] | None = None,
                priority: Sequence[int] | None = None, always: int | None = None,
                foldable: Sequence[int] = (), hint: str = "use --json") -> list[str]:
    """Print ``rows`` (plain text, printed as written) under ``headers`` with every number
    whole. ``priority`` orders the columns for keeping (default: left to right), the first
    ``always`` of them (default: all) are shown however narrow the terminal; ``foldable``
    columns (free text such as paths) may fold instead. Returns the headers left out, which
    one line after the table names."""
    n = len(headers)
    order = list(priority) if priority is not None else list(range(n))
    needs = [min(column_need(h, []) + 20, column_need(h, [r[j] for r in rows])) if j in foldable
             else column_need(h, [r[j] for r in rows]) for j, h in enumerate(headers)]
    width = terminal_width(console)
    shown = columns_that_fit(needs, width, order, n if always is None else always)
    natural = [needs[j] if j in foldable else max(needs[j], len(headers[j])) for j in range(n)]
    widths = {j: natural[j] for j in shown}
    if width is not None:  # what is left beyond the needs goes to headers, left to right
        slack = width - 1 - sum(needs[j] + 3 for j in shown)
        for j in shown:
            widths[j] = needs[j] + min(max(slack, 0), natural[j] - needs[j])
            slack -= widths[j] - needs[j]
    table = Table(title=escape(title) if title is not None else None)
    for j in shown:
        table.add_column(escape(headers[j]), justify=justify[j] if justify else "right",
                         overflow="fold" if j in foldable else "ellipsis", min_width=needs[j], max_width=widths[j])
    for row in rows:
        table.add_row(*(escape(row[j]) for j in shown))
    if width is None:
        total = 1 + sum(widths[j] + 3 for j in shown)
        Console(file=console.file, highlight=False, soft_wrap=True, width=max(total, len(title or ""))).print(table)
    else:
        console.print(table)
    left = [headers[j] for j in range(n) if j not in shown]
    if left:
        console.print(escape(f"… {len(left)} more column(s) at this width: {', '.join(left)} "
                             f"(widen the terminal, or {hint})"))
    return left
