"""Results of one solve: port quantities, currents, patterns, gain.

A :class:`Solution` holds the basis currents for the applied source voltages and the
short-circuit port admittance matrix at each frequency; everything else derives from
them on demand (like scikit-rf's Network properties):

* ``impedance`` (F, S): active input impedance ``V_s / I_s`` (ohm) at each source;
* ``input_power`` = ``0.5 Re sum V I*`` (W), ``loss_power`` in loads, ``efficiency``;
* ``far_field(theta, phi)``: ``r E_theta``, ``r E_phi`` (V) for the applied voltages;
* ``gain`` = ``4 pi U / P_in`` (NEC's power gain), ``directivity`` = ``4 pi U / P_rad``,
  ``gain_rhcp`` / ``gain_lhcp`` the circular components (IEEE), each (F, D) linear, with
  ``*_db`` helpers in dBi / dBic;
* ``average_gain()``: the average-gain test, ``int G dOmega / Omega`` over the sphere
  (or the upper hemisphere over ground): 1 (2 over ground) for a lossless antenna.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np

from gadesign_problems.antenna.farfield import far_field, sphere_rule
from gadesign_problems.antenna.units import ETA0, db
from gadesign_problems.antenna.units import C0

if TYPE_CHECKING:
    import skrf

    from gadesign_problems.antenna.wires import Antenna


@dataclass(frozen=True, eq=False)
class Solution:
    """Currents and port data of ``antenna`` at ``frequencies`` (Hz)."""

    antenna: "Antenna"
    frequencies: np.ndarray          # (F,)
    coefficients: np.ndarray         # (F, M) basis currents (A) for the source voltages
    admittance: np.ndarray           # (F, S, S) port Y matrix (S), other ports shorted
    voltages: np.ndarray             # (S,) source voltages (V)
    loss_power: np.ndarray           # (F,) power dissipated in loads (W)

    # ---- ports -------------------------------------------------------------------------
    @property
    def port_currents(self) -> np.ndarray:
        """(F, S) current through each source (A), along its segment's direction."""
        return self.admittance @ self.voltages

    @property
    def impedance(self) -> np.ndarray:
        """(F, S) active input impedance (ohm) at each source."""
        return self.voltages / self.port_currents

    def reflection(self, z0: float = 50.0) -> np.ndarray:
        """(F, S) voltage reflection coefficient at each source relative to ``z0``."""
        z = self.impedance
        return (z - z0) / (z + z0)

    def vswr(self, z0: float = 50.0) -> np.ndarray:
        """(F, S) voltage standing-wave ratio relative to ``z0`` ohm."""
        g = np.abs(self.reflection(z0))
        with np.errstate(divide="ignore"):
            return (1.0 + g) / (1.0 - g)

    def return_loss_db(self, z0: float = 50.0) -> np.ndarray:
        """(F, S) return loss (dB, positive) relative to ``z0`` ohm."""
        return -20.0 * np.log10(np.abs(self.reflection(z0)))

    def network(self, z0: float = 50.0, name: str | None = None) -> "skrf.Network":
        """The ports as a scikit-rf Network (S-parameters from the Y matrix)."""
        from gadesign_problems.antenna.network import to_network

        return to_network(self, z0=z0, name=name)

    # ---- power -------------------------------------------------------------------------
    @property
    def input_power(self) -> np.ndarray:
        """(F,) power delivered by the sources (W)."""
        return 0.5 * np.real(np.sum(self.voltages * np.conj(self.port_currents), axis=1))

    @property
    def radiated_power(self) -> np.ndarray:
        return self.input_power - self.loss_power

    @property
    def efficiency(self) -> np.ndarray:
        """(F,) radiation efficiency ``P_rad / P_in``."""
        return self.radiated_power / self.input_power

    # ---- currents ----------------------------------------------------------------------
    @cached_property
    def _end_maps(self) -> tuple[np.ndarray, np.ndarray]:
        return self.antenna.mesh.end_current_maps()

    def segment_end_currents(self) -> tuple[np.ndarray, np.ndarray]:
        """(F, N) currents (A) along each sub-segment's tangent at its start and end."""
        ca, cb = self._end_maps
        return self.coefficients @ ca.T, self.coefficients @ cb.T

    def segment_currents(self) -> np.ndarray:
        """(F, n_segments) complex current (A) at the centre of each (user) segment,
        along the wire's start-to-end direction, as NEC prints it."""
        mesh = self.antenna.mesh
        ia, ib = self.segment_end_currents()
        sub = 0.5 * (ia + ib)
        n_sub = np.bincount(mesh.parent, minlength=mesh.n_user)
        out = np.zeros((len(self.frequencies), mesh.n_user), complex)
        for f in range(len(self.frequencies)):
            out[f] = np.bincount(mesh.parent, sub[f].real, mesh.n_user) + \
                1j * np.bincount(mesh.parent, sub[f].imag, mesh.n_user)
        return out / n_sub

    # ---- far field ---------------------------------------------------------------------
    def far_field(self, theta: Any, phi: Any) -> tuple[np.ndarray, np.ndarray]:
        """``(r E_theta, r E_phi)`` in volts, each (F, D), towards ``theta``, ``phi``
        (degrees, broadcast and flattened). Zero below the horizon over ground."""
        mesh = self.antenna.mesh
        ia, ib = self.segment_end_currents()
        c, L = mesh.center, mesh.length
        t = (mesh.end - mesh.start) / L[:, None]
        out_t, out_p = [], []
        for f in range(len(self.frequencies)):
            k = 2.0 * np.pi * self.frequencies[f] / C0
            et, ep = far_field(c, t, L, ia[f], ib[f], k, theta, phi, mesh.ground)
            out_t.append(et[0])
            out_p.append(ep[0])
        return np.array(out_t), np.array(out_p)

    def _to_gain(self, e2: np.ndarray) -> np.ndarray:
        return 4.0 * np.pi * e2 / (2.0 * ETA0) / self.input_power[:, None]

    def gain(self, theta: Any, phi: Any) -> np.ndarray:
        """(F, D) total power gain (linear), ``4 pi U / P_in``."""
        et, ep = self.far_field(theta, phi)
        return self._to_gain(np.abs(et) ** 2 + np.abs(ep) ** 2)

    def gain_components(self, theta: Any, phi: Any) -> dict[str, np.ndarray]:
        """All (F, D) linear gains at once: ``total``, ``theta``, ``phi``, ``rhcp``, ``lhcp``."""
        et, ep = self.far_field(theta, phi)
        er = (et + 1j * ep) / np.sqrt(2.0)
        el = (et - 1j * ep) / np.sqrt(2.0)
        g = {"theta": np.abs(et) ** 2, "phi": np.abs(ep) ** 2, "rhcp": np.abs(er) ** 2,
             "lhcp": np.abs(el) ** 2}
        g = {k: self._to_gain(v) for k, v in g.items()}
        g["total"] = g["theta"] + g["phi"]
        return g

    def gain_dbi(self, theta: Any, phi: Any) -> np.ndarray:
        """(F, D) total power gain in dBi (-999.99 where there is no field)."""
        return db(self.gain(theta, phi))

    def gain_rhcp(self, theta: Any, phi: Any) -> np.ndarray:
        """(F, D) right-hand circular gain (linear)."""
        return self.gain_components(theta, phi)["rhcp"]

    def gain_lhcp(self, theta: Any, phi: Any) -> np.ndarray:
        return self.gain_components(theta, phi)["lhcp"]

    def directivity(self, theta: Any, phi: Any) -> np.ndarray:
        """(F, D) directivity (linear), ``4 pi U / P_rad``."""
        return self.gain(theta, phi) / self.efficiency[:, None]

    def average_gain(self, n_theta: int | None = None) -> np.ndarray:
        """(F,) the average-gain test ``int G dOmega / Omega`` by an exact-for-band-limited
        quadrature; ``n_theta`` defaults from the antenna's electrical size."""
        ground = self.antenna.mesh.ground
        if n_theta is None:
            pts = np.concatenate([self.antenna.mesh.start, self.antenna.mesh.end])
            kr = 2.0 * np.pi * self.frequencies.max() / C0 * np.sqrt((pts ** 2).sum(axis=1)).max()
            n_theta = int(max(12, np.ceil(kr) + 10))
        th, ph, w = sphere_rule(n_theta, upper_only=ground)
        return self.gain(th, ph) @ w * (2.0 if ground else 1.0) / (2.0 if ground else 1.0)

    def max_gain(self, theta: Any, phi: Any) -> tuple[np.ndarray, np.ndarray]:
        """(F,) maximum total gain (dBi) over the given directions and (F, 2) its
        (theta, phi) in degrees (the first of equal maxima)."""
        th, ph = np.broadcast_arrays(np.asarray(theta, float), np.asarray(phi, float))
        th, ph = th.ravel(), ph.ravel()
        g = self.gain(th, ph)
        i = np.argmax(g, axis=1)
        return db(g[np.arange(len(i)), i]), np.stack([th[i], ph[i]], axis=1)

    # ---- polarisation (IEEE Std 145; see gadesign_problems.antenna.polarisation) --------
    def axial_ratio_db(self, theta: Any, phi: Any) -> np.ndarray:
        """(F, D) axial ratio (dB, 0 = circular, ``inf`` = linear) towards ``theta``, ``phi``."""
        from gadesign_problems.antenna.polarisation import axial_ratio_db

        return axial_ratio_db(*self.far_field(theta, phi))

    def polarisation(self, theta: Any, phi: Any) -> dict[str, np.ndarray]:
        """One far-field evaluation, every (F, D) polarisation quantity: ``rhcp_dbic``,
        ``lhcp_dbic``, ``total_dbi``, ``axial_ratio_db`` and ``sense`` (+1 right-handed,
        -1 left-handed, 0 linear; IEEE, looking along the propagation)."""
        from gadesign_problems.antenna.polarisation import axial_ratio_db, circular_components, sense

        et, ep = self.far_field(theta, phi)
        er, el = circular_components(et, ep)
        return {"rhcp_dbic": db(self._to_gain(np.abs(er) ** 2)), "lhcp_dbic": db(self._to_gain(np.abs(el) ** 2)),
                "total_dbi": db(self._to_gain(np.abs(et) ** 2 + np.abs(ep) ** 2)),
                "axial_ratio_db": axial_ratio_db(et, ep), "sense": sense(et, ep)}
