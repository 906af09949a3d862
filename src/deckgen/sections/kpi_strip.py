"""A row of headline figures, each with a short label."""

from __future__ import annotations

from ..text import escape

from typing import ClassVar, Iterator, Literal

from pydantic import BaseModel, ConfigDict, Field

from ..text import FIGURE_STYLES
from .base import Line, Ref, SectionModel


class Kpi(BaseModel):
    model_config = ConfigDict(defer_build=True, extra="forbid", frozen=True)
    figure: str
    label: Line
    style: Literal[FIGURE_STYLES] | None = None  # type: ignore[valid-type]


class KpiStrip(SectionModel):
    type: Literal["kpi_strip"]
    title: Line | None = None
    items: list[Kpi] = Field(min_length=1, max_length=6)

    IN_RAIL: ClassVar[bool] = True  # in the rail: a stacked "Key data" box
    MIN_VALUE_SCALE: ClassVar[float] = 0.7  # values shrink to fit their tiles, but no further

    def heading(self) -> str | None:
        return self.title  # in the outline only with a heading a reader can see

    def refs(self) -> Iterator[Ref]:
        for index, item in enumerate(self.items):
            yield Ref(("items", index, "figure"), "figure", item.figure)

    def _value(self, ctx, index: int, item: Kpi, style: str):
        """A figure's value, recorded for the proof as the figure it prints."""
        from ..render.paragraph import Paragraph

        shown = ctx.report.format(item.figure, item.style)
        value = Paragraph(ctx.fonts.glyph_fallback(escape(shown), ctx.styles[style].fontName), ctx.styles[style])
        tile = f"the KPI tile '{ctx.plain(item.label)}'"
        value._proof_expected, value._proof_values, value._proof_figures = shown, (shown,), ((item.figure, shown),)
        value._proof_what, value._proof_origin = f"the value of {tile}", ("items", index, "figure")
        return value

    def render_rail(self, ctx):
        """A "Key data" box: each figure over its label, one under the other, then their sources."""
        from reportlab.pdfbase.pdfmetrics import stringWidth

        from ..render.grid import rail_box, rail_rule
        from ..render.paragraph import Paragraph

        content = []
        for index, item in enumerate(self.items):
            if index:
                content.append(rail_rule(ctx))
            value = self._value(ctx, index, item, "rail_value")
            value.keepWithNext = 1
            label = ctx.paragraph(item.label, "rail_text")
            label._proof_what, label._proof_origin = f"the label of the KPI tile '{ctx.plain(item.label)}'", ("items", index, "label")
            content += [value, label]
        source = ctx.provenance(figure_names=[item.figure for item in self.items], style="rail_small")
        # the rail's narrow measure: "As of" never parted, its date range whole on a line of its own if need be,
        # and broken after its dash only when the rail is narrower than the range
        text = source.text.replace("As of ", "As\u00a0of ")
        when = text.rpartition("As\u00a0of ")[2]
        if ctx.grid is not None and stringWidth(when, source.style.fontName, source.style.fontSize) > ctx.grid.rail_width:
            text = text.replace("\u00a0\u2013\u00a0", "\u00a0\u2013 ")
        source = Paragraph(text, source.style)
        content += [rail_rule(ctx), source]
        return rail_box(ctx, self.title or "Key data", content)

    def render(self, ctx):
        from reportlab.lib import colors
        from reportlab.platypus import KeepTogether, Spacer, Table, TableStyle

        from ..render.paragraph import Paragraph

        from reportlab.pdfbase.pdfmetrics import stringWidth

        width = ctx.frame_width / len(self.items)
        shown_values = [ctx.report.format(item.figure, item.style) for item in self.items]
        # the values of a strip share one size: the largest at which the widest fits its tile on one line
        style = ctx.styles["kpi_value"]
        room = width - 8 - 6  # the tile less its left and right padding
        widest = max(stringWidth(shown, style.fontName, style.fontSize) for shown in shown_values)
        if widest > room:
            scale = max(self.MIN_VALUE_SCALE, room / widest)
            style = style.clone("kpi_value_fitted", fontSize=style.fontSize * scale, leading=style.leading * scale)
        cells = []
        for index, (item, shown) in enumerate(zip(self.items, shown_values)):
            value = Paragraph(ctx.fonts.glyph_fallback(escape(shown), style.fontName), style)
            label = ctx.paragraph(item.label, "kpi_label")
            tile = f"the KPI tile '{ctx.plain(item.label)}'"
            value._proof_expected, value._proof_values, value._proof_figures = shown, (shown,), ((item.figure, shown),)
            value._proof_what, value._proof_origin = f"the value of {tile}", ("items", index, "figure")
            label._proof_what, label._proof_origin = f"the label of {tile}", ("items", index, "label")
            cells.append([value, label])
        table = Table([cells], colWidths=[width] * len(cells))
        rule = colors.HexColor(ctx.theme.rule)
        table.setStyle(TableStyle([
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LINEABOVE", (0, 0), (-1, 0), 1.5, colors.HexColor(ctx.theme.primary)),
            ("LINEBELOW", (0, 0), (-1, 0), 0.5, rule),
            ("LINEAFTER", (0, 0), (-2, 0), 0.5, rule),
            ("LEFTPADDING", (0, 0), (-1, -1), 8),
            ("TOPPADDING", (0, 0), (-1, -1), 6),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 8),
        ]))
        story = [ctx.heading(self.title, level=3)] if self.title else []
        story += [table, ctx.provenance(figure_names=[item.figure for item in self.items])]
        return [KeepTogether(story), Spacer(1, 4)]

