from collections import defaultdict
from datetime import datetime, time, timedelta

import pytz

from odoo import Command, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

from ..tools.dispatch import overlaps, rank
from .common import (
    FAULT_CAUSES,
    assign_numbers,
    check_date_values,
    computed_in,
    ends_before_start,
    internal,
    is_internal,
    negative_in,
    state_label,
)

TECHNICIAN_GROUP = "aftersales_service.aftersales_service_group_technician"
GROUP_USER = "aftersales_service.aftersales_service_group_user"
GROUP_MANAGER = "aftersales_service.aftersales_service_group_manager"

DEFAULT_VISIT_HOURS = 2
DISPATCH_STATES = [
    ("draft", "Draft"),
    ("scheduled", "Scheduled"),
    ("in_progress", "In Progress"),
    ("done", "Done"),
    ("reviewed", "Reviewed"),
    ("cancelled", "Cancelled"),
]
OUTCOMES = [
    ("fixed", "Fixed on site"),
    ("taken_back", "Taken back for repair"),
    ("follow_up", "Another visit needed"),
]
QUALITY_SCORES = [
    ("1", "Poor"),
    ("2", "Fair"),
    ("3", "Good"),
    ("4", "Very good"),
    ("5", "Excellent"),
]
# The allowed transitions, in one place: action -> (from states, to state).
TRANSITIONS = {
    "schedule": (("draft",), "scheduled"),
    "en_route": (("scheduled",), "in_progress"),
    "arrive": (("scheduled", "in_progress"), "in_progress"),
    "finish": (("in_progress",), "done"),
    "review": (("done",), "reviewed"),
    "cancel": (("draft", "scheduled", "in_progress"), "cancelled"),
    "reset": (("cancelled",), "draft"),
}
# States, times, signature date and review: written by the actions only.
PROTECTED_FIELDS = {
    "state",
    "date_en_route",
    "date_arrived",
    "date_finished",
    "signed_on",
    "reviewed_by_id",
    "date_reviewed",
    "first_time_fix",
    "promised_deadline",
    "sla_met",
    "kit_picking_id",
    "amount_collected",
    "collected_currency_id",
    "collected_on",
}
# What a technician records on their own dispatch (R12, R14, R15); the rest
# (who goes, when, where, the review) is the supervisor's.
TECHNICIAN_FIELDS = {
    "work_done",
    "labour_hours",
    "part_ids",
    "photo_ids",
    "fault_cause",
    "component_id",
    "outcome",
    "signature",
    "signed_by",
    "kit_line_ids",
    "transport_note",
    "travel_km",
    "travel_zone",
}
# Editable until the visit is finished; after it, only the review.
ONSITE_FIELDS = TECHNICIAN_FIELDS - {"transport_note"}
# What the customer signs for (R15): fixed once signed.
SIGNED_FIELDS = {
    "work_done",
    "labour_hours",
    "part_ids",
    "travel_km",
    "travel_zone",
    "signed_by",
    "signature",
}
# Who goes, when and where: set before the visit starts (reinforcements,
# helper_ids, may join a visit under way).
PLANNING_FIELDS = {
    "ticket_id",
    "technician_id",
    "date_start",
    "date_end",
    "address",
    "user_id",
    "transport_needed",
    "vehicle",
    "transport_pickup",
    "transport_return",
    "signature_required",
}


class AftersalesDispatch(models.Model):
    """A technician dispatch / work order (派工單) of a ticket (R11-R15, R17)."""

    _name = "aftersales.dispatch"
    _description = "Dispatch Order"
    _inherit = ["rating.mixin", "mail.activity.mixin"]
    _order = "date_start desc, id desc"
    _check_company_auto = True
    _rec_names_search = ["name", "ticket_id.name", "partner_id.name"]

    # --- Identification ----------------------------------------------------
    name = fields.Char(
        string="Number", required=True, readonly=True, copy=False, default="/", index="trigram"
    )
    ticket_id = fields.Many2one(
        "aftersales.ticket",
        required=True,
        index=True,
        ondelete="restrict",
        check_company=True,
        tracking=True,
        domain="[('stage_kind', 'in', ('new', 'progress'))]",
    )
    company_id = fields.Many2one(
        related="ticket_id.company_id", store=True, index=True, precompute=True
    )
    partner_id = fields.Many2one(
        related="ticket_id.partner_id", store=True, index=True, string="Customer"
    )
    product_id = fields.Many2one(related="ticket_id.product_id", string="Product / Model")
    lot_id = fields.Many2one(related="ticket_id.lot_id", string="Serial Number")
    service_category = fields.Selection(related="ticket_id.service_category")
    skill_ids = fields.Many2many(related="ticket_id.skill_ids", string="Skills Needed")
    state = fields.Selection(
        DISPATCH_STATES,
        default="draft",
        required=True,
        tracking=True,
        index=True,
        copy=False,
        readonly=True,
    )
    color = fields.Integer()

    # --- Planning (R11) ------------------------------------------------------
    user_id = fields.Many2one(
        "res.users",
        string="Supervisor",
        default=lambda self: self.env.user,
        tracking=True,
        check_company=True,
        domain="[('share', '=', False)]",
    )
    technician_id = fields.Many2one(
        "res.users",
        tracking=True,
        index="btree_not_null",
        ondelete="restrict",
        check_company=True,
        domain=lambda self: self._technician_domain(),
        help="Leads the visit. Use Suggest to rank technicians by skills, area and load.",
    )
    helper_ids = fields.Many2many(
        "res.users",
        "aftersales_dispatch_helper_rel",
        "dispatch_id",
        "user_id",
        string="Other Technicians",
        check_company=True,
        domain=lambda self: self._technician_domain(),
    )
    date_start = fields.Datetime(string="Scheduled Start", tracking=True, index=True, copy=False)
    date_end = fields.Datetime(string="Scheduled End", tracking=True, copy=False)
    address = fields.Text(
        compute="_compute_address",
        store=True,
        readonly=False,
        precompute=True,
        help="Where to go: the ticket's address, else the customer's.",
    )
    instructions = fields.Html(sanitize_style=True)
    conflict_warning = fields.Char(
        compute="_compute_conflict_warning",
        help="Another dispatch of the same technician overlaps this one.",
    )

    # --- Kit and transport (R12, R13) ----------------------------------
    kit_line_ids = fields.One2many(
        "aftersales.dispatch.kit", "dispatch_id", string="Kit", copy=True
    )
    kit_picking_id = fields.Many2one(
        "stock.picking",
        string="Parts Reservation",
        readonly=True,
        copy=False,
        check_company=True,
        help="The transfer that reserves the kit's stock parts towards the technician's van.",
    )
    transport_needed = fields.Boolean(
        string="Transport by Us", tracking=True, help="The company transports goods for this visit."
    )
    vehicle = fields.Char(tracking=True)
    transport_pickup = fields.Datetime(string="Pickup")
    transport_return = fields.Datetime(string="Return")
    transport_note = fields.Text(string="Transport Notes")

    # --- On site (R14, R15) ----------------------------------------------------
    date_en_route = fields.Datetime(string="En Route", readonly=True, copy=False, tracking=True)
    date_arrived = fields.Datetime(string="Arrived", readonly=True, copy=False, tracking=True)
    date_finished = fields.Datetime(string="Finished", readonly=True, copy=False, tracking=True)
    work_done = fields.Html(sanitize_style=True)
    labour_hours = fields.Float(
        string="Labour (h)",
        compute="_compute_labour_hours",
        store=True,
        readonly=False,
        precompute=True,
    )
    part_ids = fields.One2many("aftersales.dispatch.part", "dispatch_id", string="Parts Used")
    photo_ids = fields.Many2many(
        "ir.attachment",
        "aftersales_dispatch_photo_rel",
        "dispatch_id",
        "attachment_id",
        string="Photos",
    )
    fault_cause = fields.Selection(
        FAULT_CAUSES,
        string="Fault Cause Confirmed",
        tracking=True,
        help="Confirmed on site; it becomes the ticket's fault cause and so its coverage.",
    )
    component_id = fields.Many2one(
        "product.product",
        string="Faulty Component",
        check_company=True,
        help="The component found at fault; it is judged by its own warranty.",
    )
    outcome = fields.Selection(OUTCOMES, tracking=True)
    travel_km = fields.Float(
        string="Travel (km)", help="Billed per km when the fee card has a price per km."
    )
    travel_zone = fields.Char(help="Billed at the fee card's price for this zone.")
    parts_cost = fields.Float(
        compute="_compute_parts_cost",
        groups=GROUP_MANAGER,
        help="Cost of the parts used, at their cost price.",
    )
    # --- Payment on site (R16) -------------------------------------------
    amount_collected = fields.Monetary(
        currency_field="collected_currency_id", readonly=True, copy=False, tracking=True
    )
    collected_currency_id = fields.Many2one("res.currency", readonly=True, copy=False)
    collected_on = fields.Datetime(readonly=True, copy=False)
    can_collect = fields.Boolean(compute="_compute_can_collect")
    quote_status = fields.Selection(related="ticket_id.quote_status")
    receipt_ids = fields.One2many("aftersales.receipt", "dispatch_id", string="Receipts")
    receipt_count = fields.Integer(compute="_compute_receipt_count")

    # --- Customer sign-off (R15) ----------------------------------------
    signature_required = fields.Boolean(default=True, tracking=True)
    # In the table, not an attachment: only write() (which guards it) changes it.
    signature = fields.Image(max_width=1024, max_height=1024, copy=False, attachment=False)
    signed_by = fields.Char(copy=False, tracking=True)
    signed_on = fields.Datetime(readonly=True, copy=False, tracking=True)

    # --- Supervisor review (R17) ---------------------------------------------
    duration_hours = fields.Float(
        string="On-Site Time (h)",
        compute="_compute_duration_hours",
        store=True,
        precompute=True,
        aggregator="avg",
    )
    promised_deadline = fields.Datetime(
        readonly=True, copy=False, help="The ticket's SLA deadline when the visit finished."
    )
    sla_met = fields.Boolean(
        string="SLA Met",
        readonly=True,
        copy=False,
        help="Finished by the ticket's resolution deadline (visits without one are not judged).",
    )
    first_time_fix = fields.Boolean(readonly=True, copy=False)
    quality_score = fields.Selection(QUALITY_SCORES, tracking=True, copy=False)
    review_note = fields.Text(copy=False)
    reviewed_by_id = fields.Many2one("res.users", readonly=True, copy=False)
    date_reviewed = fields.Datetime(string="Reviewed On", readonly=True, copy=False)

    # --- Buttons ---------------------------------------------------------
    can_schedule = fields.Boolean(compute="_compute_can")
    can_en_route = fields.Boolean(compute="_compute_can")
    can_arrive = fields.Boolean(compute="_compute_can")
    can_finish = fields.Boolean(compute="_compute_can")
    can_review = fields.Boolean(compute="_compute_can")
    can_cancel = fields.Boolean(compute="_compute_can")
    can_plan = fields.Boolean(
        compute="_compute_can",
        help="Who goes, when and where: the service team's, not the technician's.",
    )

    _sql_constraints = [
        ("name_company_unique", "UNIQUE(name, company_id)", "Dispatch numbers are unique."),
        (
            "dates_check",
            "CHECK(date_end IS NULL OR date_start IS NULL OR date_end > date_start)",
            "A dispatch ends after it starts.",
        ),
        ("labour_positive", "CHECK(labour_hours >= 0)", "Labour time cannot be negative."),
        ("travel_positive", "CHECK(travel_km >= 0)", "Travel distance cannot be negative."),
    ]

    @api.model
    def _technician_domain(self):
        # The id from the cached xmlid table: this domain is applied at each
        # read of the technicians (record rules included), costing no query.
        group_id = self.env["ir.model.data"]._xmlid_to_res_id(TECHNICIAN_GROUP)
        return [("groups_id", "in", group_id), ("share", "=", False)]

    # ------------------------------------------------------------------
    # Computes
    # ------------------------------------------------------------------
    @api.depends("ticket_id")
    def _compute_address(self):
        for dispatch in self:
            ticket = dispatch.ticket_id
            dispatch.address = (
                ticket.address
                or (ticket.partner_id and ticket.partner_id._display_address().strip())
                or False
            )

    @api.depends("date_arrived", "date_finished")
    def _compute_labour_hours(self):
        for dispatch in self:
            if dispatch.date_arrived and dispatch.date_finished and not dispatch.labour_hours:
                delta = dispatch.date_finished - dispatch.date_arrived
                dispatch.labour_hours = round(delta.total_seconds() / 3600, 2)
            else:
                # What the technician recorded stays.
                dispatch.labour_hours = dispatch.labour_hours

    @api.depends("date_arrived", "date_finished")
    def _compute_duration_hours(self):
        for dispatch in self:
            if dispatch.date_arrived and dispatch.date_finished:
                delta = dispatch.date_finished - dispatch.date_arrived
                dispatch.duration_hours = round(delta.total_seconds() / 3600, 2)
            else:
                dispatch.duration_hours = 0.0

    @api.depends("part_ids.product_id", "part_ids.quantity", "part_ids.direction")
    def _compute_parts_cost(self):
        for dispatch in self:
            dispatch.parts_cost = sum(
                part.product_id.standard_price * part.quantity
                for part in dispatch.part_ids
                if part.direction == "used"
            )

    @api.depends("receipt_ids")
    @api.depends("state", "ticket_id.invoice_status", "company_id.aftersales_onsite_limit")
    def _compute_can_collect(self):
        for dispatch in self:
            dispatch.can_collect = (
                dispatch.state in ("done", "reviewed")
                and dispatch.ticket_id.sudo().invoice_status == "to_invoice"
                and dispatch.company_id.sudo().aftersales_onsite_limit > 0
            )

    def _compute_receipt_count(self):
        counts = dict(
            self.env["aftersales.receipt"]._read_group(
                [("dispatch_id", "in", self.ids)], ["dispatch_id"], ["__count"]
            )
        )
        for dispatch in self:
            dispatch.receipt_count = counts.get(dispatch, 0)

    @api.depends("technician_id", "helper_ids", "date_start", "date_end", "state")
    def _compute_conflict_warning(self):
        conflicts = self._find_conflicts()
        for dispatch in self:
            others = conflicts.get(dispatch)
            dispatch.conflict_warning = (
                self.env._(
                    "Double booking: %(names)s overlap this visit.",
                    names=", ".join(others.mapped("name")),
                )
                if others
                else False
            )

    @api.depends("state", "date_arrived", "technician_id", "helper_ids")
    @api.depends_context("uid")
    def _compute_can(self):
        user = self.env.user
        is_manager = user.has_group(GROUP_MANAGER)
        is_user = user.has_group(GROUP_USER)
        for dispatch in self:
            mine = is_user or user in (dispatch.technician_id | dispatch.helper_ids)
            dispatch.can_plan = is_user and dispatch.state in ("draft", "scheduled")
            dispatch.can_schedule = is_manager and dispatch.state == "draft"
            dispatch.can_en_route = mine and dispatch.state == "scheduled"
            dispatch.can_arrive = mine and (
                dispatch.state == "scheduled"
                or (dispatch.state == "in_progress" and not dispatch.date_arrived)
            )
            dispatch.can_finish = (
                mine and dispatch.state == "in_progress" and bool(dispatch.date_arrived)
            )
            dispatch.can_review = is_manager and dispatch.state == "done"
            dispatch.can_cancel = is_manager and dispatch.state in TRANSITIONS["cancel"][0]

    def _find_conflicts(self):
        """{dispatch: other dispatches of one of its technicians overlapping
        it}, with one search for the whole batch."""
        planned = self.filtered(
            lambda d: (
                d.technician_id
                and d.date_start
                and d.date_end
                and d.state not in ("cancelled", "done", "reviewed")
            )
        )
        if not planned:
            return {}
        users = planned.technician_id | planned.helper_ids
        candidates = self.sudo().search(
            [
                ("state", "in", ("scheduled", "in_progress")),
                ("date_start", "<", max(planned.mapped("date_end"))),
                ("date_end", ">", min(planned.mapped("date_start"))),
                "|",
                ("technician_id", "in", users.ids),
                ("helper_ids", "in", users.ids),
            ]
        )
        result = {}
        for dispatch in planned:
            mine = dispatch.technician_id | dispatch.helper_ids
            others = candidates.filtered(
                lambda o, d=dispatch, m=mine: (
                    o.id != d._origin.id
                    and (o.technician_id | o.helper_ids) & m
                    and overlaps(d.date_start, d.date_end, o.date_start, o.date_end)
                )
            )
            if others:
                result[dispatch] = others
        return result

    # ------------------------------------------------------------------
    # Constraints and onchanges
    # ------------------------------------------------------------------
    @api.constrains("technician_id", "helper_ids")
    def _check_technicians(self):
        group = self.env.ref(TECHNICIAN_GROUP)
        for dispatch in self:
            users = dispatch.technician_id | dispatch.helper_ids
            wrong = users.filtered(lambda u, g=group: g not in u.groups_id)
            if wrong:
                raise ValidationError(
                    self.env._(
                        "%(names)s cannot be dispatched: not in the Technician group.",
                        names=", ".join(wrong.mapped("name")),
                    )
                )

    @api.onchange("technician_id", "helper_ids", "date_start", "date_end")
    def _onchange_conflict(self):
        if self.conflict_warning:
            return {
                "warning": {
                    "title": self.env._("Double booking"),
                    "message": self.conflict_warning,
                }
            }
        return None

    @api.onchange("date_start")
    def _onchange_date_start(self):
        if self.date_start and (not self.date_end or self.date_end <= self.date_start):
            self.date_end = self.date_start + timedelta(hours=DEFAULT_VISIT_HOURS)

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        vals_list = [dict(vals) for vals in vals_list]
        if not is_internal(self):
            if not self.env.user.has_group(GROUP_MANAGER) and not self.env.su:
                raise AccessError(self.env._("Only a supervisor dispatches technicians."))
            for vals in vals_list:
                protected = (PROTECTED_FIELDS | computed_in(self, vals)) & set(vals)
                if protected:
                    self._raise_protected(protected)
        for vals in vals_list:
            check_date_values(self, vals)
            self._check_values(vals)
            if vals.get("ticket_id"):
                company = self.env["aftersales.ticket"].browse(vals["ticket_id"]).company_id
                if vals.get("company_id") and vals["company_id"] != company.id:
                    raise UserError(self.env._("A dispatch belongs to the company of its ticket."))
                vals["company_id"] = company.id
        tickets = self.env["aftersales.ticket"].browse(
            {vals["ticket_id"] for vals in vals_list if vals.get("ticket_id")}
        )
        closed = tickets.filtered(lambda t: t.stage_kind in ("closed", "cancelled"))
        if closed:
            raise UserError(
                self.env._(
                    "Ticket %(name)s is closed: reopen it before dispatching.",
                    name=closed[0].name,
                )
            )
        assign_numbers(self, vals_list, "aftersales.dispatch")
        for vals in vals_list:
            vals.pop("company_id", None)  # related to the ticket's
        return super().create(vals_list)

    def write(self, vals):
        check_date_values(self, vals)
        self._check_values(vals)
        if not is_internal(self):
            protected = (PROTECTED_FIELDS | computed_in(self, vals)) & set(vals)
            if protected:
                self._raise_protected(protected)
            self._check_write_rights(vals)
        if "signature" in vals:
            vals = self._prepare_signature_vals(dict(vals))
        replan = (
            self.filtered(lambda d: d.state == "scheduled")
            if ({"technician_id", "date_start"} & set(vals))
            else self.browse()
        )
        old_technicians = {dispatch: dispatch.technician_id for dispatch in replan}
        signing = {k: vals.pop(k) for k in ("signature", "signed_on") if k in vals}
        # What the customer signs for is written first, then the signature.
        result = super().write(vals) if vals else True
        if signing:
            result = super().write(signing)
        if {"technician_id", "helper_ids", "date_start", "date_end"} & set(vals):
            self._sync_ticket_technician()
        if replan:
            replan._replan(old_technicians)
        return result

    def _check_values(self, vals):
        """Refuse what the database would refuse, in the user's language."""
        if negative_in(vals, ("labour_hours",)):
            raise ValidationError(self.env._("Labour time cannot be negative."))
        if negative_in(vals, ("travel_km",)):
            raise ValidationError(self.env._("Travel distance cannot be negative."))
        if ends_before_start(self, vals, strict=True):
            raise ValidationError(self.env._("A dispatch ends after it starts."))

    def _raise_protected(self, names):
        raise UserError(
            self.env._(
                "%(fields)s of a dispatch change only through its buttons "
                "(Schedule, En Route, Arrived, Finish, Review, Cancel).",
                fields=", ".join(
                    sorted(self._fields[n]._description_string(self.env) for n in names)
                ),
            )
        )

    def _check_write_rights(self, vals):
        """Technicians record their visit, nothing else: they cannot
        reassign work nor touch the review (S4). Finished visits change
        only by their review."""
        if self.env.su:
            return
        fields_written = set(vals)
        if not self.env.user.has_group(GROUP_USER):
            forbidden = fields_written - TECHNICIAN_FIELDS
            if forbidden:
                raise AccessError(
                    self.env._(
                        "Technicians record their visit only; %(fields)s are set by the "
                        "supervisor.",
                        fields=", ".join(
                            sorted(self._fields[n]._description_string(self.env) for n in forbidden)
                        ),
                    )
                )
            if fields_written & ONSITE_FIELDS and self.filtered(
                lambda d: d.state not in ("scheduled", "in_progress")
            ):
                raise UserError(self.env._("The visit is recorded while it takes place."))
        if fields_written & PLANNING_FIELDS and self.filtered(
            lambda d: d.state not in ("draft", "scheduled")
        ):
            raise UserError(self.env._("A visit under way or finished is not replanned."))
        # What the customer signed stays as signed (R15).
        signed = self.filtered("signed_on")
        if signed and fields_written & (SIGNED_FIELDS - {"signature"}):
            raise UserError(
                self.env._(
                    "Dispatch %(name)s is signed by the customer: what was signed no longer "
                    "changes.",
                    name=signed[0].name,
                )
            )
        finished = self.filtered(lambda d: d.state in ("done", "reviewed", "cancelled"))
        if finished:
            review = {"quality_score", "review_note"}
            allowed = {"color", "activity_ids"} | (
                review if not finished.filtered(lambda d: d.state != "done") else set()
            )
            if fields_written - allowed:
                raise UserError(
                    self.env._(
                        "Dispatch %(name)s is %(state)s: only its review changes.",
                        name=finished[0].name,
                        state=state_label(finished[0]),
                    )
                )

    def _prepare_signature_vals(self, vals):
        """The customer signs once (R15): signing twice is refused, a
        signature names its signer and is dated by the server."""
        if not vals.get("signature"):
            if self.filtered("signed_on") and not is_internal(self):
                raise UserError(self.env._("A signature cannot be removed."))
            return vals
        signed = self.filtered("signed_on")
        if signed:
            raise UserError(self.env._("Dispatch %(name)s is already signed.", name=signed[0].name))
        if self.filtered(lambda d: d.state != "in_progress" or not d.date_arrived):
            raise UserError(self.env._("The customer signs on site, once the technician arrived."))
        signer = vals.get("signed_by") or all(self.mapped("signed_by"))
        if not signer:
            raise UserError(self.env._("Write the name of the person who signs."))
        vals["signed_on"] = fields.Datetime.now()
        return vals

    @api.ondelete(at_uninstall=False)
    def _unlink_except_history(self):
        """Dispatch orders are work done for a customer: only drafts and
        cancelled ones without signature can be deleted (R7)."""
        kept = self.filtered(lambda d: d.state not in ("draft", "cancelled") or d.signed_on)
        if kept:
            raise UserError(
                self.env._(
                    "Dispatch %(name)s is part of the service history: cancel it instead.",
                    name=kept[0].name,
                )
            )

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def _check_transition(self, action):
        states, _to = TRANSITIONS[action]
        wrong = self.filtered(lambda d: d.state not in states)
        if wrong:
            raise UserError(
                self.env._(
                    "Dispatch %(name)s cannot do this in state %(state)s.",
                    name=wrong[0].name,
                    state=state_label(wrong[0]),
                )
            )

    def _check_manager(self):
        if not self.env.user.has_group(GROUP_MANAGER):
            raise AccessError(self.env._("Only a supervisor does this on dispatches."))

    def _check_own(self):
        """Service users act on any dispatch, technicians on their own."""
        if self.env.user.has_group(GROUP_USER):
            return
        if not self.env.user.has_group(TECHNICIAN_GROUP):
            raise AccessError(self.env._("Only technicians record visits."))
        others = self.filtered(lambda d: self.env.user not in (d.technician_id | d.helper_ids))
        if others:
            raise AccessError(self.env._("Dispatch %(name)s is not yours.", name=others[0].name))

    def action_schedule(self):
        return self._action_schedule()

    def _check_can_schedule(self):
        self._check_manager()
        self._check_transition("schedule")
        for dispatch in self:
            if not dispatch.technician_id or not dispatch.date_start or not dispatch.date_end:
                raise UserError(
                    self.env._(
                        "Dispatch %(name)s needs a technician, a start and an end.",
                        name=dispatch.name,
                    )
                )
            if dispatch.ticket_id.stage_kind not in ("new", "progress"):
                raise UserError(
                    self.env._("Ticket %(name)s is closed.", name=dispatch.ticket_id.name)
                )

    def _action_schedule(self):
        """Plan the visit: the technician hears of it, the kit's stock parts
        are reserved, and the ticket goes to work (R11, R12)."""
        self._check_can_schedule()
        internal(self).write({"state": "scheduled"})
        tickets = self.ticket_id.filtered(lambda t: t.stage_kind == "new")
        if tickets:
            tickets.action_triage()
        self._sync_ticket_technician()
        self._reserve_kit()
        self._schedule_visit_activity()
        return True

    def action_en_route(self):
        return self._action_en_route(fields.Datetime.now())

    def _action_en_route(self, now):
        self._check_own()
        self._check_transition("en_route")
        internal(self.sudo()).write({"state": "in_progress", "date_en_route": now})
        return True

    def action_arrive(self):
        return self._action_arrive(fields.Datetime.now())

    def _action_arrive(self, now):
        """The technician is on site: the ticket's on-site target is reached."""
        self._check_own()
        self._check_transition("arrive")
        if self.filtered("date_arrived"):
            raise UserError(self.env._("The arrival is already recorded."))
        for dispatch in self:
            internal(dispatch.sudo()).write(
                {
                    "state": "in_progress",
                    "date_en_route": dispatch.date_en_route or now,
                    "date_arrived": now,
                }
            )
        # The visit's technicians (lead or not) record arrivals (R17).
        self.ticket_id.filtered(lambda t: t.stage_kind in ("new", "progress"))._mark_onsite(now)
        return True

    def action_finish(self):
        return self._action_finish(fields.Datetime.now())

    def _check_can_finish(self):
        self._check_own()
        self._check_transition("finish")
        for dispatch in self:
            if not dispatch.date_arrived:
                raise UserError(
                    self.env._("Record the arrival of %(name)s first.", name=dispatch.name)
                )
            if dispatch.signature_required and not dispatch.signed_on:
                raise UserError(
                    self.env._(
                        "Dispatch %(name)s needs the customer's signature before it is finished.",
                        name=dispatch.name,
                    )
                )
            if not dispatch.outcome:
                raise UserError(
                    self.env._(
                        "Say how the visit of %(name)s ended (fixed, taken back, another "
                        "visit needed).",
                        name=dispatch.name,
                    )
                )
            untracked = dispatch.part_ids.filtered(
                lambda p: p.product_id.tracking != "none" and not p.lot_id and not p.move_id
            )
            if untracked:
                raise UserError(
                    self.env._(
                        "Give the serial or lot number of %(part)s before finishing.",
                        part=untracked[0].product_id.display_name,
                    )
                )
            dispatch.ticket_id._check_quote_for_work()
            receipts = dispatch.receipt_ids.filtered(lambda r: r.state != "cancelled")
            if dispatch.outcome == "taken_back" and not receipts:
                raise UserError(
                    self.env._(
                        "Items taken back need a receipt for the customer (%(name)s).",
                        name=dispatch.name,
                    )
                )

    def _action_finish(self, now):
        """The visit is over: parts are moved in stock, the confirmed cause
        goes to the ticket, the SLA result is kept for the review, the
        customer is asked to rate the visit (R14, R15, R17)."""
        self._check_can_finish()
        sudo = internal(self.sudo())
        earlier = dict(
            self.env["aftersales.dispatch"]
            .sudo()
            ._read_group(
                [
                    ("ticket_id", "in", self.ticket_id.ids),
                    ("state", "in", ("done", "reviewed")),
                    ("id", "not in", self.ids),
                ],
                ["ticket_id"],
                ["__count"],
            )
        )
        for dispatch in sudo:
            ticket = dispatch.ticket_id
            # The promise is the resolution target's deadline (R17).
            promised = max(
                (
                    line.deadline
                    for line in ticket.sla_ids
                    if line.target == "resolution" and line.deadline and line.state != "cancelled"
                ),
                default=False,
            )
            dispatch.write(
                {
                    "state": "done",
                    "date_finished": now,
                    "promised_deadline": promised,
                    "sla_met": bool(promised) and now <= promised,
                    "first_time_fix": dispatch.outcome == "fixed" and not earlier.get(ticket, 0),
                }
            )
        sudo._move_parts()
        sudo._update_ticket_diagnosis()
        sudo.ticket_id._update_charges(strict=False)
        sudo._write_archive_entries()
        sudo._request_rating()
        self.activity_feedback(["mail.mail_activity_data_todo"])
        return True

    def action_review(self):
        return self._action_review(fields.Datetime.now())

    def _action_review(self, now):
        """The supervisor reviews time and quality (R17)."""
        self._check_manager()
        self._check_transition("review")
        if self.filtered(lambda d: not d.quality_score):
            raise UserError(self.env._("Give a quality score before closing the review."))
        internal(self).write(
            {"state": "reviewed", "reviewed_by_id": self.env.user.id, "date_reviewed": now}
        )
        return True

    def action_cancel(self):
        self._check_manager()
        self._check_transition("cancel")
        if self.filtered("signed_on"):
            raise UserError(self.env._("A signed dispatch cannot be cancelled."))
        internal(self).write({"state": "cancelled"})
        pickings = self.kit_picking_id.filtered(lambda p: p.state not in ("done", "cancel"))
        pickings.sudo().action_cancel()
        self.activity_unlink(["mail.mail_activity_data_todo"])
        return True

    def action_reset(self):
        self._check_manager()
        self._check_transition("reset")
        internal(self).write({"state": "draft", "date_en_route": False, "date_arrived": False})
        # Parts already in the van stay reserved for the visit; a cancelled
        # reservation is made again at the next Schedule.
        unreserved = self.filtered(lambda d: d.kit_picking_id.state != "done")
        internal(unreserved).write({"kit_picking_id": False})
        return True

    @api.model
    def _action_home(self):
        """The app's first screen: tickets for reception and supervisors,
        "My Dispatches Today" for technicians (on their phones)."""
        xmlid = (
            "aftersales_service.aftersales_ticket_action"
            if self.env.user.has_group(GROUP_USER)
            else "aftersales_service.aftersales_dispatch_action_my_today"
        )
        return self.env["ir.actions.act_window"]._for_xml_id(xmlid)

    def action_suggest_technicians(self):
        """Rank the technicians for this visit (R11)."""
        self.ensure_one()
        self._check_manager()
        wizard = self.env["aftersales.dispatch.assign"].create({"dispatch_id": self.id})
        wizard._fill()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Suggested Technicians"),
            "res_model": "aftersales.dispatch.assign",
            "res_id": wizard.id,
            "view_mode": "form",
            "target": "new",
        }

    def action_open_quote(self):
        """Show the ticket's quote to the customer (technician on site)."""
        self.ensure_one()
        self._check_own()
        return self.ticket_id.action_open_quote_wizard()

    def action_collect_payment(self):
        self.ensure_one()
        self._check_own()
        if not self.can_collect:
            raise UserError(
                self.env._("There is nothing to collect on site for %(name)s.", name=self.name)
            )
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Collect Payment"),
            "res_model": "aftersales.onsite.payment",
            "view_mode": "form",
            "target": "new",
            "context": {"default_dispatch_id": self.id},
        }

    def action_open_receipts(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "aftersales_service.aftersales_receipt_action"
        )
        action["domain"] = [("dispatch_id", "=", self.id)]
        action["context"] = {
            "default_dispatch_id": self.id,
            "default_ticket_id": self.ticket_id.id,
        }
        return action

    def action_print_badges(self):
        profiles = self.env["aftersales.technician"].search(
            [
                ("user_id", "in", (self.technician_id | self.helper_ids).ids),
                ("company_id", "in", self.company_id.ids),
            ]
        )
        if not profiles:
            raise UserError(self.env._("No technician profile: create it under Configuration."))
        return self.env.ref("aftersales_service.aftersales_technician_badge_report").report_action(
            profiles
        )

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------
    def _sync_ticket_technician(self):
        """The ticket's technician is the one of its latest planned visit:
        it lets them read the ticket they go to."""
        for dispatch in self.filtered(
            lambda d: d.technician_id and d.state in ("draft", "scheduled", "in_progress")
        ):
            ticket = dispatch.ticket_id.sudo()
            if ticket.technician_id != dispatch.technician_id and ticket.stage_kind in (
                "new",
                "progress",
            ):
                ticket.technician_id = dispatch.technician_id

    def _schedule_visit_activity(self):
        for dispatch in self:
            dispatch.activity_schedule(
                "mail.mail_activity_data_todo",
                date_deadline=dispatch._local_date(dispatch.date_start),
                user_id=dispatch.technician_id.id,
                summary=self.env._("Visit %(customer)s", customer=dispatch.partner_id.name),
            )

    def _replan(self, old_technicians):
        """A scheduled visit moved or given to someone else: the technician's
        activity follows, and the parts reserved for the former technician's
        van are reserved again for the new one."""
        self.activity_unlink(["mail.mail_activity_data_todo"])
        self._schedule_visit_activity()
        moved = self.filtered(
            lambda d: (
                d.technician_id != old_technicians.get(d)
                and d.kit_picking_id
                and d.kit_picking_id.state not in ("done", "cancel")
            )
        )
        if moved:
            moved.kit_picking_id.sudo().action_cancel()
            internal(moved).write({"kit_picking_id": False})
            moved._reserve_kit()

    def _local_date(self, value):
        """The date of `value` (UTC) on the company's calendar."""
        self.ensure_one()
        tz = pytz.timezone(
            self.company_id.resource_calendar_id.tz or self.company_id.partner_id.tz or "UTC"
        )
        return pytz.utc.localize(value).astimezone(tz).date()

    def _prepare_kit_picking_vals(self, location, lines):
        self.ensure_one()
        warehouse = self.env["stock.warehouse"].search(
            [("company_id", "=", self.company_id.id)], limit=1
        )
        return {
            "picking_type_id": warehouse.int_type_id.id,
            "location_id": warehouse.lot_stock_id.id,
            "location_dest_id": location.id,
            "origin": self.name,
            "partner_id": self.partner_id.id,
            "company_id": self.company_id.id,
            "move_ids": [
                Command.create(
                    {
                        "name": line.product_id.display_name,
                        "product_id": line.product_id.id,
                        "product_uom_qty": line.quantity,
                        "product_uom": line.product_id.uom_id.id,
                        "location_id": warehouse.lot_stock_id.id,
                        "location_dest_id": location.id,
                        "company_id": self.company_id.id,
                    }
                )
                for line in lines
            ],
        }

    def _reserve_kit(self):
        """Reserve the kit's stock-tracked parts towards the technician's van
        (R12); the warehouse validates the transfer when they pick it up."""
        Technician = self.env["aftersales.technician"].sudo()
        for dispatch in self.sudo():
            lines = dispatch.kit_line_ids.filtered(
                lambda line: line.kind == "part" and line.product_id.is_storable
            )
            if not lines or dispatch.kit_picking_id:
                continue
            profile = Technician._profiles(dispatch.technician_id, dispatch.company_id).get(
                dispatch.technician_id
            )
            if not profile or not profile.location_id:
                continue
            picking = self.env["stock.picking"].create(
                dispatch._prepare_kit_picking_vals(profile.location_id, lines)
            )
            picking.action_confirm()
            picking.action_assign()
            internal(dispatch).write({"kit_picking_id": picking.id})

    def _source_location(self):
        """Where the parts used on site come from: the technician's van, else
        the company's main stock."""
        self.ensure_one()
        profile = (
            self.env["aftersales.technician"]
            .sudo()
            ._profiles(self.technician_id, self.company_id)
            .get(self.technician_id)
        )
        if profile and profile.location_id:
            return profile.location_id
        return (
            self.env["stock.warehouse"]
            .sudo()
            .search([("company_id", "=", self.company_id.id)], limit=1)
            .lot_stock_id
        )

    def _defective_location(self):
        """Where replaced (defective) parts brought back go: the company's
        scrap location, out of the sellable stock but traceable."""
        self.ensure_one()
        return (
            self.env["stock.location"]
            .sudo()
            .search(
                [
                    ("scrap_location", "=", True),
                    ("company_id", "in", [self.company_id.id, False]),
                ],
                order="company_id",
                limit=1,
            )
        )

    def _move_parts(self):
        """Parts used go from the technician's stock to the customer; the
        replaced parts brought back go to the defective (scrap) location. Done
        stock moves, one per part line, created together."""
        customers = self.env.ref("stock.stock_location_customers")
        vals_list, lines = [], self.env["aftersales.dispatch.part"]
        for dispatch in self:
            source = dispatch._source_location()
            if not source:
                continue
            # Replaced parts are defective: kept out of the sellable stock.
            defective = dispatch._defective_location() or source
            for part in dispatch.part_ids.filtered(
                lambda p: not p.move_id and p.product_id.type == "consu"
            ):
                src, dest = (
                    (source, customers) if part.direction == "used" else (customers, defective)
                )
                vals_list.append(part._prepare_move_vals(src, dest))
                lines |= part
        if not vals_list:
            return
        moves = self.env["stock.move"].sudo().create(vals_list)
        moves._action_confirm()
        for move, part in zip(moves, lines, strict=True):
            if not move.move_line_ids:
                move.move_line_ids = [Command.create(part._prepare_move_line_vals(move))]
            else:
                move.move_line_ids.write({"lot_id": part.lot_id.id, "quantity": part.quantity})
        moves.picked = True
        moves._action_done()
        for move, part in zip(moves, lines, strict=True):
            part.move_id = move

    def _update_ticket_diagnosis(self):
        """The fault cause and component confirmed on site become the
        ticket's (and so decide its coverage, R6)."""
        for dispatch in self:
            vals = {}
            if dispatch.fault_cause:
                vals["fault_cause"] = dispatch.fault_cause
            if dispatch.component_id:
                vals["component_id"] = dispatch.component_id.id
            ticket = dispatch.ticket_id
            if vals and ticket.stage_kind in ("new", "progress"):
                ticket.sudo().write(vals)

    def _request_rating(self):
        """Ask the customer to rate the visit, the technician's conduct
        included (R14); queued with the transaction, sent once."""
        template = self.env.ref(
            "aftersales_service.aftersales_dispatch_rating_template", raise_if_not_found=False
        )
        if not template:
            return
        for dispatch in self.filtered(lambda d: d.partner_id.email):
            dispatch.rating_send_request(template, lang=dispatch.partner_id.lang, force_send=False)

    def _rating_get_operator(self):
        return self.technician_id.partner_id

    def _rating_get_parent_field_name(self):
        return "ticket_id"

    def _technician_ranking(self):
        """Technicians ranked for this visit (R11): skills matched, area,
        hours already booked that day, conflicts. One read of profiles and
        one grouped query for the load."""
        self.ensure_one()
        Technician = self.env["aftersales.technician"].sudo()
        profiles = Technician.search([("company_id", "=", self.company_id.id)])
        users = profiles.user_id
        load = defaultdict(float)
        busy = set()
        if self.date_start:
            # That day on the company's calendar, as UTC bounds.
            tz = pytz.timezone(
                self.company_id.resource_calendar_id.tz or self.company_id.partner_id.tz or "UTC"
            )
            local_day = self._local_date(self.date_start)
            day_start = (
                tz.localize(datetime.combine(local_day, time.min))
                .astimezone(pytz.utc)
                .replace(tzinfo=None)
            )
            day_end = day_start + timedelta(days=1)
            others = self.sudo().search(
                [
                    ("id", "!=", self._origin.id or 0),
                    ("state", "in", ("scheduled", "in_progress")),
                    ("technician_id", "in", users.ids),
                    ("date_start", "<", day_end),
                    ("date_end", ">", day_start),
                ]
            )
            for other in others:
                hours = (other.date_end - other.date_start).total_seconds() / 3600
                load[other.technician_id.id] += hours
                if self.date_end and overlaps(
                    self.date_start, self.date_end, other.date_start, other.date_end
                ):
                    busy.add(other.technician_id.id)
        Area = self.env["aftersales.service.area"]
        candidates = [
            {
                "profile_id": profile.id,
                "user_id": profile.user_id.id,
                "name": profile.name or "",
                "skills_matched": len(profile.skill_ids & self.skill_ids),
                "skills_needed": len(self.skill_ids),
                "in_area": Area._covers(profile.area_ids, self.partner_id),
                "load_hours": load[profile.user_id.id],
                "conflict": profile.user_id.id in busy,
            }
            for profile in profiles
        ]
        return rank(candidates)

    # ------------------------------------------------------------------
    # Proactive service (R4): finished visits go to the system's archive
    # ------------------------------------------------------------------
    _ARCHIVE_STATUS = {"fixed": "normal", "taken_back": "down", "follow_up": "degraded"}

    def _write_archive_entries(self):
        """A status entry in the archive of each finished visit's system:
        the ticket's archive, else the archive of its agreement or unit."""
        tickets = self.ticket_id
        Archive = self.env["aftersales.archive"].sudo()
        archives = Archive.search(
            [
                "|",
                "|",
                ("id", "in", tickets.archive_id.ids),
                ("agreement_id", "in", tickets.agreement_id.ids),
                ("warranty_ids", "in", tickets.warranty_id.ids),
            ]
        )
        outcomes = dict(self._fields["outcome"]._description_selection(self.env))
        vals_list = []
        for dispatch in self:
            ticket = dispatch.ticket_id
            archive = ticket.archive_id or next(
                (
                    a
                    for a in archives
                    if (ticket.agreement_id and a.agreement_id == ticket.agreement_id)
                    or (ticket.warranty_id and ticket.warranty_id in a.warranty_ids)
                ),
                None,
            )
            if not archive:
                continue
            vals_list.append(
                {
                    "archive_id": archive.id,
                    "date": dispatch._local_date(dispatch.date_finished),
                    "kind": "status",
                    "running_status": self._ARCHIVE_STATUS.get(dispatch.outcome, "normal"),
                    "description": self.env._(
                        "Visit %(dispatch)s for %(ticket)s: %(outcome)s",
                        dispatch=dispatch.name,
                        ticket=ticket.name,
                        outcome=outcomes.get(dispatch.outcome, ""),
                    ),
                    "ticket_id": ticket.id,
                    "dispatch_id": dispatch.id,
                }
            )
        if vals_list:
            Archive._add_entries(vals_list)
