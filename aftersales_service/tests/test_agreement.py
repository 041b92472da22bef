import base64
from datetime import date, datetime

from freezegun import freeze_time
from psycopg2 import IntegrityError

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, tagged, warmup
from odoo.tools import mute_logger

from .common import AftersalesCommon

# A 1x1 PNG: a signature as the signature widget sends it.
SIGNATURE = base64.b64encode(
    bytes.fromhex(
        "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4"
        "890000000d4944415478da63f8ffff3f0005fe02fea7d6a4f60000000049454e44ae426082"
    )
)


@tagged("post_install", "-at_install")
class TestAgreement(AftersalesCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer = cls._create_customer(name="Customer A")
        cls.equipment = cls._create_equipment(months=12)
        cls.lot = cls._create_serial(cls.equipment, "SN-A-1")

    def _agreement(self, **vals):
        return self.env["aftersales.agreement"].create(
            {
                "partner_id": self.customer.id,
                "date_start": date(2024, 1, 1),
                "date_end": date(2024, 12, 31),
                "response_hours": 4,
                "line_ids": [
                    Command.create(
                        {
                            "lot_id": self.lot.id,
                            "product_id": self.equipment.id,
                            "service_category": "contract",
                        }
                    )
                ],
                **vals,
            }
        )

    def _sign(self, agreement, who="王小明"):
        wizard = Form(
            self.env["aftersales.agreement.sign"].with_context(default_agreement_id=agreement.id)
        )
        wizard.signed_by = who
        wizard.signature = SIGNATURE
        wizard.save().action_sign()

    # ------------------------------------------------------------------
    def test_state_machine(self):
        """PRE/POST of each transition: draft -sign-> draft signed -activate->
        active -terminate-> terminated; active -cron-> expired -renew-> new draft."""
        agreement = self._agreement()
        self.assertEqual((agreement.state, agreement.is_signed), ("draft", False))
        self.assertTrue(agreement.name.startswith("AGR/"))
        # Activating needs the customer's signature.
        with self.assertRaises(UserError):
            agreement.action_activate()
        self._sign(agreement)
        self.assertEqual((agreement.state, agreement.is_signed), ("draft", True))
        self.assertEqual(agreement.signed_by, "王小明")
        self.assertTrue(agreement.signed_on)
        agreement.action_activate()
        self.assertEqual(agreement.state, "active")
        # Transitions not allowed from here.
        for action in (agreement.action_activate, agreement.action_reset_to_draft):
            with self.subTest(action=action.__name__), self.assertRaises(UserError):
                action()
        agreement.action_terminate()
        self.assertEqual(agreement.state, "terminated")
        with self.assertRaises(UserError):
            agreement.action_terminate()
        with self.assertRaises(UserError):  # signed: cannot return to draft
            agreement.action_reset_to_draft()
        tracked = agreement.message_ids.tracking_value_ids.filtered(
            lambda t: t.field_id.name == "state"
        )
        self.assertEqual(len(tracked), 2)

    def test_sign_once_and_lock(self):
        agreement = self._agreement()
        self._sign(agreement)
        with self.assertRaises(UserError):
            self._sign(agreement, "Someone else")
        with self.assertRaises(UserError):
            agreement.write({"signed_by": "Forger"})
        self.assertEqual(agreement.signed_by, "王小明")
        # Terms are locked, lines too; other fields stay editable.
        for vals in (
            {"date_end": date(2025, 12, 31)},
            {"response_hours": 2},
            {"line_ids": [Command.create({"product_id": self.equipment.id})]},
        ):
            with self.subTest(vals=vals), self.assertRaises(UserError):
                agreement.write(vals)
        with self.assertRaises(UserError):
            agreement.line_ids.write({"service_category": "free"})
        with self.assertRaises(UserError):
            agreement.line_ids.unlink()
        agreement.user_id = self.user_manager
        self.assertEqual(agreement.date_end, date(2024, 12, 31))

    def test_protected_fields_only_through_actions(self):
        """A client cannot skip the state machine or the signature lock with a
        plain write, whatever context it sends."""
        agreement = self._agreement()
        other = self._agreement()
        self._sign(other)
        other.action_activate()
        for vals in (
            {"state": "active"},
            {"signed_by": "Forger"},
            {"is_signed": True},
            {"previous_id": other.id},
            {"version": 7},
            {"change_type": "amendment"},
        ):
            for context in ({}, {"aftersales_signing": True}, {"aftersales_internal": True}):
                with self.subTest(vals=vals, context=context), self.assertRaises(UserError):
                    agreement.with_context(**context).write(vals)
        with self.assertRaises(UserError):
            self.env["aftersales.agreement"].create(
                {
                    "partner_id": self.customer.id,
                    "date_start": date(2024, 1, 1),
                    "date_end": date(2024, 2, 1),
                    "state": "active",
                }
            )
        self.assertEqual((agreement.state, agreement.is_signed), ("draft", False))
        # Signed: unlocking by writing is_signed is refused too.
        with self.assertRaises(UserError):
            other.write({"is_signed": False})
        with self.assertRaises(UserError):
            other.write({"date_end": date(2030, 1, 1)})
        self.assertEqual(other.state, "active")

    def test_new_version_is_for_the_same_customer(self):
        agreement = self._agreement()
        self._sign(agreement)
        agreement.action_activate()
        new = agreement._action_new_version("amendment", "New terms")
        new.partner_id = self._create_customer(name="Someone else")
        self._sign(new)
        with self.assertRaises(UserError):
            new.action_activate()
        self.assertEqual(agreement.state, "active")

    def test_one_pending_version_at_a_time(self):
        agreement = self._agreement()
        self._sign(agreement)
        agreement.action_activate()
        self.assertTrue(agreement.can_amend and agreement.can_renew)
        agreement._action_new_version("amendment", "First")
        self.assertFalse(agreement.can_amend or agreement.can_renew)
        with self.assertRaises(UserError):
            agreement._action_new_version("amendment", "Second")
        with self.assertRaises(UserError):
            agreement.action_renew()

    def test_amending_a_signed_draft_replaces_it(self):
        agreement = self._agreement()
        self._sign(agreement)
        new = agreement._action_new_version("amendment", "Typo in the terms")
        self._sign(new)
        new.action_activate()
        self.assertEqual(agreement.state, "terminated")
        self.assertFalse(agreement.can_activate)

    def test_sign_requires_both(self):
        agreement = self._agreement()
        with self.assertRaises(UserError):
            agreement._action_sign(SIGNATURE, "  ")
        with self.assertRaises(UserError):
            self.env["aftersales.agreement"].create(
                {
                    "partner_id": self.customer.id,
                    "date_start": date(2024, 1, 1),
                    "date_end": date(2024, 2, 1),
                    "signed_by": "x",
                }
            )

    def test_amend(self):
        agreement = self._agreement()
        self._sign(agreement)
        agreement.action_activate()
        wizard = Form(
            self.env["aftersales.agreement.amend"].with_context(default_agreement_id=agreement.id)
        )
        wizard.reason = "Response time cut to 2 hours"
        action = wizard.save().action_amend()
        new = self.env["aftersales.agreement"].browse(action["res_id"])
        self.assertEqual((new.state, new.version, new.change_type), ("draft", 2, "amendment"))
        self.assertEqual(new.previous_id, agreement)
        self.assertEqual(new.line_ids.lot_id, self.lot)
        self.assertFalse(new.is_signed)
        new.response_hours = 2
        self._sign(new)
        new.action_activate()
        self.assertEqual(agreement.state, "terminated")
        self.assertIn(new.name, agreement.message_ids[0].body)
        with self.assertRaises(UserError):
            agreement._action_new_version("amendment", "")

    def test_renew(self):
        agreement = self._agreement()
        self._sign(agreement)
        agreement.action_activate()
        new = self.env["aftersales.agreement"].browse(agreement.action_renew()["res_id"])
        self.assertEqual(new.date_start, date(2025, 1, 1))
        self.assertEqual(new.date_end, date(2025, 12, 31))
        self.assertEqual(new.change_type, "renewal")
        # Activated ahead of time, the renewal leaves the current period in
        # force: no gap in cover; the expiry cron ends the old one.
        self._sign(new)
        new.action_activate()
        self.assertEqual(agreement.state, "active")
        coverage = self.env["aftersales.coverage"]
        for day in (date(2024, 12, 31), date(2025, 1, 1)):
            with self.subTest(day=day):
                result = coverage._decide(lot=self.lot, on_date=day, fault_cause="misuse")
                self.assertEqual(result["category"], "contract")
        self.env["aftersales.agreement"]._cron_expire(date_ref=date(2025, 1, 1))
        self.assertEqual((agreement.state, new.state), ("expired", "active"))

    def test_expire_cron(self):
        agreement = self._agreement()
        self._sign(agreement)
        agreement.action_activate()
        Agreement = self.env["aftersales.agreement"]
        Agreement._cron_expire(date_ref=date(2024, 12, 31))
        self.assertEqual(agreement.state, "active")  # its last day is covered
        Agreement._cron_expire(date_ref=date(2025, 1, 1))
        self.assertEqual(agreement.state, "expired")
        # A second run does nothing, in a handful of queries.
        with self.assertQueryCount(4):
            self.assertFalse(Agreement._cron_expire(date_ref=date(2025, 1, 1)))

    def test_expiry_reminder_automation(self):
        """The editable automation rule schedules an activity N days before the end."""
        agreement = self._agreement(user_id=self.user_manager.id)
        self._sign(agreement)
        agreement.action_activate()
        rule = self.env.ref("aftersales_service.aftersales_agreement_automation_expiry")
        # N comes from Settings.
        settings = self.env["res.config.settings"].create({})
        self.assertEqual(settings.aftersales_agreement_reminder_days, 30)
        settings.aftersales_agreement_reminder_days = 10
        settings.execute()
        self.assertEqual(rule.trg_date_range, -10)
        rule.last_run = datetime(2024, 12, 20, 0, 0)
        with freeze_time("2024-12-22 08:00:00"):
            rule._check(automatic=False)
        activity = agreement.activity_ids
        self.assertEqual(len(activity), 1)
        self.assertEqual(activity.user_id, self.user_manager)

    def test_bad_input(self):
        Agreement = self.env["aftersales.agreement"]
        before = Agreement.search_count([])
        base = {
            "partner_id": self.customer.id,
            "date_start": date(2024, 1, 1),
            "date_end": date(2024, 12, 31),
        }
        for vals, error in (
            ({"date_end": date(2023, 12, 31)}, IntegrityError),
            ({"response_hours": -1}, IntegrityError),
            ({"state": "bogus"}, UserError),  # only the buttons set the state
            ({"line_ids": [Command.create({"service_category": "free"})]}, ValidationError),
        ):
            with (
                self.subTest(vals=vals),
                mute_logger("odoo.sql_db"),
                self.assertRaises(error),
                self.cr.savepoint(),
            ):
                Agreement.create({**base, **vals})
        self.assertEqual(Agreement.search_count([]), before)

    def test_form(self):
        """D2: dates through the form; the contact's company becomes the customer."""
        contact = self.env["res.partner"].create({"name": "Buyer", "parent_id": self.customer.id})
        form = Form(self.env["aftersales.agreement"])
        form.partner_id = contact
        form.date_start = date(2024, 6, 1)
        form.date_end = date(2024, 5, 1)
        with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError), self.cr.savepoint():
            form.save()
        form.date_end = date(2025, 5, 31)
        with form.line_ids.new() as line:
            line.lot_id = self.lot
        agreement = form.save()
        self.assertEqual(agreement.partner_id, self.customer)
        self.assertEqual(agreement.line_ids.product_id, self.equipment)  # from the serial
        self.assertEqual(agreement.user_id, self.env.user)

    def test_never_deleted(self):
        agreement = self._agreement()
        with self.assertRaises(UserError):
            agreement.unlink()

    def test_company_consistency(self):
        lot_b = self.env["stock.lot"].create(
            {"name": "SN-B", "product_id": self.equipment.id, "company_id": self.company_b.id}
        )
        with self.assertRaises(UserError):
            self._agreement(line_ids=[Command.create({"lot_id": lot_b.id})])

    def test_company_isolation(self):
        agreement = self._agreement()
        self.assertFalse(
            self.env["aftersales.agreement"]
            .with_user(self.user_b)
            .search([("id", "=", agreement.id)])
        )
        with self.assertRaises(AccessError):
            agreement.with_user(self.user_b).read(["name"])

    def test_partner_button(self):
        agreement = self._agreement()
        contact = self.env["res.partner"].create({"name": "C", "parent_id": self.customer.id})
        self.assertEqual(contact.aftersales_agreement_count, 1)
        action = contact.action_aftersales_view_agreements()
        self.assertEqual(self.env["aftersales.agreement"].search(action["domain"]), agreement)

    def test_technician_cannot_change(self):
        """S7: the buttons check the group themselves (they are callable over RPC)."""
        agreement = self._agreement()
        self._sign(agreement)
        agreement.action_activate()
        agreement = agreement.with_user(self.user_technician)
        agreement.read(["name"])
        with self.assertRaises(AccessError):
            agreement.write({"user_id": self.user_technician.id})
        for action in (
            agreement.action_terminate,
            agreement.action_renew,
            agreement.action_open_amend_wizard,
        ):
            with self.subTest(action=action.__name__), self.assertRaises(UserError) as caught:
                action()
            self.assertIn("Only After-Sales users", str(caught.exception))
        self.assertEqual(agreement.state, "active")


@tagged("post_install", "-at_install")
class TestAgreementPerformance(AftersalesCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer = cls._create_customer()
        cls.equipment = cls._create_equipment(months=12)
        cls.lot = cls._create_serial(cls.equipment, "SN-P-1")

    @warmup
    def test_create_one_agreement(self):
        """P1 for agreements: one agreement with a covered unit."""
        self.env.invalidate_all()
        with self.assertQueryCount(25):
            self.env["aftersales.agreement"].create(
                {
                    "partner_id": self.customer.id,
                    "date_start": date(2024, 1, 1),
                    "date_end": date(2024, 12, 31),
                    "line_ids": [Command.create({"lot_id": self.lot.id})],
                }
            )
