"""``gadesign molecule ...``: formula inference from the command line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer

app = typer.Typer(name="molecule", help="Molecular formulas from high-resolution mass spectra.",
                  no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False)



@app.callback()
def _molecule() -> None:
    """Molecular formulas from high-resolution mass spectra."""


RULE_SHORT = {"element_counts": "1", "lewis_senior": "2", "isotope_pattern": "3", "hc_ratio": "4",
              "heteroatom_ratios": "5", "element_probability": "6"}


@app.command("formula")
def formula_cmd(
    mass: float = typer.Argument(..., help="Measured m/z of the ion (Th), or the neutral mass (Da) with adduct [M]."),
    adduct: str = typer.Option("[M]", "--adduct", "-a", help="[M] (neutral), [M+H]+, [M+Na]+, [M+NH4]+ or [M-H]-."),
    isotopes: Optional[str] = typer.Option(None, "--isotopes", "-i",
                                           help="Measured isotope intensities M+0,M+1,... (any scale)."),
    spectrum: Optional[Path] = typer.Option(None, "--spectrum", help="Centroided peak list (CSV: m/z, intensity) "
                                            "to take the isotope pattern from."),
    ppm: float = typer.Option(5.0, "--ppm", help="Mass window half-width, ppm."),
    elements: str = typer.Option("CHNOPS", "--elements", "-e", help="Element alphabet, e.g. CHNOPSClBr."),
    rules: str = typer.Option("extended", "--rules", help="Golden rules: extended, common or none."),
    method: str = typer.Option("exact", "--method", "-m", help="exact (enumerate) or evolve (NSGA-II)."),
    top: int = typer.Option(10, "--top", help="Number of candidates to show."),
    seed: int = typer.Option(1, "--seed", help="Random seed of --method evolve."),
    pop: Optional[int] = typer.Option(None, "--pop", help="Population of --method evolve (default 100)."),
    generations: Optional[int] = typer.Option(None, "--generations", "-g",
                                              help="Generations of --method evolve (default 150)."),
    as_json: bool = typer.Option(False, "--json", help="Print the candidates as JSON, best first."),
    plot: Optional[Path] = typer.Option(None, "--plot", help="Write a PNG of the candidate front and patterns."),
) -> None:
    """Rank the elemental formulas that explain MASS (and an isotope pattern)."""
    import time

    from rich.console import Console
    from rich.table import Table

    from gadesign_problems.molecule.formula import FormulaError, get_adduct
    from gadesign_problems.molecule.query import Query
    from gadesign_problems.molecule.search import exact_search

    if method not in ("exact", "evolve"):
        raise FormulaError(f"--method must be exact or evolve, got {method!r}")
    if top < 1:
        raise FormulaError("--top must be at least 1")
    if isotopes and spectrum:
        raise FormulaError("give --isotopes or --spectrum, not both")
    pattern = None
    if isotopes:
        try:
            pattern = [float(v) for v in isotopes.replace(";", ",").split(",") if v.strip()]
        except ValueError:
            raise FormulaError(f"--isotopes: expected comma-separated numbers, got {isotopes!r}") from None
    elif spectrum is not None:
        from gadesign_problems.molecule.spectrum import extract_pattern, read_peaks

        a = get_adduct(adduct)
        mz, intensity = read_peaks(spectrum)
        pattern = list(extract_pattern(mz, intensity, mass, a.charge or 1, mono_ppm=max(ppm, 10.0)))
    query = Query.build(mass, adduct, ppm, pattern, elements, rules)
    started = time.perf_counter()
    stats: dict[str, float]
    if method == "exact":
        candidates, stats = exact_search(query, top=top)
    else:
        from gadesign_problems.molecule.evolve import evolve_formula

        report = evolve_formula(query, pop=pop, generations=generations, seed=seed, top=top)
        candidates = report.candidates
        stats = {"evaluations": float(report.evaluations), "feasible": float(len(report.first_hit))}
    elapsed = time.perf_counter() - started

    if plot is not None:
        _write_plot(plot, query, candidates)
    if as_json:
        doc = {"query": {"value": query.value, "adduct": query.adduct.name, "neutral_mass": query.neutral_mass,
                         "ppm": query.ppm, "elements": "".join(query.elements), "rules": query.rules.name,
                         "pattern": None if query.pattern is None else list(query.pattern), "method": method},
               "stats": {**stats, "seconds": elapsed},
               "candidates": [c.to_json() for c in candidates]}
        typer.echo(json.dumps(doc, indent=1))
        return
    console = Console(highlight=False)
    lo, hi = query.window
    console.print(f"{query.adduct.name} at {query.value:.6f} -> neutral {query.neutral_mass:.6f} Da, "
                  f"window {lo:.5f}..{hi:.5f} ({query.ppm:g} ppm), elements {''.join(query.elements)}, "
                  f"rules {query.rules.name}, {method}: "
                  + ", ".join(f"{k} {int(v)}" for k, v in stats.items()) + f", {elapsed:.2f} s")
    if not candidates:
        console.print("[yellow]no formula in the window passes the rules[/yellow]")
        return
    table = Table(show_lines=False)
    for col, just in (("#", "right"), ("formula", "left"), ("ppm", "right"), ("isotope mismatch", "right"),
                      ("RDBE", "right"), ("score", "right"), ("rules", "left")):
        table.add_column(col, justify=just)  # type: ignore[arg-type]
    for i, c in enumerate(candidates, start=1):
        failed = [RULE_SHORT[n] for n, ok in c.rules.items() if not ok]
        verdicts = f"✗ {','.join(failed)}" if failed else "✓ all"
        table.add_row(str(i), c.formula, f"{c.ppm:+.2f}",
                      f"{c.isotope_mismatch:.3f}" if query.pattern is not None else "-",
                      f"{c.rdbe:g}", f"{c.score:.3g}", verdicts)
    console.print(table)


def _write_plot(path: Path, query, candidates) -> None:
    import matplotlib.pyplot as plt

    from gadesign_problems.molecule.plots import plot_candidate_front, plot_patterns, save_figure

    fig, axes = plt.subplots(1, 2, figsize=(12, 4.4))
    plot_candidate_front(candidates, ax=axes[0])
    best = {c.formula: c.pattern for c in candidates[:3] if c.pattern is not None}
    plot_patterns(query.pattern, best, ax=axes[1], title="isotope patterns")
    save_figure(fig, path)
