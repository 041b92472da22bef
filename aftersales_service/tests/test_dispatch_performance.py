"""Query budgets of dispatch orders (P1, P2, P4). Timings live in `make bench`."""

from datetime import datetime, timedelta

from odoo import Command
from odoo.tests import tagged

from .common import AftersalesCommon

# The fields the list and kanban views of dispatches load, as the web client
# asks for them (aftersales_dispatch_views.xml). The activity widgets read
# the activity summary fields besides the activities.
M2O = {"fields": {"display_name": {}}}
ACTIVITY_FIELDS = {
    "activity_ids": {},
    "activity_exception_decoration": {},
    "activity_exception_icon": {},
    "activity_state": {},
    "activity_summary": {},
    "activity_type_icon": {},
    "activity_type_id": M2O,
}
LIST_SPEC = {
    "name": {},
    "ticket_id": M2O,
    "partner_id": M2O,
    "date_start": {},
    "date_end": {},
    "technician_id": M2O,
    "product_id": M2O,
    "outcome": {},
    "duration_hours": {},
    "sla_met": {},
    "quality_score": {},
    "state": {},
    "company_id": M2O,
    **ACTIVITY_FIELDS,
}
KANBAN_SPEC = {
    "state": {},
    "name": {},
    "partner_id": M2O,
    "date_start": {},
    "address": {},
    "product_id": M2O,
    "technician_id": M2O,
    **ACTIVITY_FIELDS,
}
START = datetime(2030, 1, 7, 9, 0)


@tagged("post_install", "-at_install")
class TestDispatchQueries(AftersalesCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.equipment = cls._create_product(name="Compressor")
        cls.customers = cls.env["res.partner"].create(
            [
                {"name": f"Customer {i}", "is_company": True, "street": f"Main Street {i}"}
                for i in range(20)
            ]
        )
        cls.tickets = cls.env["aftersales.ticket"].create(
            [
                {
                    "title": f"Ticket {i}",
                    "partner_id": customer.id,
                    "product_id": cls.equipment.id,
                    "channel": "phone",
                }
                for i, customer in enumerate(cls.customers)
            ]
        )

    def _vals(self, n, offset=0):
        """`n` visits of two hours, one after the other (no double booking),
        alternating the two technicians."""
        technicians = self.user_technician | self.user_technician_2
        return [
            {
                "ticket_id": self.tickets[i % 20].id,
                "technician_id": technicians[i % 2].id,
                "date_start": START + timedelta(hours=3 * (offset + i)),
                "date_end": START + timedelta(hours=3 * (offset + i) + 2),
                "instructions": "<p>Ring at the back door.</p>",
            }
            for i in range(n)
        ]

    def test_p1_one_create(self):
        """P1: one dispatch create (tracking, sequence, address) by a supervisor."""
        Dispatch = self.env["aftersales.dispatch"].with_user(self.user_manager)
        Dispatch.create(self._vals(1))  # warm the caches
        self.env.flush_all()
        self.env.invalidate_all()
        # Measured: 15 queries (warm caches).
        with self.assertQueryCount(15):
            dispatch = Dispatch.create(self._vals(1, offset=1))
            self.env.flush_all()
        self.assertEqual(dispatch.state, "draft")
        self.assertIn("Main Street", dispatch.address)

    def test_p2_batch_create(self):
        """P2: each extra dispatch of one create() costs <= 2 queries (measured:
        100 dispatches 43 queries, 200 dispatches 47)."""
        Dispatch = self.env["aftersales.dispatch"].with_user(self.user_manager)
        Dispatch.create(self._vals(5))
        q100 = self._count(lambda: Dispatch.create(self._vals(100, offset=100)))
        q200 = self._count(lambda: Dispatch.create(self._vals(200, offset=300)))
        self.assertLessEqual(q200 - q100, 2 * 100, f"100: {q100} queries, 200: {q200}")

    def _assert_load(self, user, spec, domain=(), budget=15):
        """web_search_read of 10 and 80 dispatches costs the same, <= 15."""
        Dispatch = self.env["aftersales.dispatch"].with_user(user)
        domain = list(domain)
        for limit in (10, 80):  # warm the caches
            self._count(lambda lim=limit: Dispatch.web_search_read(domain, spec, limit=lim))
        counts = []
        for limit in (10, 80):
            counts.append(
                self._count(lambda lim=limit: Dispatch.web_search_read(domain, spec, limit=lim))
            )
        result = Dispatch.web_search_read(domain, spec, limit=80)
        self.assertEqual(len(result["records"]), 80)
        self.assertEqual(counts[0], counts[1], counts)
        self.assertLessEqual(counts[1], budget, counts)
        return result

    def _create_80(self):
        """80 scheduled dispatches (each with the technician's activity)."""
        dispatches = self.env["aftersales.dispatch"].create(self._vals(80))
        dispatches.action_schedule()
        self.assertTrue(all(dispatches.mapped("activity_ids")))
        return dispatches

    def test_p4_list_load(self):
        """P4: the list of a supervisor and of a service user."""
        self._create_80()
        for user in (self.user_manager, self.user_service):
            with self.subTest(user=user.login):
                result = self._assert_load(user, LIST_SPEC)
                self.assertTrue(result["records"][0]["activity_ids"])
                self.assertTrue(result["records"][0]["technician_id"]["display_name"])

    def test_p4_kanban_load(self):
        """P4: the kanban of a service user."""
        self._create_80()
        result = self._assert_load(self.user_service, KANBAN_SPEC)
        self.assertTrue(result["records"][0]["address"])

    def test_p4_technician_kanban_load(self):
        """P4: the technician's own kanban (their home screen), through the
        record rules on technician and helpers."""
        dispatches = self._create_80()
        dispatches.filtered(lambda d: d.technician_id == self.user_technician_2).write(
            {"helper_ids": [Command.set(self.user_technician.ids)]}
        )
        # 19, not 15: Odoo evaluates the technicians' record rule (own or
        # helper) in Python at each access check, twice per load (the
        # activities' and the read's), reading the helpers each time. The
        # cost stays the same for 10 and 80 rows.
        result = self._assert_load(self.user_technician, KANBAN_SPEC, budget=19)
        self.assertTrue(result["records"][0]["address"])
