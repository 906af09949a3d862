"""What a compliance officer looks for in a research brief (issue 27): its classification on the cover and
in the disclosures, the Market Abuse Regulation's items (methodology, horizon and updates, the views of the
past 12 months, the distribution of views), each jurisdiction's distribution legend, the copyright line,
"Capital at risk." beside the views, and "See page N" on the cover naming and linking the page that holds
the analyst certification. In all four layouts: both examples, A4 and Letter."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pikepdf
import pytest

from conftest import REPO, copy_project, written_day
from deckgen.build import build
from deckgen.legends import CAPITAL_AT_RISK, JURISDICTIONS, MARKETING_COMMUNICATION
from pdfread import element_texts, links_of, page_texts, squash
from conftest import edit_spec as _edit, problem_lines as _lines

INVESTOR, GRID = "specs/investor.yaml", "specs/grid-storage.yaml"
LAYOUTS = [(INVESTOR, "A4"), (INVESTOR, "Letter"), (GRID, "A4"), (GRID, "Letter")]
SEE_PAGE = re.compile(r"See page (\d+) for the analyst certification and important disclosures\.")


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict[tuple[str, str], Path]:
    root = copy_project(tmp_path_factory.mktemp("layouts"))
    return {(spec, size): build(root / spec, overrides=[f"page_size={size}"], allow_stale=True).output
            for spec, size in LAYOUTS}


def _pages(pdf: Path) -> list[str]:
    return [squash(page) for page in page_texts(pdf)]


def _line_of(project: Path, relative: str, text: str) -> int:
    return next(n for n, line in enumerate((project / relative).read_text("utf-8").splitlines(), 1) if text in line)


# -- classification ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("spec, size", LAYOUTS)
def test_the_classification_is_on_the_cover_and_in_the_disclosures(built, spec, size):
    pages = _pages(built[(spec, size)])
    cover, text = pages[0], re.sub(r"(\w)- (\w)", r"\1\2", " ".join(pages))  # a word hyphenated at a line end, joined
    masthead = cover[:cover.index("Strategic Alignment" if spec == INVESTOR else "European Grid Storage Monthly")]
    if spec == INVESTOR:
        assert "Investment research" in masthead and "Marketing communication" not in text
        assert "Disclosures Classification: investment research. This brief is investment research within the " \
               "meaning of Article 36(1) of Commission Delegated Regulation (EU) 2017/565" in text
        assert MARKETING_COMMUNICATION not in text
    else:  # not research (no instrument, no recommendation): a marketing communication, said in the small print
        assert "Marketing communication" in masthead
        assert f"Important information" in text
        small_print = text[text.rindex("Important information"):]
        assert f"Classification: marketing communication. {MARKETING_COMMUNICATION}" in small_print
        match = re.search(r"See page (\d+) for important disclosures\.", cover)  # no disclosures: the disclaimer's
        assert match and "Classification: marketing communication" in pages[int(match.group(1)) - 1]


def test_research_without_a_classification_is_refused_where_it_names_instruments(cli, project):
    _edit(project, INVESTOR, "classification: investment-research   # MiFID II: shown on the cover and in the disclosures\n", "")
    line = _line_of(project, INVESTOR, "      - title: Equities")
    expected = [
        f"{INVESTOR}:{line}:7: this brief names instruments (exposure in its implications) but has no "
        "classification; add classification: investment-research, or classification: marketing-communication (which "
        "prints the MiFID II statement that it is not investment research), at the top of the spec; or, if it is not "
        "research, set checks.disclosures: not-research"]
    for command in ("validate", "build"):
        run = cli(command, INVESTOR, cwd=project)
        assert run.code == 1, run.stderr
        assert _lines(run.stderr) == expected, command
    run = cli("validate", INVESTOR, "--set", "classification=research", cwd=project)
    assert run.code == 1
    assert "classification=research: Input should be 'investment-research' or 'marketing-communication'" in run.stderr


def test_a_brief_classified_as_research_needs_disclosures(cli, project):
    _edit(project, GRID, "classification: marketing-communication", "classification: investment-research")
    line = _line_of(project, GRID, "classification: investment-research")
    run = cli("validate", GRID, cwd=project)
    assert run.code == 1
    assert _lines(run.stderr) == [
        f"{GRID}:{line}:17: this brief is classified as investment research but has no disclosures section; add "
        "'- type: disclosures' (analysts, issuer, conflicts, restrictions) or, if it is not research, set "
        "checks.disclosures: not-research"]


# -- "See page N" -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("size", ["A4", "Letter"])
def test_see_page_n_names_and_links_the_page_of_the_analyst_certification(built, size):
    pdf = built[(INVESTOR, size)]
    pages = _pages(pdf)
    match = SEE_PAGE.search(pages[0])
    assert match, pages[0][:600]
    number = int(match.group(1))
    holding = [index + 1 for index, page in enumerate(pages) if "Analyst certification Alex Example and Sam" in page]
    assert holding == [number]
    # the link on the cover lands on that page, at the certification's heading (checked with pikepdf)
    with pikepdf.open(pdf) as document:
        page_of = {page.objgen: index for index, page in enumerate(document.pages)}
        targets = []
        for annotation in document.pages[0].get("/Annots", []):
            destination = annotation.get("/Dest")
            if annotation.get("/Contents") == "Go to the section Analyst certification, in the disclosures":
                targets.append((page_of[destination[0].objgen], float(destination[3])))
    assert len(targets) == 1
    target_page, target_top = targets[0]
    assert target_page == number - 1
    cover_link = next(link for link in links_of(pdf) if link.page == 0 and link.target_page == number - 1)
    from pdfread import text_in

    assert "See page" in text_in(pdf, 0, cover_link.rect)
    heading = text_in(pdf, number - 1, (0, target_top - 30, 600, target_top + 1))
    assert "Analyst certification" in heading, heading
    # tagged as a Link whose text is the sentence
    links = [text for role, text in element_texts(pdf, ("/Link",)) if "See page" in text]
    assert links == [f"See page {number} for the analyst certification and important disclosures."]


# -- MAR items ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("size", ["A4", "Letter"])
def test_the_mar_items_are_in_the_disclosures(built, size):
    text = " ".join(_pages(built[(INVESTOR, size)]))
    disclosures = text[text.index("Disclosures Classification"):]
    assert "Valuation and methodology Each view weighs how directly an instrument is exposed to its theme" in disclosures
    assert "Time horizon and updates The views in this brief have a time horizon of 12 months. They are updated " \
           "monthly, with each edition of this brief, and whenever a view changes." in disclosures
    history = disclosures[disclosures.index("Views in the past 12 months"):disclosures.index("Distribution of views")]
    assert "Date Instrument View Price at the time Currency" in history
    day = {when: written_day(REPO / INVESTOR, when) for when in (dt.date(2026, 1, 19), dt.date(2025, 12, 15),
                                                                 dt.date(2025, 3, 17), dt.date(2026, 2, 16))}
    for row in (f"{day[dt.date(2026, 1, 19)]} WisdomTree Japan Hedged Equity Fund Positive 105.00 USD",
                f"{day[dt.date(2025, 12, 15)]} IHI Positive 9,000 JPY",
                f"{day[dt.date(2025, 3, 17)]} Tokyo Electron Positive 25,000 JPY"):
        assert row in history, row
    assert history.index(day[dt.date(2026, 1, 19)]) < history.index(day[dt.date(2025, 3, 17)]), "newest first"
    assert "Source: [12] Illustrative views (not a record of real recommendations). As of " \
        f"{day[dt.date(2026, 2, 16)]}." in history
    distribution = disclosures[disclosures.index("Distribution of views"):disclosures.index("Prices Instrument")]
    assert "View Instruments covered Share of coverage Of which investment-banking clients " \
           "Positive 7 88% 0% Neutral 1 12% 0% Negative 0 0% –" in distribution


def test_the_history_keeps_the_12_months_to_the_brief_and_the_distribution_counts_banking_clients(project):
    _edit(project, "data/us-japan/view-history.csv", "2025-03-17,VanEck Semiconductor ETF",
          "2025-02-16,VanEck Semiconductor ETF")  # 12 months and a day before the brief: left out
    _edit(project, "data/us-japan/coverage.csv", "Advantest,Positive,no", "Advantest,Positive,yes")
    _edit(project, "data/us-japan/coverage.csv", "IHI,Positive,no", "IHI,Negative,Yes")
    text = " ".join(_pages(build(project / INVESTOR, allow_stale=True).output))
    history = text[text.index("Views in the past 12 months"):text.index("Distribution of views")]
    assert "VanEck Semiconductor ETF" not in history
    assert f"{written_day(REPO / INVESTOR, dt.date(2025, 3, 17))} Tokyo Electron" in history
    assert "Positive 6 75% 17% Neutral 1 12% 0% Negative 1 12% 100%" in text


def test_missing_mar_items_are_warnings_at_the_disclosures(cli, project):
    for key in ("    methodology:\n", "    horizon: 12 months\n", "    updates: Monthly, with each edition of this brief, "
                "and whenever a view changes\n"):
        _edit(project, INVESTOR, key, "")
    _edit(project, INVESTOR, "      text: Each view weighs how directly an instrument is exposed to its theme (the share of revenue or\n"
          "        holdings tied to it, as the issuer reports it) against its valuation on forward price/earnings relative\n"
          "        to its own history and to its market (illustrative statement).\n", "")
    _edit(project, INVESTOR, "    history: {table: view_history, date: date, instrument: instrument, view: view, price: price, "
          "currency: currency}\n", "")
    _edit(project, INVESTOR, "    coverage: {table: coverage, view: view, banking: banking, scale: [Positive, Neutral, Negative]}\n", "")
    line = _line_of(project, INVESTOR, "  - type: disclosures")
    where = f"{INVESTOR}:{line}:11: warning: the disclosures of this research brief do not"
    regulation = "Delegated Regulation (EU) 2016/958"
    expected = [
        f"{where} say where the valuation or methodology basis of the views is described ({regulation}, Article 4(1)); "
        "add methodology: {text: ..., url: ..., section: ...} (the basis in words, where it is published, or the id "
        "of the section that describes it)",
        f"{where} give the time horizon of the views ({regulation}, Article 4(1)); add horizon: (e.g. 12 months)",
        f"{where} say how often the views are updated ({regulation}, Article 4(1)); add updates: (e.g. monthly, and "
        "whenever a view changes)",
        f"{where} list the views of the past 12 months ({regulation}, Article 4(1)); add history: {{table: ..., date: "
        "..., instrument: ..., view: ..., price: ...} naming a table with a row per view and the price at the time",
        f"{where} show the distribution of views across the desk's coverage ({regulation}, Article 6(3)); add "
        "coverage: {table: ..., view: ..., banking: ...} naming a table with a row per instrument covered, its view "
        "and whether the firm provided it investment-banking services"]
    run = cli("validate", INVESTOR, cwd=project)
    assert run.code == 0, run.stderr
    assert sorted(line for line in _lines(run.stderr) if "do not" in line) == sorted(expected)
    assert cli("validate", INVESTOR, "--strict", cwd=project).code == 1


def test_a_methodology_naming_no_section_is_a_located_error(cli, project):
    _edit(project, INVESTOR, "    methodology:\n      text: Each view", "    methodology:\n      section: implicatons\n      text: Each view")
    _edit(project, INVESTOR, "  - type: implications\n", "  - type: implications\n    id: implications\n")
    line = _line_of(project, INVESTOR, "      section: implicatons")
    expected = [f"{INVESTOR}:{line}:16: methodology: section: 'implicatons' names no section of this brief; did you "
                "mean 'implications'?"]
    for command in ("validate", "build"):
        run = cli(command, INVESTOR, cwd=project)
        assert run.code == 1
        assert _lines(run.stderr) == expected, command
    _edit(project, INVESTOR, "section: implicatons", "section: implications")
    assert cli("validate", INVESTOR, "--strict", cwd=project).code == 0
    text = " ".join(_pages(build(project / INVESTOR, allow_stale=True).output))
    assert "(illustrative statement). See the section “Investment implications: the Pacific premium” of this brief." in text


def test_an_unknown_methodology_key_and_a_banking_cell_that_is_not_yes_or_no_are_located_errors(cli, project):
    _edit(project, INVESTOR, "    methodology:\n      text: Each view", "    methodology:\n      txt: Each view")
    line = _line_of(project, INVESTOR, "      txt: Each view")
    run = cli("validate", INVESTOR, cwd=project)
    assert run.code == 1
    assert f"{INVESTOR}:{line}:7: unknown key 'txt'; did you mean 'text'?" in _lines(run.stderr)
    _edit(project, INVESTOR, "      txt: Each view", "      text: Each view")
    _edit(project, "data/us-japan/coverage.csv", "IHI,Positive,no", "IHI,Positive,maybe")
    line = _line_of(project, INVESTOR, "    coverage: {table: coverage")
    expected = [f"{INVESTOR}:{line}:54: column 'banking' of table 'coverage' says 'maybe' (line 8), not whether "
                "investment-banking services were provided; write yes or no in each row"]
    for command in ("validate", "build"):
        run = cli(command, INVESTOR, cwd=project)
        assert run.code == 1
        assert _lines(run.stderr) == expected, command


def test_a_history_with_no_view_in_the_past_12_months_is_a_warning_and_says_so(cli, project):
    path = project / "data/us-japan/view-history.csv"
    path.write_text(re.sub(r"^202[56]-\d\d-\d\d", "2024-01-15", path.read_text("utf-8"), flags=re.M), "utf-8")
    line = _line_of(project, INVESTOR, "    history: {table: view_history")
    run = cli("validate", INVESTOR, cwd=project)
    assert run.code == 0
    assert _lines(run.stderr) == [
        f"{INVESTOR}:{line}:22: warning: table 'view_history' has no view dated in the 12 months to the brief's date "
        "(2026-02-16), so the brief lists none; give each view of the past 12 months a row, dated after 2025-02-16"]
    assert cli("validate", INVESTOR, "--strict", cwd=project).code == 1
    text = " ".join(_pages(build(project / INVESTOR, allow_stale=True).output))
    assert "Views in the past 12 months No view was published in the 12 months to " \
        f"{written_day(REPO / INVESTOR, dt.date(2026, 2, 16))}." in text


# -- distribution legends, copyright, capital at risk ---------------------------------------------------------


@pytest.mark.parametrize("size", ["A4", "Letter"])
def test_each_jurisdiction_prints_its_legend_and_the_copyright_line(built, size):
    pages = _pages(built[(INVESTOR, size)])
    text = re.sub(r"(\w)- (\w)", r"\1\2", " ".join(pages))  # a word hyphenated at a line end, joined
    for code, (name, legend) in JURISDICTIONS.items():
        assert f"{name}. {legend}" in text, code
    assert "Copyright © 2026 Meridian Pacific Research. All rights reserved. No part of this brief may be reproduced, " \
           "redistributed or passed on, in whole or in part, without the prior written permission of the issuer." in text
    for number, page in enumerate(pages, 1):
        assert "© 2026 Meridian Pacific Research. No reproduction without permission." in page, number


def test_the_legends_say_what_each_jurisdiction_allows():
    legends = {code: legend for code, (_, legend) in JURISDICTIONS.items()}
    assert "professional clients and eligible counterparties" in legends["UK"] and "FCA" in legends["UK"]
    assert "MiFID II" in legends["EEA"] and "professional clients" in legends["EEA"]
    assert "major US institutional investors" in legends["US-institutional"] and "Rule 15a-6" in legends["US-institutional"]
    assert "professional investors" in legends["HK"] and "Securities and Futures Ordinance" in legends["HK"]
    assert "accredited investors and institutional investors" in legends["SG"]
    assert "wholesale clients" in legends["AU"] and "Corporations Act 2001" in legends["AU"]
    assert "qualified institutional investors" in legends["JP"]


def test_an_unknown_jurisdiction_is_a_located_error_with_a_suggestion(cli, project):
    _edit(project, INVESTOR, "distribution: [UK, EEA, US-institutional,", "distribution: [UK, EEA, US-institutionl,")
    line = _line_of(project, INVESTOR, "    distribution: [UK,")
    index = re.findall(r"^  - type: (\w+)", project.joinpath(INVESTOR).read_text("utf-8"), flags=re.M).index("disclosures")
    where = f"{INVESTOR}:{line}:29: sections.{index}.distribution.2:"
    expected = [f"{where} unknown distribution jurisdiction 'US-institutionl'; did you mean 'US-institutional'?"]
    for command in ("validate", "build"):
        run = cli(command, INVESTOR, cwd=project)
        assert run.code == 1
        assert _lines(run.stderr) == expected, command
    _edit(project, INVESTOR, "US-institutionl", "ZZ")
    assert _lines(cli("validate", INVESTOR, cwd=project).stderr) == [
        f"{where} unknown distribution jurisdiction 'ZZ'; known jurisdictions: UK, EEA, "
        "US-institutional, HK, SG, AU, JP"]
    _edit(project, INVESTOR, "ZZ, HK", "UK, HK")
    assert _lines(cli("validate", INVESTOR, cwd=project).stderr) == [
        f"{INVESTOR}:{line}:19: sections.{index}.distribution: distribution names UK more than once; name each jurisdiction once"]


def _set_as(pdf: Path, phrase: str) -> list[tuple[int, float, tuple[int, int, int]]]:
    """Where ``phrase`` is printed (page, 0-based) with the size and fill colour of its first glyph, each time."""
    import ctypes

    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    found = []
    document = pdfium.PdfDocument(str(pdf))
    try:
        for number, page in enumerate(document):
            textpage = page.get_textpage()
            text = textpage.get_text_range()
            at = text.find(phrase)
            while at >= 0:
                red, green, blue, alpha = (ctypes.c_uint() for _ in range(4))
                raw.FPDFText_GetFillColor(textpage.raw, at, red, green, blue, alpha)
                size = round(raw.FPDFText_GetFontSize(textpage.raw, at), 1)
                found.append((number, size, (red.value, green.value, blue.value)))
                at = text.find(phrase, at + 1)
    finally:
        document.close()
    return found


@pytest.mark.parametrize("size", ["A4", "Letter"])
def test_capital_at_risk_stands_beside_every_view_on_an_instrument(built, size):
    pages = _pages(built[(INVESTOR, size)])
    text = " ".join(pages)
    warning = squash(CAPITAL_AT_RISK)
    assert text.count(warning) == 2, "once for the implications and the instrument table after them, once in the views"
    for heading in ("Risks to the view.", "(illustrative statement). Capital"):
        before = text.index(heading)
        assert text.index(warning, before) - before < 1200, heading
    table = text.index("Instruments named in this brief as exposure")
    assert text.rindex(warning, 0, table) > text.index("Risks to the view."), "the table's views follow the warning"
    grid = " ".join(_pages(built[(GRID, size)]))
    assert "Capital at risk" not in grid, "no view on an instrument there"


@pytest.mark.parametrize("size", ["A4", "Letter"])
def test_capital_at_risk_is_set_as_the_disclosures_text_and_at_most_once_a_page(built, size):
    pdf = built[(INVESTOR, size)]
    warnings = _set_as(pdf, "The value of investments and the income from them can fall")
    disclosure_text = _set_as(pdf, "The issuer and the analysts hold no positions")
    assert len(warnings) == 2 and len(disclosure_text) == 1
    pages = [page for page, _, _ in warnings]
    assert len(set(pages)) == len(pages), f"printed twice on a page: {pages}"
    assert {(size_, colour) for _, size_, colour in warnings} == {disclosure_text[0][1:]}, (warnings, disclosure_text)


# -- conformance ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("spec", [INVESTOR, GRID])
def test_the_examples_still_pass_page_validation(built, spec):
    import page

    for profile in ("2b", "ua1"):
        report = page.validate_pdf(str(built[(spec, "A4")]), profile=profile)
        assert report.rules.failed == 0, (profile, [failure.rule_id for failure in report.failures])
