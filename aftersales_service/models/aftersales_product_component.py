from odoo import api, fields, models
from odoo.exceptions import ValidationError

from .common import PERIOD_UNITS


class AftersalesProductComponent(models.Model):
    """A component of a product with its own warranty period (R9)."""

    _name = "aftersales.product.component"
    _description = "Product Component Warranty"
    _order = "product_tmpl_id, sequence, id"
    _check_company_auto = True

    sequence = fields.Integer(default=10)
    product_tmpl_id = fields.Many2one(
        "product.template", string="Product", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="product_tmpl_id.company_id", store=True)
    component_id = fields.Many2one(
        "product.product",
        required=True,
        ondelete="restrict",
        check_company=True,
    )
    warranty_duration = fields.Integer(
        string="Warranty", required=True, default=12, help="Warranty period of this component."
    )
    warranty_unit = fields.Selection(PERIOD_UNITS, required=True, default="month")
    note = fields.Char()

    _sql_constraints = [
        (
            "warranty_duration_positive",
            "CHECK(warranty_duration >= 0)",
            "A component's warranty period cannot be negative.",
        ),
        (
            "component_unique",
            "UNIQUE(product_tmpl_id, component_id)",
            "A component can be listed only once per product.",
        ),
    ]

    @api.constrains("component_id", "product_tmpl_id")
    def _check_component_not_product(self):
        for line in self:
            if line.component_id.product_tmpl_id == line.product_tmpl_id:
                raise ValidationError(self.env._("A product cannot be a component of itself."))
