"""What a chart kind declares: the data it accepts and the function that draws it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

COLUMN_KINDS_ANY = ("date", "number", "percent", "text", "ticker")
COLUMN_KINDS_CATEGORY = ("text", "ticker", "date", "number")
MAX_SERIES = 12  # series in one chart (and colours a brief's palette gives)

# Chart options only some kinds use; a kind lists those it honours in ``honours``, and a chart that
# writes one its kind would ignore is refused at that key (``sections.chart.Chart.ignored_keys``).
KIND_OPTIONS = ("value_labels", "x_label", "sort", "limit", "agg", "label", "transform", "color_by", "total", "connectors")


@dataclass(frozen=True)
class ChartKind:
    name: str
    draw: Callable[[Any], None]  # given a ``render.chart_draw.Plot`` (the renderer imports the kinds, not they it)
    x_kinds: tuple[str, ...] = COLUMN_KINDS_ANY  # column types allowed for x
    x_kinds_drawn: tuple[str, ...] = ("date", "number", "category")
    horizontal: bool = False  # categories down the side, values along the bottom
    stacked: bool = False
    max_categories: int = 60
    value_labels: bool = False  # values written on the marks by default (when few)
    honours: frozenset[str] = frozenset()  # which of KIND_OPTIONS it uses
    finish: Callable[[Any], None] | None = None  # drawn once the axes are final (labels placed in page space)
    starts_at_zero: bool = False  # the value axis includes zero (bar lengths are read from it)
