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
    # Post/redirect/get: the token is shown on the page the redirect leads to, once.
    assert created.status_code == 302 and created["Location"] == reverse("integrations:api_settings")
    assert "prm_" not in created.content.decode()
    shown = client.get(created["Location"])
    assert shown["Cache-Control"].startswith("max-age=0") or "no-store" in shown["Cache-Control"]
    plaintext = re.search(r'value="(prm_[^"]+)"', shown.content.decode()).group(1)
    token = ApiToken.objects.get()
    assert token.token_hash == token_digest(plaintext) and token.expires_at is not None
    reloaded = client.get(reverse("integrations:api_settings")).content.decode()
    assert plaintext not in reloaded and 'id="token-value"' not in reloaded
    assert ApiToken.objects.count() == 1  # a reload creates nothing
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
    assert made.status_code == 302 and made["Location"] == reverse("integrations:webhook_detail", args=[endpoint.pk])
    assert endpoint.secret in client.get(made["Location"]).content.decode()
    detail = client.get(reverse("integrations:webhook_detail", args=[endpoint.pk])).content.decode()
    assert endpoint.secret not in detail and "Nothing sent yet" in detail
    assert WebhookEndpoint.objects.count() == 1
    delivery = WebhookDelivery.objects.create(
        endpoint=endpoint, event_id="e1", event_type="deal.approved", payload="{}", status="failed", attempts=8
    )
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("integrations:webhook_redeliver", args=[endpoint.pk, delivery.pk]))
    copy = WebhookDelivery.objects.exclude(pk=delivery.pk).get()
    assert copy.redelivery_of == delivery and copy.attempts >= 1  # port 9 refuses: logged as a failure
    assert "redelivery" in client.get(reverse("integrations:webhook_detail", args=[endpoint.pk])).content.decode()


def test_a_rotated_secret_is_shown_once_after_a_redirect(world, client):
    endpoint = webhook_endpoint_create(user=world.manager, url="https://m.example/h", events=["deal.won"])
    old_secret = endpoint.secret
    client.force_login(world.manager)
    url = reverse("integrations:webhook_detail", args=[endpoint.pk])
    rotated = client.post(url, {"action": "rotate"})
    assert rotated.status_code == 302 and rotated["Location"] == url
    endpoint.refresh_from_db()
    assert endpoint.secret != old_secret
    assert endpoint.secret in client.get(url).content.decode()
    assert endpoint.secret not in client.get(url).content.decode()


def test_a_secret_kept_for_one_endpoint_is_not_shown_on_another(world, client):
    first = webhook_endpoint_create(user=world.manager, url="https://m.example/1", events=["deal.won"])
    second = webhook_endpoint_create(user=world.manager, url="https://m.example/2", events=["deal.won"])
    client.force_login(world.manager)
    client.post(reverse("integrations:webhook_detail", args=[first.pk]), {"action": "rotate"})
    first.refresh_from_db()
    other = client.get(reverse("integrations:webhook_detail", args=[second.pk])).content.decode()
    assert 'id="new-secret"' not in other and second.secret not in other
    assert first.secret in client.get(reverse("integrations:webhook_detail", args=[first.pk])).content.decode()


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
