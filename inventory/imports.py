"""The life of an uploaded inventory file: upload → check every row → the user chooses → import.

Nothing is written to the inventory until the user asks for the valid rows to
be imported. Small files are checked and imported inside the request; larger
ones (more than `SYNC_ROW_LIMIT` rows) by a worker on the `ingest` queue while
the page shows progress. The import itself runs in one transaction that also
marks the job done, so a worker that dies mid-way leaves nothing behind and
the redelivered task (acks_late) simply does it again; since rows are
upserted, doing it twice gives the same result.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core.exceptions import ActionNotPermittedError, ServiceError, TransitionNotAllowedError
from core.tasks import enqueue_on_commit
from partners.models import Partner

from .csv_import import count_data_lines, validate_csv
from .models import ImportJob, InventoryReport
from .services import inventory_upsert
from .validation import RowValidation

logger = logging.getLogger(__name__)

# Defaults; settings PRM_INVENTORY_SYNC_ROWS / PRM_INVENTORY_MAX_UPLOAD_BYTES override them.
SYNC_ROW_LIMIT = 2000
MAX_UPLOAD_BYTES = 50 * 1024 * 1024
PROGRESS_EVERY = 1000
# A running job whose `updated_at` has not moved for this long (a worker moves it at least every
# PROGRESS_EVERY rows) has lost its queue message: a broker restart, a purged queue. It is queued
# again. The wait is longer than the tasks' time limit, so the first run is over by then; and since
# every step is idempotent, a run that was only slow does no harm.
STALLED_AFTER = timedelta(minutes=45)
# A file still not through after this long is failed, and its user told to upload it again.
GIVE_UP_AFTER = timedelta(hours=12)
# Without a beat (the quick start runs tasks inside the web process) nothing sweeps stalled jobs: a running
# job that has not moved for this long is offered to its uploader and to managers to resume by hand
# (setting PRM_INVENTORY_RESUME_AFTER_SECONDS). A worker moves it at least every PROGRESS_EVERY rows, well
# under a minute; resuming a job that was only slow is harmless, since every step is idempotent.
RESUME_OFFERED_AFTER = timedelta(minutes=5)


def resume_offered_after() -> timedelta:
    seconds = getattr(settings, "PRM_INVENTORY_RESUME_AFTER_SECONDS", None)
    return RESUME_OFFERED_AFTER if seconds is None else timedelta(seconds=seconds)


def sync_row_limit() -> int:
    return getattr(settings, "PRM_INVENTORY_SYNC_ROWS", SYNC_ROW_LIMIT)


def max_upload_bytes() -> int:
    return getattr(settings, "PRM_INVENTORY_MAX_UPLOAD_BYTES", MAX_UPLOAD_BYTES)


def failure_message(exc: BaseException) -> str:
    """What the user reads when a job stops: business errors verbatim, anything else in general terms."""
    if isinstance(exc, ServiceError):
        return exc.message
    if isinstance(exc, ValidationError):
        return "; ".join(exc.messages)
    if isinstance(exc, SoftTimeLimitExceeded):
        return "The file took too long to process and was stopped; nothing was imported. Split it and try again."
    return "An unexpected error stopped this file; nothing was imported. Upload it again, or ask the channel team."


def run_guarded(step: Callable[..., ImportJob], job_id: int) -> ImportJob | None:
    """Run a step; if it raises, mark the job failed (with a message for the user) instead of leaving it running."""
    try:
        return step(job_id=job_id)
    except Exception as exc:
        logger.exception("inventory import job %s stopped", job_id)
        import_job_fail(job_id=job_id, message=failure_message(exc))
        return None


def _dispatch(task_name: str, step: Callable[..., ImportJob], job_id: int, rows: int) -> None:
    """Small files run now, in the request; larger ones go to a worker once the transaction commits.

    The job records its own outcome (a failed task fails it), so a problem in queueing is logged rather
    than raised to a request whose upload is already saved; the beat sweep queues a lost job again.
    """
    if rows <= sync_row_limit():
        run_guarded(step, job_id)
        return
    enqueue_on_commit(task_name, job_id, robust=True)


def _progress(job_id: int):
    def report(processed: int) -> None:
        ImportJob.objects.filter(pk=job_id).update(processed_rows=processed, updated_at=timezone.now())

    return report


def _apply_result(job: ImportJob, result: RowValidation) -> list[str]:
    job.total_rows = result.total
    job.processed_rows = result.total
    job.valid_rows = len(result.valid)
    job.error_count = result.error_count
    job.errors = [error.as_dict() for error in result.errors]
    job.file_error = result.file_error
    return ["total_rows", "processed_rows", "valid_rows", "error_count", "errors", "file_error"]


def import_job_create(*, partner: Partner, user: Any, filename: str, content: bytes) -> ImportJob:
    """Store an uploaded file for checking, then check it now (small) or queue it for a worker (large)."""
    if not Partner.objects.editable_by(user).filter(pk=partner.pk).exists():
        raise ActionNotPermittedError(f"You may not report inventory for {partner.name}.")
    estimate = count_data_lines(content)
    job = ImportJob.objects.create(
        partner=partner,
        user=user,
        filename=filename[:255],
        content=content,
        size=len(content),
        total_rows=estimate,
    )
    _dispatch("inventory.tasks.validate_import", import_job_validate, job.pk, estimate)
    job.refresh_from_db()
    return job


def import_job_validate(*, job_id: int) -> ImportJob:
    """Check every row of the file and record the report; writes nothing to the inventory.

    Only a pending (or interrupted) job is checked, so a redelivered task is harmless.
    """
    claimed = ImportJob.objects.filter(pk=job_id, status__in=[ImportJob.Status.PENDING, ImportJob.Status.VALIDATING])
    if not claimed.update(status=ImportJob.Status.VALIDATING, processed_rows=0, updated_at=timezone.now()):
        return ImportJob.objects.get(pk=job_id)
    job = ImportJob.objects.get(pk=job_id)
    result = validate_csv(
        bytes(job.content),
        max_errors=ImportJob.MAX_STORED_ERRORS,
        progress=_progress(job_id),
        progress_every=PROGRESS_EVERY,
    )
    fields = _apply_result(job, result)
    job.status = ImportJob.Status.VALIDATED
    job.validated_at = timezone.now()
    job.save(update_fields=[*fields, "status", "validated_at", "updated_at"])
    return job


def import_job_request_import(*, job: ImportJob, user: Any) -> ImportJob:
    """The user chose to import the valid rows: run it now (small) or queue it (large)."""
    if not ImportJob.objects.editable_by(user).filter(pk=job.pk).exists():
        raise ActionNotPermittedError("You may not import this file.")
    started = ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.VALIDATED, valid_rows__gt=0).update(
        status=ImportJob.Status.IMPORTING, processed_rows=0, import_started_at=timezone.now(), updated_at=timezone.now()
    )
    if not started:
        job.refresh_from_db()
        if job.status == ImportJob.Status.VALIDATED:
            raise TransitionNotAllowedError("This file has no valid rows to import. Fix it and upload it again.")
        raise TransitionNotAllowedError(f"This file cannot be imported now: it is {job.get_status_display().lower()}.")
    _dispatch("inventory.tasks.import_valid_rows", import_job_run, job.pk, job.valid_rows)
    job.refresh_from_db()
    return job


def import_job_run(*, job_id: int) -> ImportJob:
    """Check the file again (the catalog may have changed), then write its valid rows in one transaction.

    The job turns `done` in that same transaction, so either every valid row
    and the `done` status are saved, or nothing is.
    """
    job = ImportJob.objects.select_related("partner", "user").get(pk=job_id)
    if job.status != ImportJob.Status.IMPORTING:
        return job
    ImportJob.objects.filter(pk=job_id).update(processed_rows=0, updated_at=timezone.now())
    result = validate_csv(
        bytes(job.content),
        max_errors=ImportJob.MAX_STORED_ERRORS,
        progress=_progress(job_id),
        progress_every=PROGRESS_EVERY,
    )
    with transaction.atomic():
        locked = ImportJob.objects.select_for_update().get(pk=job_id)
        if locked.status != ImportJob.Status.IMPORTING:
            return locked
        counts = inventory_upsert(
            partner=job.partner, user=job.user, rows=result.valid, source=InventoryReport.Source.CSV
        )
        fields = _apply_result(locked, result)
        locked.created_count = counts["created"]
        locked.updated_count = counts["updated"]
        locked.status = ImportJob.Status.DONE
        locked.finished_at = timezone.now()
        locked.save(update_fields=[*fields, "created_count", "updated_count", "status", "finished_at", "updated_at"])
    return locked


def import_job_fail(*, job_id: int, message: str) -> None:
    """Record that a job stopped on an unexpected error; the user is told to upload again."""
    ImportJob.objects.filter(pk=job_id).exclude(status=ImportJob.Status.DONE).update(
        status=ImportJob.Status.FAILED, message=message[:2000], finished_at=timezone.now(), updated_at=timezone.now()
    )


def import_job_is_stalled(job: ImportJob, *, now: datetime | None = None) -> bool:
    """A running job that nothing has moved for `resume_offered_after()`: its worker died or its message was lost."""
    now = now or timezone.now()
    return job.status in ImportJob.RUNNING and job.updated_at < now - resume_offered_after()


def import_job_may_resume(*, job: ImportJob, user: Any) -> bool:
    """Who may resume a job: the user who uploaded it (while they may still report for the partner), and
    channel managers who may see it (the visibility rule: their regions' partners)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if job.user_id == user.pk:
        return ImportJob.objects.editable_by(user).filter(pk=job.pk).exists()
    return user.is_channel_manager and ImportJob.objects.visible_to(user).filter(pk=job.pk).exists()


def import_job_resume(*, job: ImportJob, user: Any, now: datetime | None = None) -> ImportJob:
    """Run again the step of a stalled job (check the rows, or import them), as the beat sweep would.

    Idempotent: only a job that has not moved for `resume_offered_after()` is started again, and starting
    it moves `updated_at`, so a second click (or the sweep) finds it moving and leaves it alone. A job that
    is no longer running has nothing to resume.
    """
    if not import_job_may_resume(job=job, user=user):
        raise ActionNotPermittedError("Only the user who uploaded this file, or the channel team, may resume it.")
    now = now or timezone.now()
    job.refresh_from_db(fields=["status", "updated_at", "total_rows", "valid_rows"])
    if job.status not in ImportJob.RUNNING:
        raise TransitionNotAllowedError(f"This file is {job.get_status_display().lower()}; there is nothing to resume.")
    claimed = ImportJob.objects.filter(
        pk=job.pk, status=job.status, updated_at__lt=now - resume_offered_after()
    ).update(updated_at=now)
    if claimed:
        logger.info("inventory import job %s resumed by user %s", job.pk, user.pk)
        if job.status == ImportJob.Status.IMPORTING:
            _dispatch("inventory.tasks.import_valid_rows", import_job_run, job.pk, job.valid_rows)
        else:
            _dispatch("inventory.tasks.validate_import", import_job_validate, job.pk, job.total_rows)
    job.refresh_from_db()
    return job


def import_jobs_resume_stalled(*, now: datetime | None = None) -> dict[str, int]:
    """Queue again the running jobs that nothing has moved for STALLED_AFTER; fail those older than
    GIVE_UP_AFTER. Runs on the beat, so that no file stays "waiting" forever when a message is lost."""
    now = now or timezone.now()
    stalled = ImportJob.objects.filter(status__in=ImportJob.RUNNING, updated_at__lt=now - STALLED_AFTER)
    counts = {"resumed": 0, "failed": 0}
    for job in stalled.only("pk", "status", "created_at", "import_started_at"):
        started = job.import_started_at if job.status == ImportJob.Status.IMPORTING else job.created_at
        if started is not None and started < now - GIVE_UP_AFTER:
            import_job_fail(
                job_id=job.pk,
                message="This file was not processed in time and was stopped; nothing was imported. Upload it again.",
            )
            counts["failed"] += 1
            continue
        # Moving `updated_at` makes the next sweep wait again before queueing it once more.
        if not ImportJob.objects.filter(pk=job.pk, status=job.status).update(updated_at=now):
            continue  # it moved on meanwhile
        step = "import_valid_rows" if job.status == ImportJob.Status.IMPORTING else "validate_import"
        enqueue_on_commit(f"inventory.tasks.{step}", job.pk)
        counts["resumed"] += 1
    if any(counts.values()):
        logger.warning("inventory import jobs: %(resumed)s stalled ones queued again, %(failed)s failed", counts)
    return counts
