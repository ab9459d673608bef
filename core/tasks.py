"""Queueing Celery tasks from services.

Services queue tasks by their registered name (as beat and the queue routing in settings do), so a
task module may import the services it calls without an import cycle. The task is queued once the
caller's transaction commits: a rolled-back change queues nothing, and the worker reads committed rows.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from celery import current_app
from django.db import transaction


def registered_task(task_name: str):
    """The task registered under `task_name`, importing its module first if nothing has yet.

    Tasks are named after the module that defines them (`inventory.tasks.validate_import`), so the
    module is known from the name; a web process imports task modules only when something needs them.
    """
    tasks = current_app.tasks
    if task_name not in tasks:
        import_module(task_name.rpartition(".")[0])
    return tasks[task_name]


def enqueue_on_commit(task_name: str, *args: Any, **options: Any) -> None:
    """Queue `task_name(*args)` after commit (immediately outside a transaction); `options` go to apply_async.

    An unknown name raises at once (ImportError or NotRegistered), not later on the worker.
    """
    task = registered_task(task_name)
    transaction.on_commit(lambda: task.apply_async(args, **options))
