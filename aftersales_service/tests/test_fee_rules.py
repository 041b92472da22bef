"""The pure fee arithmetic of tools/fees.py (no database): worked quotes in
TWD and EUR with free, paid and contract lines, half-up rounding per line,
refused input, and hypothesis properties of totals and rounding (R8, R9, R16)."""

import unittest
from datetime import date, timedelta
from decimal import Context, Decimal, localcontext

from hypothesis import given, settings
from hypothesis import strategies as st

from odoo.addons.aftersales_service.tools import fees

TWD = Decimal(1)
EUR = Decimal("0.01")


def charge(kind, quantity, unit_price, category="paid", **extra):
    """A charge line as the models hand it."""
    return dict(kind=kind, quantity=quantity, unit_price=unit_price, category=category, **extra)


# A paid repair of a unit whose compressor is still in its own warranty (R9),
# on the first visit of a maintenance agreement that includes it.
CALLOUT = charge("callout", 1, 800)
LABOUR = charge("labour", 1.5, 1200)
PARTS = charge("part", 2, 350, markup=20)
FREE_COMPRESSOR = charge("part", 1, 1500, "free", markup=20, reason="component_defect")
INCLUDED_VISIT = charge("callout", 1, 800, "contract", included=True, reason="visit 1 of 4")


class TestLineAmount(unittest.TestCase):
    def test_worked_lines_twd(self):
        self.assertEqual(fees.line_amount(CALLOUT, TWD), Decimal(800))
        self.assertEqual(fees.line_amount(LABOUR, TWD), Decimal(1800))
        # 2 x 350 with a 20 % mark-up.
        self.assertEqual(fees.line_amount(PARTS, TWD), Decimal(840))
        self.assertEqual(fees.line_amount(FREE_COMPRESSOR, TWD), 0)
        self.assertEqual(fees.line_amount(INCLUDED_VISIT, TWD), 0)
        # What the free lines are worth at the same prices.
        self.assertEqual(fees.line_value(FREE_COMPRESSOR, TWD), Decimal(1800))
        self.assertEqual(fees.line_value(INCLUDED_VISIT, TWD), Decimal(800))

    def test_contract_line_beyond_the_agreement_is_billed(self):
        extra_visit = charge("callout", 1, 800, "contract", included=False)
        self.assertEqual(fees.line_amount(extra_visit, TWD), Decimal(800))
        self.assertTrue(fees.is_billable(extra_visit))
        self.assertFalse(fees.is_billable(INCLUDED_VISIT))
        self.assertFalse(fees.is_billable(FREE_COMPRESSOR))

    def test_markup_applies_to_parts_only(self):
        self.assertEqual(fees.line_amount(charge("labour", 2, 100, markup=50), TWD), 200)
        self.assertEqual(fees.line_amount(charge("part", 2, 100, markup=50), TWD), 300)
        self.assertEqual(fees.line_amount(charge("part", 2, 100), TWD), 200)

    def test_twd_rounds_to_the_dollar_half_up(self):
        # 0.75 h x 1150 = 862.5: half-up gives 863 (banker's rounding would give 862).
        self.assertEqual(fees.line_amount(charge("labour", 0.75, 1150), TWD), Decimal(863))
        self.assertEqual(fees.line_amount(charge("labour", 0.5, 1001), TWD), Decimal(501))
        self.assertEqual(fees.line_amount(charge("travel", 12.4, 10), TWD), Decimal(124))
        self.assertEqual(fees.line_amount(charge("travel", 0.1, 4), TWD), 0)

    def test_eur_rounds_to_the_cent_half_up(self):
        # 0.75 h x 65.90 = 49.425 -> 49.43.
        amount = fees.line_amount(charge("labour", 0.75, "65.90"), EUR)
        self.assertEqual(amount, Decimal("49.43"))
        self.assertEqual(str(amount), "49.43")
        # 3 x 12.99 + 15 % = 44.8155 -> 44.82.
        self.assertEqual(
            fees.line_amount(charge("part", 3, "12.99", markup=15), EUR), Decimal("44.82")
        )
        self.assertEqual(fees.line_amount(charge("fixed", 1, "0.125"), EUR), Decimal("0.13"))
        self.assertEqual(fees.line_amount(charge("fixed", 1, "0.124"), EUR), Decimal("0.12"))
        self.assertEqual(str(fees.line_amount(FREE_COMPRESSOR, EUR)), "0.00")

    def test_floats_are_read_as_written(self):
        # 0.1 + 0.2 is 0.30000000000000004 as a float: still 0.30.
        self.assertEqual(fees.line_amount(charge("fixed", 1, 0.1 + 0.2), EUR), Decimal("0.30"))
        self.assertEqual(fees.line_amount(charge("labour", 1.15, 100), EUR), Decimal("115.00"))

    def test_cash_rounding_to_five_cents(self):
        self.assertEqual(fees.line_amount(charge("fixed", 1, "1.025"), "0.05"), Decimal("1.05"))
        self.assertEqual(fees.line_amount(charge("fixed", 1, "1.024"), "0.05"), Decimal("1.00"))

    def test_invalid_lines_refused(self):
        invalid = (
            charge("labour", -1, 100),
            charge("labour", 1, -100),
            charge("part", 1, 100, markup=-5),
            charge("labour", 1, 100, markup=-5),  # never negative, even where unused
            charge("part", -1, 100, "free"),  # checked even when not billed
            charge("massage", 1, 100),
            charge("labour", 1, 100, "goodwill"),
            charge("labour", None, 100),
            charge("labour", 1, "twelve"),
            charge("labour", 1, float("nan")),
            charge("labour", float("inf"), 100),
            charge("labour", True, 100),
            {"kind": "labour", "unit_price": 100, "category": "paid"},
            {"quantity": 1, "unit_price": 100, "category": "paid"},
            {"kind": "labour", "quantity": 1, "unit_price": 100},
        )
        for line in invalid:
            with self.subTest(line=line), self.assertRaises(ValueError):
                fees.line_amount(line, TWD)
            with self.subTest(line=line), self.assertRaises(ValueError):
                fees.quote([CALLOUT, line], TWD)

    def test_invalid_rounding_refused(self):
        for rounding in (Decimal(0), Decimal("-0.01"), "cent", None, float("nan")):
            with self.subTest(rounding=rounding), self.assertRaises(ValueError):
                fees.line_amount(CALLOUT, rounding)
            with self.subTest(rounding=rounding), self.assertRaises(ValueError):
                fees.quote([], rounding)


class TestQuote(unittest.TestCase):
    def test_worked_quote_twd(self):
        lines = [CALLOUT, LABOUR, PARTS, FREE_COMPRESSOR, INCLUDED_VISIT]
        result = fees.quote(lines, TWD)
        self.assertEqual(result["total"], Decimal(3440))
        self.assertEqual(result["free_total"], Decimal(2600))
        self.assertEqual(
            result["by_category"],
            {"free": Decimal(0), "paid": Decimal(3440), "contract": Decimal(0)},
        )
        self.assertEqual(
            [(line["amount"], line["value"], line["billable"]) for line in result["lines"]],
            [
                (800, 800, True),
                (1800, 1800, True),
                (840, 840, True),
                (0, 1800, False),
                (0, 800, False),
            ],
        )
        # Each line is a copy carrying its reason; the input is left alone.
        self.assertEqual(result["lines"][3]["reason"], "component_defect")
        self.assertEqual(result["lines"][4]["reason"], "visit 1 of 4")
        self.assertNotIn("amount", FREE_COMPRESSOR)

    def test_mixed_contract_quote_eur(self):
        lines = [
            charge("callout", 1, "45.00", "contract", included=True),
            charge("callout", 1, "45.00", "contract", included=False),
            charge("labour", 0.75, "65.90", "contract"),
            charge("part", 3, "12.99", "paid", markup=15),
            charge("part", 1, "120.00", "free", markup=15),
        ]
        result = fees.quote(lines, EUR)
        self.assertEqual(result["by_category"]["contract"], Decimal("94.43"))
        self.assertEqual(result["by_category"]["paid"], Decimal("44.82"))
        self.assertEqual(result["by_category"]["free"], Decimal(0))
        self.assertEqual(result["total"], Decimal("139.25"))
        self.assertEqual(str(result["total"]), "139.25")
        self.assertEqual(result["free_total"], Decimal("183.00"))

    def test_each_line_rounded_before_the_sum(self):
        # Three lines of 0.005 are 0.01 each: 0.03, not round(0.015) = 0.02.
        lines = [charge("fixed", 1, "0.005")] * 3
        self.assertEqual(fees.quote(lines, EUR)["total"], Decimal("0.03"))

    def test_empty_quote(self):
        result = fees.quote([], EUR)
        self.assertEqual(result["lines"], [])
        self.assertEqual(result["total"], 0)
        self.assertEqual(str(result["total"]), "0.00")
        self.assertEqual(result["free_total"], 0)
        self.assertEqual(result["by_category"], dict.fromkeys(fees.CATEGORIES, 0))


# Hypothesis strategies: amounts as Odoo stores them, in several currencies.
roundings = st.sampled_from([Decimal(1), Decimal("0.01"), Decimal("0.05"), Decimal("0.001")])
quantities = st.decimals(min_value=0, max_value=1000, places=2)
prices = st.decimals(min_value=0, max_value=100000, places=3)
markups = st.decimals(min_value=0, max_value=300, places=1)


@st.composite
def lines(draw, categories=fees.CATEGORIES):
    return charge(
        draw(st.sampled_from(fees.KINDS)),
        draw(quantities | st.floats(min_value=0, max_value=1000)),
        draw(prices),
        draw(st.sampled_from(categories)),
        markup=draw(markups),
        included=draw(st.booleans()),
    )


class TestQuoteProperties(unittest.TestCase):
    @settings(max_examples=300, deadline=None)
    @given(st.lists(lines(), max_size=12), roundings)
    def test_totals_never_negative(self, charges, rounding):
        result = fees.quote(charges, rounding)
        self.assertGreaterEqual(result["total"], 0)
        self.assertGreaterEqual(result["free_total"], 0)
        for subtotal in result["by_category"].values():
            self.assertGreaterEqual(subtotal, 0)

    @settings(max_examples=300, deadline=None)
    @given(st.lists(lines(), max_size=12), roundings)
    def test_total_is_the_sum_of_billable_amounts(self, charges, rounding):
        result = fees.quote(charges, rounding)
        billable = [line for line in result["lines"] if line["billable"]]
        self.assertEqual(result["total"], sum(line["amount"] for line in billable))
        self.assertEqual(result["total"], sum(result["by_category"].values()))
        self.assertEqual(
            result["free_total"],
            sum(line["value"] for line in result["lines"] if not line["billable"]),
        )
        for line, priced in zip(charges, result["lines"], strict=True):
            self.assertEqual(priced["amount"], fees.line_amount(line, rounding))

    @settings(max_examples=300, deadline=None)
    @given(lines(), roundings)
    def test_free_and_included_lines_add_nothing(self, line, rounding):
        unbilled = line["category"] == "free" or (
            line["category"] == "contract" and line["included"]
        )
        amount = fees.line_amount(line, rounding)
        if unbilled:
            self.assertEqual(amount, 0)
            self.assertEqual(fees.quote([line], rounding)["total"], 0)
        else:
            self.assertEqual(amount, fees.line_value(line, rounding))
        self.assertEqual(fees.quote([line], rounding)["by_category"]["free"], 0)

    @settings(max_examples=300, deadline=None)
    @given(st.lists(lines(), max_size=10), lines(("free",)), st.integers(0, 10), roundings)
    def test_adding_a_free_line_never_changes_the_total(self, charges, free, at, rounding):
        before = fees.quote(charges, rounding)
        after = fees.quote([*charges[:at], free, *charges[at:]], rounding)
        self.assertEqual(after["total"], before["total"])
        self.assertEqual(after["by_category"], before["by_category"])
        self.assertEqual(
            after["free_total"], before["free_total"] + fees.line_value(free, rounding)
        )

    @settings(max_examples=300, deadline=None)
    @given(st.lists(lines(), max_size=12), roundings)
    def test_every_amount_is_a_multiple_of_the_rounding(self, charges, rounding):
        result = fees.quote(charges, rounding)
        amounts = [result["total"], result["free_total"], *result["by_category"].values()]
        for line in result["lines"]:
            amounts += [line["amount"], line["value"]]
        for amount in amounts:
            self.assertEqual(amount % rounding, 0, amount)

    @settings(max_examples=300, deadline=None)
    @given(lines(), roundings)
    def test_rounding_is_half_up_within_half_a_step(self, line, rounding):
        with localcontext(Context(prec=80)):
            exact = Decimal(str(line["quantity"])) * line["unit_price"]
            if line["kind"] == "part":
                exact = exact * (100 + line["markup"]) / 100
        value = fees.line_value(line, rounding)
        # Within half a step, ties going up.
        self.assertLess(exact - rounding / 2, value)
        self.assertLessEqual(value, exact + rounding / 2)

    @settings(max_examples=300, deadline=None)
    @given(
        st.sampled_from(fees.KINDS),
        st.sampled_from(fees.CATEGORIES),
        st.booleans(),
        st.integers(0, 1000),
        st.integers(0, 100000),
        st.integers(0, 300),
        st.integers(0, 50),
        roundings,
    )
    def test_integer_scaling_of_quantity(
        self, kind, category, included, quantity, units, markup, k, rounding
    ):
        # Prices in steps of 100 roundings and whole-percent mark-ups: the
        # amount needs no rounding, so k times the quantity is k times the amount.
        line = charge(kind, quantity, units * 100 * rounding, category, markup=markup)
        line["included"] = included
        scaled = dict(line, quantity=quantity * k)
        self.assertEqual(fees.line_amount(scaled, rounding), k * fees.line_amount(line, rounding))
        self.assertEqual(fees.line_value(scaled, rounding), k * fees.line_value(line, rounding))

    @settings(max_examples=200, deadline=None)
    @given(
        lines(),
        st.sampled_from(["quantity", "unit_price", "markup"]),
        st.decimals(max_value=Decimal("-0.001"), allow_nan=False, allow_infinity=False)
        | st.floats(max_value=-1e-9),
        roundings,
    )
    def test_negative_numbers_refused(self, line, key, negative, rounding):
        with self.assertRaises(ValueError):
            fees.line_amount(dict(line, **{key: negative}), rounding)
        with self.assertRaises(ValueError):
            fees.quote([dict(line, **{key: negative})], rounding)

    @settings(max_examples=100, deadline=None)
    @given(lines(), st.text(max_size=10), st.sampled_from(["kind", "category"]), roundings)
    def test_unknown_kind_or_category_refused(self, line, word, key, rounding):
        known = fees.KINDS if key == "kind" else fees.CATEGORIES
        if word in known:
            return
        with self.assertRaises(ValueError):
            fees.line_amount(dict(line, **{key: word}), rounding)


class TestContractYear(unittest.TestCase):
    def test_worked_years(self):
        start = date(2024, 2, 29)
        self.assertEqual(
            fees.contract_year(start, date(2024, 2, 29)), (date(2024, 2, 29), date(2025, 2, 28))
        )
        self.assertEqual(
            fees.contract_year(start, date(2025, 2, 27)), (date(2024, 2, 29), date(2025, 2, 28))
        )
        self.assertEqual(
            fees.contract_year(start, date(2025, 2, 28)), (date(2025, 2, 28), date(2026, 2, 28))
        )
        # Before the start: the first year.
        self.assertEqual(fees.contract_year(start, date(2023, 5, 1))[0], start)

    @given(
        st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 12, 31)),
        st.integers(min_value=0, max_value=3650),
    )
    @settings(max_examples=300, deadline=None)
    def test_the_year_holds_the_date(self, start, days):
        on_date = start + timedelta(days=days)
        first, following = fees.contract_year(start, on_date)
        self.assertLessEqual(first, on_date)
        self.assertLess(on_date, following)
        self.assertGreaterEqual(first, start)
        # A year is 365 or 366 days, give or take the clamp of 29 February.
        self.assertIn((following - first).days, (364, 365, 366, 367))


class TestInvoiceQuantityPrice(unittest.TestCase):
    def test_worked_cases(self):
        cent = Decimal("0.01")
        self.assertEqual(
            fees.invoice_quantity_price(1.5, Decimal("120.00"), cent),
            (Decimal("1.5"), Decimal("80.00")),
        )
        # 3 x 3.333... cannot be written with cents: one line of the amount.
        self.assertEqual(
            fees.invoice_quantity_price(3, Decimal("10.00"), cent), (Decimal(1), Decimal("10.00"))
        )
        self.assertEqual(
            fees.invoice_quantity_price(0, Decimal("5.00"), cent), (Decimal(1), Decimal("5.00"))
        )

    @given(
        st.decimals(min_value=0, max_value=10000, places=2, allow_nan=False, allow_infinity=False),
        st.decimals(min_value=0, max_value=10**7, places=2, allow_nan=False, allow_infinity=False),
        # Prices carry at least the currency's decimals (here cents).
        st.sampled_from([Decimal("0.01"), Decimal("0.001"), Decimal("0.0001")]),
    )
    @settings(max_examples=300, deadline=None)
    def test_the_line_bills_exactly_the_amount(self, quantity, amount, price_step):
        qty, price = fees.invoice_quantity_price(quantity, amount, price_step)
        self.assertEqual(qty * price, amount)
        self.assertGreaterEqual(price, 0)
        self.assertEqual(price % price_step, 0)
