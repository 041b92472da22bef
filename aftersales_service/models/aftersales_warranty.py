from odoo import Command, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.osv import expression
from odoo.tools import SQL

from ..tools import periods
from .common import PERIOD_UNITS, START_RULES, check_date_values, internal, is_internal, public

# Written only by the module's own actions (void, delivery registration).
PROTECTED_FIELDS = {"void", "void_reason", "picking_id"}

WARRANTY_STATES = [
    ("pending", "Not started"),
    ("active", "Active"),
    ("expired", "Expired"),
    ("void", "Void"),
]


class AftersalesWarranty(models.Model):
    """One delivered unit under warranty (R7, R9)."""

    _name = "aftersales.warranty"
    _description = "Unit Warranty"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "date_end desc, id desc"
    _check_company_auto = True

    # --- Identification --------------------------------------------------
    name = fields.Char(
        string="Number", required=True, readonly=True, copy=False, default="/", index="trigram"
    )
    active = fields.Boolean(default=True, tracking=True)
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
    product_id = fields.Many2one(
        "product.product",
        required=True,
        index=True,
        tracking=True,
        check_company=True,
        ondelete="restrict",
    )
    product_tmpl_id = fields.Many2one(
        related="product_id.product_tmpl_id", store=True, index=True, string="Product Template"
    )
    lot_id = fields.Many2one(
        "stock.lot",
        string="Serial Number",
        index=True,
        tracking=True,
        check_company=True,
        ondelete="restrict",
        domain="[('product_id', '=', product_id)]",
    )
    picking_id = fields.Many2one(
        "stock.picking", string="Delivery", readonly=True, copy=False, check_company=True
    )

    # --- Dates the start rule uses --------------------------------------
    start_rule = fields.Selection(
        START_RULES,
        string="Starts On",
        required=True,
        tracking=True,
        compute="_compute_terms",
        store=True,
        readonly=False,
        precompute=True,
    )
    date_delivery = fields.Date(string="Delivered On", tracking=True)
    date_installation = fields.Date(string="Installed On", tracking=True)
    date_acceptance = fields.Date(string="Accepted On", tracking=True)
    date_invoice = fields.Date(string="Invoiced On", tracking=True)

    # --- Periods ---------------------------------------------------------
    warranty_duration = fields.Integer(
        string="Warranty Period",
        tracking=True,
        compute="_compute_terms",
        store=True,
        readonly=False,
        precompute=True,
    )
    warranty_unit = fields.Selection(
        PERIOD_UNITS,
        required=True,
        compute="_compute_terms",
        store=True,
        readonly=False,
        precompute=True,
    )
    guarantee_duration = fields.Integer(
        string="Quality Guarantee Period",
        tracking=True,
        compute="_compute_terms",
        store=True,
        readonly=False,
        precompute=True,
    )
    guarantee_unit = fields.Selection(
        PERIOD_UNITS,
        required=True,
        compute="_compute_terms",
        store=True,
        readonly=False,
        precompute=True,
    )
    date_start = fields.Date(
        string="Warranty Start", compute="_compute_dates", store=True, index=True, tracking=True
    )
    date_end = fields.Date(
        string="Warranty End", compute="_compute_dates", store=True, index=True, tracking=True
    )
    guarantee_end = fields.Date(
        string="Quality Guarantee End", compute="_compute_dates", store=True
    )
    component_ids = fields.One2many(
        "aftersales.warranty.component",
        "warranty_id",
        string="Components",
        copy=True,
        compute="_compute_component_ids",
        store=True,
        readonly=False,
        precompute=True,
    )

    # --- State -----------------------------------------------------------
    void = fields.Boolean(readonly=True, copy=False, tracking=True, index=True, default=False)
    void_reason = fields.Text(readonly=True, copy=False)
    state = fields.Selection(
        WARRANTY_STATES,
        compute="_compute_state",
        search="_search_state",
        help="Not started: the date the start rule needs is not known yet, or lies ahead.",
    )
    note = fields.Html()

    _sql_constraints = [
        (
            "periods_positive",
            "CHECK(warranty_duration >= 0 AND guarantee_duration >= 0)",
            "Warranty and quality guarantee periods cannot be negative.",
        ),
    ]

    def init(self):
        # A serial has at most one warranty that is not void, also under
        # concurrent registrations (the constraint below explains it nicely).
        self.env.cr.execute(
            SQL(
                "CREATE UNIQUE INDEX IF NOT EXISTS aftersales_warranty_lot_unique "
                "ON aftersales_warranty (lot_id) WHERE lot_id IS NOT NULL AND void IS NOT TRUE"
            )
        )

    # ------------------------------------------------------------------
    # Computes
    # ------------------------------------------------------------------
    @api.depends("product_id")
    def _compute_terms(self):
        """Terms come from the product when the unit is registered; they can
        then be changed on the warranty (tracked)."""
        for warranty in self:
            template = warranty.product_id.product_tmpl_id
            if not template:
                warranty.start_rule = warranty.start_rule or "delivery"
                warranty.warranty_unit = warranty.warranty_unit or "month"
                warranty.guarantee_unit = warranty.guarantee_unit or "month"
                continue
            warranty.start_rule = template.aftersales_warranty_start_rule
            warranty.warranty_duration = template.aftersales_warranty_duration
            warranty.warranty_unit = template.aftersales_warranty_unit
            warranty.guarantee_duration = template.aftersales_guarantee_duration
            warranty.guarantee_unit = template.aftersales_guarantee_unit

    @api.depends("product_id")
    def _compute_component_ids(self):
        """Component lines are copied from the product's component warranties
        when the unit is registered (or its product changes); then they are
        the unit's own, editable and tracked."""
        for warranty in self:
            warranty.component_ids = [
                Command.clear(),
                *self._prepare_component_commands(warranty.product_id),
            ]

    @api.depends(
        "start_rule",
        "date_delivery",
        "date_installation",
        "date_acceptance",
        "date_invoice",
        "warranty_duration",
        "warranty_unit",
        "guarantee_duration",
        "guarantee_unit",
    )
    def _compute_dates(self):
        for warranty in self:
            start = periods.start_date(
                warranty.start_rule or "delivery",
                {
                    "delivery": warranty.date_delivery,
                    "installation": warranty.date_installation,
                    "acceptance": warranty.date_acceptance,
                    "invoice": warranty.date_invoice,
                },
            )
            warranty.date_start = start
            warranty.date_end = periods.period_end(
                start, warranty.warranty_duration, warranty.warranty_unit
            )
            warranty.guarantee_end = periods.period_end(
                start, warranty.guarantee_duration, warranty.guarantee_unit
            )

    def _aftersales_today(self):
        """Today in the company's time zone (R10: a warranty expires on the
        company's calendar, whoever looks, crons included); the user's time
        zone only when the company has none."""
        tz = self.env.company.partner_id.tz or self.env.context.get("tz") or "UTC"
        return fields.Date.context_today(self.with_context(tz=tz))

    @api.depends("void", "date_start", "date_end")
    def _compute_state(self):
        today = self._aftersales_today()
        for warranty in self:
            if warranty.void:
                warranty.state = "void"
            elif not warranty.date_start or warranty.date_start > today:
                warranty.state = "pending"
            elif warranty.date_end and warranty.date_end >= today:
                warranty.state = "active"
            else:  # past its end, or a period of 0: nothing covered now
                warranty.state = "expired"

    def _search_state(self, operator, value):
        if operator not in ("=", "!=", "in", "not in"):
            raise UserError(self.env._("Unsupported search on the warranty state."))
        values = {value} if isinstance(value, str) else set(value or ())
        today = self._aftersales_today()
        domains = {
            "void": [("void", "=", True)],
            "pending": [
                ("void", "=", False),
                "|",
                ("date_start", "=", False),
                ("date_start", ">", today),
            ],
            "active": [
                ("void", "=", False),
                ("date_start", "<=", today),
                ("date_end", ">=", today),
            ],
            "expired": [
                ("void", "=", False),
                ("date_start", "<=", today),
                "|",
                ("date_end", "=", False),
                ("date_end", "<", today),
            ],
        }
        unknown = values - set(domains)
        if unknown:
            raise UserError(self.env._("Unknown warranty state: %(s)s", s=", ".join(unknown)))
        domain = expression.OR([domains[v] for v in values]) if values else expression.FALSE_DOMAIN
        if operator in ("!=", "not in"):
            domain = ["!", *expression.normalize_domain(domain)]
        return domain

    # ------------------------------------------------------------------
    # Constraints
    # ------------------------------------------------------------------
    @api.constrains("lot_id", "product_id")
    def _check_lot_product(self):
        for warranty in self:
            if warranty.lot_id and warranty.lot_id.product_id != warranty.product_id:
                raise ValidationError(
                    self.env._(
                        "Serial number %(lot)s is not a serial of %(product)s.",
                        lot=warranty.lot_id.name,
                        product=warranty.product_id.display_name,
                    )
                )

    def _check_serials_free(self, lot_ids):
        """A serial has at most one warranty that is not void (archived ones
        count: archiving hides a warranty, it does not end it). Checked before
        writing, for a clear message; the unique index guards concurrent
        registrations."""
        lot_ids = [lot_id for lot_id in lot_ids if lot_id]
        duplicates = {lot_id for lot_id in lot_ids if lot_ids.count(lot_id) > 1}
        taken = self.with_context(active_test=False).search(
            [("lot_id", "in", lot_ids), ("void", "=", False), ("id", "not in", self.ids)]
        )
        lot_id = next(iter(duplicates), False) or taken[:1].lot_id.id
        if lot_id:
            raise ValidationError(
                self.env._(
                    "Serial number %(lot)s already has a warranty. Void it before "
                    "registering a new one.",
                    lot=self.env["stock.lot"].browse(lot_id).name,
                )
            )

    @api.constrains("date_delivery", "date_installation", "date_acceptance")
    def _check_dates_order(self):
        for warranty in self:
            delivered = warranty.date_delivery
            for date_, label in (
                (warranty.date_installation, self.env._("installation")),
                (warranty.date_acceptance, self.env._("acceptance")),
            ):
                if delivered and date_ and date_ < delivered:
                    raise ValidationError(
                        self.env._(
                            "The %(what)s date of %(name)s cannot be before its delivery.",
                            what=label,
                            name=warranty.display_name,
                        )
                    )

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        if not is_internal(self):
            for vals in vals_list:
                if PROTECTED_FIELDS & set(vals):
                    self._raise_protected()
        self._check_serials_free([vals.get("lot_id") for vals in vals_list if not vals.get("void")])
        for vals in vals_list:
            check_date_values(self, vals)
            if vals.get("name", "/") == "/":
                company = self.env["res.company"].browse(vals.get("company_id")) or self.env.company
                vals["name"] = (
                    self.env["ir.sequence"]
                    .with_company(company)
                    .next_by_code("aftersales.warranty")
                    or "/"
                )
        return super().create(vals_list)

    @api.model
    def _prepare_component_commands(self, product):
        """Component lines copied from the product's component warranties."""
        return [
            Command.create(
                {
                    "component_id": line.component_id.id,
                    "warranty_duration": line.warranty_duration,
                    "warranty_unit": line.warranty_unit,
                }
            )
            for line in product.product_tmpl_id.aftersales_component_ids
        ]

    def write(self, vals):
        check_date_values(self, vals)
        if PROTECTED_FIELDS & set(vals) and not is_internal(self):
            self._raise_protected()
        if vals.get("lot_id") or vals.get("void") is False:
            live = self if vals.get("void") is False else self.filtered(lambda w: not w.void)
            lot_ids = [vals["lot_id"]] * len(live) if vals.get("lot_id") else live.lot_id.ids
            live._check_serials_free(lot_ids)
        return super().write(vals)

    def _raise_protected(self):
        raise UserError(
            self.env._(
                "A warranty is voided with its Void button; its delivery is set when "
                "the delivery is validated."
            )
        )

    @api.ondelete(at_uninstall=False)
    def _unlink_never(self):
        raise UserError(
            self.env._(
                "Warranties are never deleted: customers and accounting rely on them. "
                "Archive the warranty, or void it."
            )
        )

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def _check_can_void(self):
        if not self.env.user.has_group("aftersales_service.aftersales_service_group_user"):
            raise UserError(self.env._("Only After-Sales users can void a warranty."))
        if self.filtered("void"):
            raise UserError(self.env._("This warranty is already void."))

    def action_void(self, reason):
        """Void the warranties (the serial can then get a new one)."""
        self._check_can_void()
        reason = (reason or "").strip()
        if not reason:
            raise UserError(self.env._("Give the reason for voiding the warranty."))
        internal(self).write({"void": True, "void_reason": reason})
        for warranty in self:
            warranty.message_post(body=self.env._("Warranty voided: %(r)s", r=reason))
        return True

    def action_open_void_wizard(self):
        self._check_can_void()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Void Warranty"),
            "res_model": "aftersales.warranty.void",
            "view_mode": "form",
            "target": "new",
            "context": {"default_warranty_ids": self.ids},
        }

    def action_check_coverage(self):
        self.ensure_one()
        return self.env["aftersales.coverage.check"].action_open(
            {
                "default_lot_id": self.lot_id.id,
                "default_product_id": self.product_id.id,
                "default_partner_id": self.partner_id.id,
            }
        )

    # ------------------------------------------------------------------
    # Business
    # ------------------------------------------------------------------
    @api.model
    def _register_from_move_lines(self, move_lines):
        """Register a warranty for each delivered serial of a product that
        has a warranty period (one per serial; serials that already have a
        warranty are left alone). Returns the new warranties."""
        move_lines = move_lines.filtered(
            lambda ml: (
                ml.lot_id
                and ml.product_id.tracking == "serial"
                and ml.product_id.aftersales_warranty_duration > 0
                and ml.picking_id.picking_type_code == "outgoing"
                and ml.location_dest_id.usage == "customer"
                and ml.picking_id.partner_id
            )
        )
        if not move_lines:
            return self.browse()
        covered = set(
            self.with_context(active_test=False)
            .search([("lot_id", "in", move_lines.lot_id.ids), ("void", "=", False)])
            .lot_id.ids
        )
        vals_list = []
        for line in move_lines:
            if line.lot_id.id in covered:
                continue
            covered.add(line.lot_id.id)
            vals_list.append(self._prepare_warranty_vals_from_move_line(line))
        return public(internal(self).create(vals_list))

    @api.model
    def _prepare_warranty_vals_from_move_line(self, move_line):
        picking = move_line.picking_id
        done = picking.date_done or fields.Datetime.now()
        tz = self.env.company.partner_id.tz or self.env.user.tz or "UTC"
        return {
            "company_id": picking.company_id.id,
            "partner_id": (picking.partner_id.commercial_partner_id or picking.partner_id).id,
            "product_id": move_line.product_id.id,
            "lot_id": move_line.lot_id.id,
            "picking_id": picking.id,
            "date_delivery": fields.Date.context_today(self.with_context(tz=tz), done),
        }
