"""The three input bugs of issue 16, each through the command line a user runs: stress
limits given only per group, a truss with no members, a member listed twice."""

from __future__ import annotations

import json

import numpy as np
import pytest

from gadesign.cli import main
from gadesign_problems.truss.structure import Truss

from .conftest import DATA, load_reference


def _write(tmp_path, data) -> str:
    path = tmp_path / "t.json"
    path.write_text(json.dumps(data))
    return str(path)


def test_stress_limits_only_by_group_are_read_per_member(tmp_path, capsys):
    """The 25-bar with its limits given only in stress_limits_by_group analyses exactly as
    with the per-member table (the file carries both, so one is the other's check)."""
    data = load_reference("twentyfivebar.json")
    per_member = Truss.from_dict(data)
    data.pop("stress_limits")
    path = _write(tmp_path, data)
    by_group = Truss.from_json(path)
    assert np.array_equal(by_group.tension_limit, per_member.tension_limit)
    assert np.array_equal(by_group.compression_limit, per_member.compression_limit)
    assert main(["truss", "analyze", path, "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    ref = data["best_known"][0]
    assert max(max(c["stress_ratios"]) for c in out["load_cases"]) == pytest.approx(ref["max_stress_ratio"], rel=1e-7)


@pytest.mark.parametrize("edit, words", [
    (lambda d: d.__setitem__("members", []), "members: a truss needs at least one member"),
    (lambda d: d["members"].append(list(reversed(d["members"][4]))), "members[4] and members[10] both join nodes"),
    (lambda d: d["members"].append(list(d["members"][0])), "members[0] and members[10] both join nodes"),
])
def test_empty_or_duplicated_members_are_one_clear_error(edit, words, tmp_path, capsys):
    data = load_reference("tenbar.json")
    for key in ("groups", "member_labels", "best_known", "stress_limits", "areas"):
        data.pop(key, None)
    data["stress_limits"] = {"tension": 25.0, "compression": 25.0}
    edit(data)
    path = _write(tmp_path, data)
    assert main(["truss", "analyze", path, "--areas", ",".join(["1"] * max(1, len(data["members"])))]) == 2
    err = capsys.readouterr().err
    assert words in err and "Traceback" not in err and "internal error" not in err
    assert len(err.strip().splitlines()) == 1


def test_a_ground_structure_too_large_is_refused_before_it_is_built():
    """The library refuses (counting members in closed form, nothing allocated) what the
    command line also refuses; 2000 x 2000 nodes with reach 1.5 would be 15,988,002 members."""
    from gadesign_problems.truss.errors import TrussError
    from gadesign_problems.truss.ground import ground_members

    with pytest.raises(TrussError, match="15,988,002 members is too large"):
        ground_members((2000, 2000), 1.5)  # 2*1999*2000 + 2*1999*1999
    assert len(ground_members((5, 3), 1.5)) == 38  # 12 + 10 + 16, issue 16's ground structure


@pytest.mark.parametrize("edit, words", [
    (lambda d: d.__setitem__("units", ["in", "kip"]), "units: expected an object"),
    (lambda d: d.__setitem__("groups", 5), "groups: expected a list"),
    (lambda d: d.__setitem__("displacement_limits", "all"), "displacement_limits: expected a list"),
    (lambda d: d.__setitem__("basic_nodes", 3), "basic_nodes: expected a list"),
    (lambda d: d["load_cases"][0].__setitem__("loads", 7), "load_cases[0].loads: expected a list"),
])
def test_a_field_of_the_wrong_kind_is_a_schema_error_not_a_crash(edit, words, tmp_path, capsys):
    """Optional lists and the units object of the wrong JSON type (a list for an object, a
    number for a list) are one error line naming the field, never an internal error."""
    data = load_reference("tenbar.json")
    edit(data)
    assert main(["truss", "analyze", _write(tmp_path, data)]) == 2
    err = capsys.readouterr().err
    assert words in err and "Traceback" not in err and "internal error" not in err
    assert len(err.strip().splitlines()) == 1


@pytest.mark.parametrize("area", ["1e308", "1e-320"])
def test_areas_whose_stiffness_leaves_double_precision_are_refused(area, capsys):
    """Areas of 1e308 overflow E*A/L (eigh failed inside numpy: an internal error); 1e-320
    underflows to infinite displacements (NaN printed with exit 0). Both are one clear line."""
    assert main(["truss", "analyze", str(DATA / "tenbar.json"), "--areas", ",".join([area] * 10)]) == 2
    err = capsys.readouterr().err
    assert "the analysis is not finite" in err and "internal error" not in err
    assert len(err.strip().splitlines()) == 1
