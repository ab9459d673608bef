"""Inventory pages: who sees what, the report form, the upload → report → choice flow."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from inventory.models import ImportJob, InventoryReport
from tests import factories as f
from tests.inventory.conftest import csv_bytes

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("shared_world")]

HEADER = "sku,date,on_hand,units_sold,on_order"


def _upload(client, content: bytes, name: str = "stock.csv"):
    return client.post(reverse("inventory:inventory_upload"), {"file": SimpleUploadedFile(name, content)})


def _job_for(world, user, content: bytes) -> ImportJob:
    from inventory.imports import import_job_create

    return import_job_create(partner=user.partner, user=user, filename="x.csv", content=content)


# --- who may open which page -------------------------------------------------------------------

PORTAL_PAGES = ["inventory_list", "inventory_report", "inventory_upload", "import_list", "inventory_template"]


@pytest.mark.parametrize("name", PORTAL_PAGES)
def test_portal_pages_open_for_partner_members_only(client, world, name):
    url = reverse(f"inventory:{name}")
    client.force_login(world.user_a)
    assert client.get(url).status_code == 200
    client.force_login(world.manager)
    assert client.get(url).status_code == 403
    client.logout()
    assert client.get(url).status_code == 302


def test_manage_list_is_for_managers_only(client, world):
    url = reverse("inventory:manage_inventory_list")
    client.force_login(world.admin_a)
    assert client.get(url).status_code == 403
    client.force_login(world.manager)
    assert client.get(url).status_code == 200


def test_partner_sees_only_its_own_rows(client, world, products):
    f.InventoryReportFactory(partner=world.partner_a, product=products[0])
    f.InventoryReportFactory(partner=world.partner_b, product=products[1])
    client.force_login(world.user_a)
    page = client.get(reverse("inventory:inventory_list"))
    assert [r.product.sku for r in page.context["object_list"]] == ["NET-100"]
    assert not page.context["show_partner"]
    # Asking for another partner's rows by id never reaches them.
    page = client.get(reverse("inventory:inventory_list"), {"partner": world.partner_b.pk})
    assert {r.partner for r in page.context["object_list"]} <= {world.partner_a}


def test_distributor_reads_its_resellers_rows(client, world, products):
    f.InventoryReportFactory(partner=world.reseller_of_distributor, product=products[0])
    f.InventoryReportFactory(partner=world.partner_a, product=products[1])
    client.force_login(world.distributor_admin)
    page = client.get(reverse("inventory:inventory_list"))
    assert [r.partner for r in page.context["object_list"]] == [world.reseller_of_distributor]
    assert page.context["show_partner"]


def test_regional_manager_sees_only_their_region(client, world, products):
    f.InventoryReportFactory(partner=world.partner_a, product=products[0])
    f.InventoryReportFactory(partner=world.partner_b, product=products[1])
    client.force_login(world.regional_manager)
    page = client.get(reverse("inventory:manage_inventory_list"))
    assert {r.partner for r in page.context["object_list"]} == {world.partner_b}
    client.force_login(world.manager)
    page = client.get(reverse("inventory:manage_inventory_list"))
    assert {r.partner for r in page.context["object_list"]} == {world.partner_a, world.partner_b}


def test_list_filters_by_product_and_date_range(client, world, products):
    today = date.today()
    for days in (1, 10, 40):
        f.InventoryReportFactory(partner=world.partner_a, product=products[0], date=today - timedelta(days=days))
    f.InventoryReportFactory(partner=world.partner_a, product=products[1], date=today - timedelta(days=10))
    client.force_login(world.user_a)
    params = {"product": products[0].pk, "date_from": today - timedelta(days=20), "date_to": today - timedelta(days=5)}
    page = client.get(reverse("inventory:inventory_list"), params)
    assert [(r.product, r.date) for r in page.context["object_list"]] == [(products[0], today - timedelta(days=10))]


@pytest.mark.parametrize(("username", "url_name"), [("user_a", "inventory_list"), ("manager", "manage_inventory_list")])
def test_list_pages_keep_a_constant_query_count(client, world, products, django_assert_num_queries, username, url_name):
    def add_rows(n):
        for i in range(n):
            product = f.ProductFactory()
            f.InventoryReportFactory(partner=world.partner_a, product=product, date=date.today() - timedelta(days=i))

    client.force_login(getattr(world, username))
    url = reverse(f"inventory:{url_name}")
    add_rows(3)
    client.get(url)  # warm up (session, content types)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    add_rows(60)
    with django_assert_num_queries(len(few)):
        page = client.get(url)
    assert len(page.context["object_list"]) == 50 and page.context["is_paginated"]


def test_empty_list_explains_itself(client, world):
    client.force_login(world.user_a)
    assert "No inventory reported yet" in client.get(reverse("inventory:inventory_list")).content.decode()


# --- report by hand ------------------------------------------------------------------------------


def _formset_data(rows, total=5):
    data = {
        "form-TOTAL_FORMS": str(total),
        "form-INITIAL_FORMS": "0",
        "form-MIN_NUM_FORMS": "0",
        "form-MAX_NUM_FORMS": "50",
    }
    for i, row in enumerate(rows):
        for key, value in row.items():
            data[f"form-{i}-{key}"] = value
    return data


def test_report_form_saves_several_products_and_replaces_earlier_rows(client, world, products, yesterday):
    f.InventoryReportFactory(partner=world.partner_a, product=products[0], date=yesterday, on_hand=99)
    client.force_login(world.user_a)
    data = _formset_data(
        [
            {"product": products[0].pk, "date": yesterday, "on_hand": 5, "units_sold": 1, "on_order": 0},
            {"product": products[1].pk, "date": yesterday, "on_hand": 7, "units_sold": 2, "on_order": ""},
        ]
    )
    response = client.post(reverse("inventory:inventory_report"), data, follow=True)
    assert "1 new row, 1 replaced" in response.content.decode()
    rows = {r.product.sku: r for r in InventoryReport.objects.filter(partner=world.partner_a)}
    assert rows["NET-100"].on_hand == 5 and rows["NET-200"].on_order == 0 and rows["NET-200"].source == "portal"


def test_report_form_shows_field_errors_and_keeps_what_was_typed(client, world, products):
    client.force_login(world.user_a)
    future = date.today() + timedelta(days=3)
    data = _formset_data([{"product": products[0].pk, "date": future, "on_hand": -2, "units_sold": "abc"}])
    response = client.post(reverse("inventory:inventory_report"), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "cannot be in the future" in html and "greater than or equal to 0" in html
    assert 'value="abc"' in html and f'value="{future.isoformat()}"' in html
    assert not InventoryReport.objects.exists()


def test_report_form_refuses_the_same_product_and_date_twice_and_an_empty_form(client, world, products, yesterday):
    client.force_login(world.user_a)
    row = {"product": products[0].pk, "date": yesterday, "on_hand": 1, "units_sold": 1, "on_order": 0}
    html = client.post(reverse("inventory:inventory_report"), _formset_data([row, row])).content.decode()
    assert "Rows 1 and 2 are for the same product and date" in html
    html = client.post(reverse("inventory:inventory_report"), _formset_data([])).content.decode()
    assert "Fill in at least one row" in html
    assert not InventoryReport.objects.exists()


def test_report_form_renders_with_a_fixed_number_of_queries(client, world, django_assert_max_num_queries):
    f.ProductFactory.create_batch(30)
    client.force_login(world.user_a)
    with django_assert_max_num_queries(8):
        assert client.get(reverse("inventory:inventory_report")).status_code == 200


# --- upload, report, choice ----------------------------------------------------------------------


def test_template_download_is_the_header(client, world):
    client.force_login(world.user_a)
    response = client.get(reverse("inventory:inventory_template"))
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    assert response.content.decode().strip() == HEADER


def test_upload_page_links_to_the_template(client, world):
    client.force_login(world.user_a)
    html = client.get(reverse("inventory:inventory_upload")).content.decode()
    assert reverse("inventory:inventory_template") in html


def test_upload_with_a_bad_row_shows_the_report_and_writes_nothing(client, world, products, yesterday):
    client.force_login(world.user_a)
    content = csv_bytes(
        HEADER, f"NET-100,{yesterday},5,1,0", f"NET-200,{yesterday},-3,1,0", f"SRV-300,{yesterday},2,2,2"
    )
    response = _upload(client, content)
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response.url == reverse("inventory:import_detail", args=[job.pk])
    assert (job.status, job.partner, job.user) == ("validated", world.partner_a, world.user_a)
    assert (job.total_rows, job.valid_rows, job.error_count) == (3, 2, 1)
    html = client.get(response.url).content.decode()
    assert "<td>3</td><td>on_hand</td><td>-3</td><td>negative number" in html
    assert "Import the 2 valid rows" in html and "Fix the file and upload again" in html
    assert not InventoryReport.objects.exists()

    report = client.get(reverse("inventory:import_errors", args=[job.pk]))
    assert report.content.decode().splitlines()[1].startswith("3,on_hand,'-3,negative number")

    response = client.post(reverse("inventory:import_run", args=[job.pk]), follow=True)
    assert "Imported: 2 new rows, 0 replaced" in response.content.decode()
    assert set(InventoryReport.objects.values_list("product__sku", "on_hand", "source")) == {
        ("NET-100", 5, "csv"),
        ("SRV-300", 2, "csv"),
    }
    job.refresh_from_db()
    assert (job.status, job.created_count, job.updated_count) == ("done", 2, 0)

    # Choosing twice does nothing more.
    response = client.post(reverse("inventory:import_run", args=[job.pk]), follow=True)
    assert "cannot be imported now" in response.content.decode()
    assert InventoryReport.objects.count() == 2


def test_uploading_a_row_again_replaces_it(client, world, products, yesterday):
    f.InventoryReportFactory(partner=world.partner_a, product=products[0], date=yesterday, on_hand=1)
    client.force_login(world.admin_a)
    _upload(client, csv_bytes(HEADER, f"NET-100,{yesterday},40,4,4"))
    job = ImportJob.objects.get()
    client.post(reverse("inventory:import_run", args=[job.pk]))
    job.refresh_from_db()
    assert (job.created_count, job.updated_count) == (0, 1)
    assert InventoryReport.objects.get().on_hand == 40


def test_a_file_with_no_valid_row_offers_no_import_and_says_what_to_fix(client, world, products, yesterday):
    client.force_login(world.user_a)
    rows = [f"NET-100,{yesterday},-1,1,0", f"NET-200,{yesterday},-3,1,0", f"NOPE-1,{yesterday},2,2,2"]
    _upload(client, csv_bytes(HEADER, *rows))
    job = ImportJob.objects.get()
    assert (job.total_rows, job.valid_rows, job.error_count) == (3, 0, 3)
    html = client.get(reverse("inventory:import_detail", args=[job.pk])).content.decode()
    status = html.split("Problems</h3>")[0]
    assert "0 valid row" not in status and "Import the" not in status and "Import all" not in status
    assert reverse("inventory:import_run", args=[job.pk]) not in html
    assert "Nothing in this file can be imported" in status
    # What to fix: the problems, most frequent first, counted from the report itself.
    expected = Counter((e["column"], e["reason"]) for e in job.errors).most_common()
    summary = re.search(r'id="problem-summary">(.*?)</ul>', html, re.S).group(1)
    items = re.findall(r"<li>(.*?)</li>", summary, re.S)
    assert len(items) == len(expected)
    for item, ((column, reason), count) in zip(items, expected, strict=True):
        assert column in item and reason in item and f"{count} row" in item


def test_file_with_a_missing_column_offers_no_import(client, world, products, yesterday):
    client.force_login(world.user_a)
    _upload(client, csv_bytes("sku,date,on_hand", f"NET-100,{yesterday},5"))
    job = ImportJob.objects.get()
    html = client.get(reverse("inventory:import_detail", args=[job.pk])).content.decode()
    assert job.file_error and "missing column: units_sold" in html and "whole file" in html
    assert "valid row" not in html.split("Problems</h3>")[0].split("alert")[-1]
    assert client.post(reverse("inventory:import_run", args=[job.pk])).status_code == 302
    job.refresh_from_db()
    assert job.status == "validated" and not InventoryReport.objects.exists()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("stock.xlsx", b"PK\x03\x04...", "is not a CSV file"),
        ("stock.csv", "sku,date,on_hand,units_sold\nNET-100,2025-01-01,1,1 Grüße\n".encode("utf-16"), "binary"),
        ("stock.csv", "sku,date,on_hand,units_sold\nNET-100,2025-01-01,1,1 Café\n".encode("latin-1"), "not UTF-8"),
    ],
)
def test_bad_files_get_a_clear_message(client, world, products, name, content, message):
    client.force_login(world.user_a)
    response = _upload(client, content, name=name)
    if response.status_code == 200:  # refused by the form itself
        assert message in response.content.decode()
        assert not ImportJob.objects.exists()
    else:
        job = ImportJob.objects.get()
        assert job.file_error and message in job.errors[0]["reason"]
        assert message in client.get(response.url).content.decode()


def test_upload_form_requires_a_file(client, world):
    client.force_login(world.user_a)
    response = client.post(reverse("inventory:inventory_upload"), {})
    assert response.status_code == 200 and "This field is required" in response.content.decode()


def test_large_files_are_checked_by_a_worker_with_progress(
    client, world, products, settings, django_capture_on_commit_callbacks
):
    settings.PRM_INVENTORY_SYNC_ROWS = 5
    client.force_login(world.user_a)
    lines = [HEADER] + [f"NET-100,{date.today() - timedelta(days=i)},1,1,0" for i in range(12)]
    with django_capture_on_commit_callbacks(execute=False) as queued:
        _upload(client, csv_bytes(*lines))
    job = ImportJob.objects.get()
    assert job.status == "pending" and len(queued) == 1
    url = reverse("inventory:import_detail", args=[job.pk])
    fragment = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert 'hx-trigger="every 1s"' in fragment and "<html" not in fragment

    queued[0]()  # the worker picks the task up (eager Celery runs it here)
    job.refresh_from_db()
    assert (job.status, job.valid_rows, job.processed_rows) == ("validated", 12, 12)
    fragment = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "hx-trigger" not in fragment and "Import all 12 rows" in fragment

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("inventory:import_run", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == "done" and InventoryReport.objects.count() == 12


# --- another partner's jobs are not there -------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "method"), [("import_detail", "get"), ("import_errors", "get"), ("import_run", "post")]
)
def test_another_partners_job_is_not_found(client, world, products, yesterday, name, method):
    job = _job_for(world, world.user_b, csv_bytes(HEADER, f"NET-100,{yesterday},1,1,0"))
    url = reverse(f"inventory:{name}", args=[job.pk])
    client.force_login(world.user_a)
    assert getattr(client, method)(url).status_code == 404
    # a distributor does not see its resellers' uploads either
    reseller_user = f.PartnerUserFactory(partner=world.reseller_of_distributor)
    job = _job_for(world, reseller_user, csv_bytes(HEADER, f"NET-100,{yesterday},1,1,0"))
    client.force_login(world.distributor_admin)
    assert getattr(client, method)(reverse(f"inventory:{name}", args=[job.pk])).status_code == 404
    client.force_login(reseller_user)
    assert getattr(client, method)(reverse(f"inventory:{name}", args=[job.pk])).status_code in (200, 302)
    assert InventoryReport.objects.filter(partner=world.partner_b).count() == 0


def test_job_list_shows_only_the_partners_jobs(client, world, products, yesterday):
    mine = _job_for(world, world.admin_a, csv_bytes(HEADER, f"NET-100,{yesterday},1,1,0"))
    _job_for(world, world.user_b, csv_bytes(HEADER, f"NET-100,{yesterday},1,1,0"))
    client.force_login(world.user_a)  # a colleague's upload is visible within the partner
    assert list(client.get(reverse("inventory:import_list")).context["object_list"]) == [mine]
