"""Workers for large sell-out files (queue `ingest`, routed by name in settings).

Each task takes a job id and runs the same step the request runs for small files; the steps are
idempotent (see ingest.uploads), and a task that fails for good fails its job (`SelloutConfig.ready`).
"""

from __future__ import annotations

from celery import shared_task

from .imports import UPLOADS


@shared_task(name="sellout.tasks.validate_upload")
def validate_upload(job_id: int) -> str:
    """Check every row of an uploaded sell-out file and store the report (writes no lines)."""
    return UPLOADS.validate(job_id=job_id).status


@shared_task(name="sellout.tasks.import_upload")
def import_upload(job_id: int) -> str:
    """Import the valid rows of a checked sell-out file, in one transaction."""
    return UPLOADS.run(job_id=job_id).status


@shared_task(name="sellout.tasks.resume_stalled_uploads", soft_time_limit=120, time_limit=180)
def resume_stalled_uploads() -> dict[str, int]:
    """Beat: queue again the files whose worker message was lost."""
    return UPLOADS.resume_stalled()
