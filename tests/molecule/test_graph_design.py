"""molecule-design: the plugin contract, the objectives and constraints against RDKit
and published values, and the same front serially, with two workers and after resume."""

from __future__ import annotations

import json
import shutil

import pytest

Chem = pytest.importorskip("rdkit.Chem")

from rdkit.Chem import QED, Crippen, Descriptors  # noqa: E402

from gadesign.errors import ConfigError  # noqa: E402
from gadesign.testing import check_problem  # noqa: E402
from gadesign_problems.molecule.design import molecule_design  # noqa: E402
from gadesign_problems.molecule.properties import sa_score  # noqa: E402

SMALL = ["Cc1ccccc1O", "CCOC(=O)c1ccccc1N", "O=C(O)c1ccccc1OC(C)=O", "CC(C)Cc1ccc(C(C)C(=O)O)cc1",
         "CN1C=NC2=C1C(=O)N(C)C(=O)N2C", "c1ccc2ccccc2c1", "CCN(CC)CCOC(=O)c1ccc(N)cc1", "OC1CCCCC1",
         "Clc1ccc(Cl)cc1", "CC(=O)Nc1ccc(O)cc1"]


@pytest.fixture
def pool_file(tmp_path):
    path = tmp_path / "pool.smi"
    path.write_text("# test pool\n" + "\n".join(f"{s}\tm{i}" for i, s in enumerate(SMALL)) + "\n")
    return path


def test_contract(tmp_path, pool_file):
    check_problem(molecule_design(smiles_file=str(pool_file), reference="CC(=O)Nc1ccc(O)cc1",
                                  logp_min=0.0, logp_max=3.0, mw_max=300.0, pains=True), tmp_path=tmp_path)


def test_objectives_and_constraints_agree_with_rdkit_and_published_values(pool_file):
    p = molecule_design(smiles_file=str(pool_file), reference="CC(=O)Nc1ccc(O)cc1", logp_min=0.0, logp_max=1.0,
                        mw_min=200.0, pains=True)
    assert [o.name for o in p.objectives] == ["qed", "sa_score", "similarity"]
    assert p.constraints == ("logp_window", "mw_window", "pains")
    aspirin = "CC(=O)Oc1ccccc1C(=O)O"
    e = p.evaluate(Chem.MolToSmiles(Chem.MolFromSmiles(aspirin)))
    mol = Chem.MolFromSmiles(aspirin)
    assert e.objectives[0] == pytest.approx(QED.qed(mol))
    assert e.objectives[0] == pytest.approx(0.55, abs=0.01)   # Bickerton et al. 2012 / RDKit docs: 0.550
    assert 1.0 <= e.objectives[1] <= 2.5                     # aspirin is easy to make (Ertl 2009: ~1.6)
    logp = Crippen.MolLogP(mol)
    assert e.violations[0] == pytest.approx(max(logp - 1.0, 0.0))
    assert e.violations[1] == pytest.approx((200.0 - Descriptors.MolWt(mol)) / 100.0)
    assert e.violations[2] == 0.0
    paracetamol = p.evaluate("CC(=O)Nc1ccc(O)cc1")
    assert paracetamol.objectives[2] == pytest.approx(1.0)   # identical to the reference
    # a benzylidene rhodanine is a PAINS alert (ene_rhod)
    rhod = p.evaluate(Chem.MolToSmiles(Chem.MolFromSmiles("O=C1NC(=S)SC1=Cc1ccccc1")))
    assert rhod.violations[2] >= 1 and any("rhod" in a for a in rhod.info["pains"])


def test_sa_score_orders_simple_before_complex():
    """SA score (Ertl & Schuffenhauer 2009): a simple aromatic is easy, a dense natural
    product (here a strychnine-like cage) is hard."""
    easy = sa_score(Chem.MolFromSmiles("c1ccccc1O"))
    hard = sa_score(Chem.MolFromSmiles("O=C1C[C@H]2OCC=C3CN4CC[C@]56[C@@H]4C[C@@H]3[C@@H]2[C@@H]6N1c1ccccc15"))
    assert easy < 2.0 < 4.0 < hard


def test_bad_parameters_are_clear_errors(tmp_path, pool_file):
    with pytest.raises(ConfigError, match="no such file"):
        molecule_design(smiles_file=str(tmp_path / "missing.smi"))
    empty = tmp_path / "empty.smi"
    empty.write_text("# nothing\n")
    with pytest.raises(ConfigError, match="no SMILES"):
        molecule_design(smiles_file=str(empty))
    with pytest.raises(ConfigError, match="not a SMILES"):
        molecule_design(smiles_file=str(pool_file), reference="C1CC(")
    with pytest.raises(ConfigError, match="window is empty"):
        molecule_design(smiles_file=str(pool_file), logp_min=3.0, logp_max=1.0)


def test_cli_runs_export_and_bad_input(cli, tmp_path, pool_file):
    out = tmp_path / "run"
    r = cli("evolve", "molecule-design", "--seed", "1", "--pop", "10", "-g", "2", "-q", "--out", str(out),
            "--set", f"smiles_file={pool_file}")
    assert r.returncode == 0, r.stderr
    front = json.loads((out / "front.json").read_text())
    assert front["members"] and all(Chem.MolFromSmiles(m["genome"]) for m in front["members"])
    sdf = (out / "designs" / "member-000.sdf").read_text()
    assert "$$$$" in sdf and Chem.MolFromMolBlock(sdf.split("$$$$")[0]) is not None
    assert (out / "designs" / "member-000.png").read_bytes()[:4] == b"\x89PNG"
    bad = cli("evolve", "molecule-design", "-q", "--out", str(tmp_path / "bad"), "--set", "smiles_file=nope.smi")
    assert bad.returncode == 2 and "error:" in bad.stderr and "Traceback" not in bad.stderr


@pytest.mark.slow
def test_same_seed_same_front_serial_workers_and_resume(tmp_path):
    from gadesign.run import RunConfig, resume_run, start_run

    def run(name, seed=4, **kw):
        start_run(RunConfig("molecule-design", {}, "nsga2", 16, 6, seed, 2, **kw), tmp_path / name)
        return (tmp_path / name / "front.json").read_bytes()

    front = run("serial")
    assert run("workers", workers=2) == front
    assert run("other", seed=5) != front
    # resume from the generation-2 checkpoint of a copy of the serial run
    cut = tmp_path / "cut"
    shutil.copytree(tmp_path / "serial", cut)
    (cut / "front.json").unlink()
    for p in (cut / "checkpoints").iterdir():
        if p.name != "gen-0002.json":
            p.unlink()
    resume_run(cut)
    assert (cut / "front.json").read_bytes() == front


def test_without_rdkit_listing_works_and_the_factories_say_what_to_install():
    """The core install has no RDKit: `gadesign problems` must list the molecule problems
    without importing it, and building one must say how to get it."""
    import subprocess
    import sys
    code = (
        "import sys; sys.modules['rdkit'] = None\n"          # an import of rdkit now fails
        "from gadesign.registry import problem_entries, make_problem\n"
        "from gadesign.errors import GadesignError\n"
        "e = problem_entries()\n"
        "print(e['molecule-design'].description()); print(e['molecule-isomers'].description())\n"
        "for name in ('molecule-design', 'molecule-isomers'):\n"
        "    try:\n"
        "        make_problem(name)\n"
        "    except GadesignError as exc:\n"
        "        print('ERR', exc)\n"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert "Drug-like molecules" in r.stdout and "exact formula" in r.stdout
    assert "ERR molecule-design needs RDKit: pip install 'gadesign[chem]'" in r.stdout
    assert "ERR molecule-isomers needs RDKit: pip install 'gadesign[chem]'" in r.stdout
    r = subprocess.run([sys.executable, "-c", "import sys; from gadesign.cli import main\n"
                        "try:\n    main(['problems'])\nexcept SystemExit:\n    pass\n"
                        "print('RDKIT' if 'rdkit' in sys.modules else 'NO-RDKIT')"],
                       capture_output=True, text=True, timeout=120)
    assert r.stdout.strip().endswith("NO-RDKIT"), r.stdout[-500:] + r.stderr[-500:]
