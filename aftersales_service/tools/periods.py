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


# --- Recurring due dates (follow-ups, preventive maintenance: R2, R6) ------
# A plan repeats every `interval` `unit`s from its anchor date: the n-th due
# date is anchor + n * interval, computed from the anchor each time so that
# clamped month ends do not drift (31 Jan, 29 Feb, 31 Mar, 30 Apr...).
RECURRING_UNITS = ("day", "week", "month", "year")


def nth_due(anchor, interval, unit, n):
    """The `n`-th due date (n >= 0) of a plan repeating every `interval` `unit`s."""
    if interval <= 0:
        raise ValueError("an interval must be positive")
    if n < 0:
        raise ValueError("n cannot be negative")
    steps = interval * n
    if unit == "day":
        return anchor + timedelta(days=steps)
    if unit == "week":
        return anchor + timedelta(weeks=steps)
    if unit == "month":
        return add_months(anchor, steps)
    if unit == "year":
        return add_months(anchor, 12 * steps)
    raise ValueError(f"unknown period unit {unit!r}")


def _estimate_n(anchor, interval, unit, after):
    """A lower bound of the index of the first due date after `after`."""
    if after <= anchor:
        return 1
    if unit in ("month", "year"):
        months = (after.year - anchor.year) * 12 + after.month - anchor.month
        per = interval * (12 if unit == "year" else 1)
        return max(1, months // per)
    days = (after - anchor).days
    per = interval * (7 if unit == "week" else 1)
    return max(1, days // per)


def next_due(anchor, interval, unit, after=None, end=None):
    """The first due date strictly after `after` (after the anchor itself when
    `after` is None), or None when it falls after `end` (`end` inclusive).

    The anchor is the start of the plan, not a due date: the first visit is
    one interval after it.
    """
    if not anchor or not interval or interval <= 0:
        return None
    after = max(after, anchor) if after else anchor
    n = _estimate_n(anchor, interval, unit, after)
    while n > 1 and nth_due(anchor, interval, unit, n - 1) > after:
        n -= 1
    while nth_due(anchor, interval, unit, n) <= after:
        n += 1
    due = nth_due(anchor, interval, unit, n)
    if end and due > end:
        return None
    return due


def due_dates(anchor, interval, unit, after=None, until=None, end=None):
    """The due dates after `after` up to `until` and `end` (both inclusive),
    in order: what a planning job creates in one run."""
    if until is None and end is None:
        raise ValueError("due dates need a limit (until or end)")
    result = []
    due = next_due(anchor, interval, unit, after, end)
    while due and (until is None or due <= until):
        result.append(due)
        due = next_due(anchor, interval, unit, due, end)
    return result
