import base64
from datetime import timedelta

import odoo
from odoo import Command, fields
from odoo.tests import TransactionCase, new_test_user
from odoo.tests.common import JsonRpcException

GROUP_TECHNICIAN = "aftersales_service.aftersales_service_group_technician"
GROUP_USER = "aftersales_service.aftersales_service_group_user"
GROUP_MANAGER = "aftersales_service.aftersales_service_group_manager"
# A 1x1 PNG: a customer's signature as the signature widget sends it.
SIGNATURE_PNG = base64.b64encode(
    bytes.fromhex(
        "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4"
        "890000000d49444154789c6360f8cf000000030101006e2ed8a60000000049454e44ae426082"
    )
)


class AftersalesCommon(TransactionCase):
    """Base class of the module's tests: one user per role, a second company
    and factories. Tests never rely on demo data."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        cls.company_b = cls.env["res.company"].create({"name": "After-Sales Test Company B"})
        both = [Command.set((cls.company | cls.company_b).ids)]
        only_a = [Command.set(cls.company.ids)]

        def user(login, groups, **kw):
            kw.setdefault("company_id", cls.company.id)
            kw.setdefault("company_ids", only_a)
            return new_test_user(cls.env, login=login, groups=groups, **kw)

        # One user per role of the product brief.
        cls.user_technician = user("as_tech1", GROUP_TECHNICIAN, name="Tess Technician")
        cls.user_technician_2 = user("as_tech2", GROUP_TECHNICIAN, name="Theo Technician")
        cls.user_service = user("as_user", GROUP_USER, name="Rita Reception")
        cls.user_manager = user("as_manager", GROUP_MANAGER, name="Sam Supervisor")
        cls.user_manager_mc = user(
            "as_manager_mc", GROUP_MANAGER, name="Mia Multi-Company", company_ids=both
        )
        cls.user_admin = user(
            "as_admin", f"{GROUP_MANAGER},base.group_system", name="Ada Administrator"
        )
        cls.user_internal = user("as_internal", "base.group_user", name="Ian Internal")
        cls.user_b = user(
            "as_manager_b",
            GROUP_MANAGER,
            name="Bea Company B",
            company_id=cls.company_b.id,
            company_ids=[Command.set(cls.company_b.ids)],
        )
        cls.user_portal = user("as_portal", "base.group_portal", name="Paula Portal")
        cls.user_public = cls.env.ref("base.public_user")

        # Working hours of the tests: Mon-Fri 08:00-12:00 and 13:00-17:00 in
        # Brussels (it has both daylight-saving changes), on the companies.
        cls.calendar = cls.env["resource.calendar"].create(
            {
                "name": "After-Sales Test Hours",
                "tz": "Europe/Brussels",
                "company_id": cls.company.id,
                "attendance_ids": [
                    Command.create(
                        {
                            "name": f"{day} {period}",
                            "dayofweek": str(day),
                            "hour_from": start,
                            "hour_to": end,
                            "day_period": period,
                        }
                    )
                    for day in range(5)
                    for start, end, period in ((8, 12, "morning"), (13, 17, "afternoon"))
                ],
            }
        )
        cls.company.resource_calendar_id = cls.calendar
        cls.company.partner_id.tz = "Europe/Brussels"
        # No default fee card (demo data sets one): tests that price work
        # bring their own.
        cls.company.aftersales_fee_card_id = False

    def _count(self, func):
        """The queries `func` costs, caches cold and its writes flushed."""
        self.env.flush_all()
        self.env.invalidate_all()
        before = self.cr.sql_log_count
        func()
        self.env.flush_all()
        return self.cr.sql_log_count - before

    # ------------------------------------------------------------------
    # Factories
    # ------------------------------------------------------------------
    @classmethod
    def _create_customer(cls, **vals):
        vals = {"name": "Customer", "is_company": True, **vals}
        return cls.env["res.partner"].create(vals)

    @classmethod
    def _create_product(cls, **vals):
        """A storable, serial-tracked product, as the delivered equipment is."""
        vals = {
            "name": "Equipment",
            "type": "consu",
            "is_storable": True,
            "tracking": "serial",
            **vals,
        }
        return cls.env["product.product"].create(vals)

    @classmethod
    def _create_serial(cls, product, name="SN-0001", **vals):
        vals = {"name": name, "product_id": product.id, **vals}
        return cls.env["stock.lot"].create(vals)

    @classmethod
    def _create_equipment(cls, name="Air Handler", months=12, components=(), **vals):
        """A serial-tracked product with a warranty of `months` months and
        component warranties given as (component product, months)."""
        return cls._create_product(
            name=name,
            aftersales_warranty_duration=months,
            aftersales_warranty_unit="month",
            aftersales_component_ids=[
                Command.create({"component_id": comp.id, "warranty_duration": m})
                for comp, m in components
            ],
            **vals,
        )

    @classmethod
    def _deliver(cls, partner, product, serials, date_done=None):
        """Validate a delivery of `serials` (names, or existing stock.lot
        records) of `product` to `partner`; returns the picking."""
        warehouse = cls.env["stock.warehouse"].search(
            [("company_id", "=", cls.env.company.id)], limit=1
        )
        stock = warehouse.lot_stock_id
        lots = cls.env["stock.lot"].create([{"name": s, "product_id": product.id} for s in serials])
        for lot in lots:
            cls.env["stock.quant"]._update_available_quantity(product, stock, 1, lot_id=lot)
        picking = cls.env["stock.picking"].create(
            {
                "partner_id": partner.id,
                "picking_type_id": warehouse.out_type_id.id,
                "location_id": stock.id,
                "location_dest_id": cls.env.ref("stock.stock_location_customers").id,
                "move_ids": [
                    Command.create(
                        {
                            "name": product.name,
                            "product_id": product.id,
                            "product_uom_qty": len(lots),
                            "product_uom": product.uom_id.id,
                            "location_id": stock.id,
                            "location_dest_id": cls.env.ref("stock.stock_location_customers").id,
                        }
                    )
                ],
            }
        )
        picking.action_confirm()
        picking.action_assign()
        picking.move_ids.picked = True
        picking._action_done()
        if date_done:
            picking.date_done = date_done
        return picking

    @classmethod
    def _create_policy(cls, **vals):
        # Sequence 1: before any policy of the database (demo data included).
        vals = {
            "name": "Standard",
            "sequence": 1,
            "response_hours": 2,
            "onsite_hours": 8,
            "resolution_hours": 16,
            **vals,
        }
        return cls.env["aftersales.sla.policy"].create(vals)

    @classmethod
    def _create_ticket(cls, **vals):
        if "partner_id" not in vals and not vals.get("contact_name"):
            vals["partner_id"] = cls._create_customer().id
        vals = {"title": "No cooling", "channel": "phone", **vals}
        return cls.env["aftersales.ticket"].create(vals)

    @classmethod
    def _create_calendar_24_7(cls):
        """Working hours around the clock, in UTC (deadlines = plain hours)."""
        return cls.env["resource.calendar"].create(
            {
                "name": "24/7",
                "tz": "UTC",
                "attendance_ids": [
                    Command.create(
                        {"name": str(d), "dayofweek": str(d), "hour_from": 0, "hour_to": 24}
                    )
                    for d in range(7)
                ],
            }
        )

    @classmethod
    def _create_dispatch(cls, ticket=None, schedule=False, **vals):
        """A dispatch of `ticket` (a new one by default) for Tess Technician,
        tomorrow 09:00-11:00 UTC; scheduled when `schedule`."""
        ticket = ticket or cls._create_ticket()
        start = vals.pop("date_start", None) or fields.Datetime.now().replace(
            hour=9, minute=0, second=0, microsecond=0
        ) + timedelta(days=1)
        vals = {
            "ticket_id": ticket.id,
            "technician_id": cls.user_technician.id,
            "date_start": start,
            "date_end": start + timedelta(hours=2),
            **vals,
        }
        dispatch = cls.env["aftersales.dispatch"].create(vals)
        if schedule:
            dispatch.action_schedule()
        return dispatch

    @classmethod
    def _visit(cls, dispatch, signer="Carl Customer", outcome="fixed", finish=True, **vals):
        """Do the visit of a scheduled `dispatch` as its technician: arrive,
        record the outcome and the work (`vals`), have the customer sign,
        finish."""
        as_tech = dispatch.with_user(dispatch.technician_id)
        as_tech.action_arrive()
        as_tech.write({"outcome": outcome, "work_done": "<p>Replaced the fan.</p>", **vals})
        if dispatch.signature_required:
            as_tech.write({"signed_by": signer, "signature": SIGNATURE_PNG})
        if finish:
            as_tech.action_finish()
        return dispatch


class JsonRpcMixin:
    """JSON-RPC calls made as the test users (their password is their login),
    for an HttpCase."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Read every manifest now, in this thread: Python 3.11.7's parser can
        # fail ("AST constructor recursion depth mismatch") when two threads
        # parse at once, and the HTTP server reads them on its first request.
        assert odoo.http.root.statics

    def _call(self, model, method, *args, **kwargs):
        return self.make_jsonrpc_request(
            f"/web/dataset/call_kw/{model}/{method}",
            {"model": model, "method": method, "args": list(args), "kwargs": kwargs},
        )

    def _refused(self, model, method, *args, **kwargs):
        """The name of the error the call gives (it must give one)."""
        with self.assertRaises(JsonRpcException) as caught:
            self._call(model, method, *args, **kwargs)
        return str(caught.exception)
