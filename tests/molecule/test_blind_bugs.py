"""Input-handling bugs found by the blind rehearsal of an outside reviewer's formula
check (benchmarks/molecule_blind.py). Each test fails on the code before its fix."""

from __future__ import annotations

import json

import pytest

from gadesign.cli import main
from gadesign_problems.molecule.isotopes import parse_intensities


@pytest.mark.parametrize("text, expected", [
    # was [100, 45, 2, 12, 1]: the ';' was turned into ',' and each decimal comma split a peak
    ("100;45,2;12,1", [100.0, 45.2, 12.1]),
    ("1,2e6;5,4e5;1,4e5", [1.2e6, 5.4e5, 1.4e5]),
    ("100;45,2;-;0,4;", [100.0, 45.2, None, 0.4]),
    # unchanged
    ("100;9.1;-;0.4", [100.0, 9.1, None, 0.4]),
    ("100,9.1,,0.4", [100.0, 9.1, None, 0.4]),
    ("100,45.2,12.1,", [100.0, 45.2, 12.1]),
])
def test_semicolon_lists_take_decimal_commas(text, expected):
    assert parse_intensities(text) == expected


def test_semicolon_decimal_comma_query_equals_the_point_query(capsys):
    base = ["molecule", "formula", "152.0706", "--adduct", "[M+H]+", "--json", "--top", "3"]
    assert main(base + ["--isotopes", "90,9.8,0.7"]) == 0
    point = json.loads(capsys.readouterr().out)
    assert main(base + ["--isotopes", "90;9,8;0,7"]) == 0
    comma = json.loads(capsys.readouterr().out)
    assert len(comma["query"]["pattern"]) == 3
    assert comma["query"]["pattern"] == point["query"]["pattern"]
    assert [c["formula"] for c in comma["candidates"]] == [c["formula"] for c in point["candidates"]]
