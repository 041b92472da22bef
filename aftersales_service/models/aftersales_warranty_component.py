from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..tools import periods
from .common import PERIOD_UNITS


class AftersalesWarrantyComponent(models.Model):
    """A component of a delivered unit, with its own warranty (R9)."""

    _name = "aftersales.warranty.component"
    _description = "Unit Component Warranty"
    _order = "warranty_id, id"
    _check_company_auto = True

    warranty_id = fields.Many2one(
        "aftersales.warranty", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="warranty_id.company_id", store=True, index=True)
    component_id = fields.Many2one(
        "product.product", required=True, check_company=True, ondelete="restrict"
    )
    lot_id = fields.Many2one(
        "stock.lot",
        string="Component Serial",
        check_company=True,
        domain="[('product_id', '=', component_id)]",
    )
    warranty_duration = fields.Integer(string="Warranty Period", required=True)
    warranty_unit = fields.Selection(PERIOD_UNITS, required=True, default="month")
    date_start = fields.Date(
        string="Start",
        compute="_compute_date_start",
        store=True,
        readonly=False,
        help="Defaults to the unit's warranty start; set it when the component was replaced later.",
    )
    date_end = fields.Date(string="End", compute="_compute_date_end", store=True, readonly=False)

    _sql_constraints = [
        (
            "warranty_duration_positive",
            "CHECK(warranty_duration >= 0)",
            "A component's warranty period cannot be negative.",
        ),
    ]

    @api.depends("warranty_id.date_start")
    def _compute_date_start(self):
        for line in self:
            line.date_start = line.warranty_id.date_start

    @api.depends("date_start", "warranty_duration", "warranty_unit")
    def _compute_date_end(self):
        for line in self:
            line.date_end = periods.period_end(
                line.date_start, line.warranty_duration, line.warranty_unit
            )

    @api.constrains("date_start", "date_end")
    def _check_dates(self):
        for line in self:
            if line.date_start and line.date_end and line.date_end < line.date_start:
                raise ValidationError(
                    self.env._(
                        "The warranty of component %(c)s cannot end before it starts.",
                        c=line.component_id.display_name,
                    )
                )

    # Changes to component lines are logged in the unit's chatter.
    _TRACKED = ("component_id", "lot_id", "date_start", "date_end", "warranty_duration")

    @api.model_create_multi
    def create(self, vals_list):
        lines = super().create(vals_list)
        if not self.env.context.get("aftersales_no_component_log"):
            for line in lines:
                # Lines created with a new warranty are not news.
                if line.warranty_id.create_date != line.create_date:
                    line.warranty_id._message_log(
                        body=self.env._(
                            "Component %(c)s added: warranty until %(end)s.",
                            c=line.component_id.display_name,
                            end=line.date_end or "-",
                        )
                    )
        return lines

    def write(self, vals):
        tracked = [f for f in self._TRACKED if f in vals]
        before = {line: {f: line[f] for f in tracked} for line in self} if tracked else {}
        res = super().write(vals)
        for line, old in before.items():
            changes = [
                self.env._(
                    "%(field)s: %(old)s → %(new)s",
                    field=self._fields[f].get_description(self.env)["string"],
                    old=_display(old[f]),
                    new=_display(line[f]),
                )
                for f in tracked
                if old[f] != line[f]
            ]
            if changes:
                line.warranty_id._message_log(
                    body=self.env._(
                        "Component %(c)s changed: %(changes)s",
                        c=line.component_id.display_name,
                        changes="; ".join(changes),
                    )
                )
        return res

    @api.ondelete(at_uninstall=False)
    def _log_removal(self):
        for line in self:
            line.warranty_id._message_log(
                body=self.env._("Component %(c)s removed.", c=line.component_id.display_name)
            )


def _display(value):
    if hasattr(value, "display_name"):
        return value.display_name or "-"
    return value if value not in (False, None) else "-"
