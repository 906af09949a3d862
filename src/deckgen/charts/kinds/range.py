"""Range: a floating bar from each low to high (a single value: a diamond), its range written beside it.

The bars float: nothing starts at zero, so they cannot be read as stacked lengths (35 + 5 = 40%).
"""

from __future__ import annotations

from .base import ChartKind


def draw(plot) -> None:
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    axes, style = plot.axes, plot.style
    count = len(plot.data.series)
    height = 0.5 if count == 1 else 0.7 / count
    has_range = has_single = False
    for index, (series, colour) in enumerate(zip(plot.data.series, plot.colours)):
        offset = (index - (count - 1) / 2) * height
        for y, low, high, label in zip(plot.xs, series.lows, series.highs, series.labels):
            if low is None:
                continue
            y = y + offset
            if high is not None and high > low:
                has_range = True
                axes.barh([y], [high - low], left=[low], height=height * 0.9, color=colour, alpha=0.85, zorder=3)
                for end in (low, high):
                    axes.plot([end, end], [y - height * 0.45, y + height * 0.45], color=colour, linewidth=1.6, zorder=4)
            else:
                has_single = True
                axes.plot([low], [y], marker="D", markersize=6, color=colour, zorder=4, linestyle="")
            axes.annotate(label, (high if high is not None else low, y), xytext=(6, 0), textcoords="offset points",
                          va="center", ha="left", fontsize=style.size,
                          bbox={"boxstyle": "square,pad=0.1", "facecolor": "white", "edgecolor": "none"})
    key = plot.colours[0] if count == 1 else style.secondary
    if has_range:
        plot.handles.append(Patch(color=key, alpha=0.85))
        plot.handle_labels.append("Range (low to high)")
    if has_single:
        plot.handles.append(Line2D([0], [0], marker="D", color=key, linestyle="", markersize=5))
        plot.handle_labels.append("Single estimate")


KIND = ChartKind("range", draw, x_kinds=("text", "ticker", "date", "number"), x_kinds_drawn=("category",),
                 horizontal=True, max_categories=40,
                 honours=frozenset({"sort", "limit", "agg"}))  # its values are always written; the categories have no title
