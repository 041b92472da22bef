from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from .common import negative_in


class AftersalesReceiptLine(models.Model):
    """One item taken back on a custody receipt: what it is, its serial, what
    came with it and how it looked when the customer handed it over (R15)."""

    _name = "aftersales.receipt.line"
    _description = "Custody Receipt Item"
    _order = "receipt_id, sequence, id"
    _check_company_auto = True

    # --- Receipt ---------------------------------------------------------------
    receipt_id = fields.Many2one(
        "aftersales.receipt", required=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one(
        related="receipt_id.company_id", store=True, index=True, precompute=True
    )
    sequence = fields.Integer(default=10)

    # --- The item ----------------------------------------------------------------
    product_id = fields.Many2one("product.product", required=True, check_company=True)
    tracking = fields.Selection(related="product_id.tracking")
    lot_id = fields.Many2one(
        "stock.lot",
        string="Serial Number",
        check_company=True,
        domain="[('product_id', '=', product_id)]",
    )
    quantity = fields.Float(default=1.0, digits="Product Unit of Measure", required=True)
    accessories = fields.Char(help="What came with the item: cables, remote, case, manual...")
    condition = fields.Text(
        string="Visible Condition", help="Scratches, dents, missing parts seen at hand-over."
    )

    _sql_constraints = [
        ("quantity_positive", "CHECK(quantity > 0)", "The quantity taken back must be positive."),
    ]

    # ------------------------------------------------------------------
    # Constraints and onchanges
    # ------------------------------------------------------------------
    @api.constrains("product_id", "lot_id")
    def _check_lot_product(self):
        for line in self:
            if line.lot_id and line.lot_id.product_id != line.product_id:
                raise ValidationError(
                    self.env._(
                        "Serial number %(lot)s is not one of %(product)s.",
                        lot=line.lot_id.name,
                        product=line.product_id.display_name,
                    )
                )

    @api.onchange("product_id")
    def _onchange_product_id(self):
        if self.lot_id and self.lot_id.product_id != self.product_id:
            self.lot_id = False

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._check_values(vals)
        lines = super().create(vals_list)
        lines.receipt_id._check_lines_editable()
        return lines

    def write(self, vals):
        self._check_values(vals)
        self.receipt_id._check_lines_editable()
        result = super().write(vals)
        if "receipt_id" in vals:
            self.receipt_id._check_lines_editable()
        return result

    def _check_values(self, vals):
        """Before the database's check, in the user's language."""
        if negative_in(vals, ("quantity",), strict=True):
            raise ValidationError(self.env._("The quantity taken back must be positive."))

    @api.ondelete(at_uninstall=False)
    def _unlink_except_issued(self):
        """Items change while the receipt is issued only, and a receipt keeps
        at least one item."""
        # Lines of cancelled receipts go with them (R7 keeps the others).
        receipts = self.receipt_id.filtered(lambda r: r.state != "cancelled")
        receipts._check_lines_editable()
        for receipt in receipts:
            if not receipt.line_ids - self:
                raise UserError(
                    self.env._("Receipt %(name)s must list at least one item.", name=receipt.name)
                )
