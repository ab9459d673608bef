"""The one visibility rule.

Who may see which partner's data is decided here and nowhere else. Every
partner-scoped model's queryset inherits `PartnerScopedQuerySet` and names the
path from the model to its partner; views, API viewsets, exports and
dashboards call `Model.objects.visible_to(user)` and never filter by hand.

- superusers and channel managers with no regions: every partner;
- channel managers with regions: partners in those regions;
- partner admins and users: their own partner, plus (read-only, for models
  that allow it) the resellers their distributor supplies;
- anyone else (anonymous, inactive, a user with no role): nothing.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Q


def _join(prefix: str, field: str) -> str:
    return f"{prefix}__{field}" if prefix else field


def partner_scope_q(user: Any, partner_path: str, *, include_supplied: bool = True) -> Q:
    """A Q object restricting rows reached by `partner_path` to what `user` may see.

    `partner_path` is the lookup from the model to `partners.Partner` ("" for
    Partner itself). `include_supplied` lets a distributor see the resellers it
    supplies (DESIGN §1: two-tier, read-only).
    """
    nothing = Q(pk__in=[])
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return nothing
    if user.is_superuser:
        return Q()
    pk = _join(partner_path, "pk") if partner_path else "pk"
    if user.is_channel_manager:
        region_ids = user.region_ids
        if not region_ids:
            return Q()
        return Q(**{_join(partner_path, "region_id__in"): region_ids})
    if user.partner_id:
        q = Q(**{pk: user.partner_id})
        if include_supplied:
            q |= Q(**{_join(partner_path, "parent_id"): user.partner_id})
        return q
    return nothing


class PartnerScopedQuerySet(models.QuerySet):
    """Queryset for models that belong to a partner.

    Subclasses set `partner_path` (lookup to the partner) and
    `distributor_reads_supplied` (whether a distributor sees its resellers' rows).
    """

    partner_path: str = "partner"
    distributor_reads_supplied: bool = False

    def visible_to(self, user: Any) -> PartnerScopedQuerySet:
        return self.filter(partner_scope_q(user, self.partner_path, include_supplied=self.distributor_reads_supplied))

    def editable_by(self, user: Any) -> PartnerScopedQuerySet:
        """Rows the user may change: visibility without the read-only distributor view."""
        return self.filter(partner_scope_q(user, self.partner_path, include_supplied=False))
