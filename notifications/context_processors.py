"""The unread count in the navigation of every page of a user with a role."""

from __future__ import annotations

from django.http import HttpRequest

from core.context_processors import nav_area

from .models import Notification


def unread_notifications(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if nav_area(user) is None:
        return {"unread_notifications": None}
    return {"unread_notifications": Notification.objects.visible_to(user).unread().count()}
