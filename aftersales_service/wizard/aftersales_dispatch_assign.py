from odoo import Command, api, fields, models


class AftersalesDispatchAssign(models.TransientModel):
    """Technicians ranked for one visit (R11), to choose from."""

    _name = "aftersales.dispatch.assign"
    _description = "Suggest Technicians"

    dispatch_id = fields.Many2one("aftersales.dispatch", required=True, ondelete="cascade")
    line_ids = fields.One2many("aftersales.dispatch.assign.line", "wizard_id")
    skill_ids = fields.Many2many(related="dispatch_id.skill_ids")
    date_start = fields.Datetime(related="dispatch_id.date_start")

    def _fill(self):
        self.ensure_one()
        ranking = self.dispatch_id._technician_ranking()
        self.line_ids = [
            Command.create(
                {
                    "rank": candidate["rank"],
                    "user_id": candidate["user_id"],
                    "profile_id": candidate["profile_id"],
                    "skills_matched": candidate["skills_matched"],
                    "skills_needed": candidate["skills_needed"],
                    "in_area": candidate["in_area"],
                    "load_hours": candidate["load_hours"],
                    "conflict": candidate["conflict"],
                }
            )
            for candidate in ranking
        ]


class AftersalesDispatchAssignLine(models.TransientModel):
    _name = "aftersales.dispatch.assign.line"
    _description = "Suggested Technician"
    _order = "rank"

    wizard_id = fields.Many2one("aftersales.dispatch.assign", required=True, ondelete="cascade")
    rank = fields.Integer()
    user_id = fields.Many2one("res.users", string="Technician", readonly=True)
    profile_id = fields.Many2one("aftersales.technician", readonly=True)
    skills_matched = fields.Integer(readonly=True)
    skills_needed = fields.Integer(readonly=True)
    skills_label = fields.Char(string="Skills", compute="_compute_skills_label")
    in_area = fields.Boolean(readonly=True)
    load_hours = fields.Float(string="Booked That Day (h)", readonly=True)
    conflict = fields.Boolean(string="Double Booking", readonly=True)

    @api.depends("skills_matched", "skills_needed")
    def _compute_skills_label(self):
        for line in self:
            line.skills_label = f"{line.skills_matched} / {line.skills_needed}"

    def action_choose(self):
        """Send this technician (a supervisor's choice; the dispatch checks it)."""
        self.ensure_one()
        self.wizard_id.dispatch_id.write({"technician_id": self.user_id.id})
        return {"type": "ir.actions.act_window_close"}
