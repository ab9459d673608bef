"""Queueing Celery tasks from services.

Services queue tasks by their registered name (as beat and the queue routing in settings do), so a
task module may import the services it calls without an import cycle. The task is queued once the
caller's transaction commits: a rolled-back change queues nothing, and the worker reads committed rows.
"""

from __future__ import annotations

from typing import Any

from celery import current_app
from django.db import transaction


def enqueue_on_commit(task_name: str, *args: Any, **options: Any) -> None:
    """Queue `task_name(*args)` after commit (immediately outside a transaction); `options` go to apply_async.

    An unknown name raises at once (KeyError), not later on the worker.
    """
    task = current_app.tasks[task_name]
    transaction.on_commit(lambda: task.apply_async(args, **options))
