"""``gadesign report``: one self-contained static HTML page of a run.

The page needs no server and no network: figures are PNG ``data:`` URIs, the front and
the run card are inline JSON, and a few lines of inline JavaScript sort the table. A
Content-Security-Policy meta tag (``default-src 'none'``) tells the browser to refuse any
request that would leave the file. It holds the run card, convergence, the Pareto front
(an SVG scatter with hover text for two objectives, the 2-D/3-D/parallel-coordinates
figure otherwise), a sortable table of every member (with the problem's ``summary``
columns) and pictures of a few designs from the plugin's optional
``report_figures(x, evaluation) -> [(title, Figure)]`` (or, without it, the PNGs the
plugin's ``export`` wrote into ``designs/``). It is readable on a phone (viewport meta,
one fluid column, tables scroll sideways) and accessible (``lang``, table headers with
``scope`` and ``aria-sort``, alt text on every image).
"""

from __future__ import annotations

import base64
import html
import io
import json
from pathlib import Path
from typing import Any, Sequence

from gadesign.errors import GadesignError
from gadesign.problem import Evaluation

CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; script-src 'unsafe-inline'"
DEFAULT_DESIGNS = 4

STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0 auto;max-width:1100px;
padding:0 1rem 3rem;line-height:1.45;color:#1a1a1a;background:#fff}
h1{font-size:1.5rem;margin:1rem 0 .3rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #ccc}
h3{font-size:1rem;margin:1.2rem 0 .4rem}
img{max-width:100%;height:auto;display:block}
figure{margin:.6rem 0}figcaption{font-size:.85rem;color:#444}
.wrap{overflow-x:auto;-webkit-overflow-scrolling:touch}
table{border-collapse:collapse;font-size:.85rem;font-variant-numeric:tabular-nums}
th,td{border:1px solid #ddd;padding:.25rem .45rem;text-align:right;white-space:nowrap}
th[scope=row],td.t{text-align:left;white-space:normal}
thead th{background:#f3f3f3;position:sticky;top:0}
thead button{font:inherit;font-weight:600;background:none;border:0;cursor:pointer;padding:0;color:inherit;
white-space:normal;max-width:18rem;overflow-wrap:break-word}
thead button:focus-visible{outline:2px solid #06c}
th[aria-sort=ascending] button::after{content:" \\25B2"}th[aria-sort=descending] button::after{content:" \\25BC"}
tr.infeasible td{color:#a00}
tbody tr:target{background:#ffd}
.card th{background:#f7f7f7;text-align:left;width:11rem}.card td{text-align:left;white-space:normal}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(300px,1fr));gap:1rem}
svg{max-width:100%;height:auto}svg circle:hover{stroke:#000;stroke-width:2}
.note{color:#555;font-size:.9rem}
"""

SCRIPT = """
document.querySelectorAll("table.sortable").forEach(function(table){
  var heads=table.querySelectorAll("thead th");
  heads.forEach(function(th,col){
    var b=th.querySelector("button"); if(!b){return;}
    b.addEventListener("click",function(){
      var asc=th.getAttribute("aria-sort")!=="ascending";
      heads.forEach(function(h){h.removeAttribute("aria-sort");});
      th.setAttribute("aria-sort",asc?"ascending":"descending");
      var body=table.tBodies[0], rows=Array.prototype.slice.call(body.rows);
      rows.sort(function(a,b){
        var x=a.cells[col].dataset.v, y=b.cells[col].dataset.v, nx=parseFloat(x), ny=parseFloat(y), d;
        if(!isNaN(nx)&&!isNaN(ny)){d=nx-ny;}else{d=String(x).localeCompare(String(y));}
        return asc?d:-d;
      });
      rows.forEach(function(r){body.appendChild(r);});
    });
  });
});
"""


def e(text: Any) -> str:
    """HTML-escaped text."""
    return html.escape(str(text), quote=True)


def figure_uri(fig: Any, dpi: int = 90) -> str:
    """A matplotlib figure as a PNG ``data:`` URI (the figure is closed)."""
    import matplotlib.pyplot as plt

    buf = io.BytesIO()
    try:
        fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight")
    finally:
        plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def script_json(obj: Any) -> str:
    """``obj`` as JSON safe inside ``<script type="application/json">``: ``<``, ``>`` and
    ``&`` are written as ``\\u003c``, ``\\u003e``, ``\\u0026`` (the same JSON value). Escaping
    ``</`` alone is not enough: a string holding ``<!--<script>`` (an objective name, a
    description) puts the HTML tokenizer in its "double escaped" state, the block's own
    ``</script>`` no longer ends it, and the rest of the page becomes JSON text."""
    text = json.dumps(obj, allow_nan=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def png_uri(path: Path) -> str:
    return "data:image/png;base64," + base64.b64encode(path.read_bytes()).decode("ascii")


def fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)


def cut(text: str, limit: int) -> str:
    """``text`` on one line, at most ``limit`` characters (an ellipsis in the middle marks
    the cut: names often differ at their end)."""
    s = " ".join(text.split())
    head = (limit - 1) * 3 // 5
    return s if len(s) <= limit else s[:head] + "…" + s[len(s) - (limit - 1 - head):]


def chosen_members(n: int, k: int) -> list[int]:
    """``k`` member indices spread evenly over a front of ``n`` (sorted by the first
    objective, so both ends are included)."""
    if k <= 0 or n == 0:
        return []
    if k >= n:
        return list(range(n))
    if k == 1:
        return [0]
    return sorted({round(i * (n - 1) / (k - 1)) for i in range(k)})


def front_svg(front: dict[str, Any]) -> str:
    """A 2-objective front as an inline SVG scatter: hover a point for its values, click
    it to jump to its table row."""
    objs = front["objectives"]
    pts = [(i, m["objectives"][0], m["objectives"][1], sum(m["violations"]) <= 0)
           for i, m in enumerate(front["members"])]
    if not pts:
        return ""
    xs, ys = [p[1] for p in pts], [p[2] for p in pts]
    x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
    w, h, pad = 560, 380, 56
    sx = (w - 2 * pad) / ((x1 - x0) or 1.0)
    sy = (h - 2 * pad) / ((y1 - y0) or 1.0)

    def label(o: dict[str, Any]) -> str:
        return f"{o['name']}{' [' + o['unit'] + ']' if o.get('unit') else ''} ({o['direction']})"

    out = [f'<svg viewBox="0 0 {w} {h}" role="img" aria-labelledby="svgt" width="{w}" height="{h}">',
           f'<title id="svgt">Pareto front: {e(label(objs[0]))} against {e(label(objs[1]))}; '
           f'{len(pts)} designs</title>',
           f'<rect x="{pad}" y="{pad // 2}" width="{w - 2 * pad}" height="{h - 1.5 * pad}" fill="none" stroke="#999"/>']
    for frac in (0.0, 0.5, 1.0):
        vx, vy = x0 + frac * (x1 - x0), y0 + frac * (y1 - y0)
        px, py = pad + (vx - x0) * sx, h - pad - (vy - y0) * sy
        out.append(f'<text x="{px:.1f}" y="{h - pad + 16}" font-size="11" text-anchor="middle">{vx:.4g}</text>')
        out.append(f'<text x="{pad - 4}" y="{py:.1f}" font-size="11" text-anchor="end">{vy:.4g}</text>')
    out.append(f'<text x="{w / 2}" y="{h - 10}" font-size="12" text-anchor="middle">{e(cut(label(objs[0]), 70))}'
               f'<title>{e(label(objs[0]))}</title></text>')   # a long name would run off the picture
    out.append(f'<text x="12" y="{h / 2}" font-size="12" text-anchor="middle" '
               f'transform="rotate(-90 12 {h / 2})">{e(cut(label(objs[1]), 46))}<title>{e(label(objs[1]))}</title></text>')
    for i, fx, fy, ok in pts:
        px, py = pad + (fx - x0) * sx, h - pad - (fy - y0) * sy
        colour = "#1f77b4" if ok else "#d62728"
        out.append(f'<a href="#m-{i}"><circle cx="{px:.1f}" cy="{py:.1f}" r="4.5" fill="{colour}" '
                   f'fill-opacity="0.8"><title>#{i}: {e(objs[0]["name"])} {fmt(fx)}, {e(objs[1]["name"])} '
                   f'{fmt(fy)}{"" if ok else " (infeasible)"}</title></circle></a>')
    out.append("</svg>")
    return "".join(out)


def member_figures(problem: Any, run_dir: Path, index: int, member: dict[str, Any]) -> list[tuple[str, str]]:
    """(title, data URI) pictures of one front member: the plugin's ``report_figures``,
    else the PNGs its ``export`` wrote as ``designs/member-NNN*.png``."""
    hook = getattr(problem, "report_figures", None)
    if hook is not None:
        x = problem.genome.from_json(member["genome"])
        evaluation = Evaluation(tuple(member["objectives"]), tuple(member["violations"]), member.get("info") or {})
        return [(str(title), figure_uri(fig)) for title, fig in hook(x, evaluation)]
    stem = f"member-{index:03d}"
    folder = run_dir / "designs"
    found = sorted(folder.glob(f"{stem}*.png")) if folder.is_dir() else []
    return [(p.stem.replace(stem, "").strip("-_") or "design", png_uri(p)) for p in found]


def _card_table(card: dict[str, Any] | None, config: dict[str, Any]) -> str:
    from gadesign.runcard import card_rows

    if card is None:
        rows = [("problem", config.get("problem")), ("algorithm", config.get("algorithm")),
                ("seed", config.get("seed")), ("note", "this run has no run card (run.json): made before cards existed")]
    else:
        rows = card_rows(card)
    body = "".join(f'<tr><th scope="row">{e(k)}</th><td>{e(v)}</td></tr>' for k, v in rows)
    return f'<div class="wrap"><table class="card"><caption class="note">run card (run.json)</caption>{body}</table></div>'


def _front_table(front: dict[str, Any], extras: Sequence[dict[str, Any]]) -> str:
    objs = front["objectives"]
    extra_cols: list[str] = []
    for extra in extras:
        extra_cols += [k for k in extra if k not in extra_cols]
    heads = ["#", *(f"{o['name']}{' [' + o['unit'] + ']' if o.get('unit') else ''} ({o['direction']})" for o in objs),
             "violation", *extra_cols]
    thead = "".join(f'<th scope="col"><button type="button">{e(h)}</button></th>' for h in heads)
    rows = []
    for i, m in enumerate(front["members"]):
        viol = sum(m["violations"])
        cells = [f'<th scope="row" data-v="{i}">{i}</th>']
        cells += [f'<td data-v="{v!r}">{e(fmt(v))}</td>' for v in m["objectives"]]
        cells.append(f'<td data-v="{viol!r}">{e(fmt(viol))}</td>')
        extra = extras[i] if i < len(extras) else {}
        for c in extra_cols:
            v = extra.get(c, "")
            cells.append(f'<td data-v="{e(v)}">{e(fmt(v))}</td>')
        cls = "" if viol <= 0 else ' class="infeasible"'
        rows.append(f'<tr id="m-{i}"{cls}>{"".join(cells)}</tr>')
    return (f'<div class="wrap"><table class="sortable" id="front-table"><caption class="note">'
            f'{len(front["members"])} design{"" if len(front["members"]) == 1 else "s"}; select a column heading to '
            'sort</caption>'
            f'<thead><tr>{thead}</tr></thead><tbody>{"".join(rows)}</tbody></table></div>')


def build_report(run_dir: Path, designs: int = DEFAULT_DESIGNS, title: str | None = None) -> str:
    """The HTML text of the report of the run in ``run_dir``."""
    from gadesign import plots
    from gadesign.registry import make_problem
    from gadesign.run import known_front, problem_params
    from gadesign.runstore import RunStore

    store = RunStore(run_dir)
    config = store.read_config()
    front = store.read_front()
    card = store.read_card(missing_ok=True)
    logbook = store.read_logbook() if (store.root / "logbook.csv").is_file() else []
    note = ""
    try:
        problem: Any = make_problem(config["problem"], problem_params(store.root, config))
    except GadesignError as exc:
        problem, note = None, f"The problem could not be built here ({exc}); design pictures are left out."
    name = front["problem"]
    summary = getattr(problem, "summary", None)
    extras: list[dict[str, Any]] = []
    summary_note = ""
    for m in front["members"]:
        if summary is None:
            extras.append({})
            continue
        try:
            x = problem.genome.from_json(m["genome"])
            extras.append(dict(summary(x, Evaluation(tuple(m["objectives"]), tuple(m["violations"]),
                                                     m.get("info") or {}))))
        except Exception as exc:  # noqa: BLE001 - plugin code: its columns are left out, the report is written
            extras.append({})
            if not summary_note:
                summary_note = (f"The problem's summary() failed (member {len(extras) - 1}: "
                                f"{type(exc).__name__}: {exc}); its columns are left out where it did.")
    reference = (card or {}).get("hypervolume", {}) or {}
    reference = reference.get("reference_point") or plots.hv_reference(store, front["objectives"])
    parts: list[str] = []
    n = len(front["members"])
    heading = title or f"{name}: {n} design{'' if n == 1 else 's'}"
    parts.append(f"<header><h1>{e(heading)}</h1><p class=\"note\">gadesign run report of {e(store.root.name)}"
                 + (f" — {e(card['description'])}" if card and card.get("description") else "") + "</p></header>")
    for text in (note, summary_note):
        if text:
            parts.append(f'<p class="note">{e(text)}</p>')
    parts.append("<main>")
    parts.append(f'<section aria-labelledby="h-card"><h2 id="h-card">Run card</h2>{_card_table(card, config)}</section>')
    figs = []
    if logbook:
        fig = plots.convergence_figure(logbook, front["objectives"], reference, name)
        with_hv = len(front["objectives"]) > 1 and any(row.get("hv") not in (None, "") for row in logbook)
        what = ("hypervolume of the feasible front" if with_hv   # as the figure: beyond 6 objectives no hypervolume
                else f"best feasible {front['objectives'][0]['name']}")
        figs.append(("convergence", f"Convergence: {what} per generation", figure_uri(fig)))
    true_front = None
    if problem is not None:
        true_front = known_front(problem)
    if front["members"]:
        figs.append(("front", ("Pareto front" if len(front["objectives"]) > 1 else "Best design")
                     + (" with the known true front" if true_front is not None else ""),
                     figure_uri(plots.front_figure(front, true_front))))
    parts.append('<section aria-labelledby="h-conv"><h2 id="h-conv">Convergence and front</h2><div class="grid">')
    for key, alt, uri in figs:
        parts.append(f'<figure><img src="{uri}" alt="{e(alt)} of {e(name)}" id="img-{key}">'
                     f'<figcaption>{e(alt)}</figcaption></figure>')
    if len(front["objectives"]) == 2 and front["members"]:
        parts.append(f"<figure>{front_svg(front)}<figcaption>Hover a point for its values; select it to go to "
                     "its row in the table.</figcaption></figure>")
    parts.append("</div></section>")
    parts.append(f'<section aria-labelledby="h-front"><h2 id="h-front">Front</h2>{_front_table(front, extras)}</section>')
    chosen = chosen_members(len(front["members"]), designs) if problem is not None or (store.root / "designs").is_dir() else []
    if chosen:
        parts.append(f'<section aria-labelledby="h-designs"><h2 id="h-designs">Designs</h2><p class="note">'
                     f'{len(chosen)} of {len(front["members"])} designs, spread along the front.</p>')
        for i in chosen:
            m = front["members"][i]
            values = ", ".join(f"{o['name']} {fmt(v)}{' ' + o['unit'] if o.get('unit') else ''}"
                               for o, v in zip(front["objectives"], m["objectives"]))
            parts.append(f'<h3 id="design-{i}">Design <a href="#m-{i}">#{i}</a>: {e(values)}</h3><div class="grid">')
            try:
                pictures = member_figures(problem, store.root, i, m)
            except GadesignError as exc:
                pictures = []
                parts.append(f'<p class="note">no picture: {e(exc)}</p>')
            except Exception as exc:  # noqa: BLE001 - the plugin's report_figures: a note, not a lost report
                pictures = []
                parts.append(f'<p class="note">no picture: the problem\'s report_figures failed: '
                             f'{e(type(exc).__name__)}: {e(exc)}</p>')
            for t, uri in pictures:
                parts.append(f'<figure><img src="{uri}" alt="{e(t)} of design #{i} ({e(name)})">'
                             f"<figcaption>{e(t)}</figcaption></figure>")
            parts.append("</div>")
        parts.append("</section>")
    data = script_json({"card": card, "config": config, "front": front})
    parts.append(f'<script type="application/json" id="gadesign-data">{data}</script>')
    parts.append("</main>")
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<meta http-equiv=\"Content-Security-Policy\" content=\"{CSP}\">"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            f"<title>{e(heading)} — gadesign report</title><style>{STYLE}</style></head><body>"
            + "\n".join(parts) + f"<script>{SCRIPT}</script></body></html>\n")


def write_report(run_dir: Path, target: Path, designs: int = DEFAULT_DESIGNS, title: str | None = None) -> Path:
    """Build the report and write it atomically to ``target``."""
    from gadesign.atomic import atomic_write_text

    text = build_report(run_dir, designs, title)
    return atomic_write_text(target, text)
