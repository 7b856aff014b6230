"""Run archives (issue 18, point 4): `export --archive` holds everything its README names,
`show`/`report` read the zip directly, CITATION.cff validates against the CFF 1.2.0
schema (tests/data/cff), the README's reproduction recipe gives the same front, and
crafted or broken archives are one error line with nothing written."""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.fixture(scope="module")
def archived(tmp_path_factory):
    from gadesign.cli import main

    root = tmp_path_factory.mktemp("archive")
    run = root / "tnk-run"
    assert main(["evolve", "tnk", "--pop", "16", "--generations", "5", "--seed", "3", "-q", "--out", str(run),
                 "--description", "TNK, a small constrained front", "--cite", "https://doi.org/10.1007/3-540-61723-X_1022"]) == 0
    target = root / "share" / "tnk.zip"
    assert main(["export", str(run), "--archive", str(target), "--author", "Ada Lovelace"]) == 0
    return run, target


def call(capsys, *args: str) -> tuple[int, str, str]:
    from gadesign.cli import main

    capsys.readouterr()
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_archive_holds_everything_its_readme_names(archived, tmp_path):
    _, target = archived
    with zipfile.ZipFile(target) as zf:
        zf.extractall(tmp_path)
    (folder,) = [p for p in tmp_path.iterdir() if p.is_dir()]
    readme = (folder / "README.md").read_text()
    files_section = readme.split("## Files", 1)[1].split("##", 1)[0]
    named = re.findall(r"^- `([^`]+)`", files_section, flags=re.M)
    present = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
    assert sorted(named) == present
    for required in ("run.json", "config.json", "config.toml", "front.json", "front.csv", "logbook.csv",
                     "plots/front.png", "plots/convergence.png", "report.html", "CITATION.cff", "README.md"):
        assert required in named, required
    assert "gadesign evolve --config config.toml --out rerun" in readme
    card = json.loads((folder / "run.json").read_text())
    assert card["description"] == "TNK, a small constrained front" and card["seed"] == 3


def test_readme_recipe_reproduces_the_front(archived, tmp_path, cli):
    _, target = archived
    with zipfile.ZipFile(target) as zf:
        zf.extractall(tmp_path)
    (folder,) = [p for p in tmp_path.iterdir() if p.is_dir()]
    res = cli("evolve", "--config", "config.toml", "--out", "rerun", "-q", cwd=folder)
    assert res.returncode == 0, res.stderr
    assert (folder / "rerun" / "front.json").read_bytes() == (folder / "front.json").read_bytes()


def test_citation_cff_validates_against_the_cff_1_2_0_schema(archived):
    jsonschema = pytest.importorskip("jsonschema")
    yaml = pytest.importorskip("yaml")
    _, target = archived
    with zipfile.ZipFile(target) as zf:
        name = next(n for n in zf.namelist() if n.endswith("/CITATION.cff"))
        cff = yaml.safe_load(zf.read(name).decode("utf-8"))
    schema = json.loads((DATA / "cff" / "schema-1.2.0.json").read_text())
    jsonschema.Draft7Validator(schema, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER).validate(cff)
    assert cff["cff-version"] == "1.2.0" and cff["doi"] == "10.1007/3-540-61723-X_1022"
    assert cff["authors"] == [{"name": "Ada Lovelace"}] and cff["type"] == "dataset"
    # the schema is really checked: a CFF without authors fails
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft7Validator(schema).validate({k: v for k, v in cff.items() if k != "authors"})


def test_show_and_report_read_the_archive(archived, capsys, tmp_path):
    run, target = archived
    code, out, err = call(capsys, "show", str(target))
    assert code == 0, err
    assert "tnk" in out and "tnk.zip" in out
    code, out, err = call(capsys, "show", str(target), "--json")
    assert code == 0, err
    doc = json.loads(out)
    assert doc["front"]["members"] == json.loads((run / "front.json").read_text())["members"]
    assert doc["card"]["description"] == "TNK, a small constrained front"
    html = tmp_path / "from-zip.html"
    code, out, err = call(capsys, "report", str(target), "-o", str(html), "--designs", "0")
    assert code == 0, err
    text = html.read_text()
    assert text.count('<tr id="m-') == len(doc["front"]["members"]) and "TNK, a small constrained front" in text


def _zip(path: Path, entries: dict[str, bytes], **kw) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, **kw) as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    return path


@pytest.mark.parametrize("case, expect", [
    ("traversal", "points outside the archive"),
    ("absolute", "absolute"),
    ("bomb", "zip bomb"),
    ("not-zip", "neither a run directory nor a zip archive"),
    ("truncated", "zip"),
    ("foreign", "not a gadesign run archive"),
    ("missing", "no such run directory or archive"),
])
def test_bad_archives_are_one_error_line(archived, capsys, tmp_path, case, expect):
    _, good = archived
    work = tmp_path / "work"
    work.mkdir()
    path = work / "bad.zip"
    if case == "traversal":
        _zip(path, {"run/config.json": b"{}", "../../evil.txt": b"x"})
    elif case == "absolute":
        _zip(path, {"/tmp/evil-gadesign.txt": b"x"})
    elif case == "bomb":
        _zip(path, {"run/front.json": b"\0" * (64 * 2**20)})
    elif case == "not-zip":
        path.write_text("just text\n")
    elif case == "truncated":
        path.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    elif case == "foreign":
        _zip(path, {"notes/readme.txt": b"hello"})
    else:
        path = work / "none.zip"
    before = sorted(p.name for p in tmp_path.rglob("*"))
    for command in (["show", str(path)], ["report", str(path), "-o", str(tmp_path / "r.html")]):
        code, _, err = call(capsys, *command)
        lines = [ln for ln in err.splitlines() if ln.strip()]
        assert code == 2 and len(lines) == 1 and lines[0].startswith("error:"), err
        assert expect in lines[0], lines[0]
    assert sorted(p.name for p in tmp_path.rglob("*")) == before  # nothing written, nothing unpacked beside
    assert not (tmp_path.parent / "evil.txt").exists() and not Path("/tmp/evil-gadesign.txt").exists()


def test_export_archive_refuses_a_missing_run_and_a_wrong_suffix(capsys, tmp_path, archived):
    run, _ = archived
    code, _, err = call(capsys, "export", str(tmp_path / "nope"), "--archive", str(tmp_path / "a.zip"))
    assert code == 2 and err.count("error:") == 1 and not (tmp_path / "a.zip").exists()
    code, _, err = call(capsys, "export", str(run), "--archive", str(tmp_path / "a.tar"))
    assert code == 2 and ".zip" in err and not (tmp_path / "a.tar").exists()
