"""What a compliance desk checks before sign-off: the brief is issued in the name of the brand on its
masthead, quotes are ones the sources can vouch for, and a source list says when it links only to a
publisher's site."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from deckgen.build import build
from conftest import REPO as _REPO, written_day, written_moment
from conftest import edit_spec as _edit, problem_lines as _lines
from pdfread import links_of, page_texts, squash, text_of

HARBOR = "brand=../assets/brands/harbor/brand.yml"
SPEC = "specs/investor.yaml"


@pytest.mark.parametrize("brand, firm, other", [
    (None, "Meridian Pacific Research", "Harbor Lane"),
    (HARBOR, "Harbor Lane Capital", "Meridian"),
])
def test_the_brief_is_issued_in_the_name_of_the_brand_it_is_built_with(project, brand, firm, other):
    result = build(project / SPEC, overrides=[brand] if brand else [], allow_stale=True)
    text = squash(text_of(result.output))
    assert f"Issued by {firm} LLP, 1 Example Street, London. Authorised and regulated by" in text  # the legal entity
    assert text.count(firm) >= 3, "masthead, analyst table and issuer line name the same firm"
    assert other not in text, f"{other} appears in a brief built with the {firm} brand"
    # every page's footer names the audience the distribution restrictions name, and no other
    assert "For professional investors only." in text and "institutional clients" not in text
    assert all("For professional investors only. Not investment advice." in squash(page)
               for page in page_texts(result.output))


ISSUER_NAMED = "    issuer:                # issued in the name of the brand it is built with (brand.yml meta.name)\n"


def test_an_issuer_that_is_not_the_brand_is_refused_by_validate_and_build(cli, project):
    _edit(project, SPEC, ISSUER_NAMED, "    issuer:\n      name: Meridian Pacific Research Ltd\n")
    line = project.joinpath(SPEC).read_text("utf-8").splitlines().index("      name: Meridian Pacific Research Ltd") + 1
    expected = [
        f"{SPEC}:{line}:13: the disclosures say the brief is issued by 'Meridian Pacific Research Ltd' but it is built "
        f"with the brand 'Harbor Lane Capital' (--set {HARBOR}), whose name the masthead and footer show; remove "
        "issuer: name: to issue it in the brand's name, give a name that contains 'Harbor Lane Capital', or build "
        "with the issuer's own brand"]
    for command in ("validate", "build"):
        run = cli(command, SPEC, "--set", HARBOR, cwd=project)
        assert run.code == 1, run.stderr
        assert _lines(run.stderr) == expected, command
    assert not (project / "dist" / "investor.pdf").exists()
    # the legal entity of the brand's firm is the brand's name and more: accepted
    run = cli("validate", SPEC, "--strict", cwd=project)
    assert run.code == 0, run.stderr


def test_no_issuer_name_and_a_brand_with_no_name_is_refused(cli, project):
    _edit(project, "assets/brand.yml", "  name: Meridian Pacific Research\n", "")
    run = cli("validate", SPEC, cwd=project)
    assert run.code == 1
    line = project.joinpath(SPEC).read_text("utf-8").splitlines().index(ISSUER_NAMED.rstrip("\n")) + 1
    assert f"{SPEC}:{line}:5: the disclosures name no issuer and the brand (brand: ../assets/brand.yml) has no " \
        "meta.name to issue it in; give issuer: name: (the firm that issues the brief) or the brand's meta: name:" \
        in _lines(run.stderr)


def test_a_source_url_that_is_only_a_home_page_is_flagged(cli, project):
    _edit(project, "data/us-japan/sources.yaml", "    site: https://ustr.gov/", "    url: https://ustr.gov/")
    line = project.joinpath("data/us-japan/sources.yaml").read_text("utf-8").splitlines().index(
        "    url: https://ustr.gov/      # the seeds give only the publisher's site") + 1
    expected = (f"data/us-japan/sources.yaml:{line}:10: warning: source 'ustr-dta': https://ustr.gov/ is a home page, "
                "not the address of the document cited; give the document's own address, or write it as site: so "
                "the brief says it is only the publisher's site")
    run = cli("validate", SPEC, cwd=project)
    assert run.code == 0 and _lines(run.stderr) == [expected]
    assert cli("validate", SPEC, "--strict", cwd=project).code == 1


def test_sources_with_only_a_publishers_site_say_so(example_pdf):
    text = squash(text_of(example_pdf))
    text = text[text.rindex("Sources [1] "):]
    for number, site in ((1, "https://www.commerce.gov/"), (2, "https://www.mod.go.jp/en/"),
                         (3, "https://www.jpx.co.jp/english/"), (4, "https://ustr.gov/"),
                         (5, "https://www.elliottinvestmentmanagement.com/")):
        entry = text[text.index(f"[{number}] "):text.index(f"[{number + 1}] ")]
        assert f"Publisher’s website: {site}." in entry, entry
        assert "No document address" not in entry, entry
        assert "Available:" not in entry, entry
    uris = {link.uri for link in links_of(example_pdf) if link.uri}
    assert "https://ustr.gov/" in uris, "the publisher's site stays a link"


def test_the_example_carries_no_quote_its_sources_cannot_vouch_for(example_pdf):
    text = squash(text_of(example_pdf))
    assert "Raimondo" not in text and "Marshall Plan" not in text


def _register_brief(project: Path, rows: int) -> Path:
    from test_charts import REGISTER, write_spec

    lines = ["project,country,mw,capex_eur,cod"]
    lines += [f"Project {n:03d},Germany,{100 + n},{25_000_000 + n * 1_000_000},2026-{n % 12 + 1:02d}-15" for n in range(rows)]
    (project / "data" / "grid-storage" / "register.csv").write_text("\n".join(lines) + "\n")
    spec = write_spec(project, (
        "  - type: narrative\n    title: Before the table\n    body: A short paragraph.\n"
        "  - type: table\n    title: Every project\n    table: register\n    caption: Every project in the register.\n"
        "    columns:\n      - {key: project}\n      - {key: mw, label: Power}\n      - {key: capex_eur, label: Capex}\n"
        "      - {key: cod, label: Online}\n"))
    spec.write_text(spec.read_text().replace("sections:\n", REGISTER + "sections:\n"))
    return spec


def test_a_tables_source_line_never_leaves_its_last_rows(project):
    """Whatever the table's length, its caption and source line share a page with its last two rows."""
    from pdfread import page_texts

    for rows in range(60, 82):  # across the length at which the table's end meets a page's foot
        pages = page_texts(build(_register_brief(project, rows), strict=False).output)
        with_source = [index for index, page in enumerate(pages) if "Source: [" in page]
        assert len(with_source) == 1, rows
        page = squash(pages[with_source[0]])
        assert f"Project {rows - 2:03d}" in page and f"Project {rows - 1:03d}" in page, \
            f"{rows} rows: the source line is on page {with_source[0] + 1} without the table's last rows"
        assert page.index(f"Project {rows - 1:03d}") < page.index("Every project in the register. Source: [")


def test_a_continued_table_is_headed_by_its_exhibit_title_marked_continued(project):
    from pdfread import page_texts

    pages = [squash(page) for page in page_texts(build(_register_brief(project, 150), strict=False).output)]
    table_pages = [index for index, page in enumerate(pages) if "Project 0" in page or "Project 1" in page]
    assert len(table_pages) >= 3
    first, *later = table_pages
    assert "Exhibit 1: Every project Project Power (MW) Capex Online" in pages[first]
    assert "(continued)" not in pages[first]
    for index in later:
        assert "Exhibit 1: Every project (continued) Project Power (MW) Capex Online" in pages[index], index
        assert pages[index].count("Exhibit 1") == 1
    assert not any("Exhibit 2" in page for page in pages), "a continuation is not a new exhibit"


# -- series colours a reader can tell apart ----------------------------------------------------------

from conftest import REPO  # noqa: E402

SHARED_BRANDS = REPO.parent / "shared" / "brands"
BRAND_FILES = ["assets/brand.yml", "assets/brands/harbor/brand.yml"] + sorted(
    str(next(p for p in sorted(folder.rglob("*")) if p.name in ("_brand.yml", "brand.yml", "_brand.yaml")))
    for folder in (SHARED_BRANDS.iterdir() if SHARED_BRANDS.is_dir() else []) if folder.is_dir())


@pytest.mark.parametrize("brand", BRAND_FILES, ids=lambda path: Path(path).parent.name if "shared" in path else path)
def test_twelve_series_in_one_chart_get_colours_a_reader_can_tell_apart(brand):
    import itertools

    from deckgen.brand.colours import SERIES_MIN_DELTA_E, contrast, delta_e
    from deckgen.brand.theme import load_theme
    from deckgen.charts.data import ChartData, Series
    from deckgen.render.charts import SeriesColours, extended_palette

    path = (REPO / brand).resolve()
    theme = load_theme(path, path.parent if "shared" in brand else REPO)
    series = tuple(Series(f"Market {n}", (1.0, 2.0), keyed=True) for n in range(12))
    colours = SeriesColours(extended_palette(theme.chart_palette)).for_chart(
        ChartData("line", "t", "date", (1, 2), series, None, None, "", ""))
    assert len(set(colours)) == 12
    for one, two in itertools.combinations(colours, 2):
        assert delta_e(one, two) >= SERIES_MIN_DELTA_E >= 15, f"{one} and {two} are too alike ({delta_e(one, two):.1f})"
    for colour in colours:
        assert contrast(colour, "#FFFFFF") >= 3.0, f"{colour} is too light on the white page"
    if contrast(theme.chart_palette[0], "#FFFFFF") >= 3.0:
        assert colours[0] == theme.chart_palette[0].upper(), "the first series takes the brand's first chart colour"
    assert extended_palette(theme.chart_palette) == extended_palette(list(theme.chart_palette)), "the same every build"


def test_brand_colours_too_alike_for_two_series_are_not_both_used():
    from deckgen.brand.colours import delta_e
    from deckgen.render.charts import extended_palette

    # navy and an ink a shade away, as in the default brand's accent colours: one of them only
    palette = extended_palette(["#0B2545", "#1B1F24", "#2A9D8F"])
    assert palette[0] == "#0B2545" and "#1B1F24" not in palette and "#2A9D8F" in palette
    assert delta_e("#0B2545", "#1B1F24") < 15


def test_a_source_with_no_address_gives_the_day_it_was_read_and_ends_its_title_with_a_full_stop(example_pdf):
    text = squash(text_of(example_pdf))
    text = text[text.rindex("Sources [1] "):]
    assert ("[6] Galactik Views, “Japan’s $1 Trillion American Investment – Setting the Future Trend for Friend "
            f"Shoring of Capital.” Accessed {written_day(_REPO / SPEC, dt.date(2026, 2, 16))}.") in text
    for drafting_note in ("No document address given", "[Accessed:", "the source gives no date"):
        assert drafting_note not in text, drafting_note


DISCLOSURE_HEADINGS = {"Analyst certification": "certify that the views", "Issuer and regulation": "Issued by",
                       "Conflicts of interest": "hold no positions", "Prices": "Instrument Price",
                       "Valuation and methodology": "Each view weighs", "Time horizon and updates": "time horizon of",
                       "Views in the past 12 months": "Date Instrument View", "Distribution of views": "View Instruments",
                       "Dissemination and distribution": "First disseminated", "Copyright": "© 2026"}


@pytest.mark.parametrize("size, toc, brand", [("A4", False, None), ("Letter", True, None),
                                               ("A4", False, HARBOR), ("Letter", True, HARBOR)])
def test_no_disclosure_heading_is_left_alone_at_a_page_foot(project, size, toc, brand):
    from pdfread import page_texts

    overrides = [f"page_size={size}", f"toc={'true' if toc else 'false'}"] + ([brand] if brand else [])
    pages = [squash(page) for page in page_texts(build(project / SPEC, overrides=overrides).output)]
    start = next(index for index, page in enumerate(pages) if "Disclosures Classification: investment research." in page)
    for heading, following in DISCLOSURE_HEADINGS.items():
        page = next(page for page in pages[start:] if heading in page)
        assert following in page.split(heading, 1)[1], f"'{heading}' ends a page without what it heads"


# -- recommendation wording is explained by the disclosures' views ---------------------------------


def test_the_disclosures_say_what_kind_of_views_the_highest_conviction_is(example_pdf):
    text = squash(text_of(example_pdf))
    assert "is our highest-conviction theme" in text
    # (a line may end at the hyphen of "highest-conviction", which the text extraction joins without it)
    disclosures = text[text.index("Analyst certification"):].replace("highestconviction", "highest-conviction")
    assert "Views The brief states a view on each instrument it names as exposure to the themes, Positive, Neutral " \
        "or Negative, for how well the instrument captures its theme over the horizon below; the current views are " \
        "the latest in the history below. “Our highest-conviction theme” ranks the semiconductor reshoring theme " \
        "first among the themes discussed; it is not a rating of any instrument. The brief sets no price targets " \
        "(illustrative statement)." in disclosures


VIEWS_STATEMENT = (
    "    views_statement: The brief states a view on each instrument it names as exposure to the themes, Positive,\n"
    "      Neutral or Negative, for how well the instrument captures its theme over the horizon below; the current\n"
    "      views are the latest in the history below. “Our highest-conviction theme” ranks the semiconductor reshoring\n"
    "      theme first among the themes discussed; it is not a rating of any instrument. The brief sets no price\n"
    "      targets (illustrative statement).\n")


def test_recommendation_wording_without_views_in_the_disclosures_is_refused(cli, project):
    _edit(project, SPEC, VIEWS_STATEMENT, "")  # the example's own wording: "our highest-conviction theme"
    lines = project.joinpath(SPEC).read_text("utf-8").splitlines()
    line = next(n for n, text in enumerate(lines, 1) if "is our highest-conviction theme" in text)
    col = lines[line - 1].index("highest-conviction") + 1
    disclosures = lines.index("  - type: disclosures") + 1
    expected = [
        f"{SPEC}:{line}:{col}: this brief uses the words of a recommendation ('highest-conviction') but its "
        f"disclosures (line {disclosures}) state no views or ratings; add views: (a view per instrument) or "
        "views_statement: (what kind of views the brief states, e.g. thematic views, no ratings or price targets) to "
        "the disclosures, or reword the text"]
    for command in ("validate", "build"):
        run = cli(command, SPEC, cwd=project)
        assert run.code == 1, run.stderr
        assert _lines(run.stderr) == expected, command
    assert not (project / "dist" / "investor.pdf").exists()
    # "highest conviction", spaced, is the same words
    _edit(project, SPEC, "is our highest-conviction theme", "offers the highest conviction")
    assert "('highest conviction')" in cli("validate", SPEC, cwd=project).stderr
    # a view per instrument answers the wording as well as a statement does
    _edit(project, SPEC, "    prices: {table: prices",
          "    views:\n      - {instrument: VanEck Semiconductor ETF (SMH), view: Positive}\n    prices: {table: prices")
    assert cli("validate", SPEC, "--strict", cwd=project).code == 0
    # without the wording, no views are needed
    _edit(project, SPEC, "      - {instrument: VanEck Semiconductor ETF (SMH), view: Positive}\n", "")
    _edit(project, SPEC, "    views:\n", "")
    _edit(project, SPEC, "offers the highest conviction", "is the central one")
    assert cli("validate", SPEC, "--strict", cwd=project).code == 0


# -- market figures credited to what states them --------------------------------------------------


def test_the_pe_ratios_are_credited_to_the_unattributed_market_levels_not_a_strategy_paper(example_pdf):
    text = squash(text_of(example_pdf))
    numbers = {entry.split("]")[0]: entry for entry in text[text.rindex("Sources [1]"):].split(" [")}
    market_levels = next(n for n, entry in numbers.items() if "Unattributed (illustrative)" in entry)
    elliott = next(n for n, entry in numbers.items() if "Elliott Management" in entry)
    assert f"14× forward earnings compared to 21× for the S&P 500 [{market_levels}]" in text
    exhibit = text[text.index("Exhibit 1: The theme’s instruments"):]
    exhibit = exhibit[: exhibit.index("As of")]
    import yaml

    spec = yaml.safe_load((_REPO / "specs/investor.yaml").read_text("utf-8"))
    caption = next(section["caption"] for section in spec["sections"] if section.get("id") == "instrument-metrics")
    assert caption.startswith("Illustrative prices, forward price/earnings ratios and year-to-date returns, not market data")
    assert " ".join(caption.split()) in exhibit and "placeholder" not in exhibit.lower()
    assert f"[{elliott}]" not in exhibit and "Elliott" not in exhibit
    assert "Illustrative figures prepared for this example; not market data. The yen rate, the Nikkei 225’s " \
        "year-to-date rise, the 10-year JGB yield and the forward P/E ratios of Japanese equities and the S&P 500" in text


# -- price times read like the body's dates -------------------------------------------------------


_SPEC_WRITES = _REPO / SPEC  # the example's own locale: the strings it prints, computed from its locale
_NASDAQ_CLOSE, _TSE_CLOSE = (dt.datetime(2026, 2, 13, 16, tzinfo=ZoneInfo("America/New_York")),
                             dt.datetime(2026, 2, 13, 15, 30, tzinfo=ZoneInfo("Asia/Tokyo")))


@pytest.mark.parametrize("locale, smh, tel, disseminated", [
    (None, f"{written_moment(_SPEC_WRITES, _NASDAQ_CLOSE)} (NASDAQ close)", f"{written_moment(_SPEC_WRITES, _TSE_CLOSE)} (TSE close)",
     f"First disseminated {written_moment(_SPEC_WRITES, dt.datetime(2026, 2, 16, 7, tzinfo=dt.timezone.utc))}."),
    ("de_DE", "13.02.2026, 16:00 EST (NASDAQ close)", "13.02.2026, 15:30 JST (TSE close)",
     "First disseminated 16.02.2026, 07:00 UTC."),
])
def test_price_times_are_written_like_the_dates_in_the_body(project, locale, smh, tel, disseminated):
    result = build(project / SPEC, overrides=[f"locale={locale}"] if locale else [], allow_stale=True)
    text = squash(text_of(result.output)).replace("\u202f", " ").replace("\u00a0", " ")
    prices = text[text.index("Prices Instrument Price Currency Priced at"):text.index("Dissemination and distribution")]
    assert f"VanEck Semiconductor ETF 250{',' if locale else '.'}00 USD {smh}" in prices
    # each price in its own currency's minor units: yen have none; a yield keeps the column's decimals
    assert f"Tokyo Electron 30{'.' if locale else ','}000 JPY {tel}" in prices
    assert f"(yield %) 1{',' if locale else '.'}20 %" in prices
    assert "2026-02-13" not in prices and "2026-02-16" not in text
    assert disseminated in text
    body_date = "16.02.2026" if locale else written_day(_SPEC_WRITES, dt.date(2026, 2, 16))
    assert text.count(body_date) >= 2, "the masthead writes the date as the disclosures do"


def test_a_price_time_without_a_time_zone_or_in_a_text_column_is_refused(cli, project):
    prices = project / "data/us-japan/prices.csv"
    prices.write_text(prices.read_text("utf-8").replace("2026-02-13 16:00 America/New_York,NASDAQ close",
                                                        "2026-02-13 16:00 ET,NASDAQ close")
                      .replace("2026-02-13 15:30 Asia/Tokyo,TSE close,24,9.0\nAdvantest", "2026-02-13 15:30,TSE close,24,9.0\nAdvantest"), "utf-8")
    run = cli("validate", SPEC, cwd=project)
    assert run.code == 1
    assert _lines(run.stderr) == [
        "data/us-japan/prices.csv:2:41: column 'priced_at': '2026-02-13 16:00 ET': 'ET' is not a time zone (use an "
        "IANA name such as America/New_York or Asia/Tokyo, UTC, or an offset such as -05:00; abbreviations such as "
        "ET are ambiguous)",
        "data/us-japan/prices.csv:5:34: column 'priced_at': '2026-02-13 15:30' has no time zone (add one: 2026-02-13 "
        "15:30 America/New_York, or an offset such as +09:00; or give the column its zone: columns: {NAME: {type: "
        "datetime, zone: Europe/London}})"]
    _edit(project, SPEC, "priced_at: datetime", "priced_at: text")
    lines = project.joinpath(SPEC).read_text("utf-8").splitlines()
    line = next(n for n, text in enumerate(lines, 1) if text.startswith("    prices: {table: prices"))
    col = lines[line - 1].index("at: priced_at") + 5
    run = cli("build", SPEC, cwd=project)
    assert run.code == 1
    assert _lines(run.stderr) == [
        f"{SPEC}:{line}:{col}: prices: at needs a date or datetime column; 'priced_at' is text; declare it in the "
        "dataset's columns as {type: datetime} with cells such as 2026-02-13 16:00 America/New_York, so the brief "
        "writes each time the way it writes dates (venue: names a column for notes such as 'NASDAQ close')"]


def test_the_analyst_certification_names_every_analyst_in_a_sentence(project):
    text = squash(text_of(build(project / SPEC, allow_stale=True).output))
    assert re.search(r"\b[A-Z]\w+ [A-Z]\w+ and [A-Z]\w+ [A-Z]\w+ certify that the views", text)


def test_the_cover_names_the_analysts_of_the_disclosures(project):
    import yaml

    spec = yaml.safe_load((project / SPEC).read_text("utf-8"))
    names = [a["name"] for section in spec["sections"] if section["type"] == "disclosures" for a in section["analysts"]]
    first_page = squash(page_texts(build(project / SPEC, allow_stale=True).output)[0])
    assert names and f"Analysts: {', '.join(names)}" in first_page


def test_a_price_table_can_show_each_instruments_ticker(project):
    _edit(project, SPEC, "    prices: {table: prices, instrument: instrument, price: price,",
          "    prices: {table: prices, instrument: instrument, ticker: ticker, price: price,")
    text = squash(text_of(build(project / SPEC, allow_stale=True).output)).replace("\u00a0", " ")
    assert "Prices Instrument Ticker Price Currency Priced at" in text
    assert "VanEck Semiconductor ETF SMH 250.00 USD" in text and "Tokyo Electron 8035 JP 30,000 JPY" in text
