"""Writes the generated truss files of this folder (see SOURCES.md); the three read from
slientruss3d's data (fortyseven_bar, onetwenty_dome, ninefortytwo_tower) are stored as
converted. Run from anywhere: python tests/data/truss/wild/make_files.py"""

from __future__ import annotations

import json
import math
from pathlib import Path

HERE = Path(__file__).resolve().parent
SI_MM = {"length": "mm", "force": "N", "stress": "MPa", "E": "MPa", "density": "N/mm^3 (weight density)",
         "weight": "N", "area": "mm^2"}
SI_M = {"length": "m", "force": "kN", "stress": "kPa", "E": "kPa", "density": "kN/m^3 (weight density)",
        "weight": "kN", "area": "m^2"}
KIP = {"length": "in", "force": "kip", "stress": "ksi", "E": "ksi", "density": "lb/in^3 (weight density)",
       "weight": "lb", "area": "in^2"}


def write(name: str, data: dict) -> None:
    (HERE / f"{name}.json").write_text(json.dumps(data, indent=None) + "\n")


def eighteen_bar() -> None:
    """18-bar cantilever (Imai & Schmit 1981): 5 bays of 250 in, 20 kip at the five top
    nodes, E 10,000 ksi, 0.1 lb/in^3, 20 ksi, Euler buckling sigma_cr = 4 E A / L^2.
    Node and member order as byfarm/optimization trusses/2d/eighteenbar.m."""
    nodes = []
    for i in range(5, -1, -1):
        nodes.append([250.0 * i, 250.0])
        if i != 5:
            nodes.append([250.0 * i, 0.0])
    bars = [(1, 2), (1, 3), (2, 3), (2, 4), (3, 4), (3, 5), (4, 5), (4, 6), (5, 6), (5, 7), (6, 7), (6, 8), (7, 8),
            (7, 9), (8, 9), (8, 10), (9, 10), (9, 11)]
    groups = [[1, 4, 8, 12, 16], [2, 6, 10, 14, 18], [3, 7, 11, 15], [5, 9, 13, 17]]
    write("eighteen_bar", {
        "name": "18-bar cantilever", "description": "Imai & Schmit 1981; four groups; Euler buckling k = 4",
        "dim": 2, "units": KIP, "nodes": nodes,
        "supports": [{"node": 9, "fixed": [True, True]}, {"node": 10, "fixed": [True, True]}],
        "members": [[a - 1, b - 1] for a, b in bars],
        "groups": [{"name": f"A{k + 1}", "members": [m - 1 for m in g]} for k, g in enumerate(groups)],
        "E": 1.0e4, "density": 0.1, "areas": [9.98, 21.65, 12.5, 7.07],
        "load_cases": [{"name": "tip", "loads": [{"node": k, "force": [0.0, -20.0]} for k in (0, 1, 3, 5, 7)]}],
        "stress_limits": {"tension": 20.0, "compression": 20.0}, "buckling": {"k": 4.0},
        "area": {"type": "continuous", "min": 0.1, "max": 50.0}})


def howe_bridge() -> None:
    """Howe through-truss, 6 panels of 4 m, 4.5 m deep, in mm, N, MPa: timber chords and
    diagonals (E 11,000 MPa, 5e-6 N/mm^3), steel rods as verticals (E 210,000 MPa,
    7.7e-5 N/mm^3); self-weight plus deck load; a second case with a wind/braking load."""
    p, h, n = 4000.0, 4500.0, 6
    bottom = [[p * i, 0.0] for i in range(n + 1)]
    top = [[p * i, h] for i in range(1, n)]
    nodes = bottom + top
    t = lambda i: n + i  # top node over bottom node i (1..n-1)
    members, steel = [], []
    for i in range(n):
        members.append([i, i + 1])                    # bottom chord
    for i in range(1, n - 1):
        members.append([t(i), t(i + 1)])              # top chord
    members += [[0, t(1)], [n, t(n - 1)]]             # end posts
    for i in range(1, n):
        steel.append(len(members))
        members.append([i, t(i)])                     # verticals (steel rods)
    for i in range(1, n - 1):                          # Howe diagonals slope towards mid-span, in compression
        members.append([i, t(i + 1)] if i < n / 2 else [i + 1, t(i)])
    E = [2.1e5 if k in steel else 1.1e4 for k in range(len(members))]
    rho = [7.7e-5 if k in steel else 5.0e-6 for k in range(len(members))]
    areas = [800.0 if k in steel else 30000.0 for k in range(len(members))]
    deck = [{"node": i, "force": [0.0, -60000.0]} for i in range(1, n)]
    write("howe_bridge_si", {
        "name": "Howe timber bridge, steel verticals", "description": "two materials, self-weight, two load cases",
        "dim": 2, "units": SI_MM, "nodes": nodes,
        "supports": [{"node": 0, "fixed": [True, True]}, {"node": n, "fixed": [False, True]}],
        "members": members, "E": E, "density": rho, "areas": areas,
        "self_weight": {"gravity": [0, -1], "factor": 1.0},
        "load_cases": [{"name": "deck", "loads": deck},
                       {"name": "deck + braking", "loads": deck + [{"node": k, "force": [20000.0, 0.0]}
                                                                  for k in range(n + 1, 2 * n)]}],
        "stress_limits": {"tension": [165.0 if k in steel else 8.0 for k in range(len(members))],
                          "compression": [165.0 if k in steel else 6.0 for k in range(len(members))]},
        "displacement_limits": [{"nodes": list(range(1, n)), "dofs": [1], "limit": p * n / 400}],
        "area": {"type": "continuous", "min": 100.0, "max": 90000.0}})


def pratt_continuous() -> None:
    """Two-span continuous Pratt girder (2 x 4 panels of 240 in, 300 in deep, kip-in-ksi),
    the middle support settling 0.75 in; three load cases (span 1, span 2, both)."""
    p, h, n = 240.0, 300.0, 8
    bottom = [[p * i, 0.0] for i in range(n + 1)]
    top = [[p * i, h] for i in range(n + 1)]
    nodes = bottom + top
    t = lambda i: n + 1 + i
    members = [[i, i + 1] for i in range(n)] + [[t(i), t(i + 1)] for i in range(n)]
    members += [[i, t(i)] for i in range(n + 1)]
    for i in range(n):  # Pratt: diagonals towards each span's middle run down to it (tension)
        span_mid = 2 if i < 4 else 6
        members.append([t(i), i + 1] if i < span_mid else [i, t(i + 1)])
    loads = lambda rng: [{"node": i, "force": [0.0, -50.0]} for i in rng]
    write("pratt_continuous_settlement", {
        "name": "two-span Pratt girder, middle support settles", "dim": 2, "units": KIP, "nodes": nodes,
        "supports": [{"node": 0, "fixed": [True, True]}, {"node": 4, "fixed": [False, True], "displacement": [0, -0.75]},
                     {"node": 8, "fixed": [False, True]}],
        "members": members, "E": 29000.0, "density": 0.2836, "areas": [12.0] * len(members),
        "load_cases": [{"name": "span 1", "loads": loads(range(1, 4))}, {"name": "span 2", "loads": loads(range(5, 8))},
                       {"name": "both", "loads": loads([1, 2, 3, 5, 6, 7])}],
        "stress_limits": {"tension": 30.0, "compression": 20.0},
        "area": {"type": "continuous", "min": 0.5, "max": 40.0}})


def inclined_roller() -> None:
    """Cantilever truss whose tip rests on a roller on a 30 degree slope. The file format
    restrains global x/y/z only, so the roller is a stiff link member normal to the slope
    (1000 x the chord stiffness) to a pinned node; compared with anastruct's inclined roller."""
    a = math.radians(30.0)
    nodes = [[0.0, 0.0], [0.0, 2.0], [3.0, 0.0], [3.0, 2.0], [6.0, 0.0], [6.0, 2.0]]
    members = [[0, 2], [2, 4], [1, 3], [3, 5], [0, 3], [2, 5], [2, 3], [4, 5], [1, 2], [3, 4]]
    link_len = 1.0
    nodes.append([6.0 + link_len * math.sin(a), -link_len * math.cos(a)])  # along the slope's normal
    members.append([4, 6])
    E = [2.0e8] * 10 + [2.0e8]
    areas = [2.0e-3] * 10 + [2.0e-3 * 1000 * link_len / 3.0]
    write("inclined_roller_link", {
        "name": "cantilever on a 30 degree roller (stiff link)", "dim": 2, "units": SI_M, "nodes": nodes,
        "supports": [{"node": 0, "fixed": [True, True]}, {"node": 1, "fixed": [True, False]},
                     {"node": 6, "fixed": [True, True]}],
        "members": members, "E": E, "density": 77.0, "areas": areas,
        "load_cases": [{"name": "P", "loads": [{"node": 5, "force": [10.0, -40.0]}, {"node": 3, "force": [0.0, -40.0]}]}]})


def k_truss_zero_force() -> None:
    """K-braced tower panel chain with zero-force members: a 3D square tower (4 storeys of
    3 m, 2 m square, kN-m) loaded only at the top corner, members that carry nothing under
    this case included (face diagonals of the unloaded faces' mid nodes)."""
    nodes = []
    for k in range(5):
        for (x, y) in ((0, 0), (2, 0), (2, 2), (0, 2)):
            nodes.append([float(x), float(y), 3.0 * k])
    idx = lambda k, c: 4 * k + c
    members = []
    for k in range(4):
        for c in range(4):
            members.append([idx(k, c), idx(k + 1, c)])                 # legs
            members.append([idx(k + 1, c), idx(k + 1, (c + 1) % 4)])   # horizontals
            members.append([idx(k, c), idx(k + 1, (c + 1) % 4)])       # face diagonals
        members.append([idx(k + 1, 0), idx(k + 1, 2)])                # plan diagonal
    write("tower_zero_force_3d", {
        "name": "3D tower, 4 storeys, zero-force members", "dim": 3, "units": SI_M, "nodes": nodes,
        "supports": [{"node": c, "fixed": [True, True, True]} for c in range(4)],
        "members": members, "E": 2.1e8, "density": 77.0, "areas": [1.0e-3] * len(members),
        "load_cases": [{"name": "top corner, down", "loads": [{"node": idx(4, 0), "force": [0.0, 0.0, -100.0]}]},
                       {"name": "wind x", "loads": [{"node": idx(4, c), "force": [5.0, 0.0, 0.0]} for c in range(4)]}],
        "stress_limits": {"tension": 235000.0, "compression": 235000.0},
        "area": {"type": "continuous", "min": 1.0e-5, "max": 1.0e-2}})


def space_grid(nx: int = 24, ny: int = 24, name: str = "space_grid_large") -> None:
    """Square-on-square offset double-layer grid (Makowski's layout), 1.5 m module, 1.2 m
    deep, kN-m, supported at the perimeter bottom-layer... corners and edges of the
    top layer; uniform roof load at every top node, self-weight on."""
    a, h = 1.5, 1.2
    nodes, top, bot = [], {}, {}
    for i in range(nx + 1):
        for j in range(ny + 1):
            top[i, j] = len(nodes); nodes.append([a * i, a * j, h])
    for i in range(nx):
        for j in range(ny):
            bot[i, j] = len(nodes); nodes.append([a * (i + 0.5), a * (j + 0.5), 0.0])
    members = []
    for (i, j), k in top.items():
        if (i + 1, j) in top: members.append([k, top[i + 1, j]])
        if (i, j + 1) in top: members.append([k, top[i, j + 1]])
    for (i, j), k in bot.items():
        if (i + 1, j) in bot: members.append([k, bot[i + 1, j]])
        if (i, j + 1) in bot: members.append([k, bot[i, j + 1]])
        for di, dj in ((0, 0), (1, 0), (0, 1), (1, 1)):
            members.append([k, top[i + di, j + dj]])
    sups = []
    for (i, j), k in top.items():
        if i in (0, nx) or j in (0, ny):
            sups.append({"node": k, "fixed": [i in (0,) and j in (0,), j in (0,) and i in (0,), True]})
    sups[0]["fixed"] = [True, True, True]
    # restrain in-plane rigid motion: corner (0,0) pinned, corner (nx,0) y, corner (0,ny) x
    for s in sups:
        if s["node"] == top[nx, 0]:
            s["fixed"] = [False, True, True]
        if s["node"] == top[0, ny]:
            s["fixed"] = [True, False, True]
    write(name, {
        "name": f"double-layer grid {nx} x {ny}", "dim": 3, "units": SI_M, "nodes": nodes, "supports": sups,
        "members": members, "E": 2.1e8, "density": 77.0, "areas": [2.0e-3] * len(members),
        "self_weight": {"gravity": [0, 0, -1], "factor": 1.0},
        "load_cases": [{"name": "roof", "loads": [{"node": k, "force": [0.0, 0.0, -3.0 * a * a]}
                                                  for (i, j), k in top.items()]}],
        "stress_limits": {"tension": 235000.0, "compression": 235000.0},
        "displacement_limits": [{"nodes": list(top.values()), "dofs": [2], "limit": a * max(nx, ny) / 250}],
        "area": {"type": "continuous", "min": 1.0e-4, "max": 1.0e-2}})


if __name__ == "__main__":
    eighteen_bar()
    howe_bridge()
    pratt_continuous()
    inclined_roller()
    k_truss_zero_force()
    space_grid()
    print("written")
