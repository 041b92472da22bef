from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

from .common import ends_before_start


class AftersalesFeeCard(models.Model):
    """A fee schedule card (維修項目與收費標準表): the prices of paid work,
    shown to the customer before the work (R16)."""

    _name = "aftersales.fee.card"
    _description = "Fee Card"
    _inherit = ["mail.thread"]
    _order = "date_from desc, id desc"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True, tracking=True)
    active = fields.Boolean(default=True, tracking=True)
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one(
        "res.currency",
        required=True,
        tracking=True,
        default=lambda self: self.env.company.currency_id,
    )
    date_from = fields.Date(
        string="Valid From", required=True, tracking=True, default=fields.Date.context_today
    )
    date_to = fields.Date(string="Valid Until", tracking=True, help="Empty: until replaced.")
    line_ids = fields.One2many("aftersales.fee.card.line", "card_id", string="Prices", copy=True)
    note = fields.Html(
        string="Terms", translate=True, help="Printed under the prices (payment terms, notes)."
    )
    is_default = fields.Boolean(
        string="Company Default",
        compute="_compute_is_default",
        help="The card of paid work when no agreement names its own (Settings).",
    )

    _sql_constraints = [
        (
            "dates_check",
            "CHECK(date_to IS NULL OR date_to >= date_from)",
            "A fee card ends after it starts.",
        ),
    ]

    @api.depends("company_id.aftersales_fee_card_id")
    def _compute_is_default(self):
        for card in self:
            card.is_default = card.company_id.aftersales_fee_card_id == card

    @api.constrains("date_from", "date_to")
    def _check_dates(self):
        for card in self:
            if card.date_to and card.date_from and card.date_to < card.date_from:
                raise ValidationError(self.env._("A fee card ends after it starts."))

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._check_date_vals(vals)
        return super().create(vals_list)

    def write(self, vals):
        self._check_date_vals(vals)
        return super().write(vals)

    def _check_date_vals(self, vals):
        """Before the database's check, in the user's language."""
        if ends_before_start(self, vals, "date_from", "date_to"):
            raise ValidationError(self.env._("A fee card ends after it starts."))

    def action_set_default(self):
        """Make this card the company's default (a supervisor's choice)."""
        self.ensure_one()
        if not self.env.user.has_group("aftersales_service.aftersales_service_group_manager"):
            raise AccessError(self.env._("Only a supervisor chooses the default fee card."))
        if not self.active:
            raise UserError(self.env._("An archived fee card cannot be the default."))
        # The company record is the administrator's: this one field only.
        self.company_id.sudo().aftersales_fee_card_id = self
        self.message_post(body=self.env._("Set as the company's default fee card."))
        return True

    def _is_valid_on(self, on_date):
        self.ensure_one()
        return (
            self.active
            and self.date_from <= on_date
            and (not self.date_to or on_date <= self.date_to)
        )

    @api.model
    def _select_for(self, company, on_date, agreement=None):
        """The card pricing paid work on `on_date`: the agreement's own
        (contract prices), else the company's default."""
        for card in (agreement.fee_card_id if agreement else self.browse()) | (
            company.aftersales_fee_card_id
        ):
            if card._is_valid_on(on_date):
                return card
        return self.browse()
