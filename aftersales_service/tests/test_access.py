from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import AftersalesCommon

# S1: model -> role -> allowed operations (r, w, c, u). Deletion of
# agreements and warranties is refused to everyone (they are archived).
MATRIX = {
    "aftersales.agreement": {
        "technician": "r",
        "user": "rwc",
        "manager": "rwc",
        "internal": "",
        "portal": "",
    },
    "aftersales.agreement.line": {
        "technician": "r",
        "user": "rwcu",
        "manager": "rwcu",
        "internal": "",
        "portal": "",
    },
    "aftersales.warranty": {
        "technician": "r",
        "user": "rwc",
        "manager": "rwc",
        "internal": "",
        "portal": "",
    },
    "aftersales.warranty.component": {
        "technician": "r",
        "user": "rwcu",
        "manager": "rwcu",
        "internal": "",
        "portal": "",
    },
    "aftersales.product.component": {
        "technician": "r",
        "user": "r",
        "manager": "rwcu",
        "internal": "r",
        "portal": "",
    },
    "aftersales.coverage.check": {
        "technician": "rwcu",
        "user": "rwcu",
        "manager": "rwcu",
        "internal": "",
        "portal": "",
    },
    "aftersales.warranty.void": {
        "technician": "",
        "user": "rwcu",
        "manager": "rwcu",
        "internal": "",
        "portal": "",
    },
    "aftersales.agreement.sign": {
        "technician": "",
        "user": "rwcu",
        "manager": "rwcu",
        "internal": "",
        "portal": "",
    },
    "aftersales.agreement.amend": {
        "technician": "",
        "user": "rwcu",
        "manager": "rwcu",
        "internal": "",
        "portal": "",
    },
}
OPERATIONS = {"r": "read", "w": "write", "c": "create", "u": "unlink"}


@tagged("post_install", "-at_install")
class TestAccessMatrix(AftersalesCommon):
    def test_access_matrix(self):
        users = {
            "technician": self.user_technician,
            "user": self.user_service,
            "manager": self.user_manager,
            "internal": self.user_internal,
            "portal": self.user_portal,
        }
        for model, roles in MATRIX.items():
            for role, allowed in roles.items():
                for letter, operation in OPERATIONS.items():
                    with self.subTest(model=model, role=role, operation=operation):
                        Model = self.env[model].with_user(users[role])
                        self.assertEqual(
                            Model.has_access(operation),
                            letter in allowed,
                        )
        # The public user has no access to any of them.
        for model in MATRIX:
            with self.subTest(model=model, role="public"), self.assertRaises(AccessError):
                self.env[model].with_user(self.user_public).check_access("read")

    def test_every_model_has_access_rules(self):
        models = self.env["ir.model"].search([("model", "=like", "aftersales.%")])
        abstract = {"aftersales.coverage"}
        for model in models:
            if model.model in abstract:
                continue
            with self.subTest(model=model.model):
                self.assertIn(model.model, MATRIX)
                self.assertTrue(model.access_ids)
