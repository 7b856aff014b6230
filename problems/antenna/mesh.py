"""Discretisation of a wire antenna: segments, nodes and triangle (rooftop) basis functions.

Everything here is independent of frequency, so a sweep builds it once.

*User segments* are the pieces a wire is cut into by its segment count (NEC's segments:
sources and loads refer to them). The solver may cut a user segment further into
*sub-segments* (see ``end_split``); every array below is per sub-segment and ``parent``
maps a sub-segment to its user segment. Segment ends closer than ``1e-3`` of the shortest
segment are one node, so wires connect wherever an end of one meets a node of another.

A node shared by ``d`` segment ends (a junction of ``d`` wires, or an ordinary interior
node with ``d = 2``) carries ``d - 1`` triangle functions: each runs from the node's first
("hub") segment end into one of the others, so Kirchhoff's current law holds at every
junction. A free end carries none (the current vanishes there). A node on the PEC ground
plane ``z = 0`` carries one *half* triangle per attached segment; its other half is the
segment's image, which the image terms of the kernel supply.

A basis function is stored as one or two *halves*. A half lives on one segment ``p``;
with ``u in [0, 1]`` the position along the segment (start to end) it is
``f = sigma * Lambda(u) * t_p`` where ``t_p`` is the unit tangent, ``Lambda = u`` when the
node is the segment's end (``type 1``) or ``1 - u`` when it is its start (``type 0``), and
``sigma = +-1`` orients the current from the hub into the other segment. Its divergence is
``delta / L_p`` with ``delta = +1`` where current flows into the node, ``-1`` where it
flows out (the charge density is ``-div J / (j w)``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from numba import njit

#: Shortest piece a free-end segment is cut into, in wire radii: the exact kernel on
#: collinear pairs (:mod:`.kernels`) stays accurate down to there (the smallest segment
#: :data:`.wires.MIN_SEGMENT_RADII` accepts).
END_PIECE = 0.5

#: Image reflection in the ground plane z = 0.
MIRROR = np.array([1.0, 1.0, -1.0])


@dataclass(frozen=True, eq=False)
class Mesh:
    """Sub-segments and basis functions of an antenna (SI units: metres).

    Segment arrays have ``N`` rows, half arrays ``H`` rows, ``basis_halves`` ``M`` rows;
    ``basis_halves[m] = (h1, h2)`` indexes halves, ``h2 = H`` (a dummy) for a half
    triangle on the ground plane.
    """

    start: np.ndarray          # (N, 3) segment start points
    end: np.ndarray            # (N, 3) segment end points
    radius: np.ndarray         # (N,) wire radius
    parent: np.ndarray         # (N,) user segment of each sub-segment
    n_user: int                # number of user segments
    ground: bool               # PEC ground plane at z = 0
    half_seg: np.ndarray       # (H,) segment of each half
    half_type: np.ndarray      # (H,) 1: Lambda = u, 0: Lambda = 1 - u
    half_sigma: np.ndarray     # (H,) +-1 current orientation along the tangent
    half_delta: np.ndarray     # (H,) +-1 sign of the divergence (times 1/L)
    basis_halves: np.ndarray   # (M, 2) halves of each basis function (H = dummy)
    cap_basis: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    # (C,) basis functions that end on a flat end cap: their one half runs to the free end,
    # where the current flows onto a disk of the wire's radius (radially, to its centre)
    # and leaves its charge there; the disk's current is radial and radiates nothing
    # (its vector potential is O((ka)^2) of its charge's scalar potential and neglected)

    @property
    def n_segments(self) -> int:
        return len(self.start)

    @property
    def n_basis(self) -> int:
        return len(self.basis_halves)

    @property
    def length(self) -> np.ndarray:
        return np.sqrt(np.einsum("ij,ij->i", self.end - self.start, self.end - self.start))

    @property
    def tangent(self) -> np.ndarray:
        """(N, 3) unit tangents (start -> end)."""
        return (self.end - self.start) / self.length[:, None]

    @property
    def center(self) -> np.ndarray:
        return 0.5 * (self.start + self.end)

    def _half_matrix(self, values: np.ndarray, cols: np.ndarray, n_cols: int) -> np.ndarray:
        """(M, n_cols) sum over the halves of each basis of ``values`` put in ``cols``."""
        H = len(self.half_seg)
        out = np.zeros((self.n_basis, n_cols))
        for c in (0, 1):
            h = self.basis_halves[:, c]
            ok = h < H
            np.add.at(out, (np.nonzero(ok)[0], cols[h[ok]]), values[h[ok]])
        return out

    def port_weights(self, user_segments: np.ndarray) -> np.ndarray:
        """(M, K) weights of a uniform 1 V field across each of ``user_segments``.

        On a sub-segment ``p`` of length ``L``, a field ``1/L`` along the tangent tested
        with half ``h`` gives ``sigma_h * int Lambda du = sigma_h / 2``; a user segment cut
        in ``s`` equal pieces carries ``1/s`` of the voltage on each. The same column
        read against the basis coefficients gives the current averaged over the user
        segment, so feeds and lumped loads both enter through it.
        """
        user_segments = np.atleast_1d(np.asarray(user_segments, dtype=np.int64))
        return _port_weights(self.parent, self.n_user, self.half_seg, self.half_sigma, self.basis_halves,
                             user_segments)

    def gram_weights(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """``(m, n, segment, value)``: the mass matrix ``int f_m . f_n dl`` (metres) split
        by segment, for distributed loads. Halves on one segment overlap by ``L/3``
        (same shape) or ``L/6`` (opposite shapes)."""
        H = len(self.half_seg)
        basis_of = np.empty(H, np.intp)
        for c in (0, 1):
            h = self.basis_halves[:, c]
            ok = h < H
            basis_of[h[ok]] = np.nonzero(ok)[0]
        i, j = np.nonzero(self.half_seg[:, None] == self.half_seg[None, :])
        seg = self.half_seg[i]
        ov = np.where(self.half_type[i] == self.half_type[j], 1.0 / 3.0, 1.0 / 6.0) * self.length[seg]
        return basis_of[i], basis_of[j], seg, self.half_sigma[i] * self.half_sigma[j] * ov

    def end_current_maps(self) -> tuple[np.ndarray, np.ndarray]:
        """(N, M) matrices giving the current along each sub-segment's tangent at its
        start (``u = 0``) and at its end (``u = 1``) from the basis coefficients."""
        idx = np.arange(self.n_segments)
        ca = self._half_matrix(self.half_sigma * (1 - self.half_type), self.half_seg, len(idx))
        cb = self._half_matrix(self.half_sigma * self.half_type, self.half_seg, len(idx))
        return ca.T, cb.T


def build_mesh(starts: np.ndarray, ends: np.ndarray, radii: np.ndarray, segments: np.ndarray,
               ground: bool, end_split: int = 1, refine: int = 1, caps: bool = False) -> Mesh:
    """Cut wires into segments and build the basis functions.

    ``starts``/``ends`` are (W, 3) wire end points (metres), ``radii`` (W,), ``segments``
    (W,) user segments per wire. ``end_split`` cuts each user segment at a free wire end
    into that many equal sub-segments (where the current changes fastest), but never into
    pieces shorter than ``END_PIECE`` wire radii. ``refine`` cuts every user segment into
    that many equal sub-segments (a user segment at a free end into ``refine * end_split``,
    with the same floor): the solver's discretisation is refined while sources and loads
    keep acting on whole user segments (a feed keeps its gap width). ``caps``: every free
    end (not on the ground plane) gets a flat end cap, a half triangle whose current flows
    onto a disk of the wire's radius and charges it (see :class:`Mesh`). Geometry must
    already be valid (see :mod:`gadesign_problems.antenna.wires`).
    """
    starts = np.ascontiguousarray(starts, float).reshape(-1, 3)
    ends = np.ascontiguousarray(ends, float).reshape(-1, 3)
    radii = np.ascontiguousarray(radii, float).reshape(-1)
    nseg = np.ascontiguousarray(segments, dtype=np.int64).reshape(-1)
    (seg_start, seg_end, radius, parent, half_seg, half_type, half_sigma,
     basis_halves, basis_cap) = _mesh_arrays(starts, ends, radii, nseg, bool(ground), int(end_split), END_PIECE,
                                             int(refine), bool(caps))
    return Mesh(start=seg_start, end=seg_end, radius=radius, parent=parent, n_user=int(nseg.sum()),
                ground=bool(ground), half_seg=half_seg, half_type=half_type, half_sigma=half_sigma,
                half_delta=np.where(half_sigma * (2 * half_type - 1) > 0, 1.0, -1.0), basis_halves=basis_halves,
                cap_basis=np.nonzero(basis_cap)[0])


@njit(cache=True, nogil=True)
def _port_weights(parent: np.ndarray, n_user: int, half_seg: np.ndarray, half_sigma: np.ndarray,
                  basis_halves: np.ndarray, user_segments: np.ndarray) -> np.ndarray:
    """(M, K): for each basis function, the sum over its halves on a piece of user
    segment ``k`` of ``sigma_h / (2 n_sub)`` (see :meth:`Mesh.port_weights`)."""
    n_sub = np.zeros(n_user, np.int64)
    for p in range(parent.size):
        n_sub[parent[p]] += 1
    H, M, K = half_seg.size, basis_halves.shape[0], user_segments.size
    out = np.zeros((M, K))
    for m in range(M):
        for c in range(2):
            h = basis_halves[m, c]
            if h >= H:
                continue
            owner = parent[half_seg[h]]
            for k in range(K):
                if owner == user_segments[k]:
                    out[m, k] += 0.5 * half_sigma[h] / n_sub[owner]
    return out


@njit(cache=True, nogil=True)
def _mesh_arrays(starts: np.ndarray, ends: np.ndarray, radii: np.ndarray, nseg: np.ndarray, ground: bool,
                 end_split: int, end_piece: float, refine: int, caps: bool) -> tuple:
    """The arrays of :class:`Mesh` (see :func:`build_mesh`), in loops.

    1. User segments ``k = 0 .. n_w - 1`` of wire ``w`` run from ``start + k/n_w d`` to
       ``start + (k + 1)/n_w d`` (the last one ends exactly at ``end``).
    2. A wire end is *free* when no other node lies within ``tol = 1e-3`` of the
       shortest user segment (and, over ground, it is above the plane); its user segment
       is cut into ``max(refine, min(refine * end_split, ceil(L / (end_piece a))))`` equal
       sub-segments, every other one into ``refine``.
    3. Every wire end is merged with the nodes within ``tol`` of it: a node's label is
       the smallest node index close to a wire end close to it (or its own).
    4. The segment ends attached to each node, in order of node and then of
       (start ends, end ends) x segment, form a group whose first member is its hub.
       Away from ground each other member of a group of two or more gives a basis
       function: the hub's half (shared by all of them) and its own; on the ground plane
       every member gives a half triangle (its other half is the image).
    """
    W = nseg.size
    n_user = 0
    seg_len_min = np.inf
    for w in range(W):
        n_user += nseg[w]
        dx, dy, dz = ends[w, 0] - starts[w, 0], ends[w, 1] - starts[w, 1], ends[w, 2] - starts[w, 2]
        seg_len_min = min(seg_len_min, math.sqrt(dx * dx + dy * dy + dz * dz) / nseg[w])
    tol2 = (1e-3 * seg_len_min) ** 2

    # user nodes (wire w owns nodes first[w] + w .. first[w] + w + n_w), and wire ends
    n_nodes = n_user + W
    pts = np.empty((n_nodes, 3))
    first = np.empty(W, np.int64)
    wire_end = np.empty(2 * W, np.int64)        # node of each wire end: starts, then ends
    node = 0
    for w in range(W):
        first[w] = node - w
        for k in range(nseg[w]):
            for x in range(3):
                pts[node + k, x] = starts[w, x] + k / nseg[w] * (ends[w, x] - starts[w, x])
        for x in range(3):
            pts[node + nseg[w], x] = ends[w, x]
        wire_end[w], wire_end[W + w] = node, node + nseg[w]
        node += nseg[w] + 1
    close = np.zeros((2 * W, n_nodes), np.bool_)
    n_close = np.zeros(2 * W, np.int64)
    for i in range(2 * W):
        e = pts[wire_end[i]]
        for j in range(n_nodes):
            dx, dy, dz = pts[j, 0] - e[0], pts[j, 1] - e[1], pts[j, 2] - e[2]
            if dx * dx + dy * dy + dz * dz <= tol2:
                close[i, j] = True
                n_close[i] += 1

    # sub-segments: cut user segments at free wire ends
    n_sub = np.full(n_user, refine, np.int64)
    if end_split > 1:
        for i in range(2 * W):
            w = i % W
            free = n_close[i] == 1 and not (ground and abs(pts[wire_end[i], 2]) <= math.sqrt(tol2))
            if free:
                dx, dy, dz = ends[w, 0] - starts[w, 0], ends[w, 1] - starts[w, 1], ends[w, 2] - starts[w, 2]
                seg_len = math.sqrt(dx * dx + dy * dy + dz * dz) / nseg[w]
                split = max(refine, min(refine * end_split, int(math.ceil(seg_len / (end_piece * radii[w]) - 1e-9))))
                n_sub[first[w] if i < W else first[w] + nseg[w] - 1] = split
    N = 0
    for j in range(n_user):
        N += n_sub[j]
    seg_start = np.empty((N, 3))
    seg_end = np.empty((N, 3))
    radius = np.empty(N)
    parent = np.empty(N, np.int64)
    node_start = np.empty(N, np.int64)          # sub-level node of each sub-segment's start
    node_map = np.empty(n_nodes, np.int64)      # user node -> sub-level node
    sub_pts = np.empty((N + W, 3))
    i = 0
    for w in range(W):
        node_map[first[w] + w] = i + w
        for k in range(nseg[w]):
            u = first[w] + k
            n = n_sub[u]
            for j in range(n):
                f0, f1 = (k + j / n) / nseg[w], (k + (j + 1) / n) / nseg[w]
                for x in range(3):
                    d = ends[w, x] - starts[w, x]
                    seg_start[i, x] = starts[w, x] + f0 * d
                    seg_end[i, x] = ends[w, x] if (k == nseg[w] - 1 and j == n - 1) else starts[w, x] + f1 * d
                radius[i], parent[i], node_start[i] = radii[w], u, i + w
                for x in range(3):
                    sub_pts[i + w, x] = seg_start[i, x]
                    sub_pts[i + w + 1, x] = seg_end[i, x]
                i += 1
            node_map[first[w] + w + k + 1] = i + w

    # merge wire ends with the nodes they touch (label = smallest member), then number
    # the labels in increasing order
    label = np.arange(N + W)
    for i in range(2 * W):
        rep = -1
        for j in range(n_nodes):
            if close[i, j]:
                rep = node_map[j]
                break
        for j in range(n_nodes):
            if close[i, j]:
                label[node_map[j]] = min(label[node_map[j]], rep)
    present = np.zeros(N + W, np.bool_)
    for j in range(N + W):
        present[label[j]] = True
    ident = np.cumsum(present) - 1
    att_node = np.empty(2 * N, np.int64)        # node of each segment end: starts, then ends
    for i in range(N):
        att_node[i] = ident[label[node_start[i]]]
        att_node[N + i] = ident[label[node_start[i] + 1]]
    label_of = np.empty(ident[-1] + 1, np.int64)
    for j in range(N + W):
        if present[j]:
            label_of[ident[j]] = j

    # attachments grouped by node (a stable counting sort), each group's first is its hub
    n_att = 2 * N
    count = np.zeros(ident[-1] + 2, np.int64)
    for i in range(n_att):
        count[att_node[i] + 1] += 1
    for j in range(1, count.size):
        count[j] += count[j - 1]
    order = np.empty(n_att, np.int64)
    for i in range(n_att):
        order[count[att_node[i]]] = i
        count[att_node[i]] += 1
    hub = np.empty(n_att, np.int64)
    degree = np.empty(n_att, np.int64)
    start = 0
    for i in range(1, n_att + 1):
        if i == n_att or att_node[order[i]] != att_node[order[start]]:
            for j in range(start, i):
                hub[j], degree[j] = start, i - start
            start = i
    # halves: "out" half of attachment i is slot i, the "in" (hub) half slot n_att + i
    used = np.zeros(2 * n_att, np.bool_)
    on_ground = np.zeros(n_att, np.bool_)
    junction = np.zeros(n_att, np.bool_)
    capped = np.zeros(n_att, np.bool_)
    for i in range(n_att):
        if ground:
            on_ground[i] = abs(sub_pts[label_of[att_node[order[i]]], 2]) <= math.sqrt(tol2)
        junction[i] = not on_ground[i] and i != hub[i] and degree[i] >= 2
        capped[i] = caps and not on_ground[i] and degree[i] == 1
        if junction[i] or on_ground[i] or capped[i]:
            used[i] = True
        if junction[i]:
            used[n_att + hub[i]] = True
    remap = np.cumsum(used) - 1
    H = remap[-1] + 1
    half_seg = np.empty(H, np.int64)
    half_type = np.empty(H, np.int64)
    half_sigma = np.empty(H)
    for h in range(2 * n_att):
        if used[h]:
            a = order[h % n_att]
            seg, end = a % N, a // N
            half_seg[remap[h]], half_type[remap[h]] = seg, end
            sign = 2.0 * end - 1.0                                 # +1 end, -1 start
            half_sigma[remap[h]] = -sign if h < n_att else sign
    M = 0
    for i in range(n_att):
        if junction[i] or on_ground[i] or capped[i]:
            M += 1
    basis_halves = np.empty((M, 2), np.int64)
    basis_cap = np.zeros(M, np.bool_)
    m = 0
    for i in range(n_att):
        if junction[i]:
            basis_halves[m, 0], basis_halves[m, 1] = remap[n_att + hub[i]], remap[i]
            m += 1
        elif on_ground[i] or capped[i]:
            basis_halves[m, 0], basis_halves[m, 1] = remap[i], H
            basis_cap[m] = capped[i]
            m += 1
    return seg_start, seg_end, radius, parent, half_seg, half_type, half_sigma, basis_halves, basis_cap
