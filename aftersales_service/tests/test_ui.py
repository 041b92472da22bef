import unittest
from datetime import timedelta

import odoo
from odoo import fields
from odoo.tests import HttpCase, tagged


class AftersalesTourCase(HttpCase):
    """Runs tours in headless Chromium. Odoo skips a browser test when it
    finds no browser or no websocket-client; here that is a failure, so a
    missing browser can never pass unnoticed."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Read every manifest now, in this thread: Python 3.11.7's parser can
        # fail ("AST constructor recursion depth mismatch") when two threads
        # parse at once, and the HTTP server reads them on its first request.
        assert odoo.http.root.statics

    def _start_tour(self, url, tour, **kwargs):
        try:
            self.start_tour(url, tour, **kwargs)
        except unittest.SkipTest as e:
            self.fail(f"the browser test could not run: {e}")


@tagged("post_install", "-at_install")
class TestUiDesktop(AftersalesTourCase):
    """Logs in and opens the After-Sales app, at desktop size."""

    def test_open_app(self):
        self._start_tour("/odoo", "aftersales_service_open_app", login="admin")

    def test_phone_intake(self):
        customer = self.env["res.partner"].create(
            {"name": "Tour Customer", "is_company": True, "phone": "+886 3 5712 0468"}
        )
        product = self.env["product.product"].create(
            {
                "name": "Tour Chiller",
                "type": "consu",
                "is_storable": True,
                "tracking": "serial",
                "aftersales_warranty_duration": 12,
            }
        )
        lot = self.env["stock.lot"].create({"name": "TOUR-SN-1", "product_id": product.id})
        self.env["aftersales.warranty"].create(
            {
                "partner_id": customer.id,
                "product_id": product.id,
                "lot_id": lot.id,
                "date_delivery": fields.Date.today(),
            }
        )
        self._start_tour(
            "/odoo/action-aftersales_service.aftersales_ticket_action",
            "aftersales_service_phone_intake",
            login="admin",
        )
        ticket = self.env["aftersales.ticket"].search([("title", "=", "Not cooling")])
        self.assertEqual(ticket.partner_id, customer)
        self.assertEqual(ticket.service_category, "free")


@tagged("post_install", "-at_install")
class TestUiMobile(TestUiDesktop):
    """The same at a phone-sized, touch viewport (Odoo's mobile layout)."""

    browser_size = "375x667"
    touch_enabled = True


class DispatchTourCase(AftersalesTourCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # No default fee card (demo data sets one): no quote is asked for.
        cls.env.company.aftersales_fee_card_id = False
        cls.technician = cls.env["res.users"].create(
            {
                "name": "Tess Tour",
                "login": "tour_tech",
                "password": "tour_tech",
                "groups_id": [
                    fields.Command.set(
                        [cls.env.ref("aftersales_service.aftersales_service_group_technician").id]
                    )
                ],
            }
        )
        cls.other = cls.env["res.users"].create(
            {
                "name": "Otto Other",
                "login": "tour_tech2",
                "groups_id": [
                    fields.Command.set(
                        [cls.env.ref("aftersales_service.aftersales_service_group_technician").id]
                    )
                ],
            }
        )
        skill = cls.env["aftersales.skill"].create({"name": "Tour Refrigeration"})
        cls.env["aftersales.technician"].create(
            [
                {"user_id": cls.technician.id, "skill_ids": [fields.Command.set(skill.ids)]},
                {"user_id": cls.other.id},
            ]
        )
        cls.customer = cls.env["res.partner"].create(
            {
                "name": "Tour Cold Store",
                "is_company": True,
                "street": "1 Tour Street",
                "email": "cold@tour.example",
            }
        )
        cls.ticket = cls.env["aftersales.ticket"].create(
            {
                "title": "TOUR freezer alarm",
                "partner_id": cls.customer.id,
                "skill_ids": [fields.Command.set(skill.ids)],
            }
        )


@tagged("post_install", "-at_install")
class TestUiDispatch(DispatchTourCase):
    """The supervisor dispatches a ticket, at desktop size."""

    def test_supervisor_dispatches(self):
        self._start_tour(
            f"/odoo/action-aftersales_service.aftersales_ticket_action/{self.ticket.id}",
            "aftersales_service_dispatch",
            login="admin",
        )
        dispatch = self.ticket.dispatch_ids
        self.assertEqual(len(dispatch), 1)
        self.assertEqual(dispatch.state, "scheduled")
        self.assertEqual(dispatch.technician_id, self.technician)
        self.assertEqual(dispatch.kit_line_ids.name, "Leak detector")
        self.assertEqual(self.ticket.stage_kind, "progress")


@tagged("post_install", "-at_install")
class TestUiTechnicianPhone(DispatchTourCase):
    """The technician does the visit on a phone (Odoo's mobile layout)."""

    browser_size = "375x667"
    touch_enabled = True

    def test_technician_visit(self):
        start = fields.Datetime.now()
        dispatch = self.env["aftersales.dispatch"].create(
            {
                "ticket_id": self.ticket.id,
                "technician_id": self.technician.id,
                "date_start": start,
                "date_end": start + timedelta(hours=2),
            }
        )
        dispatch.action_schedule()
        fan = self.env["product.product"].create({"name": "Tour Fan Motor", "type": "consu"})
        self._start_tour(
            "/odoo/action-aftersales_service.aftersales_dispatch_action_my_today",
            "aftersales_service_technician_visit",
            login="tour_tech",
        )
        self.assertEqual(dispatch.state, "done")
        self.assertEqual(dispatch.signed_by, "Carl Customer")
        self.assertTrue(dispatch.signature)
        self.assertEqual(dispatch.outcome, "fixed")
        self.assertIn("condenser fan", dispatch.work_done)
        # The part used is moved to the customer.
        self.assertEqual(dispatch.part_ids.product_id, fan)
        self.assertEqual(dispatch.part_ids.move_id.state, "done")
        self.assertTrue(self.ticket.date_onsite)
        # The customer is asked to rate the visit.
        self.assertTrue(dispatch.rating_ids)

    def test_quote_and_payment_on_phone(self):
        """R16 on the phone: the customer acknowledges the quote before the
        work, and the small amount is collected on site; the invoice is
        posted, paid and reconciled without the technician seeing Accounting."""
        company = self.env.company
        service = self.env["product.product"].create({"name": "Tour Call-out", "type": "service"})
        card = self.env["aftersales.fee.card"].create(
            {
                "name": "Tour Prices",
                "line_ids": [
                    fields.Command.create(
                        {
                            "kind": "callout",
                            "name": "Tour call-out",
                            "price": 50,
                            "product_id": service.id,
                        }
                    )
                ],
            }
        )
        cash = self.env["account.journal"].search(
            [("type", "=", "cash"), ("company_id", "=", company.id)], limit=1
        )
        company.write(
            {
                "aftersales_fee_card_id": card.id,
                "aftersales_onsite_limit": 1000,
                "aftersales_payment_journal_ids": [fields.Command.set(cash.ids)],
            }
        )
        customer = self.env["res.partner"].create(
            {"name": "Tour Paying Customer", "is_company": True, "email": "pay@tour.example"}
        )
        ticket = self.env["aftersales.ticket"].create(
            {"title": "TOUR paid repair", "partner_id": customer.id}
        )
        self.assertEqual(ticket.quote_status, "to_acknowledge")
        start = fields.Datetime.now()
        dispatch = self.env["aftersales.dispatch"].create(
            {
                "ticket_id": ticket.id,
                "technician_id": self.technician.id,
                "date_start": start,
                "date_end": start + timedelta(hours=2),
            }
        )
        dispatch.action_schedule()
        self._start_tour(
            "/odoo/action-aftersales_service.aftersales_dispatch_action_my_today",
            "aftersales_service_technician_quote_payment",
            login="tour_tech",
        )
        self.assertEqual(ticket.quote_status, "acknowledged")
        self.assertEqual(ticket.quote_signed_by, "Carl Customer")
        self.assertEqual(dispatch.state, "done")
        invoice = ticket.invoice_ids
        self.assertEqual(invoice.state, "posted")
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))
        self.assertEqual(dispatch.amount_collected, invoice.amount_total)
