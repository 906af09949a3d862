"""100% stacked bar: each bar is a whole, split into the shares of its series."""

from __future__ import annotations

from .base import ChartKind
from .stacked_bar import stack

# the renderer turns the values into shares of each bar's total before drawing
KIND = ChartKind("percent_bar", stack, stacked=True, max_categories=40, starts_at_zero=True,
                 honours=frozenset({"x_label", "sort", "limit", "agg"}))  # no values on the marks
