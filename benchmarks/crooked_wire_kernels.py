"""Did the crooked-wire front move because of the physics or because of the search?

Runs ``antenna-crooked-wire`` seed 1 (default budget) with the previous reduced kernel
(``MomOperator(exact=False)``), scores its best design with the exact kernel, and, when
PyNEC (GPL, test/benchmark-only reference) is installed, with NEC-2 at 1x, 3x and 5x
segments. Both of ours with the hollow tube ends of that comparison (``end_caps=False``;
the solver's default has solid ends since, see ``benchmarks/antenna_fronts.py`` for the
front on the default). Writes benchmarks/out/crooked_wire_kernels.json. Usage:
python benchmarks/crooked_wire_kernels.py
"""

from __future__ import annotations

import dataclasses
import json
import sys
from functools import cached_property
from pathlib import Path
from types import SimpleNamespace

import gadesign_problems.antenna.wires as wires
from gadesign.api import evolve
from gadesign.registry import make_problem
from gadesign_problems.antenna.mom import MomOperator


def reduced_operator(self: wires.Antenna) -> MomOperator:
    return MomOperator(self.mesh, exact=False)


def main() -> None:
    out = Path(__file__).resolve().parent / "out" / "crooked_wire_kernels.json"
    problem = make_problem("antenna-crooked-wire", {"n_wires": 7})
    exact = wires.Antenna.__dict__["operator"]
    reduced = cached_property(reduced_operator)
    reduced.__set_name__(wires.Antenna, "operator")
    wires.Antenna.operator = reduced
    decode = problem.decode
    problem.decode = lambda x: dataclasses.replace(decode(x), end_caps=False)     # the hollow tube of that time
    try:
        front = evolve(problem, seed=1).front
    finally:
        wires.Antenna.operator = exact
    x, ev = max(front, key=lambda t: t[1].objectives[0])
    result = {"problem": "antenna-crooked-wire", "seed": 1,
              "reduced_kernel_run_best": {"min_rhcp_dbic": ev.objectives[0], "vswr": ev.objectives[1]},
              "exact_kernel_same_design": dict(zip(("min_rhcp_dbic", "vswr"), problem.evaluate(x).objectives)),
              "nec2": {}}
    try:
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        from st5_nec import nec_st5

        ant = problem.decode(x)
        req = SimpleNamespace(z0=problem.z0, theta_range=(0.0, problem.theta_max))
        for k in (1, 3, 5):
            d = nec_st5(ant.resegmented(k) if k > 1 else ant, problem.f0, req)
            result["nec2"][f"x{k}"] = {"min_rhcp_dbic": d["min_rhcp_dbic"], "vswr": d["vswr"],
                                       "average_gain": d["average_gain"]}
    except ImportError as exc:
        result["nec2"] = f"skipped: {exc}"
    out.write_text(json.dumps(result, indent=1))
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
