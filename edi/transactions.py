"""What an 852 or an 867 says, read from its segments (pure Python; matching to the catalog is `mapping.py`).

852 (product activity data):
    XQ (reporting period: XQ02 start, XQ03 end, CCYYMMDD) · header N1 loops (the reporting location) ·
    LIN loops: LIN (product id pairs) · ZA (activity code, quantity, unit) · SDQ (the same quantity split by
    location) · CTT (number of LIN, checked when present).

867 (product transfer and resale report):
    BPT (purpose, report reference, date) · DTM 090/091 (period) · header N1 loops (the reporter) ·
    PTD loops: PTD (transfer type) · DTM 003 (invoice date) · REF IV (invoice number) · N1 ST/BY (the end
    customer; N4 its country) · QTY loops: QTY (39 shipped or 32 sold) · LIN (product) · UIT (unit price) ·
    REF SE (serial numbers) · DTM 003 (a line's own invoice date) · CTT (number of PTD, checked when present).

ZA activity codes are grouped into what the product stores (`ZA_CATEGORIES`); within a group the first
code listed that the LIN carries is used (QE before OH before QA for the stock on hand). Other activity codes
(QO, QI, QH, QC, …) are read and left aside.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from .envelope import TransactionSet
from .x12 import Segment, X12Error

# What the product stores → the ZA01 codes that carry it, in order of preference.
ZA_CATEGORIES: dict[str, tuple[str, ...]] = {
    "on_hand": ("QE", "OH", "QA"),
    "beginning": ("QB",),
    "sold": ("QS", "TS"),
    "received": ("QR",),
    "returned": ("QU", "RQ", "Q2"),
    "adjustment": ("QT",),
    "on_order": ("QP",),
}
CODE_CATEGORY = {code: category for category, codes in ZA_CATEGORIES.items() for code in codes}
SIGNED_CATEGORIES = ("adjustment",)  # the only quantity that may be negative
UNITS = {"", "EA", "UN", "PC"}  # each, unit, piece: the catalog counts single units
# N1 entity codes that name the reporting location in a header (SU, the supplier, is the vendor itself).
REPORTER_ENTITIES = ("RL", "DS", "BY", "ST", "WH", "SN", "FR", "RE", "WD")
CUSTOMER_ENTITIES = ("ST", "BY", "EN", "BT", "UC")
# PTD01 codes that are resales to an end customer; other transfers are read and left aside.
SALE_TRANSFERS = {"SS": "stock sale", "DS": "drop ship sale", "SD": "ship and debit sale", "CS": "contract sale"}
QTY_QUALIFIERS = {"39": "shipped", "32": "sold"}
PRODUCT_QUALIFIERS = ("VN", "VP", "BP", "IN", "MG", "SK", "UP", "UK", "EN", "N4", "UA", "UI")
_DECIMAL = re.compile(r"^-?(\d+\.?\d*|\.\d+)$")


@dataclass(frozen=True)
class Party:
    """An N1 (or SDQ) party: entity code, name, id qualifier and id, and where it was read."""

    entity: str
    name: str
    qualifier: str
    code: str
    segment: int
    segment_id: str = "N1"
    element: int = 4
    country: str = ""
    postcode: str = ""

    @property
    def key(self) -> tuple[str, str]:
        return (self.qualifier, self.code)


@dataclass(frozen=True)
class ProductId:
    qualifier: str
    value: str
    element: int  # position of the value in LIN


@dataclass
class ActivityLine:
    """One product's activity in one 852, at one location (None: the transaction set's reporting location)."""

    lin: Segment
    product_ids: tuple[ProductId, ...]
    location: Party | None
    quantities: dict[str, int] = field(default_factory=dict)
    codes: dict[str, str] = field(default_factory=dict)  # category → the ZA01 code used


@dataclass
class ActivityReport:
    """An 852: the period and who reports it, and a line per product and location."""

    transaction: TransactionSet
    start: date | None = None
    end: date | None = None
    reporter: Party | None = None
    lines: list[ActivityLine] = field(default_factory=list)
    products: list[tuple[Segment, tuple[ProductId, ...]]] = field(default_factory=list)  # every LIN


@dataclass
class ResaleLine:
    """One product resold in an 867 (a QTY loop): invoice, customer, product, quantity, price, serials."""

    qty: Segment
    lin: Segment | None
    transfer_type: str
    invoice: str
    invoice_date: date | None
    line_number: str
    customer: Party | None
    product_ids: tuple[ProductId, ...]
    quantity: int
    unit_price: Decimal | None
    serials: tuple[str, ...] = ()


@dataclass
class ResaleReport:
    """An 867: its reference, period, reporter, resale lines, and how many other transfers were left aside."""

    transaction: TransactionSet
    reference: str = ""
    report_date: date | None = None
    start: date | None = None
    end: date | None = None
    reporter: Party | None = None
    lines: list[ResaleLine] = field(default_factory=list)
    skipped: dict[str, int] = field(default_factory=dict)


def parse_date(segment: Segment, element: int, errors: list[X12Error], *, required: bool = True) -> date | None:
    """A CCYYMMDD date element; six-digit dates are refused (4010 and 5010 carry the century)."""
    text = segment.get(element)
    if not text:
        if required:
            errors.append(segment.error(element, "the date is missing"))
        return None
    if not text.isdigit() or len(text) != 8:
        errors.append(segment.error(element, "not a date in the form CCYYMMDD (eight digits)"))
        return None
    try:
        return date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        errors.append(segment.error(element, "not a calendar date"))
        return None


def parse_quantity(segment: Segment, element: int, errors: list[X12Error], *, signed: bool = False) -> int | None:
    """A whole number of units (X12 decimal, "12" or "12.0"); fractions and, unless `signed`, negatives refused."""
    text = segment.get(element)
    if not _DECIMAL.match(text):
        errors.append(segment.error(element, "not a number" if text else "the quantity is missing"))
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        errors.append(segment.error(element, "not a number"))
        return None
    if value != value.to_integral_value():
        errors.append(segment.error(element, "not a whole number of units"))
        return None
    if value < 0 and not signed:
        errors.append(segment.error(element, "negative quantity; only adjustments (QT) may be negative"))
        return None
    if abs(value) > 2_147_483_647:
        errors.append(segment.error(element, "too large (at most 2,147,483,647)"))
        return None
    return int(value)


def parse_price(segment: Segment, element: int, errors: list[X12Error]) -> Decimal | None:
    text = segment.get(element)
    if not text:
        return None
    if not _DECIMAL.match(text) or text.startswith("-"):
        errors.append(segment.error(element, "not a price: a decimal number, 0 or more"))
        return None
    value = Decimal(text)
    if value.as_tuple().exponent < -4 or value >= Decimal("10000000000"):
        errors.append(segment.error(element, "a unit price has at most 4 decimals and 10 digits before the point"))
        return None
    return value


def product_ids(lin: Segment, errors: list[X12Error]) -> tuple[ProductId, ...]:
    """The (qualifier, id) pairs of a LIN, from LIN02/LIN03 on; a LIN with none is an error."""
    found: list[ProductId] = []
    for position in range(2, len(lin.elements), 2):
        qualifier, value = lin.get(position), lin.get(position + 1)
        if not qualifier and not value:
            continue
        if not value:
            errors.append(lin.error(position + 1, f"qualifier {qualifier} is given without a product id"))
        elif not qualifier:
            errors.append(lin.error(position, f"product id {value!r} is given without a qualifier"))
        else:
            found.append(ProductId(qualifier, value, position + 1))
    if not found and not any(e.segment == lin.number for e in errors):
        errors.append(lin.error(2, "the LIN names no product: give a qualifier and id pair such as VN*SKU or UP*GTIN"))
    return tuple(found)


def party(segment: Segment) -> Party:
    return Party(segment.get(1), segment.get(2), segment.get(3), segment.get(4), segment.number)


def _unit(segment: Segment, element: int, errors: list[X12Error]) -> bool:
    unit = segment.get(element)
    if unit not in UNITS:
        errors.append(segment.error(element, f"unit {unit} cannot be counted in single units; send EA (each)"))
        return False
    return True


def _check_ctt(segment: Segment, counted: int, what: str, errors: list[X12Error]) -> None:
    stated = segment.get(1)
    if stated and not (stated.isdigit() and int(stated) == counted):
        errors.append(segment.error(1, f"CTT01 says {segment.get(1)}, the transaction set has {counted} {what}"))


# --- 852 -----------------------------------------------------------------------------------------------


def _za_quantities(za: Segment, sdq: list[Segment], errors: list[X12Error]) -> Iterator[tuple[Party | None, int]]:
    """(location, quantity) of one ZA: its own quantity at the reporting location, or its SDQ split."""
    code = za.get(1)
    signed = CODE_CATEGORY.get(code) in SIGNED_CATEGORIES
    if za.get(3):
        _unit(za, 3, errors)
    if not sdq:
        quantity = parse_quantity(za, 2, errors, signed=signed)
        if quantity is not None:
            yield None, quantity
        return
    total = 0
    split: list[tuple[Party, int]] = []
    for segment in sdq:
        _unit(segment, 1, errors)
        qualifier = segment.get(2)
        for position in range(3, len(segment.elements), 2):
            where, _ = segment.get(position), segment.get(position + 1)
            if not where:
                continue
            quantity = parse_quantity(segment, position + 1, errors, signed=signed)
            if quantity is None:
                continue
            total += quantity
            split.append((Party("SDQ", "", qualifier, where, segment.number, "SDQ", position), quantity))
    if za.get(2):
        stated = parse_quantity(za, 2, errors, signed=signed)
        if stated is not None and stated != total:
            errors.append(za.error(2, f"ZA02 says {stated}, its SDQ locations add up to {total}"))
    yield from split


def parse_852(transaction: TransactionSet) -> tuple[ActivityReport, list[X12Error]]:
    """Read an 852 into an ActivityReport; located errors for anything that cannot be read."""
    errors: list[X12Error] = []
    report = ActivityReport(transaction)
    body = transaction.body
    line_by_key: dict[tuple[int, tuple[str, str] | None], ActivityLine] = {}
    current: tuple[Segment, tuple[ProductId, ...]] | None = None
    lin_count = 0
    xq: Segment | None = None
    index = -1
    while index + 1 < len(body):
        index += 1
        segment = body[index]
        sid = segment.id
        if sid == "XQ":
            xq = segment
            report.start = parse_date(segment, 2, errors)
            report.end = parse_date(segment, 3, errors, required=False) or report.start
            if report.start and report.end and report.end < report.start:
                errors.append(segment.error(3, "the period ends before it starts (XQ02)"))
        elif sid == "N1" and current is None:
            found = party(segment)
            if found.entity in REPORTER_ENTITIES and report.reporter is None and found.code:
                report.reporter = found
        elif sid == "LIN":
            lin_count += 1
            current = (segment, product_ids(segment, errors))
            report.products.append(current)
        elif sid == "ZA":
            sdq: list[Segment] = []
            while index + 1 < len(body) and body[index + 1].id == "SDQ":
                index += 1
                sdq.append(body[index])
            if current is None:
                errors.append(segment.error(0, "ZA before any LIN: a quantity must follow the product it counts"))
                continue
            lin, ids = current
            code = segment.get(1)
            category = CODE_CATEGORY.get(code)
            if len(code) != 2:
                errors.append(segment.error(1, "the activity code (ZA01) must be two characters"))
                continue
            for location, quantity in _za_quantities(segment, sdq, errors):
                if category is None:
                    continue
                key = (lin.number, location.key if location else None)
                line = line_by_key.get(key)
                if line is None:
                    line = line_by_key[key] = ActivityLine(lin, ids, location)
                    report.lines.append(line)
                used = line.codes.get(category)
                if used == code:
                    errors.append(segment.error(1, f"{code} is reported twice for this product and location"))
                elif used is None or ZA_CATEGORIES[category].index(code) < ZA_CATEGORIES[category].index(used):
                    line.codes[category] = code
                    line.quantities[category] = quantity
        elif sid == "CTT":
            _check_ctt(segment, lin_count, "LIN segments", errors)
    if xq is None:
        errors.append(transaction.st.error(0, "the 852 has no XQ segment: its reporting period is unknown"))
    return report, errors


# --- 867 -----------------------------------------------------------------------------------------------


@dataclass
class _Ptd:
    segment: Segment
    invoice: str = ""
    invoice_date: date | None = None
    customer: Party | None = None
    lines: list[ResaleLine] = field(default_factory=list)


def parse_867(transaction: TransactionSet) -> tuple[ResaleReport, list[X12Error]]:
    """Read an 867 into a ResaleReport; located errors for anything that cannot be read."""
    errors: list[X12Error] = []
    report = ResaleReport(transaction)
    ptd: _Ptd | None = None
    line: ResaleLine | None = None
    last_party: Party | None = None
    ptd_count = 0
    loops: list[_Ptd] = []
    for segment in transaction.body:
        sid = segment.id
        if sid == "BPT":
            report.reference = segment.get(2)
            report.report_date = parse_date(segment, 3, errors, required=False)
        elif sid == "DTM" and ptd is None:
            if segment.get(1) == "090":
                report.start = parse_date(segment, 2, errors)
            elif segment.get(1) == "091":
                report.end = parse_date(segment, 2, errors)
        elif sid == "N1" and ptd is None:
            found = party(segment)
            if found.entity in REPORTER_ENTITIES and report.reporter is None and found.code:
                report.reporter = found
        elif sid == "PTD":
            ptd_count += 1
            ptd, line, last_party = _Ptd(segment), None, None
            loops.append(ptd)
        elif ptd is None:
            continue
        elif sid == "N1":
            line = None
            last_party = party(segment)
            if last_party.entity in CUSTOMER_ENTITIES and ptd.customer is None:
                ptd.customer = last_party
        elif sid == "N4" and last_party is not None and line is None:
            updated = Party(**{**last_party.__dict__, "postcode": segment.get(3), "country": segment.get(4)})
            if ptd.customer is last_party:
                ptd.customer = updated
            last_party = updated
        elif sid == "REF" and segment.get(1) == "IV":
            if line is None:
                ptd.invoice = segment.get(2)
            else:
                line.invoice = segment.get(2)
        elif sid == "REF" and segment.get(1) == "SE" and line is not None:
            line.serials = (*line.serials, segment.get(2))
        elif sid == "DTM" and segment.get(1) in ("003", "011"):
            day = parse_date(segment, 2, errors)
            if line is None:
                ptd.invoice_date = day
            else:
                line.invoice_date = day
        elif sid == "QTY":
            last_party = None
            qualifier = segment.get(1)
            if qualifier not in QTY_QUALIFIERS:
                errors.append(segment.error(1, "the quantity qualifier must be 39 (shipped) or 32 (sold)"))
            quantity = parse_quantity(segment, 2, errors, signed=True)
            if segment.get(3):
                _unit(segment, 3, errors)
            line = ResaleLine(
                qty=segment,
                lin=None,
                transfer_type=ptd.segment.get(1),
                invoice="",
                invoice_date=None,
                line_number="",
                customer=None,
                product_ids=(),
                quantity=quantity or 0,
                unit_price=None,
            )
            ptd.lines.append(line)
        elif sid == "LIN" and line is not None:
            if line.lin is not None:
                errors.append(segment.error(0, "a second LIN in the same QTY loop: each product needs its own QTY"))
                continue
            line.lin = segment
            line.product_ids = product_ids(segment, errors)
            line.line_number = segment.get(1)
        elif sid == "UIT" and line is not None:
            if segment.get(1):
                _unit(segment, 1, errors)
            line.unit_price = parse_price(segment, 2, errors)
        elif sid == "CTT":
            _check_ctt(segment, ptd_count, "PTD segments", errors)
    for loop in loops:
        _settle_ptd(loop, report, errors)
    return report, errors


def _settle_ptd(loop: _Ptd, report: ResaleReport, errors: list[X12Error]) -> None:
    """Give each line of a PTD loop the loop's invoice, date and customer, and keep the resales."""
    transfer = loop.segment.get(1)
    if not transfer:
        errors.append(loop.segment.error(1, "the product transfer type (PTD01) is missing"))
        return
    if transfer not in SALE_TRANSFERS:
        report.skipped[transfer] = report.skipped.get(transfer, 0) + len(loop.lines)
        return
    if not loop.lines:
        errors.append(loop.segment.error(0, "this PTD loop has no QTY loop: no product is reported"))
    missing: dict[str, None] = {}  # what the loop's lines lack, each said once
    for number, line in enumerate(loop.lines, start=1):
        line.invoice = line.invoice or loop.invoice
        line.invoice_date = line.invoice_date or loop.invoice_date
        line.customer = loop.customer
        line.line_number = line.line_number or str(number)
        if line.lin is None:
            errors.append(line.qty.error(0, "this QTY loop has no LIN: the product resold is unknown"))
            continue
        if not line.invoice:
            missing["no invoice number (REF*IV) for the resales of this PTD loop"] = None
        if line.invoice_date is None:
            missing["no invoice date (DTM*003) for the resales of this PTD loop"] = None
        report.lines.append(line)
    errors.extend(loop.segment.error(0, reason) for reason in missing)
