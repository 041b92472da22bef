"""Selections shared by several models (keys are public: integrations use them)."""

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
