"""Scatter: one point per row, x and y both numbers; points may be named by a label column."""

from __future__ import annotations

from .base import ChartKind


def draw(plot) -> None:
    axes, style = plot.axes, plot.style
    for series, colour in zip(plot.data.series, plot.colours):
        points = [(x, y) for x, y in zip(plot.xs, series.values) if y is not None]
        axes.scatter([p[0] for p in points], [p[1] for p in points], s=22, color=colour, zorder=3, linewidths=0)
    for x, label, values in zip(plot.xs, plot.data.point_labels, zip(*[s.values for s in plot.data.series])):
        y = next((v for v in values if v is not None), None)
        if label and y is not None:
            axes.annotate(label, (x, y), xytext=(4, 3), textcoords="offset points", fontsize=style.size - 1,
                          color=style.foreground)
    axes.yaxis.grid(True)
    axes.xaxis.grid(True)


KIND = ChartKind("scatter", draw, x_kinds=("number", "percent"), x_kinds_drawn=("number",),
                 honours=frozenset({"x_label", "label"}))  # a point per row: nothing to aggregate, sort or cut
