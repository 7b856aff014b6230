"""Shared fixtures for the antenna tests: reference decks and NEC-2 results."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parents[1] / "data" / "antenna"


@pytest.fixture(scope="session")
def reference() -> dict:
    return json.loads((DATA / "nec2_reference.json").read_text())


@pytest.fixture(scope="session")
def data_dir() -> Path:
    return DATA
