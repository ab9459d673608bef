"""The sell-out lists' columns: what their exports write and which headers sort (core.lists)."""

from __future__ import annotations

from core.lists import ListColumn

LINE_COLUMNS = (
    ListColumn("Date", "date", "date"),
    ListColumn("Reporter", "reporter.name"),
    ListColumn("Invoice", "invoice_number"),
    ListColumn("Line", "invoice_line", "count"),
    ListColumn("Type", "get_transaction_type_display"),
    ListColumn("SKU", "product.sku"),
    ListColumn("Product", "product.name"),
    ListColumn("Quantity", "quantity", "count"),
    ListColumn("Signed quantity", "signed_quantity", "count"),
    ListColumn("Unit price", "unit_price", "money"),
    ListColumn("Currency", "currency"),
    ListColumn("Sold to", "sold_to_name"),
    ListColumn("End customer", "end_customer_name"),
    ListColumn("Country", lambda line: line.end_customer_country.code or None),
    ListColumn("Postcode", "end_customer_postcode"),
    ListColumn("Domain", "end_customer_domain"),
    ListColumn("End customer match", "get_customer_match_display"),
    ListColumn("Source", "get_source_display"),
    ListColumn("Revision", "revision", "count"),
)
LINE_SORT_FIELDS = {
    "date": "date",
    "reporter": "reporter__name",
    "invoice": "invoice_number",
    "type": "transaction_type",
    "sku": "product__sku",
    "quantity": "quantity",
    "unit_price": "unit_price",
    "currency": "currency",
    "end_customer": "end_customer_name",
    "revision": "revision",
}


def _person(user) -> str | None:
    return (user.get_full_name() or user.username) if user else None


BATCH_COLUMNS = (
    ListColumn("Received", "created_at", "date"),
    ListColumn("Channel", "get_channel_display"),
    ListColumn("Partner", "partner.name"),
    ListColumn("File or reference", lambda b: b.filename or b.reference or None),
    ListColumn("By", lambda b: _person(b.user)),
    ListColumn("Token", lambda b: b.token.name if b.token_id else None),
    ListColumn("Created", "created_count", "count"),
    ListColumn("Corrected", "updated_count", "count"),
    ListColumn("Unchanged", "unchanged_count", "count"),
    ListColumn("Reverted", "reverted_at", "date"),
)
BATCH_SORT_FIELDS = {
    "received": "created_at",
    "channel": "channel",
    "partner": "partner__name",
    "created": "created_count",
    "updated": "updated_count",
    "reverted": "reverted_at",
}

UPLOAD_COLUMNS = (
    ListColumn("Uploaded", "created_at", "date"),
    ListColumn("File", "filename"),
    ListColumn("By", lambda job: _person(job.user)),
    ListColumn("Status", "get_status_display"),
    ListColumn("Rows", "total_rows", "count"),
    ListColumn("Valid", "valid_rows", "count"),
    ListColumn("Errors", "error_count", "count"),
    ListColumn("Created", "created_count", "count"),
    ListColumn("Corrected", "updated_count", "count"),
    ListColumn("Reverted", lambda job: job.batch.reverted_at if job.batch_id else None, "date"),
)
UPLOAD_SORT_FIELDS = {"uploaded": "created_at", "file": "filename", "status": "status", "rows": "total_rows"}

CANDIDATE_COLUMNS = (
    ListColumn("Name", "name"),
    ListColumn("Domain", "domain"),
    ListColumn("Country", lambda c: c.country.code or None),
    ListColumn("Postcode", "postcode"),
    ListColumn("Lines", "line_count", "count"),
    ListColumn("Status", "get_status_display"),
    ListColumn("Customer", "customer.name"),
)
CANDIDATE_SORT_FIELDS = {"name": "name", "domain": "domain", "lines": "line_count", "status": "status"}


def _unknown(value):
    return value  # None stays an empty cell: "not known", never 0


RECONCILIATION_COLUMNS = (
    ListColumn("Month", lambda r: r.month.strftime("%Y-%m")),
    ListColumn("Distributor", "distributor.name"),
    ListColumn("Reseller", "reseller.name"),
    ListColumn("SKU", "product.sku"),
    ListColumn("Sold to reseller", "distributor_units", "count"),
    ListColumn("Sold by other distributors", "other_distributors_units", "count"),
    ListColumn("Stock change", lambda r: _unknown(r.stock_change), "count"),
    ListColumn("Units sold (stock)", "stock_sold", "count"),
    ListColumn("Sell-out", lambda r: _unknown(r.reseller_sellout), "count"),
    ListColumn("Received (stock)", lambda r: _unknown(r.received_by_stock), "count"),
    ListColumn("Received (sell-out)", lambda r: _unknown(r.received_by_sellout), "count"),
    ListColumn("Exception", lambda r: "; ".join(r.exception_reasons) or None),
)
