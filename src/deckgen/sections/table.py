"""A table section: any table dataset, its numbers and dates formatted by unit and locale.

    - type: table
      title: Projects in the pipeline
      table: projects
      columns:
        - {key: name, label: Project}
        - {key: mw, label: Power}       # formatted by the column's unit
        - {key: cod, label: Online}     # a date column: written the locale's way
      sort: {by: mw, descending: true}

Column widths fit the content unless given; numbers and dates never break across lines; the
header repeats on every page; a long table flows across pages (``page_break: before`` to start
it on a new page).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, ClassVar, Iterator, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from .base import ColumnLabel, Line, NothingSelected, Passage, Ref, SectionModel

MAX_SHOWN_ROWS = 20_000
MIN_COLUMN_SHARE = 0.05
_WIDTH = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(mm|cm|in|pt|%)\s*$")


class _Part(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class TableColumn(_Part):
    key: str
    label: ColumnLabel | None = None  # defaults to the column's label in the data entry, else its name
    width: float | str | None = None  # a relative weight (2 is twice 1), or 30mm, 1.2in, 80pt, 25%
    align: Literal["left", "right", "center"] | None = None  # default: numbers and dates right, text left
    decimals: int | None = Field(default=None, ge=0, le=6)
    style: Literal["compact", "long", "precise"] | None = None

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
class TableData:
    """What a table section shows: its columns (from the data) and its rows, selected and sorted."""

    table: Any  # tables.Table
    columns: tuple[tuple[Any, TableColumn], ...]  # (tables.Column, the section's column settings)
    rows: tuple[tuple[Any, ...], ...]  # the shown columns' values, in order
    figure_names: tuple[str, ...] = ()  # figures its text cells refer to ({{ name }})


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
            if not column.numeric:  # text and dates are written as they are: no digits or number style to choose
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
        text_positions = [i for i, (column, _) in enumerate(columns) if not column.numeric and column.kind not in ("date", "datetime")]
        names = dict.fromkeys(ref.name for row in shown for i in text_positions if row[i] and "{{" in row[i]
                              for ref in references(row[i]) if ref.kind == "figure")
        return TableData(table, tuple(columns), shown, tuple(names))

    def render(self, ctx):
        if isinstance(ctx.prepared, NothingSelected):
            return ctx.kit.nothing_selected_exhibit(ctx, self.title, ctx.prepared.text)
        return ctx.kit.table_exhibit(ctx, self, ctx.prepared)
