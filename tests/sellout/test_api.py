"""POST/GET /api/v1/sellout/: bulk lines, errors by item and field, corrections, provenance, visibility."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from ingest.models import ImportBatch
from sellout.models import SellOutCorrection, SellOutLine
from tests import factories as f

pytestmark = pytest.mark.usefixtures("shared_world")
URL = "/api/v1/sellout/"
DAY = (date.today() - timedelta(days=4)).isoformat()


def _item(**over):
    item = {
        "invoice_number": "API-1",
        "invoice_line": 1,
        "date": DAY,
        "sku": "SWITCH-24",
        "quantity": 3,
        "unit_price": "99.50",
        "currency": "EUR",
        "end_customer_name": "Omega Retail",
        "serials": ["S1", "S2"],
    }
    item.update(over)
    return item


@pytest.fixture
def switch(db):
    return f.ProductFactory(sku="SWITCH-24")


def test_bulk_creates_then_corrects_with_the_token_and_key(world, switch, client_for):
    client = client_for("admin_a")
    response = client.post(URL, {"items": [_item(), _item(invoice_line=2, quantity=1, serials=[])]}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["created"] == 2
    batch = ImportBatch.objects.get(partner=world.partner_a, kind="sellout")
    assert batch.channel == "api" and batch.token is not None and batch.user == world.admin_a
    again = client.post(URL, {"items": [_item(quantity=2, serials=["S1"])]}, format="json", HTTP_IDEMPOTENCY_KEY="k-77")
    assert again.status_code == 200, again.content
    assert again.json()["updated"] == 1
    line = SellOutLine.objects.get(reporter=world.partner_a, invoice_number="API-1", invoice_line=1)
    assert line.quantity == 2 and line.revision == 2
    correction = SellOutCorrection.objects.get(line=line)
    assert correction.previous["quantity"] == 3 and sorted(correction.changed_fields) == ["quantity", "serials"]
    assert line.batch.reference == "k-77"


def test_all_or_nothing_with_errors_by_index_and_field(world, switch, client_for):
    client = client_for("admin_a")
    items = [_item(), _item(invoice_line=2, sku="NOPE", currency="XX"), _item(invoice_line=3, colour="red")]
    response = client.post(URL, {"items": items}, format="json")
    assert response.status_code == 400
    results = response.json()["results"]
    assert results[0]["status"] == "not_saved"
    assert set(results[1]["errors"]) == {"sku", "currency"}
    assert results[2]["errors"] == {"colour": ["Unknown field."]}
    assert not SellOutLine.objects.filter(reporter=world.partner_a).exists()
    partial = client.post(URL + "?mode=partial", {"items": items}, format="json")
    assert partial.status_code == 200 and partial.json()["created"] == 1


def test_a_manager_names_the_reporter_and_a_partner_cannot_name_another(world, switch, client_for):
    manager = client_for("manager")
    refused = manager.post(URL, {"items": [_item()]}, format="json")
    assert refused.json()["results"][0]["errors"]["reporter"]
    assert manager.post(URL, {"items": [_item(reporter=world.partner_b.pk)]}, format="json").status_code == 200
    other = client_for("admin_a").post(URL, {"items": [_item(reporter=world.partner_b.pk)]}, format="json")
    assert "reporter" in other.json()["results"][0]["errors"]


def test_a_distributor_reads_its_resellers_lines_and_reports_sales_to_them(world, switch, client_for):
    reseller_line = f.SellOutLineFactory(reporter=world.reseller_of_distributor, product=switch)
    hidden = f.SellOutLineFactory(reporter=world.partner_b, product=switch)
    client = client_for("distributor_admin")
    ids = {row["id"] for row in client.get(URL, {"page_size": 100}).json()["results"]}
    assert reseller_line.pk in ids and hidden.pk not in ids
    assert client.get(f"{URL}{hidden.pk}/").status_code == 404
    sold = client.post(URL, {"items": [_item(sold_to_partner=world.reseller_of_distributor.pk)]}, format="json")
    assert sold.status_code == 200, sold.content
    line = SellOutLine.objects.get(reporter=world.distributor)
    assert line.sold_to_partner == world.reseller_of_distributor
    wrong = client.post(URL, {"items": [_item(invoice_line=2, sold_to_partner=world.partner_b.pk)]}, format="json")
    assert "sold_to_partner" in wrong.json()["results"][0]["errors"]


def test_list_query_count_is_constant(world, switch, client_for, django_assert_max_num_queries):
    client = client_for("manager")
    for n in range(3):
        f.SellOutLineFactory(reporter=world.partner_a, product=switch, invoice_number=f"Q-{n}")
    client.get(URL)
    with django_assert_max_num_queries(12) as few:
        client.get(URL)
    for n in range(20):
        line = f.SellOutLineFactory(reporter=world.partner_a, product=switch, invoice_number=f"QQ-{n}")
        line.serials.create(product=switch, serial=f"S-{n}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(URL).status_code == 200
