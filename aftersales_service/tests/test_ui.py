import unittest

import odoo
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


@tagged("post_install", "-at_install")
class TestUiMobile(TestUiDesktop):
    """The same at a phone-sized, touch viewport (Odoo's mobile layout)."""

    browser_size = "375x667"
    touch_enabled = True
