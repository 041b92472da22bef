from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL

from .aftersales_archive_entry import RUNNING_STATUSES
from .common import (
    assign_numbers,
    check_date_values,
    internal,
    is_internal,
    run_in_batches,
    state_label,
)

GROUP_USER = "aftersales_service.aftersales_service_group_user"
FOLLOWUP_STATES = [
    ("planned", "Planned"),
    ("done", "Done"),
    ("cancelled", "Cancelled"),
]
FOLLOWUP_MODES = [
    ("call", "Phone call"),
    ("visit", "Visit"),
    ("email", "E-mail"),
]
SATISFACTION = [
    ("1", "Unhappy"),
    ("2", "Neutral"),
    ("3", "Satisfied"),
    ("4", "Very satisfied"),
]
# Days ahead of its due date a follow-up is created (and its activity shown).
FOLLOWUP_LEAD_DAYS = 7
PROTECTED_FIELDS = {"state", "date_done", "ticket_id", "escalated", "agreement_id", "date_due"}


class AftersalesFollowup(models.Model):
    """A scheduled contact with the customer during the contract period (R2):
    from passive to active service."""

    _name = "aftersales.followup"
    _description = "Customer Follow-up"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "date_due desc, id desc"
    _check_company_auto = True

    name = fields.Char(
        string="Number", required=True, readonly=True, copy=False, default="/", index="trigram"
    )
    agreement_id = fields.Many2one(
        "aftersales.agreement",
        required=True,
        index=True,
        ondelete="restrict",
        check_company=True,
        readonly=True,
    )
    company_id = fields.Many2one(
        related="agreement_id.company_id", store=True, index=True, precompute=True
    )
    partner_id = fields.Many2one(
        related="agreement_id.partner_id", store=True, index=True, string="Customer"
    )
    archive_id = fields.Many2one("aftersales.archive", index="btree_not_null", check_company=True)
    user_id = fields.Many2one(
        "res.users",
        string="Assigned To",
        tracking=True,
        check_company=True,
        domain="[('share', '=', False)]",
    )
    mode = fields.Selection(FOLLOWUP_MODES, default="call", required=True, tracking=True)
    date_due = fields.Date(string="Due On", required=True, index=True, readonly=True)
    state = fields.Selection(
        FOLLOWUP_STATES, default="planned", required=True, readonly=True, tracking=True, index=True
    )
    date_done = fields.Date(string="Done On", readonly=True, copy=False)
    # --- Outcome -----------------------------------------------------------
    usage = fields.Text(help="How the customer uses the system.")
    running_status = fields.Selection(RUNNING_STATUSES, tracking=True)
    satisfaction = fields.Selection(SATISFACTION, tracking=True)
    remarks = fields.Text()
    ticket_id = fields.Many2one(
        "aftersales.ticket", string="Reported Problem", readonly=True, copy=False
    )
    escalated = fields.Boolean(readonly=True, copy=False)
    is_overdue = fields.Boolean(compute="_compute_is_overdue", search="_search_is_overdue")

    _sql_constraints = [
        # Exactly once per period (R3): a re-run after a crash cannot duplicate.
        (
            "agreement_due_uniq",
            "UNIQUE(agreement_id, date_due)",
            "This agreement already has a follow-up due on that day.",
        ),
    ]

    # ------------------------------------------------------------------
    # Computes
    # ------------------------------------------------------------------
    @api.depends("state", "date_due")
    def _compute_is_overdue(self):
        today = fields.Date.context_today(self)
        for followup in self:
            followup.is_overdue = followup.state == "planned" and followup.date_due < today

    def _search_is_overdue(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(self.env._("Unsupported search on overdue follow-ups."))
        domain = [("state", "=", "planned"), ("date_due", "<", fields.Date.context_today(self))]
        return domain if (operator == "=") == value else ["!", *domain]

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        if not is_internal(self):
            # Follow-ups come from the plan of an agreement (the planning job).
            raise UserError(
                self.env._("Follow-ups are planned from the follow-up plan of an agreement.")
            )
        for vals in vals_list:
            check_date_values(self, vals)
        assign_numbers(self, vals_list, "aftersales.followup")
        return super().create(vals_list)

    def write(self, vals):
        check_date_values(self, vals)
        if not is_internal(self):
            protected = PROTECTED_FIELDS & set(vals)
            if protected:
                raise UserError(
                    self.env._(
                        "%(fields)s of a follow-up change only through its buttons.",
                        fields=", ".join(
                            sorted(self._fields[n]._description_string(self.env) for n in protected)
                        ),
                    )
                )
            if self.filtered(lambda f: f.state != "planned"):
                raise UserError(self.env._("A follow-up that is done or cancelled is kept as is."))
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_planned(self):
        if self.filtered(lambda f: f.state == "done"):
            raise UserError(self.env._("Done follow-ups are part of the history: keep them."))

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def _check_user(self):
        if not self.env.user.has_group(GROUP_USER):
            raise AccessError(self.env._("Only After-Sales users record follow-ups."))

    def _check_planned(self):
        wrong = self.filtered(lambda f: f.state != "planned")
        if wrong:
            raise UserError(
                self.env._(
                    "Follow-up %(name)s is %(state)s: this cannot be done now.",
                    name=wrong[0].name,
                    state=state_label(wrong[0]),
                )
            )

    def action_done(self):
        """Record the outcome: the archive gets a status entry (R2, R4)."""
        self._check_user()
        self._check_planned()
        missing = self.filtered(lambda f: not f.running_status)
        if missing:
            raise UserError(
                self.env._(
                    "Say how the system runs before closing follow-up %(name)s.",
                    name=missing[0].name,
                )
            )
        today = fields.Date.context_today(self)
        internal(self).write({"state": "done", "date_done": today})
        self._write_archive_entries(today)
        self.activity_feedback(["mail.mail_activity_data_todo"])
        return True

    def action_cancel(self):
        self._check_user()
        self._check_planned()
        internal(self).write({"state": "cancelled"})
        self.activity_unlink(["mail.mail_activity_data_todo"])
        return True

    def action_report_problem(self):
        """The customer reports a problem: a repair ticket in one click."""
        self.ensure_one()
        self._check_user()
        if self.state == "cancelled":
            raise UserError(self.env._("This follow-up was cancelled."))
        if self.ticket_id:
            raise UserError(
                self.env._("A ticket was already opened: %(name)s.", name=self.ticket_id.name)
            )
        ticket = self.env["aftersales.ticket"].create(self._prepare_ticket_vals())
        internal(self).write({"ticket_id": ticket.id})
        self.message_post(body=self.env._("Problem reported: ticket %(name)s.", name=ticket.name))
        return ticket.get_formview_action()

    def _prepare_ticket_vals(self):
        self.ensure_one()
        return {
            "title": self.env._("Reported at follow-up %(name)s", name=self.name),
            "partner_id": self.partner_id.id,
            "company_id": self.company_id.id,
            "channel": "email" if self.mode == "email" else "phone",
            "symptoms": self.remarks or self.usage or False,
            "archive_id": self.archive_id.id,
        }

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------
    def _write_archive_entries(self, date):
        vals_list = []
        labels = dict(self._fields["satisfaction"]._description_selection(self.env))
        for followup in self.filtered("archive_id"):
            lines = [
                self.env._("Follow-up %(name)s", name=followup.name),
                followup.usage or "",
                followup.remarks or "",
            ]
            if followup.satisfaction:
                lines.append(
                    self.env._("Satisfaction: %(level)s", level=labels[followup.satisfaction])
                )
            vals_list.append(
                {
                    "archive_id": followup.archive_id.id,
                    "date": date,
                    "kind": "status",
                    "running_status": followup.running_status,
                    "description": "\n".join(line for line in lines if line),
                    "followup_id": followup.id,
                }
            )
        if vals_list:
            self.env["aftersales.archive"]._add_entries(vals_list)

    # ------------------------------------------------------------------
    # Crons
    # ------------------------------------------------------------------
    @api.model
    def _cron_plan(self, date_ref=None, batch_size=1000, time_budget=10.0):
        """Create the follow-ups due within the lead time of active agreements,
        each exactly once: the agreement's next due date (the marker) moves
        on in the same transaction, and (agreement, due date) is unique. In
        batches, skipping agreements locked by users, within a time budget."""
        date_ref = date_ref or fields.Date.context_today(self)
        horizon = date_ref + timedelta(days=FOLLOWUP_LEAD_DAYS)
        Agreement = self.env["aftersales.agreement"]
        return run_in_batches(
            Agreement,
            SQL("state = 'active' AND active AND followup_next_date <= %s", horizon),
            SQL("followup_next_date, id"),
            lambda batch: batch._plan_followups(horizon),
            batch_size,
            time_budget,
            lambda: Agreement.search_count(
                [("state", "=", "active"), ("followup_next_date", "<=", horizon)]
            ),
        )

    @api.model
    def _cron_escalate(self, date_ref=None, batch_size=1000, time_budget=10.0):
        """Overdue follow-ups go to the manager, once each (the marker is
        written with the activity)."""
        date_ref = date_ref or fields.Date.context_today(self)
        return run_in_batches(
            self,
            SQL("state = 'planned' AND escalated IS NOT TRUE AND date_due < %s", date_ref),
            SQL("date_due, id"),
            lambda batch: batch._escalate(),
            batch_size,
            time_budget,
            lambda: self.search_count(
                [("state", "=", "planned"), ("escalated", "=", False), ("date_due", "<", date_ref)]
            ),
        )

    def _escalation_user(self):
        self.ensure_one()
        return self.company_id.aftersales_escalation_user_id or self.agreement_id.user_id

    def _escalate(self):
        for followup in self:
            user = followup._escalation_user()
            if user:
                followup.activity_schedule(
                    "mail.mail_activity_data_warning",
                    user_id=user.id,
                    summary=self.env._("Overdue follow-up"),
                    note=self.env._(
                        "Follow-up %(name)s with %(customer)s was due on %(date)s.",
                        name=followup.name,
                        customer=followup.partner_id.display_name,
                        date=followup.date_due,
                    ),
                )
            else:
                followup.message_post(body=self.env._("Overdue, and nobody to escalate it to."))
        internal(self).write({"escalated": True})
