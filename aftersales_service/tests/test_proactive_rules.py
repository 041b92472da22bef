"""The recurring due dates of follow-up and maintenance plans (tools/periods,
no database): clamped month ends, end day inclusive, hypothesis properties."""

import unittest
from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from odoo.addons.aftersales_service.tools import periods

D = date
dates = st.dates(min_value=D(2000, 1, 1), max_value=D(2090, 12, 31))
units = st.sampled_from(periods.RECURRING_UNITS)
intervals = st.integers(min_value=1, max_value=24)


class TestRecurringDueDates(unittest.TestCase):
    def test_month_ends_clamp_without_drift(self):
        anchor = D(2024, 1, 31)
        self.assertEqual(periods.next_due(anchor, 1, "month"), D(2024, 2, 29))  # leap year
        self.assertEqual(
            periods.due_dates(anchor, 1, "month", until=D(2024, 5, 31)),
            [D(2024, 2, 29), D(2024, 3, 31), D(2024, 4, 30), D(2024, 5, 31)],
        )
        self.assertEqual(periods.next_due(D(2023, 1, 31), 1, "month"), D(2023, 2, 28))
        self.assertEqual(periods.next_due(D(2024, 2, 29), 1, "year"), D(2025, 2, 28))

    def test_weeks_and_days(self):
        self.assertEqual(periods.next_due(D(2026, 1, 1), 2, "week"), D(2026, 1, 15))
        self.assertEqual(
            periods.next_due(D(2026, 1, 1), 2, "week", after=D(2026, 1, 15)), D(2026, 1, 29)
        )
        self.assertEqual(periods.next_due(D(2026, 1, 1), 10, "day"), D(2026, 1, 11))

    def test_end_day_inclusive(self):
        anchor, end = D(2026, 1, 1), D(2026, 7, 1)
        self.assertEqual(periods.next_due(anchor, 6, "month", end=end), end)
        self.assertIsNone(periods.next_due(anchor, 6, "month", after=end, end=end))
        self.assertIsNone(periods.next_due(anchor, 6, "month", end=end - timedelta(days=1)))
        self.assertEqual(
            periods.due_dates(anchor, 3, "month", end=end),
            [D(2026, 4, 1), D(2026, 7, 1)],
        )

    def test_after_between_due_dates(self):
        anchor = D(2026, 1, 15)
        self.assertEqual(periods.next_due(anchor, 1, "month", after=D(2026, 3, 20)), D(2026, 4, 15))
        self.assertEqual(periods.next_due(anchor, 1, "month", after=D(2026, 3, 15)), D(2026, 4, 15))
        self.assertEqual(periods.next_due(anchor, 1, "month", after=D(2026, 3, 14)), D(2026, 3, 15))
        # Before the anchor: the first due date.
        self.assertEqual(periods.next_due(anchor, 1, "month", after=D(2025, 1, 1)), D(2026, 2, 15))

    def test_no_plan(self):
        self.assertIsNone(periods.next_due(None, 1, "month"))
        self.assertIsNone(periods.next_due(D(2026, 1, 1), 0, "month"))
        with self.assertRaises(ValueError):
            periods.nth_due(D(2026, 1, 1), 1, "fortnight", 1)
        with self.assertRaises(ValueError):
            periods.nth_due(D(2026, 1, 1), 0, "month", 1)
        with self.assertRaises(ValueError):
            periods.due_dates(D(2026, 1, 1), 1, "month")

    @settings(max_examples=300, deadline=None)
    @given(anchor=dates, interval=intervals, unit=units, offset=st.integers(0, 4000))
    def test_next_due_is_the_first_after(self, anchor, interval, unit, offset):
        """The next due date is after `after`, is one of the plan's due
        dates, and no due date of the plan lies between them."""
        after = anchor + timedelta(days=offset)
        due = periods.next_due(anchor, interval, unit, after=after)
        self.assertGreater(due, after)
        n = next(i for i in range(1, 10000) if periods.nth_due(anchor, interval, unit, i) == due)
        self.assertLessEqual(periods.nth_due(anchor, interval, unit, n - 1), after)

    @settings(max_examples=200, deadline=None)
    @given(anchor=dates, interval=intervals, unit=units, days=st.integers(0, 2000))
    def test_due_dates_increase_and_stay_in_the_plan(self, anchor, interval, unit, days):
        end = anchor + timedelta(days=days)
        dues = periods.due_dates(anchor, interval, unit, end=end)
        self.assertEqual(dues, sorted(set(dues)))
        for due in dues:
            self.assertTrue(anchor < due <= end)
        # The plan's own due dates up to the end, none missed.
        expected = []
        n = 1
        while (due := periods.nth_due(anchor, interval, unit, n)) <= end:
            expected.append(due)
            n += 1
        self.assertEqual(dues, expected)

    @settings(max_examples=200, deadline=None)
    @given(anchor=dates, interval=intervals, n=st.integers(0, 100))
    def test_months_clamp_to_the_anchor_day(self, anchor, interval, n):
        due = periods.nth_due(anchor, interval, "month", n)
        months = anchor.month - 1 + interval * n
        self.assertEqual((due.year, due.month), (anchor.year + months // 12, months % 12 + 1))
        self.assertLessEqual(due.day, anchor.day)
        if due.day < anchor.day:  # clamped: the last day of its month
            self.assertEqual((due + timedelta(days=1)).day, 1)
