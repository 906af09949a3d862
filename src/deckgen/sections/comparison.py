"""Figures of one unit side by side (e.g. forward P/E, Japan vs S&P 500): a bar chart of figures."""

from __future__ import annotations

from typing import ClassVar, Iterator, Literal

from pydantic import BaseModel, ConfigDict, Field

from ..tables import DataErrors, QueryError
from .base import Line, Ref, SectionModel
from .chart import Chart, ChartFigure


class Bar(BaseModel):
    model_config = ConfigDict(defer_build=True, extra="forbid", frozen=True)
    figure: str
    label: Line


class Comparison(SectionModel):
    type: Literal["comparison"]
    is_exhibit: ClassVar[bool] = True
    title: Line
    bars: list[Bar] = Field(min_length=2, max_length=8)
    axis_label: Line = ""
    width: Literal["full", "half"] = "half"
    caption: str | None = None
    alt: str | None = None

    def heading(self) -> str | None:
        return None  # an exhibit, not a section of the outline

    def refs(self) -> Iterator[Ref]:
        for index, bar in enumerate(self.bars):
            yield Ref(("bars", index, "figure"), "figure", bar.figure)

    def as_chart(self) -> Chart:
        return Chart(
            type="chart", kind="bar", title=self.title, id=self.id, width=self.width, caption=self.caption, alt=self.alt,
            figures=[ChartFigure(figure=bar.figure, label=bar.label) for bar in self.bars], y_label=self.axis_label,
        )

    def prepare(self, report):
        try:
            return self.as_chart().prepare(report)
        except DataErrors as errors:  # the chart's 'figures' are this section's 'bars'
            raise DataErrors([QueryError(("bars",) + e.loc[1:] if e.loc[:1] == ("figures",) else e.loc, e.message, e.hint)
                              for e in errors.errors]) from None

    def exhibit_charts(self):
        return (self.as_chart(),)

    def render(self, ctx):
        return ctx.kit.chart_exhibit(ctx, self.as_chart(), ctx.prepared)
