"""Bar: vertical bars, side by side when there are several series; values on the bars when few."""

from __future__ import annotations

from .base import ChartKind


def bar_width(plot) -> float:
    return plot.step * (0.62 if len(plot.data.series) == 1 else 0.8)


def write_value(plot, x: float, y: float, value: float, label: str, horizontal: bool = False) -> None:
    """A bar's value at its end, on a white ground so gridlines never cross it."""
    away = 1 if value >= 0 else -1
    if horizontal:
        offset, alignment = (4 * away, 0), {"va": "center", "ha": "left" if away > 0 else "right"}
    else:
        offset, alignment = (0, 3 * away), {"ha": "center", "va": "bottom" if away > 0 else "top"}
    plot.axes.annotate(label, (x, y), xytext=offset, textcoords="offset points", fontsize=plot.style.size,
                       bbox={"boxstyle": "square,pad=0.1", "facecolor": "white", "edgecolor": "none"}, **alignment)


def draw(plot) -> None:
    count = len(plot.data.series)
    width = bar_width(plot) / count
    for index, (series, colour) in enumerate(zip(plot.data.series, plot.colours)):
        offset = (index - (count - 1) / 2) * width
        xs = [x + offset for x in plot.xs]
        plot.axes.bar(xs, plot.values(series, 0.0), width=width * 0.92, color=colour, zorder=3)
        if plot.value_labels:
            for x, value, label in zip(xs, series.values, series.labels):
                if value is not None:
                    write_value(plot, x, value, value, label)


KIND = ChartKind("bar", draw, value_labels=True, max_categories=40,
                 honours=frozenset({"value_labels", "x_label", "sort", "limit", "agg"}))
