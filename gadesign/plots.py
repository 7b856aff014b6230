"""Plots of a run: the Pareto front (2-D, 3-D, parallel coordinates beyond 3 objectives)
and convergence (hypervolume and best objective per generation).

Matplotlib runs headless (Agg); every figure is saved atomically.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Sequence

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

from gadesign.figures import save_figure  # noqa: E402


NAME_CHARS, UNIT_CHARS = 60, 24  # longer names and units are cut short in figures (front.json has them whole)
LABEL_3D = {"name_chars": 22, "unit_chars": 8, "width": 48}  # one line each: wrapped labels of 3-D axes collide


def plain(text: Any, limit: int | None = None) -> str:
    """``text`` as matplotlib shows it literally: whitespace runs (newlines too) become one
    space, ``$`` is escaped (two of them would start mathtext, which renders the text as a
    formula or raises on invalid TeX) and, with ``limit``, it is cut to that many
    characters by an ellipsis in the middle (a long name would stretch the figure to
    thousands of pixels; names that differ only at the end stay distinct)."""
    s = " ".join(str(text).split())
    if limit is not None and len(s) > limit:  # cut in the middle: names often differ at the end
        head = (limit - 1) * 3 // 5
        s = s[:head] + "…" + s[len(s) - (limit - 1 - head):]
    return s.replace("$", r"\$")


def _label(obj: dict[str, Any], name_chars: int = NAME_CHARS, unit_chars: int = UNIT_CHARS, width: int = 40) -> str:
    """An objective's axis label: name [unit] and an arrow for its direction (cut and
    wrapped to lines of ``width`` characters)."""
    arrow = "↓" if obj["direction"] == "min" else "↑"
    unit = f" [{plain(obj['unit'], unit_chars)}]" if obj.get("unit") else ""
    return wrap(f"{plain(obj['name'], name_chars)}{unit} {arrow}", width)


def wrap(text: str, width: int = 40) -> str:
    """``text`` on lines of at most ``width`` characters (an axis label longer than its
    axis widens the saved figure)."""
    import textwrap

    return text if len(text) <= width else "\n".join(textwrap.wrap(text, width))


def save(fig: plt.Figure, path: Path) -> Path:
    """Write ``fig`` atomically at 120 dpi and close it (:func:`gadesign.figures.save_figure`)."""
    return save_figure(fig, path)


def whole_number_ticks(ax: Any, values: Sequence[int]) -> None:
    """x ticks on whole numbers only (members, generations: no tick between two of them):
    each value when there are at most ten, else steps of 1, 2, 5 or 10."""
    if len(values) <= 10:
        ax.set_xticks(values)
    else:
        ax.xaxis.set_major_locator(MaxNLocator(integer=True, steps=[1, 2, 5, 10]))


def front_figure(front: dict[str, Any], true_front: np.ndarray | None = None) -> plt.Figure:
    """Scatter of the front in its own objective units (parallel coordinates for > 3)."""
    objs = front["objectives"]
    F = np.array([m["objectives"] for m in front["members"]], dtype=float).reshape(-1, len(objs))
    feasible = np.array([sum(m["violations"]) <= 0 for m in front["members"]], dtype=bool)
    title = f"{plain(front['problem'], NAME_CHARS)}: {len(F)} design{'' if len(F) == 1 else 's'}" + ("" if feasible.all() else f" ({(~feasible).sum()} infeasible)")
    if len(objs) == 1:
        fig, ax = plt.subplots(figsize=(5, 3))
        ax.plot(np.arange(len(F)), F[:, 0], "o")
        ax.set_xlabel("member")
        whole_number_ticks(ax, range(len(F)))  # members are numbered 0, 1, ...
        ax.set_ylabel(_label(objs[0]))
    elif len(objs) == 2:
        fig, ax = plt.subplots(figsize=(5.5, 4.5))
        if true_front is not None:
            ax.plot(true_front[:, 0], true_front[:, 1], ".", color="0.6", ms=1.5, label="true front")
        ax.scatter(F[feasible, 0], F[feasible, 1], s=14, label="feasible" if feasible.any() else None)
        if (~feasible).any():
            ax.scatter(F[~feasible, 0], F[~feasible, 1], s=14, marker="x", color="tab:red", label="infeasible")
        ax.set_xlabel(_label(objs[0]))
        ax.set_ylabel(_label(objs[1]))
        if ax.get_legend_handles_labels()[0]:
            ax.legend(fontsize=8)
    elif len(objs) == 3:
        # room for three labels with units: wider figure, few ticks, labels padded off the ticks
        from matplotlib.ticker import FuncFormatter
        fig = plt.figure(figsize=(7.2, 6.2))
        ax = fig.add_subplot(projection="3d")
        ax.scatter(F[feasible, 0], F[feasible, 1], F[feasible, 2], s=12, color="tab:blue",
                   label="feasible" if feasible.any() else None, depthshade=False)
        if (~feasible).any():
            ax.scatter(F[~feasible, 0], F[~feasible, 1], F[~feasible, 2], s=14, marker="x", color="tab:red",
                       label="infeasible", depthshade=False)
        for axis in (ax.xaxis, ax.yaxis, ax.zaxis):
            axis.set_major_locator(MaxNLocator(4))
            axis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:.3g}"))  # no offset text to collide
        ax.tick_params(labelsize=7, pad=1)
        ax.set_xlabel(_label(objs[0], **LABEL_3D), labelpad=8, fontsize=9)
        ax.set_ylabel(_label(objs[1], **LABEL_3D), labelpad=8, fontsize=9)
        ax.set_zlabel(_label(objs[2], **LABEL_3D), labelpad=8, fontsize=9)
        ax.set_box_aspect(None, zoom=0.82)  # keeps the z label inside the figure
        if ax.get_legend_handles_labels()[0]:
            ax.legend(fontsize=8, loc="upper left")
    else:
        fig, ax = plt.subplots(figsize=(1.4 * len(objs) + 2, 4))
        lo, hi = (F.min(axis=0), F.max(axis=0)) if len(F) else (np.zeros(len(objs)), np.zeros(len(objs)))
        Z = (F - lo) / np.where(hi > lo, hi - lo, 1.0)
        for row, ok in zip(Z, feasible):
            ax.plot(range(len(objs)), row, color="tab:blue" if ok else "tab:red", alpha=0.4, lw=0.8)
        for j in range(len(objs)):  # each axis's own range, in its units, at its ends
            ax.text(j, -0.05, f"{lo[j]:.4g}", ha="center", va="top", fontsize=7, color="0.25")
            if hi[j] > lo[j]:
                ax.text(j, 1.05, f"{hi[j]:.4g}", ha="center", va="bottom", fontsize=7, color="0.25")
        ax.set_ylim(-0.14, 1.14)
        ax.set_xticks(range(len(objs)), [_label(o) for o in objs], rotation=20)
        ax.set_ylabel("normalised value (0 = front minimum,\n1 = maximum: printed on each axis)")
    ax.set_title(title, fontsize=10)
    return fig


def convergence_figure(logbook: Sequence[dict[str, Any]], objectives: Sequence[dict[str, Any]],
                       reference: Sequence[float] | None = None, problem: str = "") -> plt.Figure:
    """Hypervolume per generation (multi-objective) or best objective (single), with a
    title, the units of the y axis and, for hypervolume, its reference point (in the
    objectives' own directions and units)."""
    gens = [int(r["gen"]) for r in logbook]
    fig, ax = plt.subplots(figsize=(6.4, 4.0))
    hv = [_num(r.get("hv")) for r in logbook]
    name = f"{plain(problem, NAME_CHARS)}: " if problem else ""
    if len(objectives) > 1 and any(v is not None for v in hv):
        ax.plot(gens, [np.nan if v is None else v for v in hv], "-")
        units = [o.get("unit") or "" for o in objectives]
        unit = (" × ".join(f"[{plain(u, UNIT_CHARS)}]" if u else "1" for u in units) if any(units)
                else "objectives without units")
        ax.set_ylabel(f"hypervolume ({unit})")
        ax.set_title(f"{name}hypervolume of the feasible front per generation", fontsize=10)
        if reference is not None and len(reference) == len(objectives):
            point = ", ".join(f"{plain(o['name'], NAME_CHARS)} = {v:.4g}"
                              f"{' ' + plain(o['unit'], UNIT_CHARS) if o.get('unit') else ''}"
                              for o, v in zip(objectives, reference))
            ax.text(0.99, 0.03, f"reference point: {point}", transform=ax.transAxes, ha="right", va="bottom",
                    fontsize=7.5, color="0.3", wrap=True)
    else:
        key = f"best_{objectives[0]['name']}"
        ax.plot(gens, [np.nan if _num(r.get(key)) is None else _num(r.get(key)) for r in logbook], "-")
        ax.set_ylabel(f"best feasible {_label(objectives[0])}")
        ax.set_title(f"{name}best feasible {plain(objectives[0]['name'], NAME_CHARS)} per generation", fontsize=10)
    ax.set_xlabel("generation")
    whole_number_ticks(ax, gens)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig


def hv_reference(store: Any, objectives: Sequence[dict[str, Any]]) -> list[float] | None:
    """The run's hypervolume reference point from its newest checkpoint, in the
    objectives' own directions (the engine stores it minimised: maxima negated); None
    if there is none to read."""
    import json

    try:
        path = store.checkpoints()[-1]
        ref = json.loads(path.read_text(encoding="utf-8"))["state"]["hv_reference"]
        if ref is None or len(ref) != len(objectives):
            return None
        return [float(v) * (-1.0 if o["direction"] == "max" else 1.0) for v, o in zip(ref, objectives)]
    except (IndexError, OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def _num(value: Any) -> float | None:
    if value is None or value == "":
        return None
    return float(value)


def write_run_plots(store: Any, front: dict[str, Any], logbook: Sequence[dict[str, Any]],
                    true_front: np.ndarray | None = None) -> list[Path]:
    """front.png (with the known true front, for benchmarks that have one) and
    convergence.png in the run's plots/ directory."""
    paths = [save(front_figure(front, true_front), store.plots_dir / "front.png")]
    if logbook:
        reference = hv_reference(store, front["objectives"])
        paths.append(save(convergence_figure(logbook, front["objectives"], reference, front.get("problem", "")),
                          store.plots_dir / "convergence.png"))
    return paths
