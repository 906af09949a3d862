"""Charts in the brief: the brand's chart style, a colour per series, and a drawing per chart.

``chart_drawing`` returns a chart as a vector reportlab Drawing. A chart drawn before with the same
data, style, size and versions comes from the chart cache (``chart_cache``) without importing
matplotlib; otherwise ``chart_draw`` lays it out with matplotlib and records what it draws.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Sequence

from reportlab.pdfbase.pdfmetrics import stringWidth

from ..charts.data import ChartData
from ..theme import Theme
from .fonts import FontNames, ThemeFonts

MIN_SERIES_COLOURS = 12


@dataclass(frozen=True)
class ChartStyle:
    fonts: FontNames  # the brand's body font, as registered with reportlab
    size: float
    foreground: str
    secondary: str
    rule: str
    palette: tuple[str, ...]
    primary: str

    def rc(self) -> dict:
        return {
            "font.family": ["DejaVu Sans"],  # only a stand-in: text is measured and set in self.fonts
            "font.size": self.size,
            "text.color": self.foreground,
            "axes.labelcolor": self.foreground,
            "axes.edgecolor": self.rule,
            "axes.linewidth": 0.6,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "xtick.color": self.foreground,
            "ytick.color": self.foreground,
            "xtick.labelsize": self.size - 0.5,
            "ytick.labelsize": self.size - 0.5,
            "xtick.major.size": 3,
            "xtick.major.width": 0.6,
            "grid.color": self.rule,
            "grid.linewidth": 0.4,
            "text.parse_math": False,  # "$5bn vs $6bn" is text, not mathtext
            "figure.dpi": 72,
            "lines.solid_capstyle": "round",
        }

    def width(self, text: str, size: float | None = None) -> float:
        return stringWidth(text, self.fonts.regular, size or self.size)


def chart_style(theme: Theme, fonts: ThemeFonts) -> ChartStyle:
    return ChartStyle(
        fonts=fonts.body,
        size=max(theme.base_size - 1.5, 7),
        foreground=theme.foreground,
        secondary=theme.secondary,
        rule=theme.rule,
        palette=extended_palette(theme.chart_palette),
        primary=theme.primary,
    )


def extended_palette(palette: Sequence[str]) -> tuple[str, ...]:
    """The brand's chart colours, extended to 12 series colours that a reader can tell apart: each
    at least SERIES_MIN_DELTA_E (CIEDE2000) from every other and legible on the white page (see
    ``distinct_palette``). The same brand always gives the same colours, in the same order."""
    return _extended(tuple(c.upper() for c in palette) or ("#1F4E79",))


@lru_cache(maxsize=64)
def _extended(palette: tuple[str, ...]) -> tuple[str, ...]:
    from ..brand.colours import distinct_palette
    from ..brand.palette import PAPER

    return distinct_palette(palette, MIN_SERIES_COLOURS, background=PAPER)


class SeriesColours:
    """A colour per series name, the same in every chart of the brief: a series keeps the colour it
    got first; a new one takes the first palette colour not yet used in its chart."""

    def __init__(self, palette: Sequence[str]):
        self.palette = tuple(palette)
        self.assigned: dict[str, int] = {}

    def for_chart(self, data: ChartData) -> list[str]:
        if len(data.series) == 1 and not data.series[0].keyed:
            return [self.palette[0]]
        used: set[int] = set()
        indexes: list[int | None] = []
        for series in data.series:
            index = self.assigned.get(series.name)
            indexes.append(index if index is not None and index not in used else None)
            if indexes[-1] is not None:
                used.add(indexes[-1])  # type: ignore[arg-type]
        for position, series in enumerate(data.series):
            if indexes[position] is None:
                free = next(i for i in range(len(self.palette) + len(data.series)) if i not in used)
                used.add(free)
                indexes[position] = free
                self.assigned.setdefault(series.name, free)
        return [self.palette[i % len(self.palette)] for i in indexes]  # type: ignore[index]


def chart_drawing(data: ChartData, style: ChartStyle, colours: list[str], width: float, cache: Path | None = None):
    """The chart as a vector reportlab Drawing ``width`` points wide, from the cache when it can be."""
    from . import chart_cache
    from .chart_backend import drawing_from_ops

    key = chart_cache.key(data, style, colours, width)
    found = chart_cache.remembered(key) or (chart_cache.load(cache, key) if cache is not None else None)
    if found is not None:
        height, ops = found
    else:
        from .chart_draw import draw_chart  # matplotlib loads here, only for a chart not drawn before

        height, ops = draw_chart(data, style, colours, width)
        if cache is not None:
            chart_cache.store(cache, key, height, ops)
    chart_cache.remember(key, height, ops)
    return drawing_from_ops(width, height, ops)
