"""The hand-tuned baseline: the brief written directly with reportlab + matplotlib, no deckgen.

What a skilled engineer would write by hand to produce a brief comparable to
``specs/investor.yaml`` (or to the scaled brief ``bench/scaled.py`` generates), reading the same
files: the spec YAML as the text file (libyaml's C loader), figures.yaml, sources.yaml and the CSVs.

    python bench/baseline_brief.py                                   # specs/investor.yaml -> dist/baseline.pdf
    python bench/baseline_brief.py --spec /tmp/p/specs/scaled.yaml --out /tmp/p/dist/baseline.pdf

Chart route (the fastest reasonable vector route by hand): matplotlib lays each chart out on a
``Figure`` (no pyplot, no Agg, no SVG, no PDF embedding), and a 60-line matplotlib renderer draws
its paths and text straight onto the reportlab canvas, measuring text with reportlab's metrics of
the same TrueType fonts. Tuning a hand script would do: only the six fonts used are parsed, the C
YAML loader, no Paragraph where a plain string does (long table cells), explicit column widths and
row heights, and the long table cut into page-sized chunks so reportlab never re-measures it.
Nothing is cached between runs.

``--charts reportlab`` draws the same charts with reportlab's canvas alone (axes, ticks and labels
by hand, no matplotlib import): the floor a script reaches without matplotlib, the fair pair for a
deckgen build whose charts come from its cache.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import html
import math
import re
import sys
import time
from pathlib import Path

import yaml
from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import (Flowable, KeepTogether, PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table,
                                TableStyle)

REPO = Path(__file__).resolve().parent.parent
NAVY, OCEAN, TEAL, GOLD = "#0B2545", "#1F5F8B", "#2A9D8F", "#C9A227"
SLATE, MIST, LINE, GREEN, RED, INK = "#5C677D", "#EEF2F6", "#C9D1DB", "#2E7D32", "#B23A48", "#1B1F24"
PALETTE = [NAVY, TEAL, GOLD, OCEAN, RED, SLATE, GREEN, "#7B2CBF", "#E76F51", "#264653", "#8AB17D", "#6D597A"]
PAGE_W, PAGE_H = A4
MARGIN = 18 * mm
TEXT_W = PAGE_W - 2 * MARGIN
DISCLAIMER = ("This brief is for professional investors only and is not investment advice, an offer or a "
              "solicitation to buy or sell any security. Figures are from the sources cited and may have changed "
              "since their as-of dates. Past performance is no guide to future returns.")


# -- fonts and styles -------------------------------------------------------------------------------

def register_fonts(fonts: Path) -> None:
    for name, file in (("Lato", "Lato-Regular"), ("Lato-Bold", "Lato-Bold"), ("Lato-Italic", "Lato-Italic"),
                       ("Serif-Bold", "NotoSerif-Bold"), ("Serif-Italic", "NotoSerif-Italic"),
                       ("DejaVu", "DejaVuSans")):
        pdfmetrics.registerFont(TTFont(name, str(fonts / f"{file}.ttf")))
    pdfmetrics.registerFontFamily("Lato", normal="Lato", bold="Lato-Bold", italic="Lato-Italic",
                                  boldItalic="Lato-Bold")


def styles() -> dict[str, ParagraphStyle]:
    body = ParagraphStyle("body", fontName="Lato", fontSize=10, leading=14.2, textColor=INK, spaceAfter=6,
                          alignment=TA_LEFT)
    return {
        "body": body,
        "title": ParagraphStyle("title", body, fontName="Serif-Bold", fontSize=24, leading=29, textColor=NAVY,
                                spaceAfter=4),
        "subtitle": ParagraphStyle("subtitle", body, fontName="Serif-Italic", fontSize=14, leading=18,
                                   textColor=OCEAN, spaceAfter=14),
        "h2": ParagraphStyle("h2", body, fontName="Serif-Bold", fontSize=14, leading=18, textColor=NAVY,
                             spaceBefore=12, spaceAfter=5, keepWithNext=True),
        "h3": ParagraphStyle("h3", body, fontName="Serif-Bold", fontSize=11, leading=14, textColor=NAVY,
                             spaceBefore=8, spaceAfter=4, keepWithNext=True),
        "exhibit": ParagraphStyle("exhibit", body, fontName="Lato", fontSize=10, leading=13, spaceBefore=8,
                                  spaceAfter=4, keepWithNext=True),
        "small": ParagraphStyle("small", body, fontSize=7.5, leading=10, textColor=SLATE, spaceAfter=3),
        "caption": ParagraphStyle("caption", body, fontName="Lato-Italic", fontSize=8, leading=10.5, spaceAfter=2),
        "kpi": ParagraphStyle("kpi", body, fontName="Serif-Bold", fontSize=18, leading=22, textColor=NAVY,
                              spaceAfter=0),
        "quote": ParagraphStyle("quote", body, fontName="Serif-Italic", fontSize=14, leading=19, textColor=NAVY,
                                leftIndent=14, spaceBefore=6, spaceAfter=3),
        "cell": ParagraphStyle("cell", body, fontSize=8.5, leading=11, spaceAfter=0),
        "white": ParagraphStyle("white", body, fontName="Serif-Bold", fontSize=11, textColor=colors.white,
                                spaceAfter=0),
    }


# -- figures, citations, text ---------------------------------------------------------------------

def _number(value, decimals: int | None = None) -> str:
    if decimals is None:
        decimals = 0 if isinstance(value, int) else max(1, len(repr(float(value)).split(".")[1].rstrip("0")))
    return f"{value:,.{decimals}f}"


_SCALES = ((1e12, "T", "trillion"), (1e9, "B", "billion"), (1e6, "M", "million"))


def format_figure(figure: dict, style: str | None = None) -> str:
    unit, style = figure.get("unit"), style or figure.get("style", "compact")
    if "value" not in figure:
        return f"{format_figure({**figure, 'value': figure['min']})}–{format_figure({**figure, 'value': figure['max']})}" \
            if unit != "percent" else f"{figure['min']}–{figure['max']}%"
    value = figure["value"]
    if unit == "USD":
        for scale, short, word in _SCALES:
            if abs(value) >= scale:
                amount = value / scale
                text = _number(round(amount, 1), 0 if amount == int(amount) else 1)
                return f"${text} {word}" if style == "long" else f"${text}{short}"
        return f"${_number(value)}"
    if unit == "percent":
        return f"{_number(value)}%"
    if unit == "multiple":
        return f"{_number(value)}×"
    if unit == "JPY/USD":
        return f"¥{_number(value)}/$"
    if unit == "year":
        return str(value)
    if isinstance(unit, str) and unit not in ("count", "ratio"):
        return f"{_number(value)} {unit}"
    return _number(value)


class Text:
    """Figure placeholders and citations resolved the way the spec writes them."""

    FIGURE = re.compile(r"\{\{\s*(\w+)\s*(?:\|\s*(\w+)\s*)?\}\}")
    CITE = re.compile(r"\[(@[\w.-]+(?:\s*;\s*@[\w.-]+)*)\]")

    def __init__(self, spec: dict, figures: dict, sources: list[dict]):
        self.values = {k: spec[k] for k in ("title", "subtitle") if k in spec}
        self.figures = figures
        self.numbers = {source["id"]: n for n, source in enumerate(sources, 1)}

    def figure(self, match: re.Match) -> str:
        name, style = match.group(1), match.group(2)
        if name in self.figures:
            return format_figure(self.figures[name], style)
        return str(self.values.get(name, match.group(0)))

    def __call__(self, text: str, markup: bool = True) -> str:
        text = self.FIGURE.sub(self.figure, str(text).strip())
        if not markup:
            return text
        text = html.escape(text, quote=False)
        return self.CITE.sub(lambda m: "[" + ", ".join(str(self.numbers[c.strip()[1:]]) for c in m.group(1).split(";"))
                             + "]", text)

    def paragraphs(self, body: str) -> list[str]:
        return [self(" ".join(block.split())) for block in re.split(r"\n\s*\n", body.strip()) if block.strip()]


# -- charts: matplotlib layout, drawn straight onto the reportlab canvas ----------------------------

def _rgb(rgba):
    return None if rgba is None or (len(rgba) > 3 and rgba[3] <= 0) else rgba


class MplChart(Flowable):
    """A matplotlib Figure (72 dpi: a pixel is a point) drawn as vector paths and text on the canvas."""

    def __init__(self, figure, width: float, height: float):
        super().__init__()
        self.figure, self.width, self.height = figure, width, height

    def wrap(self, available_width, available_height):
        return self.width, self.height

    def draw(self):
        self.figure.draw(canvas_renderer(self.canv, self.width, self.height))


_RENDERER = None


def canvas_renderer(canv, width: float, height: float):
    global _RENDERER
    if _RENDERER is None:
        from matplotlib.backend_bases import GraphicsContextBase, RendererBase
        from matplotlib.path import Path as MplPath

        class CanvasRenderer(RendererBase):
            def flipy(self):
                return False

            def get_canvas_width_height(self):
                return self.size

            def points_to_pixels(self, points):
                return points

            def new_gc(self):
                return GraphicsContextBase()

            @staticmethod
            def font(prop):
                weight = prop.get_weight()
                return "Lato-Bold" if weight in ("bold", "semibold") or (isinstance(weight, int) and weight >= 600) \
                    else "Lato"

            def get_text_width_height_descent(self, s, prop, ismath):
                name, size = self.font(prop), prop.get_size_in_points()
                face = pdfmetrics.getFont(name).face
                descent = -face.descent * size / 1000
                return pdfmetrics.stringWidth(s, name, size), face.ascent * size / 1000 + descent, descent

            def draw_path(self, gc, path, transform, rgbFace=None):
                stroke = _rgb(gc.get_rgb()) if gc.get_linewidth() > 0 else None
                fill = _rgb(rgbFace)
                if stroke is None and fill is None:
                    return
                c = self.canv
                c.saveState()
                clip = gc.get_clip_rectangle()
                if clip is not None:
                    box = c.beginPath()
                    box.rect(*clip.bounds)
                    c.clipPath(box, stroke=0, fill=0)
                if fill is not None:
                    c.setFillColorRGB(*fill[:3], alpha=fill[3] if len(fill) > 3 else 1)
                if stroke is not None:
                    c.setStrokeColorRGB(*stroke[:3], alpha=stroke[3] if len(stroke) > 3 else 1)
                    c.setLineWidth(gc.get_linewidth())
                    dashes = gc.get_dashes()[1]
                    if dashes:
                        c.setDash(list(dashes))
                p = c.beginPath()
                for points, code in path.iter_segments(transform, simplify=False, curves=True):
                    if code == MplPath.MOVETO:
                        p.moveTo(*points)
                    elif code == MplPath.LINETO:
                        p.lineTo(*points)
                    elif code == MplPath.CURVE4:
                        p.curveTo(*points)
                    elif code == MplPath.CURVE3:
                        p.lineTo(*points[2:])
                    elif code == MplPath.CLOSEPOLY:
                        p.close()
                c.drawPath(p, stroke=stroke is not None, fill=fill is not None)
                c.restoreState()

            def draw_text(self, gc, x, y, s, prop, angle, ismath=False, mtext=None):
                c = self.canv
                c.saveState()
                c.translate(x, y)
                if angle:
                    c.rotate(angle)
                c.setFont(self.font(prop), prop.get_size_in_points())
                c.setFillColorRGB(*gc.get_rgb()[:3])
                c.drawString(0, 0, s)
                c.restoreState()

        _RENDERER = CanvasRenderer
    renderer = _RENDERER()
    renderer.canv, renderer.size = canv, (width, height)
    return renderer


_MPL_RC = {"font.family": "sans-serif", "font.size": 7.5, "axes.edgecolor": LINE, "axes.linewidth": 0.6,
           "axes.spines.top": False, "axes.spines.right": False, "axes.labelcolor": SLATE, "xtick.color": SLATE,
           "ytick.color": SLATE, "xtick.labelsize": 7, "ytick.labelsize": 7, "grid.color": "#E3E8EE",
           "grid.linewidth": 0.5, "text.parse_math": False, "axes.unicode_minus": False, "legend.frameon": False,
           "legend.fontsize": 7}


def new_axes(width: float, height: float, left=38, bottom=26, right=12, top=14):
    import matplotlib
    from matplotlib.figure import Figure

    matplotlib.rcParams.update(_MPL_RC)
    figure = Figure(figsize=(width / 72, height / 72), dpi=72)
    axes = figure.add_axes((left / width, bottom / height, 1 - (left + right) / width, 1 - (bottom + top) / height))
    axes.set_axisbelow(True)
    return figure, axes


def bar_chart(labels, values, _unused, width, height, unit_label="", fmt=str, horizontal=False, colour=NAVY):
    if horizontal:
        longest = max(pdfmetrics.stringWidth(label, "Lato", 7) for label in labels)
        figure, axes = new_axes(width, height, left=longest + 10, right=36, bottom=24)
        positions = range(len(labels))[::-1]
        axes.barh(list(positions), values, height=0.55, color=colour)
        axes.set_yticks(list(positions), labels)
        axes.xaxis.grid(True)
        axes.xaxis.set_major_formatter(lambda v, _: fmt(v))
        for y, v in zip(positions, values):
            axes.text(v, y, " " + fmt(v), va="center", ha="left", fontsize=7, color=INK)
        axes.set_xlabel(unit_label)
    else:
        figure, axes = new_axes(width, height)
        axes.bar(range(len(labels)), values, width=0.55, color=colour)
        axes.set_xticks(range(len(labels)), labels)
        axes.yaxis.grid(True)
        axes.yaxis.set_major_formatter(lambda v, _: fmt(v))
        for x, v in zip(range(len(labels)), values):
            axes.text(x, v, fmt(v), va="bottom", ha="center", fontsize=7.5, color=INK)
        axes.set_title(unit_label, loc="left", fontsize=7, color=SLATE)
    axes.tick_params(length=0)
    return MplChart(figure, width, height)


def range_chart(labels, lows, highs, width, height, fmt, axis_label):
    longest = max(pdfmetrics.stringWidth(label, "Lato", 7) for label in labels)
    figure, axes = new_axes(width, height, left=longest + 10, right=40, bottom=26, top=18)
    positions = list(range(len(labels)))[::-1]
    spans = [(y, lo, hi) for y, lo, hi in zip(positions, lows, highs) if hi != lo]
    singles = [(y, lo) for y, lo, hi in zip(positions, lows, highs) if hi == lo]
    handles = [axes.barh([y for y, *_ in spans], [hi - lo for _, lo, hi in spans], left=[lo for _, lo, _ in spans],
                         height=0.5, color=NAVY, label="Range (low to high)")]
    if singles:
        handles.append(axes.scatter([v for _, v in singles], [y for y, _ in singles], marker="D", s=18, color=NAVY,
                                    label="Single estimate", zorder=3))
    for y, lo, hi in zip(positions, lows, highs):
        axes.text(hi, y, "  " + (fmt(lo) if lo == hi else f"{fmt(lo).rstrip('%')}–{fmt(hi)}"), va="center",
                  fontsize=7, color=INK)
    axes.set_yticks(positions, labels)
    axes.set_xlim(0, max(highs) * 1.12)
    axes.xaxis.grid(True)
    axes.xaxis.set_major_formatter(lambda v, _: fmt(v))
    axes.set_xlabel(axis_label)
    axes.tick_params(length=0)
    axes.spines["left"].set_visible(False)
    figure.legend(handles=handles, loc="upper left", bbox_to_anchor=(0, 1), ncols=2)
    return MplChart(figure, width, height)


def line_chart(xs, series: dict[str, list[float]], width, height, y_label):
    figure, axes = new_axes(width, height, right=70)
    for n, (name, values) in enumerate(series.items()):
        axes.plot(xs, values, color=PALETTE[n % len(PALETTE)], linewidth=1.4)
        axes.text(xs[-1], values[-1], f"  {name} {values[-1]:,.1f}", va="center", fontsize=6.5,
                  color=PALETTE[n % len(PALETTE)])
    axes.yaxis.grid(True)
    axes.set_title(y_label, loc="left", fontsize=7, color=SLATE)
    axes.tick_params(length=0)
    import matplotlib.dates as mdates

    axes.xaxis.set_major_formatter(mdates.DateFormatter("%b %Y"))
    return MplChart(figure, width, height)


# -- charts drawn with reportlab alone (--charts reportlab: no matplotlib import) ------------------

def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    raw = ((high - low) or abs(high) or 1) / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    first = math.floor(low / step) * step
    return [first + n * step for n in range(int(math.ceil((high - first) / step - 1e-9)) + 1)]


class DrawnChart(Flowable):
    """A chart painted by ``paint(canvas, width, height)`` straight onto the page."""

    def __init__(self, paint, width: float, height: float):
        super().__init__()
        self.paint, self.width, self.height = paint, width, height

    def wrap(self, available_width, available_height):
        return self.width, self.height

    def draw(self):
        self.canv.saveState()
        self.paint(self.canv, self.width, self.height)
        self.canv.restoreState()


def _value_grid(c, ticks, place, fmt, start, end, vertical: bool):
    """Grid lines and their labels along the value axis."""
    c.setStrokeColor("#E3E8EE")
    c.setLineWidth(0.5)
    c.setFillColor(SLATE)
    c.setFont("Lato", 7)
    for tick in ticks:
        at = place(tick)
        if vertical:
            c.line(start, at, end, at)
            c.drawRightString(start - 4, at - 2.5, fmt(tick))
        else:
            c.line(at, start, at, end)
            c.drawCentredString(at, start - 9, fmt(tick))


def rl_bar_chart(labels, values, width, height, axis_label, fmt):
    def paint(c, w, h):
        left, bottom, right, top = 38, 26, 12, 16
        ticks = nice_ticks(0, max(values) * 1.08)
        y = lambda v: bottom + (h - bottom - top) * v / ticks[-1]  # noqa: E731
        _value_grid(c, ticks, y, fmt, left, w - right, vertical=True)
        c.drawString(4, h - 8, axis_label)
        slot = (w - left - right) / len(values)
        for n, (label, value) in enumerate(zip(labels, values)):
            x = left + slot * (n + 0.5)
            c.setFillColor(NAVY)
            c.rect(x - slot * 0.275, bottom, slot * 0.55, y(value) - bottom, stroke=0, fill=1)
            c.setFillColor(INK)
            c.drawCentredString(x, y(value) + 3, fmt(value))
            c.setFillColor(SLATE)
            c.drawCentredString(x, bottom - 10, label)
        c.setStrokeColor(LINE)
        c.line(left, bottom, w - right, bottom)

    return DrawnChart(paint, width, height)


def rl_range_chart(labels, lows, highs, width, height, fmt, axis_label, legend: bool = True):
    def paint(c, w, h):
        left = max(pdfmetrics.stringWidth(label, "Lato", 7) for label in labels) + 10
        bottom, right, top = 28, 40, 20 if legend else 6
        ticks = nice_ticks(0, max(highs) * 1.12)
        x = lambda v: left + (w - left - right) * v / ticks[-1]  # noqa: E731
        _value_grid(c, ticks, x, fmt, bottom, h - top, vertical=False)
        c.drawCentredString((left + w - right) / 2, 4, axis_label)
        slot = (h - bottom - top) / len(labels)
        for n, (label, low, high) in enumerate(zip(labels, lows, highs)):
            mid = h - top - slot * (n + 0.5)
            c.setFillColor(NAVY)
            if high == low:
                c.saveState()
                c.translate(x(low), mid)
                c.rotate(45)
                c.rect(-2.5, -2.5, 5, 5, stroke=0, fill=1)
                c.restoreState()
            else:
                c.rect(x(low), mid - slot * 0.25, x(high) - x(low), slot * 0.5, stroke=0, fill=1)
            c.setFillColor(INK)
            text = fmt(high) if not legend or low == high else f"{fmt(low).rstrip('%')}–{fmt(high)}"
            c.drawString(x(high) + 4, mid - 2.5, text)
            c.setFillColor(SLATE)
            c.drawRightString(left - 6, mid - 2.5, label)
        if legend:
            c.setFillColor(NAVY)
            c.rect(left - 60 if left > 60 else 0, h - 10, 10, 6, stroke=0, fill=1)
            c.setFillColor(INK)
            c.drawString((left - 60 if left > 60 else 0) + 14, h - 10, "Range (low to high)")

    return DrawnChart(paint, width, height)


def rl_line_chart(xs, series: dict[str, list[float]], width, height, y_label):
    def paint(c, w, h):
        left, bottom, right, top = 38, 26, 70, 16
        values = [v for vs in series.values() for v in vs]
        ticks = nice_ticks(min(0.0, min(values)), max(values) * 1.05)
        days = [d.toordinal() for d in xs]
        x = lambda d: left + (w - left - right) * (d - days[0]) / ((days[-1] - days[0]) or 1)  # noqa: E731
        y = lambda v: bottom + (h - bottom - top) * (v - ticks[0]) / (ticks[-1] - ticks[0])  # noqa: E731
        _value_grid(c, ticks, y, lambda v: f"{v:,.0f}", left, w - right, vertical=True)
        c.drawString(4, h - 8, y_label)
        for n in range(0, len(xs), 6):
            c.drawCentredString(x(days[n]), bottom - 10, xs[n].strftime("%b %Y"))
        c.setLineWidth(1.4)
        for n, (name, vs) in enumerate(series.items()):
            colour = PALETTE[n % len(PALETTE)]
            c.setStrokeColor(colour)
            path = c.beginPath()
            path.moveTo(x(days[0]), y(vs[0]))
            for d, v in zip(days[1:], vs[1:]):
                path.lineTo(x(d), y(v))
            c.drawPath(path, stroke=1, fill=0)
            c.setFillColor(colour)
            c.drawString(x(days[-1]) + 3, y(vs[-1]) - 2.5, f"{name} {vs[-1]:,.1f}")

    return DrawnChart(paint, width, height)


CHARTS = "matplotlib"  # or "reportlab" (--charts)


def chart_bar(labels, values, width, height, axis_label, fmt, horizontal=False):
    if CHARTS == "reportlab":
        return rl_range_chart(labels, [0] * len(values), values, width, height, fmt, axis_label, legend=False) \
            if horizontal else rl_bar_chart(labels, values, width, height, axis_label, fmt)
    return bar_chart(labels, values, None, width, height, axis_label, fmt, horizontal=horizontal)


def chart_range(labels, lows, highs, width, height, fmt, axis_label):
    return (rl_range_chart if CHARTS == "reportlab" else range_chart)(labels, lows, highs, width, height, fmt,
                                                                      axis_label)


def chart_line(xs, series, width, height, y_label):
    return (rl_line_chart if CHARTS == "reportlab" else line_chart)(xs, series, width, height, y_label)


# -- the brief ------------------------------------------------------------------------------------

class Brief:
    def __init__(self, spec_path: Path):
        self.spec_path = spec_path
        self.spec = yaml.load(spec_path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
        self.base = spec_path.parent
        data = self.spec["data"]
        figures = yaml.load((self.base / data["figures"]).read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
        self.figures, self.breakdowns = figures.get("figures", {}), figures.get("breakdowns", {})
        self.source_list = yaml.load((self.base / data["sources"]).read_text(encoding="utf-8"),
                                 Loader=yaml.CSafeLoader)["sources"]
        self.tables = {name: entry for name, entry in data.items() if isinstance(entry, dict)}
        self.text = Text(self.spec, self.figures, self.source_list)
        self.s = styles()
        self.exhibit = 0

    def csv(self, name: str) -> list[dict[str, str]]:
        with open(self.base / self.tables[name]["path"], newline="", encoding="utf-8") as file:
            return list(csv.DictReader(file))

    def p(self, text: str, style: str = "body") -> Paragraph:
        return Paragraph(text, self.s[style])

    def h2(self, title: str) -> Paragraph:
        return self.p(self.text(title), "h2")

    def exhibit_title(self, title: str) -> Paragraph:
        self.exhibit += 1
        return self.p(f"<font name='Lato-Bold'>Exhibit {self.exhibit}:</font> {self.text(title)}", "exhibit")

    def source_line(self, ids: list[str], as_of: str | None = None) -> Paragraph:
        cited = "; ".join(f"[{self.text.numbers[i]}] {self.source_list[self.text.numbers[i] - 1]['author']}" for i in ids)
        return self.p(f"Sources: {html.escape(cited)}." + (f" As of {as_of}." if as_of else ""), "small")

    # sections -------------------------------------------------------------------------------------

    def masthead(self, section):
        spec = self.spec
        date = spec["date"].strftime("%b %-d, %Y") if isinstance(spec["date"], dt.date) else str(spec["date"])
        logo = Table([[""]], colWidths=[11 * mm], rowHeights=[11 * mm],
                     style=[("BACKGROUND", (0, 0), (-1, -1), NAVY)])
        head = Table([[logo, self.p(f"<font name='Serif-Bold' color='{NAVY}'>Meridian Pacific Research</font><br/>"
                                    f"<font size='7' color='{SLATE}'>{html.escape(section.get('label', '').upper())}"
                                    f"</font>", "cell"),
                       self.p(f"<para alignment='right'><font color='{SLATE}' size='8'>{date}<br/>"
                              f"{html.escape(spec.get('author', ''))}</font></para>", "cell")]],
                     colWidths=[14 * mm, TEXT_W / 2, TEXT_W / 2 - 14 * mm],
                     style=[("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("LINEBELOW", (0, 0), (-1, 0), 0.6, LINE),
                            ("BOTTOMPADDING", (0, 0), (-1, -1), 8)])
        return [head, Spacer(0, 14), self.p(self.text(spec["title"]), "title"),
                self.p(self.text(spec.get("subtitle", "")), "subtitle")]

    def takeaways(self, section):
        items = [self.p(f"<font name='DejaVu'>✓</font> <b>{self.text(i['title'])}:</b> {self.text(i['text'])}",
                        "cell") for i in section["items"]]
        box = Table([[self.p(self.text(section["title"]), "h3")]] + [[i] for i in items], colWidths=[TEXT_W],
                    style=[("BACKGROUND", (0, 0), (-1, -1), MIST), ("LINEBEFORE", (0, 0), (0, -1), 3, NAVY),
                           ("LEFTPADDING", (0, 0), (-1, -1), 10)])
        return [box, Spacer(0, 10)]

    def kpi_strip(self, section):
        cells, ids = [], []
        for item in section["items"]:
            figure = self.figures[item["figure"]]
            ids.append(figure["source"])
            cells.append([self.p(format_figure(figure), "kpi"), self.p(html.escape(item["label"]), "small")])
        table = Table([cells], colWidths=[TEXT_W / len(cells)] * len(cells),
                      style=[("LINEBEFORE", (1, 0), (-1, -1), 0.6, LINE), ("BOX", (0, 0), (-1, -1), 0.6, LINE),
                             ("VALIGN", (0, 0), (-1, -1), "TOP")])
        flow = [self.p(self.text(section["title"]), "h3")] if section.get("title") else []
        return flow + [table, self.source_line(list(dict.fromkeys(ids)))]

    def narrative(self, section):
        return [self.h2(section["title"])] + [self.p(text) for text in self.text.paragraphs(section["body"])]

    def quote(self, section):
        author = html.escape(f"— {section['author']}, {section.get('role', '')}".rstrip(", "))
        cite = f" [{self.text.numbers[section['source']]}]" if section.get("source") else ""
        return [self.p(f"“{self.text(section['text'])}”", "quote"),
                Paragraph(author + cite, ParagraphStyle("attr", self.s["small"], leftIndent=14, spaceAfter=10))]

    def comparison(self, section):
        bars = [(b["label"], self.figures[b["figure"]]) for b in section["bars"]]
        unit = bars[0][1]["unit"]
        chart = chart_bar([label for label, _ in bars], [f["value"] for _, f in bars], TEXT_W * 0.5,
                          150, section.get("axis_label", ""),
                          lambda v: format_figure({"value": int(v) if v == int(v) else v, "unit": unit}))
        caption = [self.p(self.text(section.get("caption", "")), "caption"), self.source_line([bars[0][1]["source"]])]
        return [self.exhibit_title(section["title"]),
                Table([[chart, caption]], colWidths=[TEXT_W * 0.55, TEXT_W * 0.45],
                      style=[("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (0, 0), 0)])]

    def sector_breakdown(self, section):
        breakdown = self.breakdowns[section["breakdown"]]
        parts = breakdown["parts"]
        lows = [p.get("min", p.get("value")) for p in parts]
        highs = [p.get("max", p.get("value")) for p in parts]
        chart = chart_range([p["label"] for p in parts], lows, highs, TEXT_W, 28 + 20 * len(parts) + 20,
                            lambda v: f"{v:g}%", "Share of total (%)")
        return [KeepTogether([self.exhibit_title(section["title"]), chart,
                              self.p(self.text(section.get("caption", "")), "caption"),
                              self.source_line([breakdown["source"]])]), Spacer(0, 6)]

    def opportunities_risks(self, section):
        def column(block, mark):
            return [self.p(f"<font name='DejaVu'>{mark}</font> {self.text(item)}", "cell") for item in block["items"]]

        opportunities, risks = section["opportunities"], section["risks"]
        rows = [[self.p(f"<font name='DejaVu'>✓</font> {opportunities['title']}", "white"),
                 self.p(f"<font name='DejaVu'>✗</font> {risks['title']}", "white")],
                [column(opportunities, "✓"), column(risks, "✗")]]
        return [self.h2(section["title"]),
                Table(rows, colWidths=[TEXT_W / 2] * 2,
                      style=[("BACKGROUND", (0, 0), (0, 0), GREEN), ("BACKGROUND", (1, 0), (1, 0), RED),
                             ("BACKGROUND", (0, 1), (-1, 1), MIST), ("VALIGN", (0, 0), (-1, -1), "TOP")])]

    def implications(self, section):
        rows = [[[self.p(f"<b>{self.text(i['title'])}</b>", "cell"),
                  self.p("Exposure: " + html.escape(", ".join(i.get("exposure", []))), "small")],
                 self.p(self.text(i["text"]), "cell")] for i in section["items"]]
        flow = [self.h2(section["title"]), self.p(self.text(section.get("intro", "")))]
        flow.append(Table(rows, colWidths=[TEXT_W * 0.3, TEXT_W * 0.7],
                          style=[("LINEABOVE", (0, 0), (-1, -1), 0.6, LINE), ("VALIGN", (0, 0), (-1, -1), "TOP")]))
        if section.get("risks"):
            flow.append(self.p(f"<b>Risks to the view.</b> {self.text(section['risks'])}"))
        return flow

    def instrument_table(self, section):
        rows = self.csv(section["table"])
        columns = section["columns"]
        total = sum(c.get("width", 1) for c in columns)
        header = [self.p(f"<b>{html.escape(c['label'])}</b>", "cell") for c in columns]
        body = [[self.p(self.text(row[c["key"]]), "cell") for c in columns] for row in rows]
        table = Table([header] + body, colWidths=[TEXT_W * c.get("width", 1) / total for c in columns], repeatRows=1,
                      style=[("LINEBELOW", (0, 0), (-1, 0), 0.8, NAVY), ("LINEBELOW", (0, 1), (-1, -1), 0.3, LINE),
                             ("VALIGN", (0, 0), (-1, -1), "TOP")])
        entry = self.tables[section["table"]]
        return [self.h2(section["title"]), table, self.p(self.text(section.get("caption", "")), "caption"),
                self.source_line([entry["source"]], str(entry.get("as_of", "")))]

    def chart(self, section):
        """The scaled brief's chart sections: line | bar | hbar | range over a CSV."""
        rows = self.csv(section["table"])
        kind, x = section["kind"], section["x"]
        width = TEXT_W if section.get("width", "full") == "full" else TEXT_W / 2
        if kind == "line":
            keys = list(dict.fromkeys(row[x] for row in rows))
            xs = [dt.date.fromisoformat(k) for k in keys]
            series: dict[str, list[float]] = {}
            for row in rows:
                series.setdefault(row[section["series"]], []).append(float(row[section["y"]]))
            chart = chart_line(xs, series, width, 170, section.get("y_label", section["y"]))
        elif kind == "range":
            chart = chart_range([r[x] for r in rows], [float(r[section["low"]]) for r in rows],
                                [float(r[section["high"]]) for r in rows], width, 40 + 18 * len(rows),
                                lambda v: f"{v:,.0f}", section.get("y_label", ""))
        else:
            chart = chart_bar([r[x] for r in rows], [float(r[section["y"]]) for r in rows], width,
                              40 + 16 * len(rows) if kind == "hbar" else 170, section.get("y_label", ""),
                              lambda v: f"{v:,.0f}", horizontal=kind == "hbar")
        entry = self.tables[section["table"]]
        return [self.exhibit_title(section["title"]), chart,
                self.p(self.text(section.get("caption", "")), "caption"),
                self.source_line([entry["source"]], str(entry.get("as_of", "")))]

    def table(self, section):
        """A long table, tuned: plain strings, fixed row heights, page-sized chunks (no re-measuring)."""
        rows = self.csv(section["table"])
        keys = [c["key"] for c in section["columns"]] if section.get("columns") else list(rows[0])
        types = self.tables[section["table"]].get("columns", {})
        kinds = [types[k].get("type") if isinstance(types.get(k), dict) else types.get(k) for k in keys]
        numeric = [kind == "number" for kind in kinds]
        header = [(c.get("label") or k).replace("_", " ").capitalize()
                  for c, k in zip(section.get("columns") or [{}] * len(keys), keys)]

        def cell(value: str, kind: str | None) -> str:
            if not value:
                return "\u2013"  # an empty cell (no value): a dash
            if kind == "number":
                number = float(value)
                return f"{number:,.0f}" if number == int(number) else f"{number:,.1f}"
            if kind == "date":
                return dt.date.fromisoformat(value).strftime("%b %-d, %Y")
            return value

        body = [[cell(row[k], kind) for k, kind in zip(keys, kinds)] for row in rows]
        widths = [max(pdfmetrics.stringWidth(str(v), "Lato", 7.5) for v in [header[i]] + [r[i] for r in body[:200]])
                  + 8 for i in range(len(keys))]
        scale = TEXT_W / sum(widths)
        widths = [w * scale for w in widths]
        row_h = 10.5
        per_page = int((PAGE_H - 2 * MARGIN - 12) / row_h) - 1  # the frame's height, less the header row
        style = TableStyle([("FONT", (0, 0), (-1, -1), "Lato", 7.5), ("FONT", (0, 0), (-1, 0), "Lato-Bold", 7.5),
                            ("LINEBELOW", (0, 0), (-1, 0), 0.8, NAVY), ("TOPPADDING", (0, 0), (-1, -1), 1),
                            ("BOTTOMPADDING", (0, 0), (-1, -1), 2)]
                           + [("ALIGN", (i, 0), (i, -1), "RIGHT") for i, num in enumerate(numeric) if num])
        # the table starts a page, so each chunk fills exactly one page: no splitting, no re-measuring
        flow, start = [PageBreak(), self.h2(section["title"])], 0
        first = per_page - 3  # the title's room on the first page
        while start < len(body):
            chunk = body[start:start + (first if start == 0 else per_page)]
            start += len(chunk)
            flow.append(Table([header] + chunk, colWidths=widths, rowHeights=[row_h] * (len(chunk) + 1),
                              repeatRows=1, style=style))
        entry = self.tables[section["table"]]
        return flow + [self.p(self.text(section.get("caption", "")), "caption"),
                       self.source_line([entry["source"]], str(entry.get("as_of", "")))]

    def sources(self, section):
        flow = [self.h2(section.get("title", "Sources"))]
        for n, s in enumerate(self.source_list, 1):
            bits = [s.get("author"), f"<i>{html.escape(s['title'])}</i>", s.get("publisher"), str(s.get("date", ""))]
            text = ", ".join(b if b.startswith("<i>") else html.escape(b) for b in bits if b)
            flow.append(self.p(f"[{n}] {text}. {html.escape(s.get('url', ''))} (accessed {s.get('accessed', '')})",
                               "small"))
        return flow

    def disclosures(self, section):
        issuer, analysts = section.get("issuer", {}), section.get("analysts", [])
        flow = [self.h2(section.get("title", "Disclosures"))]
        if section.get("note"):
            flow.append(self.p(f"<i>{html.escape(section['note'])}</i>", "small"))
        flow.append(self.p(html.escape(f"Issued by {issuer.get('name', '')}, {issuer.get('address', '')}; "
                                       f"regulated by {issuer.get('regulator', '')}."), "small"))
        rows = [[self.p(f"<b>{html.escape(a['name'])}</b>, {html.escape(a.get('title', ''))}", "small"),
                 self.p(f"<a href='mailto:{html.escape(a['email'])}'>{html.escape(a['email'])}</a>", "small"),
                 self.p(html.escape(a.get("phone", "")), "small")] for a in analysts]
        if rows:
            flow.append(Table(rows, colWidths=[TEXT_W * 0.45, TEXT_W * 0.35, TEXT_W * 0.2],
                              style=[("VALIGN", (0, 0), (-1, -1), "TOP")]))
        names = " and ".join(a["name"] for a in analysts)
        flow.append(self.p(f"<b>Analyst certification.</b> {html.escape(names)} certify that the views expressed "
                           "accurately reflect their personal views about the subject securities and issuers, and "
                           "that no part of their compensation was, is or will be related to the specific views.",
                           "small"))
        if section.get("no_conflicts"):
            flow.append(self.p(f"<b>Conflicts of interest.</b> {html.escape(section['no_conflicts'])}", "small"))
        prices = section.get("prices")
        if prices:
            rows = self.csv(prices["table"])
            header = [self.p(f"<b>{label}</b>", "small") for label in ("Instrument", "Price", "Priced at")]
            body = [[self.p(html.escape(r[prices["instrument"]]), "small"),
                     self.p(f"{r.get(prices.get('currency', ''), '')} {float(r[prices['price']]):,.2f}", "small"),
                     self.p(html.escape(r.get(prices.get("at", ""), "")), "small")] for r in rows]
            flow.append(Table([header] + body, colWidths=[TEXT_W * 0.45, TEXT_W * 0.2, TEXT_W * 0.35], repeatRows=1,
                              style=[("LINEBELOW", (0, 0), (-1, 0), 0.6, NAVY), ("VALIGN", (0, 0), (-1, -1), "TOP")]))
            entry = self.tables[prices["table"]]
            flow.append(self.source_line([entry["source"]], str(entry.get("as_of", ""))))
        if section.get("disseminated"):
            flow.append(self.p(f"<b>Disseminated</b> {html.escape(str(section['disseminated']))}.", "small"))
        if section.get("restrictions"):
            flow.append(self.p(f"<b>Distribution.</b> {html.escape(section['restrictions'])}", "small"))
        return flow

    def disclaimer(self, section):
        return [Spacer(0, 10), self.p(html.escape(section.get("text", DISCLAIMER)), "small")]

    # the document ---------------------------------------------------------------------------------

    def story(self) -> list:
        story: list = []
        for section in self.spec["sections"]:
            story += getattr(self, section["type"])(section)
        return story

    def render(self, out: Path) -> int:
        spec = self.spec
        title = self.text(spec["title"], markup=False)

        def later_pages(canv, doc):
            canv.saveState()
            canv.setFont("Lato-Bold", 7)
            canv.setFillColor(NAVY)
            canv.drawString(MARGIN, PAGE_H - 12 * mm, "MERIDIAN PACIFIC RESEARCH")
            canv.setFont("Lato", 7)
            canv.setFillColor(SLATE)
            canv.drawRightString(PAGE_W - MARGIN, PAGE_H - 12 * mm, f"{title} · {spec['date']}")
            footer(canv, doc)
            canv.restoreState()

        def footer(canv, doc):
            canv.setStrokeColor(LINE)
            canv.line(MARGIN, 14 * mm, PAGE_W - MARGIN, 14 * mm)
            canv.setFont("Lato", 7)
            canv.setFillColor(SLATE)
            canv.drawString(MARGIN, 10 * mm, "For professional investors only. Not investment advice. "
                                             "See important information at the end.")
            canv.drawRightString(PAGE_W - MARGIN, 10 * mm, f"Page {doc.page}")

        out.parent.mkdir(parents=True, exist_ok=True)
        doc = SimpleDocTemplate(str(out), pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN,
                                bottomMargin=MARGIN, title=title, author=spec.get("author", ""),
                                subject=spec.get("subject", ""), invariant=1)
        doc.build(self.story(), onFirstPage=footer, onLaterPages=later_pages)
        return doc.page


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--spec", type=Path, default=REPO / "specs" / "investor.yaml")
    parser.add_argument("--out", type=Path, default=None, help="default: dist/baseline-<spec name>.pdf by the spec")
    parser.add_argument("--fonts", type=Path, default=None, help="default: assets/fonts beside the spec's folder")
    parser.add_argument("--charts", choices=("matplotlib", "reportlab"), default="matplotlib",
                        help="matplotlib lays the charts out (default), or reportlab alone draws them (no matplotlib)")
    parser.add_argument("--time", action="store_true", help="print the seconds spent")
    args = parser.parse_args(argv)
    global CHARTS
    CHARTS = args.charts
    started = time.perf_counter()
    spec = args.spec.resolve()
    out = args.out or spec.parent.parent / "dist" / f"baseline-{spec.stem}.pdf"
    register_fonts(args.fonts or spec.parent.parent / "assets" / "fonts")
    pages = Brief(spec).render(out)
    if args.time:
        print(f"{out}: {pages} pages in {time.perf_counter() - started:.2f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
