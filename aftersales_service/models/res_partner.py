from odoo import fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    aftersales_agreement_count = fields.Integer(
        compute="_compute_aftersales_counts", string="Agreements"
    )
    aftersales_warranty_count = fields.Integer(
        compute="_compute_aftersales_counts", string="Warranties"
    )

    def _compute_aftersales_counts(self):
        """Counted per commercial entity, for the whole company's contacts."""
        commercial = self.commercial_partner_id
        agreements = dict(
            self.env["aftersales.agreement"]._read_group(
                [("partner_id", "in", commercial.ids)], ["partner_id"], ["__count"]
            )
        )
        warranties = dict(
            self.env["aftersales.warranty"]._read_group(
                [("partner_id", "in", commercial.ids)], ["partner_id"], ["__count"]
            )
        )
        for partner in self:
            partner.aftersales_agreement_count = agreements.get(partner.commercial_partner_id, 0)
            partner.aftersales_warranty_count = warranties.get(partner.commercial_partner_id, 0)

    def _aftersales_action(self, xmlid):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(xmlid)
        action["domain"] = [("partner_id", "=", self.commercial_partner_id.id)]
        action["context"] = {"default_partner_id": self.commercial_partner_id.id}
        return action

    def action_aftersales_view_agreements(self):
        return self._aftersales_action("aftersales_service.aftersales_agreement_action")

    def action_aftersales_view_warranties(self):
        return self._aftersales_action("aftersales_service.aftersales_warranty_action")
