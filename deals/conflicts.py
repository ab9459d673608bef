"""Channel-conflict detection (DESIGN §2), run when a registration is submitted.

Rule: a registration conflicts with another partner's registration that is
`submitted`, or `approved` with protection not yet ended, for the same end
customer (same normalised company name OR same normalised web domain) with at
least one product in common. Expired, rejected, withdrawn, won, lost and draft
registrations, and the partner's own registrations, never match.
"""

from __future__ import annotations

import zlib
from collections import defaultdict
from datetime import datetime
from typing import Any

from django.db import connection
from django.db.models import Q
from django.urls import reverse

from core.events import emit
from core.text import counted
from customers.models import Customer
from notifications.services import Message, notify
from partners.selectors import manager_recipients

from .models import DealConflict, DealEvent, DealLine, DealRegistration, DealStatus
from .notices import payload


def lock_customer_keys(customer: Customer) -> None:
    """Serialise submissions for the same company so two concurrent ones still see each other.

    On PostgreSQL a transaction-scoped advisory lock per normalised name and
    domain is taken (in a fixed order, so two submissions never deadlock).
    SQLite already allows one writer at a time.
    """
    if connection.vendor != "postgresql":
        return
    keys = sorted(
        {
            zlib.crc32(f"customer:{kind}:{value}".encode())
            for kind, value in (("name", customer.normalised_name), ("domain", customer.domain))
            if value
        }
    )
    with connection.cursor() as cursor:
        for key in keys:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])


def find_conflicting_deals(*, deal: DealRegistration, now: datetime) -> list[DealRegistration]:
    """Other partners' open registrations that overlap `deal` (see the module rule).

    Two indexed look-ups: the customers with the same normalised name or
    domain, then open registrations of those customers sharing a product.
    """
    customer = deal.customer
    match = Q(pk__in=[])
    if customer.normalised_name:
        match |= Q(normalised_name=customer.normalised_name)
    if customer.domain:
        match |= Q(domain=customer.domain)
    customer_ids = Customer.objects.filter(match).values("pk")
    product_ids = DealLine.objects.filter(deal=deal).values("product_id")
    return list(
        DealRegistration.objects.filter(
            customer_id__in=customer_ids,
            status__in=(DealStatus.SUBMITTED, DealStatus.APPROVED),
            lines__product_id__in=product_ids,
        )
        .exclude(partner_id=deal.partner_id)
        .exclude(pk=deal.pk)
        .exclude(status=DealStatus.APPROVED, protection_expires_at__lte=now)
        .select_related("partner", "partner__region", "partner__account_manager", "customer")
        .distinct()
        .order_by("pk")
    )


def conflict_reasons(*, deal: DealRegistration, others: list[DealRegistration]) -> dict[int, str]:
    """What matched for each conflicting registration: name and/or domain, and the common SKUs."""
    own_products = set(DealLine.objects.filter(deal=deal).values_list("product_id", flat=True))
    common: dict[int, set[str]] = defaultdict(set)
    rows = DealLine.objects.filter(deal__in=[o.pk for o in others], product_id__in=own_products).values_list(
        "deal_id", "product__sku"
    )
    for deal_id, sku in rows:
        common[deal_id].add(sku)
    reasons = {}
    for other in others:
        matched = []
        if deal.customer.normalised_name and other.customer.normalised_name == deal.customer.normalised_name:
            matched.append("customer name")
        if deal.customer.domain and other.customer.domain == deal.customer.domain:
            matched.append("domain")
        skus = ", ".join(sorted(common[other.pk]))
        reasons[other.pk] = f"Same {' and '.join(matched) or 'customer'}; products in common: {skus}"[:200]
    return reasons


def record_conflicts(*, deal: DealRegistration, others: list[DealRegistration], now: datetime) -> None:
    """Store both directions of each conflict and flag every registration involved."""
    reasons = conflict_reasons(deal=deal, others=others)
    links = []
    for other in others:
        links.append(DealConflict(from_deal=deal, to_deal=other, detected_at=now, reason=reasons[other.pk]))
        links.append(DealConflict(from_deal=other, to_deal=deal, detected_at=now, reason=reasons[other.pk]))
    DealConflict.objects.bulk_create(links, ignore_conflicts=True)
    DealRegistration.objects.filter(pk__in=[deal.pk, *(o.pk for o in others)]).update(has_conflict=True)
    deal.has_conflict = True
    for other in others:
        other.has_conflict = True


def flag_conflicts(*, deal: DealRegistration, others: list[DealRegistration], now: datetime) -> None:
    """Record a conflict found at submission: links, flags, neutral history on both sides, manager notice."""
    record_conflicts(deal=deal, others=others, now=now)
    new_note = "Overlaps an existing registration for this customer; the channel team will review both."
    old_note = "A later registration for this customer overlaps this one; the channel team will review both."
    # No actor and no reference: a partner must not learn who registered the overlapping deal.
    DealEvent.objects.bulk_create(
        [DealEvent(deal=deal, at=now, kind="conflict", note=new_note)]
        + [DealEvent(deal=other, at=now, kind="conflict", note=old_note) for other in others]
    )
    for involved in (deal, *others):
        emit(
            "deal.conflict_detected",
            partner_id=involved.partner_id,
            data=payload(involved, conflict_count=len(others) if involved is deal else 1),
        )
    recipients: dict[int, Any] = {}
    for involved in (deal, *others):
        for manager in manager_recipients(partner=involved.partner):
            recipients[manager.pk] = manager
    notify(
        recipients=recipients.values(),
        verb="deal.conflict_detected",
        render=lambda user: conflict_message(deal=deal, others=others, user=user),
    )


def conflict_message(*, deal: DealRegistration, others: list[DealRegistration], user: Any) -> Message | None:
    """The conflict notice as `user` may read it (the visibility rule): partners and customers of the
    registrations they may see; of the others only the reference, as the conflict page shows them.
    None when they may see none of the registrations involved."""
    involved = [deal, *others]
    visible = set(
        DealRegistration.objects.visible_to(user).filter(pk__in=[d.pk for d in involved]).values_list("pk", flat=True)
    )
    if not visible:
        return None

    def described(d: DealRegistration) -> str:
        if d.pk in visible:
            return f"{d.reference} ({d.partner.name}, {d.get_status_display().lower()})"
        return f"{d.reference} (a partner outside your regions)"

    anchor = next(d for d in involved if d.pk in visible)
    count = len(others) if anchor is deal else 1
    title = f"Channel conflict: {anchor.reference} ({anchor.partner.name}) overlaps {counted(count, 'registration')}"
    overlaps = "; ".join(described(o) for o in others)
    if deal.pk in visible:
        body = f"{deal.reference} from {deal.partner.name} for {deal.customer.name} overlaps {overlaps}."
    else:
        body = f"A new registration, {described(deal)}, overlaps {overlaps}, registered for {anchor.customer.name}."
    return Message(title=title, body=body, url=reverse("deals:manage_deal_conflicts", args=[anchor.pk]))
