"""Navigation context shared by every page."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def nav_area(user) -> str | None:
    """Which navigation a signed-in user gets: the partner portal, the manager pages, or none (no role)."""
    if user is None or not user.is_authenticated:
        return None
    if user.is_partner_member:
        return "portal"
    return "manage" if user.is_channel_manager or user.is_superuser else None


def navigation(request: HttpRequest) -> dict:
    return {
        "nav_area": nav_area(getattr(request, "user", None)),
        # Money on every page is in this currency (converted through the rate table).
        "reporting_currency": settings.PRM_REPORTING_CURRENCY,
    }
