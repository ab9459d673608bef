"""Notifications over the API: each user reads and marks only their own."""

from __future__ import annotations

import pytest

from notifications.models import Notification
from notifications.services import notify

pytestmark = pytest.mark.django_db


@pytest.fixture
def inbox(world):
    notify(recipients=[world.admin_a], verb="deal.approved", title="Approved", email=False)
    notify(recipients=[world.admin_a], verb="deal.rejected", title="Rejected", email=False)
    notify(recipients=[world.admin_b], verb="deal.approved", title="For B", email=False)
    return {n.title: n for n in Notification.objects.all()}


def test_a_user_lists_only_their_own_notifications_and_filters_them(world, inbox, client_for):
    client = client_for("admin_a")
    rows = client.get("/api/v1/notifications/").json()["results"]
    assert {r["title"] for r in rows} == {"Approved", "Rejected"}
    approved = client.get("/api/v1/notifications/", {"verb": "deal.approved"}).json()["results"]
    assert [r["title"] for r in approved] == ["Approved"]
    assert client.get(f"/api/v1/notifications/{inbox['For B'].pk}/").status_code == 404


def test_marking_read_touches_only_the_users_own(world, inbox, client_for):
    client = client_for("admin_a")
    answer = client.post(f"/api/v1/notifications/{inbox['Approved'].pk}/read/", format="json")
    assert answer.status_code == 200 and answer.json()["is_read"] is True
    unread = client.get("/api/v1/notifications/", {"unread": "true"}).json()["results"]
    assert [r["title"] for r in unread] == ["Rejected"]
    assert client.post(f"/api/v1/notifications/{inbox['For B'].pk}/read/", format="json").status_code == 404
    client.post("/api/v1/notifications/read-all/", format="json")
    assert not Notification.objects.filter(recipient=world.admin_a, read_at__isnull=True).exists()
    assert Notification.objects.get(title="For B").read_at is None
