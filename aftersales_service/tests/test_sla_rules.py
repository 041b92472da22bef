"""The pure SLA arithmetic of tools/sla.py (no database): deadlines planned on
hand-made working calendars (week-ends, holidays, lunch breaks, daylight
saving time), worked time and target status, with hypothesis properties."""

import unittest
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from odoo.addons.aftersales_service.tools import sla

D = date
UTC = timezone.utc
BRUSSELS = ZoneInfo("Europe/Brussels")
TAIPEI = ZoneInfo("Asia/Taipei")

# (begin, end) of each working slot of a day, local wall-clock time.
OFFICE = ((time(8), time(12)), (time(13), time(17)))
TAIPEI_OFFICE = ((time(9), time(12)), (time(13, 30), time(18)))


def at(tz, *args):
    """A local wall-clock instant of `tz`, as a UTC datetime."""
    return datetime(*args, tzinfo=tz).astimezone(UTC)


def calendar(tz, first, last, slots=OFFICE, holidays=()):
    """The working intervals, in UTC, of Monday to Friday from `first` to
    `last` (both included), without `holidays`, like the models hand them."""
    intervals = []
    day = first
    while day <= last:
        if day.weekday() < 5 and day not in holidays:
            for begin, end in slots:
                intervals.append(
                    (
                        datetime.combine(day, begin, tzinfo=tz).astimezone(UTC),
                        datetime.combine(day, end, tzinfo=tz).astimezone(UTC),
                    )
                )
        day += timedelta(days=1)
    return intervals


# Monday 1 June to Friday 26 June 2026, Brussels office hours.
JUNE = calendar(BRUSSELS, D(2026, 6, 1), D(2026, 6, 26))


class TestToDelta(unittest.TestCase):
    def test_rounded_to_the_second(self):
        self.assertEqual(sla.to_delta(0), timedelta())
        self.assertEqual(sla.to_delta(2), timedelta(hours=2))
        self.assertEqual(sla.to_delta(0.5), timedelta(minutes=30))
        self.assertEqual(sla.to_delta(0.29), timedelta(seconds=1044))
        self.assertEqual(sla.to_delta(1 / 3600 * 0.4), timedelta())
        self.assertEqual(sla.to_delta(1 / 3600 * 0.6), timedelta(seconds=1))

    def test_negative_hours_refused(self):
        for hours in (-1, -0.01, -1e-9):
            with self.subTest(hours=hours), self.assertRaises(ValueError):
                sla.to_delta(hours)
        with self.assertRaises(ValueError):
            sla.plan(JUNE, at(BRUSSELS, 2026, 6, 1, 9), -1)


class TestPlan(unittest.TestCase):
    def test_after_hours_friday_evening(self):
        # Friday 5 June, 18:00: the office is closed until Monday 08:00.
        start = at(BRUSSELS, 2026, 6, 5, 18)
        self.assertEqual(sla.plan(JUNE, start, 2), at(BRUSSELS, 2026, 6, 8, 10))

    def test_call_on_saturday(self):
        start = at(BRUSSELS, 2026, 6, 6, 10, 30)
        self.assertEqual(sla.plan(JUNE, start, 3), at(BRUSSELS, 2026, 6, 8, 11))
        # 6 h: the 4 h of Monday morning, then 2 h after lunch.
        self.assertEqual(sla.plan(JUNE, start, 6), at(BRUSSELS, 2026, 6, 8, 15))

    def test_taipei_calendar(self):
        # A Taipei site (UTC+8, no daylight saving time), the call logged in
        # Brussels on Saturday 6 June 10:00 (16:00 in Taipei).
        intervals = calendar(TAIPEI, D(2026, 6, 1), D(2026, 6, 12), TAIPEI_OFFICE)
        start = at(BRUSSELS, 2026, 6, 6, 10)
        # Monday 09:00-12:00 (3 h), then 13:30-15:30 (2 h).
        deadline = sla.plan(intervals, start, 5)
        self.assertEqual(deadline, at(TAIPEI, 2026, 6, 8, 15, 30))
        self.assertEqual(deadline, datetime(2026, 6, 8, 7, 30, tzinfo=UTC))
        # Friday 17:00 Taipei + 2 h: 1 h on Friday, 1 h on Monday morning.
        self.assertEqual(
            sla.plan(intervals, at(TAIPEI, 2026, 6, 5, 17), 2), at(TAIPEI, 2026, 6, 8, 10)
        )

    def test_holiday(self):
        # Whit Monday 25 May 2026 is a public holiday: its intervals are gone.
        may = calendar(BRUSSELS, D(2026, 5, 18), D(2026, 5, 29), holidays={D(2026, 5, 25)})
        start = at(BRUSSELS, 2026, 5, 22, 16)
        self.assertEqual(sla.plan(may, start, 2), at(BRUSSELS, 2026, 5, 26, 9))
        # The same call without the holiday would be due on Monday.
        plain = calendar(BRUSSELS, D(2026, 5, 18), D(2026, 5, 29))
        self.assertEqual(sla.plan(plain, start, 2), at(BRUSSELS, 2026, 5, 25, 9))

    def test_start_in_lunch_break(self):
        start = at(BRUSSELS, 2026, 6, 10, 12, 30)
        self.assertEqual(sla.plan(JUNE, start, 1), at(BRUSSELS, 2026, 6, 10, 14))
        self.assertEqual(sla.plan(JUNE, start, 4), at(BRUSSELS, 2026, 6, 10, 17))
        self.assertEqual(sla.plan(JUNE, start, 4.5), at(BRUSSELS, 2026, 6, 11, 8, 30))

    def test_exact_fill_ends_at_interval_end(self):
        # Filling an interval to the second ends at its end, not at the
        # beginning of the next interval.
        self.assertEqual(
            sla.plan(JUNE, at(BRUSSELS, 2026, 6, 10, 8), 4), at(BRUSSELS, 2026, 6, 10, 12)
        )
        self.assertEqual(
            sla.plan(JUNE, at(BRUSSELS, 2026, 6, 10, 15), 2), at(BRUSSELS, 2026, 6, 10, 17)
        )
        # The whole Friday, then the week-end: still Friday 17:00.
        self.assertEqual(
            sla.plan(JUNE, at(BRUSSELS, 2026, 6, 12, 7), 8), at(BRUSSELS, 2026, 6, 12, 17)
        )
        # One second more goes on to the next interval.
        self.assertEqual(
            sla.plan(JUNE, at(BRUSSELS, 2026, 6, 10, 8), 4 + 1 / 3600),
            at(BRUSSELS, 2026, 6, 10, 13, 0, 1),
        )

    def test_zero_hours_first_working_instant(self):
        cases = [
            ((2026, 6, 10, 9, 15), (2026, 6, 10, 9, 15)),  # inside: start itself
            ((2026, 6, 10, 8), (2026, 6, 10, 8)),  # at an interval's begin
            ((2026, 6, 10, 12), (2026, 6, 10, 13)),  # at an interval's end
            ((2026, 6, 10, 12, 30), (2026, 6, 10, 13)),  # lunch break
            ((2026, 6, 10, 6), (2026, 6, 10, 8)),  # before the office opens
            ((2026, 6, 12, 18), (2026, 6, 15, 8)),  # Friday evening
            ((2026, 6, 13, 11), (2026, 6, 15, 8)),  # Saturday
        ]
        for start, expected in cases:
            with self.subTest(start=start):
                self.assertEqual(sla.plan(JUNE, at(BRUSSELS, *start), 0), at(BRUSSELS, *expected))

    def test_not_enough_intervals(self):
        week = calendar(BRUSSELS, D(2026, 6, 1), D(2026, 6, 5))  # 40 h
        start = at(BRUSSELS, 2026, 6, 1, 8)
        self.assertEqual(sla.plan(week, start, 40), at(BRUSSELS, 2026, 6, 5, 17))
        self.assertIsNone(sla.plan(week, start, 40 + 1 / 3600))
        self.assertIsNone(sla.plan(week, at(BRUSSELS, 2026, 6, 5, 16), 2))
        # After the last interval, even zero hours cannot be planned.
        self.assertIsNone(sla.plan(week, at(BRUSSELS, 2026, 6, 5, 17), 0))
        self.assertIsNone(sla.plan(week, at(BRUSSELS, 2026, 6, 6, 9), 1))
        self.assertIsNone(sla.plan([], start, 0))
        self.assertIsNone(sla.plan([], start, 1))

    def _check_over_dst_change(self, friday, monday):
        """A 4 h target started on Friday 15:00 (2 h that day, 2 h on
        Monday morning) across a daylight saving change on the Sunday."""
        intervals = calendar(BRUSSELS, friday - timedelta(days=4), monday + timedelta(days=4))
        start = at(BRUSSELS, friday.year, friday.month, friday.day, 15)
        deadline = sla.plan(intervals, start, 4)
        local = deadline.astimezone(BRUSSELS)
        self.assertEqual(local.date(), monday)
        self.assertEqual(local.time(), time(10))
        self.assertEqual(sla.worked(intervals, start, deadline), 4)
        # Friday 15:00 to Monday 10:00 is 67 h of wall-clock time; the real
        # elapsed time is one hour less in spring, one more in autumn.
        return start, deadline

    def test_dst_spring_forward(self):
        # Sunday 29 March 2026, 02:00 CET -> 03:00 CEST.
        start, deadline = self._check_over_dst_change(D(2026, 3, 27), D(2026, 3, 30))
        self.assertEqual(start, datetime(2026, 3, 27, 14, tzinfo=UTC))  # CET, UTC+1
        self.assertEqual(deadline, datetime(2026, 3, 30, 8, tzinfo=UTC))  # CEST, UTC+2
        self.assertEqual(deadline - start, timedelta(hours=66))

    def test_dst_fall_back(self):
        # Sunday 25 October 2026, 03:00 CEST -> 02:00 CET.
        start, deadline = self._check_over_dst_change(D(2026, 10, 23), D(2026, 10, 26))
        self.assertEqual(start, datetime(2026, 10, 23, 13, tzinfo=UTC))  # CEST, UTC+2
        self.assertEqual(deadline, datetime(2026, 10, 26, 9, tzinfo=UTC))  # CET, UTC+1
        self.assertEqual(deadline - start, timedelta(hours=68))

    def test_dst_same_local_time_different_utc(self):
        spring = calendar(BRUSSELS, D(2026, 3, 23), D(2026, 4, 3))
        autumn = calendar(BRUSSELS, D(2026, 10, 19), D(2026, 10, 30))
        # Friday 16:00 + 4 h: 1 h on Friday, 3 h on Monday: 11:00 local.
        march = sla.plan(spring, at(BRUSSELS, 2026, 3, 27, 16), 4)
        october = sla.plan(autumn, at(BRUSSELS, 2026, 10, 23, 16), 4)
        self.assertEqual(march.astimezone(BRUSSELS).time(), time(11))
        self.assertEqual(october.astimezone(BRUSSELS).time(), time(11))
        self.assertEqual(march.time(), time(9))
        self.assertEqual(october.time(), time(10))


class TestWorked(unittest.TestCase):
    def test_worked_between_two_instants(self):
        wed_10 = at(BRUSSELS, 2026, 6, 10, 10)
        thu_10 = at(BRUSSELS, 2026, 6, 11, 10)
        # Wednesday 10:00-12:00, 13:00-17:00, Thursday 08:00-10:00.
        self.assertEqual(sla.worked(JUNE, wed_10, thu_10), 8)
        self.assertEqual(sla.worked(JUNE, wed_10, at(BRUSSELS, 2026, 6, 10, 10, 45)), 0.75)
        # Friday 16:00 to Monday 09:30 over the week-end.
        self.assertEqual(
            sla.worked(JUNE, at(BRUSSELS, 2026, 6, 12, 16), at(BRUSSELS, 2026, 6, 15, 9, 30)), 2.5
        )
        # A whole week.
        self.assertEqual(
            sla.worked(JUNE, at(BRUSSELS, 2026, 6, 7, 0), at(BRUSSELS, 2026, 6, 14, 0)), 40
        )

    def test_worked_nothing(self):
        wed_10 = at(BRUSSELS, 2026, 6, 10, 10)
        self.assertEqual(sla.worked(JUNE, wed_10, wed_10), 0)
        self.assertEqual(sla.worked(JUNE, wed_10, wed_10 - timedelta(hours=5)), 0)
        self.assertEqual(
            sla.worked(JUNE, at(BRUSSELS, 2026, 6, 10, 12), at(BRUSSELS, 2026, 6, 10, 13)), 0
        )
        self.assertEqual(
            sla.worked(JUNE, at(BRUSSELS, 2026, 6, 13, 0), at(BRUSSELS, 2026, 6, 15, 8)), 0
        )
        self.assertEqual(sla.worked([], wed_10, wed_10 + timedelta(days=3)), 0)

    def test_worked_over_dst_changes(self):
        # Real hours, not wall-clock ones: a week holds 40 h in both cases.
        for first in (D(2026, 3, 23), D(2026, 3, 30), D(2026, 10, 19), D(2026, 10, 26)):
            with self.subTest(week=first):
                intervals = calendar(BRUSSELS, first, first + timedelta(days=4))
                start = at(BRUSSELS, first.year, first.month, first.day)
                self.assertEqual(sla.worked(intervals, start, start + timedelta(days=7)), 40)


DEADLINE = datetime(2026, 6, 10, 12, tzinfo=UTC)
WARNING = timedelta(hours=1)


class TestStatus(unittest.TestCase):
    def test_on_track(self):
        now = DEADLINE - timedelta(hours=2)
        self.assertEqual(sla.status(DEADLINE, None, now, WARNING), sla.ON_TRACK)
        now = DEADLINE - WARNING - timedelta(seconds=1)
        self.assertEqual(sla.status(DEADLINE, None, now, WARNING), sla.ON_TRACK)
        # No warning period: on track until the deadline.
        now = DEADLINE - timedelta(seconds=1)
        self.assertEqual(sla.status(DEADLINE, None, now, timedelta()), sla.ON_TRACK)

    def test_at_risk(self):
        for now in (
            DEADLINE - WARNING,
            DEADLINE - timedelta(minutes=30),
            DEADLINE - timedelta(seconds=1),
        ):
            with self.subTest(now=now):
                self.assertEqual(sla.status(DEADLINE, None, now, WARNING), sla.AT_RISK)

    def test_breached(self):
        for now in (DEADLINE, DEADLINE + timedelta(seconds=1), DEADLINE + timedelta(days=3)):
            with self.subTest(now=now):
                self.assertEqual(sla.status(DEADLINE, None, now, WARNING), sla.BREACHED)

    def test_reached(self):
        later = DEADLINE + timedelta(days=1)
        for reached_on in (
            DEADLINE - timedelta(hours=3),
            DEADLINE - timedelta(minutes=10),
            DEADLINE,
        ):
            with self.subTest(reached_on=reached_on):
                self.assertEqual(sla.status(DEADLINE, reached_on, later, WARNING), sla.REACHED)

    def test_reached_late_is_breached(self):
        reached_on = DEADLINE + timedelta(seconds=1)
        self.assertEqual(sla.status(DEADLINE, reached_on, reached_on, WARNING), sla.BREACHED)
        # It stays breached: the question's instant does not matter any more.
        self.assertEqual(
            sla.status(DEADLINE, reached_on, DEADLINE - timedelta(days=1), WARNING), sla.BREACHED
        )

    def test_paused(self):
        # Clock paused (no deadline): on track whatever the time.
        for now in (DEADLINE - timedelta(days=1), DEADLINE, DEADLINE + timedelta(days=30)):
            with self.subTest(now=now):
                self.assertEqual(sla.status(None, None, now, WARNING), sla.ON_TRACK)
        self.assertEqual(sla.status(None, DEADLINE, DEADLINE, WARNING), sla.REACHED)


# Random calendars: sorted, non-overlapping intervals in UTC, built from
# (gap before, length) pairs in minutes; a zero gap makes adjacent intervals.
ORIGIN = datetime(2026, 1, 5, 8, tzinfo=UTC)


def _build(pairs):
    intervals, cursor = [], ORIGIN
    for gap, length in pairs:
        begin = cursor + timedelta(minutes=gap)
        cursor = begin + timedelta(minutes=length)
        intervals.append((begin, cursor))
    return intervals


calendars = st.lists(
    st.tuples(st.integers(0, 2 * 24 * 60), st.integers(1, 10 * 60)), max_size=40
).map(_build)


@st.composite
def instant_in(draw, intervals):
    """An instant to the second: half the time in one of `intervals` (often
    exactly at one of its bounds), else anywhere from a day before the first
    to a day after the last."""
    if intervals and draw(st.booleans()):
        begin, end = draw(st.sampled_from(intervals))
        length = int((end - begin).total_seconds())
        offset = draw(st.one_of(st.just(0), st.just(length), st.integers(0, length)))
        return begin + timedelta(seconds=offset)
    low = ORIGIN - timedelta(days=1)
    high = (intervals[-1][1] if intervals else ORIGIN) + timedelta(days=1)
    return low + timedelta(seconds=draw(st.integers(0, int((high - low).total_seconds()))))


@st.composite
def scenarios(draw, count=1):
    """A random calendar and `count` instants around it."""
    intervals = draw(calendars)
    return (intervals, *(draw(instant_in(intervals)) for _ in range(count)))


# 0 to 200 h to the hundredth, small targets as often as large ones.
hours = st.one_of(st.integers(0, 1000), st.integers(0, 20000)).map(lambda n: n / 100)


class TestSlaProperties(unittest.TestCase):
    @settings(max_examples=200, deadline=None)
    @given(scenarios(), hours)
    def test_never_before_start(self, scenario, h):
        intervals, start = scenario
        result = sla.plan(intervals, start, h)
        if result is not None:
            self.assertGreaterEqual(result, start)

    @settings(max_examples=200, deadline=None)
    @given(scenarios(), hours, hours)
    def test_monotonic_in_hours(self, scenario, h1, h2):
        intervals, start = scenario
        h1, h2 = sorted((h1, h2))
        short, long_ = sla.plan(intervals, start, h1), sla.plan(intervals, start, h2)
        if short is not None and long_ is not None:
            self.assertLessEqual(short, long_)
        if short is None:
            # Not enough time for the shorter target: none for the longer one.
            self.assertIsNone(long_)

    @settings(max_examples=200, deadline=None)
    @given(scenarios(), hours)
    def test_result_inside_working_interval(self, scenario, h):
        intervals, start = scenario
        result = sla.plan(intervals, start, h)
        if result is None:
            return
        if h > 0:
            self.assertTrue(any(begin < result <= end for begin, end in intervals), result)
        else:
            # Zero hours: the first working instant at or after start.
            self.assertTrue(any(begin <= result < end for begin, end in intervals), result)
            self.assertEqual(sla.worked(intervals, start, result), 0)

    @settings(max_examples=200, deadline=None)
    @given(scenarios(), hours)
    def test_worked_until_plan_is_hours(self, scenario, h):
        intervals, start = scenario
        result = sla.plan(intervals, start, h)
        # A year is well past the last interval a calendar can have.
        available = sla.worked(intervals, start, ORIGIN + timedelta(days=365))
        if result is None:
            # None only when the calendar really holds less than that (or,
            # for zero hours, no working instant at all after start).
            available = timedelta(seconds=round(available * 3600))
            if h:
                self.assertLess(available, sla.to_delta(h))
            else:
                self.assertEqual(available, timedelta())
            return
        done = sla.worked(intervals, start, result)
        self.assertEqual(timedelta(seconds=round(done * 3600)), sla.to_delta(h))
        self.assertLess(abs(done - h), 1 / 3600 + 1e-9)

    @settings(max_examples=200, deadline=None)
    @given(scenarios(count=2))
    def test_plan_inverts_worked(self, scenario):
        # The time worked up to a working instant (an interval's end included)
        # plans back to that very instant, not to the next interval's begin.
        intervals, start, target = scenario
        h = sla.worked(intervals, start, target)
        if h > 0 and any(begin < target <= end for begin, end in intervals):
            self.assertEqual(sla.plan(intervals, start, h), target)

    @settings(max_examples=200, deadline=None)
    @given(scenarios(count=3))
    def test_worked_additive(self, scenario):
        intervals, *instants = scenario
        a, b, c = sorted(instants)
        whole = sla.worked(intervals, a, c)
        parts = sla.worked(intervals, a, b) + sla.worked(intervals, b, c)
        self.assertAlmostEqual(whole, parts, delta=1e-9)
        self.assertGreaterEqual(whole, 0)
        self.assertLessEqual(whole, (c - a).total_seconds() / 3600 + 1e-9)

    @settings(max_examples=200, deadline=None)
    @given(st.floats(min_value=-1e9, max_value=-1e-12))
    def test_to_delta_refuses_negative(self, h):
        with self.assertRaises(ValueError):
            sla.to_delta(h)
