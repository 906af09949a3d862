"""Investment implications: what to own, why, and the risks to the view."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from ..text import paragraphs
from .base import Exposure, Line, Passage, SectionModel


class Implication(BaseModel):
    model_config = ConfigDict(defer_build=True, extra="forbid", frozen=True)
    title: Line
    text: Passage
    exposure: Exposure = Field(default_factory=list)  # instruments that give exposure, e.g. tickers


class Implications(SectionModel):
    type: Literal["implications"]
    title: Line = "Investment implications"
    intro: str | None = None
    items: list[Implication] = Field(min_length=1)
    risks: str | None = None

    def render(self, ctx):
        from reportlab.lib import colors
        from reportlab.platypus import Table, TableStyle

        story = [ctx.heading(self.title)]
        if self.intro:
            story += [ctx.paragraph(text, "prose") for text in paragraphs(self.intro)]
        rows = []
        for item in self.items:
            label = ctx.paragraph(f"**{item.title}**", "cell")
            label._tag_role = "H3"  # each implication's label heads it, under the section's heading
            left = [label]
            if item.exposure:
                left.append(ctx.paragraph("Exposure: " + ", ".join(item.exposure), "kpi_label"))
            rows.append([left, [ctx.paragraph(text, "cell") for text in paragraphs(item.text)]])
        # with more than a band left under the opening, the first implication may start there and go on overleaf
        grid = Table(rows, colWidths=[ctx.frame_width * 0.26, ctx.frame_width * 0.74], splitInRow=1)
        grid.setStyle(TableStyle([
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LINEABOVE", (0, 0), (-1, 0), 1.2, colors.HexColor(ctx.theme.primary)),
            ("LINEBELOW", (0, 0), (-1, -1), 0.5, colors.HexColor(ctx.theme.rule)),
            ("TOPPADDING", (0, 0), (-1, -1), 6),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 7),
            ("LEFTPADDING", (0, 0), (0, -1), 0),
        ]))
        story.append(grid)
        # the heading and intro start a page only with the first implication under them, not alone at a foot
        first_row = Table(rows[:1], colWidths=[ctx.frame_width * 0.26, ctx.frame_width * 0.74])
        above = sum(item.wrap(ctx.frame_width, 10_000)[1] + item.getSpaceBefore() + item.getSpaceAfter() for item in story[:-1])
        needed = above + first_row.wrap(ctx.frame_width, 10_000)[1] + 13  # + the grid's row padding
        story.insert(0, ctx.kit.OpeningBreak(needed))  # (unless that would leave a band over 50 mm behind)
        if self.risks:
            story.append(ctx.paragraph(" ", "small"))
            story.append(ctx.paragraph("**Risks to the view.** " + " ".join(paragraphs(self.risks)), "prose"))
        if any(item.exposure for item in self.items):
            from .disclosures import capital_at_risk

            warning = capital_at_risk(ctx, section=self)  # views on the instruments named as exposure
            if warning is not None:
                story.append(warning)
        return [story[0], *ctx.kit.keep_heading(story[1:])]
