from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from .common import is_internal, negative_in


class AftersalesDispatchPart(models.Model):
    """A spare part used on site, or returned (the replaced part, or one
    brought and not used): moved in stock when the visit finishes (R12)."""

    _name = "aftersales.dispatch.part"
    _description = "Dispatch Part"
    _order = "dispatch_id, sequence, id"
    _check_company_auto = True

    sequence = fields.Integer(default=10)
    dispatch_id = fields.Many2one(
        "aftersales.dispatch", required=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one(related="dispatch_id.company_id", store=True, index=True)
    product_id = fields.Many2one(
        "product.product",
        string="Part",
        required=True,
        check_company=True,
        ondelete="restrict",
        domain="[('type', '=', 'consu')]",
    )
    tracking = fields.Selection(related="product_id.tracking")
    quantity = fields.Float(default=1.0, digits="Product Unit of Measure", required=True)
    uom_id = fields.Many2one(related="product_id.uom_id", string="Unit")
    lot_id = fields.Many2one(
        "stock.lot",
        string="Serial / Lot",
        check_company=True,
        domain="[('product_id', '=', product_id)]",
    )
    direction = fields.Selection(
        [("used", "Used"), ("returned", "Returned")],
        default="used",
        required=True,
        help="Used: installed at the customer. Returned: the replaced (defective) part "
        "brought back; it goes to the scrap location, out of the sellable stock.",
    )
    move_id = fields.Many2one("stock.move", readonly=True, copy=False, check_company=True)

    _sql_constraints = [
        ("quantity_positive", "CHECK(quantity > 0)", "A part quantity is positive."),
    ]

    @api.constrains("product_id", "lot_id", "quantity")
    def _check_lot(self):
        for part in self:
            if part.lot_id and part.lot_id.product_id != part.product_id:
                raise ValidationError(
                    self.env._(
                        "Serial %(lot)s is not a %(product)s.",
                        lot=part.lot_id.name,
                        product=part.product_id.display_name,
                    )
                )
            if part.product_id.tracking == "serial" and part.lot_id and part.quantity != 1:
                raise ValidationError(
                    self.env._("A serial number stands for one part: quantity 1.")
                )

    def _check_open(self, dispatches=None):
        """Parts change while the visit takes place, before the customer
        signs for them (R15) and before they are moved in stock."""
        if is_internal(self) or self.env.su:
            return
        dispatches = self.dispatch_id | (dispatches or self.dispatch_id.browse())
        if dispatches.filtered(lambda d: d.state not in ("draft", "scheduled", "in_progress")):
            raise UserError(self.env._("Parts are recorded while the visit takes place."))
        if dispatches.filtered("signed_on"):
            raise UserError(
                self.env._("The customer signed for these parts: they no longer change.")
            )
        if self.filtered("move_id"):
            raise UserError(self.env._("This part is already moved in stock."))

    def _check_protected_vals(self, vals):
        if "move_id" in vals and not (is_internal(self) or self.env.su):
            raise UserError(self.env._("The stock move of a part is set when the visit ends."))

    def _check_quantity_vals(self, vals):
        """Before the database's check, in the user's language."""
        if negative_in(vals, ("quantity",), strict=True):
            raise ValidationError(self.env._("A part quantity is positive."))

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._check_quantity_vals(vals)
            self._check_protected_vals(vals)
        parts = super().create(vals_list)
        parts._check_open()
        return parts

    def write(self, vals):
        self._check_quantity_vals(vals)
        self._check_protected_vals(vals)
        target = self.env["aftersales.dispatch"].browse(vals.get("dispatch_id") or [])
        self._check_open(target)
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_if_open(self):
        self._check_open()

    def _prepare_move_vals(self, source, destination):
        self.ensure_one()
        dispatch = self.dispatch_id
        return {
            "name": f"{dispatch.name}: {self.product_id.display_name}",
            "origin": dispatch.name,
            "product_id": self.product_id.id,
            "product_uom_qty": self.quantity,
            "product_uom": self.product_id.uom_id.id,
            "location_id": source.id,
            "location_dest_id": destination.id,
            "partner_id": dispatch.partner_id.id,
            "company_id": dispatch.company_id.id,
        }

    def _prepare_move_line_vals(self, move):
        self.ensure_one()
        return {
            "product_id": self.product_id.id,
            "lot_id": self.lot_id.id,
            "quantity": self.quantity,
            "product_uom_id": self.product_id.uom_id.id,
            "location_id": move.location_id.id,
            "location_dest_id": move.location_dest_id.id,
            "company_id": move.company_id.id,
        }
