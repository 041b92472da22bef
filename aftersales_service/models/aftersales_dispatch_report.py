from odoo import fields, models, tools
from odoo.tools import SQL

from .aftersales_dispatch import OUTCOMES

# Finished visits: what the supervisor reviews (R17).
FINISHED_STATES = ("done", "reviewed")


class AftersalesDispatchReport(models.Model):
    """Technician performance (R17): one row per finished visit, whose
    figures are averaged by the pivot and graph views: visits, first-time
    fixes, on-site time, SLA kept, supervisor's quality score, customer's
    rating. A read-only SQL view: each figure is one grouped query."""

    _name = "aftersales.dispatch.report"
    _description = "Technician Performance"
    _auto = False
    _rec_name = "dispatch_id"
    _order = "date desc, id desc"
    # Pending writes on these are flushed before the view is read.
    _depends = {
        "aftersales.dispatch": [
            "state",
            "technician_id",
            "company_id",
            "partner_id",
            "ticket_id",
            "date_finished",
            "outcome",
            "first_time_fix",
            "duration_hours",
            "sla_met",
            "promised_deadline",
            "quality_score",
            "rating_last_value",
        ],
    }

    # --- Dimensions ------------------------------------------------------
    dispatch_id = fields.Many2one("aftersales.dispatch", readonly=True)
    technician_id = fields.Many2one("res.users", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    ticket_id = fields.Many2one("aftersales.ticket", readonly=True)
    date = fields.Datetime(string="Finished On", readonly=True)
    outcome = fields.Selection(OUTCOMES, readonly=True)

    # --- Measures --------------------------------------------------------
    visit_count = fields.Integer(string="Visits", readonly=True, aggregator="sum")
    first_time_fix_rate = fields.Float(
        string="First-Time Fix (%)",
        readonly=True,
        aggregator="avg",
        help="Share of visits that fixed the fault at the ticket's first visit.",
    )
    repair_hours = fields.Float(
        string="Repair Time (h)",
        readonly=True,
        aggregator="avg",
        help="Time on site, from arrival to finish.",
    )
    sla_met_rate = fields.Float(
        string="SLA Met (%)",
        readonly=True,
        aggregator="avg",
        help="Share of visits finished within the ticket's promised deadline.",
    )
    quality = fields.Float(
        string="Quality Score",
        readonly=True,
        aggregator="avg",
        help="The supervisor's review score (1-5); visits not scored are left out.",
    )
    rating = fields.Float(
        string="Customer Rating",
        readonly=True,
        aggregator="avg",
        help="The customer's rating of the visit (1-5); visits not rated are left out.",
    )

    def _select(self):
        return SQL(
            """
            SELECT
                d.id AS id,
                d.id AS dispatch_id,
                d.technician_id AS technician_id,
                d.company_id AS company_id,
                d.partner_id AS partner_id,
                d.ticket_id AS ticket_id,
                d.date_finished AS date,
                d.outcome AS outcome,
                1 AS visit_count,
                CASE WHEN d.first_time_fix THEN 100.0 ELSE 0.0 END AS first_time_fix_rate,
                COALESCE(d.duration_hours, 0.0) AS repair_hours,
                CASE
                    WHEN d.promised_deadline IS NULL THEN NULL
                    WHEN d.sla_met THEN 100.0
                    ELSE 0.0
                END AS sla_met_rate,
                d.quality_score::int AS quality,
                NULLIF(d.rating_last_value, 0) AS rating
            """
        )

    def _from(self):
        return SQL("FROM aftersales_dispatch d")

    def _where(self):
        return SQL("WHERE d.state IN %s AND d.date_finished IS NOT NULL", FINISHED_STATES)

    def _query(self):
        return SQL("%s %s %s", self._select(), self._from(), self._where())

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            SQL(
                "CREATE OR REPLACE VIEW %s AS (%s)",
                SQL.identifier(self._table),
                self._query(),
            )
        )
