from datetime import date

from odoo import Command
from odoo.tests import tagged

from .common import AftersalesCommon
from .test_agreement import SIGNATURE


@tagged("post_install", "-at_install")
class TestReports(AftersalesCommon):
    """The printable agreement and warranty certificate render, Chinese text included."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer = cls._create_customer(name="華新大樓管理有限公司")
        component = cls._create_product(name="壓縮機", tracking="none")
        cls.equipment = cls._create_equipment(
            name="中央空調箱 AHU-200", months=24, components=[(component, 60)]
        )
        cls.lot = cls._create_serial(cls.equipment, "SN-RPT-1")
        cls.warranty = cls.env["aftersales.warranty"].create(
            {
                "partner_id": cls.customer.id,
                "product_id": cls.equipment.id,
                "lot_id": cls.lot.id,
                "date_delivery": date(2024, 1, 31),
            }
        )
        cls.agreement = cls.env["aftersales.agreement"].create(
            {
                "partner_id": cls.customer.id,
                "date_start": date(2024, 1, 1),
                "date_end": date(2026, 12, 31),
                "contract_ref": "工程合同 2024-018",
                "terms": "<p>保修期內因設備本身質量問題造成的損壞，免費維修或更換。</p>",
                "line_ids": [
                    Command.create({"lot_id": cls.lot.id, "service_category": "contract"})
                ],
            }
        )

    def _html(self, xmlid, records):
        html, _ = self.env["ir.actions.report"]._render_qweb_html(xmlid, records.ids)
        return html.decode()

    def test_agreement_report(self):
        html = self._html("aftersales_service.aftersales_agreement_report", self.agreement)
        for text in (
            self.agreement.name,
            "華新大樓管理有限公司",
            "工程合同 2024-018",
            "免費維修或更換",
            "SN-RPT-1",
        ):
            self.assertIn(text, html)
        self.agreement._action_sign(SIGNATURE, "王小明")
        html = self._html("aftersales_service.aftersales_agreement_report", self.agreement)
        self.assertIn("王小明", html)

    def test_warranty_certificate(self):
        html = self._html("aftersales_service.aftersales_warranty_report", self.warranty)
        for text in (self.warranty.name, "華新大樓管理有限公司", "SN-RPT-1", "壓縮機"):
            self.assertIn(text, html)

    def test_repair_request(self):
        self._create_policy()
        ticket = self._create_ticket(
            partner_id=self.customer.id,
            lot_id=self.lot.id,
            title="機房空調不製冷",
            contact_name="王小明",
            description="<p>壓縮機啟動後一分鐘內停機</p>",
            address="台北市信義路五段7號",
        )
        html = self._html("aftersales_service.aftersales_ticket_report", ticket)
        for text in (
            ticket.name,
            "機房空調不製冷",
            "王小明",
            "壓縮機啟動後一分鐘內停機",
            "SN-RPT-1",
        ):
            self.assertIn(text, html)
        pdf, kind = (
            self.env["ir.actions.report"]
            .with_context(force_report_rendering=True)
            ._render_qweb_pdf("aftersales_service.aftersales_ticket_report", ticket.ids)
        )
        self.assertEqual(kind, "pdf")
        self.assertTrue(pdf.startswith(b"%PDF"))

    def test_pdfs_render(self):
        """Real PDFs through wkhtmltopdf, with CJK text in them."""
        Report = self.env["ir.actions.report"].with_context(force_report_rendering=True)
        for xmlid, records in (
            ("aftersales_service.aftersales_agreement_report", self.agreement),
            ("aftersales_service.aftersales_warranty_report", self.warranty),
        ):
            with self.subTest(report=xmlid):
                pdf, kind = Report._render_qweb_pdf(xmlid, records.ids)
                self.assertEqual(kind, "pdf")
                self.assertTrue(pdf.startswith(b"%PDF"))
