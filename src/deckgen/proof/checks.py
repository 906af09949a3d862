"""The proof of an edition: what the renderer laid out, checked before the PDF is kept or mailed.

``proofread`` reads a ``LaidOut`` (filled while the brief was drawn) against the report it was
drawn from and returns every problem, located at the spec key (or data file) responsible:

* template-text: ``{{`` or ``}}`` printed anywhere (page text, chart text, alt text, bookmarks,
  metadata);
* printed-text: a paragraph, cell or tile whose laid-out text is not the text its data gives;
* broken-word: a word broken across lines where hyphenation did not choose to break it;
* split-value: a printed value (a figure, a cell's number and unit) split across lines;
* overflow: text wider than its cell, tile or box;
* empty-exhibit: a table exhibit with no rows;
* chart-label: a chart's point label that had no free place and was left out (a warning).
"""

from __future__ import annotations

import bisect
import html
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Iterable

from ..errors import Mark, Problem
from ..text import references, template_token, to_markup
from ..yamlsrc import strings_in
from .lines import breaks, normal, split_values, word_at
from .record import LaidOut, TextBlock

if TYPE_CHECKING:
    from ..resolve import Report

CHECKS = ("template-text", "printed-text", "broken-word", "split-value", "overflow", "missing-glyph", "empty-exhibit",
          "chart-label")
OVERFLOW_TOLERANCE = 0.5  # points: reportlab's own rounding
SHOWN_TEXT = 60  # characters of printed text a message quotes
_TAG = re.compile(r"<[^>]*>")

_WHAT_BY_STYLE = {
    "h1": "the title", "subtitle": "the subtitle", "h2": "a heading", "h3": "a heading", "box_title": "a box title",
    "exhibit": "an exhibit title", "caption": "a caption", "source_line": "a source line", "kpi_value": "a KPI tile's value",
    "kpi_label": "a KPI tile's label", "takeaway": "a takeaway", "bullet": "a list item", "quote": "a quote",
    "attribution": "a quote's attribution", "reference": "an entry in the sources", "byline": "the byline",
    "label": "a label", "disclosure": "the disclosures", "small": "small print", "footer": "the page footer",
}


@dataclass(frozen=True)
class Proof:
    """The proof of one edition: its problems (errors unless downgraded) and what it verified."""

    problems: tuple[Problem, ...]
    summary: dict = field(default_factory=dict)
    seconds: float = 0.0  # how long the proofreading took

    @property
    def passed(self) -> bool:
        return not any(p.is_error for p in self.problems)


def proofread(laid: LaidOut, report: "Report", *, downgrade: bool = False) -> Proof:
    """Every problem in what was laid out; with ``downgrade`` (``checks.proof: warn``) as warnings."""
    reader = _Reader(report)
    problems: list[Problem] = []
    verified: dict[tuple[str, str], set[int]] = {}  # (figure, as printed) -> the pages it is on
    for block in laid.blocks:
        problems += reader.block(block, verified)
    for cell in laid.overflows.values():
        others = f" (and {cell.cells - 1} more of its cells)" if cell.cells > 1 else ""
        problems.append(Problem.at(
            reader.locate(cell.section, ("column", cell.column)),
            f"'{_short(cell.text)}' is {cell.width - cell.room:.1f} pt wider than column '{cell.column}'{others}: "
            f"a number or date is never broken", "give the column more width (columns: width:) or fewer columns",
            code="overflow"))
    for exhibit in laid.exhibits:
        for what, text in exhibit.texts:
            problems += reader.template_text(exhibit.section, f"Exhibit {exhibit.number}'s {what}", text)
        for what, chars in exhibit.missing_glyphs:
            shown = ", ".join(f"'{char}' (U+{ord(char):04X})" for char in chars[:6])
            more = f" and {len(chars) - 6} more" if len(chars) > 6 else ""
            problems.append(Problem.at(
                reader.locate(exhibit.section, (), chars[0]),
                f"Exhibit {exhibit.number}'s {what} has characters its font cannot draw: {shown}{more}; they would "
                "print as empty boxes", "use a brand font that has them (brand.yml typography: fonts), or write the "
                "text without them", code="missing-glyph"))
        for note in exhibit.notes:
            problems.append(Problem.at(reader.locate(exhibit.section, ("label",)), f"Exhibit {exhibit.number}: {note}",
                                       "label fewer points (a where: on the label column), or give the chart more room",
                                       severity="warning", code="chart-label"))
        if exhibit.kind == "table" and exhibit.rows == 0:
            problems.append(Problem.at(
                reader.locate(exhibit.section, ("where",)), f"Exhibit {exhibit.number} '{_short(exhibit.title)}' shows no rows",
                "check its where: conditions, or set if_empty: to say what to print instead", code="empty-exhibit"))
    for what, text, section in laid.strings:
        problems += reader.template_text(section, what, text)
    if downgrade:
        problems = [Problem(p.file, p.line, p.col, p.message, p.hint, "warning", p.code) for p in problems]
    problems = sorted(dict.fromkeys(problems))
    pages = {block.exhibit: block.pages[0] for block in laid.blocks if block.exhibit is not None}
    summary = {
        "status": "failed" if any(p.is_error for p in problems) else ("warnings" if problems else "passed"),
        "checks": list(CHECKS),
        "pages": laid.pages,
        "text_blocks": len(laid.blocks),
        "exhibits": [{"number": e.number, "kind": e.kind, "title": e.title, "page": pages.get(e.number),
                      **({"rows": e.rows} if e.rows is not None else {})} for e in laid.exhibits],
        "tables": [{"exhibit": e.number, "title": e.title, "page": pages.get(e.number), "rows": e.rows}
                   for e in laid.exhibits if e.kind == "table"],
        "figures": [{"name": name, "printed": shown, "pages": sorted(pages)} for (name, shown), pages in verified.items()],
        "problems": [p.render() for p in problems],
    }
    return Proof(tuple(problems), summary)


class _Reader:
    def __init__(self, report: "Report"):
        self.report = report
        self.document = report.loaded.document
        self.sections = report.spec.sections
        self.format = report.format

    # -- one block --------------------------------------------------------------------------------
    def block(self, block: TextBlock, verified: dict[tuple[str, str], set[int]]) -> list[Problem]:
        problems: list[Problem] = []
        what = self.what(block)
        printed = " ".join(block.lines)
        problems += self.template_text(block.section, what, printed, block.origin)
        expected, values, figures = self.expected(block)
        found = breaks(block.lines, expected) if expected is not None else None
        if found is None and expected is not None:
            printed_part, expected_part = _where_they_differ(normal(" ".join(block.lines)), normal(expected))
            problems.append(Problem.at(
                self.locate(block.section, block.origin, self.needle(block)),
                f"{what} prints '{printed_part}' where its data gives '{expected_part}'",
                "this is a deckgen bug: report it with the spec", code="printed-text"))
        if found is None and block.plain is not None:  # nothing says what it should be: read it against its own text
            expected = block.plain
            found = breaks(block.lines, expected)
        if found is None:
            expected = " ".join(line.strip() for line in block.lines)
            found = breaks(block.lines, expected) or []
        text = normal(expected)
        reported: set[str] = set()
        for point in found:
            if point.how != "inside":
                continue
            word, before, after = word_at(text, point.at)
            if word in reported or any(before in value or value in word for value in map(normal, values) if value):
                continue  # a word broken twice is one problem; a value it splits is reported as that
            reported.add(word)
            problems.append(Problem.at(
                self.locate(block.section, block.origin, word),
                f"'{_short(word)}' is broken across lines as '{_short(before)}' | '{_short(after)}' in {what} "
                f"({block.width:.0f} pt wide)",
                self.fix(block), code="broken-word"))
        for value, head, rest in split_values(text, found, values):
            problems.append(Problem.at(
                self.locate(block.section, block.origin, value),
                f"'{value}' is split across lines as '{head}' | '{rest}' in {what} ({block.width:.0f} pt wide)",
                self.fix(block), code="split-value"))
        if block.missing_glyphs:
            shown = ", ".join(f"'{char}' (U+{ord(char):04X})" for char in block.missing_glyphs[:6])
            more = f" and {len(block.missing_glyphs) - 6} more" if len(block.missing_glyphs) > 6 else ""
            problems.append(Problem.at(
                self.locate(block.section, block.origin, block.missing_glyphs[0]),
                f"{what} has characters its fonts cannot draw: {shown}{more}; they would print as empty boxes",
                "use a brand font that has them (brand.yml typography: fonts), or write the text without them",
                code="missing-glyph"))
        if block.overflow > OVERFLOW_TOLERANCE:
            problems.append(Problem.at(
                self.locate(block.section, block.origin, self.needle(block)),
                f"{what} runs {block.overflow:.1f} pt past its box: '{_short(normal(printed))}'",
                self.fix(block), code="overflow"))
        starts = [point.at for point in found]  # where each line after the first starts in the text
        for name, shown in figures:  # a figure may print in several styles ("$85B", "$85 billion")
            at = text.find(normal(shown))
            if at >= 0 and len(block.line_pages) == len(starts) + 1:
                pages = {block.line_pages[bisect.bisect_right(starts, at)]}
            else:
                pages = set(block.pages)
            verified.setdefault((name, shown), set()).update(pages)
        return problems

    def expected(self, block: TextBlock) -> tuple[str | None, tuple[str, ...], list[tuple[str, str]]]:
        """What a reader must see in ``block``, the values in it that must stay whole, and its figures."""
        values = tuple(block.values)
        figures = list(block.figures)
        if block.expected is not None:
            return block.expected, values, figures
        if block.source is None:
            return None, values, figures
        shown = []
        for ref in references(block.source):
            if ref.kind == "figure" and ref.name in self.report.figures:
                text = self.format(ref.name, ref.style)
                shown.append(text)
                figures.append((ref.name, text))
            elif ref.kind == "figure" and ref.name == "date":  # the report date stays whole too (November 2026)
                shown.append(self.format(ref.name, ref.style))
        return block.prefix + self.as_printed(block.source), values + tuple(shown), figures

    def as_printed(self, source: str) -> str:
        """The text the renderer meant to print from ``source``: its own markup (figures written out,
        citations numbered, emphasis as the markup has it), without the tags."""
        def cite(keys: list[str]) -> str:
            return "[" + ", ".join(str(n) for n in sorted({self.report.source_number(key) for key in keys})) + "]"

        def exhibit(name: str) -> str:
            return self.report.exhibit_label(name).replace(" ", "\u00a0")

        return html.unescape(_TAG.sub("", to_markup(source, self.format, cite, exhibit_link=exhibit)))

    def template_text(self, section: int | None, what: str, text: str, origin: tuple = ()) -> list[Problem]:
        token = template_token(text)
        if token is None:
            return []
        return [Problem.at(self.locate(section, origin, token), f"{what} prints template text '{_short(token)}'",
                           "write figures as {{ name }} only where the spec's reference says a field takes them, "
                           "or report this as a deckgen bug", code="template-text")]

    # -- words ------------------------------------------------------------------------------------
    def what(self, block: TextBlock) -> str:
        return block.what or _WHAT_BY_STYLE.get(block.style, "the text")

    @staticmethod
    def fix(block: TextBlock) -> str:
        if block.style.startswith("kpi"):
            return "show fewer KPI tiles in the strip, or a shorter value or label"
        if "column" in block.what:
            return "give the column more width (columns: width:), fewer columns, or shorter text"
        return "shorten the text or give it more room"

    @staticmethod
    def needle(block: TextBlock) -> str | None:
        return normal(block.lines[0])[:20] if block.lines else None

    # -- where ------------------------------------------------------------------------------------
    def locate(self, section: int | None, origin: tuple = (), needle: str | None = None) -> Mark:
        """The spec key responsible: ``origin`` inside the section, else the string holding ``needle``,
        else the section itself (its ``type``); outside any section, the spec's title."""
        document = self.document
        if section is None:
            return document.mark(("title",))
        base = ("sections", section)
        if origin and origin[0] == "column":
            return self._column(section, origin[1])
        if origin:
            return document.mark_of_text(base + origin, needle) if needle else document.mark(base + origin)
        if needle:
            data = document.data.get("sections", [])
            if isinstance(data, list) and section < len(data):
                for loc, text in strings_in(data[section], base):
                    if needle in text:
                        return document.mark_of_text(loc, needle)
        return document.mark(base + ("type",))

    def _column(self, section: int, name: str) -> Mark:
        columns = getattr(self.sections[section], "columns", None) or []
        for index, column in enumerate(columns):
            if getattr(column, "key", None) == name:
                return self.document.mark(("sections", section, "columns", index, "key"))
        table = getattr(self.sections[section], "table", None)
        return self.document.mark(("sections", section, "table" if table else "type"))


def _where_they_differ(printed: str, expected: str) -> tuple[str, str]:
    """The two texts from a little before the first character where they differ."""
    at = next((i for i, (a, b) in enumerate(zip(printed, expected)) if a != b), min(len(printed), len(expected)))
    start = max(0, at - 15)
    lead = "\u2026" if start else ""
    return lead + _short(printed[start:]), lead + _short(expected[start:])


def _short(text: str) -> str:
    return text if len(text) <= SHOWN_TEXT else text[: SHOWN_TEXT - 1] + "\u2026"


def problems_in(strings: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """(what, token) for each string of ``strings`` that holds template text: for an email's subject and body."""
    return [(what, token) for what, text in strings if (token := template_token(text)) is not None]
