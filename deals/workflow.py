"""The checks and records every deal service shares: who may act, which change is allowed, history, notices."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.urls import reverse

from core.exceptions import ActionNotPermittedError, TransitionNotAllowedError
from notifications.services import notify
from partners.models import Partner, Program

from .models import DEAL_TRANSITIONS, DealEvent, DealRegistration
from .selectors import manager_recipients, partner_recipients


def is_partner_member_of(user: Any, partner_id: int) -> bool:
    """An active partner admin or user who may change the partner's rows (a distributor's view is read-only)."""
    return bool(
        user is not None
        and getattr(user, "is_authenticated", False)
        and user.is_active
        and user.is_partner_member
        and Partner.objects.editable_by(user).filter(pk=partner_id).exists()
    )


def require_partner_member(deal: DealRegistration, user: Any, action: str) -> None:
    if is_partner_member_of(user, deal.partner_id):
        return
    read_only = getattr(user, "is_partner_member", False) and (
        DealRegistration.objects.visible_to(user).filter(pk=deal.pk).exists()
    )
    if read_only:
        raise ActionNotPermittedError(f"Your view of {deal.reference} is read-only; only the reseller may {action} it.")
    raise ActionNotPermittedError(f"Only users of the registering partner may {action} this registration.")


def require_manager(deal: DealRegistration, user: Any, action: str) -> None:
    is_manager = bool(
        user is not None and getattr(user, "is_authenticated", False) and user.is_active and user.is_channel_manager
    )
    if not is_manager:
        raise ActionNotPermittedError(f"Only channel managers may {action} a registration.")
    if not DealRegistration.objects.editable_by(user).filter(pk=deal.pk).exists():
        raise ActionNotPermittedError(f"{deal.reference} belongs to a partner outside your regions.")


def require_partner_may_register(partner: Partner) -> None:
    """Inactive and terminated partners keep read access but submit no new registrations."""
    if partner.status in (Partner.Status.INACTIVE, Partner.Status.TERMINATED):
        raise ActionNotPermittedError(
            f"Your partner account is {partner.get_status_display().lower()}; new registrations cannot be "
            "submitted. Contact your channel manager."
        )


def lock(deal: DealRegistration) -> None:
    """Re-read the deal under a row lock so two concurrent decisions cannot both pass the checks."""
    fresh = DealRegistration.objects.select_for_update().get(pk=deal.pk)
    for field in DealRegistration._meta.concrete_fields:
        setattr(deal, field.attname, getattr(fresh, field.attname))


def require_transition(deal: DealRegistration, to_status: str, verb: str) -> None:
    if to_status not in DEAL_TRANSITIONS[deal.status]:
        raise TransitionNotAllowedError(
            f"{deal.reference} is {deal.get_status_display().lower()}, so it cannot be {verb}."
        )


def event(deal, *, actor, at, kind="status", from_status="", to_status="", note="") -> DealEvent:
    """One line of the deal's history; partners read it, so it never names another partner."""
    return DealEvent.objects.create(
        deal=deal, actor=actor, at=at, kind=kind, from_status=from_status, to_status=to_status, note=note
    )


def payload(deal: DealRegistration, **extra) -> dict:
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


def portal_url(deal) -> str:
    return reverse("deals:deal_detail", args=[deal.pk])


def manage_url(deal) -> str:
    return reverse("deals:manage_deal_detail", args=[deal.pk])


def notify_partner(deal, *, verb: str, title: str, body: str) -> None:
    notify(
        recipients=partner_recipients(partner_id=deal.partner_id),
        verb=verb,
        title=title,
        body=body,
        url=portal_url(deal),
        subject=deal,
    )


def notify_managers(deal, *, verb: str, title: str, body: str, url: str = "", email: bool = True) -> None:
    notify(
        recipients=manager_recipients(partner=deal.partner),
        verb=verb,
        title=title,
        body=body,
        url=url or manage_url(deal),
        subject=deal,
        email=email,
    )


def protection_days(partner: Partner) -> int:
    """The partner's program protection period, else the default program's, else the setting."""
    program = partner.program if partner.program_id else Program.default()
    return program.deal_protection_days if program else settings.PRM_DEAL_PROTECTION_DAYS


def extension_days(partner: Partner) -> int:
    program = partner.program if partner.program_id else Program.default()
    return program.extension_days if program else settings.PRM_DEAL_EXTENSION_DAYS
