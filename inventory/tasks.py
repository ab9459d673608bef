"""Workers for large inventory files (queue `ingest`, routed by name in settings).

Both tasks take a job id and call the same steps the request runs for small
files. `acks_late` + `reject_on_worker_lost`: a worker killed mid-way leaves
the message on the queue, so another worker does the job again; the steps are
idempotent (a finished job is left alone, the import is one transaction).
"""

from __future__ import annotations

import logging

from celery import shared_task
from django.db import InterfaceError, OperationalError

from .imports import (
    failure_message,
    import_job_fail,
    import_job_run,
    import_job_validate,
    import_jobs_resume_stalled,
)

logger = logging.getLogger(__name__)

_TASK_OPTIONS = {"acks_late": True, "reject_on_worker_lost": True, "bind": True, "max_retries": 3}


def _run(task, step, job_id: int) -> str:
    try:
        job = step(job_id=job_id)
    except (OperationalError, InterfaceError) as exc:
        # The database was unreachable: worth another try before giving up.
        if task.request.retries < task.max_retries:
            raise task.retry(exc=exc, countdown=5 * 2**task.request.retries)
        import_job_fail(job_id=job_id, message=failure_message(exc))
        return "failed"
    except Exception as exc:
        logger.exception("inventory import job %s stopped", job_id)
        import_job_fail(job_id=job_id, message=failure_message(exc))
        return "failed"
    return job.status


@shared_task(name="inventory.tasks.validate_import", **_TASK_OPTIONS)
def validate_import(self, job_id: int) -> str:
    """Check every row of an uploaded file and store the report (writes no inventory)."""
    return _run(self, import_job_validate, job_id)


@shared_task(name="inventory.tasks.import_valid_rows", **_TASK_OPTIONS)
def import_valid_rows(self, job_id: int) -> str:
    """Import the valid rows of a checked file, in one transaction."""
    return _run(self, import_job_run, job_id)


@shared_task(name="inventory.tasks.resume_stalled_imports", soft_time_limit=120, time_limit=180)
def resume_stalled_imports() -> dict[str, int]:
    """Beat: queue again the files whose worker message was lost (see `import_jobs_resume_stalled`)."""
    return import_jobs_resume_stalled()
