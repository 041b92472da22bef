from odoo import api, fields, models
from odoo.exceptions import ValidationError

REMINDER_XMLID = "aftersales_service.aftersales_agreement_automation_expiry"


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
