from odoo import fields, models


class AftersalesAgreementSign(models.TransientModel):
    _name = "aftersales.agreement.sign"
    _description = "Sign Agreement"

    agreement_id = fields.Many2one("aftersales.agreement", required=True)
    signed_by = fields.Char(required=True)
    signature = fields.Image(required=True, max_width=1024, max_height=1024)

    def action_sign(self):
        self.ensure_one()
        self.agreement_id._action_sign(self.signature, self.signed_by)
        return {"type": "ir.actions.act_window_close"}
