"""Waterfall: each category's contribution as a bar floating from the running total, then the total.

The data step (``charts.data``) appends the end bar: its label is the chart's ``total:`` and its value
the sum of the contributions, so what is drawn, written and spoken is the same sum. Contributions
are coloured by sign (``color_by: series`` draws them all in the series' colour); the total, drawn
from zero, is in the neutral secondary colour.
"""

from __future__ import annotations

from .bar import label_colour, write_value
from .base import ChartKind


def running_ends(values: list[float]) -> list[tuple[float, float]]:
    """(bottom, top) of each bar: the contributions from the running total, the last (the total) from zero."""
    ends, level = [], 0.0
    for value in values[:-1]:
        ends.append((level, level + value))
        level += value
    ends.append((0.0, values[-1]))
    return ends


def draw(plot) -> None:
    style, (series,) = plot.style, plot.data.series
    values = plot.values(series, 0.0)
    ends = running_ends(values)
    by_sign = plot.data.options.get("color_by") != "series"
    colours = [style.positive if top >= bottom else style.negative for bottom, top in ends[:-1]] if by_sign \
        else [plot.colours[0]] * (len(ends) - 1)
    colours.append(style.secondary)
    width = plot.step * 0.62
    plot.axes.bar(plot.xs, [top - bottom for bottom, top in ends], bottom=[bottom for bottom, _ in ends], width=width,
                  color=colours, zorder=3)
    if plot.data.options.get("connectors", True):
        for x, (_, top), next_x in zip(plot.xs, ends, plot.xs[1:]):
            plot.axes.plot([x + width / 2, next_x - width / 2], [top, top], color=style.secondary, linewidth=0.6, zorder=2)
    if plot.value_labels:
        for index, (x, (bottom, top), label) in enumerate(zip(plot.xs, ends, series.labels)):
            total = index == len(ends) - 1
            colour = style.foreground if total or not by_sign else label_colour(colours[index])
            write_value(plot, x, top, top - bottom, label, colour=colour)


KIND = ChartKind("waterfall", draw, x_kinds=("text", "ticker"), x_kinds_drawn=("category",), value_labels=True,
                 max_categories=30, starts_at_zero=True,
                 honours=frozenset({"value_labels", "x_label", "agg", "total", "connectors", "color_by"}))
