from decimal import Decimal

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..tools import fees
from .common import SERVICE_CATEGORIES, is_internal, negative_in

CHARGE_KINDS = [
    ("callout", "Call-out"),
    ("labour", "Labour"),
    ("travel", "Travel"),
    ("fixed", "Fixed Repair Price"),
    ("part", "Spare Part"),
]
# What the customer was told or billed: frozen once invoiced (or, for quote
# lines, once the customer acknowledged the quote).
PRICE_FIELDS = {
    "ticket_id",
    "dispatch_id",
    "kind",
    "name",
    "product_id",
    "component_id",
    "quantity",
    "unit_price",
    "markup",
    "category",
    "included",
    "reason",
    "estimate",
    "currency_id",
}


def currency_step(currency):
    """The currency's rounding as the Decimal that tools/fees.py expects."""
    return Decimal(str(currency.rounding))


class AftersalesCharge(models.Model):
    """One line of what a ticket costs (R8, R9, R16): a quote line shown
    before the work (`estimate`), or a charge gathered from a finished
    dispatch. Each line has its own category, decided per component, and
    is invoiced at most once."""

    _name = "aftersales.charge"
    _description = "Service Charge"
    _order = "ticket_id, estimate desc, dispatch_id, sequence, id"
    _check_company_auto = True

    sequence = fields.Integer(default=10)
    ticket_id = fields.Many2one(
        "aftersales.ticket", required=True, index=True, ondelete="cascade", check_company=True
    )
    company_id = fields.Many2one(related="ticket_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(
        "res.currency", required=True, default=lambda self: self.env.company.currency_id
    )
    estimate = fields.Boolean(
        string="Quote Line", help="Part of the quote shown before the work, not a charge."
    )
    dispatch_id = fields.Many2one(
        "aftersales.dispatch", index="btree_not_null", ondelete="restrict", check_company=True
    )
    auto = fields.Boolean(
        string="Computed", help="Gathered from the dispatches: recomputed until it is invoiced."
    )
    kind = fields.Selection(CHARGE_KINDS, required=True, default="labour")
    name = fields.Char(string="Description", required=True)
    product_id = fields.Many2one(
        "product.product",
        string="Invoiced As",
        required=True,
        check_company=True,
        ondelete="restrict",
        help="The product of the invoice line: its taxes and income account.",
    )
    component_id = fields.Many2one(
        "product.product",
        check_company=True,
        ondelete="restrict",
        help="The component this line is judged on (its own warranty, R9).",
    )
    quantity = fields.Float(default=1.0, digits="Product Unit of Measure", required=True)
    unit_price = fields.Float(digits="Product Price", required=True)
    markup = fields.Float(string="Mark-up (%)")
    category = fields.Selection(SERVICE_CATEGORIES, required=True, default="paid")
    included = fields.Boolean(
        string="Included in Agreement", help="Contract service the agreement already pays for."
    )
    reason = fields.Char(help="Why this line is free, included or paid.")
    value = fields.Monetary(
        compute="_compute_amounts",
        store=True,
        help="At the card's prices, whatever the category.",
    )
    amount = fields.Monetary(
        string="Billed", compute="_compute_amounts", store=True, help="What the customer pays."
    )
    billable = fields.Boolean(compute="_compute_amounts", store=True)
    invoice_line_id = fields.Many2one(
        "account.move.line",
        readonly=True,
        copy=False,
        index="btree_not_null",
        ondelete="set null",
    )
    invoiced = fields.Boolean(
        compute="_compute_invoiced",
        store=True,
        help="On an invoice that is neither cancelled nor reversed by a posted credit note.",
    )

    _sql_constraints = [
        (
            "numbers_positive",
            "CHECK(quantity >= 0 AND unit_price >= 0 AND markup >= 0)",
            "Quantities, prices and mark-ups cannot be negative.",
        ),
    ]

    @api.depends("kind", "quantity", "unit_price", "markup", "category", "included", "currency_id")
    def _compute_amounts(self):
        for charge in self:
            line = charge._fee_line()
            step = currency_step(charge.currency_id)
            charge.value = float(fees.line_value(line, step))
            charge.amount = float(fees.line_amount(line, step))
            charge.billable = fees.is_billable(line)

    @api.depends(
        "invoice_line_id.move_id.state",
        "invoice_line_id.move_id.reversal_move_ids.state",
    )
    def _compute_invoiced(self):
        for charge in self:
            move = charge.invoice_line_id.move_id
            charge.invoiced = (
                bool(move)
                and move.state != "cancel"
                and not any(refund.state == "posted" for refund in move.reversal_move_ids)
            )

    def _fee_line(self):
        """This charge as the plain dict of tools/fees.py."""
        self.ensure_one()
        return {
            "kind": self.kind,
            "quantity": self.quantity,
            "unit_price": self.unit_price,
            "markup": self.markup,
            "category": self.category,
            "included": self.included,
        }

    @api.constrains("quantity", "unit_price", "markup")
    def _check_numbers(self):
        for charge in self:
            if min(charge.quantity, charge.unit_price, charge.markup) < 0:
                raise ValidationError(
                    self.env._("Quantities, prices and mark-ups cannot be negative.")
                )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._check_number_vals(vals)
            if vals.get("invoice_line_id") and not is_internal(self):
                raise UserError(
                    self.env._("Charges are linked to invoices by Create Invoice only.")
                )
        charges = super().create(vals_list)
        if not is_internal(self):
            charges._check_quote_open()
        return charges

    def write(self, vals):
        self._check_number_vals(vals)
        if "invoice_line_id" in vals and not is_internal(self):
            raise UserError(self.env._("Charges are linked to invoices by Create Invoice only."))
        if PRICE_FIELDS & set(vals) and not is_internal(self):
            invoiced = self.filtered("invoiced")
            if invoiced:
                raise UserError(
                    self.env._(
                        "%(name)s is invoiced: issue a credit note before changing it.",
                        name=invoiced[0].name,
                    )
                )
            self._check_quote_open()
        return super().write(vals)

    def _check_number_vals(self, vals):
        """Before the database's check, in the user's language."""
        if negative_in(vals, ("quantity", "unit_price", "markup")):
            raise ValidationError(self.env._("Quantities, prices and mark-ups cannot be negative."))

    @api.ondelete(at_uninstall=False)
    def _unlink_except_invoiced(self):
        if self.filtered("invoiced"):
            raise UserError(
                self.env._("An invoiced charge cannot be deleted: issue a credit note first.")
            )
        if not is_internal(self):
            self._check_quote_open()

    def _check_quote_open(self):
        """Quote lines change only until the customer acknowledges the quote."""
        signed = self.filtered(lambda c: c.estimate and c.ticket_id.quote_acknowledged_on)
        if signed:
            raise UserError(
                self.env._(
                    "The customer acknowledged the quote of %(ticket)s: it no longer changes.",
                    ticket=signed[0].ticket_id.display_name,
                )
            )
