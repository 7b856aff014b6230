"""Compare `gadesign truss analyze --json` on truss files with independent engines, read
from the raw JSON only: PyNite (3D frame with moment
releases = truss) and anastruct (2D truss elements; no settlement). Prints, per file and
engine, max abs difference / max abs reference value of displacements, member forces and
reactions. Usage: python tests/data/truss/wild/compare.py FILE.json ..."""
import json
import math
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np


def per(v, m):
    return [float(x) for x in v] if isinstance(v, list) else [float(v)] * m

def raw(data, areas=None):
    nodes = np.array(data["nodes"], float)
    n, d = nodes.shape
    members = [tuple(p) for p in data["members"]]
    m = len(members)
    fixed = np.zeros((n, d), bool); settle = np.zeros((n, d))
    for s in data["supports"]:
        fixed[s["node"]] |= np.array(s["fixed"])
        if "displacement" in s:
            settle[s["node"]] = s["displacement"]
    E = per(data["E"], m); rho = per(data["density"], m)
    A = [float(a) for a in (areas if areas is not None else data["areas"])]
    if len(A) != m:  # per group
        g = data["groups"]; AA = [0.0] * m
        for gi, grp in enumerate(g):
            for k in grp["members"]:
                AA[k] = A[gi]
        A = AA
    loads = []
    for lc in data["load_cases"]:
        f = np.zeros((n, d))
        for ld in lc["loads"]:
            f[ld["node"]] += ld["force"]
        loads.append(f)
    sw = data.get("self_weight")
    if sw:
        g = np.array(sw["gravity"], float); g = g / np.linalg.norm(g) * sw.get("factor", 1.0)
        for f in loads:
            for e, (i, j) in enumerate(members):
                w = rho[e] * math.dist(nodes[i], nodes[j]) * A[e]
                f[i] += 0.5 * w * g; f[j] += 0.5 * w * g
    return nodes, members, fixed, settle, E, A, loads

def pynite(data, areas=None):
    from Pynite import FEModel3D
    nodes, members, fixed, settle, E, A, loads = raw(data, areas)
    n, d = nodes.shape
    U, N, R = [], [], []
    for c, f in enumerate(loads):
        mdl = FEModel3D()
        for i, p in enumerate(nodes):
            x, y, z = (list(p) + [0.0])[:3]
            mdl.add_node(f"N{i}", x, y, z)
        mats = {}
        for e, (i, j) in enumerate(members):
            key = E[e]
            if key not in mats:
                mats[key] = f"M{len(mats)}"; mdl.add_material(mats[key], E[e], E[e] / 2.6, 0.3, 0.0)
            mdl.add_section(f"S{e}", A[e], 1.0, 1.0, 1.0)
            mdl.add_member(f"E{e}", f"N{i}", f"N{j}", mats[key], f"S{e}")
            mdl.def_releases(f"E{e}", Rxi=True, Ryi=True, Rzi=True, Ryj=True, Rzj=True)
        for i in range(n):
            fx = list(fixed[i]) + ([True] if d == 2 else [])
            mdl.def_support(f"N{i}", fx[0], fx[1], fx[2], True, True, True)
            for k in range(d):
                if fixed[i, k] and settle[i, k] != 0:
                    mdl.def_node_disp(f"N{i}", ["DX", "DY", "DZ"][k], float(settle[i, k]))
                if f[i, k] != 0:
                    mdl.add_node_load(f"N{i}", ["FX", "FY", "FZ"][k], float(f[i, k]), case="LC")
        mdl.add_load_combo("C", {"LC": 1.0})
        mdl.analyze_linear(check_stability=False, check_statics=False)
        u = np.array([[mdl.nodes[f"N{i}"].DX["C"], mdl.nodes[f"N{i}"].DY["C"], mdl.nodes[f"N{i}"].DZ["C"]][:d] for i in range(n)])
        r = np.array([[mdl.nodes[f"N{i}"].RxnFX["C"], mdl.nodes[f"N{i}"].RxnFY["C"], mdl.nodes[f"N{i}"].RxnFZ["C"]][:d] for i in range(n)])
        r = np.where(fixed, r, 0.0)
        # axial force from the displacements PyNite computed (member.axial sign checked separately)
        ax = np.array([-mdl.members[f"E{e}"].axial(0.0, "C") for e in range(len(members))])
        U.append(u); N.append(ax); R.append(r)
    return np.array(U), np.array(N), np.array(R)

def anastruct2d(data, areas=None, inclined=None):
    from anastruct import SystemElements
    nodes, members, fixed, _settle, E, A, loads = raw(data, areas)
    assert nodes.shape[1] == 2
    U, N, R = [], [], []
    for f in loads:
        ss = SystemElements()
        ids = []
        for e, (i, j) in enumerate(members):
            ids.append(ss.add_truss_element([list(nodes[i]), list(nodes[j])], EA=E[e] * A[e]))
        # node ids by location
        nid = {}
        for i, p in enumerate(nodes):
            nid[i] = ss.find_node_id(list(p))
        for i in range(len(nodes)):
            if fixed[i].all():
                ss.add_support_hinged(nid[i])
            elif fixed[i, 0]:
                ss.add_support_roll(nid[i], direction="y")  # restrains x
            elif fixed[i, 1]:
                ss.add_support_roll(nid[i], direction="x")  # restrains y
            if f[i].any():
                ss.point_load(nid[i], Fx=float(f[i, 0]), Fy=float(f[i, 1]))
        ss.solve()
        u = np.zeros(nodes.shape); r = np.zeros(nodes.shape)
        for i in range(len(nodes)):
            res = ss.get_node_results_system(nid[i])
            u[i] = [-res["ux"], -res["uy"]]  # anastruct reports -u (checked on a 3-bar case)
            r[i] = [-res["Fx"], -res["Fy"]]
        ax = np.array([ss.get_element_results(k)["Nmax"] for k in ids])
        U.append(u); N.append(ax); R.append(np.where(fixed, r, 0.0))
    return np.array(U), np.array(N), np.array(R)

def gadesign(path, *extra):
    t = time.time()
    p = subprocess.run([sys.executable, "-m", "gadesign", "truss", "analyze", str(path), "--json", *extra],
                       capture_output=True, text=True, check=False, env={**os.environ, "OPENBLAS_NUM_THREADS": "1", "COLUMNS": "200"})
    dt = time.time() - t
    if p.returncode != 0:
        return None, p, dt
    out = json.loads(p.stdout)
    U = np.array([lc["displacements"] for lc in out["load_cases"]])
    N = np.array([lc["forces"] for lc in out["load_cases"]])
    R = np.array([lc["reactions"] for lc in out["load_cases"]])
    return (U, N, R), p, dt

def reldiff(a, b):
    out = []
    for x, y in zip(a, b):
        s = max(np.abs(y).max(), 1e-300)
        out.append(float(np.abs(x - y).max() / s))
    return out  # per quantity u, N, R: max abs diff / max abs ref (per all cases)

def compare(path, which="pynite", **kw):
    data = json.loads(Path(path).read_text())
    g, p, dt = gadesign(path)
    if g is None:
        return {"rc": p.returncode, "stderr": p.stderr.strip()[-500:], "time": dt}
    t = time.time()
    ref = pynite(data, **kw) if which == "pynite" else anastruct2d(data, **kw)
    tr = time.time() - t
    return {"rc": 0, "time": round(dt, 2), "ref_time": round(tr, 2), "u,N,R": [f"{v:.2e}" for v in reldiff(g, ref)]}

if __name__ == "__main__":
    for path in sys.argv[1:]:
        for which in ("pynite", "anastruct"):
            d = json.loads(Path(path).read_text())
            if which == "anastruct" and len(d["nodes"][0]) != 2:
                continue
            print(path, which, compare(path, which))
