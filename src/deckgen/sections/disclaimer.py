"""The small print every investor document carries."""

from __future__ import annotations

from typing import Literal

from ..text import paragraphs
from .base import Line, SectionModel

DEFAULT_DISCLAIMER = (
    "This brief is for information only and is not investment advice, an offer or a solicitation to buy "
    "or sell any security. Figures are taken from the sources listed, as of the dates shown, and have not "
    "been independently verified. Past performance is not a guide to future returns; the value of "
    "investments and the income from them can fall as well as rise, and currency movements can affect "
    "returns. Instruments named are examples of exposure to the themes discussed; where the brief states a view "
    "on them, the disclosures set out who holds it, their conflicts of interest and the prices quoted."
)


class Disclaimer(SectionModel):
    type: Literal["disclaimer"]
    title: Line = "Important information"
    text: str = DEFAULT_DISCLAIMER

    def render(self, ctx):
        story = [ctx.heading(self.title, level=3)]
        story += [ctx.paragraph(text, "small") for text in paragraphs(self.text)]
        spec = ctx.report.spec
        if not any(section.type == "disclosures" for section in spec.sections):  # else the disclosures say it
            from ..legends import copyright_line
            from .disclosures import classification_statement, issuing_firm, notice

            statement = classification_statement(spec)
            firm = issuing_firm(spec, ctx.theme.name)
            if statement:
                story.append(notice(ctx, statement))
                if firm:
                    story.append(notice(ctx, copyright_line(spec.date.year, firm)))
        return ctx.kit.keep_heading(story)
