"""Notify people: an in-app notification and an email, after the transaction commits."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction

from .models import Notification


def notify(*, recipients: Iterable, verb: str, title: str, body: str = "", url: str = "", email: bool = True) -> None:
    """Create one notification per active recipient and send the email once the caller's transaction commits.

    Called from inside services; if the surrounding transaction rolls back,
    neither the notification rows nor the email exist.
    """
    people = [user for user in recipients if user is not None and user.is_active]
    if not people:
        return
    Notification.objects.bulk_create(
        [Notification(recipient=user, verb=verb, title=title, body=body, url=url) for user in people]
    )
    if email:
        # One message per address: recipients never see each other's addresses.
        addresses = sorted({user.email for user in people if user.email})
        # An email is read outside the site: a link to a page of the site is made absolute.
        link = settings.PRM_SITE_URL.rstrip("/") + url if url.startswith("/") else url
        message = f"{body}\n\n{link}".strip()

        def send() -> None:
            for address in addresses:
                send_mail(f"[prm] {title}", message, settings.DEFAULT_FROM_EMAIL, [address], fail_silently=True)

        if addresses:
            transaction.on_commit(send)


def notification_mark_read(*, user, notification_ids: Iterable[int] | None = None) -> int:
    """Mark the user's notifications read (all unread ones when no ids are given)."""
    from django.utils import timezone

    qs = Notification.objects.visible_to(user).unread()
    if notification_ids is not None:
        qs = qs.filter(pk__in=list(notification_ids))
    return qs.update(read_at=timezone.now())
