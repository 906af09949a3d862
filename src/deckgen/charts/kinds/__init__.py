"""The chart kind registry: the one place a kind is added (write its module, list it here)."""

from __future__ import annotations

from . import area, bar, hbar, line, percent_bar, range, scatter, stacked_bar, waterfall
from .base import KIND_OPTIONS, MAX_SERIES, ChartKind

KINDS: dict[str, ChartKind] = {
    module.KIND.name: module.KIND for module in (line, area, bar, stacked_bar, percent_bar, hbar, range, scatter, waterfall)
}
KIND_NAMES: tuple[str, ...] = tuple(KINDS)

__all__ = ["ChartKind", "KINDS", "KIND_NAMES", "KIND_OPTIONS", "MAX_SERIES"]
