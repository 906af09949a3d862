"""A chart of shares of a whole (ranges drawn as ranges) with its numbers, caption and source."""

from __future__ import annotations

from typing import Iterator, Literal

from .base import Line, Ref, SectionModel


class SectorBreakdown(SectionModel):
    type: Literal["sector_breakdown"]
    title: Line
    breakdown: str
    caption: str | None = None
    alt: str | None = None  # alt text; derived from the data when absent
    show_table: bool = False

    def refs(self) -> Iterator[Ref]:
        yield Ref(("breakdown",), "breakdown", self.breakdown)

    def render(self, ctx):
        from reportlab.platypus import Table

        from ..render import charts

        breakdown = ctx.report.breakdowns[self.breakdown]
        names = [f"{self.breakdown}.{part.id}" for part in breakdown.parts]
        figures = [ctx.report.figures[name] for name in names]
        values = [ctx.report.format(name) for name in names]
        labels = [part.label for part in breakdown.parts]
        drawing = charts.range_bars(
            ctx.chart_style, labels, [f.low for f in figures], [f.high for f in figures], values,
            width_pt=ctx.frame_width, axis_label="Share of total (%)",
        )
        # the spec's alt text may hold {{ figures }}; the derived one is the data's plain text, as written
        alt = ctx.plain(self.alt) if self.alt else f"{breakdown.title}: " + "; ".join(f"{label} {value}" for label, value in zip(labels, values))
        provenance = ctx.provenance(figure_names=names)
        block = ctx.kit.chart_block(ctx, drawing, self.title, self.caption, alt, provenance)
        if self.show_table:
            rows = [[ctx.paragraph("Part", "header_cell"), ctx.paragraph("Share", "header_cell")]]
            rows += [[ctx.paragraph(label, "cell"), ctx.paragraph(value, "cell_right")] for label, value in zip(labels, values)]
            table = Table(rows, colWidths=[ctx.frame_width * 0.7, ctx.frame_width * 0.3], repeatRows=1)
            table.setStyle(ctx.kit.table_style(ctx, len(rows)))
            block.append(table)
        return block
