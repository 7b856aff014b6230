"""The published TDRS-C element requirements (Globus, Linden, Lohn, NASA Ames), asserted on
``antenna_tdrs().dense_check(...)``'s output by the tests that check designs against them."""

from __future__ import annotations

from typing import Any


def assert_meets_published(m: dict[str, Any]) -> None:
    """> 15 dBic on boresight, > 10 dBic to 20 deg, < 5 dBic beyond 30 deg, AR <= 5 dB over
    0-20 deg, VSWR < 2 at every frequency checked, footprint inside the lattice cell."""
    assert min(m["boresight_dbic"]) > 15.0 and min(m["min_fov_dbic"]) > 10.0
    assert max(m["max_sidelobe_dbic"]) < 5.0 and max(m["max_fov_axial_ratio_db"]) <= 5.0
    assert max(v[0] for v in m["vswr_per_frequency"]) < 2.0
    assert m["footprint_radius_m"] <= m["cell_radius_m"] and m["meets_requirements"]
