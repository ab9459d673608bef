"""EDI over the API: the raw interchange in, 200 with the result, 400 with located errors, 202 with a job."""

from __future__ import annotations

import pytest
from django.test import override_settings

from edi.models import EdiImport, ProductActivity
from tests.edi.builders import activity, fixture, interchange
from tests.fixtures.api import error_of, token_client

pytestmark = pytest.mark.django_db
X12 = "application/edi-x12"


def post(client, body: bytes, content_type: str = X12, **query):
    url = "/api/v1/edi/" + (f"?filename={query['filename']}" if "filename" in query else "")
    return client.generic("POST", url, body, content_type=content_type)


def test_small_interchange_answers_200_with_the_result(edi_world):
    client = token_client(edi_world["user"])
    response = post(client, fixture("852-4010.edi"), filename="jan.edi")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "done" and body["filename"] == "jan.edi" and body["errors"] == []
    assert body["summary"]["activity_rows"] == 2 and body["summary"]["balance_exceptions"] == 1
    assert response["Location"].endswith(f"/api/v1/edi/{body['id']}/")
    job = EdiImport.objects.get()
    assert job.source == "api" and job.token is not None and job.token.user == edi_world["user"]


def test_errors_answer_400_by_segment_id_and_element(edi_world):
    client = token_client(edi_world["user"])
    text = interchange([activity(("VN*NOPE", {"QA": 1}))]).decode().replace("SE*6*", "SE*7*")
    response = post(client, text.encode())
    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "invalid_interchange"
    assert [(e["segment"], e["segment_id"], e["element"]) for e in error["errors"]] == [(6, "LIN", 3), (8, "SE", 1)]
    assert response.json()["job"]["status"] == "rejected"
    assert ProductActivity.objects.count() == 0


def test_unreadable_delimiters_answer_400(edi_world):
    response = post(token_client(edi_world["user"]), b"ISA*00*short~")
    assert response.status_code == 400
    assert error_of(response)["errors"][0]["segment_id"] == "ISA"


@override_settings(PRM_EDI_SYNC_SEGMENTS=5)
def test_large_interchange_answers_202_with_the_job(edi_world, django_capture_on_commit_callbacks):
    client = token_client(edi_world["user"])
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = post(client, fixture("852-4010.edi"))
    assert response.status_code == 202
    job = response.json()
    assert job["status"] == "pending" and len(queued) == 1
    for callback in queued:  # the worker (eager Celery) runs the queued task
        callback()
    polled = client.get(job["url"])
    assert polled.status_code == 200 and polled.json()["status"] == "done"
    assert polled.json()["progress_percent"] == 100


def test_duplicate_is_200_and_says_so(edi_world):
    client = token_client(edi_world["user"])
    first = post(client, fixture("852-4010.edi")).json()
    again = post(client, fixture("852-4010.edi"))
    assert again.status_code == 200
    assert again.json()["status"] == "duplicate" and again.json()["duplicate_of"] == first["id"]


def test_json_is_refused_with_415(edi_world):
    response = token_client(edi_world["user"]).post("/api/v1/edi/", {"x": 1}, format="json")
    assert response.status_code == 415
    assert error_of(response)["code"] == "unsupported_media_type"


def test_empty_body_is_refused(edi_world):
    response = post(token_client(edi_world["user"]), b"")
    assert response.status_code == 422 and "empty" in error_of(response)["message"]


def test_read_only_token_may_not_send(edi_world):
    response = post(token_client(edi_world["user"], read_only=True), fixture("852-4010.edi"))
    assert response.status_code == 403 and error_of(response)["code"] == "read_only_token"


def test_jobs_are_seen_by_their_partner_and_managers_only(edi_world):
    post(token_client(edi_world["user"]), fixture("852-4010.edi"))
    job = EdiImport.objects.get()
    other = token_client(edi_world["other_user"])
    assert other.get(f"/api/v1/edi/{job.pk}/").status_code == 404
    assert other.get("/api/v1/edi/").json()["results"] == []
    manager = token_client(edi_world["manager"])
    assert manager.get(f"/api/v1/edi/{job.pk}/").status_code == 200
    listed = token_client(edi_world["user"]).get("/api/v1/edi/").json()["results"]
    assert [row["id"] for row in listed] == [job.pk] and "errors" not in listed[0]


def test_a_refused_senders_job_stays_its_own(edi_world):
    response = post(token_client(edi_world["other_user"]), fixture("852-4010.edi"))
    assert response.status_code == 400
    job_id = response.json()["job"]["id"]
    assert token_client(edi_world["other_user"]).get(f"/api/v1/edi/{job_id}/").status_code == 200
    assert token_client(edi_world["user"]).get(f"/api/v1/edi/{job_id}/").status_code == 404


def test_list_costs_the_same_queries_for_many_jobs(edi_world, django_assert_max_num_queries):
    client = token_client(edi_world["user"])
    post(client, fixture("852-4010.edi"))
    for control in range(300, 320):
        post(client, interchange([activity(("VN*NET-SW24", {"QA": control}))], control=control))
    with django_assert_max_num_queries(6):
        response = client.get("/api/v1/edi/", {"page_size": 100})
    assert len(response.json()["results"]) == 21
