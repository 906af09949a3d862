"""Horizontal bar: one row per category (long labels stay readable), values at the bar ends."""

from __future__ import annotations

from .bar import bar_colours, label_colour, write_value
from .base import ChartKind


def draw(plot) -> None:
    count = len(plot.data.series)
    height = 0.62 if count == 1 else 0.8 / count
    for index, (series, colour) in enumerate(zip(plot.data.series, plot.colours)):
        offset = (index - (count - 1) / 2) * height
        ys = [x + offset for x in plot.xs]
        colours = bar_colours(plot, list(series.values), colour)
        by_sign = plot.data.options.get("color_by") == "sign"
        plot.axes.barh(ys, plot.values(series, 0.0), height=height * 0.92, color=colours, zorder=3)
        if plot.value_labels:
            for y, value, label, bar_colour in zip(ys, series.values, series.labels, colours):
                if value is not None:
                    write_value(plot, value, y, value, label, horizontal=True,
                                colour=label_colour(bar_colour) if by_sign else None)


KIND = ChartKind("hbar", draw, x_kinds=("text", "ticker", "date", "number"), x_kinds_drawn=("category",),
                 horizontal=True, value_labels=True, max_categories=40, starts_at_zero=True,
                 honours=frozenset({"value_labels", "sort", "limit", "agg", "color_by"}))  # the categories down the side have no title
