"""The HTML report in a real browser (issue 18, point 1).

Small real runs of each plugin family (a test function, a truss, an antenna, a molecule)
are reported with ``gadesign report`` and opened in one headless Debian ``chromium``
session driven over the DevTools protocol (tests/engine/cdp.py). From the DOM: one table
row per front member, sorting by a column header puts the rows in order (both ways),
every image has loaded, the page made no request outside the file (network log and
Content-Security-Policy violations), and at a phone's width nothing but the tables
scrolls sideways. With GADESIGN_SCREENSHOTS=DIR the pages are also saved as PNGs
(docs/screenshots/report-*.png come from there)."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from cdp import Browser, find_chromium

CHROMIUM = find_chromium()
pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(CHROMIUM is None, reason="no chromium on PATH (.ci/run installs Debian's chromium "
                                 "when it runs as root with apt-get; elsewhere: apt-get install chromium)")]

RUNS = {  # family -> evolve arguments (a few seconds each)
    "testfunction": ["tnk", "--pop", "24", "--generations", "10"],
    "truss": ["truss-10bar", "--pop", "16", "--generations", "4"],
    "antenna": ["antenna-crooked-wire", "--pop", "8", "--generations", "2"],
    "molecule": ["molecule-isomers", "--set", "formula='C6H14'", "--pop", "10", "--generations", "3"],
}


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    from gadesign.cli import main

    root = tmp_path_factory.mktemp("reports")
    out = {}
    for family, args in RUNS.items():
        run = root / family
        assert main(["evolve", *args, "--seed", "1", "-q", "--out", str(run),
                     "--description", f"small {family} run for the browser test"]) == 0
        assert main(["report", str(run), "--designs", "2"]) == 0
        out[family] = run
    return out


def test_reports_in_headless_chromium(reports):
    shots = os.environ.get("GADESIGN_SCREENSHOTS")
    with Browser(CHROMIUM) as browser:
        page = browser.page()
        for family, run in reports.items():
            html = (run / "report.html").read_text()
            members = json.loads((run / "front.json").read_text())["members"]
            # static: no address outside the file in any src or href
            assert not re.search(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:|//|ftp:)""", html, re.I), family
            page.send("Emulation.setDeviceMetricsOverride", {"width": 1100, "height": 900, "deviceScaleFactor": 1,
                                                             "mobile": False})
            page.goto((run / "report.html").as_uri())
            assert page.js("document.documentElement.lang") == "en"
            assert page.js("document.querySelectorAll('#front-table tbody tr').length") == len(members), family
            images = page.js("Array.from(document.images).map(i => [i.complete && i.naturalWidth > 0, i.alt])")
            assert len(images) >= 2 + (family != "testfunction"), (family, len(images))  # design pictures too
            assert all(ok and alt for ok, alt in images), (family, images)
            # sort by the first objective: click, read the column back; click again: descending
            read = ("Array.from(document.querySelectorAll('#front-table tbody tr'))"
                    ".map(r => parseFloat(r.cells[1].dataset.v))")
            page.js("document.querySelectorAll('#front-table thead th button')[1].click()")
            up = page.js(read)
            assert up == sorted(up) and len(up) == len(members)
            assert page.js("document.querySelectorAll('#front-table thead th')[1].getAttribute('aria-sort')") \
                == "ascending"
            page.js("document.querySelectorAll('#front-table thead th button')[1].click()")
            down = page.js(read)
            assert down == sorted(up, reverse=True)
            page.js("document.querySelectorAll('#front-table thead th button')[0].click()")
            assert page.js(read.replace("cells[1]", "cells[0]")) == list(range(len(members)))
            # nothing left the file
            outside = [u for u in page.requests() if not u.startswith(("file:", "data:"))]
            assert outside == [], (family, outside)
            assert page.js("window.__cspViolations") == [], family
            if shots:
                Path(shots).mkdir(parents=True, exist_ok=True)
                (Path(shots) / f"report-{family}.png").write_bytes(page.screenshot(1000))
            # a phone: only the tables' own boxes scroll sideways, never the page
            page.send("Emulation.setDeviceMetricsOverride", {"width": 390, "height": 844, "deviceScaleFactor": 1,
                                                             "mobile": True})
            page.goto((run / "report.html").as_uri())
            assert page.js("document.documentElement.scrollWidth <= window.innerWidth + 1"), family
            if shots:
                (Path(shots) / f"report-{family}-phone.png").write_bytes(page.screenshot(390, 844, mobile=True))


def test_the_network_check_can_fail(reports, tmp_path):
    """Control: a report edited to load an outside image is caught twice over (the CSP
    violation, and the request in the network log); without the CSP meta tag the
    network log alone still sees it. So the checks above are not vacuous."""
    html = (reports["testfunction"] / "report.html").read_text()
    outside_img = '<img src="http://192.0.2.1/x.png" alt="outside"></main>'
    bad = tmp_path / "bad.html"
    bad.write_text(html.replace("</main>", outside_img))
    no_csp = tmp_path / "no-csp.html"
    no_csp.write_text(re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "", html)
                      .replace("</main>", outside_img))
    with Browser(CHROMIUM) as browser:
        page = browser.page()
        page.goto(bad.as_uri())
        assert any("192.0.2.1" in v for v in page.js("window.__cspViolations"))
        assert "http://192.0.2.1/x.png" in page.requests()
        page.goto(no_csp.as_uri())
        assert page.js("window.__cspViolations") == []
        assert "http://192.0.2.1/x.png" in page.requests()
