"""Operator training (R5): proposed from recurring faults, recorded with the
skill levels reached (written to the archive), counted against the
trainings included in an agreement."""

from datetime import timedelta

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, tagged

from .common_proactive import ProactiveCommon


@tagged("post_install", "-at_install")
class TestTraining(ProactiveCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.aftersales_recurring_fault_count = 3
        cls.company.aftersales_recurring_fault_days = 90
        cls.tag = cls.env["aftersales.ticket.tag"].create({"name": "Wrong start sequence"})
        cls.operators = cls.env["res.partner"].create(
            [
                {"name": "Olga Operator", "parent_id": cls.customer.id},
                {"name": "Omar Operator", "parent_id": cls.customer.id},
            ]
        )

    def _faults(self, n):
        now = fields.Datetime.now()
        return self.env["aftersales.ticket"].create(
            [
                {
                    "title": f"Fault {i}",
                    "partner_id": self.customer.id,
                    "tag_ids": [Command.set(self.tag.ids)],
                    "date_received": now - timedelta(days=n - i),
                }
                for i in range(n)
            ]
        )

    def test_recurring_faults_propose_a_session(self):
        agreement = self._active_agreement(trainings_included=2)
        first_two = self._faults(2)
        self.assertFalse(any(first_two.mapped("training_proposed")))
        with self.assertRaises(UserError):
            first_two[0].with_user(self.user_service).action_propose_training()
        third = self._faults(1)
        self.assertTrue(third.training_proposed)
        action = third.with_user(self.user_service).action_propose_training()
        self.assertEqual(action["res_model"], "aftersales.training")
        form = Form(
            self.env["aftersales.training"]
            .with_user(self.user_service)
            .with_context(**action["context"])
        )
        self.assertEqual(form.partner_id, self.customer)
        self.assertEqual(form.ticket_id, third)
        self.assertEqual(form.archive_id, agreement.archive_ids)
        self.assertEqual(list(form.tag_ids.ids), self.tag.ids)
        form.date = fields.Datetime.now() + timedelta(days=7)
        form.mode = "remote"
        with form.attendee_ids.new() as line:
            line.partner_id = self.operators[0]
        training = form.save()
        self.assertTrue(training.name.startswith("TRN/"))
        self.assertEqual(third.training_ids, training)
        # Technicians do not propose trainings.
        with self.assertRaises(AccessError):
            third.with_user(self.user_technician).action_propose_training()

    def test_skill_levels_go_to_the_archive(self):
        agreement = self._active_agreement()
        archive = agreement.archive_ids
        training = (
            self.env["aftersales.training"]
            .with_user(self.user_service)
            .create(
                {
                    "partner_id": self.customer.id,
                    "archive_id": archive.id,
                    "agreement_id": agreement.id,
                    "date": fields.Datetime.now(),
                    "tag_ids": [Command.set(self.tag.ids)],
                    "attendee_ids": [
                        Command.create({"partner_id": self.operators[0].id, "skill_level": "3"}),
                        Command.create({"partner_id": self.operators[1].id, "skill_level": "1"}),
                    ],
                }
            )
        )
        self.assertFalse(archive.entry_ids)
        with self.assertRaises(AccessError):
            training.with_user(self.user_technician).action_done()
        training.with_user(self.user_service).action_done()
        entries = archive.entry_ids
        self.assertEqual(len(entries), 2)
        self.assertEqual(set(entries.mapped("kind")), {"operator"})
        self.assertEqual(
            {(e.operator_id, e.skill_level) for e in entries},
            {(self.operators[0], "3"), (self.operators[1], "1")},
        )
        self.assertEqual(entries.training_id, training)
        self.assertIn(self.tag.name, entries[0].description)
        # A session that took place is kept as it was.
        with self.assertRaises(UserError):
            training.with_user(self.user_service).action_done()
        with self.assertRaises(UserError):
            training.with_user(self.user_service).write({"mode": "remote"})
        with self.assertRaises(UserError):
            training.with_user(self.user_manager).unlink()
        with self.assertRaises(UserError):
            training.with_user(self.user_service).write({"state": "planned"})
        with self.assertRaises(UserError):
            training.attendee_ids[0].with_user(self.user_service).write({"skill_level": "4"})
        with self.assertRaises(UserError):
            training.attendee_ids[0].with_user(self.user_service).unlink()
        self.assertEqual(len(training.attendee_ids), 2)
        training.with_user(self.user_service).write({"outcome": "<p>Went well</p>"})

    def test_company_consistency(self):
        """S3: a company-A training cannot be for a company-B customer."""
        customer_b = self._create_customer(name="B Customer", company_id=self.company_b.id)
        with self.assertRaises(UserError):
            self.env["aftersales.training"].create(
                {"partner_id": customer_b.id, "date": fields.Datetime.now()}
            )
        # S2: company B's user neither reads nor finds company A's training.
        training = self.env["aftersales.training"].create(
            {"partner_id": self.customer.id, "date": fields.Datetime.now()}
        )
        with self.assertRaises(AccessError):
            training.with_user(self.user_b).read(["name"])
        self.assertFalse(
            self.env["aftersales.training"]
            .with_user(self.user_b)
            .search([("id", "=", training.id)])
        )

    def test_needs_attendees(self):
        training = self.env["aftersales.training"].create(
            {"partner_id": self.customer.id, "date": fields.Datetime.now()}
        )
        with self.assertRaises(UserError):
            training.with_user(self.user_service).action_done()
        self.assertEqual(training.state, "planned")

    def test_counted_against_the_agreement(self):
        agreement = self._active_agreement(trainings_included=2)
        self.assertEqual((agreement.trainings_used, agreement.trainings_remaining), (0, 2))
        trainings = self.env["aftersales.training"].create(
            [
                {
                    "partner_id": self.customer.id,
                    "agreement_id": agreement.id,
                    "date": fields.Datetime.now() + timedelta(days=i),
                }
                for i in range(3)
            ]
        )
        agreement.invalidate_recordset()
        self.assertEqual((agreement.trainings_used, agreement.trainings_remaining), (3, 0))
        trainings[2].with_user(self.user_service).action_cancel()
        agreement.invalidate_recordset()
        self.assertEqual((agreement.trainings_used, agreement.trainings_remaining), (2, 0))
        trainings[1].with_user(self.user_service).action_cancel()
        agreement.invalidate_recordset()
        self.assertEqual((agreement.trainings_used, agreement.trainings_remaining), (1, 1))

    def test_form_refuses_bad_input(self):
        """D2: a negative duration is refused through the form; nothing saved."""
        before = self.env["aftersales.training"].search_count([])
        form = Form(self.env["aftersales.training"].with_user(self.user_service))
        form.partner_id = self.customer
        form.date = fields.Datetime.now()
        form.duration = -1
        with self.assertRaises(UserError):
            form.save()
        self.assertEqual(self.env["aftersales.training"].search_count([]), before)
