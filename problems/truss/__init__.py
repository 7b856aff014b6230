"""Pin-jointed trusses: a direct-stiffness FEM library, ground structures, the classic
sizing and topology benchmarks, and the ``gadesign truss`` commands.

Useful without the engine::

    from gadesign_problems.truss import Truss
    truss = Truss.from_json("tenbar.json")
    result = truss.analyze([30.5, 0.1, 23.2, 15.2, 0.1, 0.55, 7.46, 21.0, 21.5, 0.1])
    result.weight, result.max_stress_ratio, result.cases[0].displacements
"""

from __future__ import annotations

import importlib
from typing import Any

# name -> submodule; imported on first use (PEP 562), so that loading the package (as the
# `gadesign truss` commands do at every CLI start) does not import scipy's sparse solvers
_EXPORTS = {
    "TrussError": "errors", "TrussSchemaError": "errors", "UnstableTrussError": "errors",
    "Analysis": "fem", "CaseResult": "fem", "StiffnessModel": "fem", "analyze": "fem",
    "ground_structure": "ground",
    "AreaSpec": "structure", "Buckling": "structure", "DisplacementLimit": "structure", "Group": "structure",
    "LoadCase": "structure", "Truss": "structure",
}
__all__ = ["Analysis", "AreaSpec", "Buckling", "CaseResult", "DisplacementLimit", "Group", "LoadCase",
           "StiffnessModel", "Truss", "TrussError", "TrussSchemaError", "UnstableTrussError", "analyze",
           "ground_structure"]


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{_EXPORTS[name]}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
