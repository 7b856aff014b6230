"""Molecular properties by RDKit: drug-likeness, synthetic accessibility, similarity.

- QED: quantitative estimate of drug-likeness (Bickerton et al., Nat. Chem. 4, 90 (2012)),
  ``rdkit.Chem.QED.qed``; 0..1, larger is more drug-like.
- SA score: synthetic accessibility (Ertl & Schuffenhauer, J. Cheminf. 1, 8 (2009)), the
  RDKit Contrib implementation ``SA_Score/sascorer.py``; 1 (easy) .. 10 (hard).
- logP: Wildman-Crippen octanol/water partition coefficient (log10, dimensionless).
- MW: average molecular weight, g/mol (Da).
- Tanimoto similarity of Morgan fingerprints (radius 2, 2048 bits; ECFP4-like).
- PAINS: pan-assay interference substructures (Baell & Holloway 2010), RDKit FilterCatalog.
"""

from __future__ import annotations

import importlib.util
from functools import lru_cache
from pathlib import Path
from types import ModuleType
from typing import Any

from rdkit import Chem, DataStructs, RDLogger
from rdkit.Chem import Crippen, Descriptors, QED, RDConfig, rdFingerprintGenerator
from rdkit.Chem.FilterCatalog import FilterCatalog, FilterCatalogParams

from gadesign.errors import GadesignError

RDLogger.DisableLog("rdApp.*")


@lru_cache(maxsize=1)
def _sascorer() -> ModuleType:
    """RDKit Contrib's ``sascorer`` module, loaded from its file (no ``sys.path`` change)."""
    path = Path(RDConfig.RDContribDir) / "SA_Score" / "sascorer.py"
    if not path.is_file():
        raise GadesignError(f"RDKit's Contrib SA_Score is missing ({path}); reinstall rdkit")
    spec = importlib.util.spec_from_file_location("gadesign_sascorer", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def sa_score(mol: Chem.Mol) -> float:
    """Synthetic accessibility, 1 (easy) .. 10 (hard)."""
    return float(_sascorer().calculateScore(mol))


def qed(mol: Chem.Mol) -> float:
    """Quantitative estimate of drug-likeness, 0..1."""
    return float(QED.qed(mol))


def logp(mol: Chem.Mol) -> float:
    """Wildman-Crippen logP."""
    return float(Crippen.MolLogP(mol))


def molecular_weight(mol: Chem.Mol) -> float:
    """Average molecular weight, g/mol."""
    return float(Descriptors.MolWt(mol))


@lru_cache(maxsize=1)
def _morgan() -> Any:
    return rdFingerprintGenerator.GetMorganGenerator(radius=2, fpSize=2048)


def fingerprint(mol: Chem.Mol) -> Any:
    """Morgan fingerprint, radius 2, 2048 bits."""
    return _morgan().GetFingerprint(mol)


def tanimoto(a: Any, b: Any) -> float:
    """Tanimoto similarity of two fingerprints, 0..1."""
    return float(DataStructs.TanimotoSimilarity(a, b))


@lru_cache(maxsize=1)
def _pains() -> FilterCatalog:
    params = FilterCatalogParams()
    params.AddCatalog(FilterCatalogParams.FilterCatalogs.PAINS)
    return FilterCatalog(params)


def pains_alerts(mol: Chem.Mol) -> list[str]:
    """Descriptions of the PAINS substructures ``mol`` contains (empty if none)."""
    return [m.GetDescription() for m in _pains().GetMatches(mol)]


def formula(mol: Chem.Mol) -> str:
    """Hill formula of a neutral molecule (implicit hydrogens counted)."""
    from rdkit.Chem.rdMolDescriptors import CalcMolFormula
    return str(CalcMolFormula(mol))
