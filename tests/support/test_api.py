"""Support tickets over the API: partners and the vendor's support system (a manager's token), transitions
as actions, comments with internal notes, the same errors as the pages."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps as django_apps

from support.models import DEFAULT_CATEGORIES, DEFAULT_SLA_HOURS, SlaPolicy, Ticket, TicketCategory
from tests import factories as f
from tests.fixtures.api import error_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("category")]


def body(**extra) -> dict:
    return {
        "sku": "RT-200",
        "category": "hardware-fault",
        "severity": "high",
        "subject": "Router loses its configuration",
        "description": "After a power cut the router boots with factory settings.",
        "serial_number": "rt-1",
        **extra,
    }


def test_a_partner_opens_and_follows_a_ticket(world, catalog, client_for):
    partner, manager = client_for("admin_a"), client_for("manager")
    created = partner.post("/api/v1/tickets/", body(customer_name="Fabrikam"), format="json")
    assert created.status_code == 201, created.content
    ticket = created.json()
    assert (
        ticket["reference"].startswith("ST-") and ticket["origin"] == "api" and ticket["partner"] == world.partner_a.pk
    )
    assert (ticket["status"], ticket["clock"], ticket["sla_breached"]) == ("new", "running", False)
    assert ticket["sku"] == "RT-200" and ticket["category"] == "hardware-fault" and ticket["serial_number"] == "RT-1"
    url = f"/api/v1/tickets/{ticket['id']}/"
    assert manager.post(url + "start/", format="json").json()["status"] == "in_progress"
    waiting = manager.post(url + "wait-on-partner/", {"note": "Send the config backup"}, format="json").json()
    assert (waiting["status"], waiting["clock"]) == ("waiting_on_partner", "paused")
    reply = partner.post(url + "comments/", {"body": "Backup attached"}, format="json")
    assert reply.status_code == 201 and reply.json()["side"] == "partner"
    assert partner.get(url).json()["status"] == "in_progress"
    assert (
        manager.post(url + "resolve/", {"note": "Replaced the battery"}, format="json").json()["status"] == "resolved"
    )
    refused = partner.post(url + "reopen/", {}, format="json")
    assert refused.status_code == 400 and "note" in error_of(refused)["fields"]
    reopened = partner.post(url + "reopen/", {"note": "Lost it again"}, format="json").json()
    assert (reopened["status"], reopened["reopen_count"]) == ("in_progress", 1)
    assert [e["to_status"] for e in partner.get(url + "events/").json()] == [
        "new",
        "in_progress",
        "waiting_on_partner",
        "in_progress",
        "resolved",
        "in_progress",
    ]


def test_the_vendors_support_system_opens_tickets_for_partners_in_its_scope(world, catalog, client_for):
    vendor = client_for("manager")
    missing = vendor.post("/api/v1/tickets/", body(), format="json")
    assert missing.status_code == 400 and "partner" in error_of(missing)["fields"]
    created = vendor.post("/api/v1/tickets/", body(partner=world.partner_a.pk), format="json")
    assert created.status_code == 201, created.content
    assert created.json()["origin"] == "vendor" and created.json()["first_response_at"] is not None
    # A regional manager's system cannot open tickets for a partner outside its regions: unknown to it.
    outside = client_for("regional_manager").post("/api/v1/tickets/", body(partner=world.partner_a.pk), format="json")
    assert outside.status_code == 400 and error_of(outside)["fields"]["partner"] == ["Unknown partner."]


def test_a_partner_cannot_open_for_another_partner(world, catalog, client_for):
    response = client_for("admin_a").post("/api/v1/tickets/", body(partner=world.partner_b.pk), format="json")
    assert response.status_code == 400 and "partner" in error_of(response)["fields"]
    assert not Ticket.objects.exists()


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"category": "nope"}, "category"),
        ({"severity": "urgent"}, "severity"),
        ({"sku": "NOPE"}, "sku"),
        ({"subject": ""}, "subject"),
        ({"unknown": 1}, "unknown"),
        ({"customer_id": 99999}, "customer_id"),
    ],
)
def test_bad_fields_are_named(world, catalog, client_for, extra, field):
    response = client_for("admin_a").post("/api/v1/tickets/", body(**extra), format="json")
    assert response.status_code == 400, response.content
    assert field in error_of(response)["fields"]
    assert not Ticket.objects.exists()


def test_forged_links_are_refused_with_a_clear_message(world, catalog, client_for):
    claim_b = f.WarrantyClaimFactory(partner=world.partner_b, product=catalog["router"], failure_code=catalog["psu"])
    deal_b = f.DealFactory(partner=world.partner_b)
    response = client_for("admin_a").post(
        "/api/v1/tickets/", body(warranty_claim=claim_b.pk, deal=deal_b.pk), format="json"
    )
    assert response.status_code == 400
    fields = error_of(response)["fields"]
    assert fields["warranty_claim"] == ["Unknown warranty claim: pick one of Alpha Systems's own warranty claims."]
    assert fields["deal"] == ["Unknown deal: pick one of Alpha Systems's own deals."]
    own = f.WarrantyClaimFactory(partner=world.partner_a, product=catalog["router"], failure_code=catalog["psu"])
    linked = client_for("admin_a").post("/api/v1/tickets/", body(warranty_claim=own.pk), format="json")
    assert linked.status_code == 201 and linked.json()["warranty_claim"] == own.pk


def test_internal_notes_over_the_api(world, catalog, client_for):
    partner, manager = client_for("admin_a"), client_for("manager")
    ticket = partner.post("/api/v1/tickets/", body(), format="json").json()
    url = f"/api/v1/tickets/{ticket['id']}/comments/"
    note = manager.post(url, {"body": "Known issue, batch 42", "internal": True}, format="json")
    assert note.status_code == 201 and note.json()["is_internal"] is True
    manager.post(url, {"body": "Please update to 2.1"}, format="json")
    assert [c["body"] for c in partner.get(url).json()] == ["Please update to 2.1"]
    assert [c["body"] for c in manager.get(url).json()] == ["Known issue, batch 42", "Please update to 2.1"]
    refused = partner.post(url, {"body": "sneaky", "internal": True}, format="json")
    assert refused.status_code == 403 and error_of(refused)["code"] == "not_permitted"


def test_partners_cannot_take_the_vendors_moves(world, catalog, client_for):
    ticket = client_for("admin_a").post("/api/v1/tickets/", body(), format="json").json()
    response = client_for("admin_a").post(f"/api/v1/tickets/{ticket['id']}/wait-on-vendor/", format="json")
    assert response.status_code == 403
    closed = client_for("manager").post(f"/api/v1/tickets/{ticket['id']}/close/", format="json")
    assert closed.status_code == 409 and error_of(closed)["code"] == "transition_not_allowed"


def test_lists_filter_and_stay_within_scope(world, catalog, client_for, django_assert_max_num_queries):
    a = client_for("admin_a")
    for i in range(3):
        a.post("/api/v1/tickets/", body(serial_number=f"A{i}", severity="critical" if i else "low"), format="json")
    client_for("admin_b").post("/api/v1/tickets/", body(subject="Bravo only"), format="json")
    listed = a.get("/api/v1/tickets/").json()["results"]
    assert len(listed) == 3 and all(row["partner"] == world.partner_a.pk for row in listed)
    assert len(a.get("/api/v1/tickets/", {"severity": "critical"}).json()["results"]) == 2
    assert len(client_for("manager").get("/api/v1/tickets/").json()["results"]) == 4
    assert len(client_for("regional_manager").get("/api/v1/tickets/").json()["results"]) == 1
    manager = client_for("manager")
    manager.get("/api/v1/tickets/")
    for _ in range(20):
        f.TicketFactory(partner=world.partner_a, product=f.ProductFactory())
    with django_assert_max_num_queries(8):
        assert len(manager.get("/api/v1/tickets/").json()["results"]) == 24


def test_reference_data_is_public_to_signed_in_users(world, client_for):
    SlaPolicy.objects.all().delete()
    TicketCategory.objects.all().delete()
    # The data migration's defaults (also the fallback of support.models.DEFAULT_SLA_HOURS).
    importlib.import_module("support.migrations.0002_default_sla_and_categories").seed(django_apps, None)
    categories = client_for("user_a").get("/api/v1/ticket-categories/").json()["results"]
    assert [c["code"] for c in categories] == [code for code, _, _ in DEFAULT_CATEGORIES]
    policies = client_for("user_a").get("/api/v1/sla-policies/").json()["results"]
    assert {p["severity"]: (p["first_response_hours"], p["resolution_hours"]) for p in policies} == {
        "critical": (1, 24),
        "high": (4, 72),
        "medium": (8, 120),
        "low": (24, 240),
    }
    assert {p["severity"]: (p["first_response_hours"], p["resolution_hours"]) for p in policies} == DEFAULT_SLA_HOURS
