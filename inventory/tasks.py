"""Workers for large inventory files (queue `ingest`, routed by name in settings).

Both tasks take a job id and call the same steps the request runs for small files. The task policy
(`core.tasks.Task`: acks_late, reject_on_worker_lost) means a worker killed mid-way leaves the message
on the queue, so another worker does the job again; the steps are idempotent (a finished job is left
alone, the import is one transaction). A lost database connection is retried; any other error, or the
last retry, fails the job with a message for its user (`handlers.py`, on `task_failure`).
"""

from __future__ import annotations

from celery import shared_task

from .imports import import_job_run, import_job_validate, import_jobs_resume_stalled


@shared_task(name="inventory.tasks.validate_import")
def validate_import(job_id: int) -> str:
    """Check every row of an uploaded file and store the report (writes no inventory)."""
    return import_job_validate(job_id=job_id).status


@shared_task(name="inventory.tasks.import_valid_rows")
def import_valid_rows(job_id: int) -> str:
    """Import the valid rows of a checked file, in one transaction."""
    return import_job_run(job_id=job_id).status


@shared_task(name="inventory.tasks.resume_stalled_imports", soft_time_limit=120, time_limit=180)
def resume_stalled_imports() -> dict[str, int]:
    """Beat: queue again the files whose worker message was lost (see `import_jobs_resume_stalled`)."""
    return import_jobs_resume_stalled()
