"""Build problems/molecule/prior_formulas.csv, the development list the formula prior is
fitted on: the project's own list (compounds.csv beside this script, 322 compounds) and
the compounds of a clone of MassBank-data (https://github.com/MassBank/MassBank-data,
the MassBank consortium's public mass-spectral records, MassBank Europe; Horai et al.,
J. Mass Spectrom. 45:703, 2010; each record states its licence and contributor).

Usage: python make_prior_list.py PATH/TO/MassBank-data [COMMIT]

One MassBank row per compound (first 14 characters of the InChIKey; records without one by
formula + name): the record's first CH$NAME, its CH$FORMULA, its LICENSE and the
contributor folder. Only records under attribution-only licences (CC BY, CC0,
dl-de/by-2-0) are used; non-commercial and share-alike ones are left out. Kept are
neutral formulas over C, H, N, O, P, S, F, Cl, Br, I with at least one C, a
monoisotopic mass of 80-2000 Da and an integral RDBE >= 0 (no radicals, no charged
species written as formulas). Left out as well: every formula and name of the
validation set (../validation/compounds.csv) and of the twelve reference cases
(../formula_cases.json), so that the prior fitted on this list has never seen a
validation compound or one of its isomers; tests/molecule/test_prior.py checks it.
Nothing is downloaded: the clone is given on the command line.
"""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
OPEN = ("CC BY", "CC0", "dl-de/by-2-0")
ALLOWED = set("C H N O P S F Cl Br I".split())


def records(repo: str, commit: str) -> list[tuple[str, str]]:
    tree = subprocess.run(["git", "-C", repo, "ls-tree", "-r", commit], capture_output=True, text=True,
                          check=True).stdout.splitlines()
    blobs = [line.split()[2] for line in tree
             if line.split("\t")[1].endswith(".txt") and "/" in line.split("\t")[1]
             and not line.split("\t")[1].startswith(".")]
    paths = [line.split("\t")[1] for line in tree
             if line.split("\t")[1].endswith(".txt") and "/" in line.split("\t")[1]
             and not line.split("\t")[1].startswith(".")]
    out = subprocess.run(["git", "-C", repo, "cat-file", "--batch"], input="\n".join(blobs) + "\n",
                         capture_output=True, text=True, check=True, errors="replace").stdout
    texts, pos = [], 0
    for _ in blobs:
        end = out.index("\n", pos)
        size = int(out[pos:end].split()[2])
        texts.append(out[end + 1:end + 1 + size])
        pos = end + 1 + size + 1
    return list(zip(paths, texts))


def main() -> None:
    sys.path.insert(0, str(HERE.parents[3]))
    from gadesign_problems.molecule.formula import Formula, FormulaError

    repo = sys.argv[1]
    commit = sys.argv[2] if len(sys.argv) > 2 else "HEAD"
    commit = subprocess.run(["git", "-C", repo, "rev-parse", commit], capture_output=True, text=True,
                            check=True).stdout.strip()
    validation = [r for r in csv.reader(line for line in (HERE.parent / "validation" / "compounds.csv")
                                        .read_text().splitlines() if not line.startswith("#"))]
    reference = json.loads((HERE.parent / "formula_cases.json").read_text())["cases"]
    banned_formulas = {Formula(r[2]).hill for r in validation} | {Formula(c["formula"]).hill for c in reference}
    banned_names = {r[0].lower() for r in validation} | {c["name"].lower() for c in reference}
    own = [r for r in csv.reader(line for line in (HERE / "compounds.csv").read_text().splitlines()
                                 if not line.startswith("#"))]
    own_names = {r[0].lower() for r in own}          # the project's compounds once, not twice
    seen: dict[str, tuple[str, str, str, str, str]] = {}
    for path, text in records(repo, commit):
        rec: dict[str, str] = {}
        for line in text.splitlines():
            if line.startswith("PK$"):
                break
            key, _, value = line.partition(": ")
            if key == "CH$NAME" and "name" not in rec:
                rec["name"] = value.strip()
            elif key == "CH$FORMULA":
                rec["formula"] = value.strip()
            elif key == "CH$LINK" and value.startswith("INCHIKEY"):
                rec["key"] = value.split()[-1][:14]
            elif key == "LICENSE":
                rec["license"] = value.strip()
        if rec.get("license") not in OPEN or "formula" not in rec:
            continue
        key = rec.get("key") or rec["formula"] + "|" + rec.get("name", "")
        if key in seen:
            continue
        try:
            f = Formula(rec["formula"])
        except FormulaError:
            continue
        counts = f.counts
        if f.charge != 0 or not set(counts) <= ALLOWED or not counts.get("C"):
            continue
        if not 80 <= f.monoisotopic_mass <= 2000 or f.rdbe < 0 or f.rdbe != int(f.rdbe):
            continue
        if f.hill in banned_formulas or rec.get("name", "").lower() in banned_names | own_names:
            continue
        seen[key] = (key, rec.get("name", ""), f.hill, rec["license"], path.split("/")[0])
    buf = io.StringIO()
    buf.write("# Development list of the formula prior (issue 15), made by "
              "tests/data/molecule/development/make_prior_list.py; columns: name, formula (Hill), source.\n"
              f"# {len(own)} compounds of the project's list (tests/data/molecule/development/compounds.csv) and "
              f"{len(seen)} of MassBank-data commit {commit}\n"
              "# (https://github.com/MassBank/MassBank-data; MassBank consortium and its contributors): one row per "
              "compound (InChIKey first block) of the records\n"
              "# under CC BY 4.0, CC0 or dl-de/by-2-0 (attribution); source = massbank:CONTRIBUTOR:INCHIKEY14:LICENCE. "
              "No formula or name of the validation set or the 12 reference cases.\n")
    w = csv.writer(buf, lineterminator="\n")
    for name, _, formula in own:
        w.writerow((name, Formula(formula).hill, "project list"))
    for key, name, formula, licence, contributor in sorted(seen.values(), key=lambda r: (r[4], r[0])):
        w.writerow((name, formula, f"massbank:{contributor}:{'' if '|' in key else key}:{licence}"))
    (HERE.parents[3] / "problems" / "molecule" / "prior_formulas.csv").write_text(buf.getvalue())
    print(f"{len(own)} + {len(seen)} compounds written")


if __name__ == "__main__":
    main()
