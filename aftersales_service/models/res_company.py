from odoo import api, fields, models, tools
from odoo.exceptions import ValidationError


class ResCompany(models.Model):
    _inherit = "res.company"

    aftersales_sla_warning_hours = fields.Float(
        string="SLA Warning (h)",
        default=2.0,
        help="A target is at risk this many hours before its deadline.",
    )
    aftersales_escalation_user_id = fields.Many2one(
        "res.users",
        string="SLA Escalation (default)",
        domain="[('share', '=', False)]",
        help="Hears of a breached SLA deadline when neither the SLA policy nor the "
        "ticket names anyone (a ticket without supervisor).",
    )
    aftersales_recurring_fault_count = fields.Integer(
        string="Recurring Fault: Tickets",
        default=3,
        help="This many tickets with the same fault tag at one customer...",
    )
    aftersales_recurring_fault_days = fields.Integer(
        string="Recurring Fault: Days", default=90, help="...within this many days."
    )

    aftersales_fee_card_id = fields.Many2one(
        "aftersales.fee.card",
        string="Default Fee Card",
        domain="[('company_id', '=', id)]",
        help="Prices paid work when the covering agreement names no card of its own.",
    )
    # --- Billing (R16) --------------------------------------------------
    aftersales_quote_required = fields.Boolean(
        string="Quote Acknowledged Before Paid Work",
        default=True,
        help="A paid visit is finished only after the customer acknowledged the "
        "quote, unless a supervisor overrides it with a reason.",
    )
    aftersales_invoice_free_lines = fields.Boolean(
        string="Show Free Lines on Invoices",
        default=True,
        help="Free and included work appears on the invoice at zero with its "
        "reason; otherwise it is left out.",
    )
    aftersales_onsite_limit = fields.Monetary(
        string="On-Site Payment Limit",
        currency_field="currency_id",
        default=0.0,
        help="Amounts up to this are collected by the technician on site; larger "
        "ones are invoiced and collected later. Zero: no on-site payment.",
    )
    aftersales_payment_journal_ids = fields.Many2many(
        "account.journal",
        "res_company_aftersales_payment_journal_rel",
        "company_id",
        "journal_id",
        string="On-Site Payment Journals",
        domain="[('type', 'in', ('cash', 'bank')), ('company_id', '=', id)]",
        help="Cash, card terminal or bank transfer: where technicians record what they collect.",
    )
    aftersales_conduct_statement = fields.Text(
        string="Conduct Statement",
        translate=True,
        default=lambda self: self.env._(
            "Our technicians carry their company ID, serve conscientiously, ask "
            "nothing of you and protect your premises. Please tell us of any "
            "shortcoming: your rating of this visit reaches the service supervisor."
        ),
        help="Printed on every dispatch order (R14).",
    )

    @api.model
    @tools.ormcache()
    def _aftersales_sla_warning_hours(self):
        """{company id: SLA warning hours} of every company, cached: the
        "at risk" searches then cost no extra query."""
        self.flush_model(["aftersales_sla_warning_hours"])
        self.env.cr.execute("SELECT id, aftersales_sla_warning_hours FROM res_company")
        return dict(self.env.cr.fetchall())

    @api.model_create_multi
    def create(self, vals_list):
        companies = super().create(vals_list)
        self.env.registry.clear_cache()
        return companies

    def write(self, vals):
        res = super().write(vals)
        if "aftersales_sla_warning_hours" in vals:
            self.env.registry.clear_cache()
        return res

    @api.constrains(
        "aftersales_sla_warning_hours",
        "aftersales_recurring_fault_count",
        "aftersales_recurring_fault_days",
        "aftersales_onsite_limit",
    )
    def _check_aftersales_settings(self):
        for company in self:
            if (
                company.aftersales_sla_warning_hours < 0
                or company.aftersales_recurring_fault_count < 0
                or company.aftersales_recurring_fault_days < 0
                or company.aftersales_onsite_limit < 0
            ):
                raise ValidationError(self.env._("After-sales settings cannot be negative."))
