from odoo import api, fields, models

from ..models.common import SERVICE_CATEGORIES


class AftersalesTicketCategory(models.TransientModel):
    _name = "aftersales.ticket.category"
    _description = "Set Ticket Category"

    ticket_id = fields.Many2one("aftersales.ticket", required=True)
    coverage_category = fields.Selection(related="ticket_id.coverage_category")
    coverage_reason = fields.Char(related="ticket_id.coverage_reason")
    category = fields.Selection(
        SERVICE_CATEGORIES,
        compute="_compute_category",
        store=True,
        readonly=False,
        help="Empty: back to the category derived from the coverage.",
    )
    reason = fields.Text(help="Required when setting a category by hand.")

    @api.depends("ticket_id")
    def _compute_category(self):
        for wizard in self:
            wizard.category = wizard.ticket_id.category_override

    def action_confirm(self):
        self.ensure_one()
        self.ticket_id._action_set_category(self.category, self.reason)
        return {"type": "ir.actions.act_window_close"}
