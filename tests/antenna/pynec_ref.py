"""PyNEC (nec2++, GPL) as an independent, optional, test-only reference engine.

Builds the same structure card by card from an :class:`Antenna`'s wires (never from our
solver's output) and returns NEC-2's input impedance, gains and average gain.
"""

from __future__ import annotations

import numpy as np


def nec_context(ant, k: int = 1, extended: bool = False):
    """A PyNEC context holding ``ant`` card by card: GW cards with every wire's segment count
    times ``k``, GE/GN 1 over perfect ground, EK when ``extended`` (NEC's extended
    thin-wire kernel), LD cards, and each source spread over the ``k`` pieces of its
    segment (``V / k`` each: the deck's gap kept, as :meth:`Antenna.refined` does)."""
    import PyNEC

    k = int(k)
    if ant.loads and k > 1:
        raise ValueError("loads are placed on the deck's segments: refine a loaded deck with Antenna.resegmented")
    ctx = PyNEC.nec_context()
    geo = ctx.get_geometry()
    for w in ant.wires:
        geo.wire(int(w.tag), int(w.segments) * k, *map(float, w.start), *map(float, w.end), float(w.radius), 1.0, 1.0)
    ctx.geometry_complete(1 if ant.ground else 0)
    if ant.ground:
        ctx.gn_card(1, 0, 0, 0, 0, 0, 0, 0)
    if extended:
        ctx.set_extended_thin_wire_kernel(True)
    codes = {"series": 0, "parallel": 1, "impedance": 4, "conductivity": 5}
    for ld in ant.loads:
        vals = {"series": (ld.r, ld.l, ld.c), "parallel": (ld.r, ld.l, ld.c),
                "impedance": (ld.r, ld.x, 0.0), "conductivity": (ld.sigma, 0.0, 0.0)}[ld.kind]
        ctx.ld_card(codes[ld.kind], ld.tag, ld.first, ld.last, *vals)
    for s in ant.sources:
        v = complex(s.voltage) / k
        for j in range(k):
            ctx.ex_card(0, s.tag, (s.segment - 1) * k + j + 1, 0, v.real, v.imag, 0, 0, 0, 0)
    return ctx


def gap_impedances(ctx, ant, k: int = 1) -> np.ndarray:
    """Each source's impedance ``V / mean I`` over the ``k`` pieces of its segment, after
    an :func:`nec_context` of ``ant`` at refinement ``k`` has been solved (FR, XQ)."""
    cur = np.array(ctx.get_input_parameters(0).get_current()).reshape(len(ant.sources), int(k))
    return np.array([complex(s.voltage) for s in ant.sources]) / cur.mean(axis=1)


def upper_hemisphere_fields(ctx, freq_hz: float):
    """Solve ``ctx`` at ``freq_hz`` on NEC's 5-degree grid over the upper hemisphere (19
    thetas from 0, 73 phis from 0 to 360). Returns ``(impedance ohm of the first source,
    gain dBi, E_theta, E_phi, the radiation pattern object)``, the arrays (19, 73)
    theta-major (nec2++ returns the fields phi-major). The pattern object reads ``ctx``'s
    memory: keep ``ctx`` referenced while using it (a temporary context is freed on return
    and its average gain then reads garbage)."""
    ctx.fr_card(0, 1, freq_hz / 1e6, 0)
    n_th, n_ph = 19, 73
    ctx.rp_card(0, n_th, n_ph, 1, 0, 0, 1, 0.0, 0.0, 5.0, 5.0, 0, 0)
    z = complex(ctx.get_input_parameters(0).get_impedance()[0])
    rp = ctx.get_radiation_pattern(0)
    g = np.asarray(rp.get_gain(), float).reshape(n_th, n_ph)
    et = np.asarray(rp.get_e_theta()).reshape(n_ph, n_th).T
    ep = np.asarray(rp.get_e_phi()).reshape(n_ph, n_th).T
    return z, g, et, ep, rp


def nec_solve(ant, freq_hz: float, theta_deg=None, phi_deg=None):
    """(impedance ohm, total gain dBi on the (theta, phi) grid, NEC's average gain)."""
    ctx = nec_context(ant)
    ctx.fr_card(0, 1, freq_hz / 1e6, 0)
    n_th = 19 if ant.ground else 37
    ctx.rp_card(0, n_th, 73, 1, 0, 0, 1, 0.0, 0.0, 5.0, 5.0, 0, 0)
    z = ctx.get_input_parameters(0).get_impedance()[0]
    rp = ctx.get_radiation_pattern(0)
    gains = np.array(rp.get_gain()).reshape(n_th, 73)
    th = np.arange(n_th) * 5.0
    ph = np.arange(73) * 5.0
    # NEC's own average-gain estimate: sin-weighted mean of linear gain on the grid
    lin = 10.0 ** (gains / 10.0)
    w = np.sin(np.radians(th))[:, None] * np.ones(73)[None, :]
    w[:, -1] = 0.0                                   # phi = 360 repeats phi = 0
    agt = float((lin * w).sum() / w.sum())       # 1 (free space) or 2 (over ground) if passing
    return complex(z), gains, th, ph, agt
