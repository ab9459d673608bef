"""The one task policy, and queueing tasks from services.

Every Celery task of prm is a `Task` (the app's task class, `prm/celery.py`): its message is
acknowledged only once it is done (a worker that dies leaves it to another), and a lost database
connection is retried with exponential backoff and full jitter, three times. A task that can fail in
other transient ways names them on its decorator (`autoretry_for=(…, *TRANSIENT_ERRORS)`) with its
own backoff and limit; none writes its own retry loop.

Failures are recorded by `task_failure` handlers (each app connects its own in `AppConfig.ready`),
not by try/except in the task, so a task stays: ids in, one service or step called, a result out.

Services queue tasks by their registered name (as beat and the queue routing in settings do), so a
task module may import the services it calls without an import cycle. The task is queued once the
caller's transaction commits: a rolled-back change queues nothing, and the worker reads committed rows.
"""

from __future__ import annotations

import inspect
import sys
from typing import Any

from billiard.einfo import ExceptionInfo
from celery import Task as CeleryTask
from celery import current_app, signals, states, uuid
from celery.exceptions import Retry
from celery.result import EagerResult
from django.db import InterfaceError, OperationalError, transaction

# Worth another try: the database went away (restart, failover, a dropped connection).
TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (OperationalError, InterfaceError)


class Task(CeleryTask):
    """prm's task class: at-least-once delivery and one retry policy, on a worker and without one."""

    acks_late = True
    reject_on_worker_lost = True
    autoretry_for = TRANSIENT_ERRORS
    retry_backoff = True
    retry_backoff_max = 600
    retry_jitter = True
    max_retries = 3

    def apply(self, args=None, kwargs=None, *, retries: int | None = None, throw: bool | None = None, **options):
        """Run the task here, without a broker (eager mode: the quick start and the tests).

        Celery's eager mode, when it re-raises a task's error, neither retries nor tells the
        `task_failure` handlers. Here a retry the task asks for happens at once (there is no broker to
        schedule it on) and a failure that remains reaches the handlers, then is raised (or, with
        `throw=False`, returned as a failed result), so that a job fails the same way with and without a worker.
        """
        retries = retries or 0
        throw = self.app.conf.task_eager_propagates if throw is None else throw
        task_id = options.pop("task_id", None) or uuid()
        while True:
            try:
                return super().apply(args, kwargs, task_id=task_id, retries=retries, throw=True, **options)
            except Retry:
                retries += 1
            except Exception as exc:
                einfo = ExceptionInfo(sys.exc_info())
                signals.task_failure.send(
                    sender=self,
                    task_id=task_id,
                    exception=exc,
                    args=args or (),
                    kwargs=kwargs or {},
                    traceback=exc.__traceback__,
                    einfo=einfo,
                )
                if throw:
                    raise
                return EagerResult(task_id, exc, states.FAILURE, traceback=einfo.traceback, name=self.name)


def task_argument(task: CeleryTask, args: Any, kwargs: Any, name: str) -> Any:
    """The value a task call passed for parameter `name` (by position or keyword), or None."""
    try:
        bound = inspect.signature(task.run).bind_partial(*(args or ()), **(kwargs or {}))
    except TypeError:
        return None
    return bound.arguments.get(name)


def task_named(task_name: str) -> CeleryTask:
    """The registered task of that name; an unknown name raises at once (KeyError), not later on the worker."""
    tasks = current_app.tasks
    if task_name not in tasks:
        # A process that never imported the task modules (a web worker) discovers them once.
        current_app.loader.import_default_modules()
    return tasks[task_name]


def enqueue_on_commit(task_name: str, *args: Any, robust: bool = False, **options: Any) -> None:
    """Queue `task_name(*args)` after commit (immediately outside a transaction); `options` go to apply_async.

    `robust=True` logs an error in queueing (or, without a broker, in running the task) instead of
    raising it to a caller whose change has already been committed.
    """
    task = task_named(task_name)
    transaction.on_commit(lambda: task.apply_async(args, **options), robust=robust)
