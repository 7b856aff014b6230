"""Pin-jointed trusses: a direct-stiffness FEM library, ground structures, the classic
sizing and topology benchmarks, and the ``gadesign truss`` commands.

Useful without the engine::

    from gadesign_problems.truss import Truss
    truss = Truss.from_json("tenbar.json")
    result = truss.analyze([30.5, 0.1, 23.2, 15.2, 0.1, 0.55, 7.46, 21.0, 21.5, 0.1])
    result.weight, result.max_stress_ratio, result.cases[0].displacements
"""

from gadesign_problems.truss.errors import TrussError, TrussSchemaError, UnstableTrussError
from gadesign_problems.truss.fem import Analysis, CaseResult, StiffnessModel, analyze
from gadesign_problems.truss.ground import ground_structure
from gadesign_problems.truss.structure import AreaSpec, Buckling, DisplacementLimit, Group, LoadCase, Truss

__all__ = [
    "Analysis", "AreaSpec", "Buckling", "CaseResult", "DisplacementLimit", "Group", "LoadCase",
    "StiffnessModel", "Truss", "TrussError", "TrussSchemaError", "UnstableTrussError", "analyze",
    "ground_structure",
]
