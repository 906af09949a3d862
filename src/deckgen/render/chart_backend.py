"""A matplotlib renderer that records drawing operations, and the reportlab Drawing made from them.

matplotlib lays a chart out and calls ``draw_path`` / ``draw_text``; we record each call as a
plain operation (lists of numbers and strings) instead of writing SVG for svglib to parse back.
Text is measured and set with the brand's registered TrueType fonts, so it stays text, in the
brand's fonts, and is measured the same way the PDF will set it.

The operations are JSON: a chart's cache entry is its list of operations, and a cached chart is
drawn without importing matplotlib (``drawing_from_ops`` needs only reportlab).
"""

from __future__ import annotations

from typing import Any

from reportlab.lib import colors
from reportlab.pdfbase import pdfmetrics

OPS_VERSION = 2
_BOLD_WEIGHTS = {"semibold", "demibold", "demi", "bold", "heavy", "extra bold", "black"}


def _round(value: float) -> float:
    return round(float(value), 3)


def _colour(rgba) -> list[float] | None:
    if rgba is None:
        return None
    red, green, blue, *alpha = (float(c) for c in rgba)
    alpha_value = alpha[0] if alpha else 1.0
    return None if alpha_value <= 0 else [round(red, 4), round(green, 4), round(blue, 4), round(alpha_value, 4)]


def make_renderer(width: float, height: float, fonts) -> Any:
    """A matplotlib renderer for a ``width`` × ``height`` pt chart, setting text in ``fonts``
    (regular, bold, italic, bold_italic reportlab names). Imports matplotlib."""
    from matplotlib.backend_bases import GraphicsContextBase, RendererBase
    from matplotlib.path import Path as MplPath

    class OpsRenderer(RendererBase):
        def __init__(self):
            super().__init__()
            self.ops: list[list[Any]] = []

        def flipy(self) -> bool:
            return False

        def get_canvas_width_height(self):
            return width, height

        def points_to_pixels(self, points):
            return points  # charts are laid out at 72 dpi: one pixel is one point

        def option_image_nocomposite(self) -> bool:
            return True

        def new_gc(self):
            return GraphicsContextBase()

        def _font(self, prop) -> str:
            weight = prop.get_weight()
            bold = (weight >= 600) if isinstance(weight, (int, float)) else str(weight) in _BOLD_WEIGHTS
            italic = prop.get_style() in ("italic", "oblique")
            return (fonts.bold_italic if italic else fonts.bold) if bold else (fonts.italic if italic else fonts.regular)

        def get_text_width_height_descent(self, s, prop, ismath):
            font, size = self._font(prop), prop.get_size_in_points()
            face = pdfmetrics.getFont(font).face
            descent = -face.descent * size / 1000
            return pdfmetrics.stringWidth(s, font, size), face.ascent * size / 1000 + descent, descent

        def draw_path(self, gc, path, transform, rgbFace=None):
            alpha = gc.get_alpha() if gc.get_forced_alpha() else None
            fill = _colour(rgbFace)
            if fill is not None and alpha is not None:
                fill[3] = round(alpha, 4)
            line_width = gc.get_linewidth()
            stroke = _colour(gc.get_rgb()) if line_width > 0 else None
            if stroke is not None and alpha is not None:
                stroke[3] = round(alpha, 4)
            if fill is None and stroke is None:
                return
            clip = gc.get_clip_rectangle()
            if fill is not None and clip is not None:
                path = path.transformed(transform).clip_to_bbox(clip)
                transform, clip_extents = None, None
            else:
                clip_extents = clip.extents if clip is not None else None
            segments: list[list[float | str]] = []
            for points, code in path.iter_segments(transform, remove_nans=True, clip=clip_extents, simplify=False, curves=True):
                coords = [_round(p) for p in points]
                if code == MplPath.MOVETO:
                    segments.append(["M", *coords])
                elif code == MplPath.LINETO:
                    segments.append(["L", *coords])
                elif code == MplPath.CURVE3:  # a quadratic Bézier, as the cubic reportlab draws
                    if not segments:
                        continue
                    x0, y0 = segments[-1][-2], segments[-1][-1]
                    cx, cy, x, y = coords
                    segments.append(["C", _round(x0 + 2 / 3 * (cx - x0)), _round(y0 + 2 / 3 * (cy - y0)),
                                     _round(x + 2 / 3 * (cx - x)), _round(y + 2 / 3 * (cy - y)), x, y])
                elif code == MplPath.CURVE4:
                    segments.append(["C", *coords])
                elif code == MplPath.CLOSEPOLY:
                    segments.append(["Z"])
            if not segments:
                return
            offset, dashes = gc.get_dashes()
            self.ops.append(["path", segments, fill, stroke, _round(line_width),
                             [_round(d) for d in dashes] if dashes else None, gc.get_capstyle(), gc.get_joinstyle()])

        def draw_text(self, gc, x, y, s, prop, angle, ismath=False, mtext=None):
            colour = _colour(gc.get_rgb())
            if colour is None or not s:
                return
            self.ops.append(["text", _round(x), _round(y), s, self._font(prop), _round(prop.get_size_in_points()),
                             colour, _round(angle)])

        def draw_image(self, gc, x, y, im, transform=None):
            raise NotImplementedError("charts are vector: no images")

    return OpsRenderer()


_CAPS = {"butt": 0, "round": 1, "projecting": 2}
_JOINS = {"miter": 0, "round": 1, "bevel": 2}


def _rl_colour(value: list[float] | None):
    if value is None:
        return None
    red, green, blue, alpha = value
    return colors.Color(red, green, blue, alpha=alpha)


def drawing_from_ops(width: float, height: float, ops: list[list[Any]]):
    """The reportlab Drawing the operations describe (raises ValueError on anything malformed)."""
    from reportlab.graphics.shapes import Drawing, Group, Path, String

    drawing = Drawing(width, height)
    notes: list[str] = []
    for op in ops:
        kind = op[0]
        if kind == "path":
            _, segments, fill, stroke, line_width, dashes, cap, join = op
            shape = Path(fillColor=_rl_colour(fill), strokeColor=_rl_colour(stroke), strokeWidth=float(line_width),
                         strokeLineCap=_CAPS.get(cap, 0), strokeLineJoin=_JOINS.get(join, 0), autoclose="svg")
            if dashes:
                shape.strokeDashArray = [float(d) for d in dashes]
            for segment in segments:
                code, coords = segment[0], [float(c) for c in segment[1:]]
                if code == "M":
                    shape.moveTo(*coords)
                elif code == "L":
                    shape.lineTo(*coords)
                elif code == "C":
                    shape.curveTo(*coords)
                elif code == "Z":
                    shape.closePath()
                else:
                    raise ValueError(f"unknown path segment {code!r}")
            drawing.add(shape)
        elif kind == "text":
            _, x, y, text, font, size, colour, angle = op
            if not isinstance(text, str) or font not in pdfmetrics.getRegisteredFontNames():
                raise ValueError("bad text operation")
            if angle:
                group = Group(String(0, 0, text, fontName=font, fontSize=float(size), fillColor=_rl_colour(colour)))
                group.translate(float(x), float(y))
                group.rotate(float(angle))
                drawing.add(group)
            else:
                drawing.add(String(float(x), float(y), text, fontName=font, fontSize=float(size), fillColor=_rl_colour(colour)))
        elif kind == "note":  # what the chart left out (a label with no free place): warned about, not drawn
            if not isinstance(op[1], str):
                raise ValueError("bad note operation")
            notes.append(op[1])
        else:
            raise ValueError(f"unknown operation {kind!r}")
    drawing._notes = notes
    return drawing
