"""Wire antennas: a thin-wire method-of-moments solver with NEC-2 deck and Touchstone IO.

Usable without the engine::

    from gadesign_problems.antenna import Antenna
    ant = Antenna.from_nec("yagi.nec")
    ant.impedance(299.8e6)                 # complex ohm
    sol = ant.solve([7.2e9, 8.47e9])       # one solve per frequency, shared geometry
    sol.vswr(); sol.gain_rhcp(theta_deg, phi_deg)

Modules: ``wires`` (the Antenna domain object and geometry checks), ``mesh`` (segments
and triangle basis functions), ``mom`` (EFIE operator and solve), ``kernels`` (its
compiled loops: quadrature tables and the fill), ``farfield`` and
``solution`` (patterns, gain, polarisation), ``nec`` (decks), ``network`` (scikit-rf,
Touchstone), ``plots``, ``cli`` (``gadesign antenna ...``). Evolution: ``tree`` (the
branching-wire genome of ST5-style antennas), ``st5``, ``yagi``, ``crooked`` (registered
problems ``antenna-st5``, ``antenna-yagi``, ``antenna-crooked-wire``), ``export`` (the
files written for every front member).
"""

from gadesign_problems.antenna.nec import DeckError
from gadesign_problems.antenna.wires import Antenna, GeometryError, Load, PatternRequest, Source, Wire

__all__ = ["Antenna", "DeckError", "GeometryError", "Load", "PatternRequest", "Source", "Wire"]
