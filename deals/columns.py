"""The deal lists' columns: what their exports write and which headers sort (core.lists)."""

from __future__ import annotations

from core.lists import ListColumn

EXPORT_COLUMNS = (
    ListColumn("Reference", "reference"),
    ListColumn("Partner", "partner.name"),
    ListColumn("Tier", "partner.tier.name"),
    ListColumn("Region", "partner.region.name"),
    ListColumn("Customer", "customer.name"),
    ListColumn("Customer domain", "customer.domain"),
    ListColumn("Type", "get_deal_type_display"),
    ListColumn("Amount", "amount", "money"),
    ListColumn("Currency", "currency"),
    ListColumn("Status", "get_status_display"),
    ListColumn("Conflict", lambda deal: "yes" if deal.has_conflict else "no"),
    ListColumn("Source", "get_source_display"),
    ListColumn("Submitted", "submitted_at", "date"),
    ListColumn("Expected close", "expected_close_date", "date"),
    ListColumn("Protected until", "protection_expires_at", "date"),
    ListColumn("Closed", "closed_at", "date"),
    ListColumn("Loss reason", "loss_reason_label"),
    ListColumn("Loss details", "loss_note"),
)

# Header key → field path. "submitted", "amount", "close" and "reference" are also the API's ordering names.
SORT_FIELDS = {
    "reference": "reference",
    "partner": "partner__name",
    "tier": "partner__tier__rank",
    "region": "partner__region__name",
    "customer": "customer__name",
    "type": "deal_type",
    "amount": "amount",
    "status": "status",
    "submitted": "submitted_at",
    "close": "expected_close_date",
    "protected": "protection_expires_at",
    "loss_reason": "loss_reason__position",
}
