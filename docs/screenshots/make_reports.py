"""Screenshots of real `gadesign report` pages in headless chromium (issue 18).

    python docs/screenshots/make_reports.py     # from the repository root, a few minutes

Runs the commands below in a temporary folder, writes each run's report and photographs
it with Debian's chromium (driven by tests/engine/cdp.py) into docs/screenshots/:
report-*.png at 1000 px wide (the top of the page, card, convergence, front, table and
the first designs) and report-zdt1-phone.png at a phone's 390 px.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT / "tests" / "engine"))

RUNS = {
    "zdt1": ["zdt1", "--pop", "40", "--generations", "60", "--seed", "1",
             "--description", "ZDT1 with NSGA-II, 40 x 60"],
    "antenna": ["antenna-crooked-wire", "--pop", "16", "--generations", "6", "--seed", "1",
                "--description", "crooked-wire GPS antenna, a short run"],
    "truss": ["truss-10bar", "--pop", "40", "--generations", "40", "--seed", "1",
              "--description", "10-bar truss, minimum weight"],
    "molecule": ["molecule-isomers", "--set", "formula='C7H16'", "--pop", "30", "--generations", "10", "--seed", "1",
                 "--description", "heptane isomers ranked by QED"],
}


def gadesign(*args: str, cwd: Path) -> None:
    subprocess.run([sys.executable, "-m", "gadesign", *args], cwd=cwd, check=True)


def main() -> None:
    from cdp import Browser, find_chromium

    chromium = find_chromium()
    if chromium is None:
        sys.exit("no chromium on PATH (apt-get install chromium)")
    with tempfile.TemporaryDirectory() as tmp, Browser(chromium) as browser:
        work = Path(tmp)
        page = browser.page()
        for name, args in RUNS.items():
            gadesign("evolve", *args, "-q", "--out", name, cwd=work)
            gadesign("report", name, "--designs", "3", cwd=work)
            page.goto((work / name / "report.html").as_uri())
            (HERE / f"report-{name}.png").write_bytes(page.screenshot(1000, 1700))
            if name == "zdt1":
                page.goto((work / name / "report.html").as_uri())
                (HERE / "report-zdt1-phone.png").write_bytes(page.screenshot(390, 844, mobile=True))
            print(f"docs/screenshots/report-{name}.png")


if __name__ == "__main__":
    main()
