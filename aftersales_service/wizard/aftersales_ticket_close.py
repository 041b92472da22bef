from odoo import fields, models
from odoo.exceptions import UserError


class AftersalesTicketClose(models.TransientModel):
    _name = "aftersales.ticket.close"
    _description = "Close or Cancel Tickets"

    ticket_ids = fields.Many2many("aftersales.ticket", required=True)
    mode = fields.Selection(
        [("close", "Close"), ("cancel", "Cancel")], required=True, default="close"
    )
    reason = fields.Text(
        required=True, help="Closing: the resolution. Cancelling: why the ticket is cancelled."
    )

    def action_confirm(self):
        self.ensure_one()
        reason = (self.reason or "").strip()
        if not reason:
            raise UserError(self.env._("Give the reason."))
        if self.mode == "close":
            self.ticket_ids._action_close(reason)
        else:
            self.ticket_ids._action_cancel(reason)
        return {"type": "ir.actions.act_window_close"}
