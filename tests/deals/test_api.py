"""Deals over the API: registration through deal_create (source api), conflicts kept anonymous, bulk modes."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from deals.models import DealRegistration, DealStatus
from tests.fixtures.api import error_of

pytestmark = pytest.mark.usefixtures("shared_world")

CLOSE = (date.today() + timedelta(days=45)).isoformat()


def deal_body(customer="Acme GmbH", domain="acme.example", sku="SW-100", **extra) -> dict:
    return {
        "customer": {"name": customer, "domain": domain},
        "lines": [{"sku": sku, "quantity": 2, "unit_price": "150.00"}],
        "expected_close_date": CLOSE,
        **extra,
    }


def test_register_and_follow_a_deal_through_its_lifecycle(world, catalog, client_for):
    partner, manager = client_for("admin_a"), client_for("manager")
    created = partner.post("/api/v1/deals/", deal_body(), format="json")
    assert created.status_code == 201, created.content
    deal = created.json()
    assert deal["source"] == "api" and deal["status"] == "submitted" and deal["amount"] == "300.00"
    assert deal["lines"][0]["sku"] == "SW-100"
    url = f"/api/v1/deals/{deal['id']}/"
    assert manager.post(url + "approve/", {"note": "go"}, format="json").json()["status"] == "approved"
    assert partner.post(url + "request-extension/", format="json").status_code == 200
    assert manager.post(url + "extend/", {}, format="json").json()["extended_at"] is not None
    lost = partner.post(url + "close/", {"won": False}, format="json")
    assert lost.status_code == 400 and "loss_reason" in error_of(lost)["fields"]
    won = partner.post(url + "close/", {"won": True}, format="json")
    assert won.json()["status"] == "won"
    again = partner.post(url + "withdraw/", {}, format="json")
    assert again.status_code == 409 and error_of(again)["code"] == "transition_not_allowed"
    history = partner.get(url + "events/").json()
    assert [e["to_status"] for e in history if e["to_status"]] == ["submitted", "approved", "won"]


def test_drafts_are_submitted_by_the_submit_action(world, catalog, client_for):
    partner = client_for("user_a")
    draft = partner.post("/api/v1/deals/", deal_body(submit=False), format="json").json()
    assert draft["status"] == "draft"
    submitted = partner.post(f"/api/v1/deals/{draft['id']}/submit/", format="json")
    assert submitted.status_code == 200 and submitted.json()["status"] == "submitted"


def test_a_conflict_is_flagged_but_never_named_to_partners(world, catalog, client_for):
    first = client_for("admin_b").post("/api/v1/deals/", deal_body(), format="json").json()
    second = client_for("admin_a").post("/api/v1/deals/", deal_body(customer="ACME gmbh."), format="json").json()
    assert second["has_conflict"] is True and second["conflict_count"] == 1 and second["conflicts"] is None
    seen_by_a = client_for("admin_a").get(f"/api/v1/deals/{second['id']}/").content.decode()
    assert "Bravo" not in seen_by_a and first["reference"] not in seen_by_a
    events = client_for("admin_a").get(f"/api/v1/deals/{second['id']}/events/").content.decode()
    assert "Bravo" not in events and first["reference"] not in events
    for_manager = client_for("manager").get(f"/api/v1/deals/{second['id']}/").json()
    assert for_manager["conflicts"][0]["partner_name"] == "Bravo Networks"
    assert for_manager["conflicts"][0]["reference"] == first["reference"]


def test_an_out_of_scope_conflict_shows_only_its_reference_to_a_regional_manager(world, catalog, client_for):
    """The API applies the conflict page's rule: a conflict with a partner outside the manager's regions
    shows that it exists and its reference, never that partner or its customer (list and detail)."""
    mine = client_for("admin_b").post(
        "/api/v1/deals/", deal_body(customer="Bravo Buyer", domain="acme.example"), format="json"
    )
    theirs = client_for("admin_a").post(
        "/api/v1/deals/", deal_body(customer="Alpha Secret Buyer", domain="acme.example"), format="json"
    )
    assert theirs.json()["has_conflict"] is True
    mine, theirs = mine.json(), theirs.json()
    regional = client_for("regional_manager")  # the Americas: partner B only
    detail = regional.get(f"/api/v1/deals/{mine['id']}/")
    listed = regional.get("/api/v1/deals/", {"has_conflict": "true"})
    assert detail.status_code == listed.status_code == 200
    for body in (detail.content.decode(), listed.content.decode()):
        assert "Alpha" not in body and "Secret Buyer" not in body
    (row,) = listed.json()["results"]
    for answer in (detail.json(), row):
        assert answer["conflict_count"] == 1
        (conflict,) = answer["conflicts"]
        assert conflict["reference"] == theirs["reference"] and conflict["in_scope"] is False
        assert conflict["deal"] is conflict["partner"] is conflict["partner_name"] is conflict["status"] is None
    # A manager who sees both partners still sees the other side in full.
    (full,) = client_for("manager").get(f"/api/v1/deals/{mine['id']}/").json()["conflicts"]
    assert full["partner_name"] == "Alpha Systems" and full["in_scope"] is True and full["deal"] == theirs["id"]


def test_a_regional_manager_learns_only_the_reference_of_a_conflict_outside_its_regions(world, catalog, client_for):
    """As the conflicts page: that the conflict exists, the other registration's reference and why; never
    the other partner or its customer."""
    first = client_for("admin_a").post("/api/v1/deals/", deal_body(), format="json").json()  # EMEA
    second = client_for("admin_b").post("/api/v1/deals/", deal_body(customer="ACME gmbh."), format="json").json()
    assert second["has_conflict"] is True
    regional = client_for("regional_manager")  # the Americas: sees partner B, not partner A
    for response in (
        regional.get(f"/api/v1/deals/{second['id']}/"),
        regional.get("/api/v1/deals/", {"has_conflict": "true"}),
    ):
        assert response.status_code == 200
        text = response.content.decode()
        assert "Alpha" not in text and "Acme GmbH" not in text  # partner A and its customer record
    [conflict] = regional.get(f"/api/v1/deals/{second['id']}/").json()["conflicts"]
    assert conflict["reference"] == first["reference"] and conflict["reason"]
    assert (conflict["deal"], conflict["partner"], conflict["partner_name"], conflict["status"]) == (None,) * 4
    assert conflict["in_scope"] is False
    [listed] = regional.get("/api/v1/deals/", {"has_conflict": "true"}).json()["results"]
    assert listed["conflicts"] == [conflict] and listed["conflict_count"] == 1
    [full] = client_for("manager").get(f"/api/v1/deals/{second['id']}/").json()["conflicts"]
    assert (full["deal"], full["partner_name"]) == (first["id"], "Alpha Systems")


def test_registration_errors_are_field_errors(world, catalog, client_for):
    client = client_for("admin_a")
    response = client.post(
        "/api/v1/deals/",
        {
            "customer": {"name": ""},
            "lines": [{"sku": "NOPE", "quantity": 0, "unit_price": "-1", "colour": "red"}],
            "expected_close_date": "soon",
        },
        format="json",
    )
    assert response.status_code == 400
    fields = error_of(response)["fields"]
    assert set(fields) == {"customer", "lines", "expected_close_date"}
    assert set(fields["lines"]["0"]) == {"quantity", "unit_price", "colour"}  # items keyed by index
    past = client.post("/api/v1/deals/", deal_body(expected_close_date="2020-01-01"), format="json")
    assert past.status_code == 400 and "expected_close_date" in error_of(past)["fields"]
    hidden = client_for("admin_b").post("/api/v1/deals/", deal_body(), format="json").json()["customer"]["id"]
    unknown = client.post("/api/v1/deals/", {**deal_body(), "customer": None} | {"customer_id": hidden}, format="json")
    assert unknown.status_code == 400
    # The service checks the details once; the API reports them under `customer`, where the request put them.
    bad_domain = client.post("/api/v1/deals/", deal_body(domain="not a domain"), format="json")
    assert bad_domain.status_code == 400
    assert error_of(bad_domain)["fields"] == {
        "customer": ["“not a domain” is not a web domain; enter it like example.com."]
    }


def test_managers_cannot_register_deals(world, catalog, client_for):
    response = client_for("manager").post("/api/v1/deals/", deal_body(), format="json")
    assert response.status_code == 403


def test_bulk_all_or_nothing_rolls_everything_back(world, catalog, client_for):
    items = [deal_body(customer=f"Customer {i}", domain=f"c{i}.example") for i in range(5)]
    items[3]["lines"][0]["sku"] = "NOPE"
    response = client_for("admin_a").post("/api/v1/deals/bulk/", {"items": items}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["error"]["code"] == "invalid_items" and body["failed"] == 1 and body["succeeded"] == 0
    assert body["results"][3] == {
        "index": 3,
        "status": "invalid",
        "errors": {"lines": {"0": {"sku": ["Unknown product."]}}},
    }
    assert {r["status"] for i, r in enumerate(body["results"]) if i != 3} == {"not_saved"}
    assert DealRegistration.objects.count() == 0


def test_bulk_rolls_back_when_a_service_refuses_an_item_late(world, catalog, client_for):
    items = [deal_body(customer=f"Customer {i}", domain=f"c{i}.example") for i in range(3)]
    items[2]["currency"] = "XX1"  # passes the serializer, refused by the service
    response = client_for("admin_a").post("/api/v1/deals/bulk/", {"items": items}, format="json")
    assert response.status_code == 400, response.content
    assert response.json()["results"][2]["status"] == "invalid"
    assert DealRegistration.objects.count() == 0


def test_bulk_partial_keeps_the_valid_ones(world, catalog, client_for):
    items = [deal_body(customer=f"Customer {i}", domain=f"c{i}.example") for i in range(4)]
    items[1]["expected_close_date"] = "not a date"
    items.append("not an object")
    response = client_for("admin_a").post("/api/v1/deals/bulk/?mode=partial", {"items": items}, format="json")
    assert response.status_code == 200
    body = response.json()
    assert (body["succeeded"], body["failed"]) == (3, 2)
    assert [r["status"] for r in body["results"]] == ["created", "invalid", "created", "created", "invalid"]
    saved = DealRegistration.objects.filter(source="api", status=DealStatus.SUBMITTED)
    assert sorted(saved.values_list("pk", flat=True)) == sorted(r["id"] for r in body["results"] if "id" in r)


def test_registering_over_the_api_never_reuses_another_partners_customer_record(world, catalog, client_for):
    """Conflicts compare normalised names and domains; the rows themselves stay per partner."""
    first = client_for("admin_a").post("/api/v1/deals/", deal_body("Acme GmbH", "acme.example"), format="json")
    second = client_for("admin_b").post("/api/v1/deals/", deal_body("ACME gmbh", "www.acme.example"), format="json")
    assert first.status_code == second.status_code == 201
    deal_a = DealRegistration.objects.get(pk=first.json()["id"])
    deal_b = DealRegistration.objects.get(pk=second.json()["id"])
    assert deal_a.customer_id != deal_b.customer_id
    assert deal_b.customer.name == "ACME gmbh"
    deal_b.refresh_from_db()
    assert deal_b.has_conflict  # still detected, by normalised domain


def test_a_line_without_a_unit_price_takes_the_list_price_as_in_the_portal(world, catalog, client_for):
    switch, router = catalog["switch"], catalog["router"]
    body = deal_body()
    body["lines"] = [{"sku": "SW-100", "quantity": 3}, {"sku": "RT-200", "quantity": 2, "unit_price": "10.00"}]
    created = client_for("admin_a").post("/api/v1/deals/", body, format="json")
    assert created.status_code == 201, created.content
    lines = {line["sku"]: line for line in created.json()["lines"]}
    assert Decimal(lines["SW-100"]["unit_price"]) == switch.list_price
    assert Decimal(lines["RT-200"]["unit_price"]) == Decimal("10.00")
    assert router.list_price != Decimal("10.00")  # a given price is kept, not replaced
    assert Decimal(created.json()["amount"]) == 3 * switch.list_price + 2 * Decimal("10.00")


def test_the_schema_says_unit_price_is_optional_and_defaults_to_the_list_price(world, client_for):
    schema = client_for("admin_a").get("/api/schema/?format=json").json()
    line = schema["components"]["schemas"]["DealLineInputRequest"]
    assert "unit_price" not in line.get("required", [])
    assert "list price" in line["properties"]["unit_price"]["description"]
