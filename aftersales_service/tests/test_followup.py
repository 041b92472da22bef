"""Follow-ups (R2): planned ahead of their due dates by a job that creates
each exactly once (R2-R5), recorded into the archive, problems reported in
one click, overdue ones escalated."""

from datetime import timedelta
from unittest.mock import patch

import psycopg2
from dateutil.relativedelta import relativedelta

from odoo import api
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged
from odoo.tools import mute_logger

from odoo.addons.aftersales_service.models.common import internal
from odoo.addons.aftersales_service.tools import periods

from .common_proactive import ProactiveCommon

FOLLOWUP_MODEL = "odoo.addons.aftersales_service.models.aftersales_agreement.AftersalesAgreement"


@tagged("post_install", "-at_install")
class TestFollowupPlanning(ProactiveCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Followup = cls.env["aftersales.followup"]

    def _followups(self, agreements):
        return self.Followup.search([("agreement_id", "in", agreements.ids)], order="date_due, id")

    def _agreements(self, n, **vals):
        customers = [self._create_customer(name=f"Customer {i}") for i in range(n)]
        lots = [self._create_serial(self.equipment, f"SN-F-{i}") for i in range(n)]
        agreements = self.env["aftersales.agreement"]
        for customer, lot in zip(customers, lots, strict=True):
            agreements |= self._active_agreement(customer=customer, lot=lot, **vals)
        return agreements

    def test_activation_plans_the_first_date(self):
        agreement = self._active_agreement(followup_user_id=self.user_service.id)
        first = periods.next_due(self.start, 1, "month")
        self.assertEqual(agreement.followup_next_date, first)
        no_plan = self._active_agreement(
            customer=self._create_customer(),
            lot=self._create_serial(self.equipment, "SN-X"),
            followup_interval=0,
        )
        self.assertFalse(no_plan.followup_next_date)

    def test_activated_late_owes_no_past_periods(self):
        """An agreement activated months after its start plans from today on."""
        agreement = self._active_agreement(date_start=self.today - relativedelta(months=3, days=2))
        self.assertEqual(
            agreement.followup_next_date,
            periods.next_due(
                agreement.date_start, 1, "month", after=self.today - timedelta(days=1)
            ),
        )
        self.assertGreaterEqual(agreement.followup_next_date, self.today)
        self.Followup._cron_plan(date_ref=agreement.followup_next_date - timedelta(days=3))
        followups = self._followups(agreement)
        self.assertEqual(len(followups), 1)
        self.assertGreaterEqual(followups.date_due, self.today)

    def test_amendment_continues_the_plan(self):
        agreement = self._active_agreement()
        first = agreement.followup_next_date
        self.Followup._cron_plan(date_ref=first)
        amendment = agreement.with_user(self.user_manager)._action_new_version(
            "amendment", "New contact person"
        )
        self._activate(amendment)
        self.assertEqual(agreement.state, "terminated")
        self.assertEqual(
            amendment.followup_next_date, periods.next_due(self.start, 1, "month", after=first)
        )
        self.Followup._cron_plan(date_ref=first)
        self.assertFalse(self._followups(amendment), "the period is already followed up")

    def test_next_date_is_the_job_s(self):
        agreement = self._active_agreement()
        with self.assertRaises(UserError):
            agreement.with_user(self.user_manager).write({"followup_next_date": self.today})
        self.assertNotEqual(agreement.followup_next_date, self.today)

    def test_created_ahead_once_with_an_activity(self):
        agreement = self._active_agreement(
            followup_user_id=self.user_service.id, followup_mode="visit"
        )
        first = agreement.followup_next_date
        # Too early: nothing.
        self.assertEqual(self.Followup._cron_plan(date_ref=first - timedelta(days=30)), 0)
        self.assertFalse(self._followups(agreement))
        self.assertEqual(self.Followup._cron_plan(date_ref=first - timedelta(days=3)), 1)
        followup = self._followups(agreement)
        self.assertEqual(len(followup), 1)
        self.assertEqual(followup.date_due, first)
        self.assertEqual(followup.mode, "visit")
        self.assertEqual(followup.user_id, self.user_service)
        self.assertEqual(followup.archive_id, agreement.archive_ids)
        self.assertTrue(followup.name.startswith("FUP/"))
        self.assertEqual(followup.activity_ids.user_id, self.user_service)
        self.assertEqual(followup.activity_ids.date_deadline, first)
        self.assertEqual(
            agreement.followup_next_date, periods.next_due(self.start, 1, "month", after=first)
        )
        # A second run right after does nothing, in a handful of queries.
        self.env.flush_all()
        with self.assertQueryCount(3):
            self.assertEqual(self.Followup._cron_plan(date_ref=first - timedelta(days=3)), 0)
        self.assertEqual(len(self._followups(agreement)), 1)

    def test_whole_contract_period_end_inclusive(self):
        """Weekly follow-ups up to the end of the agreement, its last day
        included, each once."""
        agreement = self._active_agreement(
            followup_interval=1,
            followup_unit="week",
            date_start=self.today,
            date_end=self.today + timedelta(weeks=4),
        )
        for day in range(0, 40, 3):
            self.Followup._cron_plan(date_ref=self.today + timedelta(days=day))
        dues = self._followups(agreement).mapped("date_due")
        self.assertEqual(dues, [self.today + timedelta(weeks=w) for w in range(1, 5)])
        self.assertFalse(agreement.followup_next_date)

    def test_only_active_agreements(self):
        terminated = self._active_agreement()
        terminated.with_user(self.user_manager).action_terminate()
        archived = self._active_agreement(
            customer=self._create_customer(), lot=self._create_serial(self.equipment, "SN-ARC")
        )
        archived.with_user(self.user_manager).action_archive()
        self.assertTrue(archived.followup_next_date)
        self.assertEqual(self.Followup._cron_plan(date_ref=self.today + relativedelta(months=3)), 0)
        self.assertFalse(self._followups(terminated | archived))

    def test_batches(self):
        agreements = self._agreements(5)
        date_ref = agreements[0].followup_next_date
        self.assertEqual(self.Followup._cron_plan(date_ref=date_ref, batch_size=2), 5)
        self.assertEqual(len(self._followups(agreements)), 5)

    def test_time_box_leaves_the_rest(self):
        agreements = self._agreements(3)
        date_ref = agreements[0].followup_next_date
        cron = self.env.ref("aftersales_service.aftersales_followup_cron_plan")
        progress = self.env["ir.cron.progress"].create(
            {"cron_id": cron.id, "done": 0, "remaining": 0}
        )
        Followup = self.Followup.with_context(ir_cron_progress_id=progress.id)
        self.assertEqual(Followup._cron_plan(date_ref=date_ref, batch_size=1, time_budget=0), 1)
        self.assertEqual((progress.done, progress.remaining), (1, 2))
        self.assertEqual(Followup._cron_plan(date_ref=date_ref, batch_size=5), 2)
        self.assertEqual(len(self._followups(agreements)), 3)

    def test_crash_in_second_batch(self):
        """R3: batch 1 stays done; the re-run creates the rest, each once."""
        agreements = self._agreements(4)
        date_ref = agreements[0].followup_next_date
        original = type(agreements)._plan_followups
        calls = []

        def failing(records, horizon):
            calls.append(len(records))
            if len(calls) == 2:
                raise RuntimeError("server killed")
            return original(records, horizon)

        # (Not assertRaises: it would roll back to a savepoint, hiding batch 1.)
        with patch(f"{FOLLOWUP_MODEL}._plan_followups", failing):
            crashed = False
            try:
                self.Followup._cron_plan(date_ref=date_ref, batch_size=2)
            except RuntimeError:
                crashed = True
        self.assertTrue(crashed, "the second batch should have failed")
        self.assertEqual(len(self._followups(agreements)), 2)
        self.assertEqual(self.Followup._cron_plan(date_ref=date_ref, batch_size=2), 2)
        followups = self._followups(agreements)
        self.assertEqual(len(followups), 4)
        self.assertEqual(followups.agreement_id, agreements)
        self.assertEqual(self.Followup._cron_plan(date_ref=date_ref, batch_size=2), 0)

    def test_unique_per_period(self):
        """The database refuses a second follow-up of the same period."""
        agreement = self._active_agreement()
        self.Followup._cron_plan(date_ref=agreement.followup_next_date)
        followup = self._followups(agreement)
        with (
            self.assertRaises(psycopg2.errors.UniqueViolation),
            mute_logger("odoo.sql_db"),
            self.cr.savepoint(),
        ):
            internal(self.Followup).create(
                {"agreement_id": agreement.id, "date_due": followup.date_due}
            )
        self.assertEqual(len(self._followups(agreement)), 1)

    def test_locked_rows_are_skipped(self):
        """R4: an agreement locked by a user is left for the next run."""
        date_ref = self.today
        registry = self.registry
        with registry.cursor() as setup:
            setup.execute(
                "INSERT INTO aftersales_agreement (name, company_id, partner_id, state, "
                "followup_unit, followup_mode, followup_interval, date_start, date_end, "
                "followup_next_date, active) VALUES ('LOCK-TEST', %s, %s, 'active', 'month', "
                "'call', 1, %s, %s, %s, true), ('FREE-TEST', %s, %s, 'active', 'month', "
                "'call', 1, %s, %s, %s, true) RETURNING id",
                (
                    self.company.id,
                    self.company.partner_id.id,
                    self.start,
                    self.start + relativedelta(years=1),
                    date_ref,
                )
                * 2,
            )
            locked_id, free_id = (row[0] for row in setup.fetchall())
            setup.commit()

        def cleanup():
            with registry.cursor() as cr:
                cr.execute(
                    "DELETE FROM aftersales_followup WHERE agreement_id IN %s;"
                    "DELETE FROM aftersales_agreement WHERE id IN %s",
                    [(locked_id, free_id)] * 2,
                )

        self.addCleanup(cleanup)
        with registry.cursor() as locker, registry.cursor() as worker:
            locker.execute(
                "SELECT id FROM aftersales_agreement WHERE id = %s FOR UPDATE", [locked_id]
            )
            # The job runs in its own transaction (the test's cannot see rows
            # committed after it started).
            env = api.Environment(worker, self.env.uid, {})
            Followup = env["aftersales.followup"]
            Followup._cron_plan(date_ref=date_ref)
            worker.execute(
                "SELECT agreement_id FROM aftersales_followup WHERE agreement_id IN %s",
                [(locked_id, free_id)],
            )
            self.assertEqual({row[0] for row in worker.fetchall()}, {free_id})
            locker.rollback()
            # Unlocked: the next run handles it.
            Followup._cron_plan(date_ref=date_ref)
            worker.execute(
                "SELECT agreement_id FROM aftersales_followup WHERE agreement_id IN %s",
                [(locked_id, free_id)],
            )
            self.assertEqual(
                sorted(row[0] for row in worker.fetchall()), sorted([locked_id, free_id])
            )
            worker.rollback()


@tagged("post_install", "-at_install")
class TestFollowupOutcome(ProactiveCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.agreement = cls._active_agreement(followup_user_id=cls.user_service.id)
        cls.env["aftersales.followup"]._cron_plan(date_ref=cls.agreement.followup_next_date)
        cls.followup = cls.agreement.followup_ids

    def test_outcome_goes_to_the_archive(self):
        followup = self.followup.with_user(self.user_service)
        with self.assertRaises(UserError):
            followup.action_done()  # the running status is missing
        followup.write(
            {
                "usage": "Two shifts a day",
                "running_status": "degraded",
                "satisfaction": "3",
                "remarks": "Noisy compressor",
            }
        )
        followup.action_done()
        self.assertEqual(followup.state, "done")
        self.assertFalse(followup.activity_ids)
        entry = self.agreement.archive_ids.entry_ids
        self.assertEqual(len(entry), 1)
        self.assertEqual(entry.followup_id, self.followup)
        self.assertEqual(entry.running_status, "degraded")
        self.assertIn("Noisy compressor", entry.description)
        self.assertIn("Two shifts a day", entry.description)
        # Once done it stays as it was.
        with self.assertRaises(UserError):
            followup.action_done()
        with self.assertRaises(UserError):
            followup.write({"remarks": "changed"})
        with self.assertRaises(UserError):
            followup.with_user(self.user_manager).unlink()

    def test_who_records(self):
        self.followup.write({"running_status": "normal"})
        with self.assertRaises(AccessError):
            self.followup.with_user(self.user_technician).action_done()
        with self.assertRaises(UserError):
            self.followup.with_user(self.user_service).write({"state": "done"})
        with self.assertRaises(UserError):
            self.env["aftersales.followup"].with_user(self.user_manager).create(
                {"agreement_id": self.agreement.id, "date_due": self.today}
            )
        self.assertEqual(self.followup.state, "planned")

    def test_report_a_problem_in_one_click(self):
        self.followup.write({"remarks": "Alarm E42 every morning"})
        action = self.followup.with_user(self.user_service).action_report_problem()
        ticket = self.env["aftersales.ticket"].browse(action["res_id"])
        self.assertEqual(self.followup.ticket_id, ticket)
        self.assertEqual(ticket.partner_id, self.customer)
        self.assertEqual(ticket.archive_id, self.agreement.archive_ids)
        self.assertIn("Alarm E42", ticket.symptoms)
        self.assertIn(self.followup.name, ticket.title)
        with self.assertRaises(UserError):
            self.followup.with_user(self.user_service).action_report_problem()
        self.assertEqual(
            self.env["aftersales.ticket"].search_count([("partner_id", "=", self.customer.id)]), 1
        )

    def test_cancel(self):
        self.followup.with_user(self.user_service).action_cancel()
        self.assertEqual(self.followup.state, "cancelled")
        self.assertFalse(self.followup.activity_ids)
        with self.assertRaises(UserError):
            self.followup.with_user(self.user_service).action_cancel()


@tagged("post_install", "-at_install")
class TestFollowupEscalation(ProactiveCommon):
    def test_overdue_escalated_once(self):
        self.company.aftersales_escalation_user_id = self.user_manager
        agreement = self._active_agreement(followup_user_id=self.user_service.id)
        Followup = self.env["aftersales.followup"]
        Followup._cron_plan(date_ref=agreement.followup_next_date)
        followup = agreement.followup_ids
        due = followup.date_due
        warning = self.env.ref("mail.mail_activity_data_warning")

        def escalations():
            return followup.activity_ids.filtered(lambda a: a.activity_type_id == warning)

        self.assertEqual(Followup._cron_escalate(date_ref=due), 0, "due today is not overdue")
        self.assertEqual(Followup._cron_escalate(date_ref=due + timedelta(days=1)), 1)
        self.assertEqual(escalations().user_id, self.user_manager)
        self.assertTrue(followup.escalated)
        self.env.flush_all()
        with self.assertQueryCount(3):
            self.assertEqual(Followup._cron_escalate(date_ref=due + timedelta(days=2)), 0)
        self.assertEqual(len(escalations()), 1)
        # Done follow-ups are never escalated.
        Followup._cron_plan(date_ref=agreement.followup_next_date)
        second = agreement.followup_ids - followup
        second.write({"running_status": "normal"})
        second.with_user(self.user_service).action_done()
        self.assertEqual(Followup._cron_escalate(date_ref=second.date_due + timedelta(days=5)), 0)
