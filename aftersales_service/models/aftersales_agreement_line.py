from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from .common import PERIOD_UNITS, SERVICE_CATEGORIES


class AftersalesAgreementLine(models.Model):
    """What an agreement covers: a product, a delivered serial or a system,
    the service category it grants and optional period overrides (R7)."""

    _name = "aftersales.agreement.line"
    _description = "Service Agreement Line"
    _order = "agreement_id, sequence, id"
    _check_company_auto = True

    sequence = fields.Integer(default=10)
    agreement_id = fields.Many2one(
        "aftersales.agreement", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="agreement_id.company_id", store=True, index=True)
    partner_id = fields.Many2one(related="agreement_id.partner_id", store=True, index=True)
    state = fields.Selection(related="agreement_id.state", store=True, index=True)
    date_start = fields.Date(related="agreement_id.date_start", store=True)
    date_end = fields.Date(related="agreement_id.date_end", store=True)
    product_id = fields.Many2one(
        "product.product",
        index=True,
        check_company=True,
        ondelete="restrict",
        help="Covers every unit of this product the customer has, unless a serial is given.",
    )
    lot_id = fields.Many2one(
        "stock.lot",
        string="Serial Number",
        index=True,
        check_company=True,
        ondelete="restrict",
        domain="[('product_id', '=?', product_id)]",
    )
    system_name = fields.Char(
        string="System", help="The delivered system or site this line covers."
    )
    service_category = fields.Selection(
        SERVICE_CATEGORIES, required=True, default="contract", string="Service"
    )
    warranty_duration = fields.Integer(
        string="Warranty Override",
        help="When set, replaces the product's warranty period for the units of this line.",
    )
    warranty_unit = fields.Selection(PERIOD_UNITS, default="month", required=True)
    guarantee_duration = fields.Integer(string="Quality Guarantee Override")
    guarantee_unit = fields.Selection(PERIOD_UNITS, default="month", required=True)
    note = fields.Char()

    _sql_constraints = [
        (
            "overrides_positive",
            "CHECK(warranty_duration >= 0 AND guarantee_duration >= 0)",
            "Period overrides cannot be negative.",
        ),
    ]

    @api.onchange("lot_id")
    def _onchange_lot_id(self):
        if self.lot_id:
            self.product_id = self.lot_id.product_id

    @api.constrains("product_id", "lot_id", "system_name", "service_category")
    def _check_what(self):
        for line in self:
            if not (line.product_id or line.lot_id or line.system_name):
                raise ValidationError(
                    self.env._("Each covered line names a product, a serial number or a system.")
                )
            if line.lot_id and line.product_id and line.lot_id.product_id != line.product_id:
                raise ValidationError(
                    self.env._(
                        "Serial number %(lot)s is not a serial of %(product)s.",
                        lot=line.lot_id.name,
                        product=line.product_id.display_name,
                    )
                )

    # The lines are part of the signed terms (R1).
    def _check_not_signed(self):
        if self.agreement_id.filtered("is_signed"):
            self.agreement_id._raise_locked()

    @api.model_create_multi
    def create(self, vals_list):
        lines = super().create(vals_list)
        lines._check_not_signed()
        return lines

    def write(self, vals):
        self._check_not_signed()
        res = super().write(vals)
        if "agreement_id" in vals:
            self._check_not_signed()
        return res

    @api.ondelete(at_uninstall=False)
    def _unlink_if_not_signed(self):
        if self.agreement_id.filtered("is_signed"):
            raise UserError(
                self.env._("The agreement is signed: its covered units cannot be removed.")
            )
