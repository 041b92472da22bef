from odoo import api, fields, models
from odoo.exceptions import ValidationError

from .common import SERVICE_CATEGORIES

TICKET_PRIORITIES = [
    ("0", "Normal"),
    ("1", "High"),
    ("2", "Urgent"),
    ("3", "Critical"),
]


class AftersalesSlaPolicy(models.Model):
    """Promised times for tickets matching some criteria (R17).

    Every criterion left empty matches any ticket; among the policies that
    match, the most specific wins (agreement, then category, then priority,
    then tags), then the lowest sequence. Targets are working hours on the
    policy's calendar (or the company's) with its public holidays. An
    agreement's own commitments replace the policy's targets.
    """

    _name = "aftersales.sla.policy"
    _description = "SLA Policy"
    _order = "sequence, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    description = fields.Text(translate=True)

    # --- Which tickets ---------------------------------------------------
    agreement_id = fields.Many2one(
        "aftersales.agreement",
        check_company=True,
        index="btree_not_null",
        help="Only tickets covered by this agreement.",
    )
    priority = fields.Selection(TICKET_PRIORITIES, help="Only tickets of this priority.")
    service_category = fields.Selection(
        SERVICE_CATEGORIES, string="Category", help="Only tickets of this category."
    )
    tag_ids = fields.Many2many(
        "aftersales.ticket.tag", string="Tags", help="Only tickets with at least one of these tags."
    )

    # --- Targets -----------------------------------------------------------
    calendar_id = fields.Many2one(
        "resource.calendar",
        string="Working Hours",
        check_company=True,
        help="The deadlines count working hours of this calendar, with its "
        "public holidays. Empty: the company's working hours.",
    )
    response_hours = fields.Float(string="Response (h)", help="Working hours to triage.")
    onsite_hours = fields.Float(string="On Site (h)", help="Working hours to be on site.")
    resolution_hours = fields.Float(string="Resolution (h)", help="Working hours to close.")
    escalation_user_id = fields.Many2one(
        "res.users",
        string="Escalate To",
        check_company=True,
        domain="[('share', '=', False)]",
        help="Gets an activity and an e-mail when a deadline is breached. "
        "Empty: the ticket's supervisor.",
    )

    _sql_constraints = [
        (
            "targets_positive",
            "CHECK(response_hours >= 0 AND onsite_hours >= 0 AND resolution_hours >= 0)",
            "SLA targets cannot be negative.",
        ),
    ]

    @api.constrains("response_hours", "onsite_hours", "resolution_hours")
    def _check_targets(self):
        for policy in self:
            hours = (policy.response_hours, policy.onsite_hours, policy.resolution_hours)
            if min(hours) < 0:
                raise ValidationError(self.env._("SLA targets cannot be negative."))
            if not any(hours):
                raise ValidationError(
                    self.env._("The SLA policy “%(name)s” sets no target.", name=policy.name)
                )

    # ------------------------------------------------------------------
    # Matching
    # ------------------------------------------------------------------
    def _matches(self, ticket):
        self.ensure_one()
        return (
            self.company_id == ticket.company_id
            and (not self.agreement_id or self.agreement_id == ticket.agreement_id)
            and (not self.priority or self.priority == ticket.priority)
            and (not self.service_category or self.service_category == ticket.service_category)
            and (not self.tag_ids or self.tag_ids & ticket.tag_ids)
        )

    def _specificity(self):
        return (
            bool(self.agreement_id),
            bool(self.service_category),
            bool(self.priority),
            bool(self.tag_ids),
            -self.sequence,
            -self.id,
        )

    def _select_for(self, ticket):
        """The policy of `ticket` among `self` (already fetched once for a
        whole batch of tickets), or an empty recordset."""
        matching = self.filtered(lambda p: p._matches(ticket))
        if not matching:
            return self.browse()
        return max(matching, key=lambda p: p._specificity())
