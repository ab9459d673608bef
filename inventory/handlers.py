"""Celery signal handlers of inventory imports (connected in `InventoryConfig.ready`)."""

from __future__ import annotations

from .imports import UPLOADS

JOB_TASKS = (UPLOADS.validate_task, UPLOADS.import_task)

# `task_failure`: a file whose task failed for good is failed, with a message its user can act on.
fail_job_of_failed_task = UPLOADS.fail_job_of_failed_task
