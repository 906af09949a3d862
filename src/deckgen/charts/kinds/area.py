"""Area: series stacked on one another, so the top edge is the total."""

from __future__ import annotations

from .base import ChartKind


def draw(plot) -> None:
    plot.axes.stackplot(plot.xs, *[plot.values(series, 0.0) for series in plot.data.series], colors=plot.colours,
                        linewidth=0.6, edgecolor="white", zorder=3)


KIND = ChartKind("area", draw, stacked=True, starts_at_zero=True,  # a text x: categories in the data's order
                 honours=frozenset({"x_label", "agg", "transform"}))
