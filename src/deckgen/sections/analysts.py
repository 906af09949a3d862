"""The analyst box: who wrote the brief and how to reach them, and the legal entity that issues it;
set in the rail beside the text (``place: main``: in the flow of the page).

    - type: analysts            # the analysts of the disclosures section, unless listed here
      title: Analysts             # default: Contact in a marketing communication, else Analysts
      analysts:
        - {name: A. Analyst, title: Strategist, email: a.analyst@example.com, phone: "+44 20 0000 0000"}
      entity: Example Research Ltd   # default: the disclosures' issuer, else the brand's name

A brief with a masthead and a disclosures section that names analysts carries this box in page 1's
rail without being asked (``rail: false`` turns page 1's rail off).
"""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from pydantic import Field

from .base import Line, SectionModel
from .disclosures import Analyst


MIN_ADDRESS_SIZE = 6.0  # points: an e-mail address is set no smaller to fit the rail (below, it breaks after its @)


class Analysts(SectionModel):
    type: Literal["analysts"]
    title: Line = "Analysts"
    analysts: list[Analyst] = Field(default_factory=list, max_length=12)
    entity: Line | None = None
    note: Line | None = None  # e.g. that the names are illustrative

    IN_RAIL: ClassVar[bool] = True

    def heading(self) -> str | None:
        return None  # a box beside the text, not a part of the brief to go to

    def listed(self, spec) -> list[Analyst]:
        """The analysts shown: its own, else those of the brief's disclosures."""
        if self.analysts:
            return list(self.analysts)
        return [analyst for section in spec.sections if section.type == "disclosures" for analyst in section.analysts]

    @staticmethod
    def issuer(spec) -> Any:
        from .disclosures import brief_issuer

        return brief_issuer(spec)

    def box_title(self, spec) -> str:
        """The title the spec gives, else by classification: who to contact about a marketing
        communication, the analysts of research."""
        if "title" in self.model_fields_set or spec.classification != "marketing-communication":
            return self.title
        return "Contact"

    def content(self, ctx, width: float) -> list[Any]:
        """Each analyst (name, title, entity if not the issuer's, e-mail, phone), then the issuing entity;
        an e-mail address is set smaller rather than broken when it is wider than ``width``."""
        from reportlab.pdfbase.pdfmetrics import stringWidth

        from reportlab.platypus import Spacer

        from ..render.grid import rail_rule
        from ..render.paragraph import Paragraph
        from ..text import escape

        spec, theme = ctx.report.spec, ctx.theme
        issuer = self.issuer(spec)
        entity = self.entity or (issuer.entity(theme.name) if issuer is not None else None) or theme.name
        items: list[Any] = []
        for index, analyst in enumerate(self.listed(spec)):
            if index:
                items.append(rail_rule(ctx))
            name = ctx.paragraph(analyst.name, "rail_name")
            name.keepWithNext = 1
            items.append(name)
            details = [escape(ctx.plain(analyst.title))] if analyst.title else []
            if analyst.entity and analyst.entity != entity:
                details.append(escape(ctx.plain(analyst.entity)))
            if analyst.email:
                address = escape(analyst.email)
                style = ctx.styles["rail_text"]
                parts = [analyst.email]
                if stringWidth(analyst.email, style.fontName, MIN_ADDRESS_SIZE) > width - 1:  # on two lines, after the @
                    local, _, domain = analyst.email.partition("@")
                    parts = [local + "@", domain]
                wide = max(stringWidth(part, style.fontName, style.fontSize) for part in parts)
                size = max(MIN_ADDRESS_SIZE, style.fontSize * min(1.0, (width - 1) / wide)) if wide else style.fontSize
                shown = "<br/>".join(escape(part) for part in parts)
                shown = shown if size >= style.fontSize else f'<font size="{size:.2f}">{shown}</font>'
                details.append(f'<a href="mailto:{address}" color="{theme.link_color}">{shown}</a>')
            if analyst.phone:
                details.append(escape(analyst.phone).replace(" ", "\u00a0"))
            if details:
                font = ctx.styles["rail_text"].fontName
                items.append(Paragraph(ctx.fonts.glyph_fallback("<br/>".join(details), font), ctx.styles["rail_text"]))
        # the disclosures' (or disclaimer's) own status line, so the two cannot disagree
        if issuer is not None and self.entity:
            issuer = issuer.model_copy(update={"name": self.entity, "legal_form": None})  # the entity this box names
        issued = issuer.status_line(theme.name) if issuer is not None else f"Issued by {entity}."
        items += [Spacer(1, ctx.theme.base_size * 0.6), ctx.paragraph(issued, "rail_small")]
        if self.note:
            items.append(ctx.paragraph(f"*{self.note}*", "rail_small"))
        return items

    def render_rail(self, ctx):
        from ..render.grid import rail_box

        return rail_box(ctx, self.box_title(ctx.report.spec), self.content(ctx, ctx.grid.rail_width))

    def render(self, ctx):
        return ctx.kit.boxed(ctx, self.box_title(ctx.report.spec), self.content(ctx, ctx.grid.text_width))
