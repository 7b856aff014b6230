"""``gadesign molecule isomers``, ``structures`` and ``draw``: structures of a formula, candidate
structures for a measured mass, and pictures/files of a molecule front. RDKit is imported
inside the commands only."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer

from gadesign.errors import ConfigError, RunStoreError

#: ranking keys: +1 smallest first, -1 largest first
RANKS = {"qed": -1, "logp": -1, "sa": 1}
RANK_KEYS = {"qed": "qed", "logp": "logp", "sa": "sa_score"}


def _write_set(out: Path, stem: str, records: list[tuple[str, dict]], legend_keys: list[str], grid_max: int) -> list[Path]:
    """``stem.smi``, ``stem.sdf`` and a grid image ``stem.png`` (first ``grid_max``) in ``out``.
    All three are made before the first is written, so a molecule RDKit cannot draw leaves
    no partial set behind."""
    from gadesign.atomic import atomic_write_bytes, atomic_write_text
    from gadesign_problems.molecule.drawing import grid_png, sdf_text, smiles_text

    shown = records[:grid_max]
    legends = [", ".join(f"{k} {p[k]:.3f}" for k in legend_keys if isinstance(p.get(k), float)) for _, p in shown]
    smi, sdf = smiles_text(records), sdf_text(records)
    png = grid_png([s for s, _ in shown], legends) if shown else None
    out.mkdir(parents=True, exist_ok=True)
    written = [atomic_write_text(out / f"{stem}.smi", smi), atomic_write_text(out / f"{stem}.sdf", sdf)]
    if png is not None:
        written.append(atomic_write_bytes(out / f"{stem}.png", png))
    return written


def _checked_budget(evaluations: int, pop: int, top: int, out: str | None) -> Path | None:
    """The archive GA's budget options and output folder, checked before any work (``out`` is
    the text typed: a Path would turn an empty --out into '.', the working folder)."""
    from gadesign.limits import check_limit
    from gadesign.paths import check_output_dir

    for name, value, least in (("--evaluations", evaluations, 1), ("--pop", pop, 2), ("--top", top, 0)):
        if value < least:
            raise ConfigError(f"{name} must be >= {least}, got {value}")
    check_limit("POP", pop, "--pop")
    check_limit("PARAM", evaluations, "--evaluations")
    return None if out is None else check_output_dir(out, "--out")


def isomers_cmd(
    formula: str = typer.Argument(..., help="Neutral molecular formula, e.g. C7H16 or C9H8O4."),
    evaluations: int = typer.Option(20000, "--evaluations", "-n", help="Children to make at most."),
    pop: int = typer.Option(100, "--pop", help="Random structures to start from, and children per step."),
    seed: int = typer.Option(1, "--seed", help="Random seed; the same seed gives the same archive."),
    rank: str = typer.Option("qed", "--rank", help="Rank the structures by qed or logp (largest first) or by "
                             "sa, the synthetic accessibility score (smallest first)."),
    top: int = typer.Option(20, "--top", help="Structures to show (all are written)."),
    out: Optional[str] = typer.Option(None, "--out", metavar="DIR",
                                      help="Folder for isomers.smi, isomers.sdf, isomers.png."),
) -> None:
    """Evolve an archive of distinct structures with exactly FORMULA, ranked by a property."""
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    from gadesign_problems.molecule.design import require_rdkit

    require_rdkit("molecule isomers")
    if rank not in RANKS:
        raise ConfigError(f"--rank {rank!r}: choose qed, logp or sa")
    out = _checked_budget(evaluations, pop, top, out)
    ranked = ranked_isomers(formula, seed=seed, evaluations=evaluations, pop=pop, rank=rank)
    archive, rows = ranked
    console = Console()
    console.print(f"{archive.formula}: {len(rows)} distinct structures from {archive.evaluations} children "
                  f"(seed {seed})")
    table = Table()
    for col in ("#", "SMILES", "QED", "logP", "SA"):
        table.add_column(col, justify="left" if col == "SMILES" else "right")
    for i, (smi, p) in enumerate(rows[:top], start=1):
        table.add_row(str(i), escape(smi), f"{p['qed']:.3f}", f"{p['logp']:.2f}", f"{p['sa_score']:.2f}")
    console.print(table)
    if out is not None:
        written = _write_set(out, "isomers", rows, ["qed", "logp", "sa_score"], grid_max=max(top, 1))
        console.print("wrote " + ", ".join(str(p) for p in written))


def ranked_isomers(formula: str, seed: int, evaluations: int, pop: int, rank: str) -> tuple[object, list]:
    """The archive of :func:`~.isomers.evolve_isomers` with QED, logP and SA of each
    structure, sorted by ``rank`` (see :data:`RANKS`; SMILES break ties)."""
    from rdkit import Chem

    from gadesign_problems.molecule import properties as P
    from gadesign_problems.molecule.isomers import evolve_isomers

    archive = evolve_isomers(formula, seed=seed, evaluations=evaluations, pop=pop)
    rows = []
    for smi in archive.smiles:
        mol = Chem.MolFromSmiles(smi)
        rows.append((smi, {"name": smi, "qed": P.qed(mol), "logp": P.logp(mol), "sa_score": P.sa_score(mol),
                           "formula": archive.formula}))
    rows.sort(key=lambda r: (RANKS[rank] * r[1][RANK_KEYS[rank]], r[0]))
    return archive, rows


def draw_cmd(
    run: Path = typer.Argument(..., help="Run directory (or run archive .zip, with --out) of molecule-design or "
                               "molecule-isomers."),
    out: Optional[str] = typer.Option(None, "--out", metavar="DIR", help="Folder for front.smi, front.sdf, front.png "
                                       "(default: the run directory)."),
    grid: int = typer.Option(24, "--grid", help="Molecules in the grid image at most."),
) -> None:
    """The front of a molecule run as SMILES, SDF (with its values) and a grid image."""
    from gadesign.archive import run_source
    from gadesign.paths import check_output_dir
    from gadesign_problems.molecule.design import require_rdkit

    require_rdkit("molecule draw")
    if grid < 1:
        raise ConfigError(f"--grid must be >= 1, got {grid}")
    target = None if out is None else check_output_dir(out, "--out")
    with run_source(run) as folder:
        if target is None and not Path(run).is_dir():
            raise ConfigError(f"{run}: a run archive; give --out DIR for the files")
        records, objectives = _front_records(folder / "front.json", run)
        if target is None:
            target = check_output_dir(Path(run) / "molecules", "--out")
        written = _write_set(target, "front", records, objectives, grid_max=grid)
    typer.echo("wrote " + ", ".join(str(p) for p in written))


def _front_records(path: Path, run: object) -> tuple[list[tuple[str, dict]], list[str]]:
    """(SMILES, values) of every member of a molecule run's ``front.json`` and the objective
    names; RunStoreError for a front that is not readable, not a molecule run's, or holds
    a genome RDKit cannot read."""
    from rdkit import Chem, RDLogger

    RDLogger.DisableLog("rdApp.*")
    try:
        front = json.loads(path.read_text())
        objectives = [str(o["name"]) for o in front["objectives"]]
        members = front["members"]
        records = []
        for i, m in enumerate(members):
            values = [float(v) for v in m["objectives"]]
            if len(values) != len(objectives):
                raise ValueError(f"member {i} has {len(values)} objective values for {len(objectives)} objectives")
            records.append((m["genome"], {"name": f"member-{i:03d}", **dict(zip(objectives, values))}))
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise RunStoreError(f"{path}: not a readable front ({exc})") from None
    if front.get("problem") not in ("molecule-design", "molecule-isomers"):
        raise RunStoreError(f"{run}: a {front.get('problem')!r} run, not a molecule-design/-isomers run")
    for i, (smi, _) in enumerate(records):
        if not isinstance(smi, str) or Chem.MolFromSmiles(smi) is None:
            raise RunStoreError(f"{path}: member {i}: genome {smi!r} is not a SMILES RDKit can read")
    return records, objectives


def structures_cmd(
    mass: float = typer.Argument(..., help="Measured m/z of the ion (Th), or the neutral mass with --adduct [M]."),
    adduct: str = typer.Option("[M+H]+", "--adduct", "-a", help="Ion type, as for `gadesign molecule formula`."),
    isotopes: Optional[str] = typer.Option(None, "--isotopes", "-i", help="Measured isotope intensities "
                                           "M+0,M+1,... (any scale; '-' a peak not measured)."),
    ppm: float = typer.Option(5.0, "--ppm", help="Mass window half-width, ppm."),
    elements: str = typer.Option("CHNOPS", "--elements", "-e", help="Element alphabet of the formula search."),
    formulas: int = typer.Option(3, "--formulas", help="Best formulas to find structures for."),
    evaluations: int = typer.Option(20000, "--evaluations", "-n", help="Children per formula at most."),
    pop: int = typer.Option(100, "--pop", help="Random structures to start each archive, children per step."),
    seed: int = typer.Option(1, "--seed", help="Random seed; the same seed gives the same structures."),
    rank: str = typer.Option("sa", "--rank", help="Order the structures of one formula by sa (synthetic "
                             "accessibility, smallest first: common, stable motifs), qed or logp (largest first)."),
    plausible: bool = typer.Option(False, "--plausible", help="Only structures passing GB-GA's ring filter "
                                   "(no ring > 6, no ring allene, no double bond in a 3- or 4-ring)."),
    top: int = typer.Option(20, "--top", help="Structures to show (all are written)."),
    out: Optional[str] = typer.Option(None, "--out", metavar="DIR", help="Folder for structures.smi, .sdf and .png."),
) -> None:
    """Candidate structures for a measured mass: formula inference, then isomers of the best formulas."""
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    from gadesign_problems.molecule.design import require_rdkit
    from gadesign_problems.molecule.isotopes import parse_intensities
    from gadesign_problems.molecule.structures import candidate_structures

    require_rdkit("molecule structures")
    out = _checked_budget(evaluations, pop, top, out)
    pattern = parse_intensities(isotopes) if isotopes else None
    rows, searched = candidate_structures(mass, adduct, pattern, ppm=ppm, elements=elements, formulas=formulas,
                                          seed=seed, evaluations=evaluations, pop=pop, rank=rank,
                                          ring_filter=plausible)
    console = Console()
    if not searched:
        console.print("[yellow]no formula in the window that a neutral closed-shell molecule can have[/yellow]")
        return
    for i, cand in enumerate(searched, start=1):
        n = sum(1 for r in rows if r.formula_rank == i)
        console.print(f"formula {i}: {cand.formula} ({cand.ppm:+.2f} ppm, score {cand.score:.3g}): {n} structures")
    table = Table()
    for col in ("#", "formula", "SMILES", "QED", "logP", "SA"):
        table.add_column(col, justify="left" if col in ("formula", "SMILES") else "right")
    for i, r in enumerate(rows[:top], start=1):
        table.add_row(str(i), r.formula, escape(r.smiles), f"{r.qed:.3f}", f"{r.logp:.2f}", f"{r.sa_score:.2f}")
    console.print(table)
    if out is not None:
        records = [(r.smiles, {"name": f"{r.formula}-{i}", "formula": r.formula, "formula_score": r.formula_score,
                               "qed": r.qed, "logp": r.logp, "sa_score": r.sa_score}) for i, r in enumerate(rows, 1)]
        written = _write_set(out, "structures", records, ["qed", "logp", "sa_score"], grid_max=max(top, 1))
        console.print("wrote " + ", ".join(str(p) for p in written))


def register(app: typer.Typer) -> None:
    """Mount the commands on the ``gadesign molecule`` app."""
    app.command("isomers")(isomers_cmd)
    app.command("draw")(draw_cmd)
    app.command("structures")(structures_cmd)
