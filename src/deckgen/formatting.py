"""The one place where numbers and dates become text: babel, by locale, per unit and figure style.

Figures in prose, table cells and chart axes all go through here, so a number reads the same
wherever it is shown. A negative number is written with the true minus sign, U+2212 ("−22", not
"-22"), in front of any unit sign ("−$5", "−€140/kWh"): babel writes the locale's hyphen-minus,
and ``true_minus`` is the one place it becomes the minus sign.
"""

from __future__ import annotations

import re
from decimal import Decimal
from functools import lru_cache
from typing import TYPE_CHECKING, Sequence

from babel import Locale, UnknownLocaleError
from babel.numbers import (
    format_compact_currency,
    format_compact_decimal,
    format_currency,
    format_percent,
    get_currency_symbol,
    parse_pattern,
)

import datetime as dt

from .tables import FigureStyle
from .units import Unit

if TYPE_CHECKING:  # the figure models are not loaded where only charts are drawn (the chart process)
    from .figures import Figure

EN_DASH = "\u2013"
TIMES = "\u00d7"
MINUS = "\u2212"  # the true minus sign: as wide as a plus, level with the digits' middle
PLUS = "+"


def true_minus(number_text: str) -> str:
    """``number_text`` (a number as babel writes it, with no unit affixes of a data file's) with its
    hyphen-minus as the minus sign U+2212: the one place every printed negative passes through."""
    return number_text.replace("-", MINUS)


def _sign_first(number_text: str) -> tuple[str, str]:
    """(the minus sign or '', the rest): so that a unit's prefix goes after the sign ("−€140/kWh")."""
    text = true_minus(number_text)
    return (MINUS, text[1:]) if text.startswith(MINUS) else ("", text)


@lru_cache(maxsize=256)
def _decimal_pattern(pattern: str, locale: str):
    """babel's format_decimal, with the pattern parsed and the locale looked up once, not per number
    (a long table formats thousands of numbers with a handful of patterns)."""
    parsed, where = parse_pattern(pattern), Locale.parse(locale)
    # by the number's text, not its value: Decimal("-0") == Decimal("0"), yet they are written differently
    by_text = lru_cache(maxsize=4096)(lambda text: parsed.apply(Decimal(text), where, numbering_system="latn"))
    return lambda number: by_text(str(number))


def format_decimal(number: Decimal, format: str, locale: str) -> str:  # noqa: A002 - babel's own name
    return _decimal_pattern(format, locale)(number)


def check_locale(name: str) -> str:
    try:
        Locale.parse(name)
    except (UnknownLocaleError, ValueError) as exc:
        raise ValueError(f"unknown locale '{name}'") from exc
    return name


def format_figure(figure: Figure, unit: Unit, locale: str = "en_US", style: FigureStyle | None = None) -> str:
    style = style or figure.style
    if figure.is_range:
        low = format_number(figure.min, unit, locale, style, figure.decimals)  # type: ignore[arg-type]
        high = format_number(figure.max, unit, locale, style, figure.decimals)  # type: ignore[arg-type]
        return join_range(low, high)
    return format_number(figure.value, unit, locale, style, figure.decimals)  # type: ignore[arg-type]


def join_range(low: str, high: str) -> str:
    """'35%' and '40%' -> '35–40%'; '$330B' and '$360B' -> '$330–360B'; '−10%' and '−5%' -> '−10–−5%'
    (a minus sign is never shared: it belongs to each end)."""
    prefix = _non_numeric_head(_common_prefix(low, high))
    if MINUS in prefix:
        prefix = ""
    suffix = _non_numeric_head(_common_prefix(low[::-1], high[::-1]))[::-1]
    core_low = low[len(prefix) : len(low) - len(suffix)]
    core_high = high[len(prefix) : len(high) - len(suffix)]
    return f"{prefix}{core_low}{EN_DASH}{core_high}{suffix}"


def _non_numeric_head(text: str) -> str:
    for index, char in enumerate(text):
        if char.isdigit():
            return text[:index]
    return text


def _common_prefix(a: str, b: str) -> str:
    size = 0
    while size < min(len(a), len(b)) and a[size] == b[size]:
        size += 1
    return a[:size]


def decimals_of(number: Decimal, explicit: int | None) -> int:
    if explicit is not None:
        return explicit
    exponent = number.as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def format_number(
    number: Decimal, unit: Unit | None, locale: str, style: FigureStyle = "compact", decimals: int | None = None,
) -> str:
    """One number in its unit (None: a plain number), e.g. '$52B', '35%', '1.2 GW', '€140/kWh'."""
    return _formatted(number, unit, locale, style, decimals, False)[0]


def shown_number(
    number: Decimal, unit: Unit | None, locale: str, style: FigureStyle = "compact", decimals: int | None = None,
) -> Decimal:
    """The number ``format_number`` prints, as a Decimal: 1.28 with 0 decimals is 1; 52.4e9 as '$52B' is 52e9.

    The same decisions as ``format_number`` (each branch of one function says what it prints and
    what that is worth), so the precision check cannot drift from the text."""
    return _formatted(number, unit, locale, style, decimals, True)[1]  # type: ignore[return-value]


def _formatted(
    number: Decimal, unit: Unit | None, locale: str, style: FigureStyle, decimals: int | None, want_shown: bool,
) -> tuple[str, Decimal | None]:
    """(text, the number the text shows, if ``want_shown``): one branch per way a number is written.

    Kept per process by the number's text as well as its value (Decimal("1.0") == Decimal("1.00"),
    yet they are written differently): every variant of a brief checks and prints the same figures."""
    return _formatted_once(type(number), str(number), number, unit, locale, style, decimals, want_shown)


@lru_cache(maxsize=65_536)
def _formatted_once(  # _type and _text only widen the cache's key beyond the number's value
    _type: type, _text: str, number: Decimal, unit: Unit | None, locale: str, style: FigureStyle, decimals: int | None,
    want_shown: bool,
) -> tuple[str, Decimal | None]:
    def plain(digits: int) -> tuple[str, Decimal | None]:
        return (true_minus(format_decimal(number, format=_pattern(digits), locale=locale)),
                _rounded(number, digits) if want_shown else None)

    if unit is None:
        return plain(decimals_of(number, decimals))
    if unit.currency:
        return _format_money(number, unit.currency, locale, style, decimals, want_shown)
    if unit.rate:  # JPY/USD, yen per dollar: the pair as the market quotes it, "USD/JPY 152.3"
        amount, shown = plain(decimals_of(number, decimals))
        return f"{unit.pair}\u00a0{amount}", shown
    digits = decimals_of(number, decimals if decimals is not None else unit.decimals)
    if unit.amount:
        currency, scale = unit.amount
        word = scale_word(scale, locale)
        core, shown = plain(digits)
        sign, core = _sign_first(core)
        symbol = get_currency_symbol(currency, locale)
        if Locale.parse(locale).currency_formats["standard"].pattern.startswith("¤"):
            return f"{sign}{symbol}{core}{word}", shown  # €12.3M (the locale's word for the scale: scale_word)
        return f"{sign}{core}{word}\u00a0{symbol}", shown  # 12,3 Mio. €
    if unit.kind == "custom":
        if unit.compact and style != "precise" and abs(number) >= 10_000:
            format_type = "long" if style == "long" else "short"
            core = _compact(number, format_type, locale, 1)
            shown = _compact_shown(number, format_type, locale, 1) if want_shown else None
        else:
            core, shown = plain(digits)
        sign, core = _sign_first(core)
        return f"{sign}{unit.prefix}{core}{unit.suffix}", shown
    if unit.kind == "percent":
        return (true_minus(format_percent(number / 100, format=_pattern(digits) + "%", locale=locale)),
                _rounded(number, digits) if want_shown else None)
    if unit.kind == "multiple":
        core, shown = plain(digits)
        return core + TIMES, shown
    if unit.kind == "year":
        return true_minus(str(int(number))), Decimal(int(number))
    if unit.kind == "count" and style == "long" and abs(number) >= 1_000_000:
        return true_minus(_compact(number, "long", locale, 2)), _compact_shown(number, "long", locale, 2) if want_shown else None
    return plain(digits)


def _at_scale_of(number: Decimal, like: Decimal, unit: Unit | None, locale: str, style: FigureStyle,
                 decimals: int | None, want_shown: bool) -> tuple[str, Decimal | None] | None:
    """``number`` in the short compact form ``like`` is written in, grouped ('€8,303M' where ``like``
    prints '€138M'); None where ``like`` is not written compactly (or in the long form)."""
    from babel.numbers import _get_compact_format  # babel's choice of pattern, so the scale is the cell's

    if unit is None or style != "compact" or (unit.currency is None and not (unit.kind == "custom" and unit.compact)):
        return None
    if header_unit(unit, locale):
        return None  # the header names the unit: the cells are plain numbers
    currency = bool(unit.currency)
    if abs(like) < (1000 if currency else 10_000):
        return None  # written in full, as a cell of the column is
    where, table = _compact_table("short", locale, currency)
    exact, pattern = _get_compact_format(abs(like), table, where, 20)
    if pattern is None or exact == 0:
        return None
    divisor = Decimal(10) ** round((abs(like) / exact).log10())
    digits = decimals if decimals is not None else 0
    grouped = re.sub(r"0+", _pattern(digits), str(pattern.pattern), count=1)  # '¤0M' -> '¤#,##0M'
    scaled = number / divisor
    if currency:
        text = parse_pattern(grouped).apply(scaled, where, currency=unit.currency, currency_digits=False)
        return true_minus(text), _rounded(scaled, digits) * divisor if want_shown else None
    sign, core = _sign_first(true_minus(parse_pattern(grouped).apply(scaled, where)))
    return f"{sign}{unit.prefix}{core}{unit.suffix}", _rounded(scaled, digits) * divisor if want_shown else None


def _rounded(number: Decimal, digits: int) -> Decimal:
    """``number`` to ``digits`` places, rounded as babel rounds what it prints (the context's half-even)."""
    return number.quantize(Decimal(1).scaleb(-digits))


def relative_difference(shown: Decimal, value: Decimal) -> Decimal:
    """How far the printed number is from the data, as a share of the data's magnitude (0 for a zero)."""
    if value == 0:
        return Decimal(0)
    return abs(shown - value) / abs(value)


@lru_cache(maxsize=4096)
def format_date(value: dt.date, locale: str) -> str:
    """A date as the brief writes it (Feb 16, 2026; 16.02.2026), never split across lines: ``dates.format_day``."""
    from .dates import format_day

    return format_day(value, locale)


def format_month(value: dt.date, locale: str, skeleton: str = "yMMM") -> str:
    """A month, quarter or year as an axis tick ('Jan 2026', 'janv. 2026', '2026年1月'): ``dates.format_period``."""
    from .dates import format_period

    return format_period(value, locale, skeleton)


def tick_affixes(unit: Unit | None, locale: str) -> tuple[str, str, bool]:
    """(prefix, suffix, name_in_title) for axis ticks and table cells: short symbols stay on the
    numbers ('$', '%', '×'); a longer unit ('GW', '€/kWh') is named once, in the axis title or the
    column header, so the numbers stay short and line up."""
    if unit is None:
        return "", "", False
    if unit.currency:
        return get_currency_symbol(unit.currency, locale), "", False
    if unit.amount:
        currency, scale = unit.amount
        return get_currency_symbol(currency, locale), scale_word(scale, locale), False
    if unit.kind == "percent":
        return "", "%", False
    if unit.kind == "multiple":
        return "", TIMES, False
    if unit.kind == "custom":
        if len(unit.suffix.strip()) <= 1:
            return unit.prefix, unit.suffix, False
        return "", "", True  # the axis title names the whole unit ("€/kWh"), the ticks are plain numbers
    return "", "", bool(unit.axis_label)


def header_unit(unit: Unit | None, locale: str) -> str:
    """A unit named in a table's header rather than in every cell: long suffixes ('GW', '/kWh')."""
    if unit is None or unit.kind != "custom":
        return ""
    _, _, in_title = tick_affixes(unit, locale)
    return unit.axis_label if in_title else ""


def currency_digits(code: str) -> int:
    """A currency's minor units (ISO 4217, from CLDR): JPY 0, USD and EUR 2, KWD 3."""
    from babel.numbers import get_currency_precision

    return get_currency_precision(code)


def column_decimals(values: Sequence[object], explicit: int | None, unit: Unit | None) -> int | None:
    """One number of decimals per table column, so the digits line up: as set, else the unit's, else
    the most any of its numbers has."""
    if explicit is not None or (unit is not None and unit.decimals is not None):
        return explicit
    places = [max(0, -v.as_tuple().exponent) for v in values
              if isinstance(v, Decimal) and isinstance(v.as_tuple().exponent, int)]
    return max(places) if places else None


def format_cell(number: Decimal, unit: Unit | None, locale: str, style: FigureStyle, decimals: int | None,
                like: Decimal | None = None) -> str:
    """A table cell's number: plain when the header names the unit, else in its unit; never broken.
    ``like``: written at the compact scale that number is written at (a total under its column)."""
    return _cell(number, unit, locale, style, decimals, False, like)[0]


def shown_cell(number: Decimal, unit: Unit | None, locale: str, style: FigureStyle, decimals: int | None,
               like: Decimal | None = None) -> Decimal:
    """The number a table cell prints (see ``shown_number``)."""
    return _cell(number, unit, locale, style, decimals, True, like)[1]  # type: ignore[return-value]


def scale_of(number: Decimal, unit: Unit | None, locale: str, style: FigureStyle, decimals: int | None) -> str:
    """What is left of a printed cell without its digits: '€B' for '€8.3B', '€M' for '€138M', '%'."""
    return _NUMBER_PARTS.sub("", format_cell(number, unit, locale, style, decimals))


def total_like(total: Decimal, cells: Sequence[object], unit: Unit | None, locale: str, style: FigureStyle,
               decimals: int | None) -> Decimal | None:
    """The cell whose compact scale a total row's number takes, so it reads in the column's terms
    ('€8,303M' under '€138M', not '€8.3B'): the largest cell, when the total is written at a scale no
    cell is and is at least that cell; None (the total as any cell) otherwise."""
    numbers = [value for value in cells if isinstance(value, Decimal)]
    if not numbers or scale_of(total, unit, locale, style, decimals) in {
            scale_of(number, unit, locale, style, decimals) for number in numbers}:
        return None
    largest = max(numbers, key=abs)
    if abs(total) < abs(largest) or _at_scale_of(total, largest, unit, locale, style, decimals, False) is None:
        return None
    return largest


_NUMBER_PARTS = re.compile(r"[\d.,\u00a0\u202f\u2009' +\u2212-]")


def total_decimals(total: Decimal, cells: Sequence[object], unit: Unit | None, locale: str, style: FigureStyle,
                   decimals: int | None) -> int | None:
    """A total row's decimals: its column's, except where the total is written at another scale than
    every cell ('€8B' under '€138M', '€2M' under '€950K'): there the column's decimals do not line up
    with anything, so it takes as many more (up to 2) as print it within 1% ('€8.27B')."""
    numbers = [value for value in cells if isinstance(value, Decimal)]
    if not numbers:
        return decimals
    def scale(number: Decimal) -> str:  # what is left of the printed number without its digits: '€B', '€M', '%'
        return _NUMBER_PARTS.sub("", format_cell(number, unit, locale, style, decimals))
    if scale(total) in {scale(number) for number in numbers}:
        return decimals
    start = decimals or 0
    for more in range(start, start + 3):
        if relative_difference(shown_cell(total, unit, locale, style, more), total) <= Decimal("0.01"):
            return more
    return start + 2


def format_change(number: Decimal, unit: Unit | None, locale: str, style: FigureStyle, decimals: int | None,
                  like: Decimal | None = None) -> tuple[str, int]:
    """A change as a table cell prints it, and the sign a reader sees (1, −1, or 0): '+14', '−22', and
    '0' unsigned; the sign is the printed number's, so −0.04 with one decimal is '0.0', not '−0.0'."""
    text, shown = _cell(number, unit, locale, style, decimals, True, like)
    if shown > 0:  # type: ignore[operator]
        return PLUS + text, 1
    if shown < 0:  # type: ignore[operator]
        return text, -1
    return text.replace(MINUS, "", 1), 0


def printed_cell(number: Decimal, unit: Unit | None, locale: str, style: FigureStyle, decimals: int | None,
                 signed: bool, like: Decimal | None = None) -> tuple[str, int]:
    """A table cell's number as printed, and its printed sign in a change column (``signed``; else 0):
    the one choice between ``format_change`` and ``format_cell`` that the table and its checks share."""
    if signed:
        return format_change(number, unit, locale, style, decimals, like)
    return format_cell(number, unit, locale, style, decimals, like), 0


def _cell(number: Decimal, unit: Unit | None, locale: str, style: FigureStyle, decimals: int | None,
          want_shown: bool, like: Decimal | None = None) -> tuple[str, Decimal | None]:
    at_scale = _at_scale_of(number, like, unit, locale, style, decimals, want_shown) if like is not None else None
    if at_scale is not None:
        text, shown = at_scale
    elif unit is not None and header_unit(unit, locale):  # the header names the unit: plain numbers
        text, shown = _formatted(number, None, locale, style, decimals if decimals is not None else unit.decimals, want_shown)
    else:
        text, shown = _formatted(number, unit, locale, style, decimals, want_shown)
    return text.replace(" ", "\u00a0"), shown


def format_tick(value: float, step: float, unit: Unit | None, locale: str) -> str:
    """An axis tick: as many decimals as the tick spacing needs, large values compact (1.5K, 2M)."""
    prefix, suffix, _ = tick_affixes(unit, locale)
    digits = 0
    while digits < 4 and abs(step * 10**digits - round(step * 10**digits)) > 1e-6:
        digits += 1
    if abs(value) >= 10_000 and (unit is None or unit.kind != "year"):
        core = format_compact_decimal(value, locale=locale, fraction_digits=1 if step < abs(value) / 2 else 0)
    elif unit is not None and unit.kind == "year":
        core = str(int(round(value)))
    else:
        core = format_decimal(round(value, digits), format=_pattern(digits), locale=locale)
    sign, core = _sign_first(core)
    return f"{sign}{prefix}{core}{suffix}"


def format_signed(
    number: Decimal, unit: Unit | None, locale: str, style: FigureStyle = "compact", decimals: int | None = None,
    plus: bool = False,
) -> str:
    """A number as ``format_number`` writes it, a negative one with a true minus (U+2212) before its
    unit's prefix ('−$5M', '−22 bp'); with ``plus``, a positive one with '+' ('+14 bp', as a change
    is written). A value that rounds to zero has no sign."""
    magnitude = abs(number)
    text = format_number(magnitude, unit, locale, style, decimals)
    if number == 0 or shown_number(magnitude, unit, locale, style, decimals) == 0:
        return text
    if number < 0:
        return MINUS + text
    return PLUS + text if plus else text


@lru_cache(maxsize=64)
def scale_word(scale: str, locale: str) -> str:
    """How the brief writes a scale ('k', 'm', 'bn', 'tn' of an amount unit such as 'USD bn'): the word the
    locale's compact numbers use for it ('B' in English, as in '$52B'; '\u00a0Mrd.' in German), so an
    amount unit's '$330B' and a compact figure's '$52B' never mix with '$330bn' in one brief. The
    unit's own word where the locale has none for that power of ten (Japanese counts in 万 and 億)."""
    from .units import AMOUNT_SCALES

    power = str(int(AMOUNT_SCALES[scale]))
    _, table = _compact_table("short", locale, False)
    pattern = table.get("other", {}).get(power)
    if pattern is None or pattern.pattern.count("0") != 1 or not pattern.suffix[0].strip("\u00a0 "):
        return scale
    return pattern.suffix[0].replace("'", "")


def _compact(number, format_type: str, locale: str, fraction_digits: int) -> str:
    """A compact number ("52 billion", "520億"); locales with no long form (ja, zh, ko) use their short one."""
    try:
        return format_compact_decimal(number, format_type=format_type, locale=locale, fraction_digits=fraction_digits)
    except KeyError:
        return format_compact_decimal(number, format_type="short", locale=locale, fraction_digits=fraction_digits)


def _compact_table(format_type: str, locale: str, currency: bool):
    """The locale's compact patterns ``_compact`` and babel's compact currency use (with the same fallback)."""
    where = Locale.parse(locale)
    tables = where.compact_currency_formats if currency else where.compact_decimal_formats
    return where, tables[format_type] if format_type in tables else tables["short"]


def _compact_shown(number: Decimal, format_type: str, locale: str, fraction_digits: int, currency: bool = False) -> Decimal:
    """What a compact form shows ('1.2K' is 1200): babel's own choice of magnitude and rounding, scaled back."""
    from decimal import localcontext

    from babel.numbers import _get_compact_format  # babel's choice of pattern, so ours cannot differ from it

    where, table = _compact_table(format_type, locale, currency)
    rounded, pattern = _get_compact_format(number, table, where, fraction_digits)
    if pattern is None:
        return number
    with localcontext(prec=60):
        exact, _ = _get_compact_format(number, table, where, 20)
        return rounded if exact == 0 else rounded * (number / exact)


def _pattern(digits: int) -> str:
    return "#,##0" + ("." + "0" * digits if digits else "")


def _format_money(
    number: Decimal, currency: str, locale: str, style: FigureStyle, decimals: int | None, want_shown: bool = False,
) -> tuple[str, Decimal | None]:
    if style == "precise" or abs(number) < 1000:
        digits = decimals if decimals is not None else (0 if number == number.to_integral() else 2)
        return (true_minus(format_currency(number, currency, format="¤" + _pattern(digits), locale=locale, currency_digits=False)),
                _rounded(number, digits) if want_shown else None)
    fraction = decimals if decimals is not None else 2
    if style == "long":
        sign, words = _sign_first(_compact(number, "long", locale, fraction))
        symbol = get_currency_symbol(currency, locale)
        pattern = Locale.parse(locale).currency_formats["standard"].pattern
        shown = _compact_shown(number, "long", locale, fraction) if want_shown else None
        return (f"{sign}{symbol}{words}" if pattern.startswith("¤") else f"{sign}{words} {symbol}"), shown
    return (true_minus(format_compact_currency(number, currency, locale=locale, fraction_digits=fraction)),
            _compact_shown(number, "short", locale, fraction, currency=True) if want_shown else None)
