"""`gadesign compare` (issue 18, point 3): hypervolume on a common reference point equals
each run card's own value, checked against pymoo's hypervolume as a second engine; IGD
to the union front is 0 for a run compared with itself; different problems are refused."""

from __future__ import annotations

import json

import numpy as np
import pytest


@pytest.fixture(scope="module")
def two_seeds(tmp_path_factory):
    from gadesign.cli import main

    root = tmp_path_factory.mktemp("compare")
    for seed in (1, 2):
        assert main(["evolve", "zdt1", "--pop", "24", "--generations", "12", "--seed", str(seed), "-q",
                     "--out", str(root / f"s{seed}")]) == 0
    assert main(["evolve", "zdt2", "--pop", "8", "--generations", "1", "-q", "--out", str(root / "other")]) == 0
    return root


def compare_json(capsys, *args: str) -> dict:
    from gadesign.cli import main

    capsys.readouterr()
    assert main(["compare", *args, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_compare_two_seeds_reports_each_cards_hypervolume(two_seeds, capsys, tmp_path):
    from pymoo.indicators.hv import HV

    a, b = two_seeds / "s1", two_seeds / "s2"
    plot = tmp_path / "fronts.png"
    from gadesign.cli import main
    capsys.readouterr()
    assert main(["compare", str(a), str(b), "--plot", str(plot)]) == 0
    assert plot.stat().st_size > 1000
    result = compare_json(capsys, str(a), str(b))
    assert result["reference_point"] == [1.1, 1.1]  # zdt1's reference point, on both cards
    for run, row in zip((a, b), result["runs"]):
        card = json.loads((run / "run.json").read_text())
        assert card["hypervolume"]["reference_point"] == [1.1, 1.1]
        assert row["hypervolume"] == card["hypervolume"]["value"] == row["card_hypervolume"]
        front = json.loads((run / "front.json").read_text())
        F = np.array([m["objectives"] for m in front["members"]])
        assert row["hypervolume"] == pytest.approx(HV(ref_point=np.array([1.1, 1.1]))(F), rel=1e-12)
        assert row["evaluations"] == card["evaluations"] == 24 * 13
    # the union front mixes both seeds: each misses part of it, so each IGD > 0
    assert all(r["igd"] > 0 for r in result["runs"])
    assert result["union_front_size"] <= sum(r["feasible"] for r in result["runs"])


def test_a_run_compared_with_itself_has_igd_zero(two_seeds, capsys):
    a = two_seeds / "s1"
    result = compare_json(capsys, str(a), str(a))
    assert [r["igd"] for r in result["runs"]] == [0.0, 0.0]
    assert result["runs"][0]["in_union_front"] == result["runs"][0]["feasible"]


def test_igd_agrees_with_pymoo_on_the_scaled_union_front(two_seeds, capsys):
    from pymoo.indicators.igd import IGD

    from gadesign.compare import nondominated

    result = compare_json(capsys, str(two_seeds / "s1"), str(two_seeds / "s2"))
    fronts = [np.array([m["objectives"] for m in json.loads((two_seeds / s / "front.json").read_text())["members"]])
              for s in ("s1", "s2")]
    union = nondominated(np.vstack(fronts))
    lo, span = union.min(axis=0), union.max(axis=0) - union.min(axis=0)
    for F, row in zip(fronts, result["runs"]):
        assert row["igd"] == pytest.approx(IGD((union - lo) / span)((F - lo) / span), rel=1e-12)


def test_different_problems_are_refused(two_seeds, capsys):
    from gadesign.cli import main

    capsys.readouterr()
    assert main(["compare", str(two_seeds / "s1"), str(two_seeds / "other")]) == 2
    err = [ln for ln in capsys.readouterr().err.splitlines() if ln.strip()]
    assert len(err) == 1 and "cannot compare runs of different problems" in err[0] and "'zdt2'" in err[0]
