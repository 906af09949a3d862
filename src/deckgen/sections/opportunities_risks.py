"""Two boxes side by side: what could go right (✓) and what could go wrong (✗)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from .base import SectionModel


class Column(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    title: str
    items: list[str] = Field(min_length=1)


class OpportunitiesRisks(SectionModel):
    type: Literal["opportunities_risks"]
    title: str | None = None
    opportunities: Column
    risks: Column

    def heading(self) -> str | None:
        return self.title or f"{self.opportunities.title} and {self.risks.title.lower()}"

    def render(self, ctx):
        from reportlab.lib import colors
        from reportlab.platypus import KeepTogether, Paragraph, Spacer, Table, TableStyle

        gap = 10
        width = (ctx.frame_width - gap) / 2
        panels = []
        for symbol, column, colour in (("\u2713", self.opportunities, ctx.theme.positive), ("\u2717", self.risks, ctx.theme.negative)):
            header = Paragraph(
                f'<font color="white">{ctx.markup(symbol + " " + column.title)}</font>', ctx.styles["box_title"]
            )
            items = [ctx.paragraph(f"{symbol}\u2002{item}", "bullet") for item in column.items]
            panel = Table([[header]] + [[item] for item in items], colWidths=[width])
            panel.setStyle(TableStyle([
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor(colour)),
                ("BACKGROUND", (0, 1), (-1, -1), colors.HexColor(ctx.theme.muted)),
                ("LINEBELOW", (0, -1), (-1, -1), 1.5, colors.HexColor(colour)),
                ("LEFTPADDING", (0, 0), (-1, -1), 10),
                ("RIGHTPADDING", (0, 0), (-1, -1), 10),
                ("TOPPADDING", (0, 0), (-1, 0), 7),
                ("BOTTOMPADDING", (0, 0), (-1, 0), 3),
                ("TOPPADDING", (0, 1), (-1, 1), 8),
                ("TOPPADDING", (0, 2), (-1, -1), 1),
                ("BOTTOMPADDING", (0, 1), (-1, -1), 1),
                ("BOTTOMPADDING", (0, -1), (-1, -1), 7),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]))
            panels.append(panel)
        row = Table([[panels[0], Spacer(gap, 1), panels[1]]], colWidths=[width, gap, width])
        row.setStyle(TableStyle([
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ("TOPPADDING", (0, 0), (-1, -1), 0),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
        ]))
        story = [ctx.heading(self.title, level=2)] if self.title else []
        return [KeepTogether(story + [row]), Spacer(1, 12)]
