"""A table of instruments (ETFs, equities, bonds) from a CSV dataset: a table section with its own default title,
and optionally the desk's current view on each instrument, from another table, matched by name.

    - type: instrument_table
      table: instruments
      columns: [{key: name, label: Instrument}, {key: ticker}, {key: theme}]
      view: {table: coverage, instrument: instrument, view: view}   # a View column, last

The view table has a row per instrument; each instrument the table shows must have exactly one view
there (matched on this table's ``match`` column, default its first column shown), or validate says which
has none. Its source and date join the table's source line, and "Capital at risk." follows the table
(unless the section just before it printed it).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from .base import ColumnLabel, Line, Ref
from .table import TableColumn, TableData, TableSection

__all__ = ["InstrumentTable", "InstrumentView", "TableColumn"]


class InstrumentView(BaseModel):
    """Where each instrument's current view comes from: a table with a row per instrument, its column
    naming the instrument and its column with the view."""

    model_config = ConfigDict(defer_build=True, extra="forbid", frozen=True, str_strip_whitespace=True)

    table: str
    instrument: str  # the view table's column naming each instrument, as this table's ``match`` column does
    view: str  # the view table's column with the view ("Positive", "Overweight")
    match: str | None = None  # this table's column with the instrument's name; default: the first column shown
    label: ColumnLabel = "View"
    width: float | str | None = None  # as a column's width: a relative weight or a length

    def column(self) -> TableColumn:
        return TableColumn(key=self.view, label=self.label, width=self.width)


class InstrumentTable(TableSection):
    type: Literal["instrument_table"]  # type: ignore[assignment]
    title: Line = "Instruments"
    view: InstrumentView | None = Field(default=None)  # each instrument's current view, in a last column

    def refs(self):
        yield from super().refs()
        if self.view is not None:
            yield Ref(("view", "table"), "table", self.view.table)

    def prepare(self, report):
        from ..tables import DataErrors

        errors = []
        try:
            prepared = super().prepare(report)
        except DataErrors as error:
            errors, prepared = list(error.errors), None
        if self.view is not None:
            try:
                views = self._views(report)
            except DataErrors as error:
                errors += error.errors
            else:
                if isinstance(prepared, TableData):
                    try:
                        prepared = self._with_views(prepared, report, views)
                    except DataErrors as error:
                        errors += error.errors
        if errors:
            raise DataErrors(errors)
        return prepared

    def _views(self, report) -> dict[str, tuple[str, int | None]]:
        """Each instrument's view, by name, with the line it is on; an instrument given two views is refused."""
        from ..tables import DataErrors, QueryError, check_column

        table, view = report.tables[self.view.table], self.view
        errors = []
        for key in ("instrument", "view"):
            try:
                check_column(table, getattr(view, key), ("view", key), kinds=("text", "ticker"),
                             purpose=f"view: {key} needs")
            except QueryError as error:
                errors.append(error)
        if errors:
            raise DataErrors(errors)
        found: dict[str, tuple[str, int | None]] = {}
        for row, (name, said) in enumerate(zip(table.values(view.instrument), table.values(view.view))):
            if name is None or said is None:
                continue
            line = table.lines[row] if table.lines else None
            if name in found and found[name][0] != said:
                earlier = found[name][1]
                raise DataErrors([QueryError(("view", "table"), f"table '{table.name}' gives '{name}' two views: "
                                             f"'{found[name][0]}'" + (f" (line {earlier})" if earlier else "")
                                             + f" and '{said}'" + (f" (line {line})" if line else ""),
                                             "keep one row per instrument, with its current view")])
            found.setdefault(name, (said, line))
        return found

    def _with_views(self, prepared: TableData, report, views: dict) -> TableData:
        """The table with a last column holding each row's view; a row whose instrument has none is refused."""
        from ..tables import Column, DataErrors, QueryError, check_column, closest

        shown = [column.name for column, _ in prepared.columns]
        match = self.view.match or shown[0]
        if match not in shown:
            check_column(prepared.table, match, ("view", "match"))  # unknown: its own message
            raise DataErrors([QueryError(("view", "match"), f"column '{match}' is not shown in this table",
                                         f"add it to columns:, or match on a column shown: {', '.join(shown)}")])
        position = shown.index(match)
        source = report.tables[self.view.table]
        errors, rows = [], []
        for row in prepared.rows:
            name = row[position]
            if name not in views:
                close = closest(str(name), list(views))
                line = f" (line {views[close][1]})" if close and views[close][1] else ""
                errors.append(QueryError(("view", "table"), f"table '{source.name}' gives no view on '{name}', which this "
                                         "table shows", f"it has '{close}'{line}: correct the name in one of the two "
                                         "tables (they must match exactly)" if close else
                                         f"add a row for it to {source.path.name} with its view in column '{self.view.view}'"))
                continue
            rows.append((*row, views[name][0]))
        if errors:
            raise DataErrors(errors)
        column = Column(self.view.view, "text", label=self.view.label)
        also_from = prepared.also_from + ((source,) if source is not prepared.table else ())
        return replace(prepared, columns=(*prepared.columns, (column, self.view.column())), rows=tuple(rows),
                       also_from=also_from)

    def render(self, ctx):
        from .disclosures import capital_at_risk

        story = super().render(ctx)
        warning = capital_at_risk(ctx, section=self)  # research names instruments here: the warning goes with them
        return story + [warning] if warning is not None else story
