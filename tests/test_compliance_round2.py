"""The compliance review's second round (issue 27): each instrument's current view beside it in the
instrument table; the time the brief's production was completed and whether the issuers saw it first
(Delegated Regulation (EU) 2016/958); the cover's "See page N" and the distribution legends in a
marketing communication; and a sources list in a research house's voice. In all four layouts where
they apply: both examples, A4 and Letter."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from pathlib import Path

import pikepdf
import pytest

from conftest import REPO, copy_project, written_day, written_moment
from deckgen.build import build
from deckgen.legends import CAPITAL_AT_RISK, JURISDICTIONS
from pdfread import links_of, page_texts, squash, text_in
from conftest import edit_spec as _edit, problem_lines as _lines

INVESTOR, GRID = "specs/investor.yaml", "specs/grid-storage.yaml"
LAYOUTS = [(INVESTOR, "A4"), (INVESTOR, "Letter"), (GRID, "A4"), (GRID, "Letter")]


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict[tuple[str, str], Path]:
    root = copy_project(tmp_path_factory.mktemp("layouts"))
    return {(spec, size): build(root / spec, overrides=[f"page_size={size}"], allow_stale=True).output
            for spec, size in LAYOUTS}


def _text(pdf: Path) -> str:
    return re.sub(r"(\w)- (\w)", r"\1\2", " ".join(squash(page) for page in page_texts(pdf)))


def _line_of(project: Path, relative: str, text: str) -> int:
    return next(n for n, line in enumerate((project / relative).read_text("utf-8").splitlines(), 1) if text in line)


def _column_of(project: Path, relative: str, text: str, key: str) -> int:
    line = (project / relative).read_text("utf-8").splitlines()[_line_of(project, relative, text) - 1]
    return line.index(key) + 1


# -- 1. the current view beside each instrument ------------------------------------------------------------


@pytest.mark.parametrize("size", ["A4", "Letter"])
def test_the_instrument_table_shows_each_instruments_current_view_with_capital_at_risk(built, size):
    text = _text(built[(INVESTOR, size)])
    table = text[text.index("Instruments for the theme Instrument"):]
    assert table.startswith("Instruments for the theme Instrument Ticker Asset class Theme View ")
    coverage = (REPO / "data/us-japan/coverage.csv").read_text("utf-8").splitlines()[1:]
    views = dict(line.split(",")[:2] for line in coverage)
    ends = [table.index(name) for name in views] + [table.index("Instruments named in this brief")]
    assert ends == sorted(ends), "the rows in the order of the instruments dataset"
    for (name, view), start, end in zip(views.items(), ends, ends[1:]):  # each row ends in its view
        assert table[start:end].rstrip().endswith(f" {view}"), table[start:end]
    assert "Structural hedge and carry Neutral" in table and "Semiconductor reshoring Positive" in table
    source = table[table.index("Sources: "):]
    assert source.startswith("Sources: [11] Unattributed (unverified); [12] Illustrative views (not a "
                             f"record of real recommendations). As of {written_day(REPO / INVESTOR, dt.date(2026, 2, 16))}. ")
    # the implications just before the table gave the warning: it is not repeated under the table
    assert squash(CAPITAL_AT_RISK) in text[:text.index("Instruments for the theme Instrument")]
    assert squash(CAPITAL_AT_RISK) not in source[:source.index("Sources [1]")]


def test_a_changed_view_is_printed_and_an_instrument_without_one_is_a_located_error(cli, project):
    _edit(project, "data/us-japan/coverage.csv", "IHI,Positive,no", "IHI,Negative,no")
    text = _text(build(project / INVESTOR, allow_stale=True).output)
    assert "IHI 7013 JP Equity Defence Negative" in text
    _edit(project, "data/us-japan/coverage.csv", "Advantest,Positive,no\n", "")
    _edit(project, "data/us-japan/coverage.csv", "Tokyo Electron,Positive,no", "Tokyo Electorn,Positive,no")
    line = _line_of(project, INVESTOR, "    view: {table: coverage")
    column = _column_of(project, INVESTOR, "    view: {table: coverage", "coverage")
    expected = [
        f"{INVESTOR}:{line}:{column}: table 'coverage' gives no view on 'Advantest', which this table shows; add a "
        "row for it to coverage.csv with its view in column 'view'",
        f"{INVESTOR}:{line}:{column}: table 'coverage' gives no view on 'Tokyo Electron', which this table shows; "
        "it has 'Tokyo Electorn' (line 5): correct the name in one of the two tables (they must match exactly)"]
    for command in ("validate", "build"):
        run = cli(command, INVESTOR, cwd=project)
        assert run.code == 1, run.stderr
        assert _lines(run.stderr) == expected, command


def test_two_views_on_one_instrument_and_an_unknown_view_column_are_located_errors(cli, project):
    path = project / "data/us-japan/coverage.csv"
    path.write_text(path.read_text("utf-8") + "IHI,Neutral,no\n", "utf-8")
    line = _line_of(project, INVESTOR, "    view: {table: coverage")
    column = _column_of(project, INVESTOR, "    view: {table: coverage", "coverage")
    run = cli("validate", INVESTOR, cwd=project)
    assert run.code == 1
    assert _lines(run.stderr) == [
        f"{INVESTOR}:{line}:{column}: table 'coverage' gives 'IHI' two views: 'Positive' (line 8) and 'Neutral' "
        "(line 10); keep one row per instrument, with its current view"]
    path.write_text(path.read_text("utf-8").replace("IHI,Neutral,no\n", ""), "utf-8")
    _edit(project, INVESTOR, "instrument: instrument, view: view, width: 0.9}", "instrument: instrument, view: veiw, width: 0.9}")
    column = _column_of(project, INVESTOR, "    view: {table: coverage", "veiw")
    run = cli("validate", INVESTOR, cwd=project)
    assert run.code == 1
    assert _lines(run.stderr) == [f"{INVESTOR}:{line}:{column}: unknown column 'veiw' in table 'coverage'; did you "
                                  "mean 'view'?"]


# -- 2. MAR: production completed, disclosed to the issuers --------------------------------------------------


@pytest.mark.parametrize("size", ["A4", "Letter"])
def test_the_disclosures_say_when_production_was_completed_and_that_no_issuer_saw_the_brief(built, size):
    text = _text(built[(INVESTOR, size)])
    completed, disseminated = (written_moment(REPO / INVESTOR, dt.datetime(2026, 2, day, hour, minute, tzinfo=dt.timezone.utc))
                               for day, hour, minute in ((15, 18, 30), (16, 7, 0)))
    assert f"Dissemination and distribution Production completed {completed}. First disseminated " \
           f"{disseminated}. This brief was not disclosed to any issuer before its dissemination. " \
           "For professional investors only." in text


def test_the_completion_time_is_written_the_locales_way_and_the_amendment_statement_follows_disclosure(project):
    _edit(project, INVESTOR, "locale: en_GB", "locale: en_US")
    _edit(project, INVESTOR, "language: en-GB", "language: en-US")
    _edit(project, INVESTOR, "completed: 2026-02-15T18:30:00+00:00", "completed: 2026-02-16T07:30:00+09:00")
    _edit(project, INVESTOR, "    disclosed_to_issuers: false", "    disclosed_to_issuers: true\n    amended_after_disclosure: true")
    text = _text(build(project / INVESTOR, allow_stale=True).output)
    assert "Production completed Feb 15, 2026, 10:30 PM UTC. First disseminated Feb 16, 2026, 7:00 AM UTC. This brief " \
           "was disclosed to the issuers it concerns before its dissemination and was amended after that " \
           "disclosure." in text
    _edit(project, INVESTOR, "amended_after_disclosure: true", "amended_after_disclosure: false")
    text = _text(build(project / INVESTOR, allow_stale=True).output)
    assert "This brief was disclosed to the issuers it concerns before its dissemination; it was not amended " \
           "after that disclosure." in text


def test_the_same_inputs_build_the_same_bytes(project):
    first = hashlib.sha256(build(project / INVESTOR, allow_stale=True).output.read_bytes()).hexdigest()
    second = hashlib.sha256(build(project / INVESTOR, allow_stale=True).output.read_bytes()).hexdigest()
    assert first == second, "the completion time comes from the spec, never the clock"


def test_research_without_the_completion_time_or_the_issuer_statement_is_refused(cli, project):
    _edit(project, INVESTOR, "    completed: 2026-02-15T18:30:00+00:00   # when production of the brief was completed (MAR)\n", "")
    _edit(project, INVESTOR, "    disclosed_to_issuers: false            # not shown to any issuer before dissemination (MAR)\n", "")
    line = _line_of(project, INVESTOR, "  - type: disclosures")
    where = f"{INVESTOR}:{line}:11: the disclosures of this research brief do not"
    expected = [
        f"{where} give the date and time the production of the brief was completed (Delegated Regulation (EU) "
        "2016/958, Article 3(1)(e)); add completed: with its time zone (e.g. 2026-02-15T18:00:00+00:00), no later "
        "than disseminated:",
        f"{where} say whether the brief was disclosed to the issuers it concerns before its dissemination (Delegated "
        "Regulation (EU) 2016/958, Article 4(1)(a)); add disclosed_to_issuers: false, or disclosed_to_issuers: true "
        "with amended_after_disclosure: true or false"]
    for command in ("validate", "build"):
        run = cli(command, INVESTOR, cwd=project)
        assert run.code == 1, command
        assert _lines(run.stderr) == expected, command


@pytest.mark.parametrize("written, message", [
    ("2026-02-15T18:30:00", "give the time zone of the completion time, e.g. 2026-02-16T07:00:00+00:00"),
    ("tuesday evening", "Input should be a valid datetime or date, invalid character in year"),
    ("2026-02-16T08:00:00+00:00", "completed: 2026-02-16T08:00:00+00:00 is after disseminated: "
                                  "2026-02-16T07:00:00+00:00; a brief is completed before it is first disseminated; "
                                  "correct one of the two times (each with its time zone)"),
])
def test_a_completion_time_that_is_not_one_is_a_located_error(cli, project, written, message):
    _edit(project, INVESTOR, "completed: 2026-02-15T18:30:00+00:00", f"completed: {written}")
    line = _line_of(project, INVESTOR, "    completed: ")
    run = cli("validate", INVESTOR, cwd=project)
    assert run.code == 1
    [problem] = _lines(run.stderr)
    assert problem.startswith(f"{INVESTOR}:{line}:16: ") and problem.endswith(message), problem


def test_the_amendment_statement_goes_with_disclosure_to_the_issuers(cli, project):
    _edit(project, INVESTOR, "    disclosed_to_issuers: false", "    disclosed_to_issuers: true")
    line = _line_of(project, INVESTOR, "    disclosed_to_issuers: true")
    run = cli("validate", INVESTOR, cwd=project)
    assert run.code == 1
    assert _lines(run.stderr) == [
        f"{INVESTOR}:{line}:27: disclosed_to_issuers: true, but the disclosures do not say whether the brief was "
        "amended after that disclosure; add amended_after_disclosure: true or false"]
    _edit(project, INVESTOR, "    disclosed_to_issuers: true", "    disclosed_to_issuers: false\n    amended_after_disclosure: false")
    run = cli("validate", INVESTOR, cwd=project)
    assert run.code == 1
    assert _lines(run.stderr) == [
        f"{INVESTOR}:{line + 1}:5: amended_after_disclosure: says whether the brief was amended after it was "
        "disclosed to the issuers, and the disclosures do not say it was disclosed to them; remove it, or set "
        "disclosed_to_issuers: true"]


# -- 3. a marketing communication's cover reference and legends ----------------------------------------------


@pytest.mark.parametrize("size", ["A4", "Letter"])
def test_a_marketing_communications_cover_names_and_links_the_page_of_its_disclosures(built, size):
    pdf = built[(GRID, size)]
    pages = [squash(page) for page in page_texts(pdf)]
    match = re.search(r"See page (\d+) for important disclosures\.", pages[0])
    assert match, pages[0][:600]
    number = int(match.group(1))
    assert [n for n, page in enumerate(pages, 1) if "Important information This is an illustrative brief" in page] == [number]
    [link] = [link for link in links_of(pdf) if link.page == 0 and "See page" in text_in(pdf, 0, link.rect)]
    assert link.target_page == number - 1
    heading = text_in(pdf, number - 1, (0, link.target_top - 30, 700, link.target_top + 1))
    assert "Important information" in heading, heading
    with pikepdf.open(pdf) as document:
        descriptions = [str(a.get("/Contents")) for a in document.pages[0].get("/Annots", []) if "/Dest" in a]
    assert "Go to the section Important information" in descriptions


@pytest.mark.parametrize("size", ["A4", "Letter"])
def test_a_marketing_communication_prints_its_distribution_legends(built, size):
    text = _text(built[(GRID, size)])
    small_print = text[text.rindex("Important information"):]
    statement = small_print.index("Classification: marketing communication.")
    for code in ("UK", "EEA"):
        name, legend = JURISDICTIONS[code]
        assert small_print.index(f"{name}. {legend}") > statement, code
    assert small_print.index("© 2026 Harbor Lane Capital. All rights reserved.") > small_print.index("European Economic Area.")
    assert "Hong Kong" not in small_print


def test_a_disclaimers_distribution_is_refused_where_the_disclosures_give_it(cli, project):
    _edit(project, INVESTOR, "  - type: disclaimer\n", "  - type: disclaimer\n    distribution: [UK]\n")
    line = _line_of(project, INVESTOR, "    distribution: [UK]")
    run = cli("validate", INVESTOR, cwd=project)
    assert run.code == 1
    assert _lines(run.stderr) == [
        f"{INVESTOR}:{line}:5: the disclaimer's distribution: repeats what the disclosures print; a brief with "
        "disclosures gives its distribution legends there; move distribution: to the disclosures section"]


def test_an_unknown_jurisdiction_in_the_disclaimer_is_a_located_error(cli, project):
    _edit(project, GRID, "distribution: [UK, EEA]", "distribution: [UK, EAA]")
    line = _line_of(project, GRID, "    distribution: [UK, EAA]")
    column = _column_of(project, GRID, "    distribution: [UK, EAA]", "EAA")
    run = cli("validate", GRID, cwd=project)
    assert run.code == 1
    [problem] = _lines(run.stderr)
    assert problem.startswith(f"{GRID}:{line}:{column}: ") and problem.endswith(
        "unknown distribution jurisdiction 'EAA'; did you mean 'EEA'?"), problem


@pytest.mark.parametrize("spec, size", LAYOUTS)
def test_the_examples_call_their_data_illustrative_and_name_no_tool(built, spec, size):
    text = _text(built[(spec, size)])
    # the example analyst is called "Sam Placeholder": a name, not a drafting note
    words = re.sub(r"Sam Placeholder|sam\.placeholder@", "", text)
    assert "placeholder" not in words.lower(), words[max(0, words.lower().find("placeholder") - 80):][:160]
    assert "deckgen" not in text.lower(), "client-facing text names the house, not the tool that made it"
    if spec == GRID:
        assert "This is an illustrative brief." in text


# -- 4. the sources list in a research house's voice ---------------------------------------------------------


@pytest.mark.parametrize("spec, size", LAYOUTS)
def test_the_sources_list_carries_no_drafting_notes(built, spec, size):
    text = _text(built[(spec, size)])
    for note in ("No document address given", "the source gives no date", "[Accessed:", "publisher’s site:"):
        assert note not in text, note
    sources = text[text.rindex("Sources [1] "):]
    if spec == INVESTOR:  # provenance kept: the publisher's site, and the day each source was read
        read, published = (written_day(REPO / spec, dt.date(2026, 2, 16)), written_day(REPO / spec, dt.date(2026, 1, 20)))
        assert "[4] USTR, “US-Japan Digital Trade Agreement Expansion,” Office of the US Trade Representative, " \
               f"{published}. Publisher’s website: https://ustr.gov/. Accessed {read}." in sources
        assert f"Setting the Future Trend for Friend Shoring of Capital.” Accessed {read}." in sources
    else:
        assert "[5] Harbor Lane Capital (illustrative data), “Illustrative planning assumptions (synthetic data),” " \
            "30 Jun 2026." in sources
        assert "deckgen" not in sources, "the house publishes its illustrative data, not the tool"
