"""Cover masthead: logo, label, title, subtitle, date and author line."""

from __future__ import annotations

from ..text import escape

from typing import Literal

from .base import Line, SectionModel
from .disclosures import classification_label, cover_notice, cover_statement


class Masthead(SectionModel):
    type: Literal["masthead"]
    label: Line = "Investor Brief"

    def heading(self) -> str | None:
        return None

    @staticmethod
    def _analysts(spec) -> str | None:
        """The research analysts named on the cover, as a research brief's front page names them."""
        names = [analyst.name for section in spec.sections if section.type == "disclosures"
                 for analyst in section.analysts]
        return "Analysts: " + ", ".join(dict.fromkeys(names)) if names else None

    def render(self, ctx):
        from reportlab.lib import colors
        from reportlab.platypus import Spacer, Table, TableStyle
        from reportlab.platypus.flowables import HRFlowable

        from ..render.paragraph import Paragraph

        spec, theme = ctx.report.spec, ctx.theme
        logo = ctx.kit.logo(theme.logo, height=30) if theme.logo else Spacer(1, 30)
        brand = Paragraph(
            f'<font name="{ctx.fonts.headings.bold}" color="{theme.heading_color}">{ctx.fonts.glyph_fallback(escape(theme.name), ctx.fonts.headings.bold)}</font>'
            f'<br/><font color="{theme.secondary}">{ctx.fonts.glyph_fallback(escape(ctx.plain(self.label).upper()))}</font>',
            ctx.styles["label"],
        )
        author = ctx.plain(spec.author) if spec.author else theme.author  # the spec's texts take {{ figures }}
        analysts = self._analysts(spec)
        byline = "<br/>".join(escape(part) for part in filter(None, [ctx.date(spec.date), author,
                                                                    ctx.plain(analysts) if analysts else None]))
        if (classification := classification_label(spec)) is not None:  # MiFID II: what the brief is, up front
            byline = f"<b>{escape(classification)}</b><br/>{byline}"
        top = Table([[logo, brand, Paragraph(ctx.fonts.glyph_fallback(byline), ctx.styles["byline"])]],
                    colWidths=[logo.width + 8, ctx.frame_width * 0.3, None])
        top.setStyle(TableStyle([
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ("ALIGN", (2, 0), (2, 0), "RIGHT"),
        ]))
        if theme.logo:  # the logo is a Figure; its alt text from the brand, else the brand's name
            logo._tag_alt = f"Logo: {theme.logo_alt or theme.name}"
        story = [top]
        story += [Spacer(1, 10), HRFlowable(width="100%", thickness=2.2, color=colors.HexColor(theme.primary), spaceAfter=14)]
        story.append(ctx.paragraph(spec.title, "h1"))
        if spec.subtitle:
            story.append(ctx.paragraph(spec.subtitle, "subtitle"))
        story += cover_statement(ctx)  # a marketing communication says so in full, up front
        story += cover_notice(ctx)  # "See page N for the analyst certification and important disclosures."
        story.append(HRFlowable(width="100%", thickness=0.6, color=colors.HexColor(theme.rule), spaceBefore=4, spaceAfter=12))
        return story

