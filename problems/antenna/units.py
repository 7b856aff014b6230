"""Physical constants (SI, NEC-2's values) and decibels: light to import, so that the
problem definitions load without the compiled solver."""

from __future__ import annotations

import numpy as np

C0 = 299_792_458.0                 #: speed of light (m/s)
MU0 = 4e-7 * np.pi                 #: vacuum permeability (H/m), NEC-2's value
EPS0 = 1.0 / (MU0 * C0 * C0)       #: vacuum permittivity (F/m)
ETA0 = MU0 * C0                    #: free-space wave impedance (ohm)
#: Frequencies a problem accepts (Hz): far outside, lengths in metres over- or underflow.
F0_RANGE = (1.0, 1e18)


def db(x: np.ndarray, floor_db: float = -999.99) -> np.ndarray:
    """10 log10(x), with NEC's -999.99 for zero (no field)."""
    with np.errstate(divide="ignore"):
        return np.maximum(10.0 * np.log10(np.asarray(x, float)), floor_db)
