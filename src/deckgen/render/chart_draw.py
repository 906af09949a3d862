"""Laying a chart out with matplotlib: ChartData -> the drawing operations of a vector chart.

The pieces every kind shares live here: the frame (size and margins measured from the labels),
the value axis formatted by the unit, date ticks by locale, legends or direct labels, reference
lines. A kind's module (``charts/kinds/``) draws only its marks. matplotlib draws onto the
recording renderer of ``chart_backend``, so text is measured and set in the brand's fonts.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any

import matplotlib
from matplotlib.figure import Figure as MplFigure

from ..charts.data import ChartData, Series
from ..charts.kinds import KINDS
from ..charts.periods import closed_period, period_label
from ..formatting import format_month, format_tick
from ..units import Unit, builtin_unit
from .chart_backend import make_renderer
from .chart_style import ChartStyle, chart_height


# -- the plot a kind draws into ------------------------------------------------------------------

@dataclass
class Plot:
    """What a kind's ``draw`` gets: the axes, the data, a colour per series and x as numbers."""

    axes: Any
    data: ChartData
    style: ChartStyle
    colours: list[str]
    xs: list[float]  # x positions: matplotlib date numbers, numbers, or category indexes
    step: float  # the smallest distance between two x positions
    unit: Unit | None
    value_labels: bool
    handles: list = field(default_factory=list)  # legend entries a kind adds beyond the series
    handle_labels: list = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what the drawing had to leave out, for the build to warn about

    def values(self, series: Series, missing: float = math.nan) -> list[float]:
        return [missing if v is None else v for v in series.values]

    def text_size(self, text: str, size: float) -> tuple[float, float, float]:
        """(width, ascent, descent) in points of ``text`` set in the chart's font at ``size``."""
        from reportlab.pdfbase import pdfmetrics

        face = pdfmetrics.getFont(self.style.fonts.regular).face
        return self.style.width(text, size), face.ascent * size / 1000, -face.descent * size / 1000


def draw_chart(data: ChartData, style: ChartStyle, colours: list[str], width_pt: float) -> tuple[float, list]:
    """(height, drawing operations) of the chart ``width_pt`` wide."""
    kind = KINDS[data.kind]
    data = _normalised(data) if data.kind == "percent_bar" else data
    unit = builtin_unit("percent") if data.kind == "percent_bar" else data.unit
    options = data.options
    with matplotlib.rc_context(style.rc()):
        xs, step, tick_positions, tick_labels = _x_positions(data, width_pt, style, kind.horizontal)
        value_labels = options.get("value_labels")
        if value_labels is None:
            value_labels = kind.value_labels and len(data.series) == 1 and len(data.x) <= (24 if kind.horizontal else 12)
        legend_mode = _legend_mode(data, options.get("legend", "auto"))
        height_pt = chart_height(data)
        margins = _margins(data, style, unit, kind.horizontal, legend_mode, tick_labels, width_pt, value_labels)
        figure = MplFigure(figsize=(width_pt / 72, height_pt / 72))
        left, right, bottom, top = margins
        axes = figure.add_axes((left / width_pt, bottom / height_pt, 1 - (left + right) / width_pt, 1 - (bottom + top) / height_pt))
        plot = Plot(axes, data, style, colours, xs, step, unit, value_labels)
        axes.set_axisbelow(True)
        (axes.xaxis if kind.horizontal else axes.yaxis).grid(True)
        kind.draw(plot)
        _value_axis(plot, kind, options)
        _category_axis(plot, kind.horizontal, tick_positions, tick_labels)
        _references(plot, kind.horizontal)
        if kind.finish is not None:
            kind.finish(plot)
        _titles(plot, kind.horizontal, margins, width_pt, height_pt)
        if legend_mode == "legend" or (plot.handles and legend_mode != "none") or (plot.handles and options.get("legend") == "auto"):
            _legend(plot, figure, margins, width_pt, height_pt)
        elif legend_mode == "direct":
            _direct_labels(plot)
        figure.patch.set_visible(False)
        axes.patch.set_visible(False)
        renderer = make_renderer(width_pt, height_pt, style.fonts)
        figure.draw(renderer)
        return height_pt, renderer.ops + [["note", note] for note in plot.notes]


def _normalised(data: ChartData) -> ChartData:
    from dataclasses import replace

    totals = [sum((s.values[i] or 0) for s in data.series) for i in range(len(data.x))]
    series = tuple(
        replace(s, values=tuple((v or 0) / t * 100 if t else 0 for v, t in zip(s.values, totals))) for s in data.series
    )
    return replace(data, series=series)


def _legend_mode(data: ChartData, asked: str) -> str:
    if asked != "auto":
        return asked
    if len(data.series) < 2:
        return "none"
    return "direct" if data.kind == "line" and len(data.series) <= 6 else "legend"


# -- x positions and ticks -----------------------------------------------------------------------

def _x_positions(data: ChartData, width_pt: float, style: ChartStyle, horizontal: bool):
    if data.x_kind == "date":
        from matplotlib.dates import date2num

        xs = [float(date2num(value)) for value in data.x]
        step = min((b - a for a, b in zip(xs, xs[1:])), default=30.0)
        positions, labels = date_ticks(list(data.x), width_pt * 0.85, style, data.locale)
        return xs, step, [float(date2num(p)) for p in positions], labels
    if data.x_kind == "number":
        xs = [float(value) for value in data.x]
        step = min((b - a for a, b in zip(xs, xs[1:])), default=1.0) or 1.0
        return xs, step, None, None
    xs = [float(i) for i in range(len(data.x))]
    return xs, 1.0, xs, [str(value) for value in data.x]


MONTH_STEPS = (1, 2, 3, 6, 12, 24, 60, 120)


def date_ticks(dates: list[dt.date], room_pt: float, style: ChartStyle, locale: str) -> tuple[list[dt.date], list[str]]:
    """Ticks on whole months, quarters, half-years or years, as many as fit; labelled by locale.

    Monthly and quarterly ticks name the year at the first tick and at each January ('Jan 2025',
    'Apr', 'Jul', 'Oct', 'Jan 2026'); yearly ticks are just the year. Dates that all end a period
    are labelled as the period they close, at the dates themselves (see ``period_ticks``).
    """
    closing = period_ticks(dates, room_pt, style, locale)
    if closing is not None:
        return closing
    first, last = dates[0], dates[-1]
    if (last - first).days < 62:  # daily data over a few weeks: day ticks
        days = max(1, (last - first).days)
        for step in (1, 2, 7, 14, 28):
            ticks = [first + dt.timedelta(days=d) for d in range(0, days + 1, step)]
            labels = [format_month(t, locale, "MMMd") for t in ticks]
            if _fits(labels, room_pt, style):
                return ticks, labels
        return [first, last], [format_month(first, locale, "MMMd"), format_month(last, locale, "MMMd")]
    for step in MONTH_STEPS:
        start_month = (first.year * 12 + first.month - 1)
        start_month += (-start_month) % step if step <= 12 else (-(start_month // 12)) % (step // 12) * 12 + (-start_month) % 12
        ticks = []
        month = start_month
        while True:
            tick = dt.date(month // 12, month % 12 + 1, 1)
            if tick > last:
                break
            if tick >= first:
                ticks.append(tick)
            month += step
        if not ticks:
            continue
        if step >= 12:
            labels = [format_month(t, locale, "y") for t in ticks]
        else:
            labels = [format_month(t, locale, "yMMM") if i == 0 or t.month == 1 else format_month(t, locale, "MMM")
                      for i, t in enumerate(ticks)]
        if _fits(labels, room_pt, style):
            return ticks, labels
    return [first, last], [format_month(first, locale, "y"), format_month(last, locale, "y")]


PERIOD_STEPS = {"month": (1, 2, 3, 6, 12, 24, 60, 120), "quarter": (1, 2, 4, 8, 20, 40), "year": (1, 2, 5, 10, 20, 50)}


def period_ticks(dates: list[dt.date], room_pt: float, style: ChartStyle, locale: str) -> tuple[list[dt.date], list[str]] | None:
    """Dates that all close a period (quarter ends, month ends, year ends) labelled as that period
    ('Q4 2024', 'Dec 2024', '2024'), a tick at each date (each bar) where the labels fit, else at every
    second, fourth... period, on round ones (Q2 and Q4; June and December). The year is named at the
    first tick and wherever it changes ('Q3 2024', 'Q4', 'Q1 2025'). None if the dates close no period."""
    period = closed_period(dates)
    if period is None:
        return None
    per_year = {"month": 12, "quarter": 4, "year": 1}[period]
    for step in PERIOD_STEPS[period]:
        def index(day: dt.date) -> int:  # the period's number since year 0, counted from 1
            return day.year * per_year + (day.month * per_year // 12 if period != "year" else 0)

        ticks = [day for day in dates if step == 1 or index(day) % step == 0]
        if not ticks:
            continue
        labels = [period_label(day, period, locale, with_year=i == 0 or day.year != ticks[i - 1].year)
                  for i, day in enumerate(ticks)]
        if _fits(labels, room_pt, style):
            return ticks, labels
    return None


def _fits(labels: list[str], room_pt: float, style: ChartStyle) -> bool:
    widest = max(style.width(label, style.size - 0.5) for label in labels)
    return len(labels) * (widest + 10) <= room_pt


# -- margins, measured from what will be written there ---------------------------------------------

def _value_ticks(plot_values: list[float], unit: Unit | None, locale: str) -> list[str]:
    from matplotlib.ticker import MaxNLocator

    low, high = min(plot_values + [0.0]), max(plot_values + [0.0])
    ticks = MaxNLocator(nbins=5, steps=[1, 2, 2.5, 5, 10]).tick_values(low, high)
    step = float(ticks[1] - ticks[0]) if len(ticks) > 1 else 1.0
    return [format_tick(float(t), step, unit, locale) for t in ticks]


VALUE_TITLE_RISE = 8  # points from the plot's top to the value axis title: clear of the top tick's label, centred there


def _margins(data, style, unit, horizontal, legend_mode, tick_labels, width_pt, value_labels) -> tuple[float, float, float, float]:
    values = [v for s in data.series for v in (s.highs or s.values) if v is not None] or [0.0]
    if data.kind == "waterfall":
        from ..charts.kinds.waterfall import running_ends

        values = [end for ends in running_ends([v or 0.0 for v in data.series[0].values]) for end in ends]
    if data.kind in ("stacked_bar", "area"):
        values = values + [sum(max(s.values[i] or 0, 0) for s in data.series) for i in range(len(data.x))]
    value_ticks = _value_ticks(values, unit, data.locale)
    tick_width = max(style.width(t, style.size - 0.5) for t in value_ticks)
    title_room = style.size + VALUE_TITLE_RISE + 1 if data.value_title and not horizontal else 0
    legend_room = _legend_rows(data, style, width_pt) * (style.size + 5) + 4 if legend_mode == "legend" or data.kind == "range" else 0
    if horizontal:
        category_width = max((style.width(str(x), style.size - 0.5) for x in data.x), default=0)
        left = min(category_width + 10, width_pt * 0.42)
        longest_label = max((style.width(label, style.size) for s in data.series for label in s.labels), default=0)
        right = 6 + (longest_label + 6 if value_labels or data.kind == "range" else tick_width / 2)
        bottom = style.size + 10 + (style.size + 6 if data.value_title else 0)
        return left, right, bottom, max(legend_room, 6)
    left = tick_width + 8
    right = 8.0
    if legend_mode == "direct":
        right = 8 + max(style.width(_direct_text(plot_label, data), style.size - 0.5) for plot_label in data.series)
        right = min(right, width_pt * 0.35)
    bottom = style.size + 10 + (style.size + 6 if data.x_title else 0)
    if data.x_kind == "category" and tick_labels:
        per_label = (width_pt - left - right) / max(len(tick_labels), 1)
        lines = max(len(_wrap(label, per_label, style)) for label in tick_labels)
        bottom += (lines - 1) * (style.size + 1)
    top = 6 + title_room + legend_room + (style.size + 4 if value_labels else 0)
    return left, right, bottom, top


def _legend_rows(data: ChartData, style: ChartStyle, width_pt: float) -> int:
    entries = [s.name for s in data.series] + (["Range (low to high)", "Single estimate"] if data.kind == "range" else [])
    if data.kind == "range" and len(data.series) == 1:
        entries = ["Range (low to high)", "Single estimate"]
    widths = [style.width(e, style.size - 0.5) + 26 for e in entries]
    rows, used = 1, 0.0
    for w in widths:
        if used + w > width_pt - 10 and used > 0:
            rows, used = rows + 1, 0.0
        used += w
    return rows


def _wrap(label: str, room: float, style: ChartStyle) -> list[str]:
    words, lines = label.split(), [""]
    for word in words:
        candidate = f"{lines[-1]} {word}".strip()
        if style.width(candidate, style.size - 0.5) <= room - 4 or not lines[-1]:
            lines[-1] = candidate
        else:
            lines.append(word)
    return lines


# -- axes ----------------------------------------------------------------------------------------

# A line of amounts that lies closer to zero than its own span (capacity from 0.6 to 9.2 GW) is drawn
# from zero, so its lowest line does not look like nothing; one that moves far from zero (a yield from
# 4.1% to 4.6%, an index rebased to 100) keeps a tight axis so its movements can be read.
NEAR_ZERO = 0.5


def _near_zero(plot: Plot, data, options: dict, low: float, high: float) -> bool:
    if data.kind not in ("line",) or options.get("transform") == "rebase" or options.get("y_min") is not None:
        return False
    values = [v for s in data.series for v in s.values if v is not None]
    if not values or min(values) < 0 < max(values):
        return False
    nearest, farthest = min(abs(v) for v in values), max(abs(v) for v in values)
    return nearest <= NEAR_ZERO * farthest


def _value_axis(plot: Plot, kind, options: dict) -> None:
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    axes, data, horizontal = plot.axes, plot.data, kind.horizontal
    axis = axes.xaxis if horizontal else axes.yaxis
    locator = MaxNLocator(nbins=5, steps=[1, 2, 2.5, 5, 10])
    axis.set_major_locator(locator)
    get_limits, set_limits = (axes.get_xlim, axes.set_xlim) if horizontal else (axes.get_ylim, axes.set_ylim)
    low, high = get_limits()
    starts_at_zero = kind.starts_at_zero or (
        data.kind == "range" and plot.unit is not None and plot.unit.kind == "percent")  # floating cost bars need no zero
    if starts_at_zero and low > 0:
        low = 0.0
    if kind.starts_at_zero and high < 0:  # bars of negative values hang from zero
        high = 0.0
    if not starts_at_zero and _near_zero(plot, data, options, low, high):
        low, high = min(low, 0.0), max(high, 0.0)
    if data.kind == "percent_bar":
        low, high = 0.0, 100.0
    if options.get("y_min") is not None:
        low = options["y_min"]
    if options.get("y_max") is not None:
        high = options["y_max"]
    ticks = [t for t in locator.tick_values(low, high)]
    if data.kind == "range" and not starts_at_zero and options.get("y_min") is None:
        below = [t for t in ticks if t < min(v for s in data.series for v in s.lows if v is not None)]
        low = below[-1] if below else low
    fixed = None
    if data.kind != "percent_bar":
        low, high, fixed = _to_round_ticks(locator, axes.dataLim.intervalx if horizontal else axes.dataLim.intervaly,
                                           low, high, options, clearance=0.0 if kind.starts_at_zero else MARK_CLEARANCE)
    if plot.value_labels and kind.value_labels and options.get("y_min") is None:
        low = _room_below(plot, kind, low, high)
    set_limits(low, high)
    ticks = [t for t in locator.tick_values(low, high)]
    if fixed is not None and not any(abs(t - high) < 1e-9 * max(1.0, abs(high)) for t in ticks):
        from matplotlib.ticker import FixedLocator  # the locator would label a tick short of the top: keep the round ones

        ticks = [t for t in fixed if low - 1e-9 <= t <= high + 1e-9]
        axis.set_major_locator(FixedLocator(ticks))
    step = float(ticks[1] - ticks[0]) if len(ticks) > 1 else 1.0
    axis.set_major_formatter(FuncFormatter(lambda value, _: format_tick(value, step, plot.unit, data.locale)))
    axes.tick_params(axis="x" if horizontal else "y", length=0, pad=4)
    if horizontal:
        axes.spines["bottom"].set_visible(False)
    else:
        axes.spines["left"].set_visible(False)
    if low < 0 < high and data.kind != "scatter":
        (axes.axvline if horizontal else axes.axhline)(0, color=plot.style.foreground, linewidth=0.7, zorder=2)


MARK_CLEARANCE = 0.01  # of the data's span: a marker or line at an extreme is not drawn on the axis' edge, half cut off


def _to_round_ticks(locator, extent, low: float, high: float, options: dict,
                    clearance: float = 0.0) -> tuple[float, float, list[float] | None]:
    """(low, high, ticks): the value axis run on to the next round tick at or above the data's maximum, and
    down to the round tick at or below its minimum when that is negative, so that the labelled ticks
    span every value drawn (a maximum of 9.2 reads against a top tick of 10, not 8). Points and lines
    (``clearance``) keep a little room from the tick. Data that never goes below zero is not given a
    negative stretch under it (which put the axis line just under the zero grid line, a double rule);
    a limit the spec fixes (y_min, y_max) is kept as given."""
    data_low, data_high = (float(value) for value in extent)
    if not (math.isfinite(data_low) and math.isfinite(data_high)) or data_low >= data_high:
        return low, high, None  # no data, or one value: the padded limits around it stand
    if options.get("y_min") is None and data_low >= 0 > low:
        low = 0.0
    if options.get("y_max") is None and data_high <= 0 < high:
        high = 0.0
    room = clearance * (data_high - data_low)
    ticks = [float(t) for t in locator.tick_values(low, high + room)]
    tolerance = 1e-9 * max(1.0, abs(data_high), abs(data_low))
    if options.get("y_max") is None and data_high > 0:
        high = next((t for t in ticks if t >= data_high + room - tolerance), high)
    if options.get("y_min") is None and data_low < 0:
        low = next((t for t in reversed(ticks) if t <= data_low - room + tolerance), low)
    return low, high, ticks


def _room_below(plot: Plot, kind, low: float, high: float) -> float:
    """The value axis' lower limit, lowered so that the value written beyond each falling bar's end
    stays inside the plotting area (clear of the category labels beside or below it). Rising bars
    write theirs into the margin kept for them above (or to the right)."""
    data, style = plot.data, plot.style
    if data.kind == "waterfall":
        from ..charts.kinds.waterfall import running_ends

        ends = [(top, top - bottom) for bottom, top in running_ends(plot.values(data.series[0], 0.0))]
    else:
        ends = [(value, value) for series in data.series for value in series.values if value is not None]
    labels = [label for series in data.series for label in series.labels]
    falling = [end for end, change in ends if change < 0]
    if not falling:
        return low
    box = plot.axes.get_position()
    figure = plot.axes.figure
    if kind.horizontal:
        length = box.width * figure.get_figwidth() * 72
        need = 4 + max((style.width(label, style.size) for label in labels), default=0.0) + 4
    else:
        length = box.height * figure.get_figheight() * 72
        need = 3 + style.size * 1.25 + 2
    lowest = min(falling)
    if need >= length:
        return low
    # the end plus ``need`` points, in data units of the axis that results: (lowest - new) / (high - new) = need / length
    wanted = (lowest * length - need * high) / (length - need)
    return min(low, wanted)


def _category_axis(plot: Plot, horizontal: bool, positions, labels) -> None:
    axes, data = plot.axes, plot.data
    if data.x_kind == "category":
        if horizontal:
            axes.set_yticks(positions, labels=labels)
            axes.set_ylim(len(data.x) - 0.5, -0.5)  # the first category at the top
            axes.tick_params(axis="y", length=0, pad=4)
            axes.spines["left"].set_visible(True)
        else:
            room = axes.get_position().width * axes.figure.get_figwidth() * 72 / max(len(labels), 1)
            axes.set_xticks(positions, labels=["\n".join(_wrap(label, room, plot.style)) for label in labels])
            pad = 0.25 if data.kind in ("line", "area") else 0.6  # bars need half a bar's room; a line's ends do not
            axes.set_xlim(-pad, len(data.x) - 1 + pad)
            axes.tick_params(axis="x", length=0, pad=4)
    elif data.x_kind == "date":
        axes.set_xticks(positions, labels=labels)
        pad = plot.step * 0.6 if data.kind in ("bar", "stacked_bar", "percent_bar") else 0
        axes.set_xlim(plot.xs[0] - pad, plot.xs[-1] + pad)
    else:
        from matplotlib.ticker import FuncFormatter, MaxNLocator

        locator = MaxNLocator(nbins=6, steps=[1, 2, 2.5, 5, 10])
        axes.xaxis.set_major_locator(locator)
        ticks = locator.tick_values(*axes.get_xlim())  # the ticks drawn: over the axis as autoscaled, not the data alone
        step = float(ticks[1] - ticks[0]) if len(ticks) > 1 else 1.0
        axes.xaxis.set_major_formatter(FuncFormatter(lambda value, _: format_tick(value, step, data.x_unit, data.locale)))


def _references(plot: Plot, horizontal: bool) -> None:
    from matplotlib.dates import date2num

    axes, style = plot.axes, plot.style
    for reference in plot.data.references:
        if reference.axis == "x":
            if plot.data.x_kind == "date":
                position = float(date2num(reference.value))
            elif plot.data.x_kind == "number":
                position = float(reference.value)
            else:
                position = float([str(x) for x in plot.data.x].index(str(reference.value)))
            line = axes.axhline if horizontal else axes.axvline
            line(position, color=style.secondary, linewidth=0.8, linestyle=(0, (3, 2)), zorder=4)
            if reference.label:
                if horizontal:
                    axes.annotate(reference.label, (1, position), xycoords=("axes fraction", "data"), xytext=(-2, 2),
                                  textcoords="offset points", ha="right", va="bottom", fontsize=style.size - 0.5, color=style.secondary)
                else:
                    axes.annotate(reference.label, (position, 1), xycoords=("data", "axes fraction"), xytext=(3, -2),
                                  textcoords="offset points", ha="left", va="top", fontsize=style.size - 0.5, color=style.secondary,
                                  bbox={"boxstyle": "square,pad=0.1", "facecolor": "white", "edgecolor": "none"})
        else:
            line = axes.axvline if horizontal else axes.axhline
            solid = reference.value == 0
            line(reference.value, color=style.foreground if solid else style.secondary, linewidth=0.8,
                 linestyle="-" if solid else (0, (3, 2)), zorder=4)
            if reference.label:
                if horizontal:
                    axes.annotate(reference.label, (reference.value, 1), xycoords=("data", "axes fraction"), xytext=(3, -2),
                                  textcoords="offset points", ha="left", va="top", fontsize=style.size - 0.5, color=style.secondary)
                else:
                    axes.annotate(reference.label, (0, reference.value), xycoords=("axes fraction", "data"), xytext=(2, 2),
                                  textcoords="offset points", ha="left", va="bottom", fontsize=style.size - 0.5, color=style.secondary,
                                  bbox={"boxstyle": "square,pad=0.1", "facecolor": "white", "edgecolor": "none"})


def _titles(plot: Plot, horizontal: bool, margins, width_pt: float, height_pt: float) -> None:
    axes, data, style = plot.axes, plot.data, plot.style
    left, _, bottom, top = margins
    if horizontal:
        if data.value_title:
            axes.set_xlabel(data.value_title, fontsize=style.size - 0.5, color=style.secondary, labelpad=4)
        return
    if data.value_title:  # above the value axis, read left to right rather than turned on its side
        above = (style.size + 4 if plot.value_labels else 0) + VALUE_TITLE_RISE
        axes.annotate(data.value_title, (0, 1), xycoords="axes fraction", xytext=(-left + 1, above),
                      textcoords="offset points", ha="left", va="bottom", fontsize=style.size - 0.5, color=style.secondary)
    if data.x_title:
        axes.set_xlabel(data.x_title, fontsize=style.size - 0.5, color=style.secondary, labelpad=4)


def _legend(plot: Plot, figure, margins, width_pt: float, height_pt: float) -> None:
    from matplotlib.patches import Patch
    from matplotlib.lines import Line2D

    data, style = plot.data, plot.style
    left, _, _, top = margins
    handles, labels = list(plot.handles), list(plot.handle_labels)
    if not (data.kind == "range" and len(data.series) == 1):
        for series, colour in zip(data.series, plot.colours):
            if data.kind in ("line",):
                handles.append(Line2D([0], [0], color=colour, linewidth=2))
            elif data.kind == "scatter":
                handles.append(Line2D([0], [0], color=colour, marker="o", linestyle="", markersize=4.5))
            else:
                handles.append(Patch(color=colour))
            labels.append(series.name)
    if not handles:
        return
    rows = _legend_rows(data, style, width_pt)
    columns = math.ceil(len(handles) / rows)
    figure.legend(handles=handles, labels=labels, loc="upper left", bbox_to_anchor=(2 / width_pt, 1 - 2 / height_pt),
                  ncol=columns, frameon=False, fontsize=style.size - 0.5, handlelength=1.3, handleheight=0.8,
                  handletextpad=0.5, columnspacing=1.2, borderaxespad=0, borderpad=0)


def _direct_text(series: Series, data: ChartData) -> str:
    last = next((label for label in reversed(series.labels) if label), "")
    return f"{series.name} {last}".strip()


def _direct_labels(plot: Plot) -> None:
    """Each line named at its end, nudged apart so no two labels overlap."""
    axes, style, data = plot.axes, plot.style, plot.data
    ends = []
    for series, colour in zip(data.series, plot.colours):
        last = next((i for i in range(len(series.values) - 1, -1, -1) if series.values[i] is not None), None)
        if last is not None:
            ends.append([series.values[last], plot.xs[last], _direct_text(series, data), colour])
    if not ends:
        return
    low, high = axes.get_ylim()
    axes_height = axes.get_position().height * axes.figure.get_figheight() * 72
    gap = (style.size + 1.5) * (high - low) / axes_height
    ends.sort(key=lambda end: end[0])
    positions = [end[0] for end in ends]
    for i in range(1, len(positions)):
        positions[i] = max(positions[i], positions[i - 1] + gap)
    overflow = positions[-1] - (high - gap / 2)
    if overflow > 0:
        positions = [p - overflow for p in positions]
        for i in range(len(positions) - 2, -1, -1):
            positions[i] = min(positions[i], positions[i + 1] - gap)
    for (value, x, text, colour), y in zip(ends, positions):
        axes.annotate(text, (plot.xs[-1], y), xytext=(5, 0), textcoords="offset points", va="center", ha="left",
                      fontsize=style.size - 0.5, color=colour, annotation_clip=False)
