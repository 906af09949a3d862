"""Headed prose with figure references and linked citations."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from ..text import paragraphs
from .base import Line, SectionModel


class Narrative(SectionModel):
    type: Literal["narrative"]
    title: Line = Field(min_length=1)
    body: str = Field(min_length=1)

    def render(self, ctx):
        story = [ctx.heading(self.title)]
        story += [ctx.paragraph(text, "prose") for text in paragraphs(self.body)]
        return ctx.kit.keep_heading(story)
