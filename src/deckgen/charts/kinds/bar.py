"""Bar: vertical bars, side by side when there are several series; values on the bars when few."""

from __future__ import annotations

from .base import ChartKind

LABEL_CONTRAST = 4.5  # a value written in a bar's colour is text: WCAG AA on the white page


def bar_width(plot) -> float:
    return plot.step * (0.62 if len(plot.data.series) == 1 else 0.8)


def label_colour(colour: str) -> str:
    """A bar's colour for its value label: darkened (same hue) until text in it reads on the white page."""
    from ...brand.colours import legible_on

    return legible_on(colour, "#FFFFFF", LABEL_CONTRAST)


def bar_colours(plot, values: list, colour: str) -> list[str]:
    """One colour per bar: the series' colour, or (``color_by: sign``) the brand's positive or negative."""
    if plot.data.options.get("color_by") != "sign":
        return [colour] * len(values)
    return [plot.style.negative if value is not None and value < 0 else plot.style.positive for value in values]


def write_value(plot, x: float, y: float, value: float, label: str, horizontal: bool = False, colour: str | None = None) -> None:
    """A bar's value at its end, on a white ground so gridlines never cross it."""
    away = 1 if value >= 0 else -1
    if horizontal:
        offset, alignment = (4 * away, 0), {"va": "center", "ha": "left" if away > 0 else "right"}
    else:
        offset, alignment = (0, 3 * away), {"ha": "center", "va": "bottom" if away > 0 else "top"}
    plot.axes.annotate(label, (x, y), xytext=offset, textcoords="offset points", fontsize=plot.style.size,
                       color=colour or plot.style.foreground,
                       bbox={"boxstyle": "square,pad=0.1", "facecolor": "white", "edgecolor": "none"}, **alignment)


def draw(plot) -> None:
    count = len(plot.data.series)
    width = bar_width(plot) / count
    for index, (series, colour) in enumerate(zip(plot.data.series, plot.colours)):
        offset = (index - (count - 1) / 2) * width
        xs = [x + offset for x in plot.xs]
        colours = bar_colours(plot, list(series.values), colour)
        by_sign = plot.data.options.get("color_by") == "sign"
        plot.axes.bar(xs, plot.values(series, 0.0), width=width * 0.92, color=colours, zorder=3)
        if plot.value_labels:
            for x, value, label, bar_colour in zip(xs, series.values, series.labels, colours):
                if value is not None:
                    write_value(plot, x, value, value, label, colour=label_colour(bar_colour) if by_sign else None)


KIND = ChartKind("bar", draw, value_labels=True, max_categories=40, starts_at_zero=True,
                 honours=frozenset({"value_labels", "x_label", "sort", "limit", "agg", "color_by"}))
