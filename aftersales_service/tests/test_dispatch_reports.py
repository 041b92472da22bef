from datetime import date, timedelta

from odoo import Command, fields
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged, warmup
from odoo.tools import format_date
from odoo.tools.safe_eval import safe_eval

from .common import GROUP_TECHNICIAN, SIGNATURE_PNG, AftersalesCommon

CONDUCT = "本公司維修人員佩戴工作證，認真服務，不向客戶索取任何財物，愛護客戶環境。"
MEASURES = [
    "visit_count:sum",
    "first_time_fix_rate:avg",
    "sla_met_rate:avg",
    "quality:avg",
    "repair_hours:avg",
    "rating:avg",
]


@tagged("post_install", "-at_install")
class TestDispatchOrderReport(AftersalesCommon):
    """The printable dispatch order (維修派工單) and the ID badge (R12-R15)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.aftersales_conduct_statement = CONDUCT
        cls.customer = cls._create_customer(name="華新大樓管理有限公司", email="ops@huaxin.example")
        equipment = cls._create_equipment(name="中央空調箱 AHU-200", months=24)
        cls.lot = cls._create_serial(equipment, "SN-DSP-1")
        cls.ticket = cls._create_ticket(
            partner_id=cls.customer.id,
            lot_id=cls.lot.id,
            title="機房空調不製冷",
            address="台北市信義路五段7號",
        )
        cls.fan = cls._create_product(name="風扇馬達", tracking="none")
        old_fan = cls._create_product(name="舊風扇總成", tracking="serial")
        cls.old_lot = cls._create_serial(old_fan, "OLD-FAN-9")
        cls.dispatch = cls._create_dispatch(
            cls.ticket,
            helper_ids=[Command.set(cls.user_technician_2.ids)],
            instructions="<p>請攜帶梯子，先聯繫大樓管理處。</p>",
            transport_needed=True,
            vehicle="貨車 ABC-123",
            kit_line_ids=[Command.create({"kind": "tool", "name": "萬用表"})],
            part_ids=[
                Command.create({"product_id": cls.fan.id, "quantity": 2}),
                Command.create(
                    {
                        "product_id": old_fan.id,
                        "lot_id": cls.old_lot.id,
                        "quantity": 1,
                        "direction": "returned",
                    }
                ),
            ],
        )

    def _html(self, xmlid, records, user=None):
        Report = self.env["ir.actions.report"]
        if user:
            Report = Report.with_user(user)
        html, _ = Report._render_qweb_html(xmlid, records.ids)
        return html.decode()

    def _do_visit(self):
        dispatch = self.dispatch
        dispatch.action_schedule()
        self._visit(
            dispatch,
            signer="王小明",
            work_done="<p>更換風扇馬達，測試正常。</p>",
            fault_cause="equipment",
        )
        self.assertEqual(dispatch.state, "done")

    def test_dispatch_order_blank(self):
        """Printed before the visit: to be filled in and signed on site."""
        html = self._html("aftersales_service.aftersales_dispatch_report", self.dispatch)
        for text in (
            self.dispatch.name,
            self.ticket.name,
            "機房空調不製冷",
            "華新大樓管理有限公司",
            "台北市信義路五段7號",
            "中央空調箱 AHU-200",
            "SN-DSP-1",
            "Tess Technician",
            "Theo Technician",
            "請攜帶梯子，先聯繫大樓管理處。",
            "萬用表",
            "貨車 ABC-123",
            CONDUCT,
            "Customer signature: ____",
        ):
            self.assertIn(text, html)
        self.assertNotIn(SIGNATURE_PNG.decode(), html)

    def test_dispatch_order_done(self):
        self._do_visit()
        # The technician prints their own dispatch order.
        html = self._html(
            "aftersales_service.aftersales_dispatch_report",
            self.dispatch,
            user=self.user_technician,
        )
        for text in (
            self.dispatch.name,
            "更換風扇馬達，測試正常。",
            "風扇馬達",
            "舊風扇總成",
            "OLD-FAN-9",
            "Used",
            "Returned",
            "Fixed on site",
            "Equipment defect",
            "王小明",
            CONDUCT,
        ):
            self.assertIn(text, html)
        # The customer's signature, as an image.
        self.assertIn('src="data:image/png;base64,' + SIGNATURE_PNG.decode(), html)
        self.assertNotIn("Customer signature: ____", html)
        # Actual times are printed (en route, arrived, finished).
        self.assertTrue(self.dispatch.date_arrived and self.dispatch.date_finished)
        for label in ("En Route", "Arrived", "Finished"):
            self.assertIn(label, html)
        # ... in the company's time zone (Brussels), to the minute.
        brussels = self.dispatch.with_context(tz="Europe/Brussels")
        for moment in (self.dispatch.date_arrived, self.dispatch.date_finished):
            local = fields.Datetime.context_timestamp(brussels, moment)
            self.assertIn(local.strftime("%m/%d/%Y %H:%M") + "</span>", html)

    def test_dispatch_order_html_is_sanitised(self):
        self.dispatch.instructions = '<p>注意<script>alert("x")</script></p>'
        html = self._html("aftersales_service.aftersales_dispatch_report", self.dispatch)
        self.assertIn("注意", html)
        self.assertNotIn('alert("x")', html)

    def test_dispatch_order_pdf(self):
        self._do_visit()
        pdf, kind = (
            self.env["ir.actions.report"]
            .with_context(force_report_rendering=True)
            ._render_qweb_pdf("aftersales_service.aftersales_dispatch_report", self.dispatch.ids)
        )
        self.assertEqual(kind, "pdf")
        self.assertTrue(pdf.startswith(b"%PDF"))

    def test_print_name(self):
        report = self.env.ref("aftersales_service.aftersales_dispatch_report")
        self.assertEqual(report.binding_model_id.model, "aftersales.dispatch")
        self.assertEqual(report.binding_type, "report")
        name = safe_eval(report.print_report_name, {"object": self.dispatch})
        self.assertEqual(name, f"Dispatch Order - {self.dispatch.name}")

    # ------------------------------------------------------------------
    # ID badge (R12)
    # ------------------------------------------------------------------
    def test_badge(self):
        Technician = self.env["aftersales.technician"]
        valid, expired = Technician.create(
            [
                {
                    "user_id": self.user_technician.id,
                    "badge_number": "SV-0001",
                    "badge_valid_until": date(2099, 12, 31),
                },
                {
                    "user_id": self.user_technician_2.id,
                    "badge_number": "SV-0002",
                    "badge_valid_until": fields.Date.today() - timedelta(days=1),
                },
            ]
        )
        xmlid = "aftersales_service.aftersales_technician_badge_report"
        html = self._html(xmlid, valid)
        for text in (
            "Tess Technician",
            "SV-0001",
            format_date(self.env, date(2099, 12, 31)),
            self.company.name,
        ):
            self.assertIn(text, html)
        self.assertIn('src="data:image/', html, "the technician's photo")
        self.assertNotIn("EXPIRED", html)

        html = self._html(xmlid, expired)
        for text in (
            "Theo Technician",
            "SV-0002",
            format_date(self.env, expired.badge_valid_until),
            "EXPIRED",
        ):
            self.assertIn(text, html)

        # Both on one print, one card each; the PDF comes out of wkhtmltopdf
        # on the card-size paper format.
        html = self._html(xmlid, valid | expired)
        self.assertEqual(html.count("SV-000"), 2)
        report = self.env.ref(xmlid)
        self.assertEqual(report.paperformat_id.format, "custom")
        pdf, kind = (
            self.env["ir.actions.report"]
            .with_context(force_report_rendering=True)
            ._render_qweb_pdf(xmlid, (valid | expired).ids)
        )
        self.assertEqual(kind, "pdf")
        self.assertTrue(pdf.startswith(b"%PDF"))

    def test_badge_from_dispatch(self):
        """The dispatch's "Print Badges" prints its technicians' badges."""
        self.env["aftersales.technician"].create(
            {"user_id": self.user_technician.id, "badge_number": "SV-0101"}
        )
        action = self.dispatch.with_user(self.user_manager).action_print_badges()
        self.assertEqual(action["report_name"], "aftersales_service.report_technician_badge")


@tagged("post_install", "-at_install")
class TestTechnicianPerformance(AftersalesCommon):
    """Technician performance (R17): visits, first-time fixes, SLA kept,
    quality and repair time per technician, one grouped query."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Every target 24 h around the clock from the ticket's creation.
        cls._create_policy(
            calendar_id=cls._create_calendar_24_7().id,
            response_hours=24,
            onsite_hours=24,
            resolution_hours=24,
        )
        cls.customer = cls._create_customer(name="Cold Storage Ltd", email="ops@cold.example")
        cls.customer_2 = cls._create_customer(name="Ice Rink SA", email="ops@ice.example")
        now = fields.Datetime.now().replace(microsecond=0)
        cls.now = now
        hours = cls._hours
        t1, t2 = cls.user_technician, cls.user_technician_2
        ticket_1 = cls._create_ticket(partner_id=cls.customer.id)
        ticket_2 = cls._create_ticket(partner_id=cls.customer.id)
        ticket_3 = cls._create_ticket(partner_id=cls.customer_2.id)
        # T1: fixed at the first visit, 2 h, in time, quality 5, rated 5.
        cls.d1 = cls._finished(ticket_1, t1, "fixed", hours(1), hours(3), quality="5")
        cls.d1.rating_apply(5, token=cls.d1.rating_ids.access_token)
        # T1: another visit needed, 4 h, in time, quality 3.
        cls.d2 = cls._finished(ticket_2, t1, "follow_up", hours(1), hours(5), quality="3")
        # T1: the second visit fixes it, 1 h, after the 24 h promised, not reviewed.
        cls.d3 = cls._finished(ticket_2, t1, "fixed", hours(25), hours(26))
        # T2: fixed at the first visit, 1 h, in time, quality 2, rated 1.
        cls.d4 = cls._finished(ticket_3, t2, "fixed", hours(1), hours(2), quality="2")
        cls.d4.rating_apply(1, token=cls.d4.rating_ids.access_token)
        # Not finished: not in the report.
        cls.d5 = cls._create_dispatch(cls._create_ticket(partner_id=cls.customer.id))
        cls.d6 = cls._create_dispatch(cls._create_ticket(partner_id=cls.customer.id), schedule=True)
        cls.d6.action_cancel()

        # Company B: its own technician and a finished visit.
        cls.tech_b = new_test_user(
            cls.env,
            login="as_tech_b_rpt",
            groups=GROUP_TECHNICIAN,
            name="Ben B Technician",
            company_id=cls.company_b.id,
            company_ids=[Command.set(cls.company_b.ids)],
        )
        ticket_b = (
            cls.env["aftersales.ticket"]
            .with_user(cls.user_b)
            .create({"title": "B's job", "partner_id": cls.customer.id, "channel": "phone"})
            .with_env(cls.env)
        )
        cls.d_b = cls._finished(
            ticket_b, cls.tech_b, "fixed", hours(1), hours(2), user_id=cls.user_b.id
        )
        cls.env.flush_all()

    @classmethod
    def _hours(cls, n):
        return cls.now + timedelta(hours=n)

    @classmethod
    def _finished(cls, ticket, technician, outcome, arrive, finish, quality=None, **vals):
        """A visit by `technician` from `arrive` to `finish`, reviewed with
        `quality` when given."""
        dispatch = cls._create_dispatch(ticket, technician_id=technician.id, **vals)
        dispatch.action_schedule()
        as_tech = dispatch.with_user(technician)
        as_tech._action_arrive(arrive)
        as_tech.write({"outcome": outcome, "signed_by": "Carl", "signature": SIGNATURE_PNG})
        as_tech._action_finish(finish)
        if quality:
            dispatch.quality_score = quality
            dispatch.action_review()
        return dispatch

    def _figures(self, user, domain=None):
        Report = self.env["aftersales.dispatch.report"].with_user(user)
        if domain is None:
            domain = [("technician_id", "in", (self.user_technician | self.user_technician_2).ids)]
        return {
            tech: rest for tech, *rest in Report._read_group(domain, ["technician_id"], MEASURES)
        }

    def test_setup(self):
        self.assertEqual(
            [self.d1.state, self.d2.state, self.d3.state, self.d4.state],
            ["reviewed", "reviewed", "done", "reviewed"],
        )
        self.assertEqual(
            [d.first_time_fix for d in (self.d1, self.d2, self.d3, self.d4)],
            [True, False, False, True],
        )
        self.assertEqual(
            [d.sla_met for d in (self.d1, self.d2, self.d3, self.d4)],
            [True, True, False, True],
        )
        self.assertEqual(
            [d.duration_hours for d in (self.d1, self.d2, self.d3, self.d4)],
            [2.0, 4.0, 1.0, 1.0],
        )
        self.assertEqual([self.d1.rating_last_value, self.d4.rating_last_value], [5, 1])

    def test_figures_per_technician(self):
        figures = self._figures(self.user_manager)
        self.assertEqual(set(figures), {self.user_technician, self.user_technician_2})
        visits, ftf, sla, quality, hours, rating = figures[self.user_technician]
        self.assertEqual(visits, 3)
        self.assertAlmostEqual(ftf, 100 / 3, places=6)
        self.assertAlmostEqual(sla, 200 / 3, places=6)
        self.assertAlmostEqual(quality, 4.0, places=6, msg="the visit not scored is left out")
        self.assertAlmostEqual(hours, 7 / 3, places=6)
        self.assertAlmostEqual(rating, 5.0, places=6, msg="visits not rated are left out")
        visits, ftf, sla, quality, hours, rating = figures[self.user_technician_2]
        self.assertEqual(visits, 1)
        self.assertAlmostEqual(ftf, 100.0)
        self.assertAlmostEqual(sla, 100.0)
        self.assertAlmostEqual(quality, 2.0)
        self.assertAlmostEqual(hours, 1.0)
        self.assertAlmostEqual(rating, 1.0)

    def test_rows(self):
        Report = self.env["aftersales.dispatch.report"].with_user(self.user_manager)
        rows = Report.search([("technician_id", "=", self.user_technician.id)])
        self.assertEqual(rows.dispatch_id, self.d1 | self.d2 | self.d3)
        row = rows.filtered(lambda r: r.dispatch_id == self.d3)
        self.assertEqual(row.date, self.d3.date_finished)
        self.assertEqual(row.partner_id, self.customer)
        self.assertEqual(row.ticket_id, self.d3.ticket_id)
        self.assertEqual(row.company_id, self.company)
        self.assertFalse(row.quality, "not scored")
        self.assertFalse(row.rating, "not rated")
        self.assertNotIn(self.d5 | self.d6, Report.search([]).dispatch_id)
        # Grouped by customer and month, as the search view offers.
        groups = Report._read_group(
            [("technician_id", "in", (self.user_technician | self.user_technician_2).ids)],
            ["partner_id", "date:month"],
            ["visit_count:sum"],
        )
        self.assertEqual(
            {partner: count for partner, _month, count in groups if partner},
            {self.customer: 3, self.customer_2: 1},
        )

    def test_figures_follow_the_review(self):
        """Pending writes on dispatches are flushed before the view is read."""
        self.d3.quality_score = "1"
        figures = self._figures(self.user_manager)
        self.assertAlmostEqual(figures[self.user_technician][3], 3.0)

    @warmup
    def test_one_query(self):
        Report = self.env["aftersales.dispatch.report"].with_user(self.user_manager)
        with self.assertQueryCount(1):
            Report._read_group([], ["technician_id", "date:month"], MEASURES)

    def test_managers_only(self):
        for user in (self.user_service, self.user_technician, self.user_internal):
            Report = self.env["aftersales.dispatch.report"].with_user(user)
            with self.subTest(user=user.login):
                with self.assertRaises(AccessError):
                    Report.search([])
                with self.assertRaises(AccessError):
                    Report._read_group([], ["technician_id"], ["visit_count:sum"])

    def test_company_isolation(self):
        # Company A's manager: B's visit is not in the figures.
        figures = self._figures(self.user_manager, domain=[])
        self.assertNotIn(self.tech_b, figures)
        Report = self.env["aftersales.dispatch.report"]
        self.assertFalse(
            Report.with_user(self.user_manager).search([("dispatch_id", "=", self.d_b.id)])
        )
        # Company B's manager sees its visit only.
        figures = self._figures(self.user_b, domain=[])
        self.assertEqual(set(figures), {self.tech_b})
        self.assertEqual(figures[self.tech_b][0], 1)
        # With both companies allowed but only A selected, only A counts.
        mc = Report.with_user(self.user_manager_mc)
        only_a = mc.with_context(allowed_company_ids=self.company.ids)
        self.assertFalse(only_a.search([("dispatch_id", "=", self.d_b.id)]))
        self.assertNotIn(self.tech_b, dict(only_a._read_group([], ["technician_id"], ["__count"])))
        both = mc.with_context(allowed_company_ids=[self.company.id, self.company_b.id])
        self.assertEqual(
            both.search([("dispatch_id", "=", self.d_b.id)]).company_id, self.company_b
        )
