"""``gadesign antenna ...``: simulate a NEC deck, convert between NEC and JSON.

Mounted by the engine's CLI through the ``gadesign.commands`` entry point ``antenna``.
Errors are :class:`~gadesign.errors.GadesignError` (``DeckError``, ``GeometryError``);
the engine prints them as one red line and exits with code 2. Heavy imports (numpy
solver, scikit-rf, matplotlib) happen inside the commands.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Optional

import typer

app = typer.Typer(name="antenna", help="Wire antennas: simulate NEC-2 decks (thin-wire method of moments), "
                  "check their mesh convergence, convert between NEC and JSON geometry.", no_args_is_help=True,
                  add_completion=False,
                  pretty_exceptions_enable=False, rich_markup_mode=None)


def _pattern_grid(ant: Any) -> tuple[Any, Any]:
    """Directions of the deck's RP cards, or a 5-degree grid over the radiating region."""
    import numpy as np

    from gadesign_problems.antenna.wires import PatternRequest

    pats = ant.patterns or (PatternRequest(19 if ant.ground else 37, 73, 0.0, 0.0, 5.0, 5.0),)
    th = np.concatenate([p.grid()[0] for p in pats])
    ph = np.concatenate([p.grid()[1] for p in pats])
    return th, ph


def simulate_results(ant: Any, z0: float = 50.0) -> tuple[Any, list[dict[str, Any]]]:
    """Solve at the antenna's frequencies; one summary record per frequency."""
    from gadesign_problems.antenna.nec import DeckError

    if not ant.frequencies:
        raise DeckError("the deck has no FR card (no frequency to simulate)")
    sol = ant.solve()
    z = sol.impedance
    _check_finite(ant, sol.frequencies, z)
    th, ph = _pattern_grid(ant)
    gmax, gdir = sol.max_gain(th, ph)
    agt = sol.average_gain()
    v = sol.vswr(z0)
    out = []
    for i, f in enumerate(sol.frequencies):
        rec: dict[str, Any] = {
            "frequency_hz": float(f),
            "impedance_ohm": [float(z[i, 0].real), float(z[i, 0].imag)],
            "vswr": float(v[i, 0]) if v[i, 0] < 1e30 else 1e30,
            "reference_ohm": z0,
            "max_gain_dbi": float(gmax[i]),
            "max_gain_direction_deg": [float(gdir[i, 0]), float(gdir[i, 1])],
            "average_gain": float(agt[i]),
            "efficiency": float(sol.efficiency[i]),
        }
        if z.shape[1] > 1:
            rec["port_impedances_ohm"] = [[float(x.real), float(x.imag)] for x in z[i]]
        out.append(rec)
    return sol, out


def _check_finite(ant: Any, frequencies: Any, z: Any) -> None:
    """Refuse a solution whose port impedance is not finite (the solver's numbers left
    double precision: extreme loads, or segments tens of thousands of radii long), naming
    the first such frequency, instead of printing NaN or failing in the JSON writer."""
    import numpy as np

    from gadesign_problems.antenna.wires import GeometryError

    z = np.asarray(z)
    bad = ~np.isfinite(z).reshape(len(z), -1).all(axis=1)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        ratio = max(w.length / (w.segments * ant.refinement) / w.radius for w in ant.wires)
        raise GeometryError(f"the solution at {frequencies[i] / 1e6:.6g} MHz is not finite (impedance NaN or "
                            f"infinite): the structure is outside what the solver computes (longest segment "
                            f"{ratio:.3g} wire radii; loads or wire conductivity far out of range?)")


@app.command()
def simulate(
    deck: Path = typer.Argument(..., help="NEC-2 deck (.nec) or JSON geometry (.json) to simulate."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object instead of a table."),
    touchstone: Optional[str] = typer.Option(None, "--touchstone", metavar="FILE.sNp", help="Write the port S-parameters "
                                              "to this Touchstone file (.s1p for one source)."),
    pattern: Optional[str] = typer.Option(None, "--pattern", metavar="FILE", help="Write the gain pattern on the deck's "
                                           "RP grid to this CSV file."),
    plot: Optional[str] = typer.Option(None, "--plot", metavar="FILE", help="Write a PNG of the geometry coloured by "
                                        "current and the pattern cuts at the first frequency."),
    z0: float = typer.Option(50.0, "--z0", help="Reference impedance (ohm) for VSWR and S-parameters."),
    end_caps: bool = typer.Option(True, "--end-caps/--hollow-ends", help="Solid wires (default): a flat cap carries "
                                  "charge at every free wire end, as NEC-2 models them; --hollow-ends: open tubes, "
                                  "the current vanishing at the end."),
) -> None:
    """Print input impedance, VSWR and gain at every FR frequency of DECK."""
    from gadesign import options
    from gadesign.paths import check_output_file, check_touchstone, output_guard
    from gadesign_problems.antenna.wires import as_antenna

    options.positive(z0, "--z0", " ohm")
    # every output checked before the solve: a bad path costs nothing
    touchstone = check_touchstone(touchstone) if touchstone is not None else None
    pattern = check_output_file(pattern, "--pattern") if pattern is not None else None
    plot = check_output_file(plot, "--plot", figure=True) if plot is not None else None
    seen = {Path(deck).resolve(): "the input deck"}
    for option, path in (("--touchstone", touchstone), ("--pattern", pattern), ("--plot", plot)):
        if path is not None:
            if path.resolve() in seen:
                from gadesign_problems.antenna.nec import DeckError
                raise DeckError(f"{option} {path}: the same file as {seen[path.resolve()]}; give each output its "
                                "own name")
            seen[path.resolve()] = option
    ant = as_antenna(deck)
    if touchstone is not None and touchstone.suffix.lower() != f".s{len(ant.sources)}p":
        from gadesign_problems.antenna.nec import DeckError     # before the solve, not after it
        n = len(ant.sources)
        raise DeckError(f"{touchstone}: the deck has {n} source{'s' * (n > 1)} ({n} port{'s' * (n > 1)}): "
                        f"a {n}-port antenna needs a .s{n}p file name")
    if end_caps != ant.end_caps:
        from dataclasses import replace

        ant = replace(ant, end_caps=end_caps)
    sol, results = simulate_results(ant, z0)
    if touchstone is not None:
        from gadesign_problems.antenna.network import write_touchstone

        with output_guard(touchstone, "--touchstone"):
            write_touchstone(sol, touchstone, z0=z0)
    if pattern is not None:
        with output_guard(pattern, "--pattern"):
            _write_pattern(sol, ant, pattern)
    if plot is not None:
        from gadesign_problems.antenna.plots import plot_summary, save

        with output_guard(plot, "--plot"):
            save(plot_summary(ant, sol), plot)
    if as_json:
        typer.echo(json.dumps({"deck": str(deck), "results": results}, allow_nan=False))
        return
    from rich.console import Console

    from gadesign.tables import print_table

    rows = []
    for r in results:
        R, X = r["impedance_ohm"]
        rows.append([f"{r['frequency_hz'] / 1e6:.6g}", f"{R:.3f} {'+' if X >= 0 else '-'} j{abs(X):.3f}",
                     f"{r['vswr']:.4g}", f"{r['max_gain_dbi']:.3f}",
                     f"{r['max_gain_direction_deg'][0]:g}, {r['max_gain_direction_deg'][1]:g}",
                     f"{r['average_gain']:.4f}"])
    print_table(Console(highlight=False),
                ["f (MHz)", "Z (ohm)", f"VSWR/{z0:g}", "max gain (dBi)", "at theta, phi (deg)", "avg gain"], rows,
                title=f"{deck}  ({ant!r})", always=3)


def _write_pattern(sol: Any, ant: Any, path: Path) -> None:
    from gadesign.atomic import atomic_write_text
    from gadesign_problems.antenna.export import pattern_csv

    th, ph = _pattern_grid(ant)
    atomic_write_text(path, pattern_csv(sol, th, ph))


@app.command()
def convert(
    source: Path = typer.Argument(..., help="Input: a NEC-2 deck (.nec) or JSON geometry (.json)."),
    target_path: str = typer.Argument(..., metavar="TARGET",
                                      help="Output: .nec or .json (the format follows the suffix)."),
) -> None:
    """Convert an antenna between NEC-2 decks and gadesign's JSON geometry."""
    from gadesign.paths import check_output_file, output_guard
    from gadesign_problems.antenna.wires import as_antenna

    target = check_output_file(target_path, "TARGET", suffixes=(".nec", ".json"))
    if Path(source).resolve() == target.resolve():
        from gadesign_problems.antenna.nec import DeckError
        raise DeckError(f"{target}: the output would overwrite the input; choose another name")
    ant = as_antenna(source)
    with output_guard(target, "TARGET"):
        if target.suffix.lower() == ".nec":
            ant.to_nec(target)
        else:
            ant.to_json(target)
    typer.echo(f"wrote {target}")


def _float_list(text: str, option: str) -> list[float]:
    """``"7.2,8.47"`` -> floats (an ``error:`` line for anything else)."""
    from gadesign_problems.antenna.wires import GeometryError

    try:
        vals = [float(t) for t in text.split(",")]
    except ValueError:
        raise GeometryError(f"{option} must be comma-separated numbers, got {text!r}") from None
    if not vals or not all(v > 0 and v < float("inf") for v in vals):
        raise GeometryError(f"{option} must be positive finite numbers, got {text!r}")
    return vals


def _angle_range(text: str, option: str) -> Any:
    """``"40:80:5"`` (start:stop:step, degrees, stop included) or ``"60"`` -> angles."""
    import numpy as np

    from gadesign_problems.antenna.wires import GeometryError

    try:
        parts = [float(t) for t in text.split(":")]
    except ValueError:
        parts = []
    if parts and all(np.isfinite(parts[:2])) and max(abs(p) for p in parts[:2]) > 360:
        # sin and cos of 1e300 degrees are noise; no direction needs more than one turn
        raise GeometryError(f"{option} {text!r}: angles must lie within -360 .. 360 degrees")
    if len(parts) == 1 and np.isfinite(parts[0]):
        return np.array(parts)
    if len(parts) != 3 or not all(np.isfinite(parts)) or parts[2] <= 0 or parts[1] < parts[0]:
        raise GeometryError(f"{option} must be START:STOP:STEP in degrees (STEP > 0, STOP >= START) or one "
                            f"angle, got {text!r}")
    n = int(np.floor((parts[1] - parts[0]) / parts[2] + 1e-9)) + 1
    if n > 100_000:
        raise GeometryError(f"{option} {text!r} asks for {n} angles (at most 100000)")
    return parts[0] + parts[2] * np.arange(n)


@app.command()
def converge(
    deck: Path = typer.Argument(..., help="NEC-2 deck (.nec) or JSON geometry (.json)."),
    levels: str = typer.Option("1,2,4", "--levels", help="Refinements to solve: every segment cut into k pieces "
                               "(feeds keep their gap), comma-separated increasing integers."),
    freq: Optional[str] = typer.Option(None, "--freq", metavar="MHZ[,MHZ...]",
                                       help="Frequencies in MHz (default: the deck's FR card)."),
    theta: Optional[str] = typer.Option(None, "--theta", metavar="START:STOP:STEP",
                                        help="Polar angles (deg) for max gain / min RHCP (default: the deck's RP "
                                        "grid or a 5-degree grid)."),
    phi: Optional[str] = typer.Option(None, "--phi", metavar="START:STOP:STEP",
                                      help="Azimuths (deg) for max gain / min RHCP (default as --theta)."),
    z0: float = typer.Option(50.0, "--z0", help="Reference impedance (ohm) for VSWR."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object instead of a table."),
    end_caps: bool = typer.Option(True, "--end-caps/--hollow-ends", help="Solid wires (default): a flat cap carries "
                                  "charge at every free wire end, as NEC-2 models them; --hollow-ends: open tubes, "
                                  "the current vanishing at the end."),
) -> None:
    """Solve DECK at increasing mesh refinements and print Z, VSWR, max gain and min RHCP
    per level, with the change between the last two levels (the discretisation error)."""
    import numpy as np

    from gadesign import options
    from gadesign_problems.antenna.convergence import converge as run, parse_levels
    from gadesign_problems.antenna.wires import as_antenna

    options.positive(z0, "--z0", " ohm")
    lv = parse_levels(levels)
    freqs = [1e6 * f for f in _float_list(freq, "--freq")] if freq is not None else None
    if freqs is not None:        # a deck's FR cards are held to the same limit
        from gadesign.limits import LimitError
        from gadesign_problems.antenna.wires import GeometryError, check_sizes

        try:
            check_sizes(frequencies=len(freqs))
        except LimitError as exc:
            raise GeometryError(f"--freq: {exc}") from None
    th_sel = _angle_range(theta, "--theta") if theta is not None else None
    ph_sel = _angle_range(phi, "--phi") if phi is not None else None
    ant = as_antenna(deck)
    if end_caps != ant.end_caps:
        from dataclasses import replace

        ant = replace(ant, end_caps=end_caps)
    if freqs is None and not ant.frequencies:
        from gadesign_problems.antenna.nec import DeckError
        raise DeckError("the deck has no FR card: give --freq")
    th, ph = _pattern_grid(ant)
    if th_sel is not None or ph_sel is not None:
        t_ = th_sel if th_sel is not None else np.unique(th)
        p_ = ph_sel if ph_sel is not None else np.unique(ph)
        th, ph = (a.ravel() for a in np.meshgrid(t_, p_, indexing="ij"))
    conv = run(ant, lv, freqs, z0=z0, theta=th, phi=ph)
    for level in conv.levels:
        _check_finite(ant.refined(level.refinement), conv.frequencies, level.impedance)
    if as_json:
        typer.echo(json.dumps({"deck": str(deck), **conv.to_dict()}, allow_nan=False))
        return
    from rich.console import Console

    from gadesign.tables import print_table

    rows = []
    for level in conv.levels:
        for i, f in enumerate(conv.frequencies):
            z = level.impedance[i]
            rows.append([f"x{level.refinement}", str(level.segments), f"{f / 1e6:.6g}",
                         f"{z.real:.3f} {'+' if z.imag >= 0 else '-'} j{abs(z.imag):.3f}", f"{level.vswr[i]:.4g}",
                         f"{level.max_gain_dbi[i]:.3f}", f"{level.min_rhcp_dbic[i]:.3f}", f"{level.seconds:.2f}"])
    print_table(Console(highlight=False), ["level", "segments", "f (MHz)", "Z (ohm)", f"VSWR/{z0:g}",
                                           "max gain (dBi)", "min RHCP (dBic)", "time (s)"], rows,
                title=f"{deck}  ({ant!r}): convergence over {len(th)} directions", always=4)
    c = conv.change()
    if len(conv.levels) > 1:
        a, b = conv.levels[-2].refinement, conv.levels[-1].refinement
        typer.echo(f"change x{a} -> x{b}: |dZ|/|Z| {100 * c['impedance_rel']:.3g}%, VSWR {c['vswr']:.3g}, "
                   f"max gain {c['max_gain_db']:.3g} dB, min RHCP {c['min_rhcp_db']:.3g} dB")
