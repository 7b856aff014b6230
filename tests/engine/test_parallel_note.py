"""A run says once, with the measured numbers, when evaluation workers cannot pay off."""

from __future__ import annotations

import logging

from gadesign import evolve
from gadesign.registry import make_problem


def notes(caplog):
    return [r.message for r in caplog.records if r.message.startswith("note: one evaluation takes")]


def test_cheap_evaluations_on_workers_get_one_note(caplog):
    with caplog.at_level(logging.WARNING, logger="gadesign"):
        evolve(make_problem("zdt1", {}), pop=40, generations=3, workers=2)
    (note,) = notes(caplog)  # once, not every generation
    assert "2 workers took" in note and "--workers 1 is faster" in note


def test_no_note_serially_or_when_evaluations_are_costly(caplog):
    with caplog.at_level(logging.WARNING, logger="gadesign"):
        evolve(make_problem("zdt1", {}), pop=20, generations=2)
        evolve(make_problem("zdt1-faulty", {"cost_ms": 20.0}), pop=8, generations=1, workers=2)
    assert notes(caplog) == []
