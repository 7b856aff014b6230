"""Our solver against a third, independent engine: MININEC (pymininec, MIT; see
``mininec_ref.py``) on the ST5 feed and its five-wire junction, and on the showcase design.

MININEC feeds across a node where ours drives a 1 mm segment, so the junction tests compare
the feed-independent part of the input admittance, ``dY = Y(structure) - Y(feed + straight
arm)``, each engine against its own reference on the same feed (the feed's shunt admittance
cancels). Geometry as in ``benchmarks/antenna_st5_mininec.py`` (its ``--canonical`` part
prints every level, NEC-2's too). Measured there: on the thin wire the two engines meet
within 0.03 mS at the hub, about 0.7 % of its |Y|, while NEC-2 (PyNEC) with the exported
decks' 1 mm feed segments is 0.28 mS off and moving away with refinement.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("mininec")

from gadesign_problems.antenna.st5 import antenna_st5  # noqa: E402
from gadesign_problems.antenna.tree import from_json  # noqa: E402
from gadesign_problems.antenna.network import vswr  # noqa: E402
from mininec_ref import (cut_arms, mininec_admittance, mininec_admittances, mininec_fields,  # noqa: E402
                         mininec_solution, ours_admittances, st5_feed_pieces)

DATA = Path(__file__).resolve().parents[1] / "data" / "antenna"
FREQS = (7209.125e6, 8470e6)


def d_admittance(m: int, a: float, matched: bool, engine: str) -> np.ndarray:
    """``Y(hub) - Y(straight)`` (S) per frequency, by ``engine``."""
    solve = ours_admittances if engine == "ours" else mininec_admittances
    return solve(st5_feed_pieces("hub", m, a, matched), FREQS) - solve(st5_feed_pieces("straight", m, a, matched), FREQS)


@pytest.mark.parametrize("a, matched, tol_ms", [(0.00005, True, 0.06), (0.00005, False, 0.06), (0.0005, False, 0.1)])
def test_five_wire_junction_agrees_with_mininec(a, matched, tol_ms):
    """The hub's admittance shift: ours (4x arms, converged: it moves < 0.01 mS from 2x) within
    ``tol_ms`` of MININEC at 8x, on the thin wire (0.05 mm, every thin-wire model valid) with
    either feed, and at the ST5 radius (0.5 mm), where MININEC still moves 0.01-0.02 mS per
    doubling. |dY| is 0.58-0.92 mS thin and 1.4-1.8 mS at 0.5 mm, |Y| about 4-8 mS."""
    ours = d_admittance(4, a, matched, "ours")
    ref = d_admittance(8, a, matched, "mininec")
    assert np.all(np.abs(ours - ref) * 1e3 < tol_ms), (ours * 1e3, ref * 1e3)
    # the check can fail: the hub's shift itself is many times the tolerance
    assert np.all(np.abs(ref) * 1e3 > 5 * tol_ms)


def test_showcase_meets_st5_in_mininec():
    """The showcase design in MININEC (arm segments 4x and 6x the design's; 8x needs
    3.3 GB): least RHCP gain over 40-80 degrees at every azimuth (5-degree grid) from
    MININEC's own pattern (directivity over the upper hemisphere) >= 0 dBic with more to
    spare than MININEC moves from 4x to 6x, and VSWR on our feed with MININEC's structure
    (``Y_ours(reference) + dY_MININEC``) under the limits. Measured: +0.17/+0.20 dBic at 4x,
    +0.22/+0.20 at 6x, +0.25/+0.22 at 8x (ours +0.31/+0.51); -0.05 at 2x, not yet settled."""
    p = antenna_st5()
    req = p.requirements
    x = from_json(json.loads((DATA / "st5_showcase.json").read_text())["genome"])
    ant = p.decode(x)
    fed = ant.sources[0].tag
    src = next(i for i, w in enumerate(ant.wires) if w.tag == fed)
    a = p.space.wire_radius
    y_ref_ours = ours_admittances(st5_feed_pieces("straight", 1, a), req.frequencies)
    lo, hi = req.theta_range
    least: dict[int, list[float]] = {}
    for m in (4, 6):
        wires = cut_arms(ant.wires, fed, m)
        least[m] = []
        for k, f in enumerate(req.frequencies):
            sol = mininec_solution(wires, f, ground=True, source_wire=src)
            th, _, rhcp = mininec_fields(sol, +1)
            least[m].append(float(rhcp[(th >= lo) & (th <= hi)].min()))
            if m == 6:
                y_ref = mininec_admittances(st5_feed_pieces("straight", m, a), [f])[0]
                z = 1.0 / (y_ref_ours[k] + mininec_admittance(sol) - y_ref)
                assert vswr(z, req.z0) < req.vswr_limits[k], (f, z)
    spread = np.abs(np.subtract(least[6], least[4]))
    assert np.all(np.array(least[6]) >= req.gain_dbic + spread), least
