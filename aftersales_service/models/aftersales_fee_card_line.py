from odoo import api, fields, models
from odoo.exceptions import ValidationError

from .common import negative_in

FEE_KINDS = [
    ("callout", "Call-out fee per visit"),
    ("labour", "Labour per hour"),
    ("travel_km", "Travel per km"),
    ("travel_zone", "Travel per zone"),
    ("fixed", "Fixed price per repair"),
    ("parts", "Mark-up on spare parts"),
]


class AftersalesFeeCardLine(models.Model):
    """One price of a fee card; each maps to a service product, from which
    invoices take their taxes and income account."""

    _name = "aftersales.fee.card.line"
    _description = "Fee Card Price"
    _order = "card_id, sequence, id"
    _check_company_auto = True

    sequence = fields.Integer(default=10)
    card_id = fields.Many2one("aftersales.fee.card", required=True, index=True, ondelete="cascade")
    company_id = fields.Many2one(related="card_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="card_id.currency_id")
    kind = fields.Selection(FEE_KINDS, required=True, default="labour")
    name = fields.Char(string="Description", required=True, translate=True)
    skill_id = fields.Many2one(
        "aftersales.skill",
        string="Skill Level",
        help="Labour: this price for work needing this skill (empty: any).",
    )
    zone = fields.Char(help="Travel per zone: the zone this price applies to.")
    repair_product_id = fields.Many2one(
        "product.product",
        string="Repair / Component",
        check_company=True,
        help="Fixed price: the component or unit this repair price applies to.",
    )
    product_id = fields.Many2one(
        "product.product",
        string="Invoiced As",
        check_company=True,
        domain="[('type', '=', 'service')]",
        help="The service product of the invoice line: its taxes and income account.",
    )
    price = fields.Monetary(currency_field="currency_id")
    markup = fields.Float(string="Mark-up (%)", help="Spare parts: added to their sale price.")

    _sql_constraints = [
        ("price_positive", "CHECK(price >= 0)", "A price cannot be negative."),
        ("markup_positive", "CHECK(markup >= 0)", "A mark-up cannot be negative."),
    ]

    @api.constrains("kind", "product_id", "price", "markup")
    def _check_line(self):
        for line in self:
            if line.price < 0 or line.markup < 0:
                raise ValidationError(self.env._("Prices and mark-ups cannot be negative."))
            if line.kind != "parts" and not line.product_id:
                raise ValidationError(
                    self.env._(
                        "“%(name)s”: choose the service product it is invoiced as.",
                        name=line.name,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._check_number_vals(vals)
        return super().create(vals_list)

    def write(self, vals):
        self._check_number_vals(vals)
        return super().write(vals)

    def _check_number_vals(self, vals):
        """Before the database's checks, in the user's language."""
        if negative_in(vals, ("price", "markup")):
            raise ValidationError(self.env._("Prices and mark-ups cannot be negative."))
