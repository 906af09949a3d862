"""A pull quote with its speaker, their role and the source it is cited from."""

from __future__ import annotations

from typing import Iterator, Literal

from pydantic import Field

from .base import Line, Passage, Ref, SectionModel


class Quote(SectionModel):
    type: Literal["quote"]
    text: Passage = Field(min_length=1)
    author: Line = Field(min_length=1)
    role: Line | None = None
    source: str | None = None  # source id, cited after the attribution

    def heading(self) -> str | None:
        return None

    def refs(self) -> Iterator[Ref]:
        if self.source:
            yield Ref(("source",), "source", self.source)

    def render(self, ctx):
        from reportlab.lib import colors
        from reportlab.platypus import KeepTogether, Spacer, Table, TableStyle

        attribution = "\u2014 " + self.author + (f", {self.role}" if self.role else "")
        if self.source:
            attribution += f" [@{self.source}]"
        text = self.text.strip("\"“”")
        cell = [ctx.paragraph(f"\u201c{text}\u201d", "quote"), ctx.paragraph(attribution, "attribution")]
        table = Table([[cell]], colWidths=[ctx.frame_width * 0.9])
        table.setStyle(TableStyle([
            ("LINEBEFORE", (0, 0), (0, -1), 3, colors.HexColor(ctx.theme.chart_palette[-1] if len(ctx.theme.chart_palette) > 3 else ctx.theme.primary)),
            ("LEFTPADDING", (0, 0), (-1, -1), 16),
            ("TOPPADDING", (0, 0), (-1, -1), 6),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
        ]))
        table.hAlign = "LEFT"
        return [Spacer(1, 6), KeepTogether([table]), Spacer(1, 12)]
