"""Workbook datasets (.xlsx): a sheet becomes the same typed table as a CSV; each problem at its sheet and cell.

The workbooks are made here with openpyxl; cached formula values and error cells (which openpyxl does
not write) are put into the sheet's XML as Excel saves them.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest

openpyxl = pytest.importorskip("openpyxl")

SPEC = """\
title: Workbook test
date: 2026-07-15
brand: ../assets/brand.yml
checks: {disclosures: not-research}
data:
  sources: ../data/grid-storage/sources.yaml
  yields:
    path: ../data/em_data.xlsx
OPTIONS    source: illustrative-projects
    as_of: 2026-07-01
    columns: {date: date, Brazil: {type: number, unit: percent, decimals: 2}}
sections:
  - type: chart
    kind: line
    title: Brazil yields
    table: yields
    x: date
    y: Brazil
  - type: table
    title: Yields table
    table: yields
  - type: sources
"""

ROWS = [
    ["date", "Brazil", "Mexico", "note"],
    [dt.date(2026, 4, 30), 11.25, 8.5, "first"],
    [dt.date(2026, 5, 31), 11.5, 8.75, None],
    [dt.date(2026, 6, 30), 0.1 + 0.2, 9, "third"],
]


def make_book(path: Path, rows=ROWS, *, title: str = "yields", others: tuple[str, ...] = ("notes",), before: tuple[str, ...] = ()):
    book = openpyxl.Workbook()
    first = book.active
    for name in before:
        book.create_sheet(name, 0)
    first.title = title
    for row in rows:
        first.append(row)
    for name in others:
        book.create_sheet(name).append(["nothing", "here"])
    book.save(path)
    return book


def patch_sheet(path: Path, replacements: dict[bytes, bytes], part: str = "xl/worksheets/sheet1.xml") -> None:
    """Rewrite the sheet's XML as Excel would have saved it (cached values, error cells)."""
    source = zipfile.ZipFile(path)
    entries = [(info, source.read(info.filename)) for info in source.infolist()]
    source.close()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for info, data in entries:
            if info.filename == part:
                for old, new in replacements.items():
                    assert old in data, (old, data[-800:])
                    data = data.replace(old, new)
            target.writestr(info, data)


def write_spec(project: Path, options: str = "") -> None:
    (project / "specs" / "wb.yaml").write_text(SPEC.replace("OPTIONS", options))


def errors_of(result) -> list[str]:
    return [line for line in result.stderr.splitlines() if "warning" not in line and "error(s)" not in line]


def test_a_workbook_builds_a_chart_and_a_table(project: Path, cli):
    make_book(project / "data" / "em_data.xlsx")
    write_spec(project)
    result = cli("build", "specs/wb.yaml", cwd=project)
    assert result.code == 0, result.stderr
    from pdfread import squash, text_of

    text = squash(text_of(project / "dist" / "wb.pdf"))
    assert "Brazil yields" in text and "Yields table" in text
    # 0.1 + 0.2 as Excel shows it (15 significant digits: 0.30, not 0.300000000000000044), an empty cell as a dash
    assert "Apr 30, 2026 11.25% 8.50 first" in text, text
    assert "May 31, 2026 11.50% 8.75 –" in text, text
    assert "Jun 30, 2026 0.30% 9.00 third" in text, text


def test_the_sheet_by_name_and_by_default_the_first(project: Path, cli):
    book = project / "data" / "em_data.xlsx"
    make_book(book, title="yields", before=("cover",))  # 'cover' is the first sheet: no header of ours
    write_spec(project, "    sheet: yields\n")
    assert cli("validate", "specs/wb.yaml", cwd=project).code == 0
    write_spec(project)  # the first sheet, 'cover', is empty
    result = cli("validate", "specs/wb.yaml", cwd=project)
    assert result.code == 1
    assert errors_of(result) == ["data/em_data.xlsx[cover]!A1: the sheet is empty: expected a header row"]
    make_book(book, title="yields")
    assert cli("validate", "specs/wb.yaml", cwd=project).code == 0


def test_a_sheet_that_is_not_there(project: Path, cli):
    make_book(project / "data" / "em_data.xlsx")
    write_spec(project, "    sheet: yeilds\n")
    result = cli("validate", "specs/wb.yaml", cwd=project)
    assert result.code == 1
    assert errors_of(result) == ["specs/wb.yaml:9:12: no sheet 'yeilds' in em_data.xlsx (its sheets: 'yields', 'notes'); "
                                 "did you mean 'yields'?"]


def test_a_range_reads_only_its_cells(project: Path, cli):
    rows = [["Yields, end of month"], [], ["date", "Brazil", "Mexico", "note"], *ROWS[1:], [], ["Total", None, None, "ignored"]]
    make_book(project / "data" / "em_data.xlsx", rows=rows)
    write_spec(project, "    range: A3:D6\n")
    result = cli("build", "specs/wb.yaml", cwd=project)
    assert result.code == 0, result.stderr
    from pdfread import squash, text_of

    text = squash(text_of(project / "dist" / "wb.pdf"))
    assert "Jun 30, 2026 0.30% 9.00 third" in text and "ignored" not in text
    write_spec(project, "    range: A3:D500\n")  # room to grow: the rows below are read (and the total refused)
    result = cli("validate", "specs/wb.yaml", cwd=project)
    assert errors_of(result) == ["data/em_data.xlsx[yields]!A8: column 'date': 'Total' is not a date (YYYY-MM-DD)"]


@pytest.mark.parametrize("given, expected", [
    ("A3:D", "specs/wb.yaml:9:12: range 'A3:D' is not a range of cells such as A1:G530; write its top-left and "
             "bottom-right cells: A1:G530"),
    ("D6:A3", "specs/wb.yaml:9:12: range 'D6:A3' is not a range of cells such as A1:G530; its first cell is the top-left "
              "one, its second the bottom-right; rows 1 to 1048576, columns A to XFD"),
    ("K1:M9", "specs/wb.yaml:9:12: range 'K1:M9' is outside the cells of sheet 'yields' (its cells are A1:D4); its first "
              "row is the header: start it at the header's row"),
])
def test_a_bad_range(project: Path, cli, given: str, expected: str):
    make_book(project / "data" / "em_data.xlsx")
    write_spec(project, f"    range: {given}\n")
    result = cli("validate", "specs/wb.yaml", cwd=project)
    assert result.code == 1
    assert errors_of(result) == [expected]


def test_dates_and_datetimes_and_date_formatted_numbers(project: Path, monkeypatch):
    monkeypatch.chdir(project)
    rows = [["date", "Brazil", "at", "flag"],
            [dt.date(2026, 4, 30), 11.25, dt.datetime(2026, 4, 30, 16, 30), True],
            [46173, 11.5, dt.datetime(2026, 5, 29, 9, 5, 7), False]]  # 46173 formatted as a date: 2026-05-31
    make_book(book := project / "data" / "em_data.xlsx", rows=rows)
    loaded = openpyxl.load_workbook(book)
    loaded["yields"]["A3"].number_format = "yyyy-mm-dd"
    loaded.save(book)
    from deckgen.errors import Mark
    from deckgen.sources.workbook import read_workbook

    result = read_workbook(book, "yields", {"date": "date"}, lambda loc, key=False: Mark("spec", 1, 1))
    assert result.problems == []
    table = result.table
    assert [column.kind for column in table.columns] == ["date", "number", "text", "text"]
    assert table.rows == ((dt.date(2026, 4, 30), Decimal("11.25"), "2026-04-30 16:30", "true"),
                          (dt.date(2026, 5, 31), Decimal("11.5"), "2026-05-29 09:05:07", "false"))
    # A date-time is read without a time zone, so a datetime column says so, at its cell
    result = read_workbook(book, "yields", {"at": "datetime"}, lambda loc, key=False: Mark("spec", 1, 1))
    assert result.problems[0].render() == (
        "data/em_data.xlsx[yields]!C2: column 'at': '2026-04-30 16:30' has no time zone (add one: 2026-04-30 16:30 "
        "America/New_York, or an offset such as +09:00; or give the column its zone: columns: {NAME: {type: datetime, "
        "zone: Europe/London}})")
    # ... which the column can give
    from deckgen.tables import ColumnSpec

    result = read_workbook(book, "yields", {"at": ColumnSpec(type="datetime", zone="America/Sao_Paulo")},
                           lambda loc, key=False: Mark("spec", 1, 1))
    assert result.problems == []
    at = result.table.values("at")
    assert [value.isoformat() for value in at] == ["2026-04-30T16:30:00-03:00", "2026-05-29T09:05:07-03:00"]


def test_as_of_latest_on_a_workbook(project: Path, cli):
    make_book(project / "data" / "em_data.xlsx")
    (project / "specs" / "wb.yaml").write_text(SPEC.replace("OPTIONS", "").replace("as_of: 2026-07-01", "as_of: latest"))
    assert cli("validate", "specs/wb.yaml", cwd=project).code == 0
    from deckgen.resolve import resolve
    from deckgen.spec import load_spec

    report = resolve(load_spec(project / "specs" / "wb.yaml"))
    assert report.tables["yields"].as_of == dt.date(2026, 6, 30)  # the latest date in the sheet's date column


def test_a_bad_number_cell_is_located_at_its_sheet_and_cell(project: Path, cli):
    rows = [*ROWS, [dt.date(2026, 7, 31), "n/a", 9.25, "x"]]
    make_book(project / "data" / "em_data.xlsx", rows=rows)
    write_spec(project)
    result = cli("validate", "specs/wb.yaml", cwd=project)
    assert result.code == 1
    assert errors_of(result) == ["data/em_data.xlsx[yields]!B5: column 'Brazil': 'n/a' is not a number"]
    assert cli("build", "specs/wb.yaml", cwd=project).code == 1


def test_a_formula_gives_its_saved_value(project: Path, cli):
    rows = [*ROWS[:3], [dt.date(2026, 6, 30), "=AVERAGE(B2:B3)", 9, "third"]]
    make_book(book := project / "data" / "em_data.xlsx", rows=rows)
    patch_sheet(book, {b"<f>AVERAGE(B2:B3)</f><v></v>": b"<f>AVERAGE(B2:B3)</f><v>11.375</v>"})
    write_spec(project)
    result = cli("build", "specs/wb.yaml", cwd=project)
    assert result.code == 0, result.stderr
    from pdfread import squash, text_of

    assert "Jun 30, 2026 11.38% 9.00 third" in squash(text_of(project / "dist" / "wb.pdf"))


def test_a_formula_without_a_saved_value(project: Path, cli):
    rows = [*ROWS[:3], [dt.date(2026, 6, 30), "=AVERAGE(B2:B3)", 9, "third"]]
    make_book(project / "data" / "em_data.xlsx", rows=rows)  # openpyxl saves formulas without their values
    write_spec(project)
    result = cli("validate", "specs/wb.yaml", cwd=project)
    assert result.code == 1
    assert errors_of(result) == [
        "data/em_data.xlsx[yields]!B4: column 'Brazil': the formula =AVERAGE(B2:B3) has no saved value; open the file in "
        "Excel (or LibreOffice) and save it so its values are saved, or give values instead of formulas"]


def test_an_error_cell(project: Path, cli):
    rows = [*ROWS[:3], [dt.date(2026, 6, 30), "=B2/0", 9, "third"]]
    make_book(book := project / "data" / "em_data.xlsx", rows=rows)
    patch_sheet(book, {b'<c r="B4"><f>B2/0</f><v></v></c>': b'<c r="B4" t="e"><f>B2/0</f><v>#DIV/0!</v></c>'})
    write_spec(project)
    result = cli("validate", "specs/wb.yaml", cwd=project)
    assert result.code == 1
    assert errors_of(result) == ["data/em_data.xlsx[yields]!B4: column 'Brazil': the cell is an error (#DIV/0!); correct "
                                 "the formula (or the cell) in the workbook, or clear the cell"]


def test_merged_header_cells(project: Path, cli):
    rows = [["date", "Brazil", "Mexico", None], *ROWS[1:]]
    book = make_book(path := project / "data" / "em_data.xlsx", rows=rows)
    book["yields"].merge_cells("C1:D1")
    book.save(path)
    write_spec(project)
    result = cli("validate", "specs/wb.yaml", cwd=project)
    assert result.code == 1
    assert errors_of(result) == ["data/em_data.xlsx[yields]!C1: header cells C1:D1 are merged; unmerge them and give each "
                                 "column its own name (a heading over several columns can be each column's label:)"]


def test_empty_cells_and_hidden_rows(project: Path):
    rows = [ROWS[0], ROWS[1], [None, None, None, None], [dt.date(2026, 5, 31), None, None, None], ROWS[3]]
    book = make_book(path := project / "data" / "em_data.xlsx", rows=rows)
    book["yields"].row_dimensions[5].hidden = True  # hidden rows are read as they are
    book.save(path)
    from deckgen.errors import Mark
    from deckgen.sources.workbook import read_workbook

    result = read_workbook(path, "yields", {}, lambda loc, key=False: Mark("spec", 1, 1))
    assert result.problems == []
    assert [row[1:] for row in result.table.rows] == [
        (Decimal("11.25"), Decimal("8.5"), "first"), (None, None, None), (Decimal("0.3"), Decimal("9"), "third")]
    assert result.table.cell_mark(1, 1).file.endswith("em_data.xlsx[yields]!B4")  # the empty row is skipped, not renumbered


def test_a_text_file_named_xlsx(project: Path, cli):
    (project / "data" / "em_data.xlsx").write_text("date,Brazil\n2026-04-30,11.25\n")
    write_spec(project)
    result = cli("validate", "specs/wb.yaml", cwd=project)
    assert result.code == 1
    assert errors_of(result) == [
        "data/em_data.xlsx: not a workbook: em_data.xlsx is not a .xlsx file (an .xlsx, .xlsm or .ods is a zip archive); "
        "save it from Excel or LibreOffice as .xlsx; a password-protected workbook must be saved without its password"]


def test_a_zip_bomb_is_refused_before_it_is_read(project: Path, cli, monkeypatch):
    make_book(project / "data" / "em_data.xlsx")
    from deckgen.sources import workbook

    monkeypatch.setattr(workbook, "MAX_UNZIPPED_BYTES", 10_000)  # the example's few KB stand for gigabytes
    write_spec(project)
    result = cli("validate", "specs/wb.yaml", cwd=project)
    assert result.code == 1
    [error] = errors_of(result)
    assert error.startswith("data/em_data.xlsx: workbook unzips to ") and "more than the limit of 0 MB" in error


def test_cells_become_text_as_excel_shows_numbers():
    from deckgen.sources.workbook import cell_text, column_index, column_letters

    assert [cell_text(value) for value in (0.1 + 0.2, 12.0, -0.0, 1 / 3, 1e-7, -5.5, 1e20, True, None, 7)] == [
        "0.3", "12", "0", "0.333333333333333", "0.0000001", "-5.5", "100000000000000000000", "true", "", "7"]
    # a whole number past 15 digits is written as the double holds it, never rounded into another (an identifier)
    assert [cell_text(value) for value in (12345678901234567.0, float(2**53 + 1))] == ["12345678901234568", "9007199254740992"]
    assert cell_text(dt.datetime(2026, 1, 2, 3, 4, 5, 999)) == "2026-01-02 03:04:05"
    assert [column_letters(i) for i in (0, 25, 26, 16383)] == ["A", "Z", "AA", "XFD"]
    assert [column_index(s) for s in ("A", "Z", "AA", "XFD")] == [0, 25, 26, 16383]


def test_validate_does_not_import_the_renderers(project: Path, deckgen_process):
    make_book(project / "data" / "em_data.xlsx")
    write_spec(project)
    probe = ("import sys, runpy; sys.argv = ['deckgen', 'validate', 'specs/wb.yaml']\n"
             "try:\n    runpy.run_module('deckgen', run_name='__main__')\nexcept SystemExit as e:\n    code = e.code\n"
             "print('CODE', code, 'matplotlib' in sys.modules, 'reportlab' in sys.modules, 'python_calamine' in sys.modules)\n")
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", probe], cwd=project, capture_output=True, text=True, timeout=120)
    assert done.stdout.strip().splitlines()[-1] == "CODE 0 False False True", (done.stdout, done.stderr)


def test_a_zip_that_lies_about_its_sizes_is_refused(project: Path, cli):
    """The sizes checked are the zip's own; a sheet larger than its entry says is refused as it is read."""
    import struct

    make_book(book := project / "data" / "em_data.xlsx")
    with zipfile.ZipFile(book) as archive:
        size = archive.getinfo("xl/worksheets/sheet1.xml").file_size
    raw = book.read_bytes()
    assert raw.count(struct.pack("<I", size)) == 2  # the local header and the central directory
    book.write_bytes(raw.replace(struct.pack("<I", size), struct.pack("<I", 100)))
    write_spec(project)
    result = cli("validate", "specs/wb.yaml", cwd=project)
    assert result.code == 1
    assert errors_of(result) == ["data/em_data.xlsx: sheet 'yields' cannot be read: I/O error: File is larger than its "
                                 "declared uncompressed size; open it in Excel or LibreOffice and save it again as .xlsx"]


def test_header_problems_and_markup_are_at_their_cells(project: Path, cli):
    rows = [["date", "Brazil", "Brazil", "note"], *ROWS[1:]]
    make_book(project / "data" / "em_data.xlsx", rows=rows)
    write_spec(project)
    result = cli("validate", "specs/wb.yaml", cwd=project)
    assert errors_of(result) == ["data/em_data.xlsx[yields]!C1: duplicate column 'Brazil' (also column 2); rename one of them"]
    rows = [*ROWS[:3], [dt.date(2026, 6, 30), 11.0, 9, "see {{ nowhere }}"]]
    make_book(project / "data" / "em_data.xlsx", rows=rows)
    result = cli("validate", "specs/wb.yaml", cwd=project)
    assert result.code == 1
    assert errors_of(result) == ["data/em_data.xlsx[yields]!D4: unknown figure 'nowhere'"]
