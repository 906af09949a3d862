"""Charts and tables bound to data: every kind draws what its data says, and every mistake is caught
at validate, at the key where it was made."""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
from decimal import Decimal
from pathlib import Path

import pikepdf
import pypdfium2 as pdfium
import pytest

from deckgen.build import build
from deckgen.charts.kinds import KINDS
from pdfread import outline_titles, page_texts, squash, text_of

HEAD = """\
title: Storage test
date: 2026-07-15
locale: en_GB
brand: ../assets/brands/harbor/brand.yml
data:
  figures: ../data/grid-storage/figures.yaml
  sources: ../data/grid-storage/sources.yaml
  capacity:
    path: ../data/grid-storage/capacity.csv
    source: illustrative-capacity
    as_of: 2026-06-30
    columns: {month: date, gw: {type: number, unit: GW, label: Installed capacity}}
  additions:
    path: ../data/grid-storage/additions.csv
    source: illustrative-additions
    as_of: 2026-06-30
    columns:
      lfp: {type: number, unit: GW, label: LFP}
      nmc: {type: number, unit: GW, label: NMC}
      sodium_ion: {type: number, unit: GW, label: Sodium-ion}
      flow: {type: number, unit: GW, label: Flow}
  costs:
    path: ../data/grid-storage/costs.csv
    source: illustrative-costs
    as_of: 2026-06-30
    columns: {low: {type: number, unit: EUR/kWh}, high: {type: number, unit: EUR/kWh}}
  projects:
    path: ../data/grid-storage/projects.csv
    source: illustrative-projects
    as_of: 2026-07-01
    columns: {mw: {type: number, unit: MW}, mwh: {type: number, unit: MWh}, capex_eur: {type: number, unit: EUR}, cod: date}
sections:
"""

KIND_CASES = {
    "line": ("table: capacity\n    x: month\n    y: gw\n    series: country",
             ["Germany", "Great Britain", "Netherlands", "Jul 2024", "Jan 2025", "Jan 2026", "Installed capacity (GW)"]),
    "area": ("table: capacity\n    x: month\n    y: gw\n    series: country\n    where: {country: [Germany, Italy]}",
             ["Germany", "Italy", "Jul 2024", "Jan 2026"]),
    "bar": ("table: capacity\n    x: country\n    y: gw\n    where: {month: last}",
            ["Germany", "Spain", "9.0 GW", "3.4 GW"]),
    "stacked_bar": ("table: additions\n    x: quarter\n    y: [lfp, nmc, sodium_ion, flow]",
                    ["LFP", "NMC", "Sodium-ion", "Flow", "Q3 2024", "Q1 2026"]),  # quarter ends: the quarters they close
    "percent_bar": ("table: additions\n    x: quarter\n    y: [lfp, nmc]",
                    ["LFP", "NMC", "100%", "40%", "Share of the total"]),
    "hbar": ("table: projects\n    x: country\n    y: mw\n    agg: sum\n    sort: descending",
             ["Great Britain", "France", "MW"]),
    "range": ("table: costs\n    x: market\n    low: low\n    high: high",
              ["Range (low to high)", "Single estimate", "€215–260/kWh", "€240/kWh", "Netherlands"]),
    "scatter": ("table: projects\n    x: mwh\n    y: capex_eur\n    series: status\n    label: project\n    where: {country: France}",
                ["Operating", "€100M", "Rhône Battery Hub I"]),
}


REGISTER = """\
  register:
    path: ../data/grid-storage/register.csv
    source: illustrative-projects
    as_of: 2026-07-01
    columns: {mw: {type: number, unit: MW}, capex_eur: {type: number, unit: EUR}, cod: date}
"""


def write_spec(root: Path, sections: str, name: str = "t") -> Path:
    spec = root / "specs" / f"{name}.yaml"
    spec.write_text(HEAD + sections + "  - type: sources\n", encoding="utf-8")
    return spec


def image_count(path: Path) -> int:
    """Raster images anywhere in the PDF: on pages and inside form XObjects."""
    seen, count = set(), 0
    with pikepdf.open(path) as pdf:
        stack = [page.obj for page in pdf.pages]
        while stack:
            obj = stack.pop()
            resources = obj.get("/Resources")
            if resources is None or "/XObject" not in resources:
                continue
            for _, xobject in resources.XObject.items():
                if xobject.objgen in seen:
                    continue
                seen.add(xobject.objgen)
                if xobject.get("/Subtype") == "/Image":
                    count += 1
                else:
                    stack.append(xobject)
    return count


def test_the_kind_registry_has_every_kind_of_the_contract():
    assert set(KINDS) == {"line", "area", "bar", "stacked_bar", "percent_bar", "hbar", "range", "scatter", "waterfall"}


@pytest.mark.parametrize("kind", sorted(KIND_CASES))
def test_each_kind_draws_its_data_as_vector_text(project: Path, kind: str):
    body, expected = KIND_CASES[kind]
    spec = write_spec(project, f"  - type: chart\n    kind: {kind}\n    title: The {kind} exhibit\n    {body}\n")
    result = build(spec)
    text = squash(text_of(result.output))
    assert f"Exhibit 1: The {kind} exhibit" in text
    for phrase in expected:
        assert phrase in text, f"{phrase!r} missing from the {kind} chart"
    assert re.search(r"Sources?: \[\d\] Harbor Lane Capital \(illustrative data\)\. As of", text), \
        "no source line derived from the dataset"
    assert image_count(result.output) == 0, "a chart was embedded as a raster image"
    assert f"The {kind} exhibit" not in outline_titles(result.output), "exhibits do not fill the outline"


def test_exhibits_are_numbered_in_order_across_charts_and_tables(project: Path):
    spec = write_spec(project, (
        "  - type: chart\n    kind: line\n    title: First\n    table: capacity\n    x: month\n    y: gw\n    series: country\n"
        "  - type: table\n    title: Second\n    table: costs\n"
        "  - type: chart\n    kind: hbar\n    title: Third\n    table: costs\n    x: market\n    y: low\n"
    ))
    text = squash(text_of(build(spec).output))
    assert text.index("Exhibit 1: First") < text.index("Exhibit 2: Second") < text.index("Exhibit 3: Third")


def _word_boxes(path: Path, word: str) -> list[tuple[int, float, float]]:
    """(page, left, top) of each occurrence of ``word`` on the pages."""
    found = []
    document = pdfium.PdfDocument(str(path))
    for index in range(len(document)):
        text_page = document[index].get_textpage()
        content = text_page.get_text_range()
        start = 0
        while (at := content.find(word, start)) >= 0:
            left, _, _, top = text_page.get_charbox(at)
            found.append((index, left, top))
            start = at + 1
    return found


def test_consecutive_half_width_charts_sit_side_by_side(project: Path):
    spec = write_spec(project, (
        "  - type: chart\n    kind: stacked_bar\n    title: Left exhibit\n    table: additions\n    x: quarter\n    y: [lfp, nmc]\n    width: half\n"
        "  - type: chart\n    kind: percent_bar\n    title: Right exhibit\n    table: additions\n    x: quarter\n    y: [lfp, nmc]\n    width: half\n"
        "  - type: chart\n    kind: bar\n    title: Alone exhibit\n    table: capacity\n    x: country\n    y: gw\n    where: {month: last}\n    width: half\n"
        "    caption: The caption beside the chart.\n"
    ))
    result = build(spec)
    (left_page, left_x, left_top), = _word_boxes(result.output, "1: Left exhibit")
    (right_page, right_x, right_top), = _word_boxes(result.output, "2: Right exhibit")
    assert left_page == right_page and abs(left_top - right_top) < 1, "the pair's titles are not on one line"
    assert right_x - left_x > 200, "the second chart is not beside the first"
    (_, alone_x, alone_top), = _word_boxes(result.output, "3: Alone exhibit")
    (_, caption_x, caption_top), = _word_boxes(result.output, "The caption beside")
    assert caption_x > alone_x + 200 and caption_top < alone_top, "a lone half-width chart keeps its caption beside it"


def test_annotations_reference_lines_and_axis_limits(project: Path):
    spec = write_spec(project, (
        "  - type: chart\n    kind: line\n    title: Annotated\n    table: capacity\n    x: month\n    y: gw\n    series: country\n"
        "    y_min: 0\n    y_max: 12\n    height: 70mm\n    annotations:\n      - {x: 2025-10-01, label: Auction}\n      - {y: 10, label: Ten gigawatts}\n"
    ))
    text = squash(text_of(build(spec).output))
    assert "Auction" in text and "Ten gigawatts" in text
    assert "10.0" in text and "12.5" not in text, "y_max caps the axis"


def test_the_same_series_keeps_its_colour_in_every_chart():
    from deckgen.charts.data import ChartData, Series
    from deckgen.render.charts import SeriesColours

    def chart(*names):
        return ChartData("line", "t", "date", (1,), tuple(Series(n, (1.0,), keyed=True) for n in names), None, None, "", "")

    colours = SeriesColours(["#111111", "#222222", "#333333", "#444444"])
    first = dict(zip(["Germany", "Italy", "Spain"], colours.for_chart(chart("Germany", "Italy", "Spain"))))
    second = dict(zip(["Spain", "France", "Germany"], colours.for_chart(chart("Spain", "France", "Germany"))))
    assert second["Spain"] == first["Spain"] and second["Germany"] == first["Germany"]
    assert len(set(second.values())) == 3, "series of one chart never share a colour"


def test_date_ticks_follow_the_span_and_the_locale():
    from deckgen.render.chart_draw import date_ticks
    from deckgen.render.charts import ChartStyle
    from deckgen.render.fonts import FontNames

    fonts = FontNames("Helvetica", "Helvetica-Bold", "Helvetica-Oblique", "Helvetica-BoldOblique")
    style = ChartStyle(fonts, 8, "#000000", "#555555", "#cccccc", ("#000000",), "#000000")
    months = [dt.date(2024 + (6 + i) // 12, (6 + i) % 12 + 1, 1) for i in range(24)]
    ticks, labels = date_ticks(months, 420, style, "en_US")
    assert labels[0] == "Jul 2024" and "Jan 2025" in labels and all(t.day == 1 for t in ticks)
    assert len(set((t.month - 1) % 3 for t in ticks)) == 1, "quarterly ticks, evenly spaced"
    _, narrow = date_ticks(months, 150, style, "en_US")
    assert narrow == ["2025", "2026"], narrow
    _, german = date_ticks(months, 420, style, "de_DE")
    assert "Jan. 2025" in german
    long_months = [dt.date(2000 + i // 12, i % 12 + 1, 1) for i in range(300)]
    ticks, labels = date_ticks(long_months, 420, style, "en_US")
    assert all(re.fullmatch(r"\d{4}", label) for label in labels) and all(t.month == 1 for t in ticks)
    assert len({b.year - a.year for a, b in zip(ticks, ticks[1:])}) == 1 and len(ticks) <= 15


def test_a_long_formatted_table_flows_across_pages_with_its_header(project: Path):
    rows = ["project,country,mw,capex_eur,cod"]
    note = '"Germany, a site whose grid connection waits on a substation upgrade, which is why it is listed here"'
    rows += [f"Project {n:03d},{note if n % 7 == 3 else 'Germany'},{100 + n},{25_000_000 + n * 1_000_000},"
             f"2026-{n % 12 + 1:02d}-15" for n in range(150)]
    (project / "data" / "grid-storage" / "register.csv").write_text("\n".join(rows) + "\n")
    spec = write_spec(project, (
        "  - type: narrative\n    title: Before the table\n    body: A short paragraph.\n"
        "  - type: table\n    title: Every project\n    table: register\n    columns:\n"
        "      - {key: project}\n      - {key: country}\n      - {key: mw, label: Power}\n"
        "      - {key: capex_eur, label: Capex}\n"
        "      - {key: cod, label: Online}\n"
    ))
    spec.write_text(spec.read_text().replace("sections:\n", REGISTER + "sections:\n"))
    result = build(spec, strict=False)
    pages = page_texts(result.output)
    assert "Before the table" in pages[0] and "Project 000" in pages[0], "the table starts under the text, no forced break"
    table_pages = [page for page in pages if "Project 0" in page or "Project 1" in page]
    assert len(table_pages) >= 3
    for page in table_pages:
        assert re.search(r"Project\s+Country\s+Power\s+\(MW\)\s+Capex\s+Online", page), "header not repeated on every page"
    shown = [int(n) for page in pages for n in re.findall(r"Project (\d{3})", page)]
    assert shown == list(range(150)), "every row once, in order, across the page breaks"
    text = squash(text_of(result.output))
    assert re.search(r"Project 000\s+Germany\s+100\s+€25M\s+15 Jan 2026", text), "numbers, money and dates formatted by unit and locale"
    assert "Project 149" in text
    for page in pages:  # numbers and dates never break across lines
        assert not re.search(r"\d,\s*\n\s*\d|\bJan\s*\n\s*2026", page)


def test_a_table_section_takes_column_widths_as_given(project: Path):
    spec = write_spec(project, (
        "  - type: table\n    title: Costs\n    table: costs\n    columns:\n"
        "      - {key: market, width: 60mm}\n      - {key: low, label: From}\n      - {key: high, label: To, align: center}\n"
    ))
    result = build(spec)
    text = squash(text_of(result.output))
    assert "Market From (€/kWh) To (€/kWh)" in text
    assert "Germany 215 260" in text and "Netherlands 240 –" in text, "the header names the unit, the cells are numbers"


def test_custom_units_format_figures_tables_and_axes():
    from deckgen.formatting import format_number, format_tick
    from deckgen.units import UnitDef, unit_from_def

    gw = unit_from_def("GW", UnitDef(suffix=" GW", decimals=1))
    eur_kwh = unit_from_def("EUR/kWh", UnitDef(prefix="€", suffix="/kWh", decimals=0))
    bp = unit_from_def("bp", UnitDef(suffix=" bp"))
    assert format_number(Decimal("34.04"), gw, "en_US") == "34.0 GW"
    assert format_number(Decimal("1234.5"), gw, "de_DE") == "1.234,5 GW"
    assert format_number(Decimal("215"), eur_kwh, "en_US") == "€215/kWh"
    assert format_number(Decimal("25"), bp, "en_US") == "25 bp"
    assert format_tick(2.5, 0.5, gw, "en_US") == "2.5"  # the unit goes to the axis title
    assert format_tick(-200, 100, eur_kwh, "en_US") == "\u2212200"
    dollars = unit_from_def("usd", UnitDef(prefix="$", decimals=0))
    assert format_tick(-200, 100, dollars, "en_US") == "\u2212$200"


def test_derived_figures_match_the_table(project: Path):
    spec = write_spec(project, (
        "  - type: narrative\n    title: Derived\n    body: Total {{ installed_total }}, Germany {{ installed_germany }},"
        " growth {{ germany_growth }}, {{ project_count }} projects, largest {{ largest_project_mw }}.\n"
    ))
    result = build(spec, allow_stale=True)
    text = squash(text_of(result.output))
    capacity = (project / "data" / "grid-storage" / "capacity.csv").read_text().splitlines()[1:]
    last = [line.split(",") for line in capacity if line.startswith("2026-06-01")]
    total = sum(Decimal(cells[2]) for cells in last)
    germany = [line.split(",") for line in capacity if ",Germany," in line]
    growth = (Decimal(germany[-1][2]) - Decimal(germany[0][2])) / Decimal(germany[0][2]) * 100
    assert f"Total {total:.1f} GW" in text
    assert f"Germany {Decimal(germany[-1][2]):.1f} GW" in text
    assert f"growth {growth:.0f}%" in text
    assert "60 projects" in text and "largest 500 MW" in text


def test_a_series_is_as_fresh_as_its_dataset_not_its_first_row(project: Path, cli):
    spec = write_spec(project, "  - type: chart\n    kind: line\n    title: Fresh\n    table: capacity\n    x: month\n    y: gw\n    series: country\n")
    spec.write_text(spec.read_text().replace("locale: en_GB\n", "locale: en_GB\nchecks: {max_age_days: 30}\n"))
    result = cli("validate", spec, cwd=project)
    assert "capacity" not in result.stderr, result.stderr  # its first month is two years old; the table is current
    spec.write_text(spec.read_text().replace("date: 2026-07-15", "date: 2026-09-15"))
    result = cli("validate", spec, cwd=project)
    assert result.code == 5
    assert re.search(r"table 'capacity' is stale: as of 2026-06-30, 77 days before", result.stderr)


def test_the_second_example_builds_every_kind_it_promises(tmp_path):
    from conftest import copy_project

    root = copy_project(tmp_path)
    result = build(root / "specs" / "grid-storage.yaml")
    text = squash(text_of(result.output))
    for phrase in ("European Grid Storage Monthly", "Exhibit 1: Installed capacity by country", "Italian auction",
                   "Exhibit 2: Quarterly additions by chemistry", "Exhibit 3: Share of quarterly additions",
                   "Exhibit 6: Installed cost by market", "Exhibit 4: Growth since July 2024",
                   "Installed capacity, Jul 2024=100", "Exhibit 8: The project register", "illustrative"):
        assert phrase in text, phrase
    again = build(root / "specs" / "grid-storage.yaml", output=tmp_path / "again.pdf")
    assert again.output.read_bytes() == result.output.read_bytes(), "rebuilds are byte-identical"


def _chart(body: str, kind: str = "line", table: str = "capacity") -> str:
    return f"  - type: chart\n    kind: {kind}\n    title: T\n    table: {table}\n{body}"


CHART_ERRORS = {
    "unknown column": (_chart("    x: month\n    y: gww\n    series: country\n"),
                       "38:8: unknown column 'gww' in table 'capacity'; did you mean 'gw'?"),
    "y not numeric": (_chart("    x: month\n    y: country\n"),
                      "38:8: column 'country' of table 'capacity' is text, not a number; its number columns: gw"),
    "x of the wrong type": (_chart("    x: country\n    y: gw\n    where: {month: last}\n", kind="scatter"),
                            "37:8: kind: scatter needs x to be a number column; 'country' is text"),
    "nothing left after where": (_chart("    x: month\n    y: gw\n    where: {country: Atlantis}\n"),
                                 "39:22: no row of table 'capacity' has country 'Atlantis'; check the value, "
                                 "or set if_empty: \"text to print\" to print that instead of an empty chart"),
    "unknown column in where": (_chart("    x: month\n    y: gw\n    where: {contry: Germany}\n"),
                                "39:21: unknown column 'contry' in table 'capacity'; did you mean 'country'?"),
    "too many series": (_chart("    x: cod\n    y: mw\n    series: project\n", table="projects"),
                        "39:13: 60 series; a chart can show at most 12; narrow it with where: or show the data as a table"),
    "range without ends": (_chart("    x: market\n    y: low\n", kind="range", table="costs"),
                           "33:5: sections.0: kind: range needs 'low' and 'high' columns (the ends of each bar)"),
    "several rows per bar": (_chart("    x: country\n    y: mw\n", kind="hbar", table="projects"),
                             "37:8: several rows for country Netherlands; a chart needs one value each; filter them with "
                             "where:, name a series column, or set agg: sum | mean | min | max | last"),
    "mixed units": (_chart("    x: project\n    y: [mw, mwh]\n", kind="bar", table="projects"),
                    "38:8: the y columns have different units (MW, MWh); one chart has one value axis; draw them in separate charts"),
    "annotation off the axis": (_chart("    x: month\n    y: gw\n    series: country\n    annotations:\n      - {x: 2030-01-01, label: Later}\n"),
                                "41:13: 2030-01-01 is outside the chart's dates (2024-07-01 to 2026-06-01)"),
    "y_min above the data": (_chart("    x: month\n    y: gw\n    series: country\n    y_min: 50\n"),
                             "40:12: y_min 50 is above every value (the largest is 9.17)"),
    "unknown table": (_chart("    x: month\n    y: gw\n", table="capacty"),
                      "36:12: unknown table 'capacty'; did you mean 'capacity'?"),
    "unknown kind": (_chart("    x: month\n    y: gw\n", kind="pie"),
                     "34:11: sections.0.kind: Input should be 'line', 'area', 'bar', 'stacked_bar', 'percent_bar', 'hbar', 'range', 'scatter' or 'waterfall'"),
    "table section column": ("  - type: table\n    title: T\n    table: projects\n    columns:\n      - {key: projekt}\n",
                             "37:15: unknown column 'projekt' in table 'projects'; did you mean 'project'?"),
}


@pytest.mark.parametrize("case", sorted(CHART_ERRORS))
def test_chart_mistakes_are_caught_at_validate_where_they_were_made(project: Path, cli, case: str):
    body, expected = CHART_ERRORS[case]
    spec = write_spec(project, body)
    result = cli("validate", "specs/t.yaml", cwd=project)
    errors = [line for line in result.stderr.splitlines() if "warning" not in line and "error(s)" not in line]
    assert result.code == 1
    assert errors == [f"specs/t.yaml:{expected}"]
    build_result = cli("build", "specs/t.yaml", cwd=project)
    assert build_result.code == 1 and not (project / "dist" / "t.pdf").exists(), "build refuses what validate refuses"


DERIVED_ERRORS = {
    "unknown column": ("{table: capacity, column: gww, where: {month: last}, agg: sum}",
                       "figure 'bad': unknown column 'gww' in table 'capacity'; did you mean 'gw'?"),
    "several rows for one value": ("{table: capacity, column: gw, where: {month: last}}",
                                   "figure 'bad': 6 rows match; a figure's value needs exactly one; narrow where: or set agg: sum | mean | last ..."),
    "change without an order": ("{table: capacity, column: gw, where: {country: Germany}, agg: change}",
                                "figure 'bad': agg: change needs 'over: COLUMN' to order the rows by; e.g. over: month"),
    "unknown table": ("{table: capcity, column: gw}", "figure 'bad': unknown table 'capcity'; did you mean 'capacity'?"),
    "where on a date that is not one": ("{table: capacity, column: gw, where: {month: soon}, agg: sum}",
                                        "figure 'bad': 'soon' is not a date (YYYY-MM-DD), and column 'month' holds dates"),
}


@pytest.mark.parametrize("case", sorted(DERIVED_ERRORS))
def test_derived_figure_mistakes_point_into_the_figures_file(project: Path, cli, case: str):
    definition, message = DERIVED_ERRORS[case]
    figures = project / "data" / "grid-storage" / "figures.yaml"
    figures.write_text(figures.read_text() + f"  bad: {definition}\n")
    line = len(figures.read_text().splitlines())
    write_spec(project, "  - type: narrative\n    title: N\n    body: '{{ bad }}'\n")
    result = cli("validate", "specs/t.yaml", cwd=project)
    errors = [line for line in result.stderr.splitlines() if "warning" not in line and "error(s)" not in line]
    assert result.code == 1
    assert len(errors) == 1 and errors[0].startswith(f"data/grid-storage/figures.yaml:{line}:"), errors
    assert errors[0].split(": ", 1)[1] == message


def test_units_are_declared_once_and_checked(project: Path, cli):
    figures = project / "data" / "grid-storage" / "figures.yaml"
    text = figures.read_text().replace("unit: GW, as_of", "unit: GWW, as_of")
    figures.write_text(text + "units:\n  GW: {suffix: ' GW'}\n")
    write_spec(project, "  - type: narrative\n    title: N\n    body: '{{ target_2030 }}'\n")
    result = cli("validate", "specs/t.yaml", cwd=project)
    assert result.code == 1
    errors = [line for line in result.stderr.splitlines() if "warning" not in line and "error(s)" not in line]
    assert any(line.startswith("data/grid-storage/figures.yaml:") and "duplicate key 'units'" in line for line in errors), errors


def _readme_block(after: str) -> str:
    """The first YAML block after ``after`` on the chart kinds page of the docs (docs/charts/index.md)."""
    page = (Path(__file__).resolve().parent.parent / "docs" / "charts" / "index.md").read_text()
    start = page.index("```yaml", page.index(after)) + len("```yaml\n")
    return page[start:page.index("```", start)]


def test_the_readme_has_a_working_example_of_every_kind(project: Path):
    block = _readme_block("One example per kind")
    kinds = re.findall(r"kind: (\w+)", block)
    assert sorted(kinds) == sorted(KINDS), "one example per kind"
    sections = "".join("  " + line + "\n" for line in block.splitlines())
    result = build(write_spec(project, sections))
    text = squash(text_of(result.output))
    assert [int(n) for n in re.findall(r"Exhibit (\d+):", text)] == list(range(1, len(kinds) + 1))


def test_the_readme_first_chart_works_as_written(project: Path):
    block = _readme_block("Your first chart")  # the example project's CSV, with its columns inferred
    block = block.replace("data:\n", "data:\n  sources: ../data/grid-storage/sources.yaml\n")
    spec = project / "specs" / "first.yaml"
    spec.write_text("title: First\ndate: 2026-07-15\nbrand: ../assets/brand.yml\n" + block + "  - type: sources\n")
    text = squash(text_of(build(spec).output))
    assert "Exhibit 1: Installed capacity by country" in text and "Germany" in text and "Jan 2025" in text


def test_unchanged_charts_come_from_the_cache_without_matplotlib(tmp_path: Path):
    import subprocess
    import sys

    from conftest import copy_project

    root = copy_project(tmp_path / "p")
    script = ("import sys; from deckgen.build import build; r = build(sys.argv[1]); "
              "print('matplotlib' in sys.modules)")
    spec = str(root / "specs" / "grid-storage.yaml")
    first = subprocess.run([sys.executable, "-c", script, spec], capture_output=True, text=True, check=True)
    cold = (root / "dist" / "grid-storage.pdf").read_bytes()
    assert first.stdout.split()[0] == "True"  # the library draws in-process (only the CLI starts a chart process)
    assert list((root / "dist" / ".deckgen" / "charts").glob("*.json")), "the drawn charts were kept"
    second = subprocess.run([sys.executable, "-c", script, spec], capture_output=True, text=True, check=True)
    assert second.stdout.split()[0] == "False", "a build whose charts are unchanged does not import matplotlib"
    assert (root / "dist" / "grid-storage.pdf").read_bytes() == cold, "cached charts give the same bytes"


def test_charts_drawn_two_at_a_time_give_the_pdf_drawn_one_by_one(tmp_path: Path):
    """With several charts missing from the cache, two forked copies of the build draw them while the
    build goes on; the PDF is byte for byte the one a build that draws each chart itself, in order, writes."""
    import subprocess
    import sys

    from conftest import copy_project

    root = copy_project(tmp_path / "p")
    spec = root / "specs" / "grid-storage.yaml"
    script = ("import sys; from deckgen.render import charts; from deckgen.build import build; "
              "drawn = []; original = charts.draw_missing; "
              "charts.draw_missing = lambda *a: drawn.append(original(*a)) or drawn[-1]; "
              "build(sys.argv[1]); print(drawn[0])")
    run = subprocess.run([sys.executable, "-c", script, str(spec)], capture_output=True, text=True, check=True)
    assert int(run.stdout.split()[-1]) >= 4, "the charts were started before layout, shared by two processes"
    from deckgen.build import build_bytes

    assert (root / "dist" / "grid-storage.pdf").read_bytes() == build_bytes(spec)  # no cache: one by one


def _cold_cli_build(root: Path, before: str = "", spec: str = "investor") -> subprocess.CompletedProcess:
    """``deckgen build`` of a brief (the investor brief) with no chart cache, in a fresh process that
    reports whether it loaded matplotlib itself; ``before`` runs first (in that process)."""
    import shutil
    import sys

    shutil.rmtree(root / "dist", ignore_errors=True)
    script = ("import sys, os, signal\n" + before +
              f"from deckgen.cli import main\nsys.argv = ['deckgen', 'build', 'specs/{spec}.yaml']\n"
              "try:\n    main()\nexcept SystemExit as exit:\n    code = exit.code\n"
              "print('matplotlib' in sys.modules, code)\n")
    return subprocess.run([sys.executable, "-c", script], cwd=root, capture_output=True, text=True, timeout=300)


@pytest.mark.skipif((os.cpu_count() or 1) < 2 or not hasattr(os, "fork"), reason="the chart process needs a second core and fork")
def test_a_cold_build_draws_its_charts_in_the_chart_process_and_writes_the_same_bytes(tmp_path: Path):
    from conftest import copy_project

    from deckgen.build import build_bytes

    root = copy_project(tmp_path / "p")
    run = _cold_cli_build(root)
    assert run.stdout.split()[-2:] == ["False", "0"], run.stderr  # built, and matplotlib never loaded here
    assert len(list((root / "dist" / ".deckgen" / "charts").glob("*.json"))) >= 2  # the two sector breakdowns
    assert (root / "dist" / "investor.pdf").read_bytes() == build_bytes(root / "specs" / "investor.yaml")


@pytest.mark.skipif((os.cpu_count() or 1) < 2 or not hasattr(os, "fork"), reason="the chart process needs a second core and fork")
def test_a_chart_process_that_dies_leaves_the_build_to_draw_its_charts(tmp_path: Path):
    from conftest import copy_project

    from deckgen.build import build_bytes

    root = copy_project(tmp_path / "p")
    kill = ("from deckgen.render import chart_worker\n"
            "start = chart_worker.start\n"
            "def start_and_kill():\n"
            "    worker = start()\n"
            "    os.kill(worker.pid, signal.SIGKILL)\n"
            "    return worker\n"
            "chart_worker.start = start_and_kill\n")
    run = _cold_cli_build(root, kill)
    assert run.stdout.split()[-2:] == ["True", "0"], run.stderr  # drawn here, after all
    assert (root / "dist" / "investor.pdf").read_bytes() == build_bytes(root / "specs" / "investor.yaml")


def _in_the_chart_process_copy(action: str) -> str:
    """Code for ``_cold_cli_build``'s ``before``: ``action`` runs first thing in the copy the chart
    process makes of itself (a fork whose parent is not the build)."""
    return ("real_fork = os.fork\n"
            "def fork():\n"
            "    pid = real_fork()\n"
            "    if pid == 0 and os.getppid() != build_pid:\n"
            f"        {action}\n"
            "    return pid\n"
            "build_pid = os.getpid()\n"
            "os.fork = fork\n")


@pytest.mark.skipif((os.cpu_count() or 1) < 2 or not hasattr(os, "fork"), reason="the chart process needs a second core and fork")
@pytest.mark.parametrize("copy", ["draws", "dies"])
def test_the_chart_process_shares_a_long_list_with_a_copy_of_itself(tmp_path: Path, copy: str):
    """Four charts or more are shared with a copy of the chart process; when the copy dies, the
    chart process draws its charts. Either way the build never loads matplotlib and writes the bytes
    a build drawing every chart itself writes."""
    from conftest import copy_project

    from deckgen.build import build_bytes

    root = copy_project(tmp_path / "p")
    action = "open('copy-ran', 'w').close()" if copy == "draws" else "os.kill(os.getpid(), signal.SIGKILL)"
    run = _cold_cli_build(root, _in_the_chart_process_copy(action), spec="grid-storage")
    assert run.stdout.split()[-2:] == ["False", "0"], run.stderr
    assert (root / "copy-ran").exists() == (copy == "draws")
    assert (root / "dist" / "grid-storage.pdf").read_bytes() == build_bytes(root / "specs" / "grid-storage.yaml")


@pytest.fixture
def slow_chart_process(tmp_path: Path, monkeypatch):
    """A real chart process (its pipes, copy and cache) whose drawing is slowed to 0.15 s a chart, to
    make the order it draws in plain; the cache folder and 12 planned charts to send it."""
    import time
    from types import SimpleNamespace

    from deckgen.render import chart_draw, chart_worker, fonts

    if (os.cpu_count() or 1) < 2 or not hasattr(os, "fork"):
        pytest.skip("the chart process needs a second core and fork")

    def slow_chart(data, style, colours, width):
        time.sleep(0.15)
        return 100.0, []

    monkeypatch.setattr(chart_draw, "draw_chart", slow_chart)
    monkeypatch.setattr(fonts, "register_family", lambda family: None)
    monkeypatch.setattr(chart_worker, "_current", None)
    worker = chart_worker.start()
    if worker is None:
        pytest.skip("another thread runs in this test process: no chart process is forked")
    cache = tmp_path / "charts"
    cache.mkdir()
    planned = [(f"planned-{index}", None, None, [], 400.0) for index in range(12)]
    assert worker.submit(SimpleNamespace(name="Body", files=()), cache, planned)
    try:
        yield worker, cache, [key for key, *_ in planned]
    finally:
        chart_worker.stop(at_once=True)


def test_a_chart_the_build_waits_for_is_drawn_before_the_charts_sent_earlier(slow_chart_process):
    """A chart layout did not plan (one shortened to fit its page) is drawn next, not after every
    chart sent before it: the chart process reads its jobs between two charts."""
    worker, cache, planned = slow_chart_process
    assert worker.draw_now(cache, "shortened", None, None, [], 400.0)
    assert (cache / "shortened.json").is_file()
    assert len(worker.finished - {"shortened"}) <= 2, "at most a chart in each process was under way"
    for key in planned:
        worker.wait_for(key)
    assert worker.finished == {"shortened", *planned}
    assert sorted(path.stem for path in cache.glob("*.json")) == sorted(worker.finished)


def test_a_finished_build_stops_its_chart_process_after_the_chart_under_way(slow_chart_process):
    """Charts the build never waited for (planned, then shortened to fit) are not drawn after it has
    finished: the chart process and its copy end with the charts they were drawing, in the cache."""
    import time

    from deckgen.render import chart_worker

    worker, cache, planned = slow_chart_process
    worker.wait_for(planned[0])
    chart_worker.stop()
    with pytest.raises(ProcessLookupError):
        os.kill(worker.pid, 0)  # ended, and reaped by stop()
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:  # its copy ends with it
        try:
            os.killpg(worker.pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.05)
    else:
        pytest.fail("a copy of the chart process outlived it")
    drawn = {path.stem for path in cache.glob("*.json")}
    assert planned[0] in drawn and len(drawn) <= 5, drawn
    assert not [path for path in cache.iterdir() if path.suffix != ".json"]


def test_a_chart_tried_beside_its_notes_is_drawn_only_if_the_page_keeps_it(project: Path, monkeypatch):
    """An exhibit that misses its page tries its chart beside its notes at two heights and keeps at
    most one: fewer charts are fetched than trying them all would draw, and the PDF is the one drawing
    each try writes. The first layout of the examples (A4 and Letter, contents off and on) where an
    exhibit tries two heights is the one checked."""
    from deckgen.build import build_bytes
    from deckgen.render import charts, kit
    from deckgen.render import pdf as pdf_module

    fetched = []
    chart_drawing = charts.chart_drawing
    monkeypatch.setattr(charts, "chart_drawing", lambda data, *rest: fetched.append(data.options.get("height"))
                        or chart_drawing(data, *rest))  # a height given: a chart drawn to fit, not as specified
    measure = kit.ChartToDraw.wrap

    def eager(self, *args):  # fetched as soon as the exhibit is measured, as before the deferral
        self.drawing()
        return measure(self, *args)

    def fitted_and_bytes(spec, overrides, how) -> tuple[int, bytes]:
        fetched.clear()
        pdf_module._settled_pages.clear()  # each build from no guess of its page references: the same passes
        monkeypatch.setattr(kit.ChartToDraw, "wrap", how)
        pdf = build_bytes(spec, overrides=overrides, allow_stale=True)
        return len([height for height in fetched if height is not None]), pdf

    layouts = [(project / "specs" / f"{name}.yaml", [f"page_size={size}", f"toc={toc}"])
               for name in ("investor", "grid-storage") for size in ("A4", "Letter") for toc in ("false", "true")]
    for spec, overrides in layouts:
        tried, drawing_each = fitted_and_bytes(spec, overrides, eager)
        if tried >= 2:
            break
    assert tried >= 2, "no layout of the examples tries a chart beside its notes: give this test a brief that does"
    kept, deferred = fitted_and_bytes(spec, overrides, measure)
    assert deferred == drawing_each
    assert kept < tried, (kept, tried)


def test_a_cached_chart_of_another_height_than_layout_plans_is_drawn_again(tmp_path: Path):
    """An entry whose height is not the one layout planned for (written by other drawing code) costs a
    redraw, never the build: the PDF is the one a build with a clean cache writes."""
    import json
    import subprocess
    import sys

    from conftest import copy_project

    root = copy_project(tmp_path / "p")
    script = "import sys; from deckgen.build import build; build(sys.argv[1])"
    spec = str(root / "specs" / "grid-storage.yaml")
    subprocess.run([sys.executable, "-c", script, spec], check=True, capture_output=True)
    clean = (root / "dist" / "grid-storage.pdf").read_bytes()
    entries = list((root / "dist" / ".deckgen" / "charts").glob("*.json"))
    assert entries
    for entry in entries:
        kept = json.loads(entry.read_text())
        kept["height"] += 10
        entry.write_text(json.dumps(kept))
    run = subprocess.run([sys.executable, "-c", script, spec], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert (root / "dist" / "grid-storage.pdf").read_bytes() == clean
    rerun = subprocess.run([sys.executable, "-c", script, spec], capture_output=True, text=True)
    assert rerun.returncode == 0 and (root / "dist" / "grid-storage.pdf").read_bytes() == clean  # entries replaced
