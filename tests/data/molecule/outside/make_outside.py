"""Outside test spectra (tests/molecule/test_outside_spectra.py): made from molmass isotope
spectra only, never the project's isotope code. Run: python make_outside.py (writes beside itself)."""

import base64
import zlib

import numpy as np
import molmass

ADDUCT_DELTA = {  # written independently of the project's table
    "[M]": ({}, 0), "[M+H]+": ({"H": 1}, 1), "[M+Na]+": ({"Na": 1}, 1), "[M+K]+": ({"K": 1}, 1),
    "[M+NH4]+": ({"N": 1, "H": 4}, 1), "[M-H2O+H]+": ({"H": -1, "O": -1}, 1), "[M+2H]2+": ({"H": 2}, 2),
    "[M+3H]3+": ({"H": 3}, 3), "[M-H]-": ({"H": -1}, -1), "[M+Cl]-": ({"Cl": 1}, -1),
    "[M+HCOO]-": ({"C": 1, "H": 1, "O": 2}, -1), "[M-2H]2-": ({"H": -2}, -2), "[M-3H]3-": ({"H": -3}, -3),
}

def counts(formula):
    return {k: v.count for k, v in molmass.Formula(formula).composition().items()}

def ion_formula(formula, adduct):
    delta, z = ADDUCT_DELTA[adduct]
    c = counts(formula)
    for e, n in delta.items():
        c[e] = c.get(e, 0) + n
        assert c[e] >= 0
    body = "".join(f"{e}{n}" for e, n in c.items() if n)
    if z == 0:
        return body, 0
    return f"[{body}]{abs(z) if abs(z) > 1 else ''}{'+' if z > 0 else '-'}", z

def bins(ion, n):
    """First n nominal isotope bins of molmass' spectrum: list of (mz, fraction)."""
    s = molmass.Formula(ion).spectrum(min_fraction=1e-12)
    first = min(s.keys())
    out = []
    for k in range(n):
        if first + k in s:
            out.append((s[first + k].mz, s[first + k].fraction))
        else:
            out.append((None, 0.0))
    return out

def fine_structure(ion, z, max_shift, min_rel=1e-8):
    """Resolved isotopologue peaks (m/z, neutron shift, probability) of an ion up to max_shift
    neutrons, convolved atom by atom from molmass' isotope masses and abundances."""
    import re
    c = counts(re.sub(r"^\[|\][0-9]*[+-]$", "", ion))
    dist = [(0.0, 0, 1.0)]       # (mass, shift, probability)
    for e, n in c.items():
        isos = [(i.mass, i.massnumber, i.abundance) for i in molmass.ELEMENTS[e].isotopes.values() if i.abundance > 0]
        mono_num = max(isos, key=lambda t: t[2])[1]
        for _ in range(n):
            new = {}
            for m, s, p in dist:
                for im, num, a in isos:
                    ns = s + num - mono_num
                    if not 0 <= ns <= max_shift:
                        continue
                    key = (ns, round(m + im, 5))
                    q = p * a
                    om, op = new.get(key, (0.0, 0.0))
                    new[key] = ((om * op + (m + im) * q) / (op + q), op + q)
            top = max(v[1] for v in new.values())
            dist = [(m, k[0], p) for k, (m, p) in new.items() if p >= top * min_rel]
    return [((m - z * molmass.ELECTRON.mass) / abs(z or 1), s, p) for m, s, p in dist]


RNG = np.random.default_rng(20261204)

def noisy(peaks, rng, ppm=2.5, jitter=0.4, rel=0.03):
    """Shift all m/z by one error (uniform +-ppm) plus per-peak jitter; intensities x (1 +- rel)."""
    e = rng.uniform(-ppm, ppm)
    out = []
    for mz, it in peaks:
        if mz is None:
            continue
        out.append((mz * (1 + (e + rng.uniform(-jitter, jitter)) * 1e-6), it * (1 + rng.uniform(-rel, rel))))
    return out, e

# ---- writers ---------------------------------------------------------------------------
def write_csv(path, peaks, header="mz,intensity", sep=",", fmt="{:.6f}", ifmt="{:.4f}", extra=False):
    lines = [header] if header else []
    for i, (m, it) in enumerate(peaks):
        row = [fmt.format(m), ifmt.format(it)]
        if extra:
            row += [str(i + 1), "0.5", "noise=1.2"]
        lines.append(sep.join(row))
    path.write_text("\n".join(lines) + "\n")

def _b64(arr, bits, compress):
    a = np.asarray(arr, dtype="<f8" if bits == 64 else "<f4").tobytes()
    if compress:
        a = zlib.compress(a)
    return base64.b64encode(a).decode()

def write_mzml(path, spectra, bits=64, compress=True, rt_unit="minute"):
    """Hand-written mzML 1.1 (indexedmzML omitted; plain mzML root). spectra: list of dicts
    with id/scan, level, rt (min), mz, intensity, profile(bool), precursor (for MS2)."""
    comp = ('<cvParam cvRef="MS" accession="MS:1000574" name="zlib compression"/>' if compress
            else '<cvParam cvRef="MS" accession="MS:1000576" name="no compression"/>')
    prec = ('<cvParam cvRef="MS" accession="MS:1000523" name="64-bit float"/>' if bits == 64
            else '<cvParam cvRef="MS" accession="MS:1000521" name="32-bit float"/>')
    out = ['<?xml version="1.0" encoding="utf-8"?>',
           '<mzML xmlns="http://psi.hupo.org/ms/mzml" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
           'xsi:schemaLocation="http://psi.hupo.org/ms/mzml http://psidev.info/files/ms/mzML/xsd/mzML1.1.0.xsd" version="1.1.0" id="outside">',
           '<cvList count="2"><cv id="MS" fullName="Proteomics Standards Initiative Mass Spectrometry Ontology" version="4.1.30" URI="https://raw.githubusercontent.com/HUPO-PSI/psi-ms-CV/master/psi-ms.obo"/>'
           '<cv id="UO" fullName="Unit Ontology" version="09:04:2014" URI="https://raw.githubusercontent.com/bio-ontology-research-group/unit-ontology/master/unit.obo"/></cvList>',
           '<fileDescription><fileContent><cvParam cvRef="MS" accession="MS:1000579" name="MS1 spectrum"/></fileContent></fileDescription>',
           '<softwareList count="1"><software id="gen" version="1"><cvParam cvRef="MS" accession="MS:1000799" name="custom unreleased software tool" value="gen.py"/></software></softwareList>',
           '<instrumentConfigurationList count="1"><instrumentConfiguration id="IC1"><cvParam cvRef="MS" accession="MS:1000031" name="instrument model"/></instrumentConfiguration></instrumentConfigurationList>',
           '<dataProcessingList count="1"><dataProcessing id="dp"><processingMethod order="1" softwareRef="gen"><cvParam cvRef="MS" accession="MS:1000544" name="Conversion to mzML"/></processingMethod></dataProcessing></dataProcessingList>',
           '<run id="r1" defaultInstrumentConfigurationRef="IC1">',
           f'<spectrumList count="{len(spectra)}" defaultDataProcessingRef="dp">']
    for i, s in enumerate(spectra):
        mz, it = s["mz"], s["intensity"]
        kind = ('<cvParam cvRef="MS" accession="MS:1000128" name="profile spectrum"/>' if s.get("profile")
                else '<cvParam cvRef="MS" accession="MS:1000127" name="centroid spectrum"/>')
        lvl = s.get("level", 1)
        rt = s["rt"] * (60 if rt_unit == "second" else 1)
        unit = ('unitCvRef="UO" unitAccession="UO:0000010" unitName="second"' if rt_unit == "second"
                else 'unitCvRef="UO" unitAccession="UO:0000031" unitName="minute"')
        pol = s.get("polarity", "+")
        polp = ('<cvParam cvRef="MS" accession="MS:1000130" name="positive scan"/>' if pol == "+"
                else '<cvParam cvRef="MS" accession="MS:1000129" name="negative scan"/>')
        sid = s.get("id", f"controllerType=0 controllerNumber=1 scan={s['scan']}")
        parts = [f'<spectrum index="{i}" id="{sid}" defaultArrayLength="{len(mz)}">',
                 f'<cvParam cvRef="MS" accession="MS:1000511" name="ms level" value="{lvl}"/>',
                 '<cvParam cvRef="MS" accession="MS:1000579" name="MS1 spectrum"/>' if lvl == 1 else
                 '<cvParam cvRef="MS" accession="MS:1000580" name="MSn spectrum"/>',
                 polp, kind,
                 f'<scanList count="1"><cvParam cvRef="MS" accession="MS:1000795" name="no combination"/><scan>'
                 f'<cvParam cvRef="MS" accession="MS:1000016" name="scan start time" value="{rt}" {unit}/></scan></scanList>']
        if lvl > 1:
            pm = s["precursor"]
            parts.append(f'<precursorList count="1"><precursor><selectedIonList count="1"><selectedIon>'
                         f'<cvParam cvRef="MS" accession="MS:1000744" name="selected ion m/z" value="{pm}" unitCvRef="MS" unitAccession="MS:1000040" unitName="m/z"/>'
                         f'</selectedIon></selectedIonList><activation><cvParam cvRef="MS" accession="MS:1000133" name="collision-induced dissociation"/></activation></precursor></precursorList>')
        parts.append('<binaryDataArrayList count="2">')
        for arr, name, acc, u in ((mz, "m/z array", "MS:1000514", 'unitCvRef="MS" unitAccession="MS:1000040" unitName="m/z"'),
                                  (it, "intensity array", "MS:1000515", 'unitCvRef="MS" unitAccession="MS:1000131" unitName="number of detector counts"')):
            enc = _b64(arr, bits, compress)
            parts.append(f'<binaryDataArray encodedLength="{len(enc)}">{prec}{comp}'
                         f'<cvParam cvRef="MS" accession="{acc}" name="{name}" value="" {u}/>'
                         f'<binary>{enc}</binary></binaryDataArray>')
        parts.append('</binaryDataArrayList></spectrum>')
        out.append("".join(parts))
    out += ['</spectrumList>', '</run>', '</mzML>']
    path.write_text("\n".join(out) + "\n")

def write_mgf(path, spectra, style=0):
    """spectra: dicts with title, pepmass, charge (int or None), rt (min or None), scan, mz, intensity."""
    lines = []
    for s in spectra:
        lines.append("BEGIN IONS")
        lines.append(f"TITLE={s['title']}")
        if s.get("pepmass") is not None:
            lines.append(f"PEPMASS={s['pepmass']:.5f}" + (f" {s.get('pepint', 1e6):.1f}" if style == 1 else ""))
        if s.get("charge"):
            z = s["charge"]
            lines.append(f"CHARGE={abs(z)}{'+' if z > 0 else '-'}")
        if s.get("rt") is not None:
            lines.append(f"RTINSECONDS={s['rt'] * 60:.2f}")
        if s.get("scan") is not None:
            lines.append(f"SCANS={s['scan']}")
        for m, it in zip(s["mz"], s["intensity"]):
            lines.append(f"{m:.6f} {it:.2f}" if style == 0 else f"{m:.6f}\t{it:.4e}")
        lines.append("END IONS")
        lines.append("")
    path.write_text("\n".join(lines))


# ---- the files of this folder ------------------------------------------------------------
if __name__ == "__main__":
    import pathlib
    here = pathlib.Path(__file__).resolve().parent
    rng = np.random.default_rng(20261204)

    def envelope(formula, adduct, n, scale=1e6):
        ion, z = ion_formula(formula, adduct)
        b = [(m, f * scale) for m, f in bins(ion, n) if m is not None and f > 0]
        peaks, _ = noisy(b, rng, ppm=2.5, jitter=0.4, rel=0.03)
        return peaks

    # tolbutamide [M+H]+, 5 peaks, in five legitimate peak-list styles
    tol = envelope("C12H18N2O3S", "[M+H]+", 5)
    noise = [(rng.uniform(150, 400), rng.uniform(200, 3000)) for _ in range(12)]
    rows = sorted(tol + noise)
    (here / "semicolon_decimal_comma.csv").write_text(
        "m/z;Intensity\n" + "".join(f"{m:.6f};{i:.2f}\n".replace(".", ",") for m, i in rows))
    above = sorted(tol + [p for p in noise if p[0] > tol[0][0]])     # the monoisotopic peak on the first line
    (here / "excel_bom_noheader.csv").write_bytes(
        ("\ufeff" + "".join(f"{m:.6f},{i:.2f}\r\n" for m, i in above)).encode("utf-8"))
    (here / "intensity_first.csv").write_text(
        "index,Intensity,m/z\n" + "".join(f"{k},{i:.5e},{m:.9e}\n" for k, (m, i) in enumerate(rows)))
    (here / "utf16.tsv").write_text("m/z\tintensity\n" + "".join(f"{m:.6f}\t{i:.2f}\n" for m, i in rows),
                                    encoding="utf-16")
    # a profile list: Gaussian peaks (sigma 2 mTh) sampled every 1 mTh within +-25 mTh of each centroid
    x = np.concatenate([np.arange(m - 0.025, m + 0.025, 0.001) for m, _ in tol])
    y = sum(i * np.exp(-0.5 * ((x - m) / 0.002) ** 2) for m, i in tol)
    (here / "profile.csv").write_text("mz,intensity\n" + "".join(f"{a:.6f},{v:.3f}\n" for a, v in zip(x, y)))

    # hexachlorophene [M-H]-: resolved isotopologues (a 240k-resolution centroid list: 37Cl, 13C, 2H, 18O apart)
    ion, z = ion_formula("C13H6Cl6O2", "[M-H]-")
    fine = fine_structure(ion, z, 6)
    top = max(p for _, _, p in fine)
    fine, _ = noisy([(m, p / top * 1e6) for m, _, p in fine if p / top > 2e-4], rng)
    (here / "fine_structure.csv").write_text("mz,intensity\n" + "".join(f"{m:.6f},{i:.1f}\n" for m, i in sorted(fine)))
    # oleoylethanolamide [M+H]+ with the linoleoyl analogue (2 H lighter) at 40 % beside it
    oea = envelope("C20H39NO2", "[M+H]+", 5)
    lea = envelope("C20H37NO2", "[M+H]+", 5, scale=4e5)
    (here / "analogue.csv").write_text("mz,intensity\n" + "".join(f"{m:.6f},{i:.1f}\n" for m, i in sorted(oea + lea)))

    # mzML (hand-written, mzML 1.1): polarity switching, MS2 scans, a profile scan
    tri = envelope("C7H4Cl3NO3", "[M-H]-", 5)            # triclopyr
    ros = envelope("C18H19N3O3S", "[M+H]+", 5)           # rosiglitazone
    ion, _ = ion_formula("C12H18N2O3S", "[M+H]+")
    exact = [(m, f * 1e6) for m, f in bins(ion, 4)]      # tolbutamide, exact m/z, for the profile scan
    xp = np.concatenate([np.arange(m - 0.03, m + 0.03, 0.0007) for m, _ in exact])
    yp = sum(i * np.exp(-0.5 * ((xp - m) / 0.0025) ** 2) for m, i in exact)

    def scan(n, level, rt, peaks, pol, **kw):
        extra = [(rng.uniform(120, 600), rng.uniform(100, 3000)) for _ in range(8)]
        rows = sorted(list(peaks) + extra)
        return dict(scan=n, level=level, rt=rt, polarity=pol, mz=[m for m, _ in rows],
                    intensity=[i for _, i in rows], **kw)
    spectra = [scan(1, 1, 1.00, ros, "+"),
               dict(scan=2, level=2, rt=1.01, polarity="+", precursor=ros[0][0], mz=[120.08, 235.1, ros[0][0]],
                    intensity=[5e6, 2e6, 1e4]),
               scan(3, 1, 1.02, tri, "-"),
               scan(4, 1, 1.04, ros, "+"),
               dict(scan=5, level=1, rt=1.06, polarity="+", mz=xp, intensity=yp, profile=True)]
    write_mzml(here / "run_zlib64.mzML", spectra, bits=64, compress=True)
    write_mzml(here / "run_raw32_seconds.mzML", spectra, bits=32, compress=False, rt_unit="second")

    # MGF: three ions, CHARGE 2+/3+/2-, one RTINSECONDS range, one scan number only in the TITLE
    ang = envelope("C46H66N12O9", "[M+2H]2+", 5)          # angiotensin III
    kal = envelope("C56H85N17O12", "[M+3H]3+", 5)         # kallidin
    udp = envelope("C15H24N2O17P2", "[M-2H]2-", 5)        # UDP-glucose
    ions = [dict(title="angiotensin III", pepmass=ang[0][0], charge=2, rt=3.0, scan=101, mz=[m for m, _ in ang],
                 intensity=[i for _, i in ang]),
            dict(title="kallidin", pepmass=kal[0][0], charge=3, rt=4.0, scan=102, mz=[m for m, _ in kal],
                 intensity=[i for _, i in kal]),
            dict(title="UDP-glucose", pepmass=udp[0][0], charge=-2, rt=5.0, scan=103, mz=[m for m, _ in udp],
                 intensity=[i for _, i in udp])]
    write_mgf(here / "ions.mgf", ions)
    text = (here / "ions.mgf").read_text()
    text = text.replace("RTINSECONDS=240.00", "RTINSECONDS=240.00-243.5").replace("SCANS=103\n", "")
    text = text.replace("TITLE=UDP-glucose", 'TITLE=run.103.103.2 File:"run.raw", NativeID:"controllerType=0 controllerNumber=1 scan=103"')
    (here / "ions.mgf").write_text(text)

    # MGF charge variants: a global CHARGE=2+ before the first block (inherited), and "2+ and 3+"
    lines = ["COM=outside test, charges", "CHARGE=2+", "BEGIN IONS", "TITLE=angiotensin III, charge inherited",
             "SCANS=201", "RTINSECONDS=181"] + [f"{m:.6f} {i:.2f}" for m, i in ang] + ["END IONS", "",
             "BEGIN IONS", "TITLE=kallidin, two charges stated", "SCANS=202", "CHARGE=2+ and 3+"] \
        + [f"{m:.6f} {i:.2f}" for m, i in kal] + ["END IONS", ""]
    (here / "charges.mgf").write_text("\n".join(lines))

    # an indexed mzML written by psims (Agilent-style native ids "scanId=N"): bromadiolone [M-H]- at
    # 2.50 min (negative), its MS2 at 2.51, mupirocin [M+K]+ at 2.52 min (positive)
    from psims.mzml.writer import IndexedMzMLWriter
    bro = envelope("C30H23BrO4", "[M-H]-", 5)
    mup = envelope("C26H44O9", "[M+K]+", 5)
    with IndexedMzMLWriter(open(here / "psims_indexed.mzML", "wb"), close=True) as out:
        out.controlled_vocabularies()
        out.file_description(["MS1 spectrum", "MSn spectrum"])
        out.software_list([{"id": "psims-writer", "version": "1.4", "params": ["python-psims"]}])
        out.instrument_configuration_list([out.InstrumentConfiguration(id="IC1", component_list=[])])
        out.data_processing_list([out.DataProcessing([out.ProcessingMethod(
            order=1, software_reference="psims-writer", params=["Conversion to mzML"])], id="DP1")])
        with out.run(id="r1", instrument_configuration="IC1"):
            with out.spectrum_list(count=3):
                out.write_spectrum([m for m, _ in bro], [i for _, i in bro], id="scanId=3001",
                                   params=["MS1 spectrum", {"ms level": 1}, "centroid spectrum"],
                                   polarity="negative scan", scan_start_time=2.5, compression="zlib")
                out.write_spectrum([120.0, 250.0], [5e6, 1e6], id="scanId=3002",
                                   params=["MSn spectrum", {"ms level": 2}, "centroid spectrum"],
                                   polarity="negative scan", scan_start_time=2.51,
                                   precursor_information={"mz": bro[0][0], "charge": -1,
                                                          "activation": ["collision-induced dissociation"]})
                out.write_spectrum([m for m, _ in mup], [i for _, i in mup], id="scanId=3003",
                                   params=["MS1 spectrum", {"ms level": 1}, "centroid spectrum"],
                                   polarity="positive scan", scan_start_time=2.52, compression="none")
