from odoo import api, fields, models


class AccountMove(models.Model):
    _inherit = "account.move"

    aftersales_ticket_ids = fields.Many2many(
        "aftersales.ticket",
        "account_move_aftersales_ticket_rel",
        "move_id",
        "ticket_id",
        string="Repair Tickets",
        readonly=True,
        copy=True,  # a credit note made by reversal names the same tickets
        check_company=True,
        groups="account.group_account_invoice,aftersales_service.aftersales_service_group_user",
    )
    aftersales_ticket_count = fields.Integer(
        compute="_compute_aftersales_ticket_count",
        groups="account.group_account_invoice,aftersales_service.aftersales_service_group_user",
    )

    @api.depends("aftersales_ticket_ids")
    def _compute_aftersales_ticket_count(self):
        for move in self:
            move.aftersales_ticket_count = len(move.aftersales_ticket_ids)

    def action_view_aftersales_tickets(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "aftersales_service.aftersales_ticket_action_to_invoice"
        )
        action["domain"] = [("id", "in", self.aftersales_ticket_ids.ids)]
        action["context"] = {"create": False}
        if len(self.aftersales_ticket_ids) == 1:
            action["views"] = [
                (self.env.ref("aftersales_service.aftersales_ticket_view_form_billing").id, "form")
            ]
            action["res_id"] = self.aftersales_ticket_ids.id
        return action
