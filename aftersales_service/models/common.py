"""Selections shared by several models (keys are public: integrations use them)."""

import threading
import time
from collections import defaultdict

from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL

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


def assign_numbers(model, vals_list, code):
    """Give the `vals_list` without a number ("/") the next numbers of the
    sequence `code` of their company, fetched in one query for a whole batch
    when the sequence allows it (quality bar R8)."""
    todo = [vals for vals in vals_list if vals.get("name", "/") == "/"]
    by_company = defaultdict(list)
    for vals in todo:
        by_company[vals.get("company_id") or model.env.company.id].append(vals)
    for company_id, company_vals in by_company.items():
        Sequence = model.env["ir.sequence"].sudo().with_company(company_id)
        sequence = Sequence.search_fetch(
            [("code", "=", code), ("company_id", "in", [company_id, False])],
            ["implementation", "use_date_range", "prefix", "suffix", "padding"],
            order="company_id",
            limit=1,
        )
        if not sequence:
            raise UserError(model.env._("The sequence %(code)s is missing.", code=code))
        if sequence.implementation == "standard" and not sequence.use_date_range:
            model.env.cr.execute(
                SQL(
                    "SELECT nextval(%s) FROM generate_series(1, %s)",
                    f"ir_sequence_{sequence.id:03d}",
                    len(company_vals),
                )
            )
            numbers = [row[0] for row in model.env.cr.fetchall()]
            for vals, number in zip(company_vals, numbers, strict=True):
                vals["name"] = sequence.get_next_char(number)
        else:
            for vals in company_vals:
                vals["name"] = sequence._next()


def computed_in(records, vals):
    """The names in `vals` of stored values the module computes (coverage,
    summaries, related copies): never written by a client."""
    return {
        name
        for name in vals
        if (field := records._fields.get(name)) and field.compute and field.readonly
    }


def state_label(record):
    """The state of `record` as the user reads it (translated)."""
    return record._fields["state"].convert_to_export(record.state, record)


def negative_in(vals, names, strict=False):
    """The first of `names` whose number in `vals` is negative (or zero when
    `strict`), checked before the database's CHECK so the user gets a clear
    message. Values that are not numbers are left to Odoo's conversion."""
    for name in names:
        value = vals.get(name)
        if isinstance(value, (int, float)) and (value <= 0 if strict else value < 0):
            return name
    return None


def ends_before_start(records, vals, start="date_start", end="date_end", strict=False):
    """Whether writing `vals` on `records` (or creating them, when empty)
    would end one before it starts (or at its start, when `strict`)."""
    if not {start, end} & set(vals):
        return False
    field = records._fields[start]
    for record in records or [records.browse()]:
        begin = field.convert_to_cache(vals.get(start, record[start]), record)
        finish = field.convert_to_cache(vals.get(end, record[end]), record)
        if begin and finish and (finish <= begin if strict else finish < begin):
            return True
    return False


def run_in_batches(model, where, order, process, batch_size, time_budget, count_left=None):
    """The loop of the module's crons (R2-R5): lock the next `batch_size`
    rows of `model`'s table matching `where` (an SQL), in `order`, skipping
    rows locked by users; `process(batch)` writes their marker; commit per
    batch (not in tests); stop when none are left or after `time_budget`
    seconds, the rest left for the next run. Reports the progress, with
    `count_left()` when something was done, and returns the rows done."""
    model = model.browse()
    testing = getattr(threading.current_thread(), "testing", False)
    stop_at = time.monotonic() + time_budget
    done = 0
    while True:
        model.flush_model()
        model.env.cr.execute(
            SQL(
                "SELECT id FROM %s WHERE %s ORDER BY %s LIMIT %s FOR UPDATE SKIP LOCKED",
                SQL.identifier(model._table),
                where,
                order,
                batch_size,
            )
        )
        ids = [row[0] for row in model.env.cr.fetchall()]
        if not ids:
            break
        process(model.browse(ids))
        done += len(ids)
        if not testing:
            model.env.cr.commit()  # pylint: disable=invalid-commit
        if len(ids) < batch_size or time.monotonic() > stop_at:
            break
    remaining = 0
    if done and count_left:
        model.flush_model()  # the batch's markers, for a count in SQL
        remaining = count_left()
    model.env["ir.cron"]._notify_progress(done=done, remaining=remaining)
    return done
