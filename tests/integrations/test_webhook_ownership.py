"""Who may change a webhook endpoint: the side that registered it (pages and API alike).

An endpoint a channel manager registered for a partner is read by that partner's admins (they see where
their events go) but changed, paused, rotated, deleted or redelivered only by the channel team members who
see it; an endpoint a partner admin registered is managed by that partner's admins, not by managers.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from integrations.models import WebhookDelivery, WebhookEndpoint
from integrations.webhooks import webhook_endpoint_create
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def managers_endpoint(world):
    """Registered by the global manager for partner A (EMEA)."""
    return webhook_endpoint_create(
        user=world.manager, url="https://crm.vendor.example/a", events=["deal.won"], partner=world.partner_a
    )


@pytest.fixture
def admins_endpoint(world):
    return webhook_endpoint_create(user=world.admin_a, url="https://erp.alpha.example/h", events=["deal.won"])


def _delivery(endpoint) -> WebhookDelivery:
    return WebhookDelivery.objects.create(endpoint=endpoint, event_id="e1", event_type="deal.won", payload="{}")


def test_a_partner_admin_reads_but_cannot_change_a_managers_endpoint_over_the_api(world, client_for, managers_endpoint):
    client = client_for("admin_a")
    url = f"/api/v1/webhooks/{managers_endpoint.pk}/"
    assert client.get(url).status_code == 200
    secret = managers_endpoint.secret
    answers = [
        client.patch(url, {"is_active": False}, format="json"),
        client.put(url, {"url": "https://evil.example/", "events": ["deal.won"]}, format="json"),
        client.post(f"{url}rotate-secret/", format="json"),
        client.delete(url),
        client.post(f"/api/v1/webhook-deliveries/{_delivery(managers_endpoint).pk}/redeliver/", format="json"),
    ]
    for answer in answers:
        assert answer.status_code == 403, answer.content
        assert "channel team" in answer.json()["error"]["message"]
    managers_endpoint.refresh_from_db()
    assert (managers_endpoint.url, managers_endpoint.is_active, managers_endpoint.secret) == (
        "https://crm.vendor.example/a",
        True,
        secret,
    )
    assert WebhookDelivery.objects.count() == 1


def test_a_partner_admin_cannot_change_a_managers_endpoint_on_the_page(world, client, managers_endpoint):
    client.force_login(world.admin_a)
    url = reverse("integrations:webhook_detail", args=[managers_endpoint.pk])
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Rotate secret" not in html and "Delete endpoint" not in html and "Redeliver" not in html
    assert "registered by the channel team" in html
    for action in ("save", "rotate", "delete"):
        body = {"action": action, "url": "https://evil.example/", "events": ["deal.won"]}
        assert client.post(url, body).status_code == 403, action
    delivery = _delivery(managers_endpoint)
    redeliver = reverse("integrations:webhook_redeliver", args=[managers_endpoint.pk, delivery.pk])
    assert client.post(redeliver).status_code == 403
    managers_endpoint.refresh_from_db()
    assert managers_endpoint.url == "https://crm.vendor.example/a"


def test_managers_who_see_the_partner_manage_a_channel_team_endpoint(world, client_for, managers_endpoint):
    emea = f.ManagerFactory(username="emea_manager", regions=[world.emea])
    url = f"/api/v1/webhooks/{managers_endpoint.pk}/"
    assert client_for(emea).patch(url, {"is_active": False}, format="json").status_code == 200
    assert client_for("regional_manager").patch(url, {"is_active": True}, format="json").status_code == 404
    assert client_for("manager").post(f"{url}rotate-secret/", format="json").status_code == 200


def test_a_partners_endpoint_is_managed_by_its_admins_not_by_managers(world, client_for, client, admins_endpoint):
    url = f"/api/v1/webhooks/{admins_endpoint.pk}/"
    refused = client_for("manager").patch(url, {"is_active": False}, format="json")
    assert refused.status_code == 403 and "partner's admins" in refused.json()["error"]["message"]
    colleague = f.PartnerAdminFactory(username="admin_a2", partner=world.partner_a)
    assert client_for(colleague).patch(url, {"is_active": False}, format="json").status_code == 200
    client.force_login(world.manager)
    page = reverse("integrations:webhook_detail", args=[admins_endpoint.pk])
    assert client.post(page, {"action": "delete"}).status_code == 403
    assert WebhookEndpoint.objects.filter(pk=admins_endpoint.pk).exists()
    assert client_for(colleague).delete(url).status_code == 204
    assert not WebhookEndpoint.objects.filter(pk=admins_endpoint.pk).exists()
