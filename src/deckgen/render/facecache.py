"""TrueType faces as reportlab reads them, kept between builds.

reportlab reads a face by walking its cmap, hmtx and loca tables in Python: 4 ms for Lato, 8 ms for
DejaVu Sans, and a brief uses about six faces. What it makes (the character-to-glyph map, the widths,
the glyph offsets and some fifty scalars) is kept in the user's cache folder, named by the file's
digest and the reportlab version, as JSON for the scalars and packed arrays for the tables; loading
it back takes under a millisecond. The font file itself is still read (subsetting needs its bytes)
and must have the digest the entry is named by.

An entry is trusted for nothing: one that is missing, unreadable, of another shape than reportlab's
own reading, with values reportlab's reading could not make, or for other bytes is ignored and the
face is read from its file; only bytes whose digest names the entry are ever stored under it. A reportlab whose
faces carry other attributes than those listed here is not cached at all (the test that compares a
loaded face with a freshly read one fails first).
"""

from __future__ import annotations

import hashlib
import json
import struct
from array import array
from pathlib import Path

MAX_ENTRY_BYTES = 20_000_000
MAX_ENTRIES = 400  # some 0.5 MB each: the faces of a few dozen brands, across reportlab upgrades
_FORMAT = 1

_SCALARS = frozenset({
    "ascent", "descent", "bold", "italic", "requiredEncoding", "builtIn", "validate", "_pos", "version",
    "numTables", "searchRange", "entrySelector", "rangeShift", "unitsPerEm", "capHeight", "stemV",
    "italicAngle", "underlinePosition", "underlineThickness", "flags", "numGlyphs", "_full_font", "defaultWidth",
})
_NAMES = frozenset({"name", "familyName", "styleName", "fullName", "uniqueFontID"})  # reportlab's TTFNameBytes
_PLAIN = frozenset({"glyphNames", "glyphWidths", "bbox", "fontRevision", "table", "tables", "subfontNameX"})
_TABLES = ("charToGlyph", "glyphToChar", "charWidths", "hmetrics", "glyphPos")
_REMADE = frozenset({"filename", "_ttf_data", "_pdfScale"})  # the file's path and bytes, the scale from unitsPerEm
KNOWN = _SCALARS | _NAMES | _PLAIN | frozenset(_TABLES) | _REMADE


def entry_path(digest: str) -> Path:
    from reportlab import Version

    from ..writing import user_cache

    return user_cache("faces") / f"{digest}-reportlab{Version}-{_FORMAT}.bin"


def load(path: str, digest: str) -> dict | None:
    """The face read from ``path`` as reportlab's ``TTFontFace`` holds it, from the cache entry for
    ``digest`` (the sha1 of the file's bytes); None if there is no sound entry or the file differs."""
    try:
        entry = entry_path(digest)
        if entry.stat().st_size > MAX_ENTRY_BYTES:
            return None
        packed = entry.read_bytes()
        data = Path(path).read_bytes()
        if hashlib.sha1(data).hexdigest() != digest:
            return None
        return _unpacked(packed, path, data)
    except Exception:  # noqa: BLE001  whatever an entry holds, at worst the face is read from its file
        return None


def cached_name(digest: str):
    """The PostScript name (reportlab's ``TTFNameBytes``) kept with the face for ``digest``, or None."""
    try:
        with entry_path(digest).open("rb") as entry:
            (head_length,) = struct.unpack("<Q", entry.read(8))
            if head_length > MAX_ENTRY_BYTES:
                return None
            name = _name(*json.loads(entry.read(head_length))["names"]["name"])
        return name if _postscript_name(name) else None
    except Exception:  # noqa: BLE001  a name the entry cannot give is read from the font
        return None


def _name(raw: str, text: str):
    """A name as reportlab holds it (``TTFNameBytes``: the bytes, and the text as ``ustr``)."""
    from reportlab.pdfbase.ttfonts import TTFNameBytes

    name = bytes.__new__(TTFNameBytes, bytes.fromhex(raw))
    name.ustr = str(text)
    return name


def _postscript_name(name: bytes) -> bool:
    """What reportlab accepts as a face's PostScript name (it refuses any other as it reads a font)."""
    return 0 < len(name) <= 127 and all(32 < byte < 127 and byte not in b"[](){}<>/%" for byte in name)


def store(digest: str, face: dict) -> None:
    """Keep ``face`` (a freshly read face's attributes) under ``digest``; a face of another shape
    than this module knows, or a cache that cannot be written, is left alone."""
    data = face.get("_ttf_data")
    if not isinstance(data, bytes) or hashlib.sha1(data).hexdigest() != digest:
        return  # the file changed after its digest was taken: these are other bytes than the entry's name says
    try:
        packed = _packed(face)
    except (TypeError, ValueError, OverflowError):
        return
    if packed is None or _unpacked(packed, face["filename"], data) is None:
        return  # a face this module cannot give back as it is (a font beyond what load accepts)
    from ..writing import trim_oldest, write_atomic

    try:
        entry = entry_path(digest)
        write_atomic(entry, packed, durable=False)
        trim_oldest(entry.parent, "*.bin", MAX_ENTRIES)
    except OSError:
        pass


def _packed(face: dict) -> bytes | None:
    if set(face) != KNOWN or face["glyphNames"] or face["glyphWidths"] or face["subfontNameX"]:
        return None  # another reportlab, or a face of a collection: read it from its file every time
    header: dict = {"scalars": {}, "names": {}, "arrays": []}
    for key in _SCALARS:
        value = face[key]
        if value is not None and type(value) not in (int, float, bool):
            return None
        header["scalars"][key] = value
    for key in _NAMES:
        header["names"][key] = [bytes(face[key]).hex(), face[key].ustr]
    header["bbox"] = list(face["bbox"])
    header["fontRevision"] = list(face["fontRevision"])
    header["tables"] = face["tables"]
    if face["table"] != {record["tag"]: record for record in face["tables"]}:
        return None
    chunks: list[bytes] = []

    def add(name: str, values, typecode: str) -> None:
        packed = array(typecode, values)
        header["arrays"].append([name, typecode, len(packed)])
        chunks.append(packed.tobytes())

    char_to_glyph = face["charToGlyph"]
    add("charToGlyph.keys", char_to_glyph.keys(), "q")
    add("charToGlyph.values", char_to_glyph.values(), "q")
    glyph_to_char = face["glyphToChar"]
    add("glyphToChar.keys", glyph_to_char.keys(), "q")
    add("glyphToChar.counts", (len(chars) for chars in glyph_to_char.values()), "q")
    add("glyphToChar.chars", (char for chars in glyph_to_char.values() for char in chars), "q")
    widths = face["charWidths"]
    kinds = {type(width) for width in widths.values()}
    if not kinds <= {int} and not kinds <= {float}:
        return None
    add("charWidths.keys", widths.keys(), "q")
    add("charWidths.values", widths.values(), "q" if kinds <= {int} else "d")
    metrics = face["hmetrics"]
    if not all(type(pair) is tuple and len(pair) == 2 for pair in metrics):
        return None
    # reportlab keeps the advances of the table's own entries as read (int), and repeats the last one
    # scaled (float, unless the font has 1000 units to the em) for the glyphs the table leaves out
    read = next((i for i, (advance, _) in enumerate(metrics) if type(advance) is not int), len(metrics))
    if not all(type(advance) is float for advance, _ in metrics[read:]):
        return None
    header["hmetrics_read"] = read
    add("hmetrics.advance", (advance for advance, _ in metrics), "d")
    add("hmetrics.bearing", (bearing for _, bearing in metrics), "q")
    add("glyphPos", face["glyphPos"], "q")
    if not all(type(value) is int for name in ("charToGlyph", "glyphToChar") for value in face[name]):
        return None
    head = json.dumps(header, separators=(",", ":")).encode()
    return struct.pack("<Q", len(head)) + head + b"".join(chunks)


def _unpacked(packed: bytes, path: str, data: bytes) -> dict | None:
    (head_length,) = struct.unpack_from("<Q", packed)
    header = json.loads(packed[8:8 + head_length])
    scalars, names = header["scalars"], header["names"]
    if set(scalars) != _SCALARS or set(names) != _NAMES:
        return None
    if not all(value is None or type(value) in (int, float, bool) for value in scalars.values()):
        return None
    face: dict = dict(scalars)
    units = scalars["unitsPerEm"]
    if type(units) is not int or not 16 <= units <= 16384:  # the TrueType range
        return None
    for key, (raw, text) in names.items():
        face[key] = _name(raw, text)
    if not _postscript_name(face["name"]):
        return None
    bbox = header["bbox"]
    if type(bbox) is not list or len(bbox) != 4 or not all(type(v) in (int, float) for v in bbox):
        return None
    arrays: dict[str, array] = {}
    offset = 8 + head_length
    for name, typecode, count in header["arrays"]:
        if typecode not in ("q", "d"):
            return None
        values = array(typecode)
        end = offset + count * values.itemsize
        if end > len(packed):
            return None
        values.frombytes(packed[offset:end])
        arrays[name] = values
        offset = end
    if offset != len(packed):
        return None
    face["charToGlyph"] = dict(zip(arrays["charToGlyph.keys"].tolist(), arrays["charToGlyph.values"].tolist(), strict=True))
    chars = arrays["glyphToChar.chars"].tolist()
    glyph_to_char, start = {}, 0
    for glyph, count in zip(arrays["glyphToChar.keys"].tolist(), arrays["glyphToChar.counts"].tolist(), strict=True):
        glyph_to_char[glyph] = chars[start:start + count]
        start += count
    if start != len(chars):
        return None
    face["glyphToChar"] = glyph_to_char
    face["charWidths"] = dict(zip(arrays["charWidths.keys"].tolist(), arrays["charWidths.values"].tolist(), strict=True))
    advances, read = arrays["hmetrics.advance"].tolist(), header["hmetrics_read"]
    if type(read) is not int or not 0 <= read <= len(advances):
        return None
    advances[:read] = map(int, advances[:read])
    face["hmetrics"] = list(zip(advances, arrays["hmetrics.bearing"].tolist(), strict=True))
    face["glyphPos"] = arrays["glyphPos"].tolist()
    tables = header["tables"]
    if not all(type(record) is dict and type(record.get("tag")) is str for record in tables):
        return None
    if not all(type(record.get(field)) is int and record[field] >= 0 for record in tables for field in ("offset", "length")) \
            or any(record["offset"] + record["length"] > len(data) for record in tables):
        return None
    # what reportlab's own reading always makes: a metric and a glyph offset per glyph (and one more)
    glyphs = face["numGlyphs"]
    if type(glyphs) is not int or len(face["hmetrics"]) != glyphs or len(face["glyphPos"]) != glyphs + 1:
        return None
    if not all(0 <= glyph < glyphs for glyph in face["charToGlyph"].values()) \
            or not all(0 <= glyph < glyphs for glyph in face["glyphToChar"]):
        return None
    face["tables"] = tables
    face["table"] = {record["tag"]: record for record in tables}
    face["bbox"] = list(bbox)
    face["fontRevision"] = tuple(header["fontRevision"])
    face["glyphNames"], face["glyphWidths"], face["subfontNameX"] = [], {}, b""
    face["filename"], face["_ttf_data"] = path, data
    face["_pdfScale"] = _scale(face["unitsPerEm"])
    return face


def _scale(units_per_em: int):
    """reportlab's own scale from font units to a thousandth of the size."""
    if units_per_em == 1000:
        return lambda x: x
    factor = 1000 / units_per_em
    return lambda x: x * factor
