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

from dataclasses import dataclass

import numpy as np

#: Target length of the pieces a free-end segment is cut into, in wire radii.
END_PIECE = 2.0

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
        user_segments = np.atleast_1d(np.asarray(user_segments, dtype=np.intp))
        n_sub = np.bincount(self.parent, minlength=self.n_user)
        per = 0.5 * self.half_sigma / n_sub[self.parent[self.half_seg]]
        full = self._half_matrix(per, self.parent[self.half_seg], self.n_user)
        return full[:, user_segments]

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
               ground: bool, end_split: int = 1) -> Mesh:
    """Cut wires into segments and build the basis functions.

    ``starts``/``ends`` are (W, 3) wire end points (metres), ``radii`` (W,), ``segments``
    (W,) user segments per wire. ``end_split`` cuts each user segment at a free wire end
    into that many equal sub-segments (where the current changes fastest), but never into
    pieces shorter than twice the wire radius (the thin-wire limit). Geometry must
    already be valid (see :mod:`problems.antenna.wires`).
    """
    starts = np.asarray(starts, float).reshape(-1, 3)
    ends = np.asarray(ends, float).reshape(-1, 3)
    radii = np.asarray(radii, float).reshape(-1)
    nseg = np.asarray(segments, dtype=np.intp).reshape(-1)
    W = len(nseg)
    n_user = int(nseg.sum())
    dw = ends - starts
    seg_len = np.sqrt(np.einsum("ij,ij->i", dw, dw)) / nseg
    tol = 1e-3 * seg_len.min()

    # user-level nodes: wire w owns nodes w + offset .. w + offset + nseg[w]
    first_seg = np.cumsum(nseg) - nseg
    wire_user = np.repeat(np.arange(W), nseg)
    k_user = np.arange(n_user) - first_seg[wire_user]
    frac = np.concatenate([k_user / nseg[wire_user], [1.0]])
    pts = np.empty((n_user + W, 3))
    node_of_user = wire_user + np.arange(n_user)                       # start node of segment
    pts[node_of_user] = starts[wire_user] + frac[:-1, None] * dw[wire_user]
    end_nodes = first_seg + nseg + np.arange(W)                         # node index of wire ends
    pts[end_nodes] = ends
    start_nodes = end_nodes - nseg
    ends_idx = np.concatenate([start_nodes, end_nodes])
    diff = pts[ends_idx][:, None, :] - pts[None, :, :]
    close = np.einsum("ijk,ijk->ij", diff, diff) <= tol * tol              # (2W, n_nodes)

    # sub-segments: split user segments at free wire ends
    n_sub = np.ones(n_user, np.intp)
    if end_split > 1:
        free = close.sum(axis=1) == 1
        if ground:
            free &= np.abs(pts[ends_idx, 2]) > tol
        split = np.minimum(end_split, np.maximum(1, np.ceil(seg_len / (END_PIECE * radii) - 1e-9).astype(np.intp)))
        n_sub[first_seg[free[:W]]] = split[free[:W]]
        n_sub[(first_seg + nseg - 1)[free[W:]]] = split[free[W:]]
    # node index at sub level: user node j of wire w moves by the extra sub-segments before it
    extra = np.cumsum(n_sub - 1)
    node_map = np.empty(n_user + W, np.intp)
    node_map[node_of_user] = node_of_user + np.concatenate([[0], extra[:-1]])
    node_map[end_nodes] = end_nodes + extra[first_seg + nseg - 1]
    parent = np.repeat(np.arange(n_user), n_sub)
    N = len(parent)
    if N == n_user:
        seg_start = pts[node_of_user]
        seg_end = pts[node_of_user + 1]
        node_start = node_of_user
        sub_pts = pts
    else:
        j_sub = np.arange(N) - np.repeat(np.cumsum(n_sub) - n_sub, n_sub)
        w = wire_user[parent]
        f0 = (k_user[parent] + j_sub / n_sub[parent]) / nseg[w]
        f1 = (k_user[parent] + (j_sub + 1) / n_sub[parent]) / nseg[w]
        seg_start = starts[w] + f0[:, None] * dw[w]
        seg_end = starts[w] + f1[:, None] * dw[w]
        last = (j_sub == n_sub[parent] - 1) & (k_user[parent] == nseg[w] - 1)
        seg_end[last] = ends[w[last]]
        node_start = w + np.arange(N)
        sub_pts = np.empty((N + W, 3))
        sub_pts[node_start] = seg_start
        sub_pts[node_start + 1] = seg_end
        close_sub = np.zeros((2 * W, N + W), bool)
        close_sub[:, node_map] = close
        close = close_sub
        ends_idx = node_map[ends_idx]

    # merge wire ends with the nodes they touch (cluster label = smallest member)
    rep = np.argmax(close, axis=1)
    cand = np.where(close, rep[:, None], len(sub_pts)).min(axis=0)
    label = np.minimum(np.arange(len(sub_pts)), cand)
    uniq, node_id = np.unique(label, return_inverse=True)
    n0, n1 = node_id[node_start], node_id[node_start + 1]

    # attachments (segment end at node), grouped by node; the first of a group is its hub
    att_node = np.concatenate([n0, n1])
    order = np.argsort(att_node, kind="stable")
    att_node = att_node[order]
    att_seg = order % N
    att_end = order // N
    new_group = np.empty(2 * N, bool)
    new_group[0] = True
    np.not_equal(att_node[1:], att_node[:-1], out=new_group[1:])
    group_start = np.nonzero(new_group)[0]
    group = np.cumsum(new_group) - 1
    hub = group_start[group]
    degree = np.diff(np.append(group_start, 2 * N))[group]
    n_att = 2 * N
    if ground:
        g_att = np.abs(sub_pts[uniq[att_node], 2]) <= tol
    else:
        g_att = np.zeros(n_att, bool)
    sign = 2 * att_end - 1                                                     # +1 end, -1 start

    # halves: "out" half of attachment i has index i, "in" (hub) half n_att + i
    idx = np.arange(n_att)
    junction = (~g_att) & (idx != hub) & (degree >= 2)
    used = np.concatenate([junction | g_att, np.zeros(n_att, bool)])
    used[n_att + hub[junction]] = True
    remap = np.cumsum(used) - 1
    H = int(remap[-1]) + 1
    sel = junction | g_att
    h1 = np.where(junction, remap[n_att + hub], remap[idx])[sel]
    h2 = np.where(junction, remap[idx], H)[sel]
    both = np.concatenate
    return Mesh(start=seg_start, end=seg_end, radius=radii[wire_user[parent]], parent=parent,
                n_user=n_user, ground=bool(ground),
                half_seg=both([att_seg, att_seg])[used], half_type=both([att_end, att_end])[used],
                half_sigma=both([-sign, sign]).astype(float)[used],
                half_delta=both([-np.ones(n_att), np.ones(n_att)])[used],
                basis_halves=np.stack([h1, h2], axis=1))
