"""Build problems/molecule/prior_formulas.csv, the development list the formula prior is
fitted on: the project's own list (compounds.csv beside this script, 322 compounds) and
the compounds of a clone of MassBank-data (https://github.com/MassBank/MassBank-data,
the MassBank consortium's public mass-spectral records, MassBank Europe; Horai et al.,
J. Mass Spectrom. 45:703, 2010; each record states its licence and contributor).

Usage: python make_prior_list.py PATH/TO/MassBank-data [COMMIT] [--human-gem PATH/TO/Human-GEM [COMMIT]]

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

With ``--human-gem PATH/TO/Human-GEM [COMMIT]`` the metabolites of Human-GEM are added
(https://github.com/SysBioChalmers/Human-GEM, the consensus genome-scale metabolic model
of human metabolism; Robinson et al., Sci. Signal. 13:eaaz1482, 2020; CC BY 4.0), one row
per metabolite (its id without the compartment): MassBank's compounds are mostly drugs,
pesticides and natural products, and 622 of its 863 phosphorus compounds come from one
contributor's oxidised-phospholipid library, so without a metabolic list nucleotides,
cofactors and CoA esters have almost no share. The neutral formula is the standard InChI's
formula layer where the model gives an InChI (metabolites with a charge layer ``/q``, such
as quaternary ammonium ions, are left out), else the model's formula with one H added per
negative charge (the model writes the pH 7.3 species). The same filters and exclusions as
for MassBank apply, and a metabolite already listed (same InChIKey first block or name) is
not listed twice.

With ``--tox21 PATH/TO/tox21-clone [COMMIT]`` the compounds of the Tox21 10K library are
added (tox21.csv of https://github.com/UnixJunkie/tox21, a copy of MoleculeNet's Tox21 set,
deepchem/datasets/tox21.csv; Wu et al., Chem. Sci. 9:513, 2018; Tox21 data are US-government
work of NIH/NCATS, NIEHS/NTP, EPA and FDA, in the public domain): drugs of the NCATS
Pharmaceutical Collection, pesticides and industrial chemicals, where MassBank's open records
and Human-GEM rarely show a phosphine oxide, a phosphorothioate with a halogen or a
nitrogen-rich kinase inhibitor. Each SMILES is reduced to its charge parent (RDKit
rdMolStandardize: the largest organic fragment, neutralised: a drug listed as its
hydrochloride gives the free base), one row per InChIKey first block not listed above; the
same filters and exclusions apply, and the 40 compounds of benchmarks/molecule_blind.py are
left out too (that rehearsal checks that no list holds them).

Nothing is downloaded: the clones are given on the command line.
"""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
import zipfile
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


XLSX = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"


def gem_metabolites(repo: str, commit: str) -> list[dict[str, str]]:
    """The METS sheet of Human-GEM's model/Human-GEM.xlsx at ``commit`` as dicts by column title."""
    blob = subprocess.run(["git", "-C", repo, "show", f"{commit}:model/Human-GEM.xlsx"], capture_output=True,
                          check=True).stdout
    book = zipfile.ZipFile(io.BytesIO(blob))
    shared = ["".join(t.text or "" for t in si.iter(XLSX + "t"))
              for si in ET.fromstring(book.read("xl/sharedStrings.xml")).findall(XLSX + "si")]
    rid = next(sh.get(REL) for sh in ET.fromstring(book.read("xl/workbook.xml")).iter(XLSX + "sheet")
               if sh.get("name") == "METS")
    target = next(r.get("Target") for r in ET.fromstring(book.read("xl/_rels/workbook.xml.rels"))
                  if r.get("Id") == rid)
    rows = []
    for row in ET.fromstring(book.read("xl/" + target.removeprefix("/xl/"))).iter(XLSX + "row"):
        cells = {}
        for c in row.findall(XLSX + "c"):
            v = c.find(XLSX + "v")
            text = "".join(t.text or "" for t in c.iter(XLSX + "t")) if c.get("t") == "inlineStr" else \
                (v.text or "" if v is not None else "")
            cells[re.match(r"[A-Z]+", c.get("r")).group()] = shared[int(text)] if c.get("t") == "s" else text
        rows.append(cells)
    head = rows[0]
    return [{head[k]: v for k, v in r.items() if k in head} for r in rows[1:]]


def gem_formula(met: dict[str, str], formula_class):
    """The neutral formula of a Human-GEM metabolite (see the module docstring), or None."""
    inchi = met.get("InChI", "")
    if inchi.startswith("InChI="):
        layers = inchi.split("/")
        if any(layer.startswith("q") for layer in layers) or "." in layers[1]:
            return None
        return formula_class(layers[1])
    composition = met.get("COMPOSITION", "")
    if not re.fullmatch(r"([A-Z][a-z]?\d*)+", composition):
        return None                                  # R groups, X, empty
    counts = dict(formula_class(composition, allow_odd_electron=True).counts)
    counts["H"] = counts.get("H", 0) - round(float(met.get("CHARGE") or 0))
    return formula_class(counts) if counts["H"] >= 0 else None


def inchikey14(inchi: str) -> str:
    """The first InChIKey block of an InChI (RDKit), '' when it cannot be made."""
    from rdkit.Chem import inchi as rdinchi

    try:
        return (rdinchi.InchiToInchiKey(inchi) or "")[:14]
    except Exception:                                # noqa: BLE001 - a malformed InChI: no key
        return ""


def tox21_compounds(repo: str, commit: str) -> list[tuple[str, str, str]]:
    """(Tox21 id, formula of the charge parent, InChIKey first block) per row of tox21.csv at
    ``commit`` whose SMILES RDKit reads."""
    from rdkit import Chem, RDLogger
    from rdkit.Chem.MolStandardize import rdMolStandardize
    from rdkit.Chem.rdMolDescriptors import CalcMolFormula

    RDLogger.DisableLog("rdApp.*")
    text = subprocess.run(["git", "-C", repo, "show", f"{commit}:tox21.csv"], capture_output=True, text=True,
                          check=True).stdout
    rows = []
    for line in text.splitlines():
        if line.startswith("#") or not line.strip():
            continue
        *_, ident, smiles = line.split(",")
        mol = Chem.MolFromSmiles(smiles)
        if mol is None:
            continue
        try:
            parent = rdMolStandardize.ChargeParent(mol)
        except Exception:                            # noqa: BLE001 - RDKit refuses it: left out
            continue
        rows.append((ident.strip(), CalcMolFormula(parent), Chem.MolToInchiKey(parent)[:14]))
    return rows


def blind_formulas(formula_class) -> set[str]:
    """Hill formulas of benchmarks/molecule_blind.py's 40 compounds."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("molecule_blind", HERE.parents[3] / "benchmarks" / "molecule_blind.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return {formula_class(row[2]).hill for row in module.COMPOUNDS}


def resolved(repo: str, rev: str) -> str:
    """The full commit hash of ``rev`` in the clone ``repo``."""
    return subprocess.run(["git", "-C", repo, "rev-parse", rev], capture_output=True, text=True,
                          check=True).stdout.strip()


def kept(f) -> bool:
    """The list's filters: a neutral closed-shell molecule over C, H, N, O, P, S, F, Cl, Br,
    I with at least one C, 80-2000 Da, integral RDBE >= 0."""
    if f is None or f.charge != 0 or not set(f.counts) <= ALLOWED or not f.counts.get("C"):
        return False
    return 80 <= f.monoisotopic_mass <= 2000 and f.rdbe >= 0 and f.rdbe == int(f.rdbe)


def main() -> None:
    sys.path.insert(0, str(HERE.parents[3]))
    from gadesign_problems.molecule.formula import Formula, FormulaError

    args = sys.argv[1:]
    tox = args[args.index("--tox21") + 1:] if "--tox21" in args else []
    args = args[:args.index("--tox21")] if tox else args
    gem = args[args.index("--human-gem") + 1:] if "--human-gem" in args else []
    args = args[:args.index("--human-gem")] if gem else args
    repo = args[0]
    commit = args[1] if len(args) > 1 else "HEAD"
    commit = resolved(repo, commit)
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
        if not kept(f):
            continue
        if f.hill in banned_formulas or rec.get("name", "").lower() in banned_names | own_names:
            continue
        seen[key] = (key, rec.get("name", ""), f.hill, rec["license"], path.split("/")[0])
    metabolites: dict[str, tuple[str, str]] = {}
    gem_commit = ""
    if gem:
        gem_commit = resolved(gem[0], gem[1] if len(gem) > 1 else "HEAD")
        listed_keys = {key for key in seen if "|" not in key}
        listed_names = own_names | {r[1].lower() for r in seen.values()}
        for met in gem_metabolites(gem[0], gem_commit):
            ident, name = met.get("REPLACEMENT ID", "")[:-1], met.get("NAME", "")
            if not ident or ident in metabolites or name.lower() in listed_names | banned_names:
                continue
            try:
                f = gem_formula(met, Formula)
            except (FormulaError, ValueError):
                continue
            if not kept(f):
                continue
            inchi = met.get("InChI", "")
            if f.hill in banned_formulas or (inchi.startswith("InChI=") and inchikey14(inchi) in listed_keys):
                continue
            metabolites[ident] = (name, f.hill)
    tox21: dict[str, tuple[str, str]] = {}
    tox_commit = ""
    if tox:
        tox_commit = resolved(tox[0], tox[1] if len(tox) > 1 else "HEAD")
        listed_keys = {key for key in seen if "|" not in key}
        blind = blind_formulas(Formula)
        for ident, formula, key in tox21_compounds(tox[0], tox_commit):
            if not key or key in listed_keys or key in tox21:
                continue
            try:
                f = Formula(formula)
            except FormulaError:
                continue
            if not kept(f):
                continue
            if f.hill in banned_formulas or f.hill in blind:
                continue
            tox21[key] = (ident, f.hill)
    buf = io.StringIO()
    buf.write("# Development list of the formula prior (issue 15), made by "
              "tests/data/molecule/development/make_prior_list.py; columns: name, formula (Hill), source.\n"
              f"# {len(own)} compounds of the project's list (tests/data/molecule/development/compounds.csv) and "
              f"{len(seen)} of MassBank-data commit {commit}\n"
              "# (https://github.com/MassBank/MassBank-data; MassBank consortium and its contributors): one row per "
              "compound (InChIKey first block) of the records\n"
              "# under CC BY 4.0, CC0 or dl-de/by-2-0 (attribution); source = massbank:CONTRIBUTOR:INCHIKEY14:LICENCE. "
              "No formula or name of the validation set or the 12 reference cases.\n"
              + (f"# and {len(metabolites)} metabolites of Human-GEM commit {gem_commit} "
                 "(https://github.com/SysBioChalmers/Human-GEM, CC BY 4.0; Robinson et al., Sci. Signal. 13:eaaz1482, "
                 "2020), neutral formulas, one row per metabolite not listed above; source = human-gem:METABOLITE.\n"
                 if gem else "")
              + (f"# and {len(tox21)} compounds of the Tox21 10K library, tox21.csv of https://github.com/UnixJunkie/tox21 "
                 f"commit {tox_commit} (MoleculeNet's Tox21 set; US-government data, public domain): charge parents "
                 "(RDKit), one row per InChIKey first block not listed above, none of benchmarks/molecule_blind.py; "
                 "source = tox21:ID:INCHIKEY14.\n" if tox else ""))
    w = csv.writer(buf, lineterminator="\n")
    for name, _, formula in own:
        w.writerow((name, Formula(formula).hill, "project list"))
    for key, name, formula, licence, contributor in sorted(seen.values(), key=lambda r: (r[4], r[0])):
        w.writerow((name, formula, f"massbank:{contributor}:{'' if '|' in key else key}:{licence}"))
    for ident, (name, formula) in sorted(metabolites.items()):
        w.writerow((name, formula, f"human-gem:{ident}"))
    for key, (ident, formula) in sorted(tox21.items(), key=lambda kv: kv[1][0]):
        w.writerow(("", formula, f"tox21:{ident}:{key}"))
    (HERE.parents[3] / "problems" / "molecule" / "prior_formulas.csv").write_text(buf.getvalue())
    print(f"{len(own)} + {len(seen)} + {len(metabolites)} + {len(tox21)} compounds written")


if __name__ == "__main__":
    main()
