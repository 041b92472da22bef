"""Selections shared by several models (keys are public: integrations use them)."""

from odoo.exceptions import ValidationError

PERIOD_UNITS = [
    ("day", "Days"),
    ("month", "Months"),
    ("year", "Years"),
]

START_RULES = [
    ("delivery", "Delivery"),
    ("installation", "Installation"),
    ("acceptance", "Acceptance"),
    ("invoice", "Invoice date"),
]

SERVICE_CATEGORIES = [
    ("free", "Free service"),
    ("paid", "Paid service"),
    ("contract", "Contract service"),
]

FAULT_CAUSES = [
    ("equipment", "Equipment defect"),
    ("misuse", "Misuse"),
    ("external", "External cause"),
    ("wear", "Wear"),
    ("unknown", "Unknown (to be diagnosed)"),
]


def check_date_values(records, vals):
    """Refuse malformed dates with a clear message before they reach the
    database (which would answer with a bare SQL error)."""
    for name, value in vals.items():
        field = records._fields.get(name)
        if not value or field is None or field.type not in ("date", "datetime"):
            continue
        try:
            field.convert_to_cache(value, records)
        except (ValueError, TypeError):
            raise ValidationError(
                records.env._(
                    "%(field)s: “%(value)s” is not a valid date.",
                    field=field._description_string(records.env),
                    value=value,
                )
            ) from None
