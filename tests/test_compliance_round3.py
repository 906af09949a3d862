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
from conftest import edit_spec as _edit

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
    assert style_of_phrase(pdf, "This is an illustrative brief.") == legend
    assert style_of_phrase(pdf, "Classification: marketing communication. This is a marketing communication.") == legend


@pytest.mark.parametrize("size", ["A4", "Letter"])
def test_the_research_disclosures_set_legends_as_their_text(built, size):
    pdf = built[(INVESTOR, size)]
    legend = style_of_phrase(pdf, "In Japan this brief is provided only to qualified institutional investors")
    assert len(legend) == 1
    assert style_of_phrase(pdf, "certify that the views expressed in this brief") == legend
    assert style_of_phrase(pdf, "This brief is for information only and is not investment advice") == legend


# -- 2. one abbreviation: the legends write "US", as the body does ----------------------------------------------


def test_no_legend_writes_u_s_with_stops():
    for code, (name, legend) in JURISDICTIONS.items():
        assert "U.S." not in legend and "U.S." not in name, code
    assert "major US institutional investors" in JURISDICTIONS["US-institutional"][1]


@pytest.mark.parametrize("size", ["A4", "Letter"])
def test_the_investor_brief_writes_us_one_way(built, size):
    text = _text(built[(INVESTOR, size)])
    sources = text.rindex("Sources [1] ")
    # only a source's own title (quoted as published) may keep the stops
    assert "U.S." not in text[:sources] and "U.S." not in text[text.index("Disclosures Classification"):]


# -- 4. the issuer's legal entity, registered address and regulator ------------------------------------------


@pytest.mark.parametrize("spec, size", LAYOUTS)
def test_each_example_states_its_issuers_legal_entity_address_and_regulator(built, spec, size):
    firm = {INVESTOR: "Meridian Pacific Research", GRID: "Harbor Lane Capital"}[spec]
    assert f"Issued by {firm} LLP, 1 Example Street, London. Authorised and regulated by the Financial Conduct " \
           "Authority (illustrative; a fictional firm with no FCA authorisation)." in _text(built[(spec, size)])


def _where(project: Path, relative: str, text: str) -> tuple[int, int]:
    """(line, column) of ``text`` in a spec, both from 1."""
    lines = (project / relative).read_text("utf-8").splitlines()
    number = next(n for n, line in enumerate(lines, 1) if text in line)
    return number, lines[number - 1].index(text) + 1


def _problems(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if "spec(s) checked" not in line and "nothing was written" not in line]


HINT_EXAMPLE = ("{legal_form: LLP, address: '1 Example Street, London', regulator: the Financial Conduct Authority, "
                "authorised: true}")


def test_a_marketing_communication_for_the_uk_without_an_issuer_is_refused_at_its_distribution(cli, project):
    spec = (project / GRID).read_text("utf-8")
    start = spec.index("    issuer:                   # required")
    end = spec.index("      authorised: true\n", start) + len("      authorised: true\n")
    (project / GRID).write_text(spec[:start] + spec[end:], "utf-8")
    line, column = _where(project, GRID, "distribution: [UK, EEA]")
    for command in ("validate", "build"):
        run = cli(command, GRID, cwd=project)
        assert run.code == 1, command
        assert _problems(run.stderr) == [
            f"{GRID}:{line}:{column}: this brief (marketing communication) is distributed in the UK and the EEA but "
            f"does not say who issues it; give the disclaimer an issuer: {HINT_EXAMPLE} (the legal entity, its "
            "registered address and its regulator)"], command


def test_research_for_the_uk_whose_issuer_gives_no_legal_entity_or_address_is_refused(cli, project):
    _edit(project, INVESTOR, "      legal_form: LLP\n", "")
    _edit(project, INVESTOR, "      address: 1 Example Street, London\n", "")
    _edit(project, INVESTOR, "distribution: [UK, EEA, US-institutional, HK, SG, AU, JP]", "distribution: [HK, SG, EEA]")
    line, column = _where(project, INVESTOR, "distribution: [HK, SG, EEA]")
    run = cli("validate", INVESTOR, cwd=project)
    assert run.code == 1
    assert _problems(run.stderr) == [
        f"{INVESTOR}:{line}:{column}: this brief (investment research) is distributed in the EEA but its issuer does "
        "not give the legal entity (name: or legal_form:) or the registered address (address:); add them to the "
        f"issuer: of the disclosures, e.g. {HINT_EXAMPLE}"]


def test_a_brief_for_neither_the_uk_nor_the_eea_needs_no_issuer_status(cli, project):
    _edit(project, INVESTOR, "      legal_form: LLP\n", "")
    _edit(project, INVESTOR, "      address: 1 Example Street, London\n", "")
    _edit(project, INVESTOR, "distribution: [UK, EEA, US-institutional, HK, SG, AU, JP]", "distribution: [HK, SG]")
    run = cli("validate", INVESTOR, cwd=project)
    assert run.code == 0, run.stderr
    text = _text(build(project / INVESTOR, allow_stale=True).output)
    assert "Issued by Meridian Pacific Research. Authorised and regulated by the Financial Conduct Authority" in text


def test_an_issuer_in_the_disclaimer_of_a_brief_with_disclosures_is_refused(cli, project):
    _edit(project, INVESTOR, "  - type: disclaimer\n",
          "  - type: disclaimer\n    issuer: {regulator: the Financial Conduct Authority}\n")
    line, column = _where(project, INVESTOR, "    issuer: {regulator: the Financial Conduct Authority}")
    run = cli("validate", INVESTOR, cwd=project)
    assert run.code == 1
    assert _problems(run.stderr) == [
        f"{INVESTOR}:{line}:{column + 4}: the disclaimer's issuer: repeats what the disclosures print; a brief with "
        "disclosures states its issuer there; move issuer: to the disclosures section"]


def test_a_disclaimer_issuer_not_the_brands_firm_is_refused(cli, project):
    _edit(project, GRID, "      legal_form: LLP\n", "      name: Other Firm LLP\n")
    line, column = _where(project, GRID, "name: Other Firm LLP")
    run = cli("validate", GRID, cwd=project)
    assert run.code == 1
    assert len(_problems(run.stderr)) == 1
    assert _problems(run.stderr)[0].startswith(
        f"{GRID}:{line}:{column + 6}: the disclaimer says the brief is issued by 'Other Firm LLP' but it is built with "
        "the brand 'Harbor Lane Capital'")
