"""The same seed gives the same 200-bar front serially and on two workers.

The 200-bar truss's batched stiffness solves are large enough for a threaded BLAS to
split its sums; workers run one BLAS thread each, so the serial evaluator must too, or
the two fronts differ in the last bits (README, Results: "byte-identical front.json,
whatever --workers is"). Found by the README audit: `gadesign evolve truss-sizing` on
twohundredbar.json, seed 1, 30 generations, gave max_stress_ratio ...1114 serially and
...1126 with --workers 2 (and took 15 s against 2.6 s, BLAS threads fighting the run).
"""

from __future__ import annotations

from pathlib import Path

TWO_HUNDRED = Path(__file__).parents[1] / "data" / "truss" / "validation" / "twohundredbar.json"


def test_serial_front_equals_two_workers_front_on_the_200_bar_truss(cli, tmp_path):
    args = ("evolve", "truss-sizing", "--set", f"file={TWO_HUNDRED}", "--seed", "1", "--generations", "30",
            "--refine", "0", "-q")
    threaded = {"OPENBLAS_NUM_THREADS": "2"}  # a user's default on two cores (the test runner sets 1)
    serial = cli(*args, "--out", str(tmp_path / "serial"), env=threaded)
    pooled = cli(*args, "--workers", "2", "--out", str(tmp_path / "pooled"), env=threaded)
    for res in (serial, pooled):
        assert res.returncode == 0, res.stderr
    # bit for bit, not merely close: the README promises byte-identical fronts
    assert (tmp_path / "serial" / "front.json").read_bytes() == (tmp_path / "pooled" / "front.json").read_bytes()
