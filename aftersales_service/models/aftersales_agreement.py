from collections import defaultdict

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..tools import periods
from .common import check_date_values, internal, is_internal, public

AGREEMENT_STATES = [
    ("draft", "Draft"),
    ("active", "Active"),
    ("expired", "Expired"),
    ("terminated", "Terminated"),
]

# The commercial terms: locked once the customer has signed (R1). Changes
# then need an amendment, i.e. a new version with a reason.
LOCKED_FIELDS = {
    "partner_id",
    "company_id",
    "contract_ref",
    "date_start",
    "date_end",
    "line_ids",
    "response_hours",
    "onsite_hours",
    "resolution_hours",
    "calendar_id",
    "fee_card_id",
    "included_visits",
    "parts_included",
    "visits_per_year",
    "followup_interval",
    "followup_unit",
    "trainings_included",
    "terms",
}
SIGNATURE_FIELDS = {"signature", "signed_by", "signed_on"}
# Written only by the module's own actions (state machine, signature,
# versions), never directly by a client: a plain write of these fields would
# skip the guards of the actions.
PROTECTED_FIELDS = SIGNATURE_FIELDS | {
    "state",
    "followup_next_date",
    "is_signed",
    "previous_id",
    "version",
    "change_type",
    "change_reason",
}


class AftersalesAgreement(models.Model):
    """Service-guarantee agreement signed with a sale or engineering contract (R1)."""

    _name = "aftersales.agreement"
    _description = "Service Agreement"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "date_start desc, id desc"
    _check_company_auto = True

    # --- Identification --------------------------------------------------
    name = fields.Char(
        string="Number", required=True, readonly=True, copy=False, default="/", index="trigram"
    )
    active = fields.Boolean(default=True, tracking=True)
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        required=True,
        index=True,
        tracking=True,
        check_company=True,
        ondelete="restrict",
        domain="[('parent_id', '=', False)]",
        help="The customer as a whole: a company, or a person without a company.",
    )
    user_id = fields.Many2one(
        "res.users",
        string="Responsible",
        tracking=True,
        check_company=True,
        default=lambda self: self.env.user,
        domain="[('share', '=', False)]",
    )
    contract_ref = fields.Char(
        string="Contract Reference", tracking=True, help="The sale or engineering contract."
    )
    state = fields.Selection(
        AGREEMENT_STATES,
        default="draft",
        required=True,
        readonly=True,
        copy=False,
        tracking=True,
        index=True,
    )
    date_start = fields.Date(string="Start", required=True, tracking=True)
    date_end = fields.Date(string="End", required=True, tracking=True, index=True)
    line_ids = fields.One2many(
        "aftersales.agreement.line", "agreement_id", string="Covered Units", copy=True
    )

    # --- Commitments (realistic and explicit) ---------------------------
    response_hours = fields.Float(
        string="Response Time (h)", tracking=True, help="Working hours to answer a request."
    )
    onsite_hours = fields.Float(
        string="On-Site Time (h)", tracking=True, help="Working hours to be on site."
    )
    resolution_hours = fields.Float(
        string="Resolution Time (h)", tracking=True, help="Working hours to resolve."
    )
    fee_card_id = fields.Many2one(
        "aftersales.fee.card",
        check_company=True,
        tracking=True,
        help="Contract prices: extra work under this agreement is priced from this card "
        "instead of the company's default.",
    )
    included_visits = fields.Integer(
        string="Repair Visits Included / Year",
        tracking=True,
        help="Contract service: this many repair visits per agreement year carry no "
        "call-out, labour or travel charge; further visits are billed at the agreement's "
        "fee card.",
    )
    parts_included = fields.Boolean(
        string="Spare Parts Included",
        tracking=True,
        help="Contract service: spare parts used in included visits are not billed.",
    )
    calendar_id = fields.Many2one(
        "resource.calendar",
        string="Working Hours",
        tracking=True,
        check_company=True,
        help="The hours the time commitments count in (with public holidays). "
        "Empty: the SLA policy's, else the company's.",
    )
    visits_per_year = fields.Integer(string="Preventive Visits / Year", tracking=True)
    followup_interval = fields.Integer(string="Follow-up Every", tracking=True)
    followup_unit = fields.Selection(
        [("week", "Weeks"), ("month", "Months")], default="month", required=True
    )
    trainings_included = fields.Integer(tracking=True)
    terms = fields.Html(string="Terms and Conditions")

    # --- Signature ------------------------------------------------------
    signature = fields.Image(copy=False, attachment=True, max_width=1024, max_height=1024)
    signed_by = fields.Char(copy=False, tracking=True)
    signed_on = fields.Datetime(copy=False, tracking=True, readonly=True)
    is_signed = fields.Boolean(compute="_compute_is_signed", store=True)

    # --- Versions -------------------------------------------------------
    previous_id = fields.Many2one(
        "aftersales.agreement",
        string="Replaces",
        readonly=True,
        copy=False,
        index="btree_not_null",
        check_company=True,
    )
    next_ids = fields.One2many("aftersales.agreement", "previous_id", string="Replaced By")
    version = fields.Integer(default=1, readonly=True, copy=False)
    change_reason = fields.Text(
        string="Reason of the Change",
        readonly=True,
        copy=False,
        help="Why this version replaces the previous one (amendment or renewal).",
    )
    change_type = fields.Selection(
        [("amendment", "Amendment"), ("renewal", "Renewal")], readonly=True, copy=False
    )
    warranty_count = fields.Integer(compute="_compute_warranty_count")

    # --- What can be done now (drives the buttons) ----------------------
    can_sign = fields.Boolean(compute="_compute_can")
    can_activate = fields.Boolean(compute="_compute_can")
    can_amend = fields.Boolean(compute="_compute_can")
    can_renew = fields.Boolean(compute="_compute_can")
    can_terminate = fields.Boolean(compute="_compute_can")
    can_reset = fields.Boolean(compute="_compute_can")

    # --- Proactive service (R2-R6) ---------------------------------------
    followup_mode = fields.Selection(
        [("call", "Phone call"), ("visit", "Visit"), ("email", "E-mail")],
        string="Follow-up By",
        default="call",
        required=True,
        tracking=True,
    )
    followup_user_id = fields.Many2one(
        "res.users",
        string="Follow-ups Assigned To",
        tracking=True,
        check_company=True,
        domain="[('share', '=', False)]",
        help="Empty: the agreement's responsible.",
    )
    followup_next_date = fields.Date(
        string="Next Follow-up",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="The due date of the next follow-up the planning job creates.",
    )
    followup_ids = fields.One2many("aftersales.followup", "agreement_id", string="Follow-ups")
    followup_count = fields.Integer(compute="_compute_proactive_counts")
    archive_ids = fields.One2many("aftersales.archive", "agreement_id", string="Archives")
    maintenance_plan_ids = fields.One2many(
        "aftersales.maintenance.plan", "agreement_id", string="Maintenance Plans"
    )
    training_ids = fields.One2many("aftersales.training", "agreement_id", string="Trainings")
    trainings_used = fields.Integer(compute="_compute_proactive_counts")
    trainings_remaining = fields.Integer(compute="_compute_proactive_counts")

    _sql_constraints = [
        (
            "dates_order",
            "CHECK(date_end >= date_start)",
            "An agreement cannot end before it starts.",
        ),
        (
            "commitments_positive",
            (
                "CHECK(response_hours >= 0 AND onsite_hours >= 0 AND resolution_hours >= 0 "
                "AND visits_per_year >= 0 AND followup_interval >= 0 "
                "AND trainings_included >= 0 AND included_visits >= 0)"
            ),
            "Commitments cannot be negative.",
        ),
    ]

    # ------------------------------------------------------------------
    # Computes
    # ------------------------------------------------------------------
    @api.depends("signed_on")
    def _compute_is_signed(self):
        for agreement in self:
            agreement.is_signed = bool(agreement.signed_on)

    @api.depends("state", "is_signed", "next_ids.state")
    def _compute_can(self):
        for agreement in self:
            allowed = {
                action for action, states in self._TRANSITIONS.items() if agreement.state in states
            }
            pending = agreement.next_ids.filtered(lambda a: a.state == "draft")
            signed = agreement.is_signed
            agreement.can_sign = "sign" in allowed and not signed
            agreement.can_activate = "activate" in allowed and signed
            agreement.can_amend = "amend" in allowed and signed and not pending
            agreement.can_renew = "renew" in allowed and not pending
            agreement.can_terminate = "terminate" in allowed
            agreement.can_reset = "reset" in allowed and not signed

    def _compute_warranty_count(self):
        lots = self.line_ids.lot_id
        counts = dict(
            self.env["aftersales.warranty"]._read_group(
                [("lot_id", "in", lots.ids), ("void", "=", False)], ["lot_id"], ["__count"]
            )
        )
        for agreement in self:
            agreement.warranty_count = sum(counts.get(lot, 0) for lot in agreement.line_ids.lot_id)

    # ------------------------------------------------------------------
    # Constraints
    # ------------------------------------------------------------------
    @api.constrains("date_start", "date_end")
    def _check_dates(self):
        for agreement in self:
            if agreement.date_end < agreement.date_start:
                raise ValidationError(self.env._("An agreement cannot end before it starts."))

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------
    def _commercial_partner_vals(self, vals):
        """Agreements are with the customer as a whole (its commercial entity)."""
        if vals.get("partner_id"):
            partner = self.env["res.partner"].browse(vals["partner_id"])
            vals["partner_id"] = partner.commercial_partner_id.id
        return vals

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            check_date_values(self, vals)
            self._commercial_partner_vals(vals)
            if vals.get("name", "/") == "/":
                company = self.env["res.company"].browse(vals.get("company_id")) or self.env.company
                vals["name"] = (
                    self.env["ir.sequence"]
                    .with_company(company)
                    .next_by_code("aftersales.agreement")
                    or "/"
                )
            if PROTECTED_FIELDS & set(vals) and not is_internal(self):
                self._raise_protected(PROTECTED_FIELDS & set(vals))
        return super().create(vals_list)

    def write(self, vals):
        check_date_values(self, vals)
        if not is_internal(self):
            if PROTECTED_FIELDS & set(vals):
                self._raise_protected(PROTECTED_FIELDS & set(vals))
            if LOCKED_FIELDS & set(vals) and self.filtered("is_signed"):
                self._raise_locked()
        return super().write(self._commercial_partner_vals(vals))

    def _raise_protected(self, names):
        if names & SIGNATURE_FIELDS:
            raise UserError(
                self.env._("An agreement is signed with its Sign button, and only once.")
            )
        raise UserError(
            self.env._(
                "%(fields)s of an agreement change only through its buttons "
                "(Sign, Activate, Amend, Renew, Terminate).",
                fields=", ".join(
                    sorted(self._fields[n]._description_string(self.env) for n in names)
                ),
            )
        )

    def _raise_locked(self):
        raise UserError(
            self.env._(
                "Agreement %(name)s is signed: its terms are locked. Amend it to "
                "change them (a new version, with the reason recorded).",
                name=self.filtered("is_signed")[:1].name,
            )
        )

    @api.ondelete(at_uninstall=False)
    def _unlink_never(self):
        raise UserError(
            self.env._(
                "Agreements are never deleted: archive the agreement instead, or terminate it."
            )
        )

    # ------------------------------------------------------------------
    # State machine: transitions, guards, and the buttons that use them
    # ------------------------------------------------------------------
    # action -> states it may start from
    _TRANSITIONS = {
        "sign": ("draft",),
        "activate": ("draft",),
        "terminate": ("active",),
        "expire": ("active",),
        "amend": ("draft", "active"),
        "renew": ("active", "expired"),
        "reset": ("terminated",),
    }

    def _check_state_for(self, action):
        allowed = self._TRANSITIONS[action]
        wrong = self.filtered(lambda a: a.state not in allowed)
        if wrong:
            states = dict(self._fields["state"]._description_selection(self.env))
            raise UserError(
                self.env._(
                    "Agreement %(name)s is %(state)s: this cannot be done now.",
                    name=wrong[0].name,
                    state=states[wrong[0].state],
                )
            )

    def _check_manager(self):
        if not self.env.user.has_group("aftersales_service.aftersales_service_group_user"):
            raise UserError(self.env._("Only After-Sales users can change agreements."))

    def _check_can_sign(self):
        self._check_manager()
        self._check_state_for("sign")
        if self.filtered("is_signed"):
            raise UserError(self.env._("This agreement is already signed."))

    def _check_can_activate(self):
        self._check_manager()
        self._check_state_for("activate")
        unsigned = self.filtered(lambda a: not a.is_signed)
        if unsigned:
            raise UserError(
                self.env._(
                    "Agreement %(name)s must be signed by the customer before it is activated.",
                    name=unsigned[0].name,
                )
            )

    def action_open_sign_wizard(self):
        self.ensure_one()
        self._check_can_sign()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Sign Agreement"),
            "res_model": "aftersales.agreement.sign",
            "view_mode": "form",
            "target": "new",
            "context": {"default_agreement_id": self.id},
        }

    def _action_sign(self, signature, signed_by):
        self.ensure_one()
        self._check_can_sign()
        if not signature or not (signed_by or "").strip():
            raise UserError(self.env._("The signature and the signer's name are both required."))
        internal(self).write(
            {
                "signature": signature,
                "signed_by": signed_by.strip(),
                "signed_on": fields.Datetime.now(),
            }
        )
        self.message_post(body=self.env._("Agreement signed by %(who)s.", who=signed_by.strip()))

    def action_activate(self):
        self._check_can_activate()
        for agreement in self:
            previous = agreement.previous_id
            if previous and previous.partner_id != agreement.partner_id:
                raise UserError(
                    self.env._(
                        "%(new)s cannot replace %(old)s: they are for different customers.",
                        new=agreement.name,
                        old=previous.name,
                    )
                )
            # An amendment replaces its predecessor at once; a renewal takes
            # over when the previous period ends (the expiry cron ends it).
            replaces = agreement.change_type == "amendment"
            if previous and replaces and previous.state in ("draft", "active"):
                internal(previous).write({"state": "terminated"})
                previous.message_post(
                    body=self.env._("Replaced by the amendment %(name)s.", name=agreement.name)
                )
        internal(self).write({"state": "active"})
        self._start_proactive_service()
        return True

    def action_terminate(self):
        self._check_manager()
        self._check_state_for("terminate")
        internal(self).write({"state": "terminated"})
        return True

    def action_reset_to_draft(self):
        """A terminated agreement that was never signed can be reworked."""
        self._check_manager()
        self._check_state_for("reset")
        if self.filtered("is_signed"):
            raise UserError(self.env._("A signed agreement cannot return to draft: amend it."))
        internal(self).write({"state": "draft"})
        return True

    def action_open_amend_wizard(self):
        self.ensure_one()
        self._check_manager()
        self._check_state_for("amend")
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Amend Agreement"),
            "res_model": "aftersales.agreement.amend",
            "view_mode": "form",
            "target": "new",
            "context": {"default_agreement_id": self.id},
        }

    def _action_new_version(self, change_type, reason):
        """A draft copy that will replace this agreement when activated."""
        self.ensure_one()
        self._check_manager()
        self._check_state_for("amend" if change_type == "amendment" else "renew")
        if change_type == "amendment" and not self.is_signed:
            raise UserError(self.env._("An unsigned agreement is changed directly, not amended."))
        pending = self.next_ids.filtered(lambda a: a.state == "draft")
        if pending:
            raise UserError(
                self.env._(
                    "%(name)s already has a new version in preparation: %(new)s.",
                    name=self.name,
                    new=pending[0].name,
                )
            )
        reason = (reason or "").strip()
        if not reason:
            raise UserError(self.env._("Give the reason for the change."))
        vals = self._prepare_new_version_vals(change_type, reason)
        new = public(internal(self).copy(vals))
        self.message_post(
            body=self.env._(
                "%(type)s %(name)s prepared: %(reason)s",
                type=dict(self._fields["change_type"].selection)[change_type],
                name=new.name,
                reason=reason,
            )
        )
        return new

    def _prepare_new_version_vals(self, change_type, reason):
        vals = {
            "previous_id": self.id,
            "version": self.version + 1,
            "change_type": change_type,
            "change_reason": reason,
        }
        if change_type == "renewal":
            length = relativedelta(self.date_end, self.date_start)
            start = self.date_end + relativedelta(days=1)
            vals.update(date_start=start, date_end=start + length)
        return vals

    def action_renew(self):
        self.ensure_one()
        new = self._action_new_version("renewal", self.env._("Renewal of %(n)s", n=self.name))
        return new.get_formview_action()

    def action_view_warranties(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "aftersales_service.aftersales_warranty_action"
        )
        action["domain"] = [("lot_id", "in", self.line_ids.lot_id.ids)]
        return action

    # ------------------------------------------------------------------
    # Crons
    # ------------------------------------------------------------------
    @api.model
    def _cron_expire(self, date_ref=None, batch_size=1000):
        """Active agreements past their end become expired; in batches."""
        date_ref = date_ref or fields.Date.context_today(
            self.with_context(tz=self.env.company.partner_id.tz or "UTC")
        )
        domain = [("state", "=", "active"), ("date_end", "<", date_ref)]
        agreements = self.search(domain, limit=batch_size)
        internal(agreements).write({"state": "expired"})
        remaining = self.search_count(domain) if len(agreements) == batch_size else 0
        self.env["ir.cron"]._notify_progress(done=len(agreements), remaining=remaining)
        return agreements

    # ------------------------------------------------------------------
    # Proactive service (R2-R6)
    # ------------------------------------------------------------------
    def _compute_proactive_counts(self):
        followups = dict(
            self.env["aftersales.followup"]._read_group(
                [("agreement_id", "in", self.ids)], ["agreement_id"], ["__count"]
            )
        )
        # Trainings that took place or are planned use the included ones.
        trainings = dict(
            self.env["aftersales.training"]
            .sudo()
            ._read_group(
                [("agreement_id", "in", self.ids), ("state", "!=", "cancelled")],
                ["agreement_id"],
                ["__count"],
            )
        )
        for agreement in self:
            agreement.followup_count = followups.get(agreement, 0)
            agreement.trainings_used = trainings.get(agreement, 0)
            agreement.trainings_remaining = max(
                agreement.trainings_included - agreement.trainings_used, 0
            )

    def _start_proactive_service(self, date_ref=None):
        """At activation: the system's archive (once) and the first follow-up
        date of the plan: the first one from today on (an agreement activated
        late does not owe the periods already past), and after the last one
        planned under the version it replaces (an amendment does not plan
        them again)."""
        self.env["aftersales.archive"]._ensure_for_agreements(self)
        today = date_ref or fields.Date.context_today(self)
        last_planned = dict(
            self.env["aftersales.followup"]
            .sudo()
            ._read_group(
                [("agreement_id", "in", self.previous_id.ids)], ["agreement_id"], ["date_due:max"]
            )
        )
        for agreement in self:
            after = max(
                today - relativedelta(days=1),
                last_planned.get(agreement.previous_id) or agreement.date_start,
            )
            internal(agreement).followup_next_date = (
                periods.next_due(
                    agreement.date_start,
                    agreement.followup_interval,
                    agreement.followup_unit,
                    after=after,
                    end=agreement.date_end,
                )
                if agreement.followup_interval
                else False
            )

    def _plan_followups(self, horizon):
        """Create the follow-ups of `self` due up to `horizon`, and move each
        agreement's next date past them (in the same transaction)."""
        archives = {
            archive.agreement_id: archive
            for archive in self.env["aftersales.archive"]
            .sudo()
            .search([("agreement_id", "in", self.ids)])
        }
        vals_list = []
        for agreement in self:
            due = agreement.followup_next_date
            while due and due <= horizon:
                vals_list.append(agreement._prepare_followup_vals(due, archives.get(agreement)))
                due = periods.next_due(
                    agreement.date_start,
                    agreement.followup_interval,
                    agreement.followup_unit,
                    due,
                    agreement.date_end,
                )
            internal(agreement).followup_next_date = due or False
        # Planned by a job, in bulk: the activity is the assignee's notice
        # (no e-mail per follow-up or activity, no "created" message).
        Followup = (
            self.env["aftersales.followup"]
            .sudo()
            .with_context(
                mail_create_nolog=True,
                mail_create_nosubscribe=True,
                mail_auto_subscribe_no_notify=True,
                mail_activity_quick_update=True,
            )
        )
        followups = internal(Followup).create(vals_list)
        # One batch of activities per due date and assignee.
        groups = defaultdict(Followup.browse)
        for followup in followups:
            user = followup.user_id or followup.agreement_id.user_id or self.env.user
            groups[followup.date_due, user.id] |= followup
        for (due, user_id), group in groups.items():
            group.activity_schedule(
                "mail.mail_activity_data_todo",
                date_deadline=due,
                user_id=user_id,
                summary=self.env._("Follow up with the customer"),
            )
        return followups

    def _prepare_followup_vals(self, due, archive=None):
        self.ensure_one()
        return {
            "agreement_id": self.id,
            "archive_id": archive.id if archive else False,
            "date_due": due,
            "mode": self.followup_mode,
            "user_id": (self.followup_user_id or self.user_id).id or False,
        }

    def action_view_archive(self):
        self.ensure_one()
        archive = self.archive_ids[:1]
        if not archive:
            raise UserError(self.env._("The archive is created when the agreement is activated."))
        return archive.get_formview_action()

    def action_view_followups(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "aftersales_service.aftersales_followup_action"
        )
        action["domain"] = [("agreement_id", "=", self.id)]
        action["context"] = {}
        return action
