from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

from .aftersales_archive_entry import SKILL_LEVELS
from .common import assign_numbers, check_date_values, internal, is_internal, state_label

GROUP_USER = "aftersales_service.aftersales_service_group_user"
TRAINING_STATES = [
    ("planned", "Planned"),
    ("done", "Done"),
    ("cancelled", "Cancelled"),
]
TRAINING_MODES = [
    ("onsite", "On site"),
    ("remote", "Remote"),
]


class AftersalesTraining(models.Model):
    """Technical training of a customer's operators (R5), on site or remote,
    proposed when the same faults keep recurring."""

    _name = "aftersales.training"
    _description = "Operator Training"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "date desc, id desc"
    _check_company_auto = True

    name = fields.Char(
        string="Number", required=True, readonly=True, copy=False, default="/", index="trigram"
    )
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        required=True,
        index=True,
        tracking=True,
        check_company=True,
        ondelete="restrict",
    )
    archive_id = fields.Many2one(
        "aftersales.archive",
        index="btree_not_null",
        check_company=True,
        tracking=True,
        domain="[('partner_id', '=', partner_id)]",
    )
    agreement_id = fields.Many2one(
        "aftersales.agreement",
        index="btree_not_null",
        check_company=True,
        tracking=True,
        domain="[('partner_id', '=', partner_id)]",
        help="The agreement this training is included in (counted against it).",
    )
    ticket_id = fields.Many2one(
        "aftersales.ticket", string="Proposed By", index="btree_not_null", check_company=True
    )
    attendee_ids = fields.One2many(
        "aftersales.training.attendee", "training_id", string="Operators", copy=True
    )
    tag_ids = fields.Many2many("aftersales.ticket.tag", string="Topics")
    mode = fields.Selection(TRAINING_MODES, default="onsite", required=True, tracking=True)
    date = fields.Datetime(required=True, tracking=True, index=True)
    duration = fields.Float(string="Duration (h)", default=2.0)
    trainer_id = fields.Many2one(
        "res.users",
        tracking=True,
        check_company=True,
        default=lambda self: self.env.user,
        domain="[('share', '=', False)]",
    )
    state = fields.Selection(
        TRAINING_STATES, default="planned", required=True, readonly=True, tracking=True, index=True
    )
    outcome = fields.Html()
    date_end = fields.Datetime(compute="_compute_date_end")

    _sql_constraints = [
        ("duration_positive", "CHECK(duration >= 0)", "A duration cannot be negative."),
    ]

    @api.depends("date", "duration")
    def _compute_date_end(self):
        for training in self:
            training.date_end = training.date and fields.Datetime.add(
                training.date, minutes=int((training.duration or 0) * 60)
            )

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            check_date_values(self, vals)
            if "state" in vals and not is_internal(self):
                raise UserError(self.env._("A training changes state through its buttons."))
            if isinstance(vals.get("duration"), (int, float)) and vals["duration"] < 0:
                raise UserError(self.env._("A duration cannot be negative."))
        assign_numbers(self, vals_list, "aftersales.training")
        return super().create(vals_list)

    def write(self, vals):
        check_date_values(self, vals)
        if not is_internal(self):
            if "state" in vals:
                raise UserError(self.env._("A training changes state through its buttons."))
            if self.filtered(lambda t: t.state == "done") and set(vals) - {"outcome"}:
                raise UserError(self.env._("A training that took place is kept as it was."))
            if isinstance(vals.get("duration"), (int, float)) and vals["duration"] < 0:
                raise UserError(self.env._("A duration cannot be negative."))
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_done(self):
        if self.filtered(lambda t: t.state == "done"):
            raise UserError(self.env._("A training that took place is part of the history."))

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def _check_user(self):
        if not self.env.user.has_group(GROUP_USER):
            raise AccessError(self.env._("Only After-Sales users record trainings."))

    def _check_planned(self):
        wrong = self.filtered(lambda t: t.state != "planned")
        if wrong:
            raise UserError(
                self.env._(
                    "Training %(name)s is %(state)s: this cannot be done now.",
                    name=wrong[0].name,
                    state=state_label(wrong[0]),
                )
            )

    def action_done(self):
        """The session took place: the operators' skill levels go to the
        archive (R4, R5)."""
        self._check_user()
        self._check_planned()
        empty = self.filtered(lambda t: not t.attendee_ids)
        if empty:
            raise UserError(self.env._("Who attended training %(name)s?", name=empty[0].name))
        internal(self).write({"state": "done"})
        self._write_archive_entries()
        return True

    def action_cancel(self):
        self._check_user()
        self._check_planned()
        internal(self).write({"state": "cancelled"})
        return True

    def _write_archive_entries(self):
        vals_list = []
        for training in self.filtered("archive_id"):
            topics = ", ".join(training.tag_ids.mapped("name"))
            for attendee in training.attendee_ids.filtered("skill_level"):
                vals_list.append(
                    {
                        "archive_id": training.archive_id.id,
                        "date": training.date.date(),
                        "kind": "operator",
                        "operator_id": attendee.partner_id.id,
                        "skill_level": attendee.skill_level,
                        "description": self.env._(
                            "Training %(name)s: %(topics)s", name=training.name, topics=topics
                        ),
                        "training_id": training.id,
                    }
                )
        if vals_list:
            self.env["aftersales.archive"]._add_entries(vals_list)


class AftersalesTrainingAttendee(models.Model):
    """An operator attending a training, and the skill level they reached."""

    _name = "aftersales.training.attendee"
    _description = "Operator Training Attendee"
    _order = "training_id, id"

    training_id = fields.Many2one(
        "aftersales.training", required=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one(
        related="training_id.company_id", store=True, index=True, precompute=True
    )
    partner_id = fields.Many2one(
        "res.partner", string="Operator", required=True, index=True, ondelete="restrict"
    )
    skill_level = fields.Selection(SKILL_LEVELS, string="Level Reached")
    state = fields.Selection(related="training_id.state", store=True, index=True)
    training_date = fields.Datetime(related="training_id.date", store=True)

    _sql_constraints = [
        ("operator_uniq", "UNIQUE(training_id, partner_id)", "An operator attends once."),
    ]

    def _check_training_open(self, trainings):
        if not is_internal(self) and trainings.filtered(lambda t: t.state != "planned"):
            raise UserError(
                self.env._("The operators of a training that took place are kept as they were.")
            )

    @api.model_create_multi
    def create(self, vals_list):
        self._check_training_open(
            self.env["aftersales.training"].browse(
                {vals["training_id"] for vals in vals_list if vals.get("training_id")}
            )
        )
        return super().create(vals_list)

    def write(self, vals):
        self._check_training_open(self.training_id)
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_done(self):
        self._check_training_open(self.training_id)
