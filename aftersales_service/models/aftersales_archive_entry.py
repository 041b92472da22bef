from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from .common import check_date_values, negative_in

ENTRY_KINDS = [
    ("status", "System status"),
    ("usage", "Equipment usage"),
    ("operator", "Operator skill"),
    ("turnover", "Staff turnover"),
]
RUNNING_STATUSES = [
    ("normal", "Running normally"),
    ("degraded", "Running with problems"),
    ("down", "Down"),
]
SKILL_LEVELS = [
    ("0", "Untrained"),
    ("1", "Basic"),
    ("2", "Competent"),
    ("3", "Advanced"),
    ("4", "Expert"),
]
MOVEMENTS = [
    ("join", "Joined"),
    ("leave", "Left"),
]


class AftersalesArchiveEntry(models.Model):
    """A dated entry of a system-operation archive (R4). Append-only: a
    correction is a new entry."""

    _name = "aftersales.archive.entry"
    _description = "System Operation Archive Entry"
    _order = "date desc, id desc"
    _check_company_auto = True

    archive_id = fields.Many2one(
        "aftersales.archive", required=True, index=True, ondelete="restrict", check_company=True
    )
    company_id = fields.Many2one(
        related="archive_id.company_id", store=True, index=True, precompute=True
    )
    partner_id = fields.Many2one(related="archive_id.partner_id", string="Customer")
    date = fields.Date(required=True, index=True, default=fields.Date.context_today)
    kind = fields.Selection(ENTRY_KINDS, required=True, default="status", index=True)
    user_id = fields.Many2one(
        "res.users", string="Recorded By", default=lambda self: self.env.user, readonly=True
    )
    description = fields.Text()
    # Status (how the system runs)
    running_status = fields.Selection(RUNNING_STATUSES)
    # Usage (per unit)
    warranty_id = fields.Many2one("aftersales.warranty", string="Unit", check_company=True)
    usage_hours = fields.Float(string="Hours")
    usage_cycles = fields.Integer(string="Cycles")
    # Operators and turnover
    operator_id = fields.Many2one("res.partner", index="btree_not_null", check_company=True)
    skill_level = fields.Selection(SKILL_LEVELS)
    movement = fields.Selection(MOVEMENTS)
    # Where the entry comes from
    ticket_id = fields.Many2one("aftersales.ticket", readonly=True, index="btree_not_null")
    dispatch_id = fields.Many2one("aftersales.dispatch", readonly=True, index="btree_not_null")
    followup_id = fields.Many2one("aftersales.followup", readonly=True, index="btree_not_null")
    training_id = fields.Many2one("aftersales.training", readonly=True, index="btree_not_null")

    _sql_constraints = [
        (
            "usage_positive",
            "CHECK(COALESCE(usage_hours, 0) >= 0 AND COALESCE(usage_cycles, 0) >= 0)",
            "Hours and cycles cannot be negative.",
        ),
    ]

    @api.depends("kind", "date", "archive_id")
    def _compute_display_name(self):
        kinds = dict(self._fields["kind"]._description_selection(self.env))
        for entry in self:
            entry.display_name = f"{entry.archive_id.name or ''} {entry.date or ''} " + kinds.get(
                entry.kind, ""
            )

    @api.constrains(
        "kind", "running_status", "warranty_id", "operator_id", "skill_level", "movement"
    )
    def _check_kind_values(self):
        for entry in self:
            if entry.kind == "status" and not entry.running_status:
                raise ValidationError(self.env._("A status entry says how the system runs."))
            if entry.kind == "usage" and not entry.warranty_id:
                raise ValidationError(self.env._("A usage entry is about one unit."))
            if entry.kind in ("operator", "turnover") and not entry.operator_id:
                raise ValidationError(self.env._("Name the operator of the entry."))
            if entry.kind == "operator" and not entry.skill_level:
                raise ValidationError(self.env._("Give the operator's skill level."))
            if entry.kind == "turnover" and not entry.movement:
                raise ValidationError(self.env._("Say whether the operator joined or left."))
            if entry.warranty_id and entry.warranty_id not in entry.archive_id.warranty_ids:
                raise ValidationError(
                    self.env._(
                        "Unit %(unit)s is not part of archive %(archive)s.",
                        unit=entry.warranty_id.display_name,
                        archive=entry.archive_id.name,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            check_date_values(self, vals)
            if negative_in(vals, ("usage_hours", "usage_cycles")):
                raise ValidationError(self.env._("Hours and cycles cannot be negative."))
        return super().create(vals_list)

    def write(self, vals):
        if vals:
            raise UserError(
                self.env._("Archive entries are never changed: record a new entry to correct one.")
            )
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_never(self):
        raise UserError(
            self.env._("Archive entries are never deleted: record a new entry to correct one.")
        )
