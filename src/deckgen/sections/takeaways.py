"""The headline box: a few one-line takeaways with bold lead-ins."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from .base import Line, Passage, SectionModel


class Takeaway(BaseModel):
    model_config = ConfigDict(defer_build=True, extra="forbid", frozen=True)
    title: Line = Field(min_length=1)
    text: Passage = Field(min_length=1)


class Takeaways(SectionModel):
    type: Literal["takeaways"]
    title: Line = "Key takeaways"
    marker: str = "\u2713"
    items: list[Takeaway] = Field(min_length=1, max_length=8)

    def render(self, ctx):
        lines = [
            ctx.paragraph(f"{self.marker}\u2002**{item.title}:** {item.text}", "takeaway") for item in self.items
        ]
        return ctx.kit.boxed(ctx, self.title, lines)
