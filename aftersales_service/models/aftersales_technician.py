from odoo import api, fields, models
from odoo.exceptions import ValidationError

TECHNICIAN_GROUP = "aftersales_service.aftersales_service_group_technician"


class AftersalesTechnician(models.Model):
    """The service profile of a technician: skills, areas, van stock and ID
    badge (R11, R12). The person is the Odoo user; this adds what the
    supervisor maintains about them."""

    _name = "aftersales.technician"
    _description = "Technician Profile"
    _inherit = ["mail.thread"]
    _order = "name"
    _check_company_auto = True

    user_id = fields.Many2one(
        "res.users",
        required=True,
        ondelete="restrict",
        index=True,
        check_company=True,
        domain=lambda self: [
            ("groups_id", "in", self.env.ref(TECHNICIAN_GROUP).id),
            ("share", "=", False),
        ],
        tracking=True,
    )
    name = fields.Char(related="user_id.name", store=True)
    image_1920 = fields.Image(related="user_id.image_1920")
    image_128 = fields.Image(related="user_id.image_128")
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    skill_ids = fields.Many2many("aftersales.skill", string="Skills", tracking=True)
    area_ids = fields.Many2many(
        "aftersales.service.area", string="Service Areas", tracking=True, check_company=True
    )
    location_id = fields.Many2one(
        "stock.location",
        string="Van Stock",
        check_company=True,
        domain="[('usage', '=', 'internal')]",
        help="The technician's own stock (van): kit parts are reserved towards it "
        "and the parts used on site are consumed from it.",
    )
    # --- ID badge (R12) -----------------------------------------------
    badge_number = fields.Char(string="ID Number", tracking=True, copy=False)
    badge_valid_until = fields.Date(tracking=True)
    badge_expired = fields.Boolean(compute="_compute_badge_expired")

    _sql_constraints = [
        (
            "user_company_unique",
            "UNIQUE(user_id, company_id)",
            "A technician has one profile per company.",
        ),
        (
            "badge_company_unique",
            "UNIQUE(badge_number, company_id)",
            "Badge ID numbers are unique in a company.",
        ),
    ]

    @api.depends("badge_valid_until")
    def _compute_badge_expired(self):
        today = fields.Date.context_today(self)
        for tech in self:
            tech.badge_expired = bool(tech.badge_valid_until) and tech.badge_valid_until < today

    @api.constrains("user_id")
    def _check_user_is_technician(self):
        for tech in self:
            if not tech.user_id.has_group(TECHNICIAN_GROUP):
                raise ValidationError(
                    self.env._("%(user)s is not in the Technician group.", user=tech.user_id.name)
                )

    @api.model
    def _profiles(self, users, company):
        """{user: profile} for `users` in `company` (one query)."""
        profiles = self.search([("user_id", "in", users.ids), ("company_id", "=", company.id)])
        return {profile.user_id: profile for profile in profiles}
