"""The notification list: one's own only, mark read, open, constant queries."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from notifications.models import Notification
from notifications.services import notify

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("shared_world")]


def _note(user, title="Deal approved", url="/portal/deals/1/"):
    notify(recipients=[user], verb="deal.approved", title=title, body="Protected until …", url=url, email=False)
    return Notification.objects.filter(recipient=user).latest("pk")


@pytest.mark.parametrize("who", ["user_a", "manager"])
def test_each_user_sees_only_their_own(client, world, who):
    mine = _note(getattr(world, who), title="Mine")
    _note(world.user_b, title="Someone else's")
    client.force_login(getattr(world, who))
    page = client.get(reverse("notifications:list"))
    assert list(page.context["notifications"]) == [mine]
    assert "Someone else" not in page.content.decode()


def test_anonymous_is_sent_to_login(client):
    assert client.get(reverse("notifications:list")).status_code == 302


def test_mark_one_and_all_read(client, world):
    first, second, third = (_note(world.user_a, title=t) for t in ("one", "two", "three"))
    client.force_login(world.user_a)
    assert client.get(reverse("notifications:list")).context["unread_notifications"] == 3
    client.post(reverse("notifications:mark_read", args=[first.pk]))
    first.refresh_from_db()
    assert first.read_at is not None
    unread = client.get(reverse("notifications:list"), {"unread": "1"})
    assert list(unread.context["notifications"]) == [third, second]
    response = client.post(reverse("notifications:mark_all_read"), follow=True)
    assert "2 notifications marked read." in response.content.decode()
    assert not Notification.objects.unread().exists()


def test_open_marks_read_and_follows_only_local_links(client, world):
    local = _note(world.user_a, url="/portal/deals/")
    external = _note(world.user_a, url="https://evil.example/phish")
    client.force_login(world.user_a)
    assert client.get(reverse("notifications:open", args=[local.pk]))["Location"] == "/portal/deals/"
    assert client.get(reverse("notifications:open", args=[external.pk]))["Location"] == reverse("notifications:list")
    assert not Notification.objects.unread().exists()


def test_someone_elses_notification_answers_404(client, world):
    theirs = _note(world.user_b)
    client.force_login(world.user_a)
    assert client.post(reverse("notifications:mark_read", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("notifications:open", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_marking_the_last_item_of_a_page_read_shows_the_last_page(client, world):
    for i in range(26):
        _note(world.user_a, title=f"n{i}")
    client.force_login(world.user_a)
    oldest = Notification.objects.filter(recipient=world.user_a).order_by("pk").first()
    next_url = reverse("notifications:list") + "?unread=1&page=2"
    response = client.post(reverse("notifications:mark_read", args=[oldest.pk]), {"next": next_url}, follow=True)
    assert response.status_code == 200 and response.context["page_obj"].number == 1


def test_list_query_count_is_constant(client, world):
    client.force_login(world.user_a)
    url = reverse("notifications:list")
    _note(world.user_a)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for i in range(20):
        _note(world.user_a, title=f"more {i}")
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many.captured_queries) == len(few.captured_queries)


def test_notify_emails_each_address_separately(world, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notify(recipients=[world.user_a, world.admin_a], verb="x", title="Hello", body="Body", url="/portal/")
    assert sorted(m.to[0] for m in mailoutbox) == ["admin_a@example.com", "user_a@example.com"]
    assert all(len(m.to) == 1 and m.subject == "[prm] Hello" for m in mailoutbox)


def test_email_links_are_absolute(world, mailoutbox, settings, django_capture_on_commit_callbacks):
    settings.PRM_SITE_URL = "https://prm.example.com/"
    with django_capture_on_commit_callbacks(execute=True):
        notify(recipients=[world.user_a], verb="x", title="Approved", body="Body", url="/portal/deals/7/")
    assert mailoutbox[0].body.endswith("https://prm.example.com/portal/deals/7/")
    assert Notification.objects.get().url == "/portal/deals/7/"
