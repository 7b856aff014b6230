"""Drawings: a truss (2D, 3D) and a front with small designs are written as images."""

from __future__ import annotations

import numpy as np

from gadesign_problems.truss.plots import plot_front, plot_truss, save_figure, signed_stress_ratio
from gadesign_problems.truss.structure import Truss

from .conftest import DATA


def test_signed_ratio_sign_follows_tension_and_compression():
    t = Truss.from_json(DATA / "tenbar.json")
    a = t.analyze()
    s = signed_stress_ratio(a, 0)
    assert np.all(np.sign(s[np.abs(s) > 1e-9]) == np.sign(a.cases[0].stresses[np.abs(s) > 1e-9]))


def test_truss_and_front_drawings(tmp_path):
    for name in ("tenbar.json", "seventytwobar.json"):
        t = Truss.from_json(DATA / name)
        ax = plot_truss(t, analysis=t.analyze(), case=len(t.load_cases) - 1)
        save_figure(ax.figure, tmp_path / f"{name}.png")
        assert (tmp_path / f"{name}.png").stat().st_size > 10_000
    t = Truss.from_json(DATA / "tenbar.json")
    designs = [t.default_areas() * s for s in (0.5, 1.0, 2.0)]
    weights = [t.weight(d) for d in designs]
    comps = [t.analyze(d).compliance for d in designs]
    ax = plot_front(weights, comps, t, designs, picks=[0, 2])
    save_figure(ax.figure, tmp_path / "front.png")
    assert (tmp_path / "front.png").stat().st_size > 10_000
