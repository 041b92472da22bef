from collections import defaultdict
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL

from .common import assign_numbers, check_date_values

GROUP_USER = "aftersales_service.aftersales_service_group_user"
HEALTH_STATES = [
    ("good", "Good"),
    ("watch", "Watch"),
    ("critical", "Critical"),
]
# Health indicator: the window of "recent" breakdowns and of "new" operators,
# and the number of recent breakdowns that makes a system critical.
BREAKDOWN_DAYS = 90
NEW_OPERATOR_DAYS = 180
CRITICAL_BREAKDOWNS = 3


class AftersalesArchive(models.Model):
    """System-operation archive (系統運行檔案) of a delivered system or site
    (R3, R4): what runs there, how it runs and who runs it, as a timeline."""

    _name = "aftersales.archive"
    _description = "System Operation Archive"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "id desc"
    _check_company_auto = True
    _rec_names_search = ["name", "system_name", "partner_id.name"]

    # --- Identification --------------------------------------------------
    name = fields.Char(
        string="Number", required=True, readonly=True, copy=False, default="/", index="trigram"
    )
    system_name = fields.Char(string="System", tracking=True, help="The system or site, as known.")
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
    address = fields.Text(string="Site Address", tracking=True)
    agreement_id = fields.Many2one(
        "aftersales.agreement",
        tracking=True,
        check_company=True,
        index="btree_not_null",
        domain="[('partner_id', '=', partner_id)]",
    )
    warranty_ids = fields.Many2many(
        "aftersales.warranty",
        "aftersales_archive_warranty_rel",
        "archive_id",
        "warranty_id",
        string="Units",
        check_company=True,
        domain="[('partner_id', 'child_of', partner_id)]",
    )
    date_commissioning = fields.Date(
        string="Commissioned / Accepted On", tracking=True, help="Commissioning or acceptance."
    )
    user_id = fields.Many2one(
        "res.users",
        string="Responsible",
        tracking=True,
        check_company=True,
        default=lambda self: self.env.user,
        domain="[('share', '=', False)]",
    )
    note = fields.Html()

    # --- Timeline --------------------------------------------------------
    entry_ids = fields.One2many("aftersales.archive.entry", "archive_id", string="Entries")
    followup_ids = fields.One2many("aftersales.followup", "archive_id", string="Follow-ups")
    training_ids = fields.One2many("aftersales.training", "archive_id", string="Trainings")
    timeline_ids = fields.One2many(
        "aftersales.archive.timeline",
        "archive_id",
        groups="aftersales_service.aftersales_service_group_user",
    )
    entry_count = fields.Integer(compute="_compute_counts")
    ticket_count = fields.Integer(compute="_compute_counts")
    dispatch_count = fields.Integer(compute="_compute_counts")

    # --- Health indicator (R3 quality tracking) ----------------------------
    breakdown_count = fields.Integer(
        string="Recent Breakdowns",
        compute="_compute_health",
        help=f"Repair tickets of the last {BREAKDOWN_DAYS} days.",
    )
    overdue_maintenance_count = fields.Integer(
        string="Overdue Maintenance", compute="_compute_health"
    )
    untrained_operator_count = fields.Integer(
        string="Untrained New Operators",
        compute="_compute_health",
        help=f"Operators who joined in the last {NEW_OPERATOR_DAYS} days and have not "
        "attended a training since.",
    )
    health = fields.Selection(HEALTH_STATES, compute="_compute_health")

    _sql_constraints = [
        ("name_company_uniq", "UNIQUE(name, company_id)", "Archive numbers are unique."),
    ]

    def init(self):
        # One archive per agreement (the activation creates it once).
        self.env.cr.execute(
            SQL(
                "CREATE UNIQUE INDEX IF NOT EXISTS aftersales_archive_agreement_uniq "
                "ON aftersales_archive (agreement_id) WHERE agreement_id IS NOT NULL"
            )
        )

    # ------------------------------------------------------------------
    # Computes
    # ------------------------------------------------------------------
    def _scopes(self):
        """{archive id: (agreement, unit ids)}: what each archive covers, read
        in two queries for all of them (archived units included: history)."""
        return {
            archive.id: (archive.agreement_id, set(archive.warranty_ids.ids))
            for archive in self.with_context(active_test=False)
        }

    def _ticket_domain(self, scopes=None):
        """The repair tickets of the archives: under their agreements or on
        their units."""
        scopes = scopes or self._scopes()
        agreements = {agreement.id for agreement, _units in scopes.values() if agreement}
        units = set().union(*(units for _agreement, units in scopes.values()))
        return [
            "|",
            "|",
            ("archive_id", "in", list(scopes)),
            ("agreement_id", "in", list(agreements)),
            ("warranty_id", "in", list(units)),
        ]

    @staticmethod
    def _owns(archive_id, scope, agreement, warranty, ticket_archive):
        """Whether a ticket (its agreement, unit and archive) is the
        archive's: named on it, under its agreement or on one of its units."""
        own_agreement, units = scope
        return bool(
            ticket_archive.id == archive_id
            or (agreement and agreement == own_agreement)
            or (warranty and warranty.id in units)
        )

    def _compute_counts(self):
        scopes = self._scopes()
        entries = dict(
            self.env["aftersales.archive.entry"]._read_group(
                [("archive_id", "in", self.ids)], ["archive_id"], ["__count"]
            )
        )
        Ticket = self.env["aftersales.ticket"]
        Dispatch = self.env["aftersales.dispatch"]
        domain = self._ticket_domain(scopes)
        tickets = dispatches = []
        if Ticket.has_access("read"):
            tickets = Ticket._read_group(
                domain, ["agreement_id", "warranty_id", "archive_id"], ["__count"]
            )
        if Dispatch.has_access("read"):
            dispatches = Dispatch._read_group(
                [("ticket_id", "any", domain)],
                ["ticket_id"],
                ["__count"],
            )
        for archive in self:
            scope = scopes[archive.id]
            archive.entry_count = entries.get(archive, 0)
            archive.ticket_count = sum(
                n for agr, wty, arc, n in tickets if self._owns(archive.id, scope, agr, wty, arc)
            )
            archive.dispatch_count = sum(
                n
                for ticket, n in dispatches
                if self._owns(
                    archive.id, scope, ticket.agreement_id, ticket.warranty_id, ticket.archive_id
                )
            )

    def _compute_health(self):
        """Two grouped queries (three with new operators) for any number of
        archives (P5)."""
        scopes = self._scopes()
        # The day in UTC: the indicator counts in days and weeks.
        today = fields.Date.today()
        since = fields.Datetime.now() - timedelta(days=BREAKDOWN_DAYS)
        # Breakdowns (not preventive) and overdue preventive visits, in one
        # grouped query: the plan tells them apart.
        groups = (
            self.env["aftersales.ticket"]
            .sudo()
            ._read_group(
                [
                    *self._ticket_domain(scopes),
                    "|",
                    "&",
                    ("maintenance_plan_id", "=", False),
                    ("date_received", ">=", since),
                    "&",
                    "&",
                    ("maintenance_plan_id", "!=", False),
                    ("stage_kind", "in", ("new", "progress")),
                    ("maintenance_due", "<", today),
                ],
                ["agreement_id", "warranty_id", "archive_id", "maintenance_plan_id"],
                ["__count"],
            )
        )
        joined = (
            self.env["aftersales.archive.entry"]
            .sudo()
            ._read_group(
                [
                    ("archive_id", "in", self.ids),
                    ("kind", "=", "turnover"),
                    ("movement", "=", "join"),
                    ("date", ">=", today - timedelta(days=NEW_OPERATOR_DAYS)),
                ],
                ["archive_id", "operator_id"],
                ["date:max"],
            )
        )
        trained = {}
        if joined:
            trained = dict(
                self.env["aftersales.training.attendee"]
                .sudo()
                ._read_group(
                    [
                        ("partner_id", "in", [op.id for _a, op, _d in joined]),
                        ("state", "=", "done"),
                    ],
                    ["partner_id"],
                    ["training_date:max"],
                )
            )
        untrained = defaultdict(int)
        for archive, operator, date in joined:
            last = trained.get(operator)
            if not last or last.date() < date:
                untrained[archive.id] += 1
        for archive in self:
            scope = scopes[archive.id]
            breakdowns = overdue = 0
            for agreement, warranty, ticket_archive, plan, count in groups:
                if self._owns(archive.id, scope, agreement, warranty, ticket_archive):
                    if plan:
                        overdue += count
                    else:
                        breakdowns += count
            archive.breakdown_count = breakdowns
            archive.overdue_maintenance_count = overdue
            archive.untrained_operator_count = untrained[archive.id]
            if overdue or breakdowns >= CRITICAL_BREAKDOWNS:
                archive.health = "critical"
            elif breakdowns or untrained[archive.id]:
                archive.health = "watch"
            else:
                archive.health = "good"

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            check_date_values(self, vals)
        assign_numbers(self, vals_list, "aftersales.archive")
        return super().create(vals_list)

    def write(self, vals):
        check_date_values(self, vals)
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_history(self):
        if (
            self.env["aftersales.archive.entry"]
            .sudo()
            .search_count([("archive_id", "in", self.ids)], limit=1)
        ):
            raise UserError(
                self.env._("An archive with entries keeps its history: archive it instead.")
            )

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------
    @api.model
    def _prepare_archive_vals_from_agreement(self, agreement):
        lots = agreement.line_ids.lot_id
        warranties = (
            self.env["aftersales.warranty"]
            .sudo()
            .search([("lot_id", "in", lots.ids), ("void", "=", False)])
        )
        systems = agreement.line_ids.mapped("system_name")
        return {
            "partner_id": agreement.partner_id.id,
            "company_id": agreement.company_id.id,
            "agreement_id": agreement.id,
            "user_id": agreement.user_id.id,
            "system_name": ", ".join(s for s in systems if s) or False,
            "address": agreement.partner_id._display_address(without_company=True) or False,
            "warranty_ids": [(6, 0, warranties.ids)],
            "date_commissioning": agreement.date_start,
        }

    @api.model
    def _ensure_for_agreements(self, agreements):
        """The archive of each agreement, created at its activation, once. An
        amendment or renewal carries its predecessor's archive on."""
        existing = (
            self.sudo()
            .with_context(active_test=False)
            .search([("agreement_id", "in", (agreements | agreements.previous_id).ids)])
        )
        by_agreement = {archive.agreement_id: archive for archive in existing}
        todo = []
        for agreement in agreements:
            if agreement in by_agreement:
                continue
            previous = by_agreement.get(agreement.previous_id)
            if previous:
                previous.agreement_id = agreement
                by_agreement[agreement] = previous
                continue
            todo.append(agreement)
        if todo:
            self.sudo().create([self._prepare_archive_vals_from_agreement(a) for a in todo])

    def _add_entries(self, vals_list):
        """Append entries (the module's own writers: follow-ups, trainings,
        finished visits)."""
        return self.env["aftersales.archive.entry"].sudo().create(vals_list)

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def _check_user(self):
        if not self.env.user.has_group(GROUP_USER):
            raise AccessError(self.env._("Only After-Sales users do this on archives."))

    def action_view_tickets(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "aftersales_service.aftersales_ticket_action"
        )
        action["domain"] = self._ticket_domain()
        action["context"] = {"default_partner_id": self.partner_id.id}
        return action

    def action_view_dispatches(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "aftersales_service.aftersales_dispatch_action"
        )
        action["domain"] = [("ticket_id", "any", self._ticket_domain())]
        action["context"] = {}
        return action

    def action_view_entries(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "aftersales_service.aftersales_archive_entry_action"
        )
        action["domain"] = [("archive_id", "=", self.id)]
        action["context"] = {"default_archive_id": self.id}
        return action
