"""Lines as laid out, read against the text they were made from: where each line break fell.

A break falls at a space (as it should), after a hyphen the line breaker added (hyphenation chose
it), after the text's own hyphen, dash or slash, or inside a word: the last is a word broken where
nothing allowed it ("Germ|any", "€290/k|Wh").
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

SOFT_HYPHEN = "\u00ad"
_SPACES = re.compile(r"[\s\u200b]+")  # any space reportlab may break at, and the no-break ones
_OWN_BREAKS = "-\u2010\u2011\u2013\u2014/"  # a line may end after these when the text has them


@lru_cache(maxsize=8192)  # the same lines and texts are read again and again (each personalised edition)
def normal(text: str) -> str:
    """``text`` with soft hyphens dropped and every run of spaces (no-break ones too) as one space."""
    return _SPACES.sub(" ", text.replace(SOFT_HYPHEN, "")).strip()


@dataclass(frozen=True)
class Break:
    at: int  # the offset in the normal text where the next line starts
    how: str  # space | hyphenated | after-hyphen | between-ideographs | inside


def breaks(lines: list[str], expected: str) -> list[Break] | None:
    """Where the line breaks fall in ``normal(expected)``; None when the lines do not spell it
    (the printed text is not the text it was made from)."""
    text = normal(expected)
    walked = _walk(lines, text, 0)
    if walked is None:
        return None
    ends, position = walked
    found = [end for line, end in zip(lines[:-1], ends) if normal(line)]
    if position != len(text) or None in found:
        return None
    return found


def line_ends(lines: list[str], text: str, position: int = 0) -> tuple[list[str], int] | None:
    """How each line of ``lines`` ends, read in ``text`` (already ``normal``) from ``position``:
    "space" where the text goes on after a space or a forced line break (the proof refuses any other
    break inside a word), "hyphenated" after a hyphen the line breaker added, "" at the text's end or
    where nothing separates the lines (the text's own hyphen, ideographs); and the position the next
    line starts at. None when the lines do not spell
    the text there. A paragraph split across pages is read part by part, each from where the last
    stopped."""
    walked = _walk(lines, text, position)
    if walked is None:
        return None
    ends, position = walked
    kinds = ["" if end is None or end.how in ("after-hyphen", "between-ideographs")
             else "space" if end.how == "inside" else end.how for end in ends]
    return kinds, position


def _walk(lines: list[str], text: str, position: int) -> tuple[tuple[Break | None, ...], int] | None:
    """Each line's end in ``text`` from ``position`` (None: the text's end, or a line left empty)
    and where the lines stop; None when they do not spell the text."""
    return _walked(tuple(lines), text, position)


# Kept by the lines, the text and the start: each personalised edition reads the same paragraphs,
# broken the same way, as the edition before it.
@lru_cache(maxsize=8192)
def _walked(lines: tuple[str, ...], text: str, position: int) -> tuple[tuple[Break | None, ...], int] | None:
    found: list[Break | None] = []
    for raw in lines:
        line = normal(raw)
        hyphen_added = False
        if text.startswith(line, position):
            position += len(line)
        elif line.endswith("-") and text.startswith(line[:-1], position) and position + len(line) - 1 < len(text):
            position += len(line) - 1
            hyphen_added = True
        else:
            return None
        if not line or position >= len(text):
            found.append(None)
        elif text[position] == " ":
            position += 1
            found.append(Break(position, "space"))
        elif hyphen_added:
            found.append(Break(position, "hyphenated"))
        elif text[position - 1] in _OWN_BREAKS:
            found.append(Break(position, "after-hyphen"))
        elif _ideographic(text[position - 1]) or _ideographic(text[position]):
            found.append(Break(position, "between-ideographs"))  # Chinese, Japanese: lines break between characters
        else:
            found.append(Break(position, "inside"))
    return tuple(found), position


def _ideographic(char: str) -> bool:
    """A wide East Asian character (Han, kana, Hangul, fullwidth punctuation): text in those scripts
    may break between any two of them."""
    return unicodedata.east_asian_width(char) in ("W", "F")


def word_at(text: str, at: int) -> tuple[str, str, str]:
    """The space-delimited word of ``text`` around offset ``at``: (whole word, before, after)."""
    start = text.rfind(" ", 0, at) + 1
    end = text.find(" ", at)
    end = len(text) if end < 0 else end
    return text[start:end], text[start:at], text[at:end]


def split_values(text: str, found: list[Break], values: tuple[str, ...]) -> list[tuple[str, str, str]]:
    """Each printed value of ``values`` that a line break falls inside: (value, first line's part, the rest)."""
    positions = [b.at for b in found]
    if not positions:
        return []
    split = []
    for value in dict.fromkeys(normal(v) for v in values if v):
        if len(value) < 2:
            continue
        start = text.find(value)
        while start >= 0:
            end = start + len(value)
            inside = [at for at in positions if start < at < end]
            if inside:
                at = inside[0]
                split.append((value, text[start:at].rstrip(" -"), text[at:end]))
                break
            start = text.find(value, start + 1)
    return split
