"""A bar chart comparing figures of one unit (e.g. forward P/E, Japan vs S&P 500)."""

from __future__ import annotations

from typing import Iterator, Literal

from pydantic import BaseModel, ConfigDict, Field

from .base import Line, Ref, SectionModel


class Bar(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    figure: str
    label: Line


class Comparison(SectionModel):
    type: Literal["comparison"]
    title: Line
    bars: list[Bar] = Field(min_length=2, max_length=8)
    axis_label: Line = ""
    caption: str | None = None
    alt: str | None = None

    def refs(self) -> Iterator[Ref]:
        for index, bar in enumerate(self.bars):
            yield Ref(("bars", index, "figure"), "figure", bar.figure)

    def render(self, ctx):
        from ..render import charts

        names = [bar.figure for bar in self.bars]
        values = [ctx.report.format(name) for name in names]
        labels = [ctx.plain(bar.label) for bar in self.bars]
        drawing = charts.bars(
            ctx.chart_style, labels, [ctx.report.figures[name].midpoint for name in names], values,
            width_pt=ctx.frame_width * 0.62, axis_label=self.axis_label,
        )
        drawing.hAlign = "LEFT"
        alt = self.alt or f"{self.title}: " + "; ".join(f"{label} {value}" for label, value in zip(labels, values))
        return ctx.kit.chart_block(ctx, drawing, self.title, self.caption, ctx.plain(alt), ctx.provenance(figure_names=names))
