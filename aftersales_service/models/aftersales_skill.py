from odoo import fields, models


class AftersalesSkill(models.Model):
    """A skill a repair needs (refrigeration, electrical, controls...)."""

    _name = "aftersales.skill"
    _description = "Service Skill"
    _order = "name"

    name = fields.Char(required=True, translate=True)
    active = fields.Boolean(default=True)
    description = fields.Text(translate=True)

    _sql_constraints = [
        ("name_unique", "UNIQUE(name)", "A skill with this name already exists."),
    ]
