"""Stacked bar: each bar split into its series; positive values stack up, negative ones down."""

from __future__ import annotations

from .base import ChartKind
from .bar import bar_width


def stack(plot) -> None:
    width = bar_width(plot) if len(plot.data.series) > 1 else plot.step * 0.62
    up = [0.0] * len(plot.xs)
    down = [0.0] * len(plot.xs)
    for series, colour in zip(plot.data.series, plot.colours):
        values = plot.values(series, 0.0)
        bottoms = [u if v >= 0 else d for v, u, d in zip(values, up, down)]
        plot.axes.bar(plot.xs, values, bottom=bottoms, width=width, color=colour, zorder=3, linewidth=0.4, edgecolor="white")
        up = [u + max(v, 0) for u, v in zip(up, values)]
        down = [d + min(v, 0) for d, v in zip(down, values)]


KIND = ChartKind("stacked_bar", stack, stacked=True, max_categories=40, starts_at_zero=True,
                 honours=frozenset({"x_label", "sort", "limit", "agg"}))  # no values on the marks
