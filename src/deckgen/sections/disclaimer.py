"""The small print every investor document carries. In a brief without disclosures (a marketing
communication) it also carries the classification statement, each jurisdiction's distribution legend
(``distribution: [UK, EEA]``) and the copyright line; the cover's "See page N" links to it."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator

from ..legends import MAX_JURISDICTIONS
from ..text import paragraphs
from .base import Line, SectionModel
from .disclosures import Issuer, Jurisdiction, once_each

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
    # who may receive the brief: each jurisdiction's legend (a brief with disclosures gives it there)
    distribution: list[Jurisdiction] = Field(default_factory=list, max_length=MAX_JURISDICTIONS)
    # who issues the brief and who regulates it (a brief with disclosures gives it there)
    issuer: Issuer | None = None

    @field_validator("distribution")
    @classmethod
    def _once_each(cls, value: list[str]) -> list[str]:
        return once_each(value)

    def render(self, ctx):
        heading = ctx.heading(self.title, level=3)
        story = [heading]
        story += [ctx.paragraph(text, "disclosure") for text in paragraphs(self.text)]  # as the legends below
        spec = ctx.report.spec
        if not any(section.type == "disclosures" for section in spec.sections):  # else the disclosures say it
            from ..legends import JURISDICTIONS, copyright_line
            from .disclosures import classification_statement, issuing_firm, notice

            statement = classification_statement(spec)
            firm = issuing_firm(spec, ctx.theme.name)
            if statement:
                story.append(notice(ctx, statement))
            if self.issuer is not None:
                story.append(notice(ctx, self.issuer.status_line(ctx.theme.name)))
            for code in self.distribution:
                name, legend = JURISDICTIONS[code]
                story.append(notice(ctx, f"**{name}.** {legend}"))
            if statement and firm:
                story.append(notice(ctx, copyright_line(spec.date.year, firm)))
        story = ctx.kit.keep_heading(story)
        from .disclosures import cover_reference, mark_target

        reference = cover_reference(spec)
        index = next(i for i, section in enumerate(spec.sections) if section is self)
        if reference is not None and reference.key == f"{self.anchor(index)}-notice":
            mark_target(ctx, story, heading, reference.key)
        return story
