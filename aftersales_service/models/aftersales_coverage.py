from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools.misc import format_date

from ..tools import coverage, periods
from .common import FAULT_CAUSES


class AftersalesCoverage(models.AbstractModel):
    """The one place that answers "is this unit, and this component, covered,
    and how?" (R6, R8, R9). It gathers the facts from the records and leaves
    the decision to the pure rules of tools/coverage.py."""

    _name = "aftersales.coverage"
    _description = "Coverage Decision"

    @api.model
    def _reason_text(self, decision, facts):
        texts = {
            coverage.REASON_WARRANTY_DEFECT: self.env._(
                "Equipment defect within the unit's warranty (%(ref)s, until %(end)s): "
                "free repair or replacement."
            ),
            coverage.REASON_COMPONENT_DEFECT: self.env._(
                "Equipment defect within the component's own warranty (%(ref)s, until "
                "%(end)s): free repair or replacement."
            ),
            coverage.REASON_AGREEMENT_FREE: self.env._(
                "Agreement %(ref)s grants free service for this unit."
            ),
            coverage.REASON_AGREEMENT_CONTRACT: self.env._(
                "Covered by the maintenance agreement %(ref)s: contract service."
            ),
            coverage.REASON_AGREEMENT_PAID: self.env._(
                "Agreement %(ref)s lists this unit for paid service."
            ),
            coverage.REASON_NOT_DEFECT: self.env._(
                "In warranty (%(ref)s), but the fault is not an equipment defect: paid service."
            ),
            coverage.REASON_OUT_OF_WARRANTY: self.env._(
                "Outside the warranty period (%(ref)s, %(start)s to %(end)s): paid service."
            ),
            coverage.REASON_NO_WARRANTY: self.env._(
                "No warranty and no agreement covers this unit: paid service."
            ),
        }
        start, end = facts.get("start"), facts.get("end")
        text = texts[decision.reason] % {
            "ref": facts.get("ref_name") or "-",
            "start": format_date(self.env, start) if start else "-",
            "end": format_date(self.env, end) if end else "-",
        }
        if decision.provisional:
            text += " " + self.env._("Provisional: to be confirmed at diagnosis.")
        return text

    @api.model
    def _prefetch(self, requests):
        """Facts for many decisions at once, in three searches (ticket
        batches): `requests` is a list of (lot, product, partner, on_date)."""
        Warranty = self.env["aftersales.warranty"].with_context(active_test=False)
        lots = self.env["stock.lot"].union(*(r[0] for r in requests if r[0]))
        pairs = [(r[1], r[2]) for r in requests if not r[0] and r[1] and r[2]]
        partners = self.env["res.partner"].union(*(r[2] for r in requests if r[2]))
        products = self.env["product.product"].union(*(r[1] for r in requests if r[1]))
        by_lot, by_pair = {}, {}
        if lots:
            found = Warranty.search_fetch(
                [("lot_id", "in", lots.ids), ("void", "=", False)],
                ["lot_id", "product_id", "partner_id", "date_start", "date_end", "name"],
            )
            for warranty in found:
                by_lot.setdefault(warranty.lot_id, warranty)
        if pairs:
            found = Warranty.search(
                [
                    ("product_id", "in", [p.id for p, _ in pairs]),
                    ("lot_id", "=", False),
                    ("partner_id", "child_of", [p.commercial_partner_id.id for _, p in pairs]),
                    ("void", "=", False),
                ],
                order="date_end desc",
            )
            for warranty in found:
                key = (warranty.product_id, warranty.partner_id.commercial_partner_id)
                by_pair.setdefault(key, warranty)
        lines = self.env["aftersales.agreement.line"]
        dates = [r[3] for r in requests if r[3]]
        if (partners or lots) and (products or lots) and dates:
            lines = lines.search(
                [
                    "|",
                    ("partner_id", "in", partners.commercial_partner_id.ids),
                    ("lot_id", "in", lots.ids),
                    ("state", "=", "active"),
                    ("date_start", "<=", max(dates)),
                    ("date_end", ">=", min(dates)),
                    "|",
                    ("lot_id", "in", lots.ids),
                    ("product_id", "in", (products | lots.product_id).ids),
                ]
            )
        return {"by_lot": by_lot, "by_pair": by_pair, "lines": lines}

    @api.model
    def _find_warranty(self, lot=None, product=None, partner=None, cache=None):
        """The unit's warranty: by serial, else the customer's latest one of
        that product (units without a serial). Archived warranties still
        cover (archiving only hides them); void ones do not."""
        Warranty = self.env["aftersales.warranty"].with_context(active_test=False)
        if cache is not None:
            if lot:
                return cache["by_lot"].get(lot, Warranty)
            if product and partner:
                key = (product, partner.commercial_partner_id)
                return cache["by_pair"].get(key, Warranty)
            return Warranty
        if lot:
            return Warranty.search([("lot_id", "=", lot.id), ("void", "=", False)], limit=1)
        if product and partner:
            return Warranty.search(
                [
                    ("product_id", "=", product.id),
                    ("lot_id", "=", False),
                    ("partner_id", "child_of", partner.commercial_partner_id.id),
                    ("void", "=", False),
                ],
                order="date_end desc",
                limit=1,
            )
        return Warranty

    @api.model
    def _find_agreement_lines(self, on_date, lot=None, product=None, partner=None, cache=None):
        """Lines of active agreements of the customer covering the unit on that
        date. Without a known customer, only lines naming the serial itself."""
        if cache is not None:
            return cache["lines"].filtered(
                lambda line: (
                    (
                        line.partner_id == partner.commercial_partner_id
                        if partner
                        else bool(lot) and line.lot_id == lot
                    )
                    and line.state == "active"
                    and line.date_start <= on_date <= line.date_end
                    and (
                        (
                            line.lot_id == lot
                            or (not line.lot_id and line.product_id == lot.product_id)
                        )
                        if lot
                        else (bool(product) and not line.lot_id and line.product_id == product)
                    )
                )
            )
        customer = []
        if partner:
            customer = [("partner_id", "=", partner.commercial_partner_id.id)]
        elif lot:
            customer = [("lot_id", "=", lot.id)]
        else:
            return self.env["aftersales.agreement.line"]
        unit = []
        if lot:
            unit = [
                "|",
                ("lot_id", "=", lot.id),
                "&",
                ("lot_id", "=", False),
                ("product_id", "=", lot.product_id.id),
            ]
        elif product:
            unit = [("lot_id", "=", False), ("product_id", "=", product.id)]
        else:
            return self.env["aftersales.agreement.line"]
        return self.env["aftersales.agreement.line"].search(
            [
                *customer,
                ("state", "=", "active"),
                ("date_start", "<=", on_date),
                ("date_end", ">=", on_date),
                *unit,
            ]
        )

    @api.model
    def _decide(
        self,
        lot=None,
        product=None,
        partner=None,
        component=None,
        on_date=None,
        fault_cause="unknown",
        cache=None,
    ):
        """Decide the service category of a repair.

        :param lot: stock.lot of the unit (or None)
        :param product: product.product of the unit when there is no serial
        :param partner: the customer (needed without a serial, and for agreements)
        :param component: product.product of the repaired component, if any
        :param on_date: date of the fault (default: today)
        :param fault_cause: a key of FAULT_CAUSES
        :param cache: facts of `_prefetch` (to decide for many units at once)
        :return: dict with category, source, reason (text), provisional and
            the records that grant it (warranty, component line, agreement line)
        """
        if fault_cause not in dict(FAULT_CAUSES):
            raise UserError(self.env._("Unknown fault cause: %(c)s", c=fault_cause))
        lot = lot or self.env["stock.lot"]
        product = product or lot.product_id
        on_date = on_date or fields.Date.context_today(self)
        warranty = self._find_warranty(lot, product, partner, cache)
        partner = partner or warranty.partner_id
        lines = self._find_agreement_lines(on_date, lot, product, partner, cache)

        # The governing documents may set other periods (R7): an active
        # agreement line with an override replaces the product's period.
        override = lines.filtered("warranty_duration")[:1]
        warranty_period = None
        if warranty and warranty.date_start:
            end = warranty.date_end
            if override:
                end = periods.period_end(
                    warranty.date_start, override.warranty_duration, override.warranty_unit
                )
            if end:
                warranty_period = coverage.Period(warranty.date_start, end, warranty)

        component_period = None
        component_line = self.env["aftersales.warranty.component"]
        if component and warranty:
            component_line = warranty.component_ids.filtered(lambda c: c.component_id == component)[
                :1
            ]
            if component_line:
                # A listed component judges by its own period only, even when
                # it has none (a part sold without warranty): never by the unit's.
                component_period = coverage.Period(
                    component_line.date_start, component_line.date_end, component_line
                )

        grants = [
            coverage.Grant(line.service_category, line.date_start, line.date_end, line)
            for line in lines
        ]
        decision = coverage.decide(on_date, fault_cause, warranty_period, component_period, grants)
        facts = {}
        if decision.period is not None:
            period = decision.period
            facts = {"ref_name": warranty.name, "start": period.start, "end": period.end}
            if period is component_period:
                facts["ref_name"] = self.env._(
                    "%(c)s of %(w)s", c=component_line.component_id.display_name, w=warranty.name
                )
        elif decision.source == "agreement":
            facts = {"ref_name": decision.ref.agreement_id.name}
        agreement_line = decision.ref if decision.source == "agreement" else lines[:0]
        return {
            "category": decision.category,
            "source": decision.source,
            "provisional": decision.provisional,
            "reason": self._reason_text(decision, facts),
            "warranty": warranty,
            "component_line": component_line
            if decision.source == "component"
            else component_line[:0],
            "agreement_line": agreement_line,
            "agreement": agreement_line.agreement_id,
        }
