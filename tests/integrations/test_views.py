"""The API page: create (shown once), list and revoke tokens; register webhooks and redeliver from the log."""

from __future__ import annotations

import re

from django.urls import reverse

from integrations.models import ApiToken, WebhookDelivery, WebhookEndpoint
from integrations.tokens import token_digest
from integrations.webhooks import webhook_endpoint_create


def test_a_token_is_created_shown_once_and_works(world, client):
    client.force_login(world.user_a)
    page = client.get(reverse("integrations:api_settings"))
    assert page.status_code == 200 and "You have no API tokens yet" in page.content.decode()
    assert "Webhooks" not in page.content.decode()  # partner users do not manage webhooks
    created = client.post(reverse("integrations:api_settings"), {"name": "ERP sync", "expires_in": "30"})
    html = created.content.decode()
    plaintext = re.search(r'value="(prm_[^"]+)"', html).group(1)
    token = ApiToken.objects.get()
    assert token.token_hash == token_digest(plaintext) and token.expires_at is not None
    assert plaintext not in client.get(reverse("integrations:api_settings")).content.decode()
    api = client.__class__()
    assert api.get("/api/v1/deals/", HTTP_AUTHORIZATION=f"Bearer {plaintext}").status_code == 200
    client.post(reverse("integrations:token_revoke", args=[token.pk]))
    assert api.get("/api/v1/deals/", HTTP_AUTHORIZATION=f"Bearer {plaintext}").status_code == 401


def test_token_form_errors_and_other_users_tokens(world, client):
    client.force_login(world.admin_a)
    assert client.post(reverse("integrations:api_settings"), {"name": ""}).status_code == 400
    client.force_login(world.admin_b)
    client.post(reverse("integrations:api_settings"), {"name": "B"})
    client.force_login(world.admin_a)
    other = ApiToken.objects.get(user=world.admin_b)
    assert client.post(reverse("integrations:token_revoke", args=[other.pk])).status_code == 404


def test_people_without_a_role_get_no_api_page(db, client):
    from tests.factories import UserFactory

    client.force_login(UserFactory())
    assert client.get(reverse("integrations:api_settings")).status_code == 403
    client.logout()
    assert client.get(reverse("integrations:api_settings")).status_code == 302


def test_a_manager_registers_an_endpoint_and_redelivers(world, client, django_capture_on_commit_callbacks):
    client.force_login(world.manager)
    form = client.get(reverse("integrations:webhook_create"))
    assert form.status_code == 200 and "All partners I can see" in form.content.decode()
    bad = client.post(reverse("integrations:webhook_create"), {"url": "nope", "events": []})
    assert bad.status_code == 400
    made = client.post(
        reverse("integrations:webhook_create"),
        {"url": "http://127.0.0.1:9/hook", "events": ["deal.approved", "claim.paid"], "is_active": "on"},
    )
    endpoint = WebhookEndpoint.objects.get()
    assert made.status_code == 200 and endpoint.secret in made.content.decode()
    detail = client.get(reverse("integrations:webhook_detail", args=[endpoint.pk])).content.decode()
    assert endpoint.secret not in detail and "Nothing sent yet" in detail
    delivery = WebhookDelivery.objects.create(
        endpoint=endpoint, event_id="e1", event_type="deal.approved", payload="{}", status="failed", attempts=8
    )
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("integrations:webhook_redeliver", args=[endpoint.pk, delivery.pk]))
    copy = WebhookDelivery.objects.exclude(pk=delivery.pk).get()
    assert copy.redelivery_of == delivery and copy.attempts >= 1  # port 9 refuses: logged as a failure
    assert "redelivery" in client.get(reverse("integrations:webhook_detail", args=[endpoint.pk])).content.decode()


def test_partner_admins_see_only_their_partners_endpoints(world, client):
    mine = webhook_endpoint_create(user=world.admin_a, url="https://a.example/h", events=["deal.won"])
    theirs = webhook_endpoint_create(user=world.admin_b, url="https://b.example/h", events=["deal.won"])
    client.force_login(world.admin_a)
    page = client.get(reverse("integrations:api_settings")).content.decode()
    assert mine.url in page and theirs.url not in page
    assert client.get(reverse("integrations:webhook_detail", args=[theirs.pk])).status_code == 404
    saved = client.post(
        reverse("integrations:webhook_detail", args=[mine.pk]),
        {"action": "save", "url": "https://a.example/new", "events": ["deal.lost"]},
    )
    assert saved.status_code == 302
    mine.refresh_from_db()
    assert (mine.url, mine.events, mine.is_active) == ("https://a.example/new", ["deal.lost"], False)
    client.post(reverse("integrations:webhook_detail", args=[mine.pk]), {"action": "delete"})
    assert not WebhookEndpoint.objects.filter(pk=mine.pk).exists()
