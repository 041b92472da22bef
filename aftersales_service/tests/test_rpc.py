from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tests.common import JsonRpcException
from odoo.tools import mute_logger

CLEAN_ERRORS = (
    "odoo.exceptions.ValidationError",
    "odoo.exceptions.UserError",
    "builtins.ValueError",
)


@tagged("post_install", "-at_install")
class TestRpcBadInput(HttpCase):
    """D1: bad input over JSON-RPC gives a clean error and leaves no row."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.user = new_test_user(
            cls.env, login="as_rpc_user", groups="aftersales_service.aftersales_service_group_user"
        )
        cls.customer = cls.env["res.partner"].create({"name": "RPC Customer", "is_company": True})
        cls.product = cls.env["product.product"].create(
            {"name": "RPC Unit", "is_storable": True, "tracking": "serial"}
        )

    def _create(self, model, vals):
        return self.make_jsonrpc_request(
            f"/web/dataset/call_kw/{model}/create",
            {"model": model, "method": "create", "args": [vals], "kwargs": {}},
        )

    @mute_logger("odoo.http", "odoo.sql_db")
    def test_bad_input(self):
        self.authenticate("as_rpc_user", "as_rpc_user")
        agreement = {
            "partner_id": self.customer.id,
            "date_start": "2024-01-01",
            "date_end": "2024-12-31",
        }
        warranty = {"partner_id": self.customer.id, "product_id": self.product.id}
        cases = [
            ("aftersales.agreement", {**agreement, "no_such_field": 1}),
            ("aftersales.agreement", {**agreement, "date_end": "2023-12-31"}),
            ("aftersales.agreement", {**agreement, "response_hours": -4}),
            ("aftersales.agreement", {**agreement, "followup_unit": "decade"}),
            ("aftersales.agreement", {**agreement, "date_start": "not a date"}),
            ("aftersales.agreement", {**agreement, "signed_by": "Forger"}),
            ("aftersales.warranty", {**warranty, "warranty_duration": -1}),
            ("aftersales.warranty", {**warranty, "start_rule": "whenever"}),
            ("aftersales.warranty", {**warranty, "date_delivery": "31/02/2024"}),
        ]
        for model, vals in cases:
            before = self.env[model].search_count([])
            with self.subTest(model=model, vals=vals):
                with self.assertRaises(JsonRpcException) as caught:
                    self._create(model, vals)
                self.assertIn(str(caught.exception), CLEAN_ERRORS)
                self.assertEqual(self.env[model].search_count([]), before)
        # A valid call works.
        self.assertTrue(self._create("aftersales.agreement", agreement))
