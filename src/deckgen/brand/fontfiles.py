"""One font file -> an embeddable static TrueType file, or a reason why not.

Only regular files of bounded size are opened (a FIFO or device never blocks a build). Every table
is decompiled, so a corrupt or truncated file is refused here, where ``validate`` sees it, and not
half-way through rendering. TrueType (.ttf) is used as it is; OpenType/CFF (.otf), WOFF and WOFF2 are
converted, and variable fonts are instanced at the weight asked for. Converted files are written
once to a cache folder, named by what they were made from, so ``build`` reuses ``validate``'s work.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import re
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path

from .files import AssetError as FontFileError
from .files import printable, read_regular_file

MAX_FONT_BYTES = 30_000_000

FONT_MAGIC = {
    b"\x00\x01\x00\x00": "TrueType", b"true": "TrueType", b"OTTO": "OpenType/CFF", b"wOFF": "WOFF",
    b"wOF2": "WOFF2", b"ttcf": "font collection",
}


@dataclass(frozen=True)
class FontInfo:
    """What a font file holds: its family, weight (or weight range), style and kind."""

    family: str
    weight: int
    weight_range: tuple[int, int] | None  # a variable font's wght axis
    italic: bool
    kind: str


def font_kind(data: bytes, name: str) -> str:
    kind = next((k for magic, k in FONT_MAGIC.items() if data.startswith(magic)), None)
    if kind is None:
        raise FontFileError(f"font file {name} is not a font (TrueType, OpenType, WOFF or WOFF2)")
    if kind == "font collection":
        raise FontFileError(f"font file {name} is a font collection (.ttc); use the single .ttf of the style you want")
    return kind


def _open_font(data: bytes, name: str):
    from fontTools.ttLib import TTFont

    kind = font_kind(data, name)
    logging.getLogger("fontTools").setLevel(logging.ERROR)  # its timestamp notes are not the user's problem
    try:
        font = TTFont(io.BytesIO(data), recalcTimestamp=False, lazy=False)
        font.ensureDecompiled()
        for tag in ("head", "hhea", "maxp", "cmap", "hmtx", "name"):
            if tag not in font:
                raise FontFileError(f"font file {name} lacks its '{tag}' table (a damaged or partial font)")
        if "glyf" not in font and "CFF " not in font and "CFF2" not in font:
            raise FontFileError(f"font file {name} has no glyph outlines")
        if font.getBestCmap() is None:
            raise FontFileError(f"font file {name} maps no Unicode characters (a symbol-only font?)")
    except FontFileError:
        raise
    except Exception as exc:  # fontTools raises many kinds for damaged data
        raise FontFileError(f"font file {name} is corrupt or truncated ({type(exc).__name__}: {printable(str(exc))}); "
                            "replace it with a complete copy") from None
    fs_type = font["OS/2"].fsType if "OS/2" in font else 0
    if fs_type == 0x0002 or fs_type & 0x0300:
        raise FontFileError(f"font file {name}: its licence bits (fsType {fs_type:#06x}) forbid embedding in a PDF")
    return font, kind


def describe(data: bytes, name: str) -> FontInfo:
    """Check ``data`` (the whole file) is a usable font and say what it holds. A full check's
    success is remembered in the cache by content (with what the font holds), so a font is
    decompiled in full only once, and later builds need no font library at all."""
    marker = _checked_marker(data)
    kind = font_kind(data, name)
    if (remembered := _remembered(marker)) is not None:
        return remembered
    font, kind = _open_font(data, name)
    info = _info(font, kind)
    _remember(marker, info)
    return info


def _checked_marker(data: bytes) -> Path:
    return cache_dir() / "checked" / hashlib.sha256(data + f"|{_fonttools_version()}".encode()).hexdigest()[:32]


@lru_cache(maxsize=1)
def _fonttools_version() -> str:
    from .. import editions  # the installed version, without importing fontTools

    return editions.versions().get("fonttools", "?")


def _remembered(marker: Path) -> FontInfo | None:
    try:
        record = json.loads(marker.read_bytes())
        weight_range = record["weight_range"]
        return FontInfo(str(record["family"]), int(record["weight"]),
                        (int(weight_range[0]), int(weight_range[1])) if weight_range else None,
                        bool(record["italic"]), str(record["kind"]))
    except (OSError, ValueError, KeyError, TypeError, IndexError):
        return None  # not checked yet, or a marker of an older deckgen: check in full


def _remember(marker: Path, info: FontInfo) -> None:
    try:
        _write(marker, json.dumps(asdict(info)).encode())
    except OSError:
        pass  # only a speed-up: the font is checked in full again next time


def _info(font, kind: str) -> FontInfo:
    names = font["name"]
    family = str(names.getDebugName(16) or names.getDebugName(1) or "")
    os2 = font["OS/2"] if "OS/2" in font else None
    weight = int(os2.usWeightClass) if os2 else 400
    italic = bool(os2.fsSelection & 1) if os2 else bool(font["head"].macStyle & 2)
    axis = next((a for a in font["fvar"].axes if a.axisTag == "wght"), None) if "fvar" in font else None
    weight_range = (int(axis.minValue), int(axis.maxValue)) if axis else None
    return FontInfo(family, weight, weight_range, italic, kind)


def cache_dir() -> Path:
    """Where converted fonts are kept (see ``writing.user_cache``)."""
    from ..writing import user_cache

    return user_cache("fonts")


def embeddable(path: Path, weight: int, label: str) -> Path:
    """``path`` itself if it is a static TrueType file, else a converted copy in the cache
    (instanced at ``weight`` when the font is variable). ``label`` names the copy (family-weight)."""
    data = read_regular_file(path, MAX_FONT_BYTES, "font")
    return _embeddable(path, data, weight, label)


def _embeddable(path: Path, data: bytes, weight: int, label: str) -> Path:
    info = describe(data, path.name)  # checked in full once, then from the cache
    if info.kind == "TrueType" and info.weight_range is None:
        return path
    key = hashlib.sha256(data + f"|{weight}|{_fonttools_version()}".encode()).hexdigest()[:16]
    target = cache_dir() / f"{_safe(label)}-{key}.ttf"
    if target.is_file():
        return target
    font, kind = _open_font(data, path.name)
    variable = "fvar" in font
    try:
        font.flavor = None
        if variable:
            font = _instance(font, weight)
        if "CFF " in font or "CFF2" in font:
            _cff_to_truetype(font)
        names = font["name"]
        names.names = [record for record in names.names if record.nameID != 6]
        names.setName(_safe(label), 6, 3, 1, 0x409)  # the PostScript name, which the PDF shows
        buffer = io.BytesIO()
        font.save(buffer)
    except FontFileError:
        raise
    except Exception as exc:
        raise FontFileError(f"font file {path.name} could not be converted to TrueType "
                            f"({type(exc).__name__}: {printable(str(exc))}); supply a .ttf") from None
    try:
        _write(target, buffer.getvalue())
    except OSError as exc:
        raise FontFileError(f"cannot write the converted font {target.name} to {target.parent}: {exc.strerror}; "
                            "set DECKGEN_CACHE to a writable folder") from None
    return target


def _write(target: Path, data: bytes) -> None:
    """Write ``target`` whole or not at all (parallel builds may write the same file)."""
    from ..writing import write_atomic

    write_atomic(target, data, durable=False)


def _instance(font, weight: int):
    from fontTools.varLib import instancer

    location = {}
    for axis in font["fvar"].axes:
        if axis.axisTag == "wght":
            location["wght"] = min(max(weight, axis.minValue), axis.maxValue)
        else:
            location[axis.axisTag] = axis.defaultValue
    static = instancer.instantiateVariableFont(font, location)
    os2 = static["OS/2"]
    os2.usWeightClass = int(location.get("wght", os2.usWeightClass))
    return static


def _cff_to_truetype(font) -> None:
    """Replace CFF outlines by quadratic TrueType ones (what reportlab can embed)."""
    from fontTools.pens.cu2quPen import Cu2QuPen
    from fontTools.pens.ttGlyphPen import TTGlyphPen
    from fontTools.ttLib import newTable

    glyph_order = font.getGlyphOrder()
    glyph_set = font.getGlyphSet()
    glyphs = {}
    for name in glyph_order:
        pen = TTGlyphPen(glyph_set)
        glyph_set[name].draw(Cu2QuPen(pen, max_err=1.0, reverse_direction=True))
        glyphs[name] = pen.glyph()
    font["loca"] = newTable("loca")
    glyf = font["glyf"] = newTable("glyf")
    glyf.glyphOrder = glyph_order
    glyf.glyphs = glyphs
    for tag in ("CFF ", "CFF2", "VORG"):
        if tag in font:
            del font[tag]
    font["head"].glyphDataFormat = 0
    if "post" in font:
        font["post"].formatType = 2.0
        font["post"].extraNames = []
        font["post"].mapping = {}
        font["post"].glyphOrder = glyph_order
    maxp = font["maxp"]
    maxp.tableVersion = 0x00010000
    for field in ("maxZones", "maxTwilightPoints", "maxStorage", "maxFunctionDefs", "maxInstructionDefs",
                  "maxStackElements", "maxSizeOfInstructions", "maxComponentElements"):
        setattr(maxp, field, 0)
    maxp.maxZones = 1
    font.sfntVersion = "\x00\x01\x00\x00"


def _safe(label: str) -> str:
    return re.sub(r"[^A-Za-z0-9-]+", "", label.replace(" ", "-"))[:60] or "font"


@lru_cache(maxsize=1024)
def peek(path: str, size: int, mtime: float) -> FontInfo | None:
    """What a font file found in a font folder holds, from its name and OS/2 tables only (fast);
    None if it is no usable font. The file chosen is checked in full by embeddable()."""
    try:
        data = read_regular_file(Path(path), MAX_FONT_BYTES, "font")
        kind = font_kind(data, Path(path).name)
        if (remembered := _remembered(_checked_marker(data))) is not None:
            return remembered
        from fontTools.ttLib import TTFont

        return _info(TTFont(io.BytesIO(data), lazy=True), kind)
    except Exception:
        return None
