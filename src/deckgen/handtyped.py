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
no-break and thin spaces are alike, and so are a hyphen and an en dash between the ends of a range, and a
hyphen-minus and the minus sign a negative figure is printed with ("-3.4%" typed is "−3.4%" printed).
Text inside ``{{ … }}`` and citations is not looked at. A number written with its unit spelt
differently ("34 GW" for "34.0 GW") is not matched: only the printed forms are evidence enough.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Iterable, Iterator

from .text import blank_references, kept_per_text

_NORMAL = str.maketrans({"\u00a0": " ", "\u202f": " ", "\u2009": " ", "-": "\u2013", "\u2212": "\u2013"})
_DASHES = "\u2013"  # after _NORMAL, a hyphen and a minus sign (figures print U+2212) are an en dash
_NUMBER_RUN = re.compile(r"\d+(?:[.,]\d+)*")
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


def _normal(text: str) -> str:
    """``text`` with every kind of space one space and hyphens en dashes, character for character."""
    return text.translate(_NORMAL)


@kept_per_text
def _number_runs(text: str) -> tuple[str, tuple[tuple[int, str], ...]]:
    """``text`` as ``find`` reads it (references blanked, spaces and dashes made one) and where each
    run of digits in it starts."""
    normal = _normal(blank_references(text))
    return normal, tuple((run.start(), run.group()) for run in _NUMBER_RUN.finditer(normal))


def _word(char: str) -> bool:
    return char.isalnum() or char == "_"


class PrintedForms:
    """Every distinctive printed form of every figure, indexed by its first run of digits: a text is
    read once for runs of digits, and only the few forms that start with a run found are compared."""

    def __init__(self, forms: Iterable[tuple[str, str, str]]):
        """``forms``: (figure, style, printed form), the figure's own style first; the first figure
        to print a form is the one named when it is found typed."""
        owners: dict[str, tuple[str, str]] = {}
        for figure, style, printed in forms:
            if is_distinctive(printed) and _NUMBER_RUN.search(printed):
                owners.setdefault(_normal(printed), (figure, style))
        # (digits of the first run) -> [(length of what precedes them, the form, its owner)], longest first
        self._by_run: dict[str, list[tuple[int, str, tuple[str, str]]]] = {}
        for form, owner in sorted(owners.items(), key=lambda item: -len(item[0])):
            run = _NUMBER_RUN.search(form)
            self._by_run.setdefault(run.group(), []).append((run.start(), form, owner))  # type: ignore[union-attr]
        self._count = len(owners)

    def __len__(self) -> int:
        return self._count

    def find(self, text: str) -> Iterator[TypedFigure]:
        """Each printed form typed in ``text``, outside figure references and citations."""
        if not self._by_run:
            return
        normal, runs = _number_runs(text)
        taken = 0
        for run_start, digits in runs:
            if run_start < taken:
                continue
            for head, form, (figure, style) in self._by_run.get(digits, ()):
                start = run_start - head
                end = start + len(form)
                if start >= taken and normal.startswith(form, start) and self._whole(normal, start, end):
                    yield TypedFigure(start, end, text[start:end], figure, style)
                    taken = end
                    break

    @staticmethod
    def _whole(text: str, start: int, end: int) -> bool:
        """Whether text[start:end] stands alone: not part of a word, a longer number or a range."""
        before = text[start - 1] if start > 0 else " "
        after = text[end] if end < len(text) else " "
        after_next = text[end + 1] if end + 1 < len(text) else " "
        if _word(before) or before in _DASHES or (before in ".," and start > 1 and text[start - 2].isdigit()):
            return False
        if _word(after) or (after in ".," + _DASHES and after_next.isdigit()):
            return False
        if text[start].isdigit() and text[end - 1].isdigit():  # a bare number: not beside a unit's sign
            return unicodedata.category(before) != "Sc" and after not in _NUMBER_SIGNS
        return True
