"""Write the outside trusses of tests/truss/test_outside_trusses.py (run from anywhere:
``python tests/data/truss/outside/make_files.py``). Each truss is written here by hand
from its drawing (coordinates, members, supports, loads), not from the project's own
code; the expected answers live in the test (hand statics, virtual work, a closed form
or an independent direct-stiffness solve written there from scratch)."""

from __future__ import annotations

import json
import math
from pathlib import Path

HERE = Path(__file__).resolve().parent
SI = {"length": "m", "force": "N", "stress": "Pa", "E": "Pa", "density": "N/m^3 (weight density)",
      "weight": "N", "area": "m^2"}
MM = {"length": "mm", "force": "N", "stress": "MPa", "E": "MPa", "density": "N/mm^3 (weight density)",
      "weight": "N", "area": "mm^2"}
KIP = {"length": "in", "force": "kip", "stress": "ksi", "E": "ksi", "density": "lb/in^3 (weight density)",
       "weight": "lb", "area": "in^2"}
PIN2, ROLLER_Y, ROLLER_X = [True, True], [False, True], [True, False]
PIN3 = [True, True, True]


def write(name: str, data: dict) -> None:
    if "area" not in data:  # a continuous range around the file's areas, for truss-sizing / truss-ground
        a = data["areas"]
        data["area"] = {"type": "continuous", "min": min(a) / 100, "max": max(a) * 10}
    (HERE / f"{name}.json").write_text(json.dumps(data, indent=1) + "\n")


def triangle() -> None:
    """3-member triangle, SI, string node labels: pin A (0,0), roller B (4,0) free in x,
    apex C (1,3) pulled by (10 kN, -30 kN)."""
    write("triangle_si", {
        "name": "3-member triangle (SI)", "dim": 2, "units": SI,
        "nodes": [[0, 0], [4, 0], [1, 3]], "node_labels": ["A", "B", "C"],
        "members": [[1, 0], [2, 1], [0, 2]], "member_labels": ["AB", "BC", "CA"],  # AB listed B->A
        "supports": [{"node": 0, "fixed": PIN2}, {"node": 1, "fixed": ROLLER_Y}],
        "E": 210e9, "density": 77e3, "areas": [2e-4, 3e-4, 4e-4],
        "load_cases": [{"name": "P", "loads": [{"node": 2, "force": [10e3, -30e3]}]}],
        "stress_limits": {"tension": 250e6, "compression": 250e6},
        "area": {"type": "continuous", "min": 1e-6, "max": 1e-2},
    })


def warren() -> None:
    """Warren bridge, 4 panels of 3 m, height 2.5 m; bottom nodes labelled 10, 20, ...,
    top nodes 105, 115, 125 (non-contiguous); nodes listed top chord first, members in
    a shuffled order and mixed orientation; 3 load cases."""
    bottom = [[3.0 * i, 0.0] for i in range(5)]          # indices 4..8, labels 10..50
    top = [[1.5 + 3.0 * i, 2.5] for i in range(4)]       # indices 0..3, labels 105..135
    nodes = top + bottom
    labels = [105, 115, 125, 135, 10, 20, 30, 40, 50]
    b = lambda i: 4 + i  # noqa: E731
    members = []
    for i in range(4):
        members.append([b(i + 1), b(i)])                 # bottom chord, reversed
    for i in range(3):
        members.append([i, i + 1])                       # top chord
    for i in range(4):
        members.append([b(i), i])                        # up-diagonal
        members.append([i, b(i + 1)])                    # down-diagonal
    order = [3, 10, 0, 7, 14, 5, 1, 12, 9, 2, 13, 6, 4, 11, 8]
    members = [members[k] for k in order]
    write("warren_bridge", {
        "name": "Warren bridge, 4 panels", "dim": 2, "units": {"length": "m", "force": "kN", "stress": "kPa",
                                                              "E": "kPa", "density": "kN/m^3", "weight": "kN",
                                                              "area": "m^2"},
        "nodes": nodes, "node_labels": labels, "members": members,
        "supports": [{"node": b(0), "fixed": PIN2}, {"node": b(4), "fixed": ROLLER_Y}],
        "E": 200e6, "density": 77.0, "areas": [0.004] * 15,
        "load_cases": [
            {"name": "deck", "loads": [{"node": b(i), "force": [0, -100]} for i in (1, 2, 3)]},
            {"name": "point", "loads": [{"node": b(1), "force": [0, -240]}]},
            {"name": "braking", "loads": [{"node": b(2), "force": [60, 0]}, {"node": 1, "force": [0, -50]}]},
        ],
        "stress_limits": {"tension": 250e3, "compression": 150e3},
    })


def pratt() -> None:
    """Pratt bridge, 6 panels of 4000 mm, height 3000 mm (N, mm, MPa): steel chords,
    aluminium verticals and diagonals (mixed materials); diagonals slope down to mid-span."""
    n = 6
    bot = [[4000.0 * i, 0.0] for i in range(n + 1)]       # 0..6
    topn = [[4000.0 * i, 3000.0] for i in range(1, n)]    # 7..11 above bottom 1..5
    nodes = bot + topn
    t = lambda i: 6 + i  # noqa: E731  top node above bottom i (i = 1..5)
    chords = [[i, i + 1] for i in range(n)] + [[t(i), t(i + 1)] for i in range(1, n - 1)]
    webs = [[0, t(1)], [t(5), 6]]                          # end posts (inclined)
    webs += [[i, t(i)] for i in range(1, n)]               # verticals
    webs += [[t(i), i + 1] for i in (1, 2)] + [[t(i), i - 1] for i in (4, 5)]   # diagonals
    members = chords + webs
    E = [200e3] * len(chords) + [70e3] * len(webs)
    A = [3000.0] * len(chords) + [1500.0] * len(webs)
    write("pratt_bridge", {
        "name": "Pratt bridge, 6 panels, steel chords + aluminium web", "dim": 2, "units": MM,
        "nodes": nodes, "members": members,
        "supports": [{"node": 0, "fixed": PIN2}, {"node": 6, "fixed": ROLLER_Y}],
        "E": E, "density": [7.7e-5] * len(chords) + [2.7e-5] * len(webs), "areas": A,
        "load_cases": [{"name": "panel loads", "loads": [{"node": i, "force": [0, -50e3]} for i in range(1, n)]}],
    })


def cantilever() -> None:
    """Wall cantilever, 3 bays of 1 m, depth 1 m, kip/in-free units (given in the file):
    supports of two kinds: top wall node pinned, bottom wall node a roller free in y."""
    nodes = [[0, 0], [0, 1], [1, 0], [1, 1], [2, 0], [2, 1], [3, 0.5]]
    members = [[0, 2], [1, 3], [2, 4], [3, 5], [2, 3], [4, 5], [4, 6], [5, 6], [1, 2], [3, 4], [0, 3]]
    write("cantilever", {
        "name": "wall cantilever, tip load", "dim": 2, "units": SI,
        "nodes": nodes, "members": members,
        "supports": [{"node": 1, "fixed": PIN2}, {"node": 0, "fixed": ROLLER_X}],
        "E": 70e9, "density": 27e3, "areas": [5e-4] * len(members),
        "load_cases": [{"name": "tip", "loads": [{"node": 6, "force": [0, -8e3]}]}],
    })


def tripod() -> None:
    """3-D tripod: three pinned feet on a circle of radius 2 m, apex at height 3 m
    (feet labelled 'F1'..'F3', apex 'top'), load (1, 2, -12) kN."""
    feet = [[2 * math.cos(a), 2 * math.sin(a), 0.0] for a in (0.0, 2 * math.pi / 3, 4 * math.pi / 3)]
    write("tripod_3d", {
        "name": "tripod", "dim": 3, "units": SI, "nodes": [[0.0, 0.0, 3.0]] + feet,
        "node_labels": ["top", "F1", "F2", "F3"], "members": [[1, 0], [0, 2], [3, 0]],
        "supports": [{"node": k, "fixed": PIN3} for k in (1, 2, 3)],
        "E": 200e9, "density": 77e3, "areas": [1e-3, 1.2e-3, 0.8e-3],
        "load_cases": [{"name": "P", "loads": [{"node": 0, "force": [1e3, 2e3, -12e3]}]}],
    })


def tetrahedron() -> None:
    """3-D tetrahedron on three supports of three kinds: pinned (xyz), slotted (yz, free
    in x), roller (z only). Statically determinate: 6 members + 6 reactions = 12 dofs."""
    write("tetrahedron_3d", {
        "name": "tetrahedron on pin, slot and roller", "dim": 3, "units": KIP,
        "nodes": [[0, 0, 0], [120, 0, 0], [40, 90, 0], [50, 30, 100]],
        "members": [[0, 1], [2, 1], [0, 2], [3, 0], [1, 3], [3, 2]],
        "supports": [{"node": 0, "fixed": PIN3}, {"node": 1, "fixed": [False, True, True]},
                     {"node": 2, "fixed": [False, False, True]}],
        "E": 29000.0, "density": 0.283, "areas": [2.0, 1.5, 1.0, 3.0, 2.5, 2.0],
        "load_cases": [{"name": "LC1", "loads": [{"node": 3, "force": [5, -3, -20]}]},
                       {"name": "LC2", "loads": [{"node": 3, "force": [0, 0, 10]}, {"node": 2, "force": [4, 0, 0]}]}],
    })


def fan() -> None:
    """Indeterminate fan: four bars of different E and A from wall pins to one free node
    (closed form: a 2 x 2 stiffness of the free node)."""
    write("fan_indeterminate", {
        "name": "four-bar fan", "dim": 2, "units": SI,
        "nodes": [[2, 0], [0, 0], [0, 1], [0, -1.5], [0, 3]],
        "members": [[0, 1], [2, 0], [0, 3], [4, 0]],
        "supports": [{"node": k, "fixed": PIN2} for k in (1, 2, 3, 4)],
        "E": [200e9, 70e9, 110e9, 200e9], "density": [77e3, 27e3, 87e3, 77e3],
        "areas": [1e-4, 3e-4, 2e-4, 0.5e-4],
        "load_cases": [{"name": "down", "loads": [{"node": 0, "force": [0, -20e3]}]},
                       {"name": "out", "loads": [{"node": 0, "force": [15e3, 5e3]}]}],
    })


def xbraced_frame() -> None:
    """Two-storey frame with X bracing in each storey (indeterminate), wind and gravity."""
    nodes = [[0, 0], [4, 0], [0, 3], [4, 3], [0, 6], [4, 6]]
    members = [[0, 2], [1, 3], [2, 4], [3, 5], [2, 3], [4, 5], [0, 3], [1, 2], [2, 5], [3, 4]]
    write("xbraced_frame", {
        "name": "X-braced two-storey frame", "dim": 2, "units": SI,
        "nodes": nodes, "members": members,
        "supports": [{"node": 0, "fixed": PIN2}, {"node": 1, "fixed": PIN2}],
        "E": 200e9, "density": 77e3, "areas": [4e-3, 4e-3, 3e-3, 3e-3, 2e-3, 2e-3, 1e-3, 1e-3, 8e-4, 8e-4],
        "load_cases": [{"name": "wind", "loads": [{"node": 2, "force": [20e3, 0]}, {"node": 4, "force": [30e3, 0]}]},
                       {"name": "gravity", "loads": [{"node": k, "force": [0, -50e3]} for k in (2, 3, 4, 5)]}],
        "stress_limits": {"tension": 235e6, "compression": 235e6},
        "groups": [{"name": "columns", "members": [0, 1, 2, 3]}, {"name": "beams", "members": [4, 5]},
                   {"name": "braces", "members": [6, 7, 8, 9]}],
        "area": {"type": "continuous", "min": 1e-5, "max": 1e-2},
    })


def tower3d() -> None:
    """3-D square tower, 2 storeys, X-braced faces and a plan diagonal per level
    (indeterminate); all four feet pinned; a torsion-and-shear load case."""
    s, h = 2.0, 3.0
    corners = [[0, 0], [s, 0], [s, s], [0, s]]
    nodes = [[x, y, z] for z in (0.0, h, 2 * h) for x, y in corners]
    members = []
    for lev in range(2):
        lo, hi = 4 * lev, 4 * (lev + 1)
        for k in range(4):
            members.append([lo + k, hi + k])                     # leg
            members.append([lo + k, hi + (k + 1) % 4])          # face diagonal
            members.append([lo + (k + 1) % 4, hi + k])          # the other face diagonal
    for lev in (1, 2):
        b = 4 * lev
        members += [[b + k, b + (k + 1) % 4] for k in range(4)] + [[b, b + 2]]
    write("tower_3d", {
        "name": "X-braced square tower", "dim": 3, "units": SI, "nodes": nodes, "members": members,
        "supports": [{"node": k, "fixed": PIN3} for k in range(4)],
        "E": 200e9, "density": 77e3, "areas": [1e-3 + 1e-5 * k for k in range(len(members))],
        "load_cases": [{"name": "twist", "loads": [{"node": 8, "force": [5e3, -5e3, 0]}, {"node": 10, "force": [-5e3, 5e3, 0]}]},
                       {"name": "shear", "loads": [{"node": k, "force": [4e3, 1e3, -10e3]} for k in (8, 9, 10, 11)]}],
    })


def long_short() -> None:
    """Members of very different length: a 1 mm stub and 1 km chords in one truss
    (length ratio 1e6; SI)."""
    write("long_short", {
        "name": "1 mm stub and 1 km chords", "dim": 2, "units": SI,
        "nodes": [[0, 0], [1000, 0], [500, 400], [500, 400.001]],
        "members": [[0, 1], [0, 2], [1, 2], [2, 3], [0, 3], [1, 3]],
        "supports": [{"node": 0, "fixed": PIN2}, {"node": 1, "fixed": ROLLER_Y}],
        "E": 200e9, "density": 77e3, "areas": [1e-2, 1e-2, 1e-2, 1e-2, 1e-2, 1e-2],
        "load_cases": [{"name": "P", "loads": [{"node": 3, "force": [0, -1e6]}]}],
    })


def settlement() -> None:
    """Two-span continuous truss (indeterminate) whose middle support settles 5 mm,
    with and without load."""
    nodes = [[0, 0], [3, 0], [6, 0], [9, 0], [12, 0], [1.5, 2], [4.5, 2], [7.5, 2], [10.5, 2]]
    members = [[0, 1], [1, 2], [2, 3], [3, 4], [5, 6], [6, 7], [7, 8],
               [0, 5], [5, 1], [1, 6], [6, 2], [2, 7], [7, 3], [3, 8], [8, 4]]
    write("settlement", {
        "name": "two-span truss, middle support settles", "dim": 2, "units": SI,
        "nodes": nodes, "members": members,
        "supports": [{"node": 0, "fixed": PIN2}, {"node": 2, "fixed": ROLLER_Y, "displacement": [0, -0.005]},
                     {"node": 4, "fixed": ROLLER_Y}],
        "E": 200e9, "density": 77e3, "areas": [2e-3] * 15,
        "load_cases": [{"name": "settlement only", "loads": []},
                       {"name": "loaded", "loads": [{"node": k, "force": [0, -40e3]} for k in (1, 3)]}],
    })


def hanging_selfweight() -> None:
    """A V of two bars hanging from two pins, lower node loaded, with self-weight
    (gravity -y, weight already in force units: factor 1)."""
    write("hanging_selfweight", {
        "name": "hanging V with self-weight", "dim": 2, "units": SI,
        "nodes": [[0, 0], [6, 0], [2, -3]],
        "members": [[0, 2], [2, 1]],
        "supports": [{"node": 0, "fixed": PIN2}, {"node": 1, "fixed": PIN2}],
        "E": 200e9, "density": 77e3, "areas": [5e-3, 8e-3],
        "self_weight": {"gravity": [0, -1], "factor": 1.0},
        "load_cases": [{"name": "P", "loads": [{"node": 2, "force": [0, -10e3]}]}],
    })


def buckling_strut() -> None:
    """A loaded pin-jointed frame whose strut buckles: Euler with a circular section."""
    write("buckling_strut", {
        "name": "strut and tie with Euler buckling", "dim": 2, "units": SI,
        "nodes": [[0, 0], [0, 2], [3, 0]],
        "members": [[0, 2], [1, 2]],
        "supports": [{"node": 0, "fixed": PIN2}, {"node": 1, "fixed": PIN2}],
        "E": 200e9, "density": 77e3, "areas": [1e-3, 1e-3],
        "buckling": {"shape": "circular"},
        "stress_limits": {"tension": 250e6, "compression": 250e6},
        "load_cases": [{"name": "P", "loads": [{"node": 2, "force": [0, -60e3]}]}],
    })


def roof_pyramid() -> None:
    """3-D pyramid roof: square base with one diagonal, apex; supports pin, slot (yz)
    and a vertical roller (z), the fourth corner unsupported; statically determinate
    (9 members + 6 reactions = 15 dofs); node labels 7, 3, 99, 12, 1000; a load case
    with a load on a supported node."""
    write("pyramid_3d", {
        "name": "pyramid roof on pin, slot and roller", "dim": 3, "units": SI,
        "nodes": [[0, 0, 0], [4, 0, 0], [4, 4, 0], [0, 4, 0], [2, 2, 2.5]],
        "node_labels": [7, 3, 99, 12, 1000],
        "members": [[0, 1], [1, 2], [2, 3], [3, 0], [0, 2], [4, 0], [1, 4], [4, 2], [3, 4]],
        "supports": [{"node": 0, "fixed": PIN3}, {"node": 1, "fixed": [False, True, True]},
                     {"node": 2, "fixed": [False, False, True]}],
        "E": 200e9, "density": 77e3, "areas": [1e-3] * 9,
        "load_cases": [{"name": "snow", "loads": [{"node": 4, "force": [0, 0, -30e3]}]},
                       {"name": "wind", "loads": [{"node": 4, "force": [6e3, 2e3, 3e3]},
                                                  {"node": 0, "force": [0, 0, -1e3]}]}],
    })


if __name__ == "__main__":
    for make in (triangle, warren, pratt, cantilever, tripod, tetrahedron, fan, xbraced_frame, tower3d,
                 long_short, settlement, hanging_selfweight, buckling_strut, roof_pyramid):
        make()
