import unittest

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
