from odoo import fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from .aftersales_archive_entry import ENTRY_KINDS

TIMELINE_KINDS = [
    ("entry", "Archive entry"),
    ("ticket", "Repair ticket"),
    ("dispatch", "Visit"),
    ("followup", "Follow-up"),
    ("training", "Training"),
]
# Row ids, stable across reads and unique: the archive's id in the high bits,
# the source's id times the number of kinds plus the kind's index below.
KIND_COUNT = len(TIMELINE_KINDS)


class AftersalesArchiveTimeline(models.Model):
    """The history of a system as one list (R4): the archive's entries and
    the tickets, visits, follow-ups and trainings of its system. A database
    view, read only."""

    _name = "aftersales.archive.timeline"
    _description = "System Operation Archive Timeline"
    _auto = False
    _order = "date desc, id desc"

    archive_id = fields.Many2one("aftersales.archive", readonly=True, index=True)
    company_id = fields.Many2one("res.company", readonly=True)
    date = fields.Date(readonly=True)
    kind = fields.Selection(TIMELINE_KINDS, readonly=True)
    entry_kind = fields.Selection(ENTRY_KINDS, readonly=True)
    name = fields.Char(string="Reference", readonly=True)
    summary = fields.Char(readonly=True)
    state = fields.Char(readonly=True)
    res_model = fields.Char(readonly=True)
    res_id = fields.Integer(readonly=True)

    def init(self):
        # The tickets' CTE is read twice: NOT MATERIALIZED lets PostgreSQL
        # push a search on one archive into it instead of joining every
        # archive with every ticket first.
        self.env.cr.execute(SQL("DROP VIEW IF EXISTS %s", SQL.identifier(self._table)))
        self.env.cr.execute(
            SQL(
                """
                CREATE VIEW %(table)s AS (
                WITH ticket_archive AS NOT MATERIALIZED (
                    SELECT a.id AS archive_id, a.company_id, t.id AS ticket_id,
                           t.title AS ticket_title
                      FROM aftersales_archive a
                      JOIN aftersales_ticket t ON t.archive_id = a.id
                        OR t.agreement_id = a.agreement_id
                        OR t.warranty_id IN (
                            SELECT r.warranty_id FROM aftersales_archive_warranty_rel r
                             WHERE r.archive_id = a.id)
                     WHERE t.active
                )
                SELECT (e.archive_id::bigint << 32) + e.id * %(n)s AS id,
                       e.archive_id, e.company_id, e.date,
                       'entry' AS kind, e.kind AS entry_kind, NULL AS name,
                       e.description AS summary, NULL AS state,
                       'aftersales.archive.entry' AS res_model, e.id AS res_id
                  FROM aftersales_archive_entry e
                 WHERE e.followup_id IS NULL AND e.dispatch_id IS NULL
                UNION ALL
                SELECT (ta.archive_id::bigint << 32) + t.id * %(n)s + 1,
                       ta.archive_id, ta.company_id, t.date_received::date,
                       'ticket', NULL, t.name, t.title,
                       t.stage_kind, 'aftersales.ticket', t.id
                  FROM ticket_archive ta JOIN aftersales_ticket t ON t.id = ta.ticket_id
                UNION ALL
                SELECT (ta.archive_id::bigint << 32) + d.id * %(n)s + 2,
                       ta.archive_id, ta.company_id,
                       COALESCE(d.date_finished, d.date_start, d.create_date)::date,
                       'dispatch', NULL, d.name, ta.ticket_title,
                       d.state, 'aftersales.dispatch', d.id
                  FROM ticket_archive ta JOIN aftersales_dispatch d ON d.ticket_id = ta.ticket_id
                UNION ALL
                SELECT (f.archive_id::bigint << 32) + f.id * %(n)s + 3,
                       f.archive_id, f.company_id, COALESCE(f.date_done, f.date_due),
                       'followup', NULL, f.name, f.remarks,
                       f.state, 'aftersales.followup', f.id
                  FROM aftersales_followup f
                 WHERE f.archive_id IS NOT NULL AND f.state != 'cancelled'
                UNION ALL
                SELECT (t.archive_id::bigint << 32) + t.id * %(n)s + 4,
                       t.archive_id, t.company_id, t.date::date,
                       'training', NULL, t.name, NULL,
                       t.state, 'aftersales.training', t.id
                  FROM aftersales_training t
                 WHERE t.archive_id IS NOT NULL AND t.state != 'cancelled'
                )
                """,
                table=SQL.identifier(self._table),
                n=KIND_COUNT,
            )
        )

    def action_open_source(self):
        """The ticket, visit, follow-up, training or entry of the row (with
        the user's own access rights)."""
        self.ensure_one()
        if self.res_model not in {
            "aftersales.archive.entry",
            "aftersales.ticket",
            "aftersales.dispatch",
            "aftersales.followup",
            "aftersales.training",
        }:
            raise UserError(self.env._("Nothing to open."))
        record = self.env[self.res_model].browse(self.res_id)
        record.check_access("read")
        return record.get_formview_action()
