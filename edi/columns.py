"""The EDI lists' columns: what their exports write and which headers sort (core.lists)."""

from __future__ import annotations

from core.lists import ListColumn


def _sender(job) -> str | None:
    return (job.user.get_full_name() or job.user.username) if job.user else None


IMPORT_COLUMNS = (
    ListColumn("Received", "created_at", "date"),
    ListColumn("Source", "get_source_display"),
    ListColumn("File", "filename"),
    ListColumn("Partner", "partner.name"),
    ListColumn("By", _sender),
    ListColumn("Sender", "sender_id"),
    ListColumn("Control number", "control_number"),
    ListColumn("Version", "version"),
    ListColumn("Sets", "kinds"),
    ListColumn("Status", "get_status_display"),
    ListColumn("Segments", "segment_count", "count"),
    ListColumn("Errors", "error_count", "count"),
)
IMPORT_SORT_FIELDS = {
    "received": "created_at",
    "partner": "partner__name",
    "control_number": "control_number",
    "status": "status",
    "segments": "segment_count",
    "errors": "error_count",
}

ACTIVITY_COLUMNS = (
    ListColumn("Period start", "period_start", "date"),
    ListColumn("Period end", "period_end", "date"),
    ListColumn("Partner", "partner.name"),
    ListColumn("Site", "site_name"),
    ListColumn("SKU", "product.sku"),
    ListColumn("Beginning", "beginning", "count"),
    ListColumn("Received", "received", "count"),
    ListColumn("Returned", "returned", "count"),
    ListColumn("Sold", "sold", "count"),
    ListColumn("Adjustment", "adjustment", "count"),
    ListColumn("Expected ending", "expected_on_hand", "count"),
    ListColumn("Reported ending", "on_hand", "count"),
    ListColumn("Difference", "balance_difference", "count"),
    ListColumn("On order", "on_order", "count"),
)
ACTIVITY_SORT_FIELDS = {
    "period_end": "period_end",
    "partner": "partner__name",
    "site": "site_name",
    "sku": "product__sku",
    "sold": "sold",
    "difference": "balance_difference",
}

LOCATION_COLUMNS = (
    ListColumn("Qualifier", "get_qualifier_display"),
    ListColumn("Code", "code"),
    ListColumn("Partner", "partner.name"),
    ListColumn("Site", "site_name"),
    ListColumn("Active", "is_active"),
)
LOCATION_SORT_FIELDS = {"qualifier": "qualifier", "code": "code", "partner": "partner__name", "site": "site_name"}
