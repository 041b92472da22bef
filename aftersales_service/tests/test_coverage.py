from datetime import date

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import Form, tagged

from .common import AftersalesCommon
from .test_agreement import SIGNATURE


@tagged("post_install", "-at_install")
class TestCoverage(AftersalesCommon):
    """The coverage decision on real records: unit and component warranties,
    agreements and their overrides."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer = cls._create_customer(name="Customer C")
        cls.compressor = cls._create_product(name="Compressor", tracking="none")
        cls.board = cls._create_product(name="Control Board", tracking="none")
        cls.equipment = cls._create_equipment(
            months=12, components=[(cls.compressor, 60), (cls.board, 6)]
        )
        cls.lot = cls._create_serial(cls.equipment, "SN-C-1")
        cls.warranty = cls.env["aftersales.warranty"].create(
            {
                "partner_id": cls.customer.id,
                "product_id": cls.equipment.id,
                "lot_id": cls.lot.id,
                "date_delivery": date(2024, 1, 31),
            }
        )
        cls.coverage = cls.env["aftersales.coverage"]

    def _decide(self, on_date, cause="equipment", component=None, lot=None):
        return self.coverage._decide(
            lot=lot or self.lot, component=component, on_date=on_date, fault_cause=cause
        )

    def _active_agreement(self, **line):
        agreement = self.env["aftersales.agreement"].create(
            {
                "partner_id": self.customer.id,
                "date_start": date(2024, 1, 1),
                "date_end": date(2027, 12, 31),
                "line_ids": [Command.create({"lot_id": self.lot.id, **line})],
            }
        )
        agreement._action_sign(SIGNATURE, "Customer")
        agreement.action_activate()
        return agreement

    def test_unit_warranty(self):
        inside = self._decide(date(2025, 1, 31))  # last day: 31 Jan 2024 + 12 months
        self.assertEqual((inside["category"], inside["source"]), ("free", "warranty"))
        self.assertEqual(inside["warranty"], self.warranty)
        self.assertIn(self.warranty.name, inside["reason"])
        outside = self._decide(date(2025, 2, 1))
        self.assertEqual((outside["category"], outside["source"]), ("paid", "none"))
        self.assertIn("Outside the warranty", outside["reason"])

    def test_components(self):
        # Unit out of warranty; compressor (60 months) still in: free.
        result = self._decide(date(2026, 6, 1), component=self.compressor)
        self.assertEqual((result["category"], result["source"]), ("free", "component"))
        self.assertEqual(result["component_line"].component_id, self.compressor)
        self.assertIn("Compressor", result["reason"])
        # Unit in warranty; control board (6 months) over: paid.
        result = self._decide(date(2024, 9, 1), component=self.board)
        self.assertEqual(result["category"], "paid")
        self.assertIn("Control Board", result["reason"])
        # A component not listed is judged by the unit's warranty.
        other = self._create_product(name="Fan", tracking="none")
        self.assertEqual(self._decide(date(2024, 9, 1), component=other)["category"], "free")

    def test_misuse_and_unknown(self):
        self.assertEqual(self._decide(date(2024, 6, 1), "misuse")["category"], "paid")
        result = self._decide(date(2024, 6, 1), "unknown")
        self.assertEqual((result["category"], result["provisional"]), ("free", True))
        self.assertIn("Provisional", result["reason"])
        with self.assertRaises(UserError):
            self._decide(date(2024, 6, 1), "fire")

    def test_contract_agreement(self):
        agreement = self._active_agreement(service_category="contract")
        result = self._decide(date(2026, 6, 1), "wear")
        self.assertEqual((result["category"], result["agreement"]), ("contract", agreement))
        # Outside the agreement's dates: paid.
        self.assertEqual(self._decide(date(2028, 1, 1), "wear")["category"], "paid")
        # A draft or terminated agreement grants nothing.
        agreement.action_terminate()
        self.assertEqual(self._decide(date(2026, 6, 1), "wear")["category"], "paid")

    def test_agreement_overrides_warranty_period(self):
        """R7: the governing documents set a longer warranty than the product's."""
        self._active_agreement(service_category="paid", warranty_duration=36)
        result = self._decide(date(2026, 6, 1))
        self.assertEqual((result["category"], result["source"]), ("free", "warranty"))
        self.assertEqual(self._decide(date(2027, 2, 1))["category"], "paid")

    def test_agreement_free_line_for_product(self):
        """A line naming the product (no serial) covers each unit of it."""
        agreement = self.env["aftersales.agreement"].create(
            {
                "partner_id": self.customer.id,
                "date_start": date(2024, 1, 1),
                "date_end": date(2027, 12, 31),
                "line_ids": [
                    Command.create({"product_id": self.equipment.id, "service_category": "free"})
                ],
            }
        )
        agreement._action_sign(SIGNATURE, "Customer")
        agreement.action_activate()
        result = self._decide(date(2026, 6, 1))
        self.assertEqual((result["category"], result["source"]), ("free", "agreement"))
        # Another customer's unit of the same product is not covered.
        other = self._create_customer(name="Other")
        lot2 = self._create_serial(self.equipment, "SN-C-2")
        self.env["aftersales.warranty"].create(
            {
                "partner_id": other.id,
                "product_id": self.equipment.id,
                "lot_id": lot2.id,
                "date_delivery": date(2024, 1, 31),
            }
        )
        self.assertEqual(self._decide(date(2026, 6, 1), lot=lot2)["category"], "paid")

    def test_component_without_warranty(self):
        """R9: a part listed with no warranty of its own is paid, even in the unit's warranty."""
        self.warranty.component_ids[1].warranty_duration = 0
        result = self._decide(date(2024, 3, 1), component=self.board)
        self.assertEqual(result["category"], "paid")

    def test_serial_under_contract_without_warranty(self):
        """Checked from the serial alone, an agreement naming the serial still counts."""
        lot = self._create_serial(self.equipment, "SN-C-8")
        self.env["aftersales.agreement"].create(
            {
                "partner_id": self.customer.id,
                "date_start": date(2024, 1, 1),
                "date_end": date(2027, 12, 31),
                "line_ids": [Command.create({"lot_id": lot.id, "service_category": "contract"})],
            }
        )._action_sign(SIGNATURE, "Customer")
        agreement = (
            self.env["aftersales.agreement.line"].search([("lot_id", "=", lot.id)]).agreement_id
        )
        agreement.action_activate()
        result = self._decide(date(2025, 6, 1), cause="wear", lot=lot)
        self.assertEqual((result["category"], result["agreement"]), ("contract", agreement))

    def test_no_warranty_at_all(self):
        lot = self._create_serial(self.equipment, "SN-C-9")
        result = self._decide(date(2024, 6, 1), lot=lot)
        self.assertEqual((result["category"], result["source"]), ("paid", "none"))
        self.assertFalse(result["warranty"])

    def test_check_coverage_wizard(self):
        action = self.lot.action_aftersales_check_coverage()
        form = Form(self.env["aftersales.coverage.check"].with_context(**action["context"]))
        form.date = date(2026, 6, 1)
        form.fault_cause = "equipment"
        self.assertEqual(form.category, "paid")
        form.component_id = self.compressor
        self.assertEqual(form.category, "free")
        self.assertEqual(form.source, "component")
        self.assertEqual(form.warranty_id, self.warranty)
        # Usable by a technician, anywhere they need it.
        form = Form(
            self.env["aftersales.coverage.check"]
            .with_user(self.user_technician)
            .with_context(default_lot_id=self.lot.id)
        )
        form.date = date(2024, 6, 1)
        form.fault_cause = "equipment"
        self.assertEqual(form.category, "free")
