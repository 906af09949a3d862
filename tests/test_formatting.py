"""Figures become text in one place, by locale and per-figure style."""

from __future__ import annotations

import datetime as dt

import pytest

from deckgen.figures import Figure
from deckgen.formatting import format_figure
from deckgen.units import builtin_unit

BASE = {"as_of": dt.date(2026, 2, 1), "source": "s"}


@pytest.mark.parametrize("fields, style, locale, expected", [
    ({"value": 52_000_000_000, "unit": "USD"}, None, "en_US", "$52B"),
    ({"value": 52_000_000_000, "unit": "USD"}, "long", "en_US", "$52 billion"),
    ({"value": 52_000_000_000, "unit": "USD"}, "precise", "en_US", "$52,000,000,000"),
    ({"value": 1_500_000_000_000, "unit": "USD"}, None, "en_US", "$1.5T"),
    ({"value": 52_000_000_000, "unit": "USD"}, None, "de_DE", "52\u00a0Mrd.\u00a0$"),
    ({"value": 48_000_000_000, "unit": "EUR"}, None, "en_US", "€48B"),
    ({"value": 2.0, "unit": "percent"}, None, "en_US", "2.0%"),
    ({"value": 2.0, "unit": "percent"}, None, "de_DE", "2,0%"),
    ({"value": 9.45, "unit": "percent", "decimals": 1}, None, "en_US", "9.4%"),
    ({"min": 35, "max": 40, "unit": "percent"}, None, "en_US", "35–40%"),
    ({"min": 330_000_000_000, "max": 360_000_000_000, "unit": "USD"}, None, "en_US", "$330–360B"),
    ({"value": 152, "unit": "JPY/USD"}, None, "en_US", "USD/JPY\u00a0152"),
    ({"value": 14, "unit": "multiple"}, None, "en_US", "14×"),
    ({"value": 100_000, "unit": "count"}, None, "en_US", "100,000"),
    ({"value": 100_000, "unit": "count"}, None, "de_DE", "100.000"),
    ({"value": 2028, "unit": "year"}, None, "en_US", "2028"),
    ({"value": 52_000_000_000, "unit": "USD"}, "long", "ja_JP", "$520億"),  # no long form in CJK locales: the short one
    ({"value": 100_000_000, "unit": "count"}, "long", "zh_CN", "1亿"),
])
def test_formats(fields, style, locale, expected):
    assert format_figure(Figure(**fields, **BASE), builtin_unit(fields["unit"]), locale, style) == expected


def test_a_figure_needs_a_value_or_a_range():
    with pytest.raises(ValueError, match="give either 'value' or both 'min' and 'max'"):
        Figure(unit="USD", **BASE)
    with pytest.raises(ValueError, match="not both"):
        Figure(value=1, min=1, max=2, unit="USD", **BASE)


def test_booleans_are_not_numbers():
    with pytest.raises(ValueError, match="not a boolean"):
        Figure(value=True, unit="count", **BASE)
