"""Reading inventory: every function starts from the visibility rule."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace
from typing import Any

from django.db.models import Max, QuerySet

from .filtersets import InventoryFilterSet
from .models import ImportJob, InventoryReport


def inventory_list(*, user: Any, filters: dict | None = None, request: Any = None) -> QuerySet[InventoryReport]:
    """The rows the user may see, narrowed by `InventoryFilterSet` filters, newest first."""
    queryset = InventoryReport.objects.visible_to(user).select_related("partner", "product")
    if filters:
        # The filter's choices (partners) follow the user's visibility: a caller without a request passes the user.
        request = request or SimpleNamespace(user=user)
        queryset = InventoryFilterSet(filters, queryset=queryset, request=request).qs
    return queryset.order_by("-date", "partner__name", "product__sku")


def inventory_last_report_date(*, user: Any, partner_id: int | None = None) -> date | None:
    """The latest date the user's partner (or `partner_id`, if visible) reported stock for; None if never."""
    partner_id = partner_id or getattr(user, "partner_id", None)
    queryset = InventoryReport.objects.visible_to(user)
    if partner_id:
        queryset = queryset.filter(partner_id=partner_id)
    return queryset.aggregate(last=Max("date"))["last"]


def import_job_list(*, user: Any) -> QuerySet[ImportJob]:
    """Uploads of the user's partner, newest first, without the file contents."""
    return ImportJob.objects.visible_to(user).defer("content", "errors").select_related("user")
