"""notify(): one text per recipient, and nobody is told about an object they may not see."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core import mail

from notifications.models import Notification
from notifications.services import Message, notify
from tests import factories as f

pytestmark = pytest.mark.django_db


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
