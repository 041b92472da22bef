from datetime import date, timedelta

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, HttpCase, new_test_user, tagged
from odoo.tools import mute_logger

from .common import SIGNATURE_PNG, AftersalesCommon, JsonRpcMixin
from .test_agreement import SIGNATURE


class BillingCommon(AftersalesCommon):
    """A unit out of its warranty whose compressor is still in its own
    (R9), a fee card with taxes, an accountant."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer = cls._create_customer(name="Billing Customer", email="buyer@example.com")
        Product = cls.env["product.product"]
        cls.tax = cls.env["account.tax"].create(
            {
                "name": "Service tax 10%",
                "amount": 10,
                "amount_type": "percent",
                "type_tax_use": "sale",
                "company_id": cls.company.id,
            }
        )
        service = {"type": "service", "taxes_id": [Command.set(cls.tax.ids)]}
        cls.p_callout = Product.create({"name": "Call-out fee", **service})
        cls.p_labour = Product.create({"name": "Labour", **service})
        cls.p_travel = Product.create({"name": "Travel", **service})
        cls.p_fixed = Product.create({"name": "Fan repair", **service})
        part = {"type": "consu", "taxes_id": [Command.set(cls.tax.ids)]}
        cls.compressor = Product.create({"name": "Compressor", "lst_price": 100.0, **part})
        cls.board = Product.create({"name": "Control Board", "lst_price": 60.0, **part})
        cls.equipment = cls._create_equipment(
            name="Chiller", months=12, components=[(cls.compressor, 60), (cls.board, 6)]
        )
        cls.lot = cls._create_serial(cls.equipment, "SN-BILL-1")
        cls.warranty = cls.env["aftersales.warranty"].create(
            {
                "partner_id": cls.customer.id,
                "product_id": cls.equipment.id,
                "lot_id": cls.lot.id,
                "date_delivery": date(2024, 1, 31),
            }
        )
        cls.card = cls._create_card()
        cls.company.aftersales_fee_card_id = cls.card
        cls.cash = cls.env["account.journal"].search(
            [("type", "=", "cash"), ("company_id", "=", cls.company.id)], limit=1
        )
        cls.company.write(
            {
                "aftersales_onsite_limit": 500.0,
                "aftersales_payment_journal_ids": [Command.set(cls.cash.ids)],
            }
        )
        cls.user_accountant = new_test_user(
            cls.env,
            login="as_accountant",
            groups="base.group_user,account.group_account_invoice",
            name="Abe Accountant",
            company_id=cls.company.id,
            company_ids=[Command.set(cls.company.ids)],
        )

    @classmethod
    def _create_card(cls, name="Standard prices", callout=50.0, labour=80.0, **vals):
        return cls.env["aftersales.fee.card"].create(
            {
                "name": name,
                "date_from": date(2020, 1, 1),
                "line_ids": [
                    Command.create(
                        {
                            "kind": "callout",
                            "name": "Call-out",
                            "price": callout,
                            "product_id": cls.p_callout.id,
                        }
                    ),
                    Command.create(
                        {
                            "kind": "labour",
                            "name": "Labour per hour",
                            "price": labour,
                            "product_id": cls.p_labour.id,
                        }
                    ),
                    Command.create(
                        {
                            "kind": "travel_km",
                            "name": "Travel per km",
                            "price": 1.2,
                            "product_id": cls.p_travel.id,
                        }
                    ),
                    Command.create({"kind": "parts", "name": "Spare parts", "markup": 20}),
                ],
                **vals,
            }
        )

    def _paid_ticket(self, **vals):
        vals = {
            "partner_id": self.customer.id,
            "lot_id": self.lot.id,
            "fault_cause": "equipment",
            **vals,
        }
        return self._create_ticket(**vals)

    def _acknowledge(self, ticket, user=None):
        wizard = Form(
            self.env["aftersales.ticket.quote"]
            .with_user(user or self.user_technician)
            .with_context(default_ticket_id=ticket.id, default_mode="acknowledge")
        )
        wizard.signed_by = "Carl Customer"
        wizard.signature = SIGNATURE_PNG
        wizard.save().action_confirm()

    def _repair(self, ticket, parts=(), **vals):
        """A finished visit of `ticket`: 2 h of labour, 10 km, `parts` used."""
        dispatch = self._create_dispatch(ticket, schedule=True)
        vals = {
            "labour_hours": 2.0,
            "travel_km": 10.0,
            "part_ids": [Command.create({"product_id": p.id, "quantity": 1}) for p in parts],
            **vals,
        }
        return self._visit(dispatch, **vals)


@tagged("post_install", "-at_install")
class TestQuote(BillingCommon):
    def test_paid_work_needs_the_acknowledged_quote(self):
        """R16: the customer acknowledges the quote before paid work; the
        visit cannot be finished without it."""
        ticket = self._paid_ticket()
        self.assertEqual(ticket.service_category, "paid")
        self.assertEqual(ticket.quote_status, "to_acknowledge")
        self.assertFalse(ticket.fee_card_id)
        self.assertEqual(ticket._pricing_card(), self.card)
        ticket.with_user(self.user_service).write({"estimated_hours": 1.5})
        ticket.with_user(self.user_service).action_prepare_quote()
        self.assertEqual(ticket.fee_card_id, self.card)  # the prices shown are kept
        self.assertEqual(
            [(q.kind, q.quantity, q.amount) for q in ticket.quote_line_ids],
            [("callout", 1.0, 50.0), ("labour", 1.5, 120.0)],
        )
        self.assertEqual(ticket.quote_total, 170.0)
        self.assertFalse(ticket.charge_ids)

        dispatch = self._create_dispatch(ticket, schedule=True)
        with self.assertRaisesRegex(UserError, "acknowledges the quote"):
            self._visit(dispatch, labour_hours=1.0)
        self.assertEqual(dispatch.state, "in_progress")

        # On site, the technician shows the quote; the customer signs.
        action = dispatch.with_user(self.user_technician).action_open_quote()
        self.assertEqual(action["res_model"], "aftersales.ticket.quote")
        self._acknowledge(ticket)
        self.assertEqual(ticket.quote_status, "acknowledged")
        self.assertEqual(ticket.quote_signed_by, "Carl Customer")
        self.assertEqual(ticket.quote_amount, 170.0)
        self.assertTrue(ticket.quote_signature)
        self.assertIn("acknowledged the quote", ticket.message_ids[0].body)
        # What the customer saw no longer changes.
        with self.assertRaises(UserError):
            ticket.quote_line_ids[0].with_user(self.user_service).unit_price = 1.0
        with self.assertRaises(UserError):
            ticket.with_user(self.user_service).action_prepare_quote()
        with self.assertRaises(UserError):
            ticket.with_user(self.user_manager).fee_card_id = self._create_card("Other")
        with self.assertRaises(UserError):
            self._acknowledge(ticket)
        dispatch.with_user(self.user_technician).action_finish()
        self.assertEqual(dispatch.state, "done")

    def test_acknowledgement_needs_name_and_signature(self):
        ticket = self._paid_ticket()
        self._create_dispatch(ticket, schedule=True)
        wizard = (
            self.env["aftersales.ticket.quote"]
            .with_user(self.user_technician)
            .create({"ticket_id": ticket.id, "signed_by": "Carl"})
        )
        ticket.with_user(self.user_technician).action_open_quote_wizard()
        with self.assertRaises(UserError):
            wizard.action_confirm()
        self.assertFalse(ticket.quote_acknowledged_on)

    def test_quote_fields_are_not_written_directly(self):
        ticket = self._paid_ticket()
        with self.assertRaises(UserError):
            ticket.with_user(self.user_manager).write(
                {"quote_acknowledged_on": fields.Datetime.now(), "quote_signed_by": "Me"}
            )
        self.assertFalse(ticket.quote_acknowledged_on)

    def test_technician_of_another_visit_cannot_acknowledge(self):
        """S4: the quote of a ticket is shown by the technicians of its visits."""
        ticket = self._paid_ticket()
        self._create_dispatch(ticket, schedule=True)
        with self.assertRaises(AccessError):
            ticket.with_user(self.user_technician_2)._action_acknowledge_quote(
                "Carl", SIGNATURE_PNG, fields.Datetime.now()
            )
        self.assertFalse(ticket.quote_acknowledged_on)

    def test_override_by_a_manager_with_a_reason(self):
        ticket = self._paid_ticket()
        now = fields.Datetime.now()
        with self.assertRaises(AccessError):
            ticket.with_user(self.user_service)._action_override_quote("urgent", now)
        with self.assertRaises(UserError):
            ticket.with_user(self.user_manager)._action_override_quote("  ", now)
        self.assertEqual(ticket.quote_status, "to_acknowledge")
        wizard = Form(
            self.env["aftersales.ticket.quote"]
            .with_user(self.user_manager)
            .with_context(default_ticket_id=ticket.id, default_mode="override")
        )
        wizard.reason = "Customer on the phone agreed; signs the quote on paper later."
        wizard.save().action_confirm()
        self.assertEqual(ticket.quote_status, "overridden")
        self.assertEqual(ticket.quote_override_by_id, self.user_manager)
        self.assertIn(
            ticket, self.env["aftersales.ticket"].search([("quote_status", "=", "overridden")])
        )
        dispatch = self._repair(ticket)
        self.assertEqual(dispatch.state, "done")

    def test_setting_off_and_free_work_need_no_quote(self):
        free = self._paid_ticket(component_id=self.compressor.id)
        self.assertEqual(free.service_category, "free")
        self.assertEqual(free.quote_status, "not_needed")
        self.assertEqual(self._repair(free).state, "done")
        self.company.aftersales_quote_required = False
        self.assertEqual(self._repair(self._paid_ticket()).state, "done")
        Ticket = self.env["aftersales.ticket"]
        to_ack = Ticket.search([("quote_status", "=", "to_acknowledge")])
        self.assertNotIn(free, to_ack)
        self.assertIn(free, Ticket.search([("quote_status", "!=", "to_acknowledge")]))
        self.assertIn(free, Ticket.search([("quote_status", "in", ["not_needed", "overridden"])]))

    def test_no_fee_card_no_quote(self):
        """Billing through the module starts with a fee card: without one,
        paid tickets are not held for a quote, but cannot be priced."""
        self.company.aftersales_fee_card_id = False
        ticket = self._paid_ticket()
        self.assertFalse(ticket.fee_card_id)
        self.assertEqual(ticket.quote_status, "not_needed")
        self.assertEqual(self._repair(ticket).state, "done")
        self.assertFalse(ticket.charge_ids)
        with self.assertRaisesRegex(UserError, "no fee card"):
            ticket.with_user(self.user_service).action_update_charges()

    def test_quote_report_renders(self):
        ticket = self._paid_ticket(title="Compressor noise 壓縮機異響")
        ticket.with_user(self.user_service).action_prepare_quote()
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html("aftersales_service.aftersales_ticket_quote_report", ticket.ids)[0]
            .decode()
        )
        self.assertIn("Repair Quote", html)
        self.assertIn("壓縮機異響", html)
        self.assertIn("Labour per hour", html)
        action = ticket.with_user(self.user_service).action_print_quote()
        self.assertEqual(action["report_name"], "aftersales_service.report_aftersales_ticket_quote")


@tagged("post_install", "-at_install")
class TestCharges(BillingCommon):
    def test_charges_per_component(self):
        """R9: on a unit out of warranty, the compressor in its own warranty
        is free, the control board (its warranty over) is paid; call-out,
        labour and travel follow the unit."""
        ticket = self._paid_ticket()
        self._acknowledge_as_manager(ticket)
        self._repair(ticket, parts=(self.compressor, self.board))
        rows = {
            c.kind if c.kind != "part" else c.product_id.name: (c.category, c.value, c.amount)
            for c in ticket.charge_ids
        }
        self.assertEqual(
            rows,
            {
                "callout": ("paid", 50.0, 50.0),
                "labour": ("paid", 160.0, 160.0),
                "travel": ("paid", 12.0, 12.0),
                "Compressor": ("free", 120.0, 0.0),  # 100 + 20 % mark-up, not billed
                "Control Board": ("paid", 72.0, 72.0),
            },
        )
        compressor = ticket.charge_ids.filtered(lambda c: c.product_id == self.compressor)
        self.assertIn("component's own warranty", compressor.reason)
        self.assertEqual(ticket.charge_total, 294.0)
        self.assertEqual(ticket.charge_free_value, 120.0)
        self.assertEqual(ticket.invoice_status, "to_invoice")

    def test_the_reverse_unit_in_warranty_component_out(self):
        """R9 the other way round: the unit in warranty, the control board out
        of its own: only the board is paid."""
        self.warranty.date_delivery = fields.Date.today() - timedelta(days=300)
        ticket = self._paid_ticket()
        self.assertEqual(ticket.service_category, "free")
        self._repair(ticket, parts=(self.board,))
        paid = ticket.charge_ids.filtered("billable")
        self.assertEqual(paid.product_id, self.board)
        self.assertEqual(ticket.charge_total, 72.0)
        self.assertEqual(set(ticket.charge_ids.mapped("category")), {"free", "paid"})

    def test_fixed_price_replaces_labour(self):
        self.card.line_ids = [
            Command.create(
                {
                    "kind": "fixed",
                    "name": "Board replacement, fixed price",
                    "repair_product_id": self.board.id,
                    "price": 150,
                    "product_id": self.p_fixed.id,
                }
            )
        ]
        ticket = self._paid_ticket()
        self._acknowledge_as_manager(ticket)
        self._repair(ticket, component_id=self.board.id)
        kinds = sorted(ticket.charge_ids.mapped("kind"))
        self.assertEqual(kinds, ["callout", "fixed", "travel"])
        self.assertEqual(ticket.charge_total, 50 + 150 + 12)
        # Another repair is charged by the hour, even with a fixed price that
        # names no component on the card.
        self.card.line_ids = [
            Command.create(
                {"kind": "fixed", "name": "Other", "price": 999, "product_id": self.p_fixed.id}
            )
        ]
        other = self._paid_ticket(title="Other repair")
        self._acknowledge_as_manager(other)
        self._repair(other)
        self.assertEqual(sorted(other.charge_ids.mapped("kind")), ["callout", "labour", "travel"])

    def test_update_keeps_hand_lines_and_invoiced_visits(self):
        ticket = self._paid_ticket()
        self._acknowledge_as_manager(ticket)
        self._repair(ticket)
        extra = (
            self.env["aftersales.charge"]
            .with_user(self.user_service)
            .create(
                {
                    "ticket_id": ticket.id,
                    "kind": "fixed",
                    "name": "Cleaning",
                    "product_id": self.p_fixed.id,
                    "unit_price": 30,
                }
            )
        )
        before = ticket.charge_ids - extra
        ticket.with_user(self.user_service).action_update_charges()
        self.assertIn(extra, ticket.charge_ids)
        self.assertFalse(before.exists())  # recomputed
        self.assertEqual(len(ticket.charge_ids), 4)

    def test_contract_visits_included_then_billed(self):
        """Contract service: the agreement's included visits carry no
        call-out, labour or travel; the next ones are billed at the
        agreement's own card; parts are billed unless included."""
        contract_card = self._create_card("Contract prices", callout=30.0, labour=60.0)
        agreement = self.env["aftersales.agreement"].create(
            {
                "partner_id": self.customer.id,
                "date_start": date(2026, 1, 1),
                "date_end": date(2027, 12, 31),
                "fee_card_id": contract_card.id,
                "included_visits": 1,
                "line_ids": [
                    Command.create({"lot_id": self.lot.id, "service_category": "contract"})
                ],
            }
        )
        agreement._action_sign(SIGNATURE, "Customer")
        agreement.action_activate()
        first = self._paid_ticket(fault_cause="wear")
        self.assertEqual(first.service_category, "contract")
        self.assertEqual(first._pricing_card(), contract_card)
        self._repair(first, parts=(self.board,))
        self.assertEqual(first.fee_card_id, contract_card)
        services = first.charge_ids.filtered(lambda c: c.kind != "part")
        self.assertTrue(all(services.mapped("included")))
        self.assertEqual(sum(services.mapped("amount")), 0.0)
        self.assertEqual(first.charge_total, 72.0)  # the board
        second = self._paid_ticket(fault_cause="wear", title="Again")
        self._repair(second)
        self.assertFalse(any(second.charge_ids.mapped("included")))
        self.assertEqual(second.charge_total, 30 + 2 * 60 + 12)

    def test_preventive_visits_are_the_agreements(self):
        """R6: a preventive visit of a maintenance plan under a contract is
        included even when no repair visit is, and does not use up the
        repair visits the agreement includes."""
        self.env["aftersales.maintenance.plan"].search([]).active = False
        start = fields.Date.today() - timedelta(days=30)
        agreement = self.env["aftersales.agreement"].create(
            {
                "partner_id": self.customer.id,
                "date_start": start,
                "date_end": start + timedelta(days=700),
                "included_visits": 1,
                "line_ids": [
                    Command.create({"lot_id": self.lot.id, "service_category": "contract"})
                ],
            }
        )
        agreement._action_sign(SIGNATURE, "Customer")
        agreement.action_activate()
        plan = self.env["aftersales.maintenance.plan"].create(
            {
                "name": "Quarterly inspection",
                "agreement_id": agreement.id,
                "date_start": start,
                "interval_months": 1,
                "lead_days": 0,
                "technician_id": self.user_technician.id,
            }
        )
        self.env["aftersales.maintenance.plan"]._cron_generate(date_ref=plan.next_date)
        preventive = plan.ticket_ids
        self.assertEqual(preventive.service_category, "contract")
        self.assertEqual(preventive.quote_status, "not_needed")
        dispatch = preventive.dispatch_ids
        dispatch.action_schedule()
        self._visit(dispatch, labour_hours=1.0)
        self.assertTrue(preventive.charge_ids)
        self.assertTrue(all(preventive.charge_ids.mapped("included")))
        self.assertEqual(preventive.charge_total, 0.0)
        # A repair cannot pass for a preventive visit.
        with self.assertRaises(UserError):
            self.env["aftersales.ticket"].with_user(self.user_service).create(
                {
                    "title": "Not preventive",
                    "partner_id": self.customer.id,
                    "maintenance_plan_id": plan.id,
                }
            )
        with self.assertRaises(UserError):
            preventive.with_user(self.user_manager).maintenance_plan_id = False
        # The year's one included repair visit is still there.
        repair = self._paid_ticket(fault_cause="wear", title="Repair under contract")
        self._repair(repair)
        self.assertTrue(all(repair.charge_ids.mapped("included")))
        self.assertEqual(repair.charge_total, 0.0)

    def _acknowledge_as_manager(self, ticket):
        ticket.with_user(self.user_manager)._action_override_quote(
            "Agreed by phone", fields.Datetime.now()
        )


@tagged("post_install", "-at_install")
class TestInvoicing(BillingCommon):
    def _invoiced_ticket(self):
        ticket = self._paid_ticket()
        ticket.with_user(self.user_service).action_prepare_quote()
        self._create_dispatch(ticket, schedule=True)
        self._acknowledge(ticket)
        self._repair(ticket, parts=(self.compressor, self.board))
        action = ticket.with_user(self.user_accountant).action_create_invoice()
        return ticket, self.env["account.move"].browse(action["res_id"])

    def test_mixed_invoice(self):
        """One invoice with the paid lines billed, the free compressor at zero
        with its reason, taxes from the products, links both ways."""
        ticket, invoice = self._invoiced_ticket()
        self.assertEqual(invoice.move_type, "out_invoice")
        self.assertEqual(invoice.state, "draft")
        self.assertEqual(invoice.partner_id, self.customer)
        self.assertEqual(invoice.aftersales_ticket_ids, ticket)
        self.assertEqual(ticket.invoice_ids, invoice)
        lines = invoice.invoice_line_ids.filtered(lambda line: line.display_type == "product")
        self.assertEqual(len(lines), 5)
        self.assertEqual(invoice.amount_untaxed, 294.0)
        self.assertEqual(invoice.amount_tax, 29.4)
        self.assertTrue(all(line.tax_ids == self.tax for line in lines))
        free = lines.filtered(lambda line: line.product_id == self.compressor)
        self.assertEqual(free.price_subtotal, 0.0)
        self.assertIn("Free", free.name)
        self.assertIn("component's own warranty", free.name)
        section = invoice.invoice_line_ids.filtered(
            lambda line: line.display_type == "line_section"
        )
        self.assertIn(ticket.name, section.name)
        self.assertEqual(ticket.invoice_status, "invoiced")
        self.assertTrue(all(ticket.charge_ids.mapped("invoiced")))
        Ticket = self.env["aftersales.ticket"]
        self.assertIn(ticket, Ticket.search([("invoice_status", "=", "invoiced")]))
        self.assertNotIn(ticket, Ticket.search([("invoice_status", "!=", "invoiced")]))
        self.assertNotIn(
            ticket, Ticket.search([("invoice_status", "in", ["to_invoice", "nothing"])])
        )
        self.assertEqual(ticket.charge_ids.invoice_line_id, lines)
        # From the invoice, back to the ticket.
        back = invoice.with_user(self.user_accountant).action_view_aftersales_tickets()
        self.assertEqual(back["res_id"], ticket.id)

    def test_no_double_invoicing(self):
        ticket, _invoice = self._invoiced_ticket()
        moves = self.env["account.move"].search_count([])
        with self.assertRaisesRegex(UserError, "Nothing to invoice"):
            ticket.with_user(self.user_accountant).action_create_invoice()
        self.assertEqual(self.env["account.move"].search_count([]), moves)
        # Invoiced charges are frozen and kept.
        with self.assertRaises(UserError):
            ticket.charge_ids[0].with_user(self.user_service).unit_price = 1.0
        with self.assertRaises(UserError):
            ticket.charge_ids[0].with_user(self.user_manager).unlink()
        with self.assertRaises(UserError):
            ticket.charge_ids[0].with_user(self.user_manager).invoice_line_id = False
        # A ticket with invoices is never deleted (R7).
        with self.assertRaises(UserError):
            ticket.sudo()._unlink_except_invoiced()

    def test_credit_note_reverses_the_status(self):
        ticket, invoice = self._invoiced_ticket()
        invoice.action_post()
        self.assertEqual(ticket.invoice_status, "invoiced")
        reversal = (
            self.env["account.move.reversal"]
            .with_user(self.user_accountant)
            .with_context(active_model="account.move", active_ids=invoice.ids)
            .create({"reason": "Wrong price", "journal_id": invoice.journal_id.id})
        )
        reversal.refund_moves()
        refund = invoice.reversal_move_ids
        self.assertEqual(refund.aftersales_ticket_ids, ticket)
        self.assertEqual(ticket.invoice_status, "invoiced")  # a draft credit note is nothing yet
        refund.action_post()
        self.assertEqual(ticket.invoice_status, "to_invoice")
        self.assertFalse(any(ticket.charge_ids.mapped("invoiced")))
        action = ticket.with_user(self.user_accountant).action_create_invoice()
        self.assertEqual(ticket.invoice_status, "invoiced")
        self.assertEqual(len(ticket.invoice_ids), 3)  # invoice, credit note, new invoice
        self.assertIn(action["res_id"], ticket.invoice_ids.ids)

    def test_cancelled_invoice_frees_the_charges(self):
        ticket, invoice = self._invoiced_ticket()
        invoice.button_cancel()
        self.assertEqual(ticket.invoice_status, "to_invoice")

    def test_free_ticket_is_not_invoiced(self):
        ticket = self._paid_ticket(component_id=self.compressor.id)
        self._repair(ticket, parts=(self.compressor,))
        self.assertEqual(ticket.charge_total, 0.0)
        self.assertEqual(ticket.invoice_status, "nothing")
        with self.assertRaisesRegex(UserError, "Nothing to invoice"):
            ticket.with_user(self.user_accountant).action_create_invoice()

    def test_several_tickets_of_one_customer(self):
        self.company.aftersales_quote_required = False
        first, second = self._paid_ticket(), self._paid_ticket(title="Second")
        self._repair(first)
        self._repair(second)
        tickets = first | second
        action = tickets.with_user(self.user_accountant).action_create_invoice()
        invoice = self.env["account.move"].browse(action["res_id"])
        self.assertEqual(invoice.aftersales_ticket_ids, tickets)
        self.assertEqual(invoice.amount_untaxed, 2 * (50 + 160 + 12))
        sections = invoice.invoice_line_ids.filtered(
            lambda line: line.display_type == "line_section"
        )
        self.assertEqual(len(sections), 2)
        other = self._paid_ticket(partner_id=self._create_customer(name="Other").id)
        self._repair(other)
        third = self._paid_ticket(title="Third")
        self._repair(third)
        with self.assertRaisesRegex(UserError, "one customer"):
            (third | other).with_user(self.user_accountant).action_create_invoice()
        self.assertEqual(third.invoice_status, "to_invoice")

    def test_free_lines_left_out_by_setting(self):
        self.company.aftersales_invoice_free_lines = False
        _ticket, invoice = self._invoiced_ticket()
        products = invoice.invoice_line_ids.product_id
        self.assertNotIn(self.compressor, products)
        self.assertEqual(invoice.amount_untaxed, 294.0)

    def test_accounting_menu(self):
        """Accountants find the tickets to invoice in Accounting."""
        menu = self.env.ref("aftersales_service.aftersales_ticket_menu_to_invoice")
        for user, visible in ((self.user_accountant, True), (self.user_technician, False)):
            with self.subTest(user=user.login):
                menus = self.env["ir.ui.menu"].with_user(user)._visible_menu_ids()
                self.assertEqual(menu.id in menus, visible)

    def test_only_invoicing_users_invoice(self):
        self.company.aftersales_quote_required = False
        ticket = self._paid_ticket()
        self._repair(ticket)
        for user in (self.user_technician, self.user_manager):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                ticket.with_user(user).action_create_invoice()
        self.assertEqual(ticket.invoice_status, "to_invoice")
        # Accountants find it in Accounting.
        found = (
            self.env["aftersales.ticket"]
            .with_user(self.user_accountant)
            .search([("invoice_status", "=", "to_invoice")])
        )
        self.assertIn(ticket, found)
        with self.assertRaises(AccessError):
            ticket.with_user(self.user_accountant).write({"title": "changed"})


@tagged("post_install", "-at_install")
class TestOnsitePayment(BillingCommon):
    def _finished(self, parts=()):
        self.company.aftersales_quote_required = False
        ticket = self._paid_ticket()
        dispatch = self._repair(ticket, parts=parts)
        return ticket, dispatch

    def _collect(self, dispatch, user=None, amount=None, journal=None):
        wizard = Form(
            self.env["aftersales.onsite.payment"]
            .with_user(user or self.user_technician)
            .with_context(default_dispatch_id=dispatch.id)
        )
        wizard.journal = str((journal or self.cash).id)
        if amount is not None:
            wizard.amount = amount
        return wizard.save().action_confirm()

    def test_small_amount_collected_on_site(self):
        """R16: the technician records the payment; the invoice is posted,
        paid, reconciled and e-mailed through the mail queue."""
        ticket, dispatch = self._finished(parts=(self.compressor,))
        self.assertTrue(dispatch.with_user(self.user_technician).can_collect)
        self._collect(dispatch)
        invoice = ticket.invoice_ids
        self.assertEqual(invoice.state, "posted")
        self.assertEqual(invoice.amount_total, round(222 * 1.1, 2))
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))
        self.assertTrue(
            invoice.line_ids.filtered(
                lambda line: line.account_type == "asset_receivable"
            ).reconciled
        )
        self.assertEqual(ticket.invoice_status, "invoiced")
        self.assertEqual(dispatch.amount_collected, 244.2)
        self.assertTrue(dispatch.collected_on)
        mail = self.env["mail.mail"].search(
            [("model", "=", "account.move"), ("res_id", "=", invoice.id)]
        )
        self.assertEqual(len(mail), 1)
        self.assertEqual(mail.state, "outgoing")  # queued: sent once, after the commit (R6)
        self.assertIn(self.customer, mail.recipient_ids)
        self.assertIn("collected on site", ticket.message_ids[0].body)
        # Technicians still have no access to Accounting.
        with self.assertRaises(AccessError):
            invoice.with_user(self.user_technician).check_access("read")
        with self.assertRaises(UserError):
            self._collect(dispatch)

    def test_refusals_change_nothing(self):
        ticket, dispatch = self._finished()
        other_journal = self.env["account.journal"].search(
            [("type", "=", "bank"), ("company_id", "=", self.company.id)], limit=1
        )
        Payment = self.env["aftersales.onsite.payment"].with_user(self.user_technician)
        cases = [
            (
                Payment.create(
                    {"dispatch_id": dispatch.id, "journal": str(self.cash.id), "amount": 100}
                ),
                UserError,
            ),
        ]
        for wizard, error in cases:
            with self.assertRaises(error):
                wizard.action_confirm()
        with self.assertRaises(UserError):
            ticket.with_user(self.user_technician)._action_collect_onsite(
                other_journal, 222.0, fields.Datetime.now()
            )
        with self.assertRaises(AccessError):
            self._collect(dispatch, user=self.user_technician_2)
        self.company.aftersales_onsite_limit = 100.0
        with self.assertRaisesRegex(UserError, "above the on-site limit"):
            self._collect(dispatch)
        self.assertFalse(ticket.invoice_ids)
        self.assertFalse(dispatch.amount_collected)
        self.assertEqual(ticket.invoice_status, "to_invoice")


@tagged("post_install", "-at_install")
class TestBillingSafety(BillingCommon):
    def test_bad_charge_values(self):
        ticket = self._paid_ticket()
        Charge = self.env["aftersales.charge"].with_user(self.user_service)
        base = {
            "ticket_id": ticket.id,
            "kind": "labour",
            "name": "x",
            "product_id": self.p_labour.id,
        }
        for bad in ({"quantity": -1}, {"unit_price": -5}, {"markup": -1}):
            with self.subTest(bad=bad), self.assertRaises(ValidationError):
                Charge.create({**base, **bad})
        self.assertFalse(Charge.search([("ticket_id", "=", ticket.id)]))
        with self.assertRaises(ValueError):
            Charge.create({**base, "category": "gratis"})

    def test_company_consistency(self):
        """S3: a company-B fee card is refused on a company-A ticket."""
        card_b = (
            self.env["aftersales.fee.card"]
            .with_company(self.company_b)
            .create(
                {
                    "name": "B prices",
                    "company_id": self.company_b.id,
                    "currency_id": self.company_b.currency_id.id,
                }
            )
        )
        ticket = self._paid_ticket()
        with self.assertRaises(UserError):
            ticket.with_user(self.user_manager_mc).fee_card_id = card_b
        self.assertFalse(ticket.fee_card_id)

    def test_technicians_read_only_their_tickets_charges(self):
        """S4."""
        self.company.aftersales_quote_required = False
        ticket = self._paid_ticket()
        self._repair(ticket)
        Charge = self.env["aftersales.charge"]
        self.assertEqual(
            Charge.with_user(self.user_technician).search([("ticket_id", "=", ticket.id)]),
            ticket.charge_ids,
        )
        self.assertFalse(
            Charge.with_user(self.user_technician_2).search([("ticket_id", "=", ticket.id)])
        )
        with self.assertRaises(AccessError):
            ticket.charge_ids[0].with_user(self.user_technician).unit_price = 0.0

    def test_forms_open_for_each_role(self):
        """The billing parts of the forms load for the roles that use them:
        the technician's ticket and dispatch, the accountant's ticket."""
        self.company.aftersales_quote_required = False
        ticket = self._paid_ticket()
        dispatch = self._repair(ticket, parts=(self.board,))
        form = Form(ticket.with_user(self.user_technician))
        self.assertEqual(form.invoice_status, "to_invoice")
        self.assertEqual(len(form.charge_ids), 4)
        form = Form(dispatch.with_user(self.user_technician))
        self.assertTrue(form.can_collect)
        form = Form(
            ticket.with_user(self.user_accountant),
            view="aftersales_service.aftersales_ticket_view_form_billing",
        )
        self.assertEqual(form.charge_total, 50 + 160 + 12 + 72)
        tickets = self.env["aftersales.ticket"].with_user(self.user_accountant)
        result = tickets.web_search_read(
            [("invoice_status", "=", "to_invoice")],
            {
                "name": {},
                "commercial_partner_id": {"fields": {"display_name": {}}},
                "charge_total": {},
            },
        )
        self.assertIn(ticket.id, [r["id"] for r in result["records"]])

    def test_totals_and_status_over_many_tickets(self):
        """P5: the totals and statuses of many tickets cost a few queries."""
        card = self.card
        tickets = self.env["aftersales.ticket"].create(
            [{"title": f"T{i}", "partner_id": self.customer.id} for i in range(300)]
        )
        self.env["aftersales.charge"].create(
            [
                {
                    "ticket_id": t.id,
                    "kind": "labour",
                    "name": "Labour",
                    "product_id": self.p_labour.id,
                    "unit_price": 80,
                    "quantity": 1,
                    "currency_id": card.currency_id.id,
                }
                for t in tickets
                for _ in range(2)
            ]
        )

        def read():
            tickets.read(["charge_total", "charge_free_value", "invoice_status", "quote_status"])

        self.assertLessEqual(self._count(read), 5)
        self.assertEqual(set(tickets.mapped("charge_total")), {160.0})


@tagged("post_install", "-at_install")
class TestBillingRpc(BillingCommon, JsonRpcMixin, HttpCase):
    """S7 and D1 over JSON-RPC."""

    def _finished_ticket(self):
        self.company.aftersales_quote_required = False
        ticket = self._paid_ticket()
        self._repair(ticket)
        return ticket

    def _state(self, ticket):
        ticket.invalidate_recordset()
        return (
            ticket.quote_status,
            ticket.invoice_status,
            ticket.charge_ids.ids,
            ticket.invoice_ids.ids,
        )

    @mute_logger("odoo.http")
    def test_private_methods_refused(self):
        ticket = self._finished_ticket()
        before = self._state(ticket)
        self.authenticate("as_manager", "as_manager")
        now = "2030-01-01 10:00:00"
        calls = [
            ("_action_acknowledge_quote", "Carl", SIGNATURE_PNG.decode(), now),
            ("_action_override_quote", "because", now),
            ("_action_collect_onsite", self.cash.id, 244.2, now),
            ("_create_invoice",),
            ("_update_charges",),
            ("_prepare_quote",),
        ]
        for method, *args in calls:
            with self.subTest(method=method):
                error = self._refused("aftersales.ticket", method, ticket.ids, *args)
                self.assertEqual(error, "odoo.exceptions.AccessError")
        self.assertEqual(self._state(ticket), before)

    @mute_logger("odoo.http")
    def test_public_actions_check_their_group(self):
        ticket = self._finished_ticket()
        before = self._state(ticket)
        self.authenticate("as_tech1", "as_tech1")
        for method in ("action_create_invoice", "action_prepare_quote", "action_update_charges"):
            with self.subTest(method=method):
                error = self._refused("aftersales.ticket", method, ticket.ids)
                self.assertEqual(error, "odoo.exceptions.AccessError")
        self.assertEqual(self._state(ticket), before)

    @mute_logger("odoo.http", "odoo.sql_db")
    def test_bad_charge_input(self):
        """D1: bad values give a clean error and leave no row."""
        ticket = self._finished_ticket()
        self.authenticate("as_user", "as_user")
        base = {
            "ticket_id": ticket.id,
            "kind": "labour",
            "name": "Extra",
            "product_id": self.p_labour.id,
        }
        bad = [
            {"quantity": -1},
            {"unit_price": -0.01},
            {"unit_price": "a lot"},
            {"category": "gratis"},
            {"kind": "bribe"},
            {"no_such_field": 1},
            {"invoice_line_id": 1},
        ]
        charges = ticket.charge_ids
        for vals in bad:
            with self.subTest(vals=vals):
                self._refused("aftersales.charge", "create", [{**base, **vals}])
        self.assertEqual(
            self.env["aftersales.charge"].search([("ticket_id", "=", ticket.id)]), charges
        )
        error = self._refused(
            "aftersales.charge", "write", charges[:1].ids, {"invoice_line_id": False}
        )
        self.assertEqual(error, "odoo.exceptions.UserError")
