"""Security of repair tickets and their SLA: company isolation (S2) and
consistency (S3), technicians' own work (S4), the RPC surface (S7), bad input
over JSON-RPC (D1), the fields only the buttons write, and what can never be
deleted (R7)."""

from datetime import date, datetime

from psycopg2 import IntegrityError

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tests.common import JsonRpcException
from odoo.tools import mute_logger

from .common import GROUP_TECHNICIAN, AftersalesCommon, JsonRpcMixin

STAGE = "aftersales_service.aftersales_ticket_stage_%s"
# Errors a client may get for bad input: a message, never a database error
# or a traceback of the server (same list as test_rpc.py).
CLEAN_ERRORS = (
    "odoo.exceptions.ValidationError",
    "odoo.exceptions.UserError",
    "builtins.ValueError",
)


class TicketSecurityCommon(AftersalesCommon):
    """Tickets of company A (one per technician, one unassigned) and of
    company B, each with its SLA targets."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.stage_new = cls.env.ref(STAGE % "new")
        cls.stage_progress = cls.env.ref(STAGE % "progress")
        cls.stage_closed = cls.env.ref(STAGE % "closed")
        cls.stage_cancelled = cls.env.ref(STAGE % "cancelled")
        cls.policy = cls._create_policy()
        cls.policy_b = cls._create_policy(name="Standard B", company_id=cls.company_b.id)
        cls.customer = cls._create_customer(name="Shared Customer")
        cls.ticket = cls._create_ticket(partner_id=cls.customer.id, title="Unassigned")
        cls.ticket_t1 = cls._create_ticket(
            partner_id=cls.customer.id,
            title="Tess's job",
            technician_id=cls.user_technician.id,
        )
        cls.ticket_t2 = cls._create_ticket(
            partner_id=cls.customer.id,
            title="Theo's job",
            technician_id=cls.user_technician_2.id,
        )
        # Created by company B's manager, in company B.
        cls.ticket_b = (
            cls.env["aftersales.ticket"]
            .with_user(cls.user_b)
            .create({"title": "B's job", "partner_id": cls.customer.id, "channel": "phone"})
            .with_env(cls.env)
        )

    def _wizard_close(self, user, tickets, mode="close", reason="Compressor replaced"):
        wizard = (
            self.env["aftersales.ticket.close"]
            .with_user(user)
            .create({"ticket_ids": [Command.set(tickets.ids)], "mode": mode, "reason": reason})
        )
        return wizard.action_confirm()


@tagged("post_install", "-at_install")
class TestTicketSecurity(TicketSecurityCommon):
    # ------------------------------------------------------------------
    # S2 Company isolation
    # ------------------------------------------------------------------
    def test_fixture(self):
        """The records the isolation tests rely on exist as intended."""
        self.assertEqual(self.ticket_b.company_id, self.company_b)
        self.assertEqual(self.ticket.company_id, self.company)
        self.assertEqual(self.ticket_b.sla_ids.policy_id, self.policy_b)
        self.assertEqual(self.ticket.sla_ids.policy_id, self.policy)
        self.assertEqual(self.ticket.stage_id, self.stage_new)

    def test_company_isolation(self):
        """S2: company A's manager neither finds nor reads company B's ticket,
        SLA targets or SLA policy."""
        records_b = {
            "aftersales.ticket": self.ticket_b,
            "aftersales.ticket.sla": self.ticket_b.sla_ids,
            "aftersales.sla.policy": self.policy_b,
        }
        records_a = {
            "aftersales.ticket": self.ticket,
            "aftersales.ticket.sla": self.ticket.sla_ids,
            "aftersales.sla.policy": self.policy,
        }
        for model, record_b in records_b.items():
            Model = self.env[model].with_user(self.user_manager)
            with self.subTest(model=model):
                self.assertTrue(record_b)
                self.assertFalse(Model.search([("id", "in", record_b.ids)]))
                self.assertFalse(Model.search([("company_id", "=", self.company_b.id)]))
                self.assertEqual(Model.search_count([("id", "in", record_b.ids)]), 0)
                with self.assertRaises(AccessError):
                    Model.browse(record_b.ids).read(["company_id"])
                # Its own company's records stay readable.
                own = Model.browse(records_a[model].ids)
                self.assertEqual(Model.search([("id", "in", own.ids)]), own)
                own.read(["company_id"])
        # Nor through the ticket's name search (the many2one dropdowns).
        Ticket = self.env["aftersales.ticket"].with_user(self.user_manager)
        self.assertNotIn(self.ticket_b.id, [i for i, _n in Ticket.name_search(self.ticket_b.name)])

    def test_company_selection(self):
        """S2: with both companies allowed but only A selected, only A's
        records are visible; selecting both shows both."""
        pairs = {
            "aftersales.ticket": (self.ticket, self.ticket_b),
            "aftersales.ticket.sla": (self.ticket.sla_ids, self.ticket_b.sla_ids),
            "aftersales.sla.policy": (self.policy, self.policy_b),
        }
        user = self.user_manager_mc
        for model, (record_a, record_b) in pairs.items():
            ids = (record_a | record_b).ids
            with self.subTest(model=model):
                only_a = (
                    self.env[model]
                    .with_user(user)
                    .with_context(allowed_company_ids=[self.company.id])
                )
                self.assertEqual(only_a.search([("id", "in", ids)]).ids, record_a.ids)
                with self.assertRaises(AccessError):
                    only_a.browse(record_b.ids).read(["company_id"])
                both = (
                    self.env[model]
                    .with_user(user)
                    .with_context(allowed_company_ids=[self.company.id, self.company_b.id])
                )
                self.assertEqual(set(both.search([("id", "in", ids)]).ids), set(ids))
                both.browse(record_b.ids).read(["company_id"])

    # ------------------------------------------------------------------
    # S3 Company consistency
    # ------------------------------------------------------------------
    def test_ticket_company_consistency(self):
        """S3: a company-A ticket refuses the partner, product, serial,
        component, technician, supervisor or receptionist of company B."""
        partner_b = self._create_customer(name="B Customer", company_id=self.company_b.id)
        product_b = self._create_product(name="B Unit", company_id=self.company_b.id)
        shared = self._create_product(name="Shared Unit")
        lot_b = self._create_serial(shared, "SN-B-1", company_id=self.company_b.id)
        self.assertEqual(lot_b.company_id, self.company_b)
        tech_b = new_test_user(
            self.env,
            login="as_tech_b",
            groups=GROUP_TECHNICIAN,
            company_id=self.company_b.id,
            company_ids=[Command.set(self.company_b.ids)],
        )
        # The multi-company manager can read both companies: the only thing
        # in the way is the consistency check.
        Ticket = (
            self.env["aftersales.ticket"]
            .with_user(self.user_manager_mc)
            .with_context(allowed_company_ids=[self.company.id, self.company_b.id])
        )
        base = {
            "title": "Mixed companies",
            "partner_id": self.customer.id,
            "company_id": self.company.id,
        }
        cases = {
            "partner": {"partner_id": partner_b.id},
            "product": {"product_id": product_b.id},
            "serial": {"product_id": shared.id, "lot_id": lot_b.id},
            "component": {"product_id": shared.id, "component_id": product_b.id},
            "technician": {"technician_id": tech_b.id},
            "supervisor": {"user_id": self.user_b.id},
            "receptionist": {"reception_user_id": self.user_b.id},
        }
        before = Ticket.search_count([])
        for case, vals in cases.items():
            with self.subTest(case=case, on="create"), self.assertRaises(UserError):
                Ticket.create({**base, **vals})
            with self.subTest(case=case, on="write"), self.assertRaises(UserError):
                Ticket.browse(self.ticket.id).write(vals)
        self.assertEqual(Ticket.search_count([]), before)
        # The same links within company A are accepted.
        Ticket.create({**base, "product_id": shared.id, "technician_id": self.user_technician.id})

    def test_policy_company_consistency(self):
        """S3: a company-A SLA policy refuses the calendar, escalation user
        or agreement of company B."""
        calendar_b = self.env["resource.calendar"].create(
            {"name": "B Hours", "company_id": self.company_b.id}
        )
        agreement_b = self.env["aftersales.agreement"].create(
            {
                "partner_id": self.customer.id,
                "company_id": self.company_b.id,
                "date_start": date(2024, 1, 1),
                "date_end": date(2024, 12, 31),
            }
        )
        for field, value in (
            ("calendar_id", calendar_b.id),
            ("escalation_user_id", self.user_b.id),
            ("agreement_id", agreement_b.id),
        ):
            with self.subTest(field=field, on="create"), self.assertRaises(UserError):
                self._create_policy(name="Mixed", company_id=self.company.id, **{field: value})
            with self.subTest(field=field, on="write"), self.assertRaises(UserError):
                self.policy.write({field: value})
        self.assertFalse(self.env["aftersales.sla.policy"].search([("name", "=", "Mixed")]))
        # Company A's own calendar is accepted.
        self._create_policy(name="Own hours", calendar_id=self.calendar.id)

    # ------------------------------------------------------------------
    # S4 Technicians see their own work
    # ------------------------------------------------------------------
    def test_technician_reads_own_tickets_only(self):
        """S4: T1 finds and reads (every field) the tickets assigned to T1,
        and neither finds nor reads T2's or unassigned ones, nor their SLA."""
        Ticket = self.env["aftersales.ticket"].with_user(self.user_technician)
        all_ids = (self.ticket | self.ticket_t1 | self.ticket_t2 | self.ticket_b).ids
        self.assertEqual(Ticket.search([("id", "in", all_ids)]), self.ticket_t1)
        self.assertEqual(Ticket.search_count([]), 1)
        # The form of their own ticket opens: every field is readable.
        own = Ticket.browse(self.ticket_t1.id)
        own.read()
        self.assertEqual(own.sla_ids, self.ticket_t1.sla_ids)
        self.assertTrue(own.sla_ids)
        for other in (self.ticket_t2, self.ticket, self.ticket_b):
            with self.subTest(ticket=other.title), self.assertRaises(AccessError):
                Ticket.browse(other.id).read(["title"])
        Sla = self.env["aftersales.ticket.sla"].with_user(self.user_technician)
        sla_ids = (self.ticket_t1 | self.ticket_t2 | self.ticket).sla_ids.ids
        self.assertEqual(Sla.search([("id", "in", sla_ids)]), self.ticket_t1.sla_ids)
        with self.assertRaises(AccessError):
            Sla.browse(self.ticket_t2.sla_ids.ids).read(["deadline"])
        # T2 sees their own, not T1's.
        Ticket2 = self.env["aftersales.ticket"].with_user(self.user_technician_2)
        self.assertEqual(Ticket2.search([("id", "in", all_ids)]), self.ticket_t2)

    def test_technician_cannot_write_create_or_delete(self):
        """S4: a technician cannot reassign work, edit, create or delete a
        ticket, even their own."""
        own = self.ticket_t1.with_user(self.user_technician)
        for vals in (
            {"technician_id": self.user_technician_2.id},
            {"technician_id": False},
            {"title": "Edited"},
            {"priority": "3"},
        ):
            with self.subTest(vals=vals), self.assertRaises(AccessError):
                own.write(vals)
        with self.assertRaises(AccessError):
            self.ticket_t2.with_user(self.user_technician).write(
                {"technician_id": self.user_technician.id}
            )
        with self.assertRaises(AccessError):
            self.env["aftersales.ticket"].with_user(self.user_technician).create(
                {"title": "Mine", "partner_id": self.customer.id}
            )
        with self.assertRaises(AccessError):
            own.unlink()
        self.assertEqual(self.ticket_t1.technician_id, self.user_technician)
        self.assertEqual(self.ticket_t2.technician_id, self.user_technician_2)
        self.assertEqual(self.ticket_t1.title, "Tess's job")

    def test_technician_cannot_use_supervisor_actions(self):
        """S4: on their own ticket, a technician cannot triage, close,
        cancel, reopen or set the category, directly or through a wizard."""
        own = self.ticket_t1.with_user(self.user_technician)
        for action in (
            own.action_triage,
            own.action_open_close_wizard,
            own.action_open_cancel_wizard,
            own.action_open_category_wizard,
            own.action_reopen,
            lambda: own._action_close("Done"),
            lambda: own._action_cancel("No"),
            lambda: own._action_set_category("free", "Goodwill"),
        ):
            with self.subTest(action=action), self.assertRaises(AccessError):
                action()
        for model, vals in (
            (
                "aftersales.ticket.close",
                {"ticket_ids": [Command.set(own.ids)], "mode": "close", "reason": "Done"},
            ),
            ("aftersales.ticket.category", {"ticket_id": own.id, "category": "free"}),
        ):
            with self.subTest(model=model), self.assertRaises(AccessError):
                self.env[model].with_user(self.user_technician).create(vals)
        self.assertEqual(self.ticket_t1.stage_id, self.stage_new)
        self.assertFalse(self.ticket_t1.date_closed)
        self.assertFalse(self.ticket_t1.category_override)

    def test_service_user_cannot_triage_or_set_category(self):
        """Triage and the category override are the supervisor's; a service
        user closes through the wizard."""
        ticket = self.ticket.with_user(self.user_service)
        for action in (ticket.action_triage, ticket.action_open_category_wizard):
            with self.subTest(action=action), self.assertRaises(AccessError):
                action()
        with self.assertRaises(AccessError):
            ticket._action_set_category("free", "Goodwill")
        self.assertEqual(self.ticket.stage_id, self.stage_new)
        self.assertFalse(self.ticket.category_override)
        self._wizard_close(self.user_service, self.ticket)
        self.assertEqual(self.ticket.stage_id, self.stage_closed)
        self.assertEqual(self.ticket.close_reason, "Compressor replaced")

    # ------------------------------------------------------------------
    # Fields written only by the module's actions
    # ------------------------------------------------------------------
    def test_protected_fields(self):
        """Closing data, triage data and the category override are written
        by the buttons only: a direct write or create is refused, whoever
        makes it."""
        protected = {
            "close_reason": "Closed by hand",
            "date_closed": datetime(2024, 6, 3, 10, 0),
            "category_override": "free",
            "category_override_reason": "Because",
            "date_triaged": datetime(2024, 6, 3, 10, 0),
            "triaged_by_id": self.user_manager.id,
            "date_onsite": datetime(2024, 6, 3, 10, 0),
            "training_tag_ids": [Command.set([])],
        }
        for user in (self.user_service, self.user_manager):
            ticket = self.ticket.with_user(user)
            for field, value in protected.items():
                with (
                    self.subTest(user=user.login, field=field, on="write"),
                    self.assertRaises(UserError),
                ):
                    ticket.write({field: value})
                with (
                    self.subTest(user=user.login, field=field, on="create"),
                    self.assertRaises(UserError),
                ):
                    self.env["aftersales.ticket"].with_user(user).create(
                        {"title": "x", "partner_id": self.customer.id, field: value}
                    )
        # A context key sent by a client does not unlock them.
        forged = self.ticket.with_user(self.user_manager).with_context(aftersales_internal=True)
        with self.assertRaises(UserError):
            forged.write({"close_reason": "Forged"})
        self.assertFalse(self.ticket.close_reason)
        self.assertFalse(self.ticket.category_override)
        self.assertFalse(self.ticket.date_triaged)

    def test_closed_stages_only_through_buttons(self):
        """Closed and Cancelled are entered and left through the buttons
        (which record the reason), even by a manager."""
        for user in (self.user_service, self.user_manager):
            for stage in (self.stage_closed, self.stage_cancelled):
                with self.subTest(user=user.login, stage=stage.name):
                    with self.assertRaises(UserError):
                        self.ticket.with_user(user).write({"stage_id": stage.id})
                    with self.assertRaises(UserError):
                        self.env["aftersales.ticket"].with_user(user).create(
                            {"title": "x", "partner_id": self.customer.id, "stage_id": stage.id}
                        )
        self.assertEqual(self.ticket.stage_id, self.stage_new)
        # A closed ticket does not leave Closed by a stage write either.
        self._wizard_close(self.user_manager, self.ticket)
        for stage in (self.stage_new, self.stage_progress, self.stage_cancelled):
            with self.subTest(leave_closed_to=stage.name), self.assertRaises(UserError):
                self.ticket.with_user(self.user_manager).write({"stage_id": stage.id})
        self.assertEqual(self.ticket.stage_id, self.stage_closed)

    def test_triage_is_the_supervisors(self):
        """Leaving New is the triage: refused to a service user, allowed to
        a manager, and it reaches the response target."""
        with self.assertRaises(AccessError):
            self.ticket.with_user(self.user_service).write({"stage_id": self.stage_progress.id})
        self.assertEqual(self.ticket.stage_id, self.stage_new)
        self.assertFalse(self.ticket.date_triaged)
        self.ticket.with_user(self.user_manager).write({"stage_id": self.stage_progress.id})
        self.assertEqual(self.ticket.stage_id, self.stage_progress)
        self.assertTrue(self.ticket.date_triaged)
        self.assertEqual(self.ticket.triaged_by_id, self.user_manager)
        response = self.ticket.sla_ids.filtered(lambda line: line.target == "response")
        self.assertEqual(response.state, "reached")
        # Once triaged, the service user moves it between working stages.
        waiting = self.env.ref(STAGE % "wait_parts")
        self.ticket.with_user(self.user_service).write({"stage_id": waiting.id})
        self.assertEqual(self.ticket.stage_id, waiting)

    def test_service_user_cannot_create_past_triage(self):
        """A service user cannot skip triage by creating a ticket directly
        in a working stage."""
        Ticket = self.env["aftersales.ticket"].with_user(self.user_service)
        with self.assertRaises(UserError):  # AccessError is a UserError
            Ticket.create(
                {
                    "title": "Straight to work",
                    "partner_id": self.customer.id,
                    "stage_id": self.stage_progress.id,
                }
            )

    def test_stage_of_another_company(self):
        """A company-A ticket cannot be put in a stage of company B."""
        stage_b = self.env["aftersales.ticket.stage"].create(
            {"name": "B Workshop", "kind": "progress", "company_id": self.company_b.id}
        )
        Ticket = self.env["aftersales.ticket"].with_user(self.user_manager_mc)
        with self.assertRaises(UserError):
            Ticket.browse(self.ticket.id).write({"stage_id": stage_b.id})
        self.assertEqual(self.ticket.stage_id, self.stage_new)
        with self.assertRaises(UserError):
            Ticket.create(
                {
                    "title": "In B's stage",
                    "partner_id": self.customer.id,
                    "company_id": self.company.id,
                    "stage_id": stage_b.id,
                }
            )

    def test_sla_targets_not_writable_through_ticket(self):
        """The SLA targets are the module's: a service user cannot edit,
        add or remove them through the ticket's one2many."""
        line = self.ticket.sla_ids[:1]
        deadline = line.deadline
        ticket = self.ticket.with_user(self.user_service)
        for commands in (
            [Command.update(line.id, {"deadline": datetime(2099, 1, 1)})],
            [Command.create({"target": "onsite", "hours": 999})],
            [Command.unlink(line.id)],
            [Command.clear()],
        ):
            with self.subTest(commands=commands), self.assertRaises(AccessError):
                ticket.write({"sla_ids": commands})
        self.assertEqual(line.deadline, deadline)
        self.assertEqual(len(self.ticket.sla_ids), 3)

    # ------------------------------------------------------------------
    # R7 Nothing lost
    # ------------------------------------------------------------------
    def test_records_used_by_tickets_not_deleted(self):
        """R7: the customer, product, serial (and its product) of a ticket,
        archived or not, cannot be deleted."""
        customer = self._create_customer(name="Keep Me")
        product = self._create_product(name="Kept Unit")
        other = self._create_product(name="Kept Model")
        lot = self._create_serial(product, "SN-KEEP")
        ticket = self._create_ticket(partner_id=customer.id, product_id=product.id, lot_id=lot.id)
        model_only = self._create_ticket(partner_id=customer.id, product_id=other.id)
        model_only._action_cancel("Entered twice")
        model_only.action_archive()
        for record in (customer, lot, product, other, other.product_tmpl_id):
            # The foreign key refuses it (IntegrityError), or an ondelete
            # check of the module does first (UserError).
            with (
                self.subTest(record=record),
                mute_logger("odoo.sql_db"),
                self.assertRaises(Exception) as caught,
            ):
                record.unlink()
            self.assertIsInstance(caught.exception, (IntegrityError, UserError))
            self.assertTrue(record.exists())
        self.assertEqual(ticket.lot_id, lot)
        self.assertEqual(model_only.with_context(active_test=False).product_id, other)

    def test_only_cancelled_tickets_deleted(self):
        """R7: a manager cannot delete an open or closed ticket (archive
        it); a cancelled one can be; a service user deletes none."""
        closed = self._create_ticket(partner_id=self.customer.id, title="Closed")
        self._wizard_close(self.user_manager, closed)
        for ticket in (self.ticket, closed):
            with self.subTest(ticket=ticket.title), self.assertRaises(UserError):
                ticket.with_user(self.user_manager).unlink()
            self.assertTrue(ticket.exists())
        self._wizard_close(self.user_service, self.ticket, mode="cancel", reason="Duplicate")
        self.assertEqual(self.ticket.stage_id, self.stage_cancelled)
        with self.assertRaises(AccessError):
            self.ticket.with_user(self.user_service).unlink()
        lines = self.ticket.sla_ids
        self.ticket.with_user(self.user_manager).unlink()
        self.assertFalse(self.ticket.exists())
        self.assertFalse(lines.exists())


class AftersalesRpcCase(TicketSecurityCommon, JsonRpcMixin, HttpCase):
    """JSON-RPC calls on the tickets of TicketSecurityCommon."""


@tagged("post_install", "-at_install")
class TestTicketRpc(AftersalesRpcCase):
    """S7: what a client can call over RPC."""

    def _state(self, ticket):
        self.env.invalidate_all()
        return ticket.read(
            [
                "stage_id",
                "date_closed",
                "close_reason",
                "date_triaged",
                "category_override",
                "message_ids",
            ]
        )[0]

    @mute_logger("odoo.http")
    def test_private_methods_refused(self):
        """S7: private methods are refused over RPC, even to a manager, and
        change nothing."""
        self.authenticate("as_manager", "as_manager")
        ticket_id = self.ticket.id
        before = self._state(self.ticket)
        line = self.ticket.sla_ids[:1]
        line.write({"deadline": datetime(2020, 1, 1)})  # overdue: something to escalate
        self.env.flush_all()
        calls = [
            ("aftersales.ticket", "_action_close", [ticket_id], "Closed over RPC"),
            ("aftersales.ticket", "_action_cancel", [ticket_id], "Cancelled over RPC"),
            ("aftersales.ticket", "_action_set_category", [ticket_id], "free", "Goodwill"),
            ("aftersales.ticket", "_sla_apply", [ticket_id], "2024-01-01 00:00:00"),
            ("aftersales.ticket", "_propose_training", [ticket_id], False, 3, 30),
            ("aftersales.ticket", "_check_recurring_faults", [ticket_id]),
            ("aftersales.ticket.sla", "_cron_escalate"),
            ("aftersales.ticket.sla", "_escalate", line.ids),
            ("aftersales.ticket.sla", "_reach", line.ids, "2024-01-01 00:00:00"),
        ]
        for model, method, *args in calls:
            with self.subTest(method=method):
                self.assertEqual(self._refused(model, method, *args), "odoo.exceptions.AccessError")
        self.assertEqual(self._state(self.ticket), before)
        self.assertEqual(line.state, "running")
        self.assertFalse(line.escalated)

    @mute_logger("odoo.http")
    def test_triage_needs_a_supervisor(self):
        """S7: action_triage called by a service user is refused and changes
        nothing; the manager's call triages."""
        self.authenticate("as_user", "as_user")
        before = self._state(self.ticket)
        self.assertEqual(
            self._refused("aftersales.ticket", "action_triage", [self.ticket.id]),
            "odoo.exceptions.AccessError",
        )
        self.assertEqual(self._state(self.ticket), before)
        self.authenticate("as_manager", "as_manager")
        self.assertTrue(self._call("aftersales.ticket", "action_triage", [self.ticket.id]))
        self.env.invalidate_all()
        self.assertEqual(self.ticket.stage_id, self.stage_progress)
        # Twice is refused: the action checks the state itself.
        self.assertEqual(
            self._refused("aftersales.ticket", "action_triage", [self.ticket.id]),
            "odoo.exceptions.UserError",
        )

    @mute_logger("odoo.http")
    def test_reopen_open_ticket(self):
        """S7: action_reopen on an open ticket is refused and changes
        nothing (no stage, date or message)."""
        self.authenticate("as_user", "as_user")
        before = self._state(self.ticket)
        self.assertEqual(
            self._refused("aftersales.ticket", "action_reopen", [self.ticket.id]),
            "odoo.exceptions.UserError",
        )
        self.assertEqual(self._state(self.ticket), before)

    @mute_logger("odoo.http")
    def test_actions_on_another_companys_ticket(self):
        """S7: public actions called with company B's ticket id by a
        company-A user are refused."""
        self.authenticate("as_manager", "as_manager")
        before = self._state(self.ticket_b)
        for method in (
            "action_triage",
            "action_open_close_wizard",
            "action_open_cancel_wizard",
            "action_mark_onsite",
            "action_reopen",
        ):
            with self.subTest(method=method):
                self.assertEqual(
                    self._refused("aftersales.ticket", method, [self.ticket_b.id]),
                    "odoo.exceptions.AccessError",
                )
        self.assertEqual(self._state(self.ticket_b), before)

    @mute_logger("odoo.http")
    def test_technician_over_rpc(self):
        """S4/S7: over RPC a technician reads their ticket, not T2's, and
        cannot reassign it."""
        self.authenticate("as_tech1", "as_tech1")
        found = self._call(
            "aftersales.ticket",
            "search_read",
            [("id", "in", (self.ticket_t1 | self.ticket_t2).ids)],
            fields=["title"],
        )
        self.assertEqual([r["id"] for r in found], self.ticket_t1.ids)
        self.assertEqual(
            self._refused("aftersales.ticket", "read", [self.ticket_t2.id], ["title"]),
            "odoo.exceptions.AccessError",
        )
        self.assertEqual(
            self._refused(
                "aftersales.ticket",
                "write",
                [self.ticket_t1.id],
                {"technician_id": self.user_technician_2.id},
            ),
            "odoo.exceptions.AccessError",
        )
        # Nor post on T2's ticket; on their own, they may (read access).
        self.assertEqual(
            self._refused("aftersales.ticket", "message_post", [self.ticket_t2.id], body="Hello"),
            "odoo.exceptions.AccessError",
        )
        self.assertTrue(
            self._call("aftersales.ticket", "message_post", [self.ticket_t1.id], body="On my way")
        )
        self.env.invalidate_all()
        self.assertEqual(self.ticket_t1.technician_id, self.user_technician)
        self.assertFalse(self.ticket_t2.message_ids.filtered(lambda m: "Hello" in str(m.body)))

    @mute_logger("odoo.http")
    def test_wizards_with_another_companys_ticket(self):
        """S7: the close and category wizards, created over RPC with company
        B's ticket by company A's manager, change nothing. (The close wizard
        does not see the ticket, its record rules hide it: it closes none.)"""
        self.authenticate("as_manager", "as_manager")
        before = self._state(self.ticket_b)
        for mode in ("close", "cancel"):
            with self.subTest(mode=mode):
                try:
                    wizard_id = self._call(
                        "aftersales.ticket.close",
                        "create",
                        {
                            "ticket_ids": [Command.set(self.ticket_b.ids)],
                            "mode": mode,
                            "reason": "Not mine",
                        },
                    )
                    self._call("aftersales.ticket.close", "action_confirm", [wizard_id])
                except JsonRpcException as e:
                    self.assertEqual(str(e), "odoo.exceptions.AccessError")
                self.assertEqual(self._state(self.ticket_b), before)
        with self.assertRaises(JsonRpcException) as caught:
            wizard_id = self._call(
                "aftersales.ticket.category",
                "create",
                {"ticket_id": self.ticket_b.id, "category": "free", "reason": "Not mine"},
            )
            self._call("aftersales.ticket.category", "action_confirm", [wizard_id])
        self.assertEqual(str(caught.exception), "odoo.exceptions.AccessError")
        self.assertEqual(self._state(self.ticket_b), before)

    @mute_logger("odoo.http")
    def test_internal_marker_cannot_be_forged(self):
        """The module's own writes are marked by an object in the context,
        which JSON cannot carry: sending the key unlocks nothing."""
        self.authenticate("as_manager", "as_manager")
        before = self._state(self.ticket)
        for vals in (
            {"close_reason": "Forged"},
            {"stage_id": self.stage_closed.id},
            {"category_override": "free"},
        ):
            with self.subTest(vals=vals):
                self.assertEqual(
                    self._refused(
                        "aftersales.ticket",
                        "write",
                        [self.ticket.id],
                        vals,
                        context={"aftersales_internal": True},
                    ),
                    "odoo.exceptions.UserError",
                )
        self.assertEqual(self._state(self.ticket), before)


@tagged("post_install", "-at_install")
class TestTicketRpcBadInput(AftersalesRpcCase):
    """D1: bad input over JSON-RPC gives a clean error and leaves no row."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # A receptionist as Odoo creates one (its default user template
        # grants Contact Creation): intakes from a new caller create the
        # customer, which must not survive a refused create either.
        cls.user_service.groups_id = [Command.link(cls.env.ref("base.group_partner_manager").id)]

    def _counts(self):
        self.env.invalidate_all()
        return {
            model: self.env[model].with_context(active_test=False).search_count([])
            for model in (
                "aftersales.ticket",
                "aftersales.ticket.sla",
                "aftersales.sla.policy",
                "res.partner",
            )
        }

    def _assert_clean(self, model, method, *args):
        before = self._counts()
        self.assertIn(self._refused(model, method, *args), CLEAN_ERRORS)
        self.assertEqual(self._counts(), before)

    @mute_logger("odoo.http", "odoo.sql_db")
    def test_bad_ticket_create(self):
        self.authenticate("as_user", "as_user")
        ticket = {"title": "Over RPC", "partner_id": self.customer.id, "channel": "phone"}
        # A new customer from the contact details: none is left behind either.
        contact = {
            "title": "Over RPC",
            "contact_name": "New Caller",
            "partner_phone": "0471 12 34 56",
        }
        cases = [
            {**ticket, "no_such_field": 1},
            {**ticket, "priority": 7},
            {**ticket, "priority": "7"},
            {**ticket, "channel": "fax"},
            {**ticket, "partner_email": "not an email"},
            {**contact, "partner_email": "not an email"},
            {**contact, "channel": "fax"},
            {**ticket, "date_received": "yesterday"},
            {**ticket, "date_received": "2024-02-30 10:00:00"},
            {**ticket, "fault_cause": "gremlins"},
            {**ticket, "title": False},
            {"title": "Nobody", "channel": "phone"},
        ]
        for vals in cases:
            with self.subTest(vals=vals):
                self._assert_clean("aftersales.ticket", "create", vals)
        # A valid call works (and starts the SLA clock).
        before = self._counts()
        self.assertTrue(self._call("aftersales.ticket", "create", ticket))
        after = self._counts()
        self.assertEqual(after["aftersales.ticket"], before["aftersales.ticket"] + 1)
        self.assertEqual(after["aftersales.ticket.sla"], before["aftersales.ticket.sla"] + 3)

    @mute_logger("odoo.http", "odoo.sql_db")
    def test_bad_ticket_write(self):
        self.authenticate("as_user", "as_user")
        fields = ["partner_email", "date_received", "channel", "priority", "title"]
        before = self.ticket.read(fields)
        for vals in (
            {"no_such_field": 1},
            {"partner_email": "not an email"},
            {"date_received": "yesterday"},
            {"channel": "fax"},
            {"priority": 7},
            {"title": False},
        ):
            with self.subTest(vals=vals):
                self._assert_clean("aftersales.ticket", "write", [self.ticket.id], vals)
        self.env.invalidate_all()
        self.assertEqual(self.ticket.read(fields), before)

    @mute_logger("odoo.http", "odoo.sql_db")
    def test_bad_policy_create(self):
        self.authenticate("as_manager", "as_manager")
        policy = {"name": "RPC", "response_hours": 2, "onsite_hours": 8, "resolution_hours": 16}
        for vals in (
            {**policy, "response_hours": -1},
            {**policy, "onsite_hours": -0.5},
            {**policy, "resolution_hours": -16},
            {**policy, "response_hours": 0, "onsite_hours": 0, "resolution_hours": 0},
            {**policy, "response_hours": "two"},
            {**policy, "priority": "9"},
            {**policy, "service_category": "gratis"},
            {**policy, "no_such_field": 1},
        ):
            with self.subTest(vals=vals):
                self._assert_clean("aftersales.sla.policy", "create", vals)
        with self.subTest(on="write"):
            self._assert_clean(
                "aftersales.sla.policy", "write", [self.policy.id], {"response_hours": -1}
            )
        self.env.invalidate_all()
        self.assertEqual(self.policy.response_hours, 2)
        self.assertTrue(self._call("aftersales.sla.policy", "create", policy))
