"""Dates as the periods they close: quarter-end data is 'Q4 2024', month-end data 'Dec 2024'.

A date series whose dates are all the last day of a quarter (or of a month, or of a year) reports
on those periods, not on the first days of the months after them: its ticks, its alt text and a
rebased chart's base name the period. Nothing here imports matplotlib.
"""

from __future__ import annotations

import datetime as dt

from ..formatting import format_month


def closed_period(dates) -> str | None:
    """The period every date closes: 'year' (all 31 December, a year or more apart), 'quarter' (all
    the last day of March, June, September or December), 'month' (all a month's last day); else None."""
    dates = list(dates)
    if len(dates) < 2 or not all(isinstance(day, dt.date) and (day + dt.timedelta(days=1)).day == 1 for day in dates):
        return None
    if all(day.month == 12 for day in dates) and all((b - a).days >= 365 for a, b in zip(dates, dates[1:])):
        return "year"
    return "quarter" if all(day.month % 3 == 0 for day in dates) else "month"


def period_label(day: dt.date, period: str | None, locale: str, with_year: bool = True) -> str:
    """'Q4 2024' (or 'Q4'), 'Dec 2024' (or 'Dec'), '2024' by locale; a date that closes no period
    ('period' None) as its month when it is a month's first day, else as the date."""
    from babel.dates import format_date

    from ..formatting import format_date as format_day

    if period == "year":
        return format_month(day, locale, "y")
    if period == "quarter":
        return format_month(day, locale, "yQQQ") if with_year else format_date(day, "QQQ", locale=locale)
    if period == "month" or day.day == 1:
        return format_month(day, locale, "yMMM") if with_year else format_month(day, locale, "MMM")
    return format_day(day, locale).replace("\u00a0", " ")
