"""reportlab's Paragraph, broken into lines once per width."""

from __future__ import annotations

from collections import OrderedDict
from contextlib import contextmanager

from reportlab.platypus import Paragraph as _ReportlabParagraph
from reportlab.platypus.paragraph import _FUZZ, cleanBlockQuotedText

from . import fonts
from ..proof.lines import line_ends, normal
from ..proof.record import line_texts, new_key


class Paragraph(_ReportlabParagraph):
    """Layout asks a paragraph for its size again and again at one width: a KeepTogether measures its
    content and the frame then measures each piece; a long table's header row, and the notes kept with
    its last rows, are measured at every page the table is split at. reportlab breaks the lines anew
    each time (3,500 of the 4,300 line breakings of the 250-page benchmark brief, a tenth of its
    build). The lines are kept while the width, the text and the style are those they were broken for,
    and nothing has replaced them."""

    def __init__(self, text, style=None, bulletText=None, frags=None, caseSensitive=1, encoding="utf8"):
        key = _parse_key(text, style, bulletText, frags, caseSensitive)
        parsed = _PARSED.get(key) if key is not None else None
        if parsed is None:
            super().__init__(text, style, bulletText, frags, caseSensitive, encoding)
            if key is not None and self.style is style and self.bulletText is None:
                _remember(key, (self.text, self.frags))
        else:  # the same text in the same style parsed before (in this brief, or the edition before it)
            self.caseSensitive, self.encoding = caseSensitive, encoding
            self.text, self.style, self.bulletText, self.debug = parsed[0], style, None, 0
            self.frags = [frag.clone() for frag in parsed[1]]  # line breaking changes its fragments
        if getattr(self.style, "hyphenationLang", None):
            self._tag_plain = normal(self.getPlainText())  # the text before hyphenation adds its hyphens to it
        if key is not None and type(self) is Paragraph:
            self._memo_key = key

    def _column(self, availWidth: float) -> float:
        """The width to break running text at: text set to the grid's column (``style.column_width``,
        its right indent what the frame leaves beyond it) is broken for the same column whatever width
        it is given, the frame's or the column's beside the rail; never wider than it is given. (A
        paragraph broken again at another width after hyphenation loses letters: reportlab changes its
        fragments as it hyphenates.)"""
        column = getattr(self.style, "column_width", None)
        if column is None:
            return availWidth
        return min(availWidth, column) + self.style.rightIndent

    def wrap(self, availWidth, availHeight):
        given = availWidth
        availWidth = self._column(availWidth)
        kept = self.__dict__.get("_broken_for")
        if (kept is not None and kept[0] == availWidth and kept[1] is self.frags and kept[2] is self.style
                and kept[3] is self.__dict__.get("blPara")):
            return min(self.width, given), self.height
        memo_key = self.__dict__.pop("_memo_key", None)  # only a paragraph's first breaking is shared
        if memo_key is not None and availWidth >= _FUZZ:
            state = self._hyphenation_state()
            key = (memo_key, availWidth, state)
            broken = _BROKEN.get(key)
            if broken is None:
                size = self._break(availWidth, availHeight)
                broken = {name: self.__dict__[name] for name in _BROKEN_STATE if name in self.__dict__}
                _remember_broken(key, broken)
            else:
                self.__dict__.update(broken)
                size = (self.width, self.height)
            self._shared_break = (availWidth, availHeight, state)
        else:
            if "_shared_break" in self.__dict__:
                # Broken again at another width: reportlab breaks from the fragments its first breaking left,
                # and may change them. Those are shared, so this paragraph's own first breaking is made
                # again, as it was made (with the words kept whole then).
                width, height, state = self.__dict__.pop("_shared_break")
                self._setup(self.text, self.style, self.bulletText, None, cleanBlockQuotedText)
                with self._keeping_whole(state):
                    self._break(width, height)
            size = self._break(availWidth, availHeight)
        if "blPara" in self.__dict__ and availWidth >= _FUZZ:  # narrower: reportlab answers "no room", breaks nothing
            self._broken_for = (availWidth, self.frags, self.style, self.blPara)
        else:
            self.__dict__.pop("_broken_for", None)
        return min(size[0], given), size[1]

    def _break(self, availWidth, availHeight):
        size = super().wrap(availWidth, availHeight)
        hyphenated, next_to_a_hyphen = self._hyphenation()
        if (len(hyphenated) > 1 or next_to_a_hyphen) and self.__dict__.get("text"):
            # at most one hyphen a paragraph, never on a line next to one ending in a hyphen: laid out again
            # keeping only its first, else none
            for allowed in ((hyphenated[0], "") if not next_to_a_hyphen else ("",)):
                # from its text parsed afresh: reportlab's line breaker alters the words it split at their own hyphen
                self._setup(self.text, self.style, self.bulletText, None, cleanBlockQuotedText)
                with self.style.hyphenationLang.breaking_only(allowed):
                    size = super().wrap(availWidth, availHeight)
                hyphenated, next_to_a_hyphen = self._hyphenation()
                if len(hyphenated) <= 1 and not next_to_a_hyphen:
                    break
        return size

    def _hyphenation_state(self) -> tuple:
        """What a hyphenator decides about this paragraph's words beyond its text: the words it keeps
        whole because they end a paragraph somewhere in the brief."""
        hyphenator = getattr(self.style, "hyphenationLang", None)
        last_words = getattr(hyphenator, "last_words", None)
        if not last_words:
            return ()
        text = self.text
        return tuple(sorted(word for word in last_words if word in text))

    @contextmanager
    def _keeping_whole(self, state: tuple):
        """Within the block, the hyphenator keeps whole the words of ``state`` (of this paragraph's
        words, those it kept whole when ``state`` was taken)."""
        hyphenator = getattr(self.style, "hyphenationLang", None)
        if not hasattr(hyphenator, "last_words"):
            yield
            return
        now, hyphenator.last_words = hyphenator.last_words, set(state)
        try:
            yield
        finally:
            hyphenator.last_words = now

    def _hyphenation(self) -> tuple[list[str], bool]:
        """The start of each word the line breaker hyphenated at a line end ("commit" of "commit-"), in
        order, and whether one of those lines is next to another line ending in a hyphen (the text's own,
        "critical-" of "critical-mineral", or inserted); only for text whose hyphenator can be told which
        words may break."""
        if not hasattr(self.style.hyphenationLang, "breaking_only") or "_tag_plain" not in self.__dict__:
            return [], False
        lines = line_texts(self)
        ending_in_hyphen = {index for index, line in enumerate(lines[:-1]) if line.rstrip().endswith("-")}
        if not ending_in_hyphen:
            return [], False
        ends = line_ends(lines, self._tag_plain)
        if ends is None:
            return [], False
        inserted = [index for index, how in enumerate(ends[0]) if how == "hyphenated"]
        next_to_a_hyphen = any(index - 1 in ending_in_hyphen or index + 1 in ending_in_hyphen for index in inserted)
        return [lines[index].split()[-1][:-1] for index in inserted], next_to_a_hyphen

    def drawOn(self, canvas, x, y, _sW=0):
        laid_out = getattr(canvas, "_proof", None)
        if laid_out is not None:
            laid_out.paragraph(self, canvas)
        return super().drawOn(canvas, x, y, _sW)

    def split(self, availWidth, availHeight):
        """The parts of a paragraph split across pages are one text for the proof."""
        parts = super().split(self._column(availWidth), availHeight)
        if len(parts) > 1:
            if "_proof_key" not in self.__dict__:
                self._proof_key = new_key()
            kept = {name: value for name, value in self.__dict__.items() if name.startswith("_proof_")}
            for part in parts:
                part.__dict__.update(kept)
        return parts


# Parsed paragraphs (markup to fragments, reportlab's slowest step after line breaking) by their text and
# style: a brief repeats cell texts and labels, and a personalised edition repeats all but a few
# paragraphs of the edition before it.
_PARSED: "OrderedDict[tuple, tuple[str, list]]" = OrderedDict()
PARSED_KEPT = 20_000


def _parse_key(text, style, bulletText, frags, caseSensitive) -> tuple | None:
    if frags is not None or bulletText is not None or not isinstance(text, str) or style is None:
        return None
    if getattr(style, "bulletText", None) is not None:
        return None
    return (text, style_key(style), caseSensitive, fonts.mapping_changes)


def _remember(key: tuple, parsed: tuple[str, list]) -> None:
    _PARSED[key] = (parsed[0], [frag.clone() for frag in parsed[1]])
    _trim(_PARSED)


# Paragraphs broken into lines, by their text, style, width and what the hyphenator keeps whole: the
# state reportlab's breaking leaves on a paragraph, shared (never changed: see Paragraph.wrap).
_BROKEN: "OrderedDict[tuple, dict]" = OrderedDict()
_BROKEN_STATE = ("frags", "blPara", "width", "height", "_wrapWidths", "_width_max")


def _remember_broken(key: tuple, broken: dict) -> None:
    _BROKEN[key] = broken
    _trim(_BROKEN)


def _trim(kept: OrderedDict) -> None:
    while len(kept) > PARSED_KEPT:
        try:
            kept.popitem(last=False)
        except KeyError:  # emptied meanwhile by a build in another thread
            return


def style_key(style) -> tuple:
    """What a style sets, as a hashable value. Worked out each time: a style's clone copies its
    attributes (a key kept on the style would go with them to a clone of another size), and nothing
    stops a caller from changing a style after using it. Its parent is left out: reportlab copies a
    parent's attributes into the style as it is made and never reads the parent again (unless the
    style is ``refresh``ed, which copies them in again), so the style's own attributes are all that
    sets its text."""
    return tuple(sorted((name, _hashable(value)) for name, value in style.__dict__.items() if name != "parent"))


def _hashable(value):
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if hasattr(value, "hexval"):  # a reportlab colour
        return ("colour", value.hexval(), getattr(value, "alpha", 1))
    if isinstance(value, (list, tuple)):
        return tuple(_hashable(item) for item in value)
    if hasattr(value, "__dict__") and type(value).__name__ == "ParagraphStyle":
        return style_key(value)
    if isinstance(getattr(value, "style_key", None), tuple):  # a hyphenator
        return value.style_key
    return (type(value).__qualname__, id(value))  # anything else only matches itself


class BalancedParagraph(Paragraph):
    """A title whose lines are balanced: set at the narrowest width at which it still takes as many lines
    as at the full width, so no line is left with one word or a year alone ("EM Sovereign Debt Monthly —
    November / 2026" is two lines of about equal length)."""

    STEPS = 12  # halvings of the search interval: within a few points of the narrowest width

    def wrap(self, availWidth, availHeight):
        kept = self.__dict__.get("_balanced_for")
        if kept is not None and kept[0] == availWidth and kept[1] is self.frags and kept[2] is self.style:
            return super().wrap(kept[3], availHeight)
        width, height = super().wrap(availWidth, availHeight)
        full = line_texts(self)
        lines, words = len(full), _words(full)
        best = availWidth
        if lines > 1:
            low, high = availWidth / lines, availWidth
            for _ in range(self.STEPS):
                middle = (low + high) / 2
                super().wrap(middle, availHeight)
                narrower = line_texts(self)
                # as many lines, and no word broken (or hyphenated) that the full width kept whole
                if len(narrower) == lines and _words(narrower) == words:
                    best, high = middle, middle
                else:
                    low = middle
            best = min(availWidth, best + 0.5)  # a hair of slack: the search's width is the lines' own
        self._balanced_for = (availWidth, self.frags, self.style, best)
        return super().wrap(best, availHeight)


def _words(lines: list[str]) -> list[str]:
    return [word for line in lines for word in line.split()]
