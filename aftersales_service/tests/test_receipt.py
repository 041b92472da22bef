"""Custody receipts (收據) for items taken back for repair (R15)."""

import io
from datetime import timedelta

from psycopg2 import IntegrityError

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, tagged
from odoo.tests.common import warmup
from odoo.tools import mute_logger
from odoo.tools.pdf import PdfFileReader

from ..models.common import internal
from .common import SIGNATURE_PNG, AftersalesCommon


class ReceiptCommon(AftersalesCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer = cls._create_customer(name="Cold Storage Ltd", email="ops@cold.example")
        cls.equipment = cls._create_product(name="Compressor Unit")
        cls.lot = cls._create_serial(cls.equipment, "SN-RCP-1")
        cls.ticket = cls._create_ticket(
            partner_id=cls.customer.id, product_id=cls.equipment.id, lot_id=cls.lot.id
        )
        cls.dispatch = cls._create_dispatch(cls.ticket, schedule=True)
        # T1 is on site: arrived, the customer signed the dispatch order.
        cls._visit(cls.dispatch, outcome="taken_back", finish=False)

    @classmethod
    def _line(cls, **vals):
        return Command.create(
            {
                "product_id": cls.equipment.id,
                "lot_id": cls.lot.id,
                "quantity": 1,
                "accessories": "Remote control, power cable",
                "condition": "Scratch on the left panel",
                **vals,
            }
        )

    @classmethod
    def _receipt_vals(cls, dispatch=None, **vals):
        dispatch = dispatch or cls.dispatch
        return {
            "dispatch_id": dispatch.id,
            "line_ids": [cls._line()],
            **vals,
        }

    def _receipt(self, user=None, dispatch=None, **vals):
        """A receipt issued by `user` (Tess Technician by default) on site."""
        Receipt = self.env["aftersales.receipt"].with_user(user or self.user_technician)
        return Receipt.create(self._receipt_vals(dispatch, **vals))

    def _sign(self, receipt, user=None, signer="Carl Customer"):
        receipt.with_user(user or self.user_technician).write(
            {"return_signed_by": signer, "return_signature": SIGNATURE_PNG}
        )


@tagged("post_install", "-at_install")
class TestReceipt(ReceiptCommon):
    # ------------------------------------------------------------------
    # Life cycle: PRE/POST of each transition
    # ------------------------------------------------------------------
    def test_life_cycle(self):
        receipt = self._receipt()
        self.env.cr.flush()  # ends the creation's tracking (precommit)
        # POST issue: numbered, on the ticket and the visit, issued by T1,
        # the customer taken from the ticket.
        self.assertEqual(receipt.state, "issued")
        self.assertRegex(receipt.name, r"^RCP/\d{4}/\d{5}$")
        self.assertEqual(receipt.ticket_id, self.ticket)
        self.assertEqual(receipt.partner_id, self.customer)
        self.assertEqual(receipt.company_id, self.company)
        self.assertEqual(receipt.issued_by_id, self.user_technician)
        self.assertEqual(receipt.technician_id, self.user_technician)
        self.assertGreater(receipt.date_due, receipt.date_issued)
        self.assertEqual(self.ticket.receipt_count, 1)
        self.assertEqual(self.dispatch.receipt_count, 1)

        as_tech = receipt.with_user(self.user_technician)
        self.assertTrue(as_tech.can_to_workshop)
        self.assertTrue(as_tech.can_return)
        self.assertFalse(as_tech.can_cancel)

        # PRE to_workshop: issued. POST: in workshop, dated; once.
        now = fields.Datetime.now()
        as_tech._action_to_workshop(now)
        self.assertEqual(receipt.state, "workshop")
        self.assertEqual(receipt.date_workshop, now)
        self.assertFalse(receipt.date_returned)
        with self.assertRaises(UserError):
            as_tech._action_to_workshop(now)
        # The state change is in the chatter.
        self.env.cr.flush()  # runs the tracking (precommit)
        self.assertTrue(
            receipt.sudo().message_ids.tracking_value_ids.filtered(
                lambda t: t.field_id.name == "state" and t.new_value_char == "In Workshop"
            )
        )

        # PRE return: in workshop (or issued) and signed for by the customer.
        with self.assertRaises(UserError):
            as_tech._action_return(now + timedelta(days=3))
        self.assertEqual(receipt.state, "workshop")
        self._sign(receipt)
        self.assertTrue(receipt.return_signed_on)
        as_tech._action_return(now + timedelta(days=3))
        # POST return: returned, dated; nothing moves any more.
        self.assertEqual(receipt.state, "returned")
        self.assertEqual(receipt.date_returned, now + timedelta(days=3))
        self.assertFalse(as_tech.can_return)
        for action in ("_action_to_workshop", "_action_return"):
            with self.assertRaises(UserError):
                getattr(as_tech, action)(now)
        with self.assertRaises(UserError):
            receipt.with_user(self.user_manager)._action_cancel()
        self.assertEqual(receipt.state, "returned")

    def test_return_from_issued(self):
        """Repaired on the spot at the workshop's counter: issued -> returned."""
        receipt = self._receipt()
        self._sign(receipt)
        receipt.with_user(self.user_technician).action_return()
        self.assertEqual(receipt.state, "returned")
        self.assertFalse(receipt.date_workshop)

    def test_cancel(self):
        receipt = self._receipt()
        # PRE cancel: issued, and a supervisor.
        with self.assertRaises(AccessError):
            receipt.with_user(self.user_technician).action_cancel()
        with self.assertRaises(AccessError):
            receipt.with_user(self.user_service).action_cancel()
        self.assertEqual(receipt.state, "issued")
        self.assertTrue(receipt.with_user(self.user_manager).can_cancel)
        receipt.with_user(self.user_manager).action_cancel()
        # POST: cancelled; it no longer holds the ticket open, and is deletable.
        self.assertEqual(receipt.state, "cancelled")
        other = self._receipt()
        other.with_user(self.user_technician).action_to_workshop()
        with self.assertRaises(UserError):
            other.with_user(self.user_manager).action_cancel()
        self.assertEqual(other.state, "workshop")

    def test_protected_fields(self):
        receipt = self._receipt()
        for vals in (
            {"state": "returned"},
            {"date_returned": fields.Datetime.now()},
            {"return_signed_on": fields.Datetime.now()},
            {"date_issued": fields.Datetime.now() - timedelta(days=30)},
            {"issued_by_id": self.user_manager.id},
        ):
            for user in (self.user_technician, self.user_manager):
                with self.subTest(vals=vals, user=user.login), self.assertRaises(UserError):
                    receipt.with_user(user).write(vals)
        self.assertEqual(receipt.state, "issued")
        self.assertFalse(receipt.return_signed_on)
        with self.assertRaises(UserError):
            self._receipt(user=self.user_manager, state="returned")
        # A receipt stays with its ticket and visit.
        other = self._create_dispatch(self.ticket)
        with self.assertRaises(UserError):
            receipt.with_user(self.user_manager).write({"dispatch_id": other.id})
        self.assertEqual(receipt.dispatch_id, self.dispatch)

    def test_lines(self):
        receipt = self._receipt()
        as_tech = receipt.with_user(self.user_technician)
        # While issued the items can be corrected.
        as_tech.write({"line_ids": [self._line(lot_id=False, quantity=2, accessories="Bag")]})
        self.assertEqual(len(receipt.line_ids), 2)
        # A receipt lists at least one item.
        with self.assertRaises(UserError):
            receipt.line_ids.with_user(self.user_technician).unlink()
        with self.assertRaises(ValidationError):
            self._receipt(line_ids=[])
        # A serial of another product is refused.
        other = self._create_serial(self._create_product(name="Fan"), "SN-FAN")
        with self.assertRaises(ValidationError):
            as_tech.write({"line_ids": [self._line(lot_id=other.id)]})
        # Once at the workshop, the list is what the customer holds: frozen.
        as_tech.action_to_workshop()
        line = receipt.line_ids[0].with_user(self.user_manager)
        with self.assertRaises(UserError):
            line.write({"condition": "Fine"})
        with self.assertRaises(UserError):
            receipt.line_ids[1].with_user(self.user_manager).unlink()
        with self.assertRaises(UserError):
            receipt.with_user(self.user_manager).write({"line_ids": [self._line()]})
        self.assertEqual(len(receipt.line_ids), 2)
        self.assertEqual(line.condition, "Scratch on the left panel")

    # ------------------------------------------------------------------
    # Numbering (R8)
    # ------------------------------------------------------------------
    def test_numbering_batch(self):
        self.customer.email = False  # no e-mail for each of the 1,000
        receipts = internal(self.env["aftersales.receipt"]).create(
            [self._receipt_vals() for _i in range(1000)]
        )
        names = receipts.mapped("name")
        self.assertEqual(len(set(names)), 1000)
        self.assertTrue(all(name.startswith("RCP/") for name in names))

    # ------------------------------------------------------------------
    # Ticket and dispatch rules (R15)
    # ------------------------------------------------------------------
    def test_ticket_cannot_close_while_out(self):
        receipt = self._receipt()
        self.dispatch.with_user(self.user_technician).action_finish()
        with self.assertRaisesRegex(UserError, receipt.name):
            self.ticket.with_user(self.user_service)._action_close("done")
        self.assertNotEqual(self.ticket.stage_kind, "closed")
        receipt.with_user(self.user_technician).action_to_workshop()
        with self.assertRaises(UserError):
            self.ticket.with_user(self.user_service)._action_close("done")
        self._sign(receipt)
        receipt.with_user(self.user_technician).action_return()
        self.ticket.with_user(self.user_service)._action_close("done")
        self.assertEqual(self.ticket.stage_kind, "closed")
        # No receipt on a closed ticket.
        with self.assertRaises(UserError):
            self._receipt(user=self.user_manager)

    def test_cancelled_receipt_does_not_block_closing(self):
        receipt = self._receipt()
        receipt.with_user(self.user_manager).action_cancel()
        # Nothing is taken back after all (a cancelled receipt is no receipt).
        as_tech = self.dispatch.with_user(self.user_technician)
        with self.assertRaises(UserError):
            as_tech.action_finish()
        as_tech.outcome = "fixed"
        as_tech.action_finish()
        self.ticket.with_user(self.user_service)._action_close("done")
        self.assertEqual(self.ticket.stage_kind, "closed")

    def test_dispatch_taken_back_needs_receipt(self):
        as_tech = self.dispatch.with_user(self.user_technician)
        with self.assertRaises(UserError):
            as_tech.action_finish()
        self.assertEqual(self.dispatch.state, "in_progress")
        self._receipt()
        as_tech.action_finish()
        self.assertEqual(self.dispatch.state, "done")

    def test_dispatch_of_another_ticket(self):
        """S3-like consistency: the visit is one of the receipt's ticket."""
        other_ticket = self._create_ticket(partner_id=self.customer.id)
        with self.assertRaises(ValidationError):
            self._receipt(user=self.user_manager, ticket_id=other_ticket.id)
        # Nor is anything taken back on a cancelled visit.
        cancelled = self._create_dispatch(self.ticket)
        cancelled.with_user(self.user_manager).action_cancel()
        with self.assertRaises(UserError):
            self._receipt(user=self.user_manager, dispatch=cancelled)

    def test_company_consistency(self):
        """A company-B product on a company-A receipt is refused (S3)."""
        product_b = self._create_product(name="B only", company_id=self.company_b.id)
        with self.assertRaises(UserError):
            self._receipt(
                user=self.user_manager,
                line_ids=[self._line(product_id=product_b.id, lot_id=False)],
            )

    # ------------------------------------------------------------------
    # Return signature
    # ------------------------------------------------------------------
    def test_signature_rules(self):
        receipt = self._receipt()
        as_tech = receipt.with_user(self.user_technician)
        # Without a name, a signature is refused.
        with self.assertRaises(UserError):
            as_tech.write({"return_signature": SIGNATURE_PNG})
        self.assertFalse(receipt.return_signature)
        self._sign(receipt)
        signed_on = receipt.return_signed_on
        self.assertTrue(signed_on)
        self.assertEqual(receipt.return_signed_by, "Carl Customer")
        # Signing twice is refused, removing the signature too.
        with self.assertRaises(UserError):
            self._sign(receipt, signer="Somebody Else")
        with self.assertRaises(UserError):
            as_tech.write({"return_signature": False})
        with self.assertRaises(UserError):
            as_tech.write({"return_signed_by": "Somebody Else"})
        self.assertEqual(receipt.return_signed_by, "Carl Customer")
        self.assertEqual(receipt.return_signed_on, signed_on)
        # Nobody dates a signature but the server.
        with self.assertRaises(UserError):
            as_tech.write({"return_signed_on": fields.Datetime.now() - timedelta(days=1)})
        # A cancelled receipt cannot be signed.
        other = self._receipt()
        other.with_user(self.user_manager).action_cancel()
        with self.assertRaises(UserError):
            self._sign(other, user=self.user_manager)

    # ------------------------------------------------------------------
    # Overdue
    # ------------------------------------------------------------------
    def test_overdue_search(self):
        now = fields.Datetime.now()
        Receipt = internal(self.env["aftersales.receipt"])
        past = {"date_issued": now - timedelta(days=20), "date_due": now - timedelta(days=5)}
        overdue = Receipt.create(self._receipt_vals(**past))
        at_workshop = Receipt.create(self._receipt_vals(**past))
        at_workshop._action_to_workshop(now - timedelta(days=10))
        returned = Receipt.create(self._receipt_vals(**past))
        self._sign(returned, user=self.user_manager)
        returned._action_return(now)
        not_due = Receipt.create(self._receipt_vals(date_due=now + timedelta(days=2)))
        mine = (overdue | at_workshop | returned | not_due).ids
        found = Receipt.search([("id", "in", mine), ("is_overdue", "=", True)])
        self.assertEqual(found, overdue | at_workshop)
        self.assertEqual(
            Receipt.search([("id", "in", mine), ("is_overdue", "=", False)]), returned | not_due
        )
        self.assertEqual(
            Receipt.search([("id", "in", mine), ("is_overdue", "!=", True)]), returned | not_due
        )
        self.assertTrue(overdue.is_overdue)
        self.assertFalse(returned.is_overdue)
        self.assertFalse(not_due.is_overdue)

    # ------------------------------------------------------------------
    # Sent to the customer at once, once (R6)
    # ------------------------------------------------------------------
    def test_mail_queued_once_on_issue(self):
        Mail = self.env["mail.mail"].sudo()
        before = Mail.search([])
        receipt = self._receipt()
        mails = Mail.search([("id", "not in", before.ids)])
        self.assertEqual(len(mails), 1)
        self.assertEqual(mails.model, "aftersales.receipt")
        self.assertEqual(mails.res_id, receipt.id)
        self.assertIn(self.customer, mails.recipient_ids)
        self.assertEqual(mails.state, "outgoing", "queued, not sent in the transaction")
        self.assertIn(receipt.name, mails.subject)
        self.assertEqual(len(mails.attachment_ids), 1)
        # The PDF (rendered as HTML in tests unless forced).
        self.assertTrue(mails.attachment_ids.name.startswith(f"Receipt - {receipt.name}."))
        self.assertEqual(mails.attachment_ids.res_model, "aftersales.receipt")
        # Moving it along sends nothing more.
        receipt.with_user(self.user_technician).action_to_workshop()
        self.assertEqual(Mail.search([("id", "not in", before.ids)]), mails)
        # The customer sees it in the chatter too.
        self.assertIn(mails.mail_message_id, receipt.message_ids)

    def test_no_mail_without_email(self):
        self.customer.email = False
        Mail = self.env["mail.mail"].sudo()
        before = Mail.search_count([])
        self._receipt()
        self.assertEqual(Mail.search_count([]), before)

    def test_action_send(self):
        receipt = self._receipt()
        action = receipt.with_user(self.user_service).action_send()
        self.assertEqual(action["res_model"], "mail.compose.message")
        ctx = action["context"]
        template = self.env.ref("aftersales_service.aftersales_receipt_mail_template")
        self.assertEqual(ctx["default_template_id"], template.id)
        self.assertEqual(ctx["default_res_ids"], receipt.ids)
        composer = Form(
            self.env["mail.compose.message"].with_user(self.user_service).with_context(**ctx)
        ).save()
        self.assertIn(receipt.name, composer.subject)
        self.assertEqual(len(composer.attachment_ids), 1)
        # The PDF (rendered as HTML in tests unless forced).
        self.assertTrue(composer.attachment_ids.name.startswith(f"Receipt - {receipt.name}."))
        self.assertIn(self.customer, composer.partner_ids)

    # ------------------------------------------------------------------
    # Bad input (D1: RPC, D2: forms)
    # ------------------------------------------------------------------
    def test_d1_rpc_bad_input(self):
        Receipt = self.env["aftersales.receipt"].with_user(self.user_technician)
        Line = self.env["aftersales.receipt.line"].sudo()
        count, lines = Receipt.sudo().search_count([]), Line.search_count([])
        cases = [
            (ValidationError, {"line_ids": [self._line(quantity=-1)]}),
            (ValidationError, {"line_ids": [self._line(quantity=0)]}),
            (ValueError, {"no_such_field": 1}),
            (ValidationError, {"line_ids": False}),
            (ValidationError, {"date_due": fields.Datetime.now() - timedelta(days=1)}),
            (ValidationError, {"date_due": "not a date"}),
            (ValueError, {"line_ids": [self._line(quantity="many")]}),
        ]
        for error, vals in cases:
            with self.subTest(vals=vals), self.assertRaises(error):
                Receipt.create(self._receipt_vals(**vals))
        self.assertEqual(Receipt.sudo().search_count([]), count)
        self.assertEqual(Line.search_count([]), lines)
        # The same rules on write, and nothing changes.
        receipt = self._receipt()
        due = receipt.date_due
        with self.assertRaises(ValidationError):
            receipt.with_user(self.user_technician).write(
                {"date_due": receipt.date_issued - timedelta(hours=1)}
            )
        with self.assertRaises(ValidationError):
            receipt.line_ids.with_user(self.user_technician).write({"quantity": -2})
        self.assertEqual(receipt.date_due, due)
        self.assertEqual(receipt.line_ids.quantity, 1)
        # And the database keeps the rules even without the checks.
        with (
            mute_logger("odoo.sql_db"),
            self.assertRaises(IntegrityError),
            self.env.cr.savepoint(),
        ):
            self.env.cr.execute(
                "UPDATE aftersales_receipt_line SET quantity = -1 WHERE id = %s",
                [receipt.line_ids.id],
            )

    def test_d2_form(self):
        form = Form(
            self.env["aftersales.receipt"]
            .with_user(self.user_technician)
            .with_context(default_dispatch_id=self.dispatch.id, default_ticket_id=self.ticket.id)
        )
        # The ticket's unit is proposed as the item taken back.
        self.assertEqual(len(form.line_ids), 1)
        with form.line_ids.edit(0) as line:
            self.assertEqual(line.product_id, self.equipment)
            self.assertEqual(line.lot_id, self.lot)
            line.quantity = -1
            line.condition = "Dent on the cover"
        with self.assertRaises(ValidationError):
            form.save()
        with form.line_ids.edit(0) as line:
            line.quantity = 1
        form.date_due = fields.Datetime.now() - timedelta(days=1)
        with self.assertRaises(ValidationError):
            form.save()
        form.date_due = fields.Datetime.now() + timedelta(days=7)
        receipt = form.save()
        self.assertEqual(receipt.state, "issued")
        self.assertEqual(receipt.line_ids.condition, "Dent on the cover")
        self.assertEqual(receipt.ticket_id, self.ticket)
        # Signing and returning through the form.
        with Form(receipt.with_user(self.user_technician)) as form:
            form.return_signed_by = "Carl Customer"
            form.return_signature = SIGNATURE_PNG
        self.assertTrue(receipt.return_signed_on)
        receipt.with_user(self.user_technician).action_return()
        self.assertEqual(receipt.state, "returned")

    # ------------------------------------------------------------------
    # R7: nothing lost
    # ------------------------------------------------------------------
    def test_r7_delete(self):
        receipt = self._receipt()
        self._sign(receipt)
        receipt.with_user(self.user_technician).action_return()
        with self.assertRaises(UserError):
            receipt.with_user(self.user_manager).unlink()
        with self.assertRaises(UserError):
            receipt.unlink()  # not even the superuser
        issued = self._receipt()
        with self.assertRaises(UserError):
            issued.with_user(self.user_manager).unlink()
        self.assertTrue(receipt.exists() and issued.exists())
        issued.with_user(self.user_manager).action_cancel()
        lines = issued.line_ids
        issued.with_user(self.user_manager).unlink()
        self.assertFalse(issued.exists() or lines.exists())

    # ------------------------------------------------------------------
    # Report (D3: Chinese text renders)
    # ------------------------------------------------------------------
    def test_report_chinese(self):
        customer = self._create_customer(name="華新大樓管理有限公司", city="台北市")
        ticket = self._create_ticket(partner_id=customer.id, address="台北市信義路五段7號")
        dispatch = self._create_dispatch(ticket, schedule=True)
        self._visit(dispatch, signer="王小明", outcome="taken_back", finish=False)
        product = self._create_product(name="中央空調箱 AHU-200")
        lot = self._create_serial(product, "SN-中-1")
        receipt = self._receipt(
            dispatch=dispatch,
            line_ids=[
                self._line(
                    product_id=product.id,
                    lot_id=lot.id,
                    accessories="遙控器、電源線",
                    condition="左側面板有刮痕",
                )
            ],
            note="維修後送回",
        )
        report = "aftersales_service.aftersales_receipt_report"
        html = self.env["ir.actions.report"]._render_qweb_html(report, receipt.ids)[0].decode()
        for text in (
            receipt.name,
            "華新大樓管理有限公司",
            "台北市信義路五段7號",
            ticket.name,
            dispatch.name,
            "中央空調箱 AHU-200",
            "SN-中-1",
            "遙控器、電源線",
            "左側面板有刮痕",
            "維修後送回",
            "Please keep this receipt",
        ):
            self.assertIn(text, html)
        self.assertNotIn('alt="Signature"', html)
        self._sign(receipt, signer="王小明")
        receipt.with_user(self.user_technician).action_return()
        html = self.env["ir.actions.report"]._render_qweb_html(report, receipt.ids)[0].decode()
        self.assertIn("王小明", html)
        self.assertIn('alt="Signature"', html)
        # The technician prints it on site.
        action = receipt.with_user(self.user_technician).action_print()
        self.assertEqual(action["report_name"], "aftersales_service.report_aftersales_receipt")

    def test_report_pdf_chinese_font(self):
        """In the real PDF the Chinese text is drawn with a CJK font (D3)."""
        Report = self.env["ir.actions.report"]
        if Report.get_wkhtmltopdf_state() != "ok":
            self.skipTest("wkhtmltopdf is not installed")
        product = self._create_product(name="中央空調箱", tracking="none")
        receipt = self._receipt(line_ids=[self._line(product_id=product.id, lot_id=False)])
        pdf, kind = Report.with_context(force_report_rendering=True)._render_qweb_pdf(
            "aftersales_service.aftersales_receipt_report", receipt.ids
        )
        self.assertEqual(kind, "pdf")
        self.assertTrue(pdf.startswith(b"%PDF"))
        self.assertIn(b"CJK", pdf)  # a Noto CJK font is embedded
        text = "".join(page.extract_text() for page in PdfFileReader(io.BytesIO(pdf)).pages)
        # (The Latin text is checked on the HTML rendering: its extraction
        # from the PDF depends on the fonts the stylesheets bring.)
        self.assertIn("中央空調箱", text)


@tagged("post_install", "-at_install")
class TestReceiptSecurity(ReceiptCommon):
    # S1: role -> operations allowed on a receipt of T1's visit, and on its
    # lines (r, w, c, u). Managers delete cancelled receipts only (R7).
    RECEIPT_MATRIX = {
        "technician": "rwc",
        "user": "rwc",
        "manager": "rwcu",
        "internal": "",
        "portal": "",
    }
    LINE_MATRIX = {
        "technician": "rwcu",
        "user": "rwcu",
        "manager": "rwcu",
        "internal": "",
        "portal": "",
    }

    def _users(self):
        return {
            "technician": self.user_technician,
            "user": self.user_service,
            "manager": self.user_manager,
            "internal": self.user_internal,
            "portal": self.user_portal,
        }

    def _try(self, func):
        try:
            with self.env.cr.savepoint():
                func()
        except AccessError:
            return False
        return True

    def test_s1_access_matrix_receipt(self):
        for role, user in self._users().items():
            allowed = self.RECEIPT_MATRIX[role]
            receipt = self._receipt()
            cancelled = self._receipt()
            cancelled.with_user(self.user_manager).action_cancel()
            as_user = receipt.with_user(user)
            ops = {
                "r": lambda r=as_user: r.read(["name", "state", "line_ids"]),
                "w": lambda r=as_user: r.write({"note": "Handle with care"}),
                "c": lambda u=user: self._receipt(user=u),
                "u": lambda c=cancelled, u=user: c.with_user(u).unlink(),
            }
            for letter, func in ops.items():
                with self.subTest(role=role, operation=letter):
                    self.assertEqual(self._try(func), letter in allowed)

    def test_s1_access_matrix_line(self):
        for role, user in self._users().items():
            allowed = self.LINE_MATRIX[role]
            receipt = self._receipt()
            receipt.write({"line_ids": [self._line(lot_id=False, accessories="Spare")]})
            line = receipt.line_ids[-1].with_user(user)
            Line = self.env["aftersales.receipt.line"].with_user(user)
            ops = {
                "r": lambda li=line: li.read(["product_id", "quantity"]),
                "w": lambda li=line: li.write({"condition": "Like new"}),
                "c": lambda r=receipt, L=Line: L.create(
                    {"receipt_id": r.id, "product_id": self.equipment.id, "quantity": 1}
                ),
                "u": lambda li=line: li.unlink(),
            }
            for letter, func in ops.items():
                with self.subTest(role=role, operation=letter):
                    self.assertEqual(self._try(func), letter in allowed)

    def test_s2_company_isolation(self):
        receipt = self._receipt()
        with self.assertRaises(AccessError):
            receipt.with_user(self.user_b).read(["name"])
        with self.assertRaises(AccessError):
            receipt.line_ids.with_user(self.user_b).read(["product_id"])
        Receipt = self.env["aftersales.receipt"]
        self.assertFalse(Receipt.with_user(self.user_b).search([("id", "=", receipt.id)]))
        # A receipt of company B, for a manager of both companies with only A
        # selected: only A's is visible.
        customer_b = self._create_customer(name="B Customer", company_id=self.company_b.id)
        ticket_b = self._create_ticket(partner_id=customer_b.id, company_id=self.company_b.id)
        receipt_b = internal(Receipt).create(
            {"ticket_id": ticket_b.id, "line_ids": [self._line(lot_id=False)]}
        )
        self.assertEqual(receipt_b.company_id, self.company_b)
        ids = (receipt | receipt_b).ids
        only_a = Receipt.with_user(self.user_manager_mc).with_context(
            allowed_company_ids=self.company.ids
        )
        self.assertEqual(only_a.search([("id", "in", ids)]), receipt)
        both = Receipt.with_user(self.user_manager_mc).with_context(
            allowed_company_ids=(self.company | self.company_b).ids
        )
        self.assertEqual(both.search([("id", "in", ids)]), receipt | receipt_b)

    def test_s4_technicians_see_their_own(self):
        receipt = self._receipt()
        t2 = self.user_technician_2
        with self.assertRaises(AccessError):
            receipt.with_user(t2).read(["name"])
        with self.assertRaises(AccessError):
            receipt.line_ids.with_user(t2).read(["product_id"])
        self.assertFalse(
            self.env["aftersales.receipt"].with_user(t2).search([("id", "=", receipt.id)])
        )
        with self.assertRaises(AccessError):
            receipt.with_user(t2).write({"note": "Mine now"})
        with self.assertRaises(AccessError):
            receipt.with_user(t2).action_to_workshop()
        # T2 cannot issue a receipt on T1's visit, nor one without a visit.
        with self.assertRaises(AccessError):
            self._receipt(user=t2)
        with self.assertRaises(AccessError):
            self.env["aftersales.receipt"].with_user(self.user_technician).create(
                {"ticket_id": self.ticket.id, "line_ids": [self._line()]}
            )
        self.assertEqual(receipt.state, "issued")
        self.assertFalse(receipt.note)
        # A helper on the visit can.
        self.dispatch.with_user(self.user_manager).helper_ids = [Command.link(t2.id)]
        self._receipt(user=t2)


@tagged("post_install", "-at_install")
class TestReceiptQueries(ReceiptCommon):
    @warmup
    def test_p1_one_create(self):
        """One receipt create (sequence, tracking, one line, rights) as the
        technician on site, without e-mail."""
        self.customer.email = False
        Receipt = self.env["aftersales.receipt"].with_user(self.user_technician)
        self.env.flush_all()
        self.env.invalidate_all()
        with self.assertQueryCount(23):
            receipt = Receipt.create(self._receipt_vals())
            self.env.flush_all()
        self.assertEqual(len(receipt.line_ids), 1)

    @warmup
    def test_p1_one_create_with_mail(self):
        """The same with the e-mail and its PDF (rendered in the test mode's
        HTML) queued for the customer."""
        Receipt = self.env["aftersales.receipt"].with_user(self.user_technician)
        self.env.flush_all()
        self.env.invalidate_all()
        with self.assertQueryCount(78):
            receipt = Receipt.create(self._receipt_vals())
            self.env.flush_all()
        self.assertEqual(len(receipt.message_ids.mail_ids), 1)
