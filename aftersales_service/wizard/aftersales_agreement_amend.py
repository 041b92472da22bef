from odoo import fields, models


class AftersalesAgreementAmend(models.TransientModel):
    _name = "aftersales.agreement.amend"
    _description = "Amend Agreement"

    agreement_id = fields.Many2one("aftersales.agreement", required=True)
    reason = fields.Text(required=True, help="Why the signed terms change; kept on both versions.")

    def action_amend(self):
        self.ensure_one()
        new = self.agreement_id._action_new_version("amendment", self.reason)
        return new.get_formview_action()
