"""The worker for large interchanges (queue `ingest`, routed by name in settings).

The task takes a job id and runs the same step the request runs for small interchanges. Under the task
policy (`core.tasks.Task`: acks_late) a worker killed mid-way leaves the message for another worker, and the
step is idempotent: it reads the interchange again, and writing is one transaction with the `done` status.
"""

from __future__ import annotations

from celery import shared_task

from .services import edi_import_process, edi_imports_resume_stalled


@shared_task(name="edi.tasks.process_import")
def process_import(job_id: int) -> str:
    """Read, check and import one interchange (all or nothing)."""
    return edi_import_process(job_id=job_id).status


@shared_task(name="edi.tasks.resume_stalled_imports", soft_time_limit=120, time_limit=180)
def resume_stalled_imports() -> dict[str, int]:
    """Beat: queue again the interchanges whose worker message was lost (see `edi_imports_resume_stalled`)."""
    return edi_imports_resume_stalled()
