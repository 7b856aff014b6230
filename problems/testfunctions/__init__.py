"""Benchmark problems with known fronts (ZDT, DTLZ, OSY, TNK, sphere, Rastrigin).

They validate the engine against analytic optima and give a first run in seconds. They
are registered through the ``gadesign.problems`` entry points like any other plugin.
"""
