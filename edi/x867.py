"""What an 867 (product transfer and resale report) says, read from its segments (pure Python).

    BPT (purpose, report reference, date) · DTM 090/091 (period) · header N1 loops (the reporter) ·
    PTD loops: PTD (transfer type) · DTM 003 (invoice date) · REF IV (invoice number) · N1 ST/BY (the end
    customer; N4 its postcode and country) · QTY loops: QTY (39 shipped or 32 sold) · LIN (product) ·
    UIT (unit price) · REF SE (serial numbers) · DTM 003 (a line's own invoice date) · CTT (number of PTD,
    checked when present).

Only resale transfer types (`SALE_TRANSFERS`) become lines; the others are counted and left aside.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from .elements import (
    REPORTER_ENTITIES,
    Party,
    ProductId,
    check_ctt,
    check_unit,
    parse_date,
    parse_price,
    parse_quantity,
    party,
    product_ids,
)
from .envelope import TransactionSet
from .x12 import Segment, X12Error

CUSTOMER_ENTITIES = ("ST", "BY", "EN", "BT", "UC")
# PTD01 codes that are resales to an end customer; other transfers are read and left aside.
SALE_TRANSFERS = {"SS": "stock sale", "DS": "drop ship sale", "SD": "ship and debit sale", "CS": "contract sale"}
QTY_QUALIFIERS = {"39": "shipped", "32": "sold"}


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
                check_unit(segment, 3, errors)
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
                check_unit(segment, 1, errors)
            line.unit_price = parse_price(segment, 2, errors)
        elif sid == "CTT":
            check_ctt(segment, ptd_count, "PTD segments", errors)
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
