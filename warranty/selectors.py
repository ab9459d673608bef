"""Reading warranty claims: every function starts from the visibility rule."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from django.db.models import QuerySet

from .filtersets import WarrantyClaimFilterSet
from .models import ClaimEvent, ClaimStatus, WarrantyClaim


def claim_list(*, user: Any, filters: dict | None = None, request: Any = None) -> QuerySet[WarrantyClaim]:
    """Claims the user may see, narrowed by `WarrantyClaimFilterSet` filters, newest first."""
    queryset = WarrantyClaim.objects.visible_to(user).select_related("partner", "product", "failure_code", "customer")
    if filters:
        # The filter's choices (partners) follow the user's visibility: a caller without a request passes the user.
        request = request or SimpleNamespace(user=user)
        queryset = WarrantyClaimFilterSet(filters, queryset=queryset, request=request).qs
    return queryset


def claims_awaiting_payment(*, user: Any) -> QuerySet[WarrantyClaim]:
    """Approved and not yet paid, oldest decision first."""
    return claim_list(user=user).filter(status=ClaimStatus.APPROVED).order_by("decided_at", "pk")


def claim_history(*, user: Any, claim: WarrantyClaim) -> QuerySet[ClaimEvent]:
    """The claim's events in order, if the user may see the claim."""
    return ClaimEvent.objects.visible_to(user).filter(claim=claim).select_related("actor")
