"""Reading deal registrations: lists, details, the approval queue."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, Prefetch, QuerySet

from .models import DealEvent, DealLine, DealRegistration, DealStatus


def deal_list(*, user: Any) -> QuerySet[DealRegistration]:
    """Registrations the user may see, with what a list row shows joined in (constant query count)."""
    return DealRegistration.objects.visible_to(user).select_related(
        "partner", "partner__tier", "partner__region", "customer"
    )


def deal_detail_queryset(*, user: Any) -> QuerySet[DealRegistration]:
    """One registration with its lines and full history, for a detail page."""
    return (
        deal_list(user=user)
        .select_related("submitted_by", "decided_by", "partner__program", "loss_reason")
        .prefetch_related(
            Prefetch("lines", queryset=DealLine.objects.select_related("product", "product__product_line")),
            Prefetch("events", queryset=DealEvent.objects.select_related("actor")),
        )
    )


def deal_is_editable_by(*, deal: DealRegistration, user: Any) -> bool:
    """Whether the user may change the deal (a distributor's view of a reseller's deal is read-only)."""
    return DealRegistration.objects.editable_by(user).filter(pk=deal.pk).exists()


@dataclass
class ConflictingDeal:
    """A registration that overlaps the one being reviewed, or a placeholder if the manager may not see it."""

    reference: str
    reason: str
    deal: DealRegistration | None


def deal_conflicts_for_manager(*, deal: DealRegistration, user: Any) -> list[ConflictingDeal]:
    """The registrations flagged as conflicting with `deal`, side by side for a manager.

    A regional manager sees the other registration in full only if its partner
    is in one of their regions; otherwise only its reference and status.
    """
    links = list(deal.conflict_links.select_related("to_deal").order_by("to_deal__submitted_at", "to_deal_id"))
    visible = {d.pk: d for d in deal_detail_queryset(user=user).filter(pk__in=[link.to_deal_id for link in links])}
    return [
        ConflictingDeal(reference=link.to_deal.reference, reason=link.reason, deal=visible.get(link.to_deal_id))
        for link in links
    ]


def portal_deal_counts(*, user: Any) -> dict[str, int]:
    """How many of the partner's own registrations sit in each status (one query)."""
    rows = DealRegistration.objects.editable_by(user).values_list("status").annotate(n=Count("pk")).order_by()
    return dict(rows)


def deals_expiring_soon(*, user: Any, now: datetime, days: int) -> QuerySet[DealRegistration]:
    """The partner's approved registrations whose protection ends within `days`."""
    return (
        DealRegistration.objects.editable_by(user)
        .filter(status=DealStatus.APPROVED, protection_expires_at__gt=now)
        .filter(protection_expires_at__lte=now + timedelta(days=days))
        .select_related("customer")
        .order_by("protection_expires_at", "pk")
    )
