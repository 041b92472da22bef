"""SLA targets on working calendars (R9), pause and resume, breach status
without any job (R1), the warning rule and the escalation job (R2-R5)."""

from datetime import datetime, timedelta
from unittest.mock import patch

from freezegun import freeze_time

from odoo import Command, fields
from odoo.exceptions import ValidationError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import AftersalesCommon
from .test_ticket import SIGNATURE

SLA_MODEL = "odoo.addons.aftersales_service.models.aftersales_ticket_sla.AftersalesTicketSla"


def utc(*args):
    return datetime(*args)


@tagged("post_install", "-at_install")
class TestSlaDeadlines(AftersalesCommon):
    """The test calendar: Mon-Fri 08-12 and 13-17, Europe/Brussels (UTC+1 in
    winter, UTC+2 in summer)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.policy = cls._create_policy(response_hours=2, onsite_hours=4, resolution_hours=16)
        cls.customer = cls._create_customer(name="Brewery")

    def setUp(self):
        super().setUp()
        # The requests below were received in the past (reception dates in
        # the future are refused).
        freezer = freeze_time("2027-01-15 12:00:00")
        freezer.start()
        self.addCleanup(freezer.stop)

    def _deadline(self, ticket, target="response"):
        return ticket.sla_ids.filtered(lambda line: line.target == target).deadline

    def test_after_hours_starts_next_working_hour(self):
        # Friday 27 Nov 2026 18:00 Brussels = 17:00 UTC: Monday 10:00 Brussels.
        ticket = self._create_ticket(date_received=utc(2026, 11, 27, 17, 0))
        self.assertEqual(self._deadline(ticket), utc(2026, 11, 30, 9, 0))
        # 4 h on site: Monday 08-12 -> 12:00 Brussels (11:00 UTC).
        self.assertEqual(self._deadline(ticket, "onsite"), utc(2026, 11, 30, 11, 0))
        # 16 h: Monday and Tuesday -> Tuesday 17:00 Brussels.
        self.assertEqual(self._deadline(ticket, "resolution"), utc(2026, 12, 1, 16, 0))
        self.assertEqual(ticket.sla_deadline, utc(2026, 11, 30, 9, 0))

    def test_weekend_and_lunch(self):
        saturday = self._create_ticket(date_received=utc(2026, 11, 28, 9, 0))
        self.assertEqual(self._deadline(saturday), utc(2026, 11, 30, 9, 0))
        # Received Monday 11:00 Brussels: 1 h before lunch, 1 h after.
        monday = self._create_ticket(date_received=utc(2026, 11, 30, 10, 0))
        self.assertEqual(self._deadline(monday), utc(2026, 11, 30, 13, 0))

    def test_public_holiday(self):
        # Monday 30 Nov 2026 is a public holiday of the calendar.
        self.env["resource.calendar.leaves"].create(
            {
                "name": "Holiday",
                "calendar_id": self.calendar.id,
                "date_from": utc(2026, 11, 29, 23, 0),
                "date_to": utc(2026, 11, 30, 22, 59, 59),
            }
        )
        ticket = self._create_ticket(date_received=utc(2026, 11, 27, 17, 0))
        self.assertEqual(self._deadline(ticket), utc(2026, 12, 1, 9, 0))

    def test_daylight_saving_changes(self):
        """Friday 15:00 Brussels + 4 h is Monday 10:00 Brussels on both
        sides of each change: 08:00 UTC in summer, 09:00 UTC in winter."""
        self.policy.response_hours = 4
        spring = self._create_ticket(date_received=utc(2026, 3, 27, 14, 0))  # CET
        self.assertEqual(self._deadline(spring), utc(2026, 3, 30, 8, 0))  # CEST
        autumn = self._create_ticket(date_received=utc(2026, 10, 23, 13, 0))  # CEST
        self.assertEqual(self._deadline(autumn), utc(2026, 10, 26, 9, 0))  # CET

    def test_user_time_zone_ignored(self):
        received = utc(2026, 11, 27, 17, 0)
        deadlines = set()
        for tz in ("Asia/Taipei", "America/New_York", False):
            self.user_service.tz = tz
            ticket = (
                self.env["aftersales.ticket"]
                .with_user(self.user_service)
                .with_context(tz=tz)
                .create(
                    {"title": "Leak", "partner_id": self.customer.id, "date_received": received}
                )
            )
            deadlines.add(self._deadline(ticket))
        self.assertEqual(deadlines, {utc(2026, 11, 30, 9, 0)})

    def test_agreement_commitments_win(self):
        product = self._create_equipment(name="Boiler")
        serial = self._create_serial(product, name="B-1")
        around_the_clock = self._create_calendar_24_7()
        agreement = self.env["aftersales.agreement"].create(
            {
                "partner_id": self.customer.id,
                "date_start": "2026-01-01",
                "date_end": "2027-12-31",
                "response_hours": 1,
                "calendar_id": around_the_clock.id,
                "line_ids": [Command.create({"lot_id": serial.id, "product_id": product.id})],
            }
        )
        agreement._action_sign(SIGNATURE, "Director")
        agreement.action_activate()
        ticket = self._create_ticket(
            partner_id=self.customer.id,
            lot_id=serial.id,
            date_received=utc(2026, 11, 28, 3, 0),  # Saturday night
        )
        self.assertEqual(ticket.agreement_id, agreement)
        response = ticket.sla_ids.filtered(lambda line: line.target == "response")
        self.assertEqual(response.hours, 1)
        self.assertEqual(response.deadline, utc(2026, 11, 28, 4, 0))
        # Targets the agreement leaves open come from the policy, on its calendar.
        self.assertEqual(ticket.sla_ids.filtered(lambda line: line.target == "onsite").hours, 4)

    def test_most_specific_policy(self):
        urgent = self._create_policy(name="Urgent", priority="2", response_hours=1, onsite_hours=0)
        normal = self._create_ticket(date_received=utc(2026, 11, 30, 8, 0))
        hot = self._create_ticket(priority="2", date_received=utc(2026, 11, 30, 8, 0))
        self.assertEqual(normal.sla_ids.policy_id, self.policy)
        self.assertEqual(hot.sla_ids.policy_id, urgent)
        self.assertEqual(self._deadline(hot), utc(2026, 11, 30, 9, 0))  # 10:00 Brussels
        # A priority change re-plans, keeping the working time already used.
        with freeze_time("2026-11-30 08:30:00"):
            normal.priority = "2"
        self.assertEqual(self._deadline(normal), utc(2026, 11, 30, 9, 0))
        self.assertEqual(
            normal.sla_ids.filtered(lambda line: line.target == "onsite").state, "cancelled"
        )

    def test_pause_and_resume(self):
        parts = self.env.ref("aftersales_service.aftersales_ticket_stage_wait_parts")
        progress = self.env.ref("aftersales_service.aftersales_ticket_stage_progress")
        # Received Monday 09:00 Brussels; 16 h to resolve.
        with freeze_time("2026-11-30 08:05:00"):
            ticket = self._create_ticket(date_received=utc(2026, 11, 30, 8, 0))
            ticket.with_user(self.user_manager).action_triage()
        resolution = ticket.sla_ids.filtered(lambda line: line.target == "resolution")
        # Monday 7 h, Tuesday 8 h, Wednesday 1 h: Wednesday 09:00 Brussels.
        self.assertEqual(resolution.deadline, utc(2026, 12, 2, 8, 0))
        with freeze_time("2026-11-30 10:00:00"):  # Monday 11:00 Brussels: 2 h used
            ticket.stage_id = parts
            self.assertEqual(resolution.state, "paused")
            self.assertFalse(resolution.deadline)
            # A paused ticket shows and loads (list, kanban) like any other.
            self.assertEqual(ticket.sla_status, "on_track")
            self.assertEqual(resolution.status, "on_track")
            self.env["aftersales.ticket"].web_search_read(
                [("id", "=", ticket.id)], {"sla_status": {}, "sla_deadline": {}}
            )
            self.assertAlmostEqual(resolution.consumed_hours, 2.0)
            breached = self.env["aftersales.ticket"].search([("sla_status", "=", "breached")])
            self.assertNotIn(ticket, breached)
        with freeze_time("2026-12-02 08:00:00"):  # Wednesday 09:00 Brussels
            ticket.stage_id = progress
        # 14 h left: Wednesday 7 h (09-12, 13-17), Thursday 7 h -> Thu 16:00 Brussels.
        self.assertEqual(resolution.state, "running")
        self.assertEqual(resolution.deadline, utc(2026, 12, 3, 15, 0))
        self.assertAlmostEqual(resolution.consumed_hours, 2.0)

    def test_reopen_continues_the_clock(self):
        """Closing stops the resolution clock; reopening continues it with
        the working time already used, not the time it was closed."""
        with freeze_time("2026-11-30 08:00:00"):  # Monday 09:00 Brussels
            ticket = self._create_ticket(date_received=utc(2026, 11, 30, 8, 0))
            ticket.with_user(self.user_manager).action_triage()
        with freeze_time("2026-11-30 10:00:00"):  # Monday 11:00: 2 h used
            ticket._action_close("Reset the controller")
        resolution = ticket.sla_ids.filtered(lambda line: line.target == "resolution")
        self.assertEqual(resolution.state, "reached")
        self.assertAlmostEqual(resolution.consumed_hours, 2.0)
        self.assertEqual(resolution.compliance, 100)
        with freeze_time("2026-12-02 08:00:00"):  # Wednesday 09:00: it fails again
            ticket.action_reopen()
        self.assertEqual(resolution.state, "running")
        self.assertEqual(resolution.deadline, utc(2026, 12, 3, 15, 0))  # Thu 16:00

    def test_cancel_then_reopen_keeps_the_clock(self):
        with freeze_time("2026-11-30 08:00:00"):  # Monday 09:00 Brussels
            ticket = self._create_ticket(date_received=utc(2026, 11, 30, 8, 0))
            ticket.with_user(self.user_manager).action_triage()
        with freeze_time("2026-11-30 10:00:00"):  # 2 h used
            ticket._action_cancel("Customer withdrew")
        with freeze_time("2026-12-02 08:00:00"):  # Wednesday 09:00: they call back
            ticket.action_reopen()
        resolution = ticket.sla_ids.filtered(lambda line: line.target == "resolution")
        self.assertAlmostEqual(resolution.consumed_hours, 2.0)
        self.assertEqual(resolution.deadline, utc(2026, 12, 3, 15, 0))

    def test_overdue_then_paused_stays_breached(self):
        parts = self.env.ref("aftersales_service.aftersales_ticket_stage_wait_parts")
        with freeze_time("2026-11-30 08:00:00"):
            ticket = self._create_ticket(date_received=utc(2026, 11, 30, 8, 0))
            ticket.with_user(self.user_manager).action_triage()
        with freeze_time("2026-11-30 15:00:00"):  # on site was due at 12:00 Brussels
            ticket.stage_id = parts
            onsite = ticket.sla_ids.filtered(lambda line: line.target == "onsite")
            self.assertEqual(onsite.state, "paused")
            self.assertTrue(onsite.late)
            self.assertEqual(onsite.status, "breached")

    def test_policy_change_after_milestones(self):
        """Targets added by a policy change after triage and arrival are
        already reached, not running towards a false breach."""
        self.policy.write({"response_hours": 0, "onsite_hours": 0})
        self._create_policy(name="Urgent", priority="2", response_hours=1, onsite_hours=2)
        with freeze_time("2026-11-30 08:00:00"):
            ticket = self._create_ticket(date_received=utc(2026, 11, 30, 8, 0))
            ticket.with_user(self.user_manager).action_triage()
            ticket.action_mark_onsite()
            self.assertEqual(ticket.sla_ids.mapped("target"), ["resolution"])
        with freeze_time("2026-11-30 09:00:00"):
            ticket.priority = "2"
        states = {line.target: line.state for line in ticket.sla_ids}
        self.assertEqual(states["response"], "reached")
        self.assertEqual(states["onsite"], "reached")

    def test_other_companys_holiday_ignored(self):
        holiday = self.env["resource.calendar.leaves"].create(
            {
                "name": "Company B holiday",
                "date_from": utc(2026, 11, 29, 23, 0),
                "date_to": utc(2026, 11, 30, 22, 59, 59),
            }
        )
        self.env.flush_all()
        holiday.company_id = self.company_b  # as a company-B user makes it
        ticket = self._create_ticket(date_received=utc(2026, 11, 27, 17, 0))
        self.assertEqual(holiday.company_id, self.company_b)
        self.assertEqual(self._deadline(ticket), utc(2026, 11, 30, 9, 0))

    def test_future_reception_refused(self):
        with self.assertRaises(ValidationError):
            self._create_ticket(date_received=utc(2027, 2, 1, 8, 0))


@tagged("post_install", "-at_install")
class TestSlaStatus(AftersalesCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.policy = cls._create_policy(response_hours=2, onsite_hours=0, resolution_hours=40)
        cls.company.aftersales_sla_warning_hours = 2
        cls.around_the_clock = cls._create_calendar_24_7()
        cls.policy.calendar_id = cls.around_the_clock

    def _search(self, status):
        return self.env["aftersales.ticket"].search([("sla_status", "=", status)])

    def test_status_without_any_job(self):
        """R1: breached the instant the deadline passes, as a plain search."""
        now = fields.Datetime.now()
        late = self._create_ticket(date_received=now - timedelta(hours=3))
        soon = self._create_ticket(date_received=now - timedelta(minutes=30))
        fresh = self._create_ticket(priority="0", date_received=now)
        self.policy.response_hours = 40  # later tickets only: nothing re-planned
        self.assertIn(late, self._search("breached"))
        self.assertEqual(late.sla_status, "breached")
        self.assertIn(soon, self._search("at_risk"))
        self.assertEqual(soon.sla_status, "at_risk")
        self.assertNotIn(fresh, self._search("breached"))
        self.assertIn(fresh, self._search("at_risk"))  # 2 h response, 2 h warning
        # The warning window comes from Settings (cached, refreshed on change).
        self.company.aftersales_sla_warning_hours = 0.5
        self.assertNotIn(soon, self._search("at_risk"))
        self.assertIn(soon, self._search("on_track"))
        self.company.aftersales_sla_warning_hours = 2
        # Time passes, nothing runs: the search follows the clock.
        with freeze_time(now + timedelta(hours=2, minutes=1)):
            self.assertIn(soon, self._search("breached"))
            self.assertIn(fresh, self._search("breached"))

    def test_reached_late_stays_breached(self):
        now = fields.Datetime.now()
        ticket = self._create_ticket(date_received=now - timedelta(hours=5))
        ticket.with_user(self.user_manager).action_triage()
        response = ticket.sla_ids.filtered(lambda line: line.target == "response")
        self.assertEqual(response.state, "reached")
        self.assertTrue(response.late)
        self.assertEqual(response.status, "breached")
        self.assertEqual(response.compliance, 0)
        on_time = self._create_ticket(date_received=now)
        on_time.with_user(self.user_manager).action_triage()
        self.assertEqual(
            on_time.sla_ids.filtered(lambda line: line.target == "response").compliance, 100
        )

    def test_compliance_report_is_one_grouped_query(self):
        now = fields.Datetime.now()
        tickets = self.env["aftersales.ticket"]
        for hours in (0, 5):
            ticket = self._create_ticket(date_received=now - timedelta(hours=hours))
            ticket.with_user(self.user_manager).action_triage()
            tickets |= ticket
        Sla = self.env["aftersales.ticket.sla"]
        # (Only these tickets: the database may hold others, demo data included.)
        domain = [
            ("ticket_id", "in", tickets.ids),
            "|",
            ("state", "=", "reached"),
            ("late", "=", True),
        ]
        Sla.flush_model()
        with self.assertQueryCount(1):
            groups = Sla._read_group(domain, ["target"], ["compliance:avg", "__count"])
        self.assertEqual(groups, [("response", 50.0, 2)])


@tagged("post_install", "-at_install")
class TestSlaEscalation(AftersalesCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.user_manager.email = "sam@example.com"
        cls.around_the_clock = cls._create_calendar_24_7()
        cls.policy = cls._create_policy(
            response_hours=1,
            onsite_hours=0,
            resolution_hours=0,
            calendar_id=cls.around_the_clock.id,
            escalation_user_id=cls.user_manager.id,
        )
        cls.Sla = cls.env["aftersales.ticket.sla"]
        cls.cron = cls.env.ref("aftersales_service.aftersales_ticket_sla_cron_escalate")

    def _escalations(self, tickets):
        return self.env["mail.activity"].search(
            [
                ("res_model", "=", "aftersales.ticket"),
                ("res_id", "in", tickets.ids),
                ("summary", "like", "SLA breached"),
            ]
        )

    def _breach_mails(self):
        return self.env["mail.mail"].search([("subject", "like", "SLA breached")])

    def test_one_ticket_mail_links_it(self):
        now = fields.Datetime.now()
        ticket = self._create_ticket(date_received=now - timedelta(hours=2), title="Leak")
        self.Sla._cron_escalate(now=now)
        mail = self._breach_mails()
        self.assertEqual(mail.subject, f"SLA breached: {ticket.name} Leak")
        self.assertEqual((mail.model, mail.res_id), ("aftersales.ticket", ticket.id))
        self.assertIn("Response", mail.body_html)

    def test_escalation_falls_back(self):
        """No escalation user on the policy: the supervisor; no supervisor:
        the company's default; nobody: a note on the ticket, once."""
        self.policy.escalation_user_id = False
        now = fields.Datetime.now()
        with_supervisor = self._create_ticket(
            user_id=self.user_manager.id, date_received=now - timedelta(hours=2)
        )
        unassigned = self._create_ticket(date_received=now - timedelta(hours=2))
        self.company.aftersales_escalation_user_id = self.user_admin
        self.Sla._cron_escalate(now=now)
        self.assertEqual(self._escalations(with_supervisor).user_id, self.user_manager)
        self.assertEqual(self._escalations(unassigned).user_id, self.user_admin)
        self.company.aftersales_escalation_user_id = False
        nobody = self._create_ticket(date_received=now - timedelta(hours=2))
        with mute_logger("odoo.addons.aftersales_service.models.aftersales_ticket_sla"):
            self.assertEqual(self.Sla._cron_escalate(now=now), 1)
        self.assertFalse(self._escalations(nobody))
        self.assertIn("no supervisor", nobody.message_ids[0].body)
        self.assertEqual(self.Sla._cron_escalate(now=now), 0)

    def test_woken_at_the_deadline(self):
        now = fields.Datetime.now().replace(microsecond=0)
        ticket = self._create_ticket(date_received=now)
        deadline = ticket.sla_ids.deadline
        self.assertEqual(deadline, now + timedelta(hours=1))
        trigger = self.env["ir.cron.trigger"].search(
            [("cron_id", "=", self.cron.id), ("call_at", "=", deadline)]
        )
        self.assertTrue(trigger)

    def test_escalated_exactly_once(self):
        now = fields.Datetime.now()
        tickets = self.env["aftersales.ticket"].create(
            [
                {
                    "title": f"T{i}",
                    "partner_id": self._create_customer().id,
                    "date_received": now - timedelta(hours=2),
                }
                for i in range(3)
            ]
        )
        not_due = self._create_ticket(date_received=now)
        self.assertEqual(self.Sla._cron_escalate(now=now), 3)
        activities = self._escalations(tickets)
        self.assertEqual(len(activities), 3)
        self.assertEqual(activities.user_id, self.user_manager)
        # One e-mail for the run, listing the three tickets; queued, not sent here.
        mails = self._breach_mails()
        self.assertEqual(len(mails), 1)
        self.assertEqual(mails.subject, "SLA breached on 3 tickets")
        self.assertEqual(mails.recipient_ids, self.user_manager.partner_id)
        self.assertEqual(mails.state, "outgoing")
        for ticket in tickets:
            self.assertIn(ticket.name, mails.body_html)
        self.assertNotIn(not_due.name, mails.body_html)
        self.assertTrue(all(tickets.sla_ids.mapped("late")))
        self.assertFalse(self._escalations(not_due))
        # A second run right after does nothing, in a handful of queries.
        self.env.flush_all()
        with self.assertQueryCount(3):
            self.assertEqual(self.Sla._cron_escalate(now=now), 0)
        self.assertEqual(len(self._escalations(tickets)), 3)
        self.assertEqual(len(self._breach_mails()), 1)

    def test_crash_in_second_batch(self):
        """R3: batch 1 stays done; the re-run escalates the rest, each once."""
        now = fields.Datetime.now()
        tickets = self.env["aftersales.ticket"].create(
            [
                {
                    "title": f"T{i}",
                    "partner_id": self._create_customer().id,
                    "date_received": now - timedelta(hours=2, minutes=i),
                }
                for i in range(4)
            ]
        )
        original = type(self.Sla)._escalate
        calls = []

        def failing(records):
            calls.append(len(records))
            if len(calls) == 2:
                raise RuntimeError("server killed")
            return original(records)

        # (Not assertRaises: it would roll back to a savepoint, hiding batch 1.)
        with patch(f"{SLA_MODEL}._escalate", failing):
            crashed = False
            try:
                self.Sla._cron_escalate(now=now, batch_size=2)
            except RuntimeError:
                crashed = True
        self.assertTrue(crashed, "the second batch should have failed")
        self.assertEqual(len(self._escalations(tickets)), 2)
        self.assertEqual(self.Sla._cron_escalate(now=now, batch_size=2), 2)
        activities = self._escalations(tickets)
        self.assertEqual(len(activities), 4)
        self.assertEqual(set(activities.mapped("res_id")), set(tickets.ids))
        self.assertEqual(self.Sla._cron_escalate(now=now, batch_size=2), 0)

    def test_time_box_leaves_the_rest(self):
        """R5: a run past its budget stops after the batch in hand and
        reports the remainder; the next run continues."""
        now = fields.Datetime.now()
        self.env["aftersales.ticket"].create(
            [
                {
                    "title": f"T{i}",
                    "partner_id": self._create_customer().id,
                    "date_received": now - timedelta(hours=2),
                }
                for i in range(3)
            ]
        )
        progress = self.env["ir.cron.progress"].create(
            {"cron_id": self.cron.id, "done": 0, "remaining": 0}
        )
        Sla = self.Sla.with_context(ir_cron_progress_id=progress.id)
        self.assertEqual(Sla._cron_escalate(now=now, batch_size=1, time_budget=0), 1)
        self.assertEqual((progress.done, progress.remaining), (1, 2))
        self.assertEqual(Sla._cron_escalate(now=now, batch_size=2, time_budget=60), 2)
        self.assertEqual((progress.done, progress.remaining), (2, 0))

    def test_paused_or_reached_not_escalated(self):
        now = fields.Datetime.now()
        ticket = self._create_ticket(date_received=now - timedelta(hours=2))
        ticket.with_user(self.user_manager).action_triage()  # reached, late
        self.assertEqual(self.Sla._cron_escalate(now=now), 0)
        self.assertEqual(ticket.sla_status, "breached")


@tagged("post_install", "-at_install")
class TestSlaWarning(AftersalesCommon):
    def test_warning_activity_once(self):
        """The editable rule warns the supervisor before the next deadline,
        once, however often its job runs."""
        around_the_clock = self._create_calendar_24_7()
        self._create_policy(
            response_hours=1, onsite_hours=0, resolution_hours=0, calendar_id=around_the_clock.id
        )
        rule = self.env.ref("aftersales_service.aftersales_ticket_automation_sla_warning")
        # Its job last ran 2 hours ago; the deadline is in 1 hour, so the
        # warning instant (2 hours before) passed since.
        rule.last_run = fields.Datetime.now() - timedelta(hours=2)
        now = fields.Datetime.now()
        soon = self._create_ticket(user_id=self.user_manager.id, date_received=now)
        self._create_policy(
            name="Low",
            priority="1",
            response_hours=5,
            onsite_hours=0,
            resolution_hours=0,
            calendar_id=around_the_clock.id,
        )
        later = self._create_ticket(user_id=self.user_manager.id, priority="1", date_received=now)
        warning = self.env.ref("mail.mail_activity_data_warning")
        for _run in range(2):
            self.env["base.automation"]._check()
        self.assertEqual(
            len(soon.activity_ids.filtered(lambda a: a.activity_type_id == warning)), 1
        )
        self.assertEqual(soon.activity_ids.user_id, self.user_manager)
        self.assertFalse(later.activity_ids)
