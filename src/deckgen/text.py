"""Templates in prose: figure references ``{{ name }}``, citations ``[1]`` / ``[@id]``, light markup.

Nothing here imports reportlab: validation uses the same parser as rendering.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Callable, Iterator
from html import escape as _html_escape

FIGURE_STYLES = ("compact", "long", "precise")
NO_BREAK = "\u00a0"
TEMPLATE = re.compile(r"\{\{\s*(?P<name>[A-Za-z_][\w.\-]*)\s*(?:\|\s*(?P<style>\w+)\s*)?\}\}")
EXHIBIT = re.compile(r"\{\{\s*exhibit\s*:\s*(?P<exhibit>[\w.\-]+)\s*\}\}")  # {{ exhibit: scatter }}: "Exhibit 5", linked
CITATION = re.compile(r"\[(?:(?P<nums>\d+(?:\s*,\s*\d+)*)|(?P<ids>@[\w.\-]+(?:\s*[;,]\s*@[\w.\-]+)*))\]")
_TOKEN = re.compile(f"{EXHIBIT.pattern}|{TEMPLATE.pattern}|{CITATION.pattern}")
_BOLD = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*")
_ITALIC = re.compile(r"(?<![\w*])\*(?=\S)(.+?)(?<=\S)\*(?![\w*])")
_STRAY_BRACES = re.compile(r"\{\{|\}\}")


@dataclass(frozen=True)
class Reference:
    kind: str  # "figure" | "exhibit" | "citation" | "stray"
    name: str  # figure name, exhibit (section) id, source id, or a 1-based source number as text
    style: str | None
    token: str  # the text as written, to locate it in the file


def template_token(text: str) -> str | None:
    """The first template text in ``text`` as a message quotes it ('{{ usdjpy }}', or a lone '{{' or
    '}}'); None when there is none."""
    if "{{" not in text and "}}" not in text:
        return None
    whole = _WHOLE_TOKEN.search(text)
    return whole.group(0) if whole else _STRAY_BRACES.search(text).group(0)  # type: ignore[union-attr]


_WHOLE_TOKEN = re.compile(r"\{\{[^{}]*\}\}")


def escape(text: str) -> str:
    """&, < and > as entities (html.escape: xml.sax.saxutils would import urllib, and with it ssl)."""
    return _html_escape(text, quote=False)


def escape_attribute(text: str) -> str:
    """``text`` for a double-quoted attribute of reportlab markup: &, <, > and " as entities."""
    return _html_escape(text, quote=False).replace('"', "&quot;")


KEPT_TEXT_LENGTH = 4000  # what a process keeps per text is for texts up to this long (a long-lived preview sees many)


def kept_per_text(read: Callable[[str], Any]) -> Callable[[str], Any]:
    """``read`` (a function of a text alone, returning an immutable value) remembered for the last
    2,048 texts up to KEPT_TEXT_LENGTH characters: a check reads each text several times, and each
    variant of a burst reads them again."""
    kept = lru_cache(maxsize=2048)(read)

    def reading(text: str):
        return kept(text) if len(text) <= KEPT_TEXT_LENGTH else read(text)

    reading.cache_info = kept.cache_info  # type: ignore[attr-defined]
    return reading


def references(text: str) -> Iterator[Reference]:
    """Every figure reference, exhibit reference and citation in ``text``, in order."""
    return iter(_references(text))


@kept_per_text
def _references(text: str) -> tuple[Reference, ...]:
    return tuple(_found_references(text))


def _found_references(text: str) -> Iterator[Reference]:
    for match in _TOKEN.finditer(text):
        if match.group("exhibit"):
            yield Reference("exhibit", match.group("exhibit"), None, match.group(0))
        elif match.group("name"):
            yield Reference("figure", match.group("name"), match.group("style"), match.group(0))
        elif match.group("nums"):
            for number in re.split(r"\s*,\s*", match.group("nums")):
                yield Reference("citation", number, None, match.group(0))
        else:
            for ident in re.split(r"\s*[;,]\s*", match.group("ids")):
                yield Reference("citation", ident.lstrip("@"), None, match.group(0))
    leftover = _TOKEN.sub("", text)
    for match in _STRAY_BRACES.finditer(leftover):
        yield Reference("stray", match.group(0), None, match.group(0))


def blank_references(text: str, filler: str = "\ufffc") -> str:
    """``text`` with every figure reference and citation overwritten by ``filler``, character for
    character, so what remains is the text typed by hand, at its own positions."""
    return _TOKEN.sub(lambda match: filler * len(match.group(0)), text)


def _no_exhibits(name: str) -> str:
    raise ValueError(f"an exhibit reference ({name!r}) in text formatted without the brief's exhibit numbers")


def plain(text: str, figure: Callable[[str, str | None], str], cite: Callable[[str], int],
          exhibit: Callable[[str], str] = _no_exhibits) -> str:
    """The text as a reader sees it, without markup (for alt text, email bodies, manifests);
    ``exhibit`` names an exhibit as the text refers to it ("Exhibit 5")."""

    def substitute(match: re.Match) -> str:
        if match.group("exhibit"):
            return exhibit(match.group("exhibit"))
        if match.group("name"):
            return figure(match.group("name"), match.group("style"))
        return "[" + ", ".join(str(cite(r.name)) for r in references(match.group(0))) + "]"

    return _ITALIC.sub(r"\1", _BOLD.sub(r"\1", _TOKEN.sub(substitute, text)))


def to_markup(
    text: str,
    figure: Callable[[str, str | None], str],
    cite_link: Callable[[list[str]], str],
    glyphs: Callable[[str], str] = lambda s: s,
    exhibit_link: Callable[[str], str] = _no_exhibits,
) -> str:
    """reportlab paragraph markup: literal text escaped, figures formatted, citations and exhibit
    references linked (``exhibit_link``: an exhibit's id -> the markup of its linked name).

    ``glyphs`` receives escaped text only (never tags) so it may wrap characters in font tags.
    """
    pieces: list[str] = []
    position = 0
    for match in _TOKEN.finditer(text):
        literal = text[position : match.start()]
        if match.group("exhibit"):
            pieces.append(glyphs(escape(literal)))
            pieces.append(exhibit_link(match.group("exhibit")))
        elif match.group("name"):
            pieces.append(glyphs(escape(literal)))
            value = figure(match.group("name"), match.group("style"))
            pieces.append(glyphs(escape(value.replace(" ", NO_BREAK))))  # "$48 billion" stays on one line
        else:
            if literal.endswith(" "):  # a citation never starts a line on its own
                literal = literal[:-1] + NO_BREAK
            pieces.append(glyphs(escape(literal)))
            pieces.append(cite_link([r.name for r in references(match.group(0))]))
        position = match.end()
    pieces.append(glyphs(escape(text[position:])))
    markup = "".join(pieces)
    markup = _BOLD.sub(r"<b>\1</b>", markup)
    # italics are matched between bold tags, never across them, so tags always nest properly
    pieces = re.split(r"(</?b>)", markup)
    return "".join(piece if piece in ("<b>", "</b>") else _ITALIC.sub(r"<i>\1</i>", piece) for piece in pieces)


def paragraphs(body: str) -> list[str]:
    """Blank lines separate paragraphs; single newlines inside a paragraph are spaces."""
    return [" ".join(block.split()) for block in re.split(r"\n\s*\n", body.strip()) if block.strip()]
