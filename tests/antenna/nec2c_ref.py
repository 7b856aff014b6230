"""nec2c (1.3, the Debian package) as a test-only reference engine: run a deck and read the
tables it prints. Used by the scripts that make the outside decks' and exports' reference
numbers (tests/data/antenna/outside*/make_reference.py); never imported by the package or
run by the tests."""

from __future__ import annotations

import re
import subprocess
import tempfile
from pathlib import Path


def run_nec2c(text: str) -> list[str]:
    """The lines nec2c prints for the deck ``text``. It runs in a scratch folder under short
    names: nec2c 1.3 refuses a file name over 75 characters."""
    with tempfile.TemporaryDirectory() as d:
        (Path(d) / "in.nec").write_text(text)
        subprocess.run(["nec2c", "-i", "in.nec", "-o", "out.txt"], cwd=d, check=True, capture_output=True,
                       timeout=600)
        return (Path(d) / "out.txt").read_text().splitlines()


def read_output(lines: list[str]) -> list[dict]:
    """Per frequency, in the order printed: ``f_mhz``; ``ports``, each source's
    ``(tag, segment, R, X)`` (ohm) from the ANTENNA INPUT PARAMETERS table; ``pattern``,
    ``{(theta, phi): TOTAL gain in dBi}`` from the RADIATION PATTERNS table (None where
    none was printed); ``average_gain`` where nec2c printed its average-gain test."""
    res: list[dict] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        m = re.search(r"FREQUENCY\s*:\s*([0-9.E+-]+)\s*MHz", line)
        if m:
            res.append({"f_mhz": float(m.group(1)), "ports": [], "pattern": None})
        if "ANTENNA INPUT PARAMETERS" in line:
            i += 3
            while lines[i].strip():
                t = lines[i].split()
                res[-1]["ports"].append((int(t[0]), int(t[1]), float(t[6]), float(t[7])))
                i += 1
            continue
        if "RADIATION PATTERNS" in line:
            i += 5
            pattern: dict[tuple[float, float], float] = {}
            while i < len(lines) and re.match(r"^\s*-?[0-9]", lines[i]):
                t = lines[i].split()
                pattern[(float(t[0]), float(t[1]))] = float(t[4])
                i += 1
            res[-1]["pattern"] = pattern
            continue
        if "AVERAGE POWER GAIN" in line:
            res[-1]["average_gain"] = float(line.split()[3])
        i += 1
    return res
