"""Redraw the screenshots in docs/screenshots/ with the current code (issue 12, point 3).

    python docs/screenshots/make.py        # from the repository root, about a minute

Runs the commands a user would and copies what they draw: the convergence plot of a TNK
run (title, hypervolume units, reference point), the 3-objective front of a DTLZ2 run
(NSGA-III), the antenna summary figure of the 3-element Yagi reference deck, and the
`gadesign truss analyze` tables of the 10-bar truss (terminal text drawn as an image, so
the units in brackets and the file's node numbering can be seen).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]


def gadesign(*args: str, cwd: Path) -> str:
    res = subprocess.run([sys.executable, "-m", "gadesign", *args], cwd=cwd, capture_output=True, text=True,
                         env={"COLUMNS": "100", "PATH": "/usr/bin:/bin"}, check=True)
    return res.stdout


def text_png(text: str, path: Path) -> None:
    """Terminal text as a PNG (monospace, as a terminal shows it)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    lines = text.rstrip("\n").split("\n")
    width = max(len(line) for line in lines)
    fig = plt.figure(figsize=(0.075 * width + 0.4, 0.17 * len(lines) + 0.4))
    fig.patch.set_facecolor("#1e1e1e")
    fig.text(0.02, 0.98, "\n".join(lines), family="DejaVu Sans Mono", fontsize=9, color="#e8e8e8",
             va="top", ha="left", linespacing=1.25)
    fig.savefig(path, dpi=110, facecolor=fig.get_facecolor())
    plt.close(fig)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        gadesign("evolve", "tnk", "--pop", "40", "--generations", "60", "--seed", "1", "-q", "--out", "tnk", cwd=work)
        shutil.copyfile(work / "tnk" / "plots" / "convergence.png", HERE / "convergence.png")
        gadesign("evolve", "dtlz2", "--algorithm", "nsga3", "--pop", "92", "--generations", "100", "--seed", "1",
                 "-q", "--out", "dtlz2", cwd=work)
        shutil.copyfile(work / "dtlz2" / "plots" / "front.png", HERE / "front-3-objectives.png")
        gadesign("antenna", "simulate", str(ROOT / "tests/data/antenna/decks/yagi3_tn688.nec"),
                 "--plot", str(HERE / "antenna-summary.png"), cwd=work)
        table = gadesign("truss", "analyze", str(ROOT / "tests/data/truss/tenbar.json"), cwd=work)
        text_png(table, HERE / "truss-analyze.png")
    for name in ("convergence.png", "front-3-objectives.png", "antenna-summary.png", "truss-analyze.png"):
        print(f"wrote {HERE / name}")


if __name__ == "__main__":
    main()
