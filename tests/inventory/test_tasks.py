"""The worker path for large files: tasks called directly, idempotent, nothing half-imported."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from inventory import services, tasks
from inventory.imports import import_job_create, import_job_request_import
from inventory.models import ImportJob, InventoryReport
from prm.celery import app
from tests.inventory.conftest import csv_bytes

pytestmark = pytest.mark.django_db

HEADER = "sku,date,on_hand,units_sold,on_order"


@pytest.fixture
def big_file(products):
    """One bad row among many good ones."""
    lines = [HEADER] + [f"{p.sku},{date.today() - timedelta(days=d)},{d},1,0" for p in products for d in range(1, 201)]
    lines.append(f"NOPE-1,{date.today()},1,1,0")
    return csv_bytes(*lines)


@pytest.fixture
def queued_job(world, big_file, settings, django_capture_on_commit_callbacks) -> ImportJob:
    settings.PRM_INVENTORY_SYNC_ROWS = 100
    with django_capture_on_commit_callbacks(execute=False) as queued:
        job = import_job_create(partner=world.partner_a, user=world.user_a, filename="big.csv", content=big_file)
    assert job.status == ImportJob.Status.PENDING and len(queued) == 1
    return job


def test_tasks_run_on_the_ingest_queue_and_survive_a_dead_worker():
    for name in ("inventory.tasks.validate_import", "inventory.tasks.import_valid_rows"):
        task = app.tasks[name]
        assert task.acks_late and task.reject_on_worker_lost
        assert app.amqp.router.route({}, name)["queue"].name == "ingest"


def test_validate_task_checks_every_row_and_writes_nothing(queued_job):
    assert tasks.validate_import.delay(queued_job.pk).get() == "validated"
    queued_job.refresh_from_db()
    assert (queued_job.total_rows, queued_job.valid_rows, queued_job.error_count) == (601, 600, 1)
    assert queued_job.errors[0]["row"] == 602 and queued_job.errors[0]["column"] == "sku"
    assert queued_job.validated_at is not None
    assert not InventoryReport.objects.exists()
    # Redelivered after it finished: nothing changes.
    assert tasks.validate_import(queued_job.pk) == "validated"


def test_import_task_writes_the_valid_rows_once(queued_job, world, settings, django_capture_on_commit_callbacks):
    tasks.validate_import(queued_job.pk)
    queued_job.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=False) as queued:
        import_job_request_import(job=queued_job, user=world.user_a)
    queued_job.refresh_from_db()
    assert queued_job.status == ImportJob.Status.IMPORTING and len(queued) == 1

    assert tasks.import_valid_rows(queued_job.pk) == "done"
    queued_job.refresh_from_db()
    assert (queued_job.created_count, queued_job.updated_count) == (600, 0)
    assert InventoryReport.objects.filter(partner=world.partner_a, source="csv").count() == 600
    # The message delivered again after the job finished: nothing is written twice.
    assert tasks.import_valid_rows(queued_job.pk) == "done"
    assert InventoryReport.objects.count() == 600


def test_a_worker_dying_mid_import_leaves_nothing_and_the_retry_completes(queued_job, world, monkeypatch):
    tasks.validate_import(queued_job.pk)
    ImportJob.objects.filter(pk=queued_job.pk).update(status=ImportJob.Status.IMPORTING)
    real_emit = services.emit
    written = {}

    def dies_after_the_rows_are_written(*args, **kwargs):
        written["rows"] = InventoryReport.objects.count()  # seen inside the import's transaction
        raise SystemExit("worker killed")  # not an Exception: nothing in the task catches it

    monkeypatch.setattr(services, "emit", dies_after_the_rows_are_written)
    with pytest.raises(SystemExit):
        tasks.import_valid_rows(queued_job.pk)
    assert written["rows"] == 600
    assert not InventoryReport.objects.exists()  # every written row was rolled back with the rest
    queued_job.refresh_from_db()
    assert queued_job.status == ImportJob.Status.IMPORTING  # so the redelivered message does the job again

    monkeypatch.setattr(services, "emit", real_emit)
    assert tasks.import_valid_rows(queued_job.pk) == "done"
    assert InventoryReport.objects.count() == 600


def test_an_unexpected_error_marks_the_job_failed_with_a_message(queued_job, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr("inventory.imports.validate_csv", broken)
    # Through Celery (not a plain call), as a worker runs it: the failure reaches the task_failure handler.
    with pytest.raises(RuntimeError):
        tasks.validate_import.delay(queued_job.pk)
    queued_job.refresh_from_db()
    assert queued_job.status == ImportJob.Status.FAILED
    assert "nothing was imported" in queued_job.message and "disk" not in queued_job.message


def test_a_lost_database_connection_is_retried_and_the_file_goes_through(queued_job, monkeypatch):
    from django.db import OperationalError

    real = tasks.import_job_validate
    calls = []

    def first_call_loses_the_connection(**kwargs):
        calls.append(kwargs)
        if len(calls) == 1:
            raise OperationalError("server closed the connection unexpectedly")
        return real(**kwargs)

    monkeypatch.setattr(tasks, "import_job_validate", first_call_loses_the_connection)
    assert tasks.validate_import.delay(queued_job.pk).get() == "validated"
    assert len(calls) == 2
    queued_job.refresh_from_db()
    assert queued_job.status == ImportJob.Status.VALIDATED and queued_job.message == ""


def test_a_database_that_stays_away_fails_the_file_after_the_retries(queued_job, monkeypatch):
    from django.db import OperationalError

    calls = []

    def always_down(**kwargs):
        calls.append(kwargs)
        raise OperationalError("could not connect to server")

    monkeypatch.setattr(tasks, "import_job_validate", always_down)
    result = tasks.validate_import.apply((queued_job.pk,), throw=False)
    assert result.failed() and len(calls) == 1 + tasks.validate_import.max_retries
    queued_job.refresh_from_db()
    assert queued_job.status == ImportJob.Status.FAILED and "nothing was imported" in queued_job.message


def test_a_user_who_lost_access_fails_the_import_cleanly(queued_job, world):
    tasks.validate_import(queued_job.pk)
    ImportJob.objects.filter(pk=queued_job.pk).update(status=ImportJob.Status.IMPORTING)
    world.user_a.is_active = False
    world.user_a.save()
    assert tasks.import_valid_rows.apply((queued_job.pk,), throw=False).failed()
    queued_job.refresh_from_db()
    assert "may not report inventory" in queued_job.message
    assert not InventoryReport.objects.exists()


def test_a_hundred_thousand_rows_go_through_the_worker(world, settings, django_capture_on_commit_callbacks):
    """The reference size of the issue: checked and imported by the worker path, in one transaction."""
    from tests import factories as f

    settings.PRM_INVENTORY_SYNC_ROWS = 2000
    products = f.ProductFactory.create_batch(100)
    start = date.today() - timedelta(days=1000)
    lines = [HEADER] + [
        f"{p.sku},{start + timedelta(days=d)},{d % 50},{d % 7},0" for p in products for d in range(1000)
    ]
    with django_capture_on_commit_callbacks(execute=True):
        job = import_job_create(
            partner=world.partner_a, user=world.user_a, filename="big.csv", content=csv_bytes(*lines)
        )
    job.refresh_from_db()
    assert (job.status, job.valid_rows, job.error_count) == ("validated", 100_000, 0)
    with django_capture_on_commit_callbacks(execute=True):
        import_job_request_import(job=job, user=world.user_a)
    job.refresh_from_db()
    assert (job.status, job.created_count) == ("done", 100_000)
    assert InventoryReport.objects.count() == 100_000


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_on_redis_checks_and_imports_a_large_file(settings):
    """End to end: the request queues the task, a worker on the broker runs it, the page's job moves on."""
    import time

    from celery.contrib.testing.worker import start_worker

    from tests import factories as f

    settings.PRM_INVENTORY_SYNC_ROWS = 10
    partner = f.PartnerFactory()
    user = f.PartnerUserFactory(partner=partner)
    product = f.ProductFactory(sku="NET-100")
    lines = [HEADER] + [f"{product.sku},{date.today() - timedelta(days=d)},{d},1,0" for d in range(1, 51)]
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, queues=["ingest"]):

            def wait_for(status):
                for _ in range(200):
                    job = ImportJob.objects.get(pk=job_id)
                    if job.status == status:
                        return job
                    time.sleep(0.05)
                raise AssertionError(f"job stayed {job.status}")

            job_id = import_job_create(partner=partner, user=user, filename="w.csv", content=csv_bytes(*lines)).pk
            job = wait_for(ImportJob.Status.VALIDATED)
            assert job.valid_rows == 50
            import_job_request_import(job=job, user=user)
            job = wait_for(ImportJob.Status.DONE)
    finally:
        app.conf.task_always_eager = eager
    assert job.created_count == 50 and InventoryReport.objects.filter(partner=partner).count() == 50


def _age(job: ImportJob, *, idle: timedelta, age: timedelta | None = None) -> None:
    """Make a job look as if nothing had moved it for `idle` (and, if given, as if created `age` ago)."""
    from django.utils import timezone

    now = timezone.now()
    fields = {"updated_at": now - idle}
    if age is not None:
        fields.update(created_at=now - age, import_started_at=now - age if job.import_started_at else None)
    ImportJob.objects.filter(pk=job.pk).update(**fields)


def test_a_job_whose_message_was_lost_is_queued_again_and_finishes(
    queued_job, world, django_capture_on_commit_callbacks
):
    from inventory.imports import import_jobs_resume_stalled

    assert import_jobs_resume_stalled() == {"resumed": 0, "failed": 0}  # recent: left to its worker
    _age(queued_job, idle=timedelta(hours=1))
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.resume_stalled_imports() == {"resumed": 1, "failed": 0}
    queued_job.refresh_from_db()
    assert queued_job.status == ImportJob.Status.VALIDATED and queued_job.valid_rows == 600

    with django_capture_on_commit_callbacks(execute=False):
        import_job_request_import(job=queued_job, user=world.user_a)  # its message lost too
    queued_job.refresh_from_db()
    _age(queued_job, idle=timedelta(hours=1))
    with django_capture_on_commit_callbacks(execute=True):
        assert import_jobs_resume_stalled() == {"resumed": 1, "failed": 0}
    queued_job.refresh_from_db()
    assert queued_job.status == ImportJob.Status.DONE and InventoryReport.objects.count() == 600
    with django_capture_on_commit_callbacks(execute=True):
        assert import_jobs_resume_stalled() == {"resumed": 0, "failed": 0}  # done jobs are left alone


def test_a_job_stuck_for_half_a_day_fails_with_a_message_and_imports_nothing(queued_job):
    from inventory.imports import import_jobs_resume_stalled

    _age(queued_job, idle=timedelta(hours=13), age=timedelta(hours=13))
    assert import_jobs_resume_stalled() == {"resumed": 0, "failed": 1}
    queued_job.refresh_from_db()
    assert queued_job.status == ImportJob.Status.FAILED and "Upload it again" in queued_job.message
    assert not InventoryReport.objects.exists()


def test_the_sweep_is_on_the_beat():
    from django.conf import settings

    entry = settings.CELERY_BEAT_SCHEDULE["inventory-resume-stalled-imports"]
    assert entry["task"] == "inventory.tasks.resume_stalled_imports"
    assert "inventory.tasks.resume_stalled_imports" in app.tasks
