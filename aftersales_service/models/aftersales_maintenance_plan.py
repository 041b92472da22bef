from datetime import datetime, timedelta
from datetime import time as dtime

import pytz

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL

from ..tools import periods
from .common import check_date_values, internal, negative_in, run_in_batches

TECHNICIAN_GROUP = "aftersales_service.aftersales_service_group_technician"
VISIT_HOURS = 2
VISIT_HOUR = 9  # local time of the planned preventive visit


class AftersalesMaintenancePlan(models.Model):
    """Periodic preventive maintenance of a unit in warranty, or of the units
    of an agreement (R6): visits every N months until the end of the warranty
    or of the agreement, generated ahead of time."""

    _name = "aftersales.maintenance.plan"
    _description = "Preventive Maintenance Plan"
    _inherit = ["mail.thread"]
    _order = "next_date, id"
    _check_company_auto = True

    name = fields.Char(required=True, tracking=True)
    active = fields.Boolean(default=True, tracking=True)
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    agreement_id = fields.Many2one(
        "aftersales.agreement", index="btree_not_null", check_company=True, tracking=True
    )
    warranty_id = fields.Many2one(
        "aftersales.warranty", index="btree_not_null", check_company=True, tracking=True
    )
    partner_id = fields.Many2one(
        "res.partner", compute="_compute_scope", store=True, string="Customer"
    )
    date_start = fields.Date(
        string="From", required=True, tracking=True, help="The visits come every interval after it."
    )
    date_end = fields.Date(
        string="Until",
        compute="_compute_scope",
        store=True,
        help="The end of the warranty or of the agreement (the last visit may fall on it).",
    )
    interval_months = fields.Integer(string="Every (Months)", default=6, required=True)
    lead_days = fields.Integer(
        string="Planned Days Ahead",
        default=14,
        required=True,
        help="Visits are created this many days before they are due.",
    )
    technician_id = fields.Many2one(
        "res.users",
        check_company=True,
        domain=lambda self: [("groups_id", "in", self.env.ref(TECHNICIAN_GROUP).ids)],
    )
    next_date = fields.Date(string="Next Visit", readonly=True, copy=False, index=True)
    ticket_ids = fields.One2many("aftersales.ticket", "maintenance_plan_id", string="Visits")
    ticket_count = fields.Integer(compute="_compute_ticket_count")
    note = fields.Text(string="Work to Do")

    _sql_constraints = [
        ("interval_positive", "CHECK(interval_months > 0)", "The interval must be positive."),
        ("lead_positive", "CHECK(lead_days >= 0)", "Days ahead cannot be negative."),
        (
            "scope",
            "CHECK((agreement_id IS NULL) != (warranty_id IS NULL))",
            "A maintenance plan is for one agreement or one unit.",
        ),
    ]

    def init(self):
        # Exactly one preventive visit per plan and due date (R3), whatever
        # crashes and re-runs happen.
        self.env.cr.execute(
            SQL(
                "CREATE UNIQUE INDEX IF NOT EXISTS aftersales_ticket_maintenance_due_uniq "
                "ON aftersales_ticket (maintenance_plan_id, maintenance_due) "
                "WHERE maintenance_plan_id IS NOT NULL"
            )
        )

    # ------------------------------------------------------------------
    # Computes and constraints
    # ------------------------------------------------------------------
    @api.depends("agreement_id.partner_id", "agreement_id.date_end", "warranty_id.date_end")
    def _compute_scope(self):
        for plan in self:
            source = plan.agreement_id or plan.warranty_id
            plan.partner_id = source.partner_id
            plan.date_end = source.date_end

    def _compute_ticket_count(self):
        counts = dict(
            self.env["aftersales.ticket"]._read_group(
                [("maintenance_plan_id", "in", self.ids)], ["maintenance_plan_id"], ["__count"]
            )
        )
        for plan in self:
            plan.ticket_count = counts.get(plan, 0)

    @api.constrains("agreement_id", "warranty_id")
    def _check_scope(self):
        for plan in self:
            if bool(plan.agreement_id) == bool(plan.warranty_id):
                self._raise_scope()

    def _raise_scope(self):
        raise ValidationError(self.env._("A maintenance plan is for one agreement or one unit."))

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------
    def _check_values(self, vals):
        if negative_in(vals, ("interval_months",), strict=True):
            raise ValidationError(self.env._("The interval must be positive."))
        if negative_in(vals, ("lead_days",)):
            raise ValidationError(self.env._("Days ahead cannot be negative."))

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            check_date_values(self, vals)
            self._check_values(vals)
            if bool(vals.get("agreement_id")) == bool(vals.get("warranty_id")):
                self._raise_scope()
        plans = super().create(vals_list)
        plans._reset_next_date()
        return plans

    def write(self, vals):
        check_date_values(self, vals)
        self._check_values(vals)
        if {"agreement_id", "warranty_id"} & set(vals):
            for plan in self:
                agreement = vals.get("agreement_id", plan.agreement_id.id)
                warranty = vals.get("warranty_id", plan.warranty_id.id)
                if bool(agreement) == bool(warranty):
                    self._raise_scope()
        result = super().write(vals)
        if {"date_start", "interval_months", "agreement_id", "warranty_id"} & set(vals):
            self._reset_next_date()
        return result

    def _reset_next_date(self):
        """The next visit after the last one generated, from today on (a plan
        set up late does not generate the visits already past)."""
        yesterday = fields.Date.context_today(self) - timedelta(days=1)
        last = dict(
            self.env["aftersales.ticket"]
            .sudo()
            ._read_group(
                [("maintenance_plan_id", "in", self.ids)],
                ["maintenance_plan_id"],
                ["maintenance_due:max"],
            )
        )
        for plan in self:
            after = max(last.get(plan) or yesterday, yesterday)
            plan.sudo().next_date = (
                periods.next_due(
                    plan.date_start, plan.interval_months, "month", after, plan.date_end
                )
                or False
            )

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_view_tickets(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "aftersales_service.aftersales_ticket_action"
        )
        action["domain"] = [("maintenance_plan_id", "=", self.id)]
        action["context"] = {}
        return action

    # ------------------------------------------------------------------
    # Cron
    # ------------------------------------------------------------------
    @api.model
    def _cron_generate(self, date_ref=None, batch_size=1000, time_budget=10.0):
        """Generate the preventive tickets and draft dispatches due within
        each plan's lead time: each exactly once (the plan's next date moves
        on in the same transaction; plan and due date are unique on tickets),
        in batches, skipping plans locked by users, within a time budget."""
        date_ref = date_ref or fields.Date.context_today(self)
        due = SQL("active AND next_date - lead_days <= %s", date_ref)

        def count_left():
            self.env.cr.execute(
                SQL("SELECT count(*) FROM aftersales_maintenance_plan WHERE %s", due)
            )
            return self.env.cr.fetchone()[0]

        return run_in_batches(
            self,
            due,
            SQL("next_date, id"),
            lambda batch: batch._generate_visits(date_ref),
            batch_size,
            time_budget,
            count_left,
        )

    def _generate_visits(self, date_ref):
        """The visits of `self` due up to date_ref + lead time, then the next
        date of each plan after them."""
        todo = []
        for plan in self:
            horizon = date_ref + timedelta(days=plan.lead_days)
            dues = []
            due = plan.next_date
            while due and due <= horizon:
                dues.append(due)
                due = periods.next_due(
                    plan.date_start, plan.interval_months, "month", due, plan.date_end
                )
            todo.extend((plan, d) for d in dues)
            plan.next_date = due or False
        if not todo:
            return self.env["aftersales.ticket"]
        archives = self._archives()
        # Generated in bulk by a job: no "created" message nor e-mail per
        # record (the dispatch calendar and the tickets' list show them).
        bulk = self.env(
            su=True,
            context=dict(
                self.env.context,
                mail_create_nolog=True,
                mail_create_nosubscribe=True,
                mail_auto_subscribe_no_notify=True,
            ),
        )
        tickets = internal(bulk["aftersales.ticket"]).create(
            [plan._prepare_ticket_vals(due, archives[plan]) for plan, due in todo]
        )
        internal(bulk["aftersales.dispatch"]).create(
            [
                plan._prepare_dispatch_vals(ticket, due)
                for ticket, (plan, due) in zip(tickets, todo, strict=True)
            ]
        )
        return tickets

    def _archives(self):
        """{plan: archive of its system (or no record)}, in two queries for
        all plans."""
        Archive = self.env["aftersales.archive"].sudo()
        by_agreement = {
            archive.agreement_id: archive
            for archive in Archive.search([("agreement_id", "in", self.agreement_id.ids)])
        }
        by_unit = {}
        if self.warranty_id:
            for archive in Archive.search([("warranty_ids", "in", self.warranty_id.ids)]):
                for unit in archive.warranty_ids:
                    by_unit.setdefault(unit, archive)
        return {
            plan: by_agreement.get(plan.agreement_id) or by_unit.get(plan.warranty_id) or Archive
            for plan in self
        }

    def _prepare_ticket_vals(self, due, archive=None):
        """The preventive visit's ticket, with its category set as a
        supervisor's, with the reason (R6, R8): free in warranty, contract
        under an agreement, whatever the coverage lookup finds on the day."""
        self.ensure_one()
        if archive is None:
            archive = self._archives()[self]
        lot = self.warranty_id.lot_id or self.agreement_id.line_ids.lot_id[:1]
        return {
            "title": self.env._("Preventive maintenance: %(plan)s", plan=self.name),
            "partner_id": self.partner_id.id,
            "company_id": self.company_id.id,
            "lot_id": lot.id or False,
            "product_id": (self.warranty_id.product_id or lot.product_id).id or False,
            "symptoms": self.note or False,
            "maintenance_plan_id": self.id,
            "maintenance_due": due,
            "archive_id": archive.id or False,
            **self._prepare_category_vals(),
        }

    def _prepare_category_vals(self):
        self.ensure_one()
        if self.warranty_id:
            category = "free"
            reason = self.env._("Preventive maintenance in warranty (%(plan)s).", plan=self.name)
        else:
            category = "contract"
            reason = self.env._(
                "Preventive maintenance under agreement %(agreement)s.",
                agreement=self.agreement_id.name,
            )
        return {"category_override": category, "category_override_reason": reason}

    def _prepare_dispatch_vals(self, ticket, due):
        self.ensure_one()
        tz = pytz.timezone(self.company_id.partner_id.tz or "UTC")
        local = tz.localize(datetime.combine(due, dtime(VISIT_HOUR)))
        start = local.astimezone(pytz.utc).replace(tzinfo=None)
        return {
            "ticket_id": ticket.id,
            "technician_id": self.technician_id.id or False,
            "date_start": start,
            "date_end": start + timedelta(hours=VISIT_HOURS),
            "instructions": self.note or False,
        }
