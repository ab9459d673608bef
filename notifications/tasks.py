"""Email leaves through a task (queue `default`), one message per notification, so a request never waits on
the mail server and a server that is away is tried again."""

from __future__ import annotations

import smtplib

from celery import shared_task

from core.tasks import TRANSIENT_ERRORS

from .services import notification_email_send


@shared_task(
    name="notifications.tasks.send_email",
    # The mail server refused for now or could not be reached: 1, 2, 4, … minutes (jittered), five more times.
    autoretry_for=(smtplib.SMTPException, OSError, *TRANSIENT_ERRORS),
    retry_backoff=60,
    retry_backoff_max=60 * 60,
    max_retries=5,
    soft_time_limit=60,
    time_limit=90,
)
def send_email(notification_id: int) -> bool:
    """Send the email of one notification to its recipient."""
    return notification_email_send(notification_id=notification_id)
