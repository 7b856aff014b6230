"""Installation: the package list in pyproject.toml covers the tree, and the built-in
plugins live under an import name this project owns (``gadesign_problems``), so a user's
own ``problems/`` folder or ``problems.py`` beside their script cannot shadow them."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

tomllib = pytest.importorskip("tomllib")  # Python >= 3.11 (the project itself runs on 3.10)

ROOT = Path(__file__).resolve().parents[2]


def _packages_in_tree() -> set[str]:
    found = set()
    for folder, name in (("gadesign", "gadesign"), ("problems", "gadesign_problems")):
        for init in (ROOT / folder).rglob("__init__.py"):
            rel = init.parent.relative_to(ROOT / folder)
            found.add(".".join((name, *rel.parts)))
    return found


def test_every_package_is_listed_in_pyproject():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    assert set(config["packages"]) == _packages_in_tree()
    assert config["package-dir"]["gadesign_problems"] == "problems"


def test_entry_points_name_only_the_owned_package():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    for group in ("gadesign.problems", "gadesign.commands"):
        for name, target in project["entry-points"][group].items():
            assert target.split(".")[0] in {"gadesign", "gadesign_problems"}, (name, target)


SCRIPT = textwrap.dedent("""
    import numpy as np
    import gadesign
    from gadesign.registry import make_problem

    problem = make_problem("truss-10bar")
    x = problem.genome.sample(np.random.default_rng(1))
    ev = problem.evaluate(x)
    print("weight", ev.objectives[0])
    result = gadesign.evolve(make_problem("zdt1"), pop=12, generations=3, seed=1)
    print("front", len(result.front))
""")


@pytest.mark.parametrize("shadow", ["package", "module"])
def test_user_problems_folder_or_module_does_not_shadow_the_plugins(tmp_path, shadow):
    """A stray ``problems/`` package or ``problems.py`` in the working directory (which
    ``python -m`` and scripts put first on ``sys.path``) leaves the built-ins working."""
    if shadow == "package":
        (tmp_path / "problems").mkdir()
        (tmp_path / "problems" / "__init__.py").write_text("MINE = True\n")
        (tmp_path / "problems" / "antenna.py").write_text("raise ImportError('the user problems/antenna.py')\n")
    else:
        (tmp_path / "problems.py").write_text("raise ImportError('the user problems.py was imported')\n")
    listing = subprocess.run([sys.executable, "-m", "gadesign", "problems"], cwd=tmp_path, capture_output=True,
                             text=True, timeout=120)
    assert listing.returncode == 0, listing.stderr
    for name in ("zdt1", "truss-10bar", "antenna-st5", "molecule-formula"):
        assert name in listing.stdout
    assert "warning" not in listing.stderr
    (tmp_path / "my_script.py").write_text(SCRIPT)
    run = subprocess.run([sys.executable, "my_script.py"], cwd=tmp_path, capture_output=True, text=True,
                         timeout=300)
    assert run.returncode == 0, run.stderr
    assert "weight" in run.stdout and "front" in run.stdout
