"""Warranty claims over the API: filing, decisions in full and in part, payment, duplicates, bulk filing."""

from __future__ import annotations

from datetime import date, timedelta

from tests import factories as f
from tests.fixtures.api import error_of
from warranty.models import WarrantyClaim

YESTERDAY = (date.today() - timedelta(days=1)).isoformat()


def claim_body(**extra) -> dict:
    return {
        "sku": "RT-200",
        "serial_number": "sn-001",
        "purchase_date": (date.today() - timedelta(days=200)).isoformat(),
        "failure_date": YESTERDAY,
        "failure_code": "psu",
        "parts_amount": "100.00",
        "labour_amount": "50.00",
        **extra,
    }


def test_claim_filed_reviewed_approved_in_part_and_paid(world, catalog, client_for):
    partner, manager = client_for("admin_a"), client_for("manager")
    claim = partner.post("/api/v1/claims/", claim_body(customer={"name": "Foo AG"}), format="json")
    assert claim.status_code == 201, claim.content
    url = f"/api/v1/claims/{claim.json()['id']}/"
    assert manager.post(url + "review/", format="json").json()["status"] == "under_review"
    too_much = manager.post(url + "approve/", {"amount": "999.00"}, format="json")
    assert too_much.status_code == 400 and "amount" in error_of(too_much)["fields"]
    approved = manager.post(url + "approve/", {"amount": "120.00", "note": "labour capped"}, format="json")
    assert approved.json()["approved_amount"] == "120.00"
    assert manager.post(url + "pay/", format="json").json()["status"] == "paid"
    assert manager.post(url + "pay/", format="json").status_code == 409
    assert [e["to_status"] for e in partner.get(url + "events/").json()] == [
        "submitted",
        "under_review",
        "approved",
        "paid",
    ]


def test_duplicate_claims_do_not_reveal_the_other_claim_to_partners(world, catalog, client_for):
    f.WarrantyClaimFactory(partner=world.partner_b, product=catalog["router"], serial_number="SN-001")
    claim = client_for("admin_a").post("/api/v1/claims/", claim_body(), format="json").json()
    assert claim["is_duplicate"] is True and claim["duplicate_of"] is None
    assert client_for("manager").get(f"/api/v1/claims/{claim['id']}/").json()["duplicate_of"] is not None


def test_claim_bulk_partial(world, catalog, client_for):
    items = [claim_body(serial_number=f"S{i}") for i in range(3)] + [claim_body(failure_code="nope")]
    response = client_for("admin_a").post("/api/v1/claims/bulk/?mode=partial", {"items": items}, format="json")
    assert response.status_code == 200
    assert [r["status"] for r in response.json()["results"]] == ["created", "created", "created", "invalid"]
    assert WarrantyClaim.objects.count() == 3
    refused = client_for("admin_a").post("/api/v1/claims/bulk/", {"items": items}, format="json")
    assert refused.status_code == 400 and WarrantyClaim.objects.count() == 3
