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
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent


def nec2c(deck: Path) -> list[dict]:
    """nec2c's per-frequency source impedances and gains for ``deck`` (its own text)."""
    with tempfile.TemporaryDirectory() as d:
        shutil.copy(deck, Path(d) / "in.nec")
        subprocess.run(["nec2c", "-i", "in.nec", "-o", "out.txt"], cwd=d, check=True, capture_output=True,
                       timeout=600)
        lines = (Path(d) / "out.txt").read_text().splitlines()
    res: list[dict] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        m = re.search(r"FREQUENCY\s*:\s*([0-9.E+-]+)\s*MHz", line)
        if m:
            res.append({"f_mhz_printed": float(m.group(1)), "z_ohm": []})
        if "ANTENNA INPUT PARAMETERS" in line:
            i += 3
            while lines[i].strip():
                t = lines[i].split()
                res[-1]["z_ohm"].append([float(t[6]), float(t[7])])
                i += 1
            continue
        if "RADIATION PATTERNS" in line:
            i += 5
            gains = {}
            while i < len(lines) and re.match(r"^\s*-?[0-9]", lines[i]):
                t = lines[i].split()
                gains[(float(t[0]), float(t[1]))] = float(t[4])
                i += 1
            res[-1]["max_gain_dbi"] = max(gains.values())
            if (90.0, 0.0) in gains and (90.0, 180.0) in gains:
                res[-1]["gain_plus_x_dbi"] = gains[(90.0, 0.0)]
                res[-1]["gain_minus_x_dbi"] = gains[(90.0, 180.0)]
            continue
        i += 1
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
