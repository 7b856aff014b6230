"""Branching-wire trees: the genome of ST5-style antennas and its decoding.

A design is one *arm*: a tree of straight wires. Each :class:`Node` adds a wire of
``length`` (m) that leaves the end of its parent wire (the root leaves the top of the
feed wire) in a direction given relative to the parent's: ``bend`` (degrees) away from
the parent's direction, towards the side ``twist`` (degrees) about the parent's axis, as
a LOGO turtle does (Hornby, Lohn & Linden 2011 use the same relative "rotate, forward"
construction). A node may carry up to two children: one child continues the wire, two
make a *branch*. The antenna is the arm and its three copies rotated by 90, 180 and
270 degrees about ``z`` (4-fold rotational symmetry), joined at the top of a short feed
wire from (0, 0, 0) to (0, 0, ``feed_height``) over a PEC ground plane, fed there.

**Repair, not penalty.** :meth:`ArmSpace.prune` builds the wires in pre-order and keeps
a wire only if (after shortening it to stay in the allowed cylinder, radius ``radius``
and ``z`` in ``[z_min, height]``) it is at least ``min_length`` long, makes an angle of
at least ``min_angle`` with every wire it shares its start node with, and stays at
least ``clearance`` away from every other wire of all four arms (and from the feed);
otherwise the wire *and its subtree* are dropped. ``min_angle`` comes from the wire
radius (:func:`junction_angle`): two wires of radius ``a`` meeting at a node at angle
``theta`` overlap (their surfaces intersect) over ``a / tan(theta / 2)`` beyond the node;
at ``theta >= 2 atan(1/2) = 53.13`` degrees that is at most one wire diameter, the size
of the junction itself, so no wire runs inside another beyond its junction and the
geometry stays valid when every segment is cut in two or four (see
:meth:`~gadesign_problems.antenna.wires.Antenna.refined`). The genome's :meth:`TreeGenome.repair`
writes the pruned, shortened tree back (Lamarckian repair), and decoding always prunes
first, so every tree, random, mutated, crossed over or read from JSON, decodes to a
geometry the solver accepts. The root wire is never dropped: its bounds (``bend`` in
``[root_bend_min, root_bend_max]``, length >= ``min_length``) keep it valid.

Units: metres and degrees.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any, Callable, Iterator, NamedTuple

import numpy as np

from gadesign.genomes.base import Genome
from gadesign_problems.antenna.wires import Antenna, Source, Wire


class Node(NamedTuple):
    """One wire of the tree: ``length`` (m), ``bend`` and ``twist`` (degrees) relative
    to the parent wire, and the child wires that start at its end."""

    length: float
    bend: float
    twist: float
    children: tuple["Node", ...] = ()


Path = tuple[int, ...]


class PolishRequest(Node):
    """A mutation's request for a local polish of this tree (``TreeGenome.polish_prob``).
    The polish itself happens in :meth:`TreeGenome.repair`, which the engine runs on the
    evaluation workers when there are any (``parallel_repair``), so its solves run in
    parallel instead of in the main process; serially the result is the same tree."""

    __slots__ = ()


# ---- tree helpers (pure functions on immutable nodes) ---------------------------------------
def walk(node: Node, path: Path = ()) -> Iterator[tuple[Path, Node]]:
    """(path, node) in pre-order; a path lists child indices from the root."""
    yield path, node
    for i, child in enumerate(node.children):
        yield from walk(child, path + (i,))


def count_wires(node: Node) -> int:
    return 1 + sum(count_wires(c) for c in node.children)


def count_branches(node: Node) -> int:
    """Branch points: sum over nodes of (children - 1) where a node has several children."""
    return max(0, len(node.children) - 1) + sum(count_branches(c) for c in node.children)


def shape(node: Node) -> tuple[Any, ...]:
    """The tree's topology, without lengths or angles: each node's children's shapes, in
    order (a wire with no children is ``()``); equal for trees a local polish of the
    continuous genes can move between."""
    return tuple(shape(c) for c in node.children)


def depth(node: Node) -> int:
    return 1 + max((depth(c) for c in node.children), default=0)


def get(node: Node, path: Path) -> Node:
    for i in path:
        node = node.children[i]
    return node


def replace(node: Node, path: Path, new: Node | None) -> Node:
    """``node`` with the subtree at ``path`` replaced by ``new`` (None removes it)."""
    if not path:
        if new is None:
            raise ValueError("cannot remove the root wire")
        return new
    i = path[0]
    kids = list(node.children)
    if len(path) == 1:
        if new is None:
            del kids[i]
        else:
            kids[i] = new
    else:
        kids[i] = replace(kids[i], path[1:], new)
    return node._replace(children=tuple(kids))


def add_child(node: Node, path: Path, child: Node) -> Node:
    parent = get(node, path)
    return replace(node, path, parent._replace(children=parent.children + (child,)))


def to_json(node: Node) -> list[Any]:
    """``[length, bend, twist, [children...]]`` (floats round-trip exactly in JSON)."""
    return [float(node.length), float(node.bend), float(node.twist), [to_json(c) for c in node.children]]


def from_json(data: Any) -> Node:
    if not (isinstance(data, (list, tuple)) and len(data) == 4 and isinstance(data[3], (list, tuple))):
        raise ValueError(f"a tree node must be [length, bend, twist, [children]], got {data!r}"[:200])
    values = [float(v) for v in data[:3]]
    if not all(math.isfinite(v) for v in values):
        raise ValueError("tree node values must be finite")
    return Node(*values, tuple(from_json(c) for c in data[3]))


# ---- geometry -----------------------------------------------------------------------------
def junction_overlap(radius: float, angle_deg: float) -> float:
    """How far (m) beyond their shared node two straight wires of radius ``radius`` (m)
    meeting at ``angle_deg`` (degrees, between their directions away from the node)
    still overlap: a point ``t`` along one axis has its surface inside the other wire
    while ``t sin(theta) - a cos(theta) < a``, i.e. for ``t < a / tan(theta / 2)``."""
    theta = math.radians(angle_deg)
    if not 0.0 < theta <= math.pi:
        raise ValueError("the angle between two wires must be in (0, 180] degrees")
    return radius / math.tan(0.5 * theta)


def junction_angle(radius: float, overlap: float) -> float:
    """Smallest angle (degrees) at which two wires of radius ``radius`` meeting at a node
    overlap no further than ``overlap`` (m) beyond it: ``2 atan(radius / overlap)``
    (the inverse of :func:`junction_overlap`)."""
    if not (radius > 0.0 and overlap > 0.0):
        raise ValueError("radius and overlap must be positive")
    return math.degrees(2.0 * math.atan(radius / overlap))


#: Overlap allowed beyond a junction, in wire diameters: the junction's own size.
JUNCTION_OVERLAP_DIAMETERS = 1.0

#: The smallest angle between wires at a node (degrees): 2 atan(1/2) = 53.13 for one
#: diameter of overlap; scale-free, since overlap and allowance both scale with the radius.
MIN_JUNCTION_ANGLE = junction_angle(1.0, JUNCTION_OVERLAP_DIAMETERS * 2.0)


def _rot_z(k: int) -> np.ndarray:
    c, s = [(1, 0), (0, 1), (-1, 0), (0, -1)][k % 4]
    return np.array([[c, -s, 0.0], [s, c, 0.0], [0.0, 0.0, 1.0]])


ROTATIONS = np.stack([_rot_z(k) for k in range(4)])


def child_frame(d: np.ndarray, u: np.ndarray, bend: float, twist: float
                ) -> tuple[np.ndarray, np.ndarray]:
    """Direction and reference vector of a wire bent by ``bend`` degrees from direction
    ``d`` towards ``cos(twist) u + sin(twist) (d x u)``; the new reference vector lies in
    the bend plane, perpendicular to the new direction (a parallel-transported frame).

    Plain float arithmetic (no BLAS or SIMD reductions), so the repaired genome, which
    stores lengths computed from these frames, is bit-identical in every process."""
    b, t = math.radians(bend), math.radians(twist)
    d0, d1, d2 = float(d[0]), float(d[1]), float(d[2])
    u0, u1, u2 = float(u[0]), float(u[1]), float(u[2])
    c0, c1, c2 = d1 * u2 - d2 * u1, d2 * u0 - d0 * u2, d0 * u1 - d1 * u0          # d x u
    ct, st, cb, sb = math.cos(t), math.sin(t), math.cos(b), math.sin(b)
    w = (ct * u0 + st * c0, ct * u1 + st * c1, ct * u2 + st * c2)
    dn = (cb * d0 + sb * w[0], cb * d1 + sb * w[1], cb * d2 + sb * w[2])
    un = (-sb * d0 + cb * w[0], -sb * d1 + cb * w[1], -sb * d2 + cb * w[2])
    nd = math.sqrt(dn[0] * dn[0] + dn[1] * dn[1] + dn[2] * dn[2])
    nu = math.sqrt(un[0] * un[0] + un[1] * un[1] + un[2] * un[2])
    return (np.array([dn[0] / nd, dn[1] / nd, dn[2] / nd]), np.array([un[0] / nu, un[1] / nu, un[2] / nu]))


@dataclass(frozen=True)
class ArmSpace:
    """Where and how an arm may grow (SI units: metres, degrees).

    ``radius``/``height``: the allowed cylinder (axis ``z``, base on the ground plane);
    ``z_min``: lowest height of any wire; ``feed_height``: length of the feed wire;
    ``wire_radius``; ``min_length``/``max_length``: wire length bounds; ``min_angle``:
    smallest angle between two wires meeting at a node, at least
    ``junction_angle(wire_radius, JUNCTION_OVERLAP_DIAMETERS * 2 wire_radius)`` (53.13
    degrees: wires overlap at most one diameter beyond their node); ``clearance``: smallest distance
    between wires that do not meet; ``max_segment``: longest segment (the solver's
    discretisation, typically a tenth of the shortest wavelength); ``min_segment``: a
    wire is cut into fewer, longer segments (up to ``2 min_segment``) rather than into
    segments shorter than this (so that a refined mesh stays above the solver's
    shortest segment); 0: no such bound.
    """

    radius: float = 0.0762
    height: float = 0.1524
    z_min: float = 0.001
    feed_height: float = 0.004
    wire_radius: float = 0.00025
    min_length: float = 0.002
    max_length: float = 0.02
    min_angle: float = MIN_JUNCTION_ANGLE
    clearance: float = 0.001
    max_segment: float = 0.0035
    root_bend_min: float = MIN_JUNCTION_ANGLE
    root_bend_max: float = 95.0
    min_segment: float = 0.0
    feed_segments: int = 1

    def __post_init__(self) -> None:
        from gadesign_problems.antenna.wires import GeometryError

        if not (0 < self.min_length <= self.max_length and 0 < self.z_min < self.feed_height < self.height):
            raise GeometryError("ArmSpace: need 0 < min_length <= max_length and 0 < z_min < feed_height < height")
        if not (self.min_angle <= self.root_bend_min <= self.root_bend_max <= 180 - self.min_angle):
            raise GeometryError("ArmSpace: need min_angle <= root_bend_min <= root_bend_max <= 180 - min_angle")
        if self.min_length < 2.0 * self.wire_radius or self.max_segment < 2.0 * self.wire_radius:
            raise GeometryError("ArmSpace: wires and segments must be longer than twice the wire radius")
        if self.clearance < 2.0 * self.wire_radius:
            raise GeometryError("ArmSpace: clearance must be at least twice the wire radius")
        # wires meeting at a node may overlap only within the junction (one diameter)
        least = junction_angle(self.wire_radius, JUNCTION_OVERLAP_DIAMETERS * 2.0 * self.wire_radius)
        if self.min_angle < least * (1.0 - 1e-12):
            raise GeometryError(f"ArmSpace: min_angle {self.min_angle:g} deg is too small for the wire radius: "
                                f"wires meeting at a node would overlap more than {JUNCTION_OVERLAP_DIAMETERS:g} "
                                f"diameter beyond it (need >= {least:.4g} deg)")
        if int(self.feed_segments) != self.feed_segments or self.feed_segments < 1:
            raise GeometryError(f"ArmSpace: feed_segments must be a positive integer, got {self.feed_segments}")
        if self.min_length < 2.0 * junction_overlap(self.wire_radius, self.min_angle):
            raise GeometryError("ArmSpace: min_length must exceed the junction overlap at both ends "
                                "(2 wire_radius / tan(min_angle / 2))")
        if not self.radius > 0:     # a negative radius was taken as its absolute value (room uses radius**2)
            raise GeometryError(f"ArmSpace: the cylinder radius must be positive, got {self.radius}")
        # the root wire leaves the hub at any allowed bend: it must fit at every one (the room,
        # a minimum of a decreasing and an increasing function of the bend on each side of
        # 90 degrees, is least at the ends of the range or at 90), else sampling raised an
        # AssertionError ("root wire has no room") inside the run
        bends = [self.root_bend_min, self.root_bend_max] + ([90.0] if self.root_bend_min < 90 < self.root_bend_max
                                                             else [])
        room = min(self._room(self.hub, np.array([math.sin(math.radians(b)), 0.0, math.cos(math.radians(b))]))
                   for b in bends)
        if room < self.min_length * (1.0 - 1e-9):     # the tolerance grow() allows
            raise GeometryError(f"ArmSpace: a root wire of min_length {self.min_length:g} m does not fit in the "
                                f"cylinder (radius {self.radius:g} m, height {self.height:g} m, feed at "
                                f"{self.feed_height:g} m) at every allowed bend: widen or heighten the cylinder, "
                                "or shorten min_length")

    @property
    def hub(self) -> np.ndarray:
        return np.array([0.0, 0.0, self.feed_height])

    def _room(self, p: np.ndarray, d: np.ndarray) -> float:
        """Largest t >= 0 with p + t d inside the cylinder (p inside)."""
        t = math.inf
        if d[2] > 1e-12:
            t = (self.height - p[2]) / d[2]
        elif d[2] < -1e-12:
            t = (self.z_min - p[2]) / d[2]
        a = d[0] ** 2 + d[1] ** 2
        if a > 1e-24:
            b = p[0] * d[0] + p[1] * d[1]
            c = p[0] ** 2 + p[1] ** 2 - self.radius ** 2
            t = min(t, (-b + math.sqrt(max(b * b - a * c, 0.0))) / a)
        return max(t, 0.0)

    def clip_bounds(self, node: Node, root: bool) -> Node:
        """Length and angles inside their bounds (twist wrapped into [-180, 180))."""
        lo, hi = (self.root_bend_min, self.root_bend_max) if root else (0.0, 180.0 - self.min_angle)
        length = min(max(float(node.length), self.min_length), self.max_length)
        bend = min(max(float(node.bend), lo), hi)
        twist = (float(node.twist) + 180.0) % 360.0 - 180.0
        return Node(length, bend, twist, node.children)

    # -- repair -----------------------------------------------------------------------------
    def prune(self, tree: Node) -> tuple[Node, list[tuple[np.ndarray, np.ndarray]]]:
        """The repaired tree and its arm's wires ``(start, end)`` in pre-order."""
        feed = (np.zeros(3), self.hub)
        accepted: list[tuple[np.ndarray, np.ndarray]] = [feed]       # all four arms + feed
        arm: list[tuple[np.ndarray, np.ndarray]] = []
        z = np.array([0.0, 0.0, 1.0])
        x = np.array([1.0, 0.0, 0.0])

        def grow(node: Node, p: np.ndarray, d: np.ndarray, u: np.ndarray, root: bool,
                 at_node: list[np.ndarray]) -> Node | None:
            node = self.clip_bounds(node, root)
            d2, u2 = child_frame(d, u, node.bend, node.twist)
            length = min(node.length, self._room(p, d2))
            if length < self.min_length * (1.0 - 1e-9):
                if root:  # bounds keep the root inside; this guards against misuse
                    raise AssertionError("root wire has no room")
                return None
            length = max(length, self.min_length)
            q = p + length * d2
            # angles with the wires already meeting at p (as directions away from p)
            dirs = list(at_node)
            if root:
                dirs += [ROTATIONS[k] @ d2 for k in (1, 2, 3)]
            if any(float(np.dot(v, d2)) > math.cos(math.radians(self.min_angle)) for v in dirs):
                if root:
                    raise AssertionError("root wire bend below min_angle")
                return None
            copies = [(ROTATIONS[k] @ p, ROTATIONS[k] @ q) for k in range(4)]
            if not self._clear(copies, accepted, p, root):
                if root:
                    raise AssertionError("root wire collides")
                return None
            accepted.extend(copies)
            arm.append((p, q))
            kept: list[Node] = []
            dirs_here = [-d2]
            for child in node.children:
                g = grow(child, q, d2, u2, False, dirs_here)
                if g is not None:
                    kept.append(g)
                    cd, _ = child_frame(d2, u2, g.bend, g.twist)
                    dirs_here.append(cd)
            return Node(length, node.bend, node.twist, tuple(kept))

        root = grow(tree, self.hub, z, x, True, [-z])
        assert root is not None
        return root, arm

    def _clear(self, copies: list[tuple[np.ndarray, np.ndarray]], accepted: list[tuple[np.ndarray, np.ndarray]],
               p: np.ndarray, root: bool) -> bool:
        """The four copies keep ``clearance`` from accepted wires and from each other,
        except where they meet them at their own start node."""
        from gadesign_problems.antenna.kernels import clear_of

        a = np.array([c[0] for c in copies])
        b = np.array([c[1] for c in copies])
        pa = np.array([w[0] for w in accepted])
        pb = np.array([w[1] for w in accepted])
        return bool(clear_of(a, b, pa, pb, float(self.clearance)))

    # -- decoding ---------------------------------------------------------------------------
    def segments_for(self, length: float) -> int:
        """Segments of a wire ``length`` (m) long: the fewest of at most ``max_segment``,
        unless those would be shorter than ``min_segment``."""
        n = max(1, math.ceil(length / self.max_segment - 1e-9))
        if n > 1 and length / n < self.min_segment:
            n = max(1, math.floor(length / self.min_segment))
        return n

    def antenna(self, tree: Node, end_split: int = 8, comments: tuple[str, ...] = (), **extra: Any) -> Antenna:
        """The 4-arm antenna of ``tree`` (pruned first) over ground, fed at the feed wire;
        ``extra``: further :class:`Antenna` fields (frequencies, patterns, refinement)."""
        _, arm = self.prune(tree)
        wires = [Wire((0.0, 0.0, 0.0), tuple(self.hub), self.wire_radius, int(self.feed_segments), 1)]
        for k in range(4):
            R = ROTATIONS[k]
            for p, q in arm:
                s, e = R @ p, R @ q
                wires.append(Wire(tuple(map(float, s)), tuple(map(float, e)), self.wire_radius,
                                  self.segments_for(float(np.linalg.norm(q - p))), 2 + k))
        return Antenna(wires=tuple(wires), sources=(Source(1, 1, 1.0),), ground=True,
                       comments=comments, end_split=end_split, **extra)


# ---- the genome -----------------------------------------------------------------------------
class TreeGenome(Genome[Node]):
    """Variable-size wire trees with at most ``max_wires`` wires and ``max_branches``
    branch points (a node has at most two children).

    Mutation (one operator per call): *perturb* one wire's length, bend or twist
    (Gaussian steps of ``sigma_length`` of the length range or ``sigma_angle`` degrees,
    times a log-uniform scale in [0.01, 1] so that both coarse moves and the fine tuning
    a VSWR requirement needs happen);
    *add* a wire at a node with room (extends a tip or starts a branch); *remove* a
    non-root wire with its subtree; *graft* a non-root subtree onto another node;
    *jiggle* every wire at once by small steps (log-uniform scale in [0.003, 0.1] of the
    perturbation steps). With a ``polisher`` (a function from a tree to a better tree,
    e.g. :func:`~gadesign_problems.antenna.polish.polish` on a problem's score), a
    mutation is, with probability ``polish_prob``, that local polish instead.
    Crossover swaps two random subtrees (at least one below the root) and retries, up
    to ``crossover_tries`` times, until both children respect the limits; otherwise the
    parents are returned unchanged. :meth:`repair` is the geometric repair of
    :meth:`ArmSpace.prune` (see the module docstring) plus the size limits.
    """

    parallel_repair = True          # the geometric repair runs on the evaluation workers
    #: what a polish costs, in solves (about the polisher's budget): a scheduling hint
    polish_cost: float = 60.0

    def __init__(self, space: ArmSpace, max_wires: int = 8, max_branches: int = 2, *,
                 sigma_length: float = 0.2, sigma_angle: float = 30.0, crossover_prob: float = 0.7,
                 crossover_tries: int = 10,
                 op_probs: tuple[float, float, float, float, float] = (0.4, 0.12, 0.12, 0.12, 0.24),
                 polisher: Callable[[Node], Node] | None = None, polish_prob: float = 0.0
                 ) -> None:
        if max_wires < 1 or max_branches < 0:
            raise ValueError("TreeGenome needs max_wires >= 1 and max_branches >= 0")
        self.space = space
        self.max_wires, self.max_branches = int(max_wires), int(max_branches)
        self.sigma_length, self.sigma_angle = float(sigma_length), float(sigma_angle)
        self.crossover_prob = float(crossover_prob)
        self.crossover_tries = int(crossover_tries)
        p = np.asarray(op_probs, float)
        self.op_probs = p / p.sum()
        self.polisher = polisher
        self.polish_prob = float(polish_prob)

    # -- random pieces ------------------------------------------------------------------------
    def _random_node(self, rng: np.random.Generator, root: bool = False) -> Node:
        s = self.space
        length = float(rng.uniform(s.min_length, s.max_length))
        if root:
            bend = float(rng.uniform(s.root_bend_min, s.root_bend_max))
        else:
            bend = float(rng.uniform(0.0, 180.0 - s.min_angle))
        return Node(length, bend, float(rng.uniform(-180.0, 180.0)), ())

    def _open_slots(self, tree: Node) -> list[Path]:
        """Nodes that can take one more child within the limits."""
        branches = count_branches(tree)
        return [p for p, n in walk(tree) if len(n.children) == 0
                or (len(n.children) == 1 and branches < self.max_branches)]

    def _within(self, tree: Node) -> bool:
        return (count_wires(tree) <= self.max_wires and count_branches(tree) <= self.max_branches
                and all(len(n.children) <= 2 for _, n in walk(tree)))

    def sample(self, rng: np.random.Generator) -> Node:
        tree = self._random_node(rng, root=True)
        for _ in range(int(rng.integers(0, self.max_wires))):
            slots = self._open_slots(tree)
            tree = add_child(tree, slots[int(rng.integers(len(slots)))], self._random_node(rng))
        return self.repair(tree)

    # -- variation ------------------------------------------------------------------------------
    def mutate(self, x: Node, rng: np.random.Generator) -> Node:
        if self.polisher is not None and self.polish_prob > 0 and rng.random() < self.polish_prob:
            return PolishRequest(*x)                    # polished by repair(), on the workers
        op = int(rng.choice(5, p=self.op_probs))
        nodes = list(walk(x))
        if op == 4:                                                           # jiggle every wire
            return self._jiggle(x, rng, 10.0 ** rng.uniform(-2.5, -1.0), True)
        if op == 1 and count_wires(x) < self.max_wires:                       # add a wire
            slots = self._open_slots(x)
            if slots:
                return add_child(x, slots[int(rng.integers(len(slots)))], self._random_node(rng))
        if op == 2 and len(nodes) > 1:                                        # remove a subtree
            path, _ = nodes[int(rng.integers(1, len(nodes)))]
            return replace(x, path, None)
        if op == 3 and len(nodes) > 1:                                        # graft a subtree
            path, sub = nodes[int(rng.integers(1, len(nodes)))]
            rest = replace(x, path, None)
            slots = self._open_slots(rest)
            if slots:
                out = add_child(rest, slots[int(rng.integers(len(slots)))], sub)
                if self._within(out):
                    return out
        path, node = nodes[int(rng.integers(len(nodes)))]                     # perturb a wire
        s = self.space
        scale = 10.0 ** rng.uniform(-2.0, 0.0)          # multi-scale steps: coarse to fine tuning
        which = int(rng.integers(3))
        if which == 0:
            step = scale * self.sigma_length * (s.max_length - s.min_length)
            node = node._replace(length=node.length + rng.normal() * step)
        elif which == 1:
            node = node._replace(bend=node.bend + rng.normal() * scale * self.sigma_angle)
        else:
            node = node._replace(twist=node.twist + rng.normal() * scale * self.sigma_angle)
        return replace(x, path, self.space.clip_bounds(node, root=not path))

    def _jiggle(self, node: Node, rng: np.random.Generator, scale: float, root: bool) -> Node:
        """Every length and angle moved together by small Gaussian steps (``scale`` times
        the perturbation steps): the coordinated moves that tune a match at two
        frequencies at once."""
        s = self.space
        step = rng.normal(size=3) * scale * np.array([self.sigma_length * (s.max_length - s.min_length),
                                                      self.sigma_angle, self.sigma_angle])
        kids = tuple(self._jiggle(c, rng, scale, False) for c in node.children)
        moved = Node(node.length + step[0], node.bend + step[1], node.twist + step[2], kids)
        return s.clip_bounds(moved, root)

    def crossover(self, a: Node, b: Node, rng: np.random.Generator) -> tuple[Node, Node]:
        na, nb = list(walk(a)), list(walk(b))
        if len(na) + len(nb) <= 2:
            return a, b
        for _ in range(self.crossover_tries):
            pa, sa = na[int(rng.integers(len(na)))]
            pb, sb = nb[int(rng.integers(len(nb)))]
            if not pa and not pb:
                continue
            # a subtree moved to the root position must satisfy the root's bend bounds
            ca = replace(a, pa, self.space.clip_bounds(sb, root=True) if not pa else sb)
            cb = replace(b, pb, self.space.clip_bounds(sa, root=True) if not pb else sa)
            if self._within(ca) and self._within(cb):
                return ca, cb
        return a, b

    def repair_cost(self, x: Node) -> float:
        """A :class:`PolishRequest` costs its polish, :attr:`polish_cost` solves; any
        other tree one (a scheduling hint for the process pool, see ``Genome.repair_cost``)."""
        return float(self.polish_cost) if isinstance(x, PolishRequest) and self.polisher is not None else 1.0

    def repair(self, x: Node) -> Node:
        """Size limits (extra wires and branches cut in pre-order), then the geometric
        pruning of :meth:`ArmSpace.prune`; a :class:`PolishRequest` is then polished by
        the ``polisher``."""
        if isinstance(x, PolishRequest):
            plain = self.repair(Node(*x))
            return self.repair(self.polisher(plain)) if self.polisher is not None else plain
        budget = [self.max_wires]
        branches = [self.max_branches]

        def cut(node: Node) -> Node:
            budget[0] -= 1
            kids = []
            for c in node.children[:2]:
                if budget[0] <= 0:
                    break
                if kids and branches[0] <= 0:
                    break
                if kids:
                    branches[0] -= 1
                kids.append(cut(c))
            return node._replace(children=tuple(kids))

        return self.space.prune(cut(x))[0]

    # -- serialisation --------------------------------------------------------------------------
    def to_json(self, x: Node) -> list[Any]:
        return to_json(x)

    def from_json(self, data: Any) -> Node:
        return from_json(data)

    def key(self, x: Node) -> str:
        return json.dumps(to_json(x))

    def describe(self) -> dict[str, Any]:
        return {"type": "TreeGenome", "max_wires": self.max_wires, "max_branches": self.max_branches,
                "polish_prob": self.polish_prob if self.polisher is not None else 0.0,
                "space": {k: getattr(self.space, k) for k in self.space.__dataclass_fields__}}
