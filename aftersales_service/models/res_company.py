from odoo import api, fields, models
from odoo.exceptions import ValidationError


class ResCompany(models.Model):
    _inherit = "res.company"

    aftersales_sla_warning_hours = fields.Float(
        string="SLA Warning (h)",
        default=2.0,
        help="A target is at risk this many hours before its deadline.",
    )
    aftersales_recurring_fault_count = fields.Integer(
        string="Recurring Fault: Tickets",
        default=3,
        help="This many tickets with the same fault tag at one customer...",
    )
    aftersales_recurring_fault_days = fields.Integer(
        string="Recurring Fault: Days", default=90, help="...within this many days."
    )

    @api.constrains(
        "aftersales_sla_warning_hours",
        "aftersales_recurring_fault_count",
        "aftersales_recurring_fault_days",
    )
    def _check_aftersales_settings(self):
        for company in self:
            if (
                company.aftersales_sla_warning_hours < 0
                or company.aftersales_recurring_fault_count < 0
                or company.aftersales_recurring_fault_days < 0
            ):
                raise ValidationError(self.env._("After-sales settings cannot be negative."))
