"""Security of dispatch orders: company isolation (S2) and consistency (S3),
technicians' own work (S4), the RPC surface (S7), bad input over JSON-RPC
(D1) and through the form (D2), and what can never be deleted (R7)."""

from datetime import timedelta

from psycopg2 import IntegrityError

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, HttpCase, new_test_user, tagged
from odoo.tools import mute_logger

from .common import GROUP_TECHNICIAN, SIGNATURE_PNG, AftersalesCommon, JsonRpcMixin

# Errors a client may get for bad input: a message, never a database error
# or a traceback of the server (same list as test_rpc.py).
CLEAN_ERRORS = (
    "odoo.exceptions.ValidationError",
    "odoo.exceptions.UserError",
    "builtins.ValueError",
)
ACCESS_ERROR = "odoo.exceptions.AccessError"
USER_ERROR = "odoo.exceptions.UserError"


class DispatchSecurityCommon(AftersalesCommon):
    """Scheduled dispatches of company A for each technician (with a kit
    item and a part), one where T1 only helps T3, and one of company B."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tech_3 = new_test_user(
            cls.env, login="as_tech3", groups=GROUP_TECHNICIAN, name="Tom Third"
        )
        cls.tech_b = new_test_user(
            cls.env,
            login="as_tech_b",
            groups=GROUP_TECHNICIAN,
            name="Ben B Technician",
            company_id=cls.company_b.id,
            company_ids=[Command.set(cls.company_b.ids)],
        )
        cls.customer = cls._create_customer(
            name="Cold Storage Ltd", street="Rue Haute 1", zip="1000", city="Brussels"
        )
        cls.part_product = cls._create_product(name="Fan motor", tracking="none")
        tomorrow = fields.Datetime.now().replace(
            hour=9, minute=0, second=0, microsecond=0
        ) + timedelta(days=1)
        cls.ticket_t1 = cls._create_ticket(partner_id=cls.customer.id, title="Tess's visit")
        cls.ticket_t2 = cls._create_ticket(partner_id=cls.customer.id, title="Theo's visit")
        cls.ticket_help = cls._create_ticket(partner_id=cls.customer.id, title="Tom's visit")
        cls.dispatch_t1 = cls._create_dispatch(cls.ticket_t1, schedule=True, date_start=tomorrow)
        cls.dispatch_t2 = cls._create_dispatch(
            cls.ticket_t2,
            schedule=True,
            technician_id=cls.user_technician_2.id,
            date_start=tomorrow + timedelta(days=1),
        )
        # T1 helps T3 (T2 helps nobody).
        cls.dispatch_help = cls._create_dispatch(
            cls.ticket_help,
            schedule=True,
            technician_id=cls.tech_3.id,
            helper_ids=[Command.set(cls.user_technician.ids)],
            date_start=tomorrow + timedelta(days=2),
        )
        for dispatch in (cls.dispatch_t1, cls.dispatch_t2):
            dispatch.write(
                {
                    "kit_line_ids": [Command.create({"kind": "tool", "name": "Ladder"})],
                    "part_ids": [Command.create({"product_id": cls.part_product.id})],
                }
            )
        # Company B's ticket (created by its manager) and dispatch.
        cls.ticket_b = (
            cls.env["aftersales.ticket"]
            .with_user(cls.user_b)
            .create({"title": "B's job", "partner_id": cls.customer.id, "channel": "phone"})
            .with_env(cls.env)
        )
        cls.dispatch_b = cls._create_dispatch(
            cls.ticket_b,
            technician_id=cls.tech_b.id,
            user_id=cls.user_b.id,
            date_start=tomorrow,
            kit_line_ids=[Command.create({"kind": "tool", "name": "B's ladder"})],
        )

    def _snapshot(self, dispatch):
        self.env.invalidate_all()
        return dispatch.read(
            [
                "state",
                "technician_id",
                "helper_ids",
                "user_id",
                "date_start",
                "date_end",
                "date_arrived",
                "date_finished",
                "quality_score",
                "review_note",
                "kit_picking_id",
            ]
        )[0]


@tagged("post_install", "-at_install")
class TestDispatchSecurity(DispatchSecurityCommon):
    def test_fixture(self):
        """The records the isolation tests rely on exist as intended."""
        self.assertEqual(self.dispatch_t1.company_id, self.company)
        self.assertEqual(self.dispatch_b.company_id, self.company_b)
        self.assertEqual(self.dispatch_b.kit_line_ids.company_id, self.company_b)
        self.assertEqual(self.dispatch_t1.state, "scheduled")
        self.assertEqual(self.dispatch_t2.technician_id, self.user_technician_2)
        self.assertEqual(self.dispatch_help.helper_ids, self.user_technician)
        self.assertTrue(self.dispatch_t2.kit_line_ids)
        self.assertTrue(self.dispatch_t2.part_ids)

    # ------------------------------------------------------------------
    # S2 Company isolation
    # ------------------------------------------------------------------
    def test_company_isolation(self):
        """S2: company B's manager neither finds nor reads company A's
        dispatch, kit or parts; company A's manager neither B's."""
        cases = [
            (self.user_b, self.dispatch_t1, self.dispatch_b),
            (self.user_manager, self.dispatch_b, self.dispatch_t1),
        ]
        for user, other, own in cases:
            records = {
                "aftersales.dispatch": (other, own),
                "aftersales.dispatch.kit": (other.kit_line_ids, own.kit_line_ids),
            }
            if other.part_ids:
                records["aftersales.dispatch.part"] = (other.part_ids, own.part_ids)
            for model, (record, own_record) in records.items():
                Model = self.env[model].with_user(user)
                with self.subTest(user=user.login, model=model):
                    self.assertTrue(record)
                    self.assertFalse(Model.search([("id", "in", record.ids)]))
                    self.assertEqual(Model.search_count([("id", "in", record.ids)]), 0)
                    self.assertFalse(Model.search([("company_id", "=", other.company_id.id)]))
                    with self.assertRaises(AccessError):
                        Model.browse(record.ids).read(["company_id"])
                    # Its own company's records stay readable.
                    self.assertEqual(Model.search([("id", "in", own_record.ids)]), own_record)
                    Model.browse(own_record.ids).read(["company_id"])
        # Nor through the name search (the many2one dropdowns).
        Dispatch = self.env["aftersales.dispatch"].with_user(self.user_b)
        self.assertNotIn(
            self.dispatch_t1.id, [i for i, _n in Dispatch.name_search(self.dispatch_t1.name)]
        )

    def test_company_selection(self):
        """S2: with both companies allowed but only A selected, only A's
        dispatches are visible; selecting both shows both."""
        ids = (self.dispatch_t1 | self.dispatch_b).ids
        Dispatch = self.env["aftersales.dispatch"].with_user(self.user_manager_mc)
        only_a = Dispatch.with_context(allowed_company_ids=[self.company.id])
        self.assertEqual(only_a.search([("id", "in", ids)]), self.dispatch_t1)
        with self.assertRaises(AccessError):
            only_a.browse(self.dispatch_b.ids).read(["name"])
        Kit = self.env["aftersales.dispatch.kit"].with_user(self.user_manager_mc)
        kit_ids = (self.dispatch_t1 | self.dispatch_b).kit_line_ids.ids
        self.assertEqual(
            Kit.with_context(allowed_company_ids=[self.company.id]).search([("id", "in", kit_ids)]),
            self.dispatch_t1.kit_line_ids,
        )
        both = Dispatch.with_context(allowed_company_ids=[self.company.id, self.company_b.id])
        self.assertEqual(set(both.search([("id", "in", ids)]).ids), set(ids))
        both.browse(self.dispatch_b.ids).read(["name"])

    # ------------------------------------------------------------------
    # S3 Company consistency
    # ------------------------------------------------------------------
    def test_dispatch_company_consistency(self):
        """S3: a company-A dispatch refuses a technician, helper, supervisor,
        ticket or faulty component of company B; nothing is created."""
        product_b = self._create_product(name="B Fan", company_id=self.company_b.id)
        # The multi-company manager can read both companies: the only thing
        # in the way is the consistency check.
        Dispatch = (
            self.env["aftersales.dispatch"]
            .with_user(self.user_manager_mc)
            .with_context(allowed_company_ids=[self.company.id, self.company_b.id])
        )
        start = fields.Datetime.now().replace(microsecond=0) + timedelta(days=10)
        base = {
            "ticket_id": self.ticket_t1.id,
            "technician_id": self.user_technician.id,
            "date_start": start,
            "date_end": start + timedelta(hours=2),
        }
        cases = {
            "technician": {"technician_id": self.tech_b.id},
            "helper": {"helper_ids": [Command.set(self.tech_b.ids)]},
            "supervisor": {"user_id": self.user_b.id},
            "ticket": {"ticket_id": self.ticket_b.id, "company_id": self.company.id},
            "component": {"component_id": product_b.id},
        }
        draft = self._create_dispatch(self.ticket_t1, date_start=start)
        before = Dispatch.search_count([])
        for case, vals in cases.items():
            with self.subTest(case=case, on="create"), self.assertRaises(UserError):
                Dispatch.create({**base, **vals})
            vals = {k: v for k, v in vals.items() if k != "company_id"}
            with self.subTest(case=case, on="write"), self.assertRaises(UserError):
                Dispatch.browse(draft.id).write(vals)
        self.assertEqual(Dispatch.search_count([]), before)
        self.env.invalidate_all()
        self.assertEqual(draft.ticket_id, self.ticket_t1)
        self.assertEqual(draft.company_id, self.company)
        self.assertEqual(draft.technician_id, self.user_technician)
        # Never a dispatch whose company is not its ticket's.
        self.assertFalse(
            self.env["aftersales.dispatch"]
            .search([])
            .filtered(lambda d: d.company_id != d.ticket_id.company_id)
        )
        # The same links within company A are accepted.
        Dispatch.create({**base, "helper_ids": [Command.set(self.user_technician_2.ids)]})

    def test_lines_company_consistency(self):
        """S3: a company-A dispatch refuses a part or kit product of
        company B; nothing is created."""
        product_b = self._create_product(
            name="B Fan", tracking="none", company_id=self.company_b.id
        )
        both = [self.company.id, self.company_b.id]
        Part = (
            self.env["aftersales.dispatch.part"]
            .with_user(self.user_manager_mc)
            .with_context(allowed_company_ids=both)
        )
        Kit = (
            self.env["aftersales.dispatch.kit"]
            .with_user(self.user_manager_mc)
            .with_context(allowed_company_ids=both)
        )
        parts, kits = Part.search_count([]), Kit.search_count([])
        with self.assertRaises(UserError):
            Part.create({"dispatch_id": self.dispatch_t1.id, "product_id": product_b.id})
        with self.assertRaises(UserError):
            Kit.create(
                {"dispatch_id": self.dispatch_t1.id, "kind": "part", "product_id": product_b.id}
            )
        with self.assertRaises(UserError):
            self.dispatch_t1.with_user(self.user_manager_mc).with_context(
                allowed_company_ids=both
            ).write({"part_ids": [Command.create({"product_id": product_b.id})]})
        with self.assertRaises(UserError):
            Part.browse(self.dispatch_t1.part_ids.ids).write({"product_id": product_b.id})
        self.assertEqual(Part.search_count([]), parts)
        self.assertEqual(Kit.search_count([]), kits)
        self.assertEqual(self.dispatch_t1.part_ids.product_id, self.part_product)

    # ------------------------------------------------------------------
    # S4 Technicians see their own work
    # ------------------------------------------------------------------
    def test_technician_reads_own_dispatches_only(self):
        """S4: T1 finds and reads (every field they may see) their own
        dispatches and the ones they help on, not T2's nor its lines."""
        Dispatch = self.env["aftersales.dispatch"].with_user(self.user_technician)
        all_ids = (self.dispatch_t1 | self.dispatch_t2 | self.dispatch_help | self.dispatch_b).ids
        self.assertEqual(
            Dispatch.search([("id", "in", all_ids)]), self.dispatch_t1 | self.dispatch_help
        )
        self.assertEqual(Dispatch.search_count([]), 2)
        fields_ok = [
            name
            for name, field in Dispatch._fields.items()
            if not field.groups or self.user_technician.has_groups(field.groups)
        ]
        Dispatch.browse(self.dispatch_t1.id).read(fields_ok)
        with self.assertRaises(AccessError):
            Dispatch.browse(self.dispatch_t2.id).read(["name"])
        for model, field, vals in (
            ("aftersales.dispatch.kit", "kit_line_ids", {"checked": True}),
            ("aftersales.dispatch.part", "part_ids", {"quantity": 3}),
        ):
            Model = self.env[model].with_user(self.user_technician)
            lines, own = self.dispatch_t2[field], self.dispatch_t1[field]
            with self.subTest(model=model):
                self.assertTrue(lines)
                self.assertFalse(Model.search([("id", "in", lines.ids)]))
                with self.assertRaises(AccessError):
                    Model.browse(lines.ids).read(["dispatch_id"])
                with self.assertRaises(AccessError):
                    Model.browse(lines.ids).write(vals)
                with self.assertRaises(AccessError):
                    Model.browse(lines.ids).unlink()
                # Their own lines they do see.
                self.assertEqual(Model.search([("id", "in", (lines | own).ids)]), own)
        self.assertFalse(self.dispatch_t2.kit_line_ids.checked)
        self.assertEqual(self.dispatch_t2.part_ids.quantity, 1)
        # Nor can they change T2's dispatch.
        before = self._snapshot(self.dispatch_t2)
        with self.assertRaises(AccessError):
            self.dispatch_t2.with_user(self.user_technician).write({"transport_note": "Mine"})
        self.assertEqual(self._snapshot(self.dispatch_t2), before)

    def test_technician_cannot_reassign(self):
        """S4: on their own dispatch, a technician cannot change who goes,
        when, or who supervises."""
        own = self.dispatch_t1.with_user(self.user_technician)
        before = self._snapshot(self.dispatch_t1)
        for vals in (
            {"technician_id": self.user_technician_2.id},
            {"technician_id": False},
            {"helper_ids": [Command.set(self.user_technician_2.ids)]},
            {"helper_ids": [Command.link(self.user_technician_2.id)]},
            {
                "date_start": self.dispatch_t1.date_start + timedelta(days=1),
                "date_end": self.dispatch_t1.date_end + timedelta(days=1),
            },
            {"date_end": self.dispatch_t1.date_end + timedelta(hours=5)},
            {"user_id": self.user_technician.id},
        ):
            with self.subTest(vals=vals), self.assertRaises(AccessError):
                own.write(vals)
        self.assertEqual(self._snapshot(self.dispatch_t1), before)
        # A helper cannot take over either.
        helper = self.dispatch_help.with_user(self.user_technician)
        with self.assertRaises(AccessError):
            helper.write({"technician_id": self.user_technician.id})
        self.assertEqual(self.dispatch_help.technician_id, self.tech_3)

    def test_cost_reserved_to_managers(self):
        """S4: the parts cost is a manager's field: technicians and service
        users cannot read it (nor see it in the fields); managers can."""
        for user in (self.user_technician, self.user_service):
            dispatch = self.dispatch_t1.with_user(user)
            with self.subTest(user=user.login):
                with self.assertRaises(AccessError):
                    dispatch.read(["parts_cost"])
                self.assertNotIn(
                    "parts_cost", self.env["aftersales.dispatch"].with_user(user).fields_get()
                )
        self.part_product.standard_price = 40
        self.env.invalidate_all()
        self.assertEqual(
            self.dispatch_t1.with_user(self.user_manager).read(["parts_cost"])[0]["parts_cost"],
            40,
        )

    def test_technician_cannot_create_delete_or_review(self):
        """S4: a technician creates no dispatch, deletes none, and does not
        write the review."""
        Dispatch = self.env["aftersales.dispatch"].with_user(self.user_technician)
        count = self.env["aftersales.dispatch"].search_count([])
        with self.assertRaises(AccessError):
            Dispatch.create(
                {"ticket_id": self.ticket_t1.id, "technician_id": self.user_technician.id}
            )
        draft = self._create_dispatch(self.ticket_t1, date_start=self.dispatch_t1.date_end)
        for dispatch in (draft, self.dispatch_t1):
            with self.subTest(dispatch=dispatch.name), self.assertRaises(AccessError):
                dispatch.with_user(self.user_technician).unlink()
            self.assertTrue(dispatch.exists())
        self.assertEqual(self.env["aftersales.dispatch"].search_count([]), count + 1)
        # The review, even of their own finished visit.
        self._visit(self.dispatch_t1)
        self.assertEqual(self.dispatch_t1.state, "done")
        own = self.dispatch_t1.with_user(self.user_technician)
        for vals in ({"quality_score": "5"}, {"review_note": "Perfect, says I"}):
            with self.subTest(vals=vals), self.assertRaises(AccessError):
                own.write(vals)
        with self.assertRaises(AccessError):
            own.action_review()
        self.assertFalse(self.dispatch_t1.quality_score)
        self.assertFalse(self.dispatch_t1.review_note)
        self.assertEqual(self.dispatch_t1.state, "done")

    def test_helper_records_the_visit(self):
        """A helper reads the dispatch, records parts and the visit, and
        finishes it."""
        as_helper = self.dispatch_help.with_user(self.user_technician)
        as_helper.read(["name", "address", "instructions", "kit_line_ids", "part_ids"])
        as_helper.action_arrive()
        as_helper.write(
            {
                "outcome": "fixed",
                "work_done": "<p>Replaced the fan.</p>",
                "part_ids": [Command.create({"product_id": self.part_product.id})],
            }
        )
        self.env["aftersales.dispatch.part"].with_user(self.user_technician).create(
            {"dispatch_id": self.dispatch_help.id, "product_id": self.part_product.id}
        )
        as_helper.write({"signed_by": "Carl Customer", "signature": SIGNATURE_PNG})
        as_helper.action_finish()
        self.assertEqual(self.dispatch_help.state, "done")
        self.assertEqual(len(self.dispatch_help.part_ids), 2)
        self.assertTrue(self.dispatch_help.signed_on)
        # T2 is neither technician nor helper: cannot even arrive on it.
        with self.assertRaises(AccessError):
            self.dispatch_t1.with_user(self.user_technician_2).action_arrive()
        self.assertFalse(self.dispatch_t1.date_arrived)

    def test_technician_reads_tickets_they_are_dispatched_on(self):
        """A technician reads the ticket of a dispatch they help on; one
        not dispatched on it does not."""
        ticket = self._create_ticket(partner_id=self.customer.id, title="Team job")
        self._create_dispatch(
            ticket,
            technician_id=self.tech_3.id,
            helper_ids=[Command.set(self.user_technician_2.ids)],
            date_start=fields.Datetime.now().replace(microsecond=0) + timedelta(days=20),
        )
        Ticket2 = self.env["aftersales.ticket"].with_user(self.user_technician_2)
        self.assertIn(ticket, Ticket2.search([]))
        Ticket2.browse(ticket.id).read(["title", "partner_id", "address"])
        Ticket1 = self.env["aftersales.ticket"].with_user(self.user_technician)
        self.assertNotIn(ticket, Ticket1.search([]))
        with self.assertRaises(AccessError):
            Ticket1.browse(ticket.id).read(["title"])
        # T1 helps on dispatch_help: its ticket is theirs to read.
        Ticket1.browse(self.ticket_help.id).read(["title"])

    # ------------------------------------------------------------------
    # D2 Forms
    # ------------------------------------------------------------------
    def test_form_end_before_start(self):
        """D2: the form refuses a dispatch ending before it starts."""
        Dispatch = self.env["aftersales.dispatch"].with_user(self.user_manager)
        count = Dispatch.search_count([])
        start = fields.Datetime.now().replace(microsecond=0) + timedelta(days=30)
        form = Form(Dispatch.with_context(default_ticket_id=self.ticket_t1.id))
        form.technician_id = self.user_technician
        form.date_start = start
        # The onchange proposes the default length of a visit.
        self.assertEqual(form.date_end, start + timedelta(hours=2))
        form.date_end = start - timedelta(hours=1)
        with self.assertRaises(ValidationError):
            form.save()
        self.assertEqual(Dispatch.search_count([]), count)
        # Nor on an existing dispatch.
        with Form(self.dispatch_t1.with_user(self.user_manager)) as edit:
            edit.date_end = self.dispatch_t1.date_start - timedelta(minutes=1)
            with self.assertRaises(ValidationError):
                edit.save()
            edit.date_end = self.dispatch_t1.date_start + timedelta(hours=3)
        self.assertEqual(
            self.dispatch_t1.date_end, self.dispatch_t1.date_start + timedelta(hours=3)
        )

    def test_form_address_from_ticket(self):
        """D2: a dispatch opened from a ticket takes its address: the
        ticket's own, else the customer's."""
        Dispatch = self.env["aftersales.dispatch"].with_user(self.user_manager)
        form = Form(Dispatch.with_context(default_ticket_id=self.ticket_t1.id))
        self.assertIn("Rue Haute 1", form.address)
        self.assertIn("Brussels", form.address)
        form.technician_id = self.user_technician
        dispatch = form.save()
        self.assertIn("Rue Haute 1", dispatch.address)
        self.assertEqual(dispatch.partner_id, self.customer)
        ticket = self._create_ticket(
            partner_id=self.customer.id, address="Warehouse 7, Quai des Usines 12"
        )
        form = Form(Dispatch.with_context(default_ticket_id=ticket.id))
        self.assertEqual(form.address, "Warehouse 7, Quai des Usines 12")
        # Changing the ticket follows its address.
        form.ticket_id = self.ticket_t1
        self.assertIn("Rue Haute 1", form.address)

    # ------------------------------------------------------------------
    # R7 Nothing lost
    # ------------------------------------------------------------------
    def _refuse_unlink(self, record):
        """The deletion is refused: by a check of the module (UserError) or
        the foreign key (IntegrityError); the record is still there."""
        with (
            mute_logger("odoo.sql_db"),
            self.assertRaises(Exception) as caught,
            self.env.cr.savepoint(),
        ):
            record.unlink()
        self.assertIsInstance(caught.exception, (IntegrityError, UserError))
        self.assertTrue(record.exists())

    def test_signed_work_not_deleted(self):
        """R7: a done (signed) dispatch, its ticket (even cancelled) and the
        products used as parts cannot be deleted, even by a manager."""
        self._visit(self.dispatch_t1)
        self.assertEqual(self.dispatch_t1.state, "done")
        self.assertTrue(self.dispatch_t1.signed_on)
        self._refuse_unlink(self.dispatch_t1.with_user(self.user_manager))
        self._refuse_unlink(self.dispatch_t1)
        self._refuse_unlink(self.ticket_t1.with_user(self.user_manager))
        # Cancelled (if it can be), the ticket still keeps its signed visit.
        self.ticket_t1._action_cancel("Entered twice")
        self.assertEqual(self.ticket_t1.stage_kind, "cancelled")
        self._refuse_unlink(self.ticket_t1)
        self.assertEqual(self.dispatch_t1.ticket_id, self.ticket_t1)
        # A product used as a part on an open visit (no stock move yet).
        self.assertFalse(self.dispatch_t2.part_ids.move_id)
        spare = self._create_product(name="Spare valve", tracking="none")
        self.dispatch_t2.part_ids.product_id = spare
        self._refuse_unlink(spare)
        self._refuse_unlink(spare.product_tmpl_id)
        self.assertEqual(self.dispatch_t2.part_ids.product_id, spare)
        # A draft or cancelled (unsigned) dispatch may go.
        self.dispatch_b.unlink()
        self.assertFalse(self.dispatch_b.exists())


class DispatchRpcCase(DispatchSecurityCommon, JsonRpcMixin, HttpCase):
    """JSON-RPC calls on the dispatches of DispatchSecurityCommon."""


@tagged("post_install", "-at_install")
class TestDispatchRpc(DispatchRpcCase):
    """S7: what a client can call over RPC."""

    @mute_logger("odoo.http")
    def test_private_methods_refused(self):
        """S7: private methods are refused over RPC, even to a manager, and
        change nothing."""
        self.authenticate("as_manager", "as_manager")
        draft = self._create_dispatch(self.ticket_t1, date_start=self.dispatch_t1.date_end)
        before = {d: self._snapshot(d) for d in (self.dispatch_t1, draft)}
        now = "2030-01-01 10:00:00"
        calls = [
            ("_action_finish", [self.dispatch_t1.id], now),
            ("_action_arrive", [self.dispatch_t1.id], now),
            ("_action_en_route", [self.dispatch_t1.id], now),
            ("_action_schedule", [draft.id]),
            ("_action_review", [self.dispatch_t1.id], now),
            ("_move_parts", [self.dispatch_t1.id]),
            ("_request_rating", [self.dispatch_t1.id]),
            ("_reserve_kit", [self.dispatch_t1.id]),
            ("_update_ticket_diagnosis", [self.dispatch_t1.id]),
            ("_sync_ticket_technician", [self.dispatch_t1.id]),
        ]
        for method, *args in calls:
            with self.subTest(method=method):
                self.assertEqual(self._refused("aftersales.dispatch", method, *args), ACCESS_ERROR)
        for dispatch, snapshot in before.items():
            self.assertEqual(self._snapshot(dispatch), snapshot)
        self.assertFalse(self.dispatch_t1.part_ids.move_id)

    @mute_logger("odoo.http")
    def test_supervisor_actions_refused_to_technicians(self):
        """S7: a technician calling the supervisor's actions on their own
        dispatch is refused and changes nothing."""
        draft = self._create_dispatch(self.ticket_t1, date_start=self.dispatch_t1.date_end)
        done = self._create_dispatch(
            self.ticket_t1,
            schedule=True,
            date_start=self.dispatch_t1.date_start + timedelta(days=5),
        )
        self._visit(done)
        done.write({"quality_score": "4"})
        self.authenticate("as_tech1", "as_tech1")
        calls = [
            ("action_schedule", draft),
            ("action_suggest_technicians", draft),
            ("action_cancel", self.dispatch_t1),
            ("action_cancel", draft),
            ("action_review", done),
            ("action_reset", draft),
        ]
        before = {d: self._snapshot(d) for d in (draft, done, self.dispatch_t1)}
        wizards = self.env["aftersales.dispatch.assign"].search_count([])
        for method, dispatch in calls:
            with self.subTest(method=method, state=dispatch.state):
                self.assertEqual(
                    self._refused("aftersales.dispatch", method, dispatch.ids), ACCESS_ERROR
                )
        for dispatch, snapshot in before.items():
            self.assertEqual(self._snapshot(dispatch), snapshot)
        self.assertEqual(self.env["aftersales.dispatch.assign"].search_count([]), wizards)

    @mute_logger("odoo.http")
    def test_visit_actions_on_another_technicians_dispatch(self):
        """S7: T2 cannot arrive on, finish or go en route to T1's dispatch."""
        self.authenticate("as_tech2", "as_tech2")
        before = self._snapshot(self.dispatch_t1)
        for method in ("action_arrive", "action_en_route", "action_finish"):
            with self.subTest(method=method):
                self.assertEqual(
                    self._refused("aftersales.dispatch", method, self.dispatch_t1.ids),
                    ACCESS_ERROR,
                )
        self.assertEqual(self._snapshot(self.dispatch_t1), before)
        self.assertFalse(self.ticket_t1.date_onsite)

    @mute_logger("odoo.http")
    def test_actions_check_the_state(self):
        """S7: finishing a draft or arriving twice is refused by the action
        itself, whoever calls it."""
        draft = self._create_dispatch(self.ticket_t1, date_start=self.dispatch_t1.date_end)
        for login in ("as_tech1", "as_manager"):
            self.authenticate(login, login)
            before = self._snapshot(draft)
            for method in ("action_finish", "action_arrive", "action_en_route", "action_review"):
                if method == "action_review" and login == "as_tech1":
                    continue
                with self.subTest(login=login, method=method):
                    self.assertEqual(
                        self._refused("aftersales.dispatch", method, draft.ids), USER_ERROR
                    )
            self.assertEqual(self._snapshot(draft), before)
        # Arrived once; the second arrival is refused.
        self.authenticate("as_tech1", "as_tech1")
        self._call("aftersales.dispatch", "action_arrive", self.dispatch_t1.ids)
        self.assertEqual(self._snapshot(self.dispatch_t1)["state"], "in_progress")
        before = self._snapshot(self.dispatch_t1)
        self.assertEqual(
            self._refused("aftersales.dispatch", "action_arrive", self.dispatch_t1.ids),
            USER_ERROR,
        )
        self.assertEqual(self._snapshot(self.dispatch_t1), before)

    @mute_logger("odoo.http")
    def test_actions_on_another_companys_dispatch(self):
        """S7: company A's manager calling actions with company B's dispatch
        id is refused."""
        self.authenticate("as_manager", "as_manager")
        before = self._snapshot(self.dispatch_b)
        for method in ("action_schedule", "action_cancel", "action_suggest_technicians"):
            with self.subTest(method=method):
                self.assertEqual(
                    self._refused("aftersales.dispatch", method, self.dispatch_b.ids),
                    ACCESS_ERROR,
                )
        self.assertEqual(self._snapshot(self.dispatch_b), before)

    @mute_logger("odoo.http")
    def test_internal_marker_cannot_be_forged(self):
        """The module's own writes are marked by an object in the context,
        which JSON cannot carry: sending the key unlocks nothing."""
        before = self._snapshot(self.dispatch_t1)
        for login in ("as_manager", "as_tech1"):
            self.authenticate(login, login)
            for vals in (
                {"state": "done"},
                {"state": "reviewed"},
                {"date_arrived": "2030-01-01 10:00:00"},
                {"signed_on": "2030-01-01 10:00:00"},
            ):
                with self.subTest(login=login, vals=vals):
                    error = self._refused(
                        "aftersales.dispatch",
                        "write",
                        self.dispatch_t1.ids,
                        vals,
                        context={"aftersales_internal": True},
                    )
                    self.assertIn(error, (USER_ERROR, ACCESS_ERROR))
        self.authenticate("as_manager", "as_manager")
        start = "2030-01-01 09:00:00"
        error = self._refused(
            "aftersales.dispatch",
            "create",
            {
                "ticket_id": self.ticket_t1.id,
                "technician_id": self.user_technician.id,
                "date_start": start,
                "date_end": "2030-01-01 11:00:00",
                "state": "done",
            },
            context={"aftersales_internal": True},
        )
        self.assertEqual(error, USER_ERROR)
        self.assertEqual(self._snapshot(self.dispatch_t1), before)
        self.assertFalse(self.env["aftersales.dispatch"].search([("date_start", "=", start)]))


@tagged("post_install", "-at_install")
class TestDispatchRpcBadInput(DispatchRpcCase):
    """D1: bad input over JSON-RPC gives a clean error and leaves no row."""

    def _counts(self):
        self.env.invalidate_all()
        return {
            model: self.env[model].with_context(active_test=False).search_count([])
            for model in (
                "aftersales.dispatch",
                "aftersales.dispatch.kit",
                "aftersales.dispatch.part",
                "mail.activity",
            )
        }

    def _assert_clean(self, model, method, *args):
        before = self._counts()
        self.assertIn(self._refused(model, method, *args), CLEAN_ERRORS, args)
        self.assertEqual(self._counts(), before, args)

    @mute_logger("odoo.http", "odoo.sql_db")
    def test_bad_dispatch_create(self):
        self.authenticate("as_manager", "as_manager")
        dispatch = {
            "ticket_id": self.ticket_t1.id,
            "technician_id": self.user_technician.id,
            "date_start": "2030-01-07 09:00:00",
            "date_end": "2030-01-07 11:00:00",
        }
        cases = [
            {**dispatch, "no_such_field": 1},
            {**dispatch, "date_start": "tomorrow"},
            {**dispatch, "date_end": "2030-02-30 10:00:00"},
            {**dispatch, "outcome": "magic"},
            {**dispatch, "fault_cause": "gremlins"},
            {**dispatch, "quality_score": "9"},
            {**dispatch, "labour_hours": -1},
            {**dispatch, "labour_hours": "two"},
            {**dispatch, "date_end": "2030-01-07 08:00:00"},
            {**dispatch, "date_end": dispatch["date_start"]},
            {**dispatch, "ticket_id": False},
            {**dispatch, "technician_id": self.user_internal.id},
            # A bad kit line sinks the whole create.
            {
                **dispatch,
                "kit_line_ids": [Command.create({"kind": "tool", "name": "Box", "quantity": -2})],
            },
            {
                **dispatch,
                "kit_line_ids": [
                    Command.create({"kind": "tool", "name": "Box", "quantity": "lots"})
                ],
            },
            {**dispatch, "kit_line_ids": [Command.create({"kind": "wand", "name": "Box"})]},
        ]
        for vals in cases:
            with self.subTest(vals=vals):
                self._assert_clean("aftersales.dispatch", "create", vals)
        # A valid call works.
        before = self._counts()
        self.assertTrue(self._call("aftersales.dispatch", "create", dispatch))
        self.assertEqual(self._counts()["aftersales.dispatch"], before["aftersales.dispatch"] + 1)

    @mute_logger("odoo.http", "odoo.sql_db")
    def test_bad_dispatch_write(self):
        self.authenticate("as_manager", "as_manager")
        before = self._snapshot(self.dispatch_t1)
        for vals in (
            {"no_such_field": 1},
            {"date_start": "tomorrow"},
            {"date_end": "2000-01-01 00:00:00"},
            {"outcome": "magic"},
            {"labour_hours": -0.5},
        ):
            with self.subTest(vals=vals):
                self._assert_clean("aftersales.dispatch", "write", self.dispatch_t1.ids, vals)
        self.assertEqual(self._snapshot(self.dispatch_t1), before)

    @mute_logger("odoo.http", "odoo.sql_db")
    def test_bad_part_create(self):
        self.authenticate("as_tech1", "as_tech1")
        part = {"dispatch_id": self.dispatch_t1.id, "product_id": self.part_product.id}
        for vals in (
            {**part, "quantity": -1},
            {**part, "quantity": 0},
            {**part, "quantity": "lots"},
            {**part, "direction": "sideways"},
            {**part, "no_such_field": 1},
        ):
            with self.subTest(vals=vals):
                self._assert_clean("aftersales.dispatch.part", "create", vals)
        with self.subTest(on="write"):
            self._assert_clean(
                "aftersales.dispatch.part",
                "write",
                self.dispatch_t1.part_ids.ids,
                {"quantity": -3},
            )
        with self.subTest(on="dispatch write"):
            self._assert_clean(
                "aftersales.dispatch",
                "write",
                self.dispatch_t1.ids,
                {"part_ids": [Command.create({**part, "quantity": -1})]},
            )
        self.env.invalidate_all()
        self.assertEqual(self.dispatch_t1.part_ids.quantity, 1)
        # A valid part is recorded.
        self.assertTrue(self._call("aftersales.dispatch.part", "create", {**part, "quantity": 2}))

    @mute_logger("odoo.http", "odoo.sql_db")
    def test_bad_kit_create(self):
        self.authenticate("as_manager", "as_manager")
        kit = {"dispatch_id": self.dispatch_t1.id, "kind": "tool", "name": "Ladder"}
        for vals in (
            {**kit, "quantity": -1},
            {**kit, "quantity": 0},
            {**kit, "quantity": "lots"},
            {**kit, "kind": "wand"},
            {**kit, "name": False},
        ):
            with self.subTest(vals=vals):
                self._assert_clean("aftersales.dispatch.kit", "create", vals)
        self.assertTrue(self._call("aftersales.dispatch.kit", "create", {**kit, "quantity": 2}))
