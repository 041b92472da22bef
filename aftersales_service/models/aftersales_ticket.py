import re
from collections import defaultdict
from datetime import timedelta

import pytz

from odoo import Command, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import SQL, email_normalize
from odoo.tools.mail import email_split_and_format, parse_contact_from_email

from .aftersales_sla_policy import TICKET_PRIORITIES
from .aftersales_ticket_stage import STAGE_KINDS
from .common import (
    FAULT_CAUSES,
    SERVICE_CATEGORIES,
    assign_numbers,
    check_date_values,
    computed_in,
    internal,
    is_internal,
)

CHANNELS = [
    ("phone", "Phone"),
    ("letter", "Letter"),
    ("email", "E-mail"),
    ("portal", "Portal"),
    ("walkin", "Walk-in"),
]
TECHNICIAN_GROUP = "aftersales_service.aftersales_service_group_technician"
GROUP_USER = "aftersales_service.aftersales_service_group_user"
GROUP_MANAGER = "aftersales_service.aftersales_service_group_manager"

# Written only by the module's own actions (triage, on site, close, cancel,
# reopen, category override, preventive plans), never directly by a client.
PROTECTED_FIELDS = {
    "date_triaged",
    "triaged_by_id",
    "date_onsite",
    "date_closed",
    "close_reason",
    "category_override",
    "category_override_reason",
    "training_tag_ids",
    "maintenance_plan_id",
    "maintenance_due",
}
# Changes after which the SLA targets of a ticket are looked up again.
SLA_FIELDS = {
    "priority",
    "tag_ids",
    "lot_id",
    "product_id",
    "partner_id",
    "fault_cause",
    "component_id",
    "date_received",
    "category_override",
    "company_id",
}
PHONE_ALLOWED = re.compile(r"^\+?[\d\s().\-/]+(\s*(ext\.?|x|#)\s*\d+)?$", re.IGNORECASE)
MIN_PHONE_DIGITS = 6


class AftersalesTicket(models.Model):
    """A repair request, from intake to closing (R10, R11, R17)."""

    _name = "aftersales.ticket"
    _description = "Repair Ticket"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "priority desc, date_received desc, id desc"
    _check_company_auto = True
    _primary_email = "partner_email"
    _mail_post_access = "read"
    _rec_names_search = ["name", "title", "partner_id.name", "lot_id.name"]

    # --- Identification --------------------------------------------------
    name = fields.Char(
        string="Number", required=True, readonly=True, copy=False, default="/", index="trigram"
    )
    title = fields.Char(string="Summary", required=True, tracking=True)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    stage_id = fields.Many2one(
        "aftersales.ticket.stage",
        tracking=True,
        index=True,
        copy=False,
        ondelete="restrict",
        group_expand="_read_group_expand_stages",
        check_company=True,
        required=True,
        domain="['|', ('company_id', '=', False), ('company_id', '=', company_id)]",
        default=lambda self: self._default_stage(self.env.company),
    )
    stage_kind = fields.Selection(related="stage_id.kind", store=True, index=True)
    priority = fields.Selection(TICKET_PRIORITIES, default="0", tracking=True, index=True)
    tag_ids = fields.Many2many("aftersales.ticket.tag", string="Fault Tags")
    color = fields.Integer()
    user_id = fields.Many2one(
        "res.users",
        string="Supervisor",
        tracking=True,
        index=True,
        check_company=True,
        domain=lambda self: [("groups_id", "in", self.env.ref(GROUP_MANAGER).id)],
        help="The responsible supervisor: triages, dispatches, reviews.",
    )
    technician_id = fields.Many2one(
        "res.users",
        tracking=True,
        index="btree_not_null",
        check_company=True,
        domain=lambda self: [
            ("groups_id", "in", self.env.ref(TECHNICIAN_GROUP).id),
            ("share", "=", False),
        ],
    )
    skill_ids = fields.Many2many("aftersales.skill", string="Skills Needed")

    # --- Intake (R10) --------------------------------------------------------
    channel = fields.Selection(CHANNELS, default="phone", required=True, tracking=True)
    reception_user_id = fields.Many2one(
        "res.users",
        string="Received By",
        default=lambda self: self.env.user,
        check_company=True,
        domain="[('share', '=', False)]",
    )
    date_received = fields.Datetime(
        string="Received On", required=True, default=fields.Datetime.now, index=True
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        tracking=True,
        index=True,
        check_company=True,
        ondelete="restrict",
        help="Found from the phone number or e-mail while typing; created from "
        "the contact details given when it does not exist yet.",
    )
    commercial_partner_id = fields.Many2one(
        related="partner_id.commercial_partner_id", store=True, index=True, string="Customer Entity"
    )
    contact_name = fields.Char(string="Contact")
    partner_phone = fields.Char(string="Phone")
    partner_email = fields.Char(string="E-mail")
    address = fields.Text()
    phone_digits = fields.Char(
        compute="_compute_phone", store=True, index="trigram", precompute=True
    )
    phone_search = fields.Char(
        string="Phone Number",
        compute="_compute_phone_search",
        search="_search_phone_search",
        help="Searches the digits of the phone number, whatever the formatting typed.",
    )
    phone_warning = fields.Boolean(
        compute="_compute_phone",
        store=True,
        precompute=True,
        help="The phone number does not look valid.",
    )
    product_id = fields.Many2one(
        "product.product",
        string="Product / Model",
        tracking=True,
        check_company=True,
        ondelete="restrict",
        index="btree_not_null",
    )
    lot_id = fields.Many2one(
        "stock.lot",
        string="Serial Number",
        tracking=True,
        check_company=True,
        ondelete="restrict",
        index="btree_not_null",
        domain="[('product_id', '=?', product_id)]",
    )
    component_id = fields.Many2one(
        "product.product",
        string="Faulty Component",
        tracking=True,
        check_company=True,
        ondelete="restrict",
        help="Set at diagnosis when one component is at fault: it is judged by its own warranty.",
    )
    description = fields.Html(string="Problem", sanitize_style=True)
    symptoms = fields.Text()

    # --- Coverage (R8) ---------------------------------------------------
    fault_cause = fields.Selection(
        FAULT_CAUSES, default="unknown", required=True, tracking=True, help="Set at diagnosis."
    )
    coverage_category = fields.Selection(
        SERVICE_CATEGORIES,
        string="Category by Coverage",
        compute="_compute_coverage",
        store=True,
    )
    coverage_reason = fields.Char(compute="_compute_coverage", store=True, string="Coverage")
    coverage_provisional = fields.Boolean(compute="_compute_coverage", store=True)
    warranty_id = fields.Many2one("aftersales.warranty", compute="_compute_coverage", store=True)
    agreement_id = fields.Many2one(
        "aftersales.agreement",
        compute="_compute_coverage",
        store=True,
        string="Covering Agreement",
        index="btree_not_null",
    )
    warranty_state = fields.Selection(related="warranty_id.state", string="Warranty Status")
    category_override = fields.Selection(
        SERVICE_CATEGORIES, string="Category Set By", tracking=True, readonly=True, copy=False
    )
    category_override_reason = fields.Text(
        string="Reason of the Category", tracking=True, readonly=True, copy=False
    )
    service_category = fields.Selection(
        SERVICE_CATEGORIES,
        string="Category",
        compute="_compute_coverage",
        store=True,
        tracking=True,
        index=True,
    )

    # --- Progress --------------------------------------------------------
    date_triaged = fields.Datetime(string="Triaged On", readonly=True, copy=False)
    triaged_by_id = fields.Many2one("res.users", readonly=True, copy=False)
    date_onsite = fields.Datetime(string="On Site On", readonly=True, copy=False, tracking=True)
    date_closed = fields.Datetime(string="Closed On", readonly=True, copy=False, index=True)
    close_reason = fields.Text(
        string="Closing Note",
        readonly=True,
        copy=False,
        tracking=True,
        help="The resolution, or why the ticket was cancelled.",
    )
    training_tag_ids = fields.Many2many(
        "aftersales.ticket.tag",
        "aftersales_ticket_training_tag_rel",
        "ticket_id",
        "tag_id",
        string="Training Proposed For",
        readonly=True,
        copy=False,
        help="The recurring faults for which this ticket proposed operator training.",
    )
    training_proposed = fields.Boolean(
        compute="_compute_training_proposed", store=True, precompute=True
    )

    # --- SLA (R17) ---------------------------------------------------------
    sla_ids = fields.One2many("aftersales.ticket.sla", "ticket_id", string="SLA Targets")
    sla_deadline = fields.Datetime(
        string="Next Deadline",
        compute="_compute_sla_deadline",
        store=True,
        index=True,
        help="The earliest deadline among the running SLA targets.",
    )
    sla_status = fields.Selection(
        selection=[
            ("on_track", "On Track"),
            ("at_risk", "At Risk"),
            ("reached", "Reached"),
            ("breached", "Breached"),
        ],
        compute="_compute_sla_status",
        search="_search_sla_status",
        string="SLA Status",
    )
    sla_paused = fields.Boolean(related="stage_id.pause_sla", string="Clock Paused")

    # --- Dispatches and receipts (R11, R15) ----------------------------------
    dispatch_ids = fields.One2many("aftersales.dispatch", "ticket_id", string="Dispatches")
    dispatch_count = fields.Integer(compute="_compute_dispatch_count")
    receipt_ids = fields.One2many("aftersales.receipt", "ticket_id", string="Receipts")
    receipt_count = fields.Integer(compute="_compute_dispatch_count")

    # --- Proactive service (R2-R6) ---------------------------------------------
    archive_id = fields.Many2one(
        "aftersales.archive", string="System Archive", index="btree_not_null", check_company=True
    )
    # A preventive visit's plan: set by the planning job only (it makes the
    # visit the agreement's, free of charge, R6).
    maintenance_plan_id = fields.Many2one(
        "aftersales.maintenance.plan",
        readonly=True,
        copy=False,
        index="btree_not_null",
        check_company=True,
    )
    maintenance_due = fields.Date(readonly=True, copy=False)
    training_ids = fields.One2many("aftersales.training", "ticket_id", string="Trainings")

    _sql_constraints = [
        ("name_company_unique", "UNIQUE(name, company_id)", "Ticket numbers are unique."),
    ]

    # ------------------------------------------------------------------
    # Defaults and group expansion
    # ------------------------------------------------------------------
    @api.model
    def _default_stage(self, company, kind="new"):
        return self.env["aftersales.ticket.stage"].search_fetch(
            [("kind", "=", kind), "|", ("company_id", "=", False), ("company_id", "=", company.id)],
            ["kind", "pause_sla", "company_id", "mail_template_id"],
            limit=1,
        )

    @api.model
    def _read_group_expand_stages(self, stages, domain):
        return stages.search(
            ["|", ("company_id", "=", False), ("company_id", "in", self.env.companies.ids)]
        )

    # ------------------------------------------------------------------
    # Computes and searches
    # ------------------------------------------------------------------
    @api.depends("partner_phone")
    def _compute_phone(self):
        for ticket in self:
            phone = (ticket.partner_phone or "").strip()
            digits = re.sub(r"\D", "", phone)
            ticket.phone_digits = digits or False
            ticket.phone_warning = bool(phone) and (
                not PHONE_ALLOWED.match(phone) or len(digits) < MIN_PHONE_DIGITS
            )

    def _compute_phone_search(self):
        for ticket in self:
            ticket.phone_search = ticket.partner_phone

    def _search_phone_search(self, operator, value):
        if operator not in ("ilike", "=") or not isinstance(value, str):
            return NotImplemented
        digits = re.sub(r"\D", "", value)
        return [("phone_digits", "ilike", digits)] if digits else [(0, "=", 1)]

    def _on_date(self):
        """The date of the fault on the company's calendar."""
        self.ensure_one()
        tz = pytz.timezone(self.company_id.partner_id.tz or "UTC")
        received = self.date_received or fields.Datetime.now()
        return pytz.utc.localize(received).astimezone(tz).date()

    @api.depends(
        "lot_id",
        "product_id",
        "partner_id",
        "component_id",
        "fault_cause",
        "date_received",
        "category_override",
    )
    def _compute_coverage(self):
        """The coverage decision, and the category: the manager's override,
        else the decision's (R8)."""
        Coverage = self.env["aftersales.coverage"]
        todo = self.filtered(lambda t: t.partner_id and (t.lot_id or t.product_id))
        requests = [(t.lot_id, t.product_id, t.partner_id, t._on_date()) for t in todo]
        cache = Coverage._prefetch(requests) if requests else None
        for ticket in self:
            if ticket not in todo:
                ticket.coverage_category = "paid" if ticket.partner_id else False
                ticket.coverage_reason = False
                ticket.coverage_provisional = False
                ticket.warranty_id = False
                ticket.agreement_id = False
                ticket.service_category = ticket.category_override or ticket.coverage_category
                continue
            decision = Coverage._decide(
                lot=ticket.lot_id,
                product=ticket.product_id,
                partner=ticket.partner_id,
                component=ticket.component_id,
                on_date=ticket._on_date(),
                fault_cause=ticket.fault_cause,
                cache=cache,
            )
            ticket.coverage_category = decision["category"]
            ticket.coverage_reason = decision["reason"]
            ticket.coverage_provisional = decision["provisional"]
            ticket.warranty_id = decision["warranty"]
            ticket.agreement_id = decision["agreement"]
            ticket.service_category = ticket.category_override or decision["category"]

    @api.depends("training_tag_ids")
    def _compute_training_proposed(self):
        for ticket in self:
            ticket.training_proposed = bool(ticket.training_tag_ids)

    @api.depends("sla_ids.deadline", "sla_ids.state")
    def _compute_sla_deadline(self):
        for ticket in self:
            deadlines = [
                line.deadline
                for line in ticket.sla_ids
                if line.state == "running" and line.deadline
            ]
            ticket.sla_deadline = min(deadlines) if deadlines else False

    def _compute_dispatch_count(self):
        dispatches = dict(
            self.env["aftersales.dispatch"]._read_group(
                [("ticket_id", "in", self.ids)], ["ticket_id"], ["__count"]
            )
        )
        receipts = dict(
            self.env["aftersales.receipt"]._read_group(
                [("ticket_id", "in", self.ids)], ["ticket_id"], ["__count"]
            )
        )
        for ticket in self:
            ticket.dispatch_count = dispatches.get(ticket, 0)
            ticket.receipt_count = receipts.get(ticket, 0)

    def _compute_sla_status(self):
        order = ["breached", "at_risk", "on_track", "reached"]
        for ticket in self:
            statuses = {line.status for line in ticket.sla_ids if line.status}
            ticket.sla_status = next((s for s in order if s in statuses), False)

    def _search_sla_status(self, operator, value):
        """Tickets with at least one target in that status; "on track" and
        "reached" also require no worse target."""
        if operator not in ("=", "in"):
            return NotImplemented
        Sla = self.env["aftersales.ticket.sla"]
        values = [value] if operator == "=" else list(value)
        domain = []
        for v in values:
            part = [("sla_ids", "any", Sla._status_domain(v))]
            worse = {
                "on_track": ["breached", "at_risk"],
                "reached": ["breached", "at_risk", "on_track"],
            }
            for w in worse.get(v, []):
                part = ["&", *part, "!", ("sla_ids", "any", Sla._status_domain(w))]
            domain = ["|", *domain, *part] if domain else part
        return domain or [(0, "=", 1)]

    # ------------------------------------------------------------------
    # Constraints and onchanges
    # ------------------------------------------------------------------
    def _raise_no_partner(self):
        raise ValidationError(
            self.env._(
                "A ticket needs a customer: choose one, or give a name, "
                "phone or e-mail to create it."
            )
        )

    @api.constrains("lot_id", "product_id", "component_id")
    def _check_unit(self):
        for ticket in self:
            if (
                ticket.lot_id
                and ticket.product_id
                and ticket.lot_id.product_id != ticket.product_id
            ):
                raise ValidationError(
                    self.env._(
                        "Serial %(lot)s is a %(product)s, not a %(other)s.",
                        lot=ticket.lot_id.name,
                        product=ticket.lot_id.product_id.display_name,
                        other=ticket.product_id.display_name,
                    )
                )

    @api.onchange("lot_id")
    def _onchange_lot_id(self):
        if self.lot_id:
            self.product_id = self.lot_id.product_id
            customer = self.lot_id.aftersales_warranty_id.partner_id
            if not self.partner_id and customer:
                self.partner_id = customer

    @api.onchange("partner_id")
    def _onchange_partner_id(self):
        partner = self.partner_id
        if not partner:
            return
        if not self.contact_name and partner.parent_id:
            self.contact_name = partner.name
        self.partner_phone = self.partner_phone or partner.phone or partner.mobile
        self.partner_email = self.partner_email or partner.email
        if not self.address:
            self.address = partner._display_address(without_company=True).strip()

    @api.onchange("partner_phone", "partner_email")
    def _onchange_contact_lookup(self):
        """Find the customer from what the caller gives (R10)."""
        if self.partner_id:
            return None
        found = self._find_partners(self.partner_email, self.partner_phone, self.company_id)
        if not found:
            return None
        self.partner_id = found[0]
        self._onchange_partner_id()
        if len(found) > 1:
            return {
                "warning": {
                    "title": self.env._("Several customers match"),
                    "message": self.env._(
                        "Also matching: %(names)s. Check the customer.",
                        names=", ".join(found[1:6].mapped("display_name")),
                    ),
                }
            }
        return None

    # ------------------------------------------------------------------
    # Customer lookup and contact details
    # ------------------------------------------------------------------
    @api.model
    def _find_partners(self, email=None, phone=None, company=None):
        """Partners matching an e-mail (normalised) or a phone number (by
        its digits, ignoring formatting), best first."""
        Partner = self.env["res.partner"]
        company_domain = [("company_id", "in", [False, (company or self.env.company).id])]
        normalized = email_normalize(email or "")
        if normalized:
            found = Partner.search([("email_normalized", "=", normalized), *company_domain])
            if found:
                return found
        digits = re.sub(r"\D", "", phone or "")
        if len(digits) >= MIN_PHONE_DIGITS:
            # The last 8 digits identify a line whatever the national or
            # international prefix the caller used.
            suffix = digits[-8:]
            self.env.cr.execute(
                SQL(
                    "SELECT id FROM res_partner WHERE active AND ("
                    "regexp_replace(COALESCE(phone, ''), '\\D', '', 'g') LIKE %s "
                    "OR regexp_replace(COALESCE(mobile, ''), '\\D', '', 'g') LIKE %s) "
                    "ORDER BY is_company DESC, id LIMIT 20",
                    f"%{suffix}",
                    f"%{suffix}",
                )
            )
            ids = [row[0] for row in self.env.cr.fetchall()]
            if ids:
                return Partner.browse(ids).filtered_domain(company_domain)
        return Partner

    @api.model
    def _normalize_contact_vals(self, vals):
        if vals.get("partner_email"):
            normalized = email_normalize(vals["partner_email"])
            if not normalized:
                raise ValidationError(
                    self.env._(
                        "“%(email)s” is not a valid e-mail address.", email=vals["partner_email"]
                    )
                )
            vals["partner_email"] = normalized
        if vals.get("partner_phone"):
            vals["partner_phone"] = " ".join(vals["partner_phone"].split())
        return vals

    @api.model
    def _prepare_partner_vals(self, vals):
        """A new customer from the contact details of an intake."""
        name = vals.get("contact_name") or vals.get("partner_email") or vals.get("partner_phone")
        address = ", ".join(
            line.strip() for line in (vals.get("address") or "").splitlines() if line.strip()
        )
        return {
            "name": name,
            "email": vals.get("partner_email") or False,
            "phone": vals.get("partner_phone") or False,
            "street": address or False,
            "company_id": vals.get("company_id") or False,
        }

    @api.model
    def _ensure_partners(self, vals_list):
        """Customers for the intakes that name none: an existing one matching
        the e-mail or phone, else a new one from what was given."""
        missing = [
            vals
            for vals in vals_list
            if not vals.get("partner_id")
            and (vals.get("contact_name") or vals.get("partner_email") or vals.get("partner_phone"))
        ]
        new = []
        for vals in missing:
            company = self.env["res.company"].browse(vals.get("company_id")) or self.env.company
            found = self._find_partners(
                vals.get("partner_email"), vals.get("partner_phone"), company
            )
            if found:
                vals["partner_id"] = found[0].id
            else:
                new.append(vals)
        if new:
            partners = self.env["res.partner"].create([self._prepare_partner_vals(v) for v in new])
            for vals, partner in zip(new, partners, strict=True):
                vals["partner_id"] = partner.id

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------
    @api.model
    def _assign_numbers(self, vals_list):
        assign_numbers(self, vals_list, "aftersales.ticket")

    @api.model_create_multi
    def create(self, vals_list):
        vals_list = [dict(vals) for vals in vals_list]
        default_stages = {}
        for vals in vals_list:
            if not is_internal(self):
                protected = (PROTECTED_FIELDS | computed_in(self, vals)) & set(vals)
                if protected:
                    self._raise_protected(protected)
            check_date_values(self, vals)
            self._check_date_received(vals)
            self._normalize_contact_vals(vals)
            if not vals.get("stage_id"):
                company_id = vals.get("company_id") or self.env.company.id
                if company_id not in default_stages:
                    default_stages[company_id] = self._default_stage(
                        self.env["res.company"].browse(company_id)
                    ).id
                vals["stage_id"] = default_stages[company_id]
        self._check_create_stages(vals_list)
        self._ensure_partners(vals_list)
        if any(not vals.get("partner_id") for vals in vals_list):
            self._raise_no_partner()
        self._assign_numbers(vals_list)
        tickets = super().create(vals_list)
        now = fields.Datetime.now()
        tickets._sla_apply(now, new=True)
        # Created past New (by a supervisor): that is its triage.
        triaged = tickets.filtered(lambda t: t.stage_kind == "progress")
        if triaged:
            internal(triaged).write({"date_triaged": now, "triaged_by_id": self.env.user.id})
            triaged.sla_ids.sudo().filtered(lambda line: line.target == "response")._reach(now)
        # Computed now, so that it is written with the other computed values
        # in one UPDATE rather than in a later one.
        tickets.mapped("sla_deadline")
        tickets._check_recurring_faults()
        return tickets

    def write(self, vals):
        check_date_values(self, vals)
        vals = self._normalize_contact_vals(dict(vals))
        if not is_internal(self):
            protected = (PROTECTED_FIELDS | computed_in(self, vals)) & set(vals)
            if protected:
                self._raise_protected(protected)
        self._check_date_received(vals)
        if "partner_id" in vals and not vals["partner_id"]:
            self._raise_no_partner()
        if vals.get("active") is False and self.filtered(
            lambda t: t.stage_kind not in ("closed", "cancelled")
        ):
            raise UserError(self.env._("Close or cancel a ticket before archiving it."))
        now = fields.Datetime.now()
        moves = {}
        if "stage_id" in vals:
            if not vals["stage_id"]:
                raise UserError(self.env._("A ticket is always in a stage."))
            stage = self.env["aftersales.ticket.stage"].browse(vals["stage_id"])
            self._check_stage_move(stage)
            moves = {ticket: ticket.stage_id for ticket in self if ticket.stage_id != stage}
        result = super().write(vals)
        if moves:
            self._sla_stage_moved(moves, now)
        if SLA_FIELDS & set(vals):
            self._sla_apply(now)
        if {"tag_ids", "partner_id"} & set(vals):
            self._check_recurring_faults()
        return result

    @api.model
    def _check_create_stages(self, vals_list):
        """A ticket starts in New; only a supervisor may create one already
        triaged, and nobody one closed or cancelled."""
        if is_internal(self):
            return
        stages = self.env["aftersales.ticket.stage"].browse(
            {vals["stage_id"] for vals in vals_list}
        )
        if stages.filtered(lambda s: s.kind in ("closed", "cancelled")):
            raise UserError(self.env._("A ticket cannot be created closed or cancelled."))
        if stages.filtered(lambda s: s.kind == "progress") and not self.env.user.has_group(
            GROUP_MANAGER
        ):
            raise AccessError(self.env._("Only a supervisor triages a new ticket."))

    def _check_stage_move(self, stage):
        """Tickets enter and leave Closed/Cancelled only through their
        buttons (which ask for the reason); leaving New is the triage of a
        supervisor (R11)."""
        if is_internal(self):
            return
        ending = ("closed", "cancelled")
        for ticket in self:
            if ticket.stage_id == stage:
                continue
            if stage.kind in ending or ticket.stage_kind in ending:
                raise UserError(
                    self.env._(
                        "Ticket %(name)s: use the Close, Cancel or Reopen buttons, "
                        "which record the reason.",
                        name=ticket.name,
                    )
                )
            if ticket.stage_kind == "new" and not self.env.user.has_group(GROUP_MANAGER):
                raise AccessError(
                    self.env._(
                        "Only a supervisor triages a new ticket (%(name)s).", name=ticket.name
                    )
                )
            if stage.company_id and stage.company_id != ticket.company_id:
                raise UserError(
                    self.env._(
                        "Stage %(stage)s belongs to another company.", stage=stage.display_name
                    )
                )

    def _check_date_received(self, vals):
        """A reception date in the future would push every deadline out."""
        if vals.get("date_received"):
            received = fields.Datetime.to_datetime(vals["date_received"])
            if received > fields.Datetime.now() + timedelta(minutes=10):
                raise ValidationError(self.env._("A request cannot be received in the future."))

    def _raise_protected(self, names):
        raise UserError(
            self.env._(
                "%(fields)s of a ticket change only through its buttons "
                "(Triage, On Site, Close, Cancel, Reopen, Set Category).",
                fields=", ".join(
                    sorted(self._fields[n]._description_string(self.env) for n in names)
                ),
            )
        )

    @api.ondelete(at_uninstall=False)
    def _unlink_except_history(self):
        """Tickets are records the customer relies on: only a cancelled
        ticket may be deleted (R7); the others are archived."""
        if self.filtered(lambda t: t.stage_kind != "cancelled"):
            raise UserError(
                self.env._("Only cancelled tickets can be deleted; archive the others.")
            )
        if self.sudo().dispatch_ids or self.sudo().receipt_ids:
            raise UserError(
                self.env._(
                    "A ticket with dispatches or receipts is part of the service history: "
                    "archive it instead."
                )
            )

    # ------------------------------------------------------------------
    # Mail
    # ------------------------------------------------------------------
    def _mail_get_partner_fields(self, introspect_fields=False):
        return ["partner_id"]

    def _track_template(self, changes):
        res = super()._track_template(changes)
        ticket = self[0]
        if "stage_id" in changes and ticket.stage_id.mail_template_id and ticket.partner_id.email:
            res["stage_id"] = (
                ticket.stage_id.mail_template_id,
                {
                    "auto_delete_keep_log": False,
                    "subtype_id": self.env["ir.model.data"]._xmlid_to_res_id("mail.mt_comment"),
                    "email_layout_xmlid": "mail.mail_notification_light",
                },
            )
        return res

    @api.model
    def message_new(self, msg_dict, custom_values=None):
        """A ticket from an e-mail sent to the alias: the customer is the
        sender's partner, found by address, else created from it."""
        email_from = msg_dict.get("email_from") or ""
        name, email = parse_contact_from_email(email_from)
        values = {
            "name": "/",
            "title": msg_dict.get("subject") or self.env._("No subject"),
            "channel": "email",
            "description": msg_dict.get("body"),
            "partner_email": email_normalize(email) or False,
            "contact_name": name or False,
        }
        author = self.env["res.partner"].browse(msg_dict.get("author_id") or [])
        if author.exists() and not author.user_ids.filtered(lambda u: not u.share):
            values["partner_id"] = author.id
        values.update(custom_values or {})
        return super().message_new(msg_dict, custom_values=values)

    def _message_get_suggested_recipients(self):
        recipients = super()._message_get_suggested_recipients()
        if not self.partner_id and self.partner_email:
            formatted = email_split_and_format(self.partner_email)
            if formatted:
                self._message_add_suggested_recipient(
                    recipients, email=formatted[0], reason=self.env._("Customer E-mail")
                )
        return recipients

    # ------------------------------------------------------------------
    # SLA
    # ------------------------------------------------------------------
    def _sla_targets(self, policy):
        """{target: (hours, calendar)} of the ticket: the policy's, each
        replaced by the covering agreement's own commitment when it sets one."""
        self.ensure_one()
        agreement = self.agreement_id
        calendar = (
            agreement.calendar_id or policy.calendar_id or self.company_id.resource_calendar_id
        )
        targets = {}
        for target in ("response", "onsite", "resolution"):
            hours = agreement[f"{target}_hours"] or policy[f"{target}_hours"]
            if hours:
                targets[target] = (hours, calendar, policy)
        return targets

    def _sla_apply(self, now, new=False):
        """Look up the SLA policy of each open ticket and bring its targets in
        line: new targets start, changed ones are re-planned keeping the
        working time consumed, dropped ones stop. One policy search and one
        interval fetch per calendar for the whole batch."""
        tickets = self.filtered(lambda t: t.stage_kind not in ("closed", "cancelled"))
        if not tickets:
            return
        Sla = self.env["aftersales.ticket.sla"].sudo()
        policies = (
            self.env["aftersales.sla.policy"]
            .sudo()
            .search_fetch(
                [("company_id", "in", tickets.company_id.ids)],
                [
                    "company_id",
                    "agreement_id",
                    "priority",
                    "service_category",
                    "calendar_id",
                    "response_hours",
                    "onsite_hours",
                    "resolution_hours",
                    "sequence",
                ],
            )
        )
        to_create, to_replan, to_restart, to_cancel = [], Sla, Sla, Sla
        updates = defaultdict(lambda: Sla)
        for ticket in tickets:
            policy = policies._select_for(ticket)
            targets = ticket._sla_targets(policy)
            existing = {line.target: line for line in ticket.sla_ids.sudo()}
            paused = ticket.stage_id.pause_sla
            done = {"response": ticket.date_triaged, "onsite": ticket.date_onsite}
            for target, (hours, calendar, target_policy) in targets.items():
                line = existing.get(target)
                if not line:
                    vals = {
                        "ticket_id": ticket.id,
                        "target": target,
                        "policy_id": target_policy.id,
                        "calendar_id": calendar.id,
                        "hours": hours,
                        "state": "paused" if paused else "running",
                        "clock_start": False if paused else (ticket.date_received if new else now),
                    }
                    if done.get(target):
                        # A milestone already passed (a policy change after
                        # triage or arrival): nothing is left to promise.
                        vals.update(state="reached", reached_on=done[target], clock_start=False)
                    to_create.append(vals)
                    continue
                key = (hours, calendar.id, target_policy.id)
                changed = (line.hours, line.calendar_id.id, line.policy_id.id) != key
                if line.state == "cancelled" and not done.get(target):
                    to_restart |= line  # needed again
                if line.state in ("running", "paused", "cancelled") and changed:
                    updates[key] |= line
                    if line.state == "running":
                        to_replan |= line
            for target, line in existing.items():
                if target not in targets and line.state in ("running", "paused"):
                    to_cancel |= line
        # The working time of the old terms, once per calendar for the batch.
        to_replan._mark_overdue(now)
        to_replan._consume(now)
        for (hours, calendar_id, policy_id), lines in updates.items():
            lines.write({"hours": hours, "calendar_id": calendar_id, "policy_id": policy_id})
        if to_create:
            created = Sla.create(to_create)
            created._plan_deadlines()
        (to_replan | to_restart)._start(now)
        to_cancel._cancel(now)

    def _sla_stage_moved(self, moves, now):
        """Pause or resume the clocks when tickets enter or leave a "clock
        paused" stage; leaving New reaches the response target."""
        pause, resume = self.browse(), self.browse()
        for ticket, old_stage in moves.items():
            if ticket.stage_id.pause_sla and not old_stage.pause_sla:
                pause |= ticket
            elif old_stage.pause_sla and not ticket.stage_id.pause_sla:
                resume |= ticket
        pause.sla_ids.sudo()._pause(now)
        resume.sla_ids.sudo().filtered(lambda line: line.state == "paused")._start(now)
        triaged = self.browse(
            [t.id for t, old in moves.items() if old.kind == "new" and t.stage_kind == "progress"]
        )
        if triaged:
            untriaged = triaged.filtered(lambda t: not t.date_triaged)
            internal(untriaged).write({"date_triaged": now, "triaged_by_id": self.env.user.id})
            triaged.sla_ids.sudo().filtered(lambda line: line.target == "response")._reach(now)

    def _sla_escalation_user(self, lines):
        """Who hears of a breach: the policy's escalation user, else the
        ticket's supervisor, else the company's default (Settings)."""
        self.ensure_one()
        return (
            lines.policy_id.escalation_user_id[:1]
            or self.user_id
            or self.company_id.aftersales_escalation_user_id
        )

    # ------------------------------------------------------------------
    # Recurring faults
    # ------------------------------------------------------------------
    def _check_recurring_faults(self, now=None):
        """The same fault tag at the same customer N times within M days
        (Settings) proposes operator training, once per customer and tag
        and window."""
        tickets = self.filtered(lambda t: t.tag_ids and t.commercial_partner_id)
        if not tickets:
            return
        now = now or fields.Datetime.now()
        for company in tickets.company_id:
            count, days = (
                company.aftersales_recurring_fault_count,
                company.aftersales_recurring_fault_days,
            )
            if count < 2 or days < 1:
                continue
            mine = tickets.filtered(lambda t, c=company: t.company_id == c)
            since = now - timedelta(days=days)
            domain = [
                ("company_id", "=", company.id),
                ("commercial_partner_id", "in", mine.commercial_partner_id.ids),
                ("tag_ids", "in", mine.tag_ids.ids),
                ("date_received", ">=", since),
            ]
            counts = [
                group
                for group in self._read_group(
                    domain, ["commercial_partner_id", "tag_ids"], ["__count"]
                )
                if group[2] >= count
            ]
            if not counts:
                continue
            # Proposed once per customer, fault tag and window.
            proposed = {
                (partner, tag)
                for partner, tag, _count in self._read_group(
                    [
                        ("company_id", "=", company.id),
                        ("commercial_partner_id", "in", mine.commercial_partner_id.ids),
                        ("training_tag_ids", "in", mine.tag_ids.ids),
                        ("date_received", ">=", since),
                    ],
                    ["commercial_partner_id", "training_tag_ids"],
                    ["__count"],
                )
            }
            for partner, tag, n in counts:
                if (partner, tag) in proposed:
                    continue
                ticket = max(
                    mine.filtered(
                        lambda t, p=partner, g=tag: t.commercial_partner_id == p and g in t.tag_ids
                    ),
                    key=lambda t: (t.date_received, t.id),
                    default=None,
                )
                if ticket:
                    ticket._propose_training(tag, n, days)

    def _propose_training(self, tag, count, days):
        self.ensure_one()
        self.activity_schedule(
            "mail.mail_activity_data_todo",
            user_id=(self.user_id or self.env.user).id,
            summary=self.env._("Propose operator training"),
            note=self.env._(
                "“%(tag)s” was reported %(count)s times in %(days)s days at %(customer)s: "
                "propose operator training.",
                tag=tag.name,
                count=count,
                days=days,
                customer=self.commercial_partner_id.display_name,
            ),
        )
        internal(self).training_tag_ids = [Command.link(tag.id)]

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def _check_group(self, xmlid, action):
        if not self.env.user.has_group(xmlid):
            raise AccessError(
                self.env._("You are not allowed to %(action)s tickets.", action=action)
            )

    def _check_kind(self, kinds, action):
        wrong = self.filtered(lambda t: t.stage_kind not in kinds)
        if wrong:
            raise UserError(
                self.env._(
                    "Ticket %(name)s cannot be %(action)s in stage %(stage)s.",
                    name=wrong[0].name,
                    action=action,
                    stage=wrong[0].stage_id.display_name,
                )
            )

    def _stage_of_kind(self, kind):
        self.ensure_one()
        stage = self._default_stage(self.company_id, kind)
        if not stage:
            raise UserError(
                self.env._(
                    "No stage of kind “%(kind)s” is configured.", kind=dict(STAGE_KINDS)[kind]
                )
            )
        return stage

    def _move_to_kind(self, kind, **values):
        """Move the tickets to their company's first stage of `kind` (one
        write per company), with `values`."""
        for company in self.company_id:
            tickets = self.filtered(lambda t, c=company: t.company_id == c)
            internal(tickets).write({"stage_id": tickets[0]._stage_of_kind(kind).id, **values})

    def action_triage(self):
        """The supervisor has assessed the fault (R11): the ticket goes to
        work, and the response target is reached."""
        self._check_group(GROUP_MANAGER, self.env._("triage"))
        self._check_kind(("new",), self.env._("triaged"))
        self._move_to_kind("progress")
        return True

    def action_mark_onsite(self):
        return self._action_mark_onsite(fields.Datetime.now())

    def _action_mark_onsite(self, now):
        """The technician is on site: the on-site target is reached (the
        dispatch reports it when it exists). Service users record it for
        any ticket, technicians for their own."""
        if not self.env.user.has_group(GROUP_USER):
            self._check_group(TECHNICIAN_GROUP, self.env._("record arrivals on"))
            if self.filtered(lambda t: t.technician_id != self.env.user):
                raise AccessError(self.env._("You record arrivals on your own tickets only."))
        self._check_kind(("new", "progress"), self.env._("marked on site"))
        self._mark_onsite(now)
        return True

    def _mark_onsite(self, now):
        """Record the first arrival on site and reach the on-site target
        (the caller checked who may)."""
        todo = self.filtered(lambda t: not t.date_onsite)
        # Technicians have no write access to tickets: this one field only.
        internal(todo.sudo()).write({"date_onsite": now})
        # Read as the module: whoever arrives may not see the ticket's targets.
        todo.sudo().sla_ids.filtered(lambda line: line.target == "onsite")._reach(now)

    def action_open_close_wizard(self):
        return self._open_close_wizard("close")

    def action_open_cancel_wizard(self):
        return self._open_close_wizard("cancel")

    def _open_close_wizard(self, mode):
        self._check_group(GROUP_USER, self.env._("close or cancel"))
        self._check_kind(("new", "progress"), self.env._("closed or cancelled"))
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Close Ticket") if mode == "close" else self.env._("Cancel Ticket"),
            "res_model": "aftersales.ticket.close",
            "view_mode": "form",
            "target": "new",
            "context": {"default_ticket_ids": self.ids, "default_mode": mode},
        }

    def _check_can_close(self):
        """Nothing is left at the company nor on the road: every item taken
        back is returned (R15), every visit finished or cancelled."""
        receipts = (
            self.env["aftersales.receipt"]
            .sudo()
            .search(
                [("ticket_id", "in", self.ids), ("state", "not in", ("returned", "cancelled"))],
                limit=1,
            )
        )
        if receipts:
            raise UserError(
                self.env._(
                    "Ticket %(ticket)s still holds the customer's items on receipt %(receipt)s: "
                    "return them first.",
                    ticket=receipts.ticket_id.name,
                    receipt=receipts.name,
                )
            )
        self._check_no_visit_under_way()

    def _check_no_visit_under_way(self):
        visits = (
            self.env["aftersales.dispatch"]
            .sudo()
            .search(
                [("ticket_id", "in", self.ids), ("state", "in", ("scheduled", "in_progress"))],
                limit=1,
            )
        )
        if visits:
            raise UserError(
                self.env._(
                    "Ticket %(ticket)s has a visit under way (%(dispatch)s): finish or "
                    "cancel it first.",
                    ticket=visits.ticket_id.name,
                    dispatch=visits.name,
                )
            )

    def _action_close(self, reason, now=None):
        self._check_group(GROUP_USER, self.env._("close"))
        self._check_kind(("new", "progress"), self.env._("closed"))
        self._check_can_close()
        now = now or fields.Datetime.now()
        self._move_to_kind("closed", date_closed=now, close_reason=reason)
        lines = self.sla_ids.sudo()
        lines.filtered(lambda line: line.target in ("response", "resolution"))._reach(now)
        lines.filtered(lambda line: line.target == "onsite")._cancel(now)

    def _action_cancel(self, reason, now=None):
        self._check_group(GROUP_USER, self.env._("cancel"))
        self._check_kind(("new", "progress"), self.env._("cancelled"))
        self._check_no_visit_under_way()
        now = now or fields.Datetime.now()
        self._move_to_kind("cancelled", date_closed=now, close_reason=reason)
        self.sla_ids.sudo()._cancel(now)

    def action_reopen(self):
        return self._action_reopen(fields.Datetime.now())

    def _action_reopen(self, now):
        """Back to work: the resolution target continues from the working time
        it had used, the targets the policy still sets restart."""
        self._check_group(GROUP_USER, self.env._("reopen"))
        self._check_kind(("closed", "cancelled"), self.env._("reopened"))
        for ticket in self:
            kind = "progress" if ticket.date_triaged else "new"
            internal(ticket).write(
                {"stage_id": ticket._stage_of_kind(kind).id, "date_closed": False}
            )
            ticket.message_post(body=self.env._("Ticket reopened."))
        self.sla_ids.sudo().filtered(lambda line: line.target == "resolution")._reopen(now)
        self._sla_apply(now)
        return True

    def action_open_category_wizard(self):
        self.ensure_one()
        self._check_group(GROUP_MANAGER, self.env._("set the category of"))
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Set Category"),
            "res_model": "aftersales.ticket.category",
            "view_mode": "form",
            "target": "new",
            "context": {"default_ticket_id": self.id},
        }

    def _action_set_category(self, category, reason):
        """Manager override of the category, with its reason (R8)."""
        self._check_group(GROUP_MANAGER, self.env._("set the category of"))
        if category and not (reason or "").strip():
            raise UserError(self.env._("Give the reason for setting the category by hand."))
        internal(self).write(
            {
                "category_override": category or False,
                "category_override_reason": (reason or "").strip() or False,
            }
        )

    def action_create_dispatch(self):
        """A new dispatch of this ticket, in a form (R11)."""
        self.ensure_one()
        self._check_group(GROUP_MANAGER, self.env._("dispatch"))
        self._check_kind(("new", "progress"), self.env._("dispatched"))
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("New Dispatch"),
            "res_model": "aftersales.dispatch",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "current",
            "context": {"default_ticket_id": self.id},
        }

    def action_open_dispatches(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "aftersales_service.aftersales_dispatch_action"
        )
        action["domain"] = [("ticket_id", "=", self.id)]
        action["context"] = {"default_ticket_id": self.id}
        return action

    def action_open_receipts(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "aftersales_service.aftersales_receipt_action"
        )
        action["domain"] = [("ticket_id", "=", self.id)]
        action["context"] = {"default_ticket_id": self.id}
        return action

    def action_check_coverage(self):
        """Open Check Coverage prefilled with the ticket's unit."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Check Coverage"),
            "res_model": "aftersales.coverage.check",
            "view_mode": "form",
            "target": "new",
            "context": {
                "default_lot_id": self.lot_id.id,
                "default_product_id": self.product_id.id,
                "default_partner_id": self.partner_id.id,
                "default_fault_cause": self.fault_cause,
            },
        }

    # ------------------------------------------------------------------
    # Proactive service (R2-R6)
    # ------------------------------------------------------------------
    def action_propose_training(self):
        """A training session for the recurring faults of this ticket, in a
        form prefilled with the customer, the topics and the archive (R5)."""
        self.ensure_one()
        self._check_group(GROUP_USER, self.env._("propose training for"))
        if not self.training_proposed:
            raise UserError(self.env._("No recurring fault proposes a training on this ticket."))
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Propose Training"),
            "res_model": "aftersales.training",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "current",
            "context": self._prepare_training_context(),
        }

    def _prepare_training_context(self):
        self.ensure_one()
        customer = self.commercial_partner_id
        agreement = self.agreement_id or self.env["aftersales.agreement"].search(
            [("partner_id", "=", customer.id), ("state", "=", "active")], limit=1
        )
        archive = (
            self.archive_id
            or agreement.archive_ids[:1]
            or self.env["aftersales.archive"].search([("partner_id", "=", customer.id)], limit=1)
        )
        return {
            "default_partner_id": customer.id,
            "default_company_id": self.company_id.id,
            "default_ticket_id": self.id,
            "default_archive_id": archive.id,
            "default_agreement_id": agreement.id,
            "default_tag_ids": self.training_tag_ids.ids,
        }
