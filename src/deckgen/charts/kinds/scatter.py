"""Scatter: one point per row, x and y both numbers; grouped (one colour and legend entry each) by a
text ``series`` column; points may be named by a ``label`` column, placed clear of one another."""

from __future__ import annotations

from .base import ChartKind

MARKER_AREA = 22.0  # square points: a marker about 4.7 pt across


def draw(plot) -> None:
    axes = plot.axes
    for series, colour in zip(plot.data.series, plot.colours):
        points = [(x, y) for x, y in zip(plot.xs, series.values) if y is not None]
        # a thin ring of the paper's white round each marker: points on top of one another stay told apart
        axes.scatter([p[0] for p in points], [p[1] for p in points], s=MARKER_AREA, color=colour, zorder=3,
                     edgecolors="white", linewidths=0.6)
    axes.yaxis.grid(True)
    axes.xaxis.grid(True)


def name_points(plot) -> None:
    """The point labels, once the axes are final: placed in page space by ``render.chart_labels``."""
    from ...render.chart_labels import Box, place_labels

    axes, style, data = plot.axes, plot.style, plot.data
    if not data.point_labels:
        return
    size = style.size - 1
    points, sizes = [], []
    for x, label, values in zip(plot.xs, data.point_labels, zip(*[s.values for s in data.series])):
        y = next((v for v in values if v is not None), None)
        points.append(tuple(axes.transData.transform((x, y))) if label and y is not None else None)
        sizes.append(plot.text_size(label, size) if label else (0.0, 0.0, 0.0))
    area = Box(*axes.bbox.extents)
    placed, left_out = place_labels(points, sizes, (MARKER_AREA ** 0.5) / 2, area)
    to_data = axes.transData.inverted()
    for label in placed:
        axes.annotate(data.point_labels[label.index], to_data.transform(label.anchor), ha="left", va="baseline",
                      fontsize=size, color=style.foreground, annotation_clip=False, zorder=5)
        if label.leader is not None:
            (x0, y0), (x1, y1) = (to_data.transform(end) for end in label.leader)
            axes.plot([x0, x1], [y0, y1], color=style.secondary, linewidth=0.5, zorder=4, clip_on=False)
    plot.notes += [f"the label '{data.point_labels[index]}' has no free place beside its point and is left out"
                   for index in left_out]


KIND = ChartKind("scatter", draw, x_kinds=("number", "percent"), x_kinds_drawn=("number",), finish=name_points,
                 honours=frozenset({"x_label", "label"}))  # a point per row: nothing to aggregate, sort or cut
