"""A contract check for problem plugins, for a plugin's own tests.

    from gadesign.testing import check_problem

    def test_my_problem_keeps_the_contract(tmp_path):
        check_problem(my_problem(), tmp_path=tmp_path)

:func:`check_problem` raises ``AssertionError`` naming the first broken rule of the
plugin boundary (see docs/plugins.md): the declared members and their types;
sampling, variation and repair that are pure functions of the generator; genomes that
survive a JSON round trip (through text) with the same ``key``; a problem that pickles
(what process pools and Dask do); evaluations that are deterministic, the right
length, finite, with violations >= 0; ``evaluate_many`` equal to ``evaluate`` one by
one; and the optional ``reference_point``, ``summary``, ``decode`` and ``export``.
"""

from __future__ import annotations

import json
import math
import pickle
from pathlib import Path
from typing import Any

import numpy as np

from gadesign.genomes.base import Genome
from gadesign.problem import Evaluation, Objective


def _same(genome: Genome[Any], a: Any, b: Any) -> bool:
    return genome.key(a) == genome.key(b)


def _check_evaluation(e: Any, m: int, c: int, where: str) -> None:
    assert isinstance(e, Evaluation), f"{where}: returned {type(e).__name__}, not gadesign.problem.Evaluation"
    assert len(e.objectives) == m, f"{where}: {len(e.objectives)} objectives, the problem declares {m}"
    assert len(e.violations) == c, f"{where}: {len(e.violations)} violations, the problem declares {c} constraints"
    assert all(math.isfinite(v) for v in (*e.objectives, *e.violations)), f"{where}: non-finite value {e}"
    assert all(v >= 0 for v in e.violations), f"{where}: negative violation {e.violations} (0 means satisfied)"
    json.dumps(e.info)  # info must be JSON-able (it goes into front.json)


def check_problem(problem: Any, *, n: int = 8, seed: int = 0, tmp_path: Path | None = None) -> None:
    """Assert that ``problem`` keeps the plugin contract (see the module docstring),
    on ``n`` sampled designs and their offspring; ``tmp_path`` (a directory) also
    exercises ``export``."""
    name = getattr(problem, "name", None)
    assert isinstance(name, str) and name, "problem.name must be a non-empty str"
    genome = getattr(problem, "genome", None)
    assert isinstance(genome, Genome), f"{name}: problem.genome must be a gadesign.genomes.Genome"
    objectives, constraints = getattr(problem, "objectives", None), getattr(problem, "constraints", None)
    assert isinstance(objectives, tuple) and objectives and all(isinstance(o, Objective) for o in objectives), \
        f"{name}: problem.objectives must be a non-empty tuple of Objective"
    assert isinstance(constraints, tuple) and all(isinstance(c, str) for c in constraints), \
        f"{name}: problem.constraints must be a tuple of str (may be empty)"
    m, c = len(objectives), len(constraints)
    ref = getattr(problem, "reference_point", None)
    if ref is not None:
        assert len(ref) == m and all(math.isfinite(float(v)) for v in ref), \
            f"{name}: reference_point needs one finite value per objective"
    json.dumps(genome.describe())

    # sampling and variation: pure functions of the generator
    xs = genome.sample_many(n, np.random.default_rng(seed))
    again = genome.sample_many(n, np.random.default_rng(seed))
    assert len(xs) == n and all(_same(genome, a, b) for a, b in zip(xs, again)), \
        f"{name}: sample_many is not a pure function of the generator"
    kids = genome.vary(xs, np.random.default_rng(seed + 1))
    kids_again = genome.vary(again, np.random.default_rng(seed + 1))
    assert len(kids) == n, f"{name}: vary returned {len(kids)} children for {n} parents"
    assert all(_same(genome, a, b) for a, b in zip(kids, kids_again)), \
        f"{name}: vary is not a pure function of the parents and the generator"
    assert all(_same(genome, a, b) for a, b in zip(xs, again)), f"{name}: vary changed its parents"
    for x in xs + kids:
        assert _same(genome, genome.repair(x), x), f"{name}: repair changes an already repaired genome"
        text = json.dumps(genome.to_json(x))
        back = genome.from_json(json.loads(text))
        assert _same(genome, back, x), f"{name}: to_json/from_json does not round-trip {text[:80]}"
        assert json.dumps(genome.to_json(back)) == text, f"{name}: JSON form changes after a round trip"

    # evaluation: deterministic, well-formed, the same in another process
    designs = xs + kids
    first = [problem.evaluate(x) for x in designs]
    for i, e in enumerate(first):
        _check_evaluation(e, m, c, f"{name}: evaluate(design {i})")
    second = [problem.evaluate(x) for x in designs]
    assert [(e.objectives, e.violations) for e in first] == [(e.objectives, e.violations) for e in second], \
        f"{name}: evaluate is not deterministic (hidden state or randomness?)"
    many = getattr(problem, "evaluate_many", None)
    if many is not None:
        batch = list(many(designs))
        assert len(batch) == len(designs), f"{name}: evaluate_many returned {len(batch)} results for {len(designs)}"
        for i, (a, b) in enumerate(zip(batch, first)):
            _check_evaluation(a, m, c, f"{name}: evaluate_many[{i}]")
            assert np.allclose(a.objectives, b.objectives, rtol=1e-12, atol=0) and \
                np.allclose(a.violations, b.violations, rtol=1e-12, atol=1e-300), \
                f"{name}: evaluate_many[{i}] differs from evaluate: {a} vs {b}"
    try:
        clone = pickle.loads(pickle.dumps(problem))
    except Exception as exc:  # noqa: BLE001 - whatever pickle raises, the plugin author gets one assertion
        raise AssertionError(f"{name}: the problem does not pickle ({type(exc).__name__}: {exc}); keep its "
                             "attributes plain (no open files, locks, lambdas or generators), since it is "
                             "sent to --workers and Dask workers") from None
    assert [clone.evaluate(x).objectives for x in designs[:2]] == [e.objectives for e in first[:2]], \
        f"{name}: an unpickled copy evaluates differently"

    # optional members
    problem.decode(designs[0])
    summary = getattr(problem, "summary", None)
    if summary is not None:
        row = summary(designs[0], first[0])
        assert isinstance(row, dict) and all(isinstance(k, str) for k in row), f"{name}: summary must return a dict"
    export = getattr(problem, "export", None)
    if export is not None and tmp_path is not None:
        written = export(designs[0], first[0], Path(tmp_path), "member-000")
        assert all(Path(p).is_file() for p in written or ()), f"{name}: export returned paths it did not write"
