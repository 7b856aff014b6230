"""Wire-antenna solver speed against PyNEC (NEC-2, nec2++), in one run.

Times one solve at one frequency (geometry, matrix fill, LU factorisation, input
impedance) of a centre-fed half-wave dipole (a = 1e-3 lambda) at 21, 51, 101 and 201
segments and of the 46-segment ST5-like 4-arm deck over ground
(tests/data/antenna/st5_like.nec, 8.47 GHz), ours with the default solid wire ends (end
caps; the hollow tube, ``end_caps=False``, timed beside it for the caps' cost). PyNEC builds the same wires through its
card API (geometry_complete, ex_card, fr_card, xq_card) and returns the impedance.
Both are timed from an in-memory description (no deck parsing), in alternating
batches so that both see the same load; the median of several batches is reported
with |Z_ours - Z_NEC| / |Z_NEC| to show the same problem was solved, and our time
split into mesh, frequency-independent precompute, fill and solve.

The geometry checks an Antenna runs when it is constructed are timed on their own
(``geometry_checks_ms``). Also times the issue-4 use from scratch: construction with
checks, impedance at 2 frequencies and the RHCP gain over 300 directions of the
ST5-like antenna, and the one-off compilation of the numba kernels (a fresh process
with an empty cache).

With PyNEC, also the validation table of the README (``validation``): converged
impedances of ours and NEC-2's on hand-made decks, and NEC-2's resolution on the ST5
decks.

Single-threaded BLAS (OPENBLAS_NUM_THREADS=1). Issue 3's target, kept in issue 14 (exact
kernel on collinear pairs, end caps by default): no slower than 2x PyNEC at every size.
The machine is shared: the 1-minute load average before and after each case's timing is
recorded with it (the ratios come from alternating batches, so both codes see that load). The compile time is
wall time and depends on the machine's load: the 1-minute load average before and after
it is recorded beside it. Writes benchmarks/out/antenna.json. Usage: python benchmarks/antenna.py
[--quick]
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import platform
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402

from gadesign.atomic import atomic_write_json  # noqa: E402
from gadesign_problems.antenna import Antenna, Source, Wire  # noqa: E402
from gadesign_problems.antenna.mom import C0  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "antenna"))
from pynec_ref import gap_impedances, nec_context, nec_solve  # noqa: E402  (PyNEC, test-only reference)

OUT = ROOT / "benchmarks" / "out" / "antenna.json"
ST5 = ROOT / "tests" / "data" / "antenna" / "st5_like.nec"


def dipole(n: int) -> Antenna:
    return Antenna(wires=(Wire((0.0, 0.0, -0.25), (0.0, 0.0, 0.25), 1e-3, n, 1),), sources=(Source(1, n // 2 + 1),),
                   frequencies=(C0,))


def fresh(ant: Antenna) -> Antenna:
    """A copy without the cached mesh and operator, so a solve pays for its whole
    discretisation; the geometry checks of construction are timed separately."""
    new = object.__new__(Antenna)
    new.__dict__.update({k: v for k, v in ant.__dict__.items() if k not in ("mesh", "operator", "_arrays")})
    return new


def validated(ant: Antenna) -> Antenna:
    """A new Antenna through its constructor (geometry checks included)."""
    import dataclasses

    return dataclasses.replace(ant)


def ours(ant: Antenna, f: float) -> complex:
    return complex(ant.solve(f).impedance[0, 0])


def breakdown(ant: Antenna, f: float, repeats: int) -> dict[str, float]:
    """Median ms of: mesh, precompute (distances, static integrals, plan), fill, LU+Z."""
    times: dict[str, list[float]] = {"mesh": [], "precompute": [], "fill": [], "solve": []}
    for _ in range(repeats):
        a = fresh(ant)
        t0 = time.perf_counter()
        mesh = a.mesh
        t1 = time.perf_counter()
        op = a.operator
        op.prepare()  # distances, static near-pair integrals, gather plan
        t2 = time.perf_counter()
        z = op.matrix(2 * np.pi * f / C0)
        t3 = time.perf_counter()
        e = mesh.port_weights(np.array([a.segment_index(a.sources[0].tag, a.sources[0].segment)]))
        np.linalg.solve(z, e)
        t4 = time.perf_counter()
        for k, v in zip(times, (t1 - t0, t2 - t1, t3 - t2, t4 - t3)):
            times[k].append(v * 1e3)
    return {k: statistics.median(v) for k, v in times.items()}


def pynec(ant: Antenna, f: float) -> complex:
    ctx = nec_context(ant)
    ctx.fr_card(0, 1, f / 1e6, 0)
    ctx.xq_card(0)
    return complex(ctx.get_input_parameters(0).get_impedance()[0])


def _batch(fn, seconds: float) -> float:
    """Mean wall time (ms) of ``fn()`` over a batch of at least ``seconds``."""
    n, t0 = 0, time.perf_counter()
    while True:
        fn()
        n += 1
        dt = time.perf_counter() - t0
        if dt > seconds:
            return dt / n * 1e3


def timed(fn, repeats: int, min_time: float = 0.2) -> float:
    """Median wall time (ms) of ``fn()`` over ``repeats`` batches of at least ``min_time``/repeats s."""
    fn()
    return statistics.median(_batch(fn, min_time / repeats) for _ in range(repeats))


def timed_pair(*fns, repeats: int, min_time: float = 0.4) -> tuple[float, ...]:
    """Median wall times (ms) of each of ``fns`` from alternating batches, so that all see
    the same machine load (this machine is shared and noisy)."""
    for fn in fns:
        fn()
    times: list[list[float]] = [[] for _ in fns]
    for _ in range(repeats):
        for fn, t in zip(fns, times):
            t.append(_batch(fn, min_time / repeats / len(fns)))
    return tuple(statistics.median(t) for t in times)


def _git_commit() -> str:
    """The commit the benchmark ran on (``+dirty`` with uncommitted changes to the solver's
    modules; other problems' files in the same folder do not count)."""
    import subprocess

    def git(*a: str) -> str:
        return subprocess.run(["git", *a], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    solver = [f"problems/antenna/{m}.py" for m in ("wires", "mesh", "kernels", "mom", "solution", "farfield", "nec",
                                                   "units")]
    return git("rev-parse", "--short", "HEAD") + ("+dirty" if git("status", "--porcelain", "--", *solver) else "")


def first_use_seconds() -> float:
    """Wall time of a fresh process's first ST5-like solve with an empty numba cache
    (the one-off compilation after installing), in a child process."""
    import subprocess
    import tempfile

    code = ("import time; t = time.perf_counter(); from gadesign_problems.antenna import Antenna; "
            f"Antenna.from_nec({str(ST5)!r}).solve(); print(time.perf_counter() - t)")
    with tempfile.TemporaryDirectory() as cache:
        out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True,
                             env={**os.environ, "NUMBA_CACHE_DIR": cache})
    return float(out.stdout.strip().splitlines()[-1])


#: Decks of the validation table (tests/data/antenna/decks; their comment cards say how
#: each was made) and ST5 decks whose NEC-2 resolution is shown.
VALIDATION = ("dipole_hw_s051", "dipole_thick_a01", "val_thick_square_loop", "folded_dipole", "val_loop_octagon",
              "val_phased_pair", "val_dipole_over_ground", "val_t_antenna", "yagi3_tn688")
NEC_RESOLUTION = ("st5_evolved.nec", "st5_like.nec")


def nec_ports(ant: Antenna, f: float, k: int = 1, extended: bool = False) -> np.ndarray:
    """NEC-2's (PyNEC's) active impedance at every source, every segment cut into ``k``
    with each source spread over the ``k`` pieces of its segment (``V / k`` each, ``Z = V
    / mean I``: the deck's gap kept, as :meth:`Antenna.refined` does)."""
    ctx = nec_context(ant, k, extended)
    ctx.fr_card(0, 1, f / 1e6, 0)
    ctx.xq_card(0)
    return gap_impedances(ctx, ant, k)


def validation() -> dict:
    """Ours with the default solid wire ends (a charged flat cap at each free end), and
    ``hollow``: ours with open tube ends (``end_caps=False``). Converged impedances (ours
    x1/x2/x4, NEC-2 with the gap kept x1/x4, extended kernel x2/x4) of the validation decks, and NEC-2's average-gain test and impedance on the ST5
    decks as NEC's own segments are refined (resegmented x1/x2/x3)."""
    def cz(z: np.ndarray) -> list:
        return [[round(float(v.real), 3), round(float(v.imag), 3)] for v in np.atleast_1d(z)]

    def rel(a: np.ndarray, b: np.ndarray) -> float:
        return round(float(np.max(np.abs(a - b) / np.abs(b))), 5)

    decks = []
    for name in VALIDATION:
        ant = Antenna.from_nec(ROOT / "tests" / "data" / "antenna" / "decks" / f"{name}.nec")
        f = ant.frequencies[0]
        z = {k: ant.refined(k).solve(f).impedance[0] for k in (1, 2, 4)}
        zh = dataclasses.replace(ant, end_caps=False).refined(4).solve(f).impedance[0]
        n1, n4, e4 = nec_ports(ant, f), nec_ports(ant, f, 4), nec_ports(ant, f, 4, extended=True)
        e2 = nec_ports(ant, f, 2, extended=True)
        decks.append({"deck": name, "frequency_hz": f, "ours_x1": cz(z[1]), "ours_x2": cz(z[2]), "ours_x4": cz(z[4]),
                      "ours_change_x2_x4": rel(z[4], z[2]), "ours_hollow_x4": cz(zh), "nec_x1": cz(n1),
                      "nec_gap_kept_x4": cz(n4), "nec_ek_gap_kept_x2": cz(e2), "nec_ek_gap_kept_x4": cz(e4),
                      "diff_x1_vs_nec_x1": rel(z[1], n1), "diff_x4_vs_nec_x4": rel(z[4], n4),
                      "diff_x4_vs_nec_ek_x2": rel(z[4], e2), "diff_x4_vs_nec_ek_x4": rel(z[4], e4),
                      "diff_hollow_x4_vs_nec_x4": rel(zh, n4), "diff_hollow_x4_vs_nec_ek_x4": rel(zh, e4)})
        print(f"{name:24s} ours x4 {cz(z[4])}  change x2->x4 {100 * rel(z[4], z[2]):.2f}%  NEC x4 {cz(n4)} "
              f"(EK x2 {cz(e2)}, x4 {cz(e4)})  diff {100 * rel(z[4], n4):.2f}% (EK x2 / x4 "
              f"{100 * rel(z[4], e2):.2f}% / {100 * rel(z[4], e4):.2f}%); hollow ends {cz(zh)} vs EK x4 "
              f"{100 * rel(zh, e4):.2f}%")
    st5 = []
    for deck in NEC_RESOLUTION:
        ant = Antenna.from_nec(ROOT / "tests" / "data" / "antenna" / deck)
        shortest = min(w.length / w.segments / w.radius for w in ant.wires)
        for f in ant.frequencies:
            rec = {"deck": deck, "frequency_hz": f, "ours_x4": cz(ant.refined(4).impedance(f)),
                   "ours_hollow_x4": cz(dataclasses.replace(ant, end_caps=False).refined(4).impedance(f)), "nec": []}
            for k in (1, 2, 3):
                zn, _, _, _, agt = nec_solve(ant.resegmented(k), f)
                rec["nec"].append({"segments_x": k, "shortest_segment_radii": round(shortest / k, 2),
                                   "impedance": cz(zn)[0], "average_gain": round(agt, 4)})
            st5.append(rec)
            print(f"{deck} {f / 1e6:.1f} MHz: ours x4 {rec['ours_x4'][0]}; NEC "
                  + "; ".join(f"x{r['segments_x']} ({r['shortest_segment_radii']} radii) {r['impedance']} "
                              f"AGT {r['average_gain']}" for r in rec["nec"]))
    return {"decks": decks, "nec_resolution": st5}


def stored_reference() -> dict:
    """Ours at the decks' own segmentation against the stored NEC-2 results (PyNEC and
    nec2c, tests/data/antenna/nec2_reference.json) of the thin decks that
    tests/antenna/test_reference.py checks: the largest |dZ| / |Z| per deck and the largest
    maximum-gain difference (dB), solid ends (default) and hollow."""
    import json

    ref = json.loads((ROOT / "tests" / "data" / "antenna" / "nec2_reference.json").read_text())
    out: dict = {}
    for caps in (True, False):
        worst: dict[str, float] = {}
        gain = 0.0
        for name in ("dipole_hw_s021", "dipole_hw_s051", "dipole_hw_s101", "monopole_qw_pec", "dipole_fsweep_9"):
            d = ref["decks"][name]
            ant = dataclasses.replace(Antenna.from_nec(ROOT / "tests" / "data" / "antenna" / d["deck_file"]),
                                      end_caps=caps)
            sol = ant.solve()
            th, ph = np.meshgrid(np.arange(0.0, 91.0 if ant.ground else 181.0, 5.0), np.arange(0.0, 360.0, 5.0),
                                 indexing="ij")
            gmax, _ = sol.max_gain(th, ph)
            for engine in ("pynec", "nec2c"):
                for rec, z in zip(d[engine], sol.impedance[:, 0]):
                    zr = complex(rec["R"], rec["X"])
                    worst[name] = max(worst.get(name, 0.0), round(float(abs(z - zr) / abs(zr)), 5))
            gain = max(gain, max(abs(float(gmax[i]) - rec["max_gain_dbi"]) for i, rec in enumerate(d["pynec"])))
        out["solid_ends" if caps else "hollow_ends"] = {"impedance_rel_diff": worst,
                                                         "max_gain_diff_db": round(gain, 4)}
    print(f"stored NEC-2 references (decks' own segmentation): {out}")
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="fewer repeats")
    args = ap.parse_args()
    repeats = 3 if args.quick else 15
    try:
        import PyNEC  # noqa: F401
        have_pynec = True
    except ImportError:
        have_pynec = False
    st5 = Antenna.from_nec(ST5)
    cases = [(f"dipole-{n}", dipole(n), C0) for n in (21, 51, 101, 201)]
    cases.append(("st5-like-46", st5, 8.47e9))
    rows = []
    load_start = os.getloadavg()[0]
    for name, ant, f in cases:
        load0 = os.getloadavg()[0]
        t_ours = timed(lambda: ours(fresh(ant), f), repeats)
        t_check = timed(lambda: validated(ant), repeats)
        row = {"case": name, "segments": ant.n_segments, "unknowns": ant.mesh.n_basis,
               "ours_ms": round(t_ours, 4), "geometry_checks_ms": round(t_check, 4), "ours_breakdown_ms": {k: round(v, 4) for k, v in
                                                                  breakdown(ant, f, repeats).items()}}
        z = ours(fresh(ant), f)
        row["impedance_ours_ohm"] = [z.real, z.imag]
        hollow = dataclasses.replace(ant, end_caps=False)
        row["unknowns_hollow"] = hollow.mesh.n_basis
        if have_pynec:
            t_ours, t_nec, t_hollow = timed_pair(lambda: ours(fresh(ant), f), lambda: pynec(ant, f),
                                                 lambda: ours(fresh(hollow), f), repeats=repeats,
                                                 min_time=0.1 * repeats)
            row["ours_ms"] = round(t_ours, 4)
            zn = pynec(ant, f)
            row.update(pynec_ms=round(t_nec, 4), ratio_ours_over_pynec=round(t_ours / t_nec, 3),
                       ours_hollow_ms=round(t_hollow, 4), ratio_hollow_over_pynec=round(t_hollow / t_nec, 3),
                       impedance_pynec_ohm=[zn.real, zn.imag], rel_diff_impedance=abs(z - zn) / abs(zn))
        row["load_average_1min"] = [round(load0, 2), round(os.getloadavg()[0], 2)]
        rows.append(row)
        print(f"{name:14s} N={row['segments']:4d} M={row['unknowns']:4d} ours {t_ours:8.3f} ms"
              + (f"  PyNEC {row['pynec_ms']:8.3f} ms  ratio {row['ratio_ours_over_pynec']:.2f}"
                 f"  dZ {row['rel_diff_impedance'] * 100:.2f}%  hollow ratio {row['ratio_hollow_over_pynec']:.2f}"
                 if have_pynec else "  (PyNEC missing)") + f"  load {row['load_average_1min']}")

    # issue-4 use: 2 frequencies, 300 directions, RHCP gain, VSWR, from scratch each call
    th = np.repeat(np.linspace(0.0, 90.0, 10), 30)
    ph = np.tile(np.linspace(0.0, 348.0, 30), 10)

    def st5_eval() -> None:
        sol = validated(st5).solve([7.2e9, 8.47e9])
        sol.vswr()
        sol.gain_components(th, ph)["rhcp"]
    t_eval = timed(st5_eval, repeats)
    print(f"st5-like: checks + VSWR at 2 frequencies + RHCP gain over 300 directions: {t_eval:.3f} ms per design")
    load0 = os.getloadavg()[0]
    t_first = first_use_seconds()
    load1 = os.getloadavg()[0]
    print(f"first use with an empty numba cache (compilation): {t_first:.1f} s (1-min load {load0:.1f} -> {load1:.1f} "
          f"on {os.cpu_count()} CPUs)")
    doc = {
        "benchmark": "antenna solve (geometry + fill + LU + impedance), one frequency",
        "machine": {"python": platform.python_version(), "numpy": np.__version__, "platform": platform.platform(),
                    "cpu_count": os.cpu_count(), "OPENBLAS_NUM_THREADS": os.environ.get("OPENBLAS_NUM_THREADS")},
        "peer": "PyNEC 2.3.4 (nec2++)" if have_pynec else "PyNEC not installed: only ours timed",
        "target": "ours <= 2x PyNEC at every size",
        "end_caps": "ours: solid wire ends (the default, Antenna.end_caps=True); ours_hollow: end_caps=False",
        "load_average_1min_start_end": [round(load_start, 2), round(os.getloadavg()[0], 2)],
        "git_commit": _git_commit(),
        "cases": rows,
        "st5_like_2freq_300dir_ms": round(t_eval, 4),
        "first_use_compile_s": round(t_first, 2),
        "first_use_load_average_1min": [round(load0, 2), round(load1, 2)],
    }
    doc["stored_reference"] = stored_reference()
    if have_pynec:
        doc["validation"] = validation()
    atomic_write_json(OUT, doc)
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
