"""Logo files checked before anything renders them: what ``validate`` passes, ``build`` can draw.

SVG is parsed with expat in a sandbox: no DTD internal subset or entity declarations (no entity
expansion), no external entities, and no reference to anything but the SVG itself (``#id``) or an
inline ``data:`` image: ``<image href="../../elsewhere.png">``, ``<use href="/etc/x.svg#a">``,
``http:``, ``file:`` and CSS ``url(...)``/``@import`` of other files are refused, so nothing outside
the project reaches the PDF and nothing is fetched. PNG and JPEG are decoded in full within a pixel
limit, so a truncated or enormous image is refused here rather than failing the build.
"""

from __future__ import annotations

import base64
import binascii
import io
import re
import struct
from xml.parsers import expat

from .files import AssetError, printable

MAX_LOGO_BYTES = 10_000_000
MAX_PIXELS = 25_000_000  # 5000 x 5000
MAX_SVG_ELEMENTS = 100_000
MAX_SVG_DEPTH = 64

PNG = b"\x89PNG\r\n\x1a\n"
JPEG = b"\xff\xd8\xff"
_CSS_URL = re.compile(r"url\(\s*['\"]?([^'\")]*)", re.IGNORECASE)
_CSS_IMPORT = re.compile(r"@import", re.IGNORECASE)
_DATA_IMAGE = re.compile(r"^data:image/(png|jpe?g|gif);base64,", re.IGNORECASE)
_NUMBER = re.compile(r"^\s*([0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?)\s*(px|pt|mm|cm|in|pc)?\s*$")


def logo_kind(data: bytes) -> str | None:
    if data.startswith(PNG):
        return "PNG"
    if data.startswith(JPEG):
        return "JPEG"
    head = data[:4096].lstrip(b"\xef\xbb\xbf").lstrip()
    if head.startswith(b"<") and b"<svg" in data[:65536]:
        return "SVG"
    return None


def check_logo(data: bytes, name: str) -> str:
    """The logo's kind ('SVG', 'PNG', 'JPEG') if it can be drawn; AssetError saying why not."""
    kind = logo_kind(data)
    if kind is None:
        raise AssetError(f"logo file {name} is not SVG, PNG or JPEG; convert it to one of those")
    if kind == "SVG":
        check_svg(data, name)
    else:
        check_bitmap(data, name)
    return kind


def check_bitmap(data: bytes, name: str) -> tuple[int, int]:
    """Decode a PNG or JPEG in full (within MAX_PIXELS); its size in pixels."""
    from PIL import Image

    if data.startswith(PNG) and len(data) >= 24:  # the header's size, before PIL's own (larger) bomb limit
        width, height = struct.unpack(">II", data[16:24])
        if width * height > MAX_PIXELS:
            raise AssetError(f"logo image {name} is {width}x{height} pixels, more than the limit of "
                             f"{MAX_PIXELS // 1_000_000} megapixels; scale it down")
    try:
        with Image.open(io.BytesIO(data), formats=["PNG", "JPEG", "GIF"]) as image:
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise AssetError(f"logo image {name} is {width}x{height} pixels, more than the limit of "
                                 f"{MAX_PIXELS // 1_000_000} megapixels; scale it down")
            if width < 1 or height < 1:
                raise AssetError(f"logo image {name} has no pixels")
            image.load()
    except AssetError:
        raise
    except Image.DecompressionBombError:
        raise AssetError(f"logo image {name} has more pixels than the limit of {MAX_PIXELS // 1_000_000} "
                         "megapixels; scale it down") from None
    except Exception as exc:  # PIL raises OSError, SyntaxError, ValueError ... for damaged files
        raise AssetError(f"logo image {name} is corrupt or truncated ({printable(str(exc))}); export it again") from None
    return width, height


def check_svg(data: bytes, name: str) -> None:
    """Parse an SVG in the sandbox described above; AssetError with the SVG's line if it breaks a rule."""
    parser = expat.ParserCreate()
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    state = {"depth": 0, "elements": 0, "root": None, "style": 0}

    def refuse(message: str):
        raise AssetError(f"SVG logo {name}, line {parser.CurrentLineNumber}: {message}")

    def doctype(doctype_name, system_id, public_id, has_internal_subset):
        if has_internal_subset:
            refuse("declares entities (a DOCTYPE with an internal subset); remove the DOCTYPE")

    def entity(*_args):
        refuse("declares an entity; remove the DOCTYPE (entities are never expanded)")

    def external_entity(*_args):
        refuse("refers to an external entity; remove it")

    def reference(value: str, where: str):
        value = value.strip()
        if not value or value.startswith("#"):
            return
        match = _DATA_IMAGE.match(value)
        if value[:5].lower() == "data:" and not match:
            return  # inline data (a font, an SVG image) is part of the file itself
        if match:
            try:
                payload = base64.b64decode(value[match.end():], validate=False)
            except (binascii.Error, ValueError):
                refuse(f"{where} holds a data: image that is not valid base64")
            try:
                check_bitmap(payload, f"embedded in {name}")
            except AssetError as exc:
                refuse(str(exc))
            return
        refuse(f"{where} refers to '{value[:80]}', outside the SVG; deckgen embeds nothing from other files "
               "or the network: inline the image as a data: URI or remove the reference")

    def css(text: str, where: str):
        if _CSS_IMPORT.search(text):
            refuse(f"{where} has a CSS @import; inline the styles")
        for url in _CSS_URL.findall(text):
            reference(url, where)

    def start(tag, attributes):
        state["elements"] += 1
        state["depth"] += 1
        if state["elements"] > MAX_SVG_ELEMENTS:
            refuse(f"has more than {MAX_SVG_ELEMENTS} elements")
        if state["depth"] > MAX_SVG_DEPTH:
            refuse(f"nests elements more than {MAX_SVG_DEPTH} deep")
        local = tag.rpartition(":")[2]
        if state["root"] is None:
            state["root"] = (local, dict(attributes))
            if local != "svg":
                refuse(f"the top element is <{tag}>, not <svg>")
        if local == "style":
            state["style"] += 1
        for key, value in attributes.items():
            attribute = key.rpartition(":")[2]
            if attribute in ("href", "src"):
                reference(value, f"<{tag} {key}>")
            elif "url(" in value.lower() or attribute == "style":
                css(value, f"<{tag} {key}>")

    def end(tag):
        state["depth"] -= 1
        if tag.rpartition(":")[2] == "style":
            state["style"] -= 1

    def text(chunk):
        if state["style"]:
            css(chunk, "<style>")

    parser.StartDoctypeDeclHandler = doctype
    parser.EntityDeclHandler = entity
    parser.UnparsedEntityDeclHandler = entity
    parser.ExternalEntityRefHandler = external_entity
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = text
    try:
        parser.Parse(data, True)
    except expat.ExpatError as exc:
        raise AssetError(f"SVG logo {name} is not well-formed XML (line {exc.lineno}, column {exc.offset + 1}: "
                         f"{expat.ErrorString(exc.code)}); fix or re-export it") from None
    if state["root"] is None:
        raise AssetError(f"SVG logo {name} has no <svg> element")
    _check_svg_size(state["root"][1], name)


def _check_svg_size(attributes: dict, name: str) -> None:
    """The drawing needs a size: a viewBox with positive width and height, or absolute width/height."""
    box = attributes.get("viewBox")
    if box:
        parts = re.split(r"[\s,]+", box.strip())
        try:
            if len(parts) == 4 and float(parts[2]) > 0 and float(parts[3]) > 0:
                return
        except ValueError:
            pass
        raise AssetError(f"SVG logo {name} has a malformed viewBox '{box[:40]}'; write viewBox=\"0 0 WIDTH HEIGHT\"")
    width, height = (_NUMBER.match(attributes.get(k, "")) for k in ("width", "height"))
    if not (width and height and float(width.group(1)) > 0 and float(height.group(1)) > 0):
        raise AssetError(f"SVG logo {name} has no size: give the <svg> a viewBox or absolute width and height")


_SVG_COLOUR = re.compile(r"(?<![-\w])(?:fill|stroke|stop-color|color)\s*[:=]\s*[\"']?\s*(#[0-9a-fA-F]{3,8}|rgba?\([^)]*\)|hsla?\([^)]*\)|[a-zA-Z]+)")
PALE = 1.25  # contrast with white below which a colour does not show on the page


def is_pale(data: bytes, kind: str) -> bool:
    """Whether a checked logo is white or nearly so (made for dark backgrounds): nothing in it
    would show on a white page. SVG: every colour it names; images: every opaque pixel."""
    from .colours import ColourError, contrast, parse_literal

    if kind == "SVG":
        found = []
        for text in _SVG_COLOUR.findall(data.decode("utf-8", "replace")):
            if text.lower() in ("none", "transparent", "currentcolor", "inherit", "url"):
                continue
            try:
                colour = parse_literal(text)
            except ColourError:
                continue
            if colour:
                found.append(colour)
        return bool(found) and all(contrast(colour, "#FFFFFF") < PALE for colour in found)
    from PIL import Image

    with Image.open(io.BytesIO(data)) as image:
        small = image.convert("RGBA")
        small.thumbnail((96, 96))
        raw = small.tobytes()  # RGBA, 4 bytes a pixel
        opaque = [tuple(raw[i:i + 3]) for i in range(0, len(raw), 4) if raw[i + 3] > 128]
    if not opaque:
        return True
    return all(contrast("#%02X%02X%02X" % pixel, "#FFFFFF") < PALE for pixel in opaque)
