"""A third engine for the ST5 question "which engine is right?": MININEC (pymininec,
MIT-licensed, a Python port of MININEC3; a test and benchmark reference only, never imported
by the package) beside ours and NEC-2 (PyNEC).

MININEC is a different method from both others: pulse basis with point matching, charges
at the pulse ends, the exact (elliptic-integral) kernel, and junctions handled by its own
pulse overlap. It feeds across a node (a zero-length gap) where ours and NEC-2 drive the
1 mm segment at the ground plate, so impedances are not compared directly. Every
comparison is made on the feed-independent part of the input admittance:

    dY = Y(structure) - Y(reference),

with the reference the same 4 mm feed wire topped by one straight vertical arm, solved by
the same engine with the same feed. A feed model acts as a shunt admittance across the
source, which cancels in dY.

``--canonical``: the ST5 feed topped by one 10 mm arm at 45 degrees (``bent``) or by four
(``hub``, the five-wire junction every ST5 design has), at the ST5 radius (0.5 mm) and a tenth
of it, arm segments ``6 m`` for ``m`` in 1, 2, 4, 8; the feed wire either keeps its four 1 mm
segments (as the exported decks do) or is cut like the arms (``matched``).

``--designs FILE...``: every design that met its targets in the seed-benchmark JSONs. Per
design and frequency, |dY| differences between each pair of engines (mS); MININEC with its
arm segments ``M`` times the design's (``--mininec-levels``, default 4 and 8) and the feed
wire as in the deck. MININEC's verdict on a design:
* VSWR from ``Y_ours(reference) + dY_MININEC(design)``: MININEC's structure on our feed;
* least RHCP gain over the requirement's cone from MININEC's own pattern, normalised by
  the power MININEC radiates into the upper hemisphere (directivity: a PEC antenna's gain),
  so its feed model does not enter. Handedness: IEEE right-hand, fixed once on a
  turnstile (two crossed dipoles driven 90 degrees apart, :func:`mininec_handedness`)
  against our solver, not on any design.

Usage: python benchmarks/antenna_st5_mininec.py --canonical --designs benchmarks/out/antenna_st5_seeds_default160.json ...
Writes benchmarks/out/antenna_st5_mininec.json.
"""

from __future__ import annotations

import argparse
import json
import platform
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "tests" / "antenna"))

from gadesign.atomic import atomic_write_json  # noqa: E402
from gadesign_problems.antenna.st5 import antenna_st5  # noqa: E402
from gadesign_problems.antenna.tree import from_json  # noqa: E402
from gadesign_problems.antenna.wires import Antenna, Source, Wire  # noqa: E402
from gadesign_problems.antenna.network import vswr as vswr_of  # noqa: E402
from mininec_ref import (cut_arms, mininec_admittance, mininec_admittances, mininec_fields,  # noqa: E402
                         mininec_solution, ours_admittances, st5_feed_pieces)

OUT = HERE / "out" / "antenna_st5_mininec.json"


def nec_admittance(wires: list[Wire], freqs: tuple[float, ...]) -> np.ndarray:
    from pynec_ref import nec_context

    # the cards nec_context reads, without our solver's checks (NEC-2 takes segments < 0.5 radii)
    ant = SimpleNamespace(wires=tuple(wires), sources=(Source(1, 1),), loads=(), ground=True)
    out = []
    for f in freqs:
        ctx = nec_context(ant)
        ctx.fr_card(0, 1, f / 1e6, 0)
        ctx.xq_card(0)
        out.append(1.0 / complex(ctx.get_input_parameters(0).get_impedance()[0]))
    return np.array(out)


def canonical_study(freqs: tuple[float, ...]) -> dict[str, Any]:
    """|dY_engine - dY_ours| (mS) on the bent arm and the hub, per radius, feed and level."""
    res: dict[str, Any] = {}
    for a in (0.0005, 0.00005):
        for matched in (False, True):
            for kind in ("bent", "hub"):
                rows = {}
                for m in (1, 2, 4, 8):
                    dy = {}
                    for name, solve in (("ours", ours_admittances), ("nec", nec_admittance),
                                        ("mininec", mininec_admittances)):
                        if name == "ours" and m > 4:
                            continue                 # ours is converged by 4 (and refuses 8 at 0.5 mm)
                        dy[name] = solve(st5_feed_pieces(kind, m, a, matched), freqs) - solve(
                            st5_feed_pieces("straight", m, a, matched), freqs)
                    rows[m] = {k: [[float(v.real * 1e3), float(v.imag * 1e3)] for v in val] for k, val in dy.items()}
                ref = np.array([complex(*v) for v in rows[4]["ours"]])
                for m, r in rows.items():
                    for name in ("nec", "mininec"):
                        r[f"{name}_minus_ours_mS"] = [float(abs(complex(*v) - z)) for v, z in zip(r[name], ref)]
                key = f"{kind} a={a * 1e3:g} mm feed={'matched' if matched else '4 x 1 mm'}"
                res[key] = rows
                print(key, json.dumps({m: {k: [round(x, 3) for x in r[k]] for k in r if k.endswith("_mS")}
                                       for m, r in rows.items()}), flush=True)
    return res


def design_study(files: list[Path], levels: tuple[int, ...]) -> dict[str, Any]:
    """Ours (recorded 1x), NEC-2 (recorded, on the exported deck) and MININEC at ``levels``
    on every met design: dY differences and MININEC's verdict (module docstring)."""
    p = antenna_st5()
    req = p.requirements
    freqs = tuple(req.frequencies)
    a = p.space.wire_radius
    sign = mininec_handedness()
    y_ref_ours = ours_admittances(st5_feed_pieces("straight", 1, a), freqs)
    y_ref_nec = nec_admittance(st5_feed_pieces("straight", 3, a), freqs)
    y_ref_min = {M: mininec_admittances(st5_feed_pieces("straight", M, a), freqs) for M in levels}
    lo, hi = req.theta_range
    rows = []
    for path in files:
        for seed, e in json.loads(path.read_text())["seeds"].items():
            if not e.get("met") or not e.get("nec") or not e.get("levels"):
                continue
            x = from_json(e["genome"])
            ant = p.decode(x)
            fed = ant.sources[0].tag
            y_o = 1.0 / np.array([complex(*v) for v in e["levels"][0]["impedance_ohm"]])
            y_n = 1.0 / np.array([complex(*v) for v in e["nec"]["impedance_ohm"]])
            row: dict[str, Any] = {"file": path.name, "seed": int(seed), "nec_passes": bool(
                e["nec"]["meets_requirements"] and e["nec"]["resolved"]),
                "ours": {"vswr": e["levels"][0]["vswr"], "min_rhcp_dbic": e["levels"][0]["min_rhcp_dbic"]},
                "nec": {"vswr": e["nec"]["vswr"], "min_rhcp_dbic": e["nec"]["min_rhcp_dbic"]}, "mininec": {}}
            d_o, d_n = y_o - y_ref_ours, y_n - y_ref_nec
            for M in levels:
                wires = cut_arms(ant.wires, fed, M)
                src = next(i for i, w in enumerate(wires) if w.tag == fed)
                vswr, rhcp, d_m = [], [], []
                for k, f in enumerate(freqs):
                    sol = mininec_solution(wires, f, ground=True, source_wire=src)
                    dm = mininec_admittance(sol) - y_ref_min[M][k]
                    d_m.append(dm)
                    vswr.append(float(vswr_of(1.0 / (y_ref_ours[k] + dm), req.z0)))
                    th, ph, r_db = mininec_fields(sol, sign)
                    sel = (th >= lo - 1e-9) & (th <= hi + 1e-9)
                    rhcp.append(float(r_db[sel].min()))
                d_m = np.array(d_m)
                meets = (all(v < lim for v, lim in zip(vswr, req.vswr_limits))
                         and all(r >= req.gain_dbic for r in rhcp))
                row["mininec"][str(M)] = {"vswr": vswr, "min_rhcp_dbic": rhcp, "meets_requirements": bool(meets),
                                          "mininec_minus_ours_mS": [float(v) for v in np.abs(d_m - d_o) * 1e3],
                                          "nec_minus_mininec_mS": [float(v) for v in np.abs(d_n - d_m) * 1e3]}
            row["nec_minus_ours_mS"] = [float(v) for v in np.abs(d_n - d_o) * 1e3]
            rows.append(row)
            print(json.dumps({"seed": row["seed"], "file": row["file"], "nec_passes": row["nec_passes"],
                              **{f"mininec{M}": [row["mininec"][str(M)]["meets_requirements"],
                                                 [round(v, 3) for v in row["mininec"][str(M)]["vswr"]],
                                                 [round(v, 2) for v in row["mininec"][str(M)]["min_rhcp_dbic"]]]
                                 for M in levels}}), flush=True)
    return {"files": [str(f) for f in files], "levels": list(levels), "handedness_sign": sign,
            "designs": rows, "summary": summarise(rows, levels)}


def summarise(rows: list[dict[str, Any]], levels: tuple[int, ...]) -> dict[str, Any]:
    top = str(max(levels))
    no = np.array([r["nec_minus_ours_mS"] for r in rows])
    mo = np.array([r["mininec"][top]["mininec_minus_ours_mS"] for r in rows])
    nm = np.array([r["mininec"][top]["nec_minus_mininec_mS"] for r in rows])
    q = lambda v: {"median": float(np.median(v)), "p90": float(np.percentile(v, 90))}  # noqa: E731
    out: dict[str, Any] = {"designs": len(rows), "level": int(top),
                           "nec_minus_ours_mS": q(no), "mininec_minus_ours_mS": q(mo), "nec_minus_mininec_mS": q(nm),
                           "points_mininec_closer_to_ours_than_nec": int((mo < no).sum()), "points": int(mo.size),
                           "nec_passes": int(sum(r["nec_passes"] for r in rows))}
    for M in levels:
        out[f"mininec{M}_meets"] = int(sum(r["mininec"][str(M)]["meets_requirements"] for r in rows))
    out["mininec_meets_where_nec_fails"] = int(sum(r["mininec"][top]["meets_requirements"] and not r["nec_passes"]
                                                   for r in rows))
    out["nec_passes_where_mininec_fails"] = int(sum(r["nec_passes"] and not r["mininec"][top]["meets_requirements"]
                                                    for r in rows))
    return out


def mininec_handedness() -> int:
    """The sign ``s`` that makes ``|E_v + s j E_h|^2 / 2`` MININEC's right-hand circular
    component: a turnstile in free space (crossed half-wave dipoles on x and y, the y one
    driven -90 degrees) radiates one hand toward the zenith; ``s`` is chosen so MININEC
    calls it what our solver calls it."""
    f, lam = 300e6, 299.792458e6 / 300e6
    half = 0.47 * lam / 2
    a = 0.001
    dz = 0.02 * lam                                  # the dipoles pass each other, not touching
    wx = Wire((-half, 0.0, 0.0), (half, 0.0, 0.0), a, 21, 1)
    wy = Wire((0.0, -half, dz), (0.0, half, dz), a, 21, 2)
    ours = Antenna(wires=(wx, wy), sources=(Source(1, 11, 1.0), Source(2, 11, -1j)))
    g = ours.solve([f]).gain_components(np.array([10.0]), np.array([30.0]))
    ours_right = float(g["rhcp"][0, 0]) > float(g["lhcp"][0, 0])
    sol = mininec_solution([wx, wy], f, ground=False, source_wire=0, sources=((0, 1.0), (1, -1j)))
    for s in (1, -1):
        th, ph, r_db = mininec_fields(sol, s, theta=np.array([10.0]), phi=np.array([30.0]), normalise=False)
        _, _, l_db = mininec_fields(sol, -s, theta=np.array([10.0]), phi=np.array([30.0]), normalise=False)
        if (float(r_db.max()) > float(l_db.max())) == ours_right:
            return s
    raise RuntimeError("no handedness sign reproduces the turnstile")


def code_info() -> dict[str, Any]:
    head = subprocess.run(["git", "-C", str(HERE.parent), "rev-parse", "HEAD"], capture_output=True, text=True)
    import mininec

    return {"repository_head": head.stdout.strip() or None, "pymininec": getattr(mininec, "__version__", None),
            "python": platform.python_version(), "machine": platform.platform()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--canonical", action="store_true", help="the canonical feeds (bent arm, five-wire hub)")
    ap.add_argument("--designs", nargs="*", type=Path, default=[], help="seed-benchmark JSONs: their met designs")
    ap.add_argument("--mininec-levels", default="4,8", help="MININEC arm segments as multiples of the design's")
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args()
    t0 = time.perf_counter()
    p = antenna_st5()
    out: dict[str, Any] = {"doc": __doc__, "code": code_info()}
    if args.canonical:
        out["canonical"] = canonical_study(tuple(p.requirements.frequencies))
    if args.designs:
        levels = tuple(int(v) for v in args.mininec_levels.split(","))
        out["designs"] = design_study(args.designs, levels)
        print(json.dumps(out["designs"]["summary"], indent=1))
    out["seconds"] = time.perf_counter() - t0
    atomic_write_json(args.out, out)


if __name__ == "__main__":
    main()
