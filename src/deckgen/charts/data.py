"""Chart section + checked report -> ChartData: the numbers a chart draws, checked, with no drawing.

This runs at validate time (so a chart that validates can be drawn) and its result is what the
renderer draws. Nothing here imports matplotlib or reportlab.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from ..formatting import format_date, format_signed, join_range
from ..sections.base import NothingSelected
from ..tables import DataErrors, QueryError, Table, check_column, empty_selection, select
from ..units import Unit, find_unit
from .kinds import KINDS, MAX_SERIES

if TYPE_CHECKING:
    from ..sections.base import ReportView as Report
    from ..sections.base import SectionModel as Chart  # a ``sections.chart.Chart``, which imports this module

MAX_POINTS = 5_000


@dataclass(frozen=True)
class Series:
    name: str
    values: tuple[float | None, ...]  # one per x; None: no value (a gap)
    lows: tuple[float | None, ...] = ()  # range charts: the ends of each bar
    highs: tuple[float | None, ...] = ()
    labels: tuple[str, ...] = ()  # each value as the brief writes it ("35–40%", "1.2 GW"): see ``formatted``
    keyed: bool = False  # named by the data (a series column): its colour is the same in every chart
    raw: tuple[Any, ...] = ()  # what each label is made from: a Decimal, a (low, high) pair, a figure's name
    decimals: int | None = None


@dataclass(frozen=True)
class Reference:
    axis: str  # "x" or "y"
    value: Any  # a date, a number, or a category
    label: str | None


@dataclass(frozen=True)
class ChartData:
    kind: str
    title: str
    x_kind: str  # date | number | category
    x: tuple[Any, ...]
    series: tuple[Series, ...]
    unit: Unit | None  # of the values
    x_unit: Unit | None
    value_title: str  # the value axis title ("Capacity (GW)")
    x_title: str
    references: tuple[Reference, ...] = ()
    point_labels: tuple[str, ...] = ()  # scatter
    source_ids: tuple[str, ...] = ()
    as_of: tuple[dt.date, ...] = ()
    figure_names: tuple[str, ...] = ()
    alt: str = ""  # as the spec gives it; ``describe`` derives one from the data at render time
    locale: str = "en_US"
    options: dict = field(default_factory=dict)  # y_min, y_max, legend, value_labels, width, height


def chart_data(chart: "Chart", report: "Report") -> "ChartData | NothingSelected":
    """The chart's data, or DataErrors naming every problem at its key in the section (or, for a chart
    whose ``where`` selects no row and that has ``if_empty``, what to print instead)."""
    chart = _with_text_resolved(chart, report)
    if chart.table is not None:
        data = _from_table(chart, report)
        if isinstance(data, NothingSelected):
            return data
    elif chart.figures is not None:
        data = _from_figures(chart, report)
    else:
        data = _from_breakdown(chart, report)
    if chart.kind == "waterfall":
        data = _with_total(chart, data)
    errors = _check_shape(chart, data)
    if errors:
        raise DataErrors(errors)
    references = tuple(_reference(chart, data, index, annotation) for index, annotation in enumerate(chart.annotations))
    options = {
        "y_min": chart.y_min, "y_max": chart.y_max, "legend": chart.legend, "value_labels": chart.value_labels,
        "width": chart.width, "height": chart.height, "transform": chart.transform,
        "color_by": chart.color_by or ("sign" if chart.kind == "waterfall" else "series"),
        "connectors": chart.connectors is not False, "set_colours": _colour_keys(chart, data),
    }
    return _replace(data, references=references, options=options, locale=report.spec.locale, alt=chart.alt or "")


def _with_text_resolved(chart: "Chart", report: "Report") -> "Chart":
    """The chart with its texts as a reader sees them: figures written out, citations numbered
    (a title, axis titles, annotation labels and alt text take {{ figures }} like any text)."""
    resolved = {name: report.plain(getattr(chart, name)) for name in ("title", "x_label", "y_label", "alt")
                if getattr(chart, name)}
    if any(annotation.label for annotation in chart.annotations):
        resolved["annotations"] = [annotation.model_copy(update={"label": report.plain(annotation.label)})
                                   if annotation.label else annotation for annotation in chart.annotations]
    return chart.model_copy(update=resolved) if resolved else chart


def _replace(data: ChartData, **changes) -> ChartData:
    from dataclasses import replace

    return replace(data, **changes)


# -- from a table --------------------------------------------------------------------------------

def _from_table(chart: "Chart", report: "Report") -> "ChartData | NothingSelected":
    table: Table = report.tables[chart.table]  # type: ignore[index]
    errors: list[QueryError] = []

    def column(name, loc, **kwargs):
        try:
            return check_column(table, name, loc, **kwargs)
        except QueryError as error:
            errors.append(error)
            return None

    kind = KINDS[chart.kind]
    x_column = column(chart.x, ("x",), kinds=kind.x_kinds, purpose=f"kind: {chart.kind} needs x to be")
    if chart.kind == "range":
        value_columns = [column(chart.low, ("low",), numeric=True), column(chart.high, ("high",), numeric=True)]
    else:
        value_columns = [column(name, ("y", index) if isinstance(chart.y, list) else ("y",), numeric=True)
                         for index, name in enumerate(chart.y_columns)]
    series_column = column(chart.series, ("series",)) if chart.series is not None else None
    label_column = column(chart.label, ("label",)) if chart.label is not None else None
    try:
        rows = select(table, chart.where)
    except QueryError as error:
        errors.append(error)
        rows = None
    if rows == [] and chart.if_empty is None:
        errors.append(empty_selection(table, chart.where, "chart"))
    if errors:
        raise DataErrors(errors)
    if not rows:
        return NothingSelected(chart.if_empty)  # type: ignore[return-value,arg-type]
    units = {c.unit for c in value_columns if c is not None}
    if len(units) > 1:
        names = ", ".join(sorted(str(u) for u in units))
        raise DataErrors([QueryError(("y",), f"the y columns have different units ({names}); one chart has one value axis",
                                      "draw them in separate charts")])
    unit = _unit(next(iter(units)), report, ("y",))
    x_kind = {"date": "date", "number": "number", "percent": "number"}.get(x_column.kind, "category")  # type: ignore[union-attr]
    x_index = table.index(chart.x)  # type: ignore[arg-type]
    value_indexes = [table.index(c.name) for c in value_columns if c is not None]
    rows = [row for row in rows if row[x_index] is not None]

    if chart.kind == "scatter":
        return _scatter(chart, report, table, rows, x_index, value_indexes[0], series_column, label_column, unit)

    x_values = _ordered_x([row[x_index] for row in rows], x_kind)
    position = {value: index for index, value in enumerate(x_values)}
    series_names: list[str]
    if chart.kind == "range":
        keyed = series_column is not None
        series_names = _distinct(rows, table.index(series_column.name)) if series_column else [chart.title]
    elif series_column is not None:
        keyed = True
        series_names = _distinct(rows, table.index(series_column.name))
    else:
        keyed = False
        series_names = wide_series_names([c for c in value_columns if c is not None])
    if len(series_names) > MAX_SERIES:
        raise DataErrors([QueryError(("series",), f"{len(series_names)} series; a chart can show at most {MAX_SERIES}",
                                      "narrow it with where: or show the data as a table")])
    if len(x_values) > MAX_POINTS:
        raise DataErrors([QueryError(("x",), f"{len(x_values)} points along x; a chart can show at most {MAX_POINTS}",
                                      "aggregate the table or narrow it with where:")])

    cells: dict[tuple[int, int], list[tuple]] = {}
    for row in rows:
        s = series_names.index(str(row[table.index(series_column.name)])) if series_column else 0
        cells.setdefault((s, position[row[x_index]]), []).append(row)
    duplicated = next(((s, i) for (s, i), found in cells.items() if len(found) > 1), None)
    if duplicated is not None and chart.agg is None:
        s, i = duplicated
        where = f" and {chart.series} {series_names[s]}" if series_column else ""
        raise DataErrors([QueryError(("x",), f"several rows for {chart.x} {_plain(x_values[i])}{where}; a chart needs one value each",
                                      "filter them with where:, name a series column, or set agg: sum | mean | min | max | last")])

    series: list[Series] = []
    if chart.kind == "range":
        low_index, high_index = value_indexes
        for s, name in enumerate(series_names):
            lows = [_agg([r[low_index] for r in cells.get((s, i), [])], chart.agg) for i in range(len(x_values))]
            highs = [_agg([r[high_index] for r in cells.get((s, i), [])], chart.agg) for i in range(len(x_values))]
            highs = [h if h is not None else l for l, h in zip(lows, highs)]
            series.append(Series(name, tuple(_float(h) for h in highs), tuple(_float(l) for l in lows),
                                 tuple(_float(h) for h in highs), keyed=keyed, raw=tuple(zip(lows, highs)),
                                 decimals=value_columns[0].decimals))  # type: ignore[union-attr]
    else:
        for s, name in enumerate(series_names):
            index = value_indexes[0] if series_column is not None else value_indexes[s]
            decimals = table.columns[index].decimals
            numbers = [_agg([r[index] for r in cells.get((0 if series_column is None else s, i), [])], chart.agg)
                       for i in range(len(x_values))]
            series.append(Series(name, tuple(_float(n) for n in numbers), keyed=keyed, raw=tuple(numbers), decimals=decimals))

    x_values, series, _ = _sorted(chart, x_kind, x_values, series)
    first = value_columns[0]
    value_title = chart.y_label if chart.y_label is not None else _axis_title(
        first.title if len(value_columns) == 1 or chart.kind == "range" else _shared_label(value_columns), unit)  # type: ignore[union-attr]
    if chart.kind == "range" and chart.y_label is None:
        value_title = _axis_title(_common_title(value_columns), unit)
    if chart.kind == "percent_bar" and chart.y_label is None:
        value_title = "Share of the total"
    if chart.transform == "rebase":
        series, base = _rebased(chart, x_values, series, report.spec.locale)
        unit = None
        measure = first.title if len(value_columns) == 1 else _shared_label(value_columns)  # type: ignore[union-attr]
        value_title = chart.y_label if chart.y_label is not None else f"{measure or 'Index'}, {base}=100"
    x_title = chart.x_label if chart.x_label is not None else ("" if x_kind == "date" else x_column.title)  # type: ignore[union-attr]
    return ChartData(
        chart.kind, chart.title, x_kind, tuple(x_values), tuple(series), unit,
        _unit(x_column.unit, report, ("x",)) if x_kind == "number" else None,  # type: ignore[union-attr]
        value_title, x_title,
        source_ids=(table.source,) if table.source else (), as_of=(table.as_of,) if table.as_of else (),
    )


def _scatter(chart, report, table, rows, x_index, y_index, series_column, label_column, unit) -> ChartData:
    names = _distinct(rows, table.index(series_column.name)) if series_column else [table.columns[y_index].title]
    if len(names) > MAX_SERIES:
        raise DataErrors([QueryError(("series",), f"{len(names)} series; a chart can show at most {MAX_SERIES}",
                                      "narrow it with where:")])
    usable = [row for row in rows if row[y_index] is not None]
    if len(usable) > MAX_POINTS:
        raise DataErrors([QueryError(("table",), f"{len(usable)} points; a chart can show at most {MAX_POINTS}")])
    xs = tuple(float(row[x_index]) for row in usable)
    series = []
    for name in names:
        values = tuple(float(row[y_index]) if (series_column is None or str(row[table.index(series_column.name)]) == name) else None
                       for row in usable)
        series.append(Series(name, values, keyed=series_column is not None))
    point_labels = tuple(str(row[table.index(label_column.name)] or "") for row in usable) if label_column else ()
    x_column = table.columns[x_index]
    return ChartData(
        "scatter", chart.title, "number", xs, tuple(series), unit, _unit(x_column.unit, report, ("x",)),
        chart.y_label if chart.y_label is not None else _axis_title(table.columns[y_index].title, unit),
        chart.x_label if chart.x_label is not None else _axis_title(x_column.title, _unit(x_column.unit, report, ("x",))),
        point_labels=point_labels,
        source_ids=(table.source,) if table.source else (), as_of=(table.as_of,) if table.as_of else (),
    )


def _rebased(chart, x_values: list, series: list[Series], locale: str) -> tuple[list[Series], str]:
    """Each series as an index: divided by its value at the first x, times 100; and that first x as
    the axis title names it ('Jul 2024', 'Q4 2024', '1Y')."""
    from .periods import closed_period, period_label

    rebased = []
    for item in series:
        first = item.raw[0] if item.raw else None
        if first is None or first == 0:
            at = f"{chart.x} {_plain(x_values[0])}"
            raise DataErrors([QueryError(("transform",), f"transform: rebase divides each series by its first value, and "
                                                         f"'{item.name}' has {'no value' if first is None else '0'} at {at}",
                                         "start the chart where every series has a non-zero value (where:), or remove transform")])
        raw = tuple(None if value is None else value / first * 100 for value in item.raw)
        rebased.append(_replace(item, values=tuple(_float(value) for value in raw), raw=raw, decimals=1))
    start = x_values[0]
    base = period_label(start, closed_period(x_values), locale) if isinstance(start, dt.date) else str(start)
    return rebased, base


def _with_total(chart: "Chart", data: ChartData) -> ChartData:
    """A waterfall's end bar: the sum of its contributions, labelled by ``total:``."""
    label = chart.total or "Total"
    if any(series.lows for series in data.series):
        raise DataErrors([QueryError(("kind",), "a waterfall adds up single values, and some of these are ranges",
                                     "use kind: range for ranges")])
    if label in (str(x) for x in data.x):
        raise DataErrors([QueryError(("total",) if chart.total else ("x",),
                                     f"the end bar's label '{label}' is also one of the contributions",
                                     "name the end bar otherwise with total:")])
    (series,) = data.series
    present = [raw if isinstance(raw, Decimal) else Decimal(repr(value))
               for raw, value in zip(series.raw or (None,) * len(series.values), series.values) if value is not None]
    total = sum(present, Decimal(0))
    series = _replace(series, values=series.values + (float(total),), raw=series.raw + (total,), labels=())
    return _replace(data, x=data.x + (label,), series=(series,))


def _colour_keys(chart: "Chart", data: ChartData) -> tuple[tuple[str, str, str], ...]:
    """(key, series, colour as written) for each entry of ``colors:``; a key names a series, or the y
    column it is drawn from. The colours are resolved against the brand later (``charts.colours``)."""
    if not chart.colors:
        return ()
    names = [series.name for series in data.series]
    by_column = dict(zip(chart.y_columns, names)) if chart.series is None and len(chart.y_columns) == len(names) else {}
    errors, chosen, found = [], {}, []
    if chart.kind == "waterfall" and chart.color_by != "series" or chart.color_by == "sign":
        raise DataErrors([QueryError(("colors",), "'colors' has no effect when bars are coloured by sign",
                                     "remove it (the brand's positive and negative colours are used), or set color_by: series")])
    for key, colour in chart.colors.items():
        name = key if key in names else by_column.get(key)
        if name is None:
            from ..tables import closest

            close = closest(key, names + list(by_column))
            errors.append(QueryError(("colors", key), f"'{key}' is not a series of this chart",
                                     f"did you mean '{close}'?" if close else f"its series: {', '.join(names)}"))
            continue
        if name in chosen:
            errors.append(QueryError(("colors", key), f"'{key}' and '{chosen[name]}' both set the colour of series '{name}'",
                                     "keep one of them"))
            continue
        chosen[name] = key
        found.append((key, name, colour))
    if errors:
        raise DataErrors(errors)
    return tuple(found)


def _unit(name: str | None, report: "Report", loc: tuple) -> Unit | None:
    if name is None:
        return None
    unit = find_unit(name, report.units)
    if unit is None:
        raise DataErrors([QueryError(loc, f"unknown unit '{name}'")])
    return unit


def _distinct(rows, index: int) -> list[str]:
    return list(dict.fromkeys(str(row[index]) for row in rows if row[index] is not None))


def _ordered_x(values: list, x_kind: str) -> list:
    distinct = list(dict.fromkeys(values))
    return sorted(distinct) if x_kind in ("date", "number") else distinct


def _agg(values: list, how: str | None) -> Decimal | None:
    present = [v for v in values if v is not None]
    if not present:
        return None
    if how is None or how == "last":
        return present[-1]
    if how == "sum":
        return sum(present, Decimal(0))
    if how == "mean":
        return sum(present, Decimal(0)) / len(present)
    return min(present) if how == "min" else max(present)


def _float(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def formatted(data: ChartData, report: "Report") -> ChartData:
    """The chart data with every value written out as the brief writes it (at render time: the
    locale's data loads only when a brief is drawn, never for ``validate``)."""
    locale = report.spec.locale

    def label(raw: Any, decimals: int | None, change: bool = False) -> str:
        if raw is None:
            return ""
        if isinstance(raw, str):
            return report.format(raw)
        if isinstance(raw, tuple):
            low, high = raw
            if low is None:
                return ""
            if high is None or high == low:
                return format_signed(low, data.unit, locale, "compact", decimals)
            return join_range(format_signed(low, data.unit, locale, "compact", decimals),
                              format_signed(high, data.unit, locale, "compact", decimals))
        return format_signed(raw, data.unit, locale, "compact", decimals, plus=change)

    def labels(series: Series) -> tuple[str, ...]:
        if data.kind == "waterfall":  # contributions are changes (+14, −22); the end bar is their sum
            last = len(series.raw) - 1
            return tuple(label(*_number(raw, series.decimals), change=index < last) for index, raw in enumerate(series.raw))
        return tuple(label(raw, series.decimals) for raw in series.raw)

    def _number(raw: Any, decimals: int | None) -> tuple[Any, int | None]:
        """A figure's value and decimals, where a waterfall's contribution is a figure (signed like any change)."""
        if isinstance(raw, str):
            figure = report.figures[raw]
            return figure.value, figure.decimals
        return raw, decimals

    series = tuple(_replace(s, labels=labels(s)) for s in data.series)
    return _replace(data, series=series)


def _sorted(chart, x_kind, x_values, series, figure_names=()):
    """The categories in the order ``sort`` asks, cut to ``limit``; the figures drawn follow them."""
    if x_kind != "category":
        for option, what in (("sort", "drawn in order"), ("limit", "all drawn")):
            if option in chart.model_fields_set:
                raise DataErrors([QueryError((option,), f"'{option}' has no effect: x '{chart.x}' holds {x_kind}s, {what}",
                                             "remove it (sort and limit apply to categories: a text x, figures or a breakdown)"
                                             + ("; narrow the range with where: instead" if option == "limit" else ""))])
        return x_values, series, figure_names
    if chart.sort == "none" and chart.limit is None:
        return x_values, series, figure_names
    order = list(range(len(x_values)))
    if chart.sort != "none":
        totals = [sum((s.highs[i] if s.highs else s.values[i]) or 0 for s in series) for i in order]
        order.sort(key=lambda i: totals[i], reverse=chart.sort == "descending")
    if chart.limit is not None:
        order = order[: chart.limit]
    pick = lambda items: tuple(items[i] for i in order) if items else items  # noqa: E731
    return [x_values[i] for i in order], [
        Series(s.name, pick(s.values), pick(s.lows), pick(s.highs), pick(s.labels), s.keyed, pick(s.raw), s.decimals) for s in series
    ], pick(tuple(figure_names))


def _axis_title(title: str, unit: Unit | None) -> str:
    from ..formatting import tick_affixes

    if unit is None:
        return title
    _, _, name_in_title = tick_affixes(unit, "en_US")
    if name_in_title and unit.axis_label:
        return f"{title} ({unit.axis_label})" if title else unit.axis_label
    return title


def _common_title(columns) -> str:
    titles = [c.title for c in columns if c is not None]
    return titles[0] if len(set(titles)) == 1 else ""


def wide_series_names(columns) -> list[str]:
    """The series name of each y column: its label when the label is its own, else the column's name as
    written ('South Africa', 'sodium_ion' as 'Sodium ion'). A label several y columns share ('10Y
    yield' on each country's column) names none of them: it says what they all are, on the axis."""
    labels = [column.label for column in columns]
    return [column.label if column.label and labels.count(column.label) == 1 else _as_written(column.name)
            for column in columns]


def _as_written(name: str) -> str:
    text = name.replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def _shared_label(columns) -> str:
    labels = {c.label for c in columns if c is not None}
    return labels.pop() if len(labels) == 1 and "" not in labels else ""


# -- from figures and breakdowns -----------------------------------------------------------------

def _from_figures(chart: "Chart", report: "Report") -> ChartData:
    names = [item.figure for item in chart.figures or ()]
    figures = [report.figures[name] for name in names]
    unit_names = list(dict.fromkeys(f.unit for f in figures))
    if len(unit_names) > 1:
        raise DataErrors([QueryError(("figures",), f"the figures have different units ({', '.join(unit_names)}); one chart has one value axis",
                                      "draw them in separate charts")])
    unit = report.unit(unit_names[0])
    labels = [report.plain(item.label) if item.label else (f.label or name) for item, f, name in zip(chart.figures or (), figures, names)]
    if chart.kind == "range" or any(f.is_range for f in figures):
        series = Series(chart.title, tuple(float(f.high) for f in figures), tuple(float(f.low) for f in figures),
                        tuple(float(f.high) for f in figures), raw=tuple(names))
    else:
        series = Series(chart.title, tuple(float(f.value) for f in figures), raw=tuple(names))  # type: ignore[arg-type]
    shown_labels, (series,), shown_names = _sorted(chart, "category", labels, [series], names)
    shown = [report.figures[name] for name in shown_names]
    return ChartData(
        chart.kind, chart.title, "category", tuple(shown_labels), (series,), unit, None,
        chart.y_label if chart.y_label is not None else unit.axis_label if unit.kind == "custom" else "", chart.x_label or "",
        source_ids=tuple(dict.fromkeys(f.source for f in shown)), as_of=tuple(sorted({f.as_of for f in shown})),
        figure_names=tuple(shown_names),
    )


def _from_breakdown(chart: "Chart", report: "Report") -> ChartData:
    breakdown = report.breakdowns[chart.breakdown]  # type: ignore[index]
    names = [f"{chart.breakdown}.{part.id}" for part in breakdown.parts]
    figures = [report.figures[name] for name in names]
    has_ranges = any(f.is_range for f in figures)
    if has_ranges and chart.kind not in ("range",):
        raise DataErrors([QueryError(("kind",), f"breakdown '{chart.breakdown}' has ranges; only kind: range draws them honestly",
                                      "use kind: range")])
    if chart.kind == "range":
        series = Series(breakdown.title, tuple(float(f.high) for f in figures), tuple(float(f.low) for f in figures),
                        tuple(float(f.high) for f in figures), raw=tuple(names))
    else:
        series = Series(breakdown.title, tuple(float(f.value) for f in figures), raw=tuple(names))  # type: ignore[arg-type]
    labels, (series,), shown_names = _sorted(chart, "category", [part.label for part in breakdown.parts], [series], names)
    return ChartData(
        chart.kind, chart.title, "category", tuple(labels), (series,),
        report.unit("percent"), None, chart.y_label if chart.y_label is not None else "Share of total (%)", chart.x_label or "",
        source_ids=(breakdown.source,), as_of=(breakdown.as_of,), figure_names=tuple(shown_names),
    )


# -- checks on the shape -------------------------------------------------------------------------

def _check_shape(chart: "Chart", data: ChartData) -> list[QueryError]:
    kind = KINDS[chart.kind]
    errors = []
    if data.x_kind not in kind.x_kinds_drawn:
        errors.append(QueryError(("kind",), f"kind: {chart.kind} needs x to be {' or '.join(kind.x_kinds_drawn)}; "
                                            f"'{chart.x or 'the labels'}' is {data.x_kind}"))
    if len(data.x) > kind.max_categories and data.x_kind == "category":
        errors.append(QueryError(("x",), f"{len(data.x)} categories; kind: {chart.kind} shows at most {kind.max_categories} legibly",
                                 "set limit: N with sort:, narrow it with where:, or show the data as a table"))
    if chart.color_by == "sign" and len(data.series) > 1:
        errors.append(QueryError(("color_by",), f"color_by: sign colours the bars of one series by their sign; this chart has "
                                                f"{len(data.series)} series", "draw one series, or remove color_by"))
    if chart.kind == "percent_bar" and any((v or 0) < 0 for s in data.series for v in s.values):
        errors.append(QueryError(("y",), "percent_bar shows shares of a whole; a value is negative"))
    if chart.kind == "range" and any(l is not None and h is not None and l > h for s in data.series for l, h in zip(s.lows, s.highs)):
        errors.append(QueryError(("low",), "a bar's low end is above its high end", "swap the low and high values"))
    values = [v for s in data.series for v in (s.values + s.lows) if v is not None]
    if not values:
        errors.append(QueryError(("y",) if chart.table else ("kind",), "nothing to draw: every value is empty"))
    if kind.starts_at_zero and chart.kind != "percent_bar":  # a bar's or an area's length is its value, read from zero
        for key, limit, cuts in (("y_min", chart.y_min, chart.y_min is not None and chart.y_min > 0),
                                 ("y_max", chart.y_max, chart.y_max is not None and chart.y_max < 0)):
            if cuts:
                errors.append(QueryError((key,), f"kind: {chart.kind} draws each value as a length from zero, so its axis "
                                                 f"includes zero; {key} {limit:g} would cut every bar short",
                                         f"remove {key}, or draw the data as a line"))
    if chart.y_min is not None and values and chart.kind != "percent_bar" and max(values) <= chart.y_min:
        errors.append(QueryError(("y_min",), f"y_min {chart.y_min:g} is above every value (the largest is {max(values):g})"))
    if chart.y_max is not None and values and chart.kind != "percent_bar" and min(values) >= chart.y_max:
        errors.append(QueryError(("y_max",), f"y_max {chart.y_max:g} is below every value (the smallest is {min(values):g})"))
    return errors


def _reference(chart: "Chart", data: ChartData, index: int, annotation) -> Reference:
    loc = ("annotations", index)
    if annotation.y is not None:
        return Reference("y", annotation.y, annotation.label)
    value = annotation.x
    if data.x_kind == "date":
        if not isinstance(value, dt.date):
            raise DataErrors([QueryError(loc + ("x",), f"'{value}' is not a date, and x holds dates", "write it as YYYY-MM-DD")])
        if not data.x[0] <= value <= data.x[-1]:
            raise DataErrors([QueryError(loc + ("x",), f"{value} is outside the chart's dates ({data.x[0]} to {data.x[-1]})")])
    elif data.x_kind == "number":
        if isinstance(value, (str, dt.date)):
            raise DataErrors([QueryError(loc + ("x",), f"'{value}' is not a number, and x holds numbers")])
    elif str(value) not in [str(x) for x in data.x]:
        raise DataErrors([QueryError(loc + ("x",), f"'{value}' is not one of the chart's categories")])
    return Reference("x", value, annotation.label)


# -- alt text ------------------------------------------------------------------------------------

KIND_WORDS = {
    "line": "Line chart", "area": "Stacked area chart", "bar": "Bar chart", "stacked_bar": "Stacked bar chart",
    "percent_bar": "100% stacked bar chart", "hbar": "Horizontal bar chart", "range": "Range chart",
    "scatter": "Scatter plot", "waterfall": "Waterfall chart",
}


def _plain(value: Any, locale: str = "en_US") -> str:
    if isinstance(value, dt.date):
        return format_date(value, locale).replace("\u00a0", " ")
    return str(value)


def describe(data: ChartData) -> str:
    """A description a screen reader can speak, from the data: what, over what, and the values (and
    how they were drawn: rebased to 100, coloured by sign, summed to a total)."""
    from .periods import closed_period, period_label

    def fmt(value: float, decimals: int | None) -> str:
        return format_signed(Decimal(repr(value)), data.unit, data.locale, "compact", decimals)

    words = f"{KIND_WORDS[data.kind]}: {data.title}."
    if data.options.get("transform") == "rebase":
        words += f" Each series rebased to 100 at its first value ({data.value_title})."
    if data.options.get("color_by") == "sign":
        words += " Bars coloured by sign, rises and falls apart."
    if data.kind == "scatter":
        groups = [s.name for s in data.series] if len(data.series) > 1 else []
        return f"{words} {len(data.x)} points of {data.value_title or 'y'} against {data.x_title or 'x'}" + (
            f", in {len(groups)} groups: {', '.join(groups)}." if groups else ".")
    if data.kind == "waterfall":
        (series,) = data.series
        items = [f"{x} {label}" for x, label in zip(data.x[:-1], series.labels[:-1]) if label][:30]
        return f"{words} Contributions: {', '.join(items)}. {data.x[-1]}, their total: {series.labels[-1]}."
    if data.x_kind in ("date", "number"):
        if data.x_kind == "date":
            period = closed_period(data.x)
            span = (period_label(data.x[0], period, data.locale), period_label(data.x[-1], period, data.locale))
        else:
            span = (str(data.x[0]), str(data.x[-1]))
        parts = []
        for series in data.series[:MAX_SERIES]:
            present = [(x, v) for x, v in zip(data.x, series.values) if v is not None]
            if present:
                parts.append(f"{series.name} from {fmt(present[0][1], series.decimals)} to {fmt(present[-1][1], series.decimals)}")
        return f"{words} {len(data.x)} points from {span[0]} to {span[1]}. " + "; ".join(parts) + "."
    parts = []
    for series in data.series:
        items = [f"{x} {label}" for x, label in zip(data.x, series.labels) if label][:20]
        prefix = f"{series.name}: " if len(data.series) > 1 else ""
        parts.append(prefix + ", ".join(items))
    return f"{words} " + "; ".join(parts) + "."
