"""notify(): notifications written in the caller's transaction for their recipient only, each with its own text;
their emails leave through a task, one address each."""

from __future__ import annotations

import smtplib

import pytest
from django.conf import settings
from django.core import mail
from django.db import transaction

from notifications import services
from notifications.models import Notification
from notifications.services import Message, notify
from notifications.tasks import send_email
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_each_recipient_gets_one_message_to_their_own_address(world, django_capture_on_commit_callbacks, settings):
    settings.PRM_SITE_URL = "https://prm.example.com/"
    twin = f.ManagerFactory(username="twin", email=world.manager.email.upper())  # a second account, same inbox
    with django_capture_on_commit_callbacks(execute=False) as queued:
        notify(
            recipients=[world.manager, world.regional_manager, twin],
            verb="deal.submitted",
            title="New registration",
            body="Alpha registered Acme.",
            url="/manage/deals/1/",
        )
    assert Notification.objects.count() == 3  # in-app: every account
    assert mail.outbox == [] and len(queued) == 2  # nothing leaves before the commit; one task per address
    for callback in queued:
        callback()
    assert sorted(m.to for m in mail.outbox) == [[world.regional_manager.email], [world.manager.email]]
    message = mail.outbox[0]
    assert message.subject == "[prm] New registration"
    assert message.body == "Alpha registered Acme.\n\nhttps://prm.example.com/manage/deals/1/"


def test_a_rolled_back_change_notifies_nobody(world, django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        notify(recipients=[world.user_a], verb="deal.approved", title="Approved")
        raise RuntimeError("the change failed after notifying")
    assert callbacks == [] and mail.outbox == [] and not Notification.objects.exists()


def test_without_email_only_the_in_app_notification_is_written(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        notify(recipients=[world.user_a], verb="deal.withdrawn", title="Withdrawn", email=False)
    assert callbacks == [] and mail.outbox == [] and Notification.objects.count() == 1


def test_each_email_carries_its_own_notifications_text(world):
    """What a recipient reads is rendered for them: the task sends each notification's own title and body."""
    notify(recipients=[world.manager], verb="x", title="Full", body="Names Bravo Networks.", email=False)
    notify(recipients=[world.regional_manager], verb="x", title="Scoped", body="Names nobody.", email=False)
    for notification in Notification.objects.order_by("pk"):
        assert send_email.delay(notification.pk).get() is True
    assert [(m.to[0], m.subject, m.body) for m in mail.outbox] == [
        (world.manager.email, "[prm] Full", "Names Bravo Networks."),
        (world.regional_manager.email, "[prm] Scoped", "Names nobody."),
    ]


def test_a_mail_server_that_is_away_is_tried_again(world, monkeypatch):
    notify(recipients=[world.user_a], verb="deal.approved", title="Approved", email=False)
    real, attempts = services.send_mail, []

    def away_twice(*args, **kwargs):
        attempts.append(args)
        if len(attempts) <= 2:
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return real(*args, **kwargs)

    monkeypatch.setattr(services, "send_mail", away_twice)
    assert send_email.delay(Notification.objects.get().pk).get() is True
    assert len(attempts) == 3 and [m.to for m in mail.outbox] == [[world.user_a.email]]


def test_nobody_to_write_to_sends_nothing(world):
    notify(recipients=[world.user_a], verb="deal.approved", title="Approved", email=False)
    world.user_a.is_active = False
    world.user_a.save()
    assert send_email.delay(Notification.objects.get().pk).get() is False
    assert send_email.delay(10**9).get() is False
    assert mail.outbox == []


def test_a_recipient_who_may_not_see_the_subject_is_left_out(world, django_capture_on_commit_callbacks):
    deal = f.DealFactory(partner=world.partner_a)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        notify(
            recipients=[world.manager, world.regional_manager, world.admin_a, world.admin_b],
            verb="deal.submitted",
            title=f"{deal.reference} from {world.partner_a.name}",
            subject=deal,
        )
    told = set(Notification.objects.values_list("recipient__username", flat=True))
    assert told == {"manager", "admin_a"}
    assert sorted(m.to[0] for m in mail.outbox) == sorted([world.manager.email, world.admin_a.email])


def test_render_writes_each_recipients_own_text_and_email(world, django_capture_on_commit_callbacks):
    def render(user):
        if user == world.user_b:
            return None
        return Message(title=f"Hello {user.username}", body=f"For {user.username} only", url="/portal/")

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        notify(recipients=[world.user_a, world.admin_a, world.user_b], verb="x", render=render)
    notes = {n.recipient.username: (n.title, n.body) for n in Notification.objects.all()}
    assert notes == {"user_a": ("Hello user_a", "For user_a only"), "admin_a": ("Hello admin_a", "For admin_a only")}
    by_address = {m.to[0]: m for m in mail.outbox}
    assert set(by_address) == {world.user_a.email, world.admin_a.email}
    assert by_address[world.user_a.email].subject == "[prm] Hello user_a"
    assert "admin_a" not in by_address[world.user_a.email].body
    assert by_address[world.user_a.email].body.endswith(settings.PRM_SITE_URL.rstrip("/") + "/portal/")
