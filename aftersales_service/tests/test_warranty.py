from datetime import date

from freezegun import freeze_time
from psycopg2 import IntegrityError

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, tagged, warmup
from odoo.tools import mute_logger

from .common import AftersalesCommon


@tagged("post_install", "-at_install")
class TestWarranty(AftersalesCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer = cls._create_customer(name="華新大樓管理有限公司")
        cls.compressor = cls._create_product(name="Compressor", tracking="none")
        cls.board = cls._create_product(name="Control Board", tracking="none")
        cls.equipment = cls._create_equipment(
            months=24, components=[(cls.compressor, 60), (cls.board, 6)]
        )

    def _warranty(self, **vals):
        lot = self._create_serial(self.equipment, vals.pop("serial", "SN-W-1"))
        return self.env["aftersales.warranty"].create(
            {
                "partner_id": self.customer.id,
                "product_id": self.equipment.id,
                "lot_id": lot.id,
                "date_delivery": date(2024, 1, 31),
                **vals,
            }
        )

    # ------------------------------------------------------------------
    def test_registered_on_delivery(self):
        """Validating a delivery registers one warranty per delivered serial,
        with the customer of the delivery and the product's components."""
        contact = self.env["res.partner"].create({"name": "Site", "parent_id": self.customer.id})
        picking = self._deliver(contact, self.equipment, ["SN-D-1", "SN-D-2"])
        warranties = self.env["aftersales.warranty"].search([("picking_id", "=", picking.id)])
        self.assertEqual(len(warranties), 2)
        self.assertEqual(warranties.partner_id, self.customer)  # the commercial entity
        self.assertEqual(set(warranties.lot_id.mapped("name")), {"SN-D-1", "SN-D-2"})
        for warranty in warranties:
            self.assertEqual(warranty.state, "active")
            self.assertEqual(warranty.warranty_duration, 24)
            self.assertTrue(warranty.date_delivery)
            self.assertEqual(warranty.component_ids.mapped("warranty_duration"), [60, 6])
            self.assertTrue(warranty.name.startswith("WTY/"))

    def test_delivery_without_warranty_period_registers_nothing(self):
        plain = self._create_product(name="No warranty")
        picking = self._deliver(self.customer, plain, ["SN-P-1"])
        self.assertFalse(self.env["aftersales.warranty"].search([("picking_id", "=", picking.id)]))

    def test_redelivery_keeps_the_first_warranty(self):
        self._deliver(self.customer, self.equipment, ["SN-R-1"])
        lot = self.env["stock.lot"].search([("name", "=", "SN-R-1")])
        first = lot.aftersales_warranty_id
        self.assertTrue(first)
        # The same serial is delivered again (after a workshop repair): a
        # second validated delivery, still one warranty.
        second = self._deliver(self.customer, self.equipment, lot)
        self.assertEqual(second.state, "done")
        self.assertEqual(self.env["aftersales.warranty"].search_count([("lot_id", "=", lot.id)]), 1)
        self.assertEqual(lot.aftersales_warranty_id, first)

    def test_dates_and_start_rule(self):
        warranty = self._warranty()
        # 31 Jan 2024 + 24 months; both boundary days covered.
        self.assertEqual(warranty.date_start, date(2024, 1, 31))
        self.assertEqual(warranty.date_end, date(2026, 1, 31))
        self.assertEqual(
            [c.date_end for c in warranty.component_ids], [date(2029, 1, 31), date(2024, 7, 31)]
        )
        warranty.start_rule = "installation"
        self.assertFalse(warranty.date_start)
        self.assertEqual(warranty.state, "pending")
        warranty.date_installation = date(2024, 2, 29)
        self.assertEqual(warranty.date_end, date(2026, 2, 28))  # clamped
        # The component lines follow the unit's start.
        self.assertEqual(warranty.component_ids[1].date_end, date(2024, 8, 29))

    def test_state_and_search(self):
        warranty = self._warranty()
        Warranty = self.env["aftersales.warranty"]
        cases = {
            date(2024, 1, 30): "pending",
            date(2024, 1, 31): "active",
            date(2026, 1, 31): "active",
            date(2026, 2, 1): "expired",
        }
        for today, state in cases.items():
            with self.subTest(today=today), self._frozen_today(today):
                warranty.invalidate_recordset(["state"])
                self.assertEqual(warranty.state, state)
                self.assertIn(warranty, Warranty.search([("state", "=", state)]))
                self.assertNotIn(warranty, Warranty.search([("state", "!=", state)]))
        warranty.action_void("Registered twice")
        self.assertEqual(warranty.state, "void")
        self.assertIn(warranty, Warranty.search([("state", "in", ["void"])]))

    def _frozen_today(self, day):
        return freeze_time(day.isoformat() + " 12:00:00")

    def test_one_warranty_per_serial(self):
        warranty = self._warranty(serial="SN-U-1")
        with self.assertRaises(ValidationError), self.cr.savepoint():
            self.env["aftersales.warranty"].create(
                {
                    "partner_id": self.customer.id,
                    "product_id": self.equipment.id,
                    "lot_id": warranty.lot_id.id,
                }
            )
        self.assertEqual(
            self.env["aftersales.warranty"].search_count([("lot_id", "=", warranty.lot_id.id)]), 1
        )
        # Once void, the serial can get a new one.
        warranty.action_void("Wrong customer")
        self.env["aftersales.warranty"].create(
            {
                "partner_id": self.customer.id,
                "product_id": self.equipment.id,
                "lot_id": warranty.lot_id.id,
            }
        )

    def test_archived_warranty_still_counts(self):
        """Archiving hides a warranty: it still holds its serial, and still covers."""
        warranty = self._warranty(serial="SN-AR-1")
        warranty.action_archive()
        with self.assertRaises(ValidationError):
            self.env["aftersales.warranty"].create(
                {
                    "partner_id": self.customer.id,
                    "product_id": self.equipment.id,
                    "lot_id": warranty.lot_id.id,
                }
            )
        result = self.env["aftersales.coverage"]._decide(
            lot=warranty.lot_id, on_date=date(2024, 6, 1), fault_cause="equipment"
        )
        self.assertEqual((result["category"], result["warranty"]), ("free", warranty))

    def test_unique_index_guards_concurrent_registrations(self):
        """The database refuses a second live warranty even past the ORM check."""
        warranty = self._warranty(serial="SN-IX-1")
        with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError), self.cr.savepoint():
            self.env.cr.execute(
                "INSERT INTO aftersales_warranty (name, company_id, partner_id, product_id, "
                "lot_id, start_rule, warranty_unit, guarantee_unit, active, void) "
                "SELECT 'dup', company_id, partner_id, product_id, lot_id, start_rule, "
                "warranty_unit, guarantee_unit, true, false FROM aftersales_warranty WHERE id = %s",
                [warranty.id],
            )

    def test_protected_fields_only_through_actions(self):
        warranty = self._warranty(serial="SN-PF-1")
        picking = self._deliver(self.customer, self.equipment, ["SN-PF-2"])
        for vals in ({"void": True}, {"void_reason": "x"}, {"picking_id": picking.id}):
            with self.subTest(vals=vals), self.assertRaises(UserError):
                warranty.with_context(aftersales_internal=True).write(vals)
        warranty.action_void("Duplicate")
        with self.assertRaises(UserError):
            warranty.write({"void": False})
        self.assertTrue(warranty.void)

    def test_serial_of_another_product_refused(self):
        lot = self._create_serial(self._create_product(name="Other"), "SN-O-1")
        with self.assertRaises(ValidationError):
            self.env["aftersales.warranty"].create(
                {"partner_id": self.customer.id, "product_id": self.equipment.id, "lot_id": lot.id}
            )

    def test_bad_input_leaves_nothing(self):
        """D1: negative periods, end before start, unknown fields or values."""
        Warranty = self.env["aftersales.warranty"]
        before = Warranty.search_count([])
        base = {"partner_id": self.customer.id, "product_id": self.equipment.id}
        for vals, error in (
            ({"warranty_duration": -1}, IntegrityError),
            ({"start_rule": "signature"}, ValueError),
            ({"no_such_field": 1}, ValueError),
            (
                {"date_delivery": date(2024, 5, 1), "date_installation": date(2024, 4, 1)},
                ValidationError,
            ),
        ):
            with (
                self.subTest(vals=vals),
                mute_logger("odoo.sql_db"),
                self.assertRaises(error),
                self.cr.savepoint(),
            ):
                Warranty.create({**base, **vals})
        self.assertEqual(Warranty.search_count([]), before)
        warranty = self._warranty(serial="SN-B-1")
        with self.assertRaises(ValidationError), self.cr.savepoint():
            warranty.component_ids[0].write(
                {"date_start": date(2024, 5, 1), "date_end": date(2024, 4, 1)}
            )

    def test_component_changes_tracked(self):
        warranty = self._warranty(serial="SN-T-1")
        line = warranty.component_ids[1]
        line.date_end = date(2025, 1, 31)
        self.assertIn("Control Board", warranty.message_ids[0].body)
        self.assertIn("2025", warranty.message_ids[0].body)

    def test_never_deleted(self):
        warranty = self._warranty(serial="SN-X-1")
        with self.assertRaises(UserError):
            warranty.unlink()
        warranty.action_archive()
        self.assertFalse(warranty.active)
        self.assertTrue(warranty.exists())

    def test_referenced_records_kept(self):
        """R7: customers, products and serials with a warranty cannot be deleted."""
        warranty = self._warranty(serial="SN-K-1")
        for record in (warranty.lot_id, warranty.product_id, warranty.partner_id):
            with (
                self.subTest(model=record._name),
                mute_logger("odoo.sql_db"),
                self.assertRaises(IntegrityError),
                self.cr.savepoint(),
            ):
                record.unlink()
            self.assertTrue(record.exists())

    def test_expires_today_in_company_time_zone(self):
        """R10: "today" is the company's day, not UTC's, when no user time zone applies."""
        warranty = self._warranty(serial="SN-TZ-1")  # ends 31 Jan 2026
        self.env.company.partner_id.tz = "Asia/Taipei"
        # The viewer's own time zone does not matter: a user in Honolulu sees
        # the same state as the cron.
        robot = warranty.with_context(tz="Pacific/Honolulu")
        # 31 Jan 2026 20:00 UTC is already 1 Feb 04:00 in Taipei.
        with freeze_time("2026-01-31 20:00:00"):
            robot.invalidate_recordset(["state"])
            self.assertEqual(robot.state, "expired")
        with freeze_time("2026-01-31 15:00:00"):  # 23:00 in Taipei: last covered day
            robot.invalidate_recordset(["state"])
            self.assertEqual(robot.state, "active")

    def test_form(self):
        """D2: the same rules through the form."""
        lot = self._create_serial(self.equipment, "SN-F-1")
        form = Form(self.env["aftersales.warranty"])
        form.partner_id = self.customer
        form.product_id = self.equipment
        self.assertEqual(form.warranty_duration, 24)  # from the product
        form.lot_id = lot
        form.date_delivery = date(2024, 5, 1)
        form.date_installation = date(2024, 4, 1)
        with self.assertRaises(ValidationError):
            form.save()
        form.date_installation = date(2024, 5, 3)
        form.start_rule = "installation"
        warranty = form.save()
        self.assertEqual(warranty.date_end, date(2026, 5, 3))
        self.assertEqual(len(warranty.component_ids), 2)

    def test_void_needs_a_reason_and_a_user(self):
        warranty = self._warranty(serial="SN-V-1")
        with self.assertRaises(UserError):
            warranty.action_void("  ")
        with self.assertRaises(UserError):
            warranty.with_user(self.user_technician).action_void("no")
        wizard = Form(
            self.env["aftersales.warranty.void"].with_context(default_warranty_ids=warranty.ids)
        )
        wizard.reason = "Unit returned"
        wizard.save().action_confirm()
        self.assertTrue(warranty.void)
        with self.assertRaises(UserError):
            warranty.action_void("again")

    def test_company_consistency(self):
        """S3: a company-A warranty cannot use a company-B serial or customer."""
        lot_b = self.env["stock.lot"].create(
            {"name": "SN-B", "product_id": self.equipment.id, "company_id": self.company_b.id}
        )
        with self.assertRaises(UserError):
            self.env["aftersales.warranty"].create(
                {
                    "partner_id": self.customer.id,
                    "product_id": self.equipment.id,
                    "lot_id": lot_b.id,
                    "company_id": self.company.id,
                }
            )

    def test_component_company_consistency(self):
        """S3 for component lines: no company-B serial on a company-A unit."""
        warranty = self._warranty(serial="SN-CC-1")
        comp_lot_b = self.env["stock.lot"].create(
            {"name": "C-B", "product_id": self.compressor.id, "company_id": self.company_b.id}
        )
        with self.assertRaises(UserError):
            warranty.component_ids[0].lot_id = comp_lot_b

    def test_company_isolation(self):
        """S2: a user of company B neither reads nor finds company A's warranties."""
        warranty = self._warranty(serial="SN-I-1")
        Warranty = self.env["aftersales.warranty"].with_user(self.user_b)
        self.assertFalse(Warranty.search([("id", "=", warranty.id)]))
        with self.assertRaises(AccessError):
            warranty.with_user(self.user_b).read(["name"])
        # Both companies allowed, only A selected: only A's.
        own = self.env["aftersales.warranty"].with_user(self.user_manager_mc)
        self.assertIn(warranty, own.with_company(self.company).search([]))
        self.assertNotIn(
            warranty, own.with_context(allowed_company_ids=[self.company_b.id]).search([])
        )

    def test_technician_reads_only(self):
        warranty = self._warranty(serial="SN-R-9").with_user(self.user_technician)
        self.assertTrue(warranty.name)
        self.assertEqual(warranty.lot_id.name, "SN-R-9")  # serials are readable
        with self.assertRaises(AccessError):
            warranty.write({"note": "x"})
        with self.assertRaises(AccessError):
            warranty.env["aftersales.warranty"].create(
                {"partner_id": self.customer.id, "product_id": self.equipment.id}
            )

    def test_partner_product_and_serial_buttons(self):
        warranty = self._warranty(serial="SN-S-1")
        self.assertEqual(self.customer.aftersales_warranty_count, 1)
        self.assertEqual(self.equipment.product_tmpl_id.aftersales_warranty_count, 1)
        self.assertEqual(warranty.lot_id.aftersales_warranty_id, warranty)
        action = warranty.lot_id.action_aftersales_view_warranty()
        self.assertEqual(action["res_id"], warranty.id)
        self.assertEqual(
            self.env["aftersales.warranty"].search(
                self.customer.action_aftersales_view_warranties()["domain"]
            ),
            warranty,
        )

    def test_numbering_batch(self):
        """R8: numbers from the sequence, distinct in one batch create."""
        lots = self.env["stock.lot"].create(
            [{"name": f"SN-N-{i}", "product_id": self.equipment.id} for i in range(50)]
        )
        warranties = self.env["aftersales.warranty"].create(
            [
                {"partner_id": self.customer.id, "product_id": self.equipment.id, "lot_id": lot.id}
                for lot in lots
            ]
        )
        self.assertEqual(len(set(warranties.mapped("name"))), 50)


@tagged("post_install", "-at_install")
class TestWarrantyPerformance(AftersalesCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer = cls._create_customer()
        cls.equipment = cls._create_equipment(months=12)
        lots = cls.env["stock.lot"].create(
            [{"name": f"SN-PERF-{i}", "product_id": cls.equipment.id} for i in range(1000)]
        )
        cls.warranties = cls.env["aftersales.warranty"].create(
            [
                {
                    "partner_id": cls.customer.id,
                    "product_id": cls.equipment.id,
                    "lot_id": lot.id,
                    "date_delivery": date(2024, 1, 1),
                    "component_ids": [],
                }
                for lot in lots
            ]
        )

    @warmup
    def test_state_over_1000_serials(self):
        """P5: the state of 1,000 warranties costs a handful of queries."""
        warranties = self.warranties.browse(self.warranties.ids)
        self.env.invalidate_all()
        with self.assertQueryCount(5):
            states = warranties.mapped("state")
        self.assertEqual(len(states), 1000)

    @warmup
    def test_serial_warranty_over_1000_serials(self):
        lots = self.warranties.lot_id.browse(self.warranties.lot_id.ids)
        self.env.invalidate_all()
        with self.assertQueryCount(5):
            lots.mapped("aftersales_warranty_id")

    @warmup
    def test_create_one_warranty(self):
        """P1 for warranties: one registration with its components."""
        comp = self._create_product(name="Comp", tracking="none")
        self.equipment.aftersales_component_ids = [
            Command.create({"component_id": comp.id, "warranty_duration": 6})
        ]
        lot = self._create_serial(self.equipment, "SN-ONE")
        self.env.invalidate_all()
        with self.assertQueryCount(25):
            self.env["aftersales.warranty"].create(
                {
                    "partner_id": self.customer.id,
                    "product_id": self.equipment.id,
                    "lot_id": lot.id,
                    "date_delivery": date(2024, 1, 1),
                }
            )


@tagged("post_install", "-at_install")
class TestWarrantyExpiryNotice(AftersalesCommon):
    def test_expiry_notice_rule(self):
        """The shipped rule (inactive until an administrator enables it)
        e-mails the customer 30 days before the end, once."""
        customer = self._create_customer(name="Notice Customer", email="notice@example.com")
        equipment = self._create_equipment(months=12)
        lot = self._create_serial(equipment, "SN-EXP-1")
        warranty = self.env["aftersales.warranty"].create(
            {
                "partner_id": customer.id,
                "product_id": equipment.id,
                "lot_id": lot.id,
                "date_delivery": date(2024, 1, 31),
            }
        )  # ends 31 Jan 2025
        rule = self.env.ref("aftersales_service.aftersales_warranty_automation_expiry")
        self.assertFalse(rule.active)
        rule.active = True
        rule.last_run = "2024-12-30 00:00:00"
        with freeze_time("2025-01-02 08:00:00"):
            rule._check(automatic=False)
        mails = self.env["mail.mail"].search(
            [("model", "=", "aftersales.warranty"), ("res_id", "=", warranty.id)]
        )
        self.assertEqual(len(mails), 1)
        self.assertIn(customer, mails.recipient_ids)
        self.assertIn("SN-EXP-1", mails.body_html)
        # The next run does not send it again.
        with freeze_time("2025-01-03 08:00:00"):
            rule._check(automatic=False)
        self.assertEqual(
            self.env["mail.mail"].search_count(
                [("model", "=", "aftersales.warranty"), ("res_id", "=", warranty.id)]
            ),
            1,
        )
