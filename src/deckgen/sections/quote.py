"""A pull quote with its speaker, their role and the source it is cited from."""

from __future__ import annotations

from typing import ClassVar, Iterator, Literal

from pydantic import Field

from .base import Line, Passage, Ref, SectionModel


class Quote(SectionModel):
    type: Literal["quote"]
    text: Passage = Field(min_length=1)
    author: Line = Field(min_length=1)
    role: Line | None = None
    source: str | None = None  # source id, cited after the attribution

    IN_RAIL: ClassVar[bool] = True  # in the rail: a pull quote
    RAIL_CHARACTERS: ClassVar[int] = 320  # the most a pull quote in the rail holds (about 16 lines there)

    def layout_problems(self):
        if self.place == "rail" and len(self.text) > self.RAIL_CHARACTERS:
            yield (("text",), f"a quote in the rail holds at most {self.RAIL_CHARACTERS} characters; this one has {len(self.text)}",
                   "shorten it, or set it in the main column (place: main)")

    def heading(self) -> str | None:
        return None

    def refs(self) -> Iterator[Ref]:
        if self.source:
            yield Ref(("source",), "source", self.source)

    def _attribution(self) -> str:
        attribution = "\u2014 " + self.author + (f", {self.role}" if self.role else "")
        return attribution + (f" [@{self.source}]" if self.source else "")

    def render_rail(self, ctx):
        """A pull quote: under a rule, the quotation set a size above the rail's text, then who said it."""
        from reportlab.platypus import Spacer

        from ..render.grid import rail_box

        text = self.text.strip("\"“”")
        quote = ctx.paragraph(f"\u201c{text}\u201d", "rail_quote")
        attribution = ctx.paragraph(self._attribution(), "rail_small")
        return rail_box(ctx, None, [quote, Spacer(1, 4), attribution])

    def render(self, ctx):
        from reportlab.lib import colors
        from reportlab.platypus import KeepTogether, Spacer, Table, TableStyle

        attribution = self._attribution()
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
