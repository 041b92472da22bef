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
        "manager_mc": "rwc",
        "internal": "",
        "portal": "",
    },
    "aftersales.agreement.line": {
        "technician": "r",
        "user": "rwcu",
        "manager": "rwcu",
        "manager_mc": "rwcu",
        "internal": "",
        "portal": "",
    },
    "aftersales.warranty": {
        "technician": "r",
        "user": "rwc",
        "manager": "rwc",
        "manager_mc": "rwc",
        "internal": "",
        "portal": "",
    },
    "aftersales.warranty.component": {
        "technician": "r",
        "user": "rwcu",
        "manager": "rwcu",
        "manager_mc": "rwcu",
        "internal": "",
        "portal": "",
    },
    "aftersales.product.component": {
        "technician": "r",
        "user": "r",
        "manager": "rwcu",
        "manager_mc": "rwcu",
        "internal": "r",
        "portal": "",
    },
    "aftersales.coverage.check": {
        "technician": "rwcu",
        "user": "rwcu",
        "manager": "rwcu",
        "manager_mc": "rwcu",
        "internal": "",
        "portal": "",
    },
    "aftersales.warranty.void": {
        "technician": "",
        "user": "rwcu",
        "manager": "rwcu",
        "manager_mc": "rwcu",
        "internal": "",
        "portal": "",
    },
    "aftersales.agreement.sign": {
        "technician": "",
        "user": "rwcu",
        "manager": "rwcu",
        "manager_mc": "rwcu",
        "internal": "",
        "portal": "",
    },
    "aftersales.agreement.amend": {
        "technician": "",
        "user": "rwcu",
        "manager": "rwcu",
        "manager_mc": "rwcu",
        "internal": "",
        "portal": "",
    },
    # Repair tickets. Technicians read the tickets they work on (record
    # rules); only managers delete, and only cancelled tickets (R7).
    "aftersales.ticket": {
        "technician": "r",
        "user": "rwc",
        "manager": "rwcu",
        "manager_mc": "rwcu",
        "internal": "",
        "portal": "",
    },
    # SLA targets are written by the module only (sudo), never by a client.
    "aftersales.ticket.sla": {
        "technician": "r",
        "user": "r",
        "manager": "r",
        "manager_mc": "r",
        "internal": "",
        "portal": "",
    },
    "aftersales.sla.policy": {
        "technician": "r",
        "user": "r",
        "manager": "rwcu",
        "manager_mc": "rwcu",
        "internal": "",
        "portal": "",
    },
    "aftersales.ticket.stage": {
        "technician": "r",
        "user": "r",
        "manager": "rwcu",
        "manager_mc": "rwcu",
        "internal": "",
        "portal": "",
    },
    # Tags and skills are read by every employee.
    "aftersales.ticket.tag": {
        "technician": "r",
        "user": "rwc",
        "manager": "rwcu",
        "manager_mc": "rwcu",
        "internal": "r",
        "portal": "",
    },
    "aftersales.skill": {
        "technician": "r",
        "user": "r",
        "manager": "rwcu",
        "manager_mc": "rwcu",
        "internal": "r",
        "portal": "",
    },
    "aftersales.ticket.close": {
        "technician": "",
        "user": "rwcu",
        "manager": "rwcu",
        "manager_mc": "rwcu",
        "internal": "",
        "portal": "",
    },
    "aftersales.ticket.category": {
        "technician": "",
        "user": "",
        "manager": "rwcu",
        "manager_mc": "rwcu",
        "internal": "",
        "portal": "",
    },
    # Dispatch orders. Supervisors create and delete them; technicians
    # (record rules: their own) and service users record the visit.
    "aftersales.dispatch": {
        "technician": "rw",
        "user": "rw",
        "manager": "rwcu",
        "manager_mc": "rwcu",
        "internal": "",
        "portal": "",
    },
    "aftersales.dispatch.kit": {
        "technician": "rw",
        "user": "rw",
        "manager": "rwcu",
        "manager_mc": "rwcu",
        "internal": "",
        "portal": "",
    },
    # Parts are recorded on site by the technician.
    "aftersales.dispatch.part": {
        "technician": "rwcu",
        "user": "rwcu",
        "manager": "rwcu",
        "manager_mc": "rwcu",
        "internal": "",
        "portal": "",
    },
    "aftersales.technician": {
        "technician": "r",
        "user": "r",
        "manager": "rwcu",
        "manager_mc": "rwcu",
        "internal": "",
        "portal": "",
    },
    "aftersales.service.area": {
        "technician": "r",
        "user": "r",
        "manager": "rwcu",
        "manager_mc": "rwcu",
        "internal": "",
        "portal": "",
    },
    # Custody receipts are issued on site and never deleted but by a manager.
    "aftersales.receipt": {
        "technician": "rwc",
        "user": "rwc",
        "manager": "rwcu",
        "manager_mc": "rwcu",
        "internal": "",
        "portal": "",
    },
    "aftersales.receipt.line": {
        "technician": "rwcu",
        "user": "rwcu",
        "manager": "rwcu",
        "manager_mc": "rwcu",
        "internal": "",
        "portal": "",
    },
    # The technician suggestion wizard is the supervisor's.
    "aftersales.dispatch.assign": {
        "technician": "",
        "user": "",
        "manager": "rwcu",
        "manager_mc": "rwcu",
        "internal": "",
        "portal": "",
    },
    "aftersales.dispatch.assign.line": {
        "technician": "",
        "user": "",
        "manager": "rwcu",
        "manager_mc": "rwcu",
        "internal": "",
        "portal": "",
    },
    # Technician performance: supervisors only.
    "aftersales.dispatch.report": {
        "technician": "",
        "user": "",
        "manager": "r",
        "manager_mc": "r",
        "internal": "",
        "portal": "",
    },
    # Fee cards: read by the whole service team, set by supervisors.
    "aftersales.fee.card": {
        "technician": "r",
        "user": "r",
        "manager": "rwcu",
        "manager_mc": "rwcu",
        "internal": "",
        "portal": "",
    },
    "aftersales.fee.card.line": {
        "technician": "r",
        "user": "r",
        "manager": "rwcu",
        "manager_mc": "rwcu",
        "internal": "",
        "portal": "",
    },
    # Charges: read by the technicians of the ticket, kept by service staff.
    "aftersales.charge": {
        "technician": "r",
        "user": "rwcu",
        "manager": "rwcu",
        "manager_mc": "rwcu",
        "internal": "",
        "portal": "",
    },
    # Proactive service (R2-R6). Archives are kept (their entries never
    # change: the code refuses writes and deletions of entries to everyone).
    "aftersales.archive": {
        "technician": "r",
        "user": "rwc",
        "manager": "rwcu",
        "manager_mc": "rwcu",
        "internal": "",
        "portal": "",
    },
    # Technicians record usage on site.
    "aftersales.archive.entry": {
        "technician": "rc",
        "user": "rwcu",
        "manager": "rwcu",
        "manager_mc": "rwcu",
        "internal": "",
        "portal": "",
    },
    "aftersales.followup": {
        "technician": "r",
        "user": "rwc",
        "manager": "rwcu",
        "manager_mc": "rwcu",
        "internal": "",
        "portal": "",
    },
    "aftersales.maintenance.plan": {
        "technician": "r",
        "user": "rwc",
        "manager": "rwcu",
        "manager_mc": "rwcu",
        "internal": "",
        "portal": "",
    },
    "aftersales.training": {
        "technician": "r",
        "user": "rwc",
        "manager": "rwcu",
        "manager_mc": "rwcu",
        "internal": "",
        "portal": "",
    },
    # The timeline shows ticket titles: the service team's, not technicians'.
    "aftersales.archive.timeline": {
        "technician": "",
        "user": "r",
        "manager": "r",
        "manager_mc": "r",
        "internal": "",
        "portal": "",
    },
    "aftersales.training.attendee": {
        "technician": "r",
        "user": "rwcu",
        "manager": "rwcu",
        "manager_mc": "rwcu",
        "internal": "",
        "portal": "",
    },
    # The quote shown on site, the payment collected on site: technicians up.
    "aftersales.ticket.quote": {
        "technician": "rwcu",
        "user": "rwcu",
        "manager": "rwcu",
        "manager_mc": "rwcu",
        "internal": "",
        "portal": "",
    },
    "aftersales.onsite.payment": {
        "technician": "rwcu",
        "user": "rwcu",
        "manager": "rwcu",
        "manager_mc": "rwcu",
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
            "manager_mc": self.user_manager_mc,
            "internal": self.user_internal,
            "portal": self.user_portal,
        }
        for model, roles in MATRIX.items():
            # Every role is stated for every model: no row is left implicit.
            self.assertEqual(set(roles), set(users), model)
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
