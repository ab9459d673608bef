"""Reading about partners: who hears about a partner's changes (the one recipients rule of every workflow)."""

from __future__ import annotations

from typing import Any

from accounts.models import Role, User

from .models import Partner


def manager_recipients(*, partner: Any) -> list[User]:
    """The channel managers who hear about a partner's submissions, claims, conflicts and requests.

    Rule: the partner's account manager if it has an active one who may see the partner (the visibility
    rule: an account manager limited to other regions does not); otherwise every active manager whose
    regions include the partner's region; if there is none, the managers who cover every region (no
    regions set). One named owner is better than a crowd, and nobody is told about a partner outside
    their regions.
    """
    account_manager = partner.account_manager if partner.account_manager_id else None
    if (
        account_manager is not None
        and account_manager.is_active
        and Partner.objects.visible_to(account_manager).filter(pk=partner.pk).exists()
    ):
        return [account_manager]
    managers = User.objects.filter(role=Role.CHANNEL_MANAGER, is_active=True)
    regional = list(managers.filter(regions=partner.region_id).order_by("pk"))
    if regional:
        return regional
    return list(managers.filter(regions__isnull=True).order_by("pk"))


def partner_recipients(*, partner_id: int) -> list[User]:
    """The partner's active users: they hear about decisions on, and the expiry of, their own rows."""
    return list(User.objects.filter(partner_id=partner_id, is_active=True).order_by("pk"))
