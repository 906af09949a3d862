"""The example brief, end to end: what a reader finds in dist/investor.pdf."""

from __future__ import annotations

import re
from pathlib import Path

import pikepdf
import pypdf
import pytest
import yaml

import datetime as dt

from babel.numbers import get_currency_symbol

from conftest import REPO, spec_locale, written_day
from pdfread import fonts_of, links_of, outline_titles, page_texts, squash, text_in, text_of

INVESTOR = REPO / "specs" / "investor.yaml"
USD = get_currency_symbol("USD", spec_locale(INVESTOR))  # "$" (en_US), "US$" (en_GB): the example's locale writes it

SEED_TAKEAWAYS = [
    f"Semiconductor reshoring: {USD}52B joint investment to put 30% of leading-edge chip capacity outside East Asia by 2028",
    f"Governance revolution: Record {USD}85B buybacks as TSE Prime companies adopt US-style capital efficiency",
    "Digital trade norms: US–Japan DTA sets de facto global rules bypassing stalled WTO negotiations",
]
INSTRUMENTS = ["SMH", "EWJ", "DXJ", "Tokyo Electron", "Advantest", "Mitsubishi Heavy", "IHI", "10-year Japanese government bond"]
SOURCES = [
    "US Dept. of Commerce, “Joint Semiconductor Investment Framework (JSIF) Fact Sheet,”",
    "Ministry of Defense Japan, “Japan National Security Strategy FY2026 Budget,”",
    "Tokyo Stock Exchange, “TSE Prime Market Capital Efficiency Report,”",
    "USTR, “US-Japan Digital Trade Agreement Expansion,”",
    "Elliott Management, “Japan Equity Strategy: Governance Premium,”",
]
NARRATIVE_HEADINGS = [
    "A strategic convergence with no modern precedent",
    "Defence spending creates industrial spillovers",
    "Digital trade frameworks bypass legacy multilateralism",
    "Corporate Japan adopts US governance reforms",
    "Investment implications: the Pacific premium",
]
SEED_FIGURES = ["78 bilateral agreements", "$52 billion", "2.0% of GDP", "$48 billion", "$40 billion", "100,000 engineering",
                "$85 billion", "14× forward earnings", "21× for the S&P 500", "USD/JPY 152", "9.4% year-to-date", "1.2%"]


@pytest.fixture(scope="module")
def text(example_pdf: Path) -> str:
    return squash(text_of(example_pdf))


def test_every_takeaway_is_in_the_brief(text):
    for takeaway in SEED_TAKEAWAYS:
        assert takeaway in text


def test_every_instrument_is_in_the_table(text):
    for instrument in INSTRUMENTS:
        assert instrument in text


def test_no_quote_the_sources_cannot_verify(text):
    # the seed's Raimondo quote is credited to a fact sheet dated after she left office: not shown
    assert "Raimondo" not in text and "Marshall Plan" not in text


def test_every_seed_source_is_listed_in_order(text):
    positions = [text.index(f"[{n}] {source}") for n, source in enumerate(SOURCES, start=1)]
    assert positions == sorted(positions)


def test_every_narrative_section_and_figure_from_the_seed(text):
    for heading in NARRATIVE_HEADINGS:
        assert heading in text
    for figure in SEED_FIGURES:
        assert figure in text


def test_opportunities_and_risks_boxes_keep_their_marks(text):
    assert "✓ Alignment opportunities" in text
    assert "✗ Strategic risks" in text
    assert f"✓ {USD}52B joint semiconductor investment reshoring chips" in text
    assert "✗ Yen weakness (USD/JPY 152, illustrative [10]) creates currency hedging costs" in text


def test_framework_charts_carry_their_numbers_and_provenance(text):
    for label in ("Semiconductors & advanced manufacturing", "35–40%", "Loans & credit facilities", "60–65%", "5–10%"):
        assert label in text
    assert f"Source: [8] Portfolio Prints. Accessed {written_day(INVESTOR, dt.date(2026, 2, 16))}." in text  # an undated source


def test_outline_lists_the_sections(example_pdf):
    titles = outline_titles(example_pdf)
    # the key figures stand in page 1's rail, read (and listed) after the masthead, before the takeaways beside them
    assert titles[:3] == ["The alliance in numbers", "Key takeaways", "A strategic convergence with no modern precedent"]
    for heading in NARRATIVE_HEADINGS + ["Opportunities and risks", "Sources", "Important information"]:
        assert heading in titles


def test_page_x_of_y_on_every_page(example_pdf):
    pages = page_texts(example_pdf)
    assert len(pages) >= 4
    for number, page in enumerate(pages, start=1):
        assert re.search(rf"Page {number} of\s*{len(pages)}\b", page), page[-200:]


def test_fonts_are_all_embedded_subsets(example_pdf):
    fonts = fonts_of(example_pdf)
    assert fonts, "no fonts found"
    for font in fonts:
        assert font.embedded, f"{font.name} is not embedded"
        assert re.match(r"/[A-Z]{6}\+", font.name), f"{font.name} is not a subset"
    names = {font.name.split("+")[1] for font in fonts}
    assert {"Lato-Regular", "Lato-Bold", "NotoSerif-Bold", "DejaVuSans"} <= names


def test_citations_link_to_their_source_entry(example_pdf):
    width = float(pypdf.PdfReader(str(example_pdf)).pages[0].mediabox.width)
    citations = exhibits = 0
    for link in links_of(example_pdf):
        if link.target_page is None:
            continue
        number = text_in(example_pdf, link.page, link.rect).strip()
        if number.startswith("See page "):  # the cover's link to the analyst certification (test_disclosures_mar)
            continue
        landing = text_in(example_pdf, link.target_page, (0, link.target_top - 16, width, link.target_top + 2))
        if number.startswith("Exhibit "):  # a cross-reference lands on its exhibit's title
            assert number.removeprefix("Exhibit ").isdigit(), f"link text {number!r} is not an exhibit number"
            assert landing.strip().startswith(f"{number}:"), f"{number} lands on {landing!r}"
            exhibits += 1
            continue
        assert number.isdigit(), f"link text {number!r} is neither a citation number nor an exhibit"
        assert landing.strip().startswith(f"[{number}]"), f"[{number}] lands on {landing!r}"
        citations += 1
    assert citations >= 15 and exhibits >= 1


def test_source_urls_are_clickable(example_pdf):
    uris = {link.uri for link in links_of(example_pdf) if link.uri}
    assert {"https://www.commerce.gov/", "https://www.mod.go.jp/en/", "https://ustr.gov/"} <= uris


def test_metadata(example_pdf):
    reader = pypdf.PdfReader(str(example_pdf))
    info = reader.metadata
    assert info.title == "US–Japan Strategic Alignment"
    assert info.author == "Meridian Pacific Research, Global Macro & Thematics"
    assert "US–Japan strategic alignment" in info.subject
    assert "semiconductors" in info["/Keywords"]
    assert reader.trailer["/Root"]["/Lang"] == yaml.safe_load(INVESTOR.read_text("utf-8"))["language"]
    assert info["/CreationDate"].startswith("D:20260216")


def test_pdf_structure_is_valid(example_pdf):
    with pikepdf.open(example_pdf) as pdf:
        assert pdf.check_pdf_syntax() == []


def test_charts_are_vector_with_selectable_text(example_pdf):
    reader = pypdf.PdfReader(str(example_pdf))
    for page in reader.pages:
        for xobject in (page["/Resources"].get("/XObject") or {}).values():
            assert xobject.get_object().get("/Subtype") != "/Image", "a raster image in the brief"
    text = squash(text_of(example_pdf))
    assert "Share of total (%)" in text and "Semiconductors & advanced manufacturing" in text
