"""The three input bugs of issue 16, each through the command line a user runs: stress
limits given only per group, a truss with no members, a member listed twice."""

from __future__ import annotations

import json

import numpy as np
import pytest

from gadesign.cli import main
from gadesign_problems.truss.structure import Truss

from .conftest import load_reference


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
