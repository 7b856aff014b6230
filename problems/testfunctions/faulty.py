"""ZDT1 with a price and with faults: for testing parallel evaluation and failure policy.

Each evaluation burns ``cost_ms`` of CPU time (a stand-in for an EM solve or an FEM
analysis) and, depending on the second variable x2 (so the same genome always behaves
the same), hangs forever (x2 < ``hang_below``), raises (next band of width
``fail_width``) or returns NaN (next band of width ``nan_width``). The
objectives are ZDT1's.
"""

from __future__ import annotations

import time

import numpy as np

from gadesign.problem import Evaluation
from gadesign_problems.testfunctions.zdt import ZDT1


class FaultyZDT1(ZDT1):
    """ZDT1 whose evaluations cost CPU time and may hang, raise or return NaN."""

    name = "zdt1-faulty"
    defaults = {"algorithm": "nsga2", "pop": 40, "generations": 10}

    def __init__(self, n_var: int = 30, cost_ms: float = 0.0, hang_below: float = 0.0,
                 fail_width: float = 0.0, nan_width: float = 0.0) -> None:
        super().__init__(n_var)
        if min(cost_ms, hang_below, fail_width, nan_width) < 0:
            raise ValueError("cost_ms and the fault bands must be >= 0")
        self.cost_ms, self.hang_below = float(cost_ms), float(hang_below)
        self.fail_width, self.nan_width = float(fail_width), float(nan_width)

    def evaluate(self, x: np.ndarray) -> Evaluation:
        deadline = time.perf_counter() + self.cost_ms / 1000.0
        while time.perf_counter() < deadline:  # busy: the cost is CPU, like a real solver
            pass
        x2 = float(x[1])
        if x2 < self.hang_below:
            while True:  # hangs forever
                time.sleep(3600)
        if x2 < self.hang_below + self.fail_width:
            raise RuntimeError(f"injected failure at x2 = {x2:.4f}")
        if x2 < self.hang_below + self.fail_width + self.nan_width:
            return Evaluation((float("nan"), 1.0))
        return super().evaluate_many([x])[0]

    evaluate_many = None  # type: ignore[assignment]  # one design at a time, like a real solver


def zdt1_faulty(n_var: int = 30, cost_ms: float = 0.0, hang_below: float = 0.0, fail_width: float = 0.0,
                nan_width: float = 0.0) -> FaultyZDT1:
    """ZDT1 with a CPU cost per evaluation and injected hangs, errors and NaNs (for testing).

    ``n_var``: number of variables in [0, 1]. ``cost_ms``: CPU time burnt per evaluation,
    ms. ``hang_below``: designs with x2 below this hang forever. ``fail_width``: the next
    band of x2 of this width raises. ``nan_width``: the band after it returns NaN.
    """
    return FaultyZDT1(n_var, cost_ms, hang_below, fail_width, nan_width)


zdt1_faulty.test_only = True  # type: ignore[attr-defined]  # listed only by `gadesign problems --all`
