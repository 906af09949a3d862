"""What a section's ``render`` gets: the checked report, the theme's styles, and text helpers."""

from __future__ import annotations

import re
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle

from ..formatting import format_date
from ..resolve import Report
from ..text import escape, escape_attribute, to_markup
from ..theme import Theme
from . import kit
from .charts import ChartStyle, SeriesColours
from .fonts import ThemeFonts
from .paragraph import BalancedParagraph, Paragraph


TITLE_STYLES = ("h1", "h2", "h3", "exhibit", "rail_title")  # set with balanced lines (BalancedParagraph)
PROSE_CHARACTERS = 80  # a comfortable measure for running text: 60–90 characters a line
_SAMPLE = "The economic relationship between the two nations has entered its most productive phase, 2026."


class Hyphenator:
    """Where a word may break at a line end, for reportlab: pyphen's points, sparingly, as suits
    ragged-right text: only in words of nine letters or more, and never in a name (a capitalised
    word: "Advantest", "Mitsubishi"), a word with digits, or a compound, which breaks only at its
    own hyphen ("sixth-generation"); nor in a word that ends a paragraph, whose last line would be
    a fragment ("contrac-/tors.")."""

    MIN_LETTERS = 9
    MAX_LETTERS = 64  # longer is no word of a language (an identifier, a hash): never hyphenated

    def __init__(self, language: str):
        from .hyphenation import pyphen_for

        self.iterate = pyphen_for(language).iterate
        self.language = language
        self.last_words: set[str] = set()
        self.only: str | None = None

    @property
    def style_key(self) -> tuple:
        """What a paragraph style with this hyphenator is parsed with (hyphenation acts only when lines break)."""
        return ("hyphenator", self.language)

    def keep_whole(self, text: str) -> None:
        """The last word of a paragraph's ``text`` is never broken (looked for in the text's tail: the
        pattern would try every start of a very long word, which is quadratic)."""
        found = _LAST_WORD.search(text[-LAST_WORD_WINDOW:])
        if found:
            self.last_words.add(found.group(1))

    @contextmanager
    def breaking_only(self, prefix: str):
        """Within the block, only a word starting with ``prefix`` may break ("" for none): a paragraph
        laid out again keeps its first hyphen and loses the others."""
        self.only = prefix
        try:
            yield
        finally:
            self.only = None

    def __call__(self, word: str):
        if self.only is not None and not (self.only and word.startswith(self.only)):
            return iter(())
        if not self.MIN_LETTERS <= len(word) <= self.MAX_LETTERS or not word[:1].islower() or "-" in word or any(c.isdigit() for c in word):
            return iter(())
        if word.strip(_PUNCTUATION) in self.last_words:
            return iter(())
        return self.iterate(word)


_LAST_WORD = re.compile(r"([^\W\d_]+)(?:[^\w]|\[\d[\d,\s\u2013-]*\])*$")  # before any closing citation
_PUNCTUATION = ".,;:!?'\"()[]\u2019\u201d\u2026"
LAST_WORD_WINDOW = 200  # characters at a paragraph's end that hold its last word (and any citation after it)


def hyphenation_language(language: str) -> Hyphenator | None:
    """The hyphenator for a BCP 47 language tag (en-US -> pyphen's en_US), if pyphen has one."""
    try:
        import pyphen
    except ImportError:
        return None
    found = pyphen.language_fallback(language.replace("-", "_"))
    return Hyphenator(found) if found else None


def prose_measure(fonts: ThemeFonts, size: float, frame_width: float) -> float:
    """The width of running text: about PROSE_CHARACTERS average characters of the body font."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    average = stringWidth(_SAMPLE, fonts.body.regular, size) / len(_SAMPLE)
    return min(frame_width, PROSE_CHARACTERS * average)


def build_styles(theme: Theme, fonts: ThemeFonts, frame_width: float = 10_000, language: str = "en-US",
                 column_width: float | None = None) -> dict[str, ParagraphStyle]:
    """Paragraph styles from the theme. Running text (prose, lead) is set to the text column of the
    page grid (``column_width``; without one, a measure of about 80 characters); all text is hyphenated
    in the brief's language; exhibits, tables and boxes use the full width."""
    size = theme.base_size
    lead = size * theme.line_height
    ink = colors.HexColor(theme.foreground)
    grey = colors.HexColor(theme.secondary)
    primary = colors.HexColor(theme.heading_color)
    hyphenate = {"hyphenationLang": hyphenation_language(language) or "", "embeddedHyphenation": 1, "uriWasteReduce": 0.3}
    body = ParagraphStyle("body", fontName=fonts.body.regular, fontSize=size, leading=lead, textColor=ink, spaceAfter=size * 0.6,
                          allowWidows=0, allowOrphans=0, **hyphenate)  # no paragraph leaves one line behind
    whole_words = {"hyphenationLang": "", "embeddedHyphenation": 0}  # narrow boxes and table cells: a broken word there reads as a typo
    if column_width is not None:
        prose_indent = max(0.0, frame_width - column_width)
    else:
        prose_indent = max(0.0, frame_width - prose_measure(fonts, size, frame_width)) if frame_width < 10_000 else 0.0
    styles = {
        "body": body,
        "prose": ParagraphStyle("prose", parent=body, rightIndent=prose_indent),
        "lead": ParagraphStyle("lead", parent=body, fontSize=size + 1.5, leading=(size + 1.5) * 1.35, textColor=grey, rightIndent=prose_indent),
        "takeaway": ParagraphStyle("takeaway", parent=body, **whole_words, leftIndent=size * 1.3, firstLineIndent=-size * 1.3, spaceAfter=size * 0.45),
        "bullet": ParagraphStyle("bullet", parent=body, **whole_words, leftIndent=size * 1.2, firstLineIndent=-size * 1.2, spaceAfter=size * 0.35),
        "disclosure": ParagraphStyle("disclosure", parent=body, fontSize=size - 1, leading=(size - 1) * 1.35, spaceAfter=3),
        "small": ParagraphStyle("small", parent=body, fontSize=size - 2, leading=(size - 2) * 1.35, textColor=grey, spaceAfter=3),
        "caption": ParagraphStyle("caption", parent=body, fontName=fonts.body.italic, fontSize=size - 1.5, leading=(size - 1.5) * 1.35, textColor=ink, spaceBefore=2, spaceAfter=1),
        "source_line": ParagraphStyle("source_line", parent=body, fontSize=size - 2.2, leading=(size - 2.2) * 1.35, textColor=grey, spaceAfter=size),
        "h1": ParagraphStyle("h1", fontName=fonts.headings.bold, fontSize=size * 2.6, leading=size * 3.0, textColor=primary, spaceAfter=4),
        "subtitle": ParagraphStyle("subtitle", fontName=fonts.headings.italic, fontSize=size * 1.45, leading=size * 1.9, textColor=grey, spaceAfter=6),
        "h2": ParagraphStyle("h2", fontName=fonts.headings.bold, fontSize=size * 1.4, leading=size * 1.75, textColor=primary, spaceBefore=size * 1.1, spaceAfter=size * 0.5),
        "exhibit": ParagraphStyle("exhibit", parent=body, **whole_words, fontName=fonts.body.regular, fontSize=size + 0.5, leading=(size + 0.5) * 1.3, textColor=ink, spaceBefore=size * 0.9, spaceAfter=size * 0.45),
        "h3": ParagraphStyle("h3", fontName=fonts.headings.bold, fontSize=size * 1.1, leading=size * 1.4, textColor=primary, spaceBefore=size * 0.8, spaceAfter=size * 0.3),
        "box_title": ParagraphStyle("box_title", fontName=fonts.headings.bold, fontSize=size * 1.15, leading=size * 1.45, textColor=primary, spaceAfter=size * 0.5),
        "label": ParagraphStyle("label", fontName=fonts.body.bold, fontSize=size - 1.5, leading=size, textColor=grey),
        "quote": ParagraphStyle("quote", fontName=fonts.headings.italic, fontSize=size * 1.45, leading=size * 1.95, textColor=primary),
        "attribution": ParagraphStyle("attribution", parent=body, fontSize=size - 0.5, textColor=grey, spaceBefore=4, spaceAfter=0),
        "cell": ParagraphStyle("cell", parent=body, **whole_words, fontSize=size - 1, leading=(size - 1) * 1.3, spaceAfter=0),
        "cell_right": ParagraphStyle("cell_right", parent=body, **whole_words, fontSize=size - 1, leading=(size - 1) * 1.3, spaceAfter=0, alignment=TA_RIGHT),
        "cell_center": ParagraphStyle("cell_center", parent=body, **whole_words, fontSize=size - 1, leading=(size - 1) * 1.3, spaceAfter=0, alignment=TA_CENTER),
        "header_cell": ParagraphStyle("header_cell", fontName=fonts.body.bold, fontSize=size - 1.5, leading=(size - 1.5) * 1.3, textColor=colors.HexColor(theme.on_primary), alignment=TA_LEFT),
        "kpi_value": ParagraphStyle("kpi_value", fontName=fonts.headings.bold, fontSize=size * 1.9, leading=size * 2.2, textColor=primary, alignment=TA_LEFT),
        "kpi_label": ParagraphStyle("kpi_label", parent=body, **whole_words, fontSize=size - 1.5, leading=(size - 1.5) * 1.3, textColor=grey, spaceAfter=0),
        "reference": ParagraphStyle("reference", parent=body, fontSize=size - 1, leading=(size - 1) * 1.35, leftIndent=size * 2.2, firstLineIndent=-size * 2.2, spaceAfter=size * 0.45),
        "byline": ParagraphStyle("byline", parent=body, fontSize=size - 1, textColor=grey, alignment=TA_RIGHT, spaceAfter=0),
    }
    if column_width is not None:
        for name in ("prose", "lead"):  # set to the column at any width (``Paragraph._fit_column``)
            styles[name].column_width = column_width
    rail = size - 1.5  # the rail's type: a step below the body, as a side column is set
    styles.update({
        "rail_title": ParagraphStyle("rail_title", fontName=fonts.headings.bold, fontSize=size, leading=size * 1.3,
                                     textColor=primary, spaceBefore=0, spaceAfter=size * 0.35, keepWithNext=1),
        "rail_text": ParagraphStyle("rail_text", parent=body, **whole_words, fontSize=rail, leading=rail * 1.35, spaceAfter=0),
        "rail_name": ParagraphStyle("rail_name", parent=body, **whole_words, fontName=fonts.body.bold, fontSize=rail,
                                    leading=rail * 1.35, spaceAfter=0),
        "rail_value": ParagraphStyle("rail_value", fontName=fonts.headings.bold, fontSize=size * 1.35, leading=size * 1.55,
                                     textColor=primary),
        "rail_quote": ParagraphStyle("rail_quote", fontName=fonts.headings.italic, fontSize=size * 1.1, leading=size * 1.45,
                                     textColor=primary),
        "rail_small": ParagraphStyle("rail_small", parent=body, **whole_words, fontSize=size - 2.2, leading=(size - 2.2) * 1.35,
                                     textColor=grey, spaceAfter=0),
    })
    for align, alignment in (("left", TA_LEFT), ("right", TA_RIGHT), ("center", TA_CENTER)):
        styles[f"header_cell_{align}"] = ParagraphStyle(f"header_cell_{align}", parent=styles["header_cell"], alignment=alignment)
    return styles


@dataclass
class RenderContext:
    report: Report
    theme: Theme
    fonts: ThemeFonts
    styles: dict[str, ParagraphStyle]
    chart_style: ChartStyle
    frame_width: float
    series_colours: SeriesColours
    prepared: Any = None  # what the section being rendered prepared at resolve (its chart or table data)
    chart_cache: Path | None = None  # where drawn charts are kept between builds (None: no cache)
    laid_out: Any = None  # ``proof.record.LaidOut``: what is printed, for the proof
    section: int | None = None  # the index of the section being rendered
    page_targets: Any = None  # ``pagerefs.PageTargets``: pages named before they are laid out ("See page 9")
    exhibits: int = 0
    grid: Any = None  # ``grid.PageGrid``: the text column and the rail
    kit = kit

    def next_exhibit(self) -> int:
        self.exhibits += 1
        return self.exhibits

    # -- text -------------------------------------------------------------------------------------
    def markup(self, text: str, style: str = "body") -> str:
        font = self.styles[style].fontName
        return to_markup(text, self.report.format, self.cite_link, lambda s: self.fonts.glyph_fallback(s, font),
                         self.exhibit_link)

    def paragraph(self, text: str, style: str = "body") -> Paragraph:
        self.keep_last_word(text, style)
        kind = BalancedParagraph if style in TITLE_STYLES else Paragraph
        paragraph = kind(self.markup(text, style), self.styles[style])
        paragraph._proof_source = text  # the proof reads what is printed against it
        return paragraph

    def keep_last_word(self, text: str, style: str) -> None:
        """The last word of a paragraph of ``text`` in ``style`` is never hyphenated."""
        hyphenator = getattr(self.styles[style], "hyphenationLang", None)
        if isinstance(hyphenator, Hyphenator):
            hyphenator.keep_whole(self.plain(text))

    def heading(self, text: str, level: int = 2) -> Paragraph:
        return self.paragraph(text, f"h{level}")

    def plain(self, text: str) -> str:
        return self.report.plain(text)

    def exhibit_link(self, name: str) -> str:
        """'Exhibit 5', linked to the exhibit's title (its section's anchor), never split across lines."""
        label = self.report.exhibit_label(name).replace(" ", "\u00a0")
        return f'<a href="#{escape_attribute(name)}" color="{self.theme.link_color}">{label}</a>'

    def cite_link(self, keys: list[str]) -> str:
        numbers = sorted({self.report.source_number(key) for key in keys})
        links = ", ".join(f'<a href="#src-{n}" color="{self.theme.link_color}">{n}</a>' for n in numbers)
        return f"[{links}]"

    def date(self, value) -> str:
        """A date as readers of the locale write it, never split across lines."""
        return format_date(value, self.report.spec.locale)

    # -- provenance -------------------------------------------------------------------------------
    def provenance(self, figure_names: Iterable[str] = (), source_ids: Iterable[str] = (), as_of=(),
                   style: str = "source_line") -> Paragraph:
        """'Source: [1] US Dept. of Commerce; [3] JPX. As of Dec 15, 2025 – Feb 1, 2026.' from the data."""
        figures = [self.report.figures[name] for name in figure_names]
        ids = list(dict.fromkeys([*source_ids, *(figure.source for figure in figures)]))
        numbers = sorted({self.report.source_number(i) for i in ids})
        names = "; ".join(
            f"{self.cite_link([str(n)])} {self.fonts.glyph_fallback(escape(self.report.sources[n - 1].author))}"
            for n in numbers
        )
        dates = sorted({*(figure.as_of for figure in figures), *as_of})
        when = ""
        cited = [self.report.sources[n - 1] for n in numbers]
        if dates and cited and all(not s.date and s.accessed == dates[0] for s in cited) and len(dates) == 1:
            when = f" Accessed {self.date(dates[0])}."  # the day it was read, not a date the data is "as of"
        elif dates:
            when = f" As of {self.date(dates[0])}" + (f"\u00a0\u2013\u00a0{self.date(dates[-1])}" if dates[-1] != dates[0] else "") + "."
        label = "Sources" if len(numbers) > 1 else "Source"
        return Paragraph(f"{label}: {names}.{escape(when)}", self.styles[style])
