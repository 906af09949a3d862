"""Numbered IEEE-style references, each a link target for the citations that point to it."""

from __future__ import annotations

from typing import Literal

from ..text import escape, escape_attribute
from .base import Line, SectionModel


class Sources(SectionModel):
    type: Literal["sources"]
    title: Line = "Sources"

    def render(self, ctx):
        from ..render.paragraph import Paragraph

        def text(value: str) -> str:
            return ctx.fonts.glyph_fallback(escape(value))

        story = [ctx.heading(self.title)]
        for number, source in enumerate(ctx.report.sources, start=1):
            publisher = source.publisher if source.publisher and source.publisher != source.author else None
            # IEEE: a comma before what follows in the same sentence, a full stop when nothing does
            after_title = "," if publisher or source.date else "."
            parts = [f"{text(source.author)}, \u201c{text(source.title)}{after_title}\u201d"]
            if publisher:
                parts.append(f"{text(publisher)}{',' if source.date else '.'}")
            if source.date:
                parts.append(f"{ctx.date(source.date)}.")
            if source.url:
                url = escape_attribute(source.url)
                parts.append(f'[Online]. Available: <a href="{url}" color="{ctx.theme.link_color}"><u>{url}</u></a>.')
            elif source.site:  # the publisher's site, not the document: named as such
                site = escape_attribute(source.site)
                parts.append(f'Publisher\u2019s website: <a href="{site}" color="{ctx.theme.link_color}"><u>{site}</u></a>.')
            if source.accessed:
                parts.append(f"Accessed {ctx.date(source.accessed)}.")
            if source.note:
                parts.append(text(source.note))
                ctx.keep_last_word(source.note, "reference")
            markup = f'<a name="src-{number}"/>[{number}]\u2002' + " ".join(parts)
            story.append(Paragraph(markup, ctx.styles["reference"]))
        return ctx.kit.keep_heading(story)
