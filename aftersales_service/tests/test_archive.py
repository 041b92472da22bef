"""System-operation archives (R3, R4): created at activation once, numbered,
append-only entries, entries of finished visits, health indicator, printable,
multi-company, bad input."""

from datetime import timedelta

import psycopg2

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, HttpCase, new_test_user, tagged
from odoo.tools import mute_logger

from .common import JsonRpcMixin
from .common_proactive import ProactiveCommon


@tagged("post_install", "-at_install")
class TestArchive(ProactiveCommon):
    def test_created_once_at_activation(self):
        agreement = self._active_agreement()
        archive = agreement.archive_ids
        self.assertEqual(len(archive), 1)
        self.assertTrue(archive.name.startswith("ARC/"))
        self.assertEqual(archive.partner_id, self.customer)
        self.assertEqual(archive.warranty_ids, self.warranty)
        self.assertEqual(archive.date_commissioning, agreement.date_start)
        self.assertEqual(archive.company_id, agreement.company_id)
        # Asked again (a second activation path): still one.
        self.env["aftersales.archive"]._ensure_for_agreements(agreement)
        self.assertEqual(
            self.env["aftersales.archive"].search_count([("agreement_id", "=", agreement.id)]), 1
        )
        # A second archive for the same agreement is refused by the database.
        with (
            self.assertRaises(psycopg2.errors.UniqueViolation),
            mute_logger("odoo.sql_db"),
            self.cr.savepoint(),
        ):
            self._archive(agreement_id=agreement.id)

    def test_renewal_carries_the_archive_on(self):
        agreement = self._active_agreement()
        archive = agreement.archive_ids
        renewal = agreement.with_user(self.user_manager)._action_new_version("renewal", "Year 2")
        self._activate(renewal)
        self.assertEqual(archive.agreement_id, renewal)
        self.assertEqual(self.env["aftersales.archive"].search_count([("id", "=", archive.id)]), 1)
        self.assertFalse(agreement.archive_ids)

    def test_numbers_distinct_in_one_call(self):
        archives = self.env["aftersales.archive"].create(
            [{"partner_id": self.customer.id} for _i in range(50)]
        )
        self.assertEqual(len(set(archives.mapped("name"))), 50)

    def test_entries_are_append_only(self):
        archive = self._archive(warranty_ids=[Command.set(self.warranty.ids)])
        entry = self.env["aftersales.archive.entry"].create(
            {
                "archive_id": archive.id,
                "kind": "usage",
                "warranty_id": self.warranty.id,
                "usage_hours": 1200,
            }
        )
        for user in (self.user_service, self.user_manager):
            with self.assertRaises(UserError):
                entry.with_user(user).write({"usage_hours": 10})
            with self.assertRaises(UserError):
                entry.with_user(user).unlink()
        self.assertEqual(entry.usage_hours, 1200)
        # A correction is a new entry.
        self.env["aftersales.archive.entry"].with_user(self.user_technician).create(
            {
                "archive_id": archive.id,
                "kind": "usage",
                "warranty_id": self.warranty.id,
                "usage_hours": 1210,
                "description": "Corrects the reading",
            }
        )
        self.assertEqual(archive.entry_count, 2)
        # An archive with history is not deleted.
        with self.assertRaises(UserError):
            archive.with_user(self.user_manager).unlink()

    def test_entry_values_by_kind(self):
        archive = self._archive(warranty_ids=[Command.set(self.warranty.ids)])
        Entry = self.env["aftersales.archive.entry"]
        operator = self.env["res.partner"].create({"name": "Olga Operator"})
        other_unit = self.env["aftersales.warranty"].create(
            {
                "partner_id": self.customer.id,
                "product_id": self.equipment.id,
                "lot_id": self._create_serial(self.equipment, "SN-CH-2").id,
            }
        )
        bad = [
            {"kind": "status"},
            {"kind": "usage"},
            {"kind": "usage", "warranty_id": other_unit.id},
            {"kind": "usage", "warranty_id": self.warranty.id, "usage_hours": -1},
            {"kind": "operator", "operator_id": operator.id},
            {"kind": "turnover", "operator_id": operator.id},
            {"kind": "turnover", "movement": "join"},
            {"kind": "status", "running_status": "normal", "date": "2026-02-30"},
        ]
        for vals in bad:
            with self.subTest(vals=vals), self.assertRaises(ValidationError):
                Entry.create({"archive_id": archive.id, **vals})
        self.assertFalse(archive.entry_ids)

    def test_form_refuses_negative_usage(self):
        """D2: the entry form says so and saves nothing."""
        archive = self._archive(warranty_ids=[Command.set(self.warranty.ids)])
        form = Form(self.env["aftersales.archive.entry"].with_user(self.user_service))
        form.archive_id = archive
        form.kind = "usage"
        form.warranty_id = self.warranty
        form.usage_hours = -5
        with self.assertRaises(ValidationError):
            form.save()
        self.assertFalse(archive.entry_ids)

    def test_finished_visit_writes_an_entry(self):
        agreement = self._active_agreement()
        archive = agreement.archive_ids
        ticket = self._create_ticket(partner_id=self.customer.id, lot_id=self.lot.id)
        self.assertEqual(ticket.warranty_id, self.warranty)
        dispatch = self._create_dispatch(ticket, schedule=True)
        self.assertFalse(archive.entry_ids)
        self._visit(dispatch)
        entry = archive.entry_ids
        self.assertEqual(len(entry), 1)
        self.assertEqual(entry.dispatch_id, dispatch)
        self.assertEqual(entry.ticket_id, ticket)
        self.assertEqual(entry.kind, "status")
        self.assertEqual(entry.running_status, "normal")
        self.assertIn(dispatch.name, entry.description)

    def test_timeline_tells_the_whole_history(self):
        agreement = self._active_agreement()
        archive = agreement.archive_ids
        ticket = self._create_ticket(partner_id=self.customer.id, lot_id=self.lot.id)
        dispatch = self._visit(self._create_dispatch(ticket, schedule=True))
        other = self._create_ticket(title="Elsewhere")  # another customer's system
        self.env["aftersales.followup"]._cron_plan(date_ref=agreement.followup_next_date)
        followup = agreement.followup_ids
        followup.write({"running_status": "normal", "remarks": "All fine"})
        followup.with_user(self.user_service).action_done()
        operator = self.env["res.partner"].create({"name": "Olga", "parent_id": self.customer.id})
        training = self.env["aftersales.training"].create(
            {
                "partner_id": self.customer.id,
                "archive_id": archive.id,
                "date": fields.Datetime.now(),
                "attendee_ids": [Command.create({"partner_id": operator.id, "skill_level": "2"})],
            }
        )
        training.with_user(self.user_service).action_done()
        self.env.flush_all()
        rows = archive.with_user(self.user_service).timeline_ids
        sources = {(row.res_model, row.res_id) for row in rows}
        self.assertEqual(
            sources,
            {
                ("aftersales.ticket", ticket.id),
                ("aftersales.dispatch", dispatch.id),
                ("aftersales.followup", followup.id),
                ("aftersales.training", training.id),
                # The operator's level (the visit's and the follow-up's
                # entries are shown as the visit and the follow-up).
                ("aftersales.archive.entry", archive.entry_ids.filtered("training_id").id),
            },
        )
        self.assertNotIn(("aftersales.ticket", other.id), sources)
        self.assertEqual(len(set(rows.ids)), len(rows))
        row = rows.filtered(lambda r: r.kind == "dispatch")
        action = row.with_user(self.user_service).action_open_source()
        self.assertEqual(
            (action["res_model"], action["res_id"]), ("aftersales.dispatch", dispatch.id)
        )
        # Technicians read the archive, not the timeline of ticket titles.
        self.assertFalse(
            self.env["aftersales.archive.timeline"]
            .with_user(self.user_technician)
            .has_access("read")
        )
        archive.with_user(self.user_technician).read(["name", "entry_ids"])

    def test_visit_without_archive_writes_nothing(self):
        dispatch = self._create_dispatch(schedule=True)
        self._visit(dispatch)
        self.assertEqual(dispatch.state, "done")
        self.assertFalse(
            self.env["aftersales.archive.entry"].search([("dispatch_id", "=", dispatch.id)])
        )

    def test_report_prints_the_timeline(self):
        archive = self._archive(warranty_ids=[Command.set(self.warranty.ids)])
        self.env["aftersales.archive.entry"].create(
            {
                "archive_id": archive.id,
                "kind": "status",
                "running_status": "down",
                "description": "冷卻塔停機 tower stopped",
            }
        )
        html, _kind = self.env["ir.actions.report"]._render_qweb_html(
            "aftersales_service.aftersales_archive_report", archive.ids
        )
        html = html.decode()
        self.assertIn(archive.name, html)
        self.assertIn("冷卻塔停機 tower stopped", html)
        self.assertIn("SN-CH-1", html)


@tagged("post_install", "-at_install")
class TestArchiveHealth(ProactiveCommon):
    def _tickets(self, n, **vals):
        now = fields.Datetime.now()
        return self.env["aftersales.ticket"].create(
            [
                {
                    "title": f"Breakdown {i}",
                    "partner_id": self.customer.id,
                    "lot_id": self.lot.id,
                    "date_received": now - timedelta(hours=i + 1),
                    **vals,
                }
                for i in range(n)
            ]
        )

    def test_breakdowns(self):
        archive = self._archive(warranty_ids=[Command.set(self.warranty.ids)])
        self.assertEqual(archive.health, "good")
        old = self._tickets(1, date_received=fields.Datetime.now() - timedelta(days=120))
        self.assertEqual(old.warranty_id, self.warranty)
        archive.invalidate_recordset()
        self.assertEqual((archive.breakdown_count, archive.health), (0, "good"))
        self._tickets(1)
        archive.invalidate_recordset()
        self.assertEqual((archive.breakdown_count, archive.health), (1, "watch"))
        self._tickets(2)
        archive.invalidate_recordset()
        self.assertEqual((archive.breakdown_count, archive.health), (3, "critical"))
        self.assertEqual(archive.ticket_count, 4)

    def test_ticket_named_on_the_archive(self):
        """A ticket reported at a follow-up names the archive without a unit:
        it is one of the system's breakdowns, as the timeline shows it."""
        archive = self._archive()
        followup_problem = self._create_ticket(partner_id=self.customer.id, archive_id=archive.id)
        self.assertFalse(followup_problem.warranty_id)
        archive.invalidate_recordset()
        self.assertEqual(
            (archive.ticket_count, archive.breakdown_count, archive.health), (1, 1, "watch")
        )
        timeline = self.env["aftersales.archive.timeline"].search([("archive_id", "=", archive.id)])
        self.assertIn(
            followup_problem.id, timeline.filtered(lambda r: r.kind == "ticket").mapped("res_id")
        )

    def test_overdue_maintenance(self):
        archive = self._archive(warranty_ids=[Command.set(self.warranty.ids)])
        plan = self.env["aftersales.maintenance.plan"].create(
            {"name": "Inspection", "warranty_id": self.warranty.id, "date_start": self.today}
        )
        plan._generate_visits(plan.next_date)
        ticket = plan.ticket_ids
        self.assertTrue(ticket)
        archive.invalidate_recordset()
        # A preventive visit is no breakdown, and not overdue before its day.
        self.assertEqual(archive.breakdown_count, 0)
        self.assertEqual((archive.overdue_maintenance_count, archive.health), (0, "good"))
        self.env.cr.execute(
            "UPDATE aftersales_ticket SET maintenance_due = %s WHERE id = %s",
            (fields.Date.today() - timedelta(days=1), ticket.id),
        )
        ticket.invalidate_recordset()
        archive.invalidate_recordset()
        self.assertEqual((archive.overdue_maintenance_count, archive.health), (1, "critical"))

    def test_untrained_new_operators(self):
        archive = self._archive()
        operator = self.env["res.partner"].create(
            {"name": "Nina New", "parent_id": self.customer.id}
        )
        self.env["aftersales.archive.entry"].create(
            {
                "archive_id": archive.id,
                "kind": "turnover",
                "movement": "join",
                "operator_id": operator.id,
                "date": fields.Date.today() - timedelta(days=10),
            }
        )
        self.assertEqual((archive.untrained_operator_count, archive.health), (1, "watch"))
        training = self.env["aftersales.training"].create(
            {
                "partner_id": self.customer.id,
                "archive_id": archive.id,
                "date": fields.Datetime.now() - timedelta(hours=1),
                "attendee_ids": [Command.create({"partner_id": operator.id, "skill_level": "2"})],
            }
        )
        archive.invalidate_recordset()
        self.assertEqual(archive.untrained_operator_count, 1, "planned is not trained")
        training.with_user(self.user_service).action_done()
        archive.invalidate_recordset()
        self.assertEqual((archive.untrained_operator_count, archive.health), (0, "good"))

    def test_health_of_many_in_few_queries(self):
        """P5: the indicator of 200 archives in a handful of grouped queries."""
        warranties = self.env["aftersales.warranty"].create(
            [
                {
                    "partner_id": self.customer.id,
                    "product_id": self.equipment.id,
                    "lot_id": self._create_serial(self.equipment, f"SN-P5-{i}").id,
                }
                for i in range(200)
            ]
        )
        archives = self.env["aftersales.archive"].create(
            [
                {"partner_id": self.customer.id, "warranty_ids": [Command.set(w.ids)]}
                for w in warranties
            ]
        )
        self._tickets(3)

        def compute():
            records = archives.browse(archives.ids)
            records.mapped("health")

        self.assertLessEqual(self._count(compute), 5)


@tagged("post_install", "-at_install")
class TestArchiveCompanies(ProactiveCommon):
    def test_company_isolation(self):
        """S2: company B's user neither reads nor finds company A's archive."""
        archive = self._archive()
        with self.assertRaises(AccessError):
            archive.with_user(self.user_b).read(["name"])
        self.assertFalse(
            self.env["aftersales.archive"].with_user(self.user_b).search([("id", "=", archive.id)])
        )
        b_archive = (
            self.env["aftersales.archive"]
            .with_user(self.user_b)
            .create({"partner_id": self.customer.id, "company_id": self.company_b.id})
        )
        both = self.env["aftersales.archive"].with_user(self.user_manager_mc)
        self.assertEqual(
            both.with_context(allowed_company_ids=[self.company.id]).search(
                [("id", "in", (archive | b_archive).ids)]
            ),
            archive,
        )

    def test_company_consistency(self):
        """S3: a company-A archive cannot be for a company-B customer."""
        customer_b = self._create_customer(name="B Customer", company_id=self.company_b.id)
        with self.assertRaises(UserError):
            self._archive(partner_id=customer_b.id)


@tagged("post_install", "-at_install")
class TestArchiveRpc(JsonRpcMixin, HttpCase):
    """D1: bad input over JSON-RPC gives a clean error and leaves no row."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.user = new_test_user(
            cls.env,
            login="as_rpc_archive",
            groups="aftersales_service.aftersales_service_group_user",
        )
        cls.customer = cls.env["res.partner"].create({"name": "RPC Customer", "is_company": True})
        cls.archive = cls.env["aftersales.archive"].create({"partner_id": cls.customer.id})

    @mute_logger("odoo.http", "odoo.sql_db")
    def test_bad_input(self):
        self.authenticate("as_rpc_archive", "as_rpc_archive")
        entry = {"archive_id": self.archive.id, "kind": "status", "running_status": "normal"}
        cases = [
            ("aftersales.archive", {"partner_id": self.customer.id, "no_such_field": 1}),
            ("aftersales.archive", {"partner_id": self.customer.id, "date_commissioning": "x"}),
            ("aftersales.archive.entry", {**entry, "kind": "gossip"}),
            ("aftersales.archive.entry", {**entry, "running_status": False}),
            ("aftersales.archive.entry", {**entry, "usage_hours": -3}),
            ("aftersales.archive.entry", {**entry, "usage_cycles": "many"}),
            ("aftersales.followup", {"agreement_id": 1, "date_due": "2026-01-01"}),
            (
                "aftersales.training",
                {"partner_id": self.customer.id, "date": "2026-01-01 10:00:00", "duration": -2},
            ),
        ]
        for model, vals in cases:
            before = self.env[model].search_count([])
            with self.subTest(model=model, vals=vals):
                error = self._refused(model, "create", vals)
                self.assertIn(
                    error,
                    (
                        "odoo.exceptions.ValidationError",
                        "odoo.exceptions.UserError",
                        "builtins.ValueError",
                        "builtins.TypeError",
                    ),
                )
                self.assertEqual(self.env[model].search_count([]), before)
        # Append-only over RPC too.
        entry_id = self._call("aftersales.archive.entry", "create", entry)
        error = self._refused("aftersales.archive.entry", "write", [entry_id], {"description": "x"})
        self.assertEqual(error, "odoo.exceptions.UserError")


@tagged("post_install", "-at_install")
class TestProactiveScreens(ProactiveCommon):
    """Each role opens the screens of proactive service as the client does
    (the form's fields, groups applied) without an access error."""

    def test_forms_open_for_each_role(self):
        agreement = self._active_agreement()
        archive = agreement.archive_ids
        self.env["aftersales.followup"]._cron_plan(date_ref=agreement.followup_next_date)
        plan = self.env["aftersales.maintenance.plan"].create(
            {"name": "Check", "agreement_id": agreement.id, "date_start": self.start}
        )
        ticket = plan._generate_visits(plan.next_date)
        training = self.env["aftersales.training"].create(
            {
                "partner_id": self.customer.id,
                "archive_id": archive.id,
                "date": fields.Datetime.now(),
            }
        )
        ticket.technician_id = self.user_technician
        records = {
            self.user_technician: [archive, plan, training, agreement, ticket],
            self.user_service: [archive, agreement.followup_ids, plan, training, agreement],
            self.user_manager: [archive, agreement.followup_ids, plan, training, ticket],
        }
        for user, todo in records.items():
            for record in todo:
                with self.subTest(user=user.login, model=record._name):
                    form = Form(record.with_user(user))
                    self.assertEqual(form.id, record.id)
        # List, kanban and calendar views load for the service team.
        for model in (
            "aftersales.archive",
            "aftersales.followup",
            "aftersales.maintenance.plan",
            "aftersales.training",
        ):
            with self.subTest(model=model):
                views = (
                    self.env[model]
                    .with_user(self.user_service)
                    .get_views([(False, "list"), (False, "kanban"), (False, "search")])
                )
                self.assertEqual(set(views["views"]), {"list", "kanban", "search"})
                self.env[model].with_user(self.user_service).web_search_read(
                    [], {"display_name": {}}, limit=80
                )
