"""`gadesign report` without a browser (issue 18): the page is self-contained and
accessible, has one row per member, uses the plugin's report_figures hook, falls back to
the PNGs a plugin exported, and never overwrites a run's own files."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest


class Collect(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


@pytest.fixture(scope="module")
def truss_run(tmp_path_factory):
    from gadesign.cli import main

    run = tmp_path_factory.mktemp("report") / "truss"
    assert main(["evolve", "truss-10bar", "--pop", "12", "--generations", "2", "--seed", "2", "-q", "--out", str(run)]) == 0
    return run


def test_report_is_self_contained_and_accessible(truss_run, capsys):
    from gadesign.cli import main

    assert main(["report", str(truss_run)]) == 0
    html = (truss_run / "report.html").read_text()
    parser = Collect()
    parser.feed(html)
    tags = parser.tags
    assert ("html", {"lang": "en"}) in tags
    metas = [a for t, a in tags if t == "meta"]
    assert any(a.get("name") == "viewport" and "width=device-width" in (a.get("content") or "") for a in metas)
    csp = [a["content"] for a in metas if a.get("http-equiv") == "Content-Security-Policy"]
    assert csp and "default-src 'none'" in csp[0] and "img-src data:" in csp[0]
    for tag, attrs in tags:
        for key in ("src", "href"):
            value = attrs.get(key)
            if value is not None:
                assert value.startswith(("data:image/png;base64,", "#")), (tag, value[:60])
        if tag == "img":
            assert attrs.get("alt"), attrs
    front = json.loads((truss_run / "front.json").read_text())
    assert len(re.findall(r'<tr id="m-\d+"', html)) == len(front["members"])
    assert all(a.get("scope") in ("col", "row") for t, a in tags if t == "th")
    # the truss plugin's report_figures drew each chosen design
    assert "members coloured by stress ratio" in html
    # inline data is the run's own front
    data = re.search(r'<script type="application/json" id="gadesign-data">(.*?)</script>', html, re.S).group(1)
    assert json.loads(data)["front"] == front


def test_without_the_hook_the_exported_pngs_are_shown(tmp_path):
    from gadesign.report import member_figures

    designs = tmp_path / "designs"
    designs.mkdir()
    png = Path(__file__).resolve().parents[2] / "docs" / "screenshots" / "convergence.png"
    (designs / "member-003-drawing.png").write_bytes(png.read_bytes())
    (designs / "member-004.png").write_bytes(png.read_bytes())
    pictures = member_figures(object(), tmp_path, 3, {})
    assert [t for t, _ in pictures] == ["drawing"] and pictures[0][1].startswith("data:image/png;base64,iVBOR")


@pytest.mark.parametrize("target", ["run.json", "config.toml", "front.json"])
def test_commands_never_overwrite_the_card_or_config(truss_run, capsys, target):
    from gadesign.cli import main

    before = (truss_run / target).read_bytes()
    assert main(["export", str(truss_run), "-o", str(truss_run / target)]) == 2
    assert "part of the run" in capsys.readouterr().err
    assert (truss_run / target).read_bytes() == before
