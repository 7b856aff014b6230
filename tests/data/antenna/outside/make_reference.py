"""Regenerate reference.json: NEC-2 results for the outside decks (run by hand, never by the tests).

    python tests/data/antenna/outside/make_reference.py      # needs nec2c on PATH and PyNEC

Engines: nec2c 1.3 (the Debian package, `nec2c -i deck -o out`; its printed input impedance
and the largest TOTAL gain of its RP tables) on every deck as written; PyNEC 2.3.4 (nec2++)
built card by card from the wires our reader produced (tests/antenna/pynec_ref.nec_context:
every segment cut into k, the source spread over the k pieces of its deck segment, so the
feed gap is kept), thin-wire kernel and extended kernel (EK), at the refinements listed; and
nec2c on NEC-style re-segmented decks (Antenna.resegmented(k): every wire's segment count
times k, source and lumped loads on the middle piece) for the loaded decks. Nothing here
comes from our solver.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[2] / "antenna"))


def nec2c(text: str, agt: bool = False) -> list[dict]:
    """nec2c's per-frequency port impedances and maximum total gain (dBi) for deck ``text``."""
    from nec2c_ref import read_output, run_nec2c

    if agt:
        text = re.sub(r"(?m)^(RP\s+0\s+\d+\s+\d+\s+)1000", r"\g<1>1001", text)
    res = []
    for block in read_output(run_nec2c(text)):
        row = {"f_mhz": block["f_mhz"],
               "ports": [{"tag": tag, "segment": seg, "z_ohm": [r, x]} for tag, seg, r, x in block["ports"]],
               "max_gain_dbi": None if block["pattern"] is None else max(block["pattern"].values(), default=-999.0)}
        if "average_gain" in block:
            row["average_gain"] = block["average_gain"]
        res.append(row)
    return res


def pynec(ant, f_mhz: float, k: int, extended: bool) -> dict:
    """Each source's impedance (feed gap kept) and the maximum total gain (dBi) over the
    deck's first RP grid, PyNEC with every segment cut into ``k``."""
    from pynec_ref import gap_impedances, nec_context

    ctx = nec_context(ant, k, extended=extended)
    ctx.fr_card(0, 1, f_mhz, 0)
    p = ant.patterns[0]
    ctx.rp_card(0, p.n_theta, p.n_phi, 1, 0, 0, 1, p.theta0, p.phi0, p.dtheta, p.dphi, 0, 0)
    gain = float(np.max(np.asarray(ctx.get_radiation_pattern(0).get_gain(), float)))
    return {"z_ohm": [[round(z.real, 4), round(z.imag, 4)] for z in gap_impedances(ctx, ant, k)],
            "max_gain_dbi": round(gain, 4)}


#: deck -> (frequency MHz or several, refinements) for the gap-kept PyNEC series
PYNEC = {"helix_gh": (300.0, (1, 2, 4)), "yagi3_10m_feet_fixed": ((28.0, 29.0), (1, 2, 4)),
         "yagi6_2m_mm_lower": (144.5, (1, 2, 4)), "inverted_v_ground": (14.2, (1, 2, 4)),
         "jpole_2m": (146.0, (1, 2, 4, 8, 12)), "ground_plane_gr": (28.0, (1, 2, 4, 8, 12)),
         "lossy_dipole_ld5": (14.2, (1,)), "loaded_vertical_ld0_ld4": (7.1, (1,)),
         "trap_dipole_ld": (3.7, (1,))}
#: deck -> (frequency MHz, segment factors) for nec2c on re-segmented decks
RESEGMENT = {"trap_dipole_ld": (3.7, (1, 3, 5, 9)), "loaded_vertical_ld0_ld4": (7.1, (1, 3, 5, 9))}


def main() -> None:
    from gadesign_problems.antenna import Antenna

    pyn_version = "2.3.4"
    nec_version = subprocess.run(["nec2c", "-v"], capture_output=True, text=True).stdout.strip() or "nec2c 1.3"
    doc = {"how": __doc__.strip(), "nec2c": nec_version, "pynec": pyn_version, "decks": {}}
    for path in sorted(HERE.glob("*.nec")):
        name = path.stem
        if name.endswith("_blanks"):          # free-format nec2c misreads blank fixed columns
            continue
        entry = {"nec2c": nec2c(path.read_text(), agt=True)}
        ant = Antenna.from_nec(path)
        if name in PYNEC:
            f, ks = PYNEC[name]
            entry["pynec_gap_kept"] = [{"f_mhz": fi, "thin": {str(k): pynec(ant, fi, k, False) for k in ks},
                                        "ek": {str(k): pynec(ant, fi, k, True) for k in ks}}
                                       for fi in (f if isinstance(f, tuple) else (f,))]
        if name in RESEGMENT:
            f, ks = RESEGMENT[name]
            ser = {}
            for k in ks:
                r = nec2c(replace(ant.resegmented(k), frequencies=(f * 1e6,)).nec_text())
                ser[str(k)] = r[0]["ports"][0]["z_ohm"]
            entry["nec2c_resegmented"] = {"f_mhz": f, "z_ohm": ser}
        doc["decks"][name] = entry
        print(name, "done", file=sys.stderr)
    (HERE / "reference.json").write_text(json.dumps(doc, indent=1) + "\n")


if __name__ == "__main__":
    main()
