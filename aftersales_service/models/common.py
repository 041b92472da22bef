"""Selections shared by several models (keys are public: integrations use them)."""

from odoo.exceptions import ValidationError

# Context marker of the module's own writes of fields that only its actions
# may set (states, signatures, voiding). An object, not a string: a JSON-RPC
# client cannot put it in the context it sends.
_INTERNAL = object()


def internal(records):
    """`records`, allowed to write their protected fields."""
    return records.with_context(aftersales_internal=_INTERNAL)


def public(records):
    """`records` without that permission (what is returned to callers)."""
    return records.with_context(aftersales_internal=False)


def is_internal(records):
    return records.env.context.get("aftersales_internal") is _INTERNAL


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
