"""Scheduled deal changes: protection expiry and expiry warnings.

Both scheduled jobs are idempotent: each deal is changed under a row lock and
the filter excludes what was already done, so a second run changes nothing.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from core.events import emit

from .models import DealEvent, DealRegistration, DealStatus
from .notices import notify_partner, payload

BATCH = 200


def _batches(ids: list[int]):
    for start in range(0, len(ids), BATCH):
        yield ids[start : start + BATCH]


def deals_expire(*, now: datetime | None = None) -> int:
    """Expire approved registrations whose protection has ended; returns how many.

    Rule: status approved and protection_expires_at <= now → expired. Won, lost
    and every other status are never touched. Each batch is one transaction.
    """
    now = now or timezone.now()
    due = DealRegistration.objects.filter(status=DealStatus.APPROVED, protection_expires_at__lte=now)
    ids = list(due.order_by("pk").values_list("pk", flat=True))
    count = 0
    for chunk in _batches(ids):
        with transaction.atomic():
            deals = list(
                due.filter(pk__in=chunk).select_for_update(of=("self",)).select_related("customer").order_by("pk")
            )
            for deal in deals:
                deal.status = DealStatus.EXPIRED
                deal.closed_at = now
                deal.updated_at = now
            DealRegistration.objects.bulk_update(deals, ["status", "closed_at", "updated_at"])
            DealEvent.objects.bulk_create(
                [
                    DealEvent(
                        deal=deal,
                        at=now,
                        kind="status",
                        from_status=DealStatus.APPROVED,
                        to_status=DealStatus.EXPIRED,
                        note="Protection period ended.",
                    )
                    for deal in deals
                ]
            )
            for deal in deals:
                emit("deal.expired", partner_id=deal.partner_id, data=payload(deal))
                notify_partner(
                    deal,
                    verb="deal.expired",
                    title=f"Protection of {deal.reference} has ended",
                    body=f"The registration for {deal.customer.name} expired on "
                    f"{deal.protection_expires_at:%Y-%m-%d} without being reported won or lost.",
                )
            count += len(deals)
    return count


def deals_warn_expiring(*, now: datetime | None = None) -> int:
    """Warn partners once, PRM_DEAL_EXPIRY_WARNING_DAYS (7) before an approved registration's protection ends.

    Rule: approved, protection ends in (now, now + 7 days], no warning sent yet
    → notify the partner's users and set expiry_warning_sent_at. Returns how many.
    """
    now = now or timezone.now()
    horizon = now + timedelta(days=settings.PRM_DEAL_EXPIRY_WARNING_DAYS)
    due = DealRegistration.objects.filter(
        status=DealStatus.APPROVED,
        expiry_warning_sent_at__isnull=True,
        protection_expires_at__gt=now,
        protection_expires_at__lte=horizon,
    )
    ids = list(due.order_by("pk").values_list("pk", flat=True))
    count = 0
    for chunk in _batches(ids):
        with transaction.atomic():
            deals = list(
                due.filter(pk__in=chunk).select_for_update(of=("self",)).select_related("customer").order_by("pk")
            )
            for deal in deals:
                deal.expiry_warning_sent_at = now
                deal.updated_at = now
            DealRegistration.objects.bulk_update(deals, ["expiry_warning_sent_at", "updated_at"])
            DealEvent.objects.bulk_create(
                [
                    DealEvent(
                        deal=deal,
                        at=now,
                        kind="expiry_warning",
                        note=f"Partner warned: protection ends {deal.protection_expires_at:%Y-%m-%d}.",
                    )
                    for deal in deals
                ]
            )
            for deal in deals:
                extend = (
                    ""
                    if deal.extended_at or deal.extension_requested_at
                    else (" You can ask once for an extension from the registration page.")
                )
                notify_partner(
                    deal,
                    verb="deal.expiring",
                    title=f"Protection of {deal.reference} ends soon",
                    body=f"The protection of your registration for {deal.customer.name} ends on "
                    f"{deal.protection_expires_at:%Y-%m-%d}. Report it won or lost before then.{extend}",
                )
            count += len(deals)
    return count
