from odoo import api, fields, models
from odoo.exceptions import ValidationError

REMINDER_XMLID = "aftersales_service.aftersales_agreement_automation_expiry"
SLA_WARNING_XMLID = "aftersales_service.aftersales_ticket_automation_sla_warning"


def sla_warning_domain(minutes):
    """Open tickets whose next deadline falls within the warning window."""
    now = "datetime.datetime.now()"
    fmt = "'%Y-%m-%d %H:%M:%S'"
    return (
        "[('stage_kind', 'in', ('new', 'progress')), ('user_id', '!=', False), "
        f"('sla_deadline', '>', {now}.strftime({fmt})), "
        f"('sla_deadline', '<=', ({now} + datetime.timedelta(minutes={minutes}))"
        f".strftime({fmt}))]"
    )


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    aftersales_agreement_reminder_days = fields.Integer(
        string="Agreement Expiry Reminder (days)",
        compute="_compute_aftersales_agreement_reminder_days",
        inverse="_inverse_aftersales_agreement_reminder_days",
        help="The responsible user gets an activity this many days before an "
        "active agreement ends. It is the editable automation rule "
        "'Agreement: expiry reminder'.",
    )

    aftersales_sla_warning_hours = fields.Float(
        related="company_id.aftersales_sla_warning_hours", readonly=False
    )
    aftersales_recurring_fault_count = fields.Integer(
        related="company_id.aftersales_recurring_fault_count", readonly=False
    )
    aftersales_escalation_user_id = fields.Many2one(
        related="company_id.aftersales_escalation_user_id", readonly=False
    )
    aftersales_conduct_statement = fields.Text(
        related="company_id.aftersales_conduct_statement", readonly=False
    )
    aftersales_fee_card_id = fields.Many2one(
        related="company_id.aftersales_fee_card_id", readonly=False
    )
    aftersales_recurring_fault_days = fields.Integer(
        related="company_id.aftersales_recurring_fault_days", readonly=False
    )
    aftersales_quote_required = fields.Boolean(
        related="company_id.aftersales_quote_required", readonly=False
    )
    aftersales_invoice_free_lines = fields.Boolean(
        related="company_id.aftersales_invoice_free_lines", readonly=False
    )
    aftersales_onsite_limit = fields.Monetary(
        related="company_id.aftersales_onsite_limit", readonly=False
    )
    aftersales_payment_journal_ids = fields.Many2many(
        related="company_id.aftersales_payment_journal_ids", readonly=False
    )
    aftersales_alias_email = fields.Char(
        string="Repair Requests E-mail", compute="_compute_aftersales_alias_email"
    )

    @api.depends("company_id")
    def _compute_aftersales_alias_email(self):
        alias = self.env.ref("aftersales_service.aftersales_ticket_mail_alias", False)
        for settings in self:
            settings.aftersales_alias_email = alias.sudo().display_name if alias else False

    def set_values(self):
        res = super().set_values()
        # The warning activity is the editable automation rule "Ticket: SLA
        # warning": it fires this long before the next deadline.
        rule = self.env.ref(SLA_WARNING_XMLID, raise_if_not_found=False)
        minutes = -round(self.aftersales_sla_warning_hours * 60)
        if rule and (rule.sudo().trg_date_range, rule.sudo().trg_date_range_type) != (
            minutes,
            "minutes",
        ):
            rule.sudo().write(
                {
                    "trg_date_range": minutes,
                    "trg_date_range_type": "minutes",
                    "filter_domain": sla_warning_domain(-minutes),
                }
            )
        return res

    @api.depends("company_id")
    def _compute_aftersales_agreement_reminder_days(self):
        rule = self.env.ref(REMINDER_XMLID, raise_if_not_found=False)
        for settings in self:
            settings.aftersales_agreement_reminder_days = -rule.sudo().trg_date_range if rule else 0

    def _inverse_aftersales_agreement_reminder_days(self):
        rule = self.env.ref(REMINDER_XMLID, raise_if_not_found=False)
        for settings in self:
            if settings.aftersales_agreement_reminder_days < 0:
                raise ValidationError(self.env._("The expiry reminder cannot come after the end."))
            if rule and -rule.sudo().trg_date_range != settings.aftersales_agreement_reminder_days:
                # Settings are saved by system administrators only.
                rule.sudo().trg_date_range = -settings.aftersales_agreement_reminder_days

    def action_aftersales_open_team(self):
        """Open the internal users with an After-Sales role, to manage the team."""
        self.ensure_one()
        self.env["res.users"].check_access("write")
        groups = self.env.ref("aftersales_service.aftersales_service_group_technician")
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("After-Sales Team"),
            "res_model": "res.users",
            "view_mode": "list,form",
            "domain": [("groups_id", "in", groups.ids), ("share", "=", False)],
            "context": {"search_default_filter_no_share": 0},
            "target": "current",
        }
