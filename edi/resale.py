"""867 PTD loops → sell-out lines, written through `sellout.services.sellout_lines_upsert`.

Each QTY loop of a resale PTD loop is one line: reporter (see `mapping.PartnerResolver`), invoice number
(REF*IV), invoice line (LIN01 when it is a number, else the QTY loop's position in its PTD loop), date
(DTM*003, the line's or its loop's), product (LIN), quantity (QTY02), unit price (UIT02), currency (the
header CUR02, else `PRM_EDI_DEFAULT_CURRENCY`), end customer (the loop's N1 ST/BY/EN/BT/UC: name, N4 postcode
and country) and serial numbers (REF*SE).

Transfer types: SS (stock sale), CS (contract sale) and SD (ship and debit sale) are sales; DS is a
drop-shipment. A negative quantity on a resale is a return of that many units. Other transfer types (RC
received from vendor, IA inventory adjustment, RV return to vendor, …) are not resales: they are counted in the
job's summary and left aside. Sell-out lines are idempotent per reporter, invoice and line: sending them again
changes nothing, sending them corrected records a correction (the sellout app's rules).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django_countries import countries

from ingest.models import ImportBatch
from ingest.services import import_batch_open
from partners.models import Partner
from sellout.services import sellout_lines_upsert

from .mapping import PartnerResolver, ProductMatcher
from .models import EdiImport
from .x12 import Segment, X12Error
from .x867 import ResaleReport

TRANSACTION_TYPES = {"SS": "sale", "CS": "sale", "SD": "sale", "DS": "drop_ship"}
DEFAULT_CURRENCY = "USD"


def default_currency() -> str:
    return getattr(settings, "PRM_EDI_DEFAULT_CURRENCY", DEFAULT_CURRENCY)


@dataclass
class ResaleRow:
    reporter_id: int
    segment: int
    row: dict[str, Any]


def _currency(report: ResaleReport, errors: list[X12Error]) -> str:
    for segment in report.transaction.body:
        if segment.id == "CUR":
            code = segment.get(2).upper()
            if len(code) != 3 or not code.isalpha():
                errors.append(segment.error(2, "not an ISO 4217 currency code (three letters)"))
            return code
    return default_currency()


def resale_rows(
    report: ResaleReport,
    *,
    products: ProductMatcher,
    partners: PartnerResolver,
    isa: Segment,
    today: date,
    errors: list[X12Error],
    seen: dict[tuple[int, str, int], int] | None = None,
) -> tuple[list[ResaleRow], int | None]:
    """The sell-out rows of one 867, matched, and its reporting partner id (None when unknown)."""
    st = report.transaction.st
    seen = {} if seen is None else seen
    reporter = partners.reporter(report.reporter, st, isa, errors)
    currency = _currency(report, errors)
    if not report.lines and not report.skipped:
        errors.append(st.error(0, "this 867 reports no resale (no PTD loop with a QTY and LIN)"))
    rows: list[ResaleRow] = []
    for line in report.lines:
        product_id = products.match(line.product_ids, line.lin, errors)
        if line.quantity == 0:
            errors.append(line.qty.error(2, "the quantity is 0: a resale moves at least one unit"))
        if line.unit_price is None:
            errors.append(line.qty.error(0, "no unit price: add a UIT segment (UIT*EA*price) to this QTY loop"))
        elif line.unit_price != round(line.unit_price, 2):
            uit = next((s for s in report.transaction.body if s.id == "UIT" and s.number > line.qty.number), line.qty)
            errors.append(uit.error(2, "a unit price has at most 2 decimals"))
        if line.invoice_date is not None and line.invoice_date > today:
            errors.append(line.qty.error(0, f"the invoice date {line.invoice_date.isoformat()} is in the future"))
        number = int(line.line_number) if line.line_number.isdigit() and int(line.line_number) > 0 else None
        if number is None:
            errors.append(line.lin.error(1, "the invoice line (LIN01) must be a whole number, 1 or more"))
        if len(line.invoice) > 50:
            errors.append(line.qty.error(0, "the invoice number (REF*IV) has more than 50 characters"))
        if reporter is None or product_id is None or number is None or not line.invoice or line.invoice_date is None:
            continue
        key = (reporter.partner_id, line.invoice, number)
        if key in seen:
            errors.append(
                line.lin.error(
                    1, f"invoice {line.invoice} line {number} appears twice (first at segment {seen[key]:,})"
                )
            )
            continue
        seen[key] = line.lin.number
        kind = TRANSACTION_TYPES[line.transfer_type]
        if line.quantity < 0:
            kind = "return"
        customer = line.customer
        country = customer.country.upper() if customer and customer.country else ""
        if country and country not in countries:
            country = ""
        rows.append(
            ResaleRow(
                reporter.partner_id,
                line.qty.number,
                {
                    "row": line.qty.number,
                    "invoice_number": line.invoice,
                    "invoice_line": number,
                    "date": line.invoice_date,
                    "transaction_type": kind,
                    "product_id": product_id,
                    "quantity": abs(line.quantity),
                    "unit_price": (line.unit_price or Decimal("0")).quantize(Decimal("0.01")),
                    "currency": currency,
                    "sold_to_partner_id": None,
                    "sold_to_name": "",
                    "end_customer_name": customer.name[:200] if customer else "",
                    "end_customer_country": country,
                    "end_customer_postcode": (customer.postcode if customer else "")[:20],
                    "end_customer_domain": "",
                    "serials": list(line.serials),
                },
            )
        )
    return rows, reporter.partner_id if reporter else None


def write_resales(*, job: EdiImport, lines: list[ResaleRow], progress: Callable[[int], None]) -> dict[str, int]:
    """Write the sell-out lines of a clean interchange, one provenance batch per reporting partner."""
    if not lines:
        return {}
    by_reporter: dict[int, list[dict]] = defaultdict(list)
    for line in lines:
        by_reporter[line.reporter_id].append(line.row)
    counts = {"sellout_created": 0, "sellout_updated": 0, "sellout_unchanged": 0}
    done = 0
    partners = Partner.objects.in_bulk(list(by_reporter))
    for reporter_id, rows in by_reporter.items():
        batch = import_batch_open(
            kind="sellout",
            channel=ImportBatch.Channel.EDI,
            partner=partners[reporter_id],
            user=job.user,
            token=job.token,
            filename=job.filename,
            reference=f"ISA {job.sender_id} {job.control_number}",
        )
        written = sellout_lines_upsert(reporter=partners[reporter_id], rows=rows, batch=batch, user=job.user)
        for name in ("created", "updated", "unchanged"):
            counts[f"sellout_{name}"] += written.get(name, 0)
        done += len(rows)
        progress(done)
    return counts
