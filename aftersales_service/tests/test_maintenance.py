"""Preventive maintenance (R6): plans on units in warranty or on agreements,
visits generated ahead of time, categorised free or contract, exactly once
per due date, in batches, shown in the dispatch calendar."""

from datetime import datetime, timedelta
from unittest.mock import patch

import psycopg2
from dateutil.relativedelta import relativedelta

from odoo.exceptions import ValidationError
from odoo.tests import Form, tagged
from odoo.tools import mute_logger
from odoo.tools.safe_eval import safe_eval

from odoo.addons.aftersales_service.models.common import internal
from odoo.addons.aftersales_service.tools import periods

from .common_proactive import ProactiveCommon

PLAN_MODEL = (
    "odoo.addons.aftersales_service.models.aftersales_maintenance_plan.AftersalesMaintenancePlan"
)


@tagged("post_install", "-at_install")
class TestMaintenance(ProactiveCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Plan = cls.env["aftersales.maintenance.plan"]

    def _plan(self, **vals):
        vals = {
            "name": "Half-yearly inspection",
            "date_start": self.start,
            "interval_months": 6,
            "lead_days": 14,
            "technician_id": self.user_technician.id,
            **vals,
        }
        if "agreement_id" not in vals:
            vals.setdefault("warranty_id", self.warranty.id)
        return self.Plan.create(vals)

    def test_in_warranty_free_visit(self):
        plan = self._plan(note="Clean the condenser")
        first = periods.add_months(self.start, 6)
        self.assertEqual(plan.next_date, first)
        self.assertEqual(plan.date_end, self.warranty.date_end)
        self.assertEqual(plan.partner_id, self.customer)
        # Not yet within the lead time.
        self.assertEqual(self.Plan._cron_generate(date_ref=first - timedelta(days=15)), 0)
        self.assertFalse(plan.ticket_ids)
        self.assertEqual(self.Plan._cron_generate(date_ref=first - timedelta(days=14)), 1)
        ticket = plan.ticket_ids
        self.assertEqual(len(ticket), 1)
        self.assertEqual(ticket.maintenance_due, first)
        self.assertEqual(ticket.lot_id, self.lot)
        self.assertEqual(ticket.service_category, "free")
        self.assertEqual(ticket.category_override, "free")
        self.assertIn("warranty", ticket.category_override_reason)
        dispatch = ticket.dispatch_ids
        self.assertEqual(dispatch.state, "draft")
        self.assertEqual(dispatch.technician_id, self.user_technician)
        # 09:00 in Brussels on the due date, in the dispatch calendar.
        self.assertEqual(dispatch.date_start.date(), first)
        self.assertIn(dispatch.date_start.hour, (7, 8))
        self.assertEqual(dispatch.date_end - dispatch.date_start, timedelta(hours=2))
        calendar = self.env["aftersales.dispatch"].search(
            [
                ("date_start", ">=", datetime.combine(first, datetime.min.time())),
                (
                    "date_start",
                    "<",
                    datetime.combine(first + timedelta(days=1), datetime.min.time()),
                ),
            ]
        )
        self.assertIn(dispatch, calendar)
        action = self.env.ref("aftersales_service.aftersales_dispatch_action_preventive")
        self.assertIn("calendar", action.view_mode)
        self.assertIn(dispatch, self.env["aftersales.dispatch"].search(safe_eval(action.domain)))
        self.assertEqual(plan.next_date, periods.add_months(self.start, 12))
        # A second run right after does nothing, in a handful of queries.
        self.env.flush_all()
        with self.assertQueryCount(3):
            self.assertEqual(self.Plan._cron_generate(date_ref=first - timedelta(days=14)), 0)
        self.assertEqual(len(plan.ticket_ids), 1)

    def test_under_agreement_contract_visit(self):
        agreement = self._active_agreement()
        plan = self._plan(agreement_id=agreement.id, interval_months=3, lead_days=0)
        self.assertEqual(plan.date_end, agreement.date_end)
        due = plan.next_date
        self.Plan._cron_generate(date_ref=due)
        ticket = plan.ticket_ids
        self.assertEqual(ticket.service_category, "contract")
        self.assertIn(agreement.name, ticket.category_override_reason)
        self.assertEqual(ticket.archive_id, agreement.archive_ids)

    def test_set_up_late_owes_no_past_visits(self):
        agreement = self._active_agreement(date_start=self.today - relativedelta(months=13))
        plan = self._plan(agreement_id=agreement.id, date_start=agreement.date_start)
        self.assertEqual(
            plan.next_date,
            periods.next_due(
                agreement.date_start, 6, "month", after=self.today - timedelta(days=1)
            ),
        )
        self.Plan._cron_generate(date_ref=self.today)
        self.assertFalse(plan.ticket_ids.filtered(lambda t: t.maintenance_due < self.today))

    def test_until_the_end_inclusive(self):
        """The last visit may fall on the end day itself; none after it."""
        agreement = self._active_agreement(date_end=self.start + relativedelta(months=6))
        plan = self._plan(agreement_id=agreement.id, interval_months=3, lead_days=0)
        self.Plan._cron_generate(date_ref=self.start + relativedelta(years=2))
        self.assertEqual(
            plan.ticket_ids.sorted("maintenance_due").mapped("maintenance_due"),
            [self.start + relativedelta(months=3), self.start + relativedelta(months=6)],
        )
        self.assertFalse(plan.next_date)
        self.assertEqual(self.Plan._cron_generate(date_ref=self.start + relativedelta(years=3)), 0)

    def _plans(self, n):
        lots = [self._create_serial(self.equipment, f"SN-M-{i}") for i in range(n)]
        warranties = self.env["aftersales.warranty"].create(
            [
                {
                    "partner_id": self.customer.id,
                    "product_id": self.equipment.id,
                    "lot_id": lot.id,
                    "date_delivery": self.start,
                }
                for lot in lots
            ]
        )
        return self.Plan.create(
            [
                {
                    "name": f"Plan {i}",
                    "warranty_id": w.id,
                    "date_start": self.start,
                    "interval_months": 1,
                    "lead_days": 0,
                }
                for i, w in enumerate(warranties)
            ]
        )

    def test_batches_and_crash(self):
        """R2/R3: batches; a failure in batch 2 leaves batch 1 done; the
        re-run generates the rest, each visit exactly once."""
        plans = self._plans(4)
        date_ref = plans[0].next_date
        original = type(self.Plan)._generate_visits
        calls = []

        def failing(records, date_ref):
            calls.append(len(records))
            if len(calls) == 2:
                raise RuntimeError("server killed")
            return original(records, date_ref)

        with patch(f"{PLAN_MODEL}._generate_visits", failing):
            crashed = False
            try:
                self.Plan._cron_generate(date_ref=date_ref, batch_size=2)
            except RuntimeError:
                crashed = True
        self.assertTrue(crashed, "the second batch should have failed")
        self.assertEqual(len(plans.ticket_ids), 2)
        self.assertEqual(self.Plan._cron_generate(date_ref=date_ref, batch_size=2), 2)
        self.assertEqual(len(plans.ticket_ids), 4)
        self.assertEqual(plans.ticket_ids.maintenance_plan_id, plans)
        self.assertEqual(len(plans.ticket_ids.dispatch_ids), 4)
        self.assertEqual(self.Plan._cron_generate(date_ref=date_ref, batch_size=2), 0)

    def test_time_box(self):
        plans = self._plans(3)
        date_ref = plans[0].next_date
        cron = self.env.ref("aftersales_service.aftersales_maintenance_plan_cron_generate")
        progress = self.env["ir.cron.progress"].create(
            {"cron_id": cron.id, "done": 0, "remaining": 0}
        )
        Plan = self.Plan.with_context(ir_cron_progress_id=progress.id)
        self.assertEqual(Plan._cron_generate(date_ref=date_ref, batch_size=1, time_budget=0), 1)
        self.assertEqual((progress.done, progress.remaining), (1, 2))
        self.assertEqual(Plan._cron_generate(date_ref=date_ref, batch_size=5), 2)

    def test_one_visit_per_due_date(self):
        """The database refuses a second visit of the same plan and day."""
        plan = self._plan()
        visit = plan._generate_visits(plan.next_date)
        with (
            self.assertRaises(psycopg2.errors.UniqueViolation),
            mute_logger("odoo.sql_db"),
            self.cr.savepoint(),
        ):
            internal(self.env["aftersales.ticket"]).create(
                plan._prepare_ticket_vals(visit.maintenance_due)
            )

    def test_bad_plans(self):
        agreement = self._active_agreement()
        bad = [
            {"agreement_id": agreement.id, "warranty_id": self.warranty.id},
            {"interval_months": 0},
            {"interval_months": -6},
            {"lead_days": -1},
            {"date_start": "2026-13-01"},
        ]
        before = self.Plan.search_count([])
        for vals in bad:
            with self.subTest(vals=vals), self.assertRaises(ValidationError):
                self._plan(**vals)
        self.assertEqual(self.Plan.search_count([]), before)

    def test_form(self):
        """D2: through the form, the same rules."""
        form = Form(self.Plan.with_user(self.user_manager))
        form.name = "Monthly check"
        form.warranty_id = self.warranty
        form.date_start = self.start
        form.interval_months = 0
        with self.assertRaises(ValidationError):
            form.save()
        form.interval_months = 1
        plan = form.save()
        self.assertEqual(plan.next_date, periods.add_months(self.start, 1))
