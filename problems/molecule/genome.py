"""An integer genome for elemental compositions, with chemistry-aware moves.

A genome is the count vector over an element alphabet (``C, H, N, O, ...``). Hydrogen
is not searched: :meth:`CompositionGenome.repair` sets it to the count that best
explains the target neutral mass, ``H = round((M - m_heavy) / m_H)``, so every genome
sits on (or next to) the measured nominal mass and the search runs over heavy atoms.

Mutation applies one of three moves, then the hydrogen repair, then a settling swap
(one that lands within the ppm window if any does, else the one closest to the target
mass, or none) so that children stay on the measured mass:

``step``      +-1 or +-2 on one heavy-atom count;
``transfer``  trade ``a`` atoms of one heavy element for ``b`` of another of about the
              same mass (O -> C, S -> O2, I -> C11, ...; the repair absorbs the
              difference with hydrogens), generated from the element masses;
``swap``      a near-isobaric exchange over all elements, e.g. ``O <-> CH4``
              (0.036 Da), ``CO <-> N2`` (0.011 Da), ``S <-> O2`` (0.018 Da), found by
              enumerating small compositions and pairing those of nearly equal exact mass;
              of a few random swaps the one landing closest to the target mass is taken.

Crossover is uniform (each count from either parent), followed by the repair.
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np

from gadesign.genomes.integer import IntegerVector
from gadesign_problems.molecule.formula import element


def transfers(elements: Sequence[str], max_atoms: int = 2) -> np.ndarray:
    """Mass-preserving transfers: ``+a`` atoms of heavy element i (a <= max_atoms) paid
    for by ``-b`` of heavy element j, ``b = round(a m_i / m_j) >= 1``, so the nominal
    mass moves by less than half an atom of j and the hydrogen repair absorbs the rest
    (``+O -C`` with 4 H fewer, ``+I -C11`` with 5 H more, ``+S -O2``). Each as a
    count-change vector, smallest leftover first."""
    masses = [element(e).monoisotopic_mass for e in elements]
    heavy = [i for i, e in enumerate(elements) if e != "H"]
    moves: list[tuple[float, np.ndarray]] = []
    for i in heavy:
        for j in heavy:
            if i == j:
                continue
            for a in range(1, max_atoms + 1):
                b = int(round(a * masses[i] / masses[j]))
                if b < 1 or (a > 1 and np.gcd(a, b) != 1):
                    continue
                d = np.zeros(len(elements), dtype=np.int64)
                d[i], d[j] = a, -b
                moves.append((abs(a * masses[i] - b * masses[j]), d))
    moves.sort(key=lambda t: t[0])
    return np.array([d for _, d in moves], dtype=np.int64).reshape(-1, len(elements))


def near_isobaric_swaps(elements: Sequence[str], tolerance: float = 0.05, max_heavy: int = 3,
                        max_h: int = 8, limit: int = 60) -> np.ndarray:
    """Count-change vectors ``d`` with ``|d . masses| <= tolerance`` Da that swap one small
    group of atoms for another with the same nominal mass (``O <-> CH4``, ``CO <-> N2``).

    Every group with at most ``max_heavy`` heavy atoms and ``max_h`` hydrogens is listed
    with its exact mass; groups of equal nominal mass with disjoint elements are paired.
    Moves with the same heavy-atom part are one move (the repair resets H). Returns up
    to ``limit`` moves (both signs), fewest heavy atoms moved first, then smallest mass
    change.
    """
    k = len(elements)
    masses = np.array([element(e).monoisotopic_mass for e in elements])
    h = list(elements).index("H") if "H" in elements else None
    groups: list[np.ndarray] = []

    def extend(prefix: list[int], pos: int, heavy_left: int) -> None:
        if pos == k:
            groups.append(np.array(prefix, dtype=np.int64))
            return
        top = max_h if pos == h else heavy_left
        for n in range(top + 1):
            extend(prefix + [n], pos + 1, heavy_left - (0 if pos == h else n))

    extend([], 0, max_heavy)
    G = np.array(groups[1:])                    # drop the empty group
    heavy_cols = [i for i in range(k) if i != h]
    G = G[G[:, heavy_cols].sum(axis=1) >= 1]    # a swap always moves a heavy atom
    m = G @ masses
    nominal = np.rint(m).astype(np.int64)
    heavy_mask = np.ones(k, dtype=bool)
    if h is not None:
        heavy_mask[h] = False
    moves: dict[bytes, tuple[int, float, np.ndarray]] = {}  # by heavy part: H is repaired anyway
    order = np.argsort(m)
    G, m, nominal = G[order], m[order], nominal[order]
    for a in range(len(G)):
        b = a + 1
        while b < len(G) and m[b] - m[a] <= tolerance:
            if nominal[a] == nominal[b] and not ((G[a] > 0) & (G[b] > 0)).any():
                d = G[b] - G[a]
                if np.gcd.reduce(np.abs(d)) == 1:
                    gap = abs(float(m[b] - m[a]))
                    for s in (d, -d):
                        key = s[heavy_mask].tobytes()
                        cost = int(np.abs(s[heavy_mask]).sum())
                        if key not in moves or moves[key][1] > gap:
                            moves[key] = (cost, gap, s)
            b += 1
    ranked = sorted(moves.values(), key=lambda t: (t[0], t[1]))
    return np.array([d for _, _, d in ranked[:limit]], dtype=np.int64).reshape(-1, k)


class CompositionGenome(IntegerVector):
    """Count vectors over ``elements`` in ``[lower, upper]``, hydrogen repaired to the
    target neutral mass ``target_mass`` (Da). See the module docstring for the moves;
    ``carbon_estimate`` (optional) centres half of the initial carbon counts;
    ``tolerance`` (Da, the search window) lets a swap pick at random among the moves
    that land inside it instead of always the closest."""

    def __init__(self, elements: Sequence[str], lower: Sequence[int], upper: Sequence[int],
                 target_mass: float, *, move_probs: tuple[float, float, float] = (0.4, 0.3, 0.3),
                 crossover_prob: float = 0.7, swap_tournament: int = 4, correct_prob: float = 0.8, settle_steps: int = 3,
                 carbon_estimate: float | None = None, tolerance: float = 0.0) -> None:
        super().__init__(lower, upper, mutation="creep", crossover="uniform", crossover_prob=crossover_prob)
        self.elements = tuple(elements)
        self.target_mass = float(target_mass)
        self.masses = np.array([element(e).monoisotopic_mass for e in self.elements])
        self.h = self.elements.index("H") if "H" in self.elements else None
        self.heavy = np.array([i for i in range(self.n) if i != self.h], dtype=np.int64)
        self.transfer_moves = transfers(self.elements)
        self.swap_moves = near_isobaric_swaps(self.elements)
        probs = np.array(move_probs, dtype=float)
        if len(self.transfer_moves) == 0:
            probs[1] = 0.0
        if len(self.swap_moves) == 0:
            probs[2] = 0.0
        self.move_probs = probs / probs.sum()
        self.swap_tournament = int(swap_tournament)
        self.correct_prob = float(correct_prob)
        self.settle_steps = int(settle_steps)
        self.carbon_estimate = None if carbon_estimate is None else float(carbon_estimate)
        self.tolerance = float(tolerance)
        #: Optional exact completion applied after every repair (the formula problem sets
        #: it: C/H/N/O replaced by the best completion of the other elements' counts).
        self.completer: Callable[[np.ndarray], np.ndarray] | None = None

    # -- repair -------------------------------------------------------------------------
    def repair_rows(self, X: np.ndarray) -> np.ndarray:
        """Clip to the bounds, then set H to best explain the target mass (and apply the
        :attr:`completer`, when set)."""
        X = np.clip(np.asarray(X, dtype=np.int64), self.lower, self.upper)
        if self.h is not None:
            heavy_mass = X[:, self.heavy] @ self.masses[self.heavy]
            best = np.rint((self.target_mass - heavy_mass) / self.masses[self.h]).astype(np.int64)
            X[:, self.h] = np.clip(best, self.lower[self.h], self.upper[self.h])
        if self.completer is not None and len(X):
            X = np.clip(self.completer(X), self.lower, self.upper)
        return X

    def repair(self, x: np.ndarray) -> np.ndarray:
        return self.repair_rows(np.asarray(x)[None, :])[0]

    # -- sampling -------------------------------------------------------------------------
    def sample_many(self, n: int, rng: np.random.Generator) -> list[np.ndarray]:
        """Compositions whose heavy atoms carry 75-98 % of the target mass, shared out by a
        Dirichlet draw that favours carbon; with a ``carbon_estimate`` (from the measured
        M+1/M+0 ratio) half of them instead draw the carbon count around it; a quarter
        form a ladder of compositions rich in one element other than C, N, O. Then
        repaired and moved towards the target mass by up to ``settle_steps`` closest swaps."""
        X = np.zeros((n, self.n), dtype=np.int64)
        alpha = np.array([4.0 if self.elements[i] == "C" else 0.6 for i in self.heavy])
        shares = rng.dirichlet(alpha, size=n)
        heavy_mass = self.target_mass * rng.uniform(0.75, 0.98, size=(n, 1))
        X[:, self.heavy] = np.floor(shares * heavy_mass / self.masses[self.heavy] + rng.random(shares.shape))
        c = self.elements.index("C") if "C" in self.elements else None
        if self.carbon_estimate is not None and c is not None:
            hinted = np.arange(n) % 2 == 1
            spread = 1.5 + 0.1 * self.carbon_estimate
            n_c = np.rint(rng.normal(self.carbon_estimate, spread, size=n)).astype(np.int64)
            n_c = np.clip(n_c, self.lower[c], self.upper[c])
            rest = [i for i in self.heavy if i != c]
            left = np.maximum(heavy_mass[:, 0] - n_c * self.masses[c], 0.0)
            sub = shares[:, [list(self.heavy).index(i) for i in rest]]
            sub = sub / np.maximum(sub.sum(axis=1, keepdims=True), 1e-12)
            others = np.floor(sub * left[:, None] / self.masses[rest] + rng.random(sub.shape)).astype(np.int64)
            X[hinted, c] = n_c[hinted]
            X[np.ix_(hinted, rest)] = others[hinted]
        X = self.repair_rows(X)
        if len(self.swap_moves):
            for _ in range(self.settle_steps):
                X = self.repair_rows(self._closest_rows(X, self.swap_moves[None, :, :], keep=True))
        # a quarter of the rows: a ladder over compositions rich in one element other than
        # C, N, O (PFOA's F15, DDT's Cl5): the rare elements in turn, each at counts spread
        # evenly over its bounds (jittered), the other rare elements at their lower bounds
        rare = np.array([i for i in self.heavy if self.elements[i] not in ("C", "N", "O")], dtype=np.int64)
        ladder = np.flatnonzero(np.arange(n) % 4 == 3)
        if len(rare) and len(ladder):
            j = np.arange(len(ladder))
            cols = rare[j % len(rare)]
            steps = -(-len(ladder) // len(rare))
            frac = (j // len(rare) + rng.random(len(ladder))) / steps
            X[np.ix_(ladder, rare)] = self.lower[rare]
            X[ladder, cols] = self.lower[cols] + np.floor(frac * (self.upper[cols] - self.lower[cols] + 1))
            X[ladder] = self.repair_rows(X[ladder])     # not settled: the mass is the completion's job
        return list(X)

    def sample(self, rng: np.random.Generator) -> np.ndarray:
        return self.sample_many(1, rng)[0]

    # -- variation ------------------------------------------------------------------------
    def _mutate_rows(self, X: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """One move per row (vectorised over rows), the hydrogen repair, then one settling
        swap (or none) that keeps or brings the child onto the target mass."""
        Y = np.array(X, dtype=np.int64, copy=True)
        kinds = rng.choice(3, size=len(Y), p=self.move_probs)
        correct = rng.random(len(Y)) < self.correct_prob
        rows = np.flatnonzero(kinds == 0)                       # +-1 / +-2 on a heavy atom
        if len(rows):
            cols = self.heavy[rng.integers(len(self.heavy), size=len(rows))]
            steps = rng.choice(np.array([-2, -1, 1, 2]), size=len(rows))
            new = Y[rows, cols] + steps
            steps = np.where((new < self.lower[cols]) | (new > self.upper[cols]), -steps, steps)
            Y[rows, cols] += steps
        rows = np.flatnonzero(kinds == 1)                       # a mass-preserving transfer
        if len(rows):
            picks = self.transfer_moves[rng.integers(len(self.transfer_moves), size=len(rows))]
            Y[rows] = self._closest_rows(Y[rows], picks[:, None, :])
        rows = np.flatnonzero(kinds == 2)                       # the closest of a few swaps
        if len(rows):
            picks = self.swap_moves[rng.integers(len(self.swap_moves), size=(len(rows), self.swap_tournament))]
            Y[rows] = self._closest_rows(Y[rows], picks, rng=rng)
        rows = np.flatnonzero((kinds != 2) & correct)           # back towards the target mass
        if len(rows) and len(self.swap_moves):
            Y[rows] = self._closest_rows(Y[rows], self.swap_moves[None, :, :], keep=True, rng=rng)
        Y = self.repair_rows(Y)
        if len(self.swap_moves):                                # settle every child on the mass
            Y = self.repair_rows(self._closest_rows(Y, self.swap_moves[None, :, :], keep=True, rng=rng))
        return Y

    def _closest_rows(self, Y: np.ndarray, moves: np.ndarray, keep: bool = False,
                      rng: np.random.Generator | None = None) -> np.ndarray:
        """Each row of ``Y`` plus the one of its ``moves`` (shape (rows or 1, M, k)) whose
        hydrogen-repaired result lies closest to the target mass; with ``keep`` staying
        put is a candidate too; with ``rng``, a random one of the moves landing within
        ``tolerance`` Da of the target when there are several. Moves that leave the
        bounds are skipped; a row with no move inside them is unchanged."""
        moves = np.broadcast_to(moves, (len(Y), moves.shape[1], self.n))
        if keep:
            moves = np.concatenate([np.zeros((len(Y), 1, self.n), dtype=np.int64), moves], axis=1)
        trial = Y[:, None, :] + moves
        heavy = trial[:, :, self.heavy]
        inside = ((heavy >= self.lower[self.heavy]) & (heavy <= self.upper[self.heavy])).all(axis=2)
        mass = heavy @ self.masses[self.heavy]
        if self.h is not None:
            n_h = np.clip(np.rint((self.target_mass - mass) / self.masses[self.h]),
                          self.lower[self.h], self.upper[self.h])
            mass = mass + n_h * self.masses[self.h]
        error = np.where(inside, np.abs(mass - self.target_mass), np.inf)
        best = np.argmin(error, axis=1)
        if rng is not None and self.tolerance > 0:
            # several moves land within the tolerance: take a random one of them (diversity)
            hits = error <= self.tolerance
            score = np.where(hits, rng.random(error.shape), -1.0)
            best = np.where(hits.any(axis=1), np.argmax(score, axis=1), best)
        chosen = moves[np.arange(len(Y)), best] * inside.any(axis=1)[:, None]
        return Y + chosen

    vary_by_rows = True  # crossover below is _cross_rows + repair for one pair: the pool is varied by rows

    def crossover(self, a: np.ndarray, b: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        c1, c2 = self._cross_rows(np.asarray(a)[None, :], np.asarray(b)[None, :], rng)
        return tuple(self.repair_rows(np.vstack([c1, c2])))  # type: ignore[return-value]

    def describe(self) -> dict[str, Any]:
        return {"type": "CompositionGenome", "elements": list(self.elements), "lower": self.lower.tolist(),
                "upper": self.upper.tolist(), "target_mass": self.target_mass,
                "carbon_estimate": self.carbon_estimate,
                "transfers": len(self.transfer_moves), "swaps": len(self.swap_moves)}
