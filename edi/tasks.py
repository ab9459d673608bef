"""The worker for large interchanges (queue `ingest`, routed by name in settings).

The task takes a job id and runs the same step the request runs for small interchanges. Under the task
policy (`core.tasks.Task`: acks_late) a worker killed mid-way leaves the message for another worker, and the
step is idempotent: it reads the interchange again, and writing is one transaction with the `done` status.
"""

from __future__ import annotations

from celery import shared_task

from .services import edi_import_process


@shared_task(name="edi.tasks.process_import")
def process_import(job_id: int) -> str:
    """Read, check and import one interchange (all or nothing)."""
    return edi_import_process(job_id=job_id).status
