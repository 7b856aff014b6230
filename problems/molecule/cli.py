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
    mass: Optional[float] = typer.Argument(None, help="Measured m/z of the ion (Th), or the neutral mass (Da) with "
                                           "adduct [M]. With --spectrum it may be left out: the most intense "
                                           "isotope envelope is used."),
    adduct: Optional[str] = typer.Option(None, "--adduct", "-a",
                                         help="Ion type: [M] (neutral), [M+H]+, [M+Na]+, [M+K]+, [M+NH4]+, "
                                         "[M-H2O+H]+, [M+2H]2+, [M-H]-, [M+Cl]-, [M+HCOO]-, [M-2H]2- or any "
                                         "[M+X-Y]z+ (default [M], or [M+zH]z+ / [M-zH]z- with --charge)."),
    charge: Optional[int] = typer.Option(None, "--charge", "-z", help="Charge of the ion (isotope spacing "
                                         "1.003/|z| Th); must agree with --adduct when both are given."),
    isotopes: Optional[str] = typer.Option(None, "--isotopes", "-i",
                                           help="Measured isotope intensities M+0,M+1,... (any scale); only "
                                           "these peaks are compared. '-' marks a peak not measured, 0 one "
                                           "looked for and absent."),
    spectrum: Optional[Path] = typer.Option(None, "--spectrum", help="Centroided peaks to take the isotope "
                                            "pattern from: CSV/TSV (m/z, intensity), mzML or MGF."),
    scan: Optional[int] = typer.Option(None, "--scan", help="Spectrum of an mzML/MGF file by scan number."),
    rt: Optional[float] = typer.Option(None, "--rt", help="Spectrum of an mzML/MGF file nearest this retention "
                                       "time, minutes."),
    tolerance: float = typer.Option(0.005, "--tolerance", help="Isotope envelope peak tolerance, Th."),
    ppm: float = typer.Option(5.0, "--ppm", help="Mass window half-width, ppm (a hard filter)."),
    mass_accuracy: float = typer.Option(3.0, "--mass-accuracy", help="The instrument's mass accuracy, ppm, "
                                        "a 3-sigma bound: inside it the mass error does not rank candidates "
                                        "(--mass-error flat), beyond it a Gaussian tail of sigma = accuracy/3."),
    mass_error: str = typer.Option("flat", "--mass-error", help="The instrument's mass-error distribution: "
                                   "flat (errors spread evenly over the accuracy: inside it no preference) or "
                                   "gaussian (sigma = accuracy/3: a smaller error ranks higher, as SIRIUS scores it)."),
    intensity_error: str = typer.Option("0.03,0.002", "--intensity-error",
                                        help="Isotope intensity error model REL,ABS: relative error of a "
                                        "peak and absolute floor (fraction of the measured total)."),
    elements: str = typer.Option("CHNOPS", "--elements", "-e", help="Element alphabet, e.g. CHNOPSClBr."),
    limits: Optional[str] = typer.Option(None, "--max", help="Element count limits, e.g. C=120,Cl=6 "
                                         "(default: as many as fit the mass; rule 1 caps them further)."),
    rules: str = typer.Option("extended", "--rules", help="Golden rules: extended or common (rules 2-3 "
                              "filter, 1 and 4-6 graded evidence), extended-filter or common-filter (all "
                              "filter), or none."),
    prior: bool = typer.Option(True, "--prior/--no-prior", help="Add the formula prior (C/N/O density, P, S counts) "
                               "fitted on the development list to the score."),
    halogen_prior: bool = typer.Option(False, "--halogen-prior", help="Halogens in --elements are allowed, not "
                                       "expected: weigh F, Cl, Br, I presence and counts like P and S."),
    method: str = typer.Option("exact", "--method", "-m", help="exact (enumerate) or evolve (NSGA-II)."),
    top: int = typer.Option(10, "--top", help="Number of candidates to show."),
    seed: int = typer.Option(1, "--seed", help="Random seed of --method evolve."),
    pop: Optional[int] = typer.Option(None, "--pop", help="Population of --method evolve (default 100)."),
    generations: Optional[int] = typer.Option(None, "--generations", "-g",
                                              help="Generations of --method evolve (default 150)."),
    mass_limit: float = typer.Option(10_000.0, "--mass-limit", help="Largest neutral mass searched, Da."),
    enumeration_limit: float = typer.Option(8e6, "--enumeration-limit",
                                            help="Most sub-compositions the exact search may list (about 30 "
                                            "bytes each while built); the window may then hold 2.5 times as "
                                            "many compositions (at least 20 million)."),
    as_json: bool = typer.Option(False, "--json", help="Print the candidates as JSON, best first."),
    plot: Optional[Path] = typer.Option(None, "--plot", help="Write a PNG of the candidate front and patterns."),
) -> None:
    """Rank the elemental formulas that explain MASS (and an isotope pattern)."""
    import time

    from rich.console import Console

    from gadesign import options
    from gadesign.tables import print_table
    from gadesign_problems.molecule.formula import FormulaError, get_adduct, protonation_adduct
    from gadesign_problems.molecule.isotopes import parse_intensities
    from gadesign_problems.molecule.query import Query, Scoring, parse_limits
    from gadesign_problems.molecule.search import MAX_WINDOW, exact_search

    # -- every option checked before any work --------------------------------------------
    if plot is not None:
        from gadesign.paths import check_output_file
        plot = check_output_file(plot, "--plot", figure=True)
    if method not in ("exact", "evolve"):
        raise FormulaError(f"--method must be exact or evolve, got {method!r}")
    if top < 1:
        raise FormulaError(f"--top must be at least 1, got {top}")
    options.population(pop, "--pop")             # the same rules and wording as gadesign evolve
    options.generations(generations, "--generations")
    if method == "exact" and (pop is not None or generations is not None):
        raise FormulaError("--pop and --generations apply to --method evolve only")
    if not (enumeration_limit >= 1 and enumeration_limit != float("inf")):
        raise FormulaError(f"--enumeration-limit must be a finite number, at least 1, got {enumeration_limit}")
    if not (tolerance > 0 and tolerance < 0.5):
        raise FormulaError(f"--tolerance must be in (0, 0.5) Th, got {tolerance}")
    if isotopes and spectrum:
        raise FormulaError("give --isotopes or --spectrum, not both")
    if (scan is not None or rt is not None) and spectrum is None:
        raise FormulaError("--scan and --rt pick a spectrum from a --spectrum file")
    if mass is None and spectrum is None:
        raise FormulaError("give the measured MASS (m/z), or a --spectrum to find it in")
    try:
        rel, absolute = (float(v) for v in intensity_error.split(","))
    except ValueError:
        raise FormulaError(f"--intensity-error: expected REL,ABS such as 0.03,0.002, got {intensity_error!r}") from None
    scoring = Scoring(mass_accuracy, relative_intensity_error=rel, absolute_intensity_error=absolute,
                      use_prior=prior, halogen_prior=halogen_prior, mass_error=mass_error).validated()
    if adduct is None:
        ion = protonation_adduct(charge or 0)
    else:
        ion = get_adduct(adduct)
        if charge is not None and charge != ion.charge:
            raise FormulaError(f"--charge {charge} disagrees with --adduct {ion.name} (charge {ion.charge})")
    upper = parse_limits(limits)
    pattern = parse_intensities(isotopes) if isotopes else None
    found = None
    if spectrum is not None:
        from gadesign_problems.molecule.spectrum import find_envelope, read_spectrum

        sign = (1 if ion.charge > 0 else -1) if ion.charge else None
        peaks = read_spectrum(spectrum, scan=scan, rt=rt, polarity=sign if (adduct or charge) else None)
        if peaks.charge is None and len(peaks.charges) > 1:       # CHARGE=2+ and 3+
            stated = " or ".join(f"{abs(c)}{'+' if c > 0 else '-'}" for c in peaks.charges)
            if adduct is None and charge is None:
                raise FormulaError(f"{peaks.source} states the charge {stated}: pick one with --charge or --adduct")
            if ion.charge not in peaks.charges:
                raise FormulaError(f"the ion's charge {ion.charge:+d} is not the spectrum's ({peaks.source}: "
                                   f"CHARGE {stated})")
        if peaks.charge is not None:          # the file states the ion's charge (MGF CHARGE)
            if adduct is None and charge is None:
                ion = protonation_adduct(peaks.charge)
            elif ion.charge != peaks.charge:
                given = f"--adduct {ion.name}" if adduct is not None else f"--charge {charge}"
                raise FormulaError(f"{given} (charge {ion.charge:+d}) disagrees with the spectrum's own charge "
                                   f"({peaks.source}: CHARGE {abs(peaks.charge)}{'+' if peaks.charge > 0 else '-'})")
        found = find_envelope(peaks.mz, peaks.intensity, mass, charge=ion.charge or 1, tolerance=tolerance,
                              mono_ppm=max(ppm, 10.0))
        pattern = list(found.pattern)
        mass = found.mono_mz if mass is None else mass
    assert mass is not None
    query = Query.build(mass, ion, ppm, pattern, elements, rules, upper=upper, scoring=scoring,
                        mass_limit=mass_limit)
    started = time.perf_counter()
    stats: dict[str, float]
    if method == "exact":
        candidates, stats = exact_search(query, top=top, max_sub=enumeration_limit,
                                         max_window=max(MAX_WINDOW, 2.5 * enumeration_limit))
    else:
        from gadesign_problems.molecule.evolve import evolve_formula

        report = evolve_formula(query, pop=pop, generations=generations, seed=seed, top=top)
        candidates = report.candidates
        stats = {"evaluations": float(report.evaluations), "feasible": float(len(report.first_hit))}
        if report.rule3_relaxed:
            stats["rule3_relaxed"] = 1.0
    elapsed = time.perf_counter() - started
    relaxed = bool(stats.pop("rule3_relaxed", 0.0))
    notes = list(found.notes) if found is not None else []
    if found is not None and not query.adduct.charge:
        notes.insert(0, "the spectrum's m/z are read as neutral masses (adduct [M]): for ions give --adduct or --charge")
    warnings = [f"warning: {note}" for note in notes] \
        + ([_rule3_warning(query)] if relaxed else [])

    if plot is not None:
        _write_plot(plot, query, candidates)
    measured = None if query.pattern is None else [None if v != v else float(v) for v in query.pattern]
    if as_json:
        doc = {"query": {"value": query.value, "adduct": query.adduct.name, "charge": query.adduct.charge,
                         "neutral_mass": query.neutral_mass, "ppm": query.ppm,
                         "mass_accuracy_ppm": query.scoring.mass_accuracy_ppm, "mass_error": query.scoring.mass_error,
                         "intensity_error": [rel, absolute], "isotope_scale": query.scoring.isotope_scale,
                         "elements": "".join(query.elements), "rules": query.rules.name,
                         "rules_filter": list(query.rule_names), "rules_graded": list(query.graded_names),
                         "prior": query.scoring.use_prior, "halogen_prior": query.scoring.halogen_prior,
                         "upper": dict(zip(query.elements, query.effective_upper.tolist())),
                         "pattern": measured, "method": method,
                         "spectrum": None if found is None else {"file": str(spectrum), "source": peaks.source,
                                                                 "mono_mz": found.mono_mz,
                                                                 "peaks_mz": found.peaks_mz}},
               "stats": {**stats, "seconds": elapsed, "rule3_relaxed": relaxed},
               "warnings": warnings,
               "candidates": [c.to_json() for c in candidates]}
        typer.echo(json.dumps(doc, indent=1))
        return
    console = Console(highlight=False)
    lo, hi = query.window
    console.print(f"{query.adduct.name} at {query.value:.6f} -> neutral {query.neutral_mass:.6f} Da, "
                  f"window {lo:.5f}..{hi:.5f} ({query.ppm:g} ppm, accuracy {query.scoring.mass_accuracy_ppm:g}, {query.scoring.mass_error} errors), "
                  f"elements {''.join(query.elements)}, rules {query.rules.name}, {method}: "
                  + ", ".join(f"{k} {int(v)}" for k, v in stats.items()) + f", {elapsed:.2f} s")
    if measured is not None:
        console.print(f"measured peaks{'' if found is None else f' ({peaks.source})'} (fraction of those given): "
                      + ", ".join(f"M+{k} {'-' if v is None else format(v, '.4f')}" for k, v in enumerate(measured)))
    for line in warnings:
        console.print(f"[yellow]{line}[/yellow]")
    if not candidates:
        console.print("[yellow]no formula in the window passes the rules applied as filters "
                      f"({', '.join(RULE_SHORT[n] for n in query.rule_names) or 'none'})[/yellow]")
        reach = float(query.effective_upper @ query.masses)
        if not stats.get("enumerated") and reach < lo:
            console.print(f"[yellow]the window holds no composition at all: the element count limits (--max, and "
                          f"rule 1's for this mass range) reach at most {reach:.1f} Da[/yellow]")
        return
    flagged = any(c.at_limit for c in candidates)
    columns = [("#", "right"), ("formula", "left"), ("ppm", "right"), ("mass", "right"), ("isotope", "right"),
               ("prior", "right"), ("rules", "right"), ("score", "right"), ("misfit", "right"), ("RDBE", "right"),
               ("verdicts", "left")] + ([("limit", "left")] if flagged else [])
    rows = []
    for i, c in enumerate(candidates, start=1):
        failed = [RULE_SHORT[n] for n, ok in c.rules.items() if not ok]
        rows.append([str(i), c.formula, f"{c.ppm:+.2f}", f"{c.mass_term:.2f}",
                     f"{c.isotope_term:.2f}" if query.pattern is not None else "-", f"{c.prior_term:.2f}",
                     f"{c.rule_term:.2f}", f"{c.score:.3g}",
                     f"{100 * c.isotope_mismatch:.1f}%" if query.pattern is not None else "-",
                     f"{c.rdbe:g}", "✗ " + ",".join(failed) if failed else "✓ 1-6",
                     *([",".join(c.at_limit) + " at max"] if flagged else [])])
    # at a narrow terminal the score's parts go first, the verdicts and score stay
    priority = [j for j in (0, 1, 7, 2, 10, 4, 5, 6, 11, 3, 8, 9) if j < len(columns)]
    print_table(console, [c for c, _ in columns], rows, justify=[j for _, j in columns],  # type: ignore[misc]
                priority=priority, always=5)
    console.print("mass, isotope: -2 ln L of the mass error (0 inside the accuracy) and of the measured peaks; "
                  "prior: -2 ln of the formula prior; rules: cost of the graded golden rules failed; "
                  "score = exp(-(mass + isotope + prior + rules)/2); misfit: relative RMS deviation of the peaks; "
                  "verdicts: golden rules 1-6 passed or failed (filters: "
                  f"{', '.join(RULE_SHORT[n] for n in query.rule_names if not (relaxed and RULE_SHORT[n] == '3')) or 'none'}"
                  f"{' (3 not applied: see the warning)' if relaxed else ''}; graded: "
                  f"{', '.join(RULE_SHORT[n] for n in query.graded_names) or 'none'})")
    if flagged:
        console.print("[yellow]some candidates sit at an element count limit: larger counts were not searched "
                      "(raise them with --max)[/yellow]")


def _rule3_warning(query) -> str:
    """The warning shown when rule 3 rejected every composition and was not applied."""
    s = query.scoring
    return (f"warning: no formula in the window passes rule 3 (isotope fit: each one's chi-square is one a true "
            f"formula reaches with p < {query.rules.isotope_p_value:g} under --intensity-error "
            f"{s.relative_intensity_error:g},{s.absolute_intensity_error:g}), so the measured peaks lie outside "
            "that error model; rule 3 is not applied as a filter and the candidates below, all failing it "
            "(verdict ✗ 3), are ranked by score, isotope fit included: check the peaks, or state a larger "
            "--intensity-error")


def _write_plot(path: Path, query, candidates) -> None:
    import matplotlib.pyplot as plt

    from gadesign_problems.molecule.plots import plot_candidate_front, plot_patterns, save_figure

    fig, axes = plt.subplots(1, 2, figsize=(12, 4.4))
    plot_candidate_front(candidates, ax=axes[0])
    best = {c.formula: c.pattern for c in candidates[:3] if c.pattern is not None}
    plot_patterns(query.pattern, best, ax=axes[1], title="isotope patterns")
    save_figure(fig, path)


# Structures (graph GA, RDKit): `gadesign molecule isomers`, `gadesign molecule draw`.
from gadesign_problems.molecule.graph_cli import register as _register_graph_commands  # noqa: E402

_register_graph_commands(app)
