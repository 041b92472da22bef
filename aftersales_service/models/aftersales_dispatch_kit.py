from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from .common import negative_in


class AftersalesDispatchKit(models.Model):
    """What the technician takes along (R12): tools, spare parts, documents.
    Stock-tracked parts are reserved when the dispatch is scheduled."""

    _name = "aftersales.dispatch.kit"
    _description = "Dispatch Kit Item"
    _order = "dispatch_id, sequence, id"
    _check_company_auto = True

    sequence = fields.Integer(default=10)
    dispatch_id = fields.Many2one(
        "aftersales.dispatch", required=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one(related="dispatch_id.company_id", store=True, index=True)
    kind = fields.Selection(
        [("tool", "Tool"), ("part", "Spare Part"), ("other", "Other")],
        default="tool",
        required=True,
    )
    product_id = fields.Many2one("product.product", check_company=True, ondelete="restrict")
    name = fields.Char(
        string="Item",
        compute="_compute_name",
        store=True,
        readonly=False,
        required=True,
        precompute=True,
    )
    quantity = fields.Float(default=1.0, digits="Product Unit of Measure")
    checked = fields.Boolean(string="Packed", help="Ticked by the technician when packed.")

    _sql_constraints = [
        ("quantity_positive", "CHECK(quantity > 0)", "A kit quantity is positive."),
    ]

    @api.depends("product_id")
    def _compute_name(self):
        for line in self:
            if line.product_id and not line.name:
                line.name = line.product_id.display_name
            else:
                line.name = line.name

    def _check_quantity_vals(self, vals):
        """Before the database's check, in the user's language."""
        if negative_in(vals, ("quantity",), strict=True):
            raise ValidationError(self.env._("A kit quantity is positive."))

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._check_quantity_vals(vals)
        return super().create(vals_list)

    def write(self, vals):
        """Technicians tick what they packed; the list is the supervisor's."""
        if (
            not self.env.su
            and not self.env.user.has_group("aftersales_service.aftersales_service_group_user")
            and set(vals) - {"checked"}
        ):
            raise UserError(self.env._("The supervisor sets the kit; tick what you packed."))
        if (
            not self.env.su
            and "checked" in vals
            and self.dispatch_id.filtered(
                lambda d: d.state not in ("draft", "scheduled", "in_progress")
            )
        ):
            raise UserError(self.env._("The kit is packed before the visit ends."))
        self._check_quantity_vals(vals)
        return super().write(vals)
