"""The rate list's columns: what its export writes and which headers sort (core.lists)."""

from __future__ import annotations

from core.lists import ListColumn

RATE_COLUMNS = (
    ListColumn("Currency", "currency"),
    ListColumn("Date", "date", "date"),
    ListColumn("Granularity", "get_granularity_display"),
    ListColumn("Rate", "rate"),
    ListColumn("Source", "get_source_display"),
    ListColumn("Updated", "updated_at", "date"),
)
RATE_SORT_FIELDS = {
    "currency": "currency",
    "date": "date",
    "granularity": "granularity",
    "rate": "rate",
    "source": "source",
}
