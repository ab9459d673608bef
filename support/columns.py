"""The ticket lists' columns: what their exports write and which headers sort (core.lists)."""

from __future__ import annotations

from django.utils import timezone

from core.lists import ListColumn

from . import sla


def _breached(ticket) -> str:
    return "yes" if sla.is_breached(ticket, now=timezone.now()) else "no"


EXPORT_COLUMNS = (
    ListColumn("Reference", "reference"),
    ListColumn("Partner", "partner.name"),
    ListColumn("Origin", "get_origin_display"),
    ListColumn("Customer", "customer_name"),
    ListColumn("SKU", "product.sku"),
    ListColumn("Serial", "serial_number"),
    ListColumn("Category", "category.code"),
    ListColumn("Severity", "get_severity_display"),
    ListColumn("Subject", "subject"),
    ListColumn("Status", "get_status_display"),
    ListColumn("Opened", "opened_at", "date"),
    ListColumn("First response", "first_response_at", "date"),
    ListColumn("Resolution due", "resolution_due_at", "date"),
    ListColumn("Resolved", "resolved_at", "date"),
    ListColumn("Closed", "closed_at", "date"),
    ListColumn("Reopened", "reopen_count", "count"),
    ListColumn("SLA breached", _breached),
)
SORT_FIELDS = {
    "reference": "reference",
    "partner": "partner__name",
    "product": "product__sku",
    "category": "category__name",
    "severity": "severity",
    "status": "status",
    "opened": "opened_at",
    "due": "resolution_due_at",
    "activity": "last_activity_at",
}
