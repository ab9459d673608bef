"""The life of an uploaded file, whatever it carries: upload → check every row → the user chooses → import.

Nothing is written until the user asks for the valid rows to be imported. Small files are checked and
imported inside the request; larger ones (more than the kind's sync row limit) by a worker on the
`ingest` queue while the page shows progress. The import runs in one transaction that also marks the job
done, so a worker that dies mid-way leaves nothing behind and the redelivered task (acks_late) simply
does it again; since every kind's rows are upserted, doing it twice gives the same result.

Each kind (inventory, sell-out) is an `UploadPipeline` subclass that names its job model, its two tasks
and its settings, and supplies two hooks: `check(job, progress)` (read the file, report every row) and
`write(job, rows)` (write the valid rows, return the counts). Everything else is here, once.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, ClassVar

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core.exceptions import ActionNotPermittedError, ServiceError, TransitionNotAllowedError
from core.tasks import enqueue_on_commit, task_argument
from partners.models import Partner

from .csvfile import count_data_lines
from .models import UploadJob
from .validation import RowValidation

logger = logging.getLogger(__name__)

# Defaults; settings <PREFIX>_SYNC_ROWS / <PREFIX>_MAX_UPLOAD_BYTES / <PREFIX>_RESUME_AFTER_SECONDS override them.
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
# job that has not moved for this long is offered to its uploader and to managers to resume by hand. A
# worker moves it at least every PROGRESS_EVERY rows, well under a minute; resuming a job that was only
# slow is harmless, since every step is idempotent.
RESUME_OFFERED_AFTER = timedelta(minutes=5)


def failure_message(exc: BaseException) -> str:
    """What the user reads when a job stops: business errors verbatim, anything else in general terms."""
    if isinstance(exc, ServiceError):
        return exc.message
    if isinstance(exc, ValidationError):
        return "; ".join(exc.messages)
    if isinstance(exc, SoftTimeLimitExceeded):
        return "The file took too long to process and was stopped; nothing was imported. Split it and try again."
    return "An unexpected error stopped this file; nothing was imported. Upload it again, or ask the channel team."


def problem_summary(job: UploadJob) -> list[dict]:
    """The kinds of problem in a file's report, most frequent first, so a user whose every row failed
    sees what to fix before reading the rows (counted over the kept report)."""
    counts = Counter((error.get("column") or "", error.get("reason") or "") for error in job.errors)
    return [{"column": column, "reason": reason, "count": count} for (column, reason), count in counts.most_common()]


class UploadPipeline:
    """One kind of upload: its job model, tasks and settings, and the `check`/`write` hooks."""

    model: ClassVar[type[UploadJob]]
    label: ClassVar[str]  # "inventory", "sell-out": in messages
    validate_task: ClassVar[str]
    import_task: ClassVar[str]
    settings_prefix: ClassVar[str]
    # Fields `write` sets on the job besides the counts (e.g. the provenance batch), saved with it.
    written_fields: ClassVar[tuple[str, ...]] = ()

    # --- hooks -------------------------------------------------------------
    def check(self, job: UploadJob, progress: Callable[[int], None]) -> RowValidation:
        """Check every row of the job's file; writes nothing."""
        raise NotImplementedError

    def write(self, job: UploadJob, rows: list[dict]) -> dict[str, int]:
        """Write the valid rows (inside the import's transaction); {"created", "updated"}."""
        raise NotImplementedError

    def may_upload(self, user: Any, partner: Any) -> bool:
        return Partner.objects.editable_by(user).filter(pk=partner.pk).exists()

    # --- settings ----------------------------------------------------------
    def _setting(self, name: str, default: Any) -> Any:
        value = getattr(settings, f"{self.settings_prefix}_{name}", None)
        return default if value is None else value

    def sync_row_limit(self) -> int:
        return self._setting("SYNC_ROWS", SYNC_ROW_LIMIT)

    def max_upload_bytes(self) -> int:
        return self._setting("MAX_UPLOAD_BYTES", MAX_UPLOAD_BYTES)

    def resume_offered_after(self) -> timedelta:
        seconds = self._setting("RESUME_AFTER_SECONDS", None)
        return RESUME_OFFERED_AFTER if seconds is None else timedelta(seconds=seconds)

    # --- plumbing ----------------------------------------------------------
    def _run_guarded(self, step: Callable[..., UploadJob], job_id: int) -> UploadJob | None:
        """Run a step; if it raises, mark the job failed (with a message for the user) instead of leaving it running."""
        try:
            return step(job_id=job_id)
        except Exception as exc:
            logger.exception("%s import job %s stopped", self.label, job_id)
            self.fail(job_id=job_id, message=failure_message(exc))
            return None

    def _dispatch(self, task_name: str, step: Callable[..., UploadJob], job_id: int, rows: int) -> None:
        """Small files run now, in the request; larger ones go to a worker once the transaction commits.

        The job records its own outcome (a failed task fails it), so a problem in queueing is logged rather
        than raised to a request whose upload is already saved; the beat sweep queues a lost job again.
        """
        if rows <= self.sync_row_limit():
            self._run_guarded(step, job_id)
            return
        enqueue_on_commit(task_name, job_id, robust=True)

    def progress(self, job_id: int) -> Callable[[int], None]:
        def report(processed: int) -> None:
            self.model.objects.filter(pk=job_id).update(processed_rows=processed, updated_at=timezone.now())

        return report

    @staticmethod
    def _apply_result(job: UploadJob, result: RowValidation) -> list[str]:
        job.total_rows = result.total
        job.processed_rows = result.total
        job.valid_rows = len(result.valid)
        job.error_count = result.error_count
        job.errors = [error.as_dict() for error in result.errors]
        job.file_error = result.file_error
        return ["total_rows", "processed_rows", "valid_rows", "error_count", "errors", "file_error"]

    # --- steps -------------------------------------------------------------
    def create(self, *, partner: Any, user: Any, filename: str, content: bytes) -> UploadJob:
        """Store an uploaded file for checking, then check it now (small) or queue it for a worker (large)."""
        if not self.may_upload(user, partner):
            raise ActionNotPermittedError(f"You may not report {self.label} for {partner.name}.")
        estimate = count_data_lines(content)
        job = self.model.objects.create(
            partner=partner, user=user, filename=filename[:255], content=content, size=len(content), total_rows=estimate
        )
        self._dispatch(self.validate_task, self.validate, job.pk, estimate)
        job.refresh_from_db()
        return job

    def validate(self, *, job_id: int) -> UploadJob:
        """Check every row of the file and record the report; writes no data.

        Only a pending (or interrupted) job is checked, so a redelivered task is harmless.
        """
        states = self.model.Status
        claimed = self.model.objects.filter(pk=job_id, status__in=[states.PENDING, states.VALIDATING])
        if not claimed.update(status=states.VALIDATING, processed_rows=0, updated_at=timezone.now()):
            return self.model.objects.get(pk=job_id)
        job = self.model.objects.get(pk=job_id)
        result = self.check(job, self.progress(job_id))
        fields = self._apply_result(job, result)
        job.status = states.VALIDATED
        job.validated_at = timezone.now()
        job.save(update_fields=[*fields, "status", "validated_at", "updated_at"])
        return job

    def request_import(self, *, job: UploadJob, user: Any) -> UploadJob:
        """The user chose to import the valid rows: run it now (small) or queue it (large)."""
        states = self.model.Status
        if not self.model.objects.editable_by(user).filter(pk=job.pk).exists():
            raise ActionNotPermittedError("You may not import this file.")
        now = timezone.now()
        started = self.model.objects.filter(pk=job.pk, status=states.VALIDATED, valid_rows__gt=0).update(
            status=states.IMPORTING, processed_rows=0, import_started_at=now, updated_at=now
        )
        if not started:
            job.refresh_from_db()
            if job.status == states.VALIDATED:
                raise TransitionNotAllowedError("This file has no valid rows to import. Fix it and upload it again.")
            raise TransitionNotAllowedError(
                f"This file cannot be imported now: it is {job.get_status_display().lower()}."
            )
        self._dispatch(self.import_task, self.run, job.pk, job.valid_rows)
        job.refresh_from_db()
        return job

    def run(self, *, job_id: int) -> UploadJob:
        """Check the file again (the catalog may have changed), then write its valid rows in one transaction.

        The job turns `done` in that same transaction, so either every valid row and the `done` status are
        saved, or nothing is.
        """
        states = self.model.Status
        job = self.model.objects.select_related("partner", "user").get(pk=job_id)
        if job.status != states.IMPORTING:
            return job
        self.model.objects.filter(pk=job_id).update(processed_rows=0, updated_at=timezone.now())
        result = self.check(job, self.progress(job_id))
        with transaction.atomic():
            locked = self.model.objects.select_for_update().get(pk=job_id)
            if locked.status != states.IMPORTING:
                return locked
            locked.partner, locked.user = job.partner, job.user  # read above; a lock on an outer join fails
            counts = self.write(locked, result.valid)
            fields = self._apply_result(locked, result)
            locked.created_count = counts["created"]
            locked.updated_count = counts["updated"]
            locked.status = states.DONE
            locked.finished_at = timezone.now()
            locked.save(
                update_fields=[
                    *fields,
                    *self.written_fields,
                    "created_count",
                    "updated_count",
                    "status",
                    "finished_at",
                    "updated_at",
                ]
            )
        return locked

    def fail(self, *, job_id: int, message: str) -> None:
        """Record that a job stopped on an unexpected error; the user is told to upload again."""
        now = timezone.now()
        self.model.objects.filter(pk=job_id).exclude(status=self.model.Status.DONE).update(
            status=self.model.Status.FAILED, message=message[:2000], finished_at=now, updated_at=now
        )

    def is_stalled(self, job: UploadJob, *, now: datetime | None = None) -> bool:
        """A running job nothing has moved for `resume_offered_after()`: its worker died or its message was lost."""
        now = now or timezone.now()
        return job.status in self.model.RUNNING and job.updated_at < now - self.resume_offered_after()

    def may_resume(self, *, job: UploadJob, user: Any) -> bool:
        """Who may resume a job: the user who uploaded it (while they may still report for the partner), and
        channel managers who may see it (the visibility rule: their regions' partners)."""
        if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
            return False
        if job.user_id == user.pk:
            return self.model.objects.editable_by(user).filter(pk=job.pk).exists()
        return user.is_channel_manager and self.model.objects.visible_to(user).filter(pk=job.pk).exists()

    def resume(self, *, job: UploadJob, user: Any, now: datetime | None = None) -> UploadJob:
        """Run again the step of a stalled job (check the rows, or import them), as the beat sweep would.

        Idempotent: only a job that has not moved for `resume_offered_after()` is started again, and starting
        it moves `updated_at`, so a second click (or the sweep) finds it moving and leaves it alone. A job that
        is no longer running has nothing to resume.
        """
        if not self.may_resume(job=job, user=user):
            raise ActionNotPermittedError("Only the user who uploaded this file, or the channel team, may resume it.")
        now = now or timezone.now()
        job.refresh_from_db(fields=["status", "updated_at", "total_rows", "valid_rows"])
        if job.status not in self.model.RUNNING:
            raise TransitionNotAllowedError(
                f"This file is {job.get_status_display().lower()}; there is nothing to resume."
            )
        claimed = self.model.objects.filter(
            pk=job.pk, status=job.status, updated_at__lt=now - self.resume_offered_after()
        ).update(updated_at=now)
        if claimed:
            logger.info("%s import job %s resumed by user %s", self.label, job.pk, user.pk)
            if job.status == self.model.Status.IMPORTING:
                self._dispatch(self.import_task, self.run, job.pk, job.valid_rows)
            else:
                self._dispatch(self.validate_task, self.validate, job.pk, job.total_rows)
        job.refresh_from_db()
        return job

    def resume_stalled(self, *, now: datetime | None = None) -> dict[str, int]:
        """Queue again the running jobs that nothing has moved for STALLED_AFTER; fail those older than
        GIVE_UP_AFTER. Runs on the beat, so that no file stays "waiting" forever when a message is lost."""
        now = now or timezone.now()
        states = self.model.Status
        stalled = self.model.objects.filter(status__in=self.model.RUNNING, updated_at__lt=now - STALLED_AFTER)
        counts = {"resumed": 0, "failed": 0}
        for job in stalled.only("pk", "status", "created_at", "import_started_at"):
            started = job.import_started_at if job.status == states.IMPORTING else job.created_at
            if started is not None and started < now - GIVE_UP_AFTER:
                self.fail(
                    job_id=job.pk,
                    message="This file was not processed in time and was stopped; nothing was imported. "
                    "Upload it again.",
                )
                counts["failed"] += 1
                continue
            # Moving `updated_at` makes the next sweep wait again before queueing it once more.
            if not self.model.objects.filter(pk=job.pk, status=job.status).update(updated_at=now):
                continue  # it moved on meanwhile
            enqueue_on_commit(self.import_task if job.status == states.IMPORTING else self.validate_task, job.pk)
            counts["resumed"] += 1
        if any(counts.values()):
            logger.warning(
                "%s import jobs: %s stalled ones queued again, %s failed",
                self.label,
                counts["resumed"],
                counts["failed"],
            )
        return counts

    def fail_job_of_failed_task(
        self, sender: Any = None, exception: BaseException | None = None, args=None, kwargs=None, **_: Any
    ) -> None:
        """`task_failure`: a file whose task failed for good is failed, with a message its user can act on."""
        if sender is None or sender.name not in (self.validate_task, self.import_task):
            return
        job_id = task_argument(sender, args, kwargs, "job_id")
        if job_id is not None:
            logger.warning("%s import job %s stopped: %r", self.label, job_id, exception)
            self.fail(job_id=job_id, message=failure_message(exception))
