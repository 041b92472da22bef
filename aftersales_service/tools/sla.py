"""SLA deadline arithmetic on working intervals (pure, no ORM).

The models read the working intervals of a calendar (with its public
holidays, in its own time zone) from Odoo and hand them here as sorted,
non-overlapping ``(begin, end)`` pairs of time-zone-aware datetimes. The
functions below count working time on them; they never look at the clock.
"""

from bisect import bisect_right
from datetime import timedelta
from itertools import islice

# The targets of an SLA policy, in the order they are usually reached.
TARGETS = ("response", "onsite", "resolution")

ON_TRACK = "on_track"
AT_RISK = "at_risk"
REACHED = "reached"
BREACHED = "breached"


def to_delta(hours):
    """`hours` of working time as a timedelta rounded to the second (the
    precision of stored datetimes)."""
    if hours < 0:
        raise ValueError("working hours cannot be negative")
    return timedelta(seconds=round(hours * 3600))


def plan(intervals, start, hours):
    """The instant at which `hours` working hours after `start` are done.

    A start outside working time begins at the next working instant. Returns
    None when the intervals do not hold that much working time after
    `start` (the caller fetches a longer horizon and asks again). Zero hours
    give the first working instant at or after `start`.
    """
    remaining = to_delta(hours)
    first = bisect_right(intervals, start, key=lambda interval: interval[1])
    for begin, end in islice(intervals, first, None):
        begin = max(begin, start)
        span = end - begin
        if remaining < span or (remaining == span and remaining):
            return begin + remaining
        remaining -= span
    return None


def worked(intervals, start, end):
    """Working hours between `start` and `end` (0 when end <= start)."""
    total = timedelta()
    first = bisect_right(intervals, start, key=lambda interval: interval[1])
    for begin, stop in islice(intervals, first, None):
        if begin >= end:
            break
        begin, stop = max(begin, start), min(stop, end)
        if stop > begin:
            total += stop - begin
    return total.total_seconds() / 3600


def status(deadline, reached_on, now, warning):
    """Status of one target.

    :param deadline: the deadline, or None while the clock is paused
    :param reached_on: when the target was reached, or None
    :param now: the instant of the question
    :param warning: timedelta before the deadline from which it is at risk
    """
    if reached_on:
        if deadline and reached_on > deadline:
            return BREACHED
        return REACHED
    if deadline is None:
        return ON_TRACK
    if deadline <= now:
        return BREACHED
    if deadline - warning <= now:
        return AT_RISK
    return ON_TRACK
