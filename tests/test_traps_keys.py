"""Traps: specs that validated before and then printed something wrong or silently ignored a key.
Each is now refused with its exact located message, or built as written."""

from __future__ import annotations

from pathlib import Path

import pytest

from deckgen.errors import ExitCode
from pdfread import squash, text_of

GRID = Path("specs") / "grid-storage.yaml"
INVESTOR = Path("specs") / "investor.yaml"
BEFORE_SOURCES = "  - type: sources\n    title: Sources\n"
EMPTY_TABLE = 'or set if_empty: "text to print" to print that instead of an empty table'
EMPTY_CHART = 'or set if_empty: "text to print" to print that instead of an empty chart'
TABLE_ROWS = "remove it (it applies to a chart drawn from a table's rows)"
SORTED_KINDS = "remove it (it applies to kind: bar, stacked_bar, percent_bar, hbar, range)"
CATEGORIES = "remove it (sort and limit apply to categories: a text x, figures or a breakdown)"

CAPACITY = "  - {type: chart, kind: line, title: Trap, table: capacity, x: month, y: gw, series: country"
ADDITIONS = "  - {type: chart, kind: bar, title: Trap, table: additions, x: quarter, y: lfp"
PIPELINE = "  - {type: chart, kind: hbar, title: Trap, table: projects, x: country, y: mw, agg: sum"
SCATTER = "  - {type: chart, kind: scatter, title: Trap, table: projects, x: mwh, y: capex_eur"
FIGURES = "  - {type: chart, kind: bar, title: Trap, figures: [{figure: installed_total}, {figure: installed_germany}]"
REGISTER = "  - {type: table, title: Trap, table: projects"

# name: (the section added to the grid-storage brief, the text its error points at, the error after LINE:COL)
REFUSED = {
    "value_labels on a line chart": (CAPACITY + ", value_labels: true}", "true",
                                     "'value_labels' has no effect on kind: line; remove it (it applies to kind: bar, hbar, waterfall)"),
    "x_label on an hbar chart": (PIPELINE + ", x_label: Country}", "Country}",
                                 "'x_label' has no effect on kind: hbar; remove it (it applies to kind: line, area, bar, "
                                 "stacked_bar, percent_bar, scatter, waterfall)"),
    "sort on a line chart": (CAPACITY + ", sort: descending}", "descending",
                             f"'sort' has no effect on kind: line; {SORTED_KINDS}"),
    "limit on a scatter chart": (SCATTER + ", limit: 10}", "10}", f"'limit' has no effect on kind: scatter; {SORTED_KINDS}"),
    "agg on a scatter chart": (SCATTER + ", agg: mean}", "mean",
                               "'agg' has no effect on kind: scatter; remove it (it applies to kind: line, area, bar, "
                               "stacked_bar, percent_bar, hbar, range, waterfall)"),
    "label on a bar chart": (PIPELINE + ", label: project}", "project}",
                             "'label' has no effect on kind: hbar; remove it (it applies to kind: scatter)"),
    "sort on a bar chart over dates": (ADDITIONS + ", sort: descending}", "descending",
                                       f"'sort' has no effect: x 'quarter' holds dates, drawn in order; {CATEGORIES}"),
    "limit on a bar chart over dates": (ADDITIONS + ", limit: 2}", "2}",
                                        f"'limit' has no effect: x 'quarter' holds dates, all drawn; {CATEGORIES}; "
                                        "narrow the range with where: instead"),
    "agg on a figures chart": (FIGURES + ", agg: sum}", "sum", f"'agg' has no effect on a chart drawn from figures; {TABLE_ROWS}"),
    "if_empty on a figures chart": (FIGURES + ", if_empty: None}", "None",
                                    f"'if_empty' has no effect on a chart drawn from figures; {TABLE_ROWS}"),
    "a typo'd country in a table's where": (REGISTER + ", where: {country: Germny}}", "Germny",
                                            f"no row of table 'projects' has country 'Germny'; did you mean 'Germany'? {EMPTY_TABLE}"),
    "a typo'd status in a chart's where": (PIPELINE + ", where: {status: Operatng}}", "Operatng",
                                           f"no row of table 'projects' has status 'Operatng'; did you mean 'Operating'? {EMPTY_CHART}"),
    "a range no row falls in": (REGISTER + ", where: {mw: {min: 100000}}}", "{min",
                                f"no row of table 'projects' has mw at least 100000; check the value, {EMPTY_TABLE}"),
    "two conditions no row meets together": (REGISTER + ", where: {country: Netherlands, status: Construction}}", "Construction",
                                             "no row left by the conditions before it (6) of table 'projects' has status "
                                             f"'Construction'; check the value, {EMPTY_TABLE}"),
    "decimals on a text column": (REGISTER + ", columns: [{key: project, decimals: 1}, {key: mw}]}", "1}",
                                  "'decimals' has no effect on column 'project', which holds text; remove it (it applies to "
                                  "number columns)"),
    "style on a date column": (REGISTER + ", columns: [{key: cod, style: long}, {key: mw}]}", "long}",
                               "'style' has no effect on column 'cod', which holds date; remove it (it applies to number columns)"),
}


def _add_section(project: Path, spec: Path, section: str) -> str:
    path = project / spec
    text = path.read_text("utf-8")
    assert text.count(BEFORE_SOURCES) == 1
    text = text.replace(BEFORE_SOURCES, f"{section}\n\n{BEFORE_SOURCES}")
    path.write_text(text, "utf-8")
    return text


def _at(text: str, needle: str, after: str) -> str:
    offset = text.index(needle, text.index(after))
    return f"{text.count(chr(10), 0, offset) + 1}:{offset - text.rfind(chr(10), 0, offset)}"


@pytest.mark.parametrize("trap", sorted(REFUSED))
def test_a_trap_is_refused_at_its_key(project, cli, trap):
    section, needle, message = REFUSED[trap]
    text = _add_section(project, GRID, section)

    result = cli("validate", GRID, cwd=project)

    assert result.code == ExitCode.INVALID, result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("specs/") and "warning:" not in line]
    assert errors == [f"specs/grid-storage.yaml:{_at(text, needle, section)}: {message}"]


# --- built as written -----------------------------------------------------------------------------


def _prepared_x(spec: Path, title: str) -> tuple:
    from deckgen import build

    report = build.check(spec).report
    [index] = [i for i, s in enumerate(report.spec.sections) if getattr(s, "title", None) == title]
    return report.prepared[index].x


def test_sort_and_limit_on_a_breakdown_chart_are_applied(project):
    _add_section(project, INVESTOR, "  - {type: chart, kind: range, title: The two largest sectors, breakdown: framework_by_sector,"
                                    " sort: descending, limit: 2}")

    assert _prepared_x(project / INVESTOR, "The two largest sectors") == (
        "Semiconductors & advanced manufacturing", "Pharmaceuticals & medical supplies")


def test_sort_on_a_figures_chart_orders_its_bars(project):
    _add_section(project, GRID, "  - {type: chart, kind: bar, title: Germany and the rest, sort: ascending, figures: "
                                "[{figure: installed_total, label: All countries}, {figure: installed_germany, label: Germany only}]}")

    assert _prepared_x(project / GRID, "Germany and the rest") == ("Germany only", "All countries")


def test_limit_on_a_figures_chart_leaves_out_the_rest_in_the_pdf(project, cli):
    _add_section(project, GRID, "  - {type: chart, kind: bar, title: Germany and the rest, sort: ascending, limit: 1, figures: "
                                "[{figure: installed_total, label: All countries}, {figure: installed_germany, label: Germany only}]}")

    result = cli("build", GRID, cwd=project)

    assert result.code == 0, result.stderr
    text = squash(text_of(project / "dist" / "grid-storage.pdf"))
    assert "Germany and the rest" in text and "Germany only" in text
    assert "All countries" not in text, "limit: 1 draws one bar"


def test_a_table_and_a_chart_with_if_empty_print_their_text(project, cli):
    _add_section(project, GRID, "  - {type: table, title: Projects in Austria, table: projects, where: {country: Austria},"
                                " if_empty: No Austrian project is in the register.}\n"
                                "  - {type: chart, kind: hbar, title: Austrian pipeline, table: projects, x: country, y: mw,"
                                " agg: sum, where: {country: Austria}, if_empty: No Austrian pipeline to chart.}")

    result = cli("build", GRID, cwd=project)

    assert result.code == 0, result.stderr
    text = squash(text_of(project / "dist" / "grid-storage.pdf"))
    assert "Projects in Austria No Austrian project is in the register." in text
    assert "Austrian pipeline No Austrian pipeline to chart." in text


def test_a_recipients_file_naming_a_section_by_position_is_refused(project, cli):
    (project / "desk.csv").write_text("email,name,sections.8.title\nann@example.com,Ann,Your holdings\n")

    result = cli("send", INVESTOR, "--recipients", "desk.csv", "--dry-run", cwd=project)

    assert result.code == ExitCode.INVALID
    assert result.stderr.startswith("desk.csv:1:12: sections.8.title: a recipient's variant names a section by its position")
    assert not (project / "dist" / "outbox").exists()
