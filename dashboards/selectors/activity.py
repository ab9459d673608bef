"""Cheap reads of workflow rows for dashboards: indexed counts and the latest rows, never history aggregates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Count, Min, QuerySet

from accounts.models import User
from deals.models import DealEvent, DealRegistration, DealStatus
from inventory.models import InventoryReport
from partners.models import Certification, Partner
from warranty.models import WarrantyClaim

from ..forms import Scope

RECENT_ROWS = 10
RECENT_EVENTS = 15


@dataclass(frozen=True)
class QueueSummary:
    count: int
    oldest_submitted_at: datetime | None


def approval_queue_summary(*, user: Any, scope: Scope | None = None) -> QueueSummary:
    """Registrations awaiting a decision: how many and since when the oldest waits.

    One aggregate on the (status, submitted_at) index, restricted by the
    visibility rule and the partner filters of the bar.
    """
    queryset = DealRegistration.objects.visible_to(user).filter(status=DealStatus.SUBMITTED)
    if scope is not None:
        queryset = queryset.filter(**{f"partner__{k}": v for k, v in scope.partner_filters.items()})
        if scope.product_line_id:
            queryset = queryset.filter(lines__product__product_line_id=scope.product_line_id).distinct()
            row = DealRegistration.objects.filter(pk__in=queryset.values("pk")).aggregate(
                count=Count("pk"), oldest=Min("submitted_at")
            )
            return QueueSummary(row["count"], row["oldest"])
    row = queryset.aggregate(count=Count("pk"), oldest=Min("submitted_at"))
    return QueueSummary(row["count"], row["oldest"])


@dataclass
class PartnerActivity:
    """What a scorecard shows of one partner's own records: the latest rows of each kind."""

    contacts: list[User]
    certifications: list[Certification]
    deals: list[DealRegistration]
    deal_count: int
    inventory: list[InventoryReport]
    claims: list[WarrantyClaim]
    events: list[DealEvent]


def _recent(queryset: QuerySet, *order: str, limit: int = RECENT_ROWS) -> list:
    return list(queryset.order_by(*order)[:limit])


def partner_activity(*, user: Any, partner: Partner) -> PartnerActivity:
    """The latest deals, inventory rows, claims and deal events of `partner`, as `user` may see them.

    A fixed number of queries whatever the partner's history: each list is a
    LIMIT on an index that starts with the partner.
    """
    deals = DealRegistration.objects.visible_to(user).filter(partner=partner)
    return PartnerActivity(
        contacts=list(
            User.objects.filter(partner=partner, is_active=True).order_by("role", "last_name", "username")[:20]
        ),
        certifications=list(
            Certification.objects.visible_to(user)
            .filter(partner=partner)
            .select_related("product_line")
            .order_by("-earned_on")[:50]
        ),
        deals=_recent(deals.select_related("customer"), "-submitted_at", "-pk"),
        deal_count=deals.count(),
        inventory=_recent(
            InventoryReport.objects.visible_to(user).filter(partner=partner).select_related("product"),
            "-date",
            "product__sku",
        ),
        claims=_recent(
            WarrantyClaim.objects.visible_to(user).filter(partner=partner).select_related("product", "failure_code"),
            "-submitted_at",
            "-pk",
        ),
        events=_recent(
            DealEvent.objects.visible_to(user).filter(deal__partner=partner).select_related("deal", "actor"),
            "-at",
            "-pk",
            limit=RECENT_EVENTS,
        ),
    )
