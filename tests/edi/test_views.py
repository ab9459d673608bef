"""EDI pages: upload in the portal and in /manage/, the job page with its progress, errors, lists, exceptions."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from edi.models import EdiImport
from tests.edi.builders import activity, fixture, interchange

pytestmark = pytest.mark.django_db


def upload(client, url: str, content: bytes, name: str = "jan.edi"):
    return client.post(url, {"file": SimpleUploadedFile(name, content, content_type="application/edi-x12")})


def test_portal_upload_imports_and_shows_the_result(client, edi_world):
    client.force_login(edi_world["user"])
    page = client.get("/portal/edi/")
    assert page.status_code == 200 and "Send an X12 interchange" in page.content.decode()
    response = upload(client, "/portal/edi/", fixture("852-4010.edi"))
    job = EdiImport.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/portal/edi/imports/{job.pk}/"
    assert job.source == "portal" and job.filename == "jan.edi" and job.status == "done"
    detail = client.get(response["Location"]).content.decode()
    assert "Imported:" in detail and "1 balance exception" in detail


def test_portal_upload_lists_errors_and_offers_the_report(client, edi_world):
    client.force_login(edi_world["user"])
    upload(client, "/portal/edi/", interchange([activity(("VN*NOPE-9", {"QA": 1}))]))
    job = EdiImport.objects.get()
    detail = client.get(f"/portal/edi/imports/{job.pk}/").content.decode()
    assert "Nothing was imported" in detail and "NOPE-9" in detail and "LIN03" in detail
    report = client.get(f"/portal/edi/imports/{job.pk}/errors.csv")
    lines = report.content.decode().splitlines()
    assert lines[0] == "segment,segment_id,element,value,reason" and lines[1].startswith("6,LIN,3,NOPE-9,")


@override_settings(PRM_EDI_SYNC_SEGMENTS=5)
def test_a_large_upload_shows_a_progress_bar_until_done(client, edi_world, django_capture_on_commit_callbacks):
    client.force_login(edi_world["user"])
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = upload(client, "/portal/edi/", fixture("852-4010.edi"))
    fragment = client.get(response["Location"], headers={"HX-Request": "true"}).content.decode()
    assert 'role="progressbar"' in fragment and 'hx-trigger="every 1s"' in fragment
    for callback in queued:
        callback()
    fragment = client.get(response["Location"], headers={"HX-Request": "true"}).content.decode()
    assert "progressbar" not in fragment and "Imported:" in fragment


def test_empty_upload_is_refused_on_the_form(client, edi_world):
    client.force_login(edi_world["user"])
    response = upload(client, "/portal/edi/", b"   ")
    assert response.status_code == 200 and EdiImport.objects.count() == 0


def test_other_partner_cannot_open_the_job(client, edi_world):
    client.force_login(edi_world["user"])
    upload(client, "/portal/edi/", fixture("852-4010.edi"))
    job = EdiImport.objects.get()
    client.force_login(edi_world["other_user"])
    assert client.get(f"/portal/edi/imports/{job.pk}/").status_code == 404
    assert client.get(f"/portal/edi/imports/{job.pk}/errors.csv").status_code == 404
    assert "jan.edi" not in client.get("/portal/edi/imports/").content.decode()
    assert "NET-SW24" not in client.get("/portal/edi/activity/").content.decode()


def test_balance_exceptions_for_the_partner_and_managers(client, edi_world):
    client.force_login(edi_world["user"])
    upload(client, "/portal/edi/", fixture("852-4010.edi"))
    page = client.get("/portal/edi/activity/?exceptions=true").content.decode()
    assert "NET-SW48" in page and "NET-SW24" not in page
    everything = client.get("/portal/edi/activity/").content.decode()
    assert "NET-SW48" in everything and "NET-SW24" in everything
    export = client.get("/portal/edi/activity/?exceptions=true&export=csv")
    body = b"".join(export.streaming_content).decode() if export.streaming else export.content.decode()
    assert "NET-SW48" in body and "NET-SW24" not in body
    client.force_login(edi_world["manager"])
    managed = client.get("/manage/edi/activity/?exceptions=true").content.decode()
    assert "NET-SW48" in managed and "Acme Networks" in managed


def test_manager_pages(client, edi_world):
    client.force_login(edi_world["manager"])
    response = upload(client, "/manage/edi/", fixture("852-4010.edi"))
    job = EdiImport.objects.get()
    assert response["Location"] == f"/manage/edi/imports/{job.pk}/" and job.status == "done"
    assert job.partner == edi_world["partner"]
    listed = client.get("/manage/edi/imports/").content.decode()
    assert "jan.edi" in listed and "Acme Networks" in listed
    locations = client.get("/manage/edi/locations/").content.decode()
    assert "ACME-BER" in locations and "Berlin" in locations
    client.force_login(edi_world["user"])
    assert client.get("/manage/edi/imports/").status_code == 403


def test_lists_keep_their_query_count(client, edi_world, django_assert_max_num_queries):
    client.force_login(edi_world["user"])
    upload(client, "/portal/edi/", fixture("852-4010.edi"))
    for control in range(400, 415):
        body = activity(
            ("VN*NET-SW24", {"QA": 5}), start=f"2025{control % 12 + 1:02d}01", end=f"2025{control % 12 + 1:02d}28"
        )
        upload(client, "/portal/edi/", interchange([body], control=control))
    with django_assert_max_num_queries(12):
        assert client.get("/portal/edi/imports/").status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get("/portal/edi/activity/").status_code == 200
