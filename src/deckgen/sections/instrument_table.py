"""A table of instruments (ETFs, equities, bonds) from a CSV dataset: a table section with its own default title."""

from __future__ import annotations

from typing import Literal

from .base import Line
from .table import TableColumn, TableSection

__all__ = ["InstrumentTable", "TableColumn"]


class InstrumentTable(TableSection):
    type: Literal["instrument_table"]  # type: ignore[assignment]
    title: Line = "Instruments"

    def render(self, ctx):
        from .disclosures import capital_at_risk

        story = super().render(ctx)
        warning = capital_at_risk(ctx)  # research names instruments here: the warning goes with them
        return story + [warning] if warning is not None else story
