"""Sell-out lines: idempotent per invoice line, corrections recorded, customers matched, a delivery reverted."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from ingest.services import import_batch_open, import_batch_revert
from sellout.models import EndCustomerCandidate, SellOutCorrection, SellOutLine, SellOutSerial
from sellout.services import sellout_lines_upsert
from tests.factories import CustomerFactory, ManagerFactory, PartnerFactory, ProductFactory

pytestmark = pytest.mark.django_db
DAY = date.today() - timedelta(days=5)


def row(product, line=1, **over):
    values = {
        "invoice_number": "INV-1",
        "invoice_line": line,
        "date": DAY,
        "transaction_type": "sale",
        "product": product,
        "quantity": 3,
        "unit_price": Decimal("250.00"),
        "currency": "EUR",
        "end_customer_name": "Acme Widgets GmbH",
        "end_customer_domain": "acme.example",
        "end_customer_country": "DE",
        "serials": ["S-1", "S-2", "S-3"],
    }
    values.update(over)
    return values


def batch_for(partner, channel="api"):
    return import_batch_open(kind="sellout", channel=channel, partner=partner)


def test_create_then_same_again_is_unchanged_and_a_change_is_a_correction():
    partner, product = PartnerFactory(), ProductFactory()
    first = batch_for(partner)
    assert sellout_lines_upsert(reporter=partner, rows=[row(product), row(product, 2)], batch=first) == {
        "created": 2,
        "updated": 0,
        "unchanged": 0,
    }
    again = batch_for(partner)
    assert sellout_lines_upsert(reporter=partner, rows=[row(product)], batch=again)["unchanged"] == 1
    fix = batch_for(partner)
    counts = sellout_lines_upsert(reporter=partner, rows=[row(product, quantity=4, serials=["S-9"])], batch=fix)
    assert counts == {"created": 0, "updated": 1, "unchanged": 0}
    line = SellOutLine.objects.get(reporter=partner, invoice_line=1)
    assert (line.quantity, line.revision, line.batch_id) == (4, 2, fix.pk)
    assert list(line.serials.values_list("serial", flat=True)) == ["S-9"]
    correction = SellOutCorrection.objects.get(line=line)
    assert correction.previous["quantity"] == 3
    assert correction.previous["serials"] == ["S-1", "S-2", "S-3"]
    assert correction.previous["batch_id"] == first.pk
    assert set(correction.changed_fields) == {"quantity", "serials"}
    first.refresh_from_db()
    fix.refresh_from_db()
    assert (first.created_count, fix.updated_count) == (2, 1)


def test_end_customers_match_by_domain_then_name_else_become_one_candidate():
    partner, product = PartnerFactory(), ProductFactory()
    by_domain = CustomerFactory(name="ACME Widgets", domain="acme.example")
    by_name = CustomerFactory(name="Globex Corporation", domain="")
    rows = [
        row(product, 1),
        row(product, 2, end_customer_name="Globex Corp.", end_customer_domain=""),
        row(product, 3, end_customer_name="Initech Ltd", end_customer_domain="initech.example"),
        row(product, 4, end_customer_name="Initech Limited", end_customer_domain="initech.example"),
        row(product, 5, end_customer_name="", end_customer_domain=""),
    ]
    sellout_lines_upsert(reporter=partner, rows=rows, batch=batch_for(partner))
    lines = {line.invoice_line: line for line in SellOutLine.objects.all()}
    assert lines[1].customer_id == by_domain.pk and lines[1].customer_match == "matched"
    assert lines[2].customer_id == by_name.pk
    assert lines[3].customer_match == lines[4].customer_match == "candidate"
    assert lines[5].customer_match == "none"
    # Two spellings with one domain: the normalised names differ, so two candidates, never a customer.
    assert EndCustomerCandidate.objects.filter(domain="initech.example").count() >= 1
    assert not lines[3].customer_id


def test_one_bad_row_writes_nothing_and_says_which():
    partner, product = PartnerFactory(), ProductFactory()
    rows = [row(product), row(product, 2, quantity=0), row(product, 3, date=date.today() + timedelta(days=2))]
    with pytest.raises(ValidationError) as caught:
        sellout_lines_upsert(reporter=partner, rows=rows, batch=batch_for(partner))
    messages = caught.value.message_dict["rows"]
    assert any(m.startswith("row 2: quantity") for m in messages)
    assert any(m.startswith("row 3: date") for m in messages)
    assert not SellOutLine.objects.exists()


def test_revert_deletes_what_a_delivery_created_and_restores_what_it_corrected():
    partner, product = PartnerFactory(), ProductFactory()
    manager = ManagerFactory()
    first = batch_for(partner, "csv")
    sellout_lines_upsert(reporter=partner, rows=[row(product), row(product, 2)], batch=first)
    second = batch_for(partner, "edi")
    sellout_lines_upsert(reporter=partner, rows=[row(product, quantity=9, serials=[]), row(product, 3)], batch=second)
    import_batch_revert(batch=second, user=manager)
    lines = {line.invoice_line: line for line in SellOutLine.objects.all()}
    assert set(lines) == {1, 2}
    assert (lines[1].quantity, lines[1].revision, lines[1].batch_id, lines[1].source) == (3, 1, first.pk, "csv")
    assert sorted(SellOutSerial.objects.filter(line=lines[1]).values_list("serial", flat=True)) == ["S-1", "S-2", "S-3"]
    assert not SellOutCorrection.objects.exists()
    second.refresh_from_db()
    assert second.revert_summary == {"deleted": 1, "restored": 1, "kept": 0}


def test_revert_keeps_lines_a_later_delivery_changed():
    partner, product = PartnerFactory(), ProductFactory()
    first, later = batch_for(partner), batch_for(partner)
    sellout_lines_upsert(reporter=partner, rows=[row(product)], batch=first)
    sellout_lines_upsert(reporter=partner, rows=[row(product, quantity=5)], batch=later)
    import_batch_revert(batch=first, user=ManagerFactory())
    line = SellOutLine.objects.get()
    assert (line.quantity, line.batch_id) == (5, later.pk)
    first.refresh_from_db()
    assert first.revert_summary == {"deleted": 0, "restored": 0, "kept": 1}


def test_signed_quantity_and_amount_follow_the_transaction_type():
    line = SellOutLine(quantity=2, unit_price=Decimal("10.50"), transaction_type="return")
    assert (line.signed_quantity, line.amount) == (-2, Decimal("-21.00"))
    line.transaction_type = "transfer"
    assert line.amount == 0
