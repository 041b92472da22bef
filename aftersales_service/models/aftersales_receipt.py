from odoo import fields, models

RECEIPT_STATES = [
    ("issued", "Issued"),
    ("workshop", "In Workshop"),
    ("returned", "Returned"),
    ("cancelled", "Cancelled"),
]


class AftersalesReceipt(models.Model):
    """Custody receipt (收據) for items taken back for repair (R15).

    SKELETON: to be completed (lines, lifecycle, signature on return,
    printing and sending, overdue filter)."""

    _name = "aftersales.receipt"
    _description = "Custody Receipt"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "date_issued desc, id desc"
    _check_company_auto = True

    name = fields.Char(string="Number", required=True, readonly=True, copy=False, default="/")
    ticket_id = fields.Many2one(
        "aftersales.ticket", required=True, index=True, ondelete="restrict", check_company=True
    )
    dispatch_id = fields.Many2one(
        "aftersales.dispatch", index="btree_not_null", ondelete="restrict", check_company=True
    )
    company_id = fields.Many2one(related="ticket_id.company_id", store=True, index=True)
    partner_id = fields.Many2one(related="ticket_id.partner_id", store=True, string="Customer")
    state = fields.Selection(RECEIPT_STATES, default="issued", required=True, tracking=True)
    date_issued = fields.Datetime(default=fields.Datetime.now, required=True)
