from odoo import api, fields, models
from odoo.exceptions import UserError

from ..models.common import internal


class AftersalesOnsitePayment(models.TransientModel):
    """What the technician collected on site (R16): the module posts the
    invoice, registers and reconciles the payment, and e-mails the invoice;
    technicians need no access to Accounting."""

    _name = "aftersales.onsite.payment"
    _description = "Collect Payment on Site"

    dispatch_id = fields.Many2one("aftersales.dispatch", required=True, ondelete="cascade")
    ticket_id = fields.Many2one(related="dispatch_id.ticket_id")
    company_id = fields.Many2one(related="dispatch_id.company_id")
    currency_id = fields.Many2one("res.currency", compute="_compute_due")
    amount_due = fields.Monetary(compute="_compute_due")
    limit = fields.Monetary(compute="_compute_due", string="On-Site Limit")
    # A selection, not a Many2one: technicians cannot read journals.
    journal = fields.Selection(selection="_selection_journal", string="Paid By")
    amount = fields.Monetary(
        string="Amount Collected", compute="_compute_amount", store=True, readonly=False
    )

    @api.depends("dispatch_id")
    def _compute_due(self):
        for wizard in self:
            # Technicians read neither the company's accounting settings nor
            # the journals: shown to them through this wizard only.
            ticket = wizard.dispatch_id.ticket_id.sudo()
            company = wizard.dispatch_id.company_id.sudo()
            wizard.currency_id = ticket.currency_id
            wizard.amount_due = ticket._onsite_amount_due() if ticket else 0.0
            wizard.limit = company.aftersales_onsite_limit

    @api.depends("amount_due")
    def _compute_amount(self):
        for wizard in self:
            wizard.amount = wizard.amount_due

    @api.model
    def _selection_journal(self):
        # The journal names of the settings, read for the technician.
        journals = self.env.company.sudo().aftersales_payment_journal_ids
        return [(str(journal.id), journal.name) for journal in journals]

    def action_confirm(self):
        self.ensure_one()
        if not self.journal:
            raise UserError(self.env._("Say how the customer paid."))
        self.dispatch_id._check_own()
        now = fields.Datetime.now()
        journal = self.env["account.journal"].sudo().browse(int(self.journal))
        self.ticket_id._action_collect_onsite(journal, self.amount, now)
        internal(self.dispatch_id.sudo()).write(
            {
                "amount_collected": self.amount,
                "collected_currency_id": self.currency_id.id,
                "collected_on": now,
            }
        )
        return {"type": "ir.actions.act_window_close"}
