from datetime import date

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, tagged

from .common import AftersalesCommon


@tagged("post_install", "-at_install")
class TestFeeCard(AftersalesCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Product = cls.env["product.product"]
        cls.callout = Product.create({"name": "Call-out", "type": "service"})
        cls.labour = Product.create({"name": "Labour", "type": "service"})
        cls.fridge = cls.env["aftersales.skill"].create({"name": "Refrigeration (fees)"})
        cls.card = cls._create_card()

    @classmethod
    def _create_card(cls, **vals):
        vals = {
            "name": "維修項目與收費標準 2027",
            "date_from": date(2027, 1, 1),
            "line_ids": [
                Command.create(
                    {
                        "kind": "callout",
                        "name": "上門服務費",
                        "price": 800,
                        "product_id": cls.callout.id,
                    }
                ),
                Command.create(
                    {
                        "kind": "labour",
                        "name": "工時費（冷凍）",
                        "skill_id": cls.fridge.id,
                        "price": 1200,
                        "product_id": cls.labour.id,
                    }
                ),
                Command.create({"kind": "parts", "name": "備品備件加價", "markup": 20}),
            ],
            **vals,
        }
        return cls.env["aftersales.fee.card"].create(vals)

    def test_default_and_agreement_card(self):
        """Paid work is priced from the agreement's card (contract prices),
        else from the company's default, on the date of the work."""
        Card = self.env["aftersales.fee.card"]
        self.assertFalse(Card._select_for(self.company, date(2027, 3, 1)))
        self.card.with_user(self.user_manager).action_set_default()
        self.assertTrue(self.card.is_default)
        self.assertEqual(Card._select_for(self.company, date(2027, 3, 1)), self.card)
        # Not before it starts, nor after it ends.
        self.assertFalse(Card._select_for(self.company, date(2026, 12, 31)))
        self.card.date_to = date(2027, 12, 31)
        self.assertFalse(Card._select_for(self.company, date(2028, 1, 1)))
        contract = self._create_card(name="Contract prices")
        agreement = self.env["aftersales.agreement"].create(
            {
                "partner_id": self._create_customer().id,
                "date_start": date(2027, 1, 1),
                "date_end": date(2027, 12, 31),
                "fee_card_id": contract.id,
            }
        )
        self.assertEqual(Card._select_for(self.company, date(2027, 3, 1), agreement), contract)
        contract.active = False
        self.assertEqual(Card._select_for(self.company, date(2027, 3, 1), agreement), self.card)

    def test_set_default_is_the_supervisors(self):
        with self.assertRaises(AccessError):
            self.card.with_user(self.user_service).action_set_default()
        self.assertFalse(self.company.aftersales_fee_card_id)
        self.card.active = False
        with self.assertRaises(UserError):
            self.card.action_set_default()

    def test_bad_input(self):
        Card = self.env["aftersales.fee.card"]
        Line = self.env["aftersales.fee.card.line"]
        cards, lines = Card.search_count([]), Line.search_count([])
        with self.assertRaises(ValidationError):
            Card.create(
                {"name": "Backwards", "date_from": date(2027, 2, 1), "date_to": date(2027, 1, 1)}
            )
        for vals in (
            {"kind": "labour", "name": "Negative", "price": -5, "product_id": self.labour.id},
            {"kind": "parts", "name": "Negative mark-up", "markup": -1},
            {"kind": "labour", "name": "No product", "price": 10},
        ):
            with self.subTest(vals=vals["name"]), self.assertRaises(ValidationError):
                Line.create({"card_id": self.card.id, **vals})
        self.assertEqual((Card.search_count([]), Line.search_count([])), (cards, lines))
        # The form: end before start is refused too.
        with self.assertRaises(ValidationError), Form(Card) as form:
            form.name = "Form card"
            form.date_from = date(2027, 2, 1)
            form.date_to = date(2027, 1, 1)

    def test_company_consistency(self):
        """S2/S3: company B's card is neither visible to company A nor usable
        on company A's agreement."""
        card_b = (
            self.env["aftersales.fee.card"]
            .with_user(self.user_b)
            .create({"name": "B prices", "date_from": date(2027, 1, 1)})
        )
        with self.assertRaises(AccessError):
            card_b.with_user(self.user_manager).read(["name"])
        self.assertFalse(
            self.env["aftersales.fee.card"]
            .with_user(self.user_manager)
            .search([("id", "=", card_b.id)])
        )
        with self.assertRaises(UserError):
            self.env["aftersales.agreement"].create(
                {
                    "partner_id": self._create_customer().id,
                    "date_start": date(2027, 1, 1),
                    "date_end": date(2027, 12, 31),
                    "fee_card_id": card_b.id,
                }
            )

    def test_technicians_read_prices_only(self):
        card = self.card.with_user(self.user_technician)
        self.assertEqual(card.line_ids.mapped("price"), [800, 1200, 0])
        with self.assertRaises(AccessError):
            card.line_ids[0].price = 1

    def test_printed_card(self):
        html = str(
            self.env["ir.actions.report"]._render_qweb_html(
                "aftersales_service.aftersales_fee_card_report", self.card.ids
            )[0],
            "utf-8",
        )
        for text in (
            "維修項目與收費標準 2027",
            "上門服務費",
            "工時費（冷凍）",
            "Refrigeration (fees)",
            "20",
        ):
            self.assertIn(text, html)
