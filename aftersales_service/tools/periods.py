"""Warranty and guarantee period arithmetic (pure, no ORM).

A period of N months starting on day S ends on S + N months, the day clamped
to the length of the target month (31 Jan + 1 month = 29 Feb in a leap year).
Both boundary days are covered.
"""

import calendar
from datetime import date, timedelta

UNITS = ("day", "month", "year")


def add_months(start, months):
    """`start` moved by `months` calendar months, clamping the day."""
    month_index = start.month - 1 + months
    year = start.year + month_index // 12
    month = month_index % 12 + 1
    day = min(start.day, calendar.monthrange(year, month)[1])
    return date(year, month, day)


def period_end(start, duration, unit="month"):
    """Last covered day of a period of `duration` `unit`s starting on `start`.

    Returns None when there is no period (no start, or a duration of 0).
    """
    if not start or not duration:
        return None
    if duration < 0:
        raise ValueError("a period cannot be negative")
    if unit == "day":
        return start + timedelta(days=duration)
    if unit == "month":
        return add_months(start, duration)
    if unit == "year":
        return add_months(start, 12 * duration)
    raise ValueError(f"unknown period unit {unit!r}")


def covers(start, end, on_date):
    """True when `on_date` lies in [start, end], both days included."""
    return bool(start and end and start <= on_date <= end)


def start_date(rule, dates):
    """The start of a warranty by its start rule.

    `rule` is one of 'delivery', 'installation', 'acceptance', 'invoice';
    `dates` maps those names to a date or None. Returns None when the date
    the rule needs is not known yet.
    """
    if rule not in ("delivery", "installation", "acceptance", "invoice"):
        raise ValueError(f"unknown start rule {rule!r}")
    return dates.get(rule) or None
