"""Colours as brand.yml writes them -> #RRGGBB: palette names (nested), theme-colour references,
CSS colour names, #rgb/#rgba/#rrggbb/#rrggbbaa, rgb()/rgba()/hsl()/hsla(); and WCAG contrast."""

from __future__ import annotations

import colorsys
import re

# CSS Color Module Level 4 named colours.
CSS_NAMES = {
    "aliceblue": "#F0F8FF", "antiquewhite": "#FAEBD7", "aqua": "#00FFFF", "aquamarine": "#7FFFD4",
    "azure": "#F0FFFF", "beige": "#F5F5DC", "bisque": "#FFE4C4", "black": "#000000",
    "blanchedalmond": "#FFEBCD", "blue": "#0000FF", "blueviolet": "#8A2BE2", "brown": "#A52A2A",
    "burlywood": "#DEB887", "cadetblue": "#5F9EA0", "chartreuse": "#7FFF00", "chocolate": "#D2691E",
    "coral": "#FF7F50", "cornflowerblue": "#6495ED", "cornsilk": "#FFF8DC", "crimson": "#DC143C",
    "cyan": "#00FFFF", "darkblue": "#00008B", "darkcyan": "#008B8B", "darkgoldenrod": "#B8860B",
    "darkgray": "#A9A9A9", "darkgreen": "#006400", "darkgrey": "#A9A9A9", "darkkhaki": "#BDB76B",
    "darkmagenta": "#8B008B", "darkolivegreen": "#556B2F", "darkorange": "#FF8C00", "darkorchid": "#9932CC",
    "darkred": "#8B0000", "darksalmon": "#E9967A", "darkseagreen": "#8FBC8F", "darkslateblue": "#483D8B",
    "darkslategray": "#2F4F4F", "darkslategrey": "#2F4F4F", "darkturquoise": "#00CED1",
    "darkviolet": "#9400D3", "deeppink": "#FF1493", "deepskyblue": "#00BFFF", "dimgray": "#696969",
    "dimgrey": "#696969", "dodgerblue": "#1E90FF", "firebrick": "#B22222", "floralwhite": "#FFFAF0",
    "forestgreen": "#228B22", "fuchsia": "#FF00FF", "gainsboro": "#DCDCDC", "ghostwhite": "#F8F8FF",
    "gold": "#FFD700", "goldenrod": "#DAA520", "gray": "#808080", "green": "#008000",
    "greenyellow": "#ADFF2F", "grey": "#808080", "honeydew": "#F0FFF0", "hotpink": "#FF69B4",
    "indianred": "#CD5C5C", "indigo": "#4B0082", "ivory": "#FFFFF0", "khaki": "#F0E68C",
    "lavender": "#E6E6FA", "lavenderblush": "#FFF0F5", "lawngreen": "#7CFC00", "lemonchiffon": "#FFFACD",
    "lightblue": "#ADD8E6", "lightcoral": "#F08080", "lightcyan": "#E0FFFF",
    "lightgoldenrodyellow": "#FAFAD2", "lightgray": "#D3D3D3", "lightgreen": "#90EE90",
    "lightgrey": "#D3D3D3", "lightpink": "#FFB6C1", "lightsalmon": "#FFA07A", "lightseagreen": "#20B2AA",
    "lightskyblue": "#87CEFA", "lightslategray": "#778899", "lightslategrey": "#778899",
    "lightsteelblue": "#B0C4DE", "lightyellow": "#FFFFE0", "lime": "#00FF00", "limegreen": "#32CD32",
    "linen": "#FAF0E6", "magenta": "#FF00FF", "maroon": "#800000", "mediumaquamarine": "#66CDAA",
    "mediumblue": "#0000CD", "mediumorchid": "#BA55D3", "mediumpurple": "#9370DB",
    "mediumseagreen": "#3CB371", "mediumslateblue": "#7B68EE", "mediumspringgreen": "#00FA9A",
    "mediumturquoise": "#48D1CC", "mediumvioletred": "#C71585", "midnightblue": "#191970",
    "mintcream": "#F5FFFA", "mistyrose": "#FFE4E1", "moccasin": "#FFE4B5", "navajowhite": "#FFDEAD",
    "navy": "#000080", "oldlace": "#FDF5E6", "olive": "#808000", "olivedrab": "#6B8E23",
    "orange": "#FFA500", "orangered": "#FF4500", "orchid": "#DA70D6", "palegoldenrod": "#EEE8AA",
    "palegreen": "#98FB98", "paleturquoise": "#AFEEEE", "palevioletred": "#DB7093", "papayawhip": "#FFEFD5",
    "peachpuff": "#FFDAB9", "peru": "#CD853F", "pink": "#FFC0CB", "plum": "#DDA0DD",
    "powderblue": "#B0E0E6", "purple": "#800080", "rebeccapurple": "#663399", "red": "#FF0000",
    "rosybrown": "#BC8F8F", "royalblue": "#4169E1", "saddlebrown": "#8B4513", "salmon": "#FA8072",
    "sandybrown": "#F4A460", "seagreen": "#2E8B57", "seashell": "#FFF5EE", "sienna": "#A0522D",
    "silver": "#C0C0C0", "skyblue": "#87CEEB", "slateblue": "#6A5ACD", "slategray": "#708090",
    "slategrey": "#708090", "snow": "#FFFAFA", "springgreen": "#00FF7F", "steelblue": "#4682B4",
    "tan": "#D2B48C", "teal": "#008080", "thistle": "#D8BFD8", "tomato": "#FF6347",
    "turquoise": "#40E0D0", "violet": "#EE82EE", "wheat": "#F5DEB3", "white": "#FFFFFF",
    "whitesmoke": "#F5F5F5", "yellow": "#FFFF00", "yellowgreen": "#9ACD32",
}

_HEX = re.compile(r"^#([0-9a-fA-F]{3,4}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})$")
_FUNCTION = re.compile(r"^(rgba?|hsla?)\(\s*([^)]*)\)$", re.IGNORECASE)
_NUMBER = r"[-+]?(?:\d+\.?\d*|\.\d+)"


class ColourError(ValueError):
    """A colour value that is not a colour; the message says what was expected."""


def parse_literal(text: str, background: str = "#FFFFFF") -> str | None:
    """``text`` as #RRGGBB if it is a colour literal or CSS name (translucent colours laid on
    ``background``), None if it is not one (it may be a name to look up); ColourError if it is
    malformed (``#12345``, ``rgb(1, 2)``)."""
    value = text.strip()
    if value.lower() in CSS_NAMES:
        return CSS_NAMES[value.lower()]
    if value.startswith("#"):
        match = _HEX.match(value)
        if not match:
            raise ColourError(f"'{text}' is not a hex colour; use #RGB or #RRGGBB")
        digits = match.group(1)
        if len(digits) in (3, 4):
            digits = "".join(c * 2 for c in digits)
        rgb = tuple(int(digits[i:i + 2], 16) for i in (0, 2, 4))
        alpha = int(digits[6:8], 16) / 255 if len(digits) == 8 else 1.0
        return _blend(rgb, alpha, background)
    match = _FUNCTION.match(value)
    if match:
        return _function(match.group(1).lower(), match.group(2), text, background)
    return None


def _function(name: str, arguments: str, text: str, background: str) -> str:
    parts = [p for p in re.split(r"[\s,/]+", arguments.strip()) if p]
    if len(parts) not in (3, 4) or not all(re.fullmatch(_NUMBER + r"(?:%|deg)?", p) for p in parts):
        raise ColourError(f"'{text}' is not a valid {name}() colour; write e.g. {name[:3]}(10, 20, 30)")
    alpha = _channel(parts[3], 1.0) if len(parts) == 4 else 1.0
    if name.startswith("rgb"):
        rgb = tuple(round(_channel(p, 255.0) * (255 if p.endswith("%") else 1)) for p in parts[:3])
    else:
        hue = float(parts[0].removesuffix("deg")) % 360 / 360
        saturation, lightness = (float(p.rstrip("%")) / 100 for p in parts[1:3])
        r, g, b = colorsys.hls_to_rgb(hue, min(max(lightness, 0), 1), min(max(saturation, 0), 1))
        rgb = (round(r * 255), round(g * 255), round(b * 255))
    return _blend(tuple(min(max(c, 0), 255) for c in rgb), min(max(alpha, 0.0), 1.0), background)


def _channel(text: str, scale: float) -> float:
    if text.endswith("%"):
        return float(text[:-1]) / 100
    return float(text)


def _blend(rgb: tuple[int, ...], alpha: float, background: str) -> str:
    if alpha < 1.0:
        under = to_rgb(background)
        rgb = tuple(round(c * alpha + u * (1 - alpha)) for c, u in zip(rgb, under))
    return "#" + "".join(f"{c:02X}" for c in rgb)


def to_rgb(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def mix(colour: str, other: str, share: float) -> str:
    """``share`` of ``colour`` laid on ``other`` (a tint when ``other`` is the background)."""
    return _blend(to_rgb(colour), share, other)


def luminance(colour: str) -> float:
    def linear(channel: int) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(c) for c in to_rgb(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(one: str, two: str) -> float:
    """The WCAG 2 contrast ratio of two #RRGGBB colours (1 to 21)."""
    a, b = sorted((luminance(one), luminance(two)), reverse=True)
    return (a + 0.05) / (b + 0.05)


WCAG_AA = 4.5


# -- telling colours apart: CIELAB and CIEDE2000 ------------------------------------------------------

_WHITE_D65 = (0.95047, 1.0, 1.08883)


def to_lab(colour: str) -> tuple[float, float, float]:
    """CIELAB (D65) of an sRGB #RRGGBB colour."""
    def linear(channel: int) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(c) for c in to_rgb(colour))
    xyz = (0.4124564 * r + 0.3575761 * g + 0.1804375 * b,
           0.2126729 * r + 0.7151522 * g + 0.0721750 * b,
           0.0193339 * r + 0.1191920 * g + 0.9503041 * b)

    def f(t: float) -> float:
        return t ** (1 / 3) if t > 216 / 24389 else (24389 / 27 * t + 16) / 116

    fx, fy, fz = (f(v / w) for v, w in zip(xyz, _WHITE_D65))
    return 116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)


def from_lab(lab: tuple[float, float, float]) -> str | None:
    """The #RRGGBB of a CIELAB colour, or None if it is outside the sRGB gamut."""
    lightness, a, b = lab
    fy = (lightness + 16) / 116
    fx, fz = fy + a / 500, fy - b / 200

    def inverse(t: float) -> float:
        return t ** 3 if t ** 3 > 216 / 24389 else (116 * t - 16) / (24389 / 27)

    x, y, z = (inverse(t) * w for t, w in zip((fx, fy, fz), _WHITE_D65))
    linear = (3.2404542 * x - 1.5371385 * y - 0.4985314 * z,
              -0.9692660 * x + 1.8760108 * y + 0.0415560 * z,
              0.0556434 * x - 0.2040259 * y + 1.0572252 * z)
    if any(c < -0.001 or c > 1.001 for c in linear):
        return None

    def encode(c: float) -> int:
        c = min(max(c, 0.0), 1.0)
        return round(255 * (12.92 * c if c <= 0.0031308 else 1.055 * c ** (1 / 2.4) - 0.055))

    return "#" + "".join(f"{encode(c):02X}" for c in linear)


def delta_e(one: str, two: str) -> float:
    """CIEDE2000 colour difference of two #RRGGBB colours (about 1: just noticeable; over 10: clearly
    different colours at a glance)."""
    return ciede2000(to_lab(one), to_lab(two))


def ciede2000(lab1: tuple[float, float, float], lab2: tuple[float, float, float]) -> float:
    """CIEDE2000 (Sharma, Wu and Dalal 2005) of two CIELAB colours."""
    import math

    (l1, a1, b1), (l2, a2, b2) = lab1, lab2
    c1, c2 = math.hypot(a1, b1), math.hypot(a2, b2)
    c_mean = (c1 + c2) / 2
    g = 0.5 * (1 - math.sqrt(c_mean ** 7 / (c_mean ** 7 + 25 ** 7)))
    a1p, a2p = a1 * (1 + g), a2 * (1 + g)
    c1p, c2p = math.hypot(a1p, b1), math.hypot(a2p, b2)
    h1p = math.degrees(math.atan2(b1, a1p)) % 360 if c1p else 0.0
    h2p = math.degrees(math.atan2(b2, a2p)) % 360 if c2p else 0.0
    dl, dc = l2 - l1, c2p - c1p
    if c1p * c2p == 0:
        dh = 0.0
    elif abs(h2p - h1p) <= 180:
        dh = h2p - h1p
    else:
        dh = h2p - h1p - 360 if h2p > h1p else h2p - h1p + 360
    dH = 2 * math.sqrt(c1p * c2p) * math.sin(math.radians(dh / 2))
    l_mean, cp_mean = (l1 + l2) / 2, (c1p + c2p) / 2
    if c1p * c2p == 0:
        h_mean = h1p + h2p
    elif abs(h1p - h2p) <= 180:
        h_mean = (h1p + h2p) / 2
    else:
        h_mean = (h1p + h2p + 360) / 2 if h1p + h2p < 360 else (h1p + h2p - 360) / 2
    t = (1 - 0.17 * math.cos(math.radians(h_mean - 30)) + 0.24 * math.cos(math.radians(2 * h_mean))
         + 0.32 * math.cos(math.radians(3 * h_mean + 6)) - 0.20 * math.cos(math.radians(4 * h_mean - 63)))
    d_theta = 30 * math.exp(-(((h_mean - 275) / 25) ** 2))
    r_c = 2 * math.sqrt(cp_mean ** 7 / (cp_mean ** 7 + 25 ** 7))
    s_l = 1 + 0.015 * (l_mean - 50) ** 2 / math.sqrt(20 + (l_mean - 50) ** 2)
    s_c, s_h = 1 + 0.045 * cp_mean, 1 + 0.015 * cp_mean * t
    r_t = -math.sin(math.radians(2 * d_theta)) * r_c
    return math.sqrt((dl / s_l) ** 2 + (dc / s_c) ** 2 + (dH / s_h) ** 2 + r_t * (dc / s_c) * (dH / s_h))


# -- series colours a reader can tell apart -------------------------------------------------------------

SERIES_MIN_DELTA_E = 15.0  # CIEDE2000 between any two series colours of one chart
SERIES_MIN_CONTRAST = 3.0  # against the page: WCAG 2 non-text contrast (1.4.11) for the marks of a chart


def _lch(colour: str) -> tuple[float, float, float]:
    import math

    lightness, a, b = to_lab(colour)
    return lightness, math.hypot(a, b), math.degrees(math.atan2(b, a)) % 360


def _from_lch(lightness: float, chroma: float, hue: float) -> str | None:
    import math

    return from_lab((lightness, chroma * math.cos(math.radians(hue)), chroma * math.sin(math.radians(hue))))


def legible_on(colour: str, background: str, minimum: float = SERIES_MIN_CONTRAST) -> str:
    """``colour``, darkened (same hue, less lightness; less chroma where sRGB runs out) until it has
    ``minimum`` contrast against ``background``."""
    if contrast(colour, background) >= minimum:
        return colour
    lightness, chroma, hue = _lch(colour)
    while lightness > 0:
        lightness -= 1.0
        for scale in (1.0, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1, 0.0):
            darker = _from_lch(lightness, chroma * scale, hue)
            if darker is not None:
                break
        if darker is not None and contrast(darker, background) >= minimum:
            return darker
    return "#000000"


def _grid(background: str) -> tuple[str, ...]:
    """Candidate series colours: a CIELCh grid of muted to strong colours, legible on ``background``."""
    found: dict[str, None] = {}
    for lightness in (28, 36, 44, 52, 60):
        for chroma in (25, 40, 55):
            for hue in range(0, 360, 15):
                colour = _from_lch(lightness, chroma, hue)
                if colour is not None and contrast(colour, background) >= SERIES_MIN_CONTRAST:
                    found[colour] = None
    return tuple(found)


def distinct_palette(colours, count: int = 12, background: str = "#FFFFFF",
                     min_delta: float = SERIES_MIN_DELTA_E) -> tuple[str, ...]:
    """``count`` series colours, each legible on ``background`` and at least ``min_delta`` (CIEDE2000)
    from every other: the brand's colours in order (darkened if too light; skipped if too close to
    an earlier one), then lighter and darker shades of them, then the colours of a CIELCh grid that
    are farthest from those already chosen. The same brand colours always give the same palette."""
    chosen: list[str] = []
    labs: list[tuple[float, float, float]] = []

    def far_enough(colour: str, margin: float = 0.0) -> bool:
        lab = to_lab(colour)
        return all(ciede2000(lab, other) >= min_delta + margin for other in labs)

    def take(colour: str) -> None:
        chosen.append(colour)
        labs.append(to_lab(colour))

    brand = [legible_on(c.upper(), background) for c in dict.fromkeys(c.upper() for c in colours)]
    for colour in brand:
        if len(chosen) < count and far_enough(colour):
            take(colour)
    for offset in (-14, 14, -24, 24):  # shades of the brand's colours, a little farther apart
        for colour in list(chosen[: len(brand)]):
            lightness, chroma, hue = _lch(colour)
            shade = _from_lch(lightness + offset, chroma, hue)
            if (len(chosen) < count and shade is not None and contrast(shade, background) >= SERIES_MIN_CONTRAST
                    and far_enough(shade, margin=5.0)):
                take(shade)
    grid = [(colour, to_lab(colour)) for colour in _grid(background)]
    nearest = [min((ciede2000(lab, other) for other in labs), default=100.0) for _, lab in grid]
    while len(chosen) < count:
        best, distance = None, -1.0
        for (colour, _), gap in zip(grid, nearest):
            if gap > distance:
                best, distance = colour, gap
        if best is None or distance < min_delta:
            break  # nothing left far enough from every colour chosen: fewer colours, never similar ones
        take(best)
        nearest = [min(gap, ciede2000(lab, labs[-1])) for (_, lab), gap in zip(grid, nearest)]
    return tuple(chosen)
