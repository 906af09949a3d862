"""A table section: any table dataset, its numbers and dates formatted by unit and locale.

    - type: table
      title: Projects in the pipeline
      table: projects
      columns:
        - {key: name, label: Project}
        - {key: mw, label: Power}       # formatted by the column's unit
        - {key: cod, label: Online}     # a date column: written the locale's way
      sort: {by: mw, descending: true}
      total: {label: Total, mw: sum}    # a total row: sum | mean | median | count per column

Column widths fit the content unless given; numbers and dates never break across lines; the
header repeats on every page; a long table flows across pages (``page_break: before`` to start
it on a new page). A column with ``style: change`` prints signed numbers ("+14", "−22", "0") in
the brand's positive and negative colours. A total row totals the rows the table prints (after
``where``, ``sort`` and ``limit``), in each column's unit and decimals, and closes the table on its
last page.
"""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, ClassVar, Iterator, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from .base import ColumnLabel, Line, NothingSelected, Passage, Ref, SectionModel

MAX_SHOWN_ROWS = 20_000
MIN_COLUMN_SHARE = 0.05
TOTALS = ("sum", "mean", "median", "count")  # how a total row totals a column
TOTAL_LABEL = "Total"
_WIDTH = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(mm|cm|in|pt|%)\s*$")


class _Part(BaseModel):
    model_config = ConfigDict(defer_build=True, extra="forbid", frozen=True, str_strip_whitespace=True)


class TableColumn(_Part):
    key: str
    label: ColumnLabel | None = None  # defaults to the column's label in the data entry, else its name
    width: float | str | None = None  # a relative weight (2 is twice 1), or 30mm, 1.2in, 80pt, 25%
    align: Literal["left", "right", "center"] | None = None  # default: numbers and dates right, text left
    decimals: int | None = Field(default=None, ge=0, le=6)
    # change: signed numbers ("+14", "−22", "0") in the brand's positive and negative colours
    style: Literal["compact", "long", "precise", "change"] | None = None

    @field_validator("width")
    @classmethod
    def _width(cls, value):
        if isinstance(value, (int, float)):
            if value <= 0:
                raise ValueError("a relative width must be more than 0")
            return value
        if value is not None and not _WIDTH.match(value):
            raise ValueError(f"'{value}' is not a width: a relative weight (1.5) or a length (30mm, 1.2in, 80pt, 25%)")
        return value


class Sort(_Part):
    by: str
    descending: bool = False


@dataclass(frozen=True)
class TotalRow:
    """The row under a table's last row: its label (in the first column) and, per shown column, how
    the column is totalled (None: not) and the total, of the rows the table prints."""

    label: str
    hows: tuple[str | None, ...]
    values: tuple[Decimal | None, ...]  # None: not totalled, or no value to total (a mean of empty cells)


@dataclass(frozen=True)
class CellFormat:
    """How a number column's cells are written: one unit, number of decimals and style for the column."""

    unit: Any  # units.Unit | None
    decimals: int | None
    style: str  # compact | long | precise
    signed: bool  # style: change ("+14", "−22", "0")
    like: Any = None  # Decimal | None: a total row's number is written at this cell's compact scale


@dataclass(frozen=True)
class TableData:
    """What a table section shows: its columns (from the data) and its rows, selected and sorted."""

    table: Any  # tables.Table
    columns: tuple[tuple[Any, TableColumn], ...]  # (tables.Column, the section's column settings)
    rows: tuple[tuple[Any, ...], ...]  # the shown columns' values, in order
    figure_names: tuple[str, ...] = ()  # figures its text cells refer to ({{ name }})
    total: TotalRow | None = None
    also_from: tuple[Any, ...] = ()  # other tables.Table whose cells it shows (their sources join the source line)
    # per shown column: each row's currency (ISO code) for a column in each row's currency, else None
    currencies: tuple[tuple[str | None, ...] | None, ...] = ()

    def cell_format(self, position: int, units, row: int | None = None) -> CellFormat:
        """How the number column at ``position`` is written (the renderer and the precision check
        both ask here, so they cannot differ): decimals lined up over the rows shown; a price in
        each row's currency (``row``: which) with that currency's minor units, as a precise amount
        (the currency named in its own column when the table shows it, else by its symbol)."""
        from ..formatting import column_decimals, currency_digits
        from ..units import builtin_unit, find_unit

        column, setting = self.columns[position]
        decimals = setting.decimals if setting.decimals is not None else column.decimals
        signed = setting.style == "change"
        codes = self.currencies[position] if position < len(self.currencies) else None
        if codes is not None:
            code = codes[row if row is not None else 0]
            money = builtin_unit(code) if code else None
            if money is None or not money.currency:  # '%' (a yield) or no code: a plain number, as in the data
                return CellFormat(None, decimals, "precise", signed)
            shown_apart = any(shown.name == column.currency_column for shown, _ in self.columns)
            places = decimals if decimals is not None else currency_digits(code)
            return CellFormat(None if shown_apart else money, places, "precise", signed)
        unit = find_unit(column.unit, units) if column.unit else None
        style = (column.style if signed else setting.style or column.style) or "compact"
        if decimals is None and style == "precise" and unit is not None and unit.currency:
            decimals = currency_digits(unit.currency)  # ¥30,000 and $250.00: the currency's minor units
        decimals = column_decimals([row[position] for row in self.rows], decimals, unit)
        return CellFormat(unit, decimals, style, signed)

    def total_format(self, position: int, units, locale: str) -> CellFormat:
        """How the total row's number in column ``position`` is written: as the column's cells, at their
        scale where it would be written at a larger one ('€8,303M' under '€138M', not '€8.3B'); where it
        cannot be (the long form), with more decimals ('€8.27 billion')."""
        from dataclasses import replace

        from ..formatting import total_decimals, total_like

        shown = self.cell_format(position, units)
        total = self.total.values[position] if self.total is not None else None
        if total is None:
            return shown
        cells = [row[position] for row in self.rows]
        like = total_like(total, cells, shown.unit, locale, shown.style, shown.decimals)
        if like is not None:
            return replace(shown, like=like)
        return replace(shown, decimals=total_decimals(total, cells, shown.unit, locale, shown.style, shown.decimals))


class TableSection(SectionModel):
    type: Literal["table"]
    is_exhibit: ClassVar[bool] = True
    title: Line = Field(min_length=1)
    table: str
    columns: list[TableColumn] | None = Field(default=None, min_length=1, max_length=30)  # default: every column
    where: dict[str, Any] = Field(default_factory=dict)
    sort: Sort | None = None
    limit: int | None = Field(default=None, ge=1, le=MAX_SHOWN_ROWS)
    caption: str | None = None
    if_empty: Passage | None = Field(default=None, min_length=1)  # printed under the title when no row is selected
    page_break: Literal["auto", "before"] = "auto"
    font_size: float | None = Field(default=None, ge=5, le=14)
    total: dict[str, ColumnLabel] | None = Field(default=None, min_length=1, max_length=31)  # {label: Total, COLUMN: sum|mean|median|count}

    def heading(self) -> str | None:
        return None  # an exhibit, like a chart: not a section of the outline

    def refs(self) -> Iterator[Ref]:
        yield Ref(("table",), "table", self.table)

    def prepare(self, report) -> TableData | NothingSelected:
        from ..tables import DataErrors, QueryError, check_column, empty_selection, select

        table = report.tables[self.table]
        errors: list[QueryError] = []
        chosen = self.columns or [TableColumn(key=name) for name in table.column_names]
        columns = []
        for index, setting in enumerate(chosen):
            try:
                column = check_column(table, setting.key, ("columns", index, "key"))
            except QueryError as error:
                errors.append(error)
                continue
            columns.append((column, setting))
            if not column.numeric and setting.style == "change":
                errors.append(QueryError(("columns", index, "style"),
                                         f"style: change prints signed numbers, and column '{column.name}' holds {column.kind}",
                                         "remove it, or use it on a number column"))
            elif not column.numeric:  # text and dates are written as they are: no digits or number style to choose
                for option in ("decimals", "style"):
                    if option in setting.model_fields_set:
                        errors.append(QueryError(("columns", index, option),
                                                 f"'{option}' has no effect on column '{column.name}', which holds {column.kind}",
                                                 "remove it (it applies to number columns)"))
        try:
            rows = select(table, self.where)
        except QueryError as error:
            errors.append(error)
            rows = None
        if rows == [] and self.if_empty is None:
            errors.append(empty_selection(table, self.where, "table"))
        rows = rows or []
        if self.sort is not None:
            try:
                check_column(table, self.sort.by, ("sort", "by"))
                position = table.index(self.sort.by)
                present = [row for row in rows if row[position] is not None]
                empty = [row for row in rows if row[position] is None]
                rows = sorted(present, key=lambda row: row[position], reverse=self.sort.descending) + empty
            except QueryError as error:
                errors.append(error)
        weights = [setting.width for _, setting in columns]
        if columns and all(isinstance(w, (int, float)) for w in weights):  # relative widths: none too narrow to print
            for index, weight in enumerate(weights):
                share = weight / sum(weights)  # type: ignore[operator]
                if share < MIN_COLUMN_SHARE:
                    errors.append(QueryError(("columns", index, "width"),
                                             f"column '{columns[index][0].name}' would be {share:.1%} of the table's width, too narrow to print",
                                             f"give every column at least {MIN_COLUMN_SHARE:.0%} (widths are relative to their sum)"))
        errors += self._total_problems(table, columns)
        if errors:
            raise DataErrors(errors)
        if not rows:
            return NothingSelected(self.if_empty)  # type: ignore[arg-type]
        if self.limit is not None:
            rows = rows[: self.limit]
        if len(rows) > MAX_SHOWN_ROWS:
            raise DataErrors([QueryError(("table",), f"{len(rows):,} rows to show; a table section shows at most {MAX_SHOWN_ROWS:,}",
                                          "narrow it with where: or limit:")])
        from ..text import references

        positions = [table.index(column.name) for column, _ in columns]
        shown = tuple(tuple(row[p] for p in positions) for row in rows)
        currencies = tuple(tuple(row[table.index(column.currency_column)] for row in rows)
                           if column.currency_column else None for column, _ in columns)
        self._check_mixed_totals(columns, currencies)
        text_positions = [i for i, (column, _) in enumerate(columns) if not column.numeric and column.kind not in ("date", "datetime")]
        names = dict.fromkeys(ref.name for row in shown for i in text_positions if row[i] and "{{" in row[i]
                              for ref in references(row[i]) if ref.kind == "figure")
        return TableData(table, tuple(columns), shown, tuple(names), self._total_row(columns, shown),
                         currencies=currencies)

    def _check_mixed_totals(self, columns, currencies) -> None:
        """A sum, mean or median of amounts in more than one currency adds yen to dollars: refused."""
        from ..tables import DataErrors, QueryError
        from ..units import CURRENCY

        for (column, _), codes in zip(columns, currencies):
            how = (self.total or {}).get(column.name)
            mixed = sorted({code for code in codes or () if code and CURRENCY.match(code)})  # not '%
            if how in ("sum", "mean", "median") and len(mixed) > 1:
                raise DataErrors([QueryError(("total", column.name),
                                             f"column '{column.name}' holds amounts in {', '.join(mixed)}; its {how} would mix currencies",
                                             "total it by count, or select rows in one currency with where:")])

    def _total_problems(self, table, columns) -> list:
        """What is wrong with ``total:``, each at its key: a column not shown (or not in the table), a way
        to total that is not one, a text or date column summed, the label's column totalled."""
        from ..tables import QueryError, closest

        if self.total is None:
            return []
        shown = [column.name for column, _ in columns]
        ways = ", ".join(TOTALS[:-1]) + f" or {TOTALS[-1]}"
        problems = []
        for key, how in self.total.items():
            loc = ("total", key)
            if key == "label":
                continue
            if key not in shown:
                close = closest(key, shown) or closest(key, table.column_names)
                if key in table.column_names:
                    message, hint = (f"column '{key}' is not shown in this table, so it has no total",
                                     "add it to columns:, or remove its total")
                else:
                    message = f"unknown column '{key}' in the total row: table '{table.name}' has no such column"
                    hint = f"did you mean '{close}'?" if close else f"the columns shown: {', '.join(shown)}"
                problems.append(QueryError(loc, message, hint, at_key=True))
                continue
            column = columns[shown.index(key)][0]
            if how not in TOTALS:
                close = closest(how, TOTALS)
                problems.append(QueryError(loc, f"unknown total '{how}' for column '{key}'",
                                           f"did you mean '{close}'? ({ways})" if close else f"total a column by {ways}"))
            elif how != "count" and not column.numeric:
                problems.append(QueryError(loc, f"column '{key}' holds {column.kind}, which has no {how}",
                                           "use count (its filled cells), or total a number column"))
            elif shown.index(key) == 0:
                problems.append(QueryError(loc, f"column '{key}' is the first column, where the total row's label goes",
                                           "show another column first (columns:), or remove its total", at_key=True))
        if not problems and all(key == "label" for key in self.total):
            problems.append(QueryError(("total",), "the total row totals no column",
                                       f"add COLUMN: {TOTALS[0]} (or {', '.join(TOTALS[1:-1])}, {TOTALS[-1]}) for a column the table shows"))
        return problems

    def _total_row(self, columns, rows: tuple[tuple[Any, ...], ...]) -> TotalRow | None:
        """The total of each totalled column over ``rows`` (the rows printed); empty cells are left out."""
        if self.total is None:
            return None
        hows, values = [], []
        for position, (column, _) in enumerate(columns):
            how = self.total.get(column.name)
            filled = [row[position] for row in rows if row[position] is not None]
            hows.append(how)
            if how == "count":
                values.append(Decimal(len(filled)))
            elif how is None or not filled:
                values.append(None)
            elif how == "sum":
                values.append(sum(filled, Decimal(0)))
            elif how == "mean":
                values.append(sum(filled, Decimal(0)) / len(filled))
            else:
                values.append(Decimal(statistics.median(filled)))
        return TotalRow(self.total.get("label", TOTAL_LABEL), tuple(hows), tuple(values))

    def render(self, ctx):
        if isinstance(ctx.prepared, NothingSelected):
            return ctx.kit.nothing_selected_exhibit(ctx, self.title, ctx.prepared.text)
        return ctx.kit.table_exhibit(ctx, self, ctx.prepared)
