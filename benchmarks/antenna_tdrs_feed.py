"""Which feed makes the ``antenna-tdrs`` helix deck one NEC-2 resolves? (issue 20, a study)

For the checked design (``benchmarks/out/antenna_tdrs_design_check_pop40_seed2.json``)
and ``--random`` buildable helix designs sampled from the default genome (fixed
``--seed``), for every ``feed_segments`` in ``--feeds`` and deck density ``m`` in
``--densities`` (the helix's segments x m, ``TdrsProblem.deck`` with ``deck_segments=m``):

* NEC-2 (PyNEC, nec2++; test-only reference, ``tests/antenna/pynec_ref.py``) on the deck:
  its average-gain test (AGT; 2.0 over perfect ground when resolved, the issue's test:
  within 2 %), its input impedance and whether the design meets the TDRS-C requirements
  there (scored as ``benchmarks/antenna_tdrs_nec.py`` does, no margins);
* our solver on the same design (``feed_segments`` the same, at the evaluation refinement,
  or the largest one at which every feed piece is at least the solver's shortest segment):
  its impedance and whether the requirements hold; and NEC's Z against ours.

``feed_segments`` = 1 is today's deck (``Antenna.resegmented``: the feed wire cut into m,
the source on the middle piece); above 1 the feed wire keeps its segments and the source
the lowest (the feed as evaluated). Frequencies: ``--per-band`` per band, edges included.

    python benchmarks/antenna_tdrs_feed.py            # ~5 CPU minutes; JSON to benchmarks/out/antenna_tdrs_feed.json
"""

from __future__ import annotations

import argparse
import json
import platform
import subprocess
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from antenna_tdrs_nec import checked_and_random, nec_scored  # noqa: E402  (NEC-2 on a deck, scored as there)

OUT = Path(__file__).parent / "out"
CHECKED = OUT / "antenna_tdrs_design_check_pop40_seed2.json"


def nec_row(p, x, freqs) -> dict:
    """NEC-2 on ``p``'s deck of ``x``: AGT, Z and the requirements (no margins)."""
    deck = p.deck(x)
    n = nec_scored(deck, p.requirements, freqs)
    z, margins, agt = n["z"], n["margins"], n["average_gain"]
    feed = deck.wires[0]
    return {"deck_segments_total": int(deck.n_segments), "deck_feed_segments": int(feed.segments),
            "deck_source_segment": int(deck.sources[0].segment),
            "source_segment_mm": round(1e3 * feed.length / feed.segments, 3),
            "average_gain": [round(a, 4) for a in agt], "agt_worst_error": round(max(abs(a / 2 - 1) for a in agt), 4),
            "agt_within_2pct": bool(all(abs(a / 2 - 1) <= 0.02 for a in agt)),
            "nec_impedance_ohm": [[round(v.real, 3), round(v.imag, 3)] for v in z],
            "nec_requirement_margins": {k: round(float(v), 3) for k, v in margins.items()},
            "nec_meets": n["meets"]}


def ours_row(p, x, freqs) -> dict:
    """Our solver on ``x`` with ``p``'s feed: Z and the requirements (no margins)."""
    from gadesign_problems.antenna.wires import MIN_SEGMENT_RADII

    a = p.space.layout.wire_radius
    feed = p.space.curve(x)[1]
    r = p.refinement
    while r > 1 and feed / (p.space.feed_segments * r) < MIN_SEGMENT_RADII * a:
        r -= 1
    m = p.measure(x, refinement=r, frequencies=freqs)
    return {"refinement": r, "our_impedance_ohm": [[round(v[0][0], 3), round(v[0][1], 3)] for v in m["impedance_ohm"]],
            "our_meets": m["meets_requirements"],
            "our_requirement_margins": {k: round(float(v), 3) for k, v in m["requirement_margins"].items()}}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--random", type=int, default=10)
    ap.add_argument("--seed", type=int, default=20)
    ap.add_argument("--feeds", type=int, nargs="+", default=[1, 2, 4])
    ap.add_argument("--densities", type=int, nargs="+", default=[1, 2, 3])
    ap.add_argument("--per-band", type=int, default=2)
    ap.add_argument("--out", type=Path, default=OUT / "antenna_tdrs_feed.json")
    args = ap.parse_args()
    from gadesign_problems.antenna.tdrs import antenna_tdrs

    from gadesign.atomic import atomic_write_text

    base = antenna_tdrs(match_network="none")                  # the radiator: the feed and NEC-2's AGT
    designs = checked_and_random(base, args.random, args.seed, CHECKED)
    freqs = base.requirements.frequencies(args.per_band)
    results = []
    for name, x in designs:
        for fs in args.feeds:
            # the same helix for every fs: decoding does not impose antenna_tdrs(feed_segments=fs)'s
            # higher least feed height (ours_row lowers our refinement where a feed piece would be too short)
            probs = {m: antenna_tdrs(feed_segments=fs, deck_segments=m, match_network="none") for m in args.densities}
            ours = ours_row(probs[args.densities[0]], x, freqs)
            for m, q in probs.items():
                row = {"design": name, "feed_segments": fs, "deck_density": m, "feed_mm": round(1e3 * q.space.curve(x)[1], 3),
                       "turns": int(np.asarray(x["turns"]).ravel()[0]), **nec_row(q, x, freqs), **ours}
                zn = np.array([complex(*v) for v in row["nec_impedance_ohm"]])
                zo = np.array([complex(*v) for v in row["our_impedance_ohm"]])
                row["z_nec_vs_ours_max_rel"] = round(float(np.max(np.abs(zn - zo) / np.abs(zo))), 4)
                results.append(row)
                print(json.dumps({k: row[k] for k in ("design", "feed_segments", "deck_density", "feed_mm",
                                                      "agt_worst_error", "z_nec_vs_ours_max_rel", "nec_meets",
                                                      "our_meets")}), flush=True)
    summary = []
    for fs in args.feeds:
        for m in args.densities:
            rs = [r for r in results if r["feed_segments"] == fs and r["deck_density"] == m]
            summary.append({"feed_segments": fs, "deck_density": m,
                            "agt_pass": f"{sum(r['agt_within_2pct'] for r in rs)}/{len(rs)}",
                            "agt_worst_error_median": round(float(np.median([r["agt_worst_error"] for r in rs])), 4),
                            "z_nec_vs_ours_median": round(float(np.median([r["z_nec_vs_ours_max_rel"] for r in rs])), 4),
                            "checked_design": {k: next(r[k] for r in rs if r["design"] == "checked")
                                               for k in ("average_gain", "nec_meets", "our_meets", "refinement")}})
    commit = subprocess.run(["git", "rev-parse", "HEAD"], check=False, capture_output=True, text=True).stdout.strip()
    doc = {"benchmark": "antenna_tdrs_feed", "commit": commit, "machine": platform.platform(),
           "args": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()},
           "frequencies_mhz": [float(f) / 1e6 for f in freqs], "summary": summary, "rows": results}
    atomic_write_text(args.out, json.dumps(doc, indent=1))
    print(json.dumps(summary, indent=1))


if __name__ == "__main__":
    main()
