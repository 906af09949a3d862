"""The one place where figures become text: babel, by locale, per figure style."""

from __future__ import annotations

from decimal import Decimal

from babel import Locale, UnknownLocaleError
from babel.numbers import (
    format_compact_currency,
    format_compact_decimal,
    format_currency,
    format_decimal,
    format_percent,
    get_currency_symbol,
)

from .figures import Figure, FigureStyle, unit_currency, unit_rate

EN_DASH = "\u2013"
TIMES = "\u00d7"


def check_locale(name: str) -> str:
    try:
        Locale.parse(name)
    except (UnknownLocaleError, ValueError) as exc:
        raise ValueError(f"unknown locale '{name}'") from exc
    return name


def format_figure(figure: Figure, locale: str = "en_US", style: FigureStyle | None = None) -> str:
    style = style or figure.style
    if figure.is_range:
        low = format_number(figure.min, figure, locale, style)  # type: ignore[arg-type]
        high = format_number(figure.max, figure, locale, style)  # type: ignore[arg-type]
        return join_range(low, high)
    return format_number(figure.value, figure, locale, style)  # type: ignore[arg-type]


def join_range(low: str, high: str) -> str:
    """'35%' and '40%' -> '35–40%'; '$330B' and '$360B' -> '$330–360B'."""
    prefix = _non_numeric_head(_common_prefix(low, high))
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


def format_number(number: Decimal, figure: Figure, locale: str, style: FigureStyle) -> str:
    unit = figure.unit
    currency = unit_currency(unit)
    if currency:
        return _format_money(number, currency, locale, style, figure.decimals)
    rate = unit_rate(unit)
    if rate:
        base, quote = rate
        amount = format_decimal(number, format=_pattern(decimals_of(number, figure.decimals)), locale=locale)
        return f"{get_currency_symbol(base, locale)}{amount}/{get_currency_symbol(quote, locale)}"
    digits = decimals_of(number, figure.decimals)
    if unit == "percent":
        return format_percent(number / 100, format=_pattern(digits) + "%", locale=locale)
    if unit == "multiple":
        return format_decimal(number, format=_pattern(digits), locale=locale) + TIMES
    if unit == "year":
        return str(int(number))
    if unit == "count" and style == "long" and abs(number) >= 1_000_000:
        return format_compact_decimal(number, format_type="long", locale=locale, fraction_digits=2)
    return format_decimal(number, format=_pattern(digits), locale=locale)


def _pattern(digits: int) -> str:
    return "#,##0" + ("." + "0" * digits if digits else "")


def _format_money(number: Decimal, currency: str, locale: str, style: FigureStyle, decimals: int | None) -> str:
    if style == "precise" or abs(number) < 1000:
        digits = decimals if decimals is not None else (0 if number == number.to_integral() else 2)
        return format_currency(number, currency, format="¤" + _pattern(digits), locale=locale, currency_digits=False)
    fraction = decimals if decimals is not None else 2
    if style == "long":
        words = format_compact_decimal(number, format_type="long", locale=locale, fraction_digits=fraction)
        symbol = get_currency_symbol(currency, locale)
        pattern = Locale.parse(locale).currency_formats["standard"].pattern
        return f"{symbol}{words}" if pattern.startswith("¤") else f"{words} {symbol}"
    return format_compact_currency(number, currency, locale=locale, fraction_digits=fraction)
