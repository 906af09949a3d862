"""Shares of a whole from a breakdown, ranges drawn as floating bars: a range chart of a breakdown."""

from __future__ import annotations

from typing import ClassVar, Iterator, Literal

from .base import Line, Ref, SectionModel
from .chart import Chart


class SectorBreakdown(SectionModel):
    type: Literal["sector_breakdown"]
    is_exhibit: ClassVar[bool] = True
    title: Line
    breakdown: str
    caption: str | None = None
    alt: str | None = None  # alt text; derived from the data when absent
    show_table: bool = False

    def heading(self) -> str | None:
        return None  # an exhibit, not a section of the outline

    def refs(self) -> Iterator[Ref]:
        yield Ref(("breakdown",), "breakdown", self.breakdown)

    def as_chart(self) -> Chart:
        return Chart(type="chart", kind="range", title=self.title, id=self.id, breakdown=self.breakdown,
                     caption=self.caption, alt=self.alt)

    def prepare(self, report):
        return self.as_chart().prepare(report)

    def exhibit_charts(self):
        return (self.as_chart(),)

    def render(self, ctx):
        from reportlab.platypus import Table

        block = ctx.kit.chart_exhibit(ctx, self.as_chart(), ctx.prepared)
        if self.show_table:
            from ..charts.data import formatted

            data = formatted(ctx.prepared, ctx.report)
            rows = [[ctx.paragraph("Part", "header_cell"), ctx.paragraph("Share", "header_cell_right")]]
            rows += [[ctx.paragraph(str(label), "cell"), ctx.paragraph(value, "cell_right")]
                     for label, value in zip(data.x, data.series[0].labels)]
            table = ctx.kit.data_table(Table(rows, colWidths=[ctx.frame_width * 0.7, ctx.frame_width * 0.3], repeatRows=1))
            table.setStyle(ctx.kit.table_style(ctx, len(rows)))
            block += ctx.kit.kept_whole([table], len(rows) - 1)
        return block
