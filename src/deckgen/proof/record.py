"""What the renderer laid out, as the proof reads it: text blocks with their lines, exhibits, furniture.

The renderer fills a ``LaidOut`` while it draws (``render`` imports this module, never the other way
round); ``proof.checks`` reads it once the PDF exists. Nothing here imports reportlab.
"""

from __future__ import annotations

import html
import itertools
import re
import unicodedata
import weakref
from dataclasses import dataclass, field

_LINE_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)  # a forced line break: a space between what it separates
_TAG = re.compile(r"<[^>]*>")
new_key = itertools.count(1).__next__  # a paragraph's key: never reused, as an id() could be


@dataclass
class TextBlock:
    """A paragraph as drawn: its lines (a paragraph split across pages is one block, in parts)."""

    key: int  # shared by the parts of a paragraph split across pages
    section: int | None  # the spec section being drawn (None: page furniture, the table of contents)
    style: str  # the paragraph style's name ('prose', 'cell', 'kpi_value'…)
    lines: list[str]
    width: float  # the measure the lines were broken for (the box less its indents)
    overflow: float  # the most any line is wider than ``width``, in points (0: none)
    pages: list[int]
    source: str | None = None  # the spec's text it was made from ({{ figures }} and all), if any
    expected: str | None = None  # what a reader must see, when the renderer knows it exactly (a cell's value)
    values: tuple[str, ...] = ()  # printed values that must stay on one line (a cell's value, a KPI)
    origin: tuple = ()  # where in the section it comes from ('items', 2, 'label'), if known
    what: str = ""  # how a message names it ("a cell of column 'Country'"); default: by its style
    prefix: str = ""  # text the renderer sets before the source's ("Exhibit 3: ")
    figures: tuple[tuple[str, str], ...] = ()  # (figure, printed form) it shows besides its source's
    exhibit: int | None = None  # the exhibit it is the title of
    line_pages: list[int] = field(default_factory=list)  # the page of each line
    plain: str | None = None  # the paragraph's own text, when nothing says what it should be
    missing_glyphs: str = ""  # characters set in a font that has no glyph for them (they print as empty boxes)


@dataclass
class CellOverflow:
    section: int | None
    column: str
    text: str  # the widest cell
    width: float
    room: float
    cells: int  # how many cells of the column do not fit


@dataclass
class Exhibit:
    number: int
    kind: str  # chart | table
    title: str
    section: int | None
    rows: int | None = None  # tables: the rows shown
    texts: tuple[tuple[str, str], ...] = ()  # charts: (what, text) of every text drawn or spoken
    notes: list[str] = field(default_factory=list)  # charts: what the drawing left out (a point label with no room)
    missing_glyphs: tuple[tuple[str, str], ...] = ()  # charts: (what, characters) its font cannot draw, per drawn text


@dataclass
class LaidOut:
    """Everything the renderer printed that the proof checks."""

    anchors: dict[str, int] = field(default_factory=dict)  # section anchor -> its index
    section: int | None = None  # the section being drawn now
    blocks: list[TextBlock] = field(default_factory=list)
    exhibits: list[Exhibit] = field(default_factory=list)
    strings: list[tuple[str, str, int | None]] = field(default_factory=list)  # (what, text, section): furniture, metadata, outline
    overflows: dict[tuple[int | None, str], "CellOverflow"] = field(default_factory=dict)  # by (section, column)
    pages: int = 0
    passes: int = 0  # layout passes so far (a table of contents takes several)
    _by_key: dict[int, TextBlock] = field(default_factory=dict)

    def new_pass(self) -> None:
        """Layout starts (again): what an earlier pass drew is forgotten."""
        self.section, self.blocks, self._by_key = None, [], {}
        self.passes += 1
        self.strings = [entry for entry in self.strings if entry[0] != "the running header"]

    def furniture(self, text: str) -> None:
        """A string the page furniture draws (running header, page numbers)."""
        self.strings.append(("the running header", text, None))

    def section_started(self, anchor: str) -> None:
        self.section = self.anchors.get(anchor, self.section)

    def string(self, what: str, text: str, section: int | None = None) -> None:
        self.strings.append((what, text, section))

    def paragraph(self, paragraph, canvas) -> None:
        """Record a reportlab paragraph being drawn (after ``wrap``: its lines are known)."""
        if paragraph.__dict__.get("_proof_pass") == self.passes:
            return  # drawn again (a table's header row repeated on the next page): it was read the first time
        paragraph._proof_pass = self.passes
        lines, overflow, _ = _read(paragraph)
        lines = list(lines)
        page = canvas.getPageNumber()
        key = paragraph.__dict__.get("_proof_key")
        if key is None:
            key = paragraph._proof_key = new_key()
        block = self._by_key.get(key)
        if block is not None:  # the rest of a paragraph split across pages
            block.lines.extend(lines)
            block.line_pages.extend([page] * len(lines))
            block.overflow = max(block.overflow, overflow)
            block.pages.append(page)
            return
        style = paragraph.style
        width = getattr(paragraph, "width", 0.0) - max(0.0, style.leftIndent) - max(0.0, style.rightIndent)
        block = TextBlock(
            key=key, section=self.section if not paragraph.__dict__.get("_proof_furniture") else None,
            style=paragraph.style.name, lines=lines, width=width, overflow=overflow, pages=[page],
            source=paragraph.__dict__.get("_proof_source"), expected=paragraph.__dict__.get("_proof_expected"),
            values=paragraph.__dict__.get("_proof_values", ()), origin=paragraph.__dict__.get("_proof_origin", ()),
            what=paragraph.__dict__.get("_proof_what", ""), prefix=paragraph.__dict__.get("_proof_prefix", ""),
            figures=paragraph.__dict__.get("_proof_figures", ()), exhibit=paragraph.__dict__.get("_proof_exhibit"),
            line_pages=[page] * len(lines),
        )
        block.missing_glyphs = _read(paragraph, missing=True)[2]
        if block.source is None and block.expected is None:  # its own text: a line break inside a word still shows
            block.plain = html.unescape(_TAG.sub("", _LINE_BREAK.sub(" ", getattr(paragraph, "text", "") or "")))
        self._by_key[key] = block
        self.blocks.append(block)

    def exhibit(self, exhibit: Exhibit) -> None:
        self.exhibits.append(exhibit)

    def cell_overflow(self, section: int | None, column: str, text: str, width: float, room: float) -> None:
        """A cell set as one unbreakable line (a number, a date) wider than its column: kept per
        column, the widest with how many cells do not fit."""
        key = (section, column)
        kept = self.overflows.get(key)
        if kept is None or width - room > kept.width - kept.room:
            self.overflows[key] = CellOverflow(section, column, text, width, room, (kept.cells if kept else 0) + 1)
        else:
            kept.cells += 1


def undrawable(text: str, font: str) -> str:
    """The characters of ``text`` that ``font`` has no glyph for, each once, in order (spaces and
    format characters such as a zero-width joiner aside: they draw nothing)."""
    from ..render.fonts import coverage

    if text.isascii():
        return ""
    covered = coverage(font)
    if covered is None:
        return ""
    missing = {char: None for char in text
               if ord(char) not in covered and not char.isspace() and unicodedata.category(char)[0] != "C"}
    return "".join(missing)


def _missing_glyphs(paragraph) -> str:
    """The characters of ``paragraph`` its fonts cannot draw, each once, in order (read from its laid-out
    lines, whose runs carry the font each is set in)."""
    from ..render.fonts import coverage

    laid = paragraph.__dict__.get("blPara")
    if laid is None:
        return ""
    if laid.kind == 0:
        runs = [(getattr(laid, "fontName", paragraph.style.fontName), " ".join(words)) for _, words in laid.lines]
    else:
        runs = [(frag.fontName, frag.text) for line in laid.lines for frag in line.words
                if getattr(frag, "text", "") and hasattr(frag, "fontName")]
    missing: dict[str, None] = {}
    for font, text in runs:
        if text.isascii():
            continue
        covered = coverage(font)
        if covered is None:
            continue
        for char in text:
            if ord(char) not in covered and not char.isspace() and unicodedata.category(char)[0] != "C":
                missing.setdefault(char)
    return "".join(missing)


def line_texts(paragraph) -> list[str]:
    """The text of each line reportlab broke ``paragraph`` into (after ``wrap``)."""
    return list(_read(paragraph)[0])


def _read(paragraph, missing: bool = False) -> tuple[tuple[str, ...], float, str | None]:
    """``_lines_of`` (and with ``missing``, ``_missing_glyphs``), kept for the paragraph's lines: lines
    broken once are shared by every paragraph of the same text, style and width (``render.paragraph``),
    in this edition and the next, and these are read from the lines and the style alone. Kept by the
    lines object itself, not on it: reportlab makes the lines of a split paragraph by cloning them."""
    laid = paragraph.__dict__.get("blPara")
    if laid is None:
        lines, overflow = _lines_of(paragraph)
        return tuple(lines), overflow, _missing_glyphs(paragraph) if missing else None
    style = paragraph.style
    reads = (style.fontName, style.fontSize, getattr(style, "spaceShrinkage", 0), style.rightIndent)
    kept = _READ.get(laid)
    if kept is None or kept[0] != reads:
        lines, overflow = _lines_of(paragraph)
        kept = _READ[laid] = (reads, tuple(lines), overflow, None)
    if missing and kept[3] is None:
        kept = _READ[laid] = (*kept[:3], _missing_glyphs(paragraph))
    return kept[1], kept[2], kept[3]


_READ: "weakref.WeakKeyDictionary[object, tuple]" = weakref.WeakKeyDictionary()


def _lines_of(paragraph) -> tuple[list[str], float]:
    """The text of each line reportlab broke ``paragraph`` into, and how far the widest reaches past
    the paragraph's box. reportlab lets a line's spaces shrink a little (``spaceShrinkage``) rather
    than break it, and a line may run into a right indent: neither is an overflow."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    laid = paragraph.__dict__.get("blPara")
    if laid is None:
        return [paragraph.getPlainText()], 0.0
    style = paragraph.style
    shrink = (getattr(style, "spaceShrinkage", 0) or 0) * stringWidth(" ", style.fontName, style.fontSize)
    lines, overflow = [], 0.0
    for line in laid.lines:
        if laid.kind == 0:
            extra_space, words = line
            text = " ".join(words)
        else:
            extra_space = getattr(line, "extraSpace", 0.0)
            text = "".join(getattr(frag, "text", "") for frag in line.words)
        lines.append(text)
        overflow = max(overflow, -extra_space - shrink * text.strip().count(" "))
    return lines, max(0.0, overflow - max(0.0, style.rightIndent))
