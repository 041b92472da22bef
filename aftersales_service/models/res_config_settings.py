from odoo import models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

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
