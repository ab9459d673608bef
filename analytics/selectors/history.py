"""Where the recorded history of what a user sees begins: the first day with a deal, a stock report or a claim.

Monthly figures before that day are zeros because nothing was recorded yet, and the month it falls in is
only partly recorded; trend lines leave such months out instead of drawing them as a drop.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.cache import cache
from django.db.models import Min

from deals.models import DealRegistration
from inventory.models import InventoryReport
from warranty.models import WarrantyClaim

CACHE_SECONDS = 3600


def history_start(user: Any) -> date | None:
    """The first day with a deal registration, stock report or warranty claim the user may see (None: none).

    Computed over the rows the visibility rule lets the user read, and cached per user for an hour: the day
    only moves when older records are imported, and the minimum is a scan the pages should not repeat.
    """
    key = f"analytics:history-start:{user.pk}"
    cached = cache.get(key)
    if cached is not None:
        return cached or None
    days = [
        DealRegistration.objects.visible_to(user).aggregate(first=Min("submitted_at"))["first"],
        InventoryReport.objects.visible_to(user).aggregate(first=Min("date"))["first"],
        WarrantyClaim.objects.visible_to(user).aggregate(first=Min("submitted_at"))["first"],
    ]
    found = [d.date() if hasattr(d, "date") else d for d in days if d is not None]
    first = min(found) if found else None
    cache.set(key, first or "", CACHE_SECONDS)
    return first
