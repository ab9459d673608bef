"""Celery signal handlers of the analytics engine (connected in `AnalyticsConfig.ready`)."""

from __future__ import annotations

from typing import Any

from core.tasks import task_argument


def fail_run_of_failed_task(sender: Any = None, exception: BaseException | None = None, args=None, kwargs=None, **_):
    """`task_failure`: a task of a run that failed for good (after its retries) fails the run, with the error.

    The previous figures stay in place: each step replaces its rows only in its own transaction.
    """
    if sender is None or not sender.name.startswith("analytics.tasks."):
        return
    run_id = task_argument(sender, args, kwargs, "run_id")
    if run_id is not None:
        from .runs import run_fail  # the compute modules load here, not when the handler is connected

        run_fail(run_id, f"{type(exception).__name__}: {exception}")
