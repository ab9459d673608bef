"""The activations and usage API: bulk deliveries by the vendor's systems, errors, idempotency, who may read."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.test import TestCase

from activations.models import Activation, UsageRecord
from ingest.models import ImportBatch
from ingest.services import import_batch_revert
from tests import factories as f
from tests.fixtures.api import error_of

TODAY = date.today()
SOLD_ON = TODAY - timedelta(days=40)


@pytest.fixture
def sold(world, catalog, sell):
    """Partner A sold SN-A1 and SN-A2, partner B SN-B1, the distributor's reseller SN-R1 (all switches)."""
    sell(world.partner_a, catalog["switch"], ["SN-A1", "SN-A2"], SOLD_ON)
    sell(world.partner_b, catalog["switch"], ["SN-B1"], SOLD_ON)
    sell(world.reseller_of_distributor, catalog["switch"], ["SN-R1"], SOLD_ON)
    return catalog


def deliver(client, items, *, path="/api/v1/activations/", mode=None, **headers):
    url = path + (f"?mode={mode}" if mode else "")
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(url, {"items": items}, format="json", **headers)


def item(serial, **extra):
    return {"sku": "SW-100", "serial": serial, "activated_on": str(TODAY - timedelta(days=10)), **extra}


@pytest.mark.parametrize("role", ["admin_a", "user_a", "distributor_admin", "regional_manager"])
def test_only_the_channel_team_without_regions_delivers(world, sold, client_for, role):
    for path in ("/api/v1/activations/", "/api/v1/usage/"):
        response = deliver(client_for(role), [item("SN-A1")], path=path)
        assert response.status_code == 403, (role, response.content)
        assert error_of(response)["code"] == "not_permitted"
    assert not Activation.objects.exists() and not ImportBatch.objects.exists()


def test_a_read_only_token_of_the_channel_team_is_refused(world, sold, client_for):
    response = deliver(client_for("manager", read_only=True), [item("SN-A1")])
    assert response.status_code == 403
    assert error_of(response)["code"] == "read_only_token"


def test_a_delivery_writes_every_item_as_one_batch_and_links_the_seller(world, sold, client_for):
    client = client_for("manager")
    response = deliver(client, [item("SN-A1", units=2), item("SN-B1"), item("SN-NEVER-SOLD")])
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["created"], body["updated"], body["unchanged"], body["succeeded"]) == (3, 0, 0, 3)
    batch = ImportBatch.objects.get(pk=body["batch"])
    assert (batch.kind, batch.channel, batch.user, batch.created_count) == ("activations", "api", world.manager, 3)
    assert batch.token is not None and batch.token.user == world.manager
    by_serial = {a.identifier: a for a in Activation.objects.all()}
    assert [r["id"] for r in body["results"]] == [by_serial[s].pk for s in ("SN-A1", "SN-B1", "SN-NEVER-SOLD")]
    a1 = by_serial["SN-A1"]
    assert (a1.partner, a1.sold_on, a1.units, a1.batch, a1.lag_days) == (world.partner_a, SOLD_ON, 2, batch, 30)
    assert by_serial["SN-B1"].partner == world.partner_b
    assert by_serial["SN-NEVER-SOLD"].partner is None and by_serial["SN-NEVER-SOLD"].lag_days is None


def test_errors_name_the_item_and_field_and_nothing_is_saved(world, sold, client_for):
    items = [
        item("SN-A1"),
        item("SN-A2", sku="NOPE-1"),
        {"sku": "SW-100", "activated_on": str(TODAY)},
        item("SN-A3", activated_on=str(TODAY + timedelta(days=1))),
        item("SN-A4", status="deactivated", deactivated_on=str(TODAY - timedelta(days=20))),
        item("SN-A1"),
        item("SN-A5", colour="red", units=0),
        item("SN-A6", status="deactivated"),
        "not an object",
    ]
    response = deliver(client_for("manager"), items)
    assert response.status_code == 400
    body = response.json()
    assert error_of(response)["code"] == "invalid_items"
    results = body["results"]
    assert results[0]["status"] == "not_saved"
    assert "NOPE-1" in results[1]["errors"]["sku"][0]
    assert "exactly one of `serial`" in results[2]["errors"]["serial"][0]
    assert "in the future" in results[3]["errors"]["activated_on"][0]
    assert "before the activation" in results[4]["errors"]["deactivated_on"][0]
    assert "already item 0" in results[5]["errors"]["serial"][0]
    assert results[6]["errors"]["colour"] == ["Unknown field."] and "units" in results[6]["errors"]
    assert "needs the date" in results[7]["errors"]["deactivated_on"][0]
    assert results[8]["errors"] == {"non_field_errors": ["Expected an object."]}
    assert body["failed"] == 8 and body["succeeded"] == 0
    assert not Activation.objects.exists() and not ImportBatch.objects.exists()


def test_partial_mode_keeps_the_valid_items(world, sold, client_for):
    response = deliver(client_for("manager"), [item("SN-A1"), item("SN-A2", sku="NOPE-1")], mode="partial")
    assert response.status_code == 200
    assert [r["status"] for r in response.json()["results"]] == ["saved", "invalid"]
    assert list(Activation.objects.values_list("identifier", flat=True)) == ["SN-A1"]


def test_a_resent_activation_is_unchanged_or_updated_and_a_revert_restores_it(world, sold, client_for):
    client = client_for("manager")
    first = deliver(client, [item("SN-A1"), item("SN-A2")]).json()
    again = deliver(client, [item("SN-A1"), item("SN-A2")]).json()
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 2)
    gone = str(TODAY - timedelta(days=2))
    changed = deliver(client, [item("SN-A1", status="deactivated", deactivated_on=gone)]).json()
    assert (changed["created"], changed["updated"]) == (0, 1)
    a1 = Activation.objects.get(identifier="SN-A1")
    assert (a1.status, a1.deactivated_on, a1.batch_id) == ("deactivated", date.fromisoformat(gone), changed["batch"])
    assert a1.previous["status"] == "active" and a1.previous["batch_id"] == first["batch"]

    summary = import_batch_revert(batch=ImportBatch.objects.get(pk=changed["batch"]), user=world.manager).revert_summary
    assert summary == {"deleted": 0, "restored": 1, "kept": 0}
    a1.refresh_from_db()
    assert (a1.status, a1.deactivated_on, a1.batch_id, a1.previous) == ("active", None, first["batch"], {})
    summary = import_batch_revert(batch=ImportBatch.objects.get(pk=first["batch"]), user=world.manager).revert_summary
    assert summary == {"deleted": 2, "restored": 0, "kept": 0}
    assert not Activation.objects.exists()


def test_an_idempotency_key_replays_the_first_answer(world, sold, client_for):
    client = client_for("manager")
    first = deliver(client, [item("SN-A1")], HTTP_IDEMPOTENCY_KEY="delivery-0001")
    replay = deliver(client, [item("SN-A1")], HTTP_IDEMPOTENCY_KEY="delivery-0001")
    assert first.status_code == replay.status_code == 200
    assert replay["Idempotent-Replayed"] == "true" and replay.json() == first.json()
    assert ImportBatch.objects.count() == 1
    assert ImportBatch.objects.get().reference == "delivery-0001"
    other = deliver(client, [item("SN-A2")], HTTP_IDEMPOTENCY_KEY="delivery-0001")
    assert other.status_code == 422


def test_usage_months_are_delivered_checked_and_upserted(world, sold, client_for):
    client = client_for("manager")
    deliver(client, [item("SN-A1", activated_on=str(SOLD_ON + timedelta(days=3)))])
    month = TODAY.replace(day=1)
    before = (SOLD_ON.replace(day=1) - timedelta(days=1)).replace(day=1)
    usage = [
        {"sku": "SW-100", "serial": "SN-A1", "month": f"{month:%Y-%m}", "active_units": 1, "usage": "12.50"},
        {"sku": "SW-100", "serial": "SN-ZZ", "month": f"{month:%Y-%m}", "active_units": 1},
        {"sku": "SW-100", "serial": "SN-A1", "month": f"{before:%Y-%m}", "active_units": 1},
        {"sku": "SW-100", "serial": "SN-A1", "month": "2026-13", "active_units": -1, "usage": "1.234"},
        {"sku": "SW-100", "serial": "SN-A1", "month": f"{month:%Y-%m}-01", "active_units": 1},
    ]
    refused = deliver(client, usage, path="/api/v1/usage/")
    assert refused.status_code == 400
    errors = [r.get("errors", {}) for r in refused.json()["results"]]
    assert errors[0] == {}
    assert "No activation of SW-100 SN-ZZ" in errors[1]["serial"][0]
    assert "before the activation" in errors[2]["month"][0]
    assert set(errors[3]) == {"month", "active_units", "usage"}
    assert "already item 0" in errors[4]["month"][0]
    assert not UsageRecord.objects.exists()

    saved = deliver(client, usage[:1], path="/api/v1/usage/").json()
    assert saved["created"] == 1
    record = UsageRecord.objects.get()
    assert (record.month, str(record.usage), record.activation.identifier) == (month, "12.50", "SN-A1")
    resent = deliver(client, [{**usage[0], "usage": "14"}], path="/api/v1/usage/").json()
    assert (resent["updated"], resent["created"]) == (1, 0)
    record.refresh_from_db()
    assert str(record.usage) == "14.00" and record.previous["usage"] == "12.50"


def test_each_role_reads_exactly_the_activations_it_may_see(world, sold, client_for):
    deliver(client_for("manager"), [item("SN-A1"), item("SN-B1"), item("SN-R1"), item("SN-NEVER-SOLD")])
    usage = [{"sku": "SW-100", "serial": s, "month": f"{TODAY:%Y-%m}", "active_units": 1} for s in ("SN-A1", "SN-B1")]
    deliver(client_for("manager"), usage, path="/api/v1/usage/")
    ids = {a.identifier: a.pk for a in Activation.objects.all()}
    sees = {
        "manager": {"SN-A1", "SN-B1", "SN-R1", "SN-NEVER-SOLD"},
        "superuser": {"SN-A1", "SN-B1", "SN-R1", "SN-NEVER-SOLD"},
        "regional_manager": {"SN-B1"},
        "admin_a": {"SN-A1"},
        "user_a": {"SN-A1"},
        "admin_b": {"SN-B1"},
        # A distributor reads its resellers' deals and stock, never the units they sold.
        "distributor_admin": set(),
    }
    for role, visible in sees.items():
        client = client_for(role)
        listed = {row["identifier"] for row in client.get("/api/v1/activations/").json()["results"]}
        assert listed == visible, role
        for serial, pk in ids.items():
            assert client.get(f"/api/v1/activations/{pk}/").status_code == (200 if serial in visible else 404), role
        months = {row["activation"] for row in client.get("/api/v1/usage/").json()["results"]}
        assert months == {ids[s] for s in visible & {"SN-A1", "SN-B1"}}, role


def test_the_lists_cost_the_same_queries_for_3_or_30_activations(
    world, catalog, client_for, django_assert_max_num_queries
):
    client = client_for("manager")
    for count in (3, 30):
        for _ in range(count - Activation.objects.count()):
            f.UsageRecordFactory(activation=f.ActivationFactory(product=catalog["switch"]))
        with django_assert_max_num_queries(8):
            assert len(client.get("/api/v1/activations/").json()["results"]) == count
        with django_assert_max_num_queries(8):
            assert len(client.get("/api/v1/usage/").json()["results"]) == count


def test_filters_narrow_the_list(world, sold, client_for):
    deliver(client_for("manager"), [item("SN-A1"), item("SN-NEVER-SOLD")])
    client = client_for("manager")
    assert [r["identifier"] for r in client.get("/api/v1/activations/?sold=true").json()["results"]] == ["SN-A1"]
    assert [r["identifier"] for r in client.get("/api/v1/activations/?identifier=SN-NEVER-SOLD").json()["results"]] == [
        "SN-NEVER-SOLD"
    ]
