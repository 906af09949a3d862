"""Registering the brand's TrueType fonts with reportlab, and falling back per glyph."""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from reportlab.lib.fonts import _tt2ps_map, addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont, TTFontFace, TTFontFile

from . import facecache

if TYPE_CHECKING:  # a family is registered from its files alone (the chart process loads no brand code)
    from ..theme import FontFamily, Theme


class FamilyFiles(NamedTuple):
    """What registering a family takes: its name and its four files (regular, bold, italic, bold italic)."""

    name: str
    files: tuple[Path, ...]


@dataclass(frozen=True)
class FontNames:
    regular: str
    bold: str
    italic: str
    bold_italic: str


_READING_FACE = threading.RLock()


_OWN = frozenset({"_pending_file", "_digest", "_reading"})  # _FaceOnDemand's own, not the face's


class _FaceOnDemand(TTFontFace):
    """A TrueType face read from its file the first time anything asks for its metrics or glyphs.

    A brand registers up to twelve faces (body, headings and symbols, four styles each) and a brief
    uses about half of them; reading a face (reportlab parses every table of the file) is the
    larger part of setting up the fonts, and a face read holds about 2 MB."""

    def __init__(self, filename: str, digest: str):  # noqa: the face's own __init__ runs on first use
        self.__dict__["_pending_file"] = filename
        self.__dict__["_digest"] = digest  # the file's sha1: the face cache's key (facecache)
        # The PostScript name, read alone (the name table, well under a millisecond): registerFont
        # files a face under it, and a second file with the same name must share the first's font
        # object, or both would write the same subset names into one PDF.
        self.__dict__["name"] = facecache.cached_name(digest) or TTFontFile(filename, charInfo=0, validate=0).name

    def __getattr__(self, name: str):  # only for what is not there yet
        if name.startswith("__"):
            raise AttributeError(name)
        with _READING_FACE:  # builds in threads (preview) may ask for the same face at once
            pending = self.__dict__.get("_pending_file")
            if pending is not None and not self.__dict__.get("_reading"):
                self.__dict__["_reading"] = True  # reportlab's own reads while parsing find nothing yet
                try:
                    digest = self.__dict__["_digest"]
                    if (cached := facecache.load(pending, digest)) is not None:
                        self.__dict__.update(cached)
                    else:
                        TTFontFace.__init__(self, pending)  # a file that cannot be read raises reportlab's error
                        facecache.store(digest, {key: value for key, value in self.__dict__.items() if key not in _OWN})
                    del self.__dict__["_pending_file"], self.__dict__["_digest"]
                finally:
                    del self.__dict__["_reading"]
        try:
            return self.__dict__[name]
        except KeyError:
            raise AttributeError(name) from None


class _OnDemandTTFont(TTFont):
    """reportlab's TTFont with its face read on demand: what ``TTFont.__init__`` sets, but the face
    (tests/test_brand.py compares the two, so a reportlab that sets more is noticed)."""

    def __init__(self, name: str, filename: str, digest: str | None = None):
        from fnmatch import fnmatch
        from weakref import WeakKeyDictionary

        from reportlab import rl_config
        from reportlab.pdfbase.ttfonts import TTEncoding, unShapedFontGlob

        self.fontName = name
        self.face = _FaceOnDemand(filename, digest or hashlib.sha1(Path(filename).read_bytes()).hexdigest())
        self.encoding = TTEncoding()
        self.state = WeakKeyDictionary()
        self._asciiReadable = rl_config.ttfAsciiReadable
        self.shapable = not any(fnmatch(name, pattern) for pattern in unShapedFontGlob)

    def stringWidth(self, text: str, size: float, encoding: str = "utf8") -> float:
        """reportlab's own, once the face is read here, in Python: read first inside reportlab's C
        accelerator, a face that cannot be read (or Ctrl-C while it is read) became "no attribute
        charWidths". From then on the accelerator is called directly."""
        from functools import partial

        from reportlab.pdfbase.ttfonts import instanceStringWidthTTF

        self.face.charWidths  # noqa: B018  reads the face, raising what reading it raises
        self.stringWidth = partial(instanceStringWidthTTF, self)
        return instanceStringWidthTTF(self, text, size, encoding)

    def addObjects(self, doc) -> None:
        """reportlab's ``TTFont.addObjects`` (one font, ToUnicode CMap and descriptor per subset of at most
        256 glyphs), but each subset tagged with its own six letters (ISO 32000-1 9.6.4; reportlab tags
        every font's first subset ``AAAAAA``), and a ToUnicode CMap without U+0000, U+FEFF or U+FFFE
        (PDF/UA-1 7.21.7; reportlab's first subset reserves codes 0-31, unused, for C0 controls)."""
        from reportlab.pdfbase import pdfdoc

        try:
            state = self.state[doc]
        except KeyError:
            state = self.state[doc] = TTFont.State(self._asciiReadable)
        state.frozen = 1
        face_name = (self.face.name + self.face.subfontNameX).decode("pdfdoc")
        for n, subset in enumerate(state.subsets):
            internal_name = self.getSubsetInternalName(n, doc)[1:]
            base_font_name = f"{subset_tag(self.fontName, n)}+{face_name}"
            font = pdfdoc.PDFTrueTypeFont()
            font.__Comment__ = "Font %s subset %d" % (self.fontName, n)
            font.Name = internal_name
            font.BaseFont = base_font_name
            font.FirstChar = 0
            font.LastChar = len(subset) - 1
            font.Widths = pdfdoc.PDFArray(list(map(self.face.getCharWidth, subset)))
            cmap = pdfdoc.PDFStream()
            cmap.content = to_unicode_cmap(base_font_name, subset)
            if doc.compression:
                cmap.filters = [pdfdoc.PDFZCompress]
            font.ToUnicode = doc.Reference(cmap, "toUnicodeCMap:" + base_font_name)
            font.FontDescriptor = self.face.addSubsetObjects(doc, base_font_name, subset)
            doc.Reference(font, internal_name)
            doc.idToObject["BasicFonts"].dict[internal_name] = font
        del self.state[doc]


def subset_tag(font_name: str, subset: int) -> str:
    """Six capital letters for subset ``subset`` of font ``font_name``: from a hash of the two, so each
    subset has its own tag and a rebuild the same one (byte-identical builds)."""
    number = int.from_bytes(hashlib.sha256(f"{font_name}/{subset}".encode()).digest()[:8], "big")
    letters = []
    for _ in range(6):
        number, letter = divmod(number, 26)
        letters.append(chr(ord("A") + letter))
    return "".join(letters)


_NOT_TEXT = {0x0000, 0xFEFF, 0xFFFE}  # no ToUnicode value may be one of these (PDF/UA-1 7.21.7)


def to_unicode_cmap(font_name: str, subset: list[int]) -> str:
    """reportlab's ``makeToUnicodeCMap``, the codes that map to U+0000, U+FEFF or U+FFFE left out."""
    mapped = [f"<{code:02X}> <{value:04X}>" for code, value in enumerate(subset) if value not in _NOT_TEXT]
    return "\n".join([
        "/CIDInit /ProcSet findresource begin", "12 dict begin", "begincmap", "/CIDSystemInfo",
        f"<< /Registry ({font_name})", f"/Ordering ({font_name})", "/Supplement 0", ">> def",
        f"/CMapName /{font_name} def", "/CMapType 2 def", "1 begincodespacerange", f"<00> <{len(subset) - 1:02X}>",
        "endcodespacerange", f"{len(mapped)} beginbfchar", *mapped, "endbfchar", "endcmap",
        "CMapName currentdict /CMap defineresource pop", "end", "end"])


@lru_cache(maxsize=None)
def _register_file(path: Path) -> str:
    digest = hashlib.sha1(path.read_bytes()).hexdigest()  # content, not location: same bytes anywhere
    name = f"dg-{path.stem}-{digest[:8]}"
    pdfmetrics.registerFont(_OnDemandTTFont(name, str(path), digest))
    return name


def forget_fonts() -> None:
    """Forget the registered font files, so changed files are read again (for a warm process)."""
    _register_file.cache_clear()
    _coverage.cache_clear()


def register_family(family: FontFamily | FamilyFiles) -> FontNames:
    global mapping_changes
    names = FontNames(*(_register_file(path) for path in family.files))
    alias = "dgf-" + family.name.replace(" ", "")
    for bold, italic, name in ((0, 0, names.regular), (1, 0, names.bold), (0, 1, names.italic), (1, 1, names.bold_italic)):
        for family_name in (alias, names.regular):
            if _tt2ps_map.get((family_name.lower(), bold, italic)) != name:
                mapping_changes += 1  # markup parsed before may now pick another face for <b> or <i>
            addMapping(family_name, bold, italic, name)
    return names


mapping_changes = 0  # how often a family's bold or italic face was (re)defined in this process


@dataclass(frozen=True)
class ThemeFonts:
    body: FontNames
    headings: FontNames
    symbols: FontNames | None

    def glyph_fallback(self, text: str, font: str | None = None) -> str:
        """Wrap runs of characters ``font`` (default: the body font) lacks in the symbol font.

        ``text`` must be escaped text without tags.
        """
        if self.symbols is None or text.isascii():
            return text
        covered = _coverage(font or self.body.regular)
        if covered.issuperset(ord(char) for char in text if ord(char) >= 128):
            return text
        out: list[str] = []
        run: list[str] = []
        for char in text:
            if ord(char) < 128 or ord(char) in covered:
                if run:
                    out.append(f'<font face="{self.symbols.regular}">{"".join(run)}</font>')
                    run = []
                out.append(char)
            else:
                run.append(char)
        if run:
            out.append(f'<font face="{self.symbols.regular}">{"".join(run)}</font>')
        return "".join(out)



@lru_cache(maxsize=None)
def _coverage(font_name: str) -> frozenset[int]:
    return frozenset(pdfmetrics.getFont(font_name).face.charToGlyph)


def coverage(font_name: str) -> frozenset[int] | None:
    """The code points ``font_name`` has glyphs for; None for a font whose glyphs are not known (not embedded)."""
    try:
        return _coverage(font_name)
    except (AttributeError, KeyError):
        return None


def register_theme(theme: Theme) -> ThemeFonts:
    return ThemeFonts(
        body=register_family(theme.body),
        headings=register_family(theme.headings),
        symbols=register_family(theme.symbols) if theme.symbols else None,
    )
