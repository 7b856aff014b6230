"""Molecules to files: SMILES lists, SDF records with properties, PNG depictions and grids
(RDKit's 2D coordinates and drawing). Every file is written atomically."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping, Sequence

from rdkit import Chem, RDLogger
from rdkit.Chem import AllChem, Draw

from gadesign.atomic import atomic_write_bytes, atomic_write_text

RDLogger.DisableLog("rdApp.*")  # an unreadable SMILES is our ValueError, not RDKit's log line on stderr


def _mol2d(smiles: str) -> Chem.Mol:
    mol = Chem.MolFromSmiles(smiles)
    if mol is None:
        raise ValueError(f"not a valid SMILES: {smiles!r}")
    AllChem.Compute2DCoords(mol)
    return mol


def smiles_text(records: Sequence[tuple[str, Mapping[str, Any]]]) -> str:
    """The text of a SMILES file (see :func:`write_smiles`)."""
    lines = [f"{smi}\t{props.get('name', i)}" for i, (smi, props) in enumerate(records)]
    return "\n".join(lines) + "\n"


def write_smiles(path: Path, records: Sequence[tuple[str, Mapping[str, Any]]]) -> Path:
    """A SMILES file: one ``SMILES<TAB>name`` line per record (name from ``props['name']``
    or the record number)."""
    return atomic_write_text(path, smiles_text(records))


def write_sdf(path: Path, records: Sequence[tuple[str, Mapping[str, Any]]]) -> Path:
    """An SD file: each molecule with 2D coordinates and its properties as data fields."""
    return atomic_write_text(path, sdf_text(records))


def sdf_text(records: Sequence[tuple[str, Mapping[str, Any]]]) -> str:
    """The text of an SD file (see :func:`write_sdf`); ValueError for an unreadable SMILES."""
    blocks = []
    for smi, props in records:
        mol = _mol2d(smi)
        if "name" in props:
            mol.SetProp("_Name", str(props["name"]))
        mol.SetProp("SMILES", smi)
        for key, value in props.items():
            if key != "name":
                mol.SetProp(str(key), f"{value:.6g}" if isinstance(value, float) else str(value))
        block = Chem.MolToMolBlock(mol)
        fields = "".join(f">  <{k}>\n{mol.GetProp(k)}\n\n" for k in ["SMILES", *[k for k in props if k != "name"]])
        blocks.append(block + fields + "$$$$\n")
    return "".join(blocks)


def write_png(path: Path, smiles: str, legend: str = "", size: tuple[int, int] = (400, 300)) -> Path:
    """A 2D depiction of one molecule with a legend, PNG."""
    drawer = Draw.rdMolDraw2D.MolDraw2DCairo(*size)
    drawer.DrawMolecule(_mol2d(smiles), legend=legend)
    drawer.FinishDrawing()
    return atomic_write_bytes(path, drawer.GetDrawingText())


def write_grid(path: Path, smiles: Sequence[str], legends: Sequence[str], per_row: int = 4,
               size: tuple[int, int] = (250, 200)) -> Path:
    """A grid image of molecules with their legends (values), PNG."""
    return atomic_write_bytes(path, grid_png(smiles, legends, per_row, size))


def grid_png(smiles: Sequence[str], legends: Sequence[str], per_row: int = 4,
             size: tuple[int, int] = (250, 200)) -> bytes:
    """The PNG bytes of :func:`write_grid`'s image."""
    mols = [_mol2d(s) for s in smiles]
    image = Draw.MolsToGridImage(mols, molsPerRow=max(1, min(per_row, len(mols))), subImgSize=size,
                                 legends=list(legends), returnPNG=True)
    return image if isinstance(image, bytes) else image.data
