"""The permission matrix, run the same way over every partner-scoped endpoint.

Anonymous → 401; partner A sees its objects; partner B gets 404 for them (as for ids that do not exist,
never 403); a regional manager sees only its region; a manager sees everything; a read-only token may
read but gets 403 on every write.
"""

from __future__ import annotations

import pytest

from tests.fixtures.api import error_of

pytestmark = pytest.mark.usefixtures("shared_world")

RESOURCES = ["partners", "certifications", "customers", "deals", "inventory", "claims", "sellout", "tickets"]
# Who sees partner A's object (EMEA). The regional manager is limited to the Americas (partner B).
SEES_A = {"admin_a": True, "user_a": True, "admin_b": False, "regional_manager": False, "manager": True}
SEES_B = {"admin_a": False, "admin_b": True, "regional_manager": True, "manager": True}


@pytest.mark.parametrize("resource", RESOURCES)
def test_anonymous_is_401_with_the_error_shape(objects, anon, resource):
    for url in (f"/api/v1/{resource}/", f"/api/v1/{resource}/{objects['a'][resource].pk}/"):
        response = anon.get(url)
        assert response.status_code == 401
        assert response["WWW-Authenticate"].startswith("Bearer")
        assert error_of(response)["code"] == "not_authenticated"


@pytest.mark.parametrize("resource", RESOURCES)
@pytest.mark.parametrize(("side", "matrix"), [("a", SEES_A), ("b", SEES_B)])
def test_each_role_sees_exactly_its_objects(objects, client_for, resource, side, matrix):
    target = objects[side][resource]
    for role, sees in matrix.items():
        client = client_for(role)
        detail = client.get(f"/api/v1/{resource}/{target.pk}/")
        assert detail.status_code == (200 if sees else 404), (role, resource, detail.content)
        if not sees:
            assert error_of(detail)["code"] == "not_found"
        listed = client.get(f"/api/v1/{resource}/", {"page_size": 1000})
        assert listed.status_code == 200
        assert (target.pk in {row["id"] for row in listed.json()["results"]}) is sees, (role, resource)


def test_an_invisible_object_answers_like_a_missing_one(objects, client_for):
    client = client_for("admin_b")
    hidden = client.get(f"/api/v1/deals/{objects['a']['deals'].pk}/")
    missing = client.get("/api/v1/deals/999999/")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json()


WRITES = [
    ("post", "/api/v1/deals/", {}),
    ("post", "/api/v1/deals/bulk/", {"items": []}),
    ("post", "/api/v1/deals/{deal}/approve/", {}),
    ("post", "/api/v1/deals/{deal}/withdraw/", {}),
    ("post", "/api/v1/inventory/", {}),
    ("post", "/api/v1/inventory/bulk/", {"items": []}),
    ("post", "/api/v1/sellout/", {"items": []}),
    ("post", "/api/v1/rates/", {}),
    ("post", "/api/v1/rates/bulk/", {"items": []}),
    ("post", "/api/v1/claims/", {}),
    ("post", "/api/v1/activations/", {"items": []}),
    ("post", "/api/v1/usage/", {"items": []}),
    ("post", "/api/v1/claims/{claim}/approve/", {}),
    ("post", "/api/v1/tickets/", {}),
    ("post", "/api/v1/tickets/{ticket}/comments/", {"body": "x"}),
    ("post", "/api/v1/tickets/{ticket}/resolve/", {}),
    ("post", "/api/v1/notifications/read-all/", {}),
    ("post", "/api/v1/webhooks/", {}),
    ("post", "/api/v1/edi/", {}),
    ("delete", "/api/v1/tokens/{token}/", None),
]


@pytest.mark.parametrize(("method", "url", "body"), WRITES)
@pytest.mark.parametrize("role", ["admin_a", "manager"])
def test_read_only_tokens_read_but_never_write(objects, client_for, method, url, body, role):
    client = client_for(role, read_only=True)
    assert client.get("/api/v1/deals/").status_code == 200
    from integrations.models import ApiToken

    token = ApiToken.objects.get(user__username=role, read_only=True)
    url = url.format(
        deal=objects["a"]["deals"].pk,
        claim=objects["a"]["claims"].pk,
        ticket=objects["a"]["tickets"].pk,
        token=token.pk,
    )
    response = getattr(client, method)(url, body, format="json")
    assert response.status_code == 403
    assert error_of(response)["code"] == "read_only_token"


# Workflow actions: (url, body, the role allowed to act on partner A's object).
ACTIONS = [
    ("deals", "approve", {"note": "fine"}, "manager"),
    ("deals", "reject", {"reason": "duplicate"}, "manager"),
    ("deals", "withdraw", {}, "admin_a"),
    ("claims", "review", {}, "manager"),
    ("claims", "approve", {}, "manager"),
    ("claims", "reject", {"reason": "not covered"}, "manager"),
    ("tickets", "start", {}, "manager"),
    ("tickets", "wait-on-partner", {"note": "logs please"}, "manager"),
]


@pytest.mark.parametrize(("resource", "verb", "body", "actor"), ACTIONS)
def test_workflow_actions_matrix(objects, client_for, anon, resource, verb, body, actor):
    url = f"/api/v1/{resource}/{objects['a'][resource].pk}/{verb}/"
    assert anon.post(url, body, format="json").status_code == 401
    for role in ("admin_b", "regional_manager"):
        assert client_for(role).post(url, body, format="json").status_code == 404, role
    other = "admin_a" if actor == "manager" else "manager"
    refused = client_for(other).post(url, body, format="json")
    assert refused.status_code == 403, refused.content
    assert error_of(refused)["code"] in ("not_permitted", "permission_denied")
    done = client_for(actor).post(url, body, format="json")
    assert done.status_code == 200, done.content
    assert done.json()["id"] == objects["a"][resource].pk


def test_a_distributor_reads_its_resellers_deals_but_cannot_act_on_them(world, catalog, client_for):
    from tests import factories as f

    deal = f.DealFactory(partner=world.reseller_of_distributor, lines=[(catalog["switch"], 1, "10.00")])
    client = client_for("distributor_admin")
    assert client.get(f"/api/v1/deals/{deal.pk}/").status_code == 200
    response = client.post(f"/api/v1/deals/{deal.pk}/withdraw/", {}, format="json")
    assert response.status_code == 403
    assert "read-only" in error_of(response)["message"]


def test_partner_users_cannot_manage_webhooks_but_partner_admins_can(world, client_for):
    body = {"url": "https://erp.example.com/hook", "events": ["deal.approved"]}
    denied = client_for("user_a").post("/api/v1/webhooks/", body, format="json")
    assert denied.status_code == 403
    created = client_for("admin_a").post("/api/v1/webhooks/", body, format="json")
    assert created.status_code == 201, created.content
    endpoint_id = created.json()["id"]
    assert created.json()["partner"] == world.partner_a.pk
    assert client_for("admin_b").get(f"/api/v1/webhooks/{endpoint_id}/").status_code == 404
    assert client_for("regional_manager").get(f"/api/v1/webhooks/{endpoint_id}/").status_code == 404
    assert client_for("manager").get(f"/api/v1/webhooks/{endpoint_id}/").status_code == 200
    assert "secret" not in client_for("manager").get(f"/api/v1/webhooks/{endpoint_id}/").json()


def test_tokens_and_notifications_are_personal(world, client_for):
    from notifications.models import Notification

    note = Notification.objects.create(recipient=world.admin_a, verb="deal.approved", title="Approved")
    mine = client_for("admin_a")
    assert mine.get(f"/api/v1/notifications/{note.pk}/").status_code == 200
    for role in ("user_a", "manager", "admin_b"):
        assert client_for(role).get(f"/api/v1/notifications/{note.pk}/").status_code == 404, role
    read = mine.post(f"/api/v1/notifications/{note.pk}/read/", format="json")
    assert read.status_code == 200 and read.json()["is_read"] is True
    tokens = mine.get("/api/v1/tokens/").json()["results"]
    assert [t["name"] for t in tokens] == ["tests"]
    assert client_for("admin_b").get(f"/api/v1/tokens/{tokens[0]['id']}/").status_code == 404


@pytest.mark.parametrize("role", ["admin_a", "user_a", "distributor_admin", "regional_manager", "manager"])
def test_rates_are_reference_data_written_by_the_channel_team_only(world, client_for, role):
    """Every signed-in user reads the rate table; only channel managers write to it."""
    from datetime import date

    from currencies.models import ExchangeRate
    from tests.factories import ExchangeRateFactory

    ExchangeRateFactory(currency="EUR", date=date.today().replace(day=1), granularity="month")
    client = client_for(role)
    assert len(client.get("/api/v1/rates/").json()["results"]) == 1
    item = {"currency": "GBP", "date": date.today().replace(day=1).isoformat(), "granularity": "month", "rate": "1.27"}
    response = client.post("/api/v1/rates/bulk/", {"items": [item]}, format="json")
    assert response.status_code == (200 if role.endswith("manager") else 403)
    assert ExchangeRate.objects.filter(currency="GBP").exists() == role.endswith("manager")
