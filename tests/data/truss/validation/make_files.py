"""Writes the validation trusses of this folder from the published problem data.

Run once by hand (``python tests/data/truss/validation/make_files.py``); the JSON files it
writes are committed and are what the tests and ``benchmarks/truss_validation.py`` read.
Each file cites its sources and the best published feasible weight (``best_known``).
Geometry that the papers give as a drawing is rebuilt here from its regular pattern;
README.md says how each file was checked.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

HERE = Path(__file__).resolve().parent
US = {"length": "in", "force": "kip", "stress": "ksi", "E": "ksi", "density": "lb/in^3 (weight density)",
      "weight": "lb", "area": "in^2"}

#: The 64 AISC sections (in^2) of the 52-bar benchmark's catalogue (Wu & Chow 1995; Lee et al. 2005).
AISC64_IN2 = [0.111, 0.141, 0.196, 0.250, 0.307, 0.391, 0.442, 0.563, 0.602, 0.766, 0.785, 0.994, 1.000,
              1.228, 1.266, 1.457, 1.563, 1.620, 1.800, 1.990, 2.130, 2.380, 2.620, 2.630, 2.880, 2.930,
              3.090, 3.130, 3.380, 3.470, 3.550, 3.630, 3.840, 3.870, 3.880, 4.180, 4.220, 4.490, 4.590,
              4.800, 4.970, 5.120, 5.740, 7.220, 7.970, 8.530, 9.300, 10.850, 11.500, 13.500, 13.900,
              14.200, 15.500, 16.000, 16.900, 18.800, 19.900, 22.000, 22.900, 24.500, 26.500, 28.000,
              30.000, 33.500]


def write(name: str, data: dict) -> None:
    (HERE / name).write_text(json.dumps(data, indent=1) + "\n")


def tenbar_variants() -> None:
    """The 10-bar geometry (tests/data/truss/tenbar.json) under its two other published
    problems: load case 2 (150 kips down, 50 kips up) and stress limits only."""
    base = json.loads((HERE.parent / "tenbar.json").read_text())
    keep = ("dim", "units", "nodes", "node_labels", "supports", "members", "member_labels", "E", "density",
            "stress_limits", "displacement_limits")
    case2 = {k: base[k] for k in keep}
    case2.update(name="10-bar cantilever, load case 2 (P1 = 150 kips, P2 = 50 kips)",
                 description="10-bar geometry with 150 kips down at nodes 2 and 4 and 50 kips up at nodes 1 "
                             "and 3 (1-based labels); stress +-25 ksi, |u| <= 2 in; one area per member.",
                 load_cases=[{"name": "LC1", "loads": [{"node": 1, "force": [0.0, -150.0]},
                                                       {"node": 3, "force": [0.0, -150.0]},
                                                       {"node": 0, "force": [0.0, 50.0]},
                                                       {"node": 2, "force": [0.0, 50.0]}]}],
                 area={"type": "continuous", "min": 0.1, "max": 35.0},
                 best_known=[{"design": "Haftka & Gurdal 1992 (Elements of Structural Optimization, 3rd ed.), "
                                        "10-bar truss case 2", "reported_weight": 4676.92}],
                 sources={"problem": "Schmit & Farshi 1974 (AIAA J. 12:692-699), case 2; Haftka & Gurdal 1992; "
                                     "restated in Lee & Geem 2004 (Computers & Structures 82:781-798).",
                          "how_written": "tenbar.json of this folder's parent with the case-2 loads."})
    write("tenbar_case2.json", case2)
    stress = {k: base[k] for k in keep if k != "displacement_limits"}
    stress.update(name="10-bar cantilever, stress limits only",
                  description="10-bar geometry and loads (100 kips at nodes 2 and 4), stress +-25 ksi, "
                              "no displacement limit; one area per member, A >= 0.1 in^2.",
                  load_cases=base["load_cases"], area={"type": "continuous", "min": 0.1, "max": 35.0},
                  best_known=[{"design": "Haftka & Gurdal 1992, 10-bar truss with stress constraints only",
                               "reported_weight": 1593.18}],
                  sources={"problem": "Haftka & Gurdal 1992 (Elements of Structural Optimization) section 9; "
                                      "Venkayya 1971.",
                           "how_written": "tenbar.json of this folder's parent without its displacement limit."})
    write("tenbar_stress.json", stress)


def threebar() -> None:
    """The three-bar truss (Nowacki; Ray & Saini 2001): two load cases of P = 2 at 45 deg."""
    L, P = 100.0, 2.0
    c = P / math.sqrt(2.0)
    write("threebar.json", {
        "name": "three-bar truss (Nowacki 1974; Ray & Saini 2001)",
        "description": "Three bars from supports at (-L,0), (0,0), (L,0) to a node at (0,-L), L = 100 cm; "
                       "load P = 2 kN at 45 degrees in two mirrored load cases; stress <= 2 kN/cm^2; "
                       "outer bars equal (one group). Weight is volume (density 1).",
        "dim": 2, "units": {"length": "cm", "force": "kN", "stress": "kN/cm^2", "E": "kN/cm^2",
                            "density": "1 (volume)", "weight": "cm^3", "area": "cm^2"},
        "nodes": [[-L, 0.0], [0.0, 0.0], [L, 0.0], [0.0, -L]],
        "supports": [{"node": i, "fixed": [True, True]} for i in range(3)],
        "members": [[0, 3], [1, 3], [2, 3]], "member_labels": [1, 2, 3],
        "groups": [{"name": "A1", "members": [0, 2]}, {"name": "A2", "members": [1]}],
        "E": 2.0e4, "density": 1.0,
        "load_cases": [{"name": "LC1", "loads": [{"node": 3, "force": [-c, -c]}]},
                       {"name": "LC2", "loads": [{"node": 3, "force": [c, -c]}]}],
        "stress_limits": {"tension": 2.0, "compression": 2.0},
        "area": {"type": "continuous", "min": 0.001, "max": 1.0,
                 "note": "published bounds 0 <= A <= 1; 0.001 keeps every bar present"},
        "best_known": [{"design": "Ray & Saini 2001 (Eng. Optim. 33:735-748); many since",
                        "reported_weight": 263.8958, "x": [0.788675, 0.408248]}],
        "sources": {"problem": "Nowacki H. (1974); Ray T., Saini P. (2001) Engineering Optimization 33:735-748; "
                               "f = (2 sqrt(2) A1 + A2) L with sigma_i <= 2 from the elastic analysis of "
                               "this truss.",
                    "how_written": "by hand from the problem statement"},
    })


def fiftytwobar() -> None:
    """52-bar planar tower (Wu & Chow 1995): 4 storeys of 3 m, 3 bays of 2 m, discrete."""
    nodes = [[2000.0 * i, 3000.0 * j] for j in range(5) for i in range(4)]
    members, groups = [], []
    for s in range(4):
        b, t = [4 * s + i for i in range(4)], [4 * (s + 1) + i for i in range(4)]
        cols = [[b[i], t[i]] for i in range(4)]
        diag = [[b[0], t[1]], [b[1], t[0]], [b[1], t[2]], [b[2], t[1]], [b[2], t[3]], [b[3], t[2]]]
        hor = [[t[0], t[1]], [t[1], t[2]], [t[2], t[3]]]
        for name, part in (("columns", cols), ("diagonals", diag), ("horizontals", hor)):
            groups.append({"name": f"A{len(groups) + 1} storey {s + 1} {name}",
                           "members": list(range(len(members), len(members) + len(part)))})
            members += part
    write("fiftytwobar.json", {
        "name": "52-bar planar tower (Wu & Chow 1995), discrete AISC sections",
        "description": "4 storeys x 3 m, 3 bays x 2 m; Px = 100 kN and Py = -200 kN at the 4 top nodes; "
                       "stress +-180 MPa; 12 groups (per storey: columns, diagonals, horizontals); "
                       "areas from the 64 AISC sections. SI units with lengths in mm: weight in kg.",
        "dim": 2, "units": {"length": "mm", "force": "N", "stress": "MPa", "E": "MPa",
                            "density": "kg/mm^3 (mass density)", "weight": "kg", "area": "mm^2"},
        "nodes": nodes, "node_labels": list(range(1, 21)),
        "supports": [{"node": i, "fixed": [True, True]} for i in range(4)],
        "members": members, "member_labels": list(range(1, 53)), "groups": groups,
        "E": 2.07e5, "density": 7.86e-6,
        "load_cases": [{"name": "LC1", "loads": [{"node": i, "force": [1.0e5, -2.0e5]} for i in range(16, 20)]}],
        "stress_limits": {"tension": 180.0, "compression": 180.0},
        "area": {"type": "discrete", "values": [round(a * 645.16, 3) for a in AISC64_IN2],
                 "note": "the 64 AISC sections in in^2 x 645.16"},
        "best_known": [{"design": "Lee, Geem, Lee & Bae 2005 (Eng. Optim. 37:663-684), harmony search; "
                                  "also Li, Huang & Liu 2009 (HPSO)", "reported_weight": 1902.605}],
        "sources": {"problem": "Wu S.-J., Chow P.-T. (1995) Steady-state genetic algorithms for discrete "
                               "optimization of trusses, Computers & Structures 56:979-991; Lee et al. 2005.",
                    "how_written": "geometry rebuilt from the published drawing's pattern (member order per "
                                   "storey: 4 columns, 6 diagonals, 3 horizontals)"},
    })


def twohundredbar() -> None:
    """200-bar planar truss: 11 rows alternating 5 and 9 nodes, 29 groups, 3 load cases."""
    rows, nodes = [], []
    for r in range(11):
        y = 1800.0 - 144.0 * r
        xs = [240.0 * i for i in range(5)] if r % 2 == 0 else [120.0 * i for i in range(9)]
        rows.append(list(range(len(nodes), len(nodes) + len(xs))))
        nodes += [[x, y] for x in xs]
    supports = [len(nodes), len(nodes) + 1]
    nodes += [[240.0, 0.0], [720.0, 0.0]]
    members, group = [], []

    def add(i: int, j: int, g: int) -> None:
        members.append([i, j])
        group.append(g)

    for k in range(5):
        a, b, c = rows[2 * k], rows[2 * k + 1], rows[2 * k + 2]
        # groups of block k: chord of the 5-node row, verticals down to the 9-node row, inner
        # chord of the 9-node row, verticals further down, diagonals (block 0: 1, 2, 3, 5, 6);
        # the end bays of every 9-node row share group 4
        h, v, inner, v2, dg = (1, 2, 3, 5, 6) if k == 0 else tuple(2 + 5 * k + i for i in range(5))
        for i in range(4):
            add(a[i], a[i + 1], h)
        for i in range(5):
            for j in (2 * i - 1, 2 * i, 2 * i + 1):
                if 0 <= j <= 8:
                    add(a[i], b[j], v if j == 2 * i else dg)
        for j in range(8):
            add(b[j], b[j + 1], 4 if j in (0, 7) else inner)
        for j in range(9):
            for i in ((j // 2,) if j % 2 == 0 else ((j - 1) // 2, (j + 1) // 2)):
                add(b[j], c[i], v2 if j % 2 == 0 else dg)
    last = rows[10]
    for i in range(4):
        add(last[i], last[i + 1], 27)
    for i, s, g in ((0, 0, 28), (1, 0, 29), (2, 0, 28), (2, 1, 28), (3, 1, 29), (4, 1, 28)):
        add(last[i], supports[s], g)
    groups = [{"name": f"A{g}", "members": [e for e, ge in enumerate(group) if ge == g]} for g in range(1, 30)]
    left = [row[0] for row in rows]
    down = [n for r, row in enumerate(rows) for n in (row if r % 2 == 0 else row[::2])]
    lc1 = [{"node": n, "force": [1.0, 0.0]} for n in left]
    lc2 = [{"node": n, "force": [0.0, -10.0]} for n in down]
    write("twohundredbar.json", {
        "name": "200-bar planar truss, stress limits, 29 groups, 3 load cases",
        "description": "77 nodes, 200 members; LC1: 1 kip in +x at the 11 left-edge nodes; LC2: 10 kips down "
                       "at 55 nodes; LC3: both. Stress +-10 ksi, E = 30,000 ksi, density 0.283 lb/in^3, "
                       "0.1 <= A <= 20 in^2.",
        "dim": 2, "units": dict(US), "nodes": nodes, "node_labels": list(range(1, 78)),
        "supports": [{"node": s, "fixed": [True, True]} for s in supports],
        "members": members, "member_labels": list(range(1, 201)), "groups": groups,
        "E": 3.0e4, "density": 0.283,
        "load_cases": [{"name": "LC1", "loads": lc1}, {"name": "LC2", "loads": lc2},
                       {"name": "LC3", "loads": lc1 + lc2}],
        "stress_limits": {"tension": 10.0, "compression": 10.0},
        "area": {"type": "continuous", "min": 0.1, "max": 20.0},
        "best_known": [{"design": "Lamberti L. (2008) Computers & Structures 86:1936-1953 (CMLPSA), as quoted "
                                  "from memory of the literature tables; not rechecked against the paper here",
                        "reported_weight": 25445.63}],
        "sources": {"problem": "Degertekin S.O., Hayalioglu M.S. (2013) Sizing truss structures using "
                               "teaching-learning-based optimization, Computers & Structures 119:177-188; "
                               "Awad R. (2021) Structures 33:4871-4894.",
                    "how_written": "rebuilt from the regular pattern; node coordinates, the 200 member pairs, "
                                   "their 29 groups and the loaded nodes checked one by one against the listing "
                                   "in stvanegasgi/Codes_SS_optimization (load_case_1_2_3_2D_truss_200_bars.jl)"},
    })


if __name__ == "__main__":
    tenbar_variants()
    threebar()
    fiftytwobar()
    twohundredbar()
