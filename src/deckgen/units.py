"""Units: the built-in kinds, ISO currencies and rates, and units a data file declares.

A data file may declare the units its figures and table columns use::

    units:
      GW: {suffix: " GW", decimals: 1}
      EUR/kWh: {prefix: "€", suffix: "/kWh", decimals: 0, label: €/kWh}
      bp: {suffix: " bp"}
      MWp: {suffix: " MWp", dimension: power, scale: 1e6}

Every unit may know its *dimension* (what it measures) and *scale* (how many of the dimension's
base unit one of it is), so a figure or column can be converted exactly into the unit it is shown
in (``unit: pp, show: bp``). Known without a declaration, by name:

* ``percent`` and ``pp`` (percentage points): dimension ``percentage``, scale 1; ``bp``: scale 0.01;
* ``W kW MW GW TW``: ``power``, in watts; ``Wh kWh MWh GWh TWh``: ``energy``, in watt-hours;
* an ISO currency (``EUR``): dimension ``currency EUR``, scale 1; a scaled amount, the code, one space
  and ``k``, ``m``, ``bn`` or ``tn`` (``EUR m``, ``USD bn``): the same dimension, scale 1e3, 1e6, 1e9, 1e12.

A declared unit with one of these names keeps its dimension and scale; ``dimension:`` and
``scale:`` in its declaration win over the name. Counts, multiples, ratios, years, rates and other
names have no dimension: nothing converts to or from them.

Nothing here imports reportlab or matplotlib; formatting lives in ``formatting.py``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, localcontext
from typing import Mapping

from pydantic import ConfigDict, Field, field_validator

from .models import Strict

BUILT_IN_KINDS = ("percent", "count", "multiple", "ratio", "year")
CURRENCY = re.compile(r"^[A-Z]{3}$")
RATE = re.compile(r"^([A-Z]{3})/([A-Z]{3})$")
UNIT_NAME = re.compile(r"^(?=.{1,24}$)[^\s{}\[\]<>&]+(?: [^\s{}\[\]<>&]+)?$")  # 'EUR m': one inner space
SCALED_AMOUNT = re.compile(r"^([A-Z]{3}) (k|m|bn|tn)$")
AMOUNT_SCALES = {"k": Decimal("1e3"), "m": Decimal("1e6"), "bn": Decimal("1e9"), "tn": Decimal("1e12")}
METRIC_PREFIXES = {"": Decimal(1), "k": Decimal("1e3"), "M": Decimal("1e6"), "G": Decimal("1e9"), "T": Decimal("1e12")}
PERCENTAGE = "percentage"

# name -> (dimension, scale): units known by their name alone
KNOWN_MEASURES: dict[str, tuple[str, Decimal]] = {
    "pp": (PERCENTAGE, Decimal(1)),  # first: what a hint suggests a bp figure's data may be in
    "bp": (PERCENTAGE, Decimal("0.01")),
    "percent": (PERCENTAGE, Decimal(1)),
    **{f"{prefix}W": ("power", scale) for prefix, scale in METRIC_PREFIXES.items()},
    **{f"{prefix}Wh": ("energy", scale) for prefix, scale in METRIC_PREFIXES.items()},
}
# units known by name that format without a declaration: the suffix they are written with
_NAMED_SUFFIXES = {name: f" {name}" for name in KNOWN_MEASURES if name != "percent"}


class UnitDef(Strict):
    """A unit declared in a data file: how its numbers are written."""

    model_config = ConfigDict(**{**Strict.model_config, "str_strip_whitespace": False})  # " GW" keeps its space

    prefix: str = Field(default="", max_length=8)
    suffix: str = Field(default="", max_length=16)
    decimals: int | None = Field(default=None, ge=0, le=6)
    label: str | None = Field(default=None, max_length=32)  # for axis titles; defaults to the unit's name
    compact: bool = False  # large values as 1.2K / 3.4M (with the prefix and suffix around them)
    dimension: str | None = Field(default=None, min_length=1, max_length=32)  # what it measures: power, percentage...
    scale: Decimal | None = Field(default=None, gt=0)  # one of it in the dimension's base unit (MW: 1e6); default 1

    @field_validator("scale", mode="before")
    @classmethod
    def _exact_scale(cls, value):
        return Decimal(repr(value)) if isinstance(value, float) else value

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
    kind: str  # percent | count | multiple | ratio | year | currency | amount | rate | custom
    prefix: str = ""
    suffix: str = ""
    decimals: int | None = None
    label: str = ""
    compact: bool = False
    dimension: str | None = None  # what it measures ("power", "percentage", "currency EUR"); None: unknown
    scale: Decimal = Decimal(1)  # one of this unit in the dimension's base unit

    @property
    def currency(self) -> str | None:
        return self.name if self.kind == "currency" else None

    @property
    def amount(self) -> tuple[str, str] | None:
        """A scaled amount of a currency ('EUR m'): (currency, scale word)."""
        match = SCALED_AMOUNT.match(self.name)
        return (match.group(1), match.group(2)) if self.kind == "amount" and match else None

    @property
    def rate(self) -> tuple[str, str] | None:
        match = RATE.match(self.name)
        return (match.group(1), match.group(2)) if self.kind == "rate" and match else None

    @property
    def pair(self) -> str | None:
        """A rate's currency pair as markets write it, the currency one unit of is priced first: a rate in
        yen per dollar (JPY/USD) is quoted USD/JPY."""
        rate = self.rate
        return f"{rate[1]}/{rate[0]}" if rate else None

    @property
    def axis_label(self) -> str:
        """How an axis title names the unit ("GW", "%", "USD"); empty for plain counts."""
        if self.kind == "percent":
            return "%"
        if self.kind == "multiple":
            return "\u00d7"
        if self.kind in ("count", "ratio", "year"):
            return ""
        return self.label or self.pair or self.name


def check_unit_name(name: str) -> str:
    if not UNIT_NAME.match(name):
        raise ValueError(f"unit name '{name}' must be 1–24 characters without markup, with at most one space "
                         "between two words ('EUR m')")
    return name


def measure_of(name: str) -> tuple[str | None, Decimal]:
    """(dimension, scale) a unit has by its name alone: see the module's docstring."""
    if name in KNOWN_MEASURES:
        return KNOWN_MEASURES[name]
    if CURRENCY.match(name):
        return f"currency {name}", Decimal(1)
    match = SCALED_AMOUNT.match(name)
    if match:
        return f"currency {match.group(1)}", AMOUNT_SCALES[match.group(2)]
    return None, Decimal(1)


def builtin_unit(name: str) -> Unit | None:
    dimension, scale = measure_of(name)
    if name in BUILT_IN_KINDS:
        return Unit(name, name, dimension=dimension, scale=scale)
    if CURRENCY.match(name):
        return Unit(name, "currency", dimension=dimension, scale=scale)
    if SCALED_AMOUNT.match(name):
        return Unit(name, "amount", label=name, dimension=dimension, scale=scale)
    if name in _NAMED_SUFFIXES:
        return Unit(name, "custom", suffix=_NAMED_SUFFIXES[name], label=name, dimension=dimension, scale=scale)
    if RATE.match(name):
        return Unit(name, "rate")
    return None


def unit_from_def(name: str, definition: UnitDef) -> Unit:
    """A declared unit; its dimension and scale as declared, else as its name says (``GW``: power, 1e9)."""
    dimension, scale = measure_of(name)
    if definition.dimension is not None and definition.dimension != dimension:
        dimension, scale = definition.dimension, Decimal(1)
    return Unit(name, "custom", definition.prefix, definition.suffix, definition.decimals,
                definition.label or name, definition.compact, dimension,
                definition.scale if definition.scale is not None else scale)


class ConversionError(ValueError):
    """Why a number in one unit cannot be shown in another: across dimensions, or a dimension unknown."""


def conversion_factor(source: Unit, target: Unit) -> Decimal:
    """What a number in ``source`` is multiplied by to be in ``target`` (exactly, for the scales above)."""
    if source.dimension is None or target.dimension is None:
        unknown = source if source.dimension is None else target
        raise ConversionError(f"'{unknown.name}' has no known dimension")
    if source.dimension != target.dimension:
        raise ConversionError(f"'{source.name}' is {describe_dimension(source.dimension)} and "
                              f"'{target.name}' is {describe_dimension(target.dimension)}")
    with localcontext(prec=40):
        return source.scale / target.scale


def convert(number: Decimal, factor: Decimal) -> Decimal:
    """``number`` times ``factor``, without trailing zeros or an exponent (1.28 pp -> 128 bp, 1.5 GW -> 1500 MW)."""
    with localcontext(prec=40):
        converted = (number * factor).normalize()  # 12300000 EUR is 12.3 EUR m, not 12.300000
        if converted.as_tuple().exponent > 0:  # type: ignore[operator]
            converted = converted.quantize(Decimal(1))  # 1.5E+3 is written 1500
    return converted


def describe_dimension(dimension: str) -> str:
    """'power' -> 'power'; 'currency EUR' -> 'an amount in EUR'; 'percentage' -> 'a percentage'."""
    if dimension.startswith("currency "):
        return f"an amount in {dimension.removeprefix('currency ')}"
    return f"a {dimension}" if dimension == PERCENTAGE else dimension


def units_of_dimension(dimension: str, declared: Mapping[str, Unit]) -> list[str]:
    """Names of the units known (built in or declared) to measure ``dimension``, for a hint."""
    names = [name for name, (known, _) in KNOWN_MEASURES.items() if known == dimension]
    if dimension.startswith("currency "):
        code = dimension.removeprefix("currency ")
        names = [code, *(f"{code} {word}" for word in AMOUNT_SCALES)]
    return list(dict.fromkeys(names + [name for name, unit in declared.items() if unit.dimension == dimension]))


def find_unit(name: str, declared: Mapping[str, Unit]) -> Unit | None:
    """Declared units first (a data file may restyle 'percent'), then the built-in ones."""
    return declared.get(name) or builtin_unit(name)


def unknown_unit_hint(declared: Mapping[str, Unit]) -> str:
    names = ", ".join(sorted(declared)) or "none"
    return (f"use an ISO currency (USD), an amount (USD m), a rate (JPY/USD), one of {', '.join(BUILT_IN_KINDS)}, "
            "pp, bp, MW, MWh, "
            f"or declare it under 'units:' in a data file (declared: {names})")
