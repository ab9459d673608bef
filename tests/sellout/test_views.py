"""Sell-out pages: who sees what, the upload flow, revert, the new end-customer queue, query counts."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from customers.models import Customer
from ingest.models import ImportBatch
from ingest.services import import_batch_open
from sellout.csv_import import TEMPLATE_HEADER
from sellout.models import EndCustomerCandidate, SellOutLine, SellOutUpload
from sellout.services import sellout_lines_upsert
from tests import factories as f

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("shared_world")]
DAY = date.today() - timedelta(days=3)


@pytest.fixture
def product(db):
    return f.ProductFactory(sku="SO-VIEW-1")


def _report(partner, user, product, *, invoice="V-1", customer="Nu Customer Ltd", **over):
    batch = import_batch_open(kind="sellout", channel="portal", partner=partner, user=user)
    row = {
        "invoice_number": invoice,
        "invoice_line": 1,
        "date": DAY,
        "transaction_type": "sale",
        "product": product,
        "quantity": 2,
        "unit_price": "10.00",
        "currency": "EUR",
        "end_customer_name": customer,
        "serials": [],
        **over,
    }
    from decimal import Decimal

    row["unit_price"] = Decimal(row["unit_price"])
    sellout_lines_upsert(reporter=partner, rows=[row], batch=batch, user=user)
    return batch


def test_a_partner_never_sees_another_partners_lines_or_the_queue(client, world, product):
    _report(world.partner_a, world.admin_a, product, invoice="A-INV")
    _report(world.partner_b, world.admin_b, product, invoice="B-INV")
    line_b = SellOutLine.objects.get(invoice_number="B-INV")
    client.force_login(world.user_a)
    page = client.get(reverse("sellout:line_list")).content.decode()
    assert "A-INV" in page and "B-INV" not in page
    assert client.get(reverse("sellout:line_detail", args=[line_b.pk])).status_code == 404
    assert b"B-INV" not in client.get(reverse("sellout:line_list") + "?export=csv").getvalue()
    assert client.get(reverse("sellout:manage_candidate_list")).status_code == 403
    assert client.get(reverse("sellout:manage_batch_list")).status_code == 403


def test_a_distributor_reads_its_resellers_lines_read_only(client, world, product):
    _report(world.reseller_of_distributor, None, product, invoice="E-INV")
    line = SellOutLine.objects.get(invoice_number="E-INV")
    client.force_login(world.distributor_admin)
    response = client.get(reverse("sellout:line_detail", args=[line.pk]))
    assert response.status_code == 200 and response.context["read_only"]


def test_upload_check_import_and_what_it_contributed(client, world, product):
    client.force_login(world.admin_a)
    assert client.get(reverse("sellout:template")).content.decode().strip() == TEMPLATE_HEADER
    rows = [
        f"U-1,1,{DAY},sale,SO-VIEW-1,,2,10.00,EUR,,,Acme,DE,,acme.example,S1;S2",
        f"U-1,2,{DAY},sale,NOPE,,1,10.00,EUR,,,,,,,",
    ]
    content = "\n".join([TEMPLATE_HEADER, *rows]).encode()
    response = client.post(reverse("sellout:upload"), {"file": SimpleUploadedFile("sales.csv", content)})
    job = SellOutUpload.objects.get(partner=world.partner_a)
    assert response.status_code == 302 and job.status == "validated"
    assert (job.valid_rows, job.error_count) == (1, 1)
    assert job.errors[0]["row"] == 3 and job.errors[0]["column"] == "sku"
    assert not SellOutLine.objects.filter(reporter=world.partner_a).exists()  # nothing before the choice
    client.post(reverse("sellout:upload_run", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == "done" and job.batch.channel == "csv" and job.batch.filename == "sales.csv"
    line = SellOutLine.objects.get(reporter=world.partner_a)
    assert line.batch == job.batch and line.source == "csv"
    detail = client.get(reverse("sellout:upload_detail", args=[job.pk])).content.decode()
    assert "1 new line" in detail
    client.force_login(world.admin_b)
    assert client.get(reverse("sellout:upload_detail", args=[job.pk])).status_code == 404


def test_a_manager_reverts_an_import_after_confirming(client, world, product):
    first = _report(world.partner_a, world.admin_a, product, invoice="R-1")
    second = _report(world.partner_a, world.admin_a, product, invoice="R-1", quantity=5)
    line = SellOutLine.objects.get(invoice_number="R-1")
    assert line.revision == 2
    client.force_login(world.manager)
    confirm = client.get(reverse("sellout:manage_batch_revert", args=[second.pk]))
    assert confirm.status_code == 200 and b"Revert the import" in confirm.content
    client.post(reverse("sellout:manage_batch_revert", args=[second.pk]))
    line.refresh_from_db()
    assert (line.quantity, line.revision, line.batch_id) == (2, 1, first.pk)
    assert ImportBatch.objects.get(pk=second.pk).revert_summary["restored"] == 1
    detail = client.get(reverse("sellout:manage_line_detail", args=[line.pk]))
    assert detail.status_code == 200 and detail.context["corrections"] == []
    # A regional manager of another region neither sees nor reverts it; one of its region does.
    client.force_login(world.regional_manager)
    assert client.get(reverse("sellout:manage_batch_detail", args=[first.pk])).status_code == 404
    assert client.post(reverse("sellout:manage_batch_revert", args=[first.pk])).status_code == 404
    client.force_login(f.ManagerFactory(regions=[world.partner_a.region]))
    client.post(reverse("sellout:manage_batch_revert", args=[first.pk]))
    assert not SellOutLine.objects.filter(invoice_number="R-1").exists()
    assert ImportBatch.objects.get(pk=first.pk).revert_summary == {"deleted": 1, "restored": 0, "kept": 0}
    # A partner never reaches the revert.
    client.force_login(world.admin_a)
    assert client.post(reverse("sellout:manage_batch_revert", args=[second.pk])).status_code == 403


def test_candidates_are_created_or_linked_and_their_lines_follow(client, world, product):
    _report(world.partner_a, world.admin_a, product, invoice="C-1", customer="Zeta Widgets")
    _report(world.partner_a, world.admin_a, product, invoice="C-2", customer="Zeta Widgets Inc.")
    _report(world.partner_a, world.admin_a, product, invoice="C-3", customer="Eta Foods")
    zeta = EndCustomerCandidate.objects.get(normalised_name__startswith="zeta")
    eta = EndCustomerCandidate.objects.get(name="Eta Foods")
    assert zeta.lines.count() == 2  # the same normalised name: one candidate, never two
    client.force_login(world.manager)
    page = client.get(reverse("sellout:manage_candidate_list")).content.decode()
    assert "Zeta Widgets" in page and "Eta Foods" in page
    client.post(reverse("sellout:manage_candidate_create", args=[zeta.pk]), {"name": "Zeta Widgets AG"})
    customer = Customer.objects.get(name="Zeta Widgets AG")
    assert set(SellOutLine.objects.filter(customer=customer).values_list("invoice_number", flat=True)) == {"C-1", "C-2"}
    existing = f.CustomerFactory(name="Eta Foods Group")
    f.DealFactory(partner=world.partner_a, customer=existing, lines=[(product, 1, "10.00")])
    client.post(reverse("sellout:manage_candidate_link", args=[eta.pk]), {"customer": existing.pk})
    eta.refresh_from_db()
    assert eta.status == "linked" and SellOutLine.objects.get(invoice_number="C-3").customer == existing
    # A later line naming the same end customer goes straight to the customer.
    _report(world.partner_a, world.admin_a, product, invoice="C-4", customer="Eta Foods")
    assert SellOutLine.objects.get(invoice_number="C-4").customer == existing


def test_a_partner_sees_the_customers_of_its_own_sellout_lines_only(world, product):
    customer = f.CustomerFactory(name="Theta Matched Co")
    _report(world.partner_a, world.admin_a, product, invoice="M-1", customer="Theta Matched Co")
    assert SellOutLine.objects.get(invoice_number="M-1").customer == customer
    assert Customer.objects.visible_to(world.user_a).filter(pk=customer.pk).exists()
    assert not Customer.objects.visible_to(world.user_b).filter(pk=customer.pk).exists()
    assert not Customer.objects.visible_to(world.regional_manager).filter(pk=customer.pk).exists()
    assert Customer.objects.visible_to(world.manager).filter(pk=customer.pk).exists()


@pytest.mark.parametrize("name", ["sellout:line_list", "sellout:manage_line_list", "sellout:manage_batch_list"])
def test_list_pages_keep_a_constant_query_count(client, world, product, name, django_assert_max_num_queries):
    user = world.manager if "manage" in name else world.admin_a
    client.force_login(user)
    _report(world.partner_a, world.admin_a, product, invoice="N-0")
    client.get(reverse(name))
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse(name)).status_code == 200
    for n in range(1, 12):
        _report(world.partner_a, world.admin_a, product, invoice=f"N-{n}", customer=f"Customer {n}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(reverse(name)).status_code == 200


def test_reconciliation_pages_open_and_export(client, world, product):
    _report(
        world.distributor,
        world.distributor_admin,
        product,
        invoice="T-1",
        sold_to_partner=world.reseller_of_distributor,
    )
    client.force_login(world.distributor_admin)
    assert client.get(reverse("sellout:reconciliation")).status_code == 200
    export = client.get(reverse("sellout:reconciliation") + "?export=csv")
    text = b"".join(export.streaming_content).decode("utf-8-sig")
    assert "Sold to reseller" in text and "Echo Reseller" in text and "SO-VIEW-1" in text
    assert client.get(reverse("sellout:reconciliation") + "?export=pdf").status_code == 400
    client.force_login(world.admin_a)  # a reseller: no sales to resellers, never another's
    assert b"Echo Reseller" not in client.get(reverse("sellout:reconciliation")).content
    client.force_login(world.manager)
    assert (
        client.get(reverse("sellout:manage_reconciliation") + "?from=2025-01&to=2025-03&exceptions=1").status_code
        == 200
    )


def _visible_text(html: str) -> str:
    import re

    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


def test_every_sellout_page_reads_without_template_slips(client, world, product):
    from tests.texts import text_defects

    batch = _report(world.partner_a, world.admin_a, product, invoice="P-1", customer="Lambda Labs")
    _report(world.partner_a, world.admin_a, product, invoice="P-1", customer="Lambda Labs", quantity=1)
    line = SellOutLine.objects.get(invoice_number="P-1")
    candidate = EndCustomerCandidate.objects.get(name="Lambda Labs")
    content = "\n".join(
        [TEMPLATE_HEADER, f"P-2,1,{DAY},sale,SO-VIEW-1,,1,1.00,EUR,,,,,,,", f"P-2,2,{DAY},,NOPE,,1,1,EUR,,,,,,,"]
    )
    client.force_login(world.admin_a)
    client.post(reverse("sellout:upload"), {"file": SimpleUploadedFile("p.csv", content.encode())})
    job = SellOutUpload.objects.get(partner=world.partner_a)
    pages = {
        world.admin_a: [
            reverse("sellout:line_list"),
            reverse("sellout:line_detail", args=[line.pk]),
            reverse("sellout:upload"),
            reverse("sellout:upload_list"),
            reverse("sellout:upload_detail", args=[job.pk]),
            reverse("sellout:reconciliation"),
        ],
        world.manager: [
            reverse("sellout:manage_line_list"),
            reverse("sellout:manage_line_detail", args=[line.pk]),
            reverse("sellout:manage_batch_list"),
            reverse("sellout:manage_batch_detail", args=[batch.pk]),
            reverse("sellout:manage_batch_revert", args=[batch.pk]),
            reverse("sellout:manage_candidate_list"),
            reverse("sellout:manage_candidate_detail", args=[candidate.pk]),
            reverse("sellout:manage_reconciliation"),
        ],
    }
    for user, urls in pages.items():
        client.force_login(user)
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, url
            assert text_defects(_visible_text(response.content.decode())) == [], url
