"""A table of instruments (ETFs, equities, bonds) from a CSV dataset: a table section with its own default title."""

from __future__ import annotations

from typing import Literal

from .base import Line
from .table import TableColumn, TableSection

__all__ = ["InstrumentTable", "TableColumn"]


class InstrumentTable(TableSection):
    type: Literal["instrument_table"]  # type: ignore[assignment]
    title: Line = "Instruments"
