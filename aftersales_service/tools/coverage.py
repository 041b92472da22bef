"""The coverage decision: who pays for a repair (policy rules R6, R8, R9).

Pure rules, no ORM: the models gather the facts (the unit's warranty period,
the repaired component's own period, the agreement lines that cover the
unit) and call `decide()`.
"""

from dataclasses import dataclass

from .periods import covers

FAULT_CAUSES = ("equipment", "misuse", "external", "wear", "unknown")
CATEGORIES = ("free", "paid", "contract")
SOURCES = ("component", "warranty", "agreement", "none")

# Reason codes; the models turn them into translated sentences.
REASON_WARRANTY_DEFECT = "warranty_defect"
REASON_COMPONENT_DEFECT = "component_defect"
REASON_AGREEMENT_FREE = "agreement_free"
REASON_AGREEMENT_CONTRACT = "agreement_contract"
REASON_AGREEMENT_PAID = "agreement_paid"
REASON_NOT_DEFECT = "not_defect"
REASON_OUT_OF_WARRANTY = "out_of_warranty"
REASON_NO_WARRANTY = "no_warranty"


@dataclass(frozen=True)
class Period:
    """A covered period, both days included; `ref` identifies its record."""

    start: object
    end: object
    ref: object = None

    def covers(self, on_date):
        return covers(self.start, self.end, on_date)


@dataclass(frozen=True)
class Grant:
    """What an agreement line grants for the unit: a category over a period."""

    category: str
    start: object
    end: object
    ref: object = None

    covers = Period.covers


@dataclass(frozen=True)
class Decision:
    category: str
    source: str
    reason: str
    provisional: bool = False
    ref: object = None
    period: object = None


# Agreement categories, most favourable to the customer first.
_GRANT_ORDER = {"free": 0, "contract": 1, "paid": 2}


def decide(on_date, fault_cause, warranty=None, component=None, grants=()):
    """Decide the service category of a repair.

    :param on_date: the date of the fault (a ``date``)
    :param fault_cause: one of FAULT_CAUSES
    :param warranty: Period of the unit's warranty, or None
    :param component: Period of the repaired component's own warranty, or
        None; when given, it replaces the unit's period (R9), even when it
        covers nothing (a Period without start or end)
    :param grants: Grants of the active agreement lines covering the unit
    :return: a Decision
    """
    if fault_cause not in FAULT_CAUSES:
        raise ValueError(f"unknown fault cause {fault_cause!r}")
    provisional = fault_cause == "unknown"
    # An unknown cause is judged from the dates alone, as a defect would be,
    # until the diagnosis confirms it.
    defect = fault_cause in ("equipment", "unknown")

    period, source = (component, "component") if component is not None else (warranty, "warranty")
    in_period = period is not None and period.covers(on_date)
    if defect and in_period:
        reason = REASON_COMPONENT_DEFECT if source == "component" else REASON_WARRANTY_DEFECT
        return Decision("free", source, reason, provisional, period.ref, period)

    active = sorted(
        (g for g in grants if g.covers(on_date)), key=lambda g: _GRANT_ORDER[g.category]
    )
    for grant in active:
        if grant.category == "free" and defect:
            # The agreement extends the warranty beyond the product's.
            return Decision("free", "agreement", REASON_AGREEMENT_FREE, provisional, grant.ref)
        if grant.category == "contract":
            return Decision(
                "contract", "agreement", REASON_AGREEMENT_CONTRACT, provisional, grant.ref
            )
    if active and active[-1].category == "paid":
        return Decision("paid", "agreement", REASON_AGREEMENT_PAID, provisional, active[-1].ref)

    if not defect and in_period:
        reason = REASON_NOT_DEFECT
    elif period is not None:
        reason = REASON_OUT_OF_WARRANTY
    else:
        reason = REASON_NO_WARRANTY
    return Decision("paid", "none", reason, provisional, None, period)
