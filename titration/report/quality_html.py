"""The unit's quality report as one HTML file: no script, no outside resource (it opens anywhere,
prints on A4), charts drawn as inline SVG bars with their numbers on them."""
from __future__ import annotations

from html import escape

from .files import written
from .quality_model import Chart, QualityReport, Table

COLOURS = ("#2f6f9f", "#c0392b", "#7f8c8d", "#27ae60")
CSS = """
body{font-family:"DejaVu Sans",Arial,sans-serif;margin:24px;color:#111;max-width:1000px}
h1{font-size:22px;margin:0}h2{font-size:17px;margin:28px 0 4px;border-bottom:1px solid #ccc}
h3{font-size:13px;margin:14px 0 4px}.sub{color:#444;margin:2px 0 14px}
.answer{font-weight:bold;margin:6px 0 10px}
.figs{display:grid;grid-template-columns:repeat(4,1fr);gap:8px}
.fig{border:1px solid #bbb;border-radius:4px;padding:6px 8px}.fig b{font-size:22px;display:block}
.fig.alarm{border-color:#b00020;background:#fdecee}.fig small{color:#444}
table{border-collapse:collapse;font-size:12px;margin:4px 0 10px}th{background:#e8eef4;text-align:left}
th,td{padding:3px 8px;border-bottom:1px solid #ddd}td.n{text-align:right}
svg text{font-family:"DejaVu Sans",Arial,sans-serif}.notes{font-size:11px;color:#444}
@media print{body{margin:0}.section{break-inside:avoid-page}}
"""


def write_html(report: QualityReport, path: str, field: str = "--out") -> str:
    with written(path, field) as tmp:
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(html(report))
    return path


def html(r: QualityReport, charts: bool = True) -> str:
    """The whole report; charts=False leaves the SVG charts out (for a viewer that cannot draw them)."""
    out = [f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{escape(r.title)} {escape(r.period)}"
           f"</title><style>{CSS}</style></head><body>",
           f"<h1>{escape(r.title)}: {escape(r.period)}</h1>",
           f"<p class='sub'>{escape(r.scope[:1].upper() + r.scope[1:])}. Generated {escape(r.generated)}.</p>"
           "<div class='figs'>"]
    for f in r.figures:
        out.append(f"<div class='fig{' alarm' if f.alarm else ''}'><small>{escape(f.label)}</small>"
                   f"<b>{escape(f.value)}</b><small>{escape(f.note)}</small></div>")
    out.append("</div>")
    for s in r.sections:
        out.append(f"<div class='section'><h2>{escape(s.title)}</h2><p class='answer'>{escape(s.answer)}</p>")
        out += [svg(c) for c in s.charts] if charts else []
        out += [table(t) for t in s.tables if t.rows]
        out.append("</div>")
    out.append("<div class='notes'>" + "".join(f"<p>{escape(n)}</p>" for n in r.notes) + "</div></body></html>")
    return "\n".join(out)


def table(t: Table) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in t.header)
    body = "".join("<tr>" + "".join(f"<td{' class=n' if i in t.numeric else ''}>{escape(c)}</td>"
                                    for i, c in enumerate(row)) + "</tr>" for row in t.rows)
    note = f"<p class='notes'>{escape(t.note)}</p>" if t.note else ""
    return f"<h3>{escape(t.title)}</h3><table><tr>{head}</tr>{body}</table>{note}"


def nice_top(top: float) -> float:
    """A round axis maximum at or above `top` (1, 2, 5 x 10^n)."""
    if top <= 0:
        return 1.0
    import math

    base = 10 ** math.floor(math.log10(top))
    return next(m * base for m in (1, 2, 5, 10) if m * base >= top)


def bar_number(v: float) -> str:
    return f"{v:.0f}" if float(v).is_integer() else f"{v:.1f}"


def svg(c: Chart) -> str:
    return _hbars(c) if c.horizontal else _vbars(c)


def _legend(c: Chart, x: float, y: float) -> str:
    if len(c.series) < 2:
        return ""
    return "".join(f"<rect x='{x + 110 * i}' y='{y - 9}' width='10' height='10' fill='{COLOURS[i % 4]}'/>"
                   f"<text x='{x + 110 * i + 14}' y='{y}' font-size='11'>{escape(name)}</text>"
                   for i, (name, _) in enumerate(c.series))


def _vbars(c: Chart) -> str:
    w, h, left, bottom, top = 940, 260, 46, 54, 26
    n, k = len(c.labels), len(c.series)
    peak = nice_top(max((v for _, vs in c.series for v in vs), default=0.0))
    slot = (w - left - 10) / max(1, n)
    bw = max(1.0, slot * 0.8 / k)
    ph = h - bottom - top
    parts = [f"<h3>{escape(c.title)}</h3><svg width='{w}' height='{h}' viewBox='0 0 {w} {h}' role='img' "
             f"aria-label='{escape(c.title)}'>"]
    for frac in (0, 0.5, 1):
        y = top + ph * (1 - frac)
        parts.append(f"<line x1='{left}' x2='{w - 10}' y1='{y:.1f}' y2='{y:.1f}' stroke='#ddd'/>"
                     f"<text x='{left - 4}' y='{y + 4:.1f}' font-size='10' text-anchor='end'>{peak * frac:g}</text>")
    every = max(1, -(-n // 20))  # at most ~20 labels under the bars: they never run together
    for i, label in enumerate(c.labels):
        for j, (_, vs) in enumerate(c.series):
            v = vs[i]
            bh = ph * v / peak
            x = left + i * slot + slot * 0.1 + j * bw
            parts.append(f"<rect x='{x:.1f}' y='{top + ph - bh:.1f}' width='{bw:.1f}' height='{bh:.1f}' "
                         f"fill='{COLOURS[j % 4]}'><title>{escape(label)}: {v:.1f}</title></rect>")
            if n <= 16 and v > 0:
                parts.append(f"<text x='{x + bw / 2:.1f}' y='{top + ph - bh - 3:.1f}' font-size='10' "
                             f"text-anchor='middle'>{bar_number(v)}</text>")
        if i % every == 0:
            x = left + i * slot + slot / 2
            parts.append(f"<text x='{x:.1f}' y='{h - bottom + 14}' font-size='10' text-anchor='middle'>"
                         f"{escape(label)}</text>")
    parts.append(f"<text x='{left}' y='{top - 10}' font-size='10'>{escape(c.unit)}</text>")
    parts.append(_legend(c, left + 120, top - 10))
    if c.note:
        parts.append(f"<text x='{left}' y='{h - 8}' font-size='10' fill='#444'>{escape(c.note)}</text>")
    parts.append("</svg>")
    return "".join(parts)


def _hbars(c: Chart) -> str:
    n = len(c.labels)
    row, left, w = 22, 230, 940
    h = 30 + n * row
    peak = nice_top(max((v for _, vs in c.series for v in vs), default=0.0))
    pw = w - left - 60
    parts = [f"<h3>{escape(c.title)}</h3><svg width='{w}' height='{h}' viewBox='0 0 {w} {h}' role='img' "
             f"aria-label='{escape(c.title)}'>"]
    for i, label in enumerate(c.labels):
        y = 10 + i * row
        v = c.series[0][1][i]
        bw = pw * v / peak
        parts.append(f"<text x='{left - 6}' y='{y + 14}' font-size='11' text-anchor='end'>{escape(label)}</text>"
                     f"<rect x='{left}' y='{y + 3}' width='{bw:.1f}' height='{row - 7}' fill='{COLOURS[0]}'/>"
                     f"<text x='{left + bw + 4:.1f}' y='{y + 14}' font-size='11'>{bar_number(v)}</text>")
    parts.append(f"<text x='{left}' y='{h - 4}' font-size='10' fill='#444'>{escape(c.unit)}</text></svg>")
    return "".join(parts)
