"""Two boxes side by side: what could go right (✓) and what could go wrong (✗)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from .base import Line, Passage, SectionModel


class Column(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
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
        from itertools import zip_longest

        from reportlab.lib import colors
        from reportlab.platypus import CondPageBreak, Spacer, Table, TableStyle

        from ..render.paragraph import Paragraph

        gap = 10
        width = (ctx.frame_width - gap) / 2
        columns = (("\u2713", self.opportunities, ctx.theme.positive), ("\u2717", self.risks, ctx.theme.negative))
        header = []
        groups = [ctx.kit.tag_group(), ctx.kit.tag_group()]  # read box by box: ✓ title and items, then ✗
        for (symbol, column, _), group in zip(columns, groups):
            title = ctx.markup(f"{symbol} {column.title}", "box_title")
            column_title = Paragraph(f'<font color="white">{title}</font>', ctx.styles["box_title"])
            column_title._tag_role = "H3" if self.title else "P"  # under the section's heading
            column_title._tag_group = group
            header += [column_title, ""]
        rows = [header[:3]]
        for left, right in zip_longest(self.opportunities.items, self.risks.items):
            cells = [ctx.kit.in_group(ctx.paragraph(f"{symbol}\u2002{item}", "bullet"), group) if item else ""
                     for (symbol, _, _), item, group in zip(columns, (left, right), groups)]
            rows.append([cells[0], "", cells[1]])
        # one table for both boxes: matching rows line up and both boxes end on the same line
        table = Table(rows, colWidths=[width, gap, width], repeatRows=1, splitByRow=1)
        commands = [
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), 10),
            ("RIGHTPADDING", (0, 0), (-1, -1), 10),
            ("TOPPADDING", (0, 0), (-1, 0), 7),
            ("BOTTOMPADDING", (0, 0), (-1, 0), 3),
            ("TOPPADDING", (0, 1), (-1, 1), 8),
            ("TOPPADDING", (0, 2), (-1, -1), 1),
            ("BOTTOMPADDING", (0, 1), (-1, -1), 1),
            ("BOTTOMPADDING", (0, -1), (-1, -1), 8),
        ]
        for index, (_, _, colour) in zip((0, 2), columns):
            commands += [
                ("BACKGROUND", (index, 0), (index, 0), colors.HexColor(colour)),
                ("BACKGROUND", (index, 1), (index, -1), colors.HexColor(ctx.theme.muted)),
                ("LINEBELOW", (index, -1), (index, -1), 1.5, colors.HexColor(colour)),
            ]
        table.setStyle(TableStyle(commands))
        # a long pair of boxes continues on the next page (the titles repeat) rather than leave a band
        # of white: it starts here if the heading, the titles and two items fit
        heading = [ctx.heading(self.title, level=2)] if self.title else []
        table.wrap(ctx.frame_width, 10_000)
        start = sum(f.wrap(ctx.frame_width, 1000)[1] for f in heading) + sum(table._rowHeights[:3]) + 24
        return [CondPageBreak(start), *heading, table, Spacer(1, 12)]
