"""Repair tickets: intake from each channel, customer matching, coverage on
the form, the category override, the life cycle, recurring faults."""

from datetime import date, timedelta

import psycopg2

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, tagged, users
from odoo.tools import mute_logger

from odoo.addons.mail.tests.common import MailCase

from .common import AftersalesCommon

# A 1x1 PNG, as a signature.
SIGNATURE = (
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII="
)

RAW_EMAIL = """Return-Path: <{email_from}>
To: {to}
From: {email_from}
Subject: {subject}
Message-ID: <{msg_id}@example.com>
Date: Fri, 27 Nov 2026 09:00:00 +0000
MIME-Version: 1.0
Content-Type: text/plain; charset="utf-8"
Content-Transfer-Encoding: 8bit

{body}
"""


@tagged("post_install", "-at_install")
class TestTicketIntake(AftersalesCommon, MailCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.alias_domain = cls.env["mail.alias.domain"].create({"name": "service.example.com"})
        cls.company.alias_domain_id = cls.alias_domain
        cls.alias = cls.env.ref("aftersales_service.aftersales_ticket_mail_alias")
        cls.alias.alias_domain_id = cls.alias_domain
        cls.equipment = cls._create_equipment(name="Chiller CH-9", months=12)
        cls.customer = cls._create_customer(
            name="華信精密", email="service@huaxin.example.com", phone="+886 3 5712 0468"
        )
        cls.serial = cls._create_serial(cls.equipment, name="CH9-0001")
        cls.warranty = cls.env["aftersales.warranty"].create(
            {
                "partner_id": cls.customer.id,
                "product_id": cls.equipment.id,
                "lot_id": cls.serial.id,
                "date_delivery": date.today() - timedelta(days=30),
            }
        )

    def _email(self, email_from, subject, body="The chiller stopped.", to=None):
        raw = RAW_EMAIL.format(
            email_from=email_from,
            to=to or f"service@{self.alias_domain.name}",
            subject=subject,
            msg_id=subject.replace(" ", "-"),
            body=body,
        )
        with self.mock_mail_gateway():
            self.env["mail.thread"].sudo().message_process(None, raw)
        return self.env["aftersales.ticket"].search([("title", "=", subject)])

    # ------------------------------------------------------------------
    # Channels
    # ------------------------------------------------------------------
    def test_email_known_customer(self):
        """An e-mail to the alias becomes a ticket of the sender's customer,
        matched by address, case and display name ignored."""
        ticket = self._email('"Mr Lin" <Service@HuaXin.example.com>', "Chiller alarm E4")
        self.assertEqual(len(ticket), 1)
        self.assertEqual(ticket.channel, "email")
        self.assertEqual(ticket.partner_id, self.customer)
        self.assertEqual(ticket.partner_email, "service@huaxin.example.com")
        self.assertIn("The chiller stopped.", ticket.description)
        self.assertTrue(ticket.name.startswith("TCK/"))
        self.assertEqual(ticket.stage_kind, "new")

    def test_email_unknown_sender_creates_customer(self):
        count = self.env["res.partner"].search_count([])
        ticket = self._email("Wang Fang <wang@newco.example.com>", "Noise from fan")
        self.assertEqual(len(ticket), 1)
        self.assertEqual(ticket.partner_id.email, "wang@newco.example.com")
        self.assertEqual(ticket.partner_id.name, "Wang Fang")
        self.assertEqual(self.env["res.partner"].search_count([]), count + 1)
        # A second e-mail of the same sender finds that customer again.
        again = self._email("wang@newco.example.com", "Noise again")
        self.assertEqual(again.partner_id, ticket.partner_id)

    def test_acknowledgement_email(self):
        """The New stage's template acknowledges the request to the customer."""
        with self.mock_mail_gateway():
            ticket = self._create_ticket(partner_id=self.customer.id, title="Leak")
            self.flush_tracking()
        subject = f"{self.company.name}: we received your repair request ({ticket.name})"
        message = ticket.message_ids.filtered(lambda m: m.subject == subject)
        self.assertEqual(len(message), 1)
        self.assertEqual(message.partner_ids, self.customer)
        self.assertEqual(len([m for m in self._mails if m["subject"] == subject]), 1)

    def test_each_channel(self):
        tickets = self.env["aftersales.ticket"].create(
            [
                {"title": f"Via {channel}", "channel": channel, "partner_id": self.customer.id}
                for channel in ("phone", "letter", "portal", "walkin")
            ]
        )
        self.assertEqual(tickets.mapped("channel"), ["phone", "letter", "portal", "walkin"])
        self.assertEqual(len(set(tickets.mapped("name"))), 4)
        self.assertTrue(all(t.reception_user_id == self.env.user for t in tickets))
        with self.assertRaises(ValueError):
            self.env["aftersales.ticket"].create(
                {"title": "Fax", "channel": "fax", "partner_id": self.customer.id}
            )

    @users("as_user")
    def test_phone_call_form(self):
        """Reception types the caller's number (formatted differently): the
        customer is found, the serial gives the product, the warranty and
        the category at once (R10)."""
        form = Form(self.env["aftersales.ticket"])
        form.partner_phone = "03-5712-0468"
        self.assertEqual(form.partner_id, self.customer)
        self.assertEqual(form.partner_email, "service@huaxin.example.com")
        form.lot_id = self.serial.with_env(self.env)
        self.assertEqual(form.product_id, self.equipment)
        self.assertEqual(form.warranty_id, self.warranty)
        self.assertEqual(form.warranty_state, "active")
        self.assertEqual(form.service_category, "free")
        form.title = "Not cooling"
        ticket = form.save()
        self.assertEqual(ticket.channel, "phone")
        self.assertEqual(ticket.service_category, "free")
        self.assertIn(self.warranty.name, ticket.coverage_reason)

    @users("as_user")
    def test_new_customer_from_details(self):
        ticket = self._create_ticket(
            contact_name="陳先生",
            partner_phone="0912 345 678",
            partner_email="  Chen@Example.com ",
            address="台北市信義區\n松仁路 100 號",
        )
        partner = ticket.partner_id
        self.assertEqual(partner.name, "陳先生")
        self.assertEqual(partner.email, "chen@example.com")
        self.assertEqual(partner.phone, "0912 345 678")
        self.assertEqual(partner.street, "台北市信義區, 松仁路 100 號")
        self.assertEqual(ticket.partner_email, "chen@example.com")

    def test_no_customer_refused(self):
        count = self.env["aftersales.ticket"].search_count([])
        with self.assertRaises(ValidationError):
            self.env["aftersales.ticket"].create({"title": "Anonymous"})
        self.assertEqual(self.env["aftersales.ticket"].search_count([]), count)

    def test_contact_details_checked(self):
        with self.assertRaises(ValidationError):
            self._create_ticket(partner_email="not an e-mail")
        ticket = self._create_ticket(partner_phone="call me maybe")
        self.assertTrue(ticket.phone_warning)
        ticket.partner_phone = "+886  2 2345-6789 "
        self.assertFalse(ticket.phone_warning)
        self.assertEqual(ticket.partner_phone, "+886 2 2345-6789")
        self.assertEqual(ticket.phone_digits, "886223456789")
        # Found by the digits, however the number is typed in the search.
        for typed in ("2345 6789", "+886-2-2345", "2-2345-6789"):
            found = self.env["aftersales.ticket"].search([("phone_search", "ilike", typed)])
            self.assertIn(ticket, found, typed)

    def test_long_description_and_scripts(self):
        body = "<p>Symptom</p><script>alert(1)</script><img src=x onerror=alert(2)>" + (
            "<p>溫度過高 overheating</p>" * 5000
        )
        ticket = self._create_ticket(description=body)
        self.assertNotIn("<script", ticket.description)
        self.assertNotIn("onerror", ticket.description)
        self.assertIn("溫度過高", ticket.description)

    def test_numbers_distinct(self):
        """R8: 1,000 tickets created in one call get 1,000 distinct numbers."""
        customer = self._create_customer()
        tickets = self.env["aftersales.ticket"].create(
            [{"title": f"T{i}", "partner_id": customer.id} for i in range(1000)]
        )
        self.assertEqual(len(set(tickets.mapped("name"))), 1000)


@tagged("post_install", "-at_install")
class TestTicketCoverage(AftersalesCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.pump = cls.env["product.product"].create({"name": "Pump", "type": "consu"})
        cls.equipment = cls._create_equipment(name="AHU", months=12, components=[(cls.pump, 36)])
        cls.customer = cls._create_customer(name="Plant")
        cls.serial = cls._create_serial(cls.equipment, name="AHU-1")
        cls.warranty = cls.env["aftersales.warranty"].create(
            {
                "partner_id": cls.customer.id,
                "product_id": cls.equipment.id,
                "lot_id": cls.serial.id,
                "date_delivery": date.today() - timedelta(days=400),
            }
        )

    def test_category_follows_facts(self):
        """Out of the unit's warranty: paid; the pump within its own 36
        months: free; misuse: paid; an agreement: contract. Recomputed when
        the cause, the serial or the date change."""
        ticket = self._create_ticket(partner_id=self.customer.id, lot_id=self.serial.id)
        self.assertEqual(ticket.service_category, "paid")
        ticket.component_id = self.pump
        self.assertEqual(ticket.service_category, "free")
        self.assertTrue(ticket.coverage_provisional)
        ticket.fault_cause = "equipment"
        self.assertEqual(ticket.service_category, "free")
        self.assertFalse(ticket.coverage_provisional)
        ticket.fault_cause = "misuse"
        self.assertEqual(ticket.service_category, "paid")
        ticket.date_received = fields.Datetime.now() - timedelta(days=380)
        ticket.component_id = False
        ticket.fault_cause = "equipment"
        self.assertEqual(ticket.service_category, "free")  # within 12 months then
        agreement = self.env["aftersales.agreement"].create(
            {
                "partner_id": self.customer.id,
                "date_start": date.today() - timedelta(days=10),
                "date_end": date.today() + timedelta(days=300),
                "line_ids": [
                    Command.create({"lot_id": self.serial.id, "service_category": "contract"})
                ],
            }
        )
        agreement._action_sign(SIGNATURE, "Mr Lin")
        agreement.action_activate()
        ticket.date_received = fields.Datetime.now()
        self.assertEqual(ticket.service_category, "contract")
        self.assertEqual(ticket.agreement_id, agreement)

    @users("as_manager")
    def test_override_by_manager_with_reason(self):
        ticket = self._create_ticket(partner_id=self.customer.id, lot_id=self.serial.id)
        self.assertEqual(ticket.service_category, "paid")
        wizard = Form(
            self.env["aftersales.ticket.category"].with_context(default_ticket_id=ticket.id)
        )
        wizard.category = "free"
        with self.assertRaises(AssertionError):  # the form requires the reason
            wizard.save()
        with self.assertRaises(UserError):  # and so does the server
            ticket._action_set_category("free", "  ")
        self.assertFalse(ticket.category_override)
        wizard.reason = "Goodwill: delivery was late"
        wizard.save().action_confirm()
        self.assertEqual(ticket.service_category, "free")
        self.assertEqual(ticket.coverage_category, "paid")
        # Stays overridden when the facts change, until reset to automatic.
        ticket.fault_cause = "misuse"
        self.assertEqual(ticket.service_category, "free")
        self.env.flush_all()
        self.env.cr.flush()  # runs the tracking (precommit)
        tracked = ticket.message_ids.tracking_value_ids.mapped("field_id.name")
        self.assertIn("category_override", tracked)
        self.assertIn("category_override_reason", tracked)
        ticket._action_set_category(False, "")
        self.assertEqual(ticket.service_category, "paid")

    def test_override_refused_to_service_user(self):
        ticket = self._create_ticket(partner_id=self.customer.id)
        ticket = ticket.with_user(self.user_service)
        with self.assertRaises(AccessError):
            ticket.action_open_category_wizard()
        with self.assertRaises(AccessError):
            ticket._action_set_category("free", "please")
        with self.assertRaises(UserError):
            ticket.write({"category_override": "free"})
        self.assertEqual(ticket.service_category, "paid")


@tagged("post_install", "-at_install")
class TestTicketLifeCycle(AftersalesCommon):
    """PRE and POST conditions of each transition."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.policy = cls._create_policy()
        cls.stage_parts = cls.env.ref("aftersales_service.aftersales_ticket_stage_wait_parts")

    def test_transitions(self):
        ticket = self._create_ticket()
        # PRE triage: New, response running.
        self.assertEqual(ticket.stage_kind, "new")
        response = ticket.sla_ids.filtered(lambda line: line.target == "response")
        self.assertEqual(response.state, "running")
        with self.assertRaises(AccessError):
            ticket.with_user(self.user_service).action_triage()
        ticket.with_user(self.user_manager).action_triage()
        # POST triage: in progress, triaged by the supervisor, response reached.
        self.assertEqual(ticket.stage_kind, "progress")
        self.assertEqual(ticket.triaged_by_id, self.user_manager)
        self.assertTrue(ticket.date_triaged)
        self.assertEqual(response.state, "reached")
        with self.assertRaises(UserError):
            ticket.with_user(self.user_manager).action_triage()

        ticket.with_user(self.user_service).action_mark_onsite()
        self.assertTrue(ticket.date_onsite)
        self.assertEqual(
            ticket.sla_ids.filtered(lambda line: line.target == "onsite").state, "reached"
        )

        # Close needs the wizard and its reason.
        action = ticket.with_user(self.user_service).action_open_close_wizard()
        wizard = Form(self.env[action["res_model"]].with_context(**action["context"]))
        wizard.reason = "Fan motor replaced"
        wizard.save().action_confirm()
        self.assertEqual(ticket.stage_kind, "closed")
        self.assertEqual(ticket.close_reason, "Fan motor replaced")
        self.assertTrue(ticket.date_closed)
        self.assertTrue(all(line.state == "reached" for line in ticket.sla_ids))
        with self.assertRaises(UserError):
            ticket.action_open_cancel_wizard()

        # Reopen: back to work, resolution running again, response kept.
        ticket.with_user(self.user_service).action_reopen()
        self.assertEqual(ticket.stage_kind, "progress")
        self.assertFalse(ticket.date_closed)
        resolution = ticket.sla_ids.filtered(lambda line: line.target == "resolution")
        self.assertEqual(resolution.state, "running")
        self.assertTrue(resolution.deadline)
        self.assertEqual(response.state, "reached")
        with self.assertRaises(UserError):
            ticket.action_reopen()

        # Cancel: every open target stops.
        ticket.with_user(self.user_service)._action_cancel("Duplicate of another ticket")
        self.assertEqual(ticket.stage_kind, "cancelled")
        self.assertFalse(ticket.sla_ids.filtered(lambda line: line.state in ("running", "paused")))

    def test_closing_needs_a_reason(self):
        ticket = self._create_ticket()
        ticket.with_user(self.user_manager).action_triage()
        wizard = self.env["aftersales.ticket.close"].create(
            {"ticket_ids": [Command.set(ticket.ids)], "mode": "close", "reason": "   "}
        )
        with self.assertRaises(UserError):
            wizard.action_confirm()
        self.assertEqual(ticket.stage_kind, "progress")

    def test_stage_moves_guarded(self):
        ticket = self._create_ticket()
        closed = self.env.ref("aftersales_service.aftersales_ticket_stage_closed")
        progress = self.env.ref("aftersales_service.aftersales_ticket_stage_progress")
        with self.assertRaises(UserError):
            ticket.stage_id = closed
        with self.assertRaises(AccessError):
            ticket.with_user(self.user_service).stage_id = progress
        ticket.with_user(self.user_manager).stage_id = progress  # drag = triage
        self.assertTrue(ticket.date_triaged)
        ticket.with_user(self.user_service).stage_id = self.stage_parts
        self.assertEqual(ticket.stage_id, self.stage_parts)

    def test_computed_values_not_written(self):
        """What the module computes cannot be set by a client (R8: the
        category only through the manager's override)."""
        ticket = self._create_ticket().with_user(self.user_service)
        for vals in (
            {"service_category": "free"},
            {"stage_kind": "closed"},
            {"sla_deadline": "2099-01-01 00:00:00"},
            {"agreement_id": False},
            {"stage_id": False},
        ):
            with self.subTest(vals=vals), self.assertRaises(UserError):
                ticket.write(vals)
        self.assertEqual(ticket.service_category, "paid")
        self.assertEqual(ticket.stage_kind, "new")
        with self.assertRaises(UserError):
            self.env["aftersales.ticket"].with_user(self.user_service).create(
                {"title": "X", "partner_id": ticket.partner_id.id, "service_category": "free"}
            )

    def test_stage_meaning_locked_while_used(self):
        self._create_ticket()
        new = self.env.ref("aftersales_service.aftersales_ticket_stage_new")
        with self.assertRaises(UserError):
            new.pause_sla = True
        with self.assertRaises(UserError):
            new.kind = "closed"
        new.name = "Nouveau"  # the rest stays editable

    def test_archive_only_when_done(self):
        ticket = self._create_ticket()
        with self.assertRaises(UserError):
            ticket.active = False
        ticket._action_cancel("Test call")
        ticket.active = False
        self.assertFalse(ticket.active)

    def test_unlink_only_cancelled(self):
        ticket = self._create_ticket()
        with self.assertRaises(UserError):
            ticket.unlink()
        ticket._action_cancel("Entered twice")
        ticket.unlink()
        self.assertFalse(ticket.exists())

    def test_partner_with_ticket_not_deleted(self):
        ticket = self._create_ticket()
        with (
            self.assertRaises(psycopg2.IntegrityError),
            mute_logger("odoo.sql_db"),
            self.cr.savepoint(),
        ):
            ticket.partner_id.unlink()
        self.assertTrue(ticket.partner_id.exists())


@tagged("post_install", "-at_install")
class TestRecurringFaults(AftersalesCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer = cls._create_customer(name="Textile Mill")
        cls.tag = cls.env["aftersales.ticket.tag"].create({"name": "Compressor trips"})
        cls.company.aftersales_recurring_fault_count = 3
        cls.company.aftersales_recurring_fault_days = 90

    def _training_activities(self):
        return self.env["mail.activity"].search(
            [("res_model", "=", "aftersales.ticket"), ("summary", "=", "Propose operator training")]
        )

    def test_third_fault_proposes_training_once(self):
        now = fields.Datetime.now()
        old = self._create_ticket(
            partner_id=self.customer.id,
            tag_ids=[Command.set(self.tag.ids)],
            date_received=now - timedelta(days=200),
        )
        for _ in range(2):
            self._create_ticket(partner_id=self.customer.id, tag_ids=[Command.set(self.tag.ids)])
        self.assertFalse(self._training_activities(), "the old one is outside the window")
        third = self._create_ticket(
            partner_id=self.customer.id, tag_ids=[Command.set(self.tag.ids)]
        )
        activities = self._training_activities()
        self.assertEqual(len(activities), 1)
        self.assertEqual(activities.res_id, third.id)
        self.assertIn("Compressor trips", activities.note)
        self.assertTrue(third.training_proposed)
        self._create_ticket(partner_id=self.customer.id, tag_ids=[Command.set(self.tag.ids)])
        self.assertEqual(len(self._training_activities()), 1, "proposed once per window")
        self.assertFalse(old.training_proposed)

    def test_each_tag_proposed_on_its_own(self):
        """A ticket that proposed training for one fault does not hide
        another fault recurring on the same tickets."""
        leak = self.env["aftersales.ticket.tag"].create({"name": "Leak"})
        both = [Command.set((self.tag | leak).ids)]
        for _ in range(2):
            self._create_ticket(partner_id=self.customer.id, tag_ids=both)
        third = self._create_ticket(
            partner_id=self.customer.id, tag_ids=[Command.set(self.tag.ids)]
        )
        self.assertEqual(third.training_tag_ids, self.tag)
        fourth = self._create_ticket(partner_id=self.customer.id, tag_ids=[Command.set(leak.ids)])
        self.assertEqual(fourth.training_tag_ids, leak)
        self.assertEqual(len(self._training_activities()), 2)

    def test_other_customer_or_tag_not_counted(self):
        other = self._create_customer(name="Other")
        tag2 = self.env["aftersales.ticket.tag"].create({"name": "Leak"})
        self._create_ticket(partner_id=self.customer.id, tag_ids=[Command.set(self.tag.ids)])
        self._create_ticket(partner_id=self.customer.id, tag_ids=[Command.set(tag2.ids)])
        self._create_ticket(partner_id=other.id, tag_ids=[Command.set(self.tag.ids)])
        self._create_ticket(partner_id=self.customer.id)
        self.assertFalse(self._training_activities())
