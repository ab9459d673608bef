"""What a change to a registration tells systems and people: the event payload and the notifications.

Used by the services, the conflict check and the scheduled jobs alike; partners read what is sent to
them, so nothing here names another partner.
"""

from __future__ import annotations

from django.urls import reverse

from notifications.services import notify
from partners.selectors import manager_recipients, partner_recipients

from .models import DealRegistration, DealStatus

# What the submitting partner is told about a conflict: never who, never what.
CONFLICT_NOTICE = (
    "An overlapping registration for this customer already exists. "
    "The channel team will review both and let you know their decision."
)


def payload(deal: DealRegistration, **extra) -> dict:
    """The `data` of a deal event (webhooks carry it)."""
    data = {
        "id": deal.pk,
        "reference": deal.reference,
        "status": deal.status,
        "customer_id": deal.customer_id,
        "amount": str(deal.amount),
        "currency": deal.currency,
    }
    data.update(extra)
    return data


def portal_url(deal: DealRegistration) -> str:
    return reverse("deals:deal_detail", args=[deal.pk])


def manage_url(deal: DealRegistration) -> str:
    return reverse("deals:manage_deal_detail", args=[deal.pk])


def notify_partner(deal: DealRegistration, *, verb: str, title: str, body: str) -> None:
    notify(
        recipients=partner_recipients(partner_id=deal.partner_id),
        verb=verb,
        title=title,
        body=body,
        url=portal_url(deal),
        subject=deal,
    )


def notify_managers(
    deal: DealRegistration, *, verb: str, title: str, body: str, url: str = "", email: bool = True
) -> None:
    notify(
        recipients=manager_recipients(partner=deal.partner),
        verb=verb,
        title=title,
        body=body,
        url=url or manage_url(deal),
        subject=deal,
        email=email,
    )


def conflict_notice(deal: DealRegistration) -> dict | None:
    """What a flagged registration's own partner reads about the overlap, following the decision on it.

    Only this registration's own status and decision are used, so the notice never reveals who
    registered the overlapping deal or what became of it. None when there is nothing to say.
    """
    if not deal.has_conflict:
        return None
    if deal.status == DealStatus.SUBMITTED:
        return {"level": "warning", "heading": "Overlapping registration.", "text": CONFLICT_NOTICE}
    if deal.status == DealStatus.APPROVED:
        until = f" and protected until {deal.protection_expires_at:%Y-%m-%d}" if deal.protection_expires_at else ""
        return {
            "level": "success",
            "heading": "Overlap decided in your favour.",
            "text": f"The channel team reviewed the overlapping registrations and approved this one{until}.",
        }
    if deal.status == DealStatus.REJECTED:
        reason = f" Reason: {deal.rejection_reason}" if deal.rejection_reason else ""
        return {
            "level": "danger",
            "heading": "Overlap decided.",
            "text": f"The channel team reviewed the overlapping registrations and rejected this one.{reason}",
        }
    return None
