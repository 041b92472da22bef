from odoo import fields, models


class StockLot(models.Model):
    _inherit = "stock.lot"

    aftersales_warranty_id = fields.Many2one(
        "aftersales.warranty",
        compute="_compute_aftersales_warranty_id",
        string="Warranty",
        help="The serial's warranty that is not void.",
    )

    def _compute_aftersales_warranty_id(self):
        warranties = self.env["aftersales.warranty"].search(
            [("lot_id", "in", self.ids), ("void", "=", False)]
        )
        by_lot = {w.lot_id: w for w in warranties}
        for lot in self:
            lot.aftersales_warranty_id = by_lot.get(lot, False)

    def action_aftersales_view_warranty(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "aftersales_service.aftersales_warranty_action"
        )
        action["domain"] = [("lot_id", "=", self.id)]
        action["context"] = {"default_lot_id": self.id, "default_product_id": self.product_id.id}
        if self.aftersales_warranty_id:
            action.update(views=[(False, "form")], res_id=self.aftersales_warranty_id.id)
        return action

    def action_aftersales_check_coverage(self):
        self.ensure_one()
        return self.env["aftersales.coverage.check"].action_open(
            {"default_lot_id": self.id, "default_product_id": self.product_id.id}
        )
