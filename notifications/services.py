"""Notify people: an in-app notification and an email, after the transaction commits.

Every notice is written for its recipient. A recipient may read only what the visibility rule lets
them see, so a notice about an object (`subject`) reaches only recipients who may see that object,
and a notice that mentions several partners' objects is rendered once per recipient (`render`),
naming only what that recipient may see.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import models, transaction

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
    """Create one notification per active recipient and send the email once the caller's transaction commits.

    `subject`: the object the notice is about; a recipient who may not see it is left out. `render`: a
    function of the recipient returning their `Message` (or None to leave them out), for notices whose
    text depends on what the recipient may see; without it everyone reads `title`, `body` and `url`.
    Called from inside services; if the surrounding transaction rolls back, neither the notification
    rows nor the emails exist.
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
    Notification.objects.bulk_create(
        [Notification(recipient=user, verb=verb, title=m.title[:200], body=m.body, url=m.url) for user, m in messages]
    )
    if email:
        # One message per address: recipients never see each other's addresses or each other's text.
        outgoing = sorted({(user.email, m) for user, m in messages if user.email}, key=lambda item: item[0])
        if outgoing:
            transaction.on_commit(lambda: _send(outgoing))


def _send(outgoing: list[tuple[str, Message]]) -> None:
    for address, message in outgoing:
        # An email is read outside the site: a link to a page of the site is made absolute.
        url = message.url
        link = settings.PRM_SITE_URL.rstrip("/") + url if url.startswith("/") else url
        text = f"{message.body}\n\n{link}".strip()
        send_mail(f"[prm] {message.title}", text, settings.DEFAULT_FROM_EMAIL, [address], fail_silently=True)


def notification_mark_read(*, user, notification_ids: Iterable[int] | None = None) -> int:
    """Mark the user's notifications read (all unread ones when no ids are given)."""
    from django.utils import timezone

    qs = Notification.objects.visible_to(user).unread()
    if notification_ids is not None:
        qs = qs.filter(pk__in=list(notification_ids))
    return qs.update(read_at=timezone.now())
