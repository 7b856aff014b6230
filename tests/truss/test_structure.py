"""The Truss JSON format: reading the shared schema as it is, round trips, field-named
errors, and the package's benchmark definitions (sources cited, known traps avoided)."""

from __future__ import annotations

import json
from importlib import resources

import numpy as np
import pytest

from gadesign_problems.truss.errors import TrussError, TrussSchemaError
from gadesign_problems.truss.structure import Buckling, Truss

from .conftest import load_reference


def package_benchmark(name: str) -> dict:
    return json.loads(resources.files("gadesign_problems.truss").joinpath("data", name).read_text())


def test_round_trip_preserves_everything(reference, tmp_path):
    t = Truss.from_json(reference)
    path = tmp_path / "t.json"
    t.to_json(path)
    back = Truss.from_json(path)
    for attr in ("nodes", "members", "fixed", "E", "density", "tension_limit", "compression_limit"):
        assert np.array_equal(getattr(back, attr), getattr(t, attr))
    assert [g.members for g in back.groups] == [g.members for g in t.groups]
    assert all(np.array_equal(a.forces, b.forces) for a, b in zip(back.load_cases, t.load_cases))
    assert back.displacement_limits == t.displacement_limits
    assert back.area == t.area and back.extra == t.extra and back.units == t.units


@pytest.mark.parametrize("mutate, field", [
    (lambda d: d["members"].__setitem__(3, [0, 99]), "members[3][1]"),
    (lambda d: d.pop("E"), "E: missing"),
    (lambda d: d["supports"][0].__setitem__("fixed", [True]), "supports[0].fixed"),
    (lambda d: d["load_cases"][0]["loads"][0].__setitem__("force", [1.0, "x"]), "load_cases[0].loads[0].force[1]"),
    (lambda d: d.__setitem__("dim", 4), "dim"),
    (lambda d: d["displacement_limits"][0].__setitem__("limit", -1.0), "displacement_limits[0].limit"),
    (lambda d: d["groups"][1].__setitem__("members", [1, 57]), "groups[1].members[1]"),
    (lambda d: d.__setitem__("area", {"type": "bogus"}), "area.type"),
    (lambda d: d["stress_limits"].__setitem__("tension", [25.0] * 3), "stress_limits.tension"),
])
def test_schema_errors_name_the_field(mutate, field, tmp_path):
    data = load_reference("tenbar.json")
    mutate(data)
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data))
    with pytest.raises(TrussSchemaError) as info:
        Truss.from_json(path)
    assert field in str(info.value) and "bad.json" in str(info.value)


def test_unreadable_files_are_truss_errors(tmp_path):
    with pytest.raises(TrussError, match="no such file"):
        Truss.from_json(tmp_path / "missing.json")
    (tmp_path / "x.json").write_text("{not json")
    with pytest.raises(TrussSchemaError, match="not JSON"):
        Truss.from_json(tmp_path / "x.json")


def test_design_vectors_by_group_or_member():
    t = Truss.from_json(load_reference("seventytwobar.json"))
    x = np.arange(1.0, 17.0)
    a = t.member_areas(x)
    assert a[[0, 1, 2, 3]] == pytest.approx([1.0] * 4) and a[[70, 71]] == pytest.approx([16.0] * 2)
    assert np.array_equal(t.member_areas(a), a)
    with pytest.raises(TrussError, match=r"expected 16 \(one per group\) or 72"):
        t.member_areas([1.0, 2.0])


def test_buckling_shapes():
    """k = pi^2 I/A^2: solid circle I/A^2 = 1/(4 pi); a thin tube tends to D^2/(8 pi A) form."""
    assert Buckling.from_shape("circular").k == pytest.approx(np.pi / 4)
    assert Buckling.from_shape("square").k == pytest.approx(np.pi ** 2 / 12)
    # tube t/D = 0.1: c = 0.8, I/A^2 = (1 + c^2) / (4 pi (1 - c^2))
    assert Buckling.from_shape("tube", 0.1).k == pytest.approx(np.pi ** 2 * 1.64 / (4 * np.pi * 0.36))
    with pytest.raises(TrussSchemaError, match="buckling.shape"):
        Buckling.from_shape("hexagon")


def test_buckling_lowers_compression_allowable():
    data = load_reference("tenbar.json")
    data["buckling"] = {"shape": "circular"}
    t = Truss.from_json(data)
    areas = np.full(10, 2.0)
    comp = t.compression_allowable(areas)
    euler = np.pi ** 2 * t.E * (areas ** 2 / (4 * np.pi)) / t.lengths ** 2 / areas  # pi^2 E I / L^2 / A
    assert comp == pytest.approx(np.minimum(25.0, euler))


# -- the package's own benchmark definitions ------------------------------------------------
@pytest.mark.parametrize("name", ["tenbar.json", "tenbar_topology.json", "twentyfivebar.json", "seventytwobar.json"])
def test_package_benchmarks_cite_sources_and_match_reference(name):
    pkg, ref = package_benchmark(name), load_reference(name)
    assert pkg["sources"] and all(t["source"] for t in pkg["targets"].values())
    a, b = Truss.from_json(pkg), Truss.from_json(ref)
    assert np.array_equal(a.nodes, b.nodes) and np.array_equal(a.members, b.members)
    assert all(np.array_equal(x.forces, y.forces) for x, y in zip(a.load_cases, b.load_cases))


def test_twenty_five_bar_lateral_loads_are_half_a_kip():
    """The widely copied data file with 5 kips at nodes 3 and 6 is a typo (Schmit & Miura 1976: 0.5)."""
    t = Truss.from_json(package_benchmark("twentyfivebar.json"))
    lc1 = t.load_cases[0].forces
    assert lc1[2] == pytest.approx([0.5, 0, 0]) and lc1[5] == pytest.approx([0.5, 0, 0])  # labels 3 and 6
    assert lc1[0] == pytest.approx([1.0, 10.0, -5.0])


def test_seventy_two_bar_groups_are_numbered_from_the_bottom():
    """A1-A4 are the bottom columns (z = 0 to 60); the loads act on the top nodes (z = 240)."""
    t = Truss.from_json(package_benchmark("seventytwobar.json"))
    z = t.nodes[:, 2]
    first = t.members[list(t.groups[0].members)]
    assert set(z[first.ravel()]) == {0.0, 60.0}
    last = t.members[list(t.groups[-1].members)]
    assert set(z[last.ravel()]) == {240.0}
    assert all(z[np.abs(lc.forces).max(1) > 0].min() == 240.0 for lc in t.load_cases)
    assert set(z[t.supported_nodes]) == {0.0}


def test_discrete_ten_bar_catalogue_is_the_42_aisc_sections():
    """Not the miscopied list (5.94 for 5.74, 28.5 for 26.5, 2.63 missing)."""
    values = package_benchmark("tenbar.json")["area_discrete_variant"]["values"]
    assert len(values) == 42 and sorted(values) == values
    assert {2.63, 5.74, 26.5} <= set(values) and not {5.94, 28.5} & set(values)
    assert values[0] == 1.62 and values[-1] == 33.5


def test_buckling_enters_the_stress_ratios():
    """A slender strut: with buckling its compression ratio is -sigma / sigma_cr,
    sigma_cr = pi^2 E I / (A L^2) for a solid circular section of area A."""
    from gadesign_problems.truss.fem import analyze
    from gadesign_problems.truss.structure import LoadCase

    nodes = np.array([[0.0, 0.0], [100.0, 0.0], [0.0, 50.0]])
    f = np.zeros((3, 2))
    f[1] = [0.0, -1.0]
    fixed = np.array([[True, True], [False, False], [True, True]])
    plain = Truss(nodes=nodes, members=[[0, 1], [2, 1]], fixed=fixed, load_cases=(LoadCase("L", f),), E=1e4,
                  density=0.1, tension_limit=25.0, compression_limit=25.0)
    from dataclasses import replace

    buck = replace(plain, buckling=Buckling.from_shape("circular"))
    A = np.array([0.5, 0.5])
    res = analyze(buck, A)
    sigma = res.cases[0].stresses
    assert sigma[0] < 0  # the horizontal bar is the strut
    I = A[0] ** 2 / (4 * np.pi)
    sigma_cr = np.pi ** 2 * 1e4 * I / (A[0] * 100.0 ** 2)
    assert res.stress_ratios()[0, 0] == pytest.approx(-sigma[0] / min(25.0, sigma_cr))
    assert analyze(plain, A).stress_ratios()[0, 0] == pytest.approx(-sigma[0] / 25.0)
