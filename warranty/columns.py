"""The warranty lists' columns: what their exports write and which headers sort (core.lists)."""

from __future__ import annotations

from core.lists import ListColumn


def _yes_no(name: str):
    return lambda claim: "yes" if getattr(claim, name) else "no"


EXPORT_COLUMNS = (
    ListColumn("Reference", "reference"),
    ListColumn("Partner", "partner.name"),
    ListColumn("SKU", "product.sku"),
    ListColumn("Product", "product.name"),
    ListColumn("Serial", "serial_number"),
    ListColumn("Customer", "customer.name"),
    ListColumn("Failure code", "failure_code.code"),
    ListColumn("Purchased", "purchase_date", "date"),
    ListColumn("Failed", "failure_date", "date"),
    ListColumn("Claimed", "claimed_amount", "money"),
    ListColumn("Approved", "approved_amount", "money"),
    ListColumn("Currency", "currency"),
    ListColumn("Status", "get_status_display"),
    ListColumn("Out of warranty", _yes_no("out_of_warranty")),
    ListColumn("Possible duplicate", _yes_no("is_duplicate")),
    ListColumn("Submitted", "submitted_at", "date"),
    ListColumn("Decided", "decided_at", "date"),
    ListColumn("Paid", "paid_at", "date"),
)
SORT_FIELDS = {
    "reference": "reference",
    "partner": "partner__name",
    "product": "product__sku",
    "serial": "serial_number",
    "failure": "failure_code__code",
    "claimed": "claimed_amount",
    "approved": "approved_amount",
    "status": "status",
    "submitted": "submitted_at",
}
