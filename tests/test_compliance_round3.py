"""The compliance review's third round (issue 27): a marketing communication's full MiFID II statement on
its cover at body size, and one text style for all regulatory wording (disclaimer, legends, disclosures);
the issuer's legal entity, address and regulator in every classified brief for the UK or the EEA. In all
four layouts where they apply: both examples, A4 and Letter."""

from __future__ import annotations

import ctypes
import re
from pathlib import Path

import pytest

from conftest import copy_project
from deckgen.build import build
from deckgen.legends import JURISDICTIONS, MARKETING_COMMUNICATION
from pdfread import page_texts, squash

INVESTOR, GRID = "specs/investor.yaml", "specs/grid-storage.yaml"
LAYOUTS = [(INVESTOR, "A4"), (INVESTOR, "Letter"), (GRID, "A4"), (GRID, "Letter")]


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict[tuple[str, str], Path]:
    root = copy_project(tmp_path_factory.mktemp("layouts"))
    return {(spec, size): build(root / spec, overrides=[f"page_size={size}", f"output=../dist/{Path(spec).stem}-{size}.pdf"],
                                allow_stale=True).output
            for spec, size in LAYOUTS}  # each layout its own file: a later build would overwrite an earlier one


def _text(pdf: Path) -> str:
    return re.sub(r"(\w)- (\w)", r"\1\2", " ".join(squash(page) for page in page_texts(pdf)))


def styles_of(pdf: Path, page: int, phrase: str) -> set[tuple[float, tuple[int, int, int]]]:
    """The (font size, fill colour) of every letter of ``phrase`` as printed on ``page`` (0-based), read
    from the content stream by pdfium; line breaks and hyphens at line ends are ignored. Fails when the
    phrase is not on the page."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    document = pdfium.PdfDocument(str(pdf))
    try:
        textpage = document[page].get_textpage()
        text = textpage.get_text_range()
        letters = [(index, char) for index, char in enumerate(text) if not char.isspace() and char != "\ufffe"]
        flat = "".join(char for _, char in letters)
        wanted = "".join(phrase.split())
        start = flat.find(wanted)
        assert start >= 0, f"{phrase!r} is not on page {page + 1}"
        found = set()
        for index, _ in letters[start:start + len(wanted)]:
            size = raw.FPDFText_GetFontSize(textpage.raw, index)
            red, green, blue, alpha = (ctypes.c_uint() for _ in range(4))
            raw.FPDFText_GetFillColor(textpage.raw, index, *(ctypes.byref(part) for part in (red, green, blue, alpha)))
            found.add((round(size, 2), (red.value, green.value, blue.value)))
        return found
    finally:
        document.close()


def page_of(pdf: Path, phrase: str) -> int:
    """The page (0-based) that prints ``phrase`` whole."""
    wanted = "".join(phrase.split())
    return next(index for index, page in enumerate(page_texts(pdf)) if wanted in "".join(squash(page).split()))


def style_of_phrase(pdf: Path, phrase: str) -> set:
    return styles_of(pdf, page_of(pdf, phrase), phrase)


# -- 1. a marketing communication says so in full on its cover; one disclosure text style ----------------------


@pytest.mark.parametrize("size", ["A4", "Letter"])
def test_a_marketing_communication_carries_the_full_mifid_statement_on_its_cover_at_body_size(built, size):
    pdf = built[(GRID, size)]
    cover = squash(page_texts(pdf)[0])
    classification, statement = cover.find("Marketing communication"), cover.find(MARKETING_COMMUNICATION)
    assert 0 <= classification < statement, "the full statement follows the cover's classification line"
    body = styles_of(pdf, 0, "Installed grid storage across the six markets")  # the cover's running text
    assert len(body) == 1
    assert styles_of(pdf, 0, MARKETING_COMMUNICATION) == body, "the statement at the body's size and colour"


@pytest.mark.parametrize("size", ["A4", "Letter"])
def test_research_carries_no_marketing_statement_on_its_cover(built, size):
    assert MARKETING_COMMUNICATION not in squash(page_texts(built[(INVESTOR, size)])[0])


@pytest.mark.parametrize("size", ["A4", "Letter"])
def test_the_disclaimer_and_the_legends_share_one_text_style(built, size):
    pdf = built[(GRID, size)]
    legend = style_of_phrase(pdf, "In the United Kingdom this brief is directed only at professional clients")
    assert len(legend) == 1
    assert style_of_phrase(pdf, "In the European Economic Area this brief is directed only") == legend
    assert style_of_phrase(pdf, "This is an example brief made with deckgen.") == legend
    assert style_of_phrase(pdf, "Classification: marketing communication. This is a marketing communication.") == legend


@pytest.mark.parametrize("size", ["A4", "Letter"])
def test_the_research_disclosures_set_legends_as_their_text(built, size):
    pdf = built[(INVESTOR, size)]
    legend = style_of_phrase(pdf, "In Japan this brief is provided only to qualified institutional investors")
    assert len(legend) == 1
    assert style_of_phrase(pdf, "certify that the views expressed in this brief") == legend
    assert style_of_phrase(pdf, "This brief is for information only and is not investment advice") == legend
