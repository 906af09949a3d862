"""Figures typed by hand: prose that writes a figure's printed value ("34.0 GW") instead of
``{{ installed_total }}`` would not follow the data when it changes.

Which printed forms are looked for
----------------------------------
Every figure is printed in each style (compact, long, precise) in the spec's locale, exactly as the
brief would print it. A printed form is looked for only if it is more than a bare integer: it has a
unit sign or word around its number (``$52B``, ``35%``, ``14×``, ``34.0 GW``, ``¥152/$``), or a
decimal or thousands separator (``1.2``, ``100,000``). A bare integer (``3``, ``78``, ``2026``) also
counts things, names years and models (Nikkei 225), so its coinciding with a figure says nothing;
year figures always print as bare integers and so are never looked for.

How a form must be typed to count
---------------------------------
Whole, as printed: not inside a word or a longer number (``134.0 GW``, ``34.0 GWh``, ``1.25`` for
``1.2``, ``US$52B``), not one end of a range typed around it (``30–35%``), and not a bare number with
a currency sign or percent sign against it (``$100,000`` is not the count ``100,000``). Regular,
no-break and thin spaces are alike, and so are a hyphen and an en dash between the ends of a range.
Text inside ``{{ … }}`` and citations is not looked at. A number written with its unit spelt
differently ("34 GW" for "34.0 GW") is not matched: only the printed forms are evidence enough.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Iterable, Iterator

from .text import blank_references

_SPACES = " \u00a0\u202f\u2009"
_SPACE_CLASS = "[" + _SPACES + "]"
_RANGE_DASHES = "\u2013-"
_BARE_INTEGER = re.compile(r"[-\u2212]?\d+")
_NUMBER_SIGNS = "%\u2030\u00d7"  # percent, per mille, times: a bare number beside one is another quantity


@dataclass(frozen=True)
class TypedFigure:
    start: int
    end: int
    typed: str  # the text as written
    figure: str  # the figure it is the printed form of
    style: str  # the style that prints it so


def is_distinctive(printed: str) -> bool:
    """Whether a printed form, typed in prose, is evidence of the figure (see the module's docstring)."""
    return not _BARE_INTEGER.fullmatch(printed)


def _key(text: str) -> str:
    """The form of ``text`` the lookup is keyed by: spaces and range dashes made one kind each."""
    return re.sub(_SPACE_CLASS, " ", text).replace("-", "\u2013")


def _pattern(printed: str) -> str:
    parts = []
    for char in printed:
        if char in _SPACES:
            parts.append(_SPACE_CLASS)
        elif char in _RANGE_DASHES:
            parts.append("[" + _RANGE_DASHES + "]")
        else:
            parts.append(re.escape(char))
    return "".join(parts)


class PrintedForms:
    """Every distinctive printed form of every figure, found in a text in one pass of one regex."""

    def __init__(self, forms: Iterable[tuple[str, str, str]]):
        """``forms``: (figure, style, printed form), the figure's own style first; the first figure
        to print a form is the one named when it is found typed."""
        self._owner: dict[str, tuple[str, str]] = {}
        for figure, style, printed in forms:
            if is_distinctive(printed):
                self._owner.setdefault(_key(printed), (figure, style))
        self._regex = self._compile(self._owner) if self._owner else None

    @staticmethod
    def _compile(keys) -> re.Pattern:
        alternatives = "|".join(_pattern(key) for key in sorted(keys, key=len, reverse=True))
        dashes = re.escape(_RANGE_DASHES + "\u2212")
        before = rf"(?<![\w{dashes}])(?<!\d[.,])"
        after = rf"(?!\w)(?![.,]\d)(?![{dashes}]\d)"
        return re.compile(f"{before}(?:{alternatives}){after}")

    def __len__(self) -> int:
        return len(self._owner)

    def find(self, text: str) -> Iterator[TypedFigure]:
        """Each printed form typed in ``text``, outside figure references and citations."""
        if self._regex is None:
            return
        hand_typed = blank_references(text)
        for match in self._regex.finditer(hand_typed):
            typed = match.group(0)
            if typed[0].isdigit() and typed[-1].isdigit() and self._beside_a_sign(hand_typed, match):
                continue
            figure, style = self._owner[_key(typed)]
            yield TypedFigure(match.start(), match.end(), typed, figure, style)

    @staticmethod
    def _beside_a_sign(text: str, match: re.Match) -> bool:
        before = text[match.start() - 1] if match.start() > 0 else ""
        after = text[match.end()] if match.end() < len(text) else ""
        return (before != "" and unicodedata.category(before) == "Sc") or (after != "" and after in _NUMBER_SIGNS)
