"""Area: series stacked on one another, so the top edge is the total."""

from __future__ import annotations

from .base import ChartKind


def draw(plot) -> None:
    plot.axes.stackplot(plot.xs, *[plot.values(series, 0.0) for series in plot.data.series], colors=plot.colours,
                        linewidth=0.6, edgecolor="white", zorder=3)


KIND = ChartKind("area", draw, x_kinds=("date", "number", "percent"), x_kinds_drawn=("date", "number"), stacked=True,
                 honours=frozenset({"x_label", "agg"}))
