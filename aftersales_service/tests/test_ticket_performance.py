"""Query budgets of tickets (P1-P4). Timings live in `make bench`."""

from datetime import timedelta

from odoo import Command, fields
from odoo.tests import tagged

from .common import AftersalesCommon


@tagged("post_install", "-at_install")
class TestTicketQueries(AftersalesCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._create_policy()
        cls.equipment = cls._create_equipment(name="Compressor", months=12)
        cls.customers = cls.env["res.partner"].create(
            [{"name": f"Customer {i}", "is_company": True} for i in range(20)]
        )
        cls.serials = cls.env["stock.lot"].create(
            [{"name": f"CMP-{i}", "product_id": cls.equipment.id} for i in range(20)]
        )
        cls.env["aftersales.warranty"].create(
            [
                {
                    "partner_id": customer.id,
                    "product_id": cls.equipment.id,
                    "lot_id": serial.id,
                    "date_delivery": fields.Date.today() - timedelta(days=10),
                }
                for customer, serial in zip(cls.customers, cls.serials, strict=True)
            ]
        )
        cls.tag = cls.env["aftersales.ticket.tag"].create({"name": "Overheating"})

    def _vals(self, n, offset=0):
        return [
            {
                "title": f"Ticket {offset + i}",
                "partner_id": self.customers[i % 20].id,
                "lot_id": self.serials[i % 20].id,
                "tag_ids": [Command.set(self.tag.ids)],
                "channel": "phone",
            }
            for i in range(n)
        ]

    def test_p1_one_create(self):
        """One ticket create (tracking, sequence, SLA, warranty lookup) <= 25."""
        Ticket = self.env["aftersales.ticket"].with_user(self.user_service)
        Ticket.create(self._vals(1))  # warm the caches
        self.env.flush_all()
        self.env.invalidate_all()
        with self.assertQueryCount(25):
            ticket = Ticket.create(self._vals(1, offset=1))
            self.env.flush_all()
        self.assertEqual(len(ticket.sla_ids), 3)
        self.assertEqual(ticket.service_category, "free")

    def test_p2_batch_create(self):
        """Each extra ticket of one create() costs <= 2 queries."""
        Ticket = self.env["aftersales.ticket"].with_user(self.user_service)
        Ticket.create(self._vals(5))
        q100 = self._count(lambda: Ticket.create(self._vals(100, offset=100)))
        q200 = self._count(lambda: Ticket.create(self._vals(200, offset=300)))
        self.assertLessEqual(q200 - q100, 2 * 100, f"100: {q100} queries, 200: {q200}")

    def test_p3_stage_change_on_1000(self):
        """A tracked stage change of 1,000 tickets <= 3 queries per ticket,
        clocks paused included."""
        tickets = self.env["aftersales.ticket"].create(self._vals(1000))
        manager = self.user_manager
        tickets.with_user(manager).action_triage()
        parts = self.env.ref("aftersales_service.aftersales_ticket_stage_wait_parts")
        queries = self._count(lambda: tickets.with_user(manager).write({"stage_id": parts.id}))
        self.assertLessEqual(queries, 3 * 1000)
        self.assertEqual(set(tickets.sla_ids.mapped("state")) - {"reached"}, {"paused"})

    def test_p4_list_load(self):
        """Loading the list costs the same for 10 and 80 rows, <= 15."""
        self.env["aftersales.ticket"].create(self._vals(80))
        spec = {
            "priority": {},
            "name": {},
            "title": {},
            "partner_id": {"fields": {"display_name": {}}},
            "product_id": {"fields": {"display_name": {}}},
            "lot_id": {"fields": {"display_name": {}}},
            "date_received": {},
            "service_category": {},
            "user_id": {"fields": {"display_name": {}}},
            "sla_deadline": {},
            "sla_status": {},
            "stage_id": {"fields": {"display_name": {}}},
            "stage_kind": {},
        }
        Ticket = self.env["aftersales.ticket"].with_user(self.user_service)
        for limit in (10, 80):  # warm the caches
            self._count(lambda lim=limit: Ticket.web_search_read([], spec, limit=lim))
        counts = []
        for limit in (10, 80):
            counts.append(
                self._count(lambda lim=limit: Ticket.web_search_read([], spec, limit=lim))
            )
        self.assertEqual(counts[0], counts[1], counts)
        self.assertLessEqual(counts[1], 15)
