"""NEC-2 (PyNEC, nec2++; GPL, so a test and benchmark reference only, never imported by
the package) on an ST5 design: input impedance, NEC's average power gain and the
minimum RHCP gain over the requirement's coverage.

The structure is built card by card from the :class:`Antenna`'s wires (as its ``.nec``
deck would be read: GW cards, GE 1 with a perfect ground GN 1, EX 0 on the feed), not
from our solver. The RP grid covers the hemisphere in 5-degree steps (NEC averages the
power gain over it: 2 over perfect ground when the solution conserves power); the
RHCP gain is NEC's total gain times ``|E_theta + j E_phi|^2 / (2 |E|^2)`` (IEEE
right-hand, exp(+j w t), the convention of our solver).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "antenna"))
from pynec_ref import nec_context, upper_hemisphere_fields  # noqa: E402  (the one PyNEC structure builder)


def have_pynec() -> bool:
    try:
        import PyNEC  # noqa: F401
    except ImportError:
        return False
    return True


def nec_st5(ant: Any, freq_hz: float, req: Any, extended: bool = False) -> dict[str, Any]:
    """NEC-2 on ``ant`` at ``freq_hz``: ``z`` (ohm), ``vswr`` (``req.z0``),
    ``average_gain`` (NEC's, 2.0 ideal over ground), ``min_rhcp_dbic`` over
    ``req.theta_range`` at every azimuth (5-degree grid). ``extended``: NEC's extended
    thin-wire kernel (an EK card) instead of the standard one."""
    ctx = nec_context(ant, extended=extended)          # held: rp reads NEC's memory until we return
    z, g, et, ep, rp = upper_hemisphere_fields(ctx, freq_hz)
    n_th = g.shape[0]
    frac = np.abs(et + 1j * ep) ** 2 / (2.0 * (np.abs(et) ** 2 + np.abs(ep) ** 2) + 1e-300)
    rhcp = g + 10.0 * np.log10(np.maximum(frac, 1e-30))
    th = np.arange(n_th) * 5.0
    lo, hi = req.theta_range
    sel = (th >= lo - 1e-9) & (th <= hi + 1e-9)
    gamma = abs((z - req.z0) / (z + req.z0))
    return {"z": z, "vswr": (1 + gamma) / (1 - gamma) if gamma < 1 else float("inf"),
            "average_gain": float(rp.get_average_power_gain()),
            "min_rhcp_dbic": float(rhcp[sel, :-1].min())}
