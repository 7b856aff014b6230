"""Reference cases for the molecule tests (tests/data/molecule, see its README)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parents[1] / "data" / "molecule"


def load_cases() -> list[dict]:
    return json.loads((DATA / "formula_cases.json").read_text())["cases"]


CASES = load_cases()


@pytest.fixture(params=CASES, ids=[c["id"] for c in CASES])
def case(request) -> dict:
    return request.param
