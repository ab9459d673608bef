"""The worker path for large sell-out files: queued, checked, imported once in one batch, failures recorded."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from ingest.models import ImportBatch
from prm.celery import app
from sellout import tasks
from sellout.csv_import import TEMPLATE_HEADER
from sellout.imports import UPLOADS, sellout_upload_create, sellout_upload_request_import
from sellout.models import SellOutLine, SellOutUpload
from tests import factories as f

pytestmark = pytest.mark.django_db
DAY = (date.today() - timedelta(days=2)).isoformat()


@pytest.fixture
def big_file(db) -> bytes:
    f.ProductFactory(sku="BIG-1")
    rows = [f"B-{n},1,{DAY},sale,BIG-1,,{n % 5 + 1},12.00,USD,,,,,,," for n in range(1, 301)]
    rows.append(f"B-X,1,{DAY},sale,NOPE,,1,12.00,USD,,,,,,,")
    return "\n".join([TEMPLATE_HEADER, *rows]).encode()


@pytest.fixture
def queued(world, big_file, settings, django_capture_on_commit_callbacks) -> SellOutUpload:
    settings.PRM_SELLOUT_SYNC_ROWS = 100
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = sellout_upload_create(partner=world.partner_a, user=world.admin_a, filename="big.csv", content=big_file)
    assert job.status == SellOutUpload.Status.PENDING and len(callbacks) == 1
    return job


def test_tasks_run_on_the_ingest_queue():
    for name in ("sellout.tasks.validate_upload", "sellout.tasks.import_upload"):
        task = app.tasks[name]
        assert task.acks_late and task.reject_on_worker_lost
        assert app.amqp.router.route({}, name)["queue"].name == "ingest"
    assert "sellout.tasks.resume_stalled_uploads" in app.tasks


def test_a_large_file_is_checked_then_imported_once(queued, world, django_capture_on_commit_callbacks):
    assert tasks.validate_upload(queued.pk) == "validated"
    queued.refresh_from_db()
    assert (queued.total_rows, queued.valid_rows, queued.error_count) == (301, 300, 1)
    assert queued.errors[0] == {"row": 302, "column": "sku", "value": "NOPE", "reason": queued.errors[0]["reason"]}
    assert not SellOutLine.objects.exists()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        sellout_upload_request_import(job=queued, user=world.admin_a)
    assert len(callbacks) == 1
    assert tasks.import_upload(queued.pk) == "done"
    assert tasks.import_upload(queued.pk) == "done"  # redelivered: nothing twice
    queued.refresh_from_db()
    assert queued.created_count == 300 and SellOutLine.objects.count() == 300
    assert ImportBatch.objects.filter(kind="sellout").count() == 1
    assert set(SellOutLine.objects.values_list("batch_id", flat=True)) == {queued.batch_id}


def test_a_failing_step_fails_the_job_with_a_message(queued, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr("sellout.imports.validate_csv", broken)
    with pytest.raises(RuntimeError):
        tasks.validate_upload.apply(args=[queued.pk], throw=True)
    queued.refresh_from_db()
    assert queued.status == "failed" and "unexpected error" in queued.message
    assert "disk on fire" not in queued.message


def test_a_partner_may_not_upload_for_another(world, big_file):
    from core.exceptions import ActionNotPermittedError

    with pytest.raises(ActionNotPermittedError):
        UPLOADS.create(partner=world.partner_b, user=world.admin_a, filename="x.csv", content=big_file)
