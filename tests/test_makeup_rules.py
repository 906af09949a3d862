"""Make-up a research house signs (issue 27), in all four layouts (both examples, A4 and Letter): every
exhibit referred to from the text and linked, no table of 12 rows or fewer split across pages, titles
with balanced lines, the ✗ box as long as its own items, one date style a brief, and a currency pair
as the market writes it. And the messages validate gives for exhibit references."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pypdfium2 as pdfium
import pytest

from conftest import REPO, copy_project, spec_locale
from deckgen.build import build
from pdfread import element_texts, links_of, page_texts, tagged_tables, text_in, text_of

LAYOUTS = [(spec, size) for spec in ("investor", "grid-storage") for size in ("A4", "Letter")]
MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.?"
SPACE = r"[ \u00a0]"
DATE_STYLES = {  # the order a date is written in: what must not be mixed within one brief
    "day month year": re.compile(rf"\b\d{{1,2}}{SPACE}{MONTH}{SPACE}\d{{4}}\b"),
    "month day, year": re.compile(rf"\b{MONTH}{SPACE}\d{{1,2}},{SPACE}\d{{4}}\b"),
    "ISO": re.compile(r"\b\d{4}-\d{2}-\d{2}\b"),
}
EXPECTED_STYLE = {"en_US": "month day, year", "en_GB": "day month year"}


@pytest.fixture(scope="module")
def layouts(tmp_path_factory) -> dict[tuple[str, str], tuple[Path, dict]]:
    """Each layout's PDF and manifest, built once for the module."""
    project = copy_project(tmp_path_factory.mktemp("makeup"))
    built = {}
    for spec, size in LAYOUTS:
        result = build(project / "specs" / f"{spec}.yaml", overrides=[f"page_size={size}", f"output=../dist/{spec}-{size}.pdf"],
                       allow_stale=True)
        manifest = json.loads(result.manifest.read_text())
        built[(spec, size)] = (result.output, manifest)
    return built


@pytest.mark.parametrize("spec, size", LAYOUTS)
def test_every_exhibit_is_referred_to_and_linked_to_its_page(layouts, spec, size):
    pdf, manifest = layouts[(spec, size)]
    exhibits = manifest["proof"]["exhibits"]
    assert exhibits
    referred: dict[int, set[int]] = {}
    for link in links_of(pdf):
        if link.uri is not None:
            continue
        text = " ".join(text_in(pdf, link.page, link.rect).split())
        match = re.fullmatch(r"Exhibit (\d+)", text)
        if match:
            referred.setdefault(int(match.group(1)), set()).add(link.target_page)
    for exhibit in exhibits:
        number, page = exhibit["number"], exhibit["page"]
        assert number in referred, f"{spec} {size}: Exhibit {number} is never referred to from the text"
        assert referred[number] == {page - 1}, f"{spec} {size}: a link to Exhibit {number} does not go to page {page}"
    texts = page_texts(pdf)
    for exhibit in exhibits:  # the reference is in text, outside the exhibit's own title
        mentions = sum(len(re.findall(rf"Exhibit[ \u00a0]{exhibit['number']}\b(?!:)", text)) for text in texts)
        assert mentions >= 1


@pytest.mark.parametrize("spec, size", LAYOUTS)
def test_no_table_of_twelve_rows_or_fewer_is_split_across_pages(layouts, spec, size):
    """Every table the brief sets (exhibits, the disclosures' tables, the analysts'), found in the structure
    tree: one of 12 body rows or fewer is on one page, with the heading above it and its caption and source."""
    pdf, manifest = layouts[(spec, size)]
    tables = tagged_tables(pdf)
    assert len(tables) >= len(manifest["proof"]["tables"])
    if spec == "investor":  # the disclosures' tables are among them
        assert any(table.heading and table.heading[0] == "Views in the past 12 months" for table in tables)
    for table in tables:
        if table.rows > 12:
            continue
        assert len(table.pages) == 1, f"{spec} {size}: the table '{table.text[:40]}' ({table.rows} rows) is split"
        page = next(iter(table.pages))
        if table.heading is not None:
            assert table.heading[1] == page, f"{spec} {size}: '{table.heading[0]}' is not on its table's page"
        for note, note_page in table.notes:
            assert note_page == page, f"{spec} {size}: '{note[:40]}' is not on its table's page"
    texts = [" ".join(text.split()) for text in page_texts(pdf)]
    if spec == "grid-storage":  # a long table still flows on, its title marked as continued
        assert any(table.rows > 12 and len(table.pages) > 1 for table in tables)
        assert any("(continued)" in text for text in texts)


@pytest.mark.parametrize("spec, size", LAYOUTS)
def test_a_table_split_across_pages_leaves_at_least_four_rows_on_each_part(layouts, spec, size):
    pdf, _ = layouts[(spec, size)]
    for table in tagged_tables(pdf):
        rows_a_page = Counter(table.row_pages)
        if len(rows_a_page) > 1:
            assert min(rows_a_page.values()) >= 4, f"{spec} {size}: '{table.text[:40]}' is split {sorted(rows_a_page.items())}"


def _title_lines(pdf: Path) -> list[list[str]]:
    """The lines each title (H1, H2, H3, an exhibit's title) is printed on, as the page's text has them."""
    titles = [" ".join(text.split()) for role, text in element_texts(pdf, ("/H1", "/H2", "/H3", "/Caption"))]
    lines = [" ".join(line.split()) for text in page_texts(pdf) for line in text.replace("\r", "").split("\n")]
    found = []
    for title in titles:
        for start in range(len(lines)):
            joined, end = lines[start], start
            while len(joined) < len(title) and end + 1 < len(lines):
                end += 1
                joined = f"{joined} {lines[end]}".replace("\ufffe ", "")
            if joined == title:
                found.append(lines[start:end + 1])
                break
    return found


def _lone_last_line(lines: list[str]) -> bool:
    last = lines[-1]
    return len(lines) > 1 and (len(last.split()) == 1 or re.fullmatch(r"\d{4}\.?", last) is not None
                               or len(last) < 0.5 * max(len(line) for line in lines[:-1]))


@pytest.mark.parametrize("spec, size", LAYOUTS)
def test_no_title_leaves_a_word_or_a_year_alone_on_its_last_line(layouts, spec, size):
    pdf, _ = layouts[(spec, size)]
    found = _title_lines(pdf)
    assert len(found) >= 5
    lone = [lines for lines in found if _lone_last_line(lines)]
    assert not lone, f"{spec} {size}: {lone}"


@pytest.mark.parametrize("size", ["A4", "Letter"])
def test_a_masthead_title_of_two_lines_is_balanced(tmp_path, size):
    project = copy_project(tmp_path)
    title = "EM Sovereign Debt and Grid Storage Monthly — November 2026"
    result = build(project / "specs" / "grid-storage.yaml", overrides=[f"page_size={size}", f"title={title}"], allow_stale=True)
    lines = next(lines for lines in _title_lines(result.output) if " ".join(lines) == title)
    assert len(lines) == 2
    assert not _lone_last_line(lines)
    assert abs(len(lines[0]) - len(lines[1])) <= 0.3 * max(map(len, lines)), lines


def _box_rules(page, column_left: float) -> list[float]:
    """The y of each horizontal rule (a box's coloured foot) that starts at ``column_left``."""
    rules = []
    for obj in page.get_objects(max_depth=4):
        if obj.type != pdfium.raw.FPDF_PAGEOBJ_PATH:
            continue
        left, bottom, right, top = obj.get_bounds()
        if top - bottom < 4 and right - left > 100 and abs(left - column_left) < 12:
            rules.append((top + bottom) / 2)
    return rules


@pytest.mark.parametrize("size", ["A4", "Letter"])
def test_the_risks_box_is_as_long_as_its_items_not_padded_to_the_opportunities_box(layouts, size):
    pdf, _ = layouts[("investor", size)]
    document = pdfium.PdfDocument(str(pdf))
    index = next(i for i, text in enumerate(page_texts(pdf)) if "Strategic risks" in text)
    page = document[index]
    textpage = page.get_textpage()

    def box_of(needle: str, at: int = 0) -> tuple[float, float, float]:
        """(left, bottom, top) of the character ``at`` of the text ``needle`` starts with."""
        start = textpage.get_text_range().index(needle)
        left, bottom, right, top = textpage.get_charbox(start + at)
        return left, bottom, top

    tick_left, cross_left = box_of("\u2713 Alignment opportunities")[0], box_of("\u2717 Strategic risks")[0]
    tick_top = box_of("\u2713 Alignment opportunities", 2)[2]  # the box titles' first capitals
    cross_top = box_of("\u2717 Strategic risks", 2)[2]
    assert abs(tick_top - cross_top) < 0.5  # both boxes' tops aligned
    text = textpage.get_text_range()
    floor = box_of("Investment implications")[2] if "Investment implications" in text else 0.0
    column = (page.get_width() - 2 * tick_left) / 2

    def lowest_text(left: float) -> float:
        """The bottom of the lowest line of text in the column starting at ``left`` (a box's last item)."""
        bottoms = [box[1] for box in map(textpage.get_charbox, range(textpage.count_chars()))
                   if left - 1 <= box[0] < left + column - 12 and floor < box[1] < tick_top]
        return min(bottoms)

    last_opportunity, last_risk = lowest_text(tick_left), lowest_text(cross_left)
    cross_foot = max(y for y in _box_rules(page, cross_left - 10) if y < last_risk)
    tick_foot = max(y for y in _box_rules(page, tick_left - 10) if y < last_opportunity)
    assert last_risk - cross_foot < 16, "the ✗ box runs on below its last item"
    assert last_opportunity - tick_foot < 16
    assert cross_foot - tick_foot > 20, "the ✗ box is padded down to the ✓ box's length"


@pytest.mark.parametrize("spec, size", LAYOUTS)
def test_one_date_style_a_brief_by_its_locale(layouts, spec, size):
    pdf, _ = layouts[(spec, size)]
    text = text_of(pdf)
    locale = spec_locale(REPO / "specs" / f"{spec}.yaml")
    found = {style: pattern.findall(text) for style, pattern in DATE_STYLES.items()}
    assert found[EXPECTED_STYLE[locale]], f"{spec}: no date in the locale's style"
    others = {style: dates for style, dates in found.items() if style != EXPECTED_STYLE[locale] and dates}
    assert not others, f"{spec} ({locale}) mixes date styles: {others}"
    if locale == "en_GB":
        assert not re.search(r"\d{1,2}:\d\d[ \u00a0]?[AP]M", text)


@pytest.mark.parametrize("spec, size", LAYOUTS)
def test_one_date_range_style_in_the_strip_the_rail_and_every_source_line(layouts, spec, size):
    pdf, _ = layouts[(spec, size)]
    text = " ".join(text_of(pdf).replace("\u00a0", " ").split())
    date = "|".join(f"(?:{pattern.pattern})" for pattern in DATE_STYLES.values())
    yearless = rf"\b\d{{1,2}} {MONTH}|\b{MONTH} \d{{1,2}}"  # a range's first day, its year shared with the last
    found = re.findall(rf"({date}|{yearless}) ?(to|until|through|[-\u2010-\u2015~]) ?({date})", text)
    assert found, f"{spec} {size}: no date range printed"  # the key figures' sources span dates in both examples
    assert {dash for _, dash, _ in found} == {"\u2013"}, f"{spec} {size}: date ranges written {found}"
    for first, _, last in found:  # a year the two days share is written once
        assert first[-4:] != last[-4:], f"{spec} {size}: '{first} \u2013 {last}' repeats its year"


def test_a_date_range_is_written_by_one_function_the_locales_way():
    import datetime as dt

    from deckgen.dates import format_day_range

    start, end = dt.date(2025, 12, 15), dt.date(2026, 2, 1)
    assert format_day_range(start, end, "en_US") == "Dec\u00a015,\u00a02025\u00a0\u2013\u00a0Feb\u00a01,\u00a02026"
    assert format_day_range(start, end, "en_GB") == "15\u00a0Dec\u00a02025\u00a0\u2013\u00a01\u00a0Feb\u00a02026"
    assert format_day_range(start, end, "de_DE") == "15.12.2025\u00a0\u2013\u00a001.02.2026"
    assert format_day_range(start, end, "ja_JP") == "2025/12/15\uff5e2026/02/01"
    assert format_day_range(start, start, "en_GB") == "15\u00a0Dec\u00a02025"
    # a shared year (and month) is written once, the locale's way
    end_of_june, first_of_july = dt.date(2026, 6, 30), dt.date(2026, 7, 1)
    assert format_day_range(end_of_june, first_of_july, "en_GB") == "30\u00a0Jun\u00a0\u2013\u00a01\u00a0Jul\u00a02026"
    assert format_day_range(end_of_june, first_of_july, "en_US") == "Jun\u00a030\u00a0\u2013\u00a0Jul\u00a01,\u00a02026"
    assert format_day_range(dt.date(2026, 6, 3), dt.date(2026, 6, 9), "en_GB") == "3\u20139\u00a0Jun\u00a02026"
    assert format_day_range(dt.date(2026, 9, 1), dt.date(2026, 9, 30), "en_GB") == "1\u201330\u00a0Sep\u00a02026"


@pytest.mark.parametrize("size", ["A4", "Letter"])
def test_a_currency_pair_prints_as_the_market_quotes_it(layouts, size):
    pdf, _ = layouts[("investor", size)]
    text = text_of(pdf).replace("\u00a0", " ")
    assert "USD/JPY 152" in text
    assert "¥152/$" not in text


def test_a_rate_unit_prints_its_pair_base_currency_first():
    from decimal import Decimal

    from deckgen.formatting import format_number
    from deckgen.units import builtin_unit

    assert format_number(Decimal("152.3"), builtin_unit("JPY/USD"), "en_US", "compact", 1) == "USD/JPY\u00a0152.3"
    assert format_number(Decimal("1.0845"), builtin_unit("USD/EUR"), "de_DE", "compact", 4) == "EUR/USD\u00a01,0845"
    assert builtin_unit("JPY/USD").axis_label == "USD/JPY"


# -- validate: exhibit references ------------------------------------------------------------------

def _edit(project: Path, old: str, new: str) -> None:
    path = project / "specs" / "grid-storage.yaml"
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def _problems(stderr: str) -> list[str]:
    """The problems validate printed (without its summary line)."""
    return [line for line in stderr.strip().splitlines() if not re.match(r"\d+ spec\(s\) checked", line)]


def _line_col(project: Path, needle: str, occurrence: int = 0) -> tuple[int, int]:
    lines = (project / "specs" / "grid-storage.yaml").read_text().splitlines()
    hits = [(number, line.index(needle) + 1) for number, line in enumerate(lines, 1) if needle in line]
    return hits[occurrence]


def test_an_unknown_exhibit_is_a_located_error_with_did_you_mean(cli, tmp_path):
    project = copy_project(tmp_path)
    _edit(project, "{{ exhibit: costs }}", "{{ exhibit: cost }}")
    result = cli("validate", "specs/grid-storage.yaml", cwd=project)
    line, col = _line_col(project, "{{ exhibit: cost }}")
    assert result.code == 1
    assert _problems(result.stderr) == [
        f"specs/grid-storage.yaml:{line}:{col}: '{{{{ exhibit: cost }}}}': unknown exhibit 'cost'; did you mean 'costs'?"]


def test_a_section_that_is_not_an_exhibit_is_a_located_error(cli, tmp_path):
    project = copy_project(tmp_path)
    _edit(project, "  - type: narrative\n    title: The mix", "  - type: narrative\n    id: mix\n    title: The mix")
    _edit(project, "{{ exhibit: costs }}", "{{ exhibit: mix }}")
    result = cli("validate", "specs/grid-storage.yaml", cwd=project)
    line, col = _line_col(project, "{{ exhibit: mix }}")
    assert result.code == 1
    assert _problems(result.stderr) == [
        f"specs/grid-storage.yaml:{line}:{col}: '{{{{ exhibit: mix }}}}': section 'mix' is a narrative section, not an "
        "exhibit; refer to a chart or table section (known exhibits: additions, capacity, costs, growth, pipeline, project-size, "
        "register, shares)"]


def test_an_exhibit_no_text_refers_to_is_a_warning_at_its_section(cli, tmp_path):
    project = copy_project(tmp_path)
    _edit(project, "Installed costs differ widely between markets ({{ exhibit: costs }}). ", "")
    # a reference in the exhibit's own caption does not count
    _edit(project, "    caption: Ranges across", '    caption: "({{ exhibit: costs }}) Ranges across')
    _edit(project, "{{ cost_high_max }}.", '{{ cost_high_max }}."')
    result = cli("validate", "specs/grid-storage.yaml", cwd=project)
    line, col = _line_col(project, "id: costs")
    assert result.code == 0
    assert _problems(result.stderr) == [
        f"specs/grid-storage.yaml:{line}:{col + 4}: warning: exhibit 'costs' is never referred to; "
        "write {{ exhibit: costs }} where the text discusses it"]
    strict = cli("validate", "specs/grid-storage.yaml", "--strict", cwd=project)
    assert strict.code == 1


def test_an_exhibit_reference_in_plain_yaml_text_says_to_quote_it(cli, tmp_path):
    project = copy_project(tmp_path)
    _edit(project, '        text: "Installed grid storage', "        text: Installed grid storage")
    _edit(project, '({{ exhibit: capacity }})."', "({{ exhibit: capacity }}).")
    result = cli("validate", "specs/grid-storage.yaml", cwd=project)
    assert result.code == 1
    line, col = _line_col(project, "{{ exhibit: capacity }}")
    assert _problems(result.stderr) == [
        f"specs/grid-storage.yaml:{line}:{col + 10}: YAML syntax error: mapping values are not allowed here; the ': ' of {{{{ exhibit: id }}}} ends a plain YAML "
        "text: put the text in quotes, or write it as a block (key: | and the text on the lines below)"]


def test_a_locale_of_another_region_than_the_language_is_a_warning(cli, tmp_path):
    project = copy_project(tmp_path)
    _edit(project, "locale: en_GB", "locale: en_US")
    result = cli("validate", "specs/grid-storage.yaml", cwd=project)
    line, col = _line_col(project, "locale: en_US")
    assert result.code == 0
    assert _problems(result.stderr) == [
        f"specs/grid-storage.yaml:{line}:{col + 8}: warning: locale 'en_US' writes dates and numbers for another "
        "language or region than the text's language 'en-GB'; set locale: en_GB"]
