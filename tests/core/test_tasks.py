"""The one task policy (core.tasks.Task): every task has it, and eager mode retries and fails as a worker does."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from celery.signals import task_failure
from django.db import OperationalError

from core.tasks import Task, enqueue_on_commit, task_argument, task_named
from prm.celery import app

calls: list[int] = []


@app.task(name="tests.core.flaky")
def flaky(job_id: int, failures: int) -> str:
    calls.append(job_id)
    if len(calls) <= failures:
        raise OperationalError("the database went away")
    return "done"


@pytest.fixture
def failures_seen():
    seen = []

    def record(sender=None, exception=None, args=None, kwargs=None, **_):
        seen.append((sender.name, task_argument(sender, args, kwargs, "job_id"), type(exception).__name__))

    calls.clear()
    task_failure.connect(record, weak=False)
    yield seen
    task_failure.disconnect(record)


def test_every_task_of_the_project_follows_the_policy():
    app.loader.import_default_modules()
    project = {name: task for name, task in app.tasks.items() if not name.startswith("celery.")}
    assert len(project) >= 15
    for name, task in project.items():
        assert isinstance(task, Task), name
        assert task.acks_late and task.reject_on_worker_lost, name
        assert OperationalError in task.autoretry_for and task.retry_backoff and task.retry_jitter, name


def test_without_a_broker_a_transient_error_is_retried_at_once(failures_seen):
    assert flaky.delay(7, failures=2).get() == "done"
    assert calls == [7, 7, 7] and failures_seen == []


def test_a_task_that_keeps_failing_reaches_the_failure_handlers_once(failures_seen):
    with pytest.raises(OperationalError):
        flaky.delay(8, failures=99)
    assert len(calls) == 1 + flaky.max_retries
    assert failures_seen == [("tests.core.flaky", 8, "OperationalError")]
    calls.clear()
    result = flaky.apply(kwargs={"job_id": 9, "failures": 99}, throw=False)
    assert result.failed() and isinstance(result.result, OperationalError)
    assert failures_seen[-1] == ("tests.core.flaky", 9, "OperationalError")


def test_a_process_that_never_imported_a_task_module_still_queues_by_name():
    """A web process imports services, not task modules: queueing by name discovers the tasks."""
    script = (
        "import django; django.setup()\n"
        "from celery import current_app\n"
        "from core.tasks import task_named\n"
        "name = 'integrations.tasks.deliver_webhook'\n"
        "assert name not in current_app.tasks, 'already imported'\n"
        "print(task_named(name).name)\n"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "prm.settings_test"}
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=Path(__file__).resolve().parents[2], env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "integrations.tasks.deliver_webhook"


def test_an_unknown_task_name_fails_at_once_not_on_a_worker():
    with pytest.raises(KeyError):
        task_named("integrations.tasks.no_such_task")


@pytest.mark.django_db
def test_a_task_is_queued_only_when_the_transaction_commits(django_capture_on_commit_callbacks, monkeypatch):
    sent = []
    task = task_named("integrations.tasks.purge_idempotency_records")
    monkeypatch.setattr(task, "apply_async", lambda args, **options: sent.append((args, options)))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        enqueue_on_commit("integrations.tasks.purge_idempotency_records", countdown=3)
    assert sent == [] and len(callbacks) == 1
    callbacks[0]()
    assert sent == [((), {"countdown": 3})]
