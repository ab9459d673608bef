"""Celery signal handlers of inventory imports (connected in `InventoryConfig.ready`)."""

from __future__ import annotations

import logging
from typing import Any

from core.tasks import task_argument

from .imports import failure_message, import_job_fail

logger = logging.getLogger(__name__)

JOB_TASKS = ("inventory.tasks.validate_import", "inventory.tasks.import_valid_rows")


def fail_job_of_failed_task(sender: Any = None, exception: BaseException | None = None, args=None, kwargs=None, **_):
    """`task_failure`: a file whose task failed for good is failed, with a message its user can act on."""
    if sender is None or sender.name not in JOB_TASKS:
        return
    job_id = task_argument(sender, args, kwargs, "job_id")
    if job_id is not None:
        logger.warning("inventory import job %s stopped: %r", job_id, exception)
        import_job_fail(job_id=job_id, message=failure_message(exception))
