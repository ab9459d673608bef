"""Notify people: an in-app notification each, written in the caller's transaction, and an email sent by a task.

Every notice is written for its recipient. A recipient may read only what the visibility rule lets
them see, so a notice about an object (`subject`) reaches only recipients who may see that object,
and a notice that mentions several partners' objects is rendered once per recipient (`render`),
naming only what that recipient may see. The email task sends each notification's own text.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import models
from django.utils import timezone

from core.tasks import enqueue_on_commit

from .models import Notification


@dataclass(frozen=True)
class Message:
    """What one recipient reads: the title (also the email subject), the body and a link into the site."""

    title: str
    body: str = ""
    url: str = ""


# Renders the message for one recipient, or None when that recipient should not be told.
Render = Callable[[Any], Message | None]


def may_see(user: Any, subject: models.Model) -> bool:
    """Whether `user` may see `subject`, by the visibility rule of its model (`Model.objects.visible_to`)."""
    return type(subject)._default_manager.visible_to(user).filter(pk=subject.pk).exists()


def notify(
    *,
    recipients: Iterable,
    verb: str,
    title: str = "",
    body: str = "",
    url: str = "",
    subject: models.Model | None = None,
    render: Render | None = None,
    email: bool = True,
) -> None:
    """Create one notification per active recipient; with `email`, queue its email once the caller commits.

    `subject`: the object the notice is about; a recipient who may not see it is left out. `render`: a
    function of the recipient returning their `Message` (or None to leave them out), for notices whose
    text depends on what the recipient may see; without it everyone reads `title`, `body` and `url`.
    Called from inside services; if the surrounding transaction rolls back, neither the notification
    rows nor the emails exist. Each email is one message to one address, sent by the
    `notifications.tasks.send_email` task (which retries a mail server that is away), so recipients
    never see each other's addresses and the request never waits on the mail server. Two accounts
    that share an address and read the same text get one message.
    """
    people = {user.pk: user for user in recipients if user is not None and user.is_active}
    fixed = Message(title=title, body=body, url=url)
    messages: list[tuple[Any, Message]] = []
    for user in people.values():
        if subject is not None and not may_see(user, subject):
            continue
        message = render(user) if render is not None else fixed
        if message is not None:
            messages.append((user, message))
    if not messages:
        return
    notifications = Notification.objects.bulk_create(
        [Notification(recipient=user, verb=verb, title=m.title[:200], body=m.body, url=m.url) for user, m in messages]
    )
    if not email:
        return
    first_per_address: dict[tuple[str, Message], Notification] = {}
    for (user, message), notification in zip(messages, notifications, strict=True):
        if user.email:
            first_per_address.setdefault((user.email.strip().lower(), message), notification)
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
