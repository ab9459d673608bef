"""The inventory lists' columns: what their exports write and which headers sort (core.lists)."""

from __future__ import annotations

from core.lists import ListColumn

INVENTORY_COLUMNS = (
    ListColumn("Date", "date", "date"),
    ListColumn("Partner", "partner.name"),
    ListColumn("SKU", "product.sku"),
    ListColumn("Product", "product.name"),
    ListColumn("On hand", "on_hand", "count"),
    ListColumn("Units sold", "units_sold", "count"),
    ListColumn("On order", "on_order", "count"),
    ListColumn("Source", "get_source_display"),
)
INVENTORY_SORT_FIELDS = {
    "date": "date",
    "partner": "partner__name",
    "sku": "product__sku",
    "product": "product__name",
    "on_hand": "on_hand",
    "units_sold": "units_sold",
    "on_order": "on_order",
    "source": "source",
}


def _uploader(job) -> str | None:
    return (job.user.get_full_name() or job.user.username) if job.user else None


IMPORT_JOB_COLUMNS = (
    ListColumn("Uploaded", "created_at", "date"),
    ListColumn("File", "filename"),
    ListColumn("Partner", "partner.name"),
    ListColumn("By", _uploader),
    ListColumn("Status", "get_status_display"),
    ListColumn("Rows", "total_rows", "count"),
    ListColumn("Valid", "valid_rows", "count"),
    ListColumn("Errors", "error_count", "count"),
    ListColumn("Created", "created_count", "count"),
    ListColumn("Replaced", "updated_count", "count"),
)
IMPORT_JOB_SORT_FIELDS = {
    "uploaded": "created_at",
    "file": "filename",
    "partner": "partner__name",
    "status": "status",
    "rows": "total_rows",
    "errors": "error_count",
}
