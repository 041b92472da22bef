"""The pure rules of tools/ (no database): period arithmetic and the
coverage decision table, with hypothesis properties."""

import unittest
from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from odoo.addons.aftersales_service.tools import coverage, periods
from odoo.addons.aftersales_service.tools.coverage import Grant, Period, decide

D = date


class TestPeriods(unittest.TestCase):
    def test_month_clamps(self):
        self.assertEqual(periods.add_months(D(2024, 1, 31), 1), D(2024, 2, 29))  # leap year
        self.assertEqual(periods.add_months(D(2023, 1, 31), 1), D(2023, 2, 28))
        self.assertEqual(periods.add_months(D(2024, 2, 29), 12), D(2025, 2, 28))
        self.assertEqual(periods.add_months(D(2024, 11, 30), 3), D(2025, 2, 28))
        self.assertEqual(periods.add_months(D(2024, 3, 31), -1), D(2024, 2, 29))

    def test_period_end(self):
        self.assertEqual(periods.period_end(D(2024, 1, 31), 1, "month"), D(2024, 2, 29))
        self.assertEqual(periods.period_end(D(2024, 1, 1), 2, "year"), D(2026, 1, 1))
        self.assertEqual(periods.period_end(D(2024, 1, 1), 30, "day"), D(2024, 1, 31))
        self.assertIsNone(periods.period_end(D(2024, 1, 1), 0, "month"))
        self.assertIsNone(periods.period_end(None, 12, "month"))
        with self.assertRaises(ValueError):
            periods.period_end(D(2024, 1, 1), -1, "month")
        with self.assertRaises(ValueError):
            periods.period_end(D(2024, 1, 1), 1, "week")

    def test_both_boundary_days_covered(self):
        start, end = D(2024, 1, 31), D(2024, 2, 29)
        self.assertTrue(periods.covers(start, end, start))
        self.assertTrue(periods.covers(start, end, end))
        self.assertFalse(periods.covers(start, end, start - timedelta(days=1)))
        self.assertFalse(periods.covers(start, end, end + timedelta(days=1)))
        self.assertFalse(periods.covers(None, end, end))

    def test_start_rule(self):
        dates = {"delivery": D(2024, 1, 1), "installation": D(2024, 2, 1), "acceptance": None}
        self.assertEqual(periods.start_date("delivery", dates), D(2024, 1, 1))
        self.assertEqual(periods.start_date("installation", dates), D(2024, 2, 1))
        self.assertIsNone(periods.start_date("acceptance", dates))
        self.assertIsNone(periods.start_date("invoice", dates))
        with self.assertRaises(ValueError):
            periods.start_date("signature", dates)

    @settings(max_examples=300, deadline=None)
    @given(
        st.dates(min_value=D(1990, 1, 1), max_value=D(2100, 12, 31)),
        st.integers(min_value=0, max_value=600),
        st.sampled_from(periods.UNITS),
    )
    def test_end_never_before_start(self, start, duration, unit):
        end = periods.period_end(start, duration, unit)
        if duration == 0:
            self.assertIsNone(end)
        else:
            self.assertGreater(end, start)
            self.assertTrue(periods.covers(start, end, start))
            self.assertTrue(periods.covers(start, end, end))

    @settings(max_examples=200, deadline=None)
    @given(
        st.dates(min_value=D(1990, 1, 1), max_value=D(2100, 12, 31)),
        st.integers(min_value=1, max_value=300),
        st.integers(min_value=1, max_value=300),
    )
    def test_end_monotonic_in_duration(self, start, a, b):
        short, long_ = sorted((a, b))
        self.assertLessEqual(
            periods.period_end(start, short, "month"), periods.period_end(start, long_, "month")
        )


JAN1 = D(2024, 1, 1)
WARRANTY = Period(D(2024, 1, 1), D(2025, 1, 1), "W")
COMPONENT_LONG = Period(D(2024, 1, 1), D(2029, 1, 1), "C-long")
COMPONENT_SHORT = Period(D(2024, 1, 1), D(2024, 7, 1), "C-short")


class TestCoverageDecision(unittest.TestCase):
    def test_defect_in_warranty_is_free(self):
        d = decide(D(2024, 6, 1), "equipment", WARRANTY)
        self.assertEqual((d.category, d.source, d.provisional), ("free", "warranty", False))
        self.assertEqual(d.reason, coverage.REASON_WARRANTY_DEFECT)
        self.assertEqual(d.ref, "W")

    def test_boundary_days(self):
        self.assertEqual(decide(D(2024, 1, 1), "equipment", WARRANTY).category, "free")
        self.assertEqual(decide(D(2025, 1, 1), "equipment", WARRANTY).category, "free")
        self.assertEqual(decide(D(2025, 1, 2), "equipment", WARRANTY).category, "paid")
        self.assertEqual(decide(D(2023, 12, 31), "equipment", WARRANTY).category, "paid")

    def test_not_a_defect_is_paid(self):
        for cause in ("misuse", "external", "wear"):
            with self.subTest(cause=cause):
                d = decide(D(2024, 6, 1), cause, WARRANTY)
                self.assertEqual((d.category, d.reason), ("paid", coverage.REASON_NOT_DEFECT))

    def test_out_of_warranty_and_no_warranty(self):
        d = decide(D(2026, 1, 1), "equipment", WARRANTY)
        self.assertEqual((d.category, d.reason), ("paid", coverage.REASON_OUT_OF_WARRANTY))
        d = decide(D(2026, 1, 1), "equipment", None)
        self.assertEqual((d.category, d.reason), ("paid", coverage.REASON_NO_WARRANTY))

    def test_component_beats_product(self):
        # Unit out of warranty, component still in its own: free.
        d = decide(D(2026, 1, 1), "equipment", WARRANTY, COMPONENT_LONG)
        self.assertEqual((d.category, d.source, d.ref), ("free", "component", "C-long"))
        # Unit in warranty, component's shorter period over: paid.
        d = decide(D(2024, 9, 1), "equipment", WARRANTY, COMPONENT_SHORT)
        self.assertEqual((d.category, d.reason), ("paid", coverage.REASON_OUT_OF_WARRANTY))

    def test_unknown_cause_is_provisional(self):
        d = decide(D(2024, 6, 1), "unknown", WARRANTY)
        self.assertEqual((d.category, d.provisional), ("free", True))
        d = decide(D(2026, 6, 1), "unknown", WARRANTY)
        self.assertEqual((d.category, d.provisional), ("paid", True))

    def test_agreement_contract(self):
        grant = Grant("contract", D(2024, 1, 1), D(2027, 1, 1), "L1")
        # Misuse in warranty: the maintenance contract covers it.
        d = decide(D(2024, 6, 1), "misuse", WARRANTY, grants=[grant])
        self.assertEqual((d.category, d.source, d.ref), ("contract", "agreement", "L1"))
        # Defect in warranty: the warranty comes first.
        self.assertEqual(
            decide(D(2024, 6, 1), "equipment", WARRANTY, grants=[grant]).category, "free"
        )
        # After the agreement ends: paid.
        self.assertEqual(decide(D(2027, 1, 2), "misuse", WARRANTY, grants=[grant]).category, "paid")

    def test_agreement_free_extends_warranty(self):
        grant = Grant("free", D(2024, 1, 1), D(2027, 1, 1), "L2")
        d = decide(D(2026, 1, 1), "equipment", WARRANTY, grants=[grant])
        self.assertEqual((d.category, d.source), ("free", "agreement"))
        # An extended warranty does not cover misuse.
        self.assertEqual(decide(D(2026, 1, 1), "misuse", WARRANTY, grants=[grant]).category, "paid")
        # But a contract line beside it does.
        contract = Grant("contract", D(2024, 1, 1), D(2027, 1, 1), "L3")
        d = decide(D(2026, 1, 1), "misuse", WARRANTY, grants=[grant, contract])
        self.assertEqual((d.category, d.ref), ("contract", "L3"))

    def test_agreement_paid_line(self):
        grant = Grant("paid", D(2024, 1, 1), D(2027, 1, 1), "L4")
        d = decide(D(2026, 1, 1), "equipment", WARRANTY, grants=[grant])
        self.assertEqual((d.category, d.source, d.reason), ("paid", "agreement", "agreement_paid"))

    def test_bad_cause(self):
        with self.assertRaises(ValueError):
            decide(JAN1, "fire", WARRANTY)

    @settings(max_examples=300, deadline=None)
    @given(
        st.dates(min_value=D(2020, 1, 1), max_value=D(2030, 12, 31)),
        st.sampled_from(coverage.FAULT_CAUSES),
        st.booleans(),
        st.lists(st.sampled_from(coverage.CATEGORIES), max_size=3),
    )
    def test_properties(self, on_date, cause, with_component, grant_categories):
        grants = [Grant(c, D(2022, 1, 1), D(2028, 1, 1), i) for i, c in enumerate(grant_categories)]
        component = COMPONENT_LONG if with_component else None
        d = decide(on_date, cause, WARRANTY, component, grants)
        self.assertIn(d.category, coverage.CATEGORIES)
        self.assertIn(d.source, coverage.SOURCES)
        self.assertEqual(d.provisional, cause == "unknown")
        # Free only for a (possible) defect, and only from something that covers the date.
        if d.category == "free":
            self.assertIn(cause, ("equipment", "unknown"))
            self.assertNotEqual(d.source, "none")
        # Misuse, external causes and wear are never free.
        if cause in ("misuse", "external", "wear"):
            self.assertNotEqual(d.category, "free")
        # A contract line covering the date means the customer never pays
        # for it as paid service.
        if "contract" in grant_categories and D(2022, 1, 1) <= on_date <= D(2028, 1, 1):
            self.assertIn(d.category, ("free", "contract"))
