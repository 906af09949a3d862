"""A table of instruments (ETFs, equities, bonds) from a CSV dataset; the header repeats across pages."""

from __future__ import annotations

from typing import Iterator, Literal

from pydantic import BaseModel, ConfigDict, Field

from ..text import references
from .base import ColumnLabel, Line, Ref, SectionModel

MIN_COLUMN_SHARE = 0.05


class TableColumn(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    key: str
    label: ColumnLabel
    width: float | None = Field(default=None, gt=0)  # relative width
    align: Literal["left", "right", "center"] = "left"


class InstrumentTable(SectionModel):
    type: Literal["instrument_table"]
    title: Line = "Instruments"
    table: str
    columns: list[TableColumn] = Field(min_length=1)
    caption: str | None = None

    def refs(self) -> Iterator[Ref]:
        yield Ref(("table",), "table", self.table)
        for index, column in enumerate(self.columns):
            yield Ref(("columns", index, "key"), f"column:{self.table}", column.key)

    def layout_problems(self):
        """Each column gets at least MIN_COLUMN_SHARE of the table's width: a narrower one has no room
        left for text inside its cell padding (and so at most 1/MIN_COLUMN_SHARE columns)."""
        weights = self.weights()
        for index, (column, weight) in enumerate(zip(self.columns, weights)):
            share = weight / sum(weights)
            if share < MIN_COLUMN_SHARE:
                yield (("columns", index, "width") if column.width is not None else ("columns", index),
                       f"column '{column.key}' would be {share:.1%} of the table's width, too narrow to print",
                       f"give every column at least {MIN_COLUMN_SHARE:.0%} (widths are relative to their sum)")

    def weights(self) -> list[float]:
        return [column.width or 1 for column in self.columns]

    def render(self, ctx):
        from reportlab.platypus import KeepTogether, Table

        data = ctx.report.tables[self.table]
        header = [ctx.paragraph(column.label, f"header_cell_{column.align}") for column in self.columns]
        styles = {"left": "cell", "right": "cell_right", "center": "cell_center"}
        rows = [header]
        shown: list[str] = []
        for row in data.rows:
            cells = []
            for column in self.columns:
                value = row.get(column.key, "") or "\u2014"
                shown += [r.name for r in references(value) if r.kind == "figure"]
                cells.append(ctx.paragraph(value, styles[column.align]))
            rows.append(cells)
        weights = self.weights()
        widths = [ctx.frame_width * w / sum(weights) for w in weights]
        table = Table(rows, colWidths=widths, repeatRows=1, splitByRow=1)
        table.setStyle(ctx.kit.table_style(ctx, len(rows)))
        story = [ctx.heading(self.title, level=2), table]
        if self.caption:
            story.append(ctx.paragraph(self.caption, "caption"))
        story.append(ctx.provenance(figure_names=dict.fromkeys(shown), source_ids=[data.source] if data.source else [],
                                    as_of=[data.as_of] if data.as_of else []))
        return [KeepTogether(story)]  # a table that fits on a page stays whole, with its caption and source
