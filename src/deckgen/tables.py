"""Table datasets: a CSV read strictly into typed columns, and the queries charts and figures run on it.

A column is text, number, percent, date, datetime or ticker; numbers may carry a unit. Columns the spec does
not declare are inferred (all numbers: number; all ISO dates: date; else text). Every cell is
checked where it stands (FILE:LINE:COL), and a table is bounded in bytes, rows and columns.

Queries (``where``, aggregates) are shared by derived figures, charts and table sections, so the
three can never disagree about which rows a filter selects.
"""

from __future__ import annotations

import csv
import functools
import datetime as dt
import io
import re
import statistics
from dataclasses import dataclass
from decimal import Context, Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Callable, Iterable, Literal, Sequence

from pydantic import Field, field_validator, model_validator

from .errors import Mark, Problem
from .models import Strict

ColumnKind = Literal["text", "number", "percent", "date", "datetime", "ticker"]
FigureStyle = Literal["compact", "long", "precise"]
Aggregate = Literal["value", "sum", "mean", "median", "min", "max", "count", "first", "last", "change", "pct_change"]

MAX_TABLE_BYTES = 20_000_000
MAX_ROWS = 200_000
MAX_COLUMNS = 200
MAX_CELL_CHARS = 5_000
MAX_DIGITS = 15  # significant digits of a number (what a chart, a double, shows exactly), and its size below 10^15
TICKER = re.compile(r"^[A-Z0-9][A-Z0-9.\-/ ]{0,15}$")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


class CurrencyFrom(Strict):
    """Where a money column's currency is given: ``{column: currency}``, each row's ISO code."""

    column: str = Field(min_length=1, max_length=120)


class ColumnSpec(Strict):
    """How a column is read and shown: ``gw: {type: number, unit: GW, label: Capacity}``.

    ``currency: {column: currency}``: each number is an amount in the currency its row names (an ISO
    4217 code), printed with that currency's minor units (JPY 0, USD 2, KWD 3) unless ``decimals`` is given;
    a row whose cell there is no code ('%' for a yield, or empty) prints its number as a plain one.

    With ``show:`` (``spread: {unit: pp, show: bp}``) the numbers are converted once, as the table is
    read: charts, table sections, derived figures and ``where:`` conditions all see them in ``show``."""

    type: ColumnKind = "number"
    unit: str | None = None
    show: str | None = None  # the unit its numbers are held and printed in, converted exactly from ``unit``
    label: str | None = Field(default=None, max_length=80)
    decimals: int | None = Field(default=None, ge=0, le=6)
    style: FigureStyle | None = None
    zone: str | None = None  # date-times: the time zone of cells that give none (a workbook's, a database's)
    currency: CurrencyFrom | None = None  # numbers: each row's amount is in the currency this column names

    @model_validator(mode="after")
    def _one_currency(self):
        if self.currency is not None and (self.unit is not None or self.show is not None):
            raise ValueError("give a money column either 'unit' (one currency for the column) or 'currency: {column: ...}' "
                             "(each row's own), not both")
        if self.currency is not None and self.type not in ("number",):
            raise ValueError(f"'currency' applies to number columns, and this column is {self.type}")
        return self

    @field_validator("zone")
    @classmethod
    def _time_zone(cls, value: str | None) -> str | None:
        if value is None:
            return value
        import zoneinfo

        try:
            zoneinfo.ZoneInfo(value)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"'{value}' is not a time zone (an IANA name such as Europe/London, or UTC)") from None
        return value


@dataclass(frozen=True)
class Column:
    name: str
    kind: str  # text | number | percent | date | datetime | ticker
    unit: str | None = None  # numbers: a unit name ("GW", "USD", "percent"); None is a plain number
    label: str = ""
    decimals: int | None = None
    style: str | None = None
    data_unit: str | None = None  # the unit the CSV is written in, when converted to ``unit`` (``show:``)
    zone: str | None = None  # date-times: the zone of a cell that gives none
    currency_column: str | None = None  # numbers: the column naming each row's currency (ISO 4217)

    @property
    def numeric(self) -> bool:
        return self.kind in ("number", "percent")

    @property
    def title(self) -> str:
        return self.label or self.name.replace("_", " ").capitalize()


@dataclass(frozen=True)
class Table:
    """A CSV table: typed columns and rows of values (Decimal, date, str or None for an empty cell)."""

    name: str
    path: Path
    columns: tuple[Column, ...]
    rows: tuple[tuple[Any, ...], ...]
    lines: tuple[int, ...]  # the CSV line each row starts on (empty for a source without lines)
    source: str | None = None
    as_of: dt.date | None = None
    cell_mark: Callable[[int, int], Mark] | None = None  # (row index, column position) -> where, for a source without lines

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(column.name for column in self.columns)

    def column(self, name: str) -> Column:
        return self.columns[self.index(name)]

    def index(self, name: str) -> int:
        return self.column_names.index(name)

    def values(self, name: str, rows: Iterable[tuple] | None = None) -> list[Any]:
        position = self.index(name)
        return [row[position] for row in (self.rows if rows is None else rows)]


class QueryError(ValueError):
    """A query that does not fit its table; ``loc`` is where in the query (``("where", "month")``);
    ``at_key``: the problem is the key at ``loc`` (a name), not its value."""

    def __init__(self, loc: tuple, message: str, hint: str | None = None, code: str = "data", at_key: bool = False):
        super().__init__(message)
        self.loc, self.message, self.hint, self.code, self.at_key = loc, message, hint, code, at_key


class DataErrors(Exception):
    """Every problem found in one section's data, each a QueryError located relative to the section."""

    def __init__(self, errors: list[QueryError]):
        super().__init__("; ".join(error.message for error in errors))
        self.errors = errors


# -- numbers and dates ---------------------------------------------------------------------------

_ROUNDED = Context(prec=MAX_DIGITS)


def parse_number(text: str) -> Decimal | None:
    """A finite number below 10^MAX_DIGITS, or None. A number with more significant digits (a machine
    writes a double with up to 17: 36600000.43333334; or an exponent: 1.2e+07) is read rounded to
    MAX_DIGITS, the digits a double holds exactly; an integer that large is refused by its size."""
    try:
        number = Decimal(text)
    except (InvalidOperation, ValueError):
        return None
    if not number.is_finite() or number_problem(number) is not None:
        return None
    _, digits, _ = number.as_tuple()
    if len(digits) > MAX_DIGITS and len("".join(map(str, digits)).strip("0")) > MAX_DIGITS:
        return _ROUNDED.plus(number)
    return number


def number_problem(number: Decimal) -> str | None:
    """Why a finite number cannot be read exactly enough (too large, too small, too many digits), if it cannot."""
    if number and number.adjusted() >= MAX_DIGITS:
        return f"is 10^{MAX_DIGITS} or more, so it would lose precision"
    if number and number.adjusted() < -30:
        return "is too close to zero (below 10^-30)"
    return None


def parse_date(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text) if len(text) == 10 else None
    except ValueError:
        return None


_DATETIME = re.compile(r"(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2})?)\s*(Z|[+-]\d{2}:?\d{2}|\s[A-Za-z_]+(?:/[A-Za-z0-9_+-]+)*)?")
DATETIME_HINT = "a date, time and time zone: 2026-02-13 16:00 America/New_York, 2026-02-13 15:30 Asia/Tokyo, 2026-02-13T16:00-05:00"


def parse_datetime(text: str, default_zone: str | None = None) -> tuple[dt.datetime | None, str | None]:
    """(value, problem): a date and time with its time zone (an IANA name such as America/New_York, UTC,
    or an offset), never a bare local time that readers in other zones would misread; a cell without
    one takes the column's declared ``zone:`` (a workbook's or a database's date-times carry none)."""
    import zoneinfo

    match = _DATETIME.fullmatch(text.strip())
    if match is None:
        return None, f"'{_shown(text)}' is not {DATETIME_HINT}"
    day, clock, zone = match.group(1), match.group(2), (match.group(3) or "").strip() or (default_zone or "")
    if not zone:
        return None, (f"'{_shown(text)}' has no time zone (add one: {day} {clock} America/New_York, or an offset such "
                      "as +09:00; or give the column its zone: columns: {NAME: {type: datetime, zone: Europe/London}})")
    try:
        naive = dt.datetime.fromisoformat(f"{day}T{clock}")
    except ValueError:
        return None, f"'{_shown(text)}' is not a real date and time"
    if zone == "Z" or zone[0] in "+-":
        return dt.datetime.fromisoformat(f"{day}T{clock}{'+00:00' if zone == 'Z' else zone}"), None
    try:
        return naive.replace(tzinfo=zoneinfo.ZoneInfo("UTC" if zone.upper() in ("UTC", "GMT") else zone)), None
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None, (f"'{_shown(text)}': '{zone}' is not a time zone (use an IANA name such as America/New_York or "
                      "Asia/Tokyo, UTC, or an offset such as -05:00; abbreviations such as ET are ambiguous)")


def format_datetime(value: dt.datetime, locale: str) -> str:
    """A date and time as the brief writes them: ``dates.format_timestamp``."""
    from .dates import format_timestamp

    return format_timestamp(value, locale)


def _shown(text: str, limit: int = 40) -> str:
    """A cell as a message quotes it: long ones cut short."""
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


def _parse_cell(text: str, kind: str, zone: str | None = None) -> tuple[Any, str | None]:
    """(value, problem): the cell as its column's type, or why it is not one."""
    if text == "":
        return None, None
    if kind in ("number", "percent"):
        raw = text.removesuffix("%").strip() if kind == "percent" else text
        number = parse_number(raw)
        if number is None:
            if re.fullmatch(r"[-+]?\d{1,3}(,\d{3})+(\.\d+)?", raw):
                return None, f"'{text}' is not a {kind} (write numbers without thousands separators: 1234.5)"
            try:
                number = Decimal(raw)
            except (InvalidOperation, ValueError):
                return None, f"'{_shown(text)}' is not a {kind}"
            if not number.is_finite():
                return None, f"'{_shown(text)}' is not a finite number"
            return None, f"'{_shown(text)}' {number_problem(number)}"
        return number, None
    if kind == "date":
        value = parse_date(text)
        return (value, None) if value else (None, f"'{_shown(text)}' is not a date (YYYY-MM-DD)")
    if kind == "datetime":
        return parse_datetime(text, zone)
    if kind == "ticker" and not TICKER.match(text):
        return None, f"'{_shown(text)}' is not a ticker (capital letters, digits, '.', '-', '/', space)"
    return text, None


def _infer_kind(cells: list[str]) -> str:
    filled = [cell for cell in cells if cell != ""]
    if not filled:
        return "text"
    if all(parse_number(cell) is not None for cell in filled):
        return "number"
    if all(cell.endswith("%") and parse_number(cell[:-1].strip()) is not None for cell in filled):
        return "percent"
    if all(parse_date(cell) is not None for cell in filled):
        return "date"
    return "text"


# -- reading a CSV -------------------------------------------------------------------------------

def field_starts(line: str) -> list[int]:
    """The 1-based column where each comma-separated field of ``line`` starts (quotes respected)."""
    starts, quoted = [1], False
    for position, char in enumerate(line):
        if char == '"':
            quoted = not quoted
        elif char == "," and not quoted:
            starts.append(position + 2)
    return starts


@dataclass
class CsvResult:
    table: Table | None
    problems: list[Problem]
    cells_with_markup: list[tuple[Mark, str, str | None]]  # (where, cell text, its CSV line) for {{ }} and [@id]


@dataclass
class Cells:
    """A table as its source gives it, before typing: a header and rows of text cells, each of which
    ``locate`` can place (a CSV's line and column, a workbook's sheet and cell, a query's row).

    Every source (CSV, workbook, database) becomes a Table through ``typed_table``: the same column
    declarations, inference, strictness and limits."""

    header: list[str]
    rows: list[tuple[int, list[str]]]  # (the row's key for ``locate``, its cells as text)
    locate: Callable[[int, int], Mark]  # (row key, column position) -> where that cell is
    header_key: int = 1  # the header's row key
    line_of: Callable[[int], str | None] = lambda key: None  # a CSV row's text, to place a token within it
    scan_all: bool = True  # False: no cell holds a control character, markup or overlong text (checked as a whole)
    lines: tuple[int, ...] | None = None  # each row's line, when the source has lines (a CSV)
    label: Callable[[int], str] = lambda key: ""  # what a message about row ``key`` starts with ("dataset 'h', row 17, ")
    title: str | None = None  # what messages call the source (default: its file's name)


def read_csv(
    path: Path, name: str, declared: dict[str, str | ColumnSpec], spec_mark: Callable[[tuple, bool], Mark],
    *, source: str | None = None, as_of: dt.date | None = None,
) -> CsvResult:
    """Read ``path`` into a Table, checking every cell; problems are located in the CSV or the spec."""
    problems: list[Problem] = []

    def fail(line: int, col: int, message: str, hint: str | None = None) -> None:
        problems.append(Problem.at(Mark.of(path, line, col), message, hint, code="table"))

    size = path.stat().st_size
    if size > MAX_TABLE_BYTES:
        fail(1, 1, f"table is {size / 1e6:.1f} MB, more than the limit of {MAX_TABLE_BYTES // 1_000_000} MB",
             "split it, or aggregate it before deckgen reads it")
        return CsvResult(None, problems, [])
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        fail(line, col, f"not UTF-8 text (byte 0x{raw[exc.start]:02x})", "save the file as UTF-8")
        return CsvResult(None, problems, [])
    lines = text.splitlines()
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    records: list[tuple[int, list[str]]] = []
    previous_end = 0
    try:
        for record in reader:
            start, previous_end = previous_end + 1, reader.line_num
            if not record or record == [""]:
                continue
            if len(records) > MAX_ROWS:
                fail(start, 1, f"table has more than {MAX_ROWS:,} rows", "aggregate it before deckgen reads it")
                return CsvResult(None, problems, [])
            records.append((start, record))
    except csv.Error as exc:
        if "unexpected end of data" in str(exc):  # a quote that never closes: where it opened, not at the end
            line = previous_end + 1
            opened = lines[line - 1].find('"') + 1 if line - 1 < len(lines) else 0
            fail(line, max(opened, 1), "a quote opened here is never closed",
                 'close it, or double the quotes inside a quoted cell ("")')
        else:
            fail(reader.line_num, 1, f"CSV error: {exc}", "check the quotes on this line")
        return CsvResult(None, problems, [])
    if not records:
        fail(1, 1, "table is empty: expected a header row")
        return CsvResult(None, problems, [])

    @functools.lru_cache(maxsize=64)
    def starts_of(line: int) -> list[int]:
        return field_starts(lines[line - 1]) if line - 1 < len(lines) else []

    def locate(line: int, position: int) -> Mark:
        """Where a cell starts on its line: worked out only for a cell that has something to report."""
        starts = starts_of(line)
        return Mark.of(path, line, starts[position] if position < len(starts) else 1)

    header_line, header = records[0]
    scan_all = needs_cell_scan(text, len(text))
    cells = Cells(header, records[1:], locate, header_line, lambda line: lines[line - 1] if line - 1 < len(lines) else "",
                  scan_all, tuple(line for line, _ in records[1:]))
    return typed_table(name, path, cells, declared, spec_mark, source=source, as_of=as_of)


def needs_cell_scan(text: str, longest: int) -> bool:
    """Whether a table's cells must be looked at one by one: ``text`` (all its cells, or the text they are
    in) holds a control character or markup, or a cell may be longer than allowed (``longest`` is at
    least the longest cell's length). Most tables hold none of these, and then no cell is looked at."""
    return bool(_CONTROL.search(text)) or "{{" in text or "}}" in text or "[" in text or longest > MAX_CELL_CHARS


def typed_table(
    name: str, path: Path, cells: Cells, declared: dict[str, str | ColumnSpec], spec_mark: Callable[[tuple, bool], Mark],
    *, source: str | None = None, as_of: dt.date | None = None,
) -> CsvResult:
    """``cells`` as a Table: the header's names checked, every cell checked against its column's type
    (declared, else inferred), each problem where ``cells.locate`` places it."""
    problems: list[Problem] = []
    markup: list[tuple[Mark, str, str | None]] = []

    def fail(key: int, position: int, message: str, hint: str | None = None) -> None:
        problems.append(Problem.at(cells.locate(key, position), cells.label(key) + message, hint, code="table"))

    names: list[str] = []
    for position, cell in enumerate(cells.header):
        label = cell.strip()
        if not label:
            fail(cells.header_key, position, f"header cell {position + 1} is empty", "give every column a name")
        elif label in names:
            fail(cells.header_key, position, f"duplicate column '{label}' (also column {names.index(label) + 1})", "rename one of them")
        elif _CONTROL.search(label):
            fail(cells.header_key, position, f"column {position + 1}: the name contains control characters")
        names.append(label)
    if len(names) > MAX_COLUMNS:
        fail(cells.header_key, 0, f"table has {len(names)} columns, more than the limit of {MAX_COLUMNS}")
    if problems:
        return CsvResult(None, problems, markup)

    body: list[tuple[int, list[str]]] = []
    for key, record in cells.rows:
        if len(record) != len(names):
            more_or_fewer = "more" if len(record) > len(names) else "fewer"
            fail(key, 0, f"row has {len(record)} cells, {more_or_fewer} than the header's {len(names)}",
                 "add the missing cells (empty ones too) or quote cells that contain commas")
            continue
        row = [cell.strip() for cell in record]
        for position, cell in enumerate(row if cells.scan_all else ()):
            if _CONTROL.search(cell):
                fail(key, position, f"column '{names[position]}': the cell contains a control character", "remove it")
                row[position] = ""
            elif len(cell) > MAX_CELL_CHARS:
                fail(key, position, f"column '{names[position]}': the cell is longer than {MAX_CELL_CHARS} characters")
                row[position] = ""
            elif "{{" in cell or "}}" in cell or "[" in cell:
                markup.append((cells.locate(key, position), cell, cells.line_of(key)))
        body.append((key, row))

    columns = []
    for position, column_name in enumerate(names):
        given = declared.get(column_name)
        spec = ColumnSpec(type=given) if isinstance(given, str) else given
        kind = spec.type if spec else _infer_kind([row[position] for _, row in body])
        unit = (spec.unit if spec else None) or ("percent" if kind == "percent" else None)
        columns.append(Column(column_name, kind, unit, (spec.label if spec else None) or "",
                              spec.decimals if spec else None, spec.style if spec else None,
                              zone=spec.zone if spec else None,
                              currency_column=spec.currency.column if spec and spec.currency else None))
    for column_name in declared:
        if column_name not in names:
            close = closest(column_name, names)
            problems.append(Problem.at(spec_mark(("columns", column_name), True),
                                       f"column '{column_name}' is not in {cells.title or path.name}",
                                       f"did you mean '{close}'?" if close else f"its columns: {', '.join(names)}",
                                       code="unknown"))

    problems += _currency_problems(columns, names, body, spec_mark, fail)

    rows, keys = [], []
    for key, row in body:
        values = []
        for position, (cell, column) in enumerate(zip(row, columns)):
            value, problem = _parse_cell(cell, column.kind, column.zone)
            if problem:
                fail(key, position, f"column '{column.name}': {problem}")
            values.append(value)
        rows.append(tuple(values))
        keys.append(key)
    cell_mark = None if cells.lines is not None else (lambda index, position: cells.locate(keys[index], position))
    table = Table(name, path, tuple(columns), tuple(rows), tuple(keys) if cells.lines is not None else (), source, as_of,
                  cell_mark)
    return CsvResult(table, problems, markup)


def _currency_problems(columns: list[Column], names: list[str], body: list[tuple[int, list[str]]],
                       spec_mark: Callable[[tuple, bool], Mark], fail: Callable[..., None]) -> list[Problem]:
    """A money column's ``currency: {column: ...}``: the column is in the table, and each of its words an
    ISO 4217 code (where a row has an amount; a sign such as '%' says the number is not an amount),
    each problem at the key or the cell."""
    problems: list[Problem] = []
    for column in columns:
        if column.currency_column is None:
            continue
        if column.currency_column not in names:
            close = closest(column.currency_column, names)
            problems.append(Problem.at(spec_mark(("columns", column.name, "currency", "column"), False),
                                       f"column '{column.name}': its currency column '{column.currency_column}' is not in the table",
                                       f"did you mean '{close}'?" if close else f"its columns: {', '.join(names)}",
                                       code="unknown"))
            continue
        from babel.numbers import list_currencies

        known = list_currencies()
        amount_at, code_at = names.index(column.name), names.index(column.currency_column)
        for key, row in body:
            code = row[code_at]
            if row[amount_at] and code not in known and code.isalpha():  # '%' (a yield) or empty: not an amount
                close = _closest_currency(code, {row[code_at] for _, row in body} & known)
                fail(key, code_at, f"column '{column.currency_column}': '{_shown(code)}' is not an ISO 4217 currency code "
                     f"(the currency of '{column.name}')",
                     f"did you mean '{close}'?" if close else "write a three-letter code such as USD, EUR or JPY")
    return problems


_MAJOR_CURRENCIES = ("USD", "EUR", "JPY", "GBP", "CHF", "CNY", "HKD", "SGD", "AUD", "CAD", "KRW", "INR", "SEK", "NOK")


def _closest_currency(code: str, used: set[str]) -> str | None:
    """The code meant: the same letters in another order (JYP: JPY), else the nearest of the codes the
    column uses and the major ones (not a currency withdrawn in 1993 that happens to be one letter off)."""
    from babel.numbers import list_currencies

    wanted = code.upper()
    likely = [*sorted(used), *_MAJOR_CURRENCIES]
    same_letters = [known for known in likely if sorted(known) == sorted(wanted)]
    if wanted in list_currencies():
        return wanted
    return same_letters[0] if same_letters else closest(wanted, likely)


def closest(name: str, known: Sequence[str]) -> str | None:
    import difflib

    found = difflib.get_close_matches(name, list(known), n=1, cutoff=0.6)
    return found[0] if found else None


# -- queries -------------------------------------------------------------------------------------

def check_column(
    table: Table, name: Any, loc: tuple, *, numeric: bool = False, kinds: Sequence[str] = (), purpose: str = "",
) -> Column:
    """The column ``name`` of ``table``, or a QueryError at ``loc`` saying what is wrong.

    ``purpose`` says who needs the type, for the message ("kind: line needs x to be").
    """
    if not isinstance(name, str) or name not in table.column_names:
        close = closest(str(name), table.column_names)
        raise QueryError(loc, f"unknown column '{name}' in table '{table.name}'",
                         f"did you mean '{close}'?" if close else f"its columns: {', '.join(table.column_names)}")
    column = table.column(name)
    if numeric and not column.numeric:
        numbers = [c.name for c in table.columns if c.numeric]
        raise QueryError(loc, f"column '{name}' of table '{table.name}' is {column.kind}, not a number",
                         f"its number columns: {', '.join(numbers)}" if numbers else "the table has no number columns")
    if kinds and column.kind not in kinds:
        wanted = " or ".join(dict.fromkeys("number" if k == "percent" else k for k in kinds))
        raise QueryError(loc, f"{purpose or 'expected'} a {wanted} column; '{name}' is {column.kind}")
    return column


def _coerce(value: Any, column: Column, loc: tuple) -> Any:
    """A value written in YAML as the column's type (a date for a date column, a Decimal for a number)."""
    if column.kind == "datetime":
        if isinstance(value, dt.datetime) and value.tzinfo is not None:
            return value
        parsed, problem = parse_datetime(str(value))
        if parsed is None:
            raise QueryError(loc, f"{problem}, and column '{column.name}' holds dates and times")
        return parsed
    if column.kind == "date":
        if isinstance(value, dt.date):
            return value
        parsed = parse_date(str(value))
        if parsed is None:
            raise QueryError(loc, f"'{value}' is not a date (YYYY-MM-DD), and column '{column.name}' holds dates")
        return parsed
    if column.numeric:
        parsed = parse_number(str(value).removesuffix("%")) if not isinstance(value, bool) else None
        if parsed is None:
            raise QueryError(loc, f"'{value}' is not a number, and column '{column.name}' holds numbers")
        return parsed
    return str(value)


def select(table: Table, where: dict | None, loc: tuple = ("where",)) -> list[tuple]:
    """The rows matching every condition of ``where``, in file order.

    A condition is ``column: value``, ``column: [v1, v2]`` (any of), ``column: {min: a, max: b}``
    (inclusive), or ``column: last`` / ``first``: the latest / earliest value of a date or number
    column (of a text column: the value in the last / first row).
    """
    rows = list(table.rows)
    for name, wanted in (where or {}).items():
        column = check_column(table, name, loc + (name,))
        position = table.index(name)
        present = [row[position] for row in rows if row[position] is not None]
        if wanted in ("last", "first") and not isinstance(wanted, bool):
            if not present:
                raise QueryError(loc + (name,), f"no rows left to take the {wanted} '{name}' of")
            if column.kind == "text" or column.kind == "ticker":
                target = present[-1] if wanted == "last" else present[0]
            else:
                target = max(present) if wanted == "last" else min(present)
            rows = [row for row in rows if row[position] == target]
        elif isinstance(wanted, dict):
            unknown = set(wanted) - {"min", "max"}
            if unknown:
                raise QueryError(loc + (name, sorted(unknown)[0]), f"unknown key '{sorted(unknown)[0]}' in a range condition", "use min and max")
            low = _coerce(wanted["min"], column, loc + (name, "min")) if "min" in wanted else None
            high = _coerce(wanted["max"], column, loc + (name, "max")) if "max" in wanted else None
            rows = [row for row in rows if row[position] is not None
                    and (low is None or row[position] >= low) and (high is None or row[position] <= high)]
        else:
            options = wanted if isinstance(wanted, list) else [wanted]
            allowed = {_coerce(option, column, loc + (name,)) for option in options}
            rows = [row for row in rows if row[position] in allowed]
    return rows


EMPTY = "empty"  # the code of a problem "nothing selected": the check send applies per recipient


def empty_selection(table: Table, where: dict | None, exhibit: str, loc: tuple = ("where",)) -> QueryError:
    """Why ``select(table, where)`` left no row: located at the condition that removed the last rows
    (or at the table, when it has none), with the values that were there to match."""
    instead = f'or set if_empty: "text to print" to print that instead of an empty {exhibit}'
    if not table.rows:
        return QueryError(("table",), f"table '{table.name}' has no rows to show", instead, code=EMPTY)
    rows = list(table.rows)
    conditions = list((where or {}).items())
    for index, (name, wanted) in enumerate(conditions):
        left = select(table, dict(conditions[: index + 1]))
        if not left:
            before = "" if index == 0 else f" left by the conditions before it ({len(rows)})"
            message = f"no row{before} of table '{table.name}' has {name} {_shown_condition(wanted)}"
            position = table.index(name)
            present = [str(row[position]) for row in rows if row[position] is not None]
            close = closest(str(wanted), list(dict.fromkeys(present))) if isinstance(wanted, str) else None
            hint = (f"did you mean '{close}'? " if close else "check the value, ") + instead
            return QueryError(loc + (name,), message, hint, code=EMPTY)
        rows = left
    return QueryError(loc, f"no row of table '{table.name}' matches where:", instead, code=EMPTY)


def _shown_condition(wanted: Any) -> str:
    if isinstance(wanted, dict):
        bounds = [f"{'at least' if key == 'min' else 'at most'} {wanted[key]}" for key in ("min", "max") if key in wanted]
        return " and ".join(bounds)
    if isinstance(wanted, list):
        return "in [" + ", ".join(f"'{value}'" if isinstance(value, str) else str(value) for value in wanted) + "]"
    return f"'{wanted}'" if isinstance(wanted, str) else str(wanted)


def aggregate(table: Table, rows: list[tuple], column: str, how: str, over: str | None, loc: tuple) -> Decimal:
    """One number from ``column`` of ``rows``: see ``Aggregate``. ``over`` orders rows for first/last/change."""
    check_column(table, column, loc + ("column",), numeric=how != "count")
    values_rows = [row for row in rows if row[table.index(column)] is not None]
    if how == "count":
        return Decimal(len(values_rows))
    if not values_rows:
        raise QueryError(loc + ("where",), f"no rows with a value in '{column}' match", "check the where: conditions")
    if how in ("first", "last", "change", "pct_change"):
        if over is None:
            raise QueryError(loc + ("agg",), f"agg: {how} needs 'over: COLUMN' to order the rows by", "e.g. over: month")
        check_column(table, over, loc + ("over",))
        order = table.index(over)
        values_rows = sorted((row for row in values_rows if row[order] is not None), key=lambda row: row[order])
        if not values_rows:
            raise QueryError(loc + ("over",), f"no rows with a value in '{over}'")
    values = [row[table.index(column)] for row in values_rows]
    if how == "value":
        if len(values) != 1:
            raise QueryError(loc + ("where",), f"{len(values)} rows match; a figure's value needs exactly one",
                             "narrow where: or set agg: sum | mean | last ...")
        return values[0]
    if how == "sum":
        return sum(values, Decimal(0))
    if how == "mean":
        return sum(values, Decimal(0)) / len(values)
    if how == "median":
        return Decimal(statistics.median(values))
    if how == "min":
        return min(values)
    if how == "max":
        return max(values)
    if how == "first":
        return values[0]
    if how == "last":
        return values[-1]
    first, last = values[0], values[-1]
    if how == "change":
        return last - first
    if first == 0:
        raise QueryError(loc + ("agg",), f"pct_change from a first value of 0 in '{column}' is undefined")
    return (last - first) / abs(first) * 100
