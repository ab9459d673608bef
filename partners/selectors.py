"""Reading about partners: who hears about a partner's changes (the one recipients rule of every workflow)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from accounts.models import Role, User


def active_managers() -> list[User]:
    """Every active channel manager, with the regions each is limited to already read (two queries)."""
    managers = list(User.objects.filter(role=Role.CHANNEL_MANAGER, is_active=True).order_by("pk"))
    regions: dict[int, list[int]] = defaultdict(list)
    for user_id, region_id in User.regions.through.objects.filter(user__in=managers).values_list("user", "region"):
        regions[user_id].append(region_id)
    for manager in managers:
        manager.know_region_ids(regions[manager.pk])
    return managers


def _sees(manager: User, partner: Any) -> bool:
    """The visibility rule's channel-manager branch (core.visibility.partner_scope_q) for one partner:
    a manager with no regions sees every partner, one with regions the partners of those regions."""
    return not manager.region_ids or partner.region_id in manager.region_ids


def recipients_among(partner: Any, managers: list[User]) -> list[User]:
    """The recipients rule for one partner, among `managers` (from `active_managers`): its account manager if
    that is one of them and may see the partner; otherwise every one of them whose scope includes the partner
    (the managers of its region and those covering every region)."""
    if partner.account_manager_id:
        owner = next((m for m in managers if m.pk == partner.account_manager_id), None)
        if owner is not None and _sees(owner, partner):
            return [owner]
    return [m for m in managers if _sees(m, partner)]


def manager_recipients(*, partner: Any) -> list[User]:
    """The channel managers who hear about a partner's submissions, claims, conflicts and requests.

    Rule: the partner's account manager if it has an active one who may see the partner (an account manager
    limited to other regions does not); otherwise every active channel manager whose scope includes the
    partner: the managers of the partner's region and the managers who cover every region. One named owner
    is better than a crowd; without one, nobody who could act is left out, and nobody is told about a
    partner outside their regions.
    """
    return recipients_among(partner, active_managers())


def manager_recipients_by_partner(partners: Iterable[Any]) -> dict[int, list[User]]:
    """`manager_recipients` for many partners at once (two queries in all), e.g. for loading history."""
    managers = active_managers()
    return {partner.pk: recipients_among(partner, managers) for partner in partners}


def partner_recipients(*, partner_id: int) -> list[User]:
    """The partner's active users: they hear about decisions on, and the expiry of, their own rows."""
    return list(User.objects.filter(partner_id=partner_id, is_active=True).order_by("pk"))
