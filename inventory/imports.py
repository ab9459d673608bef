"""The life of an uploaded inventory file: the shared upload pipeline (ingest.uploads) with the
inventory's hooks: rows are checked by `validate_csv` and written by `inventory_upsert`.

The module-level functions are the steps the views, tasks and tests call; each runs the pipeline.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from ingest.uploads import (
    GIVE_UP_AFTER,
    MAX_UPLOAD_BYTES,
    PROGRESS_EVERY,
    RESUME_OFFERED_AFTER,
    STALLED_AFTER,
    SYNC_ROW_LIMIT,
    UploadPipeline,
    failure_message,
)
from partners.models import Partner

from .csv_import import validate_csv
from .models import ImportJob, InventoryReport
from .services import inventory_upsert
from .validation import RowValidation

__all__ = [
    "GIVE_UP_AFTER",
    "MAX_UPLOAD_BYTES",
    "RESUME_OFFERED_AFTER",
    "STALLED_AFTER",
    "SYNC_ROW_LIMIT",
    "failure_message",
]


class InventoryUploads(UploadPipeline):
    model = ImportJob
    label = "inventory"
    validate_task = "inventory.tasks.validate_import"
    import_task = "inventory.tasks.import_valid_rows"
    settings_prefix = "PRM_INVENTORY"

    def check(self, job: ImportJob, progress: Callable[[int], None]) -> RowValidation:
        return validate_csv(
            bytes(job.content), max_errors=ImportJob.MAX_STORED_ERRORS, progress=progress, progress_every=PROGRESS_EVERY
        )

    def write(self, job: ImportJob, rows: list[dict]) -> dict[str, int]:
        return inventory_upsert(partner=job.partner, user=job.user, rows=rows, source=InventoryReport.Source.CSV)


UPLOADS = InventoryUploads()


def resume_offered_after() -> timedelta:
    return UPLOADS.resume_offered_after()


def sync_row_limit() -> int:
    return UPLOADS.sync_row_limit()


def max_upload_bytes() -> int:
    return UPLOADS.max_upload_bytes()


def import_job_create(*, partner: Partner, user: Any, filename: str, content: bytes) -> ImportJob:
    """Store an uploaded file for checking, then check it now (small) or queue it for a worker (large)."""
    return UPLOADS.create(partner=partner, user=user, filename=filename, content=content)


def import_job_validate(*, job_id: int) -> ImportJob:
    """Check every row of the file and record the report; writes nothing to the inventory."""
    return UPLOADS.validate(job_id=job_id)


def import_job_request_import(*, job: ImportJob, user: Any) -> ImportJob:
    """The user chose to import the valid rows: run it now (small) or queue it (large)."""
    return UPLOADS.request_import(job=job, user=user)


def import_job_run(*, job_id: int) -> ImportJob:
    """Check the file again, then write its valid rows and mark the job done in one transaction."""
    return UPLOADS.run(job_id=job_id)


def import_job_fail(*, job_id: int, message: str) -> None:
    UPLOADS.fail(job_id=job_id, message=message)


def import_job_is_stalled(job: ImportJob, *, now: datetime | None = None) -> bool:
    return UPLOADS.is_stalled(job, now=now)


def import_job_may_resume(*, job: ImportJob, user: Any) -> bool:
    return UPLOADS.may_resume(job=job, user=user)


def import_job_resume(*, job: ImportJob, user: Any, now: datetime | None = None) -> ImportJob:
    return UPLOADS.resume(job=job, user=user, now=now)


def import_jobs_resume_stalled(*, now: datetime | None = None) -> dict[str, int]:
    return UPLOADS.resume_stalled(now=now)
