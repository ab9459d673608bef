"""What the stored money figures leave out for want of an exchange rate, in words for pages and the API."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings

from ..models import UnconvertedAmount

KIND_NOUNS = {
    "won": ("won deal", "won deals"),
    "pipeline": ("open deal", "open deals"),
    "sellout": ("sell-out line", "sell-out lines"),
}


@dataclass(frozen=True)
class UnconvertedNote:
    currency: str
    month: date
    kind: str
    items: int
    amount: Decimal

    @property
    def text(self) -> str:
        """ "EUR amounts of March 2026 have no rate: 12 won deals, 84,000.00 EUR not included"."""
        singular, plural = KIND_NOUNS.get(self.kind, (self.kind, self.kind))
        noun = singular if self.items == 1 else plural
        return (
            f"{self.currency} amounts of {self.month:%B %Y} have no rate: {self.items:,} {noun}, "
            f"{self.amount:,.2f} {self.currency} not included"
        )


def reporting_currency() -> str:
    return settings.PRM_REPORTING_CURRENCY


def money_basis() -> str:
    """How the pages' money figures are converted, in one sentence."""
    return (
        f"Amounts in {reporting_currency()} at the rate of each deal's close date; pipeline at the rate of the "
        "period's last day (today while it runs). Amounts with no rate are left out and listed, never counted at 1.0."
    )


def unconverted_amounts(*, user: Any, start: date | None = None, end: date | None = None) -> list[UnconvertedNote]:
    """The amounts the stored figures of the months in [start, end) leave out (managers only; one query)."""
    rows = UnconvertedAmount.objects.visible_to(user)
    if start is not None:
        rows = rows.filter(month__gte=start)
    if end is not None:
        rows = rows.filter(month__lt=end)
    return [
        UnconvertedNote(r.currency, r.month, r.kind, r.items, r.amount)
        for r in rows.order_by("month", "currency", "kind")
    ]
