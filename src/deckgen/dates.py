"""The report date: a date, or a word resolved against the clock when the spec is loaded, and the
report fields (``{{ date | month }}``, ``{{ title }}``...) any text of the spec may use.

Nothing here imports babel, matplotlib or reportlab: ``validate`` and ``--help`` stay light.
"""

from __future__ import annotations

import datetime as dt
import os

# ``date:`` may be one of these words instead of a date; each is the latest such day *before* today
# (today's data is not complete yet), except ``today`` itself.
DATE_KEYWORDS = ("today", "last-business-day", "last-month-end", "last-quarter-end")

# Pins "today" for reproducible runs and tests: DECKGEN_TODAY=2026-12-07 deckgen build ...
TODAY_ENV = "DECKGEN_TODAY"

# Names a spec's text may use besides figures: {{ date }}, {{ date | month }}, {{ title }}, {{ subtitle }}.
REPORT_FIELDS = ("date", "title", "subtitle")

# How {{ date | STYLE }} prints the report date (by the spec's locale); without a style: medium.
REPORT_DATE_STYLES = ("short", "medium", "long", "full", "month", "quarter", "year", "iso")


class TodayError(ValueError):
    """$DECKGEN_TODAY (or the ``today`` given) is not a date."""


def today(pinned: dt.date | str | None = None) -> dt.date:
    """The date "today" means: ``pinned`` if given, else $DECKGEN_TODAY, else the local clock's date."""
    value = pinned if pinned is not None else os.environ.get(TODAY_ENV, "").strip() or None
    if value is None:
        return dt.date.today()
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        if len(value) != 10:
            raise ValueError(value)
        return dt.date.fromisoformat(value)
    except ValueError:
        source = f"${TODAY_ENV}" if pinned is None else "today"
        raise TodayError(f"{source} is '{value}', not a date (YYYY-MM-DD)") from None


def resolve_keyword(word: str, now: dt.date) -> dt.date:
    """The date a keyword of DATE_KEYWORDS stands for on the day ``now``."""
    if word == "today":
        return now
    if word == "last-business-day":  # Monday to Friday; no holiday calendar
        day = now - dt.timedelta(days=1)
        while day.weekday() >= 5:
            day -= dt.timedelta(days=1)
        return day
    if word == "last-month-end":
        return now.replace(day=1) - dt.timedelta(days=1)
    if word == "last-quarter-end":
        first_month = 3 * ((now.month - 1) // 3) + 1
        return now.replace(month=first_month, day=1) - dt.timedelta(days=1)
    raise KeyError(word)


# The brief's date styles, one function each, all by the spec's locale (babel): a brief writes every date
# one way (source lines, "as of", the masthead, running header, disclosures, table cells, email), and
# dates and times the locale's way; only the manifest and file names are ISO.

# CLDR abbreviates September "Sept" in British, Irish, Australian... English (since CLDR 38) and every
# other month in three letters; a research house prints "Sep" like the rest (and as US English does), so
# a column of dates or an axis of months lines up and text and axes agree. Every date and month the brief
# prints passes through ``house_months``.
_FOUR_LETTER_MONTHS = {"en": {"Sept": "Sep"}}


def house_months(text: str, locale: str) -> str:
    """``text`` as babel wrote it for ``locale``, with its abbreviated months in the house's one style
    ("30 Sept 2026" -> "30 Sep 2026" in en_GB); other languages as CLDR writes them."""
    import re

    language = locale.replace("-", "_").split("_")[0]
    for long, short in _FOUR_LETTER_MONTHS.get(language, {}).items():
        text = re.sub(rf"\b{long}\b", short, text)
    return text


def format_day(value: dt.date, locale: str) -> str:
    """A date as the brief writes it: Feb 16, 2026 (en_US), 16 Feb 2026 (en_GB), 16.02.2026 (de); never split
    across lines."""
    from babel.dates import format_date

    text = format_date(value, format="medium", locale=locale)
    return house_months(text, locale).replace(" ", "\u00a0").replace("\u202f", "\u00a0")


def format_day_range(start: dt.date, end: dt.date, locale: str) -> str:
    """Two dates as the brief writes a range of them, in ``format_day``'s style, as the locale writes
    an interval (CLDR), the year or month they share written once: 'Jun 30 – Jul 1, 2026' (en_US),
    '30 Jun – 1 Jul 2026' (en_GB), 'Dec 15, 2025 – Feb 1, 2026' across years, '2025/12/15～2026/02/01'
    (ja); one date when they are the same day. Like any range the brief prints, it never breaks across
    lines (a measure too narrow for it may allow a break after the dash: see the rail's key data)."""
    import re

    from babel.dates import format_interval, get_date_format

    if end == start:
        return format_day(start, locale)
    day_style = re.sub(r"'[^']*'", "", get_date_format("medium", locale=locale).pattern)  # 'MMM d, y'
    skeleton = "".join(max(re.findall(f"{field}+", day_style), key=len, default="") for field in "yMd")  # 'yMMMd'
    text = format_interval(start, end, skeleton or "yMMMd", locale=locale)
    return re.sub(r"[ \u2009\u202f]", "\u00a0", house_months(text, locale))


def format_timestamp(value: dt.datetime, locale: str) -> str:
    """A date and time as the brief writes them, the date as ``format_day`` does, with the zone's
    abbreviation: 'Feb 13, 2026, 4:00 PM EST', '13 Feb 2026, 16:00 JST'. Never split across lines."""
    from babel import Locale
    from babel.dates import format_date, format_time

    date = house_months(format_date(value.date(), format="medium", locale=locale), locale)
    clock = format_time(value.timetz(), format="short", locale=locale)
    pattern = str(Locale.parse(locale).datetime_formats.get("medium", "{1}, {0}"))
    joined = pattern.replace("{1}", "\x00").replace("{0}", "\x01").replace("'", "")
    text = joined.replace("\x00", date).replace("\x01", clock)
    zone = value.tzname() or ""
    return " ".join(f"{text} {zone}".split()).replace(" ", "\u00a0").replace("\u202f", "\u00a0")


def format_period(value: dt.date, locale: str, skeleton: str = "yMMM") -> str:
    """A month, quarter or year ('Jan 2026', 'janv. 2026', '2026年1月'; skeleton 'yQQQ': 'Q1 2026')."""
    from babel.dates import format_skeleton

    return house_months(format_skeleton(skeleton, value, locale=locale), locale)


def format_report_date(value: dt.date, locale: str, style: str | None = None) -> str:
    """The report date as ``{{ date | style }}`` prints it: Nov 30, 2026; November 2026; Q4 2026; 2026."""
    from babel.dates import format_date, format_skeleton

    style = style or "medium"
    if style == "iso":
        return value.isoformat()
    if style in ("month", "quarter", "year"):
        return format_skeleton({"month": "yMMMM", "quarter": "yQQQ", "year": "y"}[style], value, locale=locale)
    return house_months(format_date(value, format=style, locale=locale), locale)
