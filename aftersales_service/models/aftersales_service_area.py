from odoo import api, fields, models


class AftersalesServiceArea(models.Model):
    """Where a technician works: states or provinces, and postcode prefixes
    (R11: the supervisor sends someone who covers the customer's area)."""

    _name = "aftersales.service.area"
    _description = "Service Area"
    _order = "name"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one("res.company", index=True, default=lambda self: self.env.company)
    state_ids = fields.Many2many("res.country.state", string="States / Provinces")
    zip_prefixes = fields.Char(
        string="Postcode Prefixes",
        help="Comma-separated beginnings of postcodes, e.g. 10, 11, 2030.",
    )

    def _prefixes(self):
        return [
            prefix.strip()
            for area in self
            for prefix in (area.zip_prefixes or "").split(",")
            if prefix.strip()
        ]

    @api.model
    def _covers(self, areas, partner):
        """Whether one of `areas` covers the address of `partner`."""
        if not areas or not partner:
            return False
        if partner.state_id and partner.state_id in areas.state_ids:
            return True
        zip_code = (partner.zip or "").replace(" ", "")
        return bool(zip_code) and any(zip_code.startswith(p) for p in areas._prefixes())
