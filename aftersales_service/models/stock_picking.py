from odoo import models


class StockPicking(models.Model):
    _inherit = "stock.picking"

    def _action_done(self):
        res = super()._action_done()
        # Each delivered serial of a product with a warranty period gets its
        # warranty, the customer taken from the delivery.
        done = self.filtered(lambda p: p.state == "done" and p.picking_type_code == "outgoing")
        if done:
            self.env["aftersales.warranty"].sudo()._register_from_move_lines(done.move_line_ids)
        return res
