from odoo import fields, models

from .common import PERIOD_UNITS, START_RULES


class ProductTemplate(models.Model):
    _inherit = "product.template"

    # Warranty terms (R7, R9): the product's defaults, which an agreement
    # can override for the units it covers.
    aftersales_warranty_duration = fields.Integer(
        string="Warranty Period",
        help="Warranty of a delivered unit, from the date its start rule gives. "
        "0: no warranty; units are then not registered on delivery.",
    )
    aftersales_warranty_unit = fields.Selection(
        PERIOD_UNITS, string="Warranty Unit", default="month", required=True
    )
    aftersales_guarantee_duration = fields.Integer(
        string="Quality Guarantee Period",
        help="Quality guarantee (保質期) of a delivered unit, from the same start date.",
    )
    aftersales_guarantee_unit = fields.Selection(
        PERIOD_UNITS, string="Quality Guarantee Unit", default="month", required=True
    )
    aftersales_warranty_start_rule = fields.Selection(
        START_RULES,
        string="Warranty Starts On",
        default="delivery",
        required=True,
        help="Which date of a delivered unit starts its warranty.",
    )
    aftersales_component_ids = fields.One2many(
        "aftersales.product.component",
        "product_tmpl_id",
        string="Component Warranties",
        copy=True,
    )
    aftersales_warranty_count = fields.Integer(
        compute="_compute_aftersales_warranty_count", string="Warranties"
    )

    _sql_constraints = [
        (
            "aftersales_warranty_duration_positive",
            "CHECK(aftersales_warranty_duration >= 0 AND aftersales_guarantee_duration >= 0)",
            "Warranty and quality guarantee periods cannot be negative.",
        ),
    ]

    def _compute_aftersales_warranty_count(self):
        counts = dict(
            self.env["aftersales.warranty"]._read_group(
                [("product_id.product_tmpl_id", "in", self.ids)],
                ["product_tmpl_id"],
                ["__count"],
            )
        )
        for template in self:
            template.aftersales_warranty_count = counts.get(template._origin, 0)

    def action_aftersales_view_warranties(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "aftersales_service.aftersales_warranty_action"
        )
        action["domain"] = [("product_tmpl_id", "=", self.id)]
        action["context"] = {"default_product_id": self.product_variant_id.id}
        return action
