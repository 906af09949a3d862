"""A chart declared against data: a table's columns, a list of figures, or a breakdown.

The contract (see docs/charts/index.md)::

    - type: chart
      kind: line            # line | area | bar | stacked_bar | percent_bar | hbar | range | scatter | waterfall
      title: Installed capacity by country
      table: capacity
      x: month
      y: gw                 # or a list of columns (wide format: one series each)
      series: country       # long format: one series per value of this column
      width: half

The section only declares; ``charts.data`` turns it into chart data (checked at validate) and
``render.charts`` draws it.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, ClassVar, Iterator, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from ..charts.kinds import KIND_NAMES, KIND_OPTIONS, KINDS, MAX_SERIES
from .base import Line, NothingSelected, Passage, Ref, SectionModel

ChartKind = Literal["line", "area", "bar", "stacked_bar", "percent_bar", "hbar", "range", "scatter", "waterfall"]
_LENGTH = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(pt|mm|cm|in)?\s*$")
_POINTS = {"pt": 1.0, "mm": 72 / 25.4, "cm": 72 / 2.54, "in": 72.0, None: 1.0}
assert set(ChartKind.__args__) == set(KIND_NAMES), "the chart model and the kind registry disagree"  # type: ignore[attr-defined]


class _Part(BaseModel):
    model_config = ConfigDict(defer_build=True, extra="forbid", frozen=True, str_strip_whitespace=True)


class ChartFigure(_Part):
    figure: str
    label: str | None = None  # defaults to the figure's label, else its name


class Annotation(_Part):
    """A reference line: ``{x: 2026-06-01, label: Auction}`` (vertical) or ``{y: 0}`` (horizontal)."""

    x: dt.date | float | str | None = None
    y: float | None = None
    label: str | None = Field(default=None, max_length=60)

    @model_validator(mode="after")
    def _one_axis(self) -> "Annotation":
        if (self.x is None) == (self.y is None):
            raise ValueError("give either x (a vertical line) or y (a horizontal line)")
        return self


def points(value: float | str | None) -> float | None:
    """A length in points from ``180``, ``'180pt'``, ``'60mm'``, ``'6cm'`` or ``'2.5in'``."""
    if value is None or isinstance(value, (int, float)):
        return value
    match = _LENGTH.match(value)
    if not match:
        raise ValueError(f"'{value}' is not a length: write 180 (points), 180pt, 60mm, 6cm or 2.5in")
    return float(match.group(1)) * _POINTS[match.group(2)]


class Chart(SectionModel):
    type: Literal["chart"]
    is_exhibit: ClassVar[bool] = True
    kind: ChartKind
    title: Line = Field(min_length=1)
    table: str | None = None
    figures: list[ChartFigure] | None = Field(default=None, min_length=1, max_length=40)
    breakdown: str | None = None
    x: str | None = None
    y: str | list[str] | None = None
    series: str | None = None
    low: str | None = None
    high: str | None = None
    label: str | None = None  # scatter: a column whose values name the points
    colors: dict[Annotated[str, Field(max_length=300)], Annotated[str, Field(min_length=1, max_length=60)]] | None = \
        Field(default=None, max_length=MAX_SERIES)  # series (or y column) -> #RRGGBB or a brand colour name
    transform: Literal["rebase"] | None = None  # line, area: each series as an index, its first value = 100
    color_by: Literal["series", "sign"] | None = None  # sign: bars in the brand's positive / negative colours
    total: Line | None = Field(default=None, min_length=1)  # waterfall: the end bar's label (default "Total")
    connectors: bool | None = None  # waterfall: a thin line from each bar's end to the next bar (default on)
    where: dict[str, Any] = Field(default_factory=dict)
    agg: Literal["sum", "mean", "min", "max", "last"] | None = None  # several rows for one x and series
    sort: Literal["none", "ascending", "descending"] = "none"  # categories by value
    limit: int | None = Field(default=None, ge=1, le=500)  # the first N categories after sorting
    width: Literal["full", "half"] = "full"
    height: float | str | None = None
    y_min: float | None = None
    y_max: float | None = None
    x_label: str | None = Field(default=None, max_length=80)
    y_label: str | None = Field(default=None, max_length=80)
    legend: Literal["auto", "legend", "direct", "none"] = "auto"
    value_labels: bool | None = None  # None: on for bar-like charts with few bars
    annotations: list[Annotation] = Field(default_factory=list, max_length=12)
    caption: str | None = None
    alt: str | None = None  # derived from the data when absent
    if_empty: Passage | None = Field(default=None, min_length=1)  # printed under the title when where selects no row

    @field_validator("height")
    @classmethod
    def _height(cls, value):
        height = points(value)
        if height is not None and not 60 <= height <= 640:
            raise ValueError(f"height {height:g}pt is outside 60–640pt")
        return height

    @field_validator("y")
    @classmethod
    def _some_y(cls, value):
        if isinstance(value, list) and not 1 <= len(value) <= 12:
            raise ValueError("y lists 1 to 12 columns")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> "Chart":
        sources = [name for name in ("table", "figures", "breakdown") if getattr(self, name) is not None]
        if len(sources) != 1:
            raise ValueError("draw from exactly one of: table, figures, breakdown" + (f" (got {', '.join(sources)})" if sources else ""))
        if self.table is not None:
            if self.x is None:
                raise ValueError("a chart from a table needs 'x' (the column along the category or time axis)")
            if self.kind == "range":
                if self.low is None or self.high is None:
                    raise ValueError("kind: range needs 'low' and 'high' columns (the ends of each bar)")
            elif self.y is None:
                raise ValueError("a chart from a table needs 'y' (a column, or a list of columns)")
            if self.series is not None and isinstance(self.y, list) and len(self.y) > 1:
                raise ValueError("use either 'series' (long format) or a list of y columns (wide format), not both")
            if self.kind == "waterfall" and (self.series is not None or len(self.y_columns) > 1):
                raise ValueError("kind: waterfall draws one y column (each x category's contribution), and no series")
        else:
            for name in ("x", "y", "series", "low", "high", "label"):
                if getattr(self, name) is not None:
                    raise ValueError(f"'{name}' names a table column; this chart draws from {sources[0]}")
            if self.where:
                raise ValueError("'where' filters a table; this chart draws from " + sources[0])
        if self.kind != "range" and (self.low is not None or self.high is not None):
            raise ValueError("'low' and 'high' are for kind: range")
        if self.y_min is not None and self.y_max is not None and self.y_min >= self.y_max:
            raise ValueError(f"y_min ({self.y_min:g}) must be less than y_max ({self.y_max:g})")
        return self

    @property
    def y_columns(self) -> list[str]:
        return [] if self.y is None else ([self.y] if isinstance(self.y, str) else list(self.y))

    def heading(self) -> str | None:
        return None  # an exhibit, not a section of the outline

    def ignored_keys(self) -> Iterator[tuple[tuple[str | int, ...], str, str | None]]:
        written = self.model_fields_set
        for option in KIND_OPTIONS:
            if option in written and option not in KINDS[self.kind].honours:
                users = ", ".join(name for name, kind in KINDS.items() if option in kind.honours)
                yield (option,), f"'{option}' has no effect on kind: {self.kind}", f"remove it (it applies to kind: {users})"
        if self.table is None:
            source = "figures" if self.figures is not None else "a breakdown"
            for option in ("agg", "if_empty", "transform"):
                if option in written:
                    yield (option,), f"'{option}' has no effect on a chart drawn from {source}", \
                        "remove it (it applies to a chart drawn from a table's rows)"

    def refs(self) -> Iterator[Ref]:
        if self.table is not None:
            yield Ref(("table",), "table", self.table)
        if self.breakdown is not None:
            yield Ref(("breakdown",), "breakdown", self.breakdown)
        for index, item in enumerate(self.figures or ()):
            yield Ref(("figures", index, "figure"), "figure", item.figure)

    def prepare(self, report):
        from ..charts.data import chart_data

        return chart_data(self, report)

    def exhibit_charts(self):
        return (self,)

    def render(self, ctx):
        if isinstance(ctx.prepared, NothingSelected):
            return ctx.kit.nothing_selected_exhibit(ctx, self.title, ctx.prepared.text)
        return ctx.kit.chart_exhibit(ctx, self, ctx.prepared)
