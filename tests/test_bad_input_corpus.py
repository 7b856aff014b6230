"""The bad-input corpus (tests/data/bad/cases.json): every case exits 2 with one clear
line, no traceback, and leaves no partial or changed files (issue 7, point 5)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

BAD = Path(__file__).parent / "data" / "bad"
CASES = json.loads((BAD / "cases.json").read_text())["cases"]


@pytest.fixture(scope="module")
def finished_run(tmp_path_factory, cli):
    run = tmp_path_factory.mktemp("corpus") / "run"
    res = cli("evolve", "zdt1", "--pop", "10", "--generations", "2", "--seed", "1", "--checkpoint-every", "1",
                  "-q", "--out", str(run))
    assert res.returncode == 0, res.stderr
    return run


def snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_corpus_is_large_and_ids_unique():
    assert len(CASES) >= 30
    assert len({c["id"] for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_bad_input(cli, tmp_path, finished_run, case):
    run = tmp_path / "run"
    shutil.copytree(finished_run, run)
    setup = case.get("setup", {})
    for target, source in setup.get("replace", {}).items():
        shutil.copyfile(BAD / source, run / target)
    for target in setup.get("delete", []):
        (run / target).unlink()
    before = snapshot(tmp_path)
    args = [a.replace("{bad}", str(BAD)).replace("{run}", str(run)).replace("{out}", str(tmp_path / "new"))
            for a in case["args"]]
    res = cli(*args, cwd=tmp_path)
    assert res.returncode == 2, (res.returncode, res.stdout, res.stderr)
    assert "Traceback" not in res.stdout + res.stderr
    lines = [line for line in res.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, res.stderr
    assert lines[0].startswith("error:") and case["expect"] in lines[0], lines[0]
    assert snapshot(tmp_path) == before, "a failed command must not write, change or leave files"
