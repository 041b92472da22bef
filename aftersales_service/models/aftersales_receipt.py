from datetime import timedelta

from odoo import Command, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

from .common import (
    assign_numbers,
    check_date_values,
    computed_in,
    internal,
    is_internal,
    state_label,
)

TECHNICIAN_GROUP = "aftersales_service.aftersales_service_group_technician"
GROUP_USER = "aftersales_service.aftersales_service_group_user"
GROUP_MANAGER = "aftersales_service.aftersales_service_group_manager"

RECEIPT_STATES = [
    ("issued", "Issued"),
    ("workshop", "In Workshop"),
    ("returned", "Returned"),
    ("cancelled", "Cancelled"),
]
# Receipts still out: the customer's items are at the company.
OPEN_STATES = ("issued", "workshop")
# The allowed transitions, in one place: action -> (from states, to state).
TRANSITIONS = {
    "to_workshop": (("issued",), "workshop"),
    "return": (("issued", "workshop"), "returned"),
    "cancel": (("issued",), "cancelled"),
}
# States, dates, issuer and signature date: written by the actions only.
PROTECTED_FIELDS = {
    "state",
    "date_issued",
    "issued_by_id",
    "date_workshop",
    "date_returned",
    "return_signed_on",
}
# A receipt belongs to its ticket and visit for good.
FIXED_FIELDS = {"ticket_id", "dispatch_id"}
# What may still change once the items are back or the receipt cancelled.
CLOSED_FIELDS = {"note", "activity_ids", "message_follower_ids"}
DEFAULT_DUE_DAYS = 14


class AftersalesReceipt(models.Model):
    """Custody receipt (收據) for items taken back for repair (R15).

    Numbered and registered at the company, printed or e-mailed to the
    customer when issued; the customer hands it back and signs when the
    items are returned. A ticket cannot close while one is out."""

    _name = "aftersales.receipt"
    _description = "Custody Receipt"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "date_issued desc, id desc"
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
    dispatch_id = fields.Many2one(
        "aftersales.dispatch",
        string="Dispatch Order",
        index="btree_not_null",
        ondelete="restrict",
        check_company=True,
        tracking=True,
        domain="[('ticket_id', '=?', ticket_id), ('state', 'not in', ('draft', 'cancelled'))]",
        help="The visit during which the items were taken back.",
    )
    company_id = fields.Many2one(
        related="ticket_id.company_id", store=True, index=True, precompute=True
    )
    partner_id = fields.Many2one(
        related="ticket_id.partner_id",
        store=True,
        index=True,
        precompute=True,
        string="Customer",
    )
    technician_id = fields.Many2one(
        related="dispatch_id.technician_id",
        store=True,
        precompute=True,
        index="btree_not_null",
        string="Technician",
    )
    state = fields.Selection(
        RECEIPT_STATES,
        default="issued",
        required=True,
        tracking=True,
        index=True,
        copy=False,
        readonly=True,
    )
    color = fields.Integer()

    # --- Items taken back ----------------------------------------------------
    line_ids = fields.One2many("aftersales.receipt.line", "receipt_id", string="Items", copy=True)
    note = fields.Text(string="Remarks", help="Anything else the customer was told.")

    # --- Dates (R15) ----------------------------------------------------------
    date_issued = fields.Datetime(
        string="Issued On", default=fields.Datetime.now, required=True, readonly=True, copy=False
    )
    issued_by_id = fields.Many2one(
        "res.users",
        default=lambda self: self.env.user,
        readonly=True,
        copy=False,
    )
    date_due = fields.Datetime(
        string="Expected Return",
        required=True,
        tracking=True,
        copy=False,
        default=lambda self: fields.Datetime.now() + timedelta(days=DEFAULT_DUE_DAYS),
        help="When the items are promised back to the customer.",
    )
    date_workshop = fields.Datetime(
        string="In Workshop Since", readonly=True, copy=False, tracking=True
    )
    date_returned = fields.Datetime(string="Returned On", readonly=True, copy=False, tracking=True)
    is_overdue = fields.Boolean(
        string="Overdue",
        compute="_compute_is_overdue",
        search="_search_is_overdue",
        help="Still out after its expected return.",
    )

    # --- Return sign-off (R15) -------------------------------------------------
    return_signature = fields.Image(
        string="Customer Signature", max_width=1024, max_height=1024, copy=False, attachment=False
    )
    return_signed_by = fields.Char(string="Returned To", copy=False, tracking=True)
    return_signed_on = fields.Datetime(string="Signed On", readonly=True, copy=False, tracking=True)

    # --- Buttons ---------------------------------------------------------
    can_to_workshop = fields.Boolean(compute="_compute_can")
    can_return = fields.Boolean(compute="_compute_can")
    can_cancel = fields.Boolean(compute="_compute_can")

    _sql_constraints = [
        ("name_company_unique", "UNIQUE(name, company_id)", "Receipt numbers are unique."),
        (
            "date_due_check",
            "CHECK(date_due IS NULL OR date_due >= date_issued)",
            "The expected return cannot be before the receipt is issued.",
        ),
    ]

    # ------------------------------------------------------------------
    # Computes
    # ------------------------------------------------------------------
    @api.depends("state", "date_due")
    def _compute_is_overdue(self):
        now = fields.Datetime.now()
        for receipt in self:
            receipt.is_overdue = (
                receipt.state in OPEN_STATES and bool(receipt.date_due) and receipt.date_due < now
            )

    def _search_is_overdue(self, operator, value):
        if operator not in ("=", "!="):
            raise UserError(self.env._("Unsupported search on Overdue."))
        overdue = [("state", "in", OPEN_STATES), ("date_due", "<", fields.Datetime.now())]
        if (operator == "=") == bool(value):
            return overdue
        return ["!", "&", *overdue]

    @api.depends("state", "dispatch_id", "ticket_id")
    @api.depends_context("uid")
    def _compute_can(self):
        user = self.env.user
        is_manager = user.has_group(GROUP_MANAGER)
        is_user = user.has_group(GROUP_USER)
        for receipt in self:
            mine = is_user or receipt._is_technician_of(user)
            receipt.can_to_workshop = mine and receipt.state in TRANSITIONS["to_workshop"][0]
            receipt.can_return = mine and receipt.state in TRANSITIONS["return"][0]
            receipt.can_cancel = is_manager and receipt.state in TRANSITIONS["cancel"][0]

    def _is_technician_of(self, user):
        self.ensure_one()
        dispatch = self.dispatch_id.sudo()
        return user in (dispatch.technician_id | dispatch.helper_ids) or (
            user == self.ticket_id.sudo().technician_id
        )

    # ------------------------------------------------------------------
    # Constraints and onchanges
    # ------------------------------------------------------------------
    @api.constrains("line_ids")
    def _check_lines(self):
        for receipt in self:
            if not receipt.line_ids:
                raise ValidationError(
                    self.env._(
                        "Receipt %(name)s lists no item: add what is taken back.",
                        name=receipt.name,
                    )
                )

    @api.constrains("ticket_id", "dispatch_id")
    def _check_dispatch_ticket(self):
        for receipt in self:
            if receipt.dispatch_id and receipt.dispatch_id.ticket_id != receipt.ticket_id:
                raise ValidationError(
                    self.env._(
                        "Dispatch %(dispatch)s is not a visit of ticket %(ticket)s.",
                        dispatch=receipt.dispatch_id.name,
                        ticket=receipt.ticket_id.name,
                    )
                )

    @api.constrains("date_issued", "date_due")
    def _check_date_due(self):
        for receipt in self:
            if receipt.date_due and receipt.date_due < receipt.date_issued:
                raise ValidationError(self._date_due_message())

    @api.onchange("dispatch_id")
    def _onchange_dispatch_id(self):
        if self.dispatch_id and not self.ticket_id:
            self.ticket_id = self.dispatch_id.ticket_id

    @api.onchange("ticket_id")
    def _onchange_ticket_id(self):
        """Propose the ticket's unit as the first item taken back."""
        ticket = self.ticket_id
        if ticket and ticket.product_id and not self.line_ids:
            self.line_ids = [
                Command.create(
                    {"product_id": ticket.product_id.id, "lot_id": ticket.lot_id.id, "quantity": 1}
                )
            ]

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        vals_list = [dict(vals) for vals in vals_list]
        if not is_internal(self):
            for vals in vals_list:
                protected = (PROTECTED_FIELDS | computed_in(self, vals)) & set(vals)
                if protected:
                    self._raise_protected(protected)
        dispatches = self.env["aftersales.dispatch"].browse(
            {vals["dispatch_id"] for vals in vals_list if vals.get("dispatch_id")}
        )
        ticket_of = {dispatch.id: dispatch.ticket_id.id for dispatch in dispatches}
        for vals in vals_list:
            check_date_values(self, vals)
            if not vals.get("ticket_id") and vals.get("dispatch_id"):
                vals["ticket_id"] = ticket_of[vals["dispatch_id"]]
        tickets = self.env["aftersales.ticket"].browse(
            {vals["ticket_id"] for vals in vals_list if vals.get("ticket_id")}
        )
        self._check_create_rights(vals_list, dispatches)
        if dispatches.filtered(lambda d: d.state == "cancelled"):
            raise UserError(self.env._("Nothing is taken back on a cancelled visit."))
        closed = tickets.filtered(lambda t: t.stage_kind not in ("new", "progress"))
        if closed:
            raise UserError(
                self.env._(
                    "Ticket %(name)s is closed: no item can be taken back on it.",
                    name=closed[0].name,
                )
            )
        company_of = {ticket.id: ticket.company_id.id for ticket in tickets}
        now = fields.Datetime.now()
        for vals in vals_list:
            self._check_values(vals, now)
            if not vals.get("company_id") and vals.get("ticket_id"):
                vals["company_id"] = company_of[vals["ticket_id"]]
        assign_numbers(self, vals_list, "aftersales.receipt")
        for vals in vals_list:
            vals.pop("company_id", None)  # related to the ticket's
        receipts = super().create(vals_list)
        receipts._send_receipt_mail()
        return receipts

    def write(self, vals):
        check_date_values(self, vals)
        if not is_internal(self):
            protected = (PROTECTED_FIELDS | computed_in(self, vals)) & set(vals)
            if protected:
                self._raise_protected(protected)
            self._check_write_rights(vals)
        self._check_values(vals)
        if "return_signature" in vals:
            vals = self._prepare_return_signature_vals(dict(vals), fields.Datetime.now())
        return super().write(vals)

    def _date_due_message(self):
        return self.env._("The expected return cannot be before the receipt is issued.")

    def _check_values(self, vals, now=None):
        """Refuse what the database would refuse, in the user's language."""
        if not self and not vals.get("line_ids"):
            raise ValidationError(
                self.env._("A receipt lists at least one item: add what is taken back.")
            )
        if "date_due" not in vals:
            return
        due = fields.Datetime.to_datetime(vals["date_due"])
        if not due:
            return
        if self:
            issued_dates = self.mapped("date_issued")
        else:
            issued_dates = [fields.Datetime.to_datetime(vals.get("date_issued")) or now]
        if any(issued and due < issued for issued in issued_dates):
            raise ValidationError(self._date_due_message())

    def _raise_protected(self, names):
        raise UserError(
            self.env._(
                "%(fields)s of a receipt change only through its buttons "
                "(In Workshop, Return, Cancel).",
                fields=", ".join(
                    sorted(self._fields[n]._description_string(self.env) for n in names)
                ),
            )
        )

    def _check_create_rights(self, vals_list, dispatches):
        """Technicians issue receipts on site, for their own visits only."""
        if self.env.su or is_internal(self) or self.env.user.has_group(GROUP_USER):
            return
        user = self.env.user
        for vals in vals_list:
            dispatch = dispatches.browse(vals.get("dispatch_id") or [])
            if not dispatch or user not in (dispatch.technician_id | dispatch.helper_ids):
                raise AccessError(
                    self.env._("Technicians issue receipts for their own visits only.")
                )

    def _check_write_rights(self, vals):
        if "return_signed_by" in vals and self.filtered(
            lambda r: r.return_signed_on and r.return_signed_by != vals["return_signed_by"]
        ):
            raise UserError(self.env._("The customer signed: the signer's name cannot change."))
        if self.env.su:
            return
        fields_written = set(vals)
        if fields_written & FIXED_FIELDS:
            changed = self.filtered(
                lambda r: any(
                    r[name].id != (vals[name] or False) for name in FIXED_FIELDS & fields_written
                )
            )
            if changed:
                raise UserError(
                    self.env._(
                        "Receipt %(name)s belongs to its ticket and visit: cancel it and "
                        "issue a new one instead.",
                        name=changed[0].name,
                    )
                )
        closed = self.filtered(lambda r: r.state not in OPEN_STATES)
        if closed and fields_written - CLOSED_FIELDS - {"color"}:
            raise UserError(
                self.env._(
                    "Receipt %(name)s is %(state)s: it cannot change any more.",
                    name=closed[0].name,
                    state=state_label(closed[0]),
                )
            )

    def _prepare_return_signature_vals(self, vals, now):
        """The customer signs once for the return of the items (R15): signing
        twice is refused, a signature names its signer and is dated by the
        server."""
        if not vals.get("return_signature"):
            if self.filtered("return_signed_on") and not is_internal(self):
                raise UserError(self.env._("A signature cannot be removed."))
            return vals
        signed = self.filtered("return_signed_on")
        if signed:
            raise UserError(self.env._("Receipt %(name)s is already signed.", name=signed[0].name))
        if self.filtered(lambda r: r.state not in OPEN_STATES):
            raise UserError(self.env._("Only a receipt still out can be signed for the return."))
        signer = vals.get("return_signed_by") or all(self.mapped("return_signed_by"))
        if not signer:
            raise UserError(self.env._("Write the name of the person who signs."))
        vals["return_signed_on"] = now
        return vals

    def _check_lines_editable(self):
        """The items listed are what the customer holds on paper: they change
        only while the receipt is issued."""
        if is_internal(self) or self.env.su:
            return
        frozen = self.filtered(lambda r: r.state != "issued")
        if frozen:
            raise UserError(
                self.env._(
                    "Receipt %(name)s is %(state)s: its items cannot change any more.",
                    name=frozen[0].name,
                    state=state_label(frozen[0]),
                )
            )

    @api.ondelete(at_uninstall=False)
    def _unlink_except_issued(self):
        """A receipt is registered at the company and held by the customer:
        only cancelled ones can be deleted (R7)."""
        kept = self.filtered(lambda r: r.state != "cancelled")
        if kept:
            raise UserError(
                self.env._(
                    "Receipt %(name)s is registered with the customer: cancel it instead.",
                    name=kept[0].name,
                )
            )

    def _check_transition(self, action):
        states, _to = TRANSITIONS[action]
        wrong = self.filtered(lambda r: r.state not in states)
        if wrong:
            raise UserError(
                self.env._(
                    "Receipt %(name)s cannot do this in state %(state)s.",
                    name=wrong[0].name,
                    state=state_label(wrong[0]),
                )
            )

    def _check_own(self):
        """Service users act on any receipt, technicians on their own."""
        user = self.env.user
        if user.has_group(GROUP_USER):
            return
        if not user.has_group(TECHNICIAN_GROUP):
            raise AccessError(self.env._("Only the service team handles receipts."))
        others = self.filtered(lambda r: not r._is_technician_of(user))
        if others:
            raise AccessError(self.env._("Receipt %(name)s is not yours.", name=others[0].name))

    def action_to_workshop(self):
        return self._action_to_workshop(fields.Datetime.now())

    def _check_can_to_workshop(self):
        self._check_own()
        self._check_transition("to_workshop")

    def _action_to_workshop(self, now):
        """The items arrived at the workshop."""
        self._check_can_to_workshop()
        internal(self.sudo()).write({"state": "workshop", "date_workshop": now})
        return True

    def action_return(self):
        return self._action_return(fields.Datetime.now())

    def _check_can_return(self):
        self._check_own()
        self._check_transition("return")
        for receipt in self:
            if not receipt.return_signed_on or not receipt.return_signed_by:
                raise UserError(
                    self.env._(
                        "The customer signs for the return of the items of %(name)s first.",
                        name=receipt.name,
                    )
                )

    def _action_return(self, now):
        """The items are back with the customer, who hands the receipt back
        and signs (R15)."""
        self._check_can_return()
        internal(self.sudo()).write({"state": "returned", "date_returned": now})
        self.activity_unlink(["mail.mail_activity_data_todo"])
        return True

    def action_cancel(self):
        return self._action_cancel()

    def _check_can_cancel(self):
        if not self.env.user.has_group(GROUP_MANAGER):
            raise AccessError(self.env._("Only a supervisor cancels receipts."))
        self._check_transition("cancel")

    def _action_cancel(self):
        """Issued by mistake: nothing was taken back."""
        self._check_can_cancel()
        internal(self).write({"state": "cancelled"})
        self.activity_unlink(["mail.mail_activity_data_todo"])
        return True

    def action_send(self):
        """Open the composer with the receipt's e-mail and its PDF."""
        self.ensure_one()
        template = self.env.ref(
            "aftersales_service.aftersales_receipt_mail_template", raise_if_not_found=False
        )
        return {
            "type": "ir.actions.act_window",
            "view_mode": "form",
            "res_model": "mail.compose.message",
            "views": [(False, "form")],
            "view_id": False,
            "target": "new",
            "context": {
                "default_model": self._name,
                "default_res_ids": self.ids,
                "default_composition_mode": "comment",
                "default_template_id": template.id if template else False,
                "default_email_layout_xmlid": "mail.mail_notification_light",
                "force_email": True,
                "model_description": self.env._("Receipt"),
            },
        }

    def action_print(self):
        return self.env.ref("aftersales_service.aftersales_receipt_report").report_action(self)

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------
    def _send_receipt_mail(self):
        """Send the receipt to the customer as it is issued, PDF attached.
        Through the mail queue: sent once even if the transaction is retried
        (quality bar R6)."""
        receipts = self.filtered(lambda r: r.partner_id.email)
        template = receipts and self.env.ref(
            "aftersales_service.aftersales_receipt_mail_template", raise_if_not_found=False
        )
        if not template:
            return
        for receipt in receipts:
            receipt.with_context(mail_notify_force_send=False).message_post_with_source(
                template,
                email_layout_xmlid="mail.mail_notification_light",
                subtype_xmlid="mail.mt_comment",
            )
