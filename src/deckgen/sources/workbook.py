"""A workbook's sheet as a table: .xlsx / .xlsm (and .ods) read by python-calamine.

The sheet's cells become text the way a CSV's are, so ``tables.typed_table`` types them by the same
rules: numbers as their shortest decimal at Excel's 15 significant digits (0.1+0.2 is 0.3, 12.0 is 12),
date cells (and numbers formatted as dates) as ISO dates, date-times as ``YYYY-MM-DD HH:MM[:SS]``,
booleans as true/false, empty cells empty, formulas as the values the file saved with them. A cell is
located as ``data/em_data.xlsx[yields]!C17``.

Refused, each at its cell or at the spec's key: a sheet that is not there, a range that is malformed or
off the sheet's cells, an error cell (#DIV/0!, #N/A), a formula saved without its value, merged header
cells, a file that is not a workbook, and a workbook too big once unzipped (checked from the zip's own
entries before anything is read, and again while the sheet is scanned). Links to other workbooks are
never followed: a formula that refers to one gives the value saved with it. Hidden rows and columns
are read as they are.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from decimal import Decimal
from operator import attrgetter, methodcaller
from pathlib import Path, PurePosixPath
from typing import Any, Callable, Sequence

from ..errors import Mark, Problem, display_path
from ..tables import MAX_COLUMNS, MAX_ROWS, Cells, ColumnSpec, CsvResult, closest, needs_cell_scan, typed_table

MAX_WORKBOOK_BYTES = 50_000_000  # the file as stored (zipped)
MAX_UNZIPPED_BYTES = 500_000_000  # all its parts unzipped: a zip bomb is refused before it is read
EXCEL_ROWS, EXCEL_COLUMNS = 1_048_576, 16_384
_RANGE = re.compile(r"\$?([A-Za-z]{1,3})\$?([0-9]{1,7}):\$?([A-Za-z]{1,3})\$?([0-9]{1,7})")
_REF = re.compile(rb'\br="([A-Z]{1,3})([0-9]{1,7})"')
_ERROR_CELL = re.compile(rb'<c\b[^>]*\bt="e"[^>]*>')
_NO_VALUE = re.compile(rb'(?:</f>|<f\b[^>]*/>)\s*(?:<v\s*/>|<v>\s*</v>|<v\s*/>)?\s*</c>')
_FORMULA = re.compile(rb"<f\b[^>]*>(.*?)</f>", re.S)
_SEPARATOR = "\n"  # between cells, to look at all of them at once (not one of the control characters refused)


def column_letters(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def column_index(letters: str) -> int:
    """A -> 0, AA -> 26."""
    index = 0
    for letter in letters.upper():
        index = index * 26 + ord(letter) - 64
    return index - 1


def _number_text(value: float) -> str:
    """A double as Excel shows it at most: 15 significant digits, no exponent, no ".0" (0.1+0.2 is 0.3).
    A whole number of 10^15 or more is written whole, as the double holds it: never rounded to look
    like another (an identifier), and as a number refused for its size like a CSV's."""
    if value.is_integer() and abs(value) >= 1e15:
        return str(int(value))
    text = "%.15g" % value
    if "e" in text:
        text = format(Decimal(text), "f")
    return "0" if text == "-0" else text


def _datetime_text(value: dt.datetime) -> str:
    return value.replace(microsecond=0).isoformat(" ", "minutes" if value.second == 0 else "seconds")


def _datetimes_text(column: tuple) -> list[str]:
    """A column of date-times: in one pass in C when none has seconds (as most such columns)."""
    if any(map(attrgetter("second"), column)) or any(map(attrgetter("microsecond"), column)):
        return list(map(_datetime_text, column))
    return list(map(methodcaller("isoformat", " ", "minutes"), column))


def _time_text(value: dt.time) -> str:
    return value.replace(microsecond=0).isoformat("minutes" if value.second == 0 else "seconds")


# A cell's value (as python-calamine gives it) as a CSV would hold it, by its type: all but numbers
# and date-times in C, since a sheet has hundreds of thousands of cells
_TEXT: dict[type, Callable[[Any], str]] = {
    str: str, float: _number_text, int: str, bool: lambda value: "true" if value else "false",
    dt.date: dt.date.isoformat, dt.datetime: _datetime_text, dt.time: _time_text, dt.timedelta: str,
    type(None): lambda value: "",
}


def cell_text(value: Any) -> str:
    """A cell's value as a CSV would hold it."""
    return _TEXT.get(type(value), str)(value)


def _column_text(column: tuple) -> tuple[Sequence[str], bool]:
    """A column's cells as text (``cell_text`` of each, in one pass over a column of one type), and
    whether any of them was a text cell (which may hold markup or control characters)."""
    kinds = set(map(type, column))
    if kinds == {str}:
        return column, True
    if kinds == {float}:
        texts = list(map("%.15g".__mod__, column))
    elif kinds == {float, str}:  # numbers, and maybe empty cells
        texts = ["%.15g" % value if type(value) is float else value for value in column]
    elif kinds == {dt.datetime}:
        return _datetimes_text(column), False
    elif len(kinds) == 1:
        return list(map(_TEXT.get(kinds.pop(), str), column)), False
    else:
        texts = None
    if texts is None or "e" in "".join(texts) or "-0" in texts:  # an exponent, or text with an e: cell by cell
        convert = _TEXT.get
        texts = [convert(type(value), str)(value) for value in column]
    return texts, str in kinds


def read_workbook(
    path: Path, name: str, declared: dict[str, str | ColumnSpec], spec_mark: Callable[[tuple, bool], Mark],
    *, sheet: str | None = None, cell_range: str | None = None, source: str | None = None, as_of: dt.date | None = None,
) -> CsvResult:
    """The sheet ``sheet`` (default the first) of the workbook at ``path``, within ``cell_range`` (default its
    used cells; the first row is the header), as a typed Table; problems at the cell or the spec's key."""
    import python_calamine

    shown = display_path(path)
    file_mark = Mark(shown, 0, 0)

    def refuse(mark: Mark, message: str, hint: str | None = None, code: str = "table") -> CsvResult:
        return CsvResult(None, [Problem.at(mark, message, hint, code=code)], [])

    size = path.stat().st_size
    if size > MAX_WORKBOOK_BYTES:
        return refuse(file_mark, f"workbook is {size / 1e6:.1f} MB, more than the limit of {MAX_WORKBOOK_BYTES // 1_000_000} MB",
                      "keep only the sheet deckgen reads, or aggregate it")
    ods = path.suffix.lower() == ".ods"
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError):
        return refuse(file_mark, f"not a workbook: {path.name} is not a {path.suffix.lower()} file (an .xlsx, .xlsm or .ods is a zip archive)",
                      "save it from Excel or LibreOffice as .xlsx; a password-protected workbook must be saved without its password")
    with archive:
        unzipped = sum(entry.file_size for entry in archive.infolist())
        if unzipped > MAX_UNZIPPED_BYTES:
            return refuse(file_mark, f"workbook unzips to {unzipped / 1e6:.0f} MB, more than the limit of "
                                     f"{MAX_UNZIPPED_BYTES // 1_000_000} MB", "keep only the sheet deckgen reads, or aggregate it")
        try:
            book = python_calamine.CalamineWorkbook.from_path(str(path))
        except Exception as exc:  # calamine's errors (zip, XML, password) have no common base
            return refuse(file_mark, f"not a readable workbook: {_first_line(exc)}",
                          "open it in Excel or LibreOffice and save it again as .xlsx")
        names = [meta.name for meta in book.sheets_metadata
                 if meta.typ == python_calamine.SheetTypeEnum.WorkSheet] or list(book.sheet_names)
        if sheet is None:
            if not names:
                return refuse(file_mark, "the workbook has no sheets")
            sheet_name = names[0]
        elif sheet in names:
            sheet_name = sheet
        else:
            close = closest(sheet, names)
            listed = ", ".join(f"'{each}'" for each in names)
            return refuse(spec_mark(("sheet",), False), f"no sheet '{sheet}' in {path.name} (its sheets: {listed})",
                          f"did you mean '{close}'?" if close else "give one of its sheets' names", code="unknown")

    where = f"{shown}[{sheet_name}]!"

    def cell_mark(row: int, col: int) -> Mark:  # 0-based row and column on the sheet
        return Mark(f"{where}{column_letters(col)}{row + 1}", 0, 0)

    try:
        worksheet = book.get_sheet_by_name(sheet_name)
        grid = worksheet.to_python(skip_empty_area=True)
        first_row, first_col = worksheet.start if grid else (0, 0)
        merged = list(getattr(worksheet, "merged_cell_ranges", None) or [])
    except Exception as exc:
        return refuse(file_mark, f"sheet '{sheet_name}' cannot be read: {_first_line(exc)}",
                      "open it in Excel or LibreOffice and save it again as .xlsx")
    finally:
        book.close()
    height = len(grid)
    width = max((len(row) for row in grid), default=0)
    used = (first_row, first_col, first_row + height - 1, first_col + width - 1)  # top, left, bottom, right, 0-based

    if cell_range is not None:
        match = _RANGE.fullmatch(cell_range.strip())
        range_mark = spec_mark(("range",), False)
        if match is None:
            return refuse(range_mark, f"range '{cell_range}' is not a range of cells such as A1:G530",
                          "write its top-left and bottom-right cells: A1:G530", code="invalid")
        left, top, right, bottom = (column_index(match.group(1)), int(match.group(2)) - 1,
                                    column_index(match.group(3)), int(match.group(4)) - 1)
        if top < 0 or bottom < 0 or right >= EXCEL_COLUMNS or bottom >= EXCEL_ROWS or top > bottom or left > right:
            return refuse(range_mark, f"range '{cell_range}' is not a range of cells such as A1:G530",
                          "its first cell is the top-left one, its second the bottom-right; rows 1 to 1048576, columns A to XFD",
                          code="invalid")
        if not height or top < used[0] or top > used[2] or right < used[1] or left > used[3]:
            cells_there = (f"its cells are {column_letters(used[1])}{used[0] + 1}:{column_letters(used[3])}{used[2] + 1}"
                           if height else "it is empty")
            return refuse(range_mark, f"range '{cell_range}' is outside the cells of sheet '{sheet_name}' ({cells_there})",
                          "its first row is the header: start it at the header's row", code="invalid")
        bottom, right = min(bottom, used[2]), min(right, used[3])  # room to grow: the rows below the data are empty
    else:
        if not height:
            return refuse(cell_mark(0, 0), "the sheet is empty: expected a header row")
        top, left, bottom, right = used

    if bottom - top > MAX_ROWS:
        return refuse(cell_mark(top + MAX_ROWS + 1, left), f"table has more than {MAX_ROWS:,} rows",
                      "aggregate it before deckgen reads it")
    if right - left + 1 > MAX_COLUMNS:
        return refuse(cell_mark(top, left), f"table has {right - left + 1} columns, more than the limit of {MAX_COLUMNS}")

    for (start_row, start_col), (end_row, end_col) in merged:
        if start_row <= top <= end_row and start_col <= right and end_col >= left and (end_col > start_col or end_row > start_row):
            span = f"{column_letters(start_col)}{start_row + 1}:{column_letters(end_col)}{end_row + 1}"
            return refuse(cell_mark(start_row, start_col), f"header cells {span} are merged",
                          "unmerge them and give each column its own name (a heading over several columns can be each column's label:)")

    problems: list[Problem] = []
    start, stop = max(left - first_col, 0), right - first_col + 1
    pad = [""] * max(first_col - left, 0)  # a range may start left of the cells
    header = pad + [cell_text(value) for value in grid[top - first_row][start:stop]]
    header += [""] * (right - left + 1 - len(header))
    # The body column by column: a column of one type is made text in one pass (in C for most types)
    body_rows = grid[top - first_row + 1: bottom - first_row + 1]
    whole = start == 0 and stop >= width  # the range spans every column the reader gave: no row is copied
    columns = list(zip(*(body_rows if whole else (row[start:stop] for row in body_rows))))
    made = [_column_text(column) for column in columns]
    texts = [("",) * (bottom - top)] * len(pad) + [text for text, _ in made]
    texts += [("",) * (bottom - top)] * (right - left + 1 - len(texts))
    body = zip(range(top + 2, bottom + 2), zip(*texts))
    empty_cells = "" in header or any("" in text for text in texts)
    if empty_cells:
        body = ((number, row) for number, row in body if any(row))  # an empty row is skipped, as a CSV's blank line
    records = [(top + 1, header), *body]
    strings = [header] + [text for text, has_text in made if has_text]

    # The reader gives an error cell, and a formula saved without its value, as an empty cell: a sheet
    # with empty cells is looked at in its XML (the zip's sizes were checked, and the reader keeps to them)
    flagged: dict[tuple[int, int], str] = {}
    if empty_cells and not ods:
        with zipfile.ZipFile(path) as archive:
            problem = _scan_sheet(archive, sheet_name, flagged)
        if problem:
            return refuse(file_mark, problem, "keep only the sheet deckgen reads, or aggregate it")
    names = [cell.strip() for cell in header]
    for (row, col), reason in sorted(flagged.items()):
        if top <= row <= bottom and left <= col <= right:
            column = f"column '{names[col - left]}'" if row != top and names[col - left] else f"cell {column_letters(col)}{row + 1}"
            if reason.startswith("#"):
                problems.append(Problem.at(cell_mark(row, col), f"{column}: the cell is an error ({reason})",
                                           "correct the formula (or the cell) in the workbook, or clear the cell", code="table"))
            else:
                problems.append(Problem.at(cell_mark(row, col), f"{column}: the formula {reason} has no saved value",
                                           "open the file in Excel (or LibreOffice) and save it so its values are saved, "
                                           "or give values instead of formulas", code="table"))
    if problems:
        return CsvResult(None, problems, [])

    # Trailing columns with nothing in them at all (formatting past the data) are not columns
    while len(header) > 1 and not header[-1] and not any(row[len(header) - 1] for _, row in records[1:]):
        header = header[:-1]
        records = [(key, row[: len(header)]) for key, row in records]

    # Most sheets have no control character, markup or overlong cell anywhere: then no cell is looked at
    blob = _SEPARATOR.join(_SEPARATOR.join(column) for column in strings)
    scan_all = needs_cell_scan(blob, max(max(map(len, column), default=0) for column in strings))

    def locate(key: int, position: int) -> Mark:
        return cell_mark(key - 1, left + position)

    cells = Cells(header, records[1:], locate, top + 1, scan_all=scan_all)
    return typed_table(name, path, cells, declared, spec_mark, source=source, as_of=as_of)


def _first_line(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:200] if text else type(exc).__name__


def _sheet_part(archive: zipfile.ZipFile, sheet_name: str) -> str | None:
    """The zip entry holding the sheet ``sheet_name`` of an .xlsx / .xlsm."""
    import xml.etree.ElementTree as ElementTree

    main = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    relation = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
    try:
        workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
        relations = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    except (KeyError, ElementTree.ParseError):
        return None
    ids = {each.get("name"): each.get(relation) for each in workbook.iter(f"{main}sheet")}
    for each in relations:
        if each.get("Id") == ids.get(sheet_name):
            target = each.get("Target") or ""
            if each.get("TargetMode") == "External":
                return None
            return target.lstrip("/") if target.startswith("/") else str(PurePosixPath("xl") / target)
    return None


def _scan_sheet(archive: zipfile.ZipFile, sheet_name: str, flagged: dict[tuple[int, int], str]) -> str | None:
    """Error cells and formulas saved without a value, which the reader gives as empty cells: into
    ``flagged`` as (row, column) -> '#DIV/0!' or '=FORMULA'. Returns a problem when the sheet unzips to
    more than the limit (whatever the zip's entries said)."""
    part = _sheet_part(archive, sheet_name)
    if part is None or part not in archive.namelist():
        return None
    chunks, total = [], 0
    with archive.open(part) as stream:
        while chunk := stream.read(1 << 22):
            total += len(chunk)
            if total > MAX_UNZIPPED_BYTES:
                return f"sheet '{sheet_name}' unzips to more than {MAX_UNZIPPED_BYTES // 1_000_000} MB"
            chunks.append(chunk)
    data = b"".join(chunks)
    if b't="e"' in data:
        for match in _ERROR_CELL.finditer(data):
            ref = _REF.search(match.group())
            end = data.find(b"</c>", match.end())
            value = re.search(rb"<v>(.*?)</v>", data[match.end(): end], re.S)
            if ref:
                flagged[(int(ref.group(2)) - 1, column_index(ref.group(1).decode()))] = (
                    value.group(1).decode("utf-8", "replace") if value else "#VALUE!")
    if b"<f" in data:
        for match in _NO_VALUE.finditer(data):
            start = data.rfind(b"<c ", 0, match.start())
            opening = data[start: data.find(b">", start) + 1]
            ref = _REF.search(opening)
            formula = _FORMULA.search(data, start, match.end())
            if ref:
                text = formula.group(1).decode("utf-8", "replace") if formula else "(shared)"
                flagged.setdefault((int(ref.group(2)) - 1, column_index(ref.group(1).decode())),
                                   "=" + text.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">")[:60])
    return None
