"""Two boxes side by side: what could go right (✓) and what could go wrong (✗)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from .base import Line, Passage, SectionModel


class Column(BaseModel):
    model_config = ConfigDict(defer_build=True, extra="forbid", frozen=True)
    title: Line
    items: list[Passage] = Field(min_length=1)


class OpportunitiesRisks(SectionModel):
    type: Literal["opportunities_risks"]
    title: Line | None = None
    opportunities: Column
    risks: Column

    def heading(self) -> str | None:
        return self.title or f"{self.opportunities.title} and {self.risks.title.lower()}"

    def render(self, ctx):
        from reportlab.lib import colors
        from reportlab.platypus import CondPageBreak, Spacer, Table, TableStyle

        from ..render.boxes import SideBySide
        from ..render.paragraph import Paragraph

        gap = 10
        width = (ctx.frame_width - gap) / 2
        boxes = []
        for symbol, column, colour in (("\u2713", self.opportunities, ctx.theme.positive),
                                       ("\u2717", self.risks, ctx.theme.negative)):
            group = ctx.kit.tag_group()  # read box by box: ✓ title and items, then ✗
            title = ctx.markup(f"{symbol} {column.title}", "box_title")
            column_title = Paragraph(f'<font color="white">{title}</font>', ctx.styles["box_title"])
            column_title._tag_role = "H3" if self.title else "P"  # under the section's heading
            column_title._tag_group = group
            rows = [[column_title]] + [[ctx.kit.in_group(ctx.paragraph(f"{symbol}\u2002{item}", "bullet"), group)]
                                       for item in column.items]
            # each box as long as its own items: the items of the two boxes are not pairs
            box = Table(rows, colWidths=[width], repeatRows=1, splitByRow=1)
            box.setStyle(TableStyle([
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 10),
                ("RIGHTPADDING", (0, 0), (-1, -1), 10),
                ("TOPPADDING", (0, 0), (-1, 0), 7),
                ("BOTTOMPADDING", (0, 0), (-1, 0), 3),
                ("TOPPADDING", (0, 1), (-1, 1), 8),
                ("TOPPADDING", (0, 2), (-1, -1), 1),
                ("BOTTOMPADDING", (0, 1), (-1, -1), 1),
                ("BOTTOMPADDING", (0, -1), (-1, -1), 8),
                ("BACKGROUND", (0, 0), (0, 0), colors.HexColor(colour)),
                ("BACKGROUND", (0, 1), (0, -1), colors.HexColor(ctx.theme.muted)),
                ("LINEBELOW", (0, -1), (0, -1), 1.5, colors.HexColor(colour)),
            ]))
            boxes.append(box)
        # long boxes continue on the next page (their titles repeat) rather than leave a band of white:
        # they start here if the heading, the titles and two items of each fit
        heading = [ctx.heading(self.title, level=2)] if self.title else []
        start = sum(f.wrap(ctx.frame_width, 1000)[1] for f in heading) + 24
        for box in boxes:
            box.wrap(width, 10_000)
        start += max(sum(box._rowHeights[:3]) for box in boxes)
        return [CondPageBreak(start), *heading, SideBySide(boxes[0], boxes[1], gap), Spacer(1, 12)]
