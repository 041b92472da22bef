"""Factories of the proactive-service tests (follow-ups, archives,
maintenance, trainings). Not a test module itself."""

from dateutil.relativedelta import relativedelta

from odoo import Command, fields

from odoo.addons.aftersales_service.models.common import internal

from .common import SIGNATURE_PNG, AftersalesCommon


class ProactiveCommon(AftersalesCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Dates relative to today: tickets are received now, and coverage is
        # decided on the day of the fault.
        cls.today = fields.Date.today()
        # The planning jobs of the tests see only the tests' own plans (the
        # database may hold others, demo data for one).
        cls.env["aftersales.maintenance.plan"].search([]).active = False
        internal(
            cls.env["aftersales.agreement"].search([("followup_next_date", "!=", False)])
        ).write({"followup_next_date": False})
        # Nor the follow-ups already planned there (escalated: left alone).
        internal(
            cls.env["aftersales.followup"].search(
                [("state", "=", "planned"), ("escalated", "=", False)]
            )
        ).write({"escalated": True})
        cls.start = cls.today - relativedelta(days=20)
        cls.customer = cls._create_customer(name="Brewery Ltd")
        cls.equipment = cls._create_equipment(name="Chiller", months=24)
        cls.lot = cls._create_serial(cls.equipment, "SN-CH-1")
        cls.warranty = cls.env["aftersales.warranty"].create(
            {
                "partner_id": cls.customer.id,
                "product_id": cls.equipment.id,
                "lot_id": cls.lot.id,
                "date_delivery": cls.start,
            }
        )

    @classmethod
    def _agreement(cls, customer=None, lot=None, **vals):
        customer = customer or cls.customer
        lot = lot or cls.lot
        return cls.env["aftersales.agreement"].create(
            {
                "partner_id": customer.id,
                "date_start": cls.start,
                "date_end": cls.start + relativedelta(years=1),
                "followup_interval": 1,
                "followup_unit": "month",
                "line_ids": [
                    Command.create(
                        {
                            "lot_id": lot.id,
                            "product_id": lot.product_id.id,
                            "service_category": "contract",
                        }
                    )
                ],
                **vals,
            }
        )

    @classmethod
    def _activate(cls, agreement):
        agreement.with_user(cls.user_manager)._action_sign(SIGNATURE_PNG, "Carl Customer")
        agreement.with_user(cls.user_manager).action_activate()
        return agreement

    @classmethod
    def _active_agreement(cls, **vals):
        return cls._activate(cls._agreement(**vals))

    @classmethod
    def _archive(cls, **vals):
        vals = {"partner_id": cls.customer.id, "system_name": "Cooling plant", **vals}
        return cls.env["aftersales.archive"].create(vals)
