from odoo import fields, models


class AftersalesTicketQuote(models.TransientModel):
    """The quote shown to the customer before paid work, acknowledged with
    a signature; or a supervisor's override with its reason (R16)."""

    _name = "aftersales.ticket.quote"
    _description = "Acknowledge Quote"

    ticket_id = fields.Many2one("aftersales.ticket", required=True, ondelete="cascade")
    mode = fields.Selection(
        [("acknowledge", "Acknowledge"), ("override", "Override")],
        default="acknowledge",
        required=True,
    )
    partner_id = fields.Many2one(related="ticket_id.partner_id")
    fee_card_id = fields.Many2one(related="ticket_id.fee_card_id")
    fee_line_ids = fields.One2many(
        related="ticket_id.fee_card_id.line_ids", string="Fee Card Prices"
    )
    quote_line_ids = fields.One2many(related="ticket_id.quote_line_ids")
    currency_id = fields.Many2one(related="ticket_id.currency_id")
    quote_total = fields.Monetary(related="ticket_id.quote_total")
    quote_free_value = fields.Monetary(related="ticket_id.quote_free_value")
    service_category = fields.Selection(related="ticket_id.service_category")
    coverage_reason = fields.Char(related="ticket_id.coverage_reason")
    signed_by = fields.Char(string="Customer Name")
    signature = fields.Image(max_width=1024, max_height=1024)
    reason = fields.Text(help="Why the work goes ahead without the customer's acknowledgement.")

    def action_confirm(self):
        self.ensure_one()
        now = fields.Datetime.now()
        if self.mode == "override":
            self.ticket_id._action_override_quote(self.reason, now)
        else:
            self.ticket_id._action_acknowledge_quote(self.signed_by, self.signature, now)
        return {"type": "ir.actions.act_window_close"}
