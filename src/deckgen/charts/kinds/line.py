"""Line: one line per series along dates, numbers or categories (a yield curve's tenors, in the data's
order); named at their ends when there are few."""

from __future__ import annotations

from .base import ChartKind


def draw(plot) -> None:
    many_points = len(plot.xs) > 40
    for series, colour in zip(plot.data.series, plot.colours):
        plot.axes.plot(plot.xs, plot.values(series), color=colour, linewidth=1.4 if many_points else 1.8,
                       marker=None if many_points or len(plot.xs) > 16 else "o", markersize=3, zorder=3)


KIND = ChartKind("line", draw, honours=frozenset({"x_label", "agg", "transform"}))
