"""Navigation context shared by every page."""

from __future__ import annotations

from django.http import HttpRequest


def navigation(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_area": None}
    area = "portal" if user.is_partner_member else ("manage" if user.is_channel_manager or user.is_superuser else None)
    unread = None
    if area:
        from notifications.models import Notification

        unread = Notification.objects.visible_to(user).unread().count()
    return {"nav_area": area, "unread_notifications": unread}
