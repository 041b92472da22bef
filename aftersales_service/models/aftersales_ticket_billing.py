"""Billing of a repair ticket (R8, R9, R16): the quote shown before paid
work and its acknowledgement, the charges gathered from the dispatches,
invoices through Odoo Accounting and the on-site payment."""

from collections import defaultdict
from decimal import Decimal

from odoo import Command, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.osv import expression
from odoo.tools import SQL, float_compare, format_amount

from ..tools import fees
from .aftersales_charge import currency_step
from .common import internal, is_internal

GROUP_USER = "aftersales_service.aftersales_service_group_user"
GROUP_MANAGER = "aftersales_service.aftersales_service_group_manager"
GROUP_INVOICE = "account.group_account_invoice"

QUOTE_FIELDS = {
    "quote_signed_by",
    "quote_signature",
    "quote_acknowledged_on",
    "quote_amount",
    "quote_override_reason",
    "quote_override_by_id",
    "quote_override_on",
}
INVOICE_STATUSES = [
    ("nothing", "Nothing to Invoice"),
    ("to_invoice", "To Invoice"),
    ("invoiced", "Invoiced"),
]
QUOTE_STATUSES = [
    ("not_needed", "Not Needed"),
    ("to_acknowledge", "To Acknowledge"),
    ("acknowledged", "Acknowledged"),
    ("overridden", "Overridden"),
]


def _domain_of(domains, values, negate=False):
    """The domain of a search on a computed status: the union of the domains
    of `values`, or its complement (a domain, never a list of ids)."""
    found = [domains[value] for value in values if value in domains]
    domain = expression.OR(found) if found else list(expression.FALSE_DOMAIN)
    if negate:
        return ["!", *expression.normalize_domain(domain)]
    return domain


class AftersalesTicket(models.Model):
    _inherit = "aftersales.ticket"

    # --- Quote (R16) -----------------------------------------------------
    # Stored once the work is priced (quote, charges): until then the
    # agreement's card, else the company's default, is used. Not a stored
    # compute, which would cost every ticket create an UPDATE (P1).
    fee_card_id = fields.Many2one(
        "aftersales.fee.card",
        tracking=True,
        check_company=True,
        copy=False,
        help="The prices of paid work. Empty: the covering agreement's card, else the "
        "company's default valid on the day of the call; set when the work is priced.",
    )
    currency_id = fields.Many2one(
        "res.currency", compute="_compute_currency_id", string="Billing Currency"
    )
    estimated_hours = fields.Float(
        string="Estimated Labour (h)", default=1.0, help="Labour time the quote counts."
    )
    quote_line_ids = fields.One2many(
        "aftersales.charge",
        "ticket_id",
        string="Quote",
        domain=[("estimate", "=", True)],
        context={"default_estimate": True},
    )
    quote_total = fields.Monetary(compute="_compute_billing", string="Quoted")
    quote_free_value = fields.Monetary(compute="_compute_billing", string="Quoted Free Service")
    quote_signed_by = fields.Char(string="Quote Acknowledged By", readonly=True, copy=False)
    quote_signature = fields.Image(
        max_width=1024, max_height=1024, readonly=True, copy=False, attachment=False
    )
    quote_acknowledged_on = fields.Datetime(readonly=True, copy=False, tracking=True)
    quote_amount = fields.Monetary(
        string="Acknowledged Amount", readonly=True, copy=False, help="The quote as acknowledged."
    )
    quote_override_reason = fields.Text(readonly=True, copy=False, tracking=True)
    quote_override_by_id = fields.Many2one("res.users", readonly=True, copy=False)
    quote_override_on = fields.Datetime(readonly=True, copy=False)
    quote_status = fields.Selection(
        QUOTE_STATUSES,
        compute="_compute_quote_status",
        search="_search_quote_status",
        help="Paid tickets need the customer's acknowledgement of the quote before the "
        "work is finished (Settings).",
    )

    # --- Charges and invoices ---------------------------------------------
    charge_ids = fields.One2many(
        "aftersales.charge",
        "ticket_id",
        string="Charges",
        domain=[("estimate", "=", False)],
        context={"default_estimate": False},
    )
    charge_total = fields.Monetary(compute="_compute_billing", string="To Pay")
    charge_free_value = fields.Monetary(compute="_compute_billing", string="Free Service Value")
    invoice_ids = fields.Many2many(
        "account.move",
        "account_move_aftersales_ticket_rel",
        "ticket_id",
        "move_id",
        string="Invoices",
        readonly=True,
        copy=False,
    )
    invoice_count = fields.Integer(compute="_compute_invoice_count")
    # Not stored: a stored compute would cost every ticket create a query
    # (P1); the search reads the charges' stored flags.
    invoice_status = fields.Selection(
        INVOICE_STATUSES, compute="_compute_billing", search="_search_invoice_status"
    )

    def _pricing_card(self):
        """The card that prices this ticket's work: its own, else the
        agreement's, else the company's default, valid on the day of the call."""
        self.ensure_one()
        return self.fee_card_id or self.env["aftersales.fee.card"]._select_for(
            self.company_id, self._on_date(), self.agreement_id
        )

    def _has_card(self):
        """Whether some card may price this ticket (validity aside), as the
        quote status search reads it."""
        self.ensure_one()
        return bool(
            self.fee_card_id
            or self.agreement_id.fee_card_id
            or self.company_id.aftersales_fee_card_id
        )

    @api.depends("fee_card_id.currency_id", "agreement_id.fee_card_id", "company_id")
    def _compute_currency_id(self):
        for ticket in self:
            card = ticket.fee_card_id or ticket.agreement_id.fee_card_id
            card = card or ticket.company_id.aftersales_fee_card_id
            ticket.currency_id = card.currency_id or ticket.company_id.currency_id

    @api.depends(
        "quote_line_ids.amount",
        "quote_line_ids.value",
        "quote_line_ids.billable",
        "charge_ids.amount",
        "charge_ids.value",
        "charge_ids.billable",
        "charge_ids.invoiced",
    )
    def _compute_billing(self):
        """Totals and invoice status, in one grouped query for the saved
        tickets (P5); records being edited in a form add up in memory."""
        saved = self.filtered("id")
        rows = defaultdict(list)  # ticket id: [(estimate, billable, invoiced, amount, value)]
        if saved:
            for ticket, estimate, billable, invoiced, amount, value in self.env[
                "aftersales.charge"
            ]._read_group(
                [("ticket_id", "in", saved.ids)],
                ["ticket_id", "estimate", "billable", "invoiced"],
                ["amount:sum", "value:sum"],
            ):
                rows[ticket.id].append((estimate, billable, invoiced, amount, value))
        for ticket in self - saved:
            for charge in ticket.quote_line_ids | ticket.charge_ids:
                rows[ticket.id].append(
                    (charge.estimate, charge.billable, charge.invoiced, charge.amount, charge.value)
                )
        for ticket in self:
            sums = defaultdict(float)
            statuses = set()
            for estimate, billable, invoiced, amount, value in rows[ticket.id]:
                prefix = "quote" if estimate else "charge"
                sums[f"{prefix}_total"] += amount
                if not billable:
                    sums[f"{prefix}_free_value"] += value
                if not estimate:
                    statuses.add((billable, invoiced))
            for name in ("quote_total", "quote_free_value", "charge_total", "charge_free_value"):
                ticket[name] = sums[name]
            if (True, False) in statuses:
                ticket.invoice_status = "to_invoice"
            elif any(invoiced for _billable, invoiced in statuses):
                ticket.invoice_status = "invoiced"
            else:
                ticket.invoice_status = "nothing"

    # Without a fee card there are no prices to show: billing through the
    # module starts when the company (or the agreement) has a card.
    @api.depends(
        "service_category",
        "fee_card_id",
        "agreement_id.fee_card_id",
        "company_id.aftersales_fee_card_id",
        "quote_acknowledged_on",
        "quote_override_on",
    )
    def _compute_quote_status(self):
        for ticket in self:
            if ticket.quote_acknowledged_on:
                ticket.quote_status = "acknowledged"
            elif ticket.quote_override_on:
                ticket.quote_status = "overridden"
            elif ticket.service_category == "paid" and ticket._has_card():
                ticket.quote_status = "to_acknowledge"
            else:
                ticket.quote_status = "not_needed"

    def _search_quote_status(self, operator, value):
        if operator not in ("=", "!=", "in", "not in"):
            raise UserError(self.env._("Unsupported search on the quote status."))
        values = {value} if isinstance(value, str) else set(value or ())
        domains = {
            "acknowledged": [("quote_acknowledged_on", "!=", False)],
            "overridden": [
                ("quote_acknowledged_on", "=", False),
                ("quote_override_on", "!=", False),
            ],
            "to_acknowledge": [
                ("quote_acknowledged_on", "=", False),
                ("quote_override_on", "=", False),
                ("service_category", "=", "paid"),
                "|",
                "|",
                ("fee_card_id", "!=", False),
                ("agreement_id.fee_card_id", "!=", False),
                ("company_id.aftersales_fee_card_id", "!=", False),
            ],
            "not_needed": [
                ("quote_acknowledged_on", "=", False),
                ("quote_override_on", "=", False),
                "|",
                ("service_category", "!=", "paid"),
                "&",
                "&",
                ("fee_card_id", "=", False),
                ("agreement_id.fee_card_id", "=", False),
                ("company_id.aftersales_fee_card_id", "=", False),
            ],
        }
        return _domain_of(domains, values, negate=operator in ("!=", "not in"))

    @api.depends("invoice_ids")
    def _compute_invoice_count(self):
        for ticket in self:
            ticket.invoice_count = len(ticket.invoice_ids)

    def _search_invoice_status(self, operator, value):
        if operator not in ("=", "!=", "in", "not in"):
            raise UserError(self.env._("Unsupported search on the invoice status."))
        values = {value} if isinstance(value, str) else set(value or ())
        to_invoice = [("billable", "=", True), ("invoiced", "=", False), ("estimate", "=", False)]
        invoiced = [("invoiced", "=", True), ("estimate", "=", False)]
        domains = {
            "to_invoice": [("charge_ids", "any", to_invoice)],
            "invoiced": [
                ("charge_ids", "any", invoiced),
                ("charge_ids", "not any", to_invoice),
            ],
            "nothing": [
                ("charge_ids", "not any", to_invoice),
                ("charge_ids", "not any", invoiced),
            ],
        }
        return _domain_of(domains, values, negate=operator in ("!=", "not in"))

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------
    def write(self, vals):
        protected = QUOTE_FIELDS & set(vals)
        if protected and not is_internal(self):
            self._raise_protected(protected)
        if "fee_card_id" in vals and not is_internal(self):
            signed = self.filtered("quote_acknowledged_on")
            if signed:
                raise UserError(
                    self.env._(
                        "The customer acknowledged the quote of %(name)s at these prices: "
                        "the fee card no longer changes.",
                        name=signed[0].display_name,
                    )
                )
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_invoiced(self):
        """Tickets with invoices are accounting history (R7)."""
        if self.sudo().invoice_ids:
            raise UserError(self.env._("A ticket with invoices cannot be deleted: archive it."))

    # ------------------------------------------------------------------
    # Pricing
    # ------------------------------------------------------------------
    def _check_fee_card(self):
        self.ensure_one()
        if not self.fee_card_id:
            card = self._pricing_card()
            if card:
                internal(self.sudo()).fee_card_id = card
        if not self.fee_card_id:
            raise UserError(
                self.env._(
                    "%(name)s has no fee card: choose one on the ticket, or set the company's "
                    "default fee card in Settings.",
                    name=self.display_name,
                )
            )
        return self.fee_card_id

    def _decide_line(self, component=None):
        """Category and reason of a line judged on `component` (R9): the
        component's own warranty when it has one, else the unit's; the
        supervisor's override applies to every line (R8)."""
        self.ensure_one()
        if self.category_override:
            return self.category_override, self.category_override_reason
        if not component or not self.partner_id or not (self.lot_id or self.product_id):
            return self.service_category or "paid", self.coverage_reason
        decision = self.env["aftersales.coverage"]._decide(
            lot=self.lot_id,
            product=self.product_id,
            partner=self.partner_id,
            component=component,
            on_date=self._on_date(),
            fault_cause=self.fault_cause,
        )
        return decision["category"], decision["reason"]

    def _card_line(self, card, kind, **match):
        """The card's line of `kind`, preferring one matching the skill, the
        zone or the repaired product given in `match`."""
        lines = card.line_ids.filtered(lambda line: line.kind == kind)
        if "skill_ids" in match:
            skilled = lines.filtered(lambda line: line.skill_id in match["skill_ids"])
            return skilled[:1] or lines.filtered(lambda line: not line.skill_id)[:1]
        if "zone" in match:
            zone = (match["zone"] or "").strip().casefold()
            return lines.filtered(lambda line: (line.zone or "").strip().casefold() == zone)[:1]
        if "products" in match:
            for product in match["products"]:
                if not product:
                    continue
                found = lines.filtered(lambda line, p=product: line.repair_product_id == p)
                if found:
                    return found[:1]
            return lines[:0]
        return lines[:1]

    def _part_price(self, card, product):
        """The part's sale price in the card's currency."""
        company = self.company_id
        return company.currency_id._convert(
            product.lst_price, card.currency_id, company, self._on_date()
        )

    def _prepare_charge_vals(self, card, card_line, quantity, component=None, **vals):
        """Values of one charge priced from `card_line` (a hook for bridges)."""
        self.ensure_one()
        category, reason = self._decide_line(component)
        return {
            "ticket_id": self.id,
            "currency_id": card.currency_id.id,
            "kind": card_line.kind
            if card_line.kind in ("callout", "labour", "fixed")
            else "travel",
            "name": card_line.name,
            "product_id": card_line.product_id.id,
            "component_id": component.id if component else False,
            "quantity": quantity,
            "unit_price": card_line.price,
            "category": category,
            "reason": reason,
            "auto": True,
            **vals,
        }

    def _prepare_part_charge_vals(self, card, product, quantity, **vals):
        self.ensure_one()
        category, reason = self._decide_line(product)
        parts_line = self._card_line(card, "parts")
        return {
            "ticket_id": self.id,
            "currency_id": card.currency_id.id,
            "kind": "part",
            "name": product.display_name,
            "product_id": product.id,
            "component_id": product.id,
            "quantity": quantity,
            "unit_price": self._part_price(card, product),
            "markup": parts_line.markup,
            "category": category,
            "reason": reason,
            "auto": True,
            **vals,
        }

    def _visit_included(self, visit_date, dispatch=None):
        """Whether a contract visit finished at `visit_date` (`dispatch`, or
        the next one for a quote) is one of the visits the covering agreement
        includes in its year (R8): the visits finished before it in that
        agreement year are counted, in the order they were finished."""
        self.ensure_one()
        agreement = self.agreement_id
        if not agreement or not agreement.included_visits:
            return False
        start, end = fees.contract_year(agreement.date_start, visit_date.date())
        if dispatch:
            before = [
                "|",
                ("date_finished", "<", visit_date),
                "&",
                ("date_finished", "=", visit_date),
                ("id", "<", dispatch.id),
            ]
        else:
            before = [("date_finished", "<=", visit_date)]
        domain = [
            ("ticket_id.agreement_id", "=", agreement.id),
            ("ticket_id.service_category", "=", "contract"),
            # Preventive visits are the agreement's own: not repair visits.
            ("ticket_id.maintenance_plan_id", "=", False),
            ("state", "in", ("done", "reviewed")),
            ("date_finished", ">=", fields.Datetime.to_datetime(start)),
            *before,
        ]
        used = self.env["aftersales.dispatch"].sudo().search_count(domain)
        return used < agreement.included_visits and visit_date.date() < end

    def _prepare_quote_lines(self):
        """Quote lines from the fee card: one call-out, the estimated labour
        (or the fixed price of the repair), at the categories the coverage
        decides."""
        self.ensure_one()
        card = self._check_fee_card()
        included = self.service_category == "contract" and self._visit_included(
            fields.Datetime.now()
        )
        vals_list = []
        callout = self._card_line(card, "callout")
        if callout:
            vals_list.append(self._prepare_charge_vals(card, callout, 1.0, included=included))
        fixed = self._card_line(card, "fixed", products=[self.component_id, self.product_id])
        if fixed:
            component = (
                fixed.repair_product_id if fixed.repair_product_id == self.component_id else None
            )
            vals_list.append(
                self._prepare_charge_vals(card, fixed, 1.0, component=component, included=included)
            )
        else:
            labour = self._card_line(card, "labour", skill_ids=self.skill_ids)
            if labour and self.estimated_hours > 0:
                vals_list.append(
                    self._prepare_charge_vals(card, labour, self.estimated_hours, included=included)
                )
        for vals in vals_list:
            vals["estimate"] = True
        return vals_list

    def _prepare_dispatch_charges(self, card, dispatch):
        """Charges of one finished visit: call-out, labour (unless a fixed
        price covers the repair), travel, and each spare part used, judged on
        its own warranty (R9)."""
        self.ensure_one()
        # A preventive visit of a maintenance plan is what the agreement
        # pays for (R6); repair visits count against its allowance.
        included = self.service_category == "contract" and (
            bool(self.maintenance_plan_id)
            or self._visit_included(dispatch.date_finished or fields.Datetime.now(), dispatch)
        )
        common = {"dispatch_id": dispatch.id, "included": included}
        vals_list = []
        callout = self._card_line(card, "callout")
        if callout:
            vals_list.append(self._prepare_charge_vals(card, callout, 1.0, **common))
        component = dispatch.component_id or self.component_id
        fixed = self._card_line(card, "fixed", products=[component, self.product_id])
        if fixed and dispatch.outcome == "fixed":
            judged = fixed.repair_product_id if fixed.repair_product_id == component else None
            vals_list.append(
                self._prepare_charge_vals(card, fixed, 1.0, component=judged, **common)
            )
        elif dispatch.labour_hours > 0:
            labour = self._card_line(card, "labour", skill_ids=self.skill_ids)
            if labour:
                vals_list.append(
                    self._prepare_charge_vals(card, labour, dispatch.labour_hours, **common)
                )
        if dispatch.travel_km > 0:
            per_km = self._card_line(card, "travel_km")
            if per_km:
                vals_list.append(
                    self._prepare_charge_vals(card, per_km, dispatch.travel_km, **common)
                )
        if dispatch.travel_zone:
            zone = self._card_line(card, "travel_zone", zone=dispatch.travel_zone)
            if zone:
                vals_list.append(self._prepare_charge_vals(card, zone, 1.0, **common))
        parts_included = included and self.agreement_id.parts_included
        for part in dispatch.part_ids.filtered(lambda p: p.direction == "used"):
            vals_list.append(
                self._prepare_part_charge_vals(
                    card,
                    part.product_id,
                    part.quantity,
                    dispatch_id=dispatch.id,
                    included=parts_included,
                )
            )
        return vals_list

    def _update_charges(self, strict=True):
        """Gather the charges of the finished visits again: the computed
        lines of a visit are replaced until one of them is invoiced; lines
        added by hand stay. Not `strict` (at the end of a visit), tickets
        without a fee card are left for the supervisor."""
        Charge = internal(self.env["aftersales.charge"].sudo())
        for ticket in self:
            if (
                not strict
                and not ticket.fee_card_id
                and not self.env["aftersales.fee.card"]._select_for(
                    ticket.company_id, ticket._on_date(), ticket.agreement_id
                )
            ):
                continue
            dispatches = ticket.sudo().dispatch_ids.filtered(
                lambda d: d.state in ("done", "reviewed")
            )
            charges = ticket.sudo().charge_ids
            frozen = charges.filtered("invoiced").dispatch_id
            todo = dispatches - frozen
            if not todo:
                continue
            card = ticket._check_fee_card()
            charges.filtered(lambda c, t=todo: c.auto and c.dispatch_id in t).unlink()
            vals_list = []
            for dispatch in todo.sorted(lambda d: (d.date_finished or d.create_date, d.id)):
                vals_list += ticket._prepare_dispatch_charges(card, dispatch)
            Charge.create(vals_list)

    # ------------------------------------------------------------------
    # Quote actions
    # ------------------------------------------------------------------
    def _check_billing_user(self):
        if not self.env.user.has_group(GROUP_USER):
            raise AccessError(self.env._("Only service staff prepare quotes and charges."))

    def _check_on_visit(self):
        """Technicians act on the tickets of their own visits only."""
        if self.env.user.has_group(GROUP_USER):
            return
        user = self.env.user
        for ticket in self:
            visits = ticket.sudo().dispatch_ids.filtered(
                lambda d: d.technician_id == user or user in d.helper_ids
            )
            if not visits:
                raise AccessError(
                    self.env._("%(name)s is not one of your visits.", name=ticket.display_name)
                )

    def action_prepare_quote(self):
        """(Re)compute the quote lines from the fee card."""
        self._check_billing_user()
        for ticket in self:
            ticket._prepare_quote()
        return True

    def _prepare_quote(self):
        self.ensure_one()
        if self.quote_acknowledged_on:
            raise UserError(
                self.env._(
                    "The customer acknowledged the quote of %(name)s already.",
                    name=self.display_name,
                )
            )
        sudo = internal(self.sudo())
        sudo.quote_line_ids.filtered("auto").unlink()
        internal(self.env["aftersales.charge"].sudo()).create(self._prepare_quote_lines())

    def action_open_quote_wizard(self):
        """Show the quote to the customer for acknowledgement (technician on
        site, or staff at the counter)."""
        self.ensure_one()
        self._check_on_visit()
        if self.quote_acknowledged_on:
            raise UserError(
                self.env._("The quote of %(name)s is acknowledged already.", name=self.display_name)
            )
        if not self.quote_line_ids:
            self._prepare_quote()
        return self._open_quote_wizard("acknowledge")

    def action_open_quote_override(self):
        self.ensure_one()
        self._check_group(GROUP_MANAGER, self.env._("override the quote of"))
        return self._open_quote_wizard("override")

    def _open_quote_wizard(self, mode):
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Quote") if mode == "acknowledge" else self.env._("Override Quote"),
            "res_model": "aftersales.ticket.quote",
            "view_mode": "form",
            "target": "new",
            "context": {"default_ticket_id": self.id, "default_mode": mode},
        }

    def _action_acknowledge_quote(self, signer, signature, now):
        """The customer saw the fee card and the quote and accepts it (R16)."""
        self.ensure_one()
        self._check_on_visit()
        signer = (signer or "").strip()
        if not signer or not signature:
            raise UserError(self.env._("The customer's name and signature are both needed."))
        if self.quote_acknowledged_on:
            raise UserError(
                self.env._("The quote of %(name)s is acknowledged already.", name=self.display_name)
            )
        if not self.quote_line_ids:
            raise UserError(self.env._("Prepare the quote first."))
        internal(self.sudo()).write(
            {
                "fee_card_id": self.fee_card_id.id,
                "quote_signed_by": signer,
                "quote_signature": signature,
                "quote_acknowledged_on": now,
                "quote_amount": self.quote_total,
            }
        )
        self.sudo().message_post(
            author_id=self.env.user.partner_id.id,
            body=self.env._(
                "%(signer)s acknowledged the quote (%(amount)s) and the fee card %(card)s.",
                signer=signer,
                amount=format_amount(self.env, self.quote_total, self.currency_id),
                card=self.fee_card_id.display_name,
            ),
        )
        return True

    def _action_override_quote(self, reason, now):
        """A supervisor lets paid work go ahead without the acknowledgement."""
        self.ensure_one()
        self._check_group(GROUP_MANAGER, self.env._("override the quote of"))
        reason = (reason or "").strip()
        if not reason:
            raise UserError(self.env._("Give the reason for going ahead without the quote."))
        if self.quote_acknowledged_on:
            raise UserError(
                self.env._("The quote of %(name)s is acknowledged already.", name=self.display_name)
            )
        internal(self.sudo()).write(
            {
                "quote_override_reason": reason,
                "quote_override_by_id": self.env.user.id,
                "quote_override_on": now,
            }
        )
        return True

    def _check_quote_for_work(self):
        """Paid work is done (finished, invoiced) only after the customer
        acknowledged the quote or a supervisor overrode it (R16)."""
        for ticket in self.sudo():
            if (
                ticket.company_id.aftersales_quote_required
                and ticket.quote_status == "to_acknowledge"
            ):
                raise UserError(
                    self.env._(
                        "%(name)s is paid service: the customer acknowledges the quote "
                        "before the work (or a supervisor overrides it with a reason).",
                        name=ticket.display_name,
                    )
                )

    def action_print_quote(self):
        self.ensure_one()
        self._check_on_visit()
        if not self.quote_line_ids:
            self._prepare_quote()
        return self.env.ref("aftersales_service.aftersales_ticket_quote_report").report_action(self)

    # ------------------------------------------------------------------
    # Charges and invoices
    # ------------------------------------------------------------------
    def action_update_charges(self):
        self._check_billing_user()
        self._update_charges()
        return True

    def _lock_for_invoicing(self):
        """Serialize invoicing of these tickets: a second click waits, then
        finds the charges invoiced."""
        self.env.cr.execute(
            SQL(
                "SELECT id FROM aftersales_ticket WHERE id IN %s ORDER BY id FOR UPDATE",
                tuple(self.ids),
            )
        )
        self.invalidate_recordset(["charge_ids", "invoice_status"])
        self.env["aftersales.charge"].invalidate_model(["invoice_line_id", "invoiced"])

    def _charges_to_invoice(self):
        return self.sudo().charge_ids.filtered(lambda c: not c.estimate and not c.invoiced)

    def _check_can_invoice(self):
        partners = self.commercial_partner_id
        if len(partners) != 1:
            raise UserError(
                self.env._("One invoice is for one customer: select their tickets only.")
            )
        if len(self.company_id) != 1:
            raise UserError(self.env._("One invoice is for one company."))
        charges = self._charges_to_invoice()
        if len(charges.currency_id) > 1:
            raise UserError(self.env._("These charges are in several currencies."))
        if not charges.filtered("billable"):
            raise UserError(
                self.env._(
                    "Nothing to invoice on %(names)s: free or included service, or invoiced "
                    "already.",
                    names=", ".join(self.mapped("display_name")),
                )
            )
        self.filtered(lambda t: t.charge_ids.filtered("billable"))._check_quote_for_work()
        return charges

    def _invoice_line_vals(self, charge, sequence):
        """The invoice line of `charge`: billed at its amount, or at zero with
        its reason for free and included work."""
        currency = charge.currency_id
        price_step = Decimal(1).scaleb(
            -self.env["decimal.precision"].precision_get("Product Price")
        )
        amount = Decimal(str(charge.amount))
        name = charge.name
        if charge.billable:
            quantity, price = fees.invoice_quantity_price(
                charge.quantity, fees.round_amount(amount, currency_step(currency)), price_step
            )
            if quantity != Decimal(str(charge.quantity)):
                name = self.env._(
                    "%(name)s (%(qty)s × %(price)s)",
                    name=name,
                    qty=charge.quantity,
                    price=format_amount(self.env, charge.unit_price, currency),
                )
        else:
            quantity, price = Decimal(str(charge.quantity)), Decimal(0)
            label = (
                self.env._("Included in the agreement")
                if charge.category == "contract"
                else self.env._("Free")
            )
            name = f"{name} — {label}: {charge.reason}" if charge.reason else f"{name} — {label}"
        return {
            "sequence": sequence,
            "product_id": charge.product_id.id,
            "name": name,
            "quantity": float(quantity),
            "price_unit": float(price),
        }

    def _prepare_invoice_vals(self, charges):
        """Values of the customer invoice of `charges` (a hook for bridges):
        a section per ticket, a line per charge."""
        partner = self.commercial_partner_id
        lines, order = [], []
        sequence = 10
        for ticket in self.sorted("id"):
            ticket_charges = charges.filtered(lambda c, t=ticket: c.ticket_id == t)
            if not ticket.company_id.aftersales_invoice_free_lines:
                ticket_charges = ticket_charges.filtered("billable")
            if not ticket_charges:
                continue
            lines.append(
                Command.create(
                    {
                        "display_type": "line_section",
                        "name": f"{ticket.name} — {ticket.title}",
                        "sequence": sequence,
                    }
                )
            )
            for charge in ticket_charges:
                sequence += 1
                lines.append(Command.create(self._invoice_line_vals(charge, sequence)))
                order.append(charge)
            sequence += 1
        vals = {
            "move_type": "out_invoice",
            "partner_id": partner.id,
            "company_id": self.company_id.id,
            "currency_id": charges.currency_id.id,
            "invoice_origin": ", ".join(self.sorted("id").mapped("name")),
            "aftersales_ticket_ids": [Command.set(self.ids)],
            "invoice_line_ids": lines,
        }
        return vals, order

    def _create_invoice(self):
        """One draft customer invoice of the charges not invoiced yet of these
        tickets (one customer); the charges link to its lines."""
        if not self:
            raise UserError(self.env._("Select the tickets to invoice."))
        self._lock_for_invoicing()
        charges = self._check_can_invoice()
        vals, order = self._prepare_invoice_vals(charges)
        Move = self.env["account.move"].with_company(self.company_id)
        invoice = Move.create(vals)
        product_lines = invoice.invoice_line_ids.filtered(
            lambda line: line.display_type == "product"
        ).sorted("sequence")
        for charge, line in zip(order, product_lines, strict=True):
            internal(charge.sudo()).invoice_line_id = line
        for ticket in self:
            ticket.sudo().message_post(
                body=self.env._("Invoice %(invoice)s created.", invoice=invoice._get_html_link())
            )
        return invoice

    def action_create_invoice(self):
        """Create Invoice (accountants): a draft invoice of one ticket, or of
        several tickets of one customer."""
        if not self.env.user.has_group(GROUP_INVOICE):
            raise AccessError(self.env._("Only invoicing users create invoices."))
        invoice = self._create_invoice()
        return {
            "type": "ir.actions.act_window",
            "res_model": "account.move",
            "res_id": invoice.id,
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "current",
        }

    def action_open_invoices(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "account.action_move_out_invoice_type"
        )
        action["domain"] = [("id", "in", self.invoice_ids.ids)]
        action["context"] = {"default_move_type": "out_invoice", "create": False}
        if len(self.invoice_ids) == 1:
            action["views"] = [(False, "form")]
            action["res_id"] = self.invoice_ids.id
        return action

    # ------------------------------------------------------------------
    # On-site payment
    # ------------------------------------------------------------------
    def _onsite_amount_due(self):
        """What the customer pays now, taxes included, as the invoice will
        compute it from the products' taxes and the customer's fiscal
        position."""
        self.ensure_one()
        sudo = self.sudo().with_company(self.company_id)
        partner = sudo.commercial_partner_id
        fiscal_position = sudo.env["account.fiscal.position"]._get_fiscal_position(partner)
        total = 0.0
        for charge in sudo._charges_to_invoice().filtered("billable"):
            taxes = charge.product_id.taxes_id.filtered(
                lambda t: t.company_id in self.company_id.parent_ids
            )
            taxes = fiscal_position.map_tax(taxes)
            total += taxes.compute_all(
                charge.amount, charge.currency_id, 1.0, charge.product_id, partner
            )["total_included"]
        return self.currency_id.round(total)

    def _action_collect_onsite(self, journal, amount, now):
        """The technician collected `amount` on site (R16): the invoice is
        created and posted, the payment registered and reconciled with it, and
        the invoice e-mailed through the mail queue. Technicians have no
        accounting rights: the checks here are theirs, the steps run as
        superuser. A refusal raises, and the whole call is rolled back."""
        self.ensure_one()
        self._check_on_visit()
        company = self.company_id
        currency = self.currency_id
        if journal not in company.sudo().aftersales_payment_journal_ids:
            raise UserError(self.env._("Choose one of the on-site payment journals of Settings."))
        due = self._onsite_amount_due()
        if currency.is_zero(due):
            raise UserError(self.env._("Nothing to collect on %(name)s.", name=self.display_name))
        self._check_onsite_amount(due, amount)
        sudo = self.sudo().with_company(company)
        invoice = sudo._create_invoice()
        # The invoice's own total is the authority (its tax rounding).
        self._check_onsite_amount(invoice.amount_total, amount)
        invoice.action_post()
        payments = (
            self.env["account.payment.register"]
            .sudo()
            .with_company(company)
            .with_context(active_model="account.move", active_ids=invoice.ids)
            .create(
                {
                    "journal_id": journal.id,
                    "amount": amount,
                    "payment_date": fields.Date.context_today(self, now),
                    "communication": invoice.name,
                }
            )
            ._create_payments()
        )
        template = self.env.ref("account.email_template_edi_invoice", raise_if_not_found=False)
        if template and invoice.partner_id.email:
            template.sudo().send_mail(invoice.id, force_send=False)
            invoice.is_move_sent = True
        self.sudo().message_post(
            author_id=self.env.user.partner_id.id,
            body=self.env._(
                "%(amount)s collected on site (%(journal)s) by %(user)s: invoice %(invoice)s "
                "posted and paid.",
                amount=format_amount(self.env, amount, currency),
                journal=journal.name,
                user=self.env.user.name,
                invoice=invoice.name,
            ),
        )
        return invoice, payments

    def _check_onsite_amount(self, due, amount):
        """Small amounts only, and the whole of it (R16)."""
        currency = self.currency_id
        limit = self.company_id.sudo().aftersales_onsite_limit
        if currency.compare_amounts(due, limit) > 0:
            raise UserError(
                self.env._(
                    "%(amount)s is above the on-site limit (%(limit)s): the invoice is sent "
                    "and collected later.",
                    amount=format_amount(self.env, due, currency),
                    limit=format_amount(self.env, limit, currency),
                )
            )
        if float_compare(amount, due, precision_rounding=currency.rounding):
            raise UserError(
                self.env._(
                    "Collect the whole amount due (%(due)s), or leave it to the invoice.",
                    due=format_amount(self.env, due, currency),
                )
            )
