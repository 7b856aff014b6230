"""``gadesign compare RUN…``: runs of one problem side by side.

For each run: the hypervolume of its feasible front on one common reference point, the
IGD of that front to the union front of all runs, evaluations and wall time (from the
run cards).

Common reference point (in the objectives' own units and directions): when every run's
card carries the same hypervolume reference (the problem's ``reference_point``, or
generation 0's when the seeds happen to agree), that point, so each run's value equals
its card's; otherwise the worst of the runs' reference points, objective by objective,
so that no run's designs fall outside it; for runs without a card, the worst value of
the union front pushed out by 10 % of its range (the engine's own rule).

IGD (Coello & Reyes Sierra 2004): mean distance from each point of the union front (the
non-dominated feasible designs of all runs together) to the nearest feasible design of
the run, with each objective scaled by the union front's range (objectives in different
units weigh alike). A run whose front is the union front has IGD 0.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

import moocore
import numpy as np

from gadesign.errors import ConfigError
from gadesign.indicators import igd
from gadesign.runcard import feasible_minimisation, front_hypervolume, objective_signs


@dataclass
class Loaded:
    """What compare reads from one run."""

    label: str
    config: dict[str, Any]
    front: dict[str, Any]
    card: dict[str, Any] | None


def load(path: Path, label: str) -> Loaded:
    from gadesign.runstore import RunStore

    store = RunStore(path)
    return Loaded(label, store.read_config(), store.read_front(), store.read_card(missing_ok=True))


def nondominated(F: np.ndarray) -> np.ndarray:
    """The non-dominated rows of ``F`` (minimisation), duplicates kept once."""
    if len(F) == 0:
        return F
    F = np.unique(F, axis=0)
    return F[moocore.is_nondominated(F, keep_weakly=False)]


def check_same_problem(runs: Sequence[Loaded]) -> None:
    """Every run is of the same problem, with the same parameters and objectives."""
    first = runs[0]
    for r in runs[1:]:
        if r.config["problem"] != first.config["problem"]:
            raise ConfigError(f"cannot compare runs of different problems: {first.label} is "
                              f"{first.config['problem']!r}, {r.label} is {r.config['problem']!r}")
        if (r.config.get("params") or {}) != (first.config.get("params") or {}):
            raise ConfigError(f"cannot compare runs of {first.config['problem']!r} with different parameters: "
                              f"{first.label} has {first.config.get('params') or {}}, "
                              f"{r.label} has {r.config.get('params') or {}}")
        if [(o["name"], o["direction"]) for o in r.front["objectives"]] != \
                [(o["name"], o["direction"]) for o in first.front["objectives"]]:
            raise ConfigError(f"cannot compare {first.label} and {r.label}: their objectives differ")


def common_reference(runs: Sequence[Loaded], union: np.ndarray) -> tuple[list[float] | None, str]:
    """(reference point in the objectives' own directions, how it was chosen)."""
    signs = objective_signs(runs[0].front)
    refs = [((r.card or {}).get("hypervolume") or {}).get("reference_point") for r in runs]
    m = len(signs)
    if m < 2:
        return None, "single objective: no hypervolume"
    if all(ref is not None and len(ref) == m for ref in refs):
        arr = np.array(refs, dtype=float)
        if np.all(arr == arr[0]):
            return [float(v) for v in arr[0]], "the runs' own reference point (the same on every run card)"
        worst = (arr * signs).max(axis=0) * signs
        return [float(v) for v in worst], "the worst of the runs' own reference points, objective by objective"
    if len(union) == 0:
        return None, "no feasible design in any run"
    lo, hi = union.min(axis=0), union.max(axis=0)
    ref = hi + 0.1 * np.where(hi > lo, hi - lo, np.maximum(np.abs(hi), 1.0))
    return [float(v) for v in ref * signs], "the union front's worst values pushed out by 10 % of its range"


def compare(runs: Sequence[Loaded]) -> dict[str, Any]:
    """The comparison as a JSON-able dict."""
    if not runs:
        raise ConfigError("give at least one run directory or archive")
    check_same_problem(runs)
    fronts = [feasible_minimisation(r.front) for r in runs]
    union = nondominated(np.vstack(fronts)) if any(len(F) for F in fronts) else np.empty((0, len(runs[0].front["objectives"])))
    reference, how = common_reference(runs, union)
    if len(union):
        lo, hi = union.min(axis=0), union.max(axis=0)
        scale = np.where(hi > lo, hi - lo, 1.0)
    rows = []
    for r, F in zip(runs, fronts):
        card = r.card or {}
        hv = front_hypervolume(r.front, reference)
        card_hv = (card.get("hypervolume") or {})
        value = None if not len(union) or not len(F) else igd((F - lo) / scale, (union - lo) / scale)
        rows.append({"run": r.label, "algorithm": r.config.get("algorithm"), "pop": r.config.get("pop"),
                     "generations": r.config.get("generations"), "seed": r.config.get("seed"),
                     "front_size": len(r.front["members"]), "feasible": int(len(F)),
                     "hypervolume": hv, "card_hypervolume": card_hv.get("value"),
                     "card_reference_point": card_hv.get("reference_point"),
                     "igd": value, "in_union_front": int(sum(1 for p in F if (np.abs(union - p).max(axis=1) == 0).any()))
                     if len(union) else 0,
                     "evaluations": card.get("evaluations"), "wall_time_s": card.get("wall_time_s")})
    return {"problem": runs[0].config["problem"], "objectives": runs[0].front["objectives"],
            "reference_point": reference, "reference_point_rule": how, "union_front_size": int(len(union)),
            "igd_scaling": "each objective divided by the union front's range", "runs": rows}


def overlay_figure(runs: Sequence[Loaded]) -> Any:
    """The runs' fronts in one figure (2-D scatter, 3-D scatter, or parallel coordinates)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from gadesign.plots import LABEL_3D, NAME_CHARS, _label, plain

    objs = runs[0].front["objectives"]
    m = len(objs)
    markers = "os^Dv<>ph*"
    if m == 3:
        fig = plt.figure(figsize=(7, 6))
        ax = fig.add_subplot(projection="3d")
    else:
        fig, ax = plt.subplots(figsize=(6.4, 4.8) if m <= 2 else (1.4 * m + 2, 4.5))
    fronts = [feasible_minimisation(r.front) * objective_signs(r.front) for r in runs]   # own directions
    if m > 3:  # one scale for objectives in different units: each axis from the runs' least to greatest value
        every = np.vstack(fronts)
        lo, hi = (every.min(axis=0), every.max(axis=0)) if len(every) else (np.zeros(m), np.zeros(m))
    for k, (r, F) in enumerate(zip(runs, fronts)):
        style = {"s": 16, "marker": markers[k % len(markers)], "label": plain(r.label, NAME_CHARS), "alpha": 0.75}
        if m == 1:
            ax.scatter(np.full(len(F), k), F[:, 0], **style)
        elif m == 2:
            ax.scatter(F[:, 0], F[:, 1], **style)
        elif m == 3:
            ax.scatter(F[:, 0], F[:, 1], F[:, 2], depthshade=False, **style)
        else:
            colour = f"C{k % 10}"
            for j, row in enumerate((F - lo) / np.where(hi > lo, hi - lo, 1.0)):
                ax.plot(range(m), row, color=colour, alpha=0.4, lw=0.8, label=plain(r.label, NAME_CHARS) if j == 0 else None)
    if m == 1:
        ax.set_xticks(range(len(runs)), [plain(r.label, NAME_CHARS) for r in runs], rotation=20)
        ax.set_ylabel(_label(objs[0]))
    elif m > 3:
        for j in range(m):  # each axis's range in its own units
            ax.text(j, -0.05, f"{lo[j]:.4g}", ha="center", va="top", fontsize=7, color="0.25")
            if hi[j] > lo[j]:
                ax.text(j, 1.05, f"{hi[j]:.4g}", ha="center", va="bottom", fontsize=7, color="0.25")
        ax.set_ylim(-0.14, 1.14)
        ax.set_xticks(range(m), [_label(o) for o in objs], rotation=20)
        ax.set_ylabel("normalised value (0 = least of all runs,\n1 = greatest: printed on each axis)")
    else:
        short = LABEL_3D if m == 3 else {}
        ax.set_xlabel(_label(objs[0], **short))
        ax.set_ylabel(_label(objs[1], **short))
        if m == 3:
            ax.set_zlabel(_label(objs[2], **short))
    ax.set_title(f"{plain(runs[0].config['problem'], NAME_CHARS)}: feasible fronts of {len(runs)} runs", fontsize=10)
    ax.legend(fontsize=7)
    return fig
