"""Celery signal handlers of EDI imports (connected in `EdiConfig.ready`)."""

from __future__ import annotations

import logging
from typing import Any

from core.tasks import task_argument

from .services import FAILED_MESSAGE, edi_import_fail

logger = logging.getLogger(__name__)

JOB_TASKS = ("edi.tasks.process_import",)


def fail_import_of_failed_task(sender: Any = None, exception: BaseException | None = None, args=None, kwargs=None, **_):
    """`task_failure`: an interchange whose task failed for good is failed, and its sender told to send it again."""
    if sender is None or sender.name not in JOB_TASKS:
        return
    job_id = task_argument(sender, args, kwargs, "job_id")
    if job_id is not None:
        logger.warning("EDI import %s stopped: %r", job_id, exception)
        edi_import_fail(job_id=job_id, message=FAILED_MESSAGE)
