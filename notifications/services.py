"""Notify people: an in-app notification each, written in the caller's transaction, and an email sent by a task."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone

from core.tasks import enqueue_on_commit

from .models import Notification


def notify(*, recipients: Iterable, verb: str, title: str, body: str = "", url: str = "", email: bool = True) -> None:
    """Create one notification per active recipient; with `email`, queue its email once the caller commits.

    Called from inside services; if the surrounding transaction rolls back, neither the notification
    rows nor the emails exist. Each email is one message to one address, sent by the
    `notifications.tasks.send_email` task (which retries a mail server that is away), so recipients
    never see each other's addresses and the request never waits on the mail server. Two accounts
    that share an address get one message.
    """
    people = [user for user in recipients if user is not None and user.is_active]
    if not people:
        return
    notifications = Notification.objects.bulk_create(
        [Notification(recipient=user, verb=verb, title=title, body=body, url=url) for user in people]
    )
    if not email:
        return
    first_per_address: dict[str, Notification] = {}
    for user, notification in zip(people, notifications, strict=True):
        if user.email:
            first_per_address.setdefault(user.email.strip().lower(), notification)
    for notification in first_per_address.values():
        # An email that cannot be queued (or, without a broker, sent) never fails the change that caused it.
        enqueue_on_commit("notifications.tasks.send_email", notification.pk, robust=True)


def notification_email_send(*, notification_id: int) -> bool:
    """Email one notification to its recipient: its own title and body, and an absolute link to its page.

    Returns False when there is nobody to write to any more (deleted, deactivated, no address).
    Errors of the mail server are raised, for the task to retry.
    """
    notification = Notification.objects.select_related("recipient").filter(pk=notification_id).first()
    if notification is None:
        return False
    recipient = notification.recipient
    if not (recipient.is_active and recipient.email):
        return False
    url = notification.url
    # An email is read outside the site: a link to a page of the site is made absolute.
    link = settings.PRM_SITE_URL.rstrip("/") + url if url.startswith("/") else url
    message = f"{notification.body}\n\n{link}".strip()
    send_mail(f"[prm] {notification.title}", message, settings.DEFAULT_FROM_EMAIL, [recipient.email])
    return True


def notification_mark_read(*, user, notification_ids: Iterable[int] | None = None) -> int:
    """Mark the user's notifications read (all unread ones when no ids are given)."""
    qs = Notification.objects.visible_to(user).unread()
    if notification_ids is not None:
        qs = qs.filter(pk__in=list(notification_ids))
    return qs.update(read_at=timezone.now())
