"""Molecular composition: infer elemental formulas from high-resolution mass spectra.

Useful without the engine: :class:`~gadesign_problems.molecule.formula.Formula` (Hill notation,
masses, RDBE, adduct ions), batched isotope patterns, the Seven Golden Rules, and an exact
meet-in-the-middle enumerator; the ``molecule-formula`` problem evolves compositions.
"""
