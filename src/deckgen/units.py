"""Units: the built-in kinds, ISO currencies and rates, and units a data file declares.

A data file may declare the units its figures and table columns use::

    units:
      GW: {suffix: " GW", decimals: 1}
      EUR/kWh: {prefix: "€", suffix: "/kWh", decimals: 0, label: €/kWh}
      bp: {suffix: " bp"}

Nothing here imports reportlab or matplotlib; formatting lives in ``formatting.py``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Mapping

from pydantic import ConfigDict, Field, field_validator

from .models import Strict

BUILT_IN_KINDS = ("percent", "count", "multiple", "ratio", "year")
CURRENCY = re.compile(r"^[A-Z]{3}$")
RATE = re.compile(r"^([A-Z]{3})/([A-Z]{3})$")
UNIT_NAME = re.compile(r"^[^\s{}\[\]<>&]{1,24}$")


class UnitDef(Strict):
    """A unit declared in a data file: how its numbers are written."""

    model_config = ConfigDict(**{**Strict.model_config, "str_strip_whitespace": False})  # " GW" keeps its space

    prefix: str = Field(default="", max_length=8)
    suffix: str = Field(default="", max_length=16)
    decimals: int | None = Field(default=None, ge=0, le=6)
    label: str | None = Field(default=None, max_length=32)  # for axis titles; defaults to the unit's name
    compact: bool = False  # large values as 1.2K / 3.4M (with the prefix and suffix around them)

    @field_validator("prefix", "suffix", "label")
    @classmethod
    def _printable(cls, value: str | None) -> str | None:
        if value is not None and any(ord(char) < 32 for char in value):
            raise ValueError("control characters are not allowed")
        return value


@dataclass(frozen=True)
class Unit:
    """A unit resolved to what formatting needs: its kind and, for declared units, its affixes."""

    name: str
    kind: str  # percent | count | multiple | ratio | year | currency | rate | custom
    prefix: str = ""
    suffix: str = ""
    decimals: int | None = None
    label: str = ""
    compact: bool = False

    @property
    def currency(self) -> str | None:
        return self.name if self.kind == "currency" else None

    @property
    def rate(self) -> tuple[str, str] | None:
        match = RATE.match(self.name)
        return (match.group(1), match.group(2)) if self.kind == "rate" and match else None

    @property
    def axis_label(self) -> str:
        """How an axis title names the unit ("GW", "%", "USD"); empty for plain counts."""
        if self.kind == "percent":
            return "%"
        if self.kind == "multiple":
            return "\u00d7"
        if self.kind in ("count", "ratio", "year"):
            return ""
        return self.label or self.name


def check_unit_name(name: str) -> str:
    if not UNIT_NAME.match(name):
        raise ValueError(f"unit name '{name}' must be 1–24 characters without spaces or markup")
    return name


def builtin_unit(name: str) -> Unit | None:
    if name in BUILT_IN_KINDS:
        return Unit(name, name)
    if CURRENCY.match(name):
        return Unit(name, "currency")
    if RATE.match(name):
        return Unit(name, "rate")
    return None


def unit_from_def(name: str, definition: UnitDef) -> Unit:
    return Unit(name, "custom", definition.prefix, definition.suffix, definition.decimals,
                definition.label or name, definition.compact)


def find_unit(name: str, declared: Mapping[str, Unit]) -> Unit | None:
    """Declared units first (a data file may restyle 'percent'), then the built-in ones."""
    return declared.get(name) or builtin_unit(name)


def unknown_unit_hint(declared: Mapping[str, Unit]) -> str:
    names = ", ".join(sorted(declared)) or "none"
    return (f"use an ISO currency (USD), a rate (JPY/USD), one of {', '.join(BUILT_IN_KINDS)}, "
            f"or declare it under 'units:' in a data file (declared: {names})")
