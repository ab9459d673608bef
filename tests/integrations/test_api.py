"""Protocol behaviour shared by every endpoint: tokens, errors, idempotency keys, rate limits."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from deals.models import DealRegistration
from integrations.idempotency import idempotency_records_purge
from integrations.models import ApiToken, IdempotencyRecord
from integrations.tokens import api_token_check, api_token_create, token_digest
from tests.fixtures.api import error_of

pytestmark = pytest.mark.usefixtures("shared_world")

CLOSE = (date.today() + timedelta(days=45)).isoformat()
DEAL = {
    "customer": {"name": "Acme GmbH", "domain": "acme.example"},
    "lines": [{"sku": "SW-100", "quantity": 1, "unit_price": "10.00"}],
    "expected_close_date": CLOSE,
}


# --- tokens --------------------------------------------------------------------------------------


def test_a_token_is_stored_hashed_and_shown_once(world):
    created = api_token_create(user=world.admin_a, name="ERP")
    token = ApiToken.objects.get()
    assert created.plaintext.startswith(f"prm_{token.prefix}_")
    assert token.token_hash == token_digest(created.plaintext)
    assert created.plaintext not in {getattr(token, f.attname) for f in ApiToken._meta.concrete_fields}


def test_last_used_is_written_at_most_once_a_minute(world, django_assert_num_queries):
    plaintext = api_token_create(user=world.admin_a, name="ERP").plaintext
    with django_assert_num_queries(2):  # look-up + the first use
        api_token_check(plaintext)
    with django_assert_num_queries(1):  # look-up only
        api_token_check(plaintext)
    ApiToken.objects.update(last_used_at=timezone.now() - timedelta(minutes=2))
    with django_assert_num_queries(2):
        api_token_check(plaintext)


@pytest.mark.parametrize("how", ["revoked", "expired", "inactive", "wrong", "garbage"])
def test_unusable_tokens_get_401(world, how):
    plaintext = api_token_create(user=world.admin_a, name="ERP").plaintext
    if how == "revoked":
        ApiToken.objects.update(revoked_at=timezone.now())
    elif how == "expired":
        ApiToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    elif how == "inactive":
        world.admin_a.is_active = False
        world.admin_a.save()
    elif how == "wrong":
        plaintext = plaintext[:-4] + "AAAA"
    else:
        plaintext = "not-a-token"
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {plaintext}")
    response = client.get("/api/v1/deals/")
    assert response.status_code == 401
    assert error_of(response)["code"] == "authentication_failed"


def test_session_authentication_serves_the_browsable_api(world, client):
    client.force_login(world.admin_a)
    assert client.get("/api/v1/deals/", HTTP_ACCEPT="text/html").status_code == 200
    assert client.get("/api/v1/deals/").status_code == 200


def test_revoking_through_the_api_stops_the_token(world, client_for):
    client = client_for("admin_a")
    token_id = client.get("/api/v1/tokens/").json()["results"][0]["id"]
    assert client.delete(f"/api/v1/tokens/{token_id}/").status_code == 204
    assert client.get("/api/v1/tokens/").status_code == 401


# --- errors ---------------------------------------------------------------------------------------


def test_bad_input_never_gets_a_500(world, catalog, client_for, settings):
    client = client_for("admin_a")
    cases = [
        (client.post("/api/v1/deals/", "{not json", content_type="application/json"), 400, "parse_error"),
        (client.post("/api/v1/deals/", "[1, 2]", content_type="application/json"), 400, "invalid"),
        (
            client.post("/api/v1/deals/", "name=x", content_type="application/x-www-form-urlencoded"),
            415,
            "unsupported_media_type",
        ),
        (client.post("/api/v1/deals/", {**DEAL, "colour": "red"}, format="json"), 400, "invalid"),
        (client.post("/api/v1/deals/", {**DEAL, "lines": "many"}, format="json"), 400, "invalid"),
        (client.get("/api/v1/deals/abc/"), 404, "not_found"),
        (client.get("/api/v1/deals/99999999999999999999999/"), 404, "not_found"),
        (client.get("/api/v1/no-such-thing/"), 404, "not_found"),
        (client.put("/api/v1/deals/1/", {}, format="json"), 405, "method_not_allowed"),
        (client.get("/api/v1/deals/", {"submitted_after": "\x00"}), 400, "invalid"),
        # NUL characters reach no query (PostgreSQL would refuse them with an error).
        (
            client.post(
                "/api/v1/deals/bulk/",
                {"items": [{**DEAL, "lines": [{"sku": "\x00", "quantity": 1, "unit_price": "1"}]}]},
                format="json",
            ),
            400,
            "invalid_items",
        ),
        (
            APIClient().get("/api/v1/deals/", HTTP_AUTHORIZATION="Bearer prm_\x00bad_secret"),
            401,
            "authentication_failed",
        ),
    ]
    for response, status, code in cases:
        assert response.status_code == status, (response.status_code, response.content)
        assert error_of(response)["code"] == code
    unknown = client.post("/api/v1/deals/", {**DEAL, "colour": "red", "size": 1}, format="json")
    assert set(error_of(unknown)["fields"]) == {"colour", "size"}
    settings.PRM_API_MAX_BODY_BYTES = 100
    big = client.post("/api/v1/deals/", {**DEAL, "notes": "x" * 200}, format="json")
    assert big.status_code == 413 and error_of(big)["code"] == "payload_too_large"
    assert DealRegistration.objects.count() == 0


# --- idempotency -----------------------------------------------------------------------------------


def test_a_retried_post_returns_the_first_answer_and_creates_nothing(world, catalog, client_for):
    client = client_for("admin_a")
    first = client.post("/api/v1/deals/", DEAL, format="json", HTTP_IDEMPOTENCY_KEY="order-42")
    retry = client.post("/api/v1/deals/", DEAL, format="json", HTTP_IDEMPOTENCY_KEY="order-42")
    assert first.status_code == retry.status_code == 201
    assert retry.json() == first.json() and retry["Idempotent-Replayed"] == "true"
    assert DealRegistration.objects.count() == 1
    other = client.post("/api/v1/deals/", {**DEAL, "notes": "changed"}, format="json", HTTP_IDEMPOTENCY_KEY="order-42")
    assert other.status_code == 422 and error_of(other)["code"] == "idempotency_key_reused"
    fresh = client.post("/api/v1/deals/", DEAL, format="json", HTTP_IDEMPOTENCY_KEY="order-43")
    assert fresh.status_code == 201 and DealRegistration.objects.count() == 2


def test_keys_are_scoped_per_user_and_errors_are_replayed_too(world, catalog, client_for):
    a, b = client_for("admin_a"), client_for("admin_b")
    assert a.post("/api/v1/deals/", DEAL, format="json", HTTP_IDEMPOTENCY_KEY="k").status_code == 201
    assert b.post("/api/v1/deals/", DEAL, format="json", HTTP_IDEMPOTENCY_KEY="k").status_code == 201
    deal = DealRegistration.objects.filter(partner=world.partner_a).get()
    manager = client_for("manager")
    url = f"/api/v1/deals/{deal.pk}/approve/"
    assert manager.post(url, {}, format="json", HTTP_IDEMPOTENCY_KEY="approve-1").status_code == 200
    assert manager.post(url, {}, format="json", HTTP_IDEMPOTENCY_KEY="approve-1").status_code == 200
    assert manager.post(url, {}, format="json", HTTP_IDEMPOTENCY_KEY="approve-2").status_code == 409


def test_idempotency_records_expire(world, catalog, client_for, settings):
    client = client_for("admin_a")
    client.post("/api/v1/deals/", DEAL, format="json", HTTP_IDEMPOTENCY_KEY="old")
    IdempotencyRecord.objects.update(
        created_at=timezone.now() - timedelta(hours=settings.PRM_IDEMPOTENCY_TTL_HOURS + 1)
    )
    assert client.post("/api/v1/deals/", DEAL, format="json", HTTP_IDEMPOTENCY_KEY="old").status_code == 201
    assert DealRegistration.objects.count() == 2
    IdempotencyRecord.objects.update(created_at=timezone.now() - timedelta(days=3))
    assert idempotency_records_purge() == 1


def test_a_bad_idempotency_key_is_a_400(world, client_for):
    response = client_for("admin_a").post("/api/v1/deals/", DEAL, format="json", HTTP_IDEMPOTENCY_KEY="x" * 300)
    assert response.status_code == 400 and error_of(response)["code"] == "invalid_idempotency_key"


# --- rate limits -----------------------------------------------------------------------------------


def test_rate_limits_per_token_and_per_anonymous_address(world, client_for, anon, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"user": "3/min", "anon": "2/min"},
    }
    one, two = client_for("admin_a"), client_for("admin_a")
    assert [one.get("/api/v1/regions/").status_code for _ in range(4)] == [200, 200, 200, 429]
    assert two.get("/api/v1/regions/").status_code == 200  # another token, its own budget
    limited = one.get("/api/v1/regions/")
    assert error_of(limited)["code"] == "throttled" and int(limited["Retry-After"]) > 0
    assert [anon.get("/api/v1/regions/").status_code for _ in range(3)] == [401, 401, 429]


def test_a_retry_while_the_first_request_runs_is_told_to_wait(world, catalog, client_for):
    from integrations.idempotency import request_fingerprint

    client = client_for("admin_a")
    # What the first request leaves behind while it is still being processed: a record without an answer.
    from rest_framework.test import APIRequestFactory

    pending = APIRequestFactory().post("/api/v1/deals/", DEAL, format="json")
    IdempotencyRecord.objects.create(
        user=world.admin_a, key="busy", request_hash=request_fingerprint(pending), method="POST", path="/api/v1/deals/"
    )
    response = client.post("/api/v1/deals/", DEAL, format="json", HTTP_IDEMPOTENCY_KEY="busy")
    assert response.status_code == 409 and error_of(response)["code"] == "idempotency_request_in_progress"
    assert response["Retry-After"] == "1" and DealRegistration.objects.count() == 0


def test_server_errors_are_not_stored_so_a_retry_runs_again(world, catalog, client_for, monkeypatch):
    from deals.api import views

    client = client_for("admin_a")
    monkeypatch.setattr(views, "_register", lambda user, data: 1 / 0)
    failed = client.post("/api/v1/deals/", DEAL, format="json", HTTP_IDEMPOTENCY_KEY="flaky")
    assert failed.status_code == 500 and error_of(failed)["code"] == "server_error"
    assert not IdempotencyRecord.objects.exists()
    monkeypatch.undo()
    assert client.post("/api/v1/deals/", DEAL, format="json", HTTP_IDEMPOTENCY_KEY="flaky").status_code == 201
