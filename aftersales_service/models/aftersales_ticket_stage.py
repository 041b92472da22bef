from odoo import api, fields, models
from odoo.exceptions import UserError

STAGE_KINDS = [
    ("new", "New"),
    ("progress", "In Progress"),
    ("closed", "Closed"),
    ("cancelled", "Cancelled"),
]


class AftersalesTicketStage(models.Model):
    """Stage of a repair ticket. Stages without a company are shared; a
    company can add its own."""

    _name = "aftersales.ticket.stage"
    _description = "Ticket Stage"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", index=True, help="Leave empty to use the stage in every company."
    )
    kind = fields.Selection(
        STAGE_KINDS,
        default="progress",
        required=True,
        help="New: waiting for triage. Closed and Cancelled end the ticket; "
        "tickets enter them only through the Close and Cancel buttons, which "
        "ask for the reason.",
    )
    fold = fields.Boolean(
        string="Folded in Kanban", compute="_compute_fold", store=True, readonly=False
    )
    pause_sla = fields.Boolean(
        string="Clock Paused",
        help="Time spent in this stage (waiting for the customer, for parts) "
        "does not count towards the SLA deadlines.",
    )
    waiting_for = fields.Selection(
        [("customer", "Customer"), ("parts", "Parts"), ("other", "Other")],
        help="What tickets in this stage wait for (the Waiting filters of the tickets).",
    )
    mail_template_id = fields.Many2one(
        "mail.template",
        string="E-mail Template",
        domain="[('model', '=', 'aftersales.ticket')]",
        help="Sent to the customer when a ticket reaches this stage "
        "(acknowledgement, closing notice).",
    )
    description = fields.Text(translate=True)

    @api.depends("kind")
    def _compute_fold(self):
        for stage in self:
            stage.fold = stage.kind in ("closed", "cancelled")

    def write(self, vals):
        """What a stage means for the clocks and the life cycle cannot change
        under the open tickets it holds (their SLA would go out of step)."""
        if {"kind", "pause_sla"} & set(vals):
            changing = self.filtered(
                lambda stage: (
                    ("kind" in vals and vals["kind"] != stage.kind)
                    or ("pause_sla" in vals and bool(vals["pause_sla"]) != stage.pause_sla)
                )
            )
            if changing and self.env["aftersales.ticket"].search_count(
                [("stage_id", "in", changing.ids), ("stage_kind", "in", ("new", "progress"))],
                limit=1,
            ):
                raise UserError(
                    self.env._(
                        "Move the open tickets out of the stage before changing its kind "
                        "or its clock."
                    )
                )
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_used(self):
        if (
            self.env["aftersales.ticket"]
            .with_context(active_test=False)
            .search_count([("stage_id", "in", self.ids)], limit=1)
        ):
            raise UserError(
                self.env._("A stage that holds tickets cannot be deleted: archive it instead.")
            )
