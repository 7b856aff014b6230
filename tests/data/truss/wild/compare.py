"""Compare `gadesign truss analyze --json` on truss files with independent engines, read
from the raw JSON only: PyNite (3D frame with moment
releases = truss) and anastruct (2D truss elements; no settlement). Prints, per file and
engine, max abs difference / max abs reference value of displacements, member forces and
reactions. Usage: python tests/data/truss/wild/compare.py FILE.json ..."""
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np


sys.path.insert(0, str(Path(__file__).resolve().parents[3]))  # tests/
from truss.test_outside_trusses import _raw  # noqa: E402 - the tests' own readers of the raw JSON
from truss.test_outside_trusses3 import per_member, pynite_raw  # noqa: E402


def pynite(data):
    return pynite_raw(per_member(data))


def anastruct2d(data):
    from anastruct import SystemElements
    nodes, members, fixed, _settle, E, A, loads = _raw(per_member(data))
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

def compare(path, which="pynite"):
    data = json.loads(Path(path).read_text())
    g, p, dt = gadesign(path)
    if g is None:
        return {"rc": p.returncode, "stderr": p.stderr.strip()[-500:], "time": dt}
    t = time.time()
    ref = pynite(data) if which == "pynite" else anastruct2d(data)
    tr = time.time() - t
    return {"rc": 0, "time": round(dt, 2), "ref_time": round(tr, 2), "u,N,R": [f"{v:.2e}" for v in reldiff(g, ref)]}

if __name__ == "__main__":
    for path in sys.argv[1:]:
        for which in ("pynite", "anastruct"):
            d = json.loads(Path(path).read_text())
            if which == "anastruct" and len(d["nodes"][0]) != 2:
                continue
            print(path, which, compare(path, which))
