"""Queueing tasks by name after commit (core.tasks)."""

from __future__ import annotations

import pytest
from celery.exceptions import NotRegistered

from core.tasks import enqueue_on_commit, registered_task


def test_a_task_is_found_by_its_name_even_before_its_module_was_imported():
    task = registered_task("integrations.tasks.purge_idempotency_records")
    assert task.name == "integrations.tasks.purge_idempotency_records"


def test_an_unknown_name_fails_at_once_not_on_a_worker():
    with pytest.raises(ImportError):
        registered_task("nowhere.tasks.nothing")
    with pytest.raises(NotRegistered):
        registered_task("integrations.tasks.no_such_task")


@pytest.mark.django_db
def test_the_task_is_queued_only_when_the_transaction_commits(django_capture_on_commit_callbacks, monkeypatch):
    sent = []
    task = registered_task("integrations.tasks.purge_idempotency_records")
    monkeypatch.setattr(task, "apply_async", lambda args, **options: sent.append((args, options)))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        enqueue_on_commit("integrations.tasks.purge_idempotency_records", countdown=3)
    assert sent == [] and len(callbacks) == 1
    callbacks[0]()
    assert sent == [((), {"countdown": 3})]
