"""The data a brief draws on: figures, breakdowns, sources and tables (validated models)."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Annotated, Any, Literal, Union

from pydantic import Discriminator, Field, Tag, field_validator, model_validator

from .models import Strict
from .tables import Aggregate, FigureStyle
from .units import UnitDef, check_unit_name


NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_\-]*$")
SOURCE_ID = re.compile(r"^[\w.\-]+$")  # what a citation [@id] can name


def check_source_id(value: str) -> str:
    if not SOURCE_ID.match(value):
        raise ValueError(f"source id '{value}' can only use letters, digits, '.', '_' and '-' (so that [@id] can cite it)")
    return value


def check_names(names, what: str):
    for name in names:
        if not NAME.match(str(name)):
            raise ValueError(f"{what} name '{name}' must start with a letter or _ and use only letters, digits, _ and -")
    return names


MAX_DIGITS = 15  # significant digits of a figure: what a chart (a double) shows exactly


def exact_decimal(value):
    """Floats become the Decimal of their shortest repr, so 2.0 keeps its one decimal place."""
    if isinstance(value, bool):
        raise ValueError("expected a number, not a boolean")
    return Decimal(repr(value)) if isinstance(value, float) else value


def within_digits(value: Decimal | None) -> Decimal | None:
    """``value`` if formatting and charts can show it exactly: at most MAX_DIGITS significant digits,
    and less than 10^MAX_DIGITS in size (so a 400-digit number is refused here, not when rendering)."""
    if value is None or not value.is_finite():
        return value  # pydantic has already refused NaN and infinity
    if value and value.adjusted() >= MAX_DIGITS:
        raise ValueError(f"the number is too large: at most {MAX_DIGITS} digits before the decimal point")
    significant = "".join(map(str, value.as_tuple().digits)).strip("0")
    if len(significant) > MAX_DIGITS:
        raise ValueError(f"the number has {len(significant)} significant digits; round it to at most {MAX_DIGITS}")
    return value


class Figure(Strict):
    """One number (or range) with its unit, as-of date and source."""

    name: str = ""
    label: str | None = None
    value: Decimal | None = None
    min: Decimal | None = None
    max: Decimal | None = None
    unit: str
    show: str | None = None  # the unit it is printed in, converted exactly from ``unit`` (unit: pp, show: bp)
    as_of: dt.date
    source: str
    style: FigureStyle = "compact"
    decimals: int | None = Field(default=None, ge=0, le=6)
    note: str | None = None

    @field_validator("value", "min", "max", mode="before")
    @classmethod
    def _exact(cls, value):
        return exact_decimal(value)

    @field_validator("value", "min", "max")
    @classmethod
    def _showable(cls, value: Decimal | None) -> Decimal | None:
        return within_digits(value)

    @model_validator(mode="after")
    def _value_or_range(self) -> "Figure":
        if self.value is None and (self.min is None or self.max is None):
            raise ValueError("give either 'value' or both 'min' and 'max'")
        if self.value is not None and (self.min is not None or self.max is not None):
            raise ValueError("give either 'value' or 'min'/'max', not both")
        return self

    @property
    def is_range(self) -> bool:
        return self.value is None

    @property
    def low(self) -> Decimal:
        return self.value if self.value is not None else self.min  # type: ignore[return-value]

    @property
    def high(self) -> Decimal:
        return self.value if self.value is not None else self.max  # type: ignore[return-value]

    @property
    def midpoint(self) -> Decimal:
        return (self.low + self.high) / 2


class BreakdownPart(Strict):
    id: str = Field(pattern=NAME.pattern)
    label: str
    value: Decimal | None = None
    min: Decimal | None = None
    max: Decimal | None = None
    note: str | None = None

    @field_validator("value", "min", "max", mode="before")
    @classmethod
    def _exact(cls, value):
        return exact_decimal(value)

    @field_validator("value", "min", "max")
    @classmethod
    def _share(cls, value: Decimal | None) -> Decimal | None:
        if value is not None and value.is_finite() and not 0 <= value <= 100:
            raise ValueError(f"a share is a percentage from 0 to 100, not {value}")
        return within_digits(value)

    @model_validator(mode="after")
    def _value_or_range(self) -> "BreakdownPart":
        if self.value is not None and (self.min is not None or self.max is not None):
            raise ValueError(f"part '{self.id}': give either 'value' or 'min'/'max', not both")
        return self  # a part with neither is reported with the breakdown's other checks


class Breakdown(Strict):
    """Shares of a whole (percent): each part is a figure named ``<breakdown>.<part id>``."""

    title: str
    unit: Literal["percent"] = "percent"
    as_of: dt.date
    source: str
    total: str | None = None  # name of the figure the shares are of
    note: str | None = None
    parts: list[BreakdownPart] = Field(min_length=1)


class TableFigure(Strict):
    """A figure computed from a table, so text and chart cannot disagree::

        installed_total: {table: capacity, column: gw, where: {month: last}, agg: sum}

    ``agg`` is value (exactly one matching row; the default), sum, mean, median, min, max, count,
    first, last, change or pct_change (the last four along ``over``, e.g. ``over: month``). Unit,
    as-of date and source default to the column's unit and the table's as_of and source; decimals to
    the column's (its ``decimals:``, else its unit's, else the most its numbers have), except for
    count and pct_change.
    """

    table: str
    column: str
    where: dict[str, Any] = Field(default_factory=dict)
    agg: Aggregate = "value"
    over: str | None = None
    unit: str | None = None
    show: str | None = None  # the unit it is printed in (default: the column's)
    as_of: dt.date | None = None
    source: str | None = None
    label: str | None = None
    style: FigureStyle = "compact"
    decimals: int | None = Field(default=None, ge=0, le=6)
    note: str | None = None


def _figure_kind(value: Any) -> str:
    return "from-table" if isinstance(value, dict) and "table" in value else "with-value"


AnyFigure = Annotated[
    Union[Annotated[Figure, Tag("with-value")], Annotated[TableFigure, Tag("from-table")]],
    Discriminator(_figure_kind),
]


class FiguresFile(Strict):
    units: dict[str, UnitDef] = Field(default_factory=dict)
    figures: dict[str, AnyFigure] = Field(default_factory=dict)
    breakdowns: dict[str, Breakdown] = Field(default_factory=dict)

    @field_validator("figures", "breakdowns", mode="before")
    @classmethod
    def _plain_names(cls, value, info):
        if isinstance(value, dict):
            check_names(value, "figure" if info.field_name == "figures" else "breakdown")
        return value

    @field_validator("units", mode="before")
    @classmethod
    def _unit_names(cls, value):
        if isinstance(value, dict):
            for name in value:
                check_unit_name(str(name))
        return value


class Source(Strict):
    """A reference, printed IEEE-style: Author, “Title,” Publisher, date. [Online]. Available: URL."""

    id: str
    author: str
    title: str
    publisher: str | None = None
    date: dt.date | None = None
    url: str | None = None  # the document's own address
    site: str | None = None  # only the publisher's site, when the document has no address given
    accessed: dt.date | None = None
    note: str | None = None

    @field_validator("id")
    @classmethod
    def _citable(cls, value: str) -> str:
        return check_source_id(value)

    @field_validator("url", "site")
    @classmethod
    def _http_only(cls, url: str | None) -> str | None:
        if url is not None and not re.match(r"^https?://[^\s<>\"]+$", url):
            raise ValueError("url must start with http:// or https:// and contain no spaces or quotes")
        return url


_SITE_ROOT_SEGMENT = re.compile(r"^(?:[a-z]{2}(?:[-_][a-z]{2})?|english|home|index(?:\.[a-z]+)?|default(?:\.[a-z]+)?)$", re.IGNORECASE)


def is_home_page(url: str) -> bool:
    """Whether ``url`` is only a site's home page ('https://ustr.gov/', 'https://www.mod.go.jp/en/'),
    which names no document: no query, and a path of at most one language or index segment."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    if parts.query:
        return False
    segments = [segment for segment in parts.path.split("/") if segment]
    return not segments or (len(segments) == 1 and bool(_SITE_ROOT_SEGMENT.match(segments[0])))


class SourcesFile(Strict):
    sources: list[Source] = Field(min_length=1)
