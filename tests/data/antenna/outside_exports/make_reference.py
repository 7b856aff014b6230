"""Regenerate this folder's decks and nec2c numbers (run by hand, never by the tests).

    python tests/data/antenna/outside_exports/make_reference.py     # needs nec2c on PATH

For each design in ``designs.json`` (a problem, its ``--set`` parameters and a genome from
a short evolve run, named in its ``from`` field) the problem's own ``export`` writes the
design's files into a scratch folder; its NEC deck is copied here as ``<name>.nec`` and
nec2c (1.3, the Debian package: ``nec2c -i deck -o out``, run inside the folder because it
refuses a file name over 75 characters) is run on it, unchanged. ``reference.json`` keeps,
per deck and frequency, what nec2c printed: the input impedance of every source (its
ANTENNA INPUT PARAMETERS table) and the largest TOTAL gain of its RP table, with, for the
Yagi, the TOTAL gain towards +x (theta 90, phi 0) and -x (theta 90, phi 180). Nothing in
reference.json comes from our solver.
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[2] / "antenna"))  # nec2c_ref


def nec2c(deck: Path) -> list[dict]:
    """nec2c's per-frequency source impedances and gains for ``deck`` (its own text)."""
    from nec2c_ref import read_output, run_nec2c

    res = []
    for block in read_output(run_nec2c(deck.read_text())):
        row: dict = {"f_mhz_printed": block["f_mhz"], "z_ohm": [[r, x] for _, _, r, x in block["ports"]]}
        gains = block["pattern"]
        if gains is not None:
            row["max_gain_dbi"] = max(gains.values())
            if (90.0, 0.0) in gains and (90.0, 180.0) in gains:
                row["gain_plus_x_dbi"] = gains[(90.0, 0.0)]
                row["gain_minus_x_dbi"] = gains[(90.0, 180.0)]
        res.append(row)
    return res


def main() -> None:
    from gadesign.registry import make_problem

    designs = json.loads((HERE / "designs.json").read_text())
    doc = {"how": __doc__.strip(), "nec2c": "nec2c 1.3 (Debian package)", "decks": {}}
    with tempfile.TemporaryDirectory() as scratch:
        for name, d in designs.items():
            p = make_problem(d["problem"], d["params"])
            x = p.genome.from_json(d["genome"])
            ev = p.evaluate(x)
            files = p.export(x, ev, Path(scratch), name)
            deck = next(f for f in files if Path(f).suffix == ".nec")
            shutil.copy(deck, HERE / f"{name}.nec")
            doc["decks"][name] = {"deck": f"{name}.nec", "nec2c": nec2c(HERE / f"{name}.nec")}
    (HERE / "reference.json").write_text(json.dumps(doc, indent=1) + "\n")


if __name__ == "__main__":
    main()
