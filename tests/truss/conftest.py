"""Shared fixtures of the truss tests: the reference benchmark files (tests/data/truss)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parents[1] / "data" / "truss"


def load_reference(name: str) -> dict:
    """A reference benchmark JSON (copied from the shared reference set; see its README)."""
    return json.loads((DATA / name).read_text())


@pytest.fixture(params=["tenbar.json", "tenbar_topology.json", "twentyfivebar.json", "seventytwobar.json"])
def reference(request) -> dict:
    return load_reference(request.param)
