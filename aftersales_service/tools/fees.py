"""Fee arithmetic of a quote and of a ticket's charges (policy rules R8, R9, R16).

Pure functions, no environment, no ORM. The models read the fee card and the
charge lines, hand them here as plain dicts and pass the currency's rounding
as a Decimal (``Decimal("0.01")`` for EUR, ``Decimal("1")`` for TWD); they own
currencies, taxes and records.

A charge line is a dict:

``kind``
    one of KINDS: call-out fee, labour hours, travel, a fixed repair price or
    a spare part;
``quantity``, ``unit_price``
    not negative; for parts the price before mark-up (cost or list price);
``markup``
    percent added to the price of a part (optional, 0 by default; ignored for
    other kinds, but never negative);
``category``
    one of CATEGORIES, decided per component (R9);
``included``
    for contract lines: True when the agreement includes it (a visit within
    the visits per year...); optional, False by default, ignored otherwise;
``reason``
    optional text shown next to the line, carried through untouched.

Free lines and included contract lines are not billed: their amount is zero,
but their `value` (what they would have cost at the same prices) is kept so
the quote can show the value of the free service.

Every amount is rounded half-up per line to the caller's rounding, then added:
totals are exact sums of rounded amounts. Numbers may be given as Decimal, int,
str or float (a float is read through its shortest repr, so 1.1 is 1.1).
"""

from decimal import ROUND_HALF_UP, Context, Decimal, InvalidOperation, localcontext

from .periods import add_months

KINDS = ("callout", "labour", "travel", "fixed", "part")
CATEGORIES = ("free", "paid", "contract")

# Working precision: wide enough that products of prices and quantities read
# from floats (17 significant digits each) are exact before rounding.
_CONTEXT = Context(prec=80)


def to_decimal(value, name="value"):
    """`value` as a finite, non-negative Decimal; ValueError otherwise."""
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value))
    except (InvalidOperation, TypeError, ValueError):
        raise ValueError(f"{name} must be a number, not {value!r}") from None
    if not number.is_finite():
        raise ValueError(f"{name} must be finite, not {value!r}")
    if number < 0:
        raise ValueError(f"{name} cannot be negative: {value!r}")
    return number


def _rounding(rounding):
    """The caller's rounding as a strictly positive Decimal."""
    step = to_decimal(rounding, "rounding")
    if not step:
        raise ValueError("rounding must be greater than zero")
    return step


def round_amount(value, rounding):
    """`value` rounded half-up (ties away from zero) to a multiple of
    `rounding`; the result carries the rounding's exponent (0.00 for 0.01)."""
    step = _rounding(rounding)
    with localcontext(_CONTEXT):
        units = (Decimal(value) / step).to_integral_value(rounding=ROUND_HALF_UP)
        return (units * step).quantize(step)


def _read(line):
    """The checked numbers of `line`: (quantity, unit_price, markup)."""
    if line.get("kind") not in KINDS:
        raise ValueError(f"unknown charge kind: {line.get('kind')!r}")
    if line.get("category") not in CATEGORIES:
        raise ValueError(f"unknown category: {line.get('category')!r}")
    for key in ("quantity", "unit_price"):
        if line.get(key) is None:
            raise ValueError(f"a charge line needs a {key}")
    quantity = to_decimal(line["quantity"], "quantity")
    unit_price = to_decimal(line["unit_price"], "unit_price")
    markup = to_decimal(line.get("markup") or 0, "markup")
    return quantity, unit_price, markup


def is_billable(line):
    """Whether the customer pays for `line`: paid lines and contract lines
    the agreement does not include; never free lines."""
    category = line.get("category")
    if category not in CATEGORIES:
        raise ValueError(f"unknown category: {category!r}")
    if category == "contract":
        return not line.get("included")
    return category == "paid"


def line_value(line, rounding):
    """What `line` costs at its prices whatever its category: quantity x
    unit_price, plus the mark-up for parts, rounded half-up to `rounding`."""
    quantity, unit_price, markup = _read(line)
    with localcontext(_CONTEXT):
        value = quantity * unit_price
        if line["kind"] == "part" and markup:
            value = value * (100 + markup) / 100
    return round_amount(value, rounding)


def line_amount(line, rounding):
    """What the customer is billed for `line`: its value when billable, zero
    (at the rounding's exponent) for free lines and included contract lines.
    The line is checked either way."""
    value = line_value(line, rounding)
    return value if is_billable(line) else value * 0


def quote(lines, rounding):
    """The quote of `lines` (charge line dicts) in the caller's rounding.

    Returns a dict:

    - ``lines``: a copy of each line with its ``amount`` (billed), its
      ``value`` (at the same prices, whatever the category) and ``billable``;
    - ``total``: the sum of the billed amounts, each rounded first;
    - ``free_total``: the value of the free service, i.e. the sum of the
      values of the lines that are not billable;
    - ``by_category``: the billed amounts per category (free is always zero,
      contract holds only what the agreement does not include); they add up
      to ``total``.
    """
    zero = _rounding(rounding) * 0
    priced = []
    by_category = dict.fromkeys(CATEGORIES, zero)
    total = free_total = zero
    for line in lines:
        value = line_value(line, rounding)
        billable = is_billable(line)
        amount = value if billable else zero
        priced.append(dict(line, amount=amount, value=value, billable=billable))
        with localcontext(_CONTEXT):
            by_category[line["category"]] += amount
            total += amount
            if not billable:
                free_total += value
    return {
        "lines": priced,
        "total": total,
        "free_total": free_total,
        "by_category": by_category,
    }


def contract_year(start, on_date):
    """The agreement year holding `on_date` for an agreement starting on
    `start`: (first day, first day of the next year). Anniversaries clamp
    like every period (an agreement from 29 Feb renews on 28 Feb). Dates
    before the start belong to the first year."""
    years = max(on_date.year - start.year, 0)
    if years and add_months(start, 12 * years) > on_date:
        years -= 1
    return add_months(start, 12 * years), add_months(start, 12 * (years + 1))


def invoice_quantity_price(quantity, amount, price_rounding):
    """Quantity and unit price for an invoice line billing exactly `amount`:
    (quantity, amount / quantity) when that unit price, rounded to
    `price_rounding` (the price's decimal places), gives back `amount`;
    else (1, amount), the caller naming the quantity in the description.
    `price_rounding` is at least as fine as the amount's (prices carry at
    least the currency's decimals)."""
    quantity = to_decimal(quantity, "quantity")
    amount = to_decimal(amount, "amount")
    step = _rounding(price_rounding)
    if quantity:
        with localcontext(_CONTEXT):
            unit = round_amount(amount / quantity, step)
            if unit * quantity == amount:
                return quantity, unit
    return Decimal(1), amount
