"""Charts: matplotlib, styled by the Theme, drawn to SVG and converted to vector reportlab drawings.

Text stays text (svg.fonttype 'none' -> svglib -> the brand's embedded TrueType fonts), so chart
labels are selectable and use the body font. The same data gives the same bytes.
"""

from __future__ import annotations

import copy
import functools
import io
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Sequence

import matplotlib

matplotlib.use("svg")

from matplotlib import font_manager  # noqa: E402
from matplotlib.figure import Figure as MplFigure  # noqa: E402
from svglib import fonts as svg_fonts  # noqa: E402
from svglib.svglib import svg2rlg  # noqa: E402

from ..theme import FontFamily, Theme  # noqa: E402
from .fonts import ThemeFonts, register_family  # noqa: E402


@lru_cache(maxsize=None)
def _mpl_family(path: Path) -> str:
    font_manager.fontManager.addfont(str(path))
    return font_manager.FontProperties(fname=str(path)).get_name()


_SVG_FAMILIES: dict[tuple, str] = {}  # (family, names) already registered with svglib -> matplotlib's name


def forget_fonts() -> None:
    """Forget every font registered for charts (a warm process whose font files changed calls this)."""
    _SVG_FAMILIES.clear()
    _DRAWINGS.clear()
    _mpl_family.cache_clear()


def _register_for_svg(family: FontFamily, names) -> str:
    """Make matplotlib know the family and svglib map it back to our registered reportlab fonts (once per process)."""
    if (family, names) not in _SVG_FAMILIES:
        _SVG_FAMILIES[(family, names)] = _register_for_svg_now(family, names)
    return _SVG_FAMILIES[(family, names)]


def _register_for_svg_now(family: FontFamily, names) -> str:
    mpl_name = _mpl_family(family.regular)
    for path in family.files:
        _mpl_family(path)
    for weight, style, path, rl_name in (
        ("normal", "normal", family.regular, names.regular),
        ("bold", "normal", family.bold, names.bold),
        ("normal", "italic", family.italic, names.italic),
        ("bold", "italic", family.bold_italic, names.bold_italic),
    ):
        svg_fonts.register_font(mpl_name, str(path), weight=weight, style=style, rlgFontName=rl_name)
    register_family(family)  # svglib re-registers the files, which resets their bold/italic mapping
    return mpl_name


@dataclass(frozen=True)
class ChartStyle:
    family: str
    size: float
    foreground: str
    muted: str
    rule: str
    palette: tuple[str, ...]
    primary: str

    def rc(self) -> dict:
        return {
            "font.family": [self.family],
            "font.size": self.size,
            "text.color": self.foreground,
            "axes.labelcolor": self.foreground,
            "axes.edgecolor": self.rule,
            "axes.linewidth": 0.6,
            "axes.prop_cycle": matplotlib.cycler(color=list(self.palette)),
            "axes.spines.top": False,
            "axes.spines.right": False,
            "xtick.color": self.foreground,
            "ytick.color": self.foreground,
            "xtick.labelsize": self.size - 0.5,
            "ytick.labelsize": self.size - 0.5,
            "grid.color": self.rule,
            "grid.linewidth": 0.4,
            "svg.fonttype": "none",
            "text.parse_math": False,  # "$5bn vs $6bn" is text, not mathtext
            "svg.hashsalt": "deckgen",
            "svg.id": None,
            "figure.dpi": 72,
        }


def chart_style(theme: Theme, fonts: ThemeFonts) -> ChartStyle:
    family = _register_for_svg(theme.body, fonts.body)
    return ChartStyle(
        family=family,
        size=max(theme.base_size - 1.5, 7),
        foreground=theme.foreground,
        muted=theme.muted,
        rule=theme.rule,
        palette=theme.chart_palette,
        primary=theme.primary,
    )


def _to_drawing(figure: MplFigure):
    buffer = io.BytesIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None}, transparent=True)
    buffer.seek(0)
    return svg2rlg(buffer)


_DRAWINGS: dict[tuple, object] = {}  # chart and its arguments -> drawing


def _remembered(chart):
    """Draw each distinct chart once per process: a warm process (preview --watch) redraws only the
    charts whose data changed. Every call gets its own copy (reportlab lays drawings out in place)."""

    @functools.wraps(chart)
    def draw(style, *args, **options):
        frozen = lambda value: tuple(value) if isinstance(value, (list, tuple)) else value  # noqa: E731
        key = (chart.__name__, style, *map(frozen, args), *sorted((k, frozen(v)) for k, v in options.items()))
        if key not in _DRAWINGS:
            if len(_DRAWINGS) >= 64:
                _DRAWINGS.pop(next(iter(_DRAWINGS)))
            _DRAWINGS[key] = chart(style, *args, **options)
        return copy.deepcopy(_DRAWINGS[key])

    return draw


def _axes_rect(width_pt: float, height_pt: float, left: float, right: float, bottom: float, top: float):
    """Axes position from margins in points, so labels never fall outside the drawing."""
    return (left / width_pt, bottom / height_pt, 1 - (left + right) / width_pt, 1 - (bottom + top) / height_pt)


def _lighter(colour: str, amount: float = 0.62) -> str:
    red, green, blue = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    mix = [round(c + (255 - c) * amount) for c in (red, green, blue)]
    return "#" + "".join(f"{c:02X}" for c in mix)


@_remembered
def range_bars(
    style: ChartStyle,
    labels: Sequence[str],
    lows: Sequence[Decimal],
    highs: Sequence[Decimal],
    value_labels: Sequence[str],
    width_pt: float,
    axis_label: str,
):
    """Horizontal bars: solid to the low end of each range, a lighter band from low to high (35–40%)."""
    from matplotlib.patches import Patch
    from matplotlib.ticker import MaxNLocator

    has_ranges = any(low != high for low, high in zip(lows, highs))
    row = 20
    legend_room = 18 if has_ranges else 4
    height_pt = 34 + legend_room + row * len(labels)
    label_column = width_pt * 0.36  # the same in every chart, so stacked charts line up
    with matplotlib.rc_context(style.rc()):
        figure = MplFigure(figsize=(width_pt / 72, height_pt / 72))
        axes = figure.add_axes(_axes_rect(width_pt, height_pt, label_column, 4, 30, legend_room))
        positions = list(range(len(labels)))[::-1]
        lows_f = [float(v) for v in lows]
        spans = [float(h - l) for l, h in zip(lows, highs)]
        colour, band = style.palette[0], _lighter(style.palette[0])
        axes.barh(positions, lows_f, height=0.62, color=colour)
        axes.barh(positions, spans, left=lows_f, height=0.62, color=band)
        top = max(float(h) for h in highs)
        axes_width = width_pt - label_column - 4
        value_room = max(len(text) for text in value_labels) * style.size * 0.55 + 8
        axes.set_xlim(0, top * axes_width / (axes_width - value_room))
        axes.set_xticks([tick for tick in MaxNLocator(nbins=5, steps=[1, 2, 2.5, 5, 10]).tick_values(0, top) if 0 <= tick <= top])
        for position, high, text in zip(positions, highs, value_labels):
            axes.annotate(text, (float(high), position), xytext=(4, 0), textcoords="offset points",
                          va="center", ha="left", fontsize=style.size,
                          bbox={"boxstyle": "square,pad=0.15", "facecolor": "white", "edgecolor": "none"})
        axes.set_yticks(positions, labels=list(labels))
        axes.tick_params(axis="y", length=0)
        axes.set_ylim(-0.6, len(labels) - 0.4)
        axes.set_axisbelow(True)
        axes.xaxis.grid(True)
        axes.set_xlabel(axis_label)
        if has_ranges:
            axes.legend(
                handles=[Patch(color=colour), Patch(color=band)], labels=["Low end of the range", "Range"],
                loc="lower right", bbox_to_anchor=(1, 1.0), ncol=2, frameon=False, fontsize=style.size - 0.5,
                handlelength=1.2, handleheight=0.8, borderaxespad=0.2,
            )
        return _to_drawing(figure)


@_remembered
def bars(style: ChartStyle, labels: Sequence[str], values: Sequence[Decimal], value_labels: Sequence[str],
         width_pt: float, axis_label: str):
    """Vertical bars with their formatted values on top."""
    height_pt = 150
    with matplotlib.rc_context(style.rc()):
        figure = MplFigure(figsize=(width_pt / 72, height_pt / 72))
        axes = figure.add_axes(_axes_rect(width_pt, height_pt, 40, 8, 22, 6))
        positions = list(range(len(labels)))
        colours = [style.palette[i % len(style.palette)] for i in positions]
        axes.bar(positions, [float(v) for v in values], width=0.55, color=colours, zorder=3)
        top = max(float(v) for v in values)
        for position, value, text in zip(positions, values, value_labels):
            axes.text(position, float(value) + top * 0.03, text, ha="center", va="bottom", fontsize=style.size + 1)
        axes.set_xticks(positions, labels=list(labels))
        axes.tick_params(axis="x", length=0)
        axes.set_ylim(0, top * 1.2)
        axes.set_axisbelow(True)
        axes.yaxis.grid(True)
        axes.set_ylabel(axis_label)
        return _to_drawing(figure)
