from odoo import fields, models


class AftersalesTicketTag(models.Model):
    """Fault tag of a ticket (also what recurring-fault detection counts)."""

    _name = "aftersales.ticket.tag"
    _description = "Ticket Tag"
    _order = "name"

    name = fields.Char(required=True, translate=True)
    color = fields.Integer()
    active = fields.Boolean(default=True)

    _sql_constraints = [
        ("name_unique", "UNIQUE(name)", "A tag with this name already exists."),
    ]
