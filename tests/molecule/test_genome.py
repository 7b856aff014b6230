"""The composition genome: generated moves, hydrogen repair, bounds and determinism."""

from __future__ import annotations

import numpy as np
import pytest

from gadesign_problems.molecule.formula import element, parse_elements
from gadesign_problems.molecule.genome import CompositionGenome, near_isobaric_swaps, transfers

ELEMENTS = parse_elements("CHNOPSClBrI")
MASSES = np.array([element(e).monoisotopic_mass for e in ELEMENTS])


def as_dict(d):
    return {e: int(v) for e, v in zip(ELEMENTS, d) if v}


def test_swaps_are_near_isobaric_and_include_textbook_pairs():
    swaps = near_isobaric_swaps(ELEMENTS)
    assert len(swaps) > 10
    assert (np.abs(swaps @ MASSES) <= 0.05).all()
    nominal = np.array([element(e).nominal_mass for e in ELEMENTS])
    assert (swaps @ nominal == 0).all()
    heavy = [i for i, e in enumerate(ELEMENTS) if e != "H"]
    heavy_parts = {tuple(s[heavy]) for s in swaps}
    c, n, o, s_ = (heavy.index(ELEMENTS.index(e)) for e in ("C", "N", "O", "S"))

    def part(**delta):
        v = [0] * len(heavy)
        for key, value in delta.items():
            v[{"C": c, "N": n, "O": o, "S": s_}[key]] = value
        return tuple(v)

    assert part(C=1, O=-1) in heavy_parts          # CH4 <-> O, 0.036 Da
    assert part(C=1, O=1, N=-2) in heavy_parts     # CO <-> N2, 0.011 Da
    assert part(S=1, O=-2) in heavy_parts          # S <-> O2, 0.018 Da


def test_transfers_are_mass_preserving_up_to_hydrogens():
    moves = transfers(ELEMENTS)
    h = ELEMENTS.index("H")
    assert (moves[:, h] == 0).all() and ((moves != 0).sum(axis=1) == 2).all()
    for d in moves:
        j = int(np.flatnonzero(d < 0)[0])
        assert abs(d @ MASSES) <= MASSES[j] / 2 + 1e-9      # less than half an atom of j
    iodine = [as_dict(d) for d in moves if d[ELEMENTS.index("I")] == 1 and d[0] < 0]
    assert {"C": -11, "I": 1} in iodine            # I (126.9) for C11 (132), the rest as H


def test_repair_sets_hydrogen_to_the_best_count():
    target = 302.0417717
    genome = CompositionGenome(ELEMENTS, [0] * 9, [40, 80, 10, 20, 5, 5, 4, 4, 4], target)
    rng = np.random.default_rng(3)
    X = rng.integers(0, [30, 80, 5, 10, 2, 2, 1, 1, 1], size=(50, 9))
    R = genome.repair_rows(X)
    for x, r in zip(X, R):
        heavy = np.delete(x, 1) @ np.delete(MASSES, 1)
        options = np.arange(0, 81)
        best = options[np.argmin(np.abs(heavy + options * MASSES[1] - target))]
        assert r[1] == best and (np.delete(r, 1) == np.delete(x, 1)).all()


def test_variation_keeps_bounds_and_is_deterministic():
    genome = CompositionGenome(ELEMENTS, [0] * 9, [40, 80, 10, 20, 5, 5, 4, 4, 4], 450.0)
    pop = genome.sample_many(40, np.random.default_rng(1))
    a = genome.vary(pop, np.random.default_rng(9))
    b = genome.vary(pop, np.random.default_rng(9))
    assert all(np.array_equal(x, y) for x, y in zip(a, b))
    for x in pop + a:
        assert (x >= genome.lower).all() and (x <= genome.upper).all()
        assert np.array_equal(genome.repair(x), x)
        assert np.array_equal(genome.from_json(genome.to_json(x)), x)
    # sampled compositions sit near the target mass (hydrogen-repaired, then settled), except
    # every fourth: a ladder with one element other than C, N, O at spread counts (their
    # C/H/N/O are completed exactly when evaluated)
    masses = np.array(pop) @ MASSES
    settled = np.arange(len(pop)) % 4 != 3
    assert np.median(np.abs(masses[settled] - 450.0)) < 1.0
    rare = [i for i, e in enumerate(ELEMENTS) if e not in ("C", "H", "N", "O")]
    ladder = np.array(pop)[~settled][:, rare]
    assert ((ladder > 0).sum(axis=1) <= 1).all() and len({int(np.argmax(r)) for r in ladder if r.any()}) >= 4
    c1, c2 = genome.crossover(pop[0], pop[1], np.random.default_rng(2))
    for child in (c1, c2):
        for i, e in enumerate(ELEMENTS):
            if e != "H":
                assert child[i] in (pop[0][i], pop[1][i])   # uniform crossover


def test_mutation_changes_heavy_atoms():
    genome = CompositionGenome(ELEMENTS, [0] * 9, [40, 80, 10, 20, 5, 5, 4, 4, 4], 450.0)
    rng = np.random.default_rng(5)
    x = genome.sample(rng)
    changed = sum(not np.array_equal(genome.mutate(x, rng), x) for _ in range(50))
    assert changed >= 40
    with pytest.raises(ValueError):
        genome.from_json([1, 2, 3])
