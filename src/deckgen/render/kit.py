"""Flowables shared by several section types: boxes, anchors, captions, charts."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Sequence

from reportlab.lib import colors
from reportlab.platypus import Flowable, KeepTogether, Paragraph, Spacer, Table, TableStyle

if TYPE_CHECKING:
    from .context import RenderContext


class SectionAnchor(Flowable):
    """Zero-size marker that puts a section into the PDF outline and names it as a link target."""

    def __init__(self, key: str, title: str | None, level: int = 0):
        super().__init__()
        self.key, self.title, self.level = key, title, level
        self.keepWithNext = 1

    def wrap(self, available_width, available_height):
        return 0, 0

    def draw(self):
        canvas = self.canv
        canvas.bookmarkHorizontal(self.key, 0, 14)
        if self.title:
            canvas.addOutlineEntry(self.title, self.key, level=self.level, closed=False)


class InvisibleText(Flowable):
    """Text a reader's tools can find (search, screen readers) but the eye cannot: a chart's alt text."""

    def __init__(self, text: str, font: str):
        super().__init__()
        self.text, self.font = text, font

    def wrap(self, available_width, available_height):
        return 0, 0

    def draw(self):
        text = self.canv.beginText(0, 0)
        text.setTextRenderMode(3)
        text.setFont(self.font, 1)
        text.textLine(self.text)
        self.canv.drawText(text)


def keep_heading(story: list[Any]) -> list[Any]:
    """Never leave a heading alone at the bottom of a page: keep it with what follows."""
    if len(story) >= 2:
        return [KeepTogether(story[:2]), *story[2:]]
    return story


def boxed(ctx: "RenderContext", title: str | None, content: Sequence[Any], tone: str = "primary") -> list[Any]:
    """A tinted box with a coloured rule on the left, used for takeaways and side panels."""
    rule = colors.HexColor(ctx.theme.primary if tone == "primary" else tone)
    rows = ([[ctx.paragraph(title, "box_title")]] if title else []) + [[item] for item in content]
    table = Table(rows, colWidths=[ctx.frame_width])
    table.setStyle(TableStyle([
        ("BACKGROUND", (0, 0), (-1, -1), colors.HexColor(ctx.theme.muted)),
        ("LINEBEFORE", (0, 0), (0, -1), 3, rule),
        ("LEFTPADDING", (0, 0), (-1, -1), 12),
        ("RIGHTPADDING", (0, 0), (-1, -1), 12),
        ("TOPPADDING", (0, 0), (-1, -1), 1),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
        ("TOPPADDING", (0, 0), (-1, 0), 9),
        ("BOTTOMPADDING", (0, -1), (-1, -1), 7),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]))
    return [table, Spacer(1, ctx.theme.base_size)]


def chart_block(ctx: "RenderContext", drawing, title: str, caption: str | None, alt: str, provenance) -> list[Any]:
    """Heading, chart, caption, alt text and source line, kept together on one page."""
    block = [ctx.heading(title, level=3), drawing, InvisibleText(f"Chart: {alt}", ctx.fonts.body.regular)]
    if caption:
        block.append(ctx.paragraph(caption, "caption"))
    block.append(provenance)
    return [KeepTogether(block)]


def table_style(ctx: "RenderContext", rows: int, header: bool = True) -> TableStyle:
    commands = [
        ("FONTNAME", (0, 0), (-1, -1), ctx.fonts.body.regular),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 4),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
        ("LEFTPADDING", (0, 0), (-1, -1), 5),
        ("RIGHTPADDING", (0, 0), (-1, -1), 5),
        ("LINEBELOW", (0, -1), (-1, -1), 0.8, colors.HexColor(ctx.theme.primary)),
    ]
    if header:
        commands += [
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor(ctx.theme.primary)),
            ("FONTNAME", (0, 0), (-1, 0), ctx.fonts.body.bold),
            ("TEXTCOLOR", (0, 0), (-1, 0), colors.HexColor(ctx.theme.on_primary)),
        ]
    first = 1 if header else 0
    for row in range(first, rows):
        if (row - first) % 2 == 1:
            commands.append(("BACKGROUND", (0, row), (-1, row), colors.HexColor(ctx.theme.muted)))
    return TableStyle(commands)


def logo(path, height: float, max_width: float = 170):
    """The brand logo at ``height`` points (less if it would be wider than ``max_width``): SVG stays
    vector; PNG/JPEG is placed as an image.

    The bytes drawn are the bytes checked (the same sandbox rules as ``validate``), read once.
    """
    import io
    from pathlib import Path

    from ..brand.files import AssetError, read_regular_file
    from ..brand.logos import MAX_LOGO_BYTES, check_logo
    from ..errors import BuildError

    path = Path(path)
    try:
        data = read_regular_file(path, MAX_LOGO_BYTES, "logo")
        kind = check_logo(data, path.name)
    except AssetError as exc:
        raise BuildError(str(exc)) from None
    if kind == "SVG":
        from reportlab.graphics.shapes import Drawing, Group
        from svglib.svglib import svg2rlg

        try:
            source = svg2rlg(io.BytesIO(data))
        except Exception as exc:  # svglib's own failures, on an SVG the sandbox accepted
            raise BuildError(f"logo {path.name} could not be drawn as SVG ({type(exc).__name__}); re-export it") from None
        if source is None or not source.height or not source.width:
            raise BuildError(f"logo {path.name} could not be read as SVG")
        scale = min(height / source.height, max_width / source.width)
        height = source.height * scale
        group = Group(*source.contents)
        group.scale(scale, scale)
        drawing = Drawing(source.width * scale, height)
        drawing.add(group)
        return drawing
    from reportlab.platypus import Image

    from reportlab.lib.utils import ImageReader

    pixels_wide, pixels_high = ImageReader(io.BytesIO(data)).getSize()
    scale = min(height / pixels_high, max_width / pixels_wide)
    image = Image(io.BytesIO(data), width=pixels_wide * scale, height=pixels_high * scale)
    image.width, image.height = image.drawWidth, image.drawHeight  # known before layout, like a Drawing's
    return image
