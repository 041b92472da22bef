from odoo import api, fields, models

from ..models.common import FAULT_CAUSES, SERVICE_CATEGORIES


class AftersalesCoverageCheck(models.TransientModel):
    """ "Check coverage": for a serial (or a product and customer), a date,
    a component and a fault cause, the service category and why."""

    _name = "aftersales.coverage.check"
    _description = "Check Coverage"

    lot_id = fields.Many2one("stock.lot", string="Serial Number")
    product_id = fields.Many2one("product.product")
    partner_id = fields.Many2one("res.partner", string="Customer")
    component_id = fields.Many2one(
        "product.product",
        string="Repaired Component",
        help="Leave empty to judge the whole unit.",
    )
    date = fields.Date(required=True, default=fields.Date.context_today)
    fault_cause = fields.Selection(FAULT_CAUSES, required=True, default="unknown")

    category = fields.Selection(SERVICE_CATEGORIES, compute="_compute_result")
    source = fields.Selection(
        [
            ("component", "Component warranty"),
            ("warranty", "Unit warranty"),
            ("agreement", "Agreement"),
            ("none", "Nothing"),
        ],
        string="Granted By",
        compute="_compute_result",
    )
    provisional = fields.Boolean(compute="_compute_result")
    reason = fields.Text(compute="_compute_result")
    warranty_id = fields.Many2one("aftersales.warranty", compute="_compute_result")
    agreement_id = fields.Many2one("aftersales.agreement", compute="_compute_result")

    @api.onchange("lot_id")
    def _onchange_lot_id(self):
        if self.lot_id:
            self.product_id = self.lot_id.product_id

    @api.depends("lot_id", "product_id", "partner_id", "component_id", "date", "fault_cause")
    def _compute_result(self):
        for check in self:
            if not (check.lot_id or (check.product_id and check.partner_id)) or not check.date:
                check.update(
                    {
                        "category": False,
                        "source": False,
                        "provisional": False,
                        "reason": self.env._("Give a serial number, or a product and a customer."),
                        "warranty_id": False,
                        "agreement_id": False,
                    }
                )
                continue
            result = self.env["aftersales.coverage"]._decide(
                lot=check.lot_id,
                product=check.product_id,
                partner=check.partner_id,
                component=check.component_id,
                on_date=check.date,
                fault_cause=check.fault_cause,
            )
            check.update(
                {
                    "category": result["category"],
                    "source": result["source"],
                    "provisional": result["provisional"],
                    "reason": result["reason"],
                    "warranty_id": result["warranty"].id,
                    "agreement_id": result["agreement"].id,
                }
            )

    @api.model
    def action_open(self, context=None):
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Check Coverage"),
            "res_model": self._name,
            "view_mode": "form",
            "target": "new",
            "context": context or {},
        }
