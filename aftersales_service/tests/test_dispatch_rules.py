"""D5: properties of the pure dispatch arithmetic (tools/dispatch.py)."""

import unittest
from datetime import datetime, timedelta
from itertools import pairwise

from hypothesis import given
from hypothesis import strategies as st

from odoo.addons.aftersales_service.tools.dispatch import overlaps, rank

instants = st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2030, 1, 1))
durations = st.integers(min_value=1, max_value=60 * 24 * 3).map(lambda m: timedelta(minutes=m))
candidates = st.lists(
    st.fixed_dictionaries(
        {
            "name": st.text(max_size=8),
            "skills_matched": st.integers(min_value=0, max_value=5),
            "skills_needed": st.integers(min_value=0, max_value=5),
            "in_area": st.booleans(),
            "load_hours": st.floats(min_value=0, max_value=24),
            "conflict": st.booleans(),
        }
    ),
    max_size=12,
)


class TestOverlaps(unittest.TestCase):
    def test_examples(self):
        nine = datetime(2027, 1, 15, 9)
        eleven = nine + timedelta(hours=2)
        self.assertTrue(overlaps(nine, eleven, nine + timedelta(hours=1), eleven))
        # Back to back: no overlap.
        self.assertFalse(overlaps(nine, eleven, eleven, eleven + timedelta(hours=1)))
        # Missing bounds: nothing to compare.
        self.assertFalse(overlaps(nine, None, nine, eleven))

    @given(instants, durations, instants, durations)
    def test_symmetric(self, a, da, b, db):
        self.assertEqual(overlaps(a, a + da, b, b + db), overlaps(b, b + db, a, a + da))

    @given(instants, durations)
    def test_interval_overlaps_itself(self, a, da):
        self.assertTrue(overlaps(a, a + da, a, a + da))

    @given(instants, durations, instants, durations)
    def test_disjoint_when_one_ends_first(self, a, da, b, db):
        if a + da <= b:
            self.assertFalse(overlaps(a, a + da, b, b + db))


class TestRank(unittest.TestCase):
    def test_example(self):
        ranked = rank(
            [
                {"name": "Busy", "skills_matched": 2, "skills_needed": 2, "conflict": True},
                {"name": "Far", "skills_matched": 2, "skills_needed": 2, "in_area": False},
                {"name": "Near", "skills_matched": 2, "skills_needed": 2, "in_area": True},
                {"name": "Half", "skills_matched": 1, "skills_needed": 2, "in_area": True},
            ]
        )
        self.assertEqual([c["name"] for c in ranked], ["Near", "Far", "Half", "Busy"])
        self.assertEqual([c["rank"] for c in ranked], [1, 2, 3, 4])

    @given(candidates)
    def test_properties(self, cands):
        ranked = rank(cands)
        # A permutation, ranks 1..n.
        self.assertEqual(len(ranked), len(cands))
        self.assertEqual([c["rank"] for c in ranked], list(range(1, len(cands) + 1)))
        # Nobody double-booked before somebody free.
        conflicts = [bool(c["conflict"]) for c in ranked]
        self.assertEqual(conflicts, sorted(conflicts))
        # Among the free ones with the same skills and area, lighter day first.
        for first, second in pairwise(ranked):
            same = (
                first["conflict"] == second["conflict"]
                and first["in_area"] == second["in_area"]
                and first["skills_matched"] * max(second["skills_needed"], 1)
                == second["skills_matched"] * max(first["skills_needed"], 1)
                and bool(first["skills_needed"]) == bool(second["skills_needed"])
            )
            if same:
                self.assertLessEqual(first["load_hours"], second["load_hours"])
