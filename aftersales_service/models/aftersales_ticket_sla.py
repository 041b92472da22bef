import logging
from collections import defaultdict
from datetime import UTC, timedelta

from odoo import Command, api, fields, models
from odoo.tools import SQL

from ..tools import sla
from .common import run_in_batches

_logger = logging.getLogger(__name__)

SLA_TARGETS = [
    ("response", "Response"),
    ("onsite", "On Site"),
    ("resolution", "Resolution"),
]
SLA_LINE_STATES = [
    ("running", "Running"),
    ("paused", "Paused"),
    ("reached", "Reached"),
    ("cancelled", "Not Needed"),
]
SLA_STATUSES = [
    (sla.ON_TRACK, "On Track"),
    (sla.AT_RISK, "At Risk"),
    (sla.REACHED, "Reached"),
    (sla.BREACHED, "Breached"),
]
# Longest horizon searched for working time: a calendar without working
# time in two years gives no deadline (and a warning in the log).
MAX_HORIZON = timedelta(days=730)


def _utc(dt):
    return dt.replace(tzinfo=UTC)


def _naive(dt):
    return dt.astimezone(UTC).replace(tzinfo=None)


class AftersalesTicketSla(models.Model):
    """One promised target of one ticket (response, on site, resolution).

    The deadline is computed when the clock starts or resumes, stored in
    UTC and indexed: "breached" and "at risk" are plain searches on it, true
    the instant the deadline passes (R1). Working time already consumed is
    kept across pauses.
    """

    _name = "aftersales.ticket.sla"
    _description = "Ticket SLA Target"
    _order = "deadline, id"
    _rec_name = "target"

    ticket_id = fields.Many2one(
        "aftersales.ticket", required=True, ondelete="cascade", index=True, readonly=True
    )
    company_id = fields.Many2one(
        related="ticket_id.company_id", store=True, index=True, precompute=True
    )
    target = fields.Selection(SLA_TARGETS, required=True, readonly=True)
    policy_id = fields.Many2one("aftersales.sla.policy", readonly=True, ondelete="set null")
    calendar_id = fields.Many2one("resource.calendar", string="Working Hours", readonly=True)
    hours = fields.Float(string="Target (h)", readonly=True, help="Working hours promised.")
    state = fields.Selection(SLA_LINE_STATES, default="running", required=True, readonly=True)
    clock_start = fields.Datetime(
        readonly=True, help="When the clock last started; empty while paused or stopped."
    )
    consumed_hours = fields.Float(
        string="Consumed (h)",
        readonly=True,
        help="Working hours consumed before the clock last started (kept across pauses).",
    )
    deadline = fields.Datetime(readonly=True)
    reached_on = fields.Datetime(readonly=True)
    late = fields.Boolean(
        readonly=True, help="Reached after its deadline, or breached while still open."
    )
    escalated = fields.Boolean(readonly=True, copy=False)
    compliance = fields.Float(
        string="Compliance (%)",
        compute="_compute_compliance",
        store=True,
        precompute=True,
        aggregator="avg",
        help="100 when reached in time, else 0. The compliance report averages it over "
        "the decided targets (reached, or late).",
    )
    status = fields.Selection(
        SLA_STATUSES, compute="_compute_status", search="_search_status", string="SLA Status"
    )

    # --- For reporting (stored copies of the ticket's values) ----------------
    partner_id = fields.Many2one(
        related="ticket_id.partner_id", store=True, string="Customer", precompute=True
    )
    priority = fields.Selection(related="ticket_id.priority", store=True, precompute=True)
    service_category = fields.Selection(
        related="ticket_id.service_category", store=True, string="Category", precompute=True
    )
    date_received = fields.Datetime(related="ticket_id.date_received", store=True, precompute=True)

    _sql_constraints = [
        ("target_unique", "UNIQUE(ticket_id, target)", "A ticket has each SLA target once."),
    ]

    def init(self):
        # What the escalation job looks for: open targets past due, not yet
        # escalated. A partial index keeps that search small at any volume.
        self.env.cr.execute(
            SQL(
                "CREATE INDEX IF NOT EXISTS aftersales_ticket_sla_due_index "
                "ON aftersales_ticket_sla (deadline) "
                "WHERE state = 'running' AND escalated IS NOT TRUE"
            )
        )
        self.env.cr.execute(
            SQL(
                "CREATE INDEX IF NOT EXISTS aftersales_ticket_sla_open_index "
                "ON aftersales_ticket_sla (deadline, ticket_id) WHERE state = 'running'"
            )
        )

    # ------------------------------------------------------------------
    # Computes and searches
    # ------------------------------------------------------------------
    @api.depends("state", "late")
    def _compute_compliance(self):
        for line in self:
            line.compliance = 100.0 if line.state == "reached" and not line.late else 0.0

    @api.model
    def _warning_delta(self, company):
        hours = self.env["res.company"]._aftersales_sla_warning_hours().get(company.id) or 0.0
        return timedelta(hours=hours)

    def _compute_status(self):
        now = fields.Datetime.now()
        for line in self:
            if line.state == "cancelled":
                line.status = False
                continue
            status = sla.status(
                line.deadline or None,
                line.reached_on or None,
                now,
                self._warning_delta(line.company_id),
            )
            if line.late and status != sla.BREACHED:
                status = sla.BREACHED
            line.status = status

    @api.model
    def _status_domain(self, value, now=None):
        """Domain of the SLA lines in status `value`, on stored, indexed
        fields only (no job needs to run first)."""
        now = now or fields.Datetime.now()
        if value == sla.BREACHED:
            return [
                "|",
                ("late", "=", True),
                "&",
                ("state", "=", "running"),
                ("deadline", "<=", now),
            ]
        if value == sla.REACHED:
            return [("state", "=", "reached"), ("late", "=", False)]
        at_risk = []
        for company in self.env.companies:
            limit = now + self._warning_delta(company)
            at_risk = ["|", *at_risk] if at_risk else at_risk
            at_risk += ["&", ("company_id", "=", company.id), ("deadline", "<=", limit)]
        open_in_time = [
            ("state", "in", ("running", "paused")),
            ("late", "=", False),
            "|",
            ("deadline", "=", False),
            ("deadline", ">", now),
        ]
        if value == sla.AT_RISK:
            return [("state", "=", "running"), ("deadline", ">", now), ("late", "=", False)] + (
                at_risk or [(0, "=", 1)]
            )
        if value == sla.ON_TRACK:
            return [*open_in_time, "!", *(at_risk or [(0, "=", 1)])]
        return [(0, "=", 1)]

    def _search_status(self, operator, value):
        if operator == "=":
            return self._status_domain(value)
        if operator == "in":
            domain = []
            for v in value:
                domain = (
                    ["|", *domain, *self._status_domain(v)] if domain else self._status_domain(v)
                )
            return domain or [(0, "=", 1)]
        return NotImplemented

    # ------------------------------------------------------------------
    # Clock
    # ------------------------------------------------------------------
    @api.model
    def _calendar_intervals(self, calendar, start, end, company=None):
        """Working intervals of `calendar` between two naive UTC datetimes, in
        UTC, with its public holidays (the calendar's own time zone rules) of
        `company` only: without a resource, Odoo would also take the
        holidays other companies put on no calendar."""
        company = company or calendar.company_id or self.env.company
        domain = [("time_type", "=", "leave"), ("company_id", "in", [False, company.id])]
        intervals = calendar._work_intervals_batch(
            _utc(start), _utc(end), domain=domain, compute_leaves=True
        )[False]
        return [(begin.astimezone(UTC), stop.astimezone(UTC)) for begin, stop, _ in intervals]

    def _plan_deadlines(self):
        """Compute the deadline of the running lines of `self`, fetching the
        working intervals once per calendar for the whole batch."""
        running = self.filtered(lambda line: line.state == "running" and line.clock_start)
        by_calendar = defaultdict(list)
        for line in running:
            by_calendar[line.calendar_id, line.company_id].append(line)
        deadlines = {}
        for (calendar, company), lines in by_calendar.items():
            start = min(line.clock_start for line in lines)
            latest = max(line.clock_start for line in lines)
            needed = max(line.hours - line.consumed_hours for line in lines)
            horizon = timedelta(days=14 + int(needed / 2))
            todo = lines
            while todo:
                end = latest + horizon
                intervals = self._calendar_intervals(calendar, start, end, company)
                left = []
                for line in todo:
                    remaining = max(line.hours - line.consumed_hours, 0.0)
                    found = sla.plan(intervals, _utc(line.clock_start), remaining)
                    if found is None:
                        left.append(line)
                    else:
                        deadlines[line] = _naive(found)
                todo = left
                if todo and horizon >= MAX_HORIZON:
                    _logger.warning(
                        "Working hours %s have no working time in %s days: "
                        "%s SLA target(s) without a deadline.",
                        calendar.display_name,
                        MAX_HORIZON.days,
                        len(todo),
                    )
                    break
                horizon *= 2
        by_value = defaultdict(lambda: self.browse())
        for line, deadline in deadlines.items():
            by_value[deadline] |= line
        for deadline, lines in by_value.items():
            lines.deadline = deadline
        if deadlines:
            self._schedule_escalation(set(deadlines.values()))

    @api.model
    def _schedule_escalation(self, deadlines):
        """Wake the escalation job at each future deadline (R1-R5: no job
        scans the tickets to find breaches)."""
        cron_id = self.env["ir.model.data"]._xmlid_to_res_id(
            "aftersales_service.aftersales_ticket_sla_cron_escalate", raise_if_not_found=False
        )
        now = fields.Datetime.now()
        # Deadlines already past (a letter registered late) wake it at once.
        at_list = sorted({max(d, now) for d in deadlines})
        if cron_id and at_list:
            # What ir.cron._trigger_list() does for future instants, without
            # reading the job first (one insert per batch of tickets).
            self.env["ir.cron.trigger"].sudo().create(
                [{"cron_id": cron_id, "call_at": at} for at in at_list]
            )

    def _start(self, now):
        """Start or resume the clock of `self` at `now`."""
        if not self:
            return
        self.write({"state": "running", "clock_start": now, "deadline": False})
        self._plan_deadlines()

    def _consume(self, now):
        """Add the working time since the clock started to the consumed time
        (one interval fetch per calendar)."""
        by_calendar = defaultdict(lambda: self.browse())
        for line in self.filtered(lambda line: line.state == "running" and line.clock_start):
            by_calendar[line.calendar_id, line.company_id] |= line
        for (calendar, company), lines in by_calendar.items():
            start = min(lines.mapped("clock_start"))
            if start >= now:
                continue
            intervals = self._calendar_intervals(calendar, start, now, company)
            for line in lines:
                line.consumed_hours += sla.worked(intervals, _utc(line.clock_start), _utc(now))

    def _mark_overdue(self, now):
        """Running lines past their deadline are breached for good, before a
        pause or a re-plan clears that deadline."""
        self.filtered(
            lambda line: line.state == "running" and line.deadline and line.deadline <= now
        ).write({"late": True})

    def _pause(self, now):
        running = self.filtered(lambda line: line.state == "running")
        running._mark_overdue(now)
        running._consume(now)
        running.write({"state": "paused", "clock_start": False, "deadline": False})

    def _reach(self, now):
        """Mark the open lines of `self` reached at `now`, keeping the working
        time they consumed (a reopened ticket continues from there)."""
        open_lines = self.filtered(lambda line: line.state in ("running", "paused"))
        open_lines._consume(now)
        late = open_lines.filtered(
            lambda line: line.late or (line.deadline and now > line.deadline)
        )
        values = {"state": "reached", "reached_on": now, "clock_start": False}
        late.write({**values, "late": True})
        (open_lines - late).write(values)

    def _reopen(self, now):
        """Restart reached lines at `now` with the working time they had
        consumed when they were reached."""
        reached = self.filtered(lambda line: line.state == "reached")
        reached.write({"reached_on": False})
        reached._start(now)

    def _cancel(self, now):
        """Stop the open lines of `self`, keeping the working time consumed
        (a reopened ticket continues from there)."""
        open_lines = self.filtered(lambda line: line.state in ("running", "paused"))
        open_lines._mark_overdue(now)
        open_lines._consume(now)
        open_lines.write({"state": "cancelled", "clock_start": False, "deadline": False})

    # ------------------------------------------------------------------
    # Escalation (woken at the deadlines)
    # ------------------------------------------------------------------
    @api.model
    def _due_domain(self, now):
        return [("state", "=", "running"), ("escalated", "=", False), ("deadline", "<=", now)]

    @api.model
    def _cron_escalate(self, now=None, batch_size=1000, time_budget=10.0):
        """Escalate the targets breached at `now`: each exactly once (the
        marker is written in the same transaction as the activity and the
        queued e-mail), in batches, skipping rows locked by users, within a
        time budget; what is left goes to the next run."""
        now = now or fields.Datetime.now()
        return run_in_batches(
            self,
            SQL("state = 'running' AND escalated IS NOT TRUE AND deadline <= %s", now),
            SQL("deadline, id"),
            lambda batch: batch._escalate(),
            batch_size,
            time_budget,
            lambda: self.search_count(self._due_domain(now)),
        )

    def _escalate(self):
        """Activity and e-mail to the escalation user of each breached
        ticket, then the marker (all in one transaction). Each user gets one
        e-mail per run listing their breached tickets (one ticket, usually,
        since the job is woken at each deadline)."""
        activity_type = self.env.ref("mail.mail_activity_data_todo")
        labels = dict(self._fields["target"]._description_selection(self.env))
        model_id = self.env["ir.model"]._get_id("aftersales.ticket")
        by_ticket = defaultdict(lambda: self.browse())
        for line in self:
            by_ticket[line.ticket_id] |= line
        activities = []
        by_user = defaultdict(lambda: self.env["aftersales.ticket"])
        for ticket, lines in by_ticket.items():
            user = ticket._sla_escalation_user(lines)
            if not user:
                # Marked all the same (else the job would find it again at
                # every run); the chatter and the log keep the breach.
                _logger.warning("SLA breach on %s: nobody to escalate to.", ticket.name)
                ticket.message_post(
                    body=self.env._(
                        "SLA deadline passed; no supervisor nor escalation user to warn "
                        "(Settings > After-Sales)."
                    )
                )
                continue
            targets = ", ".join(labels[line.target] for line in lines)
            activities.append(
                {
                    "res_model_id": model_id,
                    "res_id": ticket.id,
                    "activity_type_id": activity_type.id,
                    "user_id": user.id,
                    "summary": self.env._("SLA breached: %(targets)s", targets=targets),
                    "date_deadline": fields.Date.context_today(ticket),
                }
            )
            if user.partner_id.email:
                by_user[user] |= ticket
        if activities:
            # No "activity assigned" notice: the breach e-mail below says it.
            self.env["mail.activity"].sudo().with_context(mail_activity_quick_update=True).create(
                activities
            )
        if by_user:
            self.env["mail.mail"].sudo().create(
                [
                    self._prepare_breach_mail_vals(user, tickets, self)
                    for user, tickets in by_user.items()
                ]
            )
        self.write({"escalated": True, "late": True})

    @api.model
    def _prepare_breach_mail_vals(self, user, tickets, lines):
        """The breach e-mail to `user` about `tickets` (queued, not sent
        here: a retried transaction sends nothing twice, R6). Its body is the
        QWeb view aftersales_service.mail_sla_breach, rendered once."""
        company = tickets.company_id[:1]
        env = self.with_context(lang=user.lang, tz=company.partner_id.tz or "UTC").env
        body = env["ir.qweb"]._render(
            "aftersales_service.mail_sla_breach",
            {
                "tickets": tickets.with_env(env),
                "lines": lines.filtered(lambda line: line.ticket_id in tickets).with_env(env),
                "user": user,
                "base_url": tickets[0].get_base_url(),
            },
        )
        if len(tickets) == 1:
            subject = env._(
                "SLA breached: %(name)s %(title)s", name=tickets.name, title=tickets.title
            )
        else:
            subject = env._("SLA breached on %(count)s tickets", count=len(tickets))
        vals = {
            "subject": subject,
            "body_html": body,
            "email_from": company.email_formatted or self.env.user.email_formatted,
            "recipient_ids": [Command.set(user.partner_id.ids)],
            "auto_delete": True,
        }
        if len(tickets) == 1:
            vals.update(model="aftersales.ticket", res_id=tickets.id)
        return vals
